#!/usr/bin/env bash
# Bad input is refused with the right status code and names its field; the
# stack runs with HITCLOCK_AUTH_TOKEN set, so every write without the token
# (or with a wrong one) is UNAUTHENTICATED and leaves nothing, reads need no
# token, and the same write with the token goes through.
source "$(dirname "$0")/lib.sh"
cat_svc=hitclock.catalog.v1.CatalogService
rec_svc=hitclock.records.v1.RecordsService
ing_svc=hitclock.ingest.v1.IngestService

# --- bad input
call_error "$records" $rec_svc/GetTimeToThreshold \
  "{\"track\":{\"trackId\":\"with-you\"},$chart,\"threshold\":{\"position\":{\"maxPosition\":0}},\"minRegions\":100}"
expect "Code: InvalidArgument"
expect "threshold"
ok "GetTimeToThreshold with P = 0: InvalidArgument naming the threshold"
call_error "$records" $rec_svc/ListLeaderboard "{\"record\":{$chart,\"metric\":\"METRIC_FASTEST\",$p1}}"
expect "Code: InvalidArgument"
expect "min_regions"
ok "a FASTEST leaderboard without N: InvalidArgument naming min_regions"
call_error "$records" $rec_svc/GetTimeToThreshold "{\"track\":{\"trackId\":\"with-you\"},$p1,\"minRegions\":100}"
expect "Code: InvalidArgument"
expect "chart"
ok "no chart: InvalidArgument naming chart"
call_error "$catalog" $cat_svc/GetTrack '{"id":"no-such-track"}'
expect "Code: NotFound"
ok "an unknown track id: NotFound"
call_error "$catalog" $cat_svc/CreateArtist \
  '{"artist":{"name":"Someone","kind":"ARTIST_KIND_SOLO","aliases":["HA SUNG WOON"]}}' "${auth[@]}"
expect "Code: AlreadyExists"
expect "artist.aliases[0]"
ok "an alias another artist has: AlreadyExists naming artist.aliases[0]"
snapshot='{"chart":{"provider":"itunes","list":"top-songs"},"region":{"code":"us"},
  "captureTime":"2019-01-01T00:00:00Z","entries":[{"position":0,"entry":{"title":"X","artistCredit":"Y"}}]}'
call_error "$ingest" $ing_svc/SubmitSnapshot "{\"snapshot\":$snapshot}" "${auth[@]}"
expect "Code: InvalidArgument"
expect "snapshot.entries[0].position"
ok "a snapshot with position 0: InvalidArgument naming snapshot.entries[0].position"
call_error "$ingest" $ing_svc/SubmitSnapshot \
  '{"snapshot":{"chart":{"provider":"itunes","list":"top-songs"},"region":{"code":"zz"},"captureTime":"2019-01-01T00:00:00Z","entries":[{"position":1,"entry":{"title":"X","artistCredit":"Y"}}]}}' \
  "${auth[@]}"
expect "Code: InvalidArgument"
expect "region"
ok "an unknown region code: InvalidArgument naming the region"

# --- auth: writes need the token
artist='{"artist":{"id":"e2e-auth-probe","name":"E2E Auth Probe","kind":"ARTIST_KIND_SOLO","originCountry":"KR"}}'
call_error "$catalog" $cat_svc/CreateArtist "$artist"
expect "Code: Unauthenticated"
call_error "$catalog" $cat_svc/CreateArtist "$artist" -H "authorization: Bearer wrong-$token"
expect "Code: Unauthenticated"
call_error "$catalog" $cat_svc/GetArtist '{"id":"e2e-auth-probe"}'
expect "Code: NotFound"
ok "catalog CreateArtist without the token or with a wrong one: Unauthenticated, nothing created"
call "$catalog" $cat_svc/CreateArtist "$artist" "${auth[@]}"
expect '"id": "e2e-auth-probe"'
call "$catalog" $cat_svc/DeleteArtist '{"id":"e2e-auth-probe"}' "${auth[@]}"
ok "catalog CreateArtist and DeleteArtist with the token: done"

good='{"snapshot":{"chart":{"provider":"itunes","list":"top-songs"},"region":{"code":"us"},"captureTime":"2019-01-01T00:00:00Z","entries":[{"position":1,"entry":{"title":"With You","artistCredit":"HA SUNG WOON & Jimin"}}]}}'
call_error "$ingest" $ing_svc/SubmitSnapshot "$good"
expect "Code: Unauthenticated"
call_error "$ingest" $ing_svc/StreamSnapshots "$good"
expect "Unauthenticated"
call_error "$ingest" $ing_svc/GetSnapshot \
  '{"key":{"chart":{"provider":"itunes","list":"top-songs"},"region":{"code":"us"},"captureTime":"2019-01-01T00:00:00Z"}}'
expect "Code: NotFound"
ok "ingest SubmitSnapshot and StreamSnapshots without the token: Unauthenticated, nothing stored"
call_error "$records" $rec_svc/AppendSnapshots \
  '{"snapshot":{"chart":{"provider":"itunes","list":"top-songs"},"region":{"code":"us"},"captureTime":"2019-01-01T00:00:00Z","entries":[{"trackId":"with-you","position":1}]}}'
expect "Unauthenticated"
ok "records AppendSnapshots without the token: Unauthenticated"

# Reads need no token (HITCLOCK_AUTH_READS is off).
call "$records" $rec_svc/ListCharts '{}'
call "$catalog" $cat_svc/GetArtist '{"id":"jimin"}'
call "$ingest" $ing_svc/GetForwarderStatus '{}'
ok "reads without the token: answered"
