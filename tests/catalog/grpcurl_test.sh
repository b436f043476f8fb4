#!/usr/bin/env bash
# The catalog binary driven by the real grpcurl, as the README shows it:
# reflection (list, describe), health, auth, the demo catalog, the seed
# credit strings, a bad request, and a clean SIGTERM stop.
# Usage: grpcurl_test.sh CATALOG_BINARY SOURCE_DIR
set -euo pipefail
binary=$1
src=$2

grpcurl=$(command -v grpcurl || true)
if [[ -z "$grpcurl" ]]; then
  gopath=$(go env GOPATH 2>/dev/null || echo "$HOME/go")
  grpcurl="$gopath/bin/grpcurl"
fi
[[ -x "$grpcurl" ]] || { echo "grpcurl not found: run scripts/install-deps" >&2; exit 1; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
addr=127.0.0.1:$port
"$binary" --listen "$addr" --data-dir "$work/data" --auth-token t0ken >"$work/log" 2>&1 &
pid=$!
cleanup() { kill -9 "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 100); do "$binary" --probe="$addr" && break; sleep 0.1; done
"$binary" --probe="$addr" || { cat "$work/log"; exit 1; }

fail() { echo "FAIL: $*" >&2; cat "$work/out" >&2 || true; exit 1; }
expect() {  # expect WORD: the last output contains WORD
  grep -qF -- "$1" "$work/out" || fail "expected '$1'"
}
g() { "$grpcurl" -plaintext "$@" >"$work/out" 2>&1 || true; }

g "$addr" list
expect hitclock.catalog.v1.CatalogService
expect grpc.health.v1.Health
expect grpc.reflection.v1alpha.ServerReflection

g "$addr" describe hitclock.catalog.v1.CatalogService.ResolveTracks
expect "rpc ResolveTracks"
# The protos' comments come back too: the API is discovered from the server.
expect "// Resolves"
g "$addr" describe hitclock.catalog.v1.Track
expect "release_time"

g -d '{"service":"hitclock.catalog.v1.CatalogService"}' "$addr" grpc.health.v1.Health/Check
expect SERVING

g -d @ "$addr" hitclock.catalog.v1.CatalogService/ImportCatalog <"$src/demo/catalog.json"
expect "Code: Unauthenticated"

g -H "authorization: Bearer t0ken" -d @ "$addr" hitclock.catalog.v1.CatalogService/ImportCatalog <"$src/demo/catalog.json"
expect '"created": 6'

g -d '{"entries":[
  {"title":"With You","artistCredit":"HA SUNG WOON & Jimin","provider":"itunes"},
  {"title":"With You","artistCredit":"Jimin & Ha Sung Woon","provider":"itunes"},
  {"title":"With You","artistCredit":"Jimin, Ha Sungwoon","provider":"itunes"},
  {"title":"Yours","artistCredit":"Jin","provider":"itunes"},
  {"title":"Yours","artistCredit":"Kim Seok-jin","provider":"itunes"},
  {"title":"Butter","artistCredit":"BTS","provider":"itunes"}]}' \
  "$addr" hitclock.catalog.v1.CatalogService/ResolveTracks
[[ $(grep -c '"track_id": "with-you"' "$work/out") == 3 ]] || fail "With You x3"
[[ $(grep -c '"track_id": "yours"' "$work/out") == 2 ]] || fail "Yours x2"
[[ $(grep -c '"track_id"' "$work/out") == 5 ]] || fail "Butter must stay unresolved"

g -H "authorization: Bearer t0ken" -d '{"artist":{"name":"","kind":"ARTIST_KIND_SOLO"}}' \
  "$addr" hitclock.catalog.v1.CatalogService/CreateArtist
expect "Code: InvalidArgument"
expect "artist.name"

g -d '{"id":"nobody"}' "$addr" hitclock.catalog.v1.CatalogService/GetArtist
expect "Code: NotFound"

kill -TERM "$pid"
wait "$pid" || fail "exit code $? after SIGTERM"
echo "grpcurl_test: OK"
