#include "common/sqlite.h"

#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace hitclock::common {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hitclock_sqlite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    // A data directory that does not exist yet.
    path_ = DatabasePath((dir_ / "data").string(), "test.sqlite");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static int Count(SQLite::Database& db, const std::string& table) {
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt();
  }

  std::filesystem::path dir_;
  std::string path_;
  // The first migration would fail if applied twice (no IF NOT EXISTS) and
  // inserts a row, so re-applying it would show.
  std::vector<Migration> migrations_ = {
      {1,
       "CREATE TABLE artist (id TEXT PRIMARY KEY, name TEXT NOT NULL);"
       "INSERT INTO artist VALUES ('a1', 'Jimin');"},
      {2,
       "CREATE TABLE track (id TEXT PRIMARY KEY,"
       " artist_id TEXT NOT NULL REFERENCES artist(id));"},
  };
};

TEST_F(SqliteTest, CreatesTheFileWithTheHousePragmas) {
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ((*db)->execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ((*db)->execAndGet("PRAGMA foreign_keys").getInt(), 1);
  EXPECT_EQ((*db)->execAndGet("PRAGMA busy_timeout").getInt(), 5000);
  EXPECT_EQ((*db)->execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
}

TEST_F(SqliteTest, ANewStoreAndItsWalAreReadableByTheOwnerOnly) {
  const mode_t old_umask = ::umask(022);  // a usual umask: 0644 otherwise
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ::umask(old_umask);
  ASSERT_TRUE(db.ok()) << db.status();
  (*db)->exec("INSERT INTO artist VALUES ('a2', 'Ha Sung-woon')");
  namespace fs = std::filesystem;
  for (const std::string& file : {path_, path_ + "-wal", path_ + "-shm"}) {
    ASSERT_TRUE(fs::exists(file)) << file;
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << file;
  }
}

TEST_F(SqliteTest, CommitsAreDurableUnlessToldOtherwise) {
  {
    absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
        OpenDatabase(path_, migrations_);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ((*db)->execAndGet("PRAGMA synchronous").getInt(), 2);  // FULL
  }
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_, Durability::kNormal);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ((*db)->execAndGet("PRAGMA synchronous").getInt(), 1);  // NORMAL
}

TEST_F(SqliteTest, AppliesMigrationsOnceAndTracksTheVersion) {
  {
    absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
        OpenDatabase(path_, migrations_);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ(*SchemaVersion(**db), 2);
    EXPECT_EQ(Count(**db, "schema_version"), 2);
    EXPECT_EQ(Count(**db, "artist"), 1);
  }
  {
    absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
        OpenDatabase(path_, migrations_);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_EQ(*SchemaVersion(**db), 2);
    EXPECT_EQ(Count(**db, "schema_version"), 2);
    EXPECT_EQ(Count(**db, "artist"), 1);
  }
  migrations_.push_back({3, "ALTER TABLE artist ADD COLUMN country TEXT;"});
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), 3);
  EXPECT_EQ(Count(**db, "schema_version"), 3);
  EXPECT_EQ(Count(**db, "artist"), 1);
}

TEST_F(SqliteTest, AFailedMigrationLeavesNothingBehind) {
  migrations_.push_back({3,
                         "CREATE TABLE half (id INTEGER);"
                         "THIS IS NOT SQL;"});
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("migration 3"), std::string::npos)
      << db.status();
  migrations_.pop_back();
  db = OpenDatabase(path_, migrations_);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), 2);
  EXPECT_FALSE((*db)->tableExists("half"));
}

TEST_F(SqliteTest, AConversionRunsInItsMigrationsTransaction) {
  ASSERT_TRUE(OpenDatabase(path_, migrations_).ok());
  migrations_.push_back(
      {3, "ALTER TABLE artist ADD COLUMN upper TEXT;",
       [](SQLite::Database& db) -> absl::Status {
         SQLite::Statement read(db, "SELECT id, name FROM artist");
         while (read.executeStep()) {
           SQLite::Statement write(db,
                                   "UPDATE artist SET upper = ? WHERE id = ?");
           std::string name = read.getColumn(1).getString();
           for (char& c : name) c = static_cast<char>(std::toupper(c));
           write.bind(1, name);
           write.bind(2, read.getColumn(0).getString());
           write.exec();
         }
         return absl::OkStatus();
       }});
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), 3);
  EXPECT_EQ((*db)->execAndGet("SELECT upper FROM artist").getString(), "JIMIN");
}

TEST_F(SqliteTest, AFailedConversionRollsItsMigrationBack) {
  ASSERT_TRUE(OpenDatabase(path_, migrations_).ok());
  migrations_.push_back({3, "ALTER TABLE artist ADD COLUMN upper TEXT;",
                         [](SQLite::Database& db) -> absl::Status {
                           db.exec("UPDATE artist SET upper = 'X'");
                           return absl::DataLossError("row a1 does not parse");
                         }});
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(db.status().message().find("migration 3"), std::string::npos)
      << db.status();
  migrations_.pop_back();
  db = OpenDatabase(path_, migrations_);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*SchemaVersion(**db), 2);
  EXPECT_EQ((*db)
                ->execAndGet("SELECT COUNT(*) FROM pragma_table_info('artist')"
                             " WHERE name = 'upper'")
                .getInt(),
            0);
}

TEST_F(SqliteTest, RejectsADatabaseNewerThanTheBinary) {
  ASSERT_TRUE(OpenDatabase(path_, migrations_).ok());
  migrations_.pop_back();
  absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
      OpenDatabase(path_, migrations_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteTest, RejectsUnorderedMigrations) {
  std::vector<Migration> bad = {{2, "SELECT 1;"}, {1, "SELECT 1;"}};
  EXPECT_EQ(OpenDatabase(path_, bad).status().code(),
            absl::StatusCode::kInvalidArgument);
}

class TransactionTest : public SqliteTest {
 protected:
  void SetUp() override {
    SqliteTest::SetUp();
    absl::StatusOr<std::unique_ptr<SQLite::Database>> db =
        OpenDatabase(path_, migrations_);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  void TearDown() override {
    db_.reset();
    SqliteTest::TearDown();
  }
  std::unique_ptr<SQLite::Database> db_;
};

TEST_F(TransactionTest, CommitsWhenOk) {
  absl::Status status = InTransaction(*db_, [&] {
    db_->exec("INSERT INTO artist VALUES ('a2', 'Jin')");
    db_->exec("INSERT INTO track VALUES ('t1', 'a2')");
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(Count(*db_, "artist"), 2);
  EXPECT_EQ(Count(*db_, "track"), 1);
}

TEST_F(TransactionTest, ErrorRollsBackEverything) {
  absl::Status status = InTransaction(*db_, [&] {
    db_->exec("INSERT INTO artist VALUES ('a2', 'Jin')");
    return absl::NotFoundError("artist a3 not found");
  });
  EXPECT_EQ(status, absl::NotFoundError("artist a3 not found"));
  EXPECT_EQ(Count(*db_, "artist"), 1);
}

TEST_F(TransactionTest, SqliteExceptionRollsBackAndIsMapped) {
  absl::Status status = InTransaction(*db_, [&] {
    db_->exec("INSERT INTO artist VALUES ('a2', 'Jin')");
    db_->exec("INSERT INTO artist VALUES ('a1', 'Duplicate')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(Count(*db_, "artist"), 1);

  status = InTransaction(*db_, [&] {
    db_->exec("INSERT INTO track VALUES ('t1', 'nobody')");
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(Count(*db_, "track"), 0);
}

TEST_F(TransactionTest, OtherExceptionRollsBackAsInternal) {
  absl::Status status = InTransaction(*db_, [&]() -> absl::Status {
    db_->exec("INSERT INTO artist VALUES ('a2', 'Jin')");
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Count(*db_, "artist"), 1);
  // The connection is usable again.
  EXPECT_TRUE(InTransaction(*db_, [] { return absl::OkStatus(); }).ok());
}

TEST_F(TransactionTest, BusyWriterIsUnavailable) {
  SQLite::Database other(path_, SQLite::OPEN_READWRITE);  // busy_timeout 0
  other.exec("BEGIN IMMEDIATE");
  db_->exec("PRAGMA busy_timeout=50");
  bool ran = false;
  absl::Status status = InTransaction(*db_, [&] {
    ran = true;
    return absl::OkStatus();
  });
  other.exec("ROLLBACK");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace hitclock::common
