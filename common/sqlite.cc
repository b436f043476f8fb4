#include "common/sqlite.h"

#include <SQLiteCpp/Statement.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace hitclock::common {
namespace {

absl::Status Annotate(const absl::Status& status, std::string_view context) {
  return absl::Status(status.code(), absl::StrCat(std::string(context), ": ",
                                                  status.message()));
}

}  // namespace

std::string DatabasePath(const std::string& data_dir,
                         const std::string& file_name) {
  return (std::filesystem::path(data_dir) / file_name).string();
}

absl::StatusOr<int> SchemaVersion(SQLite::Database& db) {
  try {
    if (!db.tableExists("schema_version")) return 0;
    return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        .getInt();
  } catch (const std::exception& e) {
    return StatusFromSqlite(e);
  }
}

const char* SynchronousPragma(Durability durability) {
  return durability == Durability::kFull ? "PRAGMA synchronous=FULL"
                                         : "PRAGMA synchronous=NORMAL";
}

absl::StatusOr<std::unique_ptr<SQLite::Database>> OpenDatabase(
    const std::string& path, std::span<const Migration> migrations,
    Durability durability) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version <= 0 ||
        (i > 0 && migrations[i].version <= migrations[i - 1].version)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migrations: versions must be positive and strictly increasing (",
          migrations[i].version, " at index ", i, ")"));
    }
  }
  const bool in_memory =
      path.empty() || path == ":memory:" || path.rfind("file:", 0) == 0;
  if (!in_memory) {
    const std::filesystem::path parent =
        std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return absl::FailedPreconditionError(
            absl::StrCat("cannot create data directory ", parent.string(), ": ",
                         ec.message()));
      }
    }
    // A new store file is readable by its owner only; SQLite gives its WAL
    // and shared-memory files the database file's mode.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                          S_IRUSR | S_IWUSR);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot create database ", path, ": ", std::strerror(errno)));
    }
  }

  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(
        path,
        SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_FULLMUTEX |
            SQLite::OPEN_URI,
        kBusyTimeoutMs);
    const std::string mode = absl::AsciiStrToLower(
        db->execAndGet("PRAGMA journal_mode=WAL").getString());
    if (mode != "wal" && !in_memory) {
      return absl::FailedPreconditionError(absl::StrCat(
          "database ", path, ": cannot use WAL journal mode (got ", mode, ")"));
    }
    db->exec("PRAGMA foreign_keys=ON");
    db->exec(SynchronousPragma(durability));
    db->exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY,"
        " applied_at TEXT NOT NULL"
        "  DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))");
  } catch (const std::exception& e) {
    return Annotate(StatusFromSqlite(e),
                    absl::StrCat("opening database ", path));
  }

  absl::StatusOr<int> current = SchemaVersion(*db);
  if (!current.ok()) return current.status();
  if (!migrations.empty() && *current > migrations.back().version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "database ", path, " has schema version ", *current,
        ", newer than this binary knows (", migrations.back().version, ")"));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) continue;
    absl::Status status = InTransaction(*db, [&]() -> absl::Status {
      if (!migration.sql.empty()) db->exec(migration.sql);
      if (migration.convert) {
        if (absl::Status s = migration.convert(*db); !s.ok()) return s;
      }
      SQLite::Statement insert(
          *db, "INSERT INTO schema_version (version) VALUES (?)");
      insert.bind(1, migration.version);
      insert.exec();
      return absl::OkStatus();
    });
    if (!status.ok()) {
      return Annotate(status, absl::StrCat("database ", path, ": migration ",
                                           migration.version));
    }
  }
  return db;
}

absl::Status InTransaction(SQLite::Database& db,
                           absl::FunctionRef<absl::Status()> fn) {
  try {
    db.exec("BEGIN IMMEDIATE");
  } catch (const std::exception& e) {
    return StatusFromSqlite(e);
  }
  absl::Status status;
  try {
    status = fn();
  } catch (const std::exception& e) {
    status = StatusFromSqlite(e);
  } catch (...) {
    status = absl::InternalError("unknown exception inside a transaction");
  }
  if (status.ok()) {
    try {
      db.exec("COMMIT");
      return absl::OkStatus();
    } catch (const std::exception& e) {
      status = StatusFromSqlite(e);
    }
  }
  try {
    // May fail when SQLite already rolled back by itself: nothing to undo.
    db.exec("ROLLBACK");
  } catch (const std::exception&) {
  }
  return status;
}

}  // namespace hitclock::common
