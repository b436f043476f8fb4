// Answers at a position threshold ("position <= P"): time-to-threshold,
// timeline, totals, leaderboards and lineages, read from the watched state
// when P is watched and from the staircase arrays, peak levels and
// histories otherwise. The facade has found the chart and checked that the
// threshold is a position threshold of a valid P; a counter threshold will
// be answered by a unit of its own beside this one.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_POSITION_ANSWERS_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_POSITION_ANSWERS_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "services/records/core/chart_state.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/record_book.h"
#include "services/records/core/types.h"

namespace hitclock::records::core::position {

absl::StatusOr<TimeToThresholdAnswer> TimeToThreshold(
    const EngineState& state, const ChartState& chart,
    const TimeToThresholdQuery& query);

absl::StatusOr<TimelineAnswer> Timeline(const EngineState& state,
                                        const ChartState& chart,
                                        const TimelineQuery& query);

TrackTotals Totals(const EngineState& state, const ChartState& chart,
                   std::string_view track_id, int position);

absl::StatusOr<Leaderboard> GetLeaderboard(const EngineState& state,
                                           const ChartState& chart,
                                           const RecordKey& key);

// `book` holds the watched lineages (null: none kept).
absl::StatusOr<Lineage> GetLineage(const EngineState& state,
                                   const RecordBook* book,
                                   const ChartState& chart,
                                   const RecordKey& key);

}  // namespace hitclock::records::core::position

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_POSITION_ANSWERS_H_
