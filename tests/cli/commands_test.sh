#!/usr/bin/env bash
# Every `hitclock` command against the three real service binaries on free
# ports: the demo catalog loaded with `hitclock catalog import`, the demo
# snapshots (hitclock-sim demo) pushed with `hitclock import` while two
# `hitclock watch` processes listen, then every question asked in text, JSON
# and CSV and the SEED-FACTS answers checked; plus the catalog commands,
# feed files, ambiguous and unknown tracks, an unreachable server, --help,
# completion and the SVG plot (rendered to PNG when rsvg-convert exists).
# Usage: commands_test.sh HITCLOCK CATALOG RECORDS INGEST SIM SOURCE_DIR
set -euo pipefail
hc=$1 catalog_bin=$2 records_bin=$3 ingest_bin=$4 sim_bin=$5 src=$6

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cat_addr=127.0.0.1:$(free_port)
rec_addr=127.0.0.1:$(free_port)
ing_addr=127.0.0.1:$(free_port)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- stdout" >&2; cat "$work/out" >&2 2>/dev/null || true
  echo "--- stderr" >&2; cat "$work/err" >&2 2>/dev/null || true
  exit 1
}

# The environment must not leak in from the caller.
unset HITCLOCK_SERVER HITCLOCK_OUTPUT HITCLOCK_TIMEOUT HITCLOCK_TLS HITCLOCK_TLS_CA HITCLOCK_TLS_SERVER_NAME

"$catalog_bin" --listen "$cat_addr" --data-dir "$work/catalog" --auth-token t0ken >"$work/catalog.log" 2>&1 &
pids+=($!)
"$records_bin" --listen "$rec_addr" --data-dir "$work/records" --auth-token t0ken \
  --catalog-address "$cat_addr" >"$work/records.log" 2>&1 &
pids+=($!)
"$ingest_bin" --listen "$ing_addr" --data-dir "$work/ingest" --auth-token t0ken \
  --catalog-address "$cat_addr" --records-address "$rec_addr" --peer-token t0ken \
  --forward-max-backoff 1 >"$work/ingest.log" 2>&1 &
pids+=($!)
disown -a  # no "Killed" lines when the cleanup ends them
for b in "$catalog_bin:$cat_addr" "$records_bin:$rec_addr" "$ingest_bin:$ing_addr"; do
  for _ in $(seq 100); do "${b%%:*}" --probe="${b#*:}" >/dev/null 2>&1 && break; sleep 0.1; done
  "${b%%:*}" --probe="${b#*:}" >/dev/null || { cat "$work"/*.log; fail "not serving: $b"; }
done

export HITCLOCK_CATALOG_ADDRESS=$cat_addr HITCLOCK_RECORDS_ADDRESS=$rec_addr \
  HITCLOCK_INGEST_ADDRESS=$ing_addr HITCLOCK_AUTH_TOKEN=t0ken

# run CODE ARGS...: runs hitclock, expects exit CODE.
run() {
  local want=$1; shift
  local code=0
  "$hc" "$@" >"$work/out" 2>"$work/err" || code=$?
  [[ $code == "$want" ]] || fail "hitclock $* exited $code, expected $want"
}
has() { grep -qF -- "$1" "$work/out" || fail "stdout lacks '$1'"; }
err_has() { grep -qF -- "$1" "$work/err" || fail "stderr lacks '$1'"; }
# py 'EXPR-using-doc': evaluates a Python assertion on the JSON in out.
py() {
  python3 - "$work/out" "$1" <<'PY' || fail "json check: $1"
import json, sys
doc = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2])
if not ok:
    print("false:", sys.argv[2], file=sys.stderr)
    sys.exit(1)
PY
}
# csvpy 'EXPR-using-rows': rows = list of dicts from the CSV in out.
csvpy() {
  python3 - "$work/out" "$1" <<'PY' || fail "csv check: $1"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
ok = eval(sys.argv[2])
if not ok:
    print("false:", sys.argv[2], rows[:3], file=sys.stderr)
    sys.exit(1)
PY
}

# --- help, completion, usage errors -------------------------------------
run 0 --help
has "--server"; has "HITCLOCK_SERVER"; has "Examples:"; has "leaderboard"
for cmd in "catalog" "catalog artist add" "catalog artist list" "catalog artist show" \
  "catalog track add" "catalog track list" "catalog track show" "catalog production add" \
  "catalog production list" "catalog production show" "catalog import" "catalog resolve" \
  "import" "ttt" "leaderboard" "lineage" "watch" "plot" "completion"; do
  # shellcheck disable=SC2086
  run 0 $cmd --help
  has "Examples:"
done
run 0 completion bash
has "complete -F _hitclock hitclock"; has "leaderboard"; has "--category"; has "catalog artist"
bash -n "$work/out" || fail "completion bash: not valid bash"
cp "$work/out" "$work/completion.bash"
words=$(bash -c 'source "$1"; COMP_WORDS=(hitclock catalog artist ""); COMP_CWORD=3; _hitclock; echo "${COMPREPLY[*]}"' _ "$work/completion.bash")
[[ " $words " == *" add "* && " $words " == *" list "* && " $words " == *" show "* ]] || fail "completion of 'catalog artist': $words"
words=$(bash -c 'source "$1"; COMP_WORDS=(hitclock --output js); COMP_CWORD=2; _hitclock; echo "${COMPREPLY[*]}"' _ "$work/completion.bash")
[[ $words == json ]] || fail "completion of --output js: $words"
words=$(bash -c 'source "$1"; COMP_WORDS=(hitclock leaderboard f); COMP_CWORD=2; _hitclock; echo "${COMPREPLY[*]}"' _ "$work/completion.bash")
[[ $words == fastest ]] || fail "completion of leaderboard f: $words"
run 0 completion zsh
has "#compdef hitclock"; has "compdef _hitclock hitclock"; has "lineage"
if command -v zsh >/dev/null; then zsh -n "$work/out" || fail "completion zsh: not valid zsh"; fi
run 2 completion fish
run 2 leaderboard fastest --output yaml
run 2 --server 127.0.0.1:5 leaderboard fastest
run 2 leaderboard total --regions 100
err_has "--regions applies to fastest only"
run 2 leaderboard fastest --category ost,single
err_has "both set the track kind"

# --- unreachable -----------------------------------------------------------
dead=127.0.0.1:$(free_port)
run 1 --catalog "$dead" --records "$dead" --timeout 3 leaderboard fastest
err_has "hitclock: records ($dead): UNAVAILABLE"
err_has "docker compose up"
# --server names the host of all three, at the default ports; a per-service
# address wins.
(unset HITCLOCK_CATALOG_ADDRESS
 run 1 --server 127.0.0.9 --timeout 2 --records "$dead" catalog artist list
 err_has "catalog (127.0.0.9:50051): UNAVAILABLE") || exit 1

# --- TLS: a catalog serving TLS with a self-signed certificate --------------
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 1 -subj /CN=hitclock-test -addext subjectAltName=DNS:hitclock-test >/dev/null 2>&1 \
    || fail "openssl"
  tls_addr=127.0.0.1:$(free_port)
  "$catalog_bin" --listen "$tls_addr" --data-dir "$work/catalog-tls" --tls-cert "$work/cert.pem" \
    --tls-key "$work/key.pem" >"$work/catalog-tls.log" 2>&1 &
  pids+=($!)
  disown -a
  for _ in $(seq 100); do
    "$hc" --catalog "$tls_addr" --tls --tls-ca "$work/cert.pem" --tls-server-name hitclock-test \
      --timeout 2 catalog artist list >/dev/null 2>&1 && break
    sleep 0.1
  done
  run 0 --catalog "$tls_addr" --tls --tls-ca "$work/cert.pem" --tls-server-name hitclock-test \
    --output json catalog artist list
  py 'doc == []'
  # Not trusted without the CA; plaintext to a TLS port fails too.
  run 1 --catalog "$tls_addr" --tls --tls-server-name hitclock-test --timeout 3 catalog artist list
  err_has "UNAVAILABLE"
  run 1 --catalog "$tls_addr" --timeout 3 catalog artist list
  run 2 --catalog "$tls_addr" --tls --tls-ca "$work/missing.pem" catalog artist list
  err_has "--tls-ca: cannot read"
fi

# --- catalog import and commands -----------------------------------------
"$sim_bin" demo --out "$work/demo" >/dev/null 2>&1 || fail "hitclock-sim demo"
run 0 catalog import "$src/demo/catalog.json" "$work/demo/demo-catalog-extra.json"
has "tracks 4 created"
run 0 --output json catalog import "$src/demo/catalog.json"
py 'doc[0]["tracks_created"] == 0 and doc[0]["tracks_unchanged"] == 4 and doc[0]["artists_unchanged"] == 6'
run 1 --records "$dead" --timeout 2 ttt dynamite
err_has "records ($dead)"
HITCLOCK_AUTH_TOKEN= run 1 catalog artist add "Someone" --kind solo
err_has "UNAUTHENTICATED"; err_has "--token"

run 0 catalog artist list
has "ha-sung-woon"; has "Ha Sung-woon"; has "HA SUNG WOON"
run 0 catalog artist list --group bts --output csv
csvpy 'sorted(r["id"] for r in rows) == ["jimin", "jin", "v"]'
run 0 catalog artist show "HA SUNG WOON"
has "ha-sung-woon"; has "wanna-one"
run 0 --output json catalog artist show jimin
py 'doc["id"] == "jimin" and doc["kind"] == "ARTIST_KIND_SOLO" and doc["origin_country"] == "KR"'
run 1 catalog artist show nobody-at-all
err_has "NOT_FOUND"
run 0 catalog track list --kind ost --output json
py 'sorted(t["id"] for t in doc) == ["christmas-tree", "with-you", "yours"]'
run 0 catalog track list --artist jimin --group-tracks
has "with-you"; has "dynamite"; has "Ha Sung-woon & Jimin"
run 0 catalog track show "With You"
has "2022-04-24T15:00:00Z"; has "our-blues"
run 0 catalog production list
has "our-blues"; has "tvN"
run 0 catalog production show jirisan --output csv
csvpy 'rows[0]["id"] == "jirisan" and rows[0]["kind"] == "drama"'
run 0 catalog resolve "HA SUNG WOON & Jimin" "With You"
has "ha-sung-woon"; has "jimin"; has "with-you"; has "title and artists"
run 0 --output json catalog resolve "Someone Unknown" "Mystery"
py 'doc["names"][0]["artist_ids"] == [] and doc["resolution"].get("track_id", "") == ""'

# --- import while two watchers listen --------------------------------------
"$hc" --output json watch --metric fastest --regions 100 >"$work/events.json" 2>"$work/watch.err" &
watch_json=$!
pids+=($watch_json)
"$hc" watch --metric fastest >"$work/events.txt" 2>"$work/watch_text.err" &
watch_text=$!
pids+=($watch_text)
for _ in $(seq 50); do
  grep -q "watching" "$work/watch_text.err" 2>/dev/null && break; sleep 0.1
done
sleep 0.5
run 0 import "$work/demo/demo-snapshots.jsonl"
snapshots=$(grep -c . "$work/demo/demo-snapshots.jsonl")
has "imported $snapshots snapshots: $snapshots accepted, 0 duplicate, 0 replaced, 0 rejected"
has "every entry resolved"
[[ $(grep -c '^import: .* snapshots, .* entries/s, ETA' "$work/err") -ge 3 ]] || fail "no plain progress lines"
run 0 --output json import "$work/demo/demo-snapshots.jsonl"
py "doc['duplicate'] == $snapshots and doc['accepted'] == 0 and doc['rejected'] == 0"

# Ctrl-C ends a watch cleanly.
sleep 0.5
kill -INT "$watch_json" "$watch_text"
wait "$watch_json" || fail "watch --output json exited $? on SIGINT"
wait "$watch_text" || fail "watch exited $? on SIGINT"
python3 - "$work/events.json" <<'PY' || fail "no JSON event: With You beating Dynamite"
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
assert events, "no events"
assert any(e["metric"] == "fastest" and e["regions"] == 100 and e["category"] == "all tracks"
           and e["track_id"] == "with-you" and e["previous_track_id"] == "dynamite"
           and e["seconds"] == 17040 for e in events), events
PY
grep -q "RECORD fastest to #1 in 100 countries · itunes/top-songs · all tracks: With You (.*) 4h 44m 0s, beating Dynamite (BTS) 7h 58m 0s" \
  "$work/events.txt" || { cat "$work/events.txt" >&2; fail "no text event line"; }

# --- ttt ----------------------------------------------------------------------
run 0 ttt "With You" --position 1 --regions 100
has "#1 in 100 countries on itunes/top-songs: 4h 44m 0s (17040 s)"
has "completing region"; has "bounds"; has "(release)"
run 0 ttt Dynamite --regions 100
has "7h 58m 0s (28680 s)"
run 0 ttt "Jimin - With You" --regions 100
has "4h 44m 0s"
run 0 ttt "with you" --artist "HA SUNG WOON" --regions 100
has "4h 44m 0s"
run 0 ttt with-you --regions 100 --crossings
for cc in us es gb jp sg tw; do grep -qE "^ *[0-9]+ +$cc " "$work/out" || fail "crossing $cc"; done
run 0 --output json ttt "With You" --regions 100
py 'doc["reached"] and doc["seconds"] == 17040 and doc["duration"] == "4h 44m 0s" and doc["track"]["track_id"] == "with-you" and len(doc["crossings"]) >= 100 and doc["bounds_end"] == doc["reach_time"] and doc["completing_region"] == doc["crossings"][99]["region"]'
python3 -m json.tool "$work/out" >/dev/null || fail "json.tool"
HITCLOCK_OUTPUT=csv run 0 ttt dynamite --regions 100
csvpy 'len(rows) == 1 and rows[0]["seconds"] == "28680" and rows[0]["reached"] == "true"'
run 0 --output csv ttt with-you --regions 100 --crossings
csvpy 'len(rows) >= 100 and {"us","es","gb","jp","sg","tw"} <= {r["region"] for r in rows[:100]}'
run 0 ttt Yours --regions 100
has "not reached: 82 of 100 regions so far"
run 0 ttt yours --regions 82 --from 2021-11-07T09:00:00Z --output json
py 'doc["reached"] and doc["reference_time"] == "2021-11-07T09:00:00Z"'
run 1 ttt "No Such Song Anywhere"
err_has 'no catalog track matches "No Such Song Anywhere"'
run 2 ttt dynamite --from yesterday

# --- leaderboard, lineage ---------------------------------------------------
run 0 leaderboard fastest --regions 100
python3 - "$work/out" <<'PY' || fail "leaderboard table"
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].startswith("fastest to #1 in 100 countries"), lines[0]
header = lines[1].split()
assert header[:2] == ["RANK", "TRACK"], header
assert lines[2].split()[0] == "1" and "With You" in lines[2] and "4h 44m 0s" in lines[2], lines[2]
assert "Dynamite" in lines[3] and "7h 58m 0s" in lines[3], lines[3]
# aligned: the value column starts at the same place on every row
col = lines[1].index("TIME")
assert all(l[col - 1] == " " for l in lines[2:4]), lines
PY
run 0 --output json leaderboard fastest --regions 100 --category ost
py 'doc["rows"][0]["track_id"] == "with-you" and doc["rows"][0]["seconds"] == 17040 and doc["record"]["category"] == "ost"'
run 0 --output json leaderboard fastest --regions 100 --category soloist --category country=KR
py 'doc["rows"][0]["track_id"] == "with-you"'
run 0 --output csv leaderboard total --category solo,country=KR,year=2021
csvpy 'rows[0]["track_id"] == "yours" and rows[0]["value"] == "82" and rows[0]["rank"] == "1"'
run 0 leaderboard fastest --regions 10 --limit 2
has "next page: --page-token"
token=$(sed -n 's/.*--page-token \([^ ]*\) .*/\1/p' "$work/out")
run 0 --output json leaderboard fastest --regions 10 --limit 2 --page-token "$token"
py 'doc["rows"][0]["rank"] == 3'
run 0 --output json leaderboard fastest --regions 10 --all --limit 2
py 'len(doc["rows"]) == doc["total_size"] and doc["next_page_token"] == ""'
run 1 leaderboard fastest --chart nope/none
err_has "records ($rec_addr)"
run 0 lineage --metric fastest --regions 100 --position 1
python3 - "$work/out" <<'PY' || fail "lineage order"
import sys
text = open(sys.argv[1]).read()
assert text.index("Dynamite") < text.index("With You"), text
PY
run 0 --output json lineage --regions 100
py '[h["track_id"] for h in doc["holders"]][-2:] == ["dynamite", "with-you"]'

# --- feed files -------------------------------------------------------------
printf 'position,title,artist,provider_track_id\n1,With You,"HA SUNG WOON & Jimin",900000101\n2,"Dynamite",BTS,900000201\n3,Unknown Tune,Nobody Known,\n' >"$work/chart.csv"
run 2 import "$work/chart.csv"
err_has "--region"
run 0 --output json import "$work/chart.csv" --region us --capture-time 2022-05-01T00:00:00Z
py 'doc["accepted"] == 1 and doc["entries"] == 3 and doc["unresolved_entries"] == 1'
feeds=$src/../shared/feeds
if [[ -f $feeds/v2_applemarketingtools_most-played_songs_us_limit20_2022-05-11.json ]]; then
  mkdir -p "$work/feeds"
  cp "$feeds/v2_applemarketingtools_most-played_songs_us_limit20_2022-05-11.json" "$work/feeds/"
  cp "$work/chart.csv" "$work/feeds/"
  run 0 import --dir "$work/feeds" --region us --capture-time 2022-05-11T21:44:11Z --no-wait
  has "imported 2 snapshots: 2 accepted"
fi
echo '{"snapshot": {"chart": {"provider": "itunes", "list": "top-songs"}, "region": {"code": "zz"}, "captureTime": "2022-05-01T00:00:00Z", "entries": [{"position": 1, "entry": {"title": "X", "artistCredit": "Y"}}]}}' >"$work/bad.jsonl"
run 1 import "$work/bad.jsonl"
err_has "rejected: $work/bad.jsonl:1: snapshot.region"
echo 'not json' >"$work/broken.jsonl"
run 2 import "$work/broken.jsonl"
err_has "broken.jsonl:1: not a snapshot line"

# --- ambiguity ----------------------------------------------------------------
run 0 catalog artist add "Test Singer" --kind solo --origin GB
run 0 catalog track add "With You" --id with-you-too --artist test-singer --release 2023-01-01T00:00:00Z
has "with-you-too"
run 2 ttt "With You" --regions 100
err_has '"With You" matches 2 tracks'
err_has "with-you-too"; err_has "Test Singer"; err_has "Ha Sung-woon & Jimin"; err_has "2022-04-24T15:00:00Z"
run 0 ttt "With You" --artist Jimin --regions 100
has "4h 44m 0s"

# --- plot -----------------------------------------------------------------------
run 0 plot "Jimin - With You" Dynamite --position 1 --regions 100 -o "$work/race.svg"
has "wrote $work/race.svg"; has "With You: 4h 44m 0s"
python3 - "$work/race.svg" <<'PY' || fail "SVG does not parse"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
text = open(sys.argv[1]).read()
assert "With You" in text and "Dynamite" in text
PY
if command -v rsvg-convert >/dev/null; then
  rsvg-convert "$work/race.svg" -o "$work/race.png" || fail "rsvg-convert"
  python3 - "$work/race.png" <<'PY' || fail "PNG"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (960, 540), (w, h)
PY
fi
run 0 --output json plot with-you dynamite --regions 100 -o "$work/race2.svg"
py 'abs(doc["series"][0]["crossing_hours"] - 17040/3600) < 1e-9 and abs(doc["series"][1]["crossing_hours"] - 28680/3600) < 1e-9 and doc["threshold"] == 100 and max(p["count"] for p in doc["series"][0]["points"]) >= 100'
run 0 --output csv plot with-you --regions 100 -o -
grep -q "<svg" "$work/out" || fail "plot -o - writes the SVG"

# --- a watch ends cleanly when records shuts down ------------------------------
"$hc" watch >"$work/events_end.txt" 2>"$work/watch_end.err" &
watch_end=$!
pids+=($watch_end)
for _ in $(seq 50); do
  grep -q "watching" "$work/watch_end.err" 2>/dev/null && break; sleep 0.1
done
kill -TERM "${pids[1]}"  # records
wait "$watch_end" || { cat "$work/watch_end.err" >&2; fail "watch exited $? when records shut down"; }
grep -q "ended the watch" "$work/watch_end.err" || { cat "$work/watch_end.err" >&2; fail "no end note"; }

echo "cli commands_test: OK"
