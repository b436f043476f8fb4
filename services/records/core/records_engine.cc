#include "services/records/core/records_engine.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/records/core/apply.h"
#include "services/records/core/category.h"
#include "services/records/core/derived.h"
#include "services/records/core/position_answers.h"

namespace hitclock::records::core {

RecordsEngine::RecordsEngine(EngineOptions options)
    : state_(std::move(options)) {}

RecordsEngine::~RecordsEngine() = default;

// ---------------------------------------------------------------------------
// Regions, countries and facts.

void RecordsEngine::SetRegionKind(std::string_view region, RegionKind kind) {
  const uint32_t r = state_.regions.Intern(region);
  if (state_.regions.kind(r) == kind) return;
  state_.regions.set_kind(r, kind);
  bool rebuilt = false;
  for (const auto& chart : state_.charts) {
    if (!chart->slot_of_region.contains(r)) continue;
    RebuildDerived(state_, *chart);
    rebuilt = true;
  }
  if (rebuilt && state_.record_events) book_.RebuildAll(state_);
}

RegionKind RecordsEngine::GetRegionKind(std::string_view region) const {
  return state_.regions.KindOf(region);
}

void RecordsEngine::SetChartCountries(
    std::string_view chart, const std::vector<std::string>& countries) {
  state_.DeclareCountries(chart, countries);
  std::optional<uint32_t> c = state_.FindChart(chart);
  if (!c.has_value() || !state_.UpdateAllKillCount(*state_.charts[*c]) ||
      !state_.record_events) {
    return;
  }
  book_.RecomputeAllKill(state_, *c);
}

void RecordsEngine::SetTrackFacts(std::string_view track_id, TrackFacts facts) {
  const uint32_t t = state_.tracks.Intern(track_id);
  TrackInfo& info = state_.tracks[t];
  for (CreditedArtist& artist : facts.artists) {
    artist.origin_country = NormalizeCountry(artist.origin_country);
  }
  std::vector<Category> old_categories = std::move(info.watched_categories);
  info.watched_categories = WatchedCategories(facts);
  info.facts = std::move(facts);
  if (state_.record_events) book_.RecomputeTrack(state_, t, old_categories);
}

void RecordsEngine::ClearTrackFacts(std::string_view track_id) {
  std::optional<uint32_t> t = state_.tracks.Find(track_id);
  if (!t.has_value() || !state_.tracks[*t].facts.has_value()) return;
  TrackInfo& info = state_.tracks[*t];
  std::vector<Category> old_categories = std::move(info.watched_categories);
  info.watched_categories.clear();
  info.facts.reset();
  if (state_.record_events) book_.RecomputeTrack(state_, *t, old_categories);
}

const TrackFacts* RecordsEngine::GetTrackFacts(
    std::string_view track_id) const {
  std::optional<uint32_t> t = state_.tracks.Find(track_id);
  return t.has_value() ? state_.tracks.facts(*t) : nullptr;
}

// ---------------------------------------------------------------------------
// Appending.

absl::StatusOr<AppendPlan> RecordsEngine::Plan(const Snapshot& snapshot,
                                               ConflictPolicy policy) const {
  return PlanAppend(state_, snapshot, policy);
}

AppendResult RecordsEngine::Apply(const AppendPlan& plan,
                                  const Snapshot& snapshot) {
  Applied applied = ApplyPlan(state_, plan, snapshot);
  AppendResult result;
  result.outcome = plan.outcome;
  result.observation_count = plan.observation_count;
  result.backfilled = applied.backfilled;
  if (state_.record_events && plan.outcome != AppendOutcome::kDuplicate) {
    book_.Update(
        state_, applied.chart,
        SnapshotKey{snapshot.chart, snapshot.region, snapshot.capture_time},
        applied.backfilled, applied.all_kill_count_changed, applied.touched,
        result.events);
  }
  return result;
}

absl::StatusOr<AppendResult> RecordsEngine::Append(const Snapshot& snapshot,
                                                   ConflictPolicy policy) {
  absl::StatusOr<AppendPlan> plan = Plan(snapshot, policy);
  if (!plan.ok()) return plan.status();
  return Apply(*plan, snapshot);
}

void RecordsEngine::SetRecordEvents(bool enabled) {
  if (enabled == state_.record_events) return;
  state_.record_events = enabled;
  book_.Clear();
  if (enabled) book_.RebuildAll(state_);
}

// ---------------------------------------------------------------------------
// Snapshots and charts.

std::optional<Snapshot> RecordsEngine::GetSnapshot(
    const SnapshotKey& key) const {
  std::optional<uint32_t> c = state_.FindChart(key.chart);
  std::optional<uint32_t> r = state_.regions.Find(key.region);
  if (!c.has_value() || !r.has_value()) return std::nullopt;
  const ChartState& chart = *state_.charts[*c];
  std::optional<uint32_t> slot = chart.FindSlot(*r);
  if (!slot.has_value()) return std::nullopt;
  const RegionState& rs = chart.slots[*slot];
  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(),
                             key.capture_time);
  if (at == rs.captures.end() || *at != key.capture_time) return std::nullopt;
  Snapshot out;
  out.chart = key.chart;
  out.region = key.region;
  out.capture_time = key.capture_time;
  out.chart_size = rs.sizes[at - rs.captures.begin()];
  for (const auto& [track, position] :
       chart.ObservationsAt(*slot, key.capture_time)) {
    out.entries.push_back(SnapshotEntry{state_.tracks.id(track), position});
  }
  std::sort(out.entries.begin(), out.entries.end(),
            [](const SnapshotEntry& a, const SnapshotEntry& b) {
              return a.position < b.position;
            });
  return out;
}

std::optional<ChartSummary> RecordsEngine::GetChart(
    std::string_view chart_name) const {
  std::optional<uint32_t> c = state_.FindChart(chart_name);
  if (!c.has_value()) return std::nullopt;
  const ChartState& chart = *state_.charts[*c];
  ChartSummary out;
  out.chart = chart.name;
  out.region_count = static_cast<int>(chart.slots.size());
  out.country_region_count = chart.country_count;
  out.snapshot_count = chart.snapshot_count;
  out.observation_count = chart.observation_count;
  out.change_point_count = chart.change_count;
  out.first_capture_time = chart.first_capture;
  out.last_capture_time = chart.last_capture;
  return out;
}

std::vector<ChartSummary> RecordsEngine::ListCharts() const {
  std::vector<ChartSummary> out;
  for (const auto& chart : state_.charts) out.push_back(*GetChart(chart->name));
  std::sort(out.begin(), out.end(),
            [](const ChartSummary& a, const ChartSummary& b) {
              return a.chart < b.chart;
            });
  return out;
}

// ---------------------------------------------------------------------------
// Questions: each goes to the unit of its threshold's kind.

absl::StatusOr<const ChartState*> RecordsEngine::ChartToAsk(
    std::string_view chart, const Threshold& threshold) const {
  std::optional<uint32_t> c = state_.FindChart(chart);
  if (!c.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "chart: no snapshot of chart '",
        absl::string_view(chart.data(), chart.size()), "' is held"));
  }
  switch (threshold.kind()) {
    case Threshold::Kind::kPosition:
      if (threshold.value() < 1 || threshold.value() > kMaxChartSize) {
        return absl::InvalidArgumentError(
            absl::StrCat("threshold.position.max_position: must be 1 to ",
                         kMaxChartSize, ", got ", threshold.value()));
      }
      return state_.charts[*c].get();
    case Threshold::Kind::kCount:
      break;
  }
  return absl::UnimplementedError(
      "threshold.count: count thresholds are not served yet");
}

absl::StatusOr<TimeToThresholdAnswer> RecordsEngine::TimeToThreshold(
    const TimeToThresholdQuery& query) const {
  auto chart = ChartToAsk(query.chart, query.threshold);
  if (!chart.ok()) return chart.status();
  return position::TimeToThreshold(state_, **chart, query);
}

absl::StatusOr<TimelineAnswer> RecordsEngine::Timeline(
    const TimelineQuery& query) const {
  auto chart = ChartToAsk(query.chart, query.threshold);
  if (!chart.ok()) return chart.status();
  return position::Timeline(state_, **chart, query);
}

absl::StatusOr<TrackTotals> RecordsEngine::Totals(
    std::string_view track_id, std::string_view chart_name,
    const Threshold& threshold) const {
  auto chart = ChartToAsk(chart_name, threshold);
  if (!chart.ok()) return chart.status();
  return position::Totals(state_, **chart, track_id,
                          static_cast<int>(threshold.value()));
}

absl::StatusOr<Leaderboard> RecordsEngine::GetLeaderboard(
    const RecordKey& key) const {
  auto chart = ChartToAsk(key.chart, key.threshold);
  if (!chart.ok()) return chart.status();
  return position::GetLeaderboard(state_, **chart, key);
}

absl::StatusOr<Lineage> RecordsEngine::GetLineage(const RecordKey& key) const {
  auto chart = ChartToAsk(key.chart, key.threshold);
  if (!chart.ok()) return chart.status();
  return position::GetLineage(state_, state_.record_events ? &book_ : nullptr,
                              **chart, key);
}

// ---------------------------------------------------------------------------
// Bulk loading.

EngineLoader::EngineLoader(RecordsEngine& engine) : engine_(engine) {
  engine_.state_.loading = true;
}

EngineLoader::~EngineLoader() { Finish(); }

uint32_t EngineLoader::TrackNumber(std::string_view id) {
  return engine_.state_.tracks.Intern(id);
}

absl::Status EngineLoader::Load(std::string_view chart_name,
                                std::string_view region, Micros time,
                                int chart_size,
                                absl::Span<std::pair<uint32_t, int>> obs) {
  EngineState& state = engine_.state_;
  // A loader that sorts on another thread saves this one the work.
  if (!std::is_sorted(obs.begin(), obs.end())) {
    std::sort(obs.begin(), obs.end());
  }
  bool valid = !chart_name.empty() && !region.empty() && chart_size >= 1 &&
               chart_size <= state.options.max_chart_size &&
               time < kMaxInstant && time > -kMaxInstant;
  std::array<bool, kMaxChartSize + 1> taken{};
  for (size_t i = 0; valid && i < obs.size(); ++i) {
    const auto [track, position] = obs[i];
    valid = track < state.tracks.size() && position >= 1 &&
            position <= chart_size && !taken[position] &&
            (i == 0 || obs[i - 1].first != track);
    if (valid) taken[position] = true;
  }
  // Anything unusual goes the way of every append (and fails as it would).
  auto append = [&]() -> absl::Status {
    Snapshot snapshot{.chart = std::string(chart_name),
                      .region = std::string(region),
                      .capture_time = time,
                      .chart_size = chart_size,
                      .entries = {}};
    for (const auto& [track, position] : obs) {
      snapshot.entries.push_back(SnapshotEntry{
          track < state.tracks.size() ? state.tracks.id(track) : std::string(),
          position});
    }
    return engine_.Append(snapshot, ConflictPolicy::kReplace).status();
  };
  if (!valid || finished_) return append();
  const uint32_t chart_index = state.ChartIndex(chart_name);
  ChartState& chart = *state.charts[chart_index];
  const size_t slots_before = chart.slots.size();
  const uint32_t slot = state.SlotFor(chart, region);
  if (chart.slots.size() != slots_before) state.UpdateAllKillCount(chart);
  const RegionState& rs = chart.slots[slot];
  if (!rs.captures.empty() && time <= rs.captures.back()) return append();
  absl::flat_hash_map<uint32_t, Touched> touched;
  ChartWriter(state, chart_index, touched)
      .AddCapture(slot, time, chart_size, obs);
  return absl::OkStatus();
}

void EngineLoader::Finish() {
  if (finished_) return;
  finished_ = true;
  EngineState& state = engine_.state_;
  state.loading = false;
  for (const auto& chart : state.charts) RebuildDerived(state, *chart);
  if (state.record_events) engine_.book_.RebuildAll(state);
}

}  // namespace hitclock::records::core
