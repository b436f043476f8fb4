#include "services/records/core/chart_state.h"

#include <algorithm>

namespace hitclock::records::core {

int64_t RegionState::HourOf(Micros time) {
  constexpr Micros kHour = 3'600'000'000;
  return time >= 0 ? time / kHour : -((-time + kHour - 1) / kHour);
}

std::vector<uint32_t>& RegionState::ShownIn(Micros time) {
  const int64_t block = HourOf(time);
  if (!blocks.empty() && blocks.back().first == block) {
    return blocks.back().second;
  }
  auto it = std::lower_bound(
      blocks.begin(), blocks.end(), block,
      [](const auto& b, int64_t value) { return b.first < value; });
  if (it == blocks.end() || it->first != block) {
    it = blocks.emplace(it, block, std::vector<uint32_t>());
  }
  return it->second;
}

const std::vector<uint32_t>* RegionState::FindShown(Micros time) const {
  const int64_t block = HourOf(time);
  auto it = std::lower_bound(
      blocks.begin(), blocks.end(), block,
      [](const auto& b, int64_t value) { return b.first < value; });
  if (it == blocks.end() || it->first != block) return nullptr;
  return &it->second;
}

void RegionState::AddShown(Micros time, uint32_t track) {
  std::vector<uint32_t>& block = ShownIn(time);
  auto it = std::lower_bound(block.begin(), block.end(), track);
  if (it == block.end() || *it != track) block.insert(it, track);
}

void RegionState::AddAllShown(Micros time,
                              absl::Span<const std::pair<uint32_t, int>> obs) {
  // A sorted merge, usually adding nothing.
  std::vector<uint32_t>& block = ShownIn(time);
  size_t missing = 0;
  for (size_t i = 0, j = 0; i < obs.size(); ++i) {
    while (j < block.size() && block[j] < obs[i].first) ++j;
    if (j == block.size() || block[j] != obs[i].first) ++missing;
  }
  if (missing == 0) return;
  std::vector<uint32_t> merged;
  merged.reserve(block.size() + missing);
  size_t j = 0;
  for (const auto& [track, position] : obs) {
    while (j < block.size() && block[j] < track) merged.push_back(block[j++]);
    if (j < block.size() && block[j] == track) ++j;
    merged.push_back(track);
  }
  merged.insert(merged.end(), block.begin() + j, block.end());
  block = std::move(merged);
}

std::optional<Micros> RegionState::CaptureBefore(Micros time) const {
  auto at = std::lower_bound(captures.begin(), captures.end(), time);
  if (at == captures.begin()) return std::nullopt;
  return *(at - 1);
}

uint32_t ChartState::SlotFor(uint32_t region, std::string_view code,
                             bool country) {
  auto [it, inserted] =
      slot_of_region.try_emplace(region, static_cast<uint32_t>(slots.size()));
  if (inserted) {
    RegionState rs;
    rs.region = region;
    rs.country = country;
    if (country) ++country_count;
    slots.push_back(std::move(rs));
    slot_codes.emplace_back(code);
    countries.push_back(country);
  }
  return it->second;
}

std::optional<uint32_t> ChartState::FindSlot(uint32_t region) const {
  auto it = slot_of_region.find(region);
  if (it == slot_of_region.end()) return std::nullopt;
  return it->second;
}

void ChartState::SetCountry(uint32_t slot, bool country) {
  slots[slot].country = country;
  countries[slot] = country;
}

TrackChart& ChartState::TrackChartFor(uint32_t track, size_t watched_count) {
  if (tracks.size() <= track) tracks.resize(track + 1);
  std::unique_ptr<TrackChart>& tc = tracks[track];
  if (tc == nullptr) {
    tc = std::make_unique<TrackChart>();
    tc->watched.resize(watched_count);
  }
  return *tc;
}

const TrackChart* ChartState::FindTrackChart(uint32_t track) const {
  if (tracks.size() <= track) return nullptr;
  return tracks[track].get();
}

void ChartState::MarkActive(TrackChart& tc, uint32_t track, size_t w) {
  if (tc.watched[w].crossings.empty() || (tc.active_mask >> w & 1) != 0) {
    return;
  }
  tc.active_mask |= uint32_t{1} << w;
  if (active.size() <= w) active.resize(w + 1);
  active[w].push_back(track);
}

std::vector<std::pair<uint32_t, int>> ChartState::ObservationsAt(
    uint32_t slot, Micros time) const {
  std::vector<std::pair<uint32_t, int>> out;
  const std::vector<uint32_t>* shown = slots[slot].FindShown(time);
  if (shown == nullptr) return out;
  for (uint32_t track : *shown) {
    const TrackChart* tc = FindTrackChart(track);
    if (tc == nullptr || tc->regions.size() <= slot) continue;
    int p = tc->regions[slot].ValueAt(time);
    if (p != 0) out.emplace_back(track, p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void ChartState::CountCapture(Micros time, bool country, int64_t observations) {
  if (snapshot_count == 0) {
    first_capture = last_capture = time;
  } else {
    first_capture = std::min(first_capture, time);
    last_capture = std::max(last_capture, time);
  }
  if (country) last_country_capture = std::max(last_country_capture, time);
  ++snapshot_count;
  observation_count += observations;
}

Interval ChartState::BoundsOf(uint32_t slot, Micros time,
                              std::optional<Micros> reference) const {
  if (std::optional<Micros> before = slots[slot].CaptureBefore(time)) {
    return Interval{*before, time};
  }
  return Interval{reference.has_value() ? std::min(*reference, time) : time,
                  time};
}

}  // namespace hitclock::records::core
