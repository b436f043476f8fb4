// Position histories: where one track stood in one region of one chart over
// time, kept compactly. A history holds only the captures at which the
// position changed (entering, moving, leaving), the staircase of first
// instants at each better position reached (the region's first crossing of
// any threshold P is its first stair at P or better), and per-block
// summaries that let a scan at any threshold skip blocks of change points
// that lie wholly within or wholly outside it.
//
// Read this unit first: every other unit of the records core is built on
// these change points.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_HISTORY_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_HISTORY_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// An instant and a position packed in one integer: instant * 1024 +
// position (0 = absent from the chart). Ordered by instant, then position.
using Packed = int64_t;

inline Packed Pack(Micros time, int position) { return time * 1024 + position; }
inline Micros TimeOf(Packed p) { return p >> 10; }
inline int PositionOf(Packed p) { return static_cast<int>(p & 1023); }

// The change points of one (track, chart, region).
struct History {
  // Change points per block summary.
  static constexpr size_t kBlock = 32;

  // (capture, position from it on), only where the position changes.
  std::vector<Packed> changes;
  // (first instant at this position or better, position), positions
  // strictly decreasing.
  absl::InlinedVector<Packed, 2> stairs;
  // Per full block of `kBlock` change points (the last, partial block has
  // none): the lowest and highest position in it, absent counted as 1024,
  // as `low | high << 16`.
  std::vector<uint32_t> blocks;

  // The position held just before `time` (0 = absent).
  int ValueBefore(Micros time) const;
  // The position shown at `time` (0 = absent).
  int ValueAt(Micros time) const;
  // The first stair at `position` or better: the region's first crossing
  // of that threshold. Unset when never within.
  std::optional<Packed> FirstWithin(int position) const;
  // The best position ever shown (0 = never shown).
  int Best() const { return stairs.empty() ? 0 : PositionOf(stairs.back()); }

  // Appends a change point after the last one, keeping the summaries.
  void PushChange(Packed change);
  // Recomputes the block summaries from the block holding change `index`
  // (after the change points from there on were rewritten).
  void ResummarizeFrom(size_t index);
  // Recomputes the staircase from the change points.
  void RebuildStairs();
  // Adds an observation at a new capture to the staircase.
  void AddToStairs(Micros time, int position);

  // Calls `fn(change, within)` for every change point at or after `first`
  // at which being within `position` flips (starting outside), skipping
  // summarized blocks that cannot flip it.
  template <typename Fn>
  void ForEachFlip(int position, Micros first, Fn&& fn) const;

 private:
  static uint32_t SummaryOf(const Packed* block);
};

template <typename Fn>
void History::ForEachFlip(int position, Micros first, Fn&& fn) const {
  const std::vector<Packed>& c = changes;
  // Nothing before the first crossing is within the threshold.
  size_t i = std::lower_bound(c.begin(), c.end(), Pack(first, 0)) - c.begin();
  bool within = false;
  auto set = [&](Packed change, bool now) {
    if (now == within) return;
    fn(change, now);
    within = now;
  };
  const uint32_t p = static_cast<uint32_t>(position);
  while (i < c.size()) {
    if (i % kBlock == 0 && i / kBlock < blocks.size()) {
      const uint32_t summary = blocks[i / kBlock];
      if (summary >> 16 <= p) {  // every point within
        set(c[i], true);
        i += kBlock;
        continue;
      }
      if ((summary & 0xffff) > p) {  // every point outside
        set(c[i], false);
        i += kBlock;
        continue;
      }
    }
    const int q = PositionOf(c[i]);
    set(c[i], q != 0 && q <= position);
    ++i;
  }
}

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_HISTORY_H_
