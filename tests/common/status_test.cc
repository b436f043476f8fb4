#include "common/status.h"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace hitclock::common {
namespace {

TEST(InvalidField, NamesTheFieldFirst) {
  const absl::Status status =
      InvalidField("track.artists[1].artist_id", "must not be empty");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "track.artists[1].artist_id: must not be empty");
}

class StatusFromSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hitclock_status_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "db.sqlite").string();
    db_ = std::make_unique<SQLite::Database>(
        path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db_->exec("PRAGMA foreign_keys=ON");
    db_->exec("CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    db_->exec(
        "CREATE TABLE child (id INTEGER PRIMARY KEY,"
        " parent_id INTEGER NOT NULL REFERENCES parent(id))");
    db_->exec("INSERT INTO parent (id, name) VALUES (1, 'a')");
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  absl::Status StatusOf(SQLite::Database& db, const std::string& sql) {
    try {
      db.exec(sql);
    } catch (const std::exception& e) {
      return StatusFromSqlite(e);
    }
    return absl::OkStatus();
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SQLite::Database> db_;
};

TEST_F(StatusFromSqliteTest, UniqueViolationIsAlreadyExists) {
  EXPECT_EQ(
      StatusOf(*db_, "INSERT INTO parent (id, name) VALUES (2, 'a')").code(),
      absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(
      StatusOf(*db_, "INSERT INTO parent (id, name) VALUES (1, 'b')").code(),
      absl::StatusCode::kAlreadyExists);
}

TEST_F(StatusFromSqliteTest, ForeignKeyViolationIsFailedPrecondition) {
  EXPECT_EQ(StatusOf(*db_, "INSERT INTO child (parent_id) VALUES (42)").code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(StatusFromSqliteTest, BusyIsUnavailable) {
  SQLite::Database other(path_, SQLite::OPEN_READWRITE);  // busy_timeout 0
  db_->exec("BEGIN IMMEDIATE");
  EXPECT_EQ(StatusOf(other, "BEGIN IMMEDIATE").code(),
            absl::StatusCode::kUnavailable);
  db_->exec("ROLLBACK");
}

TEST_F(StatusFromSqliteTest, OtherErrorsAreInternal) {
  EXPECT_EQ(StatusOf(*db_, "SELEKT 1").code(), absl::StatusCode::kInternal);
  EXPECT_EQ(StatusFromSqlite(std::runtime_error("boom")).code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace hitclock::common
