// The simulator's snapshot: one region's ranked chart at one capture
// instant, before it is written in any format.
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_SNAPSHOT_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_SNAPSHOT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hitclock::records::sim {

// One line of a simulated chart snapshot.
struct SimEntry {
  // The catalog track the line belongs to (the simulator knows it; a real
  // feed does not, and ingest resolves it again from the fields below).
  std::string track_id;
  // The rank, 1-based.
  int position = 0;
  // The title as the store prints it.
  std::string title;
  // The artist credit string as the store prints it.
  std::string artist_credit;
  // The store's item id of the charting version.
  std::string provider_track_id;
  // Index of the track in the generator's track table (`Generator::tracks()`
  // or the demo's `DemoTracks()`), for consumers that want to skip string
  // lookups; -1 when not known.
  int track_index = -1;
};

// The whole ranked list of one chart in one region at one capture instant.
struct SimSnapshot {
  // The chart, e.g. `itunes/top-songs`.
  std::string chart;
  // The region code: a storefront (`us`) or an aggregate (`ww`, `eu`).
  std::string region;
  // The capture instant, microseconds since the Unix epoch, UTC.
  int64_t capture_micros = 0;
  // The configured chart length K. `entries` holds positions 1..entries.size()
  // (at most K), each exactly once, in rank order.
  int chart_size = 0;
  // The ranked lines; `entries[i].position == i + 1`.
  std::vector<SimEntry> entries;
};

// Receives one snapshot. The reference is valid only during the call: the
// generators reuse the object for the next snapshot.
using SnapshotCallback = std::function<void(const SimSnapshot&)>;

// The order in which a generator hands snapshots to its callback.
enum class EmitOrder {
  // Capture-time order (ties by region code): the way live data arrives.
  kTime,
  // A deterministic pseudo-random permutation of all snapshots (seeded by
  // the order seed): out-of-order arrival.
  kShuffled,
  // History backfilled after live data: the snapshots of the later half of
  // the time range first, then those of the earlier half, each half in
  // capture-time order.
  kBackfill,
};

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_SNAPSHOT_H_
