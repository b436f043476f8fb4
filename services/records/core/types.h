// The plain structs the records core takes and gives: snapshots, catalog
// facts, categories, thresholds, record keys and the answers to record
// questions. Words as in DOMAIN.md. Instants are microseconds since the Unix
// epoch (UTC); durations are microseconds.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_TYPES_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace hitclock::records::core {

// Microseconds since the Unix epoch (UTC), or a duration in microseconds.
using Micros = int64_t;

// The largest chart size (K) and position the core accepts.
inline constexpr int kMaxChartSize = 1000;

// The largest magnitude of an instant the core accepts (about 285 years
// either side of 1970).
inline constexpr Micros kMaxInstant = Micros{1} << 53;

// Whether a region is a country (a storefront) or an aggregate computed by
// trackers (`ww`, `eu`). Aggregates never count unless a question names
// them explicitly.
enum class RegionKind { kCountry, kAggregate };

// What one region's capture must show for the region to count: "position
// <= P" today; "count >= V" (views, streams) is reserved for counter charts
// and answered with `Unimplemented` until they exist.
class Threshold {
 public:
  enum class Kind { kPosition, kCount };

  // Position <= `max_position` (P >= 1).
  static Threshold Position(int max_position) {
    return Threshold(Kind::kPosition, max_position);
  }
  // Count >= `min_count` (V >= 1). Reserved.
  static Threshold Count(int64_t min_count) {
    return Threshold(Kind::kCount, min_count);
  }

  // Position <= 1.
  Threshold() = default;

  Kind kind() const { return kind_; }
  // P for a position threshold, V for a count threshold.
  int64_t value() const { return value_; }

  // Whether an observed position (0 = absent from the chart) is within a
  // position threshold.
  bool AdmitsPosition(int position) const {
    return kind_ == Kind::kPosition && position != 0 && position <= value_;
  }

  friend bool operator==(const Threshold&, const Threshold&) = default;

 private:
  Threshold(Kind kind, int64_t value) : kind_(kind), value_(value) {}

  Kind kind_ = Kind::kPosition;
  int64_t value_ = 1;
};

// One resolved line of a snapshot. Several entries may name one track (its
// versions); the best-placed counts.
struct SnapshotEntry {
  std::string track_id;
  // 1 to the snapshot's `chart_size`.
  int position = 0;
};

// The whole ranked list of one chart in one region at one capture instant,
// resolved to tracks. Every track not listed was not in this chart at this
// capture (positions whose entry is unresolved are simply absent).
struct Snapshot {
  std::string chart;
  std::string region;
  Micros capture_time = 0;
  // K, 1 to `kMaxChartSize`.
  int chart_size = 0;
  std::vector<SnapshotEntry> entries;
};

// The identity of a snapshot.
struct SnapshotKey {
  std::string chart;
  std::string region;
  Micros capture_time = 0;
  friend bool operator==(const SnapshotKey&, const SnapshotKey&) = default;
};

// A track's kind, as the catalog gives it. `kUnspecified` counts as a
// single.
enum class TrackKind { kUnspecified, kSingle, kOst, kAlbumTrack };

// How an artist is credited on a track.
enum class CreditRole { kMain, kFeatured };

// Whether an artist is a soloist or a group.
enum class ArtistKind { kUnspecified, kSoloist, kGroup };

// One credited artist of a track, with the facts categories use.
struct CreditedArtist {
  std::string artist_id;
  CreditRole role = CreditRole::kMain;
  ArtistKind kind = ArtistKind::kUnspecified;
  // ISO 3166-1 alpha-2, any case (`KR`); empty when unknown.
  std::string origin_country;
};

// The catalog facts about a track that records depend on. They may change
// at any time (`RecordsEngine::SetTrackFacts`); every answer follows.
struct TrackFacts {
  // The release instant (UTC): the default reference instant. Unset when
  // the catalog does not know it: such a track is not ranked by FASTEST or
  // ALL_KILL and has no release year.
  std::optional<Micros> release_time;
  TrackKind kind = TrackKind::kUnspecified;
  // In credit order.
  std::vector<CreditedArtist> artists;
};

// Who performs a track, as a category filter.
enum class Performer {
  kAny,
  // Exactly one main artist, a soloist; featured artists aside.
  kSoloTrack,
  // At least one credited artist (main or featured) is a soloist.
  kBySoloist,
  // At least one credited artist is a group.
  kByGroup,
};

// A set of tracks selected by catalog facts: the AND of the filters set.
// The default value selects every track the catalog knows.
struct Category {
  // `kUnspecified` means any kind; `kSingle` also selects tracks whose kind
  // is unset.
  TrackKind kind = TrackKind::kUnspecified;
  Performer performer = Performer::kAny;
  // ISO 3166-1 alpha-2, compared case-insensitively; empty means any. With
  // `performer` set, the same credited artist must satisfy both (the main
  // soloist of a solo track, a soloist, or a group).
  std::string origin_country;
  // The release year (UTC); 0 means any.
  int release_year = 0;

  friend bool operator==(const Category&, const Category&) = default;
  friend auto operator<=>(const Category& a, const Category& b) {
    return std::tie(a.kind, a.performer, a.origin_country, a.release_year) <=>
           std::tie(b.kind, b.performer, b.origin_country, b.release_year);
  }
  template <typename H>
  friend H AbslHashValue(H h, const Category& c) {
    return H::combine(std::move(h), c.kind, c.performer, c.origin_country,
                      c.release_year);
  }
};

// Which record a leaderboard or lineage is about.
enum class Metric {
  // Fastest to the threshold in N regions, from the release instant;
  // smaller is better. The value is a duration.
  kFastest,
  // Most distinct regions ever within the threshold; larger is better.
  kTotal,
  // Most regions within the threshold at once; larger is better.
  kPeak,
  // Fastest to be within the threshold in every country region of the
  // chart at once, from the release instant; smaller is better.
  kAllKill,
};

// Names one record. Regions are always the chart's country regions.
struct RecordKey {
  std::string chart;
  Metric metric = Metric::kFastest;
  Threshold threshold;
  // N, for kFastest (>= 1); ignored (use 0) for the other metrics.
  int min_regions = 0;
  Category category;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
};

// A span of time: (start, end]. The crossing happened after `start` and at
// or before `end`.
struct Interval {
  Micros start = 0;
  Micros end = 0;
  friend bool operator==(const Interval&, const Interval&) = default;
};

// The first capture of one region that showed a track within a threshold.
struct Crossing {
  std::string region;
  Micros capture_time = 0;
  // The region's capture before that one; unset when it was the first.
  std::optional<Micros> previous_capture_time;
  // The position shown at `capture_time`.
  int position = 0;
  // `capture_time` minus the reference instant (negative when the
  // reference is later).
  Micros elapsed = 0;
  friend bool operator==(const Crossing&, const Crossing&) = default;
};

// A time-to-threshold question.
struct TimeToThresholdQuery {
  std::string track_id;
  std::string chart;
  Threshold threshold;
  // N >= 1.
  int min_regions = 1;
  // Unset: the track's release instant from its facts.
  std::optional<Micros> reference_time;
  // The regions that count; empty means every country region of the chart.
  // Aggregates count only when named here.
  std::vector<std::string> regions;
  // False: `crossings` of the answer stays empty (everything else is set).
  bool with_crossings = true;
};

// The answer to a time-to-threshold question.
struct TimeToThresholdAnswer {
  bool reached = false;
  // When reached: `reach_time` minus `reference_time`.
  Micros time_to_threshold = 0;
  // When reached: the capture at which the N-th region crossed.
  Micros reach_time = 0;
  // When reached: the N-th region.
  std::string completing_region;
  // When reached: the completing region's previous capture (or, at its
  // first capture, the reference instant, or the capture itself when the
  // reference is later) to `reach_time`.
  Interval bounds;
  Micros reference_time = 0;
  // Distinct regions that crossed so far (at least N when reached).
  int region_count = 0;
  // Regions in the set used.
  int eligible_region_count = 0;
  // Every region's first crossing, earliest first, ties by region code;
  // empty when the query asked for none.
  std::vector<Crossing> crossings;
  // The latest capture of the chart in the set (0 when none).
  Micros as_of_time = 0;
  friend bool operator==(const TimeToThresholdAnswer&,
                         const TimeToThresholdAnswer&) = default;
};

// A timeline question.
struct TimelineQuery {
  std::string track_id;
  std::string chart;
  Threshold threshold;
  // Empty means every country region of the chart.
  std::vector<std::string> regions;
  // Unset: the track's first crossing.
  std::optional<Micros> start_time;
  // Unset: the latest capture of the chart in the set.
  std::optional<Micros> end_time;
};

// The counts from `time` until the next point.
struct TimelinePoint {
  Micros time = 0;
  // Distinct regions that crossed at or before `time`.
  int total = 0;
  // Regions whose latest capture at `time` shows the track within.
  int simultaneous = 0;
  friend bool operator==(const TimelinePoint&, const TimelinePoint&) = default;
};

// The answer to a timeline question.
struct TimelineAnswer {
  // Oldest first, one per instant a count changes, plus a point at the
  // window's start and one at its end. Empty when the track never crossed
  // and no start was given.
  std::vector<TimelinePoint> points;
  // The highest simultaneous count over the track's whole history.
  int peak_simultaneous = 0;
  // The first capture at which the peak was reached; unset when never.
  std::optional<Micros> peak_time;
  // The total at the end of the window.
  int total = 0;
  friend bool operator==(const TimelineAnswer&,
                         const TimelineAnswer&) = default;
};

// A track's totals for one chart and threshold over the country regions.
struct TrackTotals {
  // Distinct regions ever within.
  int total = 0;
  // The capture at which the last of them first crossed (0 when none).
  Micros total_reach_time = 0;
  // The most regions within at once.
  int peak = 0;
  // The first capture at which `peak` was reached (0 when none).
  Micros peak_time = 0;
  friend bool operator==(const TrackTotals&, const TrackTotals&) = default;
};

// A track holding (or ranked for) a record.
struct RecordHolder {
  std::string track_id;
  // A duration for kFastest and kAllKill, a region count otherwise.
  int64_t value = 0;
  // The capture at which the track reached `value`.
  Micros reach_time = 0;
  // The region whose capture at `reach_time` made the value.
  std::string reach_region;
  // That region's previous capture (or the release instant, or the capture
  // itself when the release is later or unknown) to `reach_time`.
  Interval bounds;
  // Its best value while it held the record (to date for the current
  // holder; at the moment it lost it otherwise). Equals `value` in a
  // leaderboard row.
  int64_t best_value = 0;
  friend bool operator==(const RecordHolder&, const RecordHolder&) = default;
};

// A ranked leaderboard: best first; ties by reach instant, then track id.
struct Leaderboard {
  std::vector<RecordHolder> rows;
  // The latest capture of the chart.
  Micros as_of_time = 0;
  friend bool operator==(const Leaderboard&, const Leaderboard&) = default;
};

// The holders of a record in the order they took it, earliest first; the
// last is the current holder.
struct Lineage {
  std::vector<RecordHolder> holders;
  // The latest capture of the chart.
  Micros as_of_time = 0;
  friend bool operator==(const Lineage&, const Lineage&) = default;
};

// A watched record taken from its holder (or set for the first time).
struct RecordEvent {
  RecordKey record;
  RecordHolder new_holder;
  // Unset when the record had no holder before. Its `best_value` is its
  // value when it lost the record.
  std::optional<RecordHolder> previous_holder;
  // The snapshot that made the event was captured before the latest
  // capture already held for the chart.
  bool backfilled = false;
  // The snapshot whose append made the event.
  SnapshotKey snapshot;
};

// What an append did.
enum class AppendOutcome {
  // A new snapshot.
  kAppended,
  // The same observations and chart size were held: nothing changed.
  kDuplicate,
  // Held with a subset of these observations (tracks resolved later): the
  // new tracks were added.
  kMerged,
  // Contradicting content replaced the held snapshot (`kReplace` given).
  kReplaced,
};

// What to do when a snapshot contradicts the held one of the same identity.
enum class ConflictPolicy { kReject, kReplace };

// The result of one append.
struct AppendResult {
  AppendOutcome outcome = AppendOutcome::kAppended;
  // Distinct tracks the snapshot now holds.
  int observation_count = 0;
  // Captured before the latest capture already held for the chart.
  bool backfilled = false;
  // The watched records this append changed, in lineage order per record.
  std::vector<RecordEvent> events;
};

// What the core holds of one chart.
struct ChartSummary {
  std::string chart;
  int region_count = 0;
  int country_region_count = 0;
  int64_t snapshot_count = 0;
  // One per distinct track per snapshot.
  int64_t observation_count = 0;
  // Position change points held: the size of the compact history (a
  // track's unchanged position across consecutive captures of a region
  // costs nothing; entering, moving and leaving cost one each).
  int64_t change_point_count = 0;
  Micros first_capture_time = 0;
  Micros last_capture_time = 0;
  friend bool operator==(const ChartSummary&, const ChartSummary&) = default;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_TYPES_H_
