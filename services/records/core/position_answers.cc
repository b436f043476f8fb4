#include "services/records/core/position_answers.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/records/core/category.h"
#include "services/records/core/derived.h"
#include "services/records/core/improvements.h"

namespace hitclock::records::core::position {
namespace {

absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status CheckMinRegions(const RecordKey& key) {
  if (key.metric == Metric::kFastest && key.min_regions < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_regions: must be at least 1, got ", key.min_regions));
  }
  return absl::OkStatus();
}

// Marks the named regions held by `chart` in `in_set` (sized to the
// chart's slots); calls `held(slot)` for each. Errors on an empty code.
template <typename Fn>
absl::Status MarkRegions(const EngineState& state, const ChartState& chart,
                         const std::vector<std::string>& regions,
                         std::vector<bool>& in_set, Fn&& held) {
  for (size_t i = 0; i < regions.size(); ++i) {
    const std::string& code = regions[i];
    if (code.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("regions[", i, "]: empty region code"));
    }
    std::optional<uint32_t> r = state.regions.Find(code);
    if (!r.has_value()) continue;
    std::optional<uint32_t> slot = chart.FindSlot(*r);
    if (!slot.has_value()) continue;
    in_set[*slot] = true;
    held(*slot);
  }
  return absl::OkStatus();
}

void SetReached(const ChartState& chart, const CrossingAt& nth,
                TimeToThresholdAnswer& out) {
  out.reached = true;
  out.reach_time = nth.time;
  out.time_to_threshold = nth.time - out.reference_time;
  out.completing_region = chart.RegionCode(nth.slot);
  out.bounds = chart.BoundsOf(nth.slot, nth.time, out.reference_time);
}

}  // namespace

absl::StatusOr<TimeToThresholdAnswer> TimeToThreshold(
    const EngineState& state, const ChartState& chart,
    const TimeToThresholdQuery& query) {
  if (query.min_regions < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "min_regions: must be at least 1, got ", query.min_regions));
  }
  const int p = static_cast<int>(query.threshold.value());
  std::optional<uint32_t> track = state.tracks.Find(query.track_id);
  TimeToThresholdAnswer out;
  const TrackFacts* facts =
      track.has_value() ? state.tracks.facts(*track) : nullptr;
  if (query.reference_time.has_value()) {
    out.reference_time = *query.reference_time;
  } else if (facts != nullptr && facts->release_time.has_value()) {
    out.reference_time = *facts->release_time;
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat("reference_time: track '", AbslView(query.track_id),
                     "' has no release instant; give a reference instant"));
  }

  std::vector<bool> in_set;
  const std::vector<bool>* set = nullptr;
  if (query.regions.empty()) {
    out.eligible_region_count = chart.country_count;
    out.as_of_time = chart.last_country_capture;
  } else {
    in_set.resize(chart.slots.size());
    absl::flat_hash_set<std::string> named(query.regions.begin(),
                                           query.regions.end());
    if (absl::Status s = MarkRegions(state, chart, query.regions, in_set,
                                     [&](uint32_t slot) {
                                       out.as_of_time = std::max(
                                           out.as_of_time,
                                           chart.slots[slot].captures.back());
                                     });
        !s.ok()) {
      return s;
    }
    out.eligible_region_count = static_cast<int>(named.size());
    set = &in_set;
  }

  const TrackChart* held =
      track.has_value() ? chart.FindTrackChart(*track) : nullptr;
  if (held == nullptr) return out;
  if (!query.with_crossings && set == nullptr && !state.WatchedIndex(p)) {
    // Unwatched P, no crossing list: the count from each region's best
    // position, and the crossings only up to the N-th.
    out.region_count = held->RegionsWithin(p, chart.countries);
    if (out.region_count < query.min_regions) return out;
    std::vector<CrossingAt> firsts;
    held->FirstCrossings(p, chart.countries, chart.order(), firsts,
                         query.min_regions);
    SetReached(chart, firsts[query.min_regions - 1], out);
    return out;
  }
  ThresholdState scratch;
  const ThresholdState* ts =
      StateFor(state, chart, *track, p, set, /*with_steps=*/false, scratch);
  out.region_count = static_cast<int>(ts->crossings.size());
  if (query.with_crossings) {
    out.crossings.reserve(ts->crossings.size());
    for (const CrossingAt& c : ts->crossings) {
      Crossing crossing;
      crossing.region = chart.RegionCode(c.slot);
      crossing.capture_time = c.time;
      crossing.previous_capture_time =
          chart.slots[c.slot].CaptureBefore(c.time);
      crossing.position = PositionOf(*held->regions[c.slot].FirstWithin(p));
      crossing.elapsed = c.time - out.reference_time;
      out.crossings.push_back(std::move(crossing));
    }
  }
  if (out.region_count >= query.min_regions) {
    SetReached(chart, ts->crossings[query.min_regions - 1], out);
  }
  return out;
}

absl::StatusOr<TimelineAnswer> Timeline(const EngineState& state,
                                        const ChartState& chart,
                                        const TimelineQuery& query) {
  const int p = static_cast<int>(query.threshold.value());
  std::vector<bool> in_set(chart.slots.size());
  if (absl::Status s =
          MarkRegions(state, chart, query.regions, in_set, [](uint32_t) {});
      !s.ok()) {
    return s;
  }
  const std::vector<bool>* set = query.regions.empty() ? nullptr : &in_set;
  Micros as_of = 0;
  for (uint32_t s = 0; s < chart.slots.size(); ++s) {
    if (set == nullptr ? chart.slots[s].country : in_set[s]) {
      as_of = std::max(as_of, chart.slots[s].captures.back());
    }
  }

  TimelineAnswer out;
  std::optional<uint32_t> track = state.tracks.Find(query.track_id);
  ThresholdState scratch;
  const ThresholdState* ts =
      track.has_value() ? StateFor(state, chart, *track, p, set, true, scratch)
                        : nullptr;
  static const ThresholdState kEmpty;
  if (ts == nullptr) ts = &kEmpty;

  // Every instant a count changes, with the counts from it on.
  std::vector<TimelinePoint> full;
  const auto& cr = ts->crossings;
  const auto& st = ts->steps;
  size_t ci = 0, si = 0;
  int total = 0, simultaneous = 0;
  while (ci < cr.size() || si < st.size()) {
    Micros t = std::numeric_limits<Micros>::max();
    if (ci < cr.size()) t = cr[ci].time;
    if (si < st.size()) t = std::min(t, st[si].time);
    while (ci < cr.size() && cr[ci].time == t) {
      ++total;
      ++ci;
    }
    while (si < st.size() && st[si].time == t) {
      simultaneous = st[si].sum;
      ++si;
    }
    if (full.empty() || full.back().total != total ||
        full.back().simultaneous != simultaneous) {
      full.push_back(TimelinePoint{t, total, simultaneous});
    }
  }
  if (!st.empty() && st.back().max > 0) {
    out.peak_simultaneous = st.back().max;
    for (const Step& s : st) {
      if (s.max == out.peak_simultaneous) {
        out.peak_time = s.time;
        break;
      }
    }
  }

  std::optional<Micros> start = query.start_time;
  if (!start.has_value() && !cr.empty()) start = cr.front().time;
  if (!start.has_value()) return out;
  const Micros end = std::max(*start, query.end_time.value_or(as_of));
  auto value_at = [&](Micros t) {
    auto it = std::upper_bound(
        full.begin(), full.end(), t,
        [](Micros v, const TimelinePoint& pt) { return v < pt.time; });
    if (it == full.begin()) return TimelinePoint{t, 0, 0};
    TimelinePoint pt = *(it - 1);
    pt.time = t;
    return pt;
  };
  out.points.push_back(value_at(*start));
  for (const TimelinePoint& pt : full) {
    if (pt.time > *start && pt.time <= end) out.points.push_back(pt);
  }
  if (out.points.back().time < end) out.points.push_back(value_at(end));
  out.total = out.points.back().total;
  return out;
}

TrackTotals Totals(const EngineState& state, const ChartState& chart,
                   std::string_view track_id, int position) {
  TrackTotals out;
  std::optional<uint32_t> track = state.tracks.Find(track_id);
  if (!track.has_value()) return out;
  ThresholdState scratch;
  const ThresholdState* ts =
      StateFor(state, chart, *track, position, nullptr, true, scratch);
  if (ts == nullptr || ts->crossings.empty()) return out;
  out.total = static_cast<int>(ts->crossings.size());
  out.total_reach_time = ts->crossings.back().time;
  out.peak = ts->steps.empty() ? 0 : ts->steps.back().max;
  for (const Step& s : ts->steps) {
    if (s.max == out.peak) {
      out.peak_time = s.time;
      break;
    }
  }
  return out;
}

absl::StatusOr<Leaderboard> GetLeaderboard(const EngineState& state,
                                           const ChartState& chart,
                                           const RecordKey& key) {
  if (absl::Status s = CheckMinRegions(key); !s.ok()) return s;
  const Category category = NormalizeCategory(key.category);
  const int p = static_cast<int>(key.threshold.value());
  const bool watched = state.WatchedIndex(p).has_value();
  const bool with_steps =
      key.metric == Metric::kPeak || key.metric == Metric::kAllKill;
  std::vector<Improvement> rows;
  std::vector<Improvement> events;
  ThresholdState scratch;
  // At an unwatched P, fastest and total need only each region's first
  // crossing: the N-th (by time, ties by region code) or the count and the
  // last, found without building and sorting every track's state.
  const bool direct = !watched && !with_steps;
  // At an unwatched P, peak and all-kill read the track's peak levels when
  // they hold.
  const bool levels = !watched && with_steps;
  std::vector<CrossingAt> firsts;
  for (uint32_t track : Candidates(state, chart, p)) {
    const TrackFacts* facts = state.tracks.facts(track);
    if (facts == nullptr || !Matches(category, *facts)) continue;
    const TrackChart& tc = *chart.tracks[track];
    if (levels && tc.peaks.exact) {
      const LevelPeak::Best* peak = tc.peaks.PeakAt(p);
      if (peak == nullptr || peak->value == 0) continue;
      if (key.metric == Metric::kPeak) {
        rows.push_back(Improvement{peak->time, peak->value, track, peak->slot});
        continue;
      }
      if (facts->release_time.has_value() && chart.all_kill_count > 0 &&
          peak->value >= chart.all_kill_count) {
        rows.push_back(Improvement{
            peak->time, peak->time - *facts->release_time, track, peak->slot});
      }
      continue;
    }
    if (direct) {
      // Fastest needs the crossings up to the N-th only.
      tc.FirstCrossings(p, chart.countries, chart.order(), firsts,
                        key.metric == Metric::kFastest
                            ? static_cast<size_t>(key.min_regions)
                            : std::numeric_limits<size_t>::max());
      if (firsts.empty()) continue;
      if (key.metric == Metric::kTotal) {
        const CrossingAt& last = firsts.back();
        rows.push_back(Improvement{
            last.time, static_cast<int64_t>(firsts.size()), track, last.slot});
        continue;
      }
      if (!facts->release_time.has_value() ||
          firsts.size() < static_cast<size_t>(key.min_regions)) {
        continue;
      }
      const CrossingAt& nth = firsts[key.min_regions - 1];
      rows.push_back(Improvement{nth.time, nth.time - *facts->release_time,
                                 track, nth.slot});
      continue;
    }
    const ThresholdState* ts =
        StateFor(state, chart, track, p, nullptr, with_steps, scratch);
    events.clear();
    AppendImprovements(*ts, ContenderOf(state, track), key.metric,
                       key.min_regions, chart.all_kill_count,
                       std::numeric_limits<Micros>::min(), events);
    if (!events.empty()) rows.push_back(events.back());
  }
  const bool smaller = SmallerIsBetter(key.metric);
  std::sort(rows.begin(), rows.end(),
            [&](const Improvement& a, const Improvement& b) {
              if (a.value != b.value) {
                return smaller ? a.value < b.value : a.value > b.value;
              }
              if (a.time != b.time) return a.time < b.time;
              return state.tracks.id(a.track) < state.tracks.id(b.track);
            });
  Leaderboard out;
  out.as_of_time = chart.last_capture;
  out.rows.reserve(rows.size());
  for (const Improvement& r : rows) {
    out.rows.push_back(
        HolderOf(state, chart, r.track, r.value, r.time, r.slot, r.value));
  }
  return out;
}

absl::StatusOr<Lineage> GetLineage(const EngineState& state,
                                   const RecordBook* book,
                                   const ChartState& chart,
                                   const RecordKey& key) {
  if (absl::Status s = CheckMinRegions(key); !s.ok()) return s;
  const KeyId id{*state.FindChart(key.chart), key.metric,
                 static_cast<int32_t>(key.threshold.value()),
                 key.metric == Metric::kFastest ? key.min_regions : 0,
                 NormalizeCategory(key.category)};
  // A watched record's lineage is kept up to date by appends.
  const LineageState* lineage = book != nullptr ? book->Find(id) : nullptr;
  LineageState computed;
  if (lineage == nullptr) {
    computed = RecordBook::Compute(state, id);
    lineage = &computed;
  }
  Lineage out;
  out.as_of_time = chart.last_capture;
  for (const Holding& h : lineage->holdings) {
    out.holders.push_back(
        HolderOf(state, chart, h.track, h.value, h.time, h.slot, h.best));
  }
  return out;
}

}  // namespace hitclock::records::core::position
