// The per-store page-token secret: random bytes made when a store's SQLite
// file is created and kept in it (table `secrets`), so that a store's page
// tokens survive its restarts and no other store accepts them.
#ifndef HITCLOCK_COMMON_PAGE_TOKEN_SECRET_H_
#define HITCLOCK_COMMON_PAGE_TOKEN_SECRET_H_

#include <SQLiteCpp/Database.h>

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "common/sqlite.h"

namespace hitclock::common {

inline constexpr size_t kPageTokenSecretBytes = 32;

// The schema step `version` of a store that creates table
// `secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL)` and stores in row
// `page_token` kPageTokenSecretBytes fresh bytes of OpenSSL's random
// generator. An in-memory database gets a fresh secret at every open.
Migration PageTokenSecretMigration(int version);

// The secret `PageTokenSecretMigration` stored in `db`. INTERNAL when it is
// missing or not kPageTokenSecretBytes long; SQLite errors are mapped by
// `StatusFromSqlite`.
absl::StatusOr<std::string> LoadPageTokenSecret(SQLite::Database& db);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_PAGE_TOKEN_SECRET_H_
