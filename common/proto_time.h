// The one range check and conversion of the protobuf `Timestamp` and
// `Duration` fields every request carries. Protobuf and the base library
// only (library `hitclock_proto_time`: no gRPC), so glue and stores share it.
//
// A request's instant must lie in protobuf's own Timestamp range (0001-01-01
// to 9999-12-31, nanos 0 to 999,999,999) and a duration in its Duration range
// (±10,000 years, nanos of the seconds' sign): checked before any arithmetic,
// so that no multiplication to microseconds can overflow and wrap a far
// instant into a plausible one.
#ifndef HITCLOCK_COMMON_PROTO_TIME_H_
#define HITCLOCK_COMMON_PROTO_TIME_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace hitclock::common {

// OK for a valid Timestamp; otherwise INVALID_ARGUMENT naming `field`:
//   "<field>.nanos: must be 0 to 999999999"
//   "<field>: must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
absl::Status CheckTimestamp(const google::protobuf::Timestamp& t,
                            std::string_view field);

// OK for a valid Duration; otherwise INVALID_ARGUMENT naming `field`:
//   "<field>.nanos: must be -999999999 to 999999999, with the sign of seconds"
//   "<field>: must be within ±10,000 years"
absl::Status CheckDuration(const google::protobuf::Duration& d,
                           std::string_view field);

// `CheckTimestamp`, then microseconds since the epoch (a fraction of a
// microsecond is taken towards the past).
absl::StatusOr<int64_t> TimestampMicros(const google::protobuf::Timestamp& t,
                                        std::string_view field);

// `CheckDuration`, then microseconds (truncated towards zero).
absl::StatusOr<int64_t> DurationMicros(const google::protobuf::Duration& d,
                                       std::string_view field);

// Microseconds of a Timestamp already checked (or read back from a store
// that only holds checked ones).
int64_t ToMicros(const google::protobuf::Timestamp& t);

// The Timestamp of `micros` since the epoch, normalized (nanos 0..999,999,999).
google::protobuf::Timestamp FromMicros(int64_t micros);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_PROTO_TIME_H_
