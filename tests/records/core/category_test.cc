#include "services/records/core/category.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/records/core/test_util.h"

namespace hitclock::records::core {
namespace {

using testing::DynamiteFacts;
using testing::Group;
using testing::kYoursRelease;
using testing::Soloist;
using testing::WithYouFacts;
using testing::YoursFacts;

struct MatchCase {
  const char* name;
  Category category;
  TrackFacts facts;
  bool matches;
};

TEST(MatchesTest, Table) {
  // A solo track with a featured group from another country.
  TrackFacts featuring{
      kYoursRelease,
      TrackKind::kSingle,
      {Soloist("latto", "US"),
       CreditedArtist{"bts", CreditRole::kFeatured, ArtistKind::kGroup, "KR"}}};
  TrackFacts unset_kind{
      std::nullopt, TrackKind::kUnspecified, {Soloist("x", "JP")}};
  const std::vector<MatchCase> cases = {
      {"every track", {}, WithYouFacts(), true},
      {"OST", {TrackKind::kOst}, WithYouFacts(), true},
      {"single is not OST", {TrackKind::kOst}, DynamiteFacts(), false},
      {"unset kind counts as single", {TrackKind::kSingle}, unset_kind, true},
      {"duet of soloists is not a solo track",
       {TrackKind::kUnspecified, Performer::kSoloTrack},
       WithYouFacts(),
       false},
      {"duet of soloists is by a soloist",
       {TrackKind::kUnspecified, Performer::kBySoloist},
       WithYouFacts(),
       true},
      {"Korean soloist",
       {TrackKind::kUnspecified, Performer::kBySoloist, "KR"},
       WithYouFacts(),
       true},
      {"origin is case-insensitive",
       {TrackKind::kUnspecified, Performer::kAny, "kr"},
       WithYouFacts(),
       true},
      {"Yours is a solo track",
       {TrackKind::kUnspecified, Performer::kSoloTrack},
       YoursFacts(),
       true},
      {"Yours: solo track, KR, 2021",
       {TrackKind::kUnspecified, Performer::kSoloTrack, "KR", 2021},
       YoursFacts(),
       true},
      {"Yours is not from 2022",
       {TrackKind::kUnspecified, Performer::kAny, "", 2022},
       YoursFacts(),
       false},
      {"group is not a soloist",
       {TrackKind::kUnspecified, Performer::kBySoloist},
       DynamiteFacts(),
       false},
      {"group",
       {TrackKind::kUnspecified, Performer::kByGroup},
       DynamiteFacts(),
       true},
      {"featured artists aside: still a solo track",
       {TrackKind::kUnspecified, Performer::kSoloTrack},
       featuring,
       true},
      {"featured group counts for by-group",
       {TrackKind::kUnspecified, Performer::kByGroup},
       featuring,
       true},
      {"a Korean group: the group is Korean",
       {TrackKind::kUnspecified, Performer::kByGroup, "KR"},
       featuring,
       true},
      {"the same artist must be a soloist and Korean",
       {TrackKind::kUnspecified, Performer::kBySoloist, "KR"},
       featuring,
       false},
      {"the solo track's main artist must be Korean",
       {TrackKind::kUnspecified, Performer::kSoloTrack, "KR"},
       featuring,
       false},
      {"no release instant: no year",
       {TrackKind::kUnspecified, Performer::kAny, "", 2021},
       unset_kind,
       false},
  };
  for (const MatchCase& c : cases) {
    EXPECT_EQ(Matches(c.category, c.facts), c.matches) << c.name;
  }
}

TEST(WatchedCategoriesTest, WithYou) {
  std::vector<Category> got = WatchedCategories(WithYouFacts());
  auto has = [&](Category c) {
    return std::find(got.begin(), got.end(), c) != got.end();
  };
  EXPECT_TRUE(has({}));
  EXPECT_TRUE(has({TrackKind::kOst}));
  EXPECT_TRUE(has({TrackKind::kUnspecified, Performer::kBySoloist}));
  EXPECT_TRUE(has({TrackKind::kUnspecified, Performer::kBySoloist, "KR"}));
  EXPECT_TRUE(has({TrackKind::kOst, Performer::kAny, "", 2022}));
  EXPECT_TRUE(has({TrackKind::kUnspecified, Performer::kAny, "KR", 2022}));
  EXPECT_FALSE(has({TrackKind::kUnspecified, Performer::kSoloTrack}));
  EXPECT_FALSE(has({TrackKind::kUnspecified, Performer::kByGroup}));
  // Triples are not watched.
  EXPECT_FALSE(has({TrackKind::kOst, Performer::kBySoloist, "KR"}));
  // Each is a category the track matches, listed once.
  for (const Category& c : got) EXPECT_TRUE(Matches(c, WithYouFacts()));
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end());
}

TEST(UtcYearTest, Boundaries) {
  EXPECT_EQ(UtcYear(kYoursRelease), 2021);
  EXPECT_EQ(UtcYear(0), 1970);
  EXPECT_EQ(UtcYear(-1), 1969);
  // 2022-01-01 00:00 UTC and one microsecond before it.
  EXPECT_EQ(UtcYear(1640995200000000), 2022);
  EXPECT_EQ(UtcYear(1640995200000000 - 1), 2021);
}

}  // namespace
}  // namespace hitclock::records::core
