#include "services/records/core/track_chart.h"

#include <algorithm>
#include <utility>

namespace hitclock::records::core {

History& TrackChart::HistoryAt(uint32_t slot) {
  if (regions.size() <= slot) regions.resize(slot + 1);
  return regions[slot];
}

void TrackChart::AddStair(StairAt stair) {
  // Usually the latest: insert from the back.
  auto it = stairs.end();
  while (it != stairs.begin() && stair < *(it - 1)) --it;
  stairs.insert(it, stair);
}

void TrackChart::ReplaceStairs(uint32_t slot,
                               const absl::InlinedVector<Packed, 2>& before,
                               const absl::InlinedVector<Packed, 2>& after) {
  if (before == after) return;
  for (Packed step : before) {
    auto it =
        std::lower_bound(stairs.begin(), stairs.end(), StairAt{step, slot});
    stairs.erase(it);
  }
  for (Packed step : after) AddStair(StairAt{step, slot});
}

std::vector<StairAt> TrackChart::CollectStairs() const {
  std::vector<StairAt> out;
  for (uint32_t slot = 0; slot < regions.size(); ++slot) {
    for (Packed step : regions[slot].stairs) out.push_back({step, slot});
  }
  std::sort(out.begin(), out.end());
  return out;
}

void TrackChart::SetBest(uint32_t slot) {
  if (best_by_slot.size() <= slot) best_by_slot.resize(slot + 1);
  best_by_slot[slot] = static_cast<uint16_t>(regions[slot].Best());
}

void TrackChart::FirstCrossings(int position, const std::vector<bool>& eligible,
                                SlotOrder order, std::vector<CrossingAt>& out,
                                size_t limit) const {
  out.clear();
  static thread_local std::vector<uint8_t> seen;
  if (seen.size() < eligible.size()) seen.resize(eligible.size());
  for (const StairAt& s : stairs) {
    // The first `limit` are known once a later instant comes.
    if (out.size() >= limit && TimeOf(s.step) > out[limit - 1].time) break;
    if (PositionOf(s.step) > position) continue;
    if (s.slot >= eligible.size() || !eligible[s.slot] || seen[s.slot] != 0) {
      continue;
    }
    seen[s.slot] = 1;
    out.push_back(CrossingAt{TimeOf(s.step), s.slot});
  }
  for (const CrossingAt& c : out) seen[c.slot] = 0;
  // Ordered by time already; same-instant crossings by region code (an
  // insertion sort: linear on the sorted input).
  for (size_t i = 1; i < out.size(); ++i) {
    for (size_t j = i; j > 0 && out[j].time == out[j - 1].time &&
                       order.Less(out[j].slot, out[j - 1].slot);
         --j) {
      std::swap(out[j], out[j - 1]);
    }
  }
}

int TrackChart::RegionsWithin(int position,
                              const std::vector<bool>& eligible) const {
  int count = 0;
  for (uint32_t slot = 0; slot < best_by_slot.size(); ++slot) {
    const int best = best_by_slot[slot];
    count += best != 0 && best <= position && eligible[slot];
  }
  return count;
}

}  // namespace hitclock::records::core
