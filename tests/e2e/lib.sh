# Shared by the end-to-end tests (tests/e2e/NN_*.sh), which scripts/e2e runs
# against the compose stack it brought up. It exports:
#   HITCLOCK_E2E_CATALOG, HITCLOCK_E2E_RECORDS, HITCLOCK_E2E_INGEST
#                           the services' published addresses (127.0.0.1:port)
#   HITCLOCK_AUTH_TOKEN     the token the stack requires for writes
#   HITCLOCK_E2E_WORK       a scratch directory (the watcher's output is there)
#   HITCLOCK_E2E_COMPOSE    "docker compose" or "docker-compose"
#   COMPOSE_PROJECT_NAME, COMPOSE_FILE, HITCLOCK_IMAGE
#   GRPCURL                 the grpcurl binary
# shellcheck shell=bash
set -euo pipefail

: "${HITCLOCK_E2E_CATALOG:?run through scripts/e2e}"
catalog=$HITCLOCK_E2E_CATALOG
records=$HITCLOCK_E2E_RECORDS
ingest=$HITCLOCK_E2E_INGEST
work=$HITCLOCK_E2E_WORK
grpcurl=$GRPCURL
token=$HITCLOCK_AUTH_TOKEN
auth=(-H "authorization: Bearer $token")
test_name=$(basename "$0" .sh)
out=$work/$test_name.out

chart='"chart":{"provider":"itunes","list":"top-songs"}'
p1='"threshold":{"position":{"maxPosition":1}}'

fail() {
  echo "FAIL ($test_name): $*" >&2
  [[ -s $out ]] && sed 's/^/  | /' "$out" | head -40 >&2
  exit 1
}
ok() { echo "  ok: $*"; }

# The compose command of the stack (project and file come from the
# environment).
dc() { $HITCLOCK_E2E_COMPOSE "$@"; }

# call ADDRESS METHOD JSON [grpcurl flags...]: grpcurl into $out; fails the
# test when the call fails.
call() {
  local address=$1 method=$2 data=$3
  shift 3
  "$grpcurl" -plaintext -max-time 60 "$@" -d "$data" "$address" "$method" >"$out" 2>&1 \
    || fail "$method $data"
}
# call_status ADDRESS METHOD JSON [flags...]: grpcurl into $out, expecting a
# failure; prints grpcurl's status line ("Code: InvalidArgument").
call_error() {
  local address=$1 method=$2 data=$3
  shift 3
  if "$grpcurl" -plaintext -max-time 60 "$@" -d "$data" "$address" "$method" >"$out" 2>&1; then
    fail "$method $data succeeded; an error was expected"
  fi
}
expect() { grep -qF -- "$1" "$out" || fail "expected '$1'"; }
# json EXPR: evaluates the Python expression EXPR with `r` = the JSON in $out.
json() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" "$out"; }

# wait_healthy SERVICE [SECONDS]: until Docker reports the container healthy.
wait_healthy() {
  local service=$1 deadline=$((SECONDS + ${2:-120})) id state
  while ((SECONDS < deadline)); do
    id=$(dc ps -q "$service" 2>/dev/null || true)
    if [[ -n $id ]]; then
      state=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id" 2>/dev/null || true)
      [[ $state == running/healthy ]] && return 0
    fi
    sleep 1
  done
  fail "$service not healthy after ${2:-120}s (state: ${state:-no container})"
}

# ingest_pending: snapshots ingest committed but records has not acknowledged.
forwarder_status() {
  call "$ingest" hitclock.ingest.v1.IngestService/GetForwarderStatus '{}'
}
# wait_forwarded [SECONDS]: until ingest has forwarded everything it holds.
wait_forwarded() {
  local deadline=$((SECONDS + ${1:-300})) pending
  while ((SECONDS < deadline)); do
    forwarder_status
    pending=$(json 'int(r.get("pending_snapshot_count", 0))')
    [[ $pending == 0 ]] && return 0
    sleep 2
  done
  fail "ingest still has $pending snapshots to forward after ${1:-300}s"
}

# chart_counts: "SNAPSHOTS OBSERVATIONS" of itunes/top-songs in records.
chart_counts() {
  call "$records" hitclock.records.v1.RecordsService/ListCharts '{"pageSize":1000}'
  json '" ".join(str(c.get(k, 0)) for c in r.get("charts", []) if c["chart"] == {"provider": "itunes", "list": "top-songs"} for k in ("snapshot_count", "observation_count")) or "0 0"'
}

# seed_facts: every SEED-FACTS chart figure, asked of records (used again
# after the stack is restarted).
seed_facts() {
  local rec=hitclock.records.v1.RecordsService
  call "$records" $rec/GetTimeToThreshold "{\"track\":{\"trackId\":\"with-you\"},$chart,$p1,\"minRegions\":100}"
  expect '"reached": true'
  expect '"time_to_threshold": "17040s"'   # 4h44m
  for cc in us es gb jp sg tw; do expect "\"code\": \"$cc\""; done
  ok "With You: #1 in 100 countries after 17040s (4h44m), us es gb jp sg tw among them"

  call "$records" $rec/GetTimeToThreshold "{\"track\":{\"trackId\":\"dynamite\"},$chart,$p1,\"minRegions\":100}"
  expect '"time_to_threshold": "28680s"'   # 7h58m
  ok "Dynamite: 28680s (7h58m)"

  # ww and eu: With You is #1 on both; they count only when named.
  call "$records" $rec/GetTimeToThreshold "{\"track\":{\"trackId\":\"with-you\"},$chart,$p1,\"minRegions\":2,\"regions\":[{\"code\":\"ww\"},{\"code\":\"eu\"}]}"
  expect '"reached": true'
  ok "With You #1 on the aggregates ww and eu"

  local row
  board() {  # board METRIC MIN_REGIONS CATEGORY: "track value" of the first row
    call "$records" $rec/ListLeaderboard "{\"record\":{$chart,\"metric\":\"$1\",$p1,\"minRegions\":$2,\"category\":$3},\"pageSize\":3}"
    json 'r["rows"][0]["track"]["track_id"] + " " + str(r["rows"][0]["value"].get("region_count", r["rows"][0]["value"].get("duration")))'
  }
  row=$(board METRIC_FASTEST 100 '{}')
  [[ $row == "with-you 17040s" ]] || fail "fastest to 100, all tracks: $row"
  ok "fastest to #1 in 100 countries: $row"
  row=$(board METRIC_FASTEST 100 '{"trackKind":"TRACK_KIND_OST"}')
  [[ $row == "with-you 17040s" ]] || fail "fastest to 100, OST: $row"
  ok "fastest, OST: $row"
  row=$(board METRIC_FASTEST 100 '{"performer":"PERFORMER_BY_SOLOIST","originCountry":"KR"}')
  [[ $row == "with-you 17040s" ]] || fail "fastest to 100, by a Korean soloist: $row"
  ok "fastest, by a Korean soloist: $row"
  row=$(board METRIC_TOTAL 0 '{"performer":"PERFORMER_SOLO_TRACK","originCountry":"KR","releaseYear":2021}')
  [[ $row == "yours 82" ]] || fail "most countries at #1, KR solo tracks of 2021: $row"
  ok "most countries at #1, Korean solo tracks of 2021: $row"

  call "$records" $rec/GetTimeline "{\"track\":{\"trackId\":\"yours\"},$chart,$p1}"
  [[ $(json 'r["total"]') == 82 ]] || fail "Yours: total $(json 'r.get("total")'), not 82"
  ok "Yours: #1 in 82 countries in all"
  call "$records" $rec/GetRecordLineage "{\"record\":{$chart,\"metric\":\"METRIC_FASTEST\",$p1,\"minRegions\":100}}"
  local holders
  holders=$(json '" ".join(h["track"]["track_id"] for h in r["holders"])')
  [[ $holders == *"dynamite with-you" ]] || fail "lineage: $holders"
  ok "lineage of fastest to 100: $holders"
}

# demo_container: the id of the stack's one-shot demo container.
demo_container() {
  docker ps -a -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
    --filter label=com.docker.compose.service=demo \
    --filter label=com.docker.compose.oneoff=False | head -1
}
# wait_demo [SECONDS]: until the demo loader has exited 0.
wait_demo() {
  local deadline=$((SECONDS + ${1:-600})) id state=
  while ((SECONDS < deadline)); do
    id=$(demo_container)
    if [[ -n $id ]]; then
      state=$(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$id")
      if [[ $state == "exited "* ]]; then
        [[ $state == "exited 0" ]] && return 0
        docker logs "$id" 2>&1 | tail -20 >&2
        fail "the demo loader exited ${state#exited }"
      fi
    fi
    sleep 2
  done
  fail "the demo loader did not finish in ${1:-600}s (state: ${state:-no container})"
}
