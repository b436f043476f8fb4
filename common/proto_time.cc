#include "common/proto_time.h"

#include "common/status.h"
#include "google/protobuf/util/time_util.h"

namespace hitclock::common {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int32_t kMaxNanos = 999'999'999;

std::string Sub(std::string_view field, std::string_view name) {
  std::string out(field);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

}  // namespace

absl::Status CheckTimestamp(const google::protobuf::Timestamp& t,
                            std::string_view field) {
  if (t.nanos() < 0 || t.nanos() > kMaxNanos) {
    return InvalidField(Sub(field, "nanos"), "must be 0 to 999999999");
  }
  if (t.seconds() < TimeUtil::kTimestampMinSeconds ||
      t.seconds() > TimeUtil::kTimestampMaxSeconds) {
    return InvalidField(field,
                        "must be between 0001-01-01T00:00:00Z and "
                        "9999-12-31T23:59:59Z");
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(const google::protobuf::Duration& d,
                           std::string_view field) {
  if (d.nanos() < -kMaxNanos || d.nanos() > kMaxNanos ||
      (d.seconds() > 0 && d.nanos() < 0) ||
      (d.seconds() < 0 && d.nanos() > 0)) {
    return InvalidField(Sub(field, "nanos"),
                        "must be -999999999 to 999999999, with the sign of "
                        "seconds");
  }
  if (d.seconds() < TimeUtil::kDurationMinSeconds ||
      d.seconds() > TimeUtil::kDurationMaxSeconds) {
    return InvalidField(field, "must be within ±10,000 years");
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> TimestampMicros(const google::protobuf::Timestamp& t,
                                        std::string_view field) {
  if (absl::Status s = CheckTimestamp(t, field); !s.ok()) return s;
  return ToMicros(t);
}

absl::StatusOr<int64_t> DurationMicros(const google::protobuf::Duration& d,
                                       std::string_view field) {
  if (absl::Status s = CheckDuration(d, field); !s.ok()) return s;
  return TimeUtil::DurationToMicroseconds(d);
}

int64_t ToMicros(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMicroseconds(t);
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

}  // namespace hitclock::common
