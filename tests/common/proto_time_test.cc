#include "common/proto_time.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace hitclock::common {
namespace {

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

google::protobuf::Duration Dur(int64_t seconds, int32_t nanos) {
  google::protobuf::Duration d;
  d.set_seconds(seconds);
  d.set_nanos(nanos);
  return d;
}

TEST(ProtoTime, AcceptsProtobufsWholeTimestampRange) {
  EXPECT_TRUE(CheckTimestamp(Ts(0, 0), "t").ok());
  EXPECT_TRUE(CheckTimestamp(Ts(-62135596800, 0), "t").ok());  // 0001-01-01
  EXPECT_TRUE(CheckTimestamp(Ts(253402300799, 999999999), "t").ok());
  EXPECT_EQ(*TimestampMicros(Ts(1624575600, 123456789), "t"), 1624575600123456);
  // A fraction of a microsecond before the epoch goes towards the past.
  EXPECT_EQ(*TimestampMicros(Ts(-1, 999999999), "t"), -1);
}

TEST(ProtoTime, RefusesWhatWouldOverflowNamingTheField) {
  // The instant that once wrapped around to 2023-02-01 when multiplied.
  absl::Status far = CheckTimestamp(Ts(288230377826921344, 0), "capture_time");
  EXPECT_EQ(far.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(far.message(),
            "capture_time: must be between 0001-01-01T00:00:00Z and "
            "9999-12-31T23:59:59Z");
  EXPECT_FALSE(TimestampMicros(Ts(253402300800, 0), "t").ok());
  EXPECT_FALSE(TimestampMicros(Ts(-62135596801, 0), "t").ok());

  absl::Status nanos = CheckTimestamp(Ts(1, -999999999), "key.capture_time");
  EXPECT_EQ(nanos.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nanos.message(), "key.capture_time.nanos: must be 0 to 999999999");
  EXPECT_FALSE(CheckTimestamp(Ts(1, 1000000000), "t").ok());
}

TEST(ProtoTime, ChecksDurations) {
  EXPECT_EQ(*DurationMicros(Dur(300, 0), "step"), 300000000);
  EXPECT_EQ(*DurationMicros(Dur(-1, -500000000), "step"), -1500000);
  EXPECT_TRUE(CheckDuration(Dur(315576000000, 0), "d").ok());

  absl::Status far = CheckDuration(Dur(288230377826921344, 0), "step");
  EXPECT_EQ(far.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(far.message(), "step: must be within ±10,000 years");
  absl::Status sign = CheckDuration(Dur(1, -1), "step");
  EXPECT_EQ(sign.message(),
            "step.nanos: must be -999999999 to 999999999, with the sign of "
            "seconds");
  EXPECT_FALSE(CheckDuration(Dur(0, 1000000000), "d").ok());
}

TEST(ProtoTime, MicrosRoundTrip) {
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{-1},
                         int64_t{1624575600123456}, int64_t{-86400000001}}) {
    const google::protobuf::Timestamp t = FromMicros(micros);
    EXPECT_TRUE(CheckTimestamp(t, "t").ok()) << micros;
    EXPECT_EQ(ToMicros(t), micros);
  }
}

}  // namespace
}  // namespace hitclock::common
