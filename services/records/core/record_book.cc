#include "services/records/core/record_book.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "services/records/core/category.h"
#include "services/records/core/derived.h"

namespace hitclock::records::core {
namespace {

constexpr uint32_t kNoTrack = std::numeric_limits<uint32_t>::max();
constexpr Micros kAlways = std::numeric_limits<Micros>::min();

// The (metric, N) pairs of the watched records at one P.
std::vector<std::pair<Metric, int>> WatchedMetrics(
    const EngineOptions& options) {
  std::vector<std::pair<Metric, int>> metrics;
  for (int n : options.milestones) metrics.emplace_back(Metric::kFastest, n);
  metrics.emplace_back(Metric::kTotal, 0);
  metrics.emplace_back(Metric::kPeak, 0);
  metrics.emplace_back(Metric::kAllKill, 0);
  return metrics;
}

}  // namespace

std::vector<KeyId> WatchedKeys(const EngineOptions& options, uint32_t chart,
                               const std::vector<Category>& categories) {
  std::vector<KeyId> out;
  for (const Category& category : categories) {
    for (int p : options.watched_positions) {
      for (int n : options.milestones) {
        out.push_back(KeyId{chart, Metric::kFastest, p, n, category});
      }
      out.push_back(KeyId{chart, Metric::kTotal, p, 0, category});
      out.push_back(KeyId{chart, Metric::kPeak, p, 0, category});
      out.push_back(KeyId{chart, Metric::kAllKill, p, 0, category});
    }
  }
  return out;
}

Contender ContenderOf(const EngineState& state, uint32_t track) {
  const TrackFacts* facts = state.tracks.facts(track);
  return Contender{
      track, facts != nullptr ? facts->release_time : std::optional<Micros>()};
}

RecordHolder HolderOf(const EngineState& state, const ChartState& chart,
                      uint32_t track, int64_t value, Micros time, uint32_t slot,
                      int64_t best) {
  RecordHolder out;
  out.track_id = state.tracks.id(track);
  out.value = value;
  out.reach_time = time;
  out.reach_region = chart.RegionCode(slot);
  out.bounds = chart.BoundsOf(slot, time, ContenderOf(state, track).release);
  out.best_value = best;
  return out;
}

RecordKey PublicKey(const EngineState& state, const KeyId& key) {
  return RecordKey{state.charts[key.chart]->name, key.metric,
                   Threshold::Position(key.position),
                   key.metric == Metric::kFastest ? key.min_regions : 0,
                   key.category};
}

const LineageState* RecordBook::Find(const KeyId& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
}

LineageState RecordBook::Compute(const EngineState& state, const KeyId& key) {
  const ChartState& chart = *state.charts[key.chart];
  const bool with_steps =
      key.metric == Metric::kPeak || key.metric == Metric::kAllKill;
  std::vector<Improvement> events;
  ThresholdState scratch;
  for (uint32_t track : Candidates(state, chart, key.position)) {
    const TrackFacts* facts = state.tracks.facts(track);
    if (facts == nullptr || !Matches(key.category, *facts)) continue;
    const ThresholdState* ts = StateFor(state, chart, track, key.position,
                                        nullptr, with_steps, scratch);
    AppendImprovements(*ts, ContenderOf(state, track), key.metric,
                       key.min_regions, chart.all_kill_count, kAlways, events);
  }
  SortImprovements(state.tracks, key.metric, events);
  LineageState out;
  Feed(key.metric, events, out);
  return out;
}

void RecordBook::Announce(const EngineState& state, const KeyId& key,
                          LineageState& lineage, size_t from,
                          const SnapshotKey* snapshot, bool backfilled,
                          std::vector<RecordEvent>* events) const {
  const ChartState& chart = *state.charts[key.chart];
  for (size_t i = from; i < lineage.holdings.size(); ++i) {
    const Holding& h = lineage.holdings[i];
    const uint32_t prev = i == 0 ? kNoTrack : lineage.holdings[i - 1].track;
    auto transition = std::make_tuple(prev, h.track, h.time);
    if (std::find(lineage.announced.begin(), lineage.announced.end(),
                  transition) != lineage.announced.end()) {
      continue;
    }
    lineage.announced.push_back(transition);
    if (events == nullptr) continue;
    RecordEvent event;
    event.record = PublicKey(state, key);
    event.new_holder =
        HolderOf(state, chart, h.track, h.value, h.time, h.slot, h.best);
    if (i > 0) {
      const Holding& p = lineage.holdings[i - 1];
      event.previous_holder =
          HolderOf(state, chart, p.track, p.value, p.time, p.slot, p.best);
    }
    event.backfilled = backfilled;
    event.snapshot = *snapshot;
    events->push_back(std::move(event));
  }
}

void RecordBook::Replace(const EngineState& state, const KeyId& key,
                         LineageState next, const SnapshotKey* snapshot,
                         bool backfilled, std::vector<RecordEvent>* events) {
  LineageState& held = keys_[key];
  next.announced = std::move(held.announced);
  Announce(state, key, next, 0, snapshot, backfilled, events);
  held = std::move(next);
}

void RecordBook::Update(const EngineState& state, uint32_t chart_index,
                        const SnapshotKey& snapshot, bool backfilled,
                        bool all_kill_count_changed,
                        const absl::flat_hash_map<uint32_t, Touched>& touched,
                        std::vector<RecordEvent>& events) {
  if (touched.empty() && !all_kill_count_changed) return;
  const ChartState& chart = *state.charts[chart_index];
  struct Pending {
    Micros min_change = std::numeric_limits<Micros>::max();
    std::vector<Improvement> added;
    bool full = false;
  };
  absl::flat_hash_map<KeyId, Pending> pending;
  std::vector<Improvement> old_events, new_events;
  const std::vector<std::pair<Metric, int>> metrics =
      WatchedMetrics(state.options);

  for (const auto& [track, t] : touched) {
    const TrackInfo& info = state.tracks[track];
    if (!info.facts.has_value()) continue;
    const TrackChart& tc = *chart.tracks[track];
    const Contender who = ContenderOf(state, track);
    for (size_t w = 0; w < state.watched_count(); ++w) {
      const int p = state.options.watched_positions[w];
      for (const auto& [metric, n] : metrics) {
        old_events.clear();
        new_events.clear();
        AppendImprovements(t.before[w], who, metric, n, chart.all_kill_count,
                           kAlways, old_events);
        AppendImprovements(tc.watched[w], who, metric, n, chart.all_kill_count,
                           kAlways, new_events);
        size_t k = 0;
        while (k < old_events.size() && k < new_events.size() &&
               old_events[k].time == new_events[k].time &&
               old_events[k].value == new_events[k].value &&
               old_events[k].slot == new_events[k].slot) {
          ++k;
        }
        if (k == old_events.size() && k == new_events.size()) continue;
        Micros change = std::numeric_limits<Micros>::max();
        if (k < old_events.size()) change = old_events[k].time;
        if (k < new_events.size()) {
          change = std::min(change, new_events[k].time);
        }
        for (const Category& category : info.watched_categories) {
          Pending& pe = pending[KeyId{chart_index, metric, p, n, category}];
          pe.min_change = std::min(pe.min_change, change);
          pe.added.insert(pe.added.end(), new_events.begin() + k,
                          new_events.end());
        }
      }
    }
  }
  if (all_kill_count_changed) {
    for (auto& [key, lineage] : keys_) {
      if (key.chart == chart_index && key.metric == Metric::kAllKill) {
        pending[key].full = true;
      }
    }
  }

  // Deterministic event order: by record key.
  std::vector<std::pair<KeyId, Pending*>> order;
  order.reserve(pending.size());
  for (auto& [key, pe] : pending) order.emplace_back(key, &pe);
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    const KeyId& x = a.first;
    const KeyId& y = b.first;
    return std::tie(x.metric, x.position, x.min_regions, x.category) <
           std::tie(y.metric, y.position, y.min_regions, y.category);
  });
  for (auto& [key, pe] : order) {
    auto it = keys_.find(key);
    if (it == keys_.end() || pe->full ||
        pe->min_change <= it->second.last_time) {
      Replace(state, key, Compute(state, key), &snapshot, backfilled, &events);
      continue;
    }
    // Everything new happened after all the record has seen: feed it.
    LineageState& lineage = it->second;
    const size_t before = lineage.holdings.size();
    SortImprovements(state.tracks, key.metric, pe->added);
    Feed(key.metric, pe->added, lineage);
    Announce(state, key, lineage, before, &snapshot, backfilled, &events);
  }
}

void RecordBook::RecomputeTrack(const EngineState& state, uint32_t track,
                                const std::vector<Category>& old_categories) {
  for (uint32_t c = 0; c < state.charts.size(); ++c) {
    if (state.charts[c]->FindTrackChart(track) == nullptr) continue;
    std::vector<KeyId> keys =
        WatchedKeys(state.options, c, state.tracks[track].watched_categories);
    std::vector<KeyId> old_keys = WatchedKeys(state.options, c, old_categories);
    keys.insert(keys.end(), old_keys.begin(), old_keys.end());
    for (const KeyId& key : keys) {
      Replace(state, key, Compute(state, key), nullptr, false, nullptr);
    }
  }
}

void RecordBook::RecomputeAllKill(const EngineState& state, uint32_t chart) {
  std::vector<KeyId> keys;
  for (const auto& [key, lineage] : keys_) {
    if (key.chart == chart && key.metric == Metric::kAllKill) {
      keys.push_back(key);
    }
  }
  for (const KeyId& key : keys) {
    Replace(state, key, Compute(state, key), nullptr, false, nullptr);
  }
}

void RecordBook::RebuildAll(const EngineState& state) {
  keys_.clear();
  for (uint32_t c = 0; c < state.charts.size(); ++c) {
    const ChartState& chart = *state.charts[c];
    absl::flat_hash_map<KeyId, std::vector<Improvement>> gathered;
    for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
      if (chart.tracks[track] == nullptr ||
          !state.tracks[track].facts.has_value()) {
        continue;
      }
      const Contender who = ContenderOf(state, track);
      // A track's improvements depend on (metric, P, N), not on the
      // category: computed once for all of its categories.
      absl::flat_hash_map<std::tuple<Metric, int32_t, int32_t>,
                          std::vector<Improvement>>
          computed;
      for (const KeyId& key : WatchedKeys(
               state.options, c, state.tracks[track].watched_categories)) {
        auto [it, fresh] = computed.try_emplace(
            std::make_tuple(key.metric, key.position, key.min_regions));
        if (fresh) {
          const ThresholdState& ts =
              chart.tracks[track]->watched[*state.WatchedIndex(key.position)];
          AppendImprovements(ts, who, key.metric, key.min_regions,
                             chart.all_kill_count, kAlways, it->second);
        }
        auto& list = gathered[key];
        list.insert(list.end(), it->second.begin(), it->second.end());
      }
    }
    for (auto& [key, list] : gathered) {
      SortImprovements(state.tracks, key.metric, list);
      LineageState lineage;
      Feed(key.metric, list, lineage);
      Announce(state, key, lineage, 0, nullptr, false, nullptr);
      keys_[key] = std::move(lineage);
    }
  }
}

}  // namespace hitclock::records::core
