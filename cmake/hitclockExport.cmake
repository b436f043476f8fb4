# Installs the client library for other CMake projects:
#
#   find_package(hitclock CONFIG REQUIRED)
#   target_link_libraries(my_program PRIVATE hitclock::client)
#
# `hitclock::client` (cli/: channels, TLS, bearer token, the three services'
# stubs), `hitclock::protos` (the gRPC stubs of protos/) and
# `hitclock::proto_messages` (the generated C++ messages, which `protos`
# links) are installed as static libraries with their headers under
# include/ (`cli/client.h`, `hitclock/<service>/v1/*.pb.h`), the .proto files
# under share/hitclock/protos, and the package files under
# lib/cmake/hitclock. All of it is the `hitclock_dev` component, so
#
#   cmake --install BUILD --component hitclock_dev --prefix PREFIX
#
# needs only those targets built. examples/cpp-client is a project that
# uses the installed package; tests/e2e/cpp_client_export.sh proves it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HITCLOCK_CMAKE_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/hitclock")

# protos/ publishes its build directory (where the generated headers are) as
# include path; installed, the same headers are under include/.
foreach(target IN ITEMS hitclock_proto_messages hitclock_protos)
  get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set(interface_includes)
  foreach(dir IN LISTS includes)
    if(dir MATCHES "^\\$<")
      list(APPEND interface_includes "${dir}")
    else()
      list(APPEND interface_includes "$<BUILD_INTERFACE:${dir}>")
    endif()
  endforeach()
  list(APPEND interface_includes
       "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
  set_property(TARGET ${target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES
                                         "${interface_includes}")
endforeach()

set_target_properties(hitclock_client PROPERTIES EXPORT_NAME client)
set_target_properties(hitclock_protos PROPERTIES EXPORT_NAME protos)
set_target_properties(hitclock_proto_messages
                      PROPERTIES EXPORT_NAME proto_messages)

install(TARGETS hitclock_client hitclock_protos hitclock_proto_messages
        EXPORT hitclockTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT hitclock_dev
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

# Headers: the client library's (the .h files among its sources) and the
# generated ones.
get_target_property(hitclock_client_sources hitclock_client SOURCES)
get_target_property(hitclock_client_dir hitclock_client SOURCE_DIR)
list(FILTER hitclock_client_sources INCLUDE REGEX "\\.h$")
list(TRANSFORM hitclock_client_sources PREPEND "${hitclock_client_dir}/")
install(FILES ${hitclock_client_sources}
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/cli"
        COMPONENT hitclock_dev)
get_target_property(hitclock_protos_binary_dir hitclock_protos BINARY_DIR)
install(DIRECTORY "${hitclock_protos_binary_dir}/hitclock/"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/hitclock"
        COMPONENT hitclock_dev
        FILES_MATCHING PATTERN "*.pb.h")
# The API itself, for stubs in other languages (examples/python).
install(DIRECTORY "${PROJECT_SOURCE_DIR}/protos/hitclock/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/hitclock/protos/hitclock"
        COMPONENT hitclock_dev
        FILES_MATCHING PATTERN "*.proto")

install(EXPORT hitclockTargets
        NAMESPACE hitclock::
        DESTINATION "${HITCLOCK_CMAKE_INSTALL_DIR}"
        COMPONENT hitclock_dev)
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/hitclockConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/hitclockConfig.cmake"
  INSTALL_DESTINATION "${HITCLOCK_CMAKE_INSTALL_DIR}")
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/hitclockConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/hitclockConfig.cmake"
              "${PROJECT_BINARY_DIR}/hitclockConfigVersion.cmake"
        DESTINATION "${HITCLOCK_CMAKE_INSTALL_DIR}"
        COMPONENT hitclock_dev)

# The proof: install into a temporary prefix, build examples/cpp-client
# against it with find_package(hitclock), and run it against a real records
# server.
if(HITCLOCK_BUILD_TESTS)
  add_test(NAME cpp_client_export
           COMMAND "${PROJECT_SOURCE_DIR}/tests/e2e/cpp_client_export.sh"
                   "${PROJECT_BINARY_DIR}" "${PROJECT_SOURCE_DIR}"
                   "$<TARGET_FILE:hitclock-records>")
  set_tests_properties(cpp_client_export PROPERTIES TIMEOUT 600)
endif()
