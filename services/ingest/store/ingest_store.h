// Ingest's durable state: every committed snapshot, its resolution, and the
// outbox the forwarder drains toward records.
#ifndef HITCLOCK_SERVICES_INGEST_STORE_INGEST_STORE_H_
#define HITCLOCK_SERVICES_INGEST_STORE_INGEST_STORE_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/sqlite.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "services/ingest/core/resolution.h"

namespace hitclock::ingest {

// A snapshot ready to be committed. `snapshot` is validated and normalized:
// region kind set, every entry's provider set, entries sorted by position,
// `track_id` cleared. `fingerprint` identifies its content
// (`core::ContentFingerprint`): equal fingerprints under one identity are
// the same snapshot again.
struct Submission {
  v1::ChartSnapshot snapshot;
  uint64_t fingerprint = 0;
  bool replace = false;
  v1::SnapshotOrigin origin = v1::SNAPSHOT_ORIGIN_SUBMIT;
  v1::FeedFormat feed_format = v1::FEED_FORMAT_UNSPECIFIED;
  std::string feed_source_id;
};

// What committing one submission did: ACCEPTED, DUPLICATE or REPLACED.
struct SubmitResult {
  v1::SubmitOutcome outcome = v1::SUBMIT_OUTCOME_UNSPECIFIED;
  std::string snapshot_id;
};

// One outbox row with what the forwarder needs to send it.
struct OutboxItem {
  int64_t outbox_seq = 0;
  int64_t snapshot_seq = 0;
  bool replace = false;
  // The snapshot's content version (its replace count) when read: a
  // resolution computed for an older version is discarded.
  int64_t version = 0;
  // True while the snapshot's entries were never resolved (RECEIVED).
  bool needs_resolution = false;
  // The identity and (when `needs_resolution`) the entries.
  v1::ChartSnapshot snapshot;
  // The snapshot's entry count (records' chart size).
  int32_t chart_size = 0;
  // The entries resolved so far, by position (when not `needs_resolution`).
  // With the identity and `chart_size`, what records takes.
  std::vector<core::ResolvedEntry> resolved;
};

// The catalog's answer for one entry.
struct EntryResolution {
  std::string track_id;  // empty when unresolved
  std::string detail;
};

// The resolution of every entry of one snapshot, in its entry order.
struct ResolutionUpdate {
  int64_t snapshot_seq = 0;
  int64_t version = 0;
  const v1::ChartSnapshot* snapshot = nullptr;  // the entries resolved
  std::vector<EntryResolution> entries;
};

// An outbox row records acknowledged (or rejected for good).
struct OutboxAck {
  int64_t outbox_seq = 0;
  int64_t snapshot_seq = 0;
};

// One entry waiting as unresolved, for RetryResolution.
struct UnresolvedEntry {
  int64_t snapshot_seq = 0;
  int64_t version = 0;
  int32_t position = 0;
  hitclock::common::v1::ChartEntry entry;
};

// The result of re-resolving one waiting entry.
struct RetriedEntry {
  int64_t snapshot_seq = 0;
  int64_t version = 0;
  int32_t position = 0;
  EntryResolution resolution;
};

// Selects unresolved entries; empty fields match all.
struct UnresolvedFilter {
  std::string chart;  // "itunes/top-songs"
  std::string artist_credit;
  std::string provider_track_id;
};

// Filters of ListSnapshots, combined with AND; empty/zero fields match all.
struct SnapshotFilter {
  std::string chart;  // "itunes/top-songs"
  std::string region;
  v1::SnapshotState state = v1::SNAPSHOT_STATE_UNSPECIFIED;
  std::optional<absl::Time> start_time;  // capture >= start
  std::optional<absl::Time> end_time;    // capture < end
};

// A page of snapshots, most recently received first.
struct SnapshotPage {
  std::vector<v1::Snapshot> snapshots;
  std::optional<int64_t> last_seq;  // set when another page may follow
};

// A page of unresolved credit groups.
struct UnresolvedPage {
  std::vector<v1::UnresolvedCredit> credits;
  bool more = false;
  int64_t total_entry_count = 0;
};

// The counts GetForwarderStatus reports.
struct ForwarderCounts {
  int64_t pending = 0;
  std::optional<absl::Time> oldest_pending_receive;
  int64_t forwarded = 0;
  int64_t failed = 0;
  int64_t unresolved_entries = 0;
};

// How an ingest store commits and bounds its write-ahead log.
struct IngestStoreOptions {
  // What an acknowledged snapshot survives.
  common::Durability durability = common::Durability::kFull;
  // The write-ahead log's size past which a commit, before it returns,
  // copies the whole log into the database and truncates it, waiting for
  // outside readers (1 s at most; after a failed wait, commits skip it for
  // 10 s) while the store's other writers wait; 0: never (PASSIVE checkpoints
  // only, which steady writes with overlapping readers can keep from ever
  // finishing, so the log could grow without bound).
  int64_t wal_limit_bytes = int64_t{64} << 20;
};

// The text form of a chart id in the store and logs: `itunes/top-songs`.
std::string ChartKey(const hitclock::common::v1::ChartId& chart);
// The inverse of `ChartKey`.
hitclock::common::v1::ChartId ParseChartKey(const std::string& key);

// The public id of a snapshot row (`snp_1f3a`) and back (nullopt when it is
// not one).
std::string SnapshotId(int64_t seq);
std::optional<int64_t> ParseSnapshotId(const std::string& id);

// Ingest's snapshots, their resolution and the outbox, in one SQLite file.
//
// Thread-safe: every method takes the store's mutex, and every write method
// runs in one transaction (on error nothing of it stays). A snapshot and
// its outbox row are committed together, so a committed snapshot is always
// either forwarded or still in the outbox.
class IngestStore {
 public:
  // Opens (or creates) `path` and applies the schema migrations. For a
  // file, WAL checkpoints run on a background thread of the store's own
  // (every `kCheckpointInterval`), not inside the commits.
  static absl::StatusOr<std::unique_ptr<IngestStore>> Open(
      const std::string& path, const IngestStoreOptions& options = {});
  ~IngestStore();

  // The secret that keys this store's page tokens (`common::PageTokens`):
  // made when the file was created and kept in it (a fresh one for an
  // in-memory database).
  const std::string& page_token_secret() const { return page_token_secret_; }

  // Commits `submissions` in one transaction, in order (a later one sees
  // the earlier ones). Each gets its own result: ACCEPTED, DUPLICATE,
  // REPLACED, or ALREADY_EXISTS (different content under a stored identity
  // without `replace`). The outer status fails when the transaction does
  // (then nothing was committed): UNAVAILABLE when busy, else INTERNAL.
  absl::StatusOr<std::vector<absl::StatusOr<SubmitResult>>> Submit(
      std::span<const Submission* const> submissions, absl::Time now);

  // The outbox rows after `after_outbox_seq`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<OutboxItem>> ReadOutbox(int64_t after_outbox_seq,
                                                     int limit);
  // Saves the resolution of each update whose snapshot is still at
  // `version` (others are skipped: replaced meanwhile), marking it
  // RESOLVED, and fills `resolved_out[i]` (when non-null) with the resolved
  // entries of update i, by position (nullopt when it was skipped).
  absl::Status SaveResolutions(
      std::span<const ResolutionUpdate> updates,
      std::vector<std::optional<std::vector<core::ResolvedEntry>>>*
          resolved_out);
  // Removes acknowledged outbox rows; each snapshot left with no outbox row
  // becomes FORWARDED.
  absl::Status MarkForwarded(std::span<const OutboxAck> acks, absl::Time now);
  // Removes an outbox row records rejected for good; the snapshot becomes
  // FAILED with `error` (unless another outbox row for it is pending).
  absl::Status MarkFailed(const OutboxAck& ack, const std::string& error);
  // Notes a failed attempt (`error`) on snapshots whose rows stay queued.
  absl::Status NoteForwardError(std::span<const int64_t> snapshot_seqs,
                                const std::string& error);

  // The entries waiting as unresolved that `filter` selects, at most
  // `limit`.
  absl::StatusOr<std::vector<UnresolvedEntry>> FindUnresolved(
      const UnresolvedFilter& filter, int limit);
  // Applies re-resolved entries: newly resolved ones join their snapshot's
  // resolution; a snapshot that gained any is queued again (outbox row,
  // state RESOLVED) unless it is FAILED or still waiting for its first
  // resolution. Returns the number of snapshots queued.
  absl::StatusOr<int> ApplyRetriedResolutions(
      std::span<const RetriedEntry> entries);

  // Queues again every FORWARDED snapshot that `filter` selects (its
  // `state` is ignored): an outbox row each, with `replace`, in the order
  // they were received, and state RESOLVED until records acknowledges them
  // again. Returns how many were queued.
  absl::StatusOr<int64_t> Reforward(const SnapshotFilter& filter);

  // One snapshot by row or identity; NOT_FOUND when none.
  absl::StatusOr<v1::Snapshot> GetSnapshot(int64_t seq, bool full);
  absl::StatusOr<v1::Snapshot> GetSnapshotByKey(const std::string& chart,
                                                const std::string& region,
                                                absl::Time capture_time,
                                                bool full);
  // Snapshots matching `filter`, received before row `before_seq` (0: from
  // the newest), at most `limit`.
  absl::StatusOr<SnapshotPage> ListSnapshots(const SnapshotFilter& filter,
                                             int64_t before_seq, int limit,
                                             bool full);
  // Unresolved entries grouped by credit, most entries first, then by
  // credit; `offset` groups skipped.
  absl::StatusOr<UnresolvedPage> ListUnresolved(const std::string& chart,
                                                int64_t offset, int limit);
  absl::StatusOr<ForwarderCounts> Counts();

 private:
  IngestStore(std::unique_ptr<SQLite::Database> db,
              std::unique_ptr<SQLite::Database> checkpoint_db,
              std::string wal_path, int64_t wal_limit_bytes);
  // Checkpoints the WAL on `checkpoint_db_` until the store closes.
  void CheckpointLoop();
  // Past `wal_limit_bytes_`, copies the whole log into the database and
  // truncates it, waiting for readers. The caller holds `mu_` and has just
  // committed.
  void BoundWal();

  absl::StatusOr<SubmitResult> SubmitOne(const Submission& submission,
                                         absl::Time now);
  // The prepared statement of `sql` (a string literal, cached by its
  // address), reset, its bindings cleared. The caller holds `mu_`.
  SQLite::Statement& Prepared(const char* sql);

  std::mutex mu_;
  std::unique_ptr<SQLite::Database> db_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>>
      statements_;
  std::string page_token_secret_;  // set once, by `Open`

  // A second connection, for checkpoints only; null in memory.
  std::unique_ptr<SQLite::Database> checkpoint_db_;
  const std::string wal_path_;
  const int64_t wal_limit_bytes_;
  // Before this, `BoundWal` does not try again (guarded by `mu_`).
  std::chrono::steady_clock::time_point next_truncate_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool stop_checkpoints_ = false;
  std::thread checkpointer_;
};

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_STORE_INGEST_STORE_H_
