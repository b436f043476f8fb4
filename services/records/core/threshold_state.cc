#include "services/records/core/threshold_state.h"

#include <algorithm>

namespace hitclock::records::core {

void ThresholdState::MoveCrossing(SlotOrder order, uint32_t slot,
                                  std::optional<Micros> from,
                                  std::optional<Micros> to) {
  auto& c = crossings;
  if (from.has_value()) {
    for (auto it = c.begin(); it != c.end(); ++it) {
      if (it->slot == slot) {
        c.erase(it);
        break;
      }
    }
  }
  if (to.has_value()) {
    auto it = c.end();
    while (it != c.begin() &&
           ((it - 1)->time > *to ||
            ((it - 1)->time == *to && order.Less(slot, (it - 1)->slot)))) {
      --it;
    }
    c.insert(it, CrossingAt{*to, slot});
  }
}

void RecomputeSums(std::vector<Step>& steps, size_t from) {
  for (size_t i = from; i < steps.size(); ++i) {
    int sum = (i == 0 ? 0 : steps[i - 1].sum) + steps[i].delta;
    int max = std::max(i == 0 ? 0 : static_cast<int>(steps[i - 1].max), sum);
    steps[i].sum = static_cast<int16_t>(sum);
    steps[i].max = static_cast<int16_t>(max);
  }
}

void ThresholdState::AddStep(SlotOrder order, Micros time, uint32_t slot,
                             int delta) {
  auto& s = steps;
  // Usually near the end: search from the back.
  size_t lo = s.size();
  while (lo > 0 && s[lo - 1].time >= time) --lo;
  for (size_t i = lo; i < s.size() && s[i].time == time; ++i) {
    if (s[i].slot == slot) {
      // The region's net change at this capture becomes 0.
      s.erase(s.begin() + i);
      RecomputeSums(s, i);
      return;
    }
  }
  size_t i = lo;
  while (i < s.size() && s[i].time == time &&
         (s[i].delta < delta ||
          (s[i].delta == delta && order.Less(s[i].slot, slot)))) {
    ++i;
  }
  s.insert(s.begin() + i, Step{time, slot, static_cast<int16_t>(delta), 0, 0});
  RecomputeSums(s, i);
}

void ThresholdState::Sort(SlotOrder order) {
  std::sort(crossings.begin(), crossings.end(),
            [&](const CrossingAt& a, const CrossingAt& b) {
              if (a.time != b.time) return a.time < b.time;
              return order.Less(a.slot, b.slot);
            });
  std::sort(steps.begin(), steps.end(), [&](const Step& a, const Step& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.delta != b.delta) return a.delta < b.delta;
    return order.Less(a.slot, b.slot);
  });
  RecomputeSums(steps, 0);
}

void AppendSteps(const History& h, uint32_t slot, int position, Micros first,
                 std::vector<Step>& out) {
  h.ForEachFlip(position, first, [&](Packed change, bool within) {
    out.push_back(Step{TimeOf(change), slot,
                       static_cast<int16_t>(within ? 1 : -1), 0, 0});
  });
}

}  // namespace hitclock::records::core
