// Improvements and lineages: the instants at which a track's value for a
// record got better (read from its threshold state), and how a stream of
// improvements from every candidate, in time order, makes a record's
// lineage of holders. Pure functions of their arguments.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_IMPROVEMENTS_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_IMPROVEMENTS_H_

#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "services/records/core/names.h"
#include "services/records/core/threshold_state.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

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

// A record's lineage as computed by feeding improvements in time order.
struct LineageState {
  std::vector<Holding> holdings;
  Micros last_time = INT64_MIN;
  // Transitions (previous holder or none, new holder, instant taken)
  // already announced: each is announced once.
  std::vector<std::tuple<uint32_t, uint32_t, Micros>> announced;
};

// What a track brings to a record besides its threshold state.
struct Contender {
  uint32_t track = 0;
  // The release instant; FASTEST and ALL_KILL rank only tracks with one.
  std::optional<Micros> release;
};

// Whether smaller values are better (durations) for `metric`.
bool SmallerIsBetter(Metric metric);

// Appends to `out` the improvements of a track's value for a record of
// `metric` (N = `min_regions` for FASTEST; the ALL_KILL set has
// `all_kill_count` regions) at or after `from`, from its threshold state.
void AppendImprovements(const ThresholdState& state, const Contender& who,
                        Metric metric, int min_regions, int all_kill_count,
                        Micros from, std::vector<Improvement>& out);

// Orders improvements by time, then best value first, then track id.
void SortImprovements(const TrackTable& tracks, Metric metric,
                      std::vector<Improvement>& events);

// Feeds improvements, in time order, to a lineage: a track that beats the
// holder's best takes the record.
void Feed(Metric metric, const std::vector<Improvement>& events,
          LineageState& lineage);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_IMPROVEMENTS_H_
