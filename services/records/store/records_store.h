// The records store: every snapshot records holds, in SQLite, compactly.
#ifndef HITCLOCK_SERVICES_RECORDS_STORE_RECORDS_STORE_H_
#define HITCLOCK_SERVICES_RECORDS_STORE_RECORDS_STORE_H_

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/records/core/types.h"

namespace hitclock::records {

// What the store holds, for tests and logs.
struct StoreStats {
  // Capture rows: one per snapshot identity.
  int64_t snapshots = 0;
  // Distinct snapshot bodies (chart size + observations): identical bodies
  // are stored once, so an unchanged chart costs only its capture row.
  int64_t bodies = 0;
  // Interned track ids.
  int64_t tracks = 0;
};

// A stored snapshot as numbers, for bulk loading.
struct StoredSnapshot {
  std::string_view chart;
  std::string_view region;
  int64_t capture_time = 0;
  int chart_size = 0;
  // (track number, position), one per track, sorted by track number;
  // `RecordsStore::TrackNames` names the numbers. The callback may reorder
  // them.
  std::vector<std::pair<uint32_t, int>> observations;
};

// Persists snapshots as their observations (one entry per track at its best
// position). Layout: chart, region and track ids are interned in tables; a
// snapshot is one capture row (chart, region, capture instant, body id);
// a body is the chart size and a varint blob of (track number, position gap)
// in position order, deduplicated by content hash, so consecutive captures
// of an unchanged chart share one body.
//
// Thread-safe: every call is serialized on one connection.
class RecordsStore {
 public:
  // Opens (creating and migrating) the database at `path`.
  static absl::StatusOr<std::unique_ptr<RecordsStore>> Open(
      const std::string& path);

  ~RecordsStore();
  RecordsStore(const RecordsStore&) = delete;
  RecordsStore& operator=(const RecordsStore&) = delete;

  // The secret that keys this store's page tokens (`common::PageTokens`):
  // made when the file was created and kept in it (a fresh one for an
  // in-memory database).
  const std::string& page_token_secret() const { return page_token_secret_; }

  // Stores `snapshot` under its identity (chart, region, capture_time),
  // replacing the one held, in one transaction. Its entries must be
  // observations: distinct tracks at distinct positions within 1..chart_size.
  // `aggregate` records the region's kind. SQLite failures are mapped by
  // `common::StatusFromSqlite` and leave nothing behind.
  absl::Status Put(const core::Snapshot& snapshot, bool aggregate = false);

  // Stores several snapshots (each with its `aggregate`) in one
  // transaction, in order (a later one of the same identity replaces an
  // earlier one): all or nothing.
  absl::Status PutAll(
      const std::vector<std::pair<const core::Snapshot*, bool>>& snapshots);

  // The snapshot held under `key`, entries ordered by position; unset when
  // none.
  absl::StatusOr<std::optional<core::Snapshot>> Get(
      const core::SnapshotKey& key);

  // The codes of the regions stored as aggregates.
  absl::StatusOr<std::vector<std::string>> AggregateRegions();

  // Calls `fn` with every snapshot held, oldest capture first (ties by chart
  // and region). Stops at, and returns, the first non-OK status of `fn`.
  absl::Status ForEach(
      absl::FunctionRef<absl::Status(const core::Snapshot&)> fn);

  // Calls `fn` with every snapshot held as numbers, by chart, region and
  // capture instant (the table's own order: the fastest to read; each
  // region's captures in time order). Stops at, and returns, the first
  // non-OK status of `fn`.
  absl::Status ForEachStored(
      absl::FunctionRef<absl::Status(StoredSnapshot&)> fn);

  // Track ids by track number (empty for numbers not in use).
  std::vector<std::string> TrackNames();

  absl::StatusOr<StoreStats> Stats();

 private:
  explicit RecordsStore(std::unique_ptr<SQLite::Database> db);

  absl::Status LoadNames();
  // The number of `name` in `table`, inserting it when new (in the current
  // transaction; `pending` collects numbers to publish after the commit).
  int64_t Intern(const char* table, const std::string& name,
                 absl::flat_hash_map<std::string, int64_t>& cache,
                 absl::flat_hash_map<std::string, int64_t>& pending);

  std::mutex mu_;
  std::unique_ptr<SQLite::Database> db_;
  std::string page_token_secret_;  // set once, by `Open`
  absl::flat_hash_map<std::string, int64_t> chart_ids_;
  absl::flat_hash_map<std::string, int64_t> region_ids_;
  absl::flat_hash_map<std::string, int64_t> track_ids_;
  absl::flat_hash_map<int64_t, std::string> chart_names_;
  absl::flat_hash_map<int64_t, std::string> region_names_;
  std::vector<std::string> track_names_;  // indexed by track number
};

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_STORE_RECORDS_STORE_H_
