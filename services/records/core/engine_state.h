// The engine's state, shared by its units: the options, the track and
// region names, every chart's `ChartState`, the declared country sets and
// two mode flags. The units (admission, apply, derived, record book,
// answers) are functions over this state; `RecordsEngine` owns it.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_ENGINE_STATE_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_ENGINE_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/records/core/chart_state.h"
#include "services/records/core/names.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// The codes of the shared table of aggregates (`common::AggregateRegions()`:
// `eu`, `ww`), the default of `EngineOptions::aggregate_regions`.
std::vector<std::string> DefaultAggregateRegions();

// What the engine watches and how it classifies regions.
struct EngineOptions {
  // The N of the watched FASTEST records (any N can still be asked for).
  std::vector<int> milestones = {10, 25, 50, 75, 100, 110};
  // The P of the watched position thresholds. Their crossings, steps and
  // record lineages are kept up to date on every append (and only theirs
  // give record events). Other P are answered on demand: time-to-threshold
  // and fastest and total boards from each track's staircase array, peak
  // and all-kill boards from its peak levels, timelines and lineages from
  // the position histories (slowest: a lineage reads every candidate's
  // histories).
  std::vector<int> watched_positions = {1};
  // Regions that are aggregates from the start; `SetRegionKind` adds more.
  std::vector<std::string> aggregate_regions = DefaultAggregateRegions();
  // Per chart, the country regions that publish it (see
  // `RecordsEngine::SetChartCountries`), declared from the start.
  std::map<std::string, std::vector<std::string>> chart_countries;
  // The largest chart size K a snapshot may have (at most
  // `kMaxChartSize`).
  int max_chart_size = kMaxChartSize;
  // Whether `Append` detects record-broken events. Turn off for bulk loads
  // (a restart) and on again after (`SetRecordEvents`).
  bool record_events = true;
};

// The longest track id a snapshot may name.
inline constexpr size_t kMaxTrackIdLength = 128;

struct EngineState {
  // Sorts and deduplicates the milestones and watched positions, interns
  // the aggregate regions and declares the chart countries.
  explicit EngineState(EngineOptions options);

  EngineOptions options;
  TrackTable tracks;
  RegionTable regions;
  absl::flat_hash_map<std::string, uint32_t> chart_index;
  std::vector<std::unique_ptr<ChartState>> charts;
  // Chart name -> declared country regions, sorted.
  absl::flat_hash_map<std::string, std::vector<uint32_t>> declared_countries;
  // Whether appends detect record events (and the watched lineages are
  // kept).
  bool record_events = true;
  // Between the start and the end of a bulk load: derived state is not
  // kept and is rebuilt at the end.
  bool loading = false;

  std::optional<uint32_t> FindChart(std::string_view name) const;
  // The index of chart `name`, created empty when new.
  uint32_t ChartIndex(std::string_view name);
  // The index of a watched P in `options.watched_positions`.
  std::optional<int> WatchedIndex(int position) const;
  size_t watched_count() const { return options.watched_positions.size(); }
  // The slot of a region code in `chart`, added when new.
  uint32_t SlotFor(ChartState& chart, std::string_view region);
  // Sets a chart's declared countries.
  void DeclareCountries(std::string_view chart,
                        const std::vector<std::string>& countries);
  // The size of the ALL_KILL region set of `chart`: its country regions
  // plus the declared countries not seen yet.
  int AllKillCount(const ChartState& chart) const;
  // Recomputes `chart.all_kill_count`; returns whether it changed.
  bool UpdateAllKillCount(ChartState& chart);
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_ENGINE_STATE_H_
