// Wire mapping for the records service: proto <-> core types, and the
// checks of what only the wire can get wrong (a missing message, a
// malformed timestamp, a region code that is no storefront, a chart id
// that is no `provider/list`). Every domain rule (chart sizes, positions,
// duplicates, conflicts) is the core's (`core/admission.h`); instants
// convert here and nowhere else.

#ifndef HITCLOCK_SERVICES_RECORDS_CONVERT_H_
#define HITCLOCK_SERVICES_RECORDS_CONVERT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/page_token.h"
#include "common/proto_time.h"
#include "hitclock/records/v1/records.pb.h"
#include "services/records/core/records_engine.h"
#include "services/records/core/types.h"

namespace hitclock::records {

// The largest chart size (K) and position threshold (P) accepted.
inline constexpr int kMaxChartSize = 500;
// How far in the future a capture instant may lie (clock skew).
inline constexpr absl::Duration kMaxCaptureSkew = absl::Minutes(5);

// "prefix.name", or "name" when the prefix is empty.
std::string Field(std::string_view prefix, std::string_view name);

// Instants and durations: checked (`common::CheckTimestamp`,
// `common::DurationMicros`: one range check for every service), and
// converted once.
using common::CheckTimestamp;
using common::ToMicros;
void SetTimestamp(core::Micros micros, google::protobuf::Timestamp& t);
google::protobuf::Timestamp TimestampOf(core::Micros micros);
void SetDuration(core::Micros micros, google::protobuf::Duration& d);

// Sets `name` to "provider/list" from a ChartId, checked (reusing the
// buffer of `name`).
absl::Status SetChartName(const common::v1::ChartId& chart,
                          std::string_view field, std::string& name);
// "provider/list" from a ChartId, checked.
absl::StatusOr<std::string> ChartName(const common::v1::ChartId& chart,
                                      std::string_view field);
common::v1::ChartId ChartProto(std::string_view name);

// A region of a request: a storefront, a known aggregate (`ww`, `eu`), one
// the engine already holds as an aggregate, or any code given with kind
// AGGREGATE.
struct RegionIn {
  std::string code;
  bool aggregate = false;
};
absl::StatusOr<RegionIn> CheckRegion(const common::v1::Region& region,
                                     std::string_view field,
                                     const core::RecordsEngine* engine);
// `CheckRegion` for element `i` of a request's `regions`. The field name
// `regions[i]` is built only for an error that names it.
absl::StatusOr<RegionIn> CheckRegionAt(const common::v1::Region& region, int i,
                                       const core::RecordsEngine* engine);
// A region as answers show it (its kind as the engine holds it).
void SetRegion(const core::RecordsEngine& engine, const std::string& code,
               common::v1::Region& out);

// A snapshot of an append request, mapped: its identity checked and set in
// `key` as far as it was read (for the response).
struct SnapshotIn {
  core::Snapshot snapshot;
  bool aggregate = false;
  bool replace = false;
};
absl::StatusOr<SnapshotIn> SnapshotOf(const v1::AppendSnapshotsRequest& request,
                                      const core::RecordsEngine& engine,
                                      absl::Time now, v1::SnapshotKey& key);

absl::StatusOr<core::Threshold> ThresholdOf(bool has,
                                            const v1::Threshold& threshold,
                                            std::string_view field);
absl::StatusOr<core::Category> CategoryOf(const v1::Category& category,
                                          std::string_view field);
absl::StatusOr<core::RecordKey> RecordKeyOf(const v1::RecordKey& key,
                                            std::string_view field);
v1::RecordKey RecordKeyProto(const core::RecordKey& key);
// A string naming a record key exactly (page token scopes).
std::string KeyScope(const core::RecordKey& key);
v1::AppendOutcome OutcomeProto(core::AppendOutcome outcome);
v1::MetricValue ValueProto(core::Metric metric, int64_t value);
void SetInterval(const core::Interval& interval, v1::Interval& out);

// Splits an INVALID_ARGUMENT of `InvalidField` ("field: problem") into an
// AppendError.
v1::AppendError AppendErrorOf(const absl::Status& status);

// Parses the offset a page token issued with `tokens` for `scope` carries.
absl::StatusOr<size_t> PageOffset(const common::PageTokens& tokens,
                                  const std::string& token,
                                  const std::string& scope);

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_CONVERT_H_
