// The chart generator: synthetic world-iTunes snapshot streams (regions,
// tracks rising and falling, capture jitter) for tests and benchmarks,
// deterministic for a seed.
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_GENERATOR_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/records/sim/snapshot.h"

namespace hitclock::records::sim {

// 2022-01-01T00:00:00Z, the default start of a generated stream.
inline constexpr int64_t kDefaultStartMicros = 1'640'995'200'000'000;

// What to generate. The defaults are "full scale": the 119 iTunes song-chart
// storefronts, top 100, a capture every 5 minutes, 30 days, 3,000 tracks.
struct GeneratorOptions {
  // Everything random derives from this: the same options give the same
  // stream, byte for byte.
  uint64_t seed = 1;
  // The chart written into every snapshot.
  std::string chart = "itunes/top-songs";
  // Region codes; empty means `ItunesSongChartRegions()`.
  std::vector<std::string> regions;
  // Adds the aggregates `ww` and `eu` (charts of worldwide and European
  // taste) after the regions.
  bool include_aggregates = false;
  // Entries per snapshot (K). Each snapshot has min(K, tracks charting in
  // the region) entries.
  int top_k = 100;
  // Time between two captures of one region. Each region has its own
  // phase within the interval (whole seconds), as independent pollers have.
  int64_t interval_micros = 300'000'000;
  // The first instant of the time range; captures fall in
  // [start, start + days).
  int64_t start_micros = kDefaultStartMicros;
  // Length of the time range.
  double days = 30;
  // Distinct tracks. Some are released before `start` (carried over from
  // earlier charts), the rest during the range; hits chart almost
  // everywhere, most tracks only in their home market.
  int track_count = 3000;
  // Share of the tracks released in the 60 days before `start`.
  double carryover_fraction = 0.3;
  // The order of the callback calls.
  EmitOrder order = EmitOrder::kTime;
  // Seeds the permutation of `EmitOrder::kShuffled`.
  uint64_t order_seed = 0;
};

// A generated track and the parameters that shape its chart life.
struct SimTrack {
  // `sim-t000042`.
  std::string id;
  std::string title;
  std::string artist_credit;
  // `8` followed by 8 digits; unique per track.
  std::string provider_track_id;
  // The credited artists' ids, in credit order (`sim-a0007`).
  std::vector<std::string> artist_ids;
  int64_t release_micros = 0;
  // Log-scale popularity, about standard normal; hits are the upper tail.
  double popularity = 0;
  // The market (a group of regions) where the track charts first and most.
  int home_market = 0;
  // Days for its score to fall by a factor e.
  double decay_days = 0;
  // A later revival (a re-release, a TV moment): its instant, or 0 for none.
  int64_t revival_micros = 0;
};

// A generated artist.
struct SimArtist {
  std::string id;
  std::string name;
  bool group = false;
  // ISO 3166-1 alpha-2, upper case.
  std::string origin_country;
};

// Counts of what a run produced.
struct GenerateStats {
  int64_t snapshots = 0;
  int64_t entries = 0;
  // Tracks that appeared in at least one snapshot.
  int distinct_tracks = 0;
};

// A deterministic generator of realistic chart snapshot streams: releases
// diffuse across regions with per-region delays (hits reach most regions
// within hours, local songs stay home), scores decay exponentially, a
// noise term churns the lower positions capture by capture, revivals bring
// tracks back (re-entries), and old tracks drop out.
//
// The model, per track i and region r: a chart score
//   c(i,r) - age / decay_days(i) + noise(i, r, capture)
// where c = popularity + regional affinity and age runs from the track's
// arrival in r (release + a random delay). Each capture ranks the tracks
// present in the region by score and keeps the top K.
class Generator {
 public:
  explicit Generator(GeneratorOptions options);

  const GeneratorOptions& options() const { return options_; }
  // Regions in output order of their phase, aggregates included.
  const std::vector<std::string>& regions() const { return regions_; }
  const std::vector<SimTrack>& tracks() const { return tracks_; }
  const std::vector<SimArtist>& artists() const { return artists_; }
  // The phase of region `index` of `regions()`: its captures fall at
  // start + phase + k * interval.
  int64_t phase_micros(int index) const { return phases_[index]; }

  // Generates the whole stream, calling `callback` once per snapshot in the
  // configured order. With `EmitOrder::kTime` the stream is produced
  // incrementally in constant memory; the other orders buffer every
  // snapshot first. Repeatable: every call produces the same stream.
  GenerateStats Run(const SnapshotCallback& callback) const;

  // A `hitclock.catalog.v1.ImportCatalogRequest` in proto3 JSON with every
  // generated artist and track (release instants, provider ids), so a loader
  // can make the generated stream resolvable.
  std::string CatalogJson() const;

 private:
  GenerateStats RunInTimeOrder(const SnapshotCallback& callback) const;

  GeneratorOptions options_;
  std::vector<std::string> regions_;
  std::vector<int> markets_;  // per region; -1 for an aggregate
  std::vector<int64_t> phases_;
  std::vector<SimTrack> tracks_;
  std::vector<SimArtist> artists_;
};

// Emits `snapshots` to `callback` in `order` (they must be in capture-time
// order already). Used by the generators for the non-time orders.
void EmitInOrder(std::vector<SimSnapshot>& snapshots, EmitOrder order,
                 uint64_t order_seed, const SnapshotCallback& callback);

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_GENERATOR_H_
