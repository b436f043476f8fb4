#!/usr/bin/env bash
# Proves that each binary given links no gRPC: no `libgrpc*`/`libgpr*` among
# its ELF NEEDED entries and no `grpc::`/`grpc_` symbol in it. Run on the
# base library's test and the store tests (tests/common/CMakeLists.txt):
# a store that pulls gRPC back in fails here.
# Usage: no_grpc_link_test.sh BINARY...
set -euo pipefail
status=0
for bin in "$@"; do
  [[ -x $bin ]] || { echo "FAIL: $bin is not a built binary" >&2; exit 1; }
  ok=1
  needed=$(readelf -d "$bin" | grep -E 'NEEDED.*\[lib(grpc|gpr|address_sorting|upb)' || true)
  if [[ -n $needed ]]; then
    echo "FAIL: $bin needs a gRPC shared library:" >&2
    echo "$needed" >&2
    ok=0
  fi
  symbols=$(nm -C "$bin" | grep -cE ' (grpc::|grpc_[a-z])' || true)
  if [[ $symbols != 0 ]]; then
    echo "FAIL: $bin refers to $symbols gRPC symbols" >&2
    ok=0
  fi
  if [[ $ok == 1 ]]; then
    echo "ok: $(basename "$bin") links no gRPC"
  else
    status=1
  fi
done
exit $status
