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
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/sqlite.h"
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

// What `RecordsStore::Repair` dropped because it failed its checksum (or
// pointed at something that did).
struct RepairReport {
  // The captures dropped, as "snapshot <chart> <region> <instant>" read from
  // the stored row (a corrupt row may name a wrong identity).
  std::vector<std::string> dropped_snapshots;
  // The earliest capture instant dropped (micros); unset when none was.
  std::optional<int64_t> dropped_since;
  // Bodies dropped: corrupt ones, and those no capture uses any more.
  int64_t dropped_bodies = 0;
  // The chart, region and track rows dropped, as "track #12 (\"trk_…\")".
  std::vector<std::string> dropped_names;
};

// One capture row joined with its body, as read, for the store's checks.
struct StoredRow {
  int64_t chart = 0;
  int64_t region = 0;
  int64_t capture_time = 0;
  int64_t body = 0;
  int64_t checksum = 0;   // the capture row's
  int64_t body_hash = 0;  // the body row's
  int chart_size = 0;
  std::string_view blob;  // the encoded observations
};

// Persists snapshots as their observations (one entry per track at its best
// position). Layout: chart, region and track ids are interned in tables; a
// snapshot is one capture row (chart, region, capture instant, body id);
// a body is the chart size and a varint blob of (track number, position gap)
// in position order, deduplicated by content hash, so consecutive captures
// of an unchanged chart share one body.
//
// Every row carries a checksum over all its columns (bodies: `hash`; see
// checksums.h). Reads check what they touch and answer DATA_LOSS naming the
// row that fails, with what to do: `Repair`, then re-send from ingest.
//
// Thread-safe: every call is serialized on one connection.
class RecordsStore {
 public:
  // Opens (creating and migrating) the database at `path`.
  // Commits are as durable as `durability` says.
  static absl::StatusOr<std::unique_ptr<RecordsStore>> Open(
      const std::string& path,
      common::Durability durability = common::Durability::kFull);

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

  // Drops every row that fails its checksum, and every capture that points
  // at one (or at nothing), in one transaction, and says what it dropped.
  // What is left is whole and answers as stored; what was dropped must be
  // sent again (ingest holds every snapshot it forwarded).
  absl::StatusOr<RepairReport> Repair();

  // Track ids by track number (empty for numbers not in use).
  std::vector<std::string> TrackNames();

  absl::StatusOr<StoreStats> Stats();

 private:
  explicit RecordsStore(std::unique_ptr<SQLite::Database> db);

  // Reads the name tables into the maps below, noting the rows that fail
  // their checksum (they stay readable, for messages).
  absl::Status LoadNames();
  // "snapshot itunes/top-songs us 2022-04-24T19:44:00Z" (numbers for names
  // not held).
  std::string Describe(int64_t chart, int64_t region,
                       int64_t capture_time) const;
  // DATA_LOSS when `row`'s capture checksum fails, it names a chart or
  // region not held, or any name row is corrupt.
  absl::Status CheckCapture(const StoredRow& row) const;
  // Whether `row`'s capture checksum holds and it names a chart and a region
  // held and intact (its body aside): the one rule of a sound capture row.
  bool CaptureIntact(const StoredRow& row) const;
  // `row`'s body as (track number, position) in position order; DATA_LOSS
  // when its checksum fails or it does not decode to observations.
  absl::Status DecodeBody(const StoredRow& row,
                          std::vector<std::pair<uint32_t, int>>& out) const;
  // `row` checked and decoded into `out` (`scratch` is working space).
  absl::Status ToSnapshot(const StoredRow& row,
                          std::vector<std::pair<uint32_t, int>>& scratch,
                          core::Snapshot& out) const;
  // DATA_LOSS naming a capture whose body is missing, when the table holds
  // more captures than the `seen` a full join read.
  absl::Status CheckNoOrphanCaptures(int64_t seen);
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
  // The name rows that fail their checksum, and their descriptions.
  absl::flat_hash_set<int64_t> bad_charts_, bad_regions_, bad_tracks_;
  std::vector<std::string> corrupt_names_;
};

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_STORE_RECORDS_STORE_H_
