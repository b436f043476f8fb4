// Derived state: a track's threshold state for any P and region set (the
// watched one when it is kept, else computed from the histories), the
// tracks a record of P may rank, and the rebuild of a chart's whole derived
// state (staircase arrays, peak levels, watched states, active lists) from
// its position histories, on every core.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_DERIVED_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_DERIVED_H_

#include <cstdint>
#include <vector>

#include "services/records/core/chart_state.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/threshold_state.h"

namespace hitclock::records::core {

// The threshold state of `tc` at P over the regions marked in `in_set`;
// crossings only unless `with_steps`.
ThresholdState ComputeState(const EngineState& state, const ChartState& chart,
                            const TrackChart& tc, int position,
                            const std::vector<bool>& in_set, bool with_steps);

// The threshold state of a track for P over a region set (null: the
// chart's countries): the kept one when P is watched and the set is the
// default, else computed into `scratch`. Null when the track has no
// history in the chart.
const ThresholdState* StateFor(const EngineState& state,
                               const ChartState& chart, uint32_t track,
                               int position, const std::vector<bool>* in_set,
                               bool with_steps, ThresholdState& scratch);

// The tracks a record of P may rank: the active ones for a watched P, else
// every track of the chart that ever showed within P.
std::vector<uint32_t> Candidates(const EngineState& state,
                                 const ChartState& chart, int position);

// Recomputes every region kind, count and derived state of `chart` from its
// histories (the watched lineages are the record book's to rebuild).
void RebuildDerived(const EngineState& state, ChartState& chart);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_DERIVED_H_
