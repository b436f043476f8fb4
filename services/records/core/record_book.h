// The record book: the lineages of the watched records, kept up to date on
// every append, and the record-broken events an append makes. A watched
// record is (chart, metric, watched P, milestone N for FASTEST, category)
// for every watched category of a track with facts. Improvements later
// than everything a record has seen are fed in O(1); an earlier one (a
// backfill) recomputes that record from its candidates. Every transition
// (previous holder or none -> new holder, at an instant) is announced once.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_RECORD_BOOK_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_RECORD_BOOK_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/records/core/engine_state.h"
#include "services/records/core/improvements.h"
#include "services/records/core/threshold_state.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

// A record key with its chart as the engine's chart index.
struct KeyId {
  uint32_t chart;
  Metric metric;
  int32_t position;
  int32_t min_regions;
  Category category;
  friend bool operator==(const KeyId&, const KeyId&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const KeyId& k) {
    return H::combine(std::move(h), k.chart, k.metric, k.position,
                      k.min_regions, k.category);
  }
};

class RecordBook {
 public:
  // The lineage kept for a watched record; null when none is kept.
  const LineageState* Find(const KeyId& key) const;
  // Every lineage kept, for consistency checks.
  const absl::flat_hash_map<KeyId, LineageState>& lineages() const {
    return keys_;
  }
  // Forgets every lineage.
  void Clear() { keys_.clear(); }
  // Recomputes every watched lineage of every chart (nothing announced).
  void RebuildAll(const EngineState& state);

  // After an append to chart `chart`: feeds or recomputes the watched
  // lineages that `touched` (and a changed all-kill set) affect, appending
  // an event for each new transition.
  void Update(const EngineState& state, uint32_t chart,
              const SnapshotKey& snapshot, bool backfilled,
              bool all_kill_count_changed,
              const absl::flat_hash_map<uint32_t, Touched>& touched,
              std::vector<RecordEvent>& events);
  // After a track's facts changed (it was in `old_categories`):
  // recomputes its lineages, without events.
  void RecomputeTrack(const EngineState& state, uint32_t track,
                      const std::vector<Category>& old_categories);
  // After a chart's all-kill set changed outside an append: recomputes its
  // ALL_KILL lineages, without events.
  void RecomputeAllKill(const EngineState& state, uint32_t chart);

  // A record's lineage computed from its candidates' threshold states.
  static LineageState Compute(const EngineState& state, const KeyId& key);

 private:
  // Replaces a lineage, keeping what was announced; announces what is new.
  void Replace(const EngineState& state, const KeyId& key, LineageState next,
               const SnapshotKey* snapshot, bool backfilled,
               std::vector<RecordEvent>* events);
  // Announces the transitions into holdings[from...] not announced yet, as
  // events when `events` is set.
  void Announce(const EngineState& state, const KeyId& key,
                LineageState& lineage, size_t from, const SnapshotKey* snapshot,
                bool backfilled, std::vector<RecordEvent>* events) const;

  absl::flat_hash_map<KeyId, LineageState> keys_;
};

// The watched records of `chart` for tracks in `categories`.
std::vector<KeyId> WatchedKeys(const EngineOptions& options, uint32_t chart,
                               const std::vector<Category>& categories);

// What a track brings to a record: its number and release instant.
Contender ContenderOf(const EngineState& state, uint32_t track);

// A holder as answers show it.
RecordHolder HolderOf(const EngineState& state, const ChartState& chart,
                      uint32_t track, int64_t value, Micros time, uint32_t slot,
                      int64_t best);

// The public key of a record.
RecordKey PublicKey(const EngineState& state, const KeyId& key);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_RECORD_BOOK_H_
