#include "services/records/core/records_engine.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/records/core/category.h"

namespace hitclock::records::core {
namespace {

// Debian's abseil has its own string_view: convert explicitly.
absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

constexpr uint32_t kNoTrack = std::numeric_limits<uint32_t>::max();

absl::Status CheckThreshold(const Threshold& threshold) {
  if (threshold.kind() == Threshold::Kind::kCount) {
    return absl::UnimplementedError(
        "threshold.count: count thresholds are not served yet");
  }
  if (threshold.value() < 1 || threshold.value() > kMaxChartSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold.position.max_position: must be 1 to ",
                     kMaxChartSize, ", got ", threshold.value()));
  }
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------------------
// Construction, interning, facts.

RecordsEngine::RecordsEngine(EngineOptions options)
    : options_(std::move(options)), record_events_(options_.record_events) {
  std::sort(options_.milestones.begin(), options_.milestones.end());
  options_.milestones.erase(
      std::unique(options_.milestones.begin(), options_.milestones.end()),
      options_.milestones.end());
  std::sort(options_.watched_positions.begin(),
            options_.watched_positions.end());
  options_.watched_positions.erase(
      std::unique(options_.watched_positions.begin(),
                  options_.watched_positions.end()),
      options_.watched_positions.end());
  for (const std::string& code : options_.aggregate_regions) {
    region_kinds_[InternRegion(code)] = RegionKind::kAggregate;
  }
}

RecordsEngine::~RecordsEngine() = default;

int64_t RecordsEngine::BlockOf(Micros time) {
  constexpr Micros kHour = 3'600'000'000;
  return time >= 0 ? time / kHour : -((-time + kHour - 1) / kHour);
}

std::vector<uint32_t>& RecordsEngine::BlockFor(RegionState& rs, Micros time) {
  const int64_t block = BlockOf(time);
  auto& blocks = rs.blocks;
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

const std::vector<uint32_t>* RecordsEngine::FindBlock(const RegionState& rs,
                                                      Micros time) {
  const int64_t block = BlockOf(time);
  auto it = std::lower_bound(
      rs.blocks.begin(), rs.blocks.end(), block,
      [](const auto& b, int64_t value) { return b.first < value; });
  if (it == rs.blocks.end() || it->first != block) return nullptr;
  return &it->second;
}

void RecordsEngine::AddShown(RegionState& rs, Micros time, uint32_t track) {
  std::vector<uint32_t>& block = BlockFor(rs, time);
  auto it = std::lower_bound(block.begin(), block.end(), track);
  if (it == block.end() || *it != track) block.insert(it, track);
}

uint32_t RecordsEngine::InternTrack(std::string_view id) {
  auto [it, inserted] = track_index_.try_emplace(
      AbslView(id), static_cast<uint32_t>(tracks_.size()));
  if (inserted) tracks_.push_back(TrackInfo{std::string(id), {}, {}});
  return it->second;
}

uint32_t RecordsEngine::InternRegion(std::string_view code) {
  auto [it, inserted] = region_index_.try_emplace(
      AbslView(code), static_cast<uint32_t>(region_codes_.size()));
  if (inserted) {
    region_codes_.emplace_back(code);
    region_kinds_.push_back(RegionKind::kCountry);
  }
  return it->second;
}

std::optional<uint32_t> RecordsEngine::FindTrack(std::string_view id) const {
  auto it = track_index_.find(AbslView(id));
  if (it == track_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> RecordsEngine::FindChart(std::string_view chart) const {
  auto it = chart_index_.find(AbslView(chart));
  if (it == chart_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<int> RecordsEngine::WatchedIndex(int position) const {
  const auto& w = options_.watched_positions;
  auto it = std::lower_bound(w.begin(), w.end(), position);
  if (it == w.end() || *it != position) return std::nullopt;
  return static_cast<int>(it - w.begin());
}

uint32_t RecordsEngine::SlotFor(ChartState& chart, uint32_t region) {
  auto [it, inserted] = chart.slot_of_region.try_emplace(
      region, static_cast<uint32_t>(chart.slots.size()));
  if (inserted) {
    RegionState rs;
    rs.region = region;
    rs.country = region_kinds_[region] == RegionKind::kCountry;
    if (rs.country) ++chart.country_count;
    chart.slots.push_back(std::move(rs));
  }
  return it->second;
}

const std::string& RecordsEngine::RegionCode(const ChartState& chart,
                                             uint32_t slot) const {
  return region_codes_[chart.slots[slot].region];
}

bool RecordsEngine::SlotLess(const ChartState& chart, uint32_t a,
                             uint32_t b) const {
  return a != b && RegionCode(chart, a) < RegionCode(chart, b);
}

RecordsEngine::TrackChart& RecordsEngine::TrackChartFor(ChartState& chart,
                                                        uint32_t track) {
  if (chart.tracks.size() <= track) chart.tracks.resize(track + 1);
  std::unique_ptr<TrackChart>& tc = chart.tracks[track];
  if (tc == nullptr) {
    tc = std::make_unique<TrackChart>();
    tc->watched.resize(options_.watched_positions.size());
  }
  return *tc;
}

const RecordsEngine::TrackChart* RecordsEngine::FindTrackChart(
    const ChartState& chart, uint32_t track) const {
  if (chart.tracks.size() <= track) return nullptr;
  return chart.tracks[track].get();
}

void RecordsEngine::SetRegionKind(std::string_view region, RegionKind kind) {
  uint32_t r = InternRegion(region);
  if (region_kinds_[r] == kind) return;
  region_kinds_[r] = kind;
  for (uint32_t c = 0; c < charts_.size(); ++c) {
    if (charts_[c]->slot_of_region.contains(r)) RebuildDerived(c);
  }
}

RegionKind RecordsEngine::GetRegionKind(std::string_view region) const {
  auto it = region_index_.find(AbslView(region));
  return it == region_index_.end() ? RegionKind::kCountry
                                   : region_kinds_[it->second];
}

bool RecordsEngine::UpdateAllKillCount(ChartState& chart) {
  const int count = AllKillCount(chart);
  if (count == chart.all_kill_count) return false;
  chart.all_kill_count = count;
  return true;
}

int RecordsEngine::AllKillCount(const ChartState& chart) const {
  int count = chart.country_count;
  auto it = declared_countries_.find(chart.name);
  if (it != declared_countries_.end()) {
    for (uint32_t region : it->second) {
      if (region_kinds_[region] == RegionKind::kCountry &&
          !chart.slot_of_region.contains(region)) {
        ++count;
      }
    }
  }
  return count;
}

void RecordsEngine::SetChartCountries(
    std::string_view chart_name, const std::vector<std::string>& countries) {
  std::vector<uint32_t>& declared =
      declared_countries_[std::string(chart_name)];
  declared.clear();
  for (const std::string& code : countries) {
    declared.push_back(InternRegion(code));
  }
  std::sort(declared.begin(), declared.end());
  declared.erase(std::unique(declared.begin(), declared.end()), declared.end());
  std::optional<uint32_t> c = FindChart(chart_name);
  if (!c.has_value() || !UpdateAllKillCount(*charts_[*c]) || !record_events_) {
    return;
  }
  for (auto& [key, lineage] : keys_) {
    if (key.chart == *c && key.metric == Metric::kAllKill) {
      LineageState next = ComputeLineage(key);
      next.announced = std::move(lineage.announced);
      Announce(key, next, 0, nullptr, false, nullptr);
      lineage = std::move(next);
    }
  }
}

void RecordsEngine::SetTrackFacts(std::string_view track_id, TrackFacts facts) {
  uint32_t t = InternTrack(track_id);
  TrackInfo& info = tracks_[t];
  for (CreditedArtist& artist : facts.artists) {
    artist.origin_country = NormalizeCountry(artist.origin_country);
  }
  std::vector<Category> old_categories = std::move(info.watched_categories);
  info.watched_categories = WatchedCategories(facts);
  info.facts = std::move(facts);
  RecomputeKeysOfTrack(t, old_categories);
}

void RecordsEngine::ClearTrackFacts(std::string_view track_id) {
  std::optional<uint32_t> t = FindTrack(track_id);
  if (!t.has_value() || !tracks_[*t].facts.has_value()) return;
  std::vector<Category> old_categories =
      std::move(tracks_[*t].watched_categories);
  tracks_[*t].watched_categories.clear();
  tracks_[*t].facts.reset();
  RecomputeKeysOfTrack(*t, old_categories);
}

const TrackFacts* RecordsEngine::GetTrackFacts(
    std::string_view track_id) const {
  std::optional<uint32_t> t = FindTrack(track_id);
  if (!t.has_value() || !tracks_[*t].facts.has_value()) return nullptr;
  return &*tracks_[*t].facts;
}

// ---------------------------------------------------------------------------
// Position histories.

int RecordsEngine::ValueBefore(const History& h, Micros time) {
  auto it = std::lower_bound(h.changes.begin(), h.changes.end(), Pack(time, 0));
  return it == h.changes.begin() ? 0 : PositionOf(*(it - 1));
}

int RecordsEngine::ValueAt(const History& h, Micros time) {
  auto it =
      std::upper_bound(h.changes.begin(), h.changes.end(), Pack(time, 1023));
  return it == h.changes.begin() ? 0 : PositionOf(*(it - 1));
}

std::optional<RecordsEngine::Packed> RecordsEngine::FirstWithin(
    const History& h, int position) {
  for (Packed step : h.stairs) {
    if (PositionOf(step) <= position) return step;
  }
  return std::nullopt;
}

void RecordsEngine::RebuildStairs(History& h) {
  h.stairs.clear();
  for (Packed change : h.changes) {
    int p = PositionOf(change);
    if (p != 0 && (h.stairs.empty() || p < PositionOf(h.stairs.back()))) {
      h.stairs.push_back(change);
    }
  }
}

uint32_t RecordsEngine::SummaryOf(const Packed* block) {
  uint32_t low = 1024, high = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    const int p = PositionOf(block[i]);
    const uint32_t v = p == 0 ? 1024 : static_cast<uint32_t>(p);
    low = std::min(low, v);
    high = std::max(high, v);
  }
  return low | high << 16;
}

void RecordsEngine::PushChange(History& h, Packed change) {
  h.changes.push_back(change);
  if (h.changes.size() % kBlock == 0) {
    h.blocks.push_back(SummaryOf(h.changes.data() + h.changes.size() - kBlock));
  }
}

void RecordsEngine::ResummarizeFrom(History& h, size_t index) {
  h.blocks.resize(std::min(h.blocks.size(), index / kBlock));
  for (size_t b = h.blocks.size(); (b + 1) * kBlock <= h.changes.size(); ++b) {
    h.blocks.push_back(SummaryOf(h.changes.data() + b * kBlock));
  }
}

void RecordsEngine::AppendSteps(const History& h, uint32_t slot, int position,
                                Micros first, std::vector<Step>& out) {
  const std::vector<Packed>& c = h.changes;
  // Nothing before the first crossing is within the threshold.
  size_t i = std::lower_bound(c.begin(), c.end(), Pack(first, 0)) - c.begin();
  bool within = false;
  auto set = [&](Packed change, bool now) {
    if (now == within) return;
    out.push_back(
        Step{TimeOf(change), slot, static_cast<int16_t>(now ? 1 : -1), 0, 0});
    within = now;
  };
  const uint32_t p = static_cast<uint32_t>(position);
  while (i < c.size()) {
    if (i % kBlock == 0 && i / kBlock < h.blocks.size()) {
      const uint32_t summary = h.blocks[i / kBlock];
      if (summary >> 16 <= p) {  // every point within
        set(c[i], true);
        i += kBlock;
        continue;
      }
      if ((summary & 0xffff) > p) {  // every point outside
        set(c[i], false);
        i += kBlock;
        continue;
      }
    }
    const int q = PositionOf(c[i]);
    set(c[i], q != 0 && q <= position);
    ++i;
  }
}

void RecordsEngine::AddToStairs(History& h, Micros time, int position) {
  auto& s = h.stairs;
  // The steps at or before `time`; the last of them is the best so far.
  auto it = std::upper_bound(s.begin(), s.end(), Pack(time, 1023));
  if (it != s.begin() && PositionOf(*(it - 1)) <= position) return;
  auto end = it;
  while (end != s.end() && PositionOf(*end) >= position) ++end;
  it = s.erase(it, end);
  s.insert(it, Pack(time, position));
}

// ---------------------------------------------------------------------------
// Derived state: crossings and steps.

void RecordsEngine::MoveCrossing(const ChartState& chart, ThresholdState& state,
                                 uint32_t slot, std::optional<Micros> from,
                                 std::optional<Micros> to) const {
  auto& c = state.crossings;
  if (from.has_value()) {
    for (auto it = c.begin(); it != c.end(); ++it) {
      if (it->slot == slot) {
        c.erase(it);
        break;
      }
    }
  }
  if (to.has_value()) {
    auto it = c.end();
    while (it != c.begin() &&
           ((it - 1)->time > *to ||
            ((it - 1)->time == *to && SlotLess(chart, slot, (it - 1)->slot)))) {
      --it;
    }
    c.insert(it, CrossingAt{*to, slot});
  }
}

void RecordsEngine::RecomputeSums(std::vector<Step>& steps, size_t from) {
  for (size_t i = from; i < steps.size(); ++i) {
    int sum = (i == 0 ? 0 : steps[i - 1].sum) + steps[i].delta;
    int max = std::max(i == 0 ? 0 : static_cast<int>(steps[i - 1].max), sum);
    steps[i].sum = static_cast<int16_t>(sum);
    steps[i].max = static_cast<int16_t>(max);
  }
}

void RecordsEngine::AddStep(const ChartState& chart, ThresholdState& state,
                            Micros time, uint32_t slot, int delta) const {
  auto& s = state.steps;
  // Usually near the end: search from the back.
  size_t lo = s.size();
  while (lo > 0 && s[lo - 1].time >= time) --lo;
  for (size_t i = lo; i < s.size() && s[i].time == time; ++i) {
    if (s[i].slot == slot) {
      // The region's net change at this capture becomes 0.
      s.erase(s.begin() + i);
      RecomputeSums(s, i);
      return;
    }
  }
  size_t i = lo;
  while (i < s.size() && s[i].time == time &&
         (s[i].delta < delta ||
          (s[i].delta == delta && SlotLess(chart, s[i].slot, slot)))) {
    ++i;
  }
  s.insert(s.begin() + i, Step{time, slot, static_cast<int16_t>(delta), 0, 0});
  RecomputeSums(s, i);
}

RecordsEngine::ThresholdState RecordsEngine::ComputeState(
    const ChartState& chart, const TrackChart& tc, int position,
    const std::vector<bool>& in_set, bool with_steps) const {
  ThresholdState out;
  if (!with_steps && !loading_) {
    FirstCrossings(chart, tc, position, &in_set, out.crossings);
    return out;
  }
  for (uint32_t slot = 0; slot < tc.regions.size(); ++slot) {
    if (slot >= in_set.size() || !in_set[slot]) continue;
    const History& h = tc.regions[slot];
    const std::optional<Packed> first = FirstWithin(h, position);
    // Never within: no crossing and no step.
    if (!first.has_value()) continue;
    out.crossings.push_back(CrossingAt{TimeOf(*first), slot});
    if (with_steps) AppendSteps(h, slot, position, TimeOf(*first), out.steps);
  }
  std::sort(out.crossings.begin(), out.crossings.end(),
            [&](const CrossingAt& a, const CrossingAt& b) {
              if (a.time != b.time) return a.time < b.time;
              return SlotLess(chart, a.slot, b.slot);
            });
  std::sort(out.steps.begin(), out.steps.end(),
            [&](const Step& a, const Step& b) {
              if (a.time != b.time) return a.time < b.time;
              if (a.delta != b.delta) return a.delta < b.delta;
              return SlotLess(chart, a.slot, b.slot);
            });
  RecomputeSums(out.steps, 0);
  return out;
}

void RecordsEngine::AddStair(TrackChart& tc, StairAt stair) {
  // Usually the latest: insert from the back.
  auto it = tc.stairs.end();
  while (it != tc.stairs.begin() && stair < *(it - 1)) --it;
  tc.stairs.insert(it, stair);
}

void RecordsEngine::ReplaceStairs(TrackChart& tc, uint32_t slot,
                                  const absl::InlinedVector<Packed, 2>& before,
                                  const absl::InlinedVector<Packed, 2>& after) {
  if (before == after) return;
  for (Packed step : before) {
    auto it = std::lower_bound(tc.stairs.begin(), tc.stairs.end(),
                               StairAt{step, slot});
    tc.stairs.erase(it);
  }
  for (Packed step : after) AddStair(tc, StairAt{step, slot});
}

std::vector<RecordsEngine::StairAt> RecordsEngine::CollectStairs(
    const TrackChart& tc) {
  std::vector<StairAt> out;
  for (uint32_t slot = 0; slot < tc.regions.size(); ++slot) {
    for (Packed step : tc.regions[slot].stairs) out.push_back({step, slot});
  }
  std::sort(out.begin(), out.end());
  return out;
}

void RecordsEngine::SetBest(TrackChart& tc, uint32_t slot) {
  if (tc.best_by_slot.size() <= slot) tc.best_by_slot.resize(slot + 1);
  const auto& stairs = tc.regions[slot].stairs;
  tc.best_by_slot[slot] =
      stairs.empty() ? 0 : static_cast<uint16_t>(PositionOf(stairs.back()));
}

void RecordsEngine::FirstCrossings(const ChartState& chart,
                                   const TrackChart& tc, int position,
                                   const std::vector<bool>* in_set,
                                   std::vector<CrossingAt>& out,
                                   size_t limit) const {
  out.clear();
  static thread_local std::vector<uint8_t> seen;
  if (seen.size() < chart.slots.size()) seen.resize(chart.slots.size());
  for (const StairAt& s : tc.stairs) {
    // The first `limit` are known once a later instant comes.
    if (out.size() >= limit && TimeOf(s.step) > out[limit - 1].time) break;
    if (PositionOf(s.step) > position || seen[s.slot] != 0) continue;
    if (in_set != nullptr ? (s.slot >= in_set->size() || !(*in_set)[s.slot])
                          : !chart.slots[s.slot].country) {
      continue;
    }
    seen[s.slot] = 1;
    out.push_back(CrossingAt{TimeOf(s.step), s.slot});
  }
  for (const CrossingAt& c : out) seen[c.slot] = 0;
  // Ordered by time already; same-instant crossings by region code (an
  // insertion sort: linear on the sorted input).
  for (size_t i = 1; i < out.size(); ++i) {
    for (size_t j = i; j > 0 && out[j].time == out[j - 1].time &&
                       SlotLess(chart, out[j].slot, out[j - 1].slot);
         --j) {
      std::swap(out[j], out[j - 1]);
    }
  }
}

void RecordsEngine::UpdateLevels(const ChartState& chart, PeakLevels& peaks,
                                 Micros time, uint32_t slot, int old_position,
                                 int new_position) const {
  if (!peaks.exact) return;
  if (time < peaks.last) {
    // Out of order for this track: the running counts cannot say what the
    // count was at `time`.
    peaks = PeakLevels{{}, time, false};
    return;
  }
  peaks.last = time;
  auto& levels = peaks.levels;
  const size_t worst =
      static_cast<size_t>(std::max(old_position, new_position));
  if (levels.size() < worst) {
    // No region ever showed the track beyond the last level: the new
    // levels have had its counts all along.
    const LevelPeak last = levels.empty() ? LevelPeak{} : levels.back();
    levels.resize(worst, last);
  }
  const int absent = static_cast<int>(levels.size()) + 1;
  const int from = old_position == 0 ? absent : old_position;
  const int to = new_position == 0 ? absent : new_position;
  const int delta = to < from ? 1 : -1;
  for (int p = std::min(from, to); p < std::max(from, to); ++p) {
    LevelPeak& l = levels[p - 1];
    if (l.instant != time) {
      // The first change of this instant: the peak so far is from before.
      l.instant = time;
      l.before = l.peak;
      l.entered = kNoSlot;
    }
    l.count = static_cast<int16_t>(l.count + delta);
    if (delta > 0 &&
        (l.entered == kNoSlot || SlotLess(chart, l.entered, slot))) {
      l.entered = slot;
    }
    // The instant's count beats the earlier peak: reached by the last
    // region entering (it exists: the count grew past every earlier one).
    l.peak = l.count > l.before.value
                 ? LevelPeak::Best{l.count, l.entered, time}
                 : l.before;
  }
}

RecordsEngine::PeakLevels RecordsEngine::ComputeLevels(
    const ChartState& chart, const TrackChart& tc) const {
  struct Change {
    Micros time;
    uint32_t slot;
    int16_t from;
    int16_t to;
  };
  static thread_local std::vector<Change> changes;
  changes.clear();
  for (uint32_t slot = 0; slot < tc.regions.size(); ++slot) {
    if (!chart.slots[slot].country) continue;
    int16_t previous = 0;
    for (Packed c : tc.regions[slot].changes) {
      const auto position = static_cast<int16_t>(PositionOf(c));
      changes.push_back(Change{TimeOf(c), slot, previous, position});
      previous = position;
    }
  }
  std::sort(changes.begin(), changes.end(),
            [](const Change& a, const Change& b) { return a.time < b.time; });
  PeakLevels out;
  for (const Change& c : changes) {
    UpdateLevels(chart, out, c.time, c.slot, c.from, c.to);
    if (!out.exact) break;
  }
  return out;
}

void RecordsEngine::MarkActive(ChartState& chart, TrackChart& tc,
                               uint32_t track, size_t w) {
  if (tc.watched[w].crossings.empty() || (tc.active_mask >> w & 1) != 0) {
    return;
  }
  tc.active_mask |= uint32_t{1} << w;
  if (chart.active.size() <= w) chart.active.resize(w + 1);
  chart.active[w].push_back(track);
}

std::vector<uint32_t> RecordsEngine::Candidates(const ChartState& chart,
                                                int position) const {
  if (std::optional<int> w = WatchedIndex(position)) {
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

void RecordsEngine::RebuildDerived(uint32_t chart_index) {
  ChartState& chart = *charts_[chart_index];
  chart.country_count = 0;
  chart.last_country_capture = 0;
  std::vector<bool> countries(chart.slots.size());
  for (uint32_t slot = 0; slot < chart.slots.size(); ++slot) {
    RegionState& rs = chart.slots[slot];
    rs.country = region_kinds_[rs.region] == RegionKind::kCountry;
    countries[slot] = rs.country;
    chart.country_count += rs.country;
    if (rs.country && !rs.captures.empty()) {
      chart.last_country_capture =
          std::max(chart.last_country_capture, rs.captures.back());
    }
  }
  UpdateAllKillCount(chart);
  chart.active.clear();
  // Each track's derived state depends on its own histories only: the
  // tracks are shared out between threads (interleaved, so that the few
  // big hits spread), and listed as active after.
  auto rebuild = [&](uint32_t first, uint32_t step) {
    for (uint32_t track = first; track < chart.tracks.size(); track += step) {
      TrackChart* tc = chart.tracks[track].get();
      if (tc == nullptr) continue;
      tc->active_mask = 0;
      tc->peaks = ComputeLevels(chart, *tc);
      tc->stairs = CollectStairs(*tc);
      for (size_t w = 0; w < options_.watched_positions.size(); ++w) {
        tc->watched[w] =
            ComputeState(chart, *tc, options_.watched_positions[w], countries,
                         /*with_steps=*/true);
      }
    }
  };
  const uint32_t threads =
      chart.tracks.size() < 2
          ? 1
          : std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1, 8);
  std::vector<std::thread> helpers;
  for (uint32_t t = 1; t < threads; ++t)
    helpers.emplace_back(rebuild, t, threads);
  rebuild(0, threads);
  for (std::thread& h : helpers) h.join();
  for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
    TrackChart* tc = chart.tracks[track].get();
    if (tc == nullptr) continue;
    for (size_t w = 0; w < options_.watched_positions.size(); ++w) {
      MarkActive(chart, *tc, track, w);
    }
  }
  if (record_events_) RebuildAllKeys();
}

// ---------------------------------------------------------------------------
// Appending.

absl::StatusOr<AppendResult> RecordsEngine::Append(const Snapshot& snapshot,
                                                   ConflictPolicy policy) {
  if (snapshot.chart.empty()) {
    return absl::InvalidArgumentError("snapshot.chart: required");
  }
  if (snapshot.region.empty()) {
    return absl::InvalidArgumentError("snapshot.region: required");
  }
  if (snapshot.capture_time >= kMaxInstant ||
      snapshot.capture_time <= -kMaxInstant) {
    return absl::InvalidArgumentError(
        "snapshot.capture_time: out of the supported range");
  }
  const int k = snapshot.chart_size;
  if (k < 1 || k > kMaxChartSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "snapshot.chart_size: must be 1 to ", kMaxChartSize, ", got ", k));
  }
  std::array<bool, kMaxChartSize + 1> taken{};
  for (size_t i = 0; i < snapshot.entries.size(); ++i) {
    const SnapshotEntry& e = snapshot.entries[i];
    if (e.track_id.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("snapshot.entries[", i, "].track_id: required"));
    }
    if (e.position < 1 || e.position > k) {
      return absl::InvalidArgumentError(
          absl::StrCat("snapshot.entries[", i, "].position: must be 1 to ", k,
                       ", got ", e.position));
    }
    if (taken[e.position]) {
      return absl::InvalidArgumentError(
          absl::StrCat("snapshot.entries[", i, "].position: position ",
                       e.position, " appears twice"));
    }
    taken[e.position] = true;
  }

  // Observations: each track at its best position, sorted by track.
  std::vector<std::pair<uint32_t, int>> obs;
  obs.reserve(snapshot.entries.size());
  for (const SnapshotEntry& e : snapshot.entries) {
    obs.emplace_back(InternTrack(e.track_id), e.position);
  }
  std::sort(obs.begin(), obs.end());
  obs.erase(std::unique(obs.begin(), obs.end(),
                        [](const auto& a, const auto& b) {
                          return a.first == b.first;
                        }),
            obs.end());

  auto [chart_it, new_chart] = chart_index_.try_emplace(
      AbslView(snapshot.chart), static_cast<uint32_t>(charts_.size()));
  if (new_chart) {
    charts_.push_back(std::make_unique<ChartState>());
    charts_.back()->name = snapshot.chart;
  }
  const uint32_t chart_index = chart_it->second;
  ChartState& chart = *charts_[chart_index];
  const size_t slots_before = chart.slots.size();
  const uint32_t slot = SlotFor(chart, InternRegion(snapshot.region));
  // The all-kill set only changes with a new region (or a region kind or
  // the declared countries, which recount themselves).
  const bool all_kill_count_changed =
      chart.slots.size() != slots_before && UpdateAllKillCount(chart);
  RegionState& rs = chart.slots[slot];
  const Micros time = snapshot.capture_time;
  const bool backfilled = chart.snapshot_count > 0 && time < chart.last_capture;

  absl::flat_hash_map<uint32_t, Touched> touched;
  AppendResult result;
  result.backfilled = backfilled;
  result.observation_count = static_cast<int>(obs.size());

  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(), time);
  if (at != rs.captures.end() && *at == time) {
    const size_t index = at - rs.captures.begin();
    std::vector<std::pair<uint32_t, int>> held = Reconstruct(chart, slot, time);
    const bool same_size = rs.sizes[index] == k;
    if (same_size && held == obs) {
      result.outcome = AppendOutcome::kDuplicate;
      return result;
    }
    const bool subset = same_size && std::includes(obs.begin(), obs.end(),
                                                   held.begin(), held.end());
    if (!subset && policy != ConflictPolicy::kReplace) {
      return absl::AlreadyExistsError(
          absl::StrCat("snapshot: a different snapshot of ", snapshot.chart,
                       " ", snapshot.region, " at ", time, " is held"));
    }
    result.outcome = subset ? AppendOutcome::kMerged : AppendOutcome::kReplaced;
    // Every track whose position changes: merge both sorted lists.
    size_t i = 0, j = 0;
    while (i < held.size() || j < obs.size()) {
      if (j == obs.size() ||
          (i < held.size() && held[i].first < obs[j].first)) {
        SetValue(chart, slot, held[i].first, time, 0, false, touched);
        ++i;
      } else if (i == held.size() || obs[j].first < held[i].first) {
        SetValue(chart, slot, obs[j].first, time, obs[j].second, false,
                 touched);
        ++j;
      } else {
        if (held[i].second != obs[j].second) {
          SetValue(chart, slot, obs[j].first, time, obs[j].second, false,
                   touched);
        }
        ++i;
        ++j;
      }
    }
    rs.sizes[index] = static_cast<uint16_t>(k);
    if (index + 1 == rs.captures.size()) {
      rs.latest_present.clear();
      for (const auto& [track, position] : obs) {
        rs.latest_present.push_back(track);
      }
    }
    chart.observation_count +=
        static_cast<int64_t>(obs.size()) - static_cast<int64_t>(held.size());
  } else {
    AppendResult applied = ApplyNew(chart_index, slot, time, k, obs, touched);
    result.outcome = applied.outcome;
  }

  if (record_events_) {
    DetectEvents(chart_index,
                 SnapshotKey{snapshot.chart, snapshot.region, time}, backfilled,
                 all_kill_count_changed, touched, result.events);
  }
  return result;
}

AppendResult RecordsEngine::ApplyNew(
    uint32_t chart_index, uint32_t slot, Micros time, int chart_size,
    absl::Span<const std::pair<uint32_t, int>> obs,
    absl::flat_hash_map<uint32_t, Touched>& touched) {
  ChartState& chart = *charts_[chart_index];
  RegionState& rs = chart.slots[slot];
  const bool country = rs.country;
  const auto& watched = options_.watched_positions;

  if (chart.snapshot_count == 0) {
    chart.first_capture = chart.last_capture = time;
  } else {
    chart.first_capture = std::min(chart.first_capture, time);
    chart.last_capture = std::max(chart.last_capture, time);
  }
  if (country) {
    chart.last_country_capture = std::max(chart.last_country_capture, time);
  }
  ++chart.snapshot_count;
  chart.observation_count += static_cast<int64_t>(obs.size());

  if (!rs.captures.empty() && time < rs.captures.back()) {
    // Out of order: insert the capture, then fix every track whose value
    // at it differs from the value its previous capture carried.
    auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(), time);
    const size_t index = at - rs.captures.begin();
    rs.captures.insert(at, time);
    rs.sizes.insert(rs.sizes.begin() + index,
                    static_cast<uint16_t>(chart_size));
    // The tracks that may be present at the previous capture (before this
    // one's observations are added to the blocks).
    std::vector<uint32_t> candidates;
    if (index > 0) {
      if (const std::vector<uint32_t>* block =
              FindBlock(rs, rs.captures[index - 1])) {
        candidates = *block;
      }
    }
    for (const auto& [track, position] : obs) {
      SetValue(chart, slot, track, time, position, true, touched);
    }
    for (const uint32_t track : candidates) {
      auto it =
          std::lower_bound(obs.begin(), obs.end(), std::make_pair(track, 0));
      if (it != obs.end() && it->first == track) continue;
      const TrackChart* tc = FindTrackChart(chart, track);
      if (tc == nullptr || tc->regions.size() <= slot) continue;
      if (ValueBefore(tc->regions[slot], time) != 0) {
        SetValue(chart, slot, track, time, 0, true, touched);
      }
    }
    return AppendResult{};
  }

  // In order: the new latest capture of the region.
  rs.captures.push_back(time);
  rs.sizes.push_back(static_cast<uint16_t>(chart_size));
  std::vector<uint32_t> present;
  present.reserve(obs.size());
  const std::vector<uint32_t>& before = rs.latest_present;
  size_t b = 0;

  auto drop = [&](uint32_t track) {
    TrackChart& tc = *chart.tracks[track];
    History& h = tc.regions[slot];
    const int old = PositionOf(h.changes.back());
    PushChange(h, Pack(time, 0));
    ++chart.change_count;
    if (!country || loading_) return;
    UpdateLevels(chart, tc.peaks, time, slot, old, 0);
    for (size_t w = 0; w < watched.size(); ++w) {
      if (old <= watched[w]) {
        Touch(tc, track, touched);
        AddStep(chart, tc.watched[w], time, slot, -1);
      }
    }
  };

  // The tracks shown go into the hour's block: a sorted merge, usually
  // adding nothing.
  {
    std::vector<uint32_t>& block = BlockFor(rs, time);
    size_t missing = 0;
    for (size_t i = 0, j = 0; i < obs.size(); ++i) {
      while (j < block.size() && block[j] < obs[i].first) ++j;
      if (j == block.size() || block[j] != obs[i].first) ++missing;
    }
    if (missing > 0) {
      std::vector<uint32_t> merged;
      merged.reserve(block.size() + missing);
      size_t j = 0;
      for (const auto& [track, position] : obs) {
        while (j < block.size() && block[j] < track)
          merged.push_back(block[j++]);
        if (j < block.size() && block[j] == track) ++j;
        merged.push_back(track);
      }
      merged.insert(merged.end(), block.begin() + j, block.end());
      block = std::move(merged);
    }
  }
  for (const auto& [track, position] : obs) {
    while (b < before.size() && before[b] < track) drop(before[b++]);
    if (b < before.size() && before[b] == track) ++b;
    present.push_back(track);
    TrackChart& tc = TrackChartFor(chart, track);
    if (tc.regions.size() <= slot) tc.regions.resize(slot + 1);
    History& h = tc.regions[slot];
    if (h.changes.empty()) rs.tracks.push_back(track);
    const int old = h.changes.empty() ? 0 : PositionOf(h.changes.back());
    if (old == position) continue;
    PushChange(h, Pack(time, position));
    ++chart.change_count;
    const int best =
        h.stairs.empty() ? kMaxChartSize + 1 : PositionOf(h.stairs.back());
    if (position < best) {
      h.stairs.push_back(Pack(time, position));
      SetBest(tc, slot);
      if (!loading_) AddStair(tc, StairAt{Pack(time, position), slot});
      tc.best_ever = std::min(tc.best_ever, position);
    }
    if (!country || loading_) continue;
    UpdateLevels(chart, tc.peaks, time, slot, old, position);
    for (size_t w = 0; w < watched.size(); ++w) {
      const int p = watched[w];
      const bool was = old != 0 && old <= p;
      const bool is = position <= p;
      if (was == is && !(is && best > p)) continue;
      Touch(tc, track, touched);
      if (is && best > p) {
        MoveCrossing(chart, tc.watched[w], slot, std::nullopt, time);
        MarkActive(chart, tc, track, w);
      }
      if (was != is) AddStep(chart, tc.watched[w], time, slot, is ? 1 : -1);
    }
  }
  while (b < before.size()) drop(before[b++]);
  rs.latest_present = std::move(present);
  return AppendResult{};
}

void RecordsEngine::Touch(TrackChart& tc, uint32_t track,
                          absl::flat_hash_map<uint32_t, Touched>& touched) {
  if (!record_events_) return;
  auto [it, inserted] = touched.try_emplace(track);
  if (inserted) {
    it->second.track = track;
    it->second.before = tc.watched;
  }
}

void RecordsEngine::SetValue(ChartState& chart, uint32_t slot, uint32_t track,
                             Micros time, int position, bool new_capture,
                             absl::flat_hash_map<uint32_t, Touched>& touched) {
  RegionState& rs = chart.slots[slot];
  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(), time);
  std::optional<Micros> next;
  if (at + 1 < rs.captures.end()) next = *(at + 1);

  TrackChart& tc = TrackChartFor(chart, track);
  if (tc.regions.size() <= slot) tc.regions.resize(slot + 1);
  History& h = tc.regions[slot];
  if (h.changes.empty()) {
    if (position == 0) return;
    rs.tracks.push_back(track);
  }
  if (position != 0) AddShown(rs, time, track);
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
  ResummarizeFrom(h, from);
  chart.change_count +=
      static_cast<int64_t>(n) - (has_at ? 1 : 0) - (has_next_change ? 1 : 0);

  const auto& watched = options_.watched_positions;
  absl::InlinedVector<std::optional<Packed>, 4> firsts(watched.size());
  for (size_t w = 0; w < watched.size(); ++w) {
    firsts[w] = FirstWithin(h, watched[w]);
  }
  if (position != 0) tc.best_ever = std::min(tc.best_ever, position);
  const absl::InlinedVector<Packed, 2> stairs_before = h.stairs;
  if (new_capture) {
    // A new observation only adds to the staircase.
    if (position != 0) AddToStairs(h, time, position);
  } else {
    // The observation at an existing capture changed: rare, rebuild.
    RebuildStairs(h);
  }
  SetBest(tc, slot);
  if (!loading_) ReplaceStairs(tc, slot, stairs_before, h.stairs);
  if (!rs.country) return;
  // A change before the latest: the running peak levels no longer hold.
  if (!loading_) tc.peaks = PeakLevels{{}, time, false};
  // At a new capture the value carried there was `old_at`, so the indicator
  // changes at `time` and back at `next` exactly as for a replacement.
  for (size_t w = 0; w < watched.size(); ++w) {
    const int p = watched[w];
    std::optional<Packed> first = FirstWithin(h, p);
    if (first != firsts[w]) {
      Touch(tc, track, touched);
      std::optional<Micros> from_time, to_time;
      if (firsts[w].has_value()) from_time = TimeOf(*firsts[w]);
      if (first.has_value()) to_time = TimeOf(*first);
      MoveCrossing(chart, tc.watched[w], slot, from_time, to_time);
      MarkActive(chart, tc, track, w);
    }
    const bool was = old_at != 0 && old_at <= p;
    const bool is = position != 0 && position <= p;
    if (was != is) {
      Touch(tc, track, touched);
      AddStep(chart, tc.watched[w], time, slot, is ? 1 : -1);
      if (next.has_value()) {
        AddStep(chart, tc.watched[w], *next, slot, is ? -1 : 1);
      }
    }
  }
}

std::vector<std::pair<uint32_t, int>> RecordsEngine::Reconstruct(
    const ChartState& chart, uint32_t slot, Micros time) const {
  std::vector<std::pair<uint32_t, int>> out;
  const std::vector<uint32_t>* block = FindBlock(chart.slots[slot], time);
  if (block == nullptr) return out;
  for (uint32_t track : *block) {
    const TrackChart* tc = FindTrackChart(chart, track);
    if (tc == nullptr || tc->regions.size() <= slot) continue;
    int p = ValueAt(tc->regions[slot], time);
    if (p != 0) out.emplace_back(track, p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void RecordsEngine::BeginLoad() { loading_ = true; }

absl::Status RecordsEngine::Load(std::string_view chart_name,
                                 std::string_view region, Micros time,
                                 int chart_size,
                                 absl::Span<std::pair<uint32_t, int>> obs) {
  // A loader that sorts on another thread saves this one the work.
  if (!std::is_sorted(obs.begin(), obs.end()))
    std::sort(obs.begin(), obs.end());
  bool valid = !chart_name.empty() && !region.empty() && chart_size >= 1 &&
               chart_size <= kMaxChartSize && time < kMaxInstant &&
               time > -kMaxInstant;
  std::array<bool, kMaxChartSize + 1> taken{};
  for (size_t i = 0; valid && i < obs.size(); ++i) {
    const auto [track, position] = obs[i];
    valid = track < tracks_.size() && position >= 1 && position <= chart_size &&
            !taken[position] && (i == 0 || obs[i - 1].first != track);
    if (valid) taken[position] = true;
  }
  auto append = [&]() -> absl::Status {
    Snapshot snapshot{.chart = std::string(chart_name),
                      .region = std::string(region),
                      .capture_time = time,
                      .chart_size = chart_size,
                      .entries = {}};
    for (const auto& [track, position] : obs) {
      snapshot.entries.push_back(SnapshotEntry{
          track < tracks_.size() ? tracks_[track].id : std::string(),
          position});
    }
    return Append(snapshot, ConflictPolicy::kReplace).status();
  };
  if (!valid) return append();
  auto [chart_it, new_chart] = chart_index_.try_emplace(
      AbslView(chart_name), static_cast<uint32_t>(charts_.size()));
  if (new_chart) {
    charts_.push_back(std::make_unique<ChartState>());
    charts_.back()->name = std::string(chart_name);
  }
  const uint32_t chart_index = chart_it->second;
  ChartState& chart = *charts_[chart_index];
  const size_t slots_before = chart.slots.size();
  const uint32_t slot = SlotFor(chart, InternRegion(region));
  if (chart.slots.size() != slots_before) UpdateAllKillCount(chart);
  const RegionState& rs = chart.slots[slot];
  if (!loading_ || (!rs.captures.empty() && time <= rs.captures.back())) {
    return append();
  }
  absl::flat_hash_map<uint32_t, Touched> touched;
  ApplyNew(chart_index, slot, time, chart_size, obs, touched);
  return absl::OkStatus();
}

void RecordsEngine::FinishLoad() {
  if (!loading_) return;
  loading_ = false;
  const bool events = record_events_;
  record_events_ = false;
  for (uint32_t c = 0; c < charts_.size(); ++c) RebuildDerived(c);
  record_events_ = events;
  if (record_events_) RebuildAllKeys();
}

void RecordsEngine::SetRecordEvents(bool enabled) {
  if (enabled == record_events_) return;
  record_events_ = enabled;
  keys_.clear();
  if (enabled) RebuildAllKeys();
}

// ---------------------------------------------------------------------------
// Snapshots and charts.

std::optional<Snapshot> RecordsEngine::GetSnapshot(
    const SnapshotKey& key) const {
  std::optional<uint32_t> c = FindChart(key.chart);
  if (!c.has_value()) return std::nullopt;
  const ChartState& chart = *charts_[*c];
  auto r = region_index_.find(AbslView(key.region));
  if (r == region_index_.end()) return std::nullopt;
  auto s = chart.slot_of_region.find(r->second);
  if (s == chart.slot_of_region.end()) return std::nullopt;
  const RegionState& rs = chart.slots[s->second];
  auto at = std::lower_bound(rs.captures.begin(), rs.captures.end(),
                             key.capture_time);
  if (at == rs.captures.end() || *at != key.capture_time) return std::nullopt;
  Snapshot out;
  out.chart = key.chart;
  out.region = key.region;
  out.capture_time = key.capture_time;
  out.chart_size = rs.sizes[at - rs.captures.begin()];
  for (const auto& [track, position] :
       Reconstruct(chart, s->second, key.capture_time)) {
    out.entries.push_back(SnapshotEntry{tracks_[track].id, position});
  }
  std::sort(out.entries.begin(), out.entries.end(),
            [](const SnapshotEntry& a, const SnapshotEntry& b) {
              return a.position < b.position;
            });
  return out;
}

std::optional<ChartSummary> RecordsEngine::GetChart(
    std::string_view chart_name) const {
  std::optional<uint32_t> c = FindChart(chart_name);
  if (!c.has_value()) return std::nullopt;
  const ChartState& chart = *charts_[*c];
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
  for (const auto& chart : charts_) out.push_back(*GetChart(chart->name));
  std::sort(out.begin(), out.end(),
            [](const ChartSummary& a, const ChartSummary& b) {
              return a.chart < b.chart;
            });
  return out;
}

// ---------------------------------------------------------------------------
// Questions.

absl::StatusOr<const RecordsEngine::ChartState*> RecordsEngine::ChartFor(
    std::string_view chart) const {
  std::optional<uint32_t> c = FindChart(chart);
  if (!c.has_value()) {
    return absl::NotFoundError(absl::StrCat("chart: no snapshot of chart '",
                                            AbslView(chart), "' is held"));
  }
  return charts_[*c].get();
}

const RecordsEngine::ThresholdState* RecordsEngine::StateFor(
    const ChartState& chart, uint32_t track, int position,
    const std::vector<bool>* in_set, bool with_steps,
    ThresholdState& scratch) const {
  const TrackChart* tc = FindTrackChart(chart, track);
  if (tc == nullptr) return nullptr;
  if (in_set == nullptr) {
    if (std::optional<int> w = WatchedIndex(position)) return &tc->watched[*w];
    std::vector<bool> countries(chart.slots.size());
    for (uint32_t s = 0; s < chart.slots.size(); ++s) {
      countries[s] = chart.slots[s].country;
    }
    scratch = ComputeState(chart, *tc, position, countries, with_steps);
  } else {
    scratch = ComputeState(chart, *tc, position, *in_set, with_steps);
  }
  return &scratch;
}

Interval RecordsEngine::BoundsOf(const ChartState& chart, uint32_t slot,
                                 Micros time,
                                 std::optional<Micros> reference) const {
  const auto& captures = chart.slots[slot].captures;
  auto at = std::lower_bound(captures.begin(), captures.end(), time);
  if (at != captures.begin()) return Interval{*(at - 1), time};
  return Interval{reference.has_value() ? std::min(*reference, time) : time,
                  time};
}

absl::StatusOr<TimeToThresholdAnswer> RecordsEngine::TimeToThreshold(
    const TimeToThresholdQuery& query) const {
  absl::StatusOr<const ChartState*> chart_or = ChartFor(query.chart);
  if (!chart_or.ok()) return chart_or.status();
  const ChartState& chart = **chart_or;
  if (absl::Status s = CheckThreshold(query.threshold); !s.ok()) return s;
  if (query.min_regions < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "min_regions: must be at least 1, got ", query.min_regions));
  }
  const int p = static_cast<int>(query.threshold.value());
  std::optional<uint32_t> track = FindTrack(query.track_id);
  TimeToThresholdAnswer out;
  if (query.reference_time.has_value()) {
    out.reference_time = *query.reference_time;
  } else if (track.has_value() && tracks_[*track].facts.has_value() &&
             tracks_[*track].facts->release_time.has_value()) {
    out.reference_time = *tracks_[*track].facts->release_time;
  } else {
    return absl::FailedPreconditionError(
        absl::StrCat("reference_time: track '", AbslView(query.track_id),
                     "' has no release instant; give a reference instant"));
  }

  std::vector<bool> in_set(chart.slots.size());
  const std::vector<bool>* set = nullptr;
  if (query.regions.empty()) {
    out.eligible_region_count = chart.country_count;
    out.as_of_time = chart.last_country_capture;
  } else {
    absl::flat_hash_set<std::string> named;
    for (size_t i = 0; i < query.regions.size(); ++i) {
      const std::string& code = query.regions[i];
      if (code.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("regions[", i, "]: empty region code"));
      }
      named.insert(code);
      auto r = region_index_.find(code);
      if (r == region_index_.end()) continue;
      auto s = chart.slot_of_region.find(r->second);
      if (s == chart.slot_of_region.end()) continue;
      in_set[s->second] = true;
      out.as_of_time =
          std::max(out.as_of_time, chart.slots[s->second].captures.back());
    }
    out.eligible_region_count = static_cast<int>(named.size());
    set = &in_set;
  }

  const TrackChart* held =
      track.has_value() ? FindTrackChart(chart, *track) : nullptr;
  if (held == nullptr) return out;
  if (!query.with_crossings && set == nullptr && !WatchedIndex(p)) {
    // Unwatched P, no crossing list: the count from each region's best
    // position, and the crossings only up to the N-th.
    for (uint32_t slot = 0; slot < held->best_by_slot.size(); ++slot) {
      const int best = held->best_by_slot[slot];
      out.region_count += best != 0 && best <= p && chart.slots[slot].country;
    }
    if (out.region_count < query.min_regions) return out;
    std::vector<CrossingAt> firsts;
    FirstCrossings(chart, *held, p, nullptr, firsts, query.min_regions);
    const CrossingAt& nth = firsts[query.min_regions - 1];
    out.reached = true;
    out.reach_time = nth.time;
    out.time_to_threshold = nth.time - out.reference_time;
    out.completing_region = RegionCode(chart, nth.slot);
    out.bounds = BoundsOf(chart, nth.slot, nth.time, out.reference_time);
    return out;
  }
  ThresholdState scratch;
  const ThresholdState* state =
      StateFor(chart, *track, p, set, /*with_steps=*/false, scratch);
  const TrackChart& tc = *chart.tracks[*track];
  out.region_count = static_cast<int>(state->crossings.size());
  for (const CrossingAt& c : state->crossings) {
    if (!query.with_crossings) break;
    Crossing crossing;
    crossing.region = RegionCode(chart, c.slot);
    crossing.capture_time = c.time;
    const auto& captures = chart.slots[c.slot].captures;
    auto at = std::lower_bound(captures.begin(), captures.end(), c.time);
    if (at != captures.begin()) crossing.previous_capture_time = *(at - 1);
    crossing.position = PositionOf(*FirstWithin(tc.regions[c.slot], p));
    crossing.elapsed = c.time - out.reference_time;
    out.crossings.push_back(std::move(crossing));
  }
  if (out.region_count >= query.min_regions) {
    const CrossingAt& nth = state->crossings[query.min_regions - 1];
    out.reached = true;
    out.reach_time = nth.time;
    out.time_to_threshold = nth.time - out.reference_time;
    out.completing_region = RegionCode(chart, nth.slot);
    out.bounds = BoundsOf(chart, nth.slot, nth.time, out.reference_time);
  }
  return out;
}

absl::StatusOr<TimelineAnswer> RecordsEngine::Timeline(
    const TimelineQuery& query) const {
  absl::StatusOr<const ChartState*> chart_or = ChartFor(query.chart);
  if (!chart_or.ok()) return chart_or.status();
  const ChartState& chart = **chart_or;
  if (absl::Status s = CheckThreshold(query.threshold); !s.ok()) return s;
  const int p = static_cast<int>(query.threshold.value());

  std::vector<bool> in_set(chart.slots.size());
  const std::vector<bool>* set = nullptr;
  Micros as_of = 0;
  for (size_t i = 0; i < query.regions.size(); ++i) {
    if (query.regions[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("regions[", i, "]: empty region code"));
    }
    auto r = region_index_.find(query.regions[i]);
    if (r == region_index_.end()) continue;
    auto s = chart.slot_of_region.find(r->second);
    if (s != chart.slot_of_region.end()) in_set[s->second] = true;
  }
  if (!query.regions.empty()) set = &in_set;
  for (uint32_t s = 0; s < chart.slots.size(); ++s) {
    if (set == nullptr ? chart.slots[s].country : in_set[s]) {
      as_of = std::max(as_of, chart.slots[s].captures.back());
    }
  }

  TimelineAnswer out;
  std::optional<uint32_t> track = FindTrack(query.track_id);
  ThresholdState scratch;
  const ThresholdState* state =
      track.has_value() ? StateFor(chart, *track, p, set, true, scratch)
                        : nullptr;
  static const ThresholdState kEmpty;
  if (state == nullptr) state = &kEmpty;

  // Every instant a count changes, with the counts from it on.
  std::vector<TimelinePoint> full;
  const auto& cr = state->crossings;
  const auto& st = state->steps;
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

absl::StatusOr<TrackTotals> RecordsEngine::Totals(
    std::string_view track_id, std::string_view chart_name,
    const Threshold& threshold) const {
  absl::StatusOr<const ChartState*> chart_or = ChartFor(chart_name);
  if (!chart_or.ok()) return chart_or.status();
  if (absl::Status s = CheckThreshold(threshold); !s.ok()) return s;
  TrackTotals out;
  std::optional<uint32_t> track = FindTrack(track_id);
  if (!track.has_value()) return out;
  ThresholdState scratch;
  const ThresholdState* state =
      StateFor(**chart_or, *track, static_cast<int>(threshold.value()), nullptr,
               true, scratch);
  if (state == nullptr || state->crossings.empty()) return out;
  out.total = static_cast<int>(state->crossings.size());
  out.total_reach_time = state->crossings.back().time;
  out.peak = state->steps.empty() ? 0 : state->steps.back().max;
  for (const Step& s : state->steps) {
    if (s.max == out.peak) {
      out.peak_time = s.time;
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Records.

bool RecordsEngine::SmallerIsBetter(Metric metric) {
  return metric == Metric::kFastest || metric == Metric::kAllKill;
}

void RecordsEngine::Improvements(const ChartState& chart,
                                 const ThresholdState& state, uint32_t track,
                                 Metric metric, int min_regions, Micros from,
                                 std::vector<Improvement>& out) const {
  const std::optional<TrackFacts>& facts = tracks_[track].facts;
  const std::optional<Micros> release =
      facts.has_value() ? facts->release_time : std::nullopt;
  const Micros release_time = release.value_or(0);
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
          (!release.has_value() || chart.all_kill_count == 0)) {
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
          } else if (group_max >= chart.all_kill_count) {
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

void RecordsEngine::SortImprovements(Metric metric,
                                     std::vector<Improvement>& events) const {
  const bool smaller = SmallerIsBetter(metric);
  std::sort(events.begin(), events.end(),
            [&](const Improvement& a, const Improvement& b) {
              if (a.time != b.time) return a.time < b.time;
              if (a.value != b.value) {
                return smaller ? a.value < b.value : a.value > b.value;
              }
              return tracks_[a.track].id < tracks_[b.track].id;
            });
}

void RecordsEngine::Feed(Metric metric, const std::vector<Improvement>& events,
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

RecordsEngine::LineageState RecordsEngine::ComputeLineage(
    const KeyId& key) const {
  const ChartState& chart = *charts_[key.chart];
  const bool with_steps =
      key.metric == Metric::kPeak || key.metric == Metric::kAllKill;
  std::vector<Improvement> events;
  ThresholdState scratch;
  for (uint32_t track : Candidates(chart, key.position)) {
    if (!tracks_[track].facts.has_value() ||
        !Matches(key.category, *tracks_[track].facts)) {
      continue;
    }
    const ThresholdState* state =
        StateFor(chart, track, key.position, nullptr, with_steps, scratch);
    Improvements(chart, *state, track, key.metric, key.min_regions,
                 std::numeric_limits<Micros>::min(), events);
  }
  SortImprovements(key.metric, events);
  LineageState out;
  Feed(key.metric, events, out);
  return out;
}

RecordHolder RecordsEngine::MakeHolder(const ChartState& chart, uint32_t track,
                                       int64_t value, Micros time,
                                       uint32_t slot, int64_t best) const {
  RecordHolder out;
  out.track_id = tracks_[track].id;
  out.value = value;
  out.reach_time = time;
  out.reach_region = RegionCode(chart, slot);
  const std::optional<TrackFacts>& facts = tracks_[track].facts;
  out.bounds = BoundsOf(chart, slot, time,
                        facts.has_value() ? facts->release_time : std::nullopt);
  out.best_value = best;
  return out;
}

RecordKey RecordsEngine::PublicKey(const KeyId& key) const {
  return RecordKey{
      charts_[key.chart]->name, key.metric, Threshold::Position(key.position),
      key.metric == Metric::kFastest ? key.min_regions : 0, key.category};
}

absl::StatusOr<Leaderboard> RecordsEngine::GetLeaderboard(
    const RecordKey& key) const {
  absl::StatusOr<const ChartState*> chart_or = ChartFor(key.chart);
  if (!chart_or.ok()) return chart_or.status();
  const ChartState& chart = **chart_or;
  if (absl::Status s = CheckThreshold(key.threshold); !s.ok()) return s;
  if (key.metric == Metric::kFastest && key.min_regions < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_regions: must be at least 1, got ", key.min_regions));
  }
  const Category category = NormalizeCategory(key.category);
  const int p = static_cast<int>(key.threshold.value());
  const bool with_steps =
      key.metric == Metric::kPeak || key.metric == Metric::kAllKill;
  std::vector<Improvement> rows;
  std::vector<Improvement> events;
  ThresholdState scratch;
  // At an unwatched P, fastest and total need only each region's first
  // crossing: the N-th (by time, ties by region code) or the count and the
  // last, found without building and sorting every track's state.
  const bool direct =
      !WatchedIndex(p).has_value() &&
      (key.metric == Metric::kFastest || key.metric == Metric::kTotal);
  // At an unwatched P, peak and all-kill read the track's peak levels when
  // they hold.
  const bool levels =
      !WatchedIndex(p).has_value() &&
      (key.metric == Metric::kPeak || key.metric == Metric::kAllKill);
  std::vector<CrossingAt> firsts;
  for (uint32_t track : Candidates(chart, p)) {
    if (!tracks_[track].facts.has_value() ||
        !Matches(category, *tracks_[track].facts)) {
      continue;
    }
    if (levels && chart.tracks[track]->peaks.exact) {
      const std::vector<LevelPeak>& lv = chart.tracks[track]->peaks.levels;
      if (lv.empty()) continue;
      const LevelPeak::Best& peak =
          lv[std::min(lv.size(), static_cast<size_t>(p)) - 1].peak;
      if (peak.value == 0) continue;
      if (key.metric == Metric::kPeak) {
        rows.push_back(Improvement{peak.time, peak.value, track, peak.slot});
        continue;
      }
      const std::optional<Micros> release = tracks_[track].facts->release_time;
      if (release.has_value() && chart.all_kill_count > 0 &&
          peak.value >= chart.all_kill_count) {
        rows.push_back(
            Improvement{peak.time, peak.time - *release, track, peak.slot});
      }
      continue;
    }
    if (direct) {
      // Fastest needs the crossings up to the N-th only.
      FirstCrossings(chart, *chart.tracks[track], p, nullptr, firsts,
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
      const std::optional<Micros> release = tracks_[track].facts->release_time;
      if (!release.has_value() ||
          firsts.size() < static_cast<size_t>(key.min_regions)) {
        continue;
      }
      const CrossingAt& nth = firsts[key.min_regions - 1];
      rows.push_back(
          Improvement{nth.time, nth.time - *release, track, nth.slot});
      continue;
    }
    const ThresholdState* state =
        StateFor(chart, track, p, nullptr, with_steps, scratch);
    events.clear();
    Improvements(chart, *state, track, key.metric, key.min_regions,
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
              return tracks_[a.track].id < tracks_[b.track].id;
            });
  Leaderboard out;
  out.as_of_time = chart.last_capture;
  out.rows.reserve(rows.size());
  for (const Improvement& r : rows) {
    out.rows.push_back(
        MakeHolder(chart, r.track, r.value, r.time, r.slot, r.value));
  }
  return out;
}

absl::StatusOr<Lineage> RecordsEngine::GetLineage(const RecordKey& key) const {
  absl::StatusOr<const ChartState*> chart_or = ChartFor(key.chart);
  if (!chart_or.ok()) return chart_or.status();
  const ChartState& chart = **chart_or;
  if (absl::Status s = CheckThreshold(key.threshold); !s.ok()) return s;
  if (key.metric == Metric::kFastest && key.min_regions < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_regions: must be at least 1, got ", key.min_regions));
  }
  KeyId id{*FindChart(key.chart), key.metric,
           static_cast<int32_t>(key.threshold.value()),
           key.metric == Metric::kFastest ? key.min_regions : 0,
           NormalizeCategory(key.category)};
  // A watched record's lineage is kept up to date by appends.
  auto cached = record_events_ ? keys_.find(id) : keys_.end();
  LineageState lineage =
      cached != keys_.end() ? cached->second : ComputeLineage(id);
  Lineage out;
  out.as_of_time = chart.last_capture;
  for (const Holding& h : lineage.holdings) {
    out.holders.push_back(
        MakeHolder(chart, h.track, h.value, h.time, h.slot, h.best));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Watched records and events.

std::vector<RecordsEngine::KeyId> RecordsEngine::KeysOf(uint32_t chart,
                                                        uint32_t track) const {
  std::vector<KeyId> out;
  for (const Category& category : tracks_[track].watched_categories) {
    for (int p : options_.watched_positions) {
      for (int n : options_.milestones) {
        out.push_back(KeyId{chart, Metric::kFastest, p, n, category});
      }
      out.push_back(KeyId{chart, Metric::kTotal, p, 0, category});
      out.push_back(KeyId{chart, Metric::kPeak, p, 0, category});
      out.push_back(KeyId{chart, Metric::kAllKill, p, 0, category});
    }
  }
  return out;
}

void RecordsEngine::Announce(const KeyId& key, LineageState& lineage,
                             size_t from, const SnapshotKey* snapshot,
                             bool backfilled,
                             std::vector<RecordEvent>* events) const {
  const ChartState& chart = *charts_[key.chart];
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
    event.record = PublicKey(key);
    event.new_holder =
        MakeHolder(chart, h.track, h.value, h.time, h.slot, h.best);
    if (i > 0) {
      const Holding& p = lineage.holdings[i - 1];
      event.previous_holder =
          MakeHolder(chart, p.track, p.value, p.time, p.slot, p.best);
    }
    event.backfilled = backfilled;
    event.snapshot = *snapshot;
    events->push_back(std::move(event));
  }
}

void RecordsEngine::UpdateKey(const KeyId& key, LineageState next,
                              const SnapshotKey* snapshot, bool backfilled,
                              std::vector<RecordEvent>* events) {
  LineageState& held = keys_[key];
  next.announced = std::move(held.announced);
  Announce(key, next, 0, snapshot, backfilled, events);
  held = std::move(next);
}

void RecordsEngine::DetectEvents(
    uint32_t chart_index, const SnapshotKey& snapshot, bool backfilled,
    bool country_count_changed,
    const absl::flat_hash_map<uint32_t, Touched>& touched,
    std::vector<RecordEvent>& events) {
  if (touched.empty() && !country_count_changed) return;
  const ChartState& chart = *charts_[chart_index];
  struct Pending {
    Micros min_change = std::numeric_limits<Micros>::max();
    std::vector<Improvement> added;
    bool full = false;
  };
  absl::flat_hash_map<KeyId, Pending> pending;
  std::vector<Improvement> old_events, new_events;
  std::vector<std::pair<Metric, int>> metrics;
  for (int n : options_.milestones) metrics.emplace_back(Metric::kFastest, n);
  metrics.emplace_back(Metric::kTotal, 0);
  metrics.emplace_back(Metric::kPeak, 0);
  metrics.emplace_back(Metric::kAllKill, 0);

  for (const auto& [track, t] : touched) {
    const TrackInfo& info = tracks_[track];
    if (!info.facts.has_value()) continue;
    const TrackChart& tc = *chart.tracks[track];
    for (size_t w = 0; w < options_.watched_positions.size(); ++w) {
      const int p = options_.watched_positions[w];
      for (const auto& [metric, n] : metrics) {
        old_events.clear();
        new_events.clear();
        Improvements(chart, t.before[w], track, metric, n,
                     std::numeric_limits<Micros>::min(), old_events);
        Improvements(chart, tc.watched[w], track, metric, n,
                     std::numeric_limits<Micros>::min(), new_events);
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
  if (country_count_changed) {
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
      UpdateKey(key, ComputeLineage(key), &snapshot, backfilled, &events);
      continue;
    }
    // Everything new happened after all the record has seen: feed it.
    LineageState& lineage = it->second;
    const size_t before = lineage.holdings.size();
    SortImprovements(key.metric, pe->added);
    Feed(key.metric, pe->added, lineage);
    Announce(key, lineage, before, &snapshot, backfilled, &events);
  }
}

void RecordsEngine::RecomputeKeysOfTrack(
    uint32_t track, const std::vector<Category>& extra_categories) {
  if (!record_events_) return;
  for (uint32_t c = 0; c < charts_.size(); ++c) {
    if (FindTrackChart(*charts_[c], track) == nullptr) continue;
    std::vector<KeyId> keys = KeysOf(c, track);
    for (const Category& category : extra_categories) {
      for (int p : options_.watched_positions) {
        for (int n : options_.milestones) {
          keys.push_back(KeyId{c, Metric::kFastest, p, n, category});
        }
        keys.push_back(KeyId{c, Metric::kTotal, p, 0, category});
        keys.push_back(KeyId{c, Metric::kPeak, p, 0, category});
        keys.push_back(KeyId{c, Metric::kAllKill, p, 0, category});
      }
    }
    for (const KeyId& key : keys) {
      UpdateKey(key, ComputeLineage(key), nullptr, false, nullptr);
    }
  }
}

void RecordsEngine::RebuildAllKeys() {
  keys_.clear();
  for (uint32_t c = 0; c < charts_.size(); ++c) {
    const ChartState& chart = *charts_[c];
    absl::flat_hash_map<KeyId, std::vector<Improvement>> gathered;
    for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
      if (chart.tracks[track] == nullptr || !tracks_[track].facts.has_value()) {
        continue;
      }
      // A track's improvements depend on (metric, P, N), not on the
      // category: computed once for all of its categories.
      absl::flat_hash_map<std::tuple<Metric, int32_t, int32_t>,
                          std::vector<Improvement>>
          computed;
      for (const KeyId& key : KeysOf(c, track)) {
        auto [it, fresh] = computed.try_emplace(
            std::make_tuple(key.metric, key.position, key.min_regions));
        if (fresh) {
          const ThresholdState& state =
              chart.tracks[track]->watched[*WatchedIndex(key.position)];
          Improvements(chart, state, track, key.metric, key.min_regions,
                       std::numeric_limits<Micros>::min(), it->second);
        }
        auto& list = gathered[key];
        list.insert(list.end(), it->second.begin(), it->second.end());
      }
    }
    for (auto& [key, list] : gathered) {
      SortImprovements(key.metric, list);
      LineageState lineage;
      Feed(key.metric, list, lineage);
      Announce(key, lineage, 0, nullptr, false, nullptr);
      keys_[key] = std::move(lineage);
    }
  }
}

}  // namespace hitclock::records::core

namespace hitclock::records::core {

absl::Status RecordsEngine::CheckConsistency() const {
  for (const auto& chart_ptr : charts_) {
    const ChartState& chart = *chart_ptr;
    std::vector<bool> countries(chart.slots.size());
    int country_count = 0;
    Micros last_country_capture = 0;
    for (uint32_t slot = 0; slot < chart.slots.size(); ++slot) {
      const RegionState& rs = chart.slots[slot];
      countries[slot] = rs.country;
      country_count += rs.country;
      if (rs.country && !rs.captures.empty()) {
        last_country_capture =
            std::max(last_country_capture, rs.captures.back());
      }
      if (rs.country != (region_kinds_[rs.region] == RegionKind::kCountry)) {
        return absl::InternalError("region kind out of date");
      }
      if (rs.captures.size() != rs.sizes.size() ||
          std::adjacent_find(rs.captures.begin(), rs.captures.end(),
                             std::greater_equal<Micros>()) !=
              rs.captures.end()) {
        return absl::InternalError("captures not strictly sorted");
      }
      std::vector<uint32_t> with_history, present;
      for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
        const TrackChart* tc = chart.tracks[track].get();
        if (tc == nullptr || tc->regions.size() <= slot ||
            tc->regions[slot].changes.empty()) {
          continue;
        }
        with_history.push_back(track);
        if (ValueAt(tc->regions[slot], rs.captures.back()) != 0) {
          present.push_back(track);
        }
      }
      // Every track present at a capture is in the capture's hour block.
      for (const Micros capture : rs.captures) {
        const std::vector<uint32_t>* block = FindBlock(rs, capture);
        for (uint32_t track : with_history) {
          if (ValueAt(chart.tracks[track]->regions[slot], capture) == 0) {
            continue;
          }
          if (block == nullptr ||
              !std::binary_search(block->begin(), block->end(), track)) {
            return absl::InternalError(
                absl::StrCat("hour block misses ", tracks_[track].id, " in ",
                             RegionCode(chart, slot), " at ", capture));
          }
        }
      }
      std::vector<uint32_t> listed = rs.tracks;
      std::sort(listed.begin(), listed.end());
      if (listed != with_history) {
        return absl::InternalError(absl::StrCat("region track list wrong in ",
                                                RegionCode(chart, slot)));
      }
      if (present != rs.latest_present) {
        return absl::InternalError(
            absl::StrCat("latest_present wrong in ", RegionCode(chart, slot)));
      }
    }
    int64_t change_count = 0;
    for (const auto& tc : chart.tracks) {
      if (tc == nullptr) continue;
      for (const History& h : tc->regions) change_count += h.changes.size();
    }
    if (change_count != chart.change_count) {
      return absl::InternalError("change point count wrong");
    }
    if (country_count != chart.country_count) {
      return absl::InternalError("country count wrong");
    }
    for (const auto& tc : chart.tracks) {
      if (tc == nullptr) continue;
      for (const History& h : tc->regions) {
        if (!h.stairs.empty() && PositionOf(h.stairs.back()) < tc->best_ever) {
          return absl::InternalError(
              "best position ever above a region's best");
        }
      }
    }
    if (last_country_capture != chart.last_country_capture) {
      return absl::InternalError("latest country capture wrong");
    }
    if (AllKillCount(chart) != chart.all_kill_count) {
      return absl::InternalError("all-kill region count wrong");
    }
    for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
      const TrackChart* tc = chart.tracks[track].get();
      if (tc == nullptr) continue;
      for (size_t w = 0; w < options_.watched_positions.size(); ++w) {
        if (tc->watched[w].crossings.empty()) continue;
        const std::vector<uint32_t> listed =
            Candidates(chart, options_.watched_positions[w]);
        if (std::count(listed.begin(), listed.end(), track) != 1) {
          return absl::InternalError(
              absl::StrCat("active list wrong: ", tracks_[track].id));
        }
      }
      for (uint32_t slot = 0; slot < tc->regions.size(); ++slot) {
        const History& h = tc->regions[slot];
        const auto& captures = chart.slots[slot].captures;
        for (size_t i = 0; i < h.changes.size(); ++i) {
          const Micros t = TimeOf(h.changes[i]);
          const int p = PositionOf(h.changes[i]);
          const int prev = i == 0 ? 0 : PositionOf(h.changes[i - 1]);
          if ((i > 0 && TimeOf(h.changes[i - 1]) >= t) || p == prev ||
              !std::binary_search(captures.begin(), captures.end(), t)) {
            return absl::InternalError(
                absl::StrCat("history not compact: ", tracks_[track].id, " in ",
                             RegionCode(chart, slot), " at ", t));
          }
        }
        History rebuilt = h;
        RebuildStairs(rebuilt);
        if (rebuilt.stairs != h.stairs) {
          return absl::InternalError(
              absl::StrCat("staircase wrong: ", tracks_[track].id, " in ",
                           RegionCode(chart, slot)));
        }
        ResummarizeFrom(rebuilt, 0);
        if (rebuilt.blocks != h.blocks) {
          return absl::InternalError(
              absl::StrCat("block summaries wrong: ", tracks_[track].id, " in ",
                           RegionCode(chart, slot)));
        }
      }
      for (uint32_t slot = 0; slot < tc->regions.size(); ++slot) {
        const auto& stairs = tc->regions[slot].stairs;
        const int best = stairs.empty() ? 0 : PositionOf(stairs.back());
        if ((slot < tc->best_by_slot.size() ? tc->best_by_slot[slot] : 0) !=
            best) {
          return absl::InternalError(absl::StrCat(
              "best position of a region wrong: ", tracks_[track].id, " in ",
              RegionCode(chart, slot)));
        }
      }
      if (CollectStairs(*tc) != tc->stairs) {
        return absl::InternalError(
            absl::StrCat("staircase array wrong: ", tracks_[track].id));
      }
      if (tc->peaks.exact) {
        // A rebuild may find the levels exact where appends gave up; where
        // appends kept them they must equal the rebuilt ones.
        if (ComputeLevels(chart, *tc) != tc->peaks) {
          return absl::InternalError(
              absl::StrCat("peak levels wrong: ", tracks_[track].id));
        }
      }
      for (size_t w = 0; w < options_.watched_positions.size(); ++w) {
        ThresholdState expected = ComputeState(
            chart, *tc, options_.watched_positions[w], countries, true);
        const ThresholdState& held = tc->watched[w];
        bool same = expected.crossings.size() == held.crossings.size() &&
                    expected.steps.size() == held.steps.size();
        for (size_t i = 0; same && i < held.crossings.size(); ++i) {
          same = expected.crossings[i].time == held.crossings[i].time &&
                 expected.crossings[i].slot == held.crossings[i].slot;
        }
        for (size_t i = 0; same && i < held.steps.size(); ++i) {
          const Step& a = expected.steps[i];
          const Step& b = held.steps[i];
          same = a.time == b.time && a.slot == b.slot && a.delta == b.delta &&
                 a.sum == b.sum && a.max == b.max;
        }
        if (!same) {
          return absl::InternalError(
              absl::StrCat("watched state wrong: ", tracks_[track].id,
                           " P=", options_.watched_positions[w]));
        }
      }
    }
  }
  if (record_events_) {
    for (const auto& [key, held] : keys_) {
      LineageState expected = ComputeLineage(key);
      bool same = expected.holdings.size() == held.holdings.size();
      for (size_t i = 0; same && i < held.holdings.size(); ++i) {
        const Holding& a = expected.holdings[i];
        const Holding& b = held.holdings[i];
        same = a.track == b.track && a.value == b.value && a.time == b.time &&
               a.slot == b.slot && a.best == b.best;
      }
      if (!same) {
        return absl::InternalError(
            absl::StrCat("watched lineage out of date: metric ",
                         static_cast<int>(key.metric), " N ", key.min_regions));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace hitclock::records::core
