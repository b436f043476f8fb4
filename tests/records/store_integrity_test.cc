// The records store finds a changed byte in any row it holds: a flipped bit
// in a body, a capture row or a name is DATA_LOSS naming the row, never a
// wrong answer; `Repair` drops exactly what is corrupt, and a store at schema
// version 1 (no checksums yet) gains them on open.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "services/records/store/records_store.h"
#include "tests/records/records_fixtures.h"

namespace hitclock::records {
namespace {

using fixtures::kMinute;

constexpr int64_t kT0 = fixtures::kWithYouRelease;

core::Snapshot Snap(const std::string& region, int64_t t,
                    std::vector<core::SnapshotEntry> entries) {
  return core::Snapshot{.chart = "itunes/top-songs",
                        .region = region,
                        .capture_time = t,
                        .chart_size = 10,
                        .entries = std::move(entries)};
}

class StoreIntegrityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("records-integrity");
    path_ = (dir_ / "records.db").string();
    Open();
    // us: three captures sharing one body, then a change; gb: one capture.
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(store_
                      ->Put(Snap("us", kT0 + i * 5 * kMinute,
                                 {{"with-you", 1}, {"dynamite", 2}}))
                      .ok());
    }
    ASSERT_TRUE(
        store_->Put(Snap("us", kT0 + 15 * kMinute, {{"dynamite", 1}})).ok());
    ASSERT_TRUE(store_->Put(Snap("gb", kT0, {{"yours", 1}})).ok());
    store_.reset();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto store = RecordsStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  // Runs `sql` on the closed store's file, as a bad disk or a hand would.
  void Tamper(const std::string& sql) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec(sql);
  }
  // Flips bit `bit` of byte `byte` of the body that gb's capture uses.
  void FlipBodyBit(int byte, int bit) {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    SQLite::Statement read(db,
                           "SELECT b.id, b.body FROM bodies b JOIN snapshots "
                           "s ON s.body = b.id JOIN regions r ON r.id = "
                           "s.region WHERE r.code = 'gb'");
    ASSERT_TRUE(read.executeStep());
    const int64_t id = read.getColumn(0).getInt64();
    std::string blob(static_cast<const char*>(read.getColumn(1).getBlob()),
                     read.getColumn(1).getBytes());
    read.reset();
    ASSERT_LT(byte, static_cast<int>(blob.size()));
    blob[byte] ^= static_cast<char>(1 << bit);
    SQLite::Statement write(db, "UPDATE bodies SET body = ? WHERE id = ?");
    write.bind(1, blob.data(), static_cast<int>(blob.size()));
    write.bind(2, id);
    write.exec();
  }
  // Every snapshot the store loads, as "region@minutes" sorted as strings;
  // the status of the load.
  absl::Status LoadAll(std::vector<std::string>* loaded = nullptr) {
    absl::Status status = store_->ForEachStored([&](StoredSnapshot& s) {
      if (loaded != nullptr) {
        loaded->push_back(absl::StrCat(std::string(s.region), "@",
                                       (s.capture_time - kT0) / kMinute));
      }
      return absl::OkStatus();
    });
    if (loaded != nullptr) std::sort(loaded->begin(), loaded->end());
    return status;
  }
  void ExpectDataLossNaming(const absl::Status& status,
                            const std::string& what) {
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), what)) << status;
    EXPECT_TRUE(absl::StrContains(status.message(), "--repair")) << status;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<RecordsStore> store_;
};

TEST_F(StoreIntegrityTest, AnUntouchedStoreLoadsWhole) {
  Open();
  std::vector<std::string> loaded;
  ASSERT_TRUE(LoadAll(&loaded).ok());
  EXPECT_EQ(loaded, (std::vector<std::string>{"gb@0", "us@0", "us@10", "us@15",
                                              "us@5"}));
}

TEST_F(StoreIntegrityTest, AFlippedBitInABodyIsDataLossNamingItsSnapshot) {
  // Every bit of the body's first byte (the track number) and its last (the
  // position gap): each changes what the body says.
  for (int byte : {0, 1}) {
    for (int bit = 0; bit < 8; ++bit) {
      FlipBodyBit(byte, bit);
      Open();
      ExpectDataLossNaming(LoadAll(), "of snapshot itunes/top-songs gb ");
      auto got = store_->Get({"itunes/top-songs", "gb", kT0});
      ExpectDataLossNaming(got.status(), "gb");
      store_.reset();
      FlipBodyBit(byte, bit);  // back as it was
    }
  }
  Open();
  EXPECT_TRUE(LoadAll().ok());
}

TEST_F(StoreIntegrityTest, AChangedCaptureInstantIsDataLoss) {
  // Bit 30 flipped (SQLite has no XOR: (a | b) - (a & b)).
  Tamper(absl::StrCat("UPDATE snapshots SET capture_time = (capture_time | ",
                      int64_t{1} << 30, ") - (capture_time & ",
                      int64_t{1} << 30,
                      ") WHERE capture_time = ", kT0 + 5 * kMinute));
  Open();
  ExpectDataLossNaming(LoadAll(), "snapshot itunes/top-songs us ");
}

TEST_F(StoreIntegrityTest, ACaptureMovedToAnotherBodyIsDataLoss) {
  Tamper(absl::StrCat(
      "UPDATE snapshots SET body = (SELECT MAX(id) FROM bodies) WHERE "
      "capture_time = ",
      kT0 + 5 * kMinute));
  Open();
  ExpectDataLossNaming(LoadAll(), "snapshot itunes/top-songs us ");
}

TEST_F(StoreIntegrityTest, ACaptureWhoseBodyIsGoneIsDataLoss) {
  Tamper(absl::StrCat("UPDATE snapshots SET body = 999 WHERE capture_time = ",
                      kT0 + 15 * kMinute));
  Open();
  ExpectDataLossNaming(LoadAll(), "snapshot itunes/top-songs us ");
}

TEST_F(StoreIntegrityTest, ARenamedTrackOrRegionIsDataLoss) {
  Tamper("UPDATE tracks SET name = 'dynamitf' WHERE name = 'dynamite'");
  Open();
  ExpectDataLossNaming(LoadAll(), "track #");
  store_.reset();
  Tamper("UPDATE tracks SET name = 'dynamite' WHERE name = 'dynamitf'");
  Tamper("UPDATE regions SET code = 'gc' WHERE code = 'gb'");
  Open();
  ExpectDataLossNaming(LoadAll(), "region #");
  store_.reset();
  Tamper("UPDATE regions SET aggregate = 1 WHERE code = 'gc'");
  Tamper("UPDATE regions SET code = 'gb' WHERE code = 'gc'");
  Open();
  // The aggregate flag counts too.
  ExpectDataLossNaming(LoadAll(), "region #");
}

TEST_F(StoreIntegrityTest, RepairDropsExactlyTheCorruptRowsAndWhatUsesThem) {
  FlipBodyBit(0, 3);  // gb's only body
  Tamper(
      absl::StrCat("UPDATE snapshots SET capture_time = capture_time + 1 "
                   "WHERE capture_time = ",
                   kT0 + 10 * kMinute));  // one us capture
  Open();
  auto report = store_->Repair();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->dropped_snapshots.size(), 2u);
  EXPECT_EQ(report->dropped_bodies, 1);
  EXPECT_TRUE(report->dropped_names.empty());
  ASSERT_TRUE(report->dropped_since.has_value());
  EXPECT_EQ(*report->dropped_since, kT0);

  std::vector<std::string> loaded;
  ASSERT_TRUE(LoadAll(&loaded).ok());
  EXPECT_EQ(loaded, (std::vector<std::string>{"us@0", "us@15", "us@5"}));
  // What was dropped can be sent again, and the store is whole.
  ASSERT_TRUE(store_->Put(Snap("gb", kT0, {{"yours", 1}})).ok());
  ASSERT_TRUE(store_
                  ->Put(Snap("us", kT0 + 10 * kMinute,
                             {{"with-you", 1}, {"dynamite", 2}}))
                  .ok());
  Open();
  loaded.clear();
  ASSERT_TRUE(LoadAll(&loaded).ok());
  EXPECT_EQ(loaded, (std::vector<std::string>{"gb@0", "us@0", "us@10", "us@15",
                                              "us@5"}));
  // A second repair finds nothing.
  auto again = store_->Repair();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->dropped_snapshots.empty());
  EXPECT_EQ(again->dropped_bodies, 0);
}

TEST_F(StoreIntegrityTest, RepairOfACorruptTrackDropsEverySnapshotNamingIt) {
  Tamper("UPDATE tracks SET name = 'with-yov' WHERE name = 'with-you'");
  Open();
  auto report = store_->Repair();
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->dropped_names.size(), 1u);
  EXPECT_TRUE(absl::StrContains(report->dropped_names[0], "with-yov"));
  std::vector<std::string> loaded;
  ASSERT_TRUE(LoadAll(&loaded).ok());
  EXPECT_EQ(loaded, (std::vector<std::string>{"gb@0", "us@15"}));
  // The track comes back under its own name when it is sent again.
  ASSERT_TRUE(
      store_->Put(Snap("us", kT0, {{"with-you", 1}, {"dynamite", 2}})).ok());
  auto got = store_->Get({"itunes/top-songs", "us", kT0});
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  EXPECT_EQ((*got)->entries[0].track_id, "with-you");
}

TEST_F(StoreIntegrityTest, AStoreOfSchemaVersionOneGainsItsChecksumsOnOpen) {
  // The store as the first schema left it: no checksum columns.
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(R"sql(
CREATE TABLE schema_version (version INTEGER PRIMARY KEY,
                             applied_at TEXT NOT NULL DEFAULT '');
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE charts (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE regions (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE,
                      aggregate INTEGER NOT NULL DEFAULT 0);
CREATE TABLE tracks (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE bodies (id INTEGER PRIMARY KEY, hash INTEGER NOT NULL,
                     chart_size INTEGER NOT NULL, body BLOB NOT NULL);
CREATE INDEX bodies_by_hash ON bodies(hash);
CREATE TABLE snapshots (
  chart INTEGER NOT NULL REFERENCES charts(id),
  region INTEGER NOT NULL REFERENCES regions(id),
  capture_time INTEGER NOT NULL,
  body INTEGER NOT NULL REFERENCES bodies(id),
  PRIMARY KEY (chart, region, capture_time)
) WITHOUT ROWID;
CREATE INDEX snapshots_by_time ON snapshots(capture_time);
INSERT INTO charts VALUES (1, 'itunes/top-songs');
INSERT INTO regions VALUES (1, 'us', 0), (2, 'ww', 1);
INSERT INTO tracks VALUES (1, 'with-you'), (2, 'dynamite');
)sql");
    // Bodies as version 1 wrote them: (track, gap) varints, FNV-1a over the
    // chart size's 4 bytes and the body. with-you at 1, dynamite at 2.
    const std::string body("\x01\x00\x02\x00", 4);
    uint64_t h = 1469598103934665603ull;
    auto mix = [&h](uint8_t b) {
      h ^= b;
      h *= 1099511628211ull;
    };
    for (int i = 0; i < 4; ++i) mix(static_cast<uint8_t>(10 >> (8 * i)));
    for (char c : body) mix(static_cast<uint8_t>(c));
    SQLite::Statement insert(db, "INSERT INTO bodies VALUES (1, ?, 10, ?)");
    insert.bind(1, static_cast<int64_t>(h));
    insert.bind(2, body.data(), static_cast<int>(body.size()));
    insert.exec();
    db.exec(absl::StrCat("INSERT INTO snapshots VALUES (1, 1, ", kT0,
                         ", 1), (1, 2, ", kT0, ", 1)"));
  }
  Open();
  std::vector<std::string> loaded;
  ASSERT_TRUE(LoadAll(&loaded).ok());
  EXPECT_EQ(loaded, (std::vector<std::string>{"us@0", "ww@0"}));
  auto got = store_->Get({"itunes/top-songs", "us", kT0});
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  ASSERT_EQ((*got)->entries.size(), 2u);
  EXPECT_EQ((*got)->entries[1].track_id, "dynamite");
  auto aggregates = store_->AggregateRegions();
  ASSERT_TRUE(aggregates.ok());
  EXPECT_EQ(*aggregates, std::vector<std::string>{"ww"});
  // And from now on a change is found.
  store_.reset();
  Tamper("UPDATE snapshots SET body = 1 WHERE region = 2");  // unchanged
  Tamper(absl::StrCat("UPDATE snapshots SET capture_time = ", kT0 + 1,
                      " WHERE region = 2"));
  Open();
  ExpectDataLossNaming(LoadAll(), "snapshot itunes/top-songs ww ");
}

}  // namespace
}  // namespace hitclock::records
