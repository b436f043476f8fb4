// Admission: whether a snapshot may be appended and what appending it
// would do, decided once and without changing anything. A plan validates
// every field (naming the field in `InvalidArgument`) and classifies the
// snapshot against the one held under its identity (chart, region, capture
// instant):
// - none held: kAppended;
// - the same observations (track -> best position) and chart size:
//   kDuplicate (nothing to store or apply);
// - a superset of the held observations, same chart size (entries resolved
//   later): kMerged;
// - anything else: `AlreadyExists`, or kReplaced under kReplace.
// The caller stores the plan's snapshot, then applies the plan
// (`ApplyPlan`) with nothing appended in between.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_ADMISSION_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_ADMISSION_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "absl/status/statusor.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// A track the engine has not seen yet.
inline constexpr uint32_t kNewTrack = std::numeric_limits<uint32_t>::max();

struct AppendPlan {
  // The snapshot as observations: one entry per track at its best position,
  // ordered by position. What the store keeps.
  Snapshot snapshot;
  // Parallel to `snapshot.entries`: the engine's number of each track, or
  // kNewTrack.
  std::vector<uint32_t> tracks;
  AppendOutcome outcome = AppendOutcome::kAppended;
  // Distinct tracks the snapshot holds once applied.
  int observation_count = 0;
};

// Validates `snapshot` and classifies it against what `state` holds.
absl::StatusOr<AppendPlan> PlanAppend(const EngineState& state,
                                      const Snapshot& snapshot,
                                      ConflictPolicy policy);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_ADMISSION_H_
