// What the engine holds of one chart: its regions (each region's captures,
// chart sizes and which tracks each hour of captures showed) and, per
// track, its `TrackChart`. Region slots number a chart's regions in the
// order they were first seen.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_CHART_STATE_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_CHART_STATE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/types/span.h"
#include "services/records/core/threshold_state.h"
#include "services/records/core/track_chart.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// One region of a chart.
struct RegionState {
  // The engine's region number.
  uint32_t region = 0;
  bool country = true;
  // Capture instants, strictly increasing, and the chart size of each.
  std::vector<Micros> captures;
  std::vector<uint16_t> sizes;
  // Tracks with a history in this region.
  std::vector<uint32_t> tracks;
  // Tracks shown by the latest capture, sorted.
  std::vector<uint32_t> latest_present;
  // Per hour of capture instants (`HourOf`), sorted by hour: the tracks
  // shown by any capture in that hour, sorted. A superset of the tracks
  // present at each of its captures (small: the chart plus its churn
  // within the hour), so that a backfilled capture finds the tracks
  // present at its previous capture without scanning every track that
  // ever charted in the region.
  std::vector<std::pair<int64_t, std::vector<uint32_t>>> blocks;

  // The hour block of a capture instant.
  static int64_t HourOf(Micros time);
  // The tracks shown in the hour of `time`: created empty when missing;
  // null when missing for `FindShown`.
  std::vector<uint32_t>& ShownIn(Micros time);
  const std::vector<uint32_t>* FindShown(Micros time) const;
  // Adds `track` to the hour of `time`.
  void AddShown(Micros time, uint32_t track);
  // Adds the tracks of `obs` (sorted by track) to the hour of `time`.
  void AddAllShown(Micros time, absl::Span<const std::pair<uint32_t, int>> obs);
  // The capture before `time`; unset when `time` is the first.
  std::optional<Micros> CaptureBefore(Micros time) const;
};

struct ChartState {
  std::string name;
  std::vector<RegionState> slots;
  absl::flat_hash_map<uint32_t, uint32_t> slot_of_region;
  // Indexed by slot: the region codes (the `SlotOrder`) and whether each
  // region is a country (the default region set).
  std::vector<std::string> slot_codes;
  std::vector<bool> countries;
  // Indexed by track.
  std::vector<std::unique_ptr<TrackChart>> tracks;
  // Per watched P: the tracks that ever had a crossing (the only ones a
  // record of that P can rank).
  std::vector<std::vector<uint32_t>> active;
  int country_count = 0;
  // The size of the ALL_KILL region set.
  int all_kill_count = 0;
  int64_t snapshot_count = 0;
  int64_t observation_count = 0;
  int64_t change_count = 0;
  Micros first_capture = 0;
  Micros last_capture = 0;
  // The latest capture of a country region (0: none): the "as of" of an
  // answer over the default region set.
  Micros last_country_capture = 0;

  SlotOrder order() const { return SlotOrder(slot_codes); }
  const std::string& RegionCode(uint32_t slot) const {
    return slot_codes[slot];
  }
  // The slot of engine region `region`, added (with its code and kind)
  // when new.
  uint32_t SlotFor(uint32_t region, std::string_view code, bool country);
  std::optional<uint32_t> FindSlot(uint32_t region) const;
  // Sets a slot's kind (the caller rebuilds the derived state).
  void SetCountry(uint32_t slot, bool country);

  // A track's state in this chart: created when missing (with
  // `watched_count` watched states); null when missing for the const one.
  TrackChart& TrackChartFor(uint32_t track, size_t watched_count);
  const TrackChart* FindTrackChart(uint32_t track) const;
  // Lists `track` in `active[w]` once it has a crossing at watched P `w`.
  void MarkActive(TrackChart& tc, uint32_t track, size_t w);

  // The observations held at a region's capture: (track, position) for
  // every track shown, sorted by track.
  std::vector<std::pair<uint32_t, int>> ObservationsAt(uint32_t slot,
                                                       Micros time) const;

  // Counts a new capture of a region (country or not) at `time` with
  // `observations` observations.
  void CountCapture(Micros time, bool country, int64_t observations);
  // The bounds of a crossing at `time` in `slot`: its previous capture to
  // `time`; at its first capture, the reference instant (or `time` when
  // the reference is later or unknown) to `time`.
  Interval BoundsOf(uint32_t slot, Micros time,
                    std::optional<Micros> reference) const;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_CHART_STATE_H_
