// Everything held about one track in one chart: its position history per
// region, its watched threshold states, its peak levels, and the staircase
// array (every region's staircase in one time-ordered array) from which the
// first crossings at any P are one sequential read.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_TRACK_CHART_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_TRACK_CHART_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "services/records/core/history.h"
#include "services/records/core/peak_levels.h"
#include "services/records/core/threshold_state.h"

namespace hitclock::records::core {

// One step of a region's staircase, with its region.
struct StairAt {
  Packed step;
  uint32_t slot;
  friend bool operator==(const StairAt&, const StairAt&) = default;
  friend bool operator<(const StairAt& a, const StairAt& b) {
    return a.step != b.step ? a.step < b.step : a.slot < b.slot;
  }
};

struct TrackChart {
  // Indexed by region slot of the chart.
  std::vector<History> regions;
  // Indexed like the engine's watched positions; country regions only.
  std::vector<ThresholdState> watched;
  // Bit w: listed in the chart's `active[w]`.
  uint32_t active_mask = 0;
  // At most the best position the track ever showed in any region of the
  // chart (a replaced capture may leave it lower than today's best): a
  // track with `best_ever > P` never crossed P, so a question at an
  // unwatched P skips it without reading its histories.
  int best_ever = std::numeric_limits<int>::max();
  // PEAK and ALL_KILL at any P in O(1).
  PeakLevels peaks;
  // Every region's staircase in one array ordered by (step, slot): a
  // region's first entry within P is its first crossing of P.
  std::vector<StairAt> stairs;
  // Indexed by region slot: the best position the region ever showed (its
  // staircase's last step; 0 = none). How many regions crossed any P, in
  // one short sequential read.
  std::vector<uint16_t> best_by_slot;

  // The history of `slot`, created empty when missing.
  History& HistoryAt(uint32_t slot);

  // Staircase array upkeep: one new step; a region's steps replaced; the
  // whole array from the regions' staircases.
  void AddStair(StairAt stair);
  void ReplaceStairs(uint32_t slot,
                     const absl::InlinedVector<Packed, 2>& before,
                     const absl::InlinedVector<Packed, 2>& after);
  std::vector<StairAt> CollectStairs() const;
  // Sets `best_by_slot[slot]` from the region's staircase.
  void SetBest(uint32_t slot);

  // Every eligible region's first crossing of `position`, ordered by
  // (time, region code). With `limit`, stops once the first `limit` are
  // known (ties at the last one's instant included).
  void FirstCrossings(int position, const std::vector<bool>& eligible,
                      SlotOrder order, std::vector<CrossingAt>& out,
                      size_t limit = std::numeric_limits<size_t>::max()) const;
  // How many eligible regions ever showed the track within `position`.
  int RegionsWithin(int position, const std::vector<bool>& eligible) const;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_TRACK_CHART_H_
