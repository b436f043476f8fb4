#!/usr/bin/env bash
# Reflection and health of every service, through the published ports:
# `grpcurl list` names exactly the service, health and reflection; `describe`
# shows every method, the service's own comment, and a request message; grpc.health.v1 answers SERVING for
# the server and for the service by name.
source "$(dirname "$0")/lib.sh"

check_service() {  # ADDRESS SERVICE METHOD...
  local address=$1 service=$2
  shift 2
  "$grpcurl" -plaintext "$address" list >"$out" 2>&1 || fail "list $address"
  printf 'grpc.health.v1.Health\ngrpc.reflection.v1alpha.ServerReflection\n%s\n' "$service" \
    | diff - "$out" >/dev/null || fail "list $address is not the service, health and reflection"
  "$grpcurl" -plaintext "$address" describe "$service" >"$out" 2>&1 || fail "describe $service"
  expect "$service is a service:"
  # With the protos' comments: the API is discovered from the running suite.
  expect "// ${service##*.}"
  local method
  for method in "$@"; do expect "rpc $method ("; done
  ok "$service at $address: list, describe ($(grep -c '^  rpc ' "$out") methods)"
  # A request message too: what a user reads before calling.
  "$grpcurl" -plaintext "$address" describe "${service%.*}.${1}Request" >"$out" 2>&1 \
    || fail "describe ${service%.*}.${1}Request"
  expect "message ${1}Request {"

  call "$address" grpc.health.v1.Health/Check '{}'
  expect '"status": "SERVING"'
  call "$address" grpc.health.v1.Health/Check "{\"service\":\"$service\"}"
  expect '"status": "SERVING"'
  ok "$service: grpc.health.v1 SERVING (server and service)"
}

check_service "$catalog" hitclock.catalog.v1.CatalogService \
  CreateArtist GetArtist ListArtists UpdateArtist DeleteArtist CreateTrack GetTrack \
  BatchGetTracks ListTracks UpdateTrack DeleteTrack CreateProduction GetProduction \
  ListProductions UpdateProduction DeleteProduction ResolveTracks ImportCatalog ListChanges
check_service "$records" hitclock.records.v1.RecordsService \
  AppendSnapshots GetSnapshot ListCharts GetTimeToThreshold GetTimeline ListLeaderboard \
  GetRecordLineage WatchRecordEvents
check_service "$ingest" hitclock.ingest.v1.IngestService \
  SubmitSnapshot StreamSnapshots ImportFeed GetSnapshot ListSnapshots ListUnresolved \
  RetryResolution ReforwardSnapshots ListFeedSources PollFeedSource GetForwarderStatus

# An unknown service name is NOT_FOUND (grpc.health.v1 says so).
call_error "$records" grpc.health.v1.Health/Check '{"service":"no.such.Service"}'
expect "Code: NotFound"
ok "health of an unknown service: NotFound"
