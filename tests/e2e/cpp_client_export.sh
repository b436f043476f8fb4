#!/usr/bin/env bash
# The exported C++ client library, used the way another project uses it:
# installed (component hitclock_dev) into a fresh prefix, found with
# find_package(hitclock) by examples/cpp-client, built, and run against a
# real records server (empty, so it answers the server's own NOT_FOUND for
# the chart: a real round trip) and against a dead address (a clear error,
# exit 1); scripts/e2e runs it against the loaded stack. The installed package must not point into
# the build tree.
# Usage: cpp_client_export.sh BUILD_DIR SOURCE_DIR RECORDS_BINARY
set -euo pipefail
build=$1 src=$2 records_bin=$3

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do { kill -9 "$p"; wait "$p"; } 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$work/out" >&2 2>/dev/null || true; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

prefix=$work/prefix
cmake --install "$build" --component hitclock_dev --prefix "$prefix" >"$work/out" 2>&1 \
  || fail "cmake --install"
for f in lib/cmake/hitclock/hitclockConfig.cmake lib/cmake/hitclock/hitclockTargets.cmake \
    include/cli/client.h include/hitclock/records/v1/records.grpc.pb.h \
    share/hitclock/protos/hitclock/records/v1/records.proto; do
  [[ -f $prefix/$f ]] || fail "not installed: $f"
done
ls "$prefix"/lib/libhitclock_client.a "$prefix"/lib/libhitclock_protos.a >/dev/null \
  || fail "static libraries not installed"
if grep -rlF "$(cd "$build" && pwd)" "$prefix/lib/cmake" >"$work/out"; then
  fail "the installed package refers to the build tree"
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$src/examples/cpp-client" -B "$work/example" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >"$work/out" 2>&1 \
  || fail "configure examples/cpp-client against $prefix"
cmake --build "$work/example" >"$work/out" 2>&1 || fail "build examples/cpp-client"
leaderboard=$work/example/leaderboard

addr=127.0.0.1:$(free_port)
"$records_bin" --listen "$addr" --data-dir "$work/records" \
  --catalog-address "127.0.0.1:$(free_port)" >"$work/records.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do "$records_bin" --probe="$addr" >/dev/null 2>&1 && break; sleep 0.1; done
"$records_bin" --probe="$addr" >/dev/null || { cat "$work/records.log" >&2; fail "records not serving"; }

status=0
"$leaderboard" "$addr" >"$work/out" 2>&1 || status=$?
[[ $status == 1 ]] || fail "empty records: exit $status"
grep -qF "records ($addr): NOT_FOUND: chart" "$work/out" || fail "empty records: not the server's NOT_FOUND"

# A dead address: a clear message, exit 1.
status=0
"$leaderboard" "127.0.0.1:$(free_port)" >"$work/out" 2>&1 || status=$?
[[ $status == 1 ]] || fail "dead address: exit $status"
grep -qF "records (127.0.0.1:" "$work/out" || fail "dead address: no message naming records"
# Bad usage: exit 2.
status=0
"$leaderboard" --nope >"$work/out" 2>&1 || status=$?
[[ $status == 2 ]] || fail "bad usage: exit $status"
echo "cpp_client_export: OK"
