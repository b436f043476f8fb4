#include "common/storefronts.h"

#include <gtest/gtest.h>

namespace hitclock::common {
namespace {

TEST(Storefronts, Has155SortedAnd119WithAnItunesSongChart) {
  EXPECT_EQ(Storefronts().size(), 155u);
  EXPECT_EQ(ItunesSongChartCountries().size(), 119u);
  ASSERT_NE(FindStorefront("us"), nullptr);
  EXPECT_EQ(FindStorefront("us")->name, "United States");
  EXPECT_EQ(FindStorefront("US"), nullptr);
}

TEST(AggregateRegions, AreWorldwideAndEuropeanAndNeverCountries) {
  ASSERT_EQ(AggregateRegions().size(), 2u);
  EXPECT_EQ(AggregateRegions()[0].code, "eu");
  EXPECT_EQ(AggregateRegions()[1].code, "ww");
  for (const AggregateRegion& a : AggregateRegions()) {
    EXPECT_TRUE(IsAggregateRegion(a.code));
    EXPECT_EQ(FindStorefront(a.code), nullptr) << a.code;
    EXPECT_EQ(RegionKindOf(a.code), RegionKind::kAggregate);
  }
  EXPECT_FALSE(IsAggregateRegion("us"));
  EXPECT_EQ(RegionKindOf("us"), RegionKind::kCountry);
  EXPECT_EQ(RegionKindOf("kr"), RegionKind::kCountry);
  EXPECT_EQ(RegionKindOf("xx"), std::nullopt);
}

}  // namespace
}  // namespace hitclock::common
