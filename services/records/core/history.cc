#include "services/records/core/history.h"

#include <algorithm>

namespace hitclock::records::core {

int History::ValueBefore(Micros time) const {
  auto it = std::lower_bound(changes.begin(), changes.end(), Pack(time, 0));
  return it == changes.begin() ? 0 : PositionOf(*(it - 1));
}

int History::ValueAt(Micros time) const {
  auto it = std::upper_bound(changes.begin(), changes.end(), Pack(time, 1023));
  return it == changes.begin() ? 0 : PositionOf(*(it - 1));
}

std::optional<Packed> History::FirstWithin(int position) const {
  for (Packed step : stairs) {
    if (PositionOf(step) <= position) return step;
  }
  return std::nullopt;
}

void History::RebuildStairs() {
  stairs.clear();
  for (Packed change : changes) {
    int p = PositionOf(change);
    if (p != 0 && (stairs.empty() || p < PositionOf(stairs.back()))) {
      stairs.push_back(change);
    }
  }
}

uint32_t History::SummaryOf(const Packed* block) {
  uint32_t low = 1024, high = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    const int p = PositionOf(block[i]);
    const uint32_t v = p == 0 ? 1024 : static_cast<uint32_t>(p);
    low = std::min(low, v);
    high = std::max(high, v);
  }
  return low | high << 16;
}

void History::PushChange(Packed change) {
  changes.push_back(change);
  if (changes.size() % kBlock == 0) {
    blocks.push_back(SummaryOf(changes.data() + changes.size() - kBlock));
  }
}

void History::ResummarizeFrom(size_t index) {
  blocks.resize(std::min(blocks.size(), index / kBlock));
  for (size_t b = blocks.size(); (b + 1) * kBlock <= changes.size(); ++b) {
    blocks.push_back(SummaryOf(changes.data() + b * kBlock));
  }
}

void History::AddToStairs(Micros time, int position) {
  auto& s = stairs;
  // The steps at or before `time`; the last of them is the best so far.
  auto it = std::upper_bound(s.begin(), s.end(), Pack(time, 1023));
  if (it != s.begin() && PositionOf(*(it - 1)) <= position) return;
  auto end = it;
  while (end != s.end() && PositionOf(*end) >= position) ++end;
  it = s.erase(it, end);
  s.insert(it, Pack(time, position));
}

}  // namespace hitclock::records::core
