// The demo scenario: the deterministic snapshot stream and catalog behind
// `docker compose up` and the SEED-FACTS figures (With You, Dynamite, …).
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_DEMO_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_DEMO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/records/sim/snapshot.h"

namespace hitclock::records::sim {

// The demo scenario: the `itunes/top-songs` snapshots that reproduce every
// chart figure of SEED-FACTS.md when pushed through ingest into records,
// with a few fictional tracks around them so the leaderboards have rivals.
//
// Eight release episodes, each a window of captures of the 119 song-chart
// storefronts plus the aggregates `ww` and `eu`, top 10, each region polled
// every 5 minutes at its own phase:
//
//   track              release (UTC)          #1 countries
//   velvet-skyline *   2019-11-08T05:00:00Z   100th after ~15h10m, 103 total
//   dynamite           2020-08-21T04:00:00Z   100th at exactly +7h58m
//   paper-lanterns *   2021-03-12T09:00:00Z   57 total (KR solo track)
//   starlight-parade * 2021-06-04T04:00:00Z   100th after ~11h20m, 101 total
//   two-moons *        2021-08-20T09:00:00Z   88 total (duet of two KR
//   soloists) glass-orbit *      2021-09-03T09:00:00Z   64 total (KR solo,
//   featuring) yours              2021-11-07T09:00:00Z   82 total with-you
//   2022-04-24T15:00:00Z   100th at exactly +4h44m, 117 total
//   (* fictional; in the companion catalog)
//
// With You's 100th country is `pe`, captured at 2022-04-24T19:44:00Z with
// its previous capture at 19:39:00Z; `us`, `es`, `gb`, `jp`, `sg`, `tw` are
// among the first 100; it is #1 on `ww` and `eu` before that. Dynamite's
// 100th country is `nl` at 2020-08-21T11:58:00Z. The background of each
// chart is 20 fictional filler songs released in 2019.

// The demo's chart length.
inline constexpr int kDemoChartSize = 10;

// How to produce the demo stream.
struct DemoOptions {
  // Record a poll as a snapshot only when the region's chart differs from
  // its previous snapshot (and always the first poll of an episode): a feed
  // that did not change is not a new snapshot. False records every poll
  // (about 30 times larger).
  bool only_changed = true;
  // The order of the callback calls.
  EmitOrder order = EmitOrder::kTime;
  // Seeds the permutation of `EmitOrder::kShuffled`.
  uint64_t order_seed = 0;
};

// Counts of what a run produced.
struct DemoStats {
  int64_t snapshots = 0;
  int64_t entries = 0;
};

// One store item the demo charts.
struct DemoItem {
  std::string track_id;
  std::string title;
  std::string artist_credit;
  std::string provider_track_id;
  // True for the tracks of `demo/catalog.json` (With You, Dynamite, Yours);
  // false for the fictional ones of `DemoCompanionCatalogJson()`.
  bool real = false;
};

// The items of the demo; `SimEntry::track_index` indexes this table.
const std::vector<DemoItem>& DemoItems();

// Generates the demo stream, deterministically (no seed: it is always the
// same stream).
DemoStats GenerateDemo(const DemoOptions& options,
                       const SnapshotCallback& callback);

// The companion catalog: an `ImportCatalogRequest` in proto3 JSON, the shape
// of `demo/catalog.json`, with every fictional artist and track the demo
// stream charts (and none of the real ones, which `demo/catalog.json` has).
std::string DemoCompanionCatalogJson();

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_DEMO_H_
