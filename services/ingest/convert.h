// Conversions between the wire form of a snapshot (`hitclock.ingest.v1`)
// and the core's plain structs, the records form of an outbox row, and the
// preparation of a submission: validation, normalization and fingerprint.
#ifndef HITCLOCK_SERVICES_INGEST_CONVERT_H_
#define HITCLOCK_SERVICES_INGEST_CONVERT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "hitclock/records/v1/records.pb.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/snapshot.h"
#include "services/ingest/store/ingest_store.h"

namespace hitclock::ingest {

// Timestamps <-> microseconds, as every service converts them.
using common::FromMicros;
using common::ToMicros;

// Ingest stores instants as nanoseconds since the epoch, so an instant a
// request gives must be a valid Timestamp (`common::CheckTimestamp`) within
// 1970-01-01T00:00:00Z .. 2262-04-11T23:47:15Z; otherwise INVALID_ARGUMENT
// naming `field`.
absl::Status CheckInstant(const google::protobuf::Timestamp& t,
                          std::string_view field);
google::protobuf::Timestamp ToTimestamp(absl::Time t);
absl::Time FromTimestamp(const google::protobuf::Timestamp& t);
// The Duration of a finite `d`, to the nanosecond (seconds and nanos share
// its sign).
google::protobuf::Duration ToDuration(absl::Duration d);

// The core form of a wire snapshot.
core::Snapshot ToCore(const v1::ChartSnapshot& snapshot);
// The wire form of a core snapshot.
v1::ChartSnapshot FromCore(const core::Snapshot& snapshot);

// The core feed format of a wire one; INVALID_ARGUMENT naming `format` for
// FEED_FORMAT_UNSPECIFIED or an unknown value.
absl::StatusOr<core::FeedFormat> ToCoreFormat(v1::FeedFormat format);

// The snapshot as records takes it (AppendSnapshots): the identity, chart
// size and resolved entries of an outbox row, moved out of `item`.
records::v1::ResolvedSnapshot ToRecordsSnapshot(OutboxItem&& item);

// Validates `snapshot` (core rules; errors name fields under
// `field_prefix`, e.g. `snapshot.entries[3].position`) and returns it
// normalized for the store: region kind set, entries sorted by position,
// each entry's provider set to the chart's, output-only `track_id`
// cleared, with its content fingerprint.
absl::StatusOr<Submission> PrepareSubmission(v1::ChartSnapshot snapshot,
                                             absl::Time now,
                                             absl::Duration max_skew,
                                             const std::string& field_prefix);

// The same for a snapshot already in core form (a parsed feed).
absl::StatusOr<Submission> PrepareSubmission(const core::Snapshot& snapshot,
                                             absl::Time now,
                                             absl::Duration max_skew,
                                             const std::string& field_prefix);

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_CONVERT_H_
