// Peak levels: per position level P, how many of a track's country regions
// hold it within P right now, and the peak of that count with the capture
// that first reached it. PEAK and ALL_KILL at any P read one level instead
// of the histories. Kept while a track's country changes arrive in
// non-decreasing instants (live data, also when storefronts share an
// instant); a change before the latest one (a backfill, a replaced capture)
// gives them up (`exact` false) until the next rebuild.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_PEAK_LEVELS_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_PEAK_LEVELS_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "services/records/core/history.h"
#include "services/records/core/threshold_state.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// No region.
inline constexpr uint32_t kNoSlot = std::numeric_limits<uint32_t>::max();

// The simultaneous count of one level and its peak. Regions sharing a
// capture instant arrive one by one: the peak counts only the count after
// all of them, so the peak before the latest instant is kept apart
// (`before`), as is the region that completes the instant's count (the
// last region entering, by code, as the steps order them).
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

// Per position level P (index P - 1, up to the worst position the track
// showed in a country region; a higher P reads the last level).
struct PeakLevels {
  std::vector<LevelPeak> levels;
  Micros last = std::numeric_limits<Micros>::min();
  bool exact = true;
  friend bool operator==(const PeakLevels&, const PeakLevels&) = default;

  // Applies one country change of the track: at `time`, region `slot` went
  // from `old_position` to `new_position` (0 = absent). An instant before
  // the latest applied gives the levels up.
  void Apply(SlotOrder order, Micros time, uint32_t slot, int old_position,
             int new_position);
  // The peak at P (value 0: never within); null when the levels are empty.
  const LevelPeak::Best* PeakAt(int position) const;
  // Levels given up: out of order at `time`.
  static PeakLevels GivenUp(Micros time) { return PeakLevels{{}, time, false}; }
};

// The levels recomputed from a track's histories (indexed by slot) over the
// slots marked in `country`.
PeakLevels ComputeLevels(const std::vector<History>& regions,
                         const std::vector<bool>& country, SlotOrder order);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_PEAK_LEVELS_H_
