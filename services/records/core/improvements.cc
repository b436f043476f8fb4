#include "services/records/core/improvements.h"

#include <algorithm>

namespace hitclock::records::core {

bool SmallerIsBetter(Metric metric) {
  return metric == Metric::kFastest || metric == Metric::kAllKill;
}

void AppendImprovements(const ThresholdState& state, const Contender& who,
                        Metric metric, int min_regions, int all_kill_count,
                        Micros from, std::vector<Improvement>& out) {
  const std::optional<Micros>& release = who.release;
  const Micros release_time = release.value_or(0);
  const uint32_t track = who.track;
  const auto& cr = state.crossings;
  const auto& st = state.steps;
  switch (metric) {
    case Metric::kFastest: {
      if (!release.has_value() || min_regions < 1 ||
          cr.size() < static_cast<size_t>(min_regions)) {
        return;
      }
      const CrossingAt& nth = cr[min_regions - 1];
      if (nth.time >= from) {
        out.push_back(
            Improvement{nth.time, nth.time - release_time, track, nth.slot});
      }
      return;
    }
    case Metric::kTotal: {
      for (size_t i = 0; i < cr.size(); ++i) {
        if (cr[i].time < from) continue;
        if (i + 1 < cr.size() && cr[i + 1].time == cr[i].time) continue;
        out.push_back(Improvement{cr[i].time, static_cast<int64_t>(i + 1),
                                  track, cr[i].slot});
      }
      return;
    }
    case Metric::kPeak:
    case Metric::kAllKill: {
      if (metric == Metric::kAllKill &&
          (!release.has_value() || all_kill_count == 0)) {
        return;
      }
      // One improvement per instant at which the running maximum grows,
      // made by the first step of that instant reaching it.
      size_t i =
          std::lower_bound(st.begin(), st.end(), from,
                           [](const Step& s, Micros t) { return s.time < t; }) -
          st.begin();
      int max_before = i == 0 ? 0 : st[i - 1].max;
      while (i < st.size()) {
        size_t end = i;
        while (end < st.size() && st[end].time == st[i].time) ++end;
        const int group_max = st[end - 1].max;
        if (group_max > max_before) {
          size_t j = i;
          while (st[j].max != group_max) ++j;
          if (metric == Metric::kPeak) {
            out.push_back(
                Improvement{st[j].time, group_max, track, st[j].slot});
          } else if (group_max >= all_kill_count) {
            out.push_back(Improvement{st[j].time, st[j].time - release_time,
                                      track, st[j].slot});
            return;
          }
          max_before = group_max;
        }
        i = end;
      }
      return;
    }
  }
}

void SortImprovements(const TrackTable& tracks, Metric metric,
                      std::vector<Improvement>& events) {
  const bool smaller = SmallerIsBetter(metric);
  std::sort(events.begin(), events.end(),
            [&](const Improvement& a, const Improvement& b) {
              if (a.time != b.time) return a.time < b.time;
              if (a.value != b.value) {
                return smaller ? a.value < b.value : a.value > b.value;
              }
              return tracks.id(a.track) < tracks.id(b.track);
            });
}

void Feed(Metric metric, const std::vector<Improvement>& events,
          LineageState& lineage) {
  const bool smaller = SmallerIsBetter(metric);
  auto better = [&](int64_t a, int64_t b) { return smaller ? a < b : a > b; };
  for (const Improvement& e : events) {
    lineage.last_time = std::max(lineage.last_time, e.time);
    if (lineage.holdings.empty()) {
      lineage.holdings.push_back(
          Holding{e.track, e.value, e.time, e.slot, e.value});
      continue;
    }
    Holding& holder = lineage.holdings.back();
    if (e.track == holder.track) {
      if (better(e.value, holder.best)) holder.best = e.value;
    } else if (better(e.value, holder.best)) {
      lineage.holdings.push_back(
          Holding{e.track, e.value, e.time, e.slot, e.value});
    }
  }
}

}  // namespace hitclock::records::core
