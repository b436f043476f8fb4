#!/usr/bin/env bash
# Every SEED-FACTS figure, asked of the stack the demo loaded through ingest
# (catalog facts and resolution too), each answer checked exactly.
source "$(dirname "$0")/lib.sh"

seed_facts

# The catalog side: chart credit strings resolve to the demo's tracks.
call "$catalog" hitclock.catalog.v1.CatalogService/ResolveTracks '{"entries":[
  {"title":"With You","artistCredit":"HA SUNG WOON & Jimin","provider":"itunes"},
  {"title":"Yours","artistCredit":"Kim Seok-jin","provider":"itunes"},
  {"title":"Dynamite","artistCredit":"BTS","provider":"itunes"}]}'
ids=$(json '" ".join(x.get("track_id", "-") for x in r["resolutions"])')
[[ $ids == "with-you yours dynamite" ]] || fail "resolutions: $ids"
ok "ResolveTracks: 'HA SUNG WOON & Jimin' -> with-you, 'Kim Seok-jin' -> yours, BTS -> dynamite"

call "$catalog" hitclock.catalog.v1.CatalogService/GetTrack '{"id":"with-you"}'
expect '"release_time": "2022-04-24T15:00:00Z"'
expect '"kind": "TRACK_KIND_OST"'
ok "With You: OST, released 2022-04-24T15:00:00Z (midnight KST)"
call "$catalog" hitclock.catalog.v1.CatalogService/GetTrack '{"id":"yours"}'
expect '"release_time": "2021-11-07T09:00:00Z"'
call "$catalog" hitclock.catalog.v1.CatalogService/GetTrack '{"id":"dynamite"}'
expect '"release_time": "2020-08-21T04:00:00Z"'
ok "Yours released 2021-11-07T09:00:00Z, Dynamite 2020-08-21T04:00:00Z"

# Nothing of the demo is left unforwarded or unresolved.
forwarder_status
[[ $(json 'int(r.get("pending_snapshot_count", 0))') == 0 ]] || fail "snapshots still pending"
[[ $(json 'int(r.get("failed_snapshot_count", 0))') == 0 ]] || fail "snapshots failed"
forwarded=$(json 'r.get("forwarded_snapshot_count")')
read -r snaps obs < <(chart_counts)
ok "ingest forwarded $forwarded snapshots; records holds $snaps snapshots, $obs observations of itunes/top-songs"
