#!/usr/bin/env bash
# The live "record broken" event: scripts/e2e opened a WatchRecordEvents
# stream (N = 100) before the demo loader pushed its snapshots through
# ingest; the stream must have carried With You taking the fastest-to-100
# record from Dynamite, as it happened.
source "$(dirname "$0")/lib.sh"

events=$work/events.json
[[ -s $events ]] || fail "the watch stream received nothing"
cp "$events" "$out"
python3 - "$events" <<'PY' || fail "no record-broken event naming Dynamite as the previous holder"
import json, sys
text = open(sys.argv[1]).read()
dec, i, seen, found = json.JSONDecoder(), 0, 0, None
while True:
    i = text.find("{", i)
    if i < 0:
        break
    obj, i = dec.raw_decode(text, i)
    e = obj.get("event", {})
    seen += 1
    r = e.get("record", {})
    if (r.get("metric") == "METRIC_FASTEST" and r.get("min_regions") == 100
            and not r.get("category")
            and e.get("new_holder", {}).get("track", {}).get("track_id") == "with-you"
            and e.get("previous_holder", {}).get("track", {}).get("track_id") == "dynamite"):
        found = e
print(f"{seen} events on the stream")
if not found:
    sys.exit(1)
print("event:", found["new_holder"]["value"], "took it from", found["previous_holder"]["value"],
      "at", found["new_holder"].get("reach_time"), "snapshot", json.dumps(found.get("snapshot")))
assert found["new_holder"]["value"] == {"duration": "17040s"}, found["new_holder"]["value"]
assert found["previous_holder"]["value"] == {"duration": "28680s"}, found["previous_holder"]["value"]
PY
ok "WatchRecordEvents: With You (17040s) broke Dynamite's (28680s) fastest-to-100 record, live"
