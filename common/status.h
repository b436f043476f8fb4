// Error handling shared by every service: `absl::Status` inside, one
// conversion to `grpc::Status` at the edge.
#ifndef HITCLOCK_COMMON_STATUS_H_
#define HITCLOCK_COMMON_STATUS_H_

#include <grpcpp/support/status.h>

#include <exception>
#include <string_view>

#include "absl/status/status.h"

namespace hitclock::common {

// Returns the `grpc::Status` with the same code and message as `status`.
// This is the one place where internal statuses become wire statuses.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Returns the `absl::Status` with the same code and message as `status`
// (for services that call their peers).
absl::Status FromGrpcStatus(const grpc::Status& status);

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
