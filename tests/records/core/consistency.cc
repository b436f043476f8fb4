#include "tests/records/core/consistency.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/records/core/derived.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/record_book.h"

namespace hitclock::records::core {
namespace {

absl::Status CheckRegions(const EngineState& state, const ChartState& chart) {
  int country_count = 0;
  Micros last_country_capture = 0;
  for (uint32_t slot = 0; slot < chart.slots.size(); ++slot) {
    const RegionState& rs = chart.slots[slot];
    country_count += rs.country;
    if (rs.country && !rs.captures.empty()) {
      last_country_capture = std::max(last_country_capture, rs.captures.back());
    }
    if (rs.country != state.regions.is_country(rs.region) ||
        chart.countries[slot] != rs.country ||
        chart.slot_codes[slot] != state.regions.code(rs.region)) {
      return absl::InternalError("region kind or code out of date");
    }
    if (rs.captures.size() != rs.sizes.size() ||
        std::adjacent_find(rs.captures.begin(), rs.captures.end(),
                           std::greater_equal<Micros>()) != rs.captures.end()) {
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
      if (tc->regions[slot].ValueAt(rs.captures.back()) != 0) {
        present.push_back(track);
      }
    }
    // Every track present at a capture is in the capture's hour block.
    for (const Micros capture : rs.captures) {
      const std::vector<uint32_t>* block = rs.FindShown(capture);
      for (uint32_t track : with_history) {
        if (chart.tracks[track]->regions[slot].ValueAt(capture) == 0) continue;
        if (block == nullptr ||
            !std::binary_search(block->begin(), block->end(), track)) {
          return absl::InternalError(
              absl::StrCat("hour block misses ", state.tracks.id(track), " in ",
                           chart.RegionCode(slot), " at ", capture));
        }
      }
    }
    std::vector<uint32_t> listed = rs.tracks;
    std::sort(listed.begin(), listed.end());
    if (listed != with_history) {
      return absl::InternalError(
          absl::StrCat("region track list wrong in ", chart.RegionCode(slot)));
    }
    if (present != rs.latest_present) {
      return absl::InternalError(
          absl::StrCat("latest_present wrong in ", chart.RegionCode(slot)));
    }
  }
  if (country_count != chart.country_count) {
    return absl::InternalError("country count wrong");
  }
  if (last_country_capture != chart.last_country_capture) {
    return absl::InternalError("latest country capture wrong");
  }
  if (state.AllKillCount(chart) != chart.all_kill_count) {
    return absl::InternalError("all-kill region count wrong");
  }
  return absl::OkStatus();
}

absl::Status CheckHistories(const EngineState& state, const ChartState& chart,
                            uint32_t track, const TrackChart& tc) {
  const std::string& id = state.tracks.id(track);
  for (uint32_t slot = 0; slot < tc.regions.size(); ++slot) {
    const History& h = tc.regions[slot];
    const auto& captures = chart.slots[slot].captures;
    for (size_t i = 0; i < h.changes.size(); ++i) {
      const Micros t = TimeOf(h.changes[i]);
      const int p = PositionOf(h.changes[i]);
      const int prev = i == 0 ? 0 : PositionOf(h.changes[i - 1]);
      if ((i > 0 && TimeOf(h.changes[i - 1]) >= t) || p == prev ||
          !std::binary_search(captures.begin(), captures.end(), t)) {
        return absl::InternalError(absl::StrCat("history not compact: ", id,
                                                " in ", chart.RegionCode(slot),
                                                " at ", t));
      }
    }
    if (!h.stairs.empty() && PositionOf(h.stairs.back()) < tc.best_ever) {
      return absl::InternalError("best position ever above a region's best");
    }
    History rebuilt = h;
    rebuilt.RebuildStairs();
    if (rebuilt.stairs != h.stairs) {
      return absl::InternalError(absl::StrCat("staircase wrong: ", id, " in ",
                                              chart.RegionCode(slot)));
    }
    rebuilt.ResummarizeFrom(0);
    if (rebuilt.blocks != h.blocks) {
      return absl::InternalError(absl::StrCat("block summaries wrong: ", id,
                                              " in ", chart.RegionCode(slot)));
    }
    const int best = h.Best();
    if ((slot < tc.best_by_slot.size() ? tc.best_by_slot[slot] : 0) != best) {
      return absl::InternalError(
          absl::StrCat("best position of a region wrong: ", id, " in ",
                       chart.RegionCode(slot)));
    }
  }
  if (tc.CollectStairs() != tc.stairs) {
    return absl::InternalError(absl::StrCat("staircase array wrong: ", id));
  }
  return absl::OkStatus();
}

absl::Status CheckDerived(const EngineState& state, const ChartState& chart,
                          uint32_t track, const TrackChart& tc) {
  const std::string& id = state.tracks.id(track);
  const auto& watched = state.options.watched_positions;
  for (size_t w = 0; w < watched.size(); ++w) {
    if (tc.watched[w].crossings.empty()) continue;
    const std::vector<uint32_t> listed = Candidates(state, chart, watched[w]);
    if (std::count(listed.begin(), listed.end(), track) != 1) {
      return absl::InternalError(absl::StrCat("active list wrong: ", id));
    }
  }
  // A rebuild may find the levels exact where appends gave up; where
  // appends kept them they must equal the rebuilt ones.
  if (tc.peaks.exact &&
      ComputeLevels(tc.regions, chart.countries, chart.order()) != tc.peaks) {
    return absl::InternalError(absl::StrCat("peak levels wrong: ", id));
  }
  for (size_t w = 0; w < watched.size(); ++w) {
    const ThresholdState expected =
        ComputeState(state, chart, tc, watched[w], chart.countries, true);
    const ThresholdState& held = tc.watched[w];
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
          absl::StrCat("watched state wrong: ", id, " P=", watched[w]));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLineages(const EngineState& state, const RecordBook& book) {
  if (!state.record_events) return absl::OkStatus();
  for (const auto& [key, held] : book.lineages()) {
    const LineageState expected = RecordBook::Compute(state, key);
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
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckConsistency(const RecordsEngine& engine) {
  const EngineState& state = engine.state();
  for (const auto& chart_ptr : state.charts) {
    const ChartState& chart = *chart_ptr;
    if (absl::Status s = CheckRegions(state, chart); !s.ok()) return s;
    int64_t change_count = 0;
    for (uint32_t track = 0; track < chart.tracks.size(); ++track) {
      const TrackChart* tc = chart.tracks[track].get();
      if (tc == nullptr) continue;
      for (const History& h : tc->regions) change_count += h.changes.size();
      if (absl::Status s = CheckHistories(state, chart, track, *tc); !s.ok()) {
        return s;
      }
      if (absl::Status s = CheckDerived(state, chart, track, *tc); !s.ok()) {
        return s;
      }
    }
    if (change_count != chart.change_count) {
      return absl::InternalError("change point count wrong");
    }
  }
  return CheckLineages(state, engine.book());
}

}  // namespace hitclock::records::core
