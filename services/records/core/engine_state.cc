#include "services/records/core/engine_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/string_view.h"
#include "common/storefronts.h"

namespace hitclock::records::core {
namespace {

void SortUnique(std::vector<int>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

std::vector<std::string> DefaultAggregateRegions() {
  std::vector<std::string> codes;
  for (const common::AggregateRegion& aggregate : common::AggregateRegions()) {
    codes.emplace_back(aggregate.code);
  }
  return codes;
}

EngineState::EngineState(EngineOptions opts)
    : options(std::move(opts)), record_events(options.record_events) {
  SortUnique(options.milestones);
  SortUnique(options.watched_positions);
  options.max_chart_size = std::clamp(options.max_chart_size, 1, kMaxChartSize);
  for (const std::string& code : options.aggregate_regions) {
    regions.set_kind(regions.Intern(code), RegionKind::kAggregate);
  }
  for (const auto& [chart, countries] : options.chart_countries) {
    DeclareCountries(chart, countries);
  }
}

std::optional<uint32_t> EngineState::FindChart(std::string_view name) const {
  auto it = chart_index.find(absl::string_view(name.data(), name.size()));
  if (it == chart_index.end()) return std::nullopt;
  return it->second;
}

uint32_t EngineState::ChartIndex(std::string_view name) {
  auto [it, inserted] =
      chart_index.try_emplace(absl::string_view(name.data(), name.size()),
                              static_cast<uint32_t>(charts.size()));
  if (inserted) {
    charts.push_back(std::make_unique<ChartState>());
    charts.back()->name = std::string(name);
  }
  return it->second;
}

std::optional<int> EngineState::WatchedIndex(int position) const {
  const auto& w = options.watched_positions;
  auto it = std::lower_bound(w.begin(), w.end(), position);
  if (it == w.end() || *it != position) return std::nullopt;
  return static_cast<int>(it - w.begin());
}

uint32_t EngineState::SlotFor(ChartState& chart, std::string_view region) {
  const uint32_t r = regions.Intern(region);
  return chart.SlotFor(r, regions.code(r), regions.is_country(r));
}

void EngineState::DeclareCountries(std::string_view chart,
                                   const std::vector<std::string>& countries) {
  std::vector<uint32_t>& declared = declared_countries[std::string(chart)];
  declared.clear();
  for (const std::string& code : countries) {
    declared.push_back(regions.Intern(code));
  }
  std::sort(declared.begin(), declared.end());
  declared.erase(std::unique(declared.begin(), declared.end()), declared.end());
}

int EngineState::AllKillCount(const ChartState& chart) const {
  int count = chart.country_count;
  auto it = declared_countries.find(chart.name);
  if (it != declared_countries.end()) {
    for (uint32_t region : it->second) {
      if (regions.is_country(region) &&
          !chart.slot_of_region.contains(region)) {
        ++count;
      }
    }
  }
  return count;
}

bool EngineState::UpdateAllKillCount(ChartState& chart) {
  const int count = AllKillCount(chart);
  if (count == chart.all_kill_count) return false;
  chart.all_kill_count = count;
  return true;
}

}  // namespace hitclock::records::core
