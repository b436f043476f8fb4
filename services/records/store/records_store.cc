#include "services/records/store/records_store.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <array>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/page_token_secret.h"
#include "common/sqlite.h"
#include "common/status.h"
#include "services/records/store/checksums.h"

namespace hitclock::records {
namespace {

// What a repair or a refusal to load tells the operator to do next.
constexpr char kRepairHint[] =
    "start hitclock-records with --repair to drop what is corrupt, then "
    "re-send it from ingest (hitclock reforward)";

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "records store: ", what, " fails its checksum; ", kRepairHint));
}

// Migration 2: the checksum of every name row and capture row held.
absl::Status FillChecksums(SQLite::Database& db) {
  for (const char* table : {"charts", "regions", "tracks"}) {
    const bool regions = std::string_view(table) == "regions";
    std::vector<std::pair<int64_t, int64_t>> sums;
    SQLite::Statement read(
        db, absl::StrCat("SELECT id, ", regions ? "code, aggregate" : "name, 0",
                         " FROM ", table));
    while (read.executeStep()) {
      const int64_t id = read.getColumn(0).getInt64();
      sums.emplace_back(id, NameChecksum(id, read.getColumn(1).getString(),
                                         read.getColumn(2).getInt64()));
    }
    SQLite::Statement write(
        db, absl::StrCat("UPDATE ", table, " SET checksum = ? WHERE id = ?"));
    for (const auto& [id, sum] : sums) {
      write.reset();
      write.bind(1, sum);
      write.bind(2, id);
      write.exec();
    }
  }
  SQLite::Statement write(db,
                          "UPDATE snapshots SET checksum = ? WHERE chart = ? "
                          "AND region = ? AND capture_time = ?");
  SQLite::Statement read(
      db, "SELECT chart, region, capture_time, body FROM snapshots");
  std::vector<std::array<int64_t, 4>> rows;
  while (read.executeStep()) {
    rows.push_back({read.getColumn(0).getInt64(), read.getColumn(1).getInt64(),
                    read.getColumn(2).getInt64(),
                    read.getColumn(3).getInt64()});
  }
  for (const auto& [chart, region, time, body] : rows) {
    write.reset();
    write.bind(1, CaptureChecksum(chart, region, time, body));
    write.bind(2, chart);
    write.bind(3, region);
    write.bind(4, time);
    write.exec();
  }
  return absl::OkStatus();
}

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
    // Checksums over every name row and capture row (bodies carry theirs in
    // `hash`), so that a changed byte is found on load, not served.
    {2, R"sql(
ALTER TABLE charts ADD COLUMN checksum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE regions ADD COLUMN checksum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tracks ADD COLUMN checksum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE snapshots ADD COLUMN checksum INTEGER NOT NULL DEFAULT 0;
)sql",
     [](SQLite::Database& db) { return FillChecksums(db); }},
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

}  // namespace

RecordsStore::RecordsStore(std::unique_ptr<SQLite::Database> db)
    : db_(std::move(db)) {}

RecordsStore::~RecordsStore() = default;

absl::StatusOr<std::unique_ptr<RecordsStore>> RecordsStore::Open(
    const std::string& path, common::Durability durability) {
  auto db = common::OpenDatabase(path, kMigrations, durability);
  if (!db.ok()) return db.status();
  auto secret = common::LoadPageTokenSecret(**db);
  if (!secret.ok()) return secret.status();
  std::unique_ptr<RecordsStore> store(new RecordsStore(*std::move(db)));
  store->page_token_secret_ = *std::move(secret);
  if (absl::Status s = store->LoadNames(); !s.ok()) return s;
  return store;
}

absl::Status RecordsStore::LoadNames() {
  chart_ids_.clear();
  region_ids_.clear();
  track_ids_.clear();
  chart_names_.clear();
  region_names_.clear();
  track_names_.clear();
  bad_charts_.clear();
  bad_regions_.clear();
  bad_tracks_.clear();
  corrupt_names_.clear();
  try {
    // Calls `keep(id, name)` for every row of `table` (columns id, name,
    // flag, checksum), noting those that fail their checksum in `bad`.
    auto read = [&](const char* kind, const char* sql,
                    absl::flat_hash_set<int64_t>& bad, auto keep) {
      SQLite::Statement q(*db_, sql);
      while (q.executeStep()) {
        const int64_t id = q.getColumn(0);
        std::string name = q.getColumn(1).getString();
        if (NameChecksum(id, name, q.getColumn(2).getInt64()) !=
            q.getColumn(3).getInt64()) {
          bad.insert(id);
          corrupt_names_.push_back(
              absl::StrCat(kind, " #", id, " (\"", name, "\")"));
        }
        keep(id, std::move(name));
      }
    };
    read("chart", "SELECT id, name, 0, checksum FROM charts", bad_charts_,
         [&](int64_t id, std::string name) {
           chart_ids_[name] = id;
           chart_names_[id] = std::move(name);
         });
    read("region", "SELECT id, code, aggregate, checksum FROM regions",
         bad_regions_, [&](int64_t id, std::string code) {
           region_ids_[code] = id;
           region_names_[id] = std::move(code);
         });
    read("track", "SELECT id, name, 0, checksum FROM tracks ORDER BY id",
         bad_tracks_, [&](int64_t id, std::string name) {
           if (id < 0) return;  // only a corrupt row has one
           if (track_names_.size() <= static_cast<size_t>(id)) {
             track_names_.resize(id + 1);
           }
           track_ids_[name] = id;
           track_names_[id] = std::move(name);
         });
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
  SQLite::Statement sum(
      *db_, absl::StrCat("UPDATE ", table, " SET checksum = ? WHERE id = ?"));
  sum.bind(1, NameChecksum(id, name, 0));
  sum.bind(2, id);
  sum.exec();
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
        "UPDATE regions SET aggregate = 1, checksum = ? WHERE id = ? AND "
        "aggregate = 0");
    SQLite::Statement find(
        *db_, "SELECT id, body FROM bodies WHERE hash = ? AND chart_size = ?");
    SQLite::Statement insert(
        *db_, "INSERT INTO bodies (hash, chart_size, body) VALUES (?, ?, ?)");
    SQLite::Statement put(*db_,
                          "INSERT OR REPLACE INTO snapshots (chart, region, "
                          "capture_time, body, checksum) VALUES (?, ?, ?, ?, "
                          "?)");
    std::vector<std::pair<int, int64_t>> rows;
    std::string body;
    for (const auto& [snapshot_ptr, aggregate] : snapshots) {
      const core::Snapshot& snapshot = *snapshot_ptr;
      const int64_t chart =
          Intern("charts", snapshot.chart, chart_ids_, new_charts);
      const int64_t region =
          Intern("regions", snapshot.region, region_ids_, new_regions);
      if (aggregate) {
        kind.bind(1, NameChecksum(region, snapshot.region, 1));
        kind.bind(2, region);
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
      const int64_t hash = BodyChecksum(snapshot.chart_size, body);
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
      put.bind(5,
               CaptureChecksum(chart, region, snapshot.capture_time, body_id));
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

std::string RecordsStore::Describe(int64_t chart, int64_t region,
                                   int64_t capture_time) const {
  auto name = [](const absl::flat_hash_map<int64_t, std::string>& names,
                 int64_t id, absl::string_view kind) {
    auto it = names.find(id);
    return it != names.end() ? it->second : absl::StrCat(kind, " #", id);
  };
  return absl::StrCat("snapshot ", name(chart_names_, chart, "chart"), " ",
                      name(region_names_, region, "region"), " ",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ",
                                       absl::FromUnixMicros(capture_time),
                                       absl::UTCTimeZone()));
}

absl::Status RecordsStore::CheckCapture(const StoredRow& row) const {
  if (!corrupt_names_.empty()) {
    return Corrupt(absl::StrCat(
        corrupt_names_.front(),
        corrupt_names_.size() > 1
            ? absl::StrCat(" (and ", corrupt_names_.size() - 1, " more names)")
            : ""));
  }
  if (!CaptureIntact(row)) {
    return Corrupt(Describe(row.chart, row.region, row.capture_time));
  }
  return absl::OkStatus();
}

bool RecordsStore::CaptureIntact(const StoredRow& row) const {
  return CaptureChecksum(row.chart, row.region, row.capture_time, row.body) ==
             row.checksum &&
         chart_names_.contains(row.chart) && !bad_charts_.contains(row.chart) &&
         region_names_.contains(row.region) &&
         !bad_regions_.contains(row.region);
}

absl::Status RecordsStore::DecodeBody(
    const StoredRow& row, std::vector<std::pair<uint32_t, int>>& out) const {
  out.clear();
  auto corrupt = [&] {
    return Corrupt(
        absl::StrCat("body #", row.body, " of ",
                     Describe(row.chart, row.region, row.capture_time)));
  };
  if (BodyChecksum(row.chart_size, row.blob) != row.body_hash) {
    return corrupt();
  }
  const char* p = row.blob.data();
  const char* end = p + row.blob.size();
  int position = 0;
  while (p < end) {
    uint64_t track = 0, gap = 0;
    if (!GetVarint(p, end, track) || !GetVarint(p, end, gap) ||
        track >= track_names_.size() || track_names_[track].empty() ||
        gap >= static_cast<uint64_t>(row.chart_size - position)) {
      return corrupt();
    }
    position += static_cast<int>(gap) + 1;
    out.emplace_back(static_cast<uint32_t>(track), position);
  }
  return absl::OkStatus();
}

namespace {

// The columns every read of a capture selects, in `StoredRow` order after
// the leading ones of the query: s.chart, s.region, s.capture_time, s.body,
// s.checksum, b.hash, b.chart_size, b.body.
constexpr char kRowColumns[] =
    "s.chart, s.region, s.capture_time, s.body, s.checksum, b.hash, "
    "b.chart_size, b.body";

StoredRow ReadRow(SQLite::Statement& q) {
  const SQLite::Column blob = q.getColumn(7);
  return StoredRow{
      .chart = q.getColumn(0).getInt64(),
      .region = q.getColumn(1).getInt64(),
      .capture_time = q.getColumn(2).getInt64(),
      .body = q.getColumn(3).getInt64(),
      .checksum = q.getColumn(4).getInt64(),
      .body_hash = q.getColumn(5).getInt64(),
      .chart_size = q.getColumn(6).getInt(),
      .blob = std::string_view(static_cast<const char*>(blob.getBlob()),
                               static_cast<size_t>(blob.getBytes()))};
}

}  // namespace

absl::Status RecordsStore::ToSnapshot(
    const StoredRow& row, std::vector<std::pair<uint32_t, int>>& scratch,
    core::Snapshot& out) const {
  if (absl::Status s = CheckCapture(row); !s.ok()) return s;
  if (absl::Status s = DecodeBody(row, scratch); !s.ok()) return s;
  out.chart = chart_names_.at(row.chart);
  out.region = region_names_.at(row.region);
  out.capture_time = row.capture_time;
  out.chart_size = row.chart_size;
  out.entries.clear();
  for (const auto& [track, position] : scratch) {
    out.entries.push_back({track_names_[track], position});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<core::Snapshot>> RecordsStore::Get(
    const core::SnapshotKey& key) {
  std::lock_guard lock(mu_);
  auto chart = chart_ids_.find(key.chart);
  auto region = region_ids_.find(key.region);
  if (chart == chart_ids_.end() || region == region_ids_.end()) {
    return std::nullopt;
  }
  try {
    SQLite::Statement get(
        *db_, absl::StrCat("SELECT ", kRowColumns,
                           " FROM snapshots s JOIN bodies b ON b.id = s.body "
                           "WHERE s.chart = ? AND s.region = ? AND "
                           "s.capture_time = ?"));
    get.bind(1, chart->second);
    get.bind(2, region->second);
    get.bind(3, static_cast<int64_t>(key.capture_time));
    if (!get.executeStep()) return std::nullopt;
    core::Snapshot snapshot;
    std::vector<std::pair<uint32_t, int>> scratch;
    if (absl::Status s = ToSnapshot(ReadRow(get), scratch, snapshot); !s.ok()) {
      return s;
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
    SQLite::Statement q(
        *db_, absl::StrCat("SELECT ", kRowColumns,
                           " FROM snapshots s JOIN bodies b ON b.id = s.body "
                           "ORDER BY s.capture_time, s.chart, s.region"));
    core::Snapshot snapshot;
    std::vector<std::pair<uint32_t, int>> scratch;
    int64_t seen = 0;
    while (q.executeStep()) {
      if (absl::Status s = ToSnapshot(ReadRow(q), scratch, snapshot); !s.ok()) {
        return s;
      }
      ++seen;
      if (absl::Status s = fn(snapshot); !s.ok()) return s;
    }
    return CheckNoOrphanCaptures(seen);
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
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
    SQLite::Statement q(
        *db_, absl::StrCat("SELECT ", kRowColumns,
                           " FROM snapshots s JOIN bodies b ON b.id = s.body "
                           "ORDER BY s.chart, s.region, s.capture_time"));
    StoredSnapshot snapshot;
    int64_t chart = -1, region = -1, body = -1;
    // The decoded body of the previous row: consecutive captures of an
    // unchanged chart share one.
    std::vector<std::pair<uint32_t, int>> decoded;
    int64_t seen = 0;
    while (q.executeStep()) {
      ++seen;
      const StoredRow row = ReadRow(q);
      if (absl::Status s = CheckCapture(row); !s.ok()) return s;
      if (row.chart != chart) {
        chart = row.chart;
        snapshot.chart = chart_names_[chart];
      }
      if (row.region != region) {
        region = row.region;
        snapshot.region = region_names_[region];
      }
      snapshot.capture_time = row.capture_time;
      snapshot.chart_size = row.chart_size;
      if (row.body != body) {
        body = row.body;
        if (absl::Status s = DecodeBody(row, decoded); !s.ok()) return s;
        // By track number, once per body (not once per capture).
        std::sort(decoded.begin(), decoded.end());
      }
      snapshot.observations = decoded;
      if (absl::Status s = fn(snapshot); !s.ok()) return s;
    }
    return CheckNoOrphanCaptures(seen);
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
}

absl::Status RecordsStore::CheckNoOrphanCaptures(int64_t seen) {
  // A capture whose body number changed to one that is not there is left
  // out by the joins above: count the captures, and name one if any is.
  if (db_->execAndGet("SELECT COUNT(*) FROM snapshots").getInt64() == seen) {
    return absl::OkStatus();
  }
  SQLite::Statement q(*db_,
                      "SELECT s.chart, s.region, s.capture_time FROM "
                      "snapshots s LEFT JOIN bodies b ON b.id = s.body WHERE "
                      "b.id IS NULL LIMIT 1");
  if (q.executeStep()) {
    return Corrupt(Describe(q.getColumn(0).getInt64(),
                            q.getColumn(1).getInt64(),
                            q.getColumn(2).getInt64()));
  }
  return absl::OkStatus();
}

absl::StatusOr<RepairReport> RecordsStore::Repair() {
  std::lock_guard lock(mu_);
  RepairReport report;
  if (absl::Status s = LoadNames(); !s.ok()) return s;
  report.dropped_names = corrupt_names_;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    // Bodies: their checksum, their encoding, and the tracks they name.
    absl::flat_hash_set<int64_t> good_bodies, bad_bodies;
    {
      SQLite::Statement q(*db_,
                          "SELECT id, hash, chart_size, body FROM bodies");
      std::vector<std::pair<uint32_t, int>> scratch;
      while (q.executeStep()) {
        const SQLite::Column blob = q.getColumn(3);
        StoredRow row{
            .body = q.getColumn(0).getInt64(),
            .body_hash = q.getColumn(1).getInt64(),
            .chart_size = q.getColumn(2).getInt(),
            .blob = std::string_view(static_cast<const char*>(blob.getBlob()),
                                     static_cast<size_t>(blob.getBytes()))};
        bool ok = DecodeBody(row, scratch).ok();
        for (const auto& [track, position] : scratch) {
          ok = ok && !bad_tracks_.contains(track);
        }
        (ok ? good_bodies : bad_bodies).insert(row.body);
      }
    }
    // Captures: their own checksum, and everything they point at.
    std::vector<std::array<int64_t, 3>> drop;
    {
      SQLite::Statement q(
          *db_,
          "SELECT chart, region, capture_time, body, checksum FROM snapshots");
      while (q.executeStep()) {
        const StoredRow row{.chart = q.getColumn(0).getInt64(),
                            .region = q.getColumn(1).getInt64(),
                            .capture_time = q.getColumn(2).getInt64(),
                            .body = q.getColumn(3).getInt64(),
                            .checksum = q.getColumn(4).getInt64()};
        if (!CaptureIntact(row) || !good_bodies.contains(row.body)) {
          drop.push_back({row.chart, row.region, row.capture_time});
        }
      }
    }
    SQLite::Statement remove(*db_,
                             "DELETE FROM snapshots WHERE chart = ? AND "
                             "region = ? AND capture_time = ?");
    for (const auto& [chart, region, time] : drop) {
      report.dropped_snapshots.push_back(Describe(chart, region, time));
      report.dropped_since =
          std::min(report.dropped_since.value_or(time), time);
      remove.reset();
      remove.bind(1, chart);
      remove.bind(2, region);
      remove.bind(3, time);
      remove.exec();
    }
    SQLite::Statement remove_body(*db_, "DELETE FROM bodies WHERE id = ?");
    for (int64_t body : bad_bodies) {
      remove_body.reset();
      remove_body.bind(1, body);
      remove_body.exec();
    }
    report.dropped_bodies = static_cast<int64_t>(bad_bodies.size());
    report.dropped_bodies += db_->exec(
        "DELETE FROM bodies WHERE id NOT IN (SELECT body FROM snapshots)");
    auto remove_names = [&](const char* table,
                            const absl::flat_hash_set<int64_t>& ids) {
      SQLite::Statement q(*db_,
                          absl::StrCat("DELETE FROM ", table, " WHERE id = ?"));
      for (int64_t id : ids) {
        q.reset();
        q.bind(1, id);
        q.exec();
      }
    };
    remove_names("charts", bad_charts_);
    remove_names("regions", bad_regions_);
    remove_names("tracks", bad_tracks_);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (absl::Status s = LoadNames(); !s.ok()) return s;
  return report;
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
