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
// The caller stores the observed snapshot (`ObservedSnapshot`), then
// applies the plan (`ApplyPlan`) with nothing appended in between.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_ADMISSION_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_ADMISSION_H_

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// A decided append of one snapshot. It names the snapshot's entries by
// index: apply it with the same snapshot.
struct AppendPlan {
  AppendOutcome outcome = AppendOutcome::kAppended;
  // Distinct tracks the snapshot holds once applied.
  int observation_count = 0;
  // The observations of tracks the engine knows: (track number, best
  // position), sorted by track number.
  std::vector<std::pair<uint32_t, int>> known;
  // The observations of tracks new to the engine: (index of the entry in
  // the snapshot, best position), sorted by track id.
  std::vector<std::pair<uint32_t, int>> fresh;
};

// Validates `snapshot` and classifies it against what `state` holds.
absl::StatusOr<AppendPlan> PlanAppend(const EngineState& state,
                                      const Snapshot& snapshot,
                                      ConflictPolicy policy);

// The snapshot as observations, what the store keeps: one entry per track
// at its best position, ordered by position.
Snapshot ObservedSnapshot(const EngineState& state, const AppendPlan& plan,
                          const Snapshot& snapshot);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_ADMISSION_H_
