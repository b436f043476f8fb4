#include "services/ingest/store/ingest_store.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/chart_id.h"
#include "common/page_token_secret.h"
#include "common/sqlite.h"
#include "common/status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/wire_format_lite.h"

namespace hitclock::ingest {
namespace {

// How often the background thread checkpoints the WAL into the database.
constexpr auto kCheckpointInterval = std::chrono::milliseconds(200);
// How long a commit past the log's size limit waits for outside readers to
// let the log be truncated, and how long commits skip trying after a wait
// that failed.
constexpr auto kTruncateWait = std::chrono::seconds(1);
constexpr auto kTruncateRetry = std::chrono::seconds(10);

using hitclock::common::v1::ChartEntry;

// The resolved entries of a blob stored before schema version 3: a
// serialized `hitclock.records.v1.ResolvedSnapshot` holding only its
// `entries` (field 5: `ResolvedEntry` with `track_id` = 1, `position` = 2).
// Read from the wire format directly, so that the store needs no records
// message. nullopt when the bytes do not parse.
std::optional<std::vector<core::ResolvedEntry>> LegacyResolvedEntries(
    const void* data, int size) {
  using google::protobuf::internal::WireFormatLite;
  std::vector<core::ResolvedEntry> entries;
  google::protobuf::io::CodedInputStream in(static_cast<const uint8_t*>(data),
                                            size);
  while (const uint32_t tag = in.ReadTag()) {
    if (tag != ((5 << 3) | WireFormatLite::WIRETYPE_LENGTH_DELIMITED)) {
      if (!WireFormatLite::SkipField(&in, tag)) return std::nullopt;
      continue;
    }
    uint32_t length = 0;
    if (!in.ReadVarint32(&length) ||
        length > static_cast<uint32_t>(size - in.CurrentPosition())) {
      return std::nullopt;  // an entry longer than what is left
    }
    const auto limit = in.PushLimit(static_cast<int>(length));
    core::ResolvedEntry& e = entries.emplace_back();
    while (const uint32_t inner = in.ReadTag()) {
      if (inner == ((1 << 3) | WireFormatLite::WIRETYPE_LENGTH_DELIMITED)) {
        if (!WireFormatLite::ReadString(&in, &e.track_id)) return std::nullopt;
      } else if (inner == ((2 << 3) | WireFormatLite::WIRETYPE_VARINT)) {
        uint64_t position = 0;
        if (!in.ReadVarint64(&position)) return std::nullopt;
        e.position = static_cast<int32_t>(position);
      } else if (!WireFormatLite::SkipField(&in, inner)) {
        return std::nullopt;
      }
    }
    // The whole entry was there (a truncated blob ends before its limit).
    if (in.BytesUntilLimit() != 0) return std::nullopt;
    in.PopLimit(limit);
  }
  if (!in.ConsumedEntireMessage()) return std::nullopt;
  return entries;
}

// Migration 3: every stored resolution, from records' wire message to
// `core::EncodeResolvedEntries`. A blob that does not parse stops the
// migration (nothing is lost: the transaction rolls back and the open fails
// with DATA_LOSS naming the snapshot).
absl::Status ConvertLegacyResolutions(SQLite::Database& db) {
  // In pages by seq, so that no read is active while its table changes.
  constexpr int kPage = 1000;
  SQLite::Statement read(db,
                         "SELECT seq, resolved FROM snapshot_resolutions "
                         "WHERE seq > ? ORDER BY seq LIMIT ?");
  SQLite::Statement write(
      db, "UPDATE snapshot_resolutions SET resolved = ? WHERE seq = ?");
  int64_t after = 0;
  while (true) {
    std::vector<std::pair<int64_t, std::string>> page;
    read.reset();
    read.bind(1, static_cast<int64_t>(after));
    read.bind(2, kPage);
    while (read.executeStep()) {
      const int64_t seq = read.getColumn(0).getInt64();
      const SQLite::Column blob = read.getColumn(1);
      std::optional<std::vector<core::ResolvedEntry>> entries =
          LegacyResolvedEntries(blob.getBlob(), blob.getBytes());
      if (!entries) {
        return absl::DataLossError(
            absl::StrCat("stored resolution of ", SnapshotId(seq),
                         " does not parse as records.v1.ResolvedSnapshot"));
      }
      page.emplace_back(seq, core::EncodeResolvedEntries(*entries));
    }
    read.reset();
    if (page.empty()) return absl::OkStatus();
    for (const auto& [seq, bytes] : page) {
      write.reset();
      write.bind(1, bytes.data(), static_cast<int>(bytes.size()));
      write.bind(2, static_cast<int64_t>(seq));
      write.exec();
    }
    after = page.back().first;
  }
}

const common::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE snapshots (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  chart TEXT NOT NULL,
  region TEXT NOT NULL,
  region_kind INTEGER NOT NULL,
  capture_ns INTEGER NOT NULL,
  source_update_ns INTEGER,
  fetch_ns INTEGER,
  source_url TEXT NOT NULL,
  origin INTEGER NOT NULL,
  feed_format INTEGER NOT NULL,
  feed_source_id TEXT NOT NULL,
  receive_ns INTEGER NOT NULL,
  update_ns INTEGER NOT NULL,
  entry_count INTEGER NOT NULL,
  entries BLOB NOT NULL,
  fingerprint INTEGER NOT NULL,
  state INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 0,
  resolved BLOB,
  resolved_count INTEGER NOT NULL DEFAULT 0,
  unresolved_count INTEGER NOT NULL DEFAULT 0,
  duplicate_count INTEGER NOT NULL DEFAULT 0,
  last_duplicate_ns INTEGER,
  replace_count INTEGER NOT NULL DEFAULT 0,
  forward_ns INTEGER,
  forward_attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  UNIQUE (chart, region, capture_ns)
);
CREATE INDEX snapshots_by_source_update
  ON snapshots(chart, region, source_update_ns)
  WHERE source_update_ns IS NOT NULL;
CREATE INDEX snapshots_by_state ON snapshots(state, receive_ns);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  snapshot_seq INTEGER NOT NULL,
  replace INTEGER NOT NULL
);
CREATE INDEX outbox_by_snapshot ON outbox(snapshot_seq);
CREATE TABLE unresolved (
  snapshot_seq INTEGER NOT NULL,
  position INTEGER NOT NULL,
  chart TEXT NOT NULL,
  region TEXT NOT NULL,
  capture_ns INTEGER NOT NULL,
  artist_credit TEXT NOT NULL,
  title TEXT NOT NULL,
  provider TEXT NOT NULL,
  provider_track_id TEXT NOT NULL,
  detail TEXT NOT NULL,
  PRIMARY KEY (snapshot_seq, position)
) WITHOUT ROWID;
CREATE INDEX unresolved_by_credit ON unresolved(artist_credit, title);
)sql"},
    // The entries and the resolution move out of the snapshot row into
    // tables of their own: the row's small columns change several times on
    // the way to records (state, counts, forward time), and SQLite rewrites
    // a whole row, overflow pages included, on every update.
    {2, R"sql(
CREATE TABLE snapshot_entries (
  seq INTEGER PRIMARY KEY,
  entries BLOB NOT NULL
);
CREATE TABLE snapshot_resolutions (
  seq INTEGER PRIMARY KEY,
  resolved BLOB NOT NULL
);
INSERT INTO snapshot_entries(seq, entries) SELECT seq, entries FROM snapshots;
INSERT INTO snapshot_resolutions(seq, resolved)
  SELECT seq, resolved FROM snapshots WHERE resolved IS NOT NULL;
ALTER TABLE snapshots DROP COLUMN entries;
ALTER TABLE snapshots DROP COLUMN resolved;
)sql"},
    // Resolutions are kept in ingest's own form (`core::ResolvedEntry`,
    // `core::EncodeResolvedEntries`) instead of records' wire message
    // `hitclock.records.v1.ResolvedSnapshot`: every stored one is re-encoded.
    {3, "", &ConvertLegacyResolutions},
    // The secret that keys this store's page tokens.
    common::PageTokenSecretMigration(4),
};

// The columns `RowToSnapshot` reads, in order.
constexpr char kSnapshotColumns[] =
    "seq, chart, region, region_kind, capture_ns, source_update_ns, "
    "fetch_ns, source_url, origin, feed_format, feed_source_id, receive_ns, "
    "update_ns, entry_count, state, resolved_count, unresolved_count, "
    "duplicate_count, last_duplicate_ns, replace_count, forward_ns, "
    "forward_attempts, last_error, (SELECT entries FROM snapshot_entries e "
    "WHERE e.seq = snapshots.seq), (SELECT resolved FROM "
    "snapshot_resolutions r WHERE r.seq = snapshots.seq)";

int64_t ToNs(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000000 + t.nanos();
}

google::protobuf::Timestamp FromNs(int64_t ns) {
  google::protobuf::Timestamp t;
  int64_t seconds = ns / 1000000000;
  int64_t nanos = ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    --seconds;
  }
  t.set_seconds(seconds);
  t.set_nanos(static_cast<int32_t>(nanos));
  return t;
}

int64_t ToNs(absl::Time t) { return absl::ToUnixNanos(t); }

// The snapshots a `SnapshotFilter` selects, over parameters ?1 to ?5 (set by
// `BindFilter`); a statement's own parameters start at ?6.
constexpr char kFilterWhere[] =
    "(?1 = '' OR chart = ?1) AND (?2 = '' OR region = ?2) AND (?3 = 0 OR "
    "state = ?3) AND (?4 IS NULL OR capture_ns >= ?4) AND (?5 IS NULL OR "
    "capture_ns < ?5)";

void BindFilter(SQLite::Statement& q, const SnapshotFilter& filter) {
  q.bind(1, filter.chart);
  q.bind(2, filter.region);
  q.bind(3, static_cast<int>(filter.state));
  if (filter.start_time) {
    q.bind(4, static_cast<int64_t>(ToNs(*filter.start_time)));
  } else {
    q.bind(4);
  }
  if (filter.end_time) {
    q.bind(5, static_cast<int64_t>(ToNs(*filter.end_time)));
  } else {
    q.bind(5);
  }
}

// The stored form of a snapshot's entries: a `ChartSnapshot` holding only
// them, serialized deterministically (equal content gives equal bytes).
// Written field by field, without copying the entries into another message.
std::string EntriesBlob(const v1::ChartSnapshot& snapshot) {
  constexpr uint32_t kEntriesTag =
      (v1::ChartSnapshot::kEntriesFieldNumber << 3) | 2;  // length-delimited
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    for (const v1::SnapshotEntry& e : snapshot.entries()) {
      coded.WriteTag(kEntriesTag);
      coded.WriteVarint32(static_cast<uint32_t>(e.ByteSizeLong()));
      e.SerializeWithCachedSizes(&coded);
    }
  }
  return out;
}

// Resets a cached statement when the scope ends, so that none stays active
// between uses (an active read would hold back WAL checkpoints).
class ResetOnExit {
 public:
  explicit ResetOnExit(SQLite::Statement& q) : q_(q) {}
  ~ResetOnExit() {
    try {
      q_.reset();
    } catch (...) {
    }
  }

 private:
  SQLite::Statement& q_;
};

void BindBlob(SQLite::Statement& q, int index, const std::string& bytes) {
  q.bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

template <typename Message>
bool ParseColumn(const SQLite::Column& column, Message& message) {
  if (column.isNull()) return true;
  return message.ParseFromArray(column.getBlob(), column.getBytes());
}

// The resolved entries stored in `column` (none when NULL); false when the
// bytes are not `core::EncodeResolvedEntries`' form.
bool ParseResolved(const SQLite::Column& column,
                   std::vector<core::ResolvedEntry>& entries) {
  entries.clear();
  if (column.isNull()) return true;
  std::optional<std::vector<core::ResolvedEntry>> decoded =
      core::DecodeResolvedEntries(std::string_view(
          static_cast<const char*>(column.getBlob()), column.getBytes()));
  if (!decoded) return false;
  entries = *std::move(decoded);
  return true;
}

void BindOptionalNs(SQLite::Statement& q, int index, bool has,
                    const google::protobuf::Timestamp& t) {
  if (has) {
    q.bind(index, static_cast<int64_t>(ToNs(t)));
  } else {
    q.bind(index);
  }
}

// Runs `fn`, turning an exception into a status.
template <typename Fn>
auto Guarded(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
}

// A stored row (columns as `kSnapshotColumns`) as the API shows it.
absl::StatusOr<v1::Snapshot> RowToSnapshot(SQLite::Statement& q, bool full) {
  v1::Snapshot s;
  const int64_t seq = q.getColumn(0).getInt64();
  s.set_id(SnapshotId(seq));
  v1::ChartSnapshot& c = *s.mutable_content();
  *c.mutable_chart() = ParseChartKey(q.getColumn(1).getString());
  c.mutable_region()->set_code(q.getColumn(2).getString());
  c.mutable_region()->set_kind(
      static_cast<hitclock::common::v1::RegionKind>(q.getColumn(3).getInt()));
  *c.mutable_capture_time() = FromNs(q.getColumn(4).getInt64());
  if (!q.getColumn(5).isNull()) {
    *c.mutable_source_update_time() = FromNs(q.getColumn(5).getInt64());
  }
  if (!q.getColumn(6).isNull()) {
    *c.mutable_fetch_time() = FromNs(q.getColumn(6).getInt64());
  }
  c.set_source_url(q.getColumn(7).getString());
  s.set_origin(static_cast<v1::SnapshotOrigin>(q.getColumn(8).getInt()));
  s.set_feed_format(static_cast<v1::FeedFormat>(q.getColumn(9).getInt()));
  s.set_feed_source_id(q.getColumn(10).getString());
  *s.mutable_receive_time() = FromNs(q.getColumn(11).getInt64());
  *s.mutable_update_time() = FromNs(q.getColumn(12).getInt64());
  s.set_entry_count(q.getColumn(13).getInt());
  s.set_state(static_cast<v1::SnapshotState>(q.getColumn(14).getInt()));
  s.set_resolved_entry_count(q.getColumn(15).getInt());
  s.set_unresolved_entry_count(q.getColumn(16).getInt());
  s.set_duplicate_count(q.getColumn(17).getInt());
  if (!q.getColumn(18).isNull()) {
    *s.mutable_last_duplicate_time() = FromNs(q.getColumn(18).getInt64());
  }
  s.set_replace_count(q.getColumn(19).getInt());
  if (!q.getColumn(20).isNull()) {
    *s.mutable_forward_time() = FromNs(q.getColumn(20).getInt64());
  }
  s.set_forward_attempt_count(q.getColumn(21).getInt());
  s.set_last_error(q.getColumn(22).getString());
  if (full) {
    v1::ChartSnapshot entries;
    std::vector<core::ResolvedEntry> resolved;
    if (!ParseColumn(q.getColumn(23), entries) ||
        !ParseResolved(q.getColumn(24), resolved)) {
      return absl::DataLossError(
          absl::StrCat("stored entries of ", s.id(), " do not parse"));
    }
    std::map<int32_t, const std::string*> tracks;
    for (const core::ResolvedEntry& e : resolved) {
      tracks[e.position] = &e.track_id;
    }
    for (auto& e : *entries.mutable_entries()) {
      auto it = tracks.find(e.position());
      if (it != tracks.end()) e.set_track_id(*it->second);
    }
    *c.mutable_entries() = std::move(*entries.mutable_entries());
  }
  return s;
}

}  // namespace

std::string ChartKey(const hitclock::common::v1::ChartId& chart) {
  return common::ChartName(chart.provider(), chart.list());
}

hitclock::common::v1::ChartId ParseChartKey(const std::string& key) {
  common::ChartId parts = common::SplitChartName(key);
  hitclock::common::v1::ChartId chart;
  chart.set_provider(std::move(parts.provider));
  chart.set_list(std::move(parts.list));
  return chart;
}

std::string SnapshotId(int64_t seq) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "snp_%" PRIx64, seq);
  return buffer;
}

std::optional<int64_t> ParseSnapshotId(const std::string& id) {
  if (id.size() < 5 || id.size() > 20 || id.compare(0, 4, "snp_") != 0) {
    return std::nullopt;
  }
  int64_t seq = 0;
  for (size_t i = 4; i < id.size(); ++i) {
    const char c = id[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    seq = seq * 16 + digit;
  }
  return seq;
}

IngestStore::IngestStore(std::unique_ptr<SQLite::Database> db,
                         std::unique_ptr<SQLite::Database> checkpoint_db,
                         std::string wal_path, int64_t wal_limit_bytes)
    : db_(std::move(db)),
      checkpoint_db_(std::move(checkpoint_db)),
      wal_path_(std::move(wal_path)),
      wal_limit_bytes_(wal_limit_bytes) {
  if (checkpoint_db_ != nullptr) {
    checkpointer_ = std::thread([this] { CheckpointLoop(); });
  }
}

IngestStore::~IngestStore() {
  {
    std::lock_guard<std::mutex> lock(checkpoint_mu_);
    stop_checkpoints_ = true;
  }
  checkpoint_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
  checkpoint_db_.reset();
  // Closing the last connection checkpoints what is left.
}

void IngestStore::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(checkpoint_mu_);
  while (!checkpoint_cv_.wait_for(lock, kCheckpointInterval,
                                  [&] { return stop_checkpoints_; })) {
    lock.unlock();
    try {
      // PASSIVE: copies what no reader still needs, never blocking the
      // committer or the forwarder.
      checkpoint_db_->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const std::exception& e) {
      // Busy or failed: the next round tries again.
    }
    lock.lock();
  }
}

absl::StatusOr<std::unique_ptr<IngestStore>> IngestStore::Open(
    const std::string& path, const IngestStoreOptions& options) {
  auto db = common::OpenDatabase(path, kMigrations, options.durability);
  if (!db.ok()) return db.status();
  auto secret = common::LoadPageTokenSecret(**db);
  if (!secret.ok()) return secret.status();
  const bool in_memory =
      path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
  std::unique_ptr<SQLite::Database> checkpoint_db;
  if (!in_memory) {
    try {
      (*db)->exec("PRAGMA wal_autocheckpoint=0");
      checkpoint_db = std::make_unique<SQLite::Database>(
          path, SQLite::OPEN_READWRITE, /*busy_timeout_ms=*/0);
      checkpoint_db->exec(common::SynchronousPragma(options.durability));
    } catch (const std::exception& e) {
      return common::StatusFromSqlite(e);
    }
  }
  std::unique_ptr<IngestStore> store(
      new IngestStore(*std::move(db), std::move(checkpoint_db), path + "-wal",
                      options.wal_limit_bytes));
  store->page_token_secret_ = *std::move(secret);
  return store;
}

absl::StatusOr<std::vector<absl::StatusOr<SubmitResult>>> IngestStore::Submit(
    std::span<const Submission* const> submissions, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<absl::StatusOr<SubmitResult>> results;
  results.reserve(submissions.size());
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    results.clear();
    for (const Submission* s : submissions) {
      results.push_back(SubmitOne(*s, now));
      // Store failures (not verdicts on the snapshot) abort the batch.
      const absl::Status& one = results.back().status();
      if (!one.ok() && one.code() != absl::StatusCode::kAlreadyExists) {
        return one;
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  BoundWal();
  return results;
}

void IngestStore::BoundWal() {
  std::error_code ec;
  const auto wal_bytes = std::filesystem::file_size(wal_path_, ec);
  if (wal_limit_bytes_ <= 0 || ec ||
      static_cast<int64_t>(wal_bytes) <= wal_limit_bytes_) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now < next_truncate_) return;  // a reader held it back just now
  bool done = false;
  try {
    // Waits for outside readers (kTruncateWait at most); this store's own
    // writers wait on `mu_`, held by the caller.
    db_->setBusyTimeout(static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(kTruncateWait)
            .count()));
    done = db_->execAndGet("PRAGMA wal_checkpoint(TRUNCATE)").getInt() == 0;
  } catch (const std::exception&) {
  }
  try {
    db_->setBusyTimeout(common::kBusyTimeoutMs);
  } catch (const std::exception&) {
  }
  // A reader that holds the log (an open transaction elsewhere) would make
  // every commit wait: after a failure, commits skip the wait for a while.
  next_truncate_ = done ? now : now + kTruncateRetry;
}

SQLite::Statement& IngestStore::Prepared(const char* sql) {
  std::unique_ptr<SQLite::Statement>& q = statements_[sql];
  if (q == nullptr) {
    q = std::make_unique<SQLite::Statement>(*db_, sql);
  } else {
    q->reset();
    q->clearBindings();
  }
  return *q;
}

absl::StatusOr<SubmitResult> IngestStore::SubmitOne(
    const Submission& submission, absl::Time now) {
  const v1::ChartSnapshot& snap = submission.snapshot;
  const std::string chart = ChartKey(snap.chart());
  const std::string& region = snap.region().code();
  const int64_t capture_ns = ToNs(snap.capture_time());
  const int64_t fingerprint = static_cast<int64_t>(submission.fingerprint);
  const int64_t now_ns = ToNs(now);

  auto mark_duplicate = [&](int64_t seq) {
    SQLite::Statement& u = Prepared(
        "UPDATE snapshots SET duplicate_count = duplicate_count + 1, "
        "last_duplicate_ns = ? WHERE seq = ?");
    ResetOnExit reset(u);
    u.bind(1, static_cast<int64_t>(now_ns));
    u.bind(2, static_cast<int64_t>(seq));
    u.exec();
    return SubmitResult{v1::SUBMIT_OUTCOME_DUPLICATE, SnapshotId(seq)};
  };
  auto add_outbox = [&](int64_t seq, bool replace) {
    SQLite::Statement& o =
        Prepared("INSERT INTO outbox(snapshot_seq, replace) VALUES (?, ?)");
    ResetOnExit reset(o);
    o.bind(1, static_cast<int64_t>(seq));
    o.bind(2, replace ? 1 : 0);
    o.exec();
  };

  // The same provider rebuild with the same content, whatever the capture.
  if (snap.has_source_update_time()) {
    SQLite::Statement& q = Prepared(
        "SELECT seq FROM snapshots WHERE chart = ? AND region = ? AND "
        "source_update_ns = ? AND fingerprint = ? LIMIT 1");
    ResetOnExit reset(q);
    q.bind(1, chart);
    q.bind(2, region);
    q.bind(3, static_cast<int64_t>(ToNs(snap.source_update_time())));
    q.bind(4, static_cast<int64_t>(fingerprint));
    if (q.executeStep()) {
      const int64_t seq = q.getColumn(0).getInt64();
      q.reset();
      return mark_duplicate(seq);
    }
  }

  std::optional<int64_t> existing;
  bool same = false;
  {
    SQLite::Statement& q = Prepared(
        "SELECT seq, fingerprint FROM snapshots WHERE chart = ? AND region = "
        "? AND capture_ns = ?");
    ResetOnExit reset(q);
    q.bind(1, chart);
    q.bind(2, region);
    q.bind(3, static_cast<int64_t>(capture_ns));
    if (q.executeStep()) {
      existing = q.getColumn(0).getInt64();
      same = q.getColumn(1).getInt64() == fingerprint;
    }
  }
  if (existing && same) return mark_duplicate(*existing);
  if (existing && !submission.replace) {
    return absl::AlreadyExistsError(absl::StrCat(
        "snapshot ", SnapshotId(*existing), " of ", chart, " in ", region,
        " at this capture_time is stored with different content; set "
        "`replace` to replace it"));
  }
  const std::string blob = EntriesBlob(snap);
  if (existing) {
    SQLite::Statement u(
        *db_,
        "UPDATE snapshots SET source_update_ns = ?, fetch_ns = ?, "
        "source_url = ?, origin = ?, feed_format = ?, feed_source_id = ?, "
        "update_ns = ?, entry_count = ?, fingerprint = ?, state = ?, "
        "version = version + 1, resolved_count = 0, unresolved_count = 0, "
        "replace_count = replace_count + 1, last_error = '' WHERE seq = ?");
    BindOptionalNs(u, 1, snap.has_source_update_time(),
                   snap.source_update_time());
    BindOptionalNs(u, 2, snap.has_fetch_time(), snap.fetch_time());
    u.bind(3, snap.source_url());
    u.bind(4, static_cast<int>(submission.origin));
    u.bind(5, static_cast<int>(submission.feed_format));
    u.bind(6, submission.feed_source_id);
    u.bind(7, static_cast<int64_t>(now_ns));
    u.bind(8, snap.entries_size());
    u.bind(9, static_cast<int64_t>(fingerprint));
    u.bind(10, static_cast<int>(v1::SNAPSHOT_STATE_RECEIVED));
    u.bind(11, static_cast<int64_t>(*existing));
    u.exec();
    SQLite::Statement e(
        *db_, "UPDATE snapshot_entries SET entries = ? WHERE seq = ?");
    BindBlob(e, 1, blob);
    e.bind(2, static_cast<int64_t>(*existing));
    e.exec();
    SQLite::Statement r(*db_, "DELETE FROM snapshot_resolutions WHERE seq = ?");
    r.bind(1, static_cast<int64_t>(*existing));
    r.exec();
    SQLite::Statement d(*db_, "DELETE FROM unresolved WHERE snapshot_seq = ?");
    d.bind(1, static_cast<int64_t>(*existing));
    d.exec();
    SQLite::Statement o(*db_, "DELETE FROM outbox WHERE snapshot_seq = ?");
    o.bind(1, static_cast<int64_t>(*existing));
    o.exec();
    add_outbox(*existing, /*replace=*/true);
    return SubmitResult{v1::SUBMIT_OUTCOME_REPLACED, SnapshotId(*existing)};
  }

  SQLite::Statement& i = Prepared(
      "INSERT INTO snapshots(chart, region, region_kind, capture_ns, "
      "source_update_ns, fetch_ns, source_url, origin, feed_format, "
      "feed_source_id, receive_ns, update_ns, entry_count, fingerprint, "
      "state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  ResetOnExit reset(i);
  i.bind(1, chart);
  i.bind(2, region);
  i.bind(3, static_cast<int>(snap.region().kind()));
  i.bind(4, static_cast<int64_t>(capture_ns));
  BindOptionalNs(i, 5, snap.has_source_update_time(),
                 snap.source_update_time());
  BindOptionalNs(i, 6, snap.has_fetch_time(), snap.fetch_time());
  i.bind(7, snap.source_url());
  i.bind(8, static_cast<int>(submission.origin));
  i.bind(9, static_cast<int>(submission.feed_format));
  i.bind(10, submission.feed_source_id);
  i.bind(11, static_cast<int64_t>(now_ns));
  i.bind(12, static_cast<int64_t>(now_ns));
  i.bind(13, snap.entries_size());
  i.bind(14, static_cast<int64_t>(fingerprint));
  i.bind(15, static_cast<int>(v1::SNAPSHOT_STATE_RECEIVED));
  i.exec();
  const int64_t seq = db_->getLastInsertRowid();
  SQLite::Statement& e =
      Prepared("INSERT INTO snapshot_entries(seq, entries) VALUES (?, ?)");
  ResetOnExit reset_entries(e);
  e.bind(1, static_cast<int64_t>(seq));
  BindBlob(e, 2, blob);
  e.exec();
  add_outbox(seq, /*replace=*/false);
  return SubmitResult{v1::SUBMIT_OUTCOME_ACCEPTED, SnapshotId(seq)};
}

absl::StatusOr<std::vector<OutboxItem>> IngestStore::ReadOutbox(
    int64_t after_outbox_seq, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<std::vector<OutboxItem>> {
    SQLite::Statement& q = Prepared(
        "SELECT o.seq, o.snapshot_seq, o.replace, s.version, s.state, "
        "s.chart, s.region, s.region_kind, s.capture_ns, s.entry_count, "
        "CASE WHEN s.state = ?3 THEN (SELECT entries FROM snapshot_entries e "
        "WHERE e.seq = s.seq) END, CASE WHEN s.state != ?3 THEN (SELECT "
        "resolved FROM snapshot_resolutions r WHERE r.seq = s.seq) END FROM "
        "outbox o JOIN snapshots s ON s.seq = o.snapshot_seq WHERE o.seq > ?1 "
        "ORDER BY o.seq LIMIT ?2");
    ResetOnExit reset(q);
    q.bind(1, static_cast<int64_t>(after_outbox_seq));
    q.bind(2, limit);
    q.bind(3, static_cast<int>(v1::SNAPSHOT_STATE_RECEIVED));
    std::vector<OutboxItem> items;
    while (q.executeStep()) {
      OutboxItem item;
      item.outbox_seq = q.getColumn(0).getInt64();
      item.snapshot_seq = q.getColumn(1).getInt64();
      item.replace = q.getColumn(2).getInt() != 0;
      item.version = q.getColumn(3).getInt64();
      item.needs_resolution =
          q.getColumn(4).getInt() == v1::SNAPSHOT_STATE_RECEIVED;
      // Parsed first: parsing replaces the whole message.
      const bool ok = item.needs_resolution
                          ? ParseColumn(q.getColumn(10), item.snapshot)
                          : ParseResolved(q.getColumn(11), item.resolved);
      if (!ok) {
        return absl::DataLossError(absl::StrCat("stored entries of ",
                                                SnapshotId(item.snapshot_seq),
                                                " do not parse"));
      }
      *item.snapshot.mutable_chart() =
          ParseChartKey(q.getColumn(5).getString());
      item.snapshot.mutable_region()->set_code(q.getColumn(6).getString());
      item.snapshot.mutable_region()->set_kind(
          static_cast<hitclock::common::v1::RegionKind>(
              q.getColumn(7).getInt()));
      *item.snapshot.mutable_capture_time() = FromNs(q.getColumn(8).getInt64());
      item.chart_size = q.getColumn(9).getInt();
      items.push_back(std::move(item));
    }
    return items;
  });
}

absl::Status IngestStore::SaveResolutions(
    std::span<const ResolutionUpdate> updates,
    std::vector<std::optional<std::vector<core::ResolvedEntry>>>*
        resolved_out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (resolved_out != nullptr) {
    resolved_out->assign(updates.size(), std::nullopt);
  }
  return common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement check(*db_,
                            "SELECT version, state, chart, region, capture_ns "
                            "FROM snapshots WHERE seq = ?");
    SQLite::Statement save(*db_,
                           "UPDATE snapshots SET resolved_count = ?, "
                           "unresolved_count = ?, state = ? WHERE seq = ?");
    SQLite::Statement save_blob(*db_,
                                "INSERT OR REPLACE INTO snapshot_resolutions("
                                "seq, resolved) VALUES (?, ?)");
    SQLite::Statement clear(*db_,
                            "DELETE FROM unresolved WHERE snapshot_seq = ?");
    SQLite::Statement add(
        *db_,
        "INSERT INTO unresolved(snapshot_seq, position, chart, region, "
        "capture_ns, artist_credit, title, provider, provider_track_id, "
        "detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (size_t u = 0; u < updates.size(); ++u) {
      const ResolutionUpdate& update = updates[u];
      check.reset();
      check.bind(1, static_cast<int64_t>(update.snapshot_seq));
      if (!check.executeStep()) continue;
      if (check.getColumn(0).getInt64() != update.version) continue;
      const int state = check.getColumn(1).getInt();
      const std::string chart = check.getColumn(2).getString();
      const std::string region = check.getColumn(3).getString();
      const int64_t capture_ns = check.getColumn(4).getInt64();
      std::vector<core::ResolvedEntry> resolved;
      int unresolved = 0;
      clear.reset();
      clear.bind(1, static_cast<int64_t>(update.snapshot_seq));
      clear.exec();
      const auto& entries = update.snapshot->entries();
      for (int i = 0;
           i < entries.size() && i < static_cast<int>(update.entries.size());
           ++i) {
        const EntryResolution& r = update.entries[i];
        if (!r.track_id.empty()) {
          resolved.push_back({entries[i].position(), r.track_id});
          continue;
        }
        ++unresolved;
        const ChartEntry& entry = entries[i].entry();
        add.reset();
        add.bind(1, static_cast<int64_t>(update.snapshot_seq));
        add.bind(2, entries[i].position());
        add.bind(3, chart);
        add.bind(4, region);
        add.bind(5, static_cast<int64_t>(capture_ns));
        add.bind(6, entry.artist_credit());
        add.bind(7, entry.title());
        add.bind(8, entry.provider());
        add.bind(9, entry.provider_track_id());
        add.bind(10, r.detail);
        add.exec();
      }
      const std::string blob = core::EncodeResolvedEntries(resolved);
      save_blob.reset();
      save_blob.bind(1, static_cast<int64_t>(update.snapshot_seq));
      BindBlob(save_blob, 2, blob);
      save_blob.exec();
      save.reset();
      save.bind(1, static_cast<int>(resolved.size()));
      save.bind(2, unresolved);
      save.bind(3, state == v1::SNAPSHOT_STATE_RECEIVED
                       ? static_cast<int>(v1::SNAPSHOT_STATE_RESOLVED)
                       : state);
      save.bind(4, static_cast<int64_t>(update.snapshot_seq));
      save.exec();
      if (resolved_out != nullptr) (*resolved_out)[u] = std::move(resolved);
    }
    return absl::OkStatus();
  });
}

absl::Status IngestStore::MarkForwarded(std::span<const OutboxAck> acks,
                                        absl::Time now) {
  if (acks.empty()) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mu_);
  return common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement del(*db_, "DELETE FROM outbox WHERE seq = ?");
    SQLite::Statement upd(
        *db_,
        "UPDATE snapshots SET forward_attempts = forward_attempts + 1, "
        "forward_ns = ?1, last_error = '', state = CASE WHEN EXISTS (SELECT "
        "1 FROM outbox WHERE snapshot_seq = ?2) THEN state ELSE ?3 END "
        "WHERE seq = ?2");
    for (const OutboxAck& ack : acks) {
      del.reset();
      del.bind(1, static_cast<int64_t>(ack.outbox_seq));
      del.exec();
      upd.reset();
      upd.bind(1, static_cast<int64_t>(ToNs(now)));
      upd.bind(2, static_cast<int64_t>(ack.snapshot_seq));
      upd.bind(3, static_cast<int>(v1::SNAPSHOT_STATE_FORWARDED));
      upd.exec();
    }
    return absl::OkStatus();
  });
}

absl::Status IngestStore::MarkFailed(const OutboxAck& ack,
                                     const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  return common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement del(*db_, "DELETE FROM outbox WHERE seq = ?");
    del.bind(1, static_cast<int64_t>(ack.outbox_seq));
    del.exec();
    SQLite::Statement upd(
        *db_,
        "UPDATE snapshots SET forward_attempts = forward_attempts + 1, "
        "last_error = ?1, state = CASE WHEN EXISTS (SELECT 1 FROM outbox "
        "WHERE snapshot_seq = ?2) THEN state ELSE ?3 END WHERE seq = ?2");
    upd.bind(1, error);
    upd.bind(2, static_cast<int64_t>(ack.snapshot_seq));
    upd.bind(3, static_cast<int>(v1::SNAPSHOT_STATE_FAILED));
    upd.exec();
    return absl::OkStatus();
  });
}

absl::Status IngestStore::NoteForwardError(
    std::span<const int64_t> snapshot_seqs, const std::string& error) {
  if (snapshot_seqs.empty()) return absl::OkStatus();
  std::lock_guard<std::mutex> lock(mu_);
  return common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement upd(
        *db_,
        "UPDATE snapshots SET forward_attempts = forward_attempts + 1, "
        "last_error = ? WHERE seq = ?");
    for (int64_t seq : snapshot_seqs) {
      upd.reset();
      upd.bind(1, error);
      upd.bind(2, static_cast<int64_t>(seq));
      upd.exec();
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<UnresolvedEntry>> IngestStore::FindUnresolved(
    const UnresolvedFilter& filter, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<std::vector<UnresolvedEntry>> {
    SQLite::Statement q(
        *db_,
        "SELECT u.snapshot_seq, s.version, u.position, u.title, "
        "u.artist_credit, u.provider, u.provider_track_id FROM unresolved u "
        "JOIN snapshots s ON s.seq = u.snapshot_seq WHERE (?1 = '' OR "
        "u.chart = ?1) AND (?2 = '' OR u.artist_credit = ?2) AND (?3 = '' OR "
        "u.provider_track_id = ?3) ORDER BY u.snapshot_seq, u.position "
        "LIMIT ?4");
    q.bind(1, filter.chart);
    q.bind(2, filter.artist_credit);
    q.bind(3, filter.provider_track_id);
    q.bind(4, limit);
    std::vector<UnresolvedEntry> out;
    while (q.executeStep()) {
      UnresolvedEntry e;
      e.snapshot_seq = q.getColumn(0).getInt64();
      e.version = q.getColumn(1).getInt64();
      e.position = q.getColumn(2).getInt();
      e.entry.set_title(q.getColumn(3).getString());
      e.entry.set_artist_credit(q.getColumn(4).getString());
      e.entry.set_provider(q.getColumn(5).getString());
      e.entry.set_provider_track_id(q.getColumn(6).getString());
      out.push_back(std::move(e));
    }
    return out;
  });
}

absl::StatusOr<int> IngestStore::ApplyRetriedResolutions(
    std::span<const RetriedEntry> entries) {
  std::lock_guard<std::mutex> lock(mu_);
  // Newly resolved entries, by snapshot.
  std::map<int64_t, std::vector<const RetriedEntry*>> gained;
  for (const RetriedEntry& e : entries) {
    if (!e.resolution.track_id.empty()) gained[e.snapshot_seq].push_back(&e);
  }
  int requeued = 0;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    requeued = 0;
    SQLite::Statement detail(*db_,
                             "UPDATE unresolved SET detail = ? WHERE "
                             "snapshot_seq = ? AND position = ?");
    for (const RetriedEntry& e : entries) {
      if (!e.resolution.track_id.empty()) continue;
      detail.reset();
      detail.bind(1, e.resolution.detail);
      detail.bind(2, static_cast<int64_t>(e.snapshot_seq));
      detail.bind(3, e.position);
      detail.exec();
    }
    SQLite::Statement load(*db_,
                           "SELECT version, state, (SELECT resolved FROM "
                           "snapshot_resolutions r WHERE r.seq = s.seq) FROM "
                           "snapshots s WHERE seq = ?");
    SQLite::Statement drop(*db_,
                           "DELETE FROM unresolved WHERE snapshot_seq = ? AND "
                           "position = ?");
    SQLite::Statement save(
        *db_,
        "UPDATE snapshots SET resolved_count = ?, unresolved_count = "
        "unresolved_count - ?, state = ? WHERE seq = ?");
    SQLite::Statement save_blob(*db_,
                                "INSERT OR REPLACE INTO snapshot_resolutions("
                                "seq, resolved) VALUES (?, ?)");
    SQLite::Statement queue(*db_,
                            "INSERT INTO outbox(snapshot_seq, replace) "
                            "VALUES (?, 0)");
    for (const auto& [seq, list] : gained) {
      load.reset();
      load.bind(1, static_cast<int64_t>(seq));
      if (!load.executeStep()) continue;
      const int64_t version = load.getColumn(0).getInt64();
      const int state = load.getColumn(1).getInt();
      std::vector<core::ResolvedEntry> resolved;
      if (!ParseResolved(load.getColumn(2), resolved)) {
        return absl::DataLossError(absl::StrCat(
            "stored resolution of ", SnapshotId(seq), " does not parse"));
      }
      std::set<int32_t> have;
      for (const core::ResolvedEntry& r : resolved) have.insert(r.position);
      int added = 0;
      for (const RetriedEntry* e : list) {
        if (e->version != version || have.count(e->position)) continue;
        resolved.push_back({e->position, e->resolution.track_id});
        have.insert(e->position);
        drop.reset();
        drop.bind(1, static_cast<int64_t>(seq));
        drop.bind(2, e->position);
        drop.exec();
        ++added;
      }
      if (added == 0) continue;
      std::sort(resolved.begin(), resolved.end(),
                [](const core::ResolvedEntry& a, const core::ResolvedEntry& b) {
                  return a.position < b.position;
                });
      const bool requeue = state == v1::SNAPSHOT_STATE_RESOLVED ||
                           state == v1::SNAPSHOT_STATE_FORWARDED;
      const std::string blob = core::EncodeResolvedEntries(resolved);
      save_blob.reset();
      save_blob.bind(1, static_cast<int64_t>(seq));
      BindBlob(save_blob, 2, blob);
      save_blob.exec();
      save.reset();
      save.bind(1, static_cast<int>(resolved.size()));
      save.bind(2, added);
      save.bind(
          3, requeue ? static_cast<int>(v1::SNAPSHOT_STATE_RESOLVED) : state);
      save.bind(4, static_cast<int64_t>(seq));
      save.exec();
      if (requeue) {
        queue.reset();
        queue.bind(1, static_cast<int64_t>(seq));
        queue.exec();
        ++requeued;
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return requeued;
}

absl::StatusOr<int64_t> IngestStore::Reforward(const SnapshotFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  SnapshotFilter forwarded = filter;
  forwarded.state = v1::SNAPSHOT_STATE_FORWARDED;
  int64_t queued = 0;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement queue(
        *db_, absl::StrCat("INSERT INTO outbox(snapshot_seq, replace) SELECT "
                           "seq, 1 FROM snapshots WHERE ",
                           kFilterWhere, " ORDER BY seq"));
    BindFilter(queue, forwarded);
    queued = queue.exec();
    SQLite::Statement mark(
        *db_, absl::StrCat("UPDATE snapshots SET state = ",
                           static_cast<int>(v1::SNAPSHOT_STATE_RESOLVED),
                           " WHERE ", kFilterWhere));
    BindFilter(mark, forwarded);
    mark.exec();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return queued;
}

absl::StatusOr<v1::Snapshot> IngestStore::GetSnapshot(int64_t seq, bool full) {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<v1::Snapshot> {
    SQLite::Statement q(*db_, absl::StrCat("SELECT ", kSnapshotColumns,
                                           " FROM snapshots WHERE seq = ?"));
    q.bind(1, static_cast<int64_t>(seq));
    if (!q.executeStep()) {
      return absl::NotFoundError(
          absl::StrCat("snapshot ", SnapshotId(seq), " not found"));
    }
    return RowToSnapshot(q, full);
  });
}

absl::StatusOr<v1::Snapshot> IngestStore::GetSnapshotByKey(
    const std::string& chart, const std::string& region,
    absl::Time capture_time, bool full) {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<v1::Snapshot> {
    SQLite::Statement q(
        *db_, absl::StrCat("SELECT ", kSnapshotColumns,
                           " FROM snapshots WHERE chart = ? AND region = ? "
                           "AND capture_ns = ?"));
    q.bind(1, chart);
    q.bind(2, region);
    q.bind(3, static_cast<int64_t>(ToNs(capture_time)));
    if (!q.executeStep()) {
      return absl::NotFoundError(absl::StrCat(
          "no snapshot of ", chart, " in ", region, " captured at ",
          absl::FormatTime(absl::RFC3339_full, capture_time,
                           absl::UTCTimeZone())));
    }
    return RowToSnapshot(q, full);
  });
}

absl::StatusOr<SnapshotPage> IngestStore::ListSnapshots(
    const SnapshotFilter& filter, int64_t before_seq, int limit, bool full) {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<SnapshotPage> {
    SQLite::Statement q(
        *db_, absl::StrCat("SELECT ", kSnapshotColumns,
                           " FROM snapshots WHERE ", kFilterWhere,
                           " AND (?6 = 0 OR seq < ?6) ORDER BY seq DESC "
                           "LIMIT ?7"));
    BindFilter(q, filter);
    q.bind(6, static_cast<int64_t>(before_seq));
    q.bind(7, limit + 1);
    SnapshotPage page;
    int64_t last = 0;
    while (q.executeStep()) {
      if (static_cast<int>(page.snapshots.size()) == limit) {
        page.last_seq = last;
        break;
      }
      last = q.getColumn(0).getInt64();
      auto s = RowToSnapshot(q, full);
      if (!s.ok()) return s.status();
      page.snapshots.push_back(*std::move(s));
    }
    return page;
  });
}

absl::StatusOr<UnresolvedPage> IngestStore::ListUnresolved(
    const std::string& chart, int64_t offset, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<UnresolvedPage> {
    UnresolvedPage page;
    {
      SQLite::Statement t(*db_,
                          "SELECT COUNT(*) FROM unresolved WHERE ?1 = '' OR "
                          "chart = ?1");
      t.bind(1, chart);
      if (t.executeStep()) page.total_entry_count = t.getColumn(0).getInt64();
    }
    SQLite::Statement q(
        *db_,
        "SELECT artist_credit, COUNT(*) AS n, COUNT(DISTINCT snapshot_seq), "
        "COUNT(DISTINCT region), MIN(capture_ns), MAX(capture_ns) FROM "
        "unresolved WHERE ?1 = '' OR chart = ?1 GROUP BY artist_credit "
        "ORDER BY n DESC, artist_credit LIMIT ?2 OFFSET ?3");
    q.bind(1, chart);
    q.bind(2, limit + 1);
    q.bind(3, static_cast<int64_t>(offset));
    SQLite::Statement titles(
        *db_,
        "SELECT title, provider, COUNT(*) AS n, MIN(position), MAX(detail) "
        "FROM unresolved WHERE artist_credit = ?1 AND (?2 = '' OR chart = "
        "?2) GROUP BY title, provider ORDER BY n DESC, title");
    SQLite::Statement ids(
        *db_,
        "SELECT DISTINCT provider_track_id FROM unresolved WHERE "
        "artist_credit = ?1 AND title = ?2 AND provider = ?3 AND (?4 = '' OR "
        "chart = ?4) AND provider_track_id != '' ORDER BY provider_track_id "
        "LIMIT 10");
    while (q.executeStep()) {
      if (static_cast<int>(page.credits.size()) == limit) {
        page.more = true;
        break;
      }
      v1::UnresolvedCredit c;
      c.set_artist_credit(q.getColumn(0).getString());
      c.set_entry_count(q.getColumn(1).getInt64());
      c.set_snapshot_count(q.getColumn(2).getInt());
      c.set_region_count(q.getColumn(3).getInt());
      *c.mutable_first_capture_time() = FromNs(q.getColumn(4).getInt64());
      *c.mutable_last_capture_time() = FromNs(q.getColumn(5).getInt64());
      titles.reset();
      titles.bind(1, c.artist_credit());
      titles.bind(2, chart);
      while (titles.executeStep()) {
        v1::UnresolvedTitle* t = c.add_titles();
        t->set_title(titles.getColumn(0).getString());
        t->set_provider(titles.getColumn(1).getString());
        t->set_entry_count(titles.getColumn(2).getInt64());
        t->set_best_position(titles.getColumn(3).getInt());
        t->set_resolution_detail(titles.getColumn(4).getString());
        ids.reset();
        ids.bind(1, c.artist_credit());
        ids.bind(2, t->title());
        ids.bind(3, t->provider());
        ids.bind(4, chart);
        while (ids.executeStep()) {
          t->add_provider_track_ids(ids.getColumn(0).getString());
        }
      }
      page.credits.push_back(std::move(c));
    }
    return page;
  });
}

absl::StatusOr<ForwarderCounts> IngestStore::Counts() {
  std::lock_guard<std::mutex> lock(mu_);
  return Guarded([&]() -> absl::StatusOr<ForwarderCounts> {
    ForwarderCounts counts;
    SQLite::Statement q(*db_,
                        "SELECT state, COUNT(*), MIN(receive_ns) FROM "
                        "snapshots GROUP BY state");
    std::optional<int64_t> oldest;
    while (q.executeStep()) {
      const int state = q.getColumn(0).getInt();
      const int64_t n = q.getColumn(1).getInt64();
      if (state == v1::SNAPSHOT_STATE_RECEIVED ||
          state == v1::SNAPSHOT_STATE_RESOLVED) {
        counts.pending += n;
        const int64_t first = q.getColumn(2).getInt64();
        if (!oldest || first < *oldest) oldest = first;
      } else if (state == v1::SNAPSHOT_STATE_FORWARDED) {
        counts.forwarded += n;
      } else if (state == v1::SNAPSHOT_STATE_FAILED) {
        counts.failed += n;
      }
    }
    if (oldest) counts.oldest_pending_receive = absl::FromUnixNanos(*oldest);
    counts.unresolved_entries =
        db_->execAndGet("SELECT COUNT(*) FROM unresolved").getInt64();
    return counts;
  });
}

}  // namespace hitclock::ingest
