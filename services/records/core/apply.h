// Applying: carries an admission plan out on the position histories and
// keeps every derived structure in step (staircases and the staircase
// array, hour blocks, peak levels, watched threshold states, active lists,
// counts). In-order captures take a fast path that touches only the tracks
// that entered, moved or left; a backfilled, merged or replaced capture
// rewrites the change points at that capture and the next one only.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_APPLY_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_APPLY_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "services/records/core/admission.h"
#include "services/records/core/chart_state.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/threshold_state.h"

namespace hitclock::records::core {

// What applying a plan changed, for the record book.
struct Applied {
  uint32_t chart = 0;
  // Captured before the latest capture already held for the chart.
  bool backfilled = false;
  // The chart's ALL_KILL region set grew (a new country region).
  bool all_kill_count_changed = false;
  // The tracks whose watched states changed, with the states before
  // (collected only while `state.record_events`).
  absl::flat_hash_map<uint32_t, Touched> touched;
};

// Applies `plan` (from `PlanAppend` of `snapshot` on the same state,
// nothing applied since). A kDuplicate plan changes nothing.
Applied ApplyPlan(EngineState& state, const AppendPlan& plan,
                  const Snapshot& snapshot);

// Writes one chart's histories; the unit behind `ApplyPlan` and the bulk
// loader.
class ChartWriter {
 public:
  ChartWriter(EngineState& state, uint32_t chart,
              absl::flat_hash_map<uint32_t, Touched>& touched);

  // Appends a capture of `slot` not held yet (observations sorted by
  // track).
  void AddCapture(uint32_t slot, Micros time, int chart_size,
                  absl::Span<const std::pair<uint32_t, int>> obs);
  // Rewrites a capture of `slot` already held: from `held` to `obs` (both
  // sorted by track).
  void RewriteCapture(uint32_t slot, Micros time, int chart_size,
                      absl::Span<const std::pair<uint32_t, int>> held,
                      absl::Span<const std::pair<uint32_t, int>> obs);

 private:
  // A capture after the region's latest: the fast path.
  void AddLatest(uint32_t slot, Micros time, int chart_size,
                 absl::Span<const std::pair<uint32_t, int>> obs);
  // A track of the region's latest capture not shown by the new one.
  void Drop(uint32_t slot, uint32_t track, Micros time);
  // Sets a track's position at an existing capture of a region, fixing
  // the change points, staircase and derived state. `new_capture` tells
  // an out-of-order insertion from a merge or replacement.
  void SetValue(uint32_t slot, uint32_t track, Micros time, int position,
                bool new_capture);
  // Saves a track's watched state before its first change in this apply.
  void Touch(TrackChart& tc, uint32_t track);

  EngineState& state_;
  ChartState& chart_;
  absl::flat_hash_map<uint32_t, Touched>& touched_;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_APPLY_H_
