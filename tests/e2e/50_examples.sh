#!/usr/bin/env bash
# The generated-stub examples against the stack: examples/python/run
# (protoc --python_out + Debian's grpc_python_plugin, /usr/bin/python3) and
# examples/cpp-client (built by scripts/e2e against the installed
# hitclock::client) print the fastest-to-100 leaderboard: With You first
# (4h44m), Dynamite after it (7h58m).
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

check_board() {  # NAME
  expect "Fastest to #1 in 100 countries (itunes/top-songs):"
  local first second
  first=$(grep -m1 '^  1\. ' "$out" || true)
  second=$(grep -m1 '^  2\. ' "$out" || true)
  [[ $first == *"With You"*"4h44m (17040s)" ]] || fail "$1: first row is not With You at 4h44m: $first"
  [[ $second == *"Dynamite"*"7h58m (28680s)" ]] || fail "$1: second row is not Dynamite at 7h58m: $second"
  ok "$1: $first"
}

"$root/examples/python/run" "$records" >"$out" 2>&1 || fail "examples/python/run $records"
check_board "examples/python"
sed 's/^/    /' "$out" | head -5

if [[ -n ${HITCLOCK_E2E_CPP_LEADERBOARD:-} ]]; then
  "$HITCLOCK_E2E_CPP_LEADERBOARD" "$records" >"$out" 2>&1 || fail "examples/cpp-client $records"
  check_board "examples/cpp-client (find_package(hitclock), hitclock::client)"
else
  fail "HITCLOCK_E2E_CPP_LEADERBOARD is not set: run through scripts/e2e"
fi
