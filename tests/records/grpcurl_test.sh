#!/usr/bin/env bash
# The records and catalog binaries started by hand and driven by the real
# grpcurl: the demo catalog loaded, the demo snapshots (hitclock-sim demo,
# resolved to track ids by their provider ids) appended over the
# AppendSnapshots stream while a WatchRecordEvents stream listens, then every
# SEED-FACTS chart question asked and its answer checked exactly.
# Usage: grpcurl_test.sh CATALOG_BINARY RECORDS_BINARY SIM_BINARY SOURCE_DIR
set -euo pipefail
catalog_bin=$1 records_bin=$2 sim_bin=$3 src=$4

grpcurl=$(command -v grpcurl || true)
[[ -n "$grpcurl" ]] || grpcurl="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin/grpcurl"
[[ -x "$grpcurl" ]] || { echo "grpcurl not found: run scripts/install-deps" >&2; exit 1; }

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cat_addr=127.0.0.1:$(free_port)
rec_addr=127.0.0.1:$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$work/out" >&2 2>/dev/null || true; exit 1; }

# The catalog first, with the demo catalog imported, then records: records
# loads the catalog's facts before it reports SERVING, so the appends below
# find every track's facts (a track whose facts arrive after its snapshots
# takes no part in the record events of those appends).
wait_serving() {  # BINARY ADDRESS
  for _ in $(seq 100); do "$1" --probe="$2" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$work"/*.log; fail "not serving: $1 $2"
}
"$catalog_bin" --listen "$cat_addr" --data-dir "$work/catalog" --auth-token t0ken >"$work/catalog.log" 2>&1 &
pids+=($!)
wait_serving "$catalog_bin" "$cat_addr"

auth=(-H "authorization: Bearer t0ken")
"$sim_bin" demo --out "$work/demo" >/dev/null
for doc in "$src/demo/catalog.json" "$work/demo/demo-catalog-extra.json"; do
  "$grpcurl" -plaintext "${auth[@]}" -d @ "$cat_addr" \
    hitclock.catalog.v1.CatalogService/ImportCatalog <"$doc" >"$work/out" || fail "import $doc"
done

"$records_bin" --listen "$rec_addr" --data-dir "$work/records" --auth-token t0ken \
  --catalog-address "$cat_addr" >"$work/records.log" 2>&1 &
pids+=($!)
wait_serving "$records_bin" "$rec_addr"
grep -q 'catalog facts loaded .*tracks=29' "$work/records.log" \
  || { cat "$work/records.log"; fail "records served before loading the catalog's 29 tracks"; }

# Resolve by provider id (the catalog documents hold every demo track's ids).
python3 - "$src/demo/catalog.json" "$work/demo/demo-catalog-extra.json" \
  "$work/demo/demo-snapshots.jsonl" "$work/append.json" <<'PY'
import json, sys
ids = {}
for doc in sys.argv[1:3]:
    for t in json.load(open(doc))["document"]["tracks"]:
        for p in t.get("providerIds", []):
            ids[p["id"]] = t["id"]
with open(sys.argv[4], "w") as out:
    for line in open(sys.argv[3]):
        s = json.loads(line)["snapshot"]
        entries = [{"trackId": ids[e["entry"]["providerTrackId"]], "position": e["position"]}
                   for e in s["entries"]]
        out.write(json.dumps({"snapshot": {"chart": s["chart"], "region": s["region"],
            "captureTime": s["captureTime"], "chartSize": len(s["entries"]),
            "entries": entries}}) + "\n")
PY

# Watch first, then append.
"$grpcurl" -plaintext -max-time 120 -d '{"minRegions":[100]}' "$rec_addr" \
  hitclock.records.v1.RecordsService/WatchRecordEvents >"$work/events" 2>&1 &
watcher=$!
pids+=($watcher)
sleep 1
"$grpcurl" -plaintext "${auth[@]}" -max-msg-sz 67108864 -d @ "$rec_addr" \
  hitclock.records.v1.RecordsService/AppendSnapshots <"$work/append.json" >"$work/out" 2>&1 \
  || fail "append"
appended=$(grep -c '"APPEND_OUTCOME_APPENDED"' "$work/out" || true)
[[ $appended == $(wc -l <"$work/append.json") ]] || fail "appended $appended snapshots"

q() { "$grpcurl" -plaintext -d "$2" "$rec_addr" "hitclock.records.v1.RecordsService/$1" >"$work/out" 2>&1 || fail "$1 $2"; }
expect() { grep -qF -- "$1" "$work/out" || fail "expected '$1'"; }
chart='"chart":{"provider":"itunes","list":"top-songs"}'
p1='"threshold":{"position":{"maxPosition":1}}'

q GetTimeToThreshold "{\"track\":{\"trackId\":\"with-you\"},$chart,$p1,\"minRegions\":100}"
expect '"time_to_threshold": "17040s"'   # 4h44m
expect '"reached": true'
for cc in us es gb jp sg tw; do expect "\"code\": \"$cc\""; done
q GetTimeToThreshold "{\"track\":{\"trackId\":\"dynamite\"},$chart,$p1,\"minRegions\":100}"
expect '"time_to_threshold": "28680s"'   # 7h58m

# Aggregates: With You is #1 on ww and eu, which count only when named.
q GetTimeToThreshold "{\"track\":{\"trackId\":\"with-you\"},$chart,$p1,\"minRegions\":2,\"regions\":[{\"code\":\"ww\"},{\"code\":\"eu\"}]}"
expect '"reached": true'

board() {  # board METRIC MIN_REGIONS CATEGORY
  q ListLeaderboard "{\"record\":{$chart,\"metric\":\"$1\",$p1,\"minRegions\":$2,\"category\":$3},\"pageSize\":3}"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["rows"][0]; print(r["track"]["track_id"], r["value"].get("region_count", r["value"].get("duration")))' "$work/out"
}
[[ $(board METRIC_FASTEST 100 '{}') == "with-you 17040s" ]] || fail "fastest to 100, all"
[[ $(board METRIC_FASTEST 100 '{"trackKind":"TRACK_KIND_OST"}') == "with-you 17040s" ]] || fail "fastest, OST"
[[ $(board METRIC_FASTEST 100 '{"performer":"PERFORMER_BY_SOLOIST","originCountry":"KR"}') == "with-you 17040s" ]] || fail "fastest, KR soloist"
[[ $(board METRIC_TOTAL 0 '{"performer":"PERFORMER_SOLO_TRACK","originCountry":"KR","releaseYear":2021}') == "yours 82" ]] || fail "total, KR solo tracks of 2021"

q GetRecordLineage "{\"record\":{$chart,\"metric\":\"METRIC_FASTEST\",$p1,\"minRegions\":100}}"
holders=$(python3 -c 'import json,sys; print(" ".join(h["track"]["track_id"] for h in json.load(open(sys.argv[1]))["holders"]))' "$work/out")
[[ $holders == *"dynamite with-you" ]] || fail "lineage: $holders"

# The live event: With You broke Dynamite's record (all tracks, N = 100).
kill "$watcher" 2>/dev/null || true
python3 - "$work/events" <<'PY' || fail "no record-broken event naming dynamite"
import json, sys
text = open(sys.argv[1]).read()
dec, i, found = json.JSONDecoder(), 0, False
while True:
    i = text.find("{", i)
    if i < 0: break
    obj, i = dec.raw_decode(text, i)
    e = obj.get("event", {})
    r = e.get("record", {})
    if (r.get("metric") == "METRIC_FASTEST" and r.get("min_regions") == 100
            and not r.get("category")
            and e.get("new_holder", {}).get("track", {}).get("track_id") == "with-you"
            and e.get("previous_holder", {}).get("track", {}).get("track_id") == "dynamite"):
        found = True
sys.exit(0 if found else 1)
PY

# Bad input names its field.
"$grpcurl" -plaintext -d "{\"track\":{\"trackId\":\"with-you\"},$chart,\"threshold\":{\"position\":{\"maxPosition\":0}},\"minRegions\":100}" \
  "$rec_addr" hitclock.records.v1.RecordsService/GetTimeToThreshold >"$work/out" 2>&1 || true
expect "Code: InvalidArgument"
expect "threshold"
"$grpcurl" -plaintext -d '{"snapshot":{}}' "$rec_addr" hitclock.records.v1.RecordsService/AppendSnapshots >"$work/out" 2>&1 || true
expect "Code: Unauthenticated"

kill -TERM "${pids[1]}"; wait "${pids[1]}" || fail "records exit code $? after SIGTERM"
echo "records grpcurl_test: OK"
