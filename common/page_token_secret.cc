#include "common/page_token_secret.h"

#include <SQLiteCpp/Statement.h>
#include <openssl/rand.h>

#include <exception>
#include <string>

#include "absl/status/status.h"
#include "common/status.h"

namespace hitclock::common {
namespace {

constexpr char kSecretName[] = "page_token";

absl::Status StorePageTokenSecret(SQLite::Database& db) {
  std::string secret(kPageTokenSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 1) {
    return absl::InternalError(
        "page token secret: the random generator failed");
  }
  SQLite::Statement insert(db,
                           "INSERT INTO secrets(name, value) VALUES (?, ?)");
  insert.bind(1, kSecretName);
  insert.bind(2, secret.data(), static_cast<int>(secret.size()));
  insert.exec();
  return absl::OkStatus();
}

}  // namespace

Migration PageTokenSecretMigration(int version) {
  return Migration{
      .version = version,
      .sql = R"sql(
CREATE TABLE secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;
)sql",
      .convert = &StorePageTokenSecret,
  };
}

absl::StatusOr<std::string> LoadPageTokenSecret(SQLite::Database& db) {
  try {
    SQLite::Statement query(db, "SELECT value FROM secrets WHERE name = ?");
    query.bind(1, kSecretName);
    if (!query.executeStep()) {
      return absl::InternalError("page token secret: missing from the store");
    }
    const SQLite::Column value = query.getColumn(0);
    if (static_cast<size_t>(value.getBytes()) != kPageTokenSecretBytes) {
      return absl::InternalError("page token secret: wrong size in the store");
    }
    return std::string(static_cast<const char*>(value.getBlob()),
                       kPageTokenSecretBytes);
  } catch (const std::exception& e) {
    return StatusFromSqlite(e);
  }
}

}  // namespace hitclock::common
