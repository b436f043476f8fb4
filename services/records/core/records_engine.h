// The records engine: the facade the records service calls. It owns the
// engine state and hands each question to the unit that answers it:
// admission (`admission.h`) and applying (`apply.h`) for appends, the
// record book (`record_book.h`) for watched lineages and events, the
// derived state (`derived.h`) for rebuilds, and the answers at a position
// threshold (`position_answers.h`). Read `history.h` first, then
// `track_chart.h` and `chart_state.h`: they hold what everything else reads.
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
//
// Not thread-safe: callers serialize access (one writer or many readers).

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_RECORDS_ENGINE_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_RECORDS_ENGINE_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/records/core/admission.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/record_book.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

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

  // Decides an append without changing anything (see `admission.h`).
  // Errors: `InvalidArgument` naming the field (`snapshot.chart`,
  // `snapshot.region`, `snapshot.capture_time`, `snapshot.chart_size`,
  // `snapshot.entries[i].track_id`, `snapshot.entries[i].position`);
  // `AlreadyExists` when a contradicting snapshot of the same identity is
  // held, unless `policy` is kReplace.
  absl::StatusOr<AppendPlan> Plan(const Snapshot& snapshot,
                                  ConflictPolicy policy) const;
  // Carries out a plan of `snapshot` from `Plan`, with nothing applied
  // since: the histories, derived state, watched lineages and the record
  // events.
  AppendResult Apply(const AppendPlan& plan, const Snapshot& snapshot);
  // `Plan`, then `Apply`. Idempotent: the same snapshot again is
  // kDuplicate and changes nothing.
  absl::StatusOr<AppendResult> Append(
      const Snapshot& snapshot,
      ConflictPolicy policy = ConflictPolicy::kReject);

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

  const EngineOptions& options() const { return state_.options; }
  // Everything held, read-only: for consistency checks in tests and for
  // tools.
  const EngineState& state() const { return state_; }
  const RecordBook& book() const { return book_; }

 private:
  friend class EngineLoader;

  // The chart a question names (`NotFound` when none is held), once the
  // threshold is one the engine answers: a position threshold of P in
  // 1..kMaxChartSize (`Unimplemented` for a count threshold, which no unit
  // answers yet).
  absl::StatusOr<const ChartState*> ChartToAsk(
      std::string_view chart, const Threshold& threshold) const;

  EngineState state_;
  RecordBook book_;
};

// Bulk loading (a restart from the store): `TrackNumber` interns a track
// id; `Load` appends a snapshot given as observations (track number from
// `TrackNumber`, position), one per track, in any order (sorted in place).
// While a loader lives the derived state (crossings, steps, active lists,
// watched lineages) is not kept up to date: `Finish` (or the destructor)
// rebuilds it once from the position histories, and answers are meaningful
// only after it. A region's snapshots given in capture order take a fast
// path (no per-append event or derived-state work); any other is appended
// as by `Append` with kReplace. Errors as `Append`'s.
class EngineLoader {
 public:
  explicit EngineLoader(RecordsEngine& engine);
  ~EngineLoader();

  EngineLoader(const EngineLoader&) = delete;
  EngineLoader& operator=(const EngineLoader&) = delete;

  uint32_t TrackNumber(std::string_view id);
  absl::Status Load(std::string_view chart, std::string_view region,
                    Micros capture_time, int chart_size,
                    absl::Span<std::pair<uint32_t, int>> observations);
  // Rebuilds the derived state; the loader is done. Idempotent.
  void Finish();

 private:
  RecordsEngine& engine_;
  bool finished_ = false;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_RECORDS_ENGINE_H_
