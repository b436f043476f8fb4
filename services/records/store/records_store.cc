#include "services/records/store/records_store.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/page_token_secret.h"
#include "common/sqlite.h"
#include "common/status.h"

namespace hitclock::records {
namespace {

const common::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE charts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE regions (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  aggregate INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
-- A snapshot's content: chart size and observations, stored once.
CREATE TABLE bodies (
  id INTEGER PRIMARY KEY,
  hash INTEGER NOT NULL,
  chart_size INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX bodies_by_hash ON bodies(hash);
-- One row per capture.
CREATE TABLE snapshots (
  chart INTEGER NOT NULL REFERENCES charts(id),
  region INTEGER NOT NULL REFERENCES regions(id),
  capture_time INTEGER NOT NULL,
  body INTEGER NOT NULL REFERENCES bodies(id),
  PRIMARY KEY (chart, region, capture_time)
) WITHOUT ROWID;
CREATE INDEX snapshots_by_time ON snapshots(capture_time);
)sql"},
    // The secret that keys this store's page tokens.
    common::PageTokenSecretMigration(3),
};

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(const char*& p, const char* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// FNV-1a, 64 bits, over the chart size and the body.
int64_t BodyHash(int chart_size, const std::string& body) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint8_t b) {
    h ^= b;
    h *= 1099511628211ull;
  };
  for (int i = 0; i < 4; ++i) mix(static_cast<uint8_t>(chart_size >> (8 * i)));
  for (char c : body) mix(static_cast<uint8_t>(c));
  return static_cast<int64_t>(h);
}

}  // namespace

RecordsStore::RecordsStore(std::unique_ptr<SQLite::Database> db)
    : db_(std::move(db)) {}

RecordsStore::~RecordsStore() = default;

absl::StatusOr<std::unique_ptr<RecordsStore>> RecordsStore::Open(
    const std::string& path) {
  auto db = common::OpenDatabase(path, kMigrations);
  if (!db.ok()) return db.status();
  auto secret = common::LoadPageTokenSecret(**db);
  if (!secret.ok()) return secret.status();
  std::unique_ptr<RecordsStore> store(new RecordsStore(*std::move(db)));
  store->page_token_secret_ = *std::move(secret);
  if (absl::Status s = store->LoadNames(); !s.ok()) return s;
  return store;
}

absl::Status RecordsStore::LoadNames() {
  try {
    SQLite::Statement charts(*db_, "SELECT id, name FROM charts");
    while (charts.executeStep()) {
      chart_ids_[charts.getColumn(1).getString()] = charts.getColumn(0);
      chart_names_[charts.getColumn(0).getInt64()] =
          charts.getColumn(1).getString();
    }
    SQLite::Statement regions(*db_, "SELECT id, code FROM regions");
    while (regions.executeStep()) {
      region_ids_[regions.getColumn(1).getString()] = regions.getColumn(0);
      region_names_[regions.getColumn(0).getInt64()] =
          regions.getColumn(1).getString();
    }
    SQLite::Statement tracks(*db_, "SELECT id, name FROM tracks ORDER BY id");
    while (tracks.executeStep()) {
      const int64_t id = tracks.getColumn(0);
      std::string name = tracks.getColumn(1).getString();
      if (track_names_.size() <= static_cast<size_t>(id)) {
        track_names_.resize(id + 1);
      }
      track_ids_[name] = id;
      track_names_[id] = std::move(name);
    }
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
  return absl::OkStatus();
}

int64_t RecordsStore::Intern(
    const char* table, const std::string& name,
    absl::flat_hash_map<std::string, int64_t>& cache,
    absl::flat_hash_map<std::string, int64_t>& pending) {
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  if (auto it = pending.find(name); it != pending.end()) return it->second;
  const char* column = std::string_view(table) == "regions" ? "code" : "name";
  SQLite::Statement insert(
      *db_, absl::StrCat("INSERT INTO ", table, " (", column, ") VALUES (?)"));
  insert.bind(1, name);
  insert.exec();
  const int64_t id = db_->getLastInsertRowid();
  pending.emplace(name, id);
  return id;
}

absl::Status RecordsStore::Put(const core::Snapshot& snapshot, bool aggregate) {
  return PutAll({{&snapshot, aggregate}});
}

absl::Status RecordsStore::PutAll(
    const std::vector<std::pair<const core::Snapshot*, bool>>& snapshots) {
  std::lock_guard lock(mu_);
  absl::flat_hash_map<std::string, int64_t> new_charts, new_regions, new_tracks;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement kind(
        *db_,
        "UPDATE regions SET aggregate = 1 WHERE id = ? AND aggregate = 0");
    SQLite::Statement find(
        *db_, "SELECT id, body FROM bodies WHERE hash = ? AND chart_size = ?");
    SQLite::Statement insert(
        *db_, "INSERT INTO bodies (hash, chart_size, body) VALUES (?, ?, ?)");
    SQLite::Statement put(*db_,
                          "INSERT OR REPLACE INTO snapshots (chart, region, "
                          "capture_time, body) VALUES (?, ?, ?, ?)");
    std::vector<std::pair<int, int64_t>> rows;
    std::string body;
    for (const auto& [snapshot_ptr, aggregate] : snapshots) {
      const core::Snapshot& snapshot = *snapshot_ptr;
      const int64_t chart =
          Intern("charts", snapshot.chart, chart_ids_, new_charts);
      const int64_t region =
          Intern("regions", snapshot.region, region_ids_, new_regions);
      if (aggregate) {
        kind.bind(1, region);
        kind.exec();
        kind.reset();
      }
      // The body: (track number, position gap) in position order.
      rows.clear();
      for (const core::SnapshotEntry& e : snapshot.entries) {
        rows.emplace_back(e.position,
                          Intern("tracks", e.track_id, track_ids_, new_tracks));
      }
      std::sort(rows.begin(), rows.end());
      body.clear();
      int previous = 0;
      for (const auto& [position, track] : rows) {
        PutVarint(body, static_cast<uint64_t>(track));
        PutVarint(body, static_cast<uint64_t>(position - previous - 1));
        previous = position;
      }
      const int64_t hash = BodyHash(snapshot.chart_size, body);
      int64_t body_id = 0;
      find.bind(1, hash);
      find.bind(2, snapshot.chart_size);
      while (find.executeStep()) {
        const SQLite::Column blob = find.getColumn(1);
        if (static_cast<size_t>(blob.getBytes()) == body.size() &&
            std::equal(body.begin(), body.end(),
                       static_cast<const char*>(blob.getBlob()))) {
          body_id = find.getColumn(0);
          break;
        }
      }
      find.reset();
      if (body_id == 0) {
        insert.bind(1, hash);
        insert.bind(2, snapshot.chart_size);
        insert.bind(3, body.data(), static_cast<int>(body.size()));
        insert.exec();
        insert.reset();
        body_id = db_->getLastInsertRowid();
      }
      put.bind(1, chart);
      put.bind(2, region);
      put.bind(3, static_cast<int64_t>(snapshot.capture_time));
      put.bind(4, body_id);
      put.exec();
      put.reset();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  for (auto& [name, id] : new_charts) {
    chart_names_[id] = name;
    chart_ids_[name] = id;
  }
  for (auto& [name, id] : new_regions) {
    region_names_[id] = name;
    region_ids_[name] = id;
  }
  for (auto& [name, id] : new_tracks) {
    if (track_names_.size() <= static_cast<size_t>(id)) {
      track_names_.resize(id + 1);
    }
    track_names_[id] = name;
    track_ids_[name] = id;
  }
  return absl::OkStatus();
}

namespace {

// Decodes a body into `out.entries`; false when it is corrupt.
bool DecodeBody(const char* p, const char* end,
                const std::vector<std::string>& track_names,
                core::Snapshot& out) {
  out.entries.clear();
  int position = 0;
  while (p < end) {
    uint64_t track = 0, gap = 0;
    if (!GetVarint(p, end, track) || !GetVarint(p, end, gap)) return false;
    if (track >= track_names.size() || track_names[track].empty()) return false;
    position += static_cast<int>(gap) + 1;
    out.entries.push_back({track_names[track], position});
  }
  return true;
}

}  // namespace

absl::StatusOr<std::optional<core::Snapshot>> RecordsStore::Get(
    const core::SnapshotKey& key) {
  std::lock_guard lock(mu_);
  auto chart = chart_ids_.find(key.chart);
  auto region = region_ids_.find(key.region);
  if (chart == chart_ids_.end() || region == region_ids_.end()) {
    return std::nullopt;
  }
  try {
    SQLite::Statement get(*db_,
                          "SELECT b.chart_size, b.body FROM snapshots s JOIN "
                          "bodies b ON b.id = s.body WHERE s.chart = ? AND "
                          "s.region = ? AND s.capture_time = ?");
    get.bind(1, chart->second);
    get.bind(2, region->second);
    get.bind(3, static_cast<int64_t>(key.capture_time));
    if (!get.executeStep()) return std::nullopt;
    core::Snapshot snapshot{.chart = key.chart,
                            .region = key.region,
                            .capture_time = key.capture_time,
                            .chart_size = get.getColumn(0).getInt(),
                            .entries = {}};
    const SQLite::Column blob = get.getColumn(1);
    const char* p = static_cast<const char*>(blob.getBlob());
    if (!DecodeBody(p, p + blob.getBytes(), track_names_, snapshot)) {
      return absl::DataLossError("records store: a snapshot body is corrupt");
    }
    return snapshot;
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
}

absl::StatusOr<std::vector<std::string>> RecordsStore::AggregateRegions() {
  std::lock_guard lock(mu_);
  try {
    std::vector<std::string> codes;
    SQLite::Statement q(*db_,
                        "SELECT code FROM regions WHERE aggregate = 1 "
                        "ORDER BY code");
    while (q.executeStep()) codes.push_back(q.getColumn(0).getString());
    return codes;
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
}

absl::Status RecordsStore::ForEach(
    absl::FunctionRef<absl::Status(const core::Snapshot&)> fn) {
  std::lock_guard lock(mu_);
  try {
    SQLite::Statement q(*db_,
                        "SELECT s.chart, s.region, s.capture_time, "
                        "b.chart_size, b.body FROM snapshots s JOIN bodies b "
                        "ON b.id = s.body ORDER BY s.capture_time, s.chart, "
                        "s.region");
    core::Snapshot snapshot;
    while (q.executeStep()) {
      snapshot.chart = chart_names_[q.getColumn(0).getInt64()];
      snapshot.region = region_names_[q.getColumn(1).getInt64()];
      snapshot.capture_time = q.getColumn(2).getInt64();
      snapshot.chart_size = q.getColumn(3).getInt();
      const SQLite::Column blob = q.getColumn(4);
      const char* p = static_cast<const char*>(blob.getBlob());
      if (!DecodeBody(p, p + blob.getBytes(), track_names_, snapshot)) {
        return absl::DataLossError("records store: a snapshot body is corrupt");
      }
      if (absl::Status s = fn(snapshot); !s.ok()) return s;
    }
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
  return absl::OkStatus();
}

absl::Status RecordsStore::ForEachStored(
    absl::FunctionRef<absl::Status(StoredSnapshot&)> fn) {
  std::lock_guard lock(mu_);
  // Rows are read by region and bodies looked up by id, all over the file:
  // read it through a memory map (no read call per page), unmapped after.
  struct Unmap {
    SQLite::Database& db;
    ~Unmap() {
      try {
        db.exec("PRAGMA mmap_size=0");
      } catch (const std::exception&) {
      }
    }
  };
  try {
    db_->exec("PRAGMA mmap_size=2147418112");
  } catch (const std::exception&) {
    // Without a map the read is slower, not wrong.
  }
  Unmap unmap{*db_};
  try {
    SQLite::Statement q(*db_,
                        "SELECT s.chart, s.region, s.capture_time, s.body, "
                        "b.chart_size, b.body FROM snapshots s JOIN bodies b "
                        "ON b.id = s.body ORDER BY s.chart, s.region, "
                        "s.capture_time");
    StoredSnapshot snapshot;
    int64_t chart = -1, region = -1, body = -1;
    // The decoded body of the previous row: consecutive captures of an
    // unchanged chart share one.
    std::vector<std::pair<uint32_t, int>> decoded;
    while (q.executeStep()) {
      if (const int64_t c = q.getColumn(0).getInt64(); c != chart) {
        chart = c;
        snapshot.chart = chart_names_[c];
      }
      if (const int64_t r = q.getColumn(1).getInt64(); r != region) {
        region = r;
        snapshot.region = region_names_[r];
      }
      snapshot.capture_time = q.getColumn(2).getInt64();
      snapshot.chart_size = q.getColumn(4).getInt();
      if (const int64_t b = q.getColumn(3).getInt64(); b != body) {
        body = b;
        decoded.clear();
        const SQLite::Column blob = q.getColumn(5);
        const char* p = static_cast<const char*>(blob.getBlob());
        const char* end = p + blob.getBytes();
        int position = 0;
        while (p < end) {
          uint64_t track = 0, gap = 0;
          if (!GetVarint(p, end, track) || !GetVarint(p, end, gap) ||
              track >= track_names_.size() || track_names_[track].empty()) {
            return absl::DataLossError(
                "records store: a snapshot body is corrupt");
          }
          position += static_cast<int>(gap) + 1;
          decoded.emplace_back(static_cast<uint32_t>(track), position);
        }
        // By track number, once per body (not once per capture).
        std::sort(decoded.begin(), decoded.end());
      }
      snapshot.observations = decoded;
      if (absl::Status s = fn(snapshot); !s.ok()) return s;
    }
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
  return absl::OkStatus();
}

std::vector<std::string> RecordsStore::TrackNames() {
  std::lock_guard lock(mu_);
  return track_names_;
}

absl::StatusOr<StoreStats> RecordsStore::Stats() {
  std::lock_guard lock(mu_);
  try {
    StoreStats stats;
    stats.snapshots =
        db_->execAndGet("SELECT COUNT(*) FROM snapshots").getInt64();
    stats.bodies = db_->execAndGet("SELECT COUNT(*) FROM bodies").getInt64();
    stats.tracks = db_->execAndGet("SELECT COUNT(*) FROM tracks").getInt64();
    return stats;
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
}

}  // namespace hitclock::records
