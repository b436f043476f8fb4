#!/usr/bin/env bash
# Faults with real containers while a long import runs through ingest.
#
# A bigger stream (hitclock-sim generate: fictional tracks in 2024, after the
# demo's captures, on fewer than 100 regions so that no SEED-FACTS answer
# moves) is generated inside a
# container from the image, its tracks loaded into catalog, and pushed with
# `hitclock import` from another container, in parts one after the other
# (so that ingest keeps receiving while the faults happen, rather than after
# one long parse of the whole file). Meanwhile: records is killed
# with SIGKILL and started again; then catalog; then ingest is restarted.
# The import is run again until it completes (resending is idempotent).
# Then, with no manual repair, every acknowledged snapshot must be in
# records exactly once: ingest's and records' counts are compared exactly
# with the distinct snapshots and observations of the file.
source "$(dirname "$0")/lib.sh"
days=${HITCLOCK_E2E_FAULT_DAYS:-2}
regions=${HITCLOCK_E2E_FAULT_REGIONS:-60}
gen=$work/faults
mkdir -p "$gen"
ing_svc=hitclock.ingest.v1.IngestService

# run_image CMD...: a one-off container of the image on the stack's network,
# with the demo service's addresses and token, $gen mounted at /work.
run_image() {
  dc run --rm --no-deps -T -v "$gen:/work" --user "$(id -u):$(id -g)" demo "$@"
}

run_image hitclock-sim generate --seed 7 --region-count "$regions" --days "$days" \
  --tracks 600 --start 2024-01-01T00:00:00Z \
  --out /work/stream.jsonl --catalog-out /work/catalog.json >"$out" 2>&1 \
  || fail "hitclock-sim generate"
sed 's/^/    /' "$out" | tail -2
run_image hitclock catalog import /work/catalog.json >"$out" 2>&1 || fail "catalog import"
ok "catalog: $(tail -1 "$out")"

# What the file holds: distinct snapshots and observations (one per track
# per snapshot; each generated track has one store item).
read -r want_snaps want_obs lines < <(python3 - "$gen/stream.jsonl" <<'PY'
import json, sys
snaps, lines = {}, 0
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    lines += 1
    s = json.loads(line)["snapshot"]
    key = (s["chart"]["provider"], s["chart"]["list"], s["region"]["code"], s["captureTime"])
    snaps[key] = len({e["entry"]["providerTrackId"] for e in s["entries"]})
print(len(snaps), sum(snaps.values()), lines)
PY
)
ok "stream: $lines lines, $want_snaps distinct snapshots, $want_obs observations ($(du -h "$gen/stream.jsonl" | cut -f1))"
parts=${HITCLOCK_E2E_FAULT_PARTS:-8}
(cd "$gen" && split -n "l/$parts" -d --additional-suffix=.jsonl stream.jsonl part-)
# The import: every part in order; fails at the first part that fails.
import_all() {
  run_image sh -c 'for f in /work/part-*; do hitclock import "$f" || exit $?; done'
}

wait_forwarded 120
forwarder_status
base_forwarded=$(json 'int(r.get("forwarded_snapshot_count", 0))')
base_failed=$(json 'int(r.get("failed_snapshot_count", 0))')
base_unresolved=$(json 'int(r.get("unresolved_entry_count", 0))')
read -r base_snaps base_obs < <(chart_counts)
ok "before: records $base_snaps snapshots / $base_obs observations; ingest forwarded $base_forwarded"

# ingest_received: snapshots ingest has committed (forwarded or pending).
ingest_received() {
  forwarder_status
  json 'int(r.get("forwarded_snapshot_count", 0)) + int(r.get("pending_snapshot_count", 0)) + int(r.get("failed_snapshot_count", 0))'
}
import_running() { kill -0 "$import_pid" 2>/dev/null; }
during() { if import_running; then echo "during the import"; else echo "AFTER the import ended"; fi; }

t_import=$SECONDS
import_all >"$work/import-1.log" 2>&1 &
import_pid=$!
# Until ingest has taken a first part of the stream.
deadline=$((SECONDS + 300))
until (($(ingest_received) > base_forwarded + want_snaps / 50)); do
  ((SECONDS < deadline)) || fail "ingest received nothing of the import in 300s"
  import_running || { cat "$work/import-1.log" >&2; fail "the import ended early"; }
  sleep 1
done
ok "ingest has $(($(ingest_received) - base_forwarded)) of $want_snaps snapshots after $((SECONDS - t_import))s"

fault() {  # SERVICE: SIGKILL, a pause, start again, healthy again
  local when
  when=$(during)
  import_running || fail "the import ended before $1 could be killed: make the stream longer (HITCLOCK_E2E_FAULT_DAYS)"
  dc kill -s SIGKILL "$1" >/dev/null 2>&1
  sleep 5
  dc start "$1" >/dev/null 2>&1
  wait_healthy "$1" 180
  ok "$1: SIGKILL $when, started again, healthy (ingest holds $(($(ingest_received) - base_forwarded)))"
}
fault records
fault catalog
# Restart ingest while a part is streaming in, if the import is still on.
deadline=$((SECONDS + 60))
while import_running && ((SECONDS < deadline)); do
  a=$(ingest_received)
  sleep 0.3
  (($(ingest_received) > a)) && break
done
when=$(during)
dc restart ingest >/dev/null 2>&1
wait_healthy ingest 180
ok "ingest: restarted $when"

status=0
wait "$import_pid" || status=$?
echo "    import 1 ended with exit $status after $((SECONDS - t_import))s:"
grep -h 'snapshots:' "$work/import-1.log" | sed 's/^/      /'
((status == 0)) || tail -3 "$work/import-1.log" | sed "s/^/      /"
attempt=1
while ((status != 0)); do
  ((attempt < 5)) || fail "the import did not complete in 5 runs"
  attempt=$((attempt + 1))
  status=0
  import_all >"$work/import-$attempt.log" 2>&1 || status=$?
  echo "    import $attempt ended with exit $status:"
  grep -h 'snapshots:' "$work/import-$attempt.log" | sed 's/^/      /'
  ((status == 0)) || tail -3 "$work/import-$attempt.log" | sed "s/^/      /"
done
ok "import complete after $attempt run(s), $((SECONDS - t_import))s"

wait_forwarded 900
ok "ingest has forwarded everything, $((SECONDS - t_import))s after the import started"

# Exactly once, no repair: the counts, compared exactly.
forwarder_status
forwarded=$(json 'int(r.get("forwarded_snapshot_count", 0))')
[[ $(json 'int(r.get("failed_snapshot_count", 0))') == "$base_failed" ]] || fail "failed snapshots: $(json 'r.get("failed_snapshot_count")')"
[[ $(json 'int(r.get("unresolved_entry_count", 0))') == "$base_unresolved" ]] || fail "unresolved entries: $(json 'r.get("unresolved_entry_count")')"
((forwarded - base_forwarded == want_snaps)) \
  || fail "ingest forwarded $((forwarded - base_forwarded)) new snapshots, the file has $want_snaps"
# ingest's own list of the stream's time range, every one FORWARDED.
listed=0 not_forwarded=0 token_=""
while :; do
  call "$ingest" $ing_svc/ListSnapshots "{\"chart\":{\"provider\":\"itunes\",\"list\":\"top-songs\"},\"startTime\":\"2023-01-01T00:00:00Z\",\"endTime\":\"2025-01-01T00:00:00Z\",\"pageSize\":1000,\"pageToken\":\"$token_\"}"
  read -r n bad token_ < <(json '"%d %d %s" % (len(r.get("snapshots", [])), sum(1 for s in r.get("snapshots", []) if s.get("state") != "SNAPSHOT_STATE_FORWARDED"), r.get("next_page_token", ""))')
  listed=$((listed + n)) not_forwarded=$((not_forwarded + bad))
  [[ -n $token_ ]] || break
done
((listed == want_snaps)) || fail "ingest lists $listed snapshots captured in 2023-2024, the file has $want_snaps"
((not_forwarded == 0)) || fail "$not_forwarded of them are not FORWARDED"
read -r snaps obs < <(chart_counts)
((snaps - base_snaps == want_snaps)) || fail "records holds $((snaps - base_snaps)) new snapshots, the file has $want_snaps"
((obs - base_obs == want_obs)) || fail "records holds $((obs - base_obs)) new observations, the file has $want_obs"
ok "exactly once: $want_snaps snapshots = ingest forwarded = ingest ListSnapshots (all FORWARDED) = records' new snapshot_count; $want_obs observations = records' new observation_count"

# The faults moved no SEED-FACTS answer.
seed_facts >/dev/null
ok "SEED-FACTS answers unchanged"
