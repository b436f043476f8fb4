#include "services/records/core/apply.h"

#include <algorithm>
#include <array>
#include <optional>

#include "absl/container/inlined_vector.h"

namespace hitclock::records::core {

Applied ApplyPlan(EngineState& state, const AppendPlan& plan,
                  const Snapshot& snapshot) {
  Applied out;
  if (plan.outcome == AppendOutcome::kDuplicate) {
    if (std::optional<uint32_t> c = state.FindChart(snapshot.chart)) {
      const ChartState& chart = *state.charts[*c];
      out.chart = *c;
      out.backfilled = chart.snapshot_count > 0 &&
                       snapshot.capture_time < chart.last_capture;
    }
    return out;
  }
  // Observations by track number, sorted by track: the known ones are, and
  // the new ones come after them (numbered since the plan).
  std::vector<std::pair<uint32_t, int>> obs;
  obs.reserve(plan.known.size() + plan.fresh.size());
  obs.insert(obs.end(), plan.known.begin(), plan.known.end());
  for (const auto& [entry, position] : plan.fresh) {
    obs.emplace_back(state.tracks.Intern(snapshot.entries[entry].track_id),
                     position);
  }
  if (!std::is_sorted(obs.begin() + plan.known.size(), obs.end())) {
    std::sort(obs.begin() + plan.known.size(), obs.end());
  }

  out.chart = state.ChartIndex(snapshot.chart);
  ChartState& chart = *state.charts[out.chart];
  const size_t slots_before = chart.slots.size();
  const uint32_t slot = state.SlotFor(chart, snapshot.region);
  // The all-kill set only changes with a new region (or a region kind or
  // the declared countries, which recount themselves).
  out.all_kill_count_changed =
      chart.slots.size() != slots_before && state.UpdateAllKillCount(chart);
  const Micros time = snapshot.capture_time;
  out.backfilled = chart.snapshot_count > 0 && time < chart.last_capture;

  ChartWriter writer(state, out.chart, out.touched);
  const RegionState& rs = chart.slots[slot];
  if (std::binary_search(rs.captures.begin(), rs.captures.end(), time)) {
    writer.RewriteCapture(slot, time, snapshot.chart_size,
                          chart.ObservationsAt(slot, time), obs);
  } else {
    writer.AddCapture(slot, time, snapshot.chart_size, obs);
  }
  return out;
}

ChartWriter::ChartWriter(EngineState& state, uint32_t chart,
                         absl::flat_hash_map<uint32_t, Touched>& touched)
    : state_(state), chart_(*state.charts[chart]), touched_(touched) {}

void ChartWriter::Touch(TrackChart& tc, uint32_t track) {
  if (!state_.record_events) return;
  auto [it, inserted] = touched_.try_emplace(track);
  if (inserted) {
    it->second.track = track;
    it->second.before = tc.watched;
  }
}

void ChartWriter::RewriteCapture(
    uint32_t slot, Micros time, int chart_size,
    absl::Span<const std::pair<uint32_t, int>> held,
    absl::Span<const std::pair<uint32_t, int>> obs) {
  RegionState& rs = chart_.slots[slot];
  const size_t index =
      std::lower_bound(rs.captures.begin(), rs.captures.end(), time) -
      rs.captures.begin();
  // Every track whose position changes: merge both sorted lists.
  size_t i = 0, j = 0;
  while (i < held.size() || j < obs.size()) {
    if (j == obs.size() || (i < held.size() && held[i].first < obs[j].first)) {
      SetValue(slot, held[i].first, time, 0, false);
      ++i;
    } else if (i == held.size() || obs[j].first < held[i].first) {
      SetValue(slot, obs[j].first, time, obs[j].second, false);
      ++j;
    } else {
      if (held[i].second != obs[j].second) {
        SetValue(slot, obs[j].first, time, obs[j].second, false);
      }
      ++i;
      ++j;
    }
  }
  rs.sizes[index] = static_cast<uint16_t>(chart_size);
  if (index + 1 == rs.captures.size()) {
    rs.latest_present.clear();
    for (const auto& [track, position] : obs) {
      rs.latest_present.push_back(track);
    }
  }
  chart_.observation_count +=
      static_cast<int64_t>(obs.size()) - static_cast<int64_t>(held.size());
}

void ChartWriter::AddCapture(uint32_t slot, Micros time, int chart_size,
                             absl::Span<const std::pair<uint32_t, int>> obs) {
  RegionState& rs = chart_.slots[slot];
  chart_.CountCapture(time, rs.country, static_cast<int64_t>(obs.size()));
  if (rs.captures.empty() || time > rs.captures.back()) {
    AddLatest(slot, time, chart_size, obs);
    return;
  }
  // Out of order: insert the capture, then fix every track whose value at
  // it differs from the value its previous capture carried.
  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(), time);
  const size_t index = at - rs.captures.begin();
  rs.captures.insert(at, time);
  rs.sizes.insert(rs.sizes.begin() + index, static_cast<uint16_t>(chart_size));
  // The tracks that may be present at the previous capture (before this
  // one's observations are added to the hour blocks).
  std::vector<uint32_t> candidates;
  if (index > 0) {
    if (const std::vector<uint32_t>* shown =
            rs.FindShown(rs.captures[index - 1])) {
      candidates = *shown;
    }
  }
  for (const auto& [track, position] : obs) {
    SetValue(slot, track, time, position, true);
  }
  for (const uint32_t track : candidates) {
    auto it =
        std::lower_bound(obs.begin(), obs.end(), std::make_pair(track, 0));
    if (it != obs.end() && it->first == track) continue;
    const TrackChart* tc = chart_.FindTrackChart(track);
    if (tc == nullptr || tc->regions.size() <= slot) continue;
    if (tc->regions[slot].ValueBefore(time) != 0) {
      SetValue(slot, track, time, 0, true);
    }
  }
}

void ChartWriter::Drop(uint32_t slot, uint32_t track, Micros time) {
  TrackChart& tc = *chart_.tracks[track];
  History& h = tc.regions[slot];
  const int old = PositionOf(h.changes.back());
  h.PushChange(Pack(time, 0));
  ++chart_.change_count;
  if (!chart_.slots[slot].country || state_.loading) return;
  tc.peaks.Apply(chart_.order(), time, slot, old, 0);
  const auto& watched = state_.options.watched_positions;
  for (size_t w = 0; w < watched.size(); ++w) {
    if (old <= watched[w]) {
      Touch(tc, track);
      tc.watched[w].AddStep(chart_.order(), time, slot, -1);
    }
  }
}

void ChartWriter::AddLatest(uint32_t slot, Micros time, int chart_size,
                            absl::Span<const std::pair<uint32_t, int>> obs) {
  RegionState& rs = chart_.slots[slot];
  const bool country = rs.country;
  const bool loading = state_.loading;
  const auto& watched = state_.options.watched_positions;
  const SlotOrder order = chart_.order();
  rs.captures.push_back(time);
  rs.sizes.push_back(static_cast<uint16_t>(chart_size));
  std::vector<uint32_t> present;
  present.reserve(obs.size());
  const std::vector<uint32_t>& before = rs.latest_present;
  size_t b = 0;

  rs.AddAllShown(time, obs);
  for (const auto& [track, position] : obs) {
    while (b < before.size() && before[b] < track)
      Drop(slot, before[b++], time);
    if (b < before.size() && before[b] == track) ++b;
    present.push_back(track);
    TrackChart& tc = chart_.TrackChartFor(track, watched.size());
    History& h = tc.HistoryAt(slot);
    if (h.changes.empty()) rs.tracks.push_back(track);
    const int old = h.changes.empty() ? 0 : PositionOf(h.changes.back());
    if (old == position) continue;
    h.PushChange(Pack(time, position));
    ++chart_.change_count;
    const int best =
        h.stairs.empty() ? kMaxChartSize + 1 : PositionOf(h.stairs.back());
    if (position < best) {
      h.stairs.push_back(Pack(time, position));
      tc.SetBest(slot);
      if (!loading) tc.AddStair(StairAt{Pack(time, position), slot});
      tc.best_ever = std::min(tc.best_ever, position);
    }
    if (!country || loading) continue;
    tc.peaks.Apply(order, time, slot, old, position);
    for (size_t w = 0; w < watched.size(); ++w) {
      const int p = watched[w];
      const bool was = old != 0 && old <= p;
      const bool is = position <= p;
      if (was == is && !(is && best > p)) continue;
      Touch(tc, track);
      if (is && best > p) {
        tc.watched[w].MoveCrossing(order, slot, std::nullopt, time);
        chart_.MarkActive(tc, track, w);
      }
      if (was != is) tc.watched[w].AddStep(order, time, slot, is ? 1 : -1);
    }
  }
  while (b < before.size()) Drop(slot, before[b++], time);
  rs.latest_present = std::move(present);
}

void ChartWriter::SetValue(uint32_t slot, uint32_t track, Micros time,
                           int position, bool new_capture) {
  RegionState& rs = chart_.slots[slot];
  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(), time);
  std::optional<Micros> next;
  if (at + 1 < rs.captures.end()) next = *(at + 1);

  TrackChart& tc = chart_.TrackChartFor(track, state_.watched_count());
  History& h = tc.HistoryAt(slot);
  if (h.changes.empty()) {
    if (position == 0) return;
    rs.tracks.push_back(track);
  }
  if (position != 0) rs.AddShown(time, track);
  auto& c = h.changes;
  auto lo = std::lower_bound(c.begin(), c.end(), Pack(time, 0));
  const int before = lo == c.begin() ? 0 : PositionOf(*(lo - 1));
  const bool has_at = lo != c.end() && TimeOf(*lo) == time;
  const int old_at = has_at ? PositionOf(*lo) : before;
  if (old_at == position) return;
  auto nx = has_at ? lo + 1 : lo;
  struct Unlist {
    RegionState& rs;
    const History& h;
    uint32_t track;
    // A history emptied by a replacement leaves the region's track list.
    ~Unlist() {
      if (h.changes.empty()) {
        rs.tracks.erase(std::find(rs.tracks.begin(), rs.tracks.end(), track));
      }
    }
  } unlist{rs, h, track};
  const bool has_next_change =
      next.has_value() && nx != c.end() && TimeOf(*nx) == *next;
  const int at_next = has_next_change ? PositionOf(*nx) : old_at;

  // Rewrite the change points at `time` and `next` only: the values at
  // every other capture stay.
  const size_t from = lo - c.begin();
  c.erase(c.begin() + from,
          c.begin() + from + (has_at ? 1 : 0) + (has_next_change ? 1 : 0));
  std::array<Packed, 2> add;
  size_t n = 0;
  if (position != before) add[n++] = Pack(time, position);
  if (next.has_value() && at_next != position) add[n++] = Pack(*next, at_next);
  c.insert(c.begin() + from, add.begin(), add.begin() + n);
  h.ResummarizeFrom(from);
  chart_.change_count +=
      static_cast<int64_t>(n) - (has_at ? 1 : 0) - (has_next_change ? 1 : 0);

  const auto& watched = state_.options.watched_positions;
  absl::InlinedVector<std::optional<Packed>, 4> firsts(watched.size());
  for (size_t w = 0; w < watched.size(); ++w) {
    firsts[w] = h.FirstWithin(watched[w]);
  }
  if (position != 0) tc.best_ever = std::min(tc.best_ever, position);
  const absl::InlinedVector<Packed, 2> stairs_before = h.stairs;
  if (new_capture) {
    // A new observation only adds to the staircase.
    if (position != 0) h.AddToStairs(time, position);
  } else {
    // The observation at an existing capture changed: rare, rebuild.
    h.RebuildStairs();
  }
  tc.SetBest(slot);
  if (!state_.loading) tc.ReplaceStairs(slot, stairs_before, h.stairs);
  if (!rs.country) return;
  // A change before the latest: the running peak levels no longer hold.
  if (!state_.loading) tc.peaks = PeakLevels::GivenUp(time);
  // At a new capture the value carried there was `old_at`, so the indicator
  // changes at `time` and back at `next` exactly as for a replacement.
  const SlotOrder order = chart_.order();
  for (size_t w = 0; w < watched.size(); ++w) {
    const int p = watched[w];
    std::optional<Packed> first = h.FirstWithin(p);
    if (first != firsts[w]) {
      Touch(tc, track);
      std::optional<Micros> from_time, to_time;
      if (firsts[w].has_value()) from_time = TimeOf(*firsts[w]);
      if (first.has_value()) to_time = TimeOf(*first);
      tc.watched[w].MoveCrossing(order, slot, from_time, to_time);
      chart_.MarkActive(tc, track, w);
    }
    const bool was = old_at != 0 && old_at <= p;
    const bool is = position != 0 && position <= p;
    if (was != is) {
      Touch(tc, track);
      tc.watched[w].AddStep(order, time, slot, is ? 1 : -1);
      if (next.has_value()) {
        tc.watched[w].AddStep(order, *next, slot, is ? -1 : 1);
      }
    }
  }
}

}  // namespace hitclock::records::core
