// SQLite helpers: opening with the house pragmas, migrations, transactions.
#ifndef HITCLOCK_COMMON_SQLITE_H_
#define HITCLOCK_COMMON_SQLITE_H_

#include <SQLiteCpp/Database.h>

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hitclock::common {

// How long a connection waits for a lock another connection holds before
// the statement fails busy (SQLITE_BUSY, mapped to UNAVAILABLE).
inline constexpr int kBusyTimeoutMs = 5000;

// What a committed transaction survives. Every store that acknowledges
// writes opens with the service's `--sync` choice (default kFull).
enum class Durability {
  // synchronous=FULL: the write-ahead log is on disk before a commit
  // returns, so an acknowledged write survives a power cut or an OS crash.
  kFull,
  // synchronous=NORMAL: a commit survives the process crashing, but an OS
  // crash or power cut may lose the last commits (the database itself stays
  // consistent). Faster where every commit is small.
  kNormal,
};

// The statement that sets a connection's synchronous mode for `durability`
// ("PRAGMA synchronous=FULL"), for every connection that writes or
// checkpoints a store.
const char* SynchronousPragma(Durability durability);

// One schema step. Migrations are applied in increasing `version` order, each
// in its own transaction together with its row in table `schema_version`.
// `sql` may hold several statements (or be empty); `convert`, when set, runs
// after it in the same transaction, for data SQL cannot rewrite (e.g.
// re-encoding blobs): a non-OK status (or an exception) rolls the step back
// and fails the open.
struct Migration {
  int version;
  std::string sql;
  std::function<absl::Status(SQLite::Database&)> convert = nullptr;
};

// Opens (creating the parent directory and the file if needed; a new file
// has mode 0600, and so do its WAL and shared-memory files) the database
// at `path` with journal_mode=WAL, busy_timeout=5000 ms, foreign_keys=ON and
// the synchronous setting of `durability`, then applies the
// migrations whose version is above the recorded one. Versions must be
// positive and strictly increasing. A database newer than the newest
// migration is FAILED_PRECONDITION.
// The connection is one `SQLite::Database`: callers serialize their use of it
// (e.g. a mutex in the store), since a transaction belongs to the connection,
// not to a thread.
absl::StatusOr<std::unique_ptr<SQLite::Database>> OpenDatabase(
    const std::string& path, std::span<const Migration> migrations,
    Durability durability = Durability::kFull);

// `<data_dir>/<file_name>`.
std::string DatabasePath(const std::string& data_dir,
                         const std::string& file_name);

// The schema version recorded in `schema_version` (0 when none).
absl::StatusOr<int> SchemaVersion(SQLite::Database& db);

// Runs `fn` inside one transaction (BEGIN IMMEDIATE). Commits when `fn`
// returns OK and returns the commit's status; rolls back and returns `fn`'s
// status otherwise. An exception thrown by `fn` rolls back and is returned as
// `StatusFromSqlite(e)`; nothing escapes.
absl::Status InTransaction(SQLite::Database& db,
                           absl::FunctionRef<absl::Status()> fn);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_SQLITE_H_
