#include "services/records/core/admission.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hitclock::records::core {
namespace {

absl::Status Invalid(std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(field.data(), field.size()), ": ",
                   absl::string_view(problem.data(), problem.size())));
}

std::string EntryField(size_t i, const char* name) {
  return absl::StrCat("snapshot.entries[", i, "].", name);
}

absl::Status Validate(const Snapshot& snapshot, int max_chart_size) {
  if (snapshot.chart.empty()) return Invalid("snapshot.chart", "is required");
  if (snapshot.region.empty()) {
    return Invalid("snapshot.region", "is required");
  }
  if (snapshot.capture_time >= kMaxInstant ||
      snapshot.capture_time <= -kMaxInstant) {
    return Invalid("snapshot.capture_time", "is out of the supported range");
  }
  const int k = snapshot.chart_size;
  if (k < 1 || k > max_chart_size) {
    return Invalid("snapshot.chart_size",
                   absl::StrCat("is ", k, "; must be 1 to ", max_chart_size));
  }
  std::array<int, kMaxChartSize + 1> entry_at;
  std::fill_n(entry_at.begin(), k + 1, -1);
  for (size_t i = 0; i < snapshot.entries.size(); ++i) {
    const SnapshotEntry& e = snapshot.entries[i];
    if (e.track_id.empty()) {
      return Invalid(EntryField(i, "track_id"), "is required");
    }
    if (e.track_id.size() > kMaxTrackIdLength) {
      return Invalid(EntryField(i, "track_id"),
                     absl::StrCat("is longer than ", kMaxTrackIdLength));
    }
    if (e.position < 1 || e.position > k) {
      return Invalid(
          EntryField(i, "position"),
          absl::StrCat("is ", e.position, "; must be 1 to chart_size ", k));
    }
    int& at = entry_at[e.position];
    if (at >= 0) {
      return Invalid(
          EntryField(i, "position"),
          absl::StrCat("position ", e.position,
                       " is also given by snapshot.entries[", at, "]"));
    }
    at = static_cast<int>(i);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AppendPlan> PlanAppend(const EngineState& state,
                                      const Snapshot& snapshot,
                                      ConflictPolicy policy) {
  if (absl::Status s = Validate(snapshot, state.options.max_chart_size);
      !s.ok()) {
    return s;
  }

  // Observations: each track at its best position. Known tracks by number,
  // new ones by entry.
  AppendPlan plan;
  plan.known.reserve(snapshot.entries.size());
  for (uint32_t i = 0; i < snapshot.entries.size(); ++i) {
    const SnapshotEntry& e = snapshot.entries[i];
    if (std::optional<uint32_t> t = state.tracks.Find(e.track_id)) {
      plan.known.emplace_back(*t, e.position);
    } else {
      plan.fresh.emplace_back(i, e.position);
    }
  }
  std::sort(plan.known.begin(), plan.known.end());
  plan.known.erase(std::unique(plan.known.begin(), plan.known.end(),
                               [](const auto& a, const auto& b) {
                                 return a.first == b.first;
                               }),
                   plan.known.end());
  if (!plan.fresh.empty()) {
    auto id = [&](const std::pair<uint32_t, int>& f) -> const std::string& {
      return snapshot.entries[f.first].track_id;
    };
    std::sort(plan.fresh.begin(), plan.fresh.end(),
              [&](const auto& a, const auto& b) {
                return id(a) != id(b) ? id(a) < id(b) : a.second < b.second;
              });
    plan.fresh.erase(std::unique(plan.fresh.begin(), plan.fresh.end(),
                                 [&](const auto& a, const auto& b) {
                                   return id(a) == id(b);
                                 }),
                     plan.fresh.end());
  }
  plan.observation_count =
      static_cast<int>(plan.known.size() + plan.fresh.size());

  // What is held under this identity decides the outcome.
  std::optional<uint32_t> chart_index = state.FindChart(snapshot.chart);
  std::optional<uint32_t> region = state.regions.Find(snapshot.region);
  const ChartState* chart =
      chart_index.has_value() ? state.charts[*chart_index].get() : nullptr;
  std::optional<uint32_t> slot;
  if (chart != nullptr && region.has_value()) slot = chart->FindSlot(*region);
  if (!slot.has_value()) return plan;
  const RegionState& rs = chart->slots[*slot];
  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(),
                             snapshot.capture_time);
  if (at == rs.captures.end() || *at != snapshot.capture_time) return plan;
  const std::vector<std::pair<uint32_t, int>> held =
      chart->ObservationsAt(*slot, snapshot.capture_time);
  const bool same_size =
      rs.sizes[at - rs.captures.begin()] == snapshot.chart_size;
  if (same_size && plan.fresh.empty() && held == plan.known) {
    plan.outcome = AppendOutcome::kDuplicate;
    plan.observation_count = static_cast<int>(held.size());
    return plan;
  }
  const bool subset =
      same_size && std::includes(plan.known.begin(), plan.known.end(),
                                 held.begin(), held.end());
  if (!subset && policy != ConflictPolicy::kReplace) {
    return absl::AlreadyExistsError(
        "records holds a different snapshot with this chart, region and "
        "capture_time; set replace to overwrite it");
  }
  plan.outcome = subset ? AppendOutcome::kMerged : AppendOutcome::kReplaced;
  return plan;
}

Snapshot ObservedSnapshot(const EngineState& state, const AppendPlan& plan,
                          const Snapshot& snapshot) {
  Snapshot out;
  out.chart = snapshot.chart;
  out.region = snapshot.region;
  out.capture_time = snapshot.capture_time;
  out.chart_size = snapshot.chart_size;
  // Positions are distinct and within 1..K: laid out by position.
  std::vector<const std::string*> at(snapshot.chart_size + 1, nullptr);
  for (const auto& [track, position] : plan.known) {
    at[position] = &state.tracks.id(track);
  }
  for (const auto& [entry, position] : plan.fresh) {
    at[position] = &snapshot.entries[entry].track_id;
  }
  out.entries.reserve(plan.observation_count);
  for (int p = 1; p <= snapshot.chart_size; ++p) {
    if (at[p] != nullptr) out.entries.push_back(SnapshotEntry{*at[p], p});
  }
  return out;
}

}  // namespace hitclock::records::core
