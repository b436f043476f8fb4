// Error helpers shared by every layer: `absl::Status` inside. No gRPC here
// (library `hitclock_base`): stores and cores may include it; the one
// conversion to `grpc::Status` is in `common/grpc_status.h`.
#ifndef HITCLOCK_COMMON_STATUS_H_
#define HITCLOCK_COMMON_STATUS_H_

#include <exception>
#include <string_view>

#include "absl/status/status.h"

namespace hitclock::common {

// Returns INVALID_ARGUMENT with the message "<field>: <problem>", e.g.
// `InvalidField("track.artists[1].artist_id", "must not be empty")` gives
// "track.artists[1].artist_id: must not be empty". `field` is the path of the
// offending request field as a client spells it.
absl::Status InvalidField(std::string_view field, std::string_view problem);

// Maps an exception thrown by SQLiteCpp (or anything else) to a status:
// a constraint violation (UNIQUE, PRIMARY KEY, CHECK, NOT NULL) is
// ALREADY_EXISTS, except a FOREIGN KEY violation, which is
// FAILED_PRECONDITION; SQLITE_BUSY / SQLITE_LOCKED are UNAVAILABLE (retry);
// everything else, including non-SQLite exceptions, is INTERNAL.
absl::Status StatusFromSqlite(const std::exception& e);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_STATUS_H_
