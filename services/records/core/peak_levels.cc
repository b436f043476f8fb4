#include "services/records/core/peak_levels.h"

#include <algorithm>

namespace hitclock::records::core {

void PeakLevels::Apply(SlotOrder order, Micros time, uint32_t slot,
                       int old_position, int new_position) {
  if (!exact) return;
  if (time < last) {
    // Out of order for this track: the running counts cannot say what the
    // count was at `time`.
    *this = GivenUp(time);
    return;
  }
  last = time;
  const size_t worst =
      static_cast<size_t>(std::max(old_position, new_position));
  if (levels.size() < worst) {
    // No region ever showed the track beyond the last level: the new
    // levels have had its counts all along.
    const LevelPeak tail = levels.empty() ? LevelPeak{} : levels.back();
    levels.resize(worst, tail);
  }
  const int absent = static_cast<int>(levels.size()) + 1;
  const int from = old_position == 0 ? absent : old_position;
  const int to = new_position == 0 ? absent : new_position;
  const int delta = to < from ? 1 : -1;
  for (int p = std::min(from, to); p < std::max(from, to); ++p) {
    LevelPeak& l = levels[p - 1];
    if (l.instant != time) {
      // The first change of this instant: the peak so far is from before.
      l.instant = time;
      l.before = l.peak;
      l.entered = kNoSlot;
    }
    l.count = static_cast<int16_t>(l.count + delta);
    if (delta > 0 && (l.entered == kNoSlot || order.Less(l.entered, slot))) {
      l.entered = slot;
    }
    // The instant's count beats the earlier peak: reached by the last
    // region entering (it exists: the count grew past every earlier one).
    l.peak = l.count > l.before.value
                 ? LevelPeak::Best{l.count, l.entered, time}
                 : l.before;
  }
}

const LevelPeak::Best* PeakLevels::PeakAt(int position) const {
  if (levels.empty()) return nullptr;
  return &levels[std::min(levels.size(), static_cast<size_t>(position)) - 1]
              .peak;
}

PeakLevels ComputeLevels(const std::vector<History>& regions,
                         const std::vector<bool>& country, SlotOrder order) {
  struct Change {
    Micros time;
    uint32_t slot;
    int16_t from;
    int16_t to;
  };
  static thread_local std::vector<Change> changes;
  changes.clear();
  for (uint32_t slot = 0; slot < regions.size(); ++slot) {
    if (!country[slot]) continue;
    int16_t previous = 0;
    for (Packed c : regions[slot].changes) {
      const auto position = static_cast<int16_t>(PositionOf(c));
      changes.push_back(Change{TimeOf(c), slot, previous, position});
      previous = position;
    }
  }
  std::sort(changes.begin(), changes.end(),
            [](const Change& a, const Change& b) { return a.time < b.time; });
  PeakLevels out;
  for (const Change& c : changes) {
    out.Apply(order, c.time, c.slot, c.from, c.to);
    if (!out.exact) break;
  }
  return out;
}

}  // namespace hitclock::records::core
