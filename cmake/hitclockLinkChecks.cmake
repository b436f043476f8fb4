# Layer checks on the link graph, run once every target is defined.
#
# hitclock_check_no_grpc(TARGET...) fails the configure when gRPC is in the
# link closure of any of the targets: their own link libraries and, through
# every target they reach, its interface link libraries (what CMake puts on
# their link line). The stores, the base library and the store tests are
# checked (see the end of the top-level CMakeLists.txt), so a `gRPC::grpc++`
# or `hitclock_protos` (stubs) added to a store, directly or through a
# library it links, stops the build with the path that brought it in.

# Appends to `out_var` the link items of `item` (a target or not) that may
# lead further: LINK_ONLY wrappers are unwrapped; other generator
# expressions are kept as text (they are matched, not followed).
function(_hitclock_link_items target property out_var)
  get_target_property(items ${target} ${property})
  set(result)
  if(items)
    foreach(item IN LISTS items)
      if(item MATCHES "^::@")
        continue()  # directory markers of cross-directory links
      endif()
      if(item MATCHES "^\\$<LINK_ONLY:([^>]+)>$")
        set(item "${CMAKE_MATCH_1}")
      endif()
      list(APPEND result "${item}")
    endforeach()
  endif()
  set(${out_var} "${result}" PARENT_SCOPE)
endfunction()

function(hitclock_check_no_grpc)
  foreach(root IN LISTS ARGN)
    if(NOT TARGET ${root})
      message(FATAL_ERROR "hitclock_check_no_grpc: no target ${root}")
    endif()
    # Breadth-first over the link graph; `via_<item>` remembers the path.
    _hitclock_link_items(${root} LINK_LIBRARIES queue)
    _hitclock_link_items(${root} INTERFACE_LINK_LIBRARIES more)
    list(APPEND queue ${more})
    set(seen)
    foreach(item IN LISTS queue)
      set("via_${item}" "${root} -> ${item}")
    endforeach()
    while(queue)
      list(POP_FRONT queue item)
      if(item IN_LIST seen)
        continue()
      endif()
      list(APPEND seen "${item}")
      if(item MATCHES "(^|[^A-Za-z])gRPC::|grpc\\+\\+|libgrpc|^hitclock_protos$|^hitclock::protos$|^hitclock_common$")
        message(FATAL_ERROR
          "${root} must not link gRPC (a store or the base library speaks "
          "core types and absl::Status; the gRPC runtime is hitclock_common):"
          " ${via_${item}}")
      endif()
      if(NOT TARGET "${item}")
        continue()
      endif()
      get_target_property(aliased "${item}" ALIASED_TARGET)
      if(aliased)
        set(next "${aliased}")
        set(nexts "${next}")
      else()
        _hitclock_link_items("${item}" INTERFACE_LINK_LIBRARIES nexts)
      endif()
      foreach(next IN LISTS nexts)
        if(NOT next IN_LIST seen)
          if(NOT DEFINED "via_${next}")
            set("via_${next}" "${via_${item}} -> ${next}")
          endif()
          list(APPEND queue "${next}")
        endif()
      endforeach()
    endwhile()
  endforeach()
endfunction()
