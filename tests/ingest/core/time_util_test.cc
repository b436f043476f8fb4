// Tests of the feed timestamp formats.
#include "services/ingest/core/time_util.h"

#include <optional>
#include <string_view>

#include "gtest/gtest.h"

namespace hitclock::ingest::core {
namespace {

TEST(CivilToMicrosTest, KnownInstants) {
  EXPECT_EQ(CivilToMicros(1970, 1, 1), 0);
  EXPECT_EQ(CivilToMicros(2001, 1, 1), 978'307'200'000'000);
  EXPECT_EQ(CivilToMicros(2022, 5, 11, 21, 44, 11), 1'652'305'451'000'000);
  EXPECT_EQ(CivilToMicros(1969, 12, 31, 23, 59, 59), -1'000'000);
  EXPECT_EQ(CivilToMicros(2024, 2, 29), 1'709'164'800'000'000);
}

TEST(Iso8601Test, ParsesOffsetsAndFractions) {
  EXPECT_EQ(ParseIso8601Micros("2018-06-01T00:06:30-07:00"),
            CivilToMicros(2018, 6, 1, 7, 6, 30));
  EXPECT_EQ(ParseIso8601Micros("2017-11-04T03:17:27.000-07:00"),
            CivilToMicros(2017, 11, 4, 10, 17, 27));
  EXPECT_EQ(ParseIso8601Micros("2022-05-11T21:44:11Z"),
            CivilToMicros(2022, 5, 11, 21, 44, 11));
  EXPECT_EQ(ParseIso8601Micros("2021-01-01T09:00:00+0900"),
            CivilToMicros(2021, 1, 1, 0, 0, 0));
  EXPECT_EQ(ParseIso8601Micros("2021-01-01T00:00:00.5Z"),
            CivilToMicros(2021, 1, 1) + 500'000);
  EXPECT_EQ(ParseIso8601Micros("2021-01-01T00:00:00.123456789Z"),
            CivilToMicros(2021, 1, 1) + 123'456);
  EXPECT_EQ(ParseIso8601Micros("2020-12-31T23:30:00-01:00"),
            CivilToMicros(2021, 1, 1, 0, 30, 0));
}

TEST(Iso8601Test, RejectsEverythingElse) {
  for (std::string_view bad :
       {"", "2018-06-01", "2018-06-01T00:06:30", "2018-06-01 00:06:30Z",
        "2018-13-01T00:00:00Z", "2018-02-29T00:00:00Z", "2018-06-01T24:00:00Z",
        "2018-06-01T00:60:00Z", "2018-06-01T00:00:60Z", "2018-06-01T00:00:00.Z",
        "2018-06-01T00:00:00+24:00", "2018-06-01T00:00:00Z ",
        "2018-6-01T00:00:00Z", "+2018-06-01T00:00:00Z",
        "2018-06-01T00:00:00.1234567890Z"}) {
    EXPECT_EQ(ParseIso8601Micros(bad), std::nullopt) << bad;
  }
}

TEST(Rfc2822Test, ParsesAppleAndCommonForms) {
  EXPECT_EQ(ParseRfc2822Micros("Wed, 11 May 2022 21:44:11 +0000"),
            CivilToMicros(2022, 5, 11, 21, 44, 11));
  EXPECT_EQ(ParseRfc2822Micros("11 May 2022 21:44:11 GMT"),
            CivilToMicros(2022, 5, 11, 21, 44, 11));
  EXPECT_EQ(ParseRfc2822Micros("Fri, 1 Jan 2021 09:00 +0900"),
            CivilToMicros(2021, 1, 1));
  EXPECT_EQ(ParseRfc2822Micros("Thu, 31 Dec 2020 16:00:00 -0800"),
            CivilToMicros(2021, 1, 1));
}

TEST(Rfc2822Test, RejectsEverythingElse) {
  for (std::string_view bad :
       {"", "Wed 11 May 2022 21:44:11 +0000", "Xyz, 11 May 2022 21:44:11 +0000",
        "11 Mai 2022 21:44:11 +0000", "32 May 2022 21:44:11 +0000",
        "11 May 22 21:44:11 +0000", "11 May 2022 21:44:11",
        "11 May 2022 21:44:11 PST", "11 May 2022 21:44:11 +00000",
        "11 May 2022 25:44:11 +0000", "2022-05-11T21:44:11Z"}) {
    EXPECT_EQ(ParseRfc2822Micros(bad), std::nullopt) << bad;
  }
}

TEST(FormatMicrosUtcTest, Rfc3339InUtc) {
  EXPECT_EQ(FormatMicrosUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatMicrosUtc(CivilToMicros(2022, 5, 11, 21, 44, 11)),
            "2022-05-11T21:44:11Z");
  EXPECT_EQ(FormatMicrosUtc(CivilToMicros(2001, 1, 1) - 1),
            "2000-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatMicrosUtc(-1'500'000), "1969-12-31T23:59:58.500000Z");
}

}  // namespace
}  // namespace hitclock::ingest::core
