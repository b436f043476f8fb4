// The records engine: the incremental time-to-threshold state of every
// chart, and the answers to record questions (time-to-threshold, timeline,
// totals, leaderboards, lineage) and the record-broken events of appends.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_RECORDS_ENGINE_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_RECORDS_ENGINE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// What the engine watches and how it classifies regions.
struct EngineOptions {
  // The N of the watched FASTEST records (any N can still be asked for).
  std::vector<int> milestones = {10, 25, 50, 75, 100, 110};
  // The P of the watched position thresholds. Their crossings, steps and
  // record lineages are kept up to date on every append (and only theirs
  // give record events). Other P are answered on demand: time-to-threshold
  // and fastest and total boards from each track's staircase array, peak
  // and all-kill boards from its peak levels, timelines and lineages from
  // the position histories (slowest: a lineage reads every candidate's
  // histories).
  std::vector<int> watched_positions = {1};
  // Regions that are aggregates from the start; `SetRegionKind` adds more.
  std::vector<std::string> aggregate_regions = {"ww", "eu"};
  // Whether `Append` detects record-broken events. Turn off for bulk loads
  // (a restart) and on again after (`SetRecordEvents`).
  bool record_events = true;
};

// The records engine.
//
// Answers are the same whatever order snapshots arrive in: every answer
// equals the answer for time-ordered arrival.
//
// Definitions and choices:
// - A region crosses a threshold at its first capture that shows the track
//   within it (the song's best-placed version counts). Crossings are taken
//   at their capture instant whatever the reference instant: a crossing
//   before the reference (a release instant that is wrong, or an early
//   release somewhere) counts, and its elapsed time, like a
//   time-to-threshold, is then negative. The data is never clamped to the
//   catalog: a negative duration at the top of a FASTEST leaderboard shows
//   a release instant to correct.
// - Bounds: a crossing happened after the region's previous capture and at
//   or before the capture that shows it; at the region's first capture the
//   lower bound is the reference instant, or the capture itself when the
//   reference is later.
// - The default region set is the chart's country regions (every region
//   with a snapshot of the chart that is not an aggregate).
// - A track without facts (unknown to the catalog) is answered for by
//   time-to-threshold and timeline (given a reference instant) but left
//   out of leaderboards, lineages and events until its facts arrive.
//   FASTEST and ALL_KILL also leave out tracks without a release instant.
// - Release instants are never baked into stored state: durations are
//   computed from stored reach instants when asked, so a corrected release
//   instant changes every answer at once; the watched lineages that
//   depend on the track are recomputed by `SetTrackFacts` (without events:
//   events come from appends only).
// - Record events: after an append, every watched record whose lineage
//   gained a transition (previous holder or none -> new holder, at an
//   instant) yields one event for it; each transition is announced once per
//   record. A backfilled snapshot can insert a holder before later ones;
//   the events then also state the later transition (With You taking the
//   record from a Dynamite that just arrived), all marked `backfilled`.
//   Snapshots of several regions sharing one capture instant can make a
//   record change hands within that instant as they arrive one by one.
// - Watched records: (chart, metric, watched P, milestone N for FASTEST,
//   category) for every category in `WatchedCategories` of a track with
//   facts. Their lineages are kept incrementally: improvements later than
//   everything a record has seen are fed in O(1); an earlier one (backfill)
//   recomputes that record from the tracks that ever crossed P.
//
// Not thread-safe: callers serialize access (one writer or many readers).
class RecordsEngine {
 public:
  explicit RecordsEngine(EngineOptions options = {});
  ~RecordsEngine();

  RecordsEngine(const RecordsEngine&) = delete;
  RecordsEngine& operator=(const RecordsEngine&) = delete;

  // Declares a region's kind (regions are countries unless declared
  // aggregate). Changing the kind of a region already held rebuilds the
  // derived state of its charts.
  void SetRegionKind(std::string_view region, RegionKind kind);
  RegionKind GetRegionKind(std::string_view region) const;

  // Declares the country regions that publish `chart` (the ~119 iTunes
  // storefronts with a song chart). ALL_KILL needs every country of the
  // chart at once: the set is these declared countries plus any other
  // country region seen in the chart's snapshots. Without a declaration it
  // is the country regions seen so far, which grows as regions are first
  // seen (and early all-kills vanish when it does).
  void SetChartCountries(std::string_view chart,
                         const std::vector<std::string>& countries);

  // Sets (replaces) a track's catalog facts; answers follow at once.
  void SetTrackFacts(std::string_view track_id, TrackFacts facts);
  // Forgets a track's facts: it leaves category answers.
  void ClearTrackFacts(std::string_view track_id);
  // The facts held for a track, if any.
  const TrackFacts* GetTrackFacts(std::string_view track_id) const;

  // Appends a snapshot. Errors (nothing changes):
  // - `InvalidArgument` naming the field (`snapshot.chart`,
  //   `snapshot.region`, `snapshot.capture_time`, `snapshot.chart_size`,
  //   `snapshot.entries[i].track_id`, `snapshot.entries[i].position`) for
  //   an empty chart or region, an instant beyond `kMaxInstant`, K outside
  //   1..kMaxChartSize, an empty track id, a position outside 1..K, or two
  //   entries at one position;
  // - `AlreadyExists` when a snapshot of the same identity is held whose
  //   observations (track -> best position) or chart size contradict this
  //   one, unless `policy` is kReplace.
  // Idempotent: the same snapshot again is kDuplicate and changes nothing.
  // One whose observations are a superset of the held ones, with the same
  // chart size, is kMerged (entries resolved later). The core compares
  // observations (a track's best position), not raw entries: a later
  // resolved version placed better than the held best is a contradiction
  // that needs kReplace.
  absl::StatusOr<AppendResult> Append(
      const Snapshot& snapshot,
      ConflictPolicy policy = ConflictPolicy::kReject);

  // Bulk loading (a restart from the store): `TrackNumber` interns a track
  // id; `Load` appends a snapshot given as observations (track number from
  // `TrackNumber`, position), one per track, in any order (sorted in
  // place). Between `BeginLoad` and `FinishLoad` the derived state
  // (crossings, steps, active lists, watched lineages) is not kept up to
  // date: `FinishLoad` rebuilds it once from the position histories, and
  // answers are meaningful only after it. A region's snapshots given in
  // capture order take a fast path (no per-append event or derived-state
  // work); any other is appended as by `Append` with kReplace. Errors as
  // `Append`'s.
  uint32_t TrackNumber(std::string_view id) { return InternTrack(id); }
  void BeginLoad();
  absl::Status Load(std::string_view chart, std::string_view region,
                    Micros capture_time, int chart_size,
                    absl::Span<std::pair<uint32_t, int>> observations);
  void FinishLoad();

  // Turns record-event detection on or off. Turning it on recomputes every
  // watched record's lineage once (no events for what happened meanwhile).
  void SetRecordEvents(bool enabled);

  // The snapshot held under that identity, reconstructed: one entry per
  // track at its best position, ordered by position. Unset when none.
  std::optional<Snapshot> GetSnapshot(const SnapshotKey& key) const;

  // What the engine holds of one chart; unset for an unknown chart.
  std::optional<ChartSummary> GetChart(std::string_view chart) const;
  // Every chart held, ordered by name.
  std::vector<ChartSummary> ListCharts() const;

  // How long a track took to reach the threshold in N regions. Errors:
  // `NotFound` for a chart without snapshots; `InvalidArgument` for P < 1
  // or N < 1 (`threshold`, `min_regions`) or an empty region code
  // (`regions`); `Unimplemented` for a count threshold;
  // `FailedPrecondition` (`reference_time`) when no reference instant is
  // given and the track has no release instant. A track never seen in the
  // chart is not reached with 0 regions.
  absl::StatusOr<TimeToThresholdAnswer> TimeToThreshold(
      const TimeToThresholdQuery& query) const;

  // A track's cumulative total and simultaneous counts over time. Errors as
  // `TimeToThreshold` (no reference needed).
  absl::StatusOr<TimelineAnswer> Timeline(const TimelineQuery& query) const;

  // A track's total and peak over the chart's country regions.
  absl::StatusOr<TrackTotals> Totals(std::string_view track_id,
                                     std::string_view chart,
                                     const Threshold& threshold) const;

  // Every ranked track of a record, best first (the caller pages). Errors:
  // `NotFound` for an unknown chart; `InvalidArgument` for P < 1 or, for
  // kFastest, N < 1; `Unimplemented` for a count threshold.
  absl::StatusOr<Leaderboard> GetLeaderboard(const RecordKey& key) const;

  // The holders of a record in the order they took it. Errors as
  // `GetLeaderboard`.
  absl::StatusOr<Lineage> GetLineage(const RecordKey& key) const;

  const EngineOptions& options() const { return options_; }

  // Checks every internal invariant against a recomputation from the
  // position histories (compact change points, staircases, crossings,
  // steps, watched lineages). For tests: reads everything.
  absl::Status CheckConsistency() const;

 private:
  // An instant and a position packed in one integer: instant * 1024 +
  // position (0 = absent). Ordered by instant.
  using Packed = int64_t;

  // The change points of one (track, chart, region) and its staircase of
  // first instants at each better position reached.
  struct History {
    // (capture, position from it on), only where the position changes.
    std::vector<Packed> changes;
    // (first instant at this position or better, position), positions
    // strictly decreasing.
    absl::InlinedVector<Packed, 2> stairs;
    // Per full block of `kBlock` change points (the last, partial block has
    // none): the lowest and highest position in it, absent counted as
    // 1024, as `low | high << 16`. A block entirely within a threshold, or
    // entirely outside it, has no crossing inside, so a scan for the steps
    // at any threshold skips it in one read.
    std::vector<uint32_t> blocks;
  };
  static constexpr size_t kBlock = 32;

  // One region's first crossing of a threshold.
  struct CrossingAt {
    Micros time;
    uint32_t slot;
  };

  // A region entering (+1) or leaving (-1) a threshold at a capture, with
  // the running simultaneous count and its running maximum.
  struct Step {
    Micros time;
    uint32_t slot;
    int16_t delta;
    int16_t sum;
    int16_t max;
  };

  // The derived state of one (track, chart, threshold, region set).
  struct ThresholdState {
    // Sorted by (time, region code).
    std::vector<CrossingAt> crossings;
    // Sorted by (time, delta, region code).
    std::vector<Step> steps;
  };

  // One step of a region's staircase, with its region.
  struct StairAt {
    Packed step;
    uint32_t slot;
    friend bool operator==(const StairAt&, const StairAt&) = default;
    friend bool operator<(const StairAt& a, const StairAt& b) {
      return a.step != b.step ? a.step < b.step : a.slot < b.slot;
    }
  };

  // The simultaneous count of one level and its peak (see `TrackChart`).
  // Regions sharing a capture instant arrive one by one: the peak counts
  // only the count after all of them, so the peak before the latest
  // instant is kept apart (`before`), as is the region that completes the
  // instant's count (the last region entering, by code, as the steps order
  // them).
  struct LevelPeak {
    struct Best {
      int16_t value = 0;
      uint32_t slot = 0;
      Micros time = 0;
      friend bool operator==(const Best&, const Best&) = default;
    };
    int16_t count = 0;
    Best peak;
    // The peak over instants before `instant`.
    Best before;
    // The latest instant with a change at this level, and the region that
    // entered last (by code) at it; kNoSlot when none entered.
    Micros instant = std::numeric_limits<Micros>::min();
    uint32_t entered = kNoSlot;
    friend bool operator==(const LevelPeak&, const LevelPeak&) = default;
  };
  static constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();

  // Per position level P (index P - 1, up to the worst position the track
  // showed in a country region; a higher P reads the last level): the
  // simultaneous count now and its peak, with the capture that first
  // reached it. Kept while the track's country changes arrive in
  // non-decreasing instants (live data, also when storefronts share an
  // instant). A change before the latest one (a backfill, a replaced
  // capture) clears `exact`, and questions then fall back to the histories
  // until the next rebuild (`RebuildDerived`).
  struct PeakLevels {
    std::vector<LevelPeak> levels;
    Micros last = std::numeric_limits<Micros>::min();
    bool exact = true;
    friend bool operator==(const PeakLevels&, const PeakLevels&) = default;
  };

  struct TrackChart {
    // Indexed by region slot of the chart.
    std::vector<History> regions;
    // Indexed like `options_.watched_positions`; country regions only.
    std::vector<ThresholdState> watched;
    // Bit w: listed in the chart's `active[w]`.
    uint32_t active_mask = 0;
    // At most the best position the track ever showed in any region of the
    // chart (a replaced capture may leave it lower than today's best): a
    // track with `best_ever > P` never crossed P, so a question at an
    // unwatched P skips it without reading its histories.
    int best_ever = std::numeric_limits<int>::max();
    // PEAK and ALL_KILL at any P in O(1): see `PeakLevels`.
    PeakLevels peaks;
    // Every region's staircase in one array ordered by (step, slot): the
    // first crossings at any P in one sequential read (a region's first
    // entry within P is its first crossing) instead of one scattered read
    // per region.
    std::vector<StairAt> stairs;
    // Indexed by region slot: the best position the region ever showed
    // (its staircase's last step; 0 = none). How many regions crossed any
    // P, in one short sequential read.
    std::vector<uint16_t> best_by_slot;
  };

  struct RegionState {
    uint32_t region = 0;
    bool country = true;
    std::vector<Micros> captures;
    std::vector<uint16_t> sizes;
    // Tracks with a history in this region.
    std::vector<uint32_t> tracks;
    // Tracks shown by the latest capture, sorted.
    std::vector<uint32_t> latest_present;
    // Per hour of capture instants (`BlockOf`), sorted by hour: the tracks
    // shown by any capture in that hour, sorted. A superset of the tracks
    // present at each of its captures (small: the chart plus its churn
    // within the hour), so that a backfilled capture finds the tracks
    // present at its previous capture without scanning every track that
    // ever charted in the region.
    std::vector<std::pair<int64_t, std::vector<uint32_t>>> blocks;
  };

  struct ChartState {
    std::string name;
    std::vector<RegionState> slots;
    absl::flat_hash_map<uint32_t, uint32_t> slot_of_region;
    // Indexed by track.
    std::vector<std::unique_ptr<TrackChart>> tracks;
    // Per watched P: the tracks that ever had a crossing (the only ones a
    // record of that P can rank).
    std::vector<std::vector<uint32_t>> active;
    int country_count = 0;
    // The size of the ALL_KILL region set.
    int all_kill_count = 0;
    int64_t snapshot_count = 0;
    int64_t observation_count = 0;
    int64_t change_count = 0;
    Micros first_capture = 0;
    Micros last_capture = 0;
    // The latest capture of a country region (0: none): the "as of" of an
    // answer over the default region set.
    Micros last_country_capture = 0;
  };

  struct TrackInfo {
    std::string id;
    std::optional<TrackFacts> facts;
    std::vector<Category> watched_categories;
  };

  // One improvement of a track's value for a record.
  struct Improvement {
    Micros time;
    int64_t value;
    uint32_t track;
    uint32_t slot;
  };

  // A track's tenure as a record holder.
  struct Holding {
    uint32_t track;
    int64_t value;
    Micros time;
    uint32_t slot;
    int64_t best;
  };

  // A record's lineage as computed by scanning improvements in time order.
  struct LineageState {
    std::vector<Holding> holdings;
    Micros last_time = INT64_MIN;
    // Transitions (previous holder or none, new holder, instant taken)
    // already announced: each is announced once.
    std::vector<std::tuple<uint32_t, uint32_t, Micros>> announced;
  };

  // A record key with interned chart.
  struct KeyId {
    uint32_t chart;
    Metric metric;
    int32_t position;
    int32_t min_regions;
    Category category;
    friend bool operator==(const KeyId&, const KeyId&) = default;
    template <typename H>
    friend H AbslHashValue(H h, const KeyId& k) {
      return H::combine(std::move(h), k.chart, k.metric, k.position,
                        k.min_regions, k.category);
    }
  };

  // What one append changed in a track's watched state.
  struct Touched {
    uint32_t track;
    // The watched states before the append.
    std::vector<ThresholdState> before;
  };

  static Packed Pack(Micros time, int position) {
    return time * 1024 + position;
  }
  static Micros TimeOf(Packed p) { return p >> 10; }
  static int PositionOf(Packed p) { return static_cast<int>(p & 1023); }

  // The hour block of a capture instant, and a region's block of tracks
  // shown in it (created empty when missing; null when missing for the
  // const version).
  static int64_t BlockOf(Micros time);
  static std::vector<uint32_t>& BlockFor(RegionState& rs, Micros time);
  static const std::vector<uint32_t>* FindBlock(const RegionState& rs,
                                                Micros time);
  // Adds `track` to the block of `time`.
  static void AddShown(RegionState& rs, Micros time, uint32_t track);

  uint32_t InternTrack(std::string_view id);
  uint32_t InternRegion(std::string_view code);
  std::optional<uint32_t> FindTrack(std::string_view id) const;
  std::optional<uint32_t> FindChart(std::string_view chart) const;
  uint32_t SlotFor(ChartState& chart, uint32_t region);
  const std::string& RegionCode(const ChartState& chart, uint32_t slot) const;
  bool SlotLess(const ChartState& chart, uint32_t a, uint32_t b) const;
  TrackChart& TrackChartFor(ChartState& chart, uint32_t track);
  const TrackChart* FindTrackChart(const ChartState& chart,
                                   uint32_t track) const;
  std::optional<int> WatchedIndex(int position) const;

  // History operations.
  static int ValueBefore(const History& h, Micros time);
  static int ValueAt(const History& h, Micros time);
  static std::optional<Packed> FirstWithin(const History& h, int position);
  static void RebuildStairs(History& h);
  static void AddToStairs(History& h, Micros time, int position);
  // Appends a change point at the end, keeping the block summaries.
  static void PushChange(History& h, Packed change);
  // Recomputes the block summaries from the block holding change `index`.
  static void ResummarizeFrom(History& h, size_t index);
  static uint32_t SummaryOf(const Packed* block);
  // Appends to `out` the steps (+1 entering, -1 leaving) of a history at
  // threshold `position`, whose first crossing is at `first`.
  static void AppendSteps(const History& h, uint32_t slot, int position,
                          Micros first, std::vector<Step>& out);

  // Peak levels: applies one country change (old and new position, 0 =
  // absent) of the track at `time` in `slot`; recomputes them from the
  // histories.
  void UpdateLevels(const ChartState& chart, PeakLevels& peaks, Micros time,
                    uint32_t slot, int old_position, int new_position) const;
  PeakLevels ComputeLevels(const ChartState& chart, const TrackChart& tc) const;

  // The track's staircase array: inserts one step, replaces a region's
  // steps, rebuilds it from the regions.
  static void AddStair(TrackChart& tc, StairAt stair);
  static void ReplaceStairs(TrackChart& tc, uint32_t slot,
                            const absl::InlinedVector<Packed, 2>& before,
                            const absl::InlinedVector<Packed, 2>& after);
  static std::vector<StairAt> CollectStairs(const TrackChart& tc);
  // Every region's first crossing of P, in the set (null: the chart's
  // countries), ordered by (time, region code).
  // With `limit`, stops once the first `limit` are known (ties at the
  // last one's instant included).
  void FirstCrossings(const ChartState& chart, const TrackChart& tc,
                      int position, const std::vector<bool>* in_set,
                      std::vector<CrossingAt>& out,
                      size_t limit = std::numeric_limits<size_t>::max()) const;
  // Sets a region's entry of `best_by_slot` from its staircase.
  static void SetBest(TrackChart& tc, uint32_t slot);

  // Derived-state operations.
  void MoveCrossing(const ChartState& chart, ThresholdState& state,
                    uint32_t slot, std::optional<Micros> from,
                    std::optional<Micros> to) const;
  void AddStep(const ChartState& chart, ThresholdState& state, Micros time,
               uint32_t slot, int delta) const;
  static void RecomputeSums(std::vector<Step>& steps, size_t from);
  ThresholdState ComputeState(const ChartState& chart, const TrackChart& tc,
                              int position, const std::vector<bool>& in_set,
                              bool with_steps) const;
  void RebuildDerived(uint32_t chart_index);
  // Lists `track` in `chart.active[w]` once it has a crossing.
  static void MarkActive(ChartState& chart, TrackChart& tc, uint32_t track,
                         size_t w);
  // The tracks a record of P may rank: the active ones for a watched P,
  // else every track of the chart.
  std::vector<uint32_t> Candidates(const ChartState& chart, int position) const;
  // Recomputes `all_kill_count`; returns whether it changed.
  bool UpdateAllKillCount(ChartState& chart);
  // The size of the ALL_KILL region set of `chart`.
  int AllKillCount(const ChartState& chart) const;

  // Appends a validated snapshot's observations (sorted by track).
  AppendResult ApplyNew(uint32_t chart_index, uint32_t slot, Micros time,
                        int chart_size,
                        absl::Span<const std::pair<uint32_t, int>> obs,
                        absl::flat_hash_map<uint32_t, Touched>& touched);
  // Sets a track's position at an existing capture of a region, fixing the
  // change points, staircase and derived state.
  // `new_capture` tells an out-of-order insertion from a merge or
  // replacement at a capture already held.
  void SetValue(ChartState& chart, uint32_t slot, uint32_t track, Micros time,
                int position, bool new_capture,
                absl::flat_hash_map<uint32_t, Touched>& touched);
  // Saves a track's watched state before its first change in an append.
  void Touch(TrackChart& tc, uint32_t track,
             absl::flat_hash_map<uint32_t, Touched>& touched);
  std::vector<std::pair<uint32_t, int>> Reconstruct(const ChartState& chart,
                                                    uint32_t slot,
                                                    Micros time) const;

  // Records.
  static bool SmallerIsBetter(Metric metric);
  void Improvements(const ChartState& chart, const ThresholdState& state,
                    uint32_t track, Metric metric, int min_regions, Micros from,
                    std::vector<Improvement>& out) const;
  void SortImprovements(Metric metric, std::vector<Improvement>& events) const;
  static void Feed(Metric metric, const std::vector<Improvement>& events,
                   LineageState& lineage);
  LineageState ComputeLineage(const KeyId& key) const;
  RecordHolder MakeHolder(const ChartState& chart, uint32_t track,
                          int64_t value, Micros time, uint32_t slot,
                          int64_t best) const;
  Interval BoundsOf(const ChartState& chart, uint32_t slot, Micros time,
                    std::optional<Micros> reference) const;
  RecordKey PublicKey(const KeyId& key) const;
  std::vector<KeyId> KeysOf(uint32_t chart, uint32_t track) const;
  void DetectEvents(uint32_t chart_index, const SnapshotKey& snapshot,
                    bool backfilled, bool country_count_changed,
                    const absl::flat_hash_map<uint32_t, Touched>& touched,
                    std::vector<RecordEvent>& events);
  void UpdateKey(const KeyId& key, LineageState next, const SnapshotKey* snap,
                 bool backfilled, std::vector<RecordEvent>* events);
  // Announces the transitions into holdings[from...] not announced yet, as
  // events when `events` is set.
  void Announce(const KeyId& key, LineageState& lineage, size_t from,
                const SnapshotKey* snapshot, bool backfilled,
                std::vector<RecordEvent>* events) const;
  void RecomputeKeysOfTrack(uint32_t track,
                            const std::vector<Category>& extra_categories);
  void RebuildAllKeys();

  absl::StatusOr<const ChartState*> ChartFor(std::string_view chart) const;
  // The threshold state of a track for P over a region set (empty =
  // default): the stored one when watched and default, else computed into
  // `scratch`. Null when the track has no history in the chart.
  const ThresholdState* StateFor(const ChartState& chart, uint32_t track,
                                 int position, const std::vector<bool>* in_set,
                                 bool with_steps,
                                 ThresholdState& scratch) const;

  EngineOptions options_;
  absl::flat_hash_map<std::string, uint32_t> track_index_;
  std::vector<TrackInfo> tracks_;
  absl::flat_hash_map<std::string, uint32_t> region_index_;
  std::vector<std::string> region_codes_;
  std::vector<RegionKind> region_kinds_;
  absl::flat_hash_map<std::string, uint32_t> chart_index_;
  std::vector<std::unique_ptr<ChartState>> charts_;
  absl::flat_hash_map<KeyId, LineageState> keys_;
  // Chart name -> declared country regions.
  absl::flat_hash_map<std::string, std::vector<uint32_t>> declared_countries_;
  bool record_events_ = true;
  // Between BeginLoad and FinishLoad: derived state is rebuilt at the end.
  bool loading_ = false;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_RECORDS_ENGINE_H_
