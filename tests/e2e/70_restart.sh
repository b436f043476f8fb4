#!/usr/bin/env bash
# `down` (without -v) then `up`: the named volumes keep every store. Same
# counts in ingest and records, the demo loader's second run changes
# nothing, and every SEED-FACTS answer is still right.
source "$(dirname "$0")/lib.sh"

wait_forwarded 300
forwarder_status
before_forwarded=$(json 'int(r.get("forwarded_snapshot_count", 0))')
read -r before_snaps before_obs < <(chart_counts)
call "$catalog" hitclock.catalog.v1.CatalogService/ListTracks '{"pageSize":1000}'
before_tracks=$(json 'len(r.get("tracks", []))')

dc down >"$out" 2>&1 || fail "down"
[[ -z $(dc ps -q 2>/dev/null) ]] || fail "containers left after down"
for v in catalog-data records-data ingest-data; do
  docker volume inspect "${COMPOSE_PROJECT_NAME}_$v" >/dev/null 2>&1 || fail "volume $v is gone after down"
done
ok "down: containers removed, the three volumes kept"

dc up -d --no-build >"$out" 2>&1 || fail "up"
for s in catalog records ingest; do wait_healthy "$s" 180; done
wait_demo 600
docker logs "$(demo_container)" >"$out" 2>&1
ok "up: healthy, the demo loader ran again: $(grep -i 'snapshots' "$out" | tail -1)"

wait_forwarded 300
forwarder_status
[[ $(json 'int(r.get("forwarded_snapshot_count", 0))') == "$before_forwarded" ]] \
  || fail "ingest forwarded $(json 'r.get("forwarded_snapshot_count")'), $before_forwarded before"
read -r snaps obs < <(chart_counts)
[[ "$snaps $obs" == "$before_snaps $before_obs" ]] \
  || fail "records holds $snaps / $obs, $before_snaps / $before_obs before"
call "$catalog" hitclock.catalog.v1.CatalogService/ListTracks '{"pageSize":1000}'
[[ $(json 'len(r.get("tracks", []))') == "$before_tracks" ]] || fail "catalog tracks changed"
ok "same data: ingest forwarded $before_forwarded; records $snaps snapshots / $obs observations; catalog $before_tracks tracks"

seed_facts
