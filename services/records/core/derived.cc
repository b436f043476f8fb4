#include "services/records/core/derived.h"

#include <algorithm>
#include <optional>
#include <thread>

namespace hitclock::records::core {

ThresholdState ComputeState(const EngineState& state, const ChartState& chart,
                            const TrackChart& tc, int position,
                            const std::vector<bool>& in_set, bool with_steps) {
  ThresholdState out;
  if (!with_steps && !state.loading) {
    tc.FirstCrossings(position, in_set, chart.order(), out.crossings);
    return out;
  }
  for (uint32_t slot = 0; slot < tc.regions.size(); ++slot) {
    if (slot >= in_set.size() || !in_set[slot]) continue;
    const History& h = tc.regions[slot];
    const std::optional<Packed> first = h.FirstWithin(position);
    // Never within: no crossing and no step.
    if (!first.has_value()) continue;
    out.crossings.push_back(CrossingAt{TimeOf(*first), slot});
    if (with_steps) AppendSteps(h, slot, position, TimeOf(*first), out.steps);
  }
  out.Sort(chart.order());
  return out;
}

const ThresholdState* StateFor(const EngineState& state,
                               const ChartState& chart, uint32_t track,
                               int position, const std::vector<bool>* in_set,
                               bool with_steps, ThresholdState& scratch) {
  const TrackChart* tc = chart.FindTrackChart(track);
  if (tc == nullptr) return nullptr;
  if (in_set == nullptr) {
    if (std::optional<int> w = state.WatchedIndex(position)) {
      return &tc->watched[*w];
    }
    in_set = &chart.countries;
  }
  scratch = ComputeState(state, chart, *tc, position, *in_set, with_steps);
  return &scratch;
}

std::vector<uint32_t> Candidates(const EngineState& state,
                                 const ChartState& chart, int position) {
  if (std::optional<int> w = state.WatchedIndex(position)) {
    if (static_cast<size_t>(*w) < chart.active.size()) {
      return chart.active[*w];
    }
    return {};
  }
  std::vector<uint32_t> out;
  for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
    const TrackChart* tc = chart.tracks[track].get();
    if (tc != nullptr && tc->best_ever <= position) out.push_back(track);
  }
  return out;
}

void RebuildDerived(const EngineState& state, ChartState& chart) {
  chart.country_count = 0;
  chart.last_country_capture = 0;
  for (uint32_t slot = 0; slot < chart.slots.size(); ++slot) {
    RegionState& rs = chart.slots[slot];
    chart.SetCountry(slot, state.regions.is_country(rs.region));
    chart.country_count += rs.country;
    if (rs.country && !rs.captures.empty()) {
      chart.last_country_capture =
          std::max(chart.last_country_capture, rs.captures.back());
    }
  }
  chart.all_kill_count = state.AllKillCount(chart);
  chart.active.clear();
  const auto& watched = state.options.watched_positions;
  // Each track's derived state depends on its own histories only: the
  // tracks are shared out between threads (interleaved, so that the few
  // big hits spread), and listed as active after.
  auto rebuild = [&](uint32_t first, uint32_t step) {
    for (uint32_t track = first; track < chart.tracks.size(); track += step) {
      TrackChart* tc = chart.tracks[track].get();
      if (tc == nullptr) continue;
      tc->active_mask = 0;
      tc->peaks = ComputeLevels(tc->regions, chart.countries, chart.order());
      tc->stairs = tc->CollectStairs();
      for (size_t w = 0; w < watched.size(); ++w) {
        tc->watched[w] = ComputeState(state, chart, *tc, watched[w],
                                      chart.countries, /*with_steps=*/true);
      }
    }
  };
  const uint32_t threads =
      chart.tracks.size() < 2
          ? 1
          : std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::thread> helpers;
  for (uint32_t t = 1; t < threads; ++t) {
    helpers.emplace_back(rebuild, t, threads);
  }
  rebuild(0, threads);
  for (std::thread& h : helpers) h.join();
  for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
    TrackChart* tc = chart.tracks[track].get();
    if (tc == nullptr) continue;
    for (size_t w = 0; w < watched.size(); ++w) {
      chart.MarkActive(*tc, track, w);
    }
  }
}

}  // namespace hitclock::records::core
