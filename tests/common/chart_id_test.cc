#include "common/chart_id.h"

#include <gtest/gtest.h>

#include <string>

namespace hitclock::common {
namespace {

TEST(IsSlug, TakesOneTo64LowercaseLettersDigitsDotsDashesUnderscores) {
  EXPECT_TRUE(IsSlug("itunes"));
  EXPECT_TRUE(IsSlug("top-songs"));
  EXPECT_TRUE(IsSlug("a.b_c-9"));
  EXPECT_TRUE(IsSlug(std::string(64, 'a')));
  EXPECT_FALSE(IsSlug(""));
  EXPECT_FALSE(IsSlug(std::string(65, 'a')));
  EXPECT_FALSE(IsSlug("iTunes"));
  EXPECT_FALSE(IsSlug("top songs"));
  EXPECT_FALSE(IsSlug("a/b"));
}

TEST(ValidateChartId, NamesTheMissingHalf) {
  EXPECT_EQ(ValidateChartId("", "top-songs", "chart").message(),
            "chart.provider: is required");
  EXPECT_EQ(ValidateChartId("itunes", "", "key.chart").message(),
            "key.chart.list: is required");
  EXPECT_EQ(ValidateChartId("", "", "").message(), "provider: is required");
  EXPECT_EQ(ValidateChartId("", "x", "chart").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ValidateChartId, RefusesWhatIsNotASlug) {
  EXPECT_EQ(ValidateChartId("iTunes", "top-songs", "chart").message(),
            "chart.provider: must be lowercase letters, digits and `-`");
  EXPECT_EQ(ValidateChartId("itunes", "top songs", "snapshot.chart").message(),
            "snapshot.chart.list: must be lowercase letters, digits and `-`");
  EXPECT_TRUE(ValidateChartId("itunes", "top-songs", "chart").ok());
}

TEST(SetChartName, WritesProviderSlashList) {
  std::string name = "left over";
  ASSERT_TRUE(SetChartName("apple-music", "most-played", "chart", &name).ok());
  EXPECT_EQ(name, "apple-music/most-played");
  EXPECT_EQ(*CheckedChartName("itunes", "top-songs", "chart"),
            "itunes/top-songs");
  EXPECT_EQ(CheckedChartName("itunes", "", "chart").status().message(),
            "chart.list: is required");
}

TEST(SplitChartName, IsTheInverseOfChartName) {
  EXPECT_EQ(SplitChartName(ChartName("itunes", "top-songs")),
            (ChartId{"itunes", "top-songs"}));
  EXPECT_EQ(SplitChartName("itunes"), (ChartId{"itunes", ""}));
  EXPECT_EQ(SplitChartName(""), (ChartId{"", ""}));
}

TEST(ParseChartName, ParsesProviderSlashList) {
  auto chart = ParseChartName("itunes/top-songs", "--chart");
  ASSERT_TRUE(chart.ok()) << chart.status();
  EXPECT_EQ(*chart, (ChartId{"itunes", "top-songs"}));
}

TEST(ParseChartName, RefusesTextThatIsNotProviderSlashList) {
  for (const char* text : {"itunes", "/top-songs", "itunes/", "a/b/c", ""}) {
    auto chart = ParseChartName(text, "chart");
    ASSERT_FALSE(chart.ok()) << text;
    EXPECT_EQ(chart.status().message(),
              std::string("chart: `") + text +
                  "` is not provider/list (e.g. itunes/top-songs)");
  }
  EXPECT_EQ(ParseChartName("iTunes/top-songs", "chart").status().message(),
            "chart.provider: must be lowercase letters, digits and `-`");
}

}  // namespace
}  // namespace hitclock::common
