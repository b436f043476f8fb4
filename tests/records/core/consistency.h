// Test support for the records core: checks every internal invariant of an
// engine against a recomputation from its position histories (compact
// change points, hour blocks, staircases and the staircase arrays, block
// summaries, peak levels, watched threshold states, active lists, watched
// lineages). Reads everything: for tests, never for production.

#ifndef HITCLOCK_TESTS_RECORDS_CORE_CONSISTENCY_H_
#define HITCLOCK_TESTS_RECORDS_CORE_CONSISTENCY_H_

#include "absl/status/status.h"
#include "services/records/core/records_engine.h"

namespace hitclock::records::core {

// OK when every derived structure of `engine` equals its recomputation;
// else `Internal` naming the first that does not.
absl::Status CheckConsistency(const RecordsEngine& engine);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_TESTS_RECORDS_CORE_CONSISTENCY_H_
