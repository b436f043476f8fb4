// Threshold state: for one track, chart, position threshold P and region
// set, each region's first crossing of P and the steps of the simultaneous
// count (a region entering or leaving P at a capture, with the running
// count and its running maximum). Watched P keep one per track up to date
// on every append; other P compute it on demand from the histories.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_THRESHOLD_STATE_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_THRESHOLD_STATE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/records/core/history.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// The order of a chart's region slots: by region code. Regions sharing an
// instant are ordered this way everywhere (crossings, steps, peaks).
class SlotOrder {
 public:
  // `codes` is indexed by slot and outlives the order.
  explicit SlotOrder(const std::vector<std::string>& codes) : codes_(&codes) {}
  // Whether slot `a` comes strictly before slot `b`.
  bool Less(uint32_t a, uint32_t b) const {
    return a != b && (*codes_)[a] < (*codes_)[b];
  }

 private:
  const std::vector<std::string>* codes_;
};

// One region's first crossing of a threshold.
struct CrossingAt {
  Micros time;
  uint32_t slot;
};

// A region entering (+1) or leaving (-1) a threshold at a capture, with
// the running simultaneous count and its running maximum.
struct Step {
  Micros time;
  uint32_t slot;
  int16_t delta;
  int16_t sum;
  int16_t max;
};

// The derived state of one (track, chart, threshold, region set).
struct ThresholdState {
  // Sorted by (time, region code).
  std::vector<CrossingAt> crossings;
  // Sorted by (time, delta, region code).
  std::vector<Step> steps;

  // Moves a region's crossing from the instant `from` (unset: none) to
  // `to` (unset: none).
  void MoveCrossing(SlotOrder order, uint32_t slot, std::optional<Micros> from,
                    std::optional<Micros> to);
  // Adds a region's step at `time`; a step of the region at the same
  // instant the other way cancels it.
  void AddStep(SlotOrder order, Micros time, uint32_t slot, int delta);
  // Sorts crossings and steps gathered in any order and sets the running
  // sums.
  void Sort(SlotOrder order);
};

// Appends to `out` the steps of one region's history at threshold
// `position`, whose first crossing is at `first`.
void AppendSteps(const History& h, uint32_t slot, int position, Micros first,
                 std::vector<Step>& out);

// Recomputes the running sums and maxima of `steps` from index `from` on.
void RecomputeSums(std::vector<Step>& steps, size_t from);

// The watched threshold states of one track before an append changed them
// (record events compare them with the states after).
struct Touched {
  uint32_t track = 0;
  std::vector<ThresholdState> before;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_THRESHOLD_STATE_H_
