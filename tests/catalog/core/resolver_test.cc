#include "services/catalog/core/resolver.h"

#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace hitclock::catalog::core {
namespace {

// The seed catalog of SEED-FACTS.md, plus tracks that make the rules bite.
void AddSeedCatalog(Resolver& resolver) {
  resolver.UpsertArtist({"jimin", "Jimin", {"지민", "Park Jimin"}});
  resolver.UpsertArtist({"ha-sung-woon",
                         "Ha Sung-woon",
                         {"Ha Sung Woon", "HA SUNG WOON", "하성운"}});
  resolver.UpsertArtist({"jin", "Jin", {"Kim Seok-jin", "진"}});
  resolver.UpsertArtist({"v", "V", {"뷔", "Kim Taehyung"}});
  resolver.UpsertArtist({"bts", "BTS", {"방탄소년단", "Bangtan Boys"}});
  resolver.UpsertArtist({"jung-kook", "Jung Kook", {"Jungkook", "정국"}});
  resolver.UpsertArtist({"latto", "Latto", {}});
  resolver.UpsertArtist({"megan", "Megan Thee Stallion", {}});
  resolver.UpsertArtist({"ewf", "Earth, Wind & Fire", {}});

  resolver.UpsertTrack({"with-you",
                        "With You",
                        {},
                        {"jimin", "ha-sung-woon"},
                        {},
                        {{"itunes", "1618866366"}}});
  resolver.UpsertTrack(
      {"yours", "Yours", {}, {"jin"}, {}, {{"itunes", "1594146357"}}});
  resolver.UpsertTrack(
      {"dynamite", "Dynamite", {}, {"bts"}, {}, {{"itunes", "1528136200"}}});
  resolver.UpsertTrack({"butter", "Butter", {}, {"bts"}, {}, {}});
  resolver.UpsertTrack({"butter-megan",
                        "Butter (feat. Megan Thee Stallion)",
                        {},
                        {"bts"},
                        {"megan"},
                        {}});
  resolver.UpsertTrack(
      {"christmas-tree", "Christmas Tree", {"크리스마스 트리"}, {"v"}, {}, {}});
  resolver.UpsertTrack({"seven", "Seven", {}, {"jung-kook"}, {"latto"}, {}});
  resolver.UpsertTrack({"intro-1", "Intro", {}, {"bts"}, {}, {}});
  resolver.UpsertTrack({"intro-2", "Intro", {}, {"bts"}, {}, {}});
  resolver.UpsertTrack({"september", "September", {}, {"ewf"}, {}, {}});
}

class ResolverFixture {
 public:
  ResolverFixture() { AddSeedCatalog(resolver_); }
  Resolver& resolver() { return resolver_; }

 private:
  Resolver resolver_;
};

struct ResolveCase {
  std::string_view name;  // test name
  EntryQuery entry;
  MatchKind kind;
  std::string_view track_id;            // expected when resolved
  std::string_view detail_substring;    // expected in `detail`
  std::vector<std::string> candidates;  // expected when unresolved
};

// Readable test names in ctest: the case's name, not its bytes.
void PrintTo(const ResolveCase& c, std::ostream* os) { *os << c.name; }

class ResolveTest : public ::testing::TestWithParam<ResolveCase> {
 protected:
  static void SetUpTestSuite() {
    resolver_ = new Resolver();
    AddSeedCatalog(*resolver_);
  }
  static void TearDownTestSuite() {
    delete resolver_;
    resolver_ = nullptr;
  }
  static Resolver* resolver_;
};

Resolver* ResolveTest::resolver_ = nullptr;

TEST_P(ResolveTest, Resolves) {
  const ResolveCase& c = GetParam();
  const Resolution r = resolver_->Resolve(c.entry);
  EXPECT_EQ(r.kind, c.kind) << r.detail;
  EXPECT_EQ(r.track_id, c.track_id) << r.detail;
  EXPECT_NE(r.detail.find(c.detail_substring), std::string::npos) << r.detail;
  EXPECT_EQ(r.candidate_track_ids, c.candidates) << r.detail;
}

constexpr MatchKind kNone = MatchKind::kUnresolved;
constexpr MatchKind kByTitle = MatchKind::kTitleAndArtists;
constexpr MatchKind kById = MatchKind::kProviderId;

INSTANTIATE_TEST_SUITE_P(
    Entries, ResolveTest,
    ::testing::Values(
        // The seed credit strings.
        ResolveCase{"WithYouChartCredit",
                    {"With You", "HA SUNG WOON & Jimin"},
                    kByTitle,
                    "with-you",
                    "title and artists",
                    {}},
        ResolveCase{"WithYouOtherOrder",
                    {"With You", "Jimin & Ha Sung Woon"},
                    kByTitle,
                    "with-you",
                    "",
                    {}},
        ResolveCase{"WithYouComma",
                    {"With You", "Jimin, Ha Sungwoon"},
                    kByTitle,
                    "with-you",
                    "",
                    {}},
        ResolveCase{"WithYouHangul",
                    {"With You", "지민 & 하성운"},
                    kByTitle,
                    "with-you",
                    "",
                    {}},
        ResolveCase{
            "WithYouDecoratedTitle",
            {"WITH YOU (Our Blues OST) - Single", "jimin x ha sung-woon"},
            kByTitle,
            "with-you",
            "",
            {}},
        ResolveCase{"YoursByJin", {"Yours", "Jin"}, kByTitle, "yours", "", {}},
        ResolveCase{"YoursByBirthName",
                    {"Yours", "Kim Seok-jin"},
                    kByTitle,
                    "yours",
                    "",
                    {}},
        ResolveCase{"YoursOst",
                    {"Yours (Jirisan OST)", "KIM SEOK JIN"},
                    kByTitle,
                    "yours",
                    "",
                    {}},
        ResolveCase{"YoursFromJirisan",
                    {"Yours (From \"Jirisan\") - Single", "Jin"},
                    kByTitle,
                    "yours",
                    "",
                    {}},
        ResolveCase{"TitleAlias",
                    {"크리스마스 트리", "뷔"},
                    kByTitle,
                    "christmas-tree",
                    "",
                    {}},
        // Featured artists, in the credit or in the title.
        ResolveCase{"FeaturedInTitle",
                    {"Seven (feat. Latto) [Explicit Ver.]", "Jung Kook"},
                    kByTitle,
                    "seven",
                    "",
                    {}},
        ResolveCase{"FeaturedInCredit",
                    {"Seven (Clean)", "Jung Kook feat. Latto"},
                    kByTitle,
                    "seven",
                    "",
                    {}},
        ResolveCase{"FeaturedOmitted",
                    {"Seven", "Jungkook"},
                    kByTitle,
                    "seven",
                    "",
                    {}},
        ResolveCase{"OfGroupDropped",
                    {"Seven", "Jung Kook of BTS"},
                    kByTitle,
                    "seven",
                    "",
                    {}},
        ResolveCase{"ExactCreditPreferred",
                    {"Butter", "BTS"},
                    kByTitle,
                    "butter",
                    "exact",
                    {}},
        ResolveCase{"FeaturedVersion",
                    {"Butter (feat. Megan Thee Stallion)", "BTS"},
                    kByTitle,
                    "butter-megan",
                    "",
                    {}},
        ResolveCase{"FeaturedVersionByCredit",
                    {"Butter", "BTS & Megan Thee Stallion"},
                    kByTitle,
                    "butter-megan",
                    "",
                    {}},
        ResolveCase{"BandNameWithSeparators",
                    {"September", "Earth, Wind & Fire"},
                    kByTitle,
                    "september",
                    "",
                    {}},
        // Provider ids.
        ResolveCase{"ProviderId",
                    {"whatever", "whoever", "itunes", "1618866366"},
                    kById,
                    "with-you",
                    "provider id",
                    {}},
        ResolveCase{"ProviderIdBeforeTitle",
                    {"Butter", "BTS", "itunes", "1528136200"},
                    kById,
                    "dynamite",
                    "",
                    {}},
        ResolveCase{"UnknownProviderIdFallsBack",
                    {"Dynamite", "BTS", "itunes", "999"},
                    kByTitle,
                    "dynamite",
                    "",
                    {}},
        ResolveCase{"OtherProviderFallsBack",
                    {"Dynamite", "BTS", "spotify", "1528136200"},
                    kByTitle,
                    "dynamite",
                    "",
                    {}},
        // Different songs of the same artist do not match.
        ResolveCase{"OtherSongSameArtist",
                    {"Life Goes On", "BTS"},
                    kNone,
                    "",
                    "no track titled 'Life Goes On'",
                    {}},
        ResolveCase{"RemixIsNotTheSong",
                    {"Butter (Hotter Remix)", "BTS"},
                    kNone,
                    "",
                    "no track titled",
                    {}},
        // Artists that do not fit.
        ResolveCase{"MainArtistMissing",
                    {"With You", "Jimin"},
                    kNone,
                    "",
                    "fits the artists 'Jimin'",
                    {"with-you"}},
        ResolveCase{"ArtistNotCredited",
                    {"Yours", "Jin & Jimin"},
                    kNone,
                    "",
                    "fits the artists",
                    {"yours"}},
        ResolveCase{"WrongArtist",
                    {"Dynamite", "Jin"},
                    kNone,
                    "",
                    "fits the artists",
                    {"dynamite"}},
        ResolveCase{"GroupIsNotMember",
                    {"Yours", "BTS"},
                    kNone,
                    "",
                    "fits the artists",
                    {"yours"}},
        ResolveCase{"FeaturedInTitleNotCredited",
                    {"Seven (feat. Megan Thee Stallion)", "Jung Kook"},
                    kNone,
                    "",
                    "fits the artists",
                    {"seven"}},
        ResolveCase{"UnknownArtist",
                    {"With You", "Jimin & Nobody"},
                    kNone,
                    "",
                    "artist 'Nobody' unknown",
                    {"with-you"}},
        ResolveCase{"UnknownArtists",
                    {"With You", "Somebody, Jimin, Nobody"},
                    kNone,
                    "",
                    "artists 'Somebody', 'Nobody' unknown",
                    {"with-you"}},
        ResolveCase{"UnknownFeaturedInTitle",
                    {"Seven (feat. Nobody)", "Jung Kook"},
                    kNone,
                    "",
                    "artist 'Nobody' unknown",
                    {"seven"}},
        ResolveCase{"Ambiguous",
                    {"Intro", "BTS"},
                    kNone,
                    "",
                    "ambiguous: 2 tracks",
                    {"intro-1", "intro-2"}},
        ResolveCase{"EmptyTitle", {"", "BTS"}, kNone, "", "title is empty", {}},
        ResolveCase{"PunctuationTitle",
                    {" - ", "BTS"},
                    kNone,
                    "",
                    "title is empty",
                    {}},
        ResolveCase{"EmptyCredit",
                    {"Dynamite", ""},
                    kNone,
                    "",
                    "names no artist",
                    {"dynamite"}}),
    [](const ::testing::TestParamInfo<ResolveCase>& info) {
      return std::string(info.param.name);
    });

TEST(Resolver, CountsArtistsAndTracks) {
  ResolverFixture f;
  EXPECT_EQ(f.resolver().artist_count(), 9u);
  EXPECT_EQ(f.resolver().track_count(), 10u);
  // Upserting again replaces.
  f.resolver().UpsertArtist({"jin", "Jin", {}});
  f.resolver().UpsertTrack({"yours", "Yours", {}, {"jin"}, {}, {}});
  EXPECT_EQ(f.resolver().artist_count(), 9u);
  EXPECT_EQ(f.resolver().track_count(), 10u);
}

TEST(Resolver, AliasAddedLaterResolvesUnknownCredit) {
  ResolverFixture f;
  const EntryQuery entry{"With You", "Jimin & Sungwoon Ha"};
  Resolution r = f.resolver().Resolve(entry);
  ASSERT_EQ(r.kind, MatchKind::kUnresolved);
  EXPECT_EQ(r.detail, "artist 'Sungwoon Ha' unknown");

  f.resolver().UpsertArtist({"ha-sung-woon",
                             "Ha Sung-woon",
                             {"Ha Sung Woon", "HA SUNG WOON", "Sungwoon Ha"}});
  r = f.resolver().Resolve(entry);
  EXPECT_EQ(r.kind, MatchKind::kTitleAndArtists) << r.detail;
  EXPECT_EQ(r.track_id, "with-you");
}

TEST(Resolver, ReplacedAliasNoLongerResolves) {
  ResolverFixture f;
  const EntryQuery entry{"Yours", "Kim Seok-jin"};
  ASSERT_EQ(f.resolver().Resolve(entry).track_id, "yours");
  f.resolver().UpsertArtist({"jin", "Jin", {}});
  EXPECT_EQ(f.resolver().Resolve(entry).kind, MatchKind::kUnresolved);
  EXPECT_EQ(f.resolver().Resolve({"Yours", "Jin"}).track_id, "yours");
}

TEST(Resolver, ProviderIdAddedLater) {
  ResolverFixture f;
  const EntryQuery entry{"Yours", "Unknown Uploader", "itunes", "555"};
  ASSERT_EQ(f.resolver().Resolve(entry).kind, MatchKind::kUnresolved);
  f.resolver().UpsertTrack({"yours",
                            "Yours",
                            {},
                            {"jin"},
                            {},
                            {{"itunes", "1594146357"}, {"itunes", "555"}}});
  const Resolution r = f.resolver().Resolve(entry);
  EXPECT_EQ(r.kind, MatchKind::kProviderId);
  EXPECT_EQ(r.track_id, "yours");
}

TEST(Resolver, SharedProviderIdIsAmbiguous) {
  ResolverFixture f;
  f.resolver().UpsertTrack(
      {"dynamite-2", "Dynamite", {}, {"bts"}, {}, {{"itunes", "1528136200"}}});
  const Resolution r =
      f.resolver().Resolve({"Dynamite", "BTS", "itunes", "1528136200"});
  EXPECT_EQ(r.kind, MatchKind::kUnresolved);
  EXPECT_NE(r.detail.find("ambiguous"), std::string::npos) << r.detail;
  EXPECT_EQ(r.candidate_track_ids,
            (std::vector<std::string>{"dynamite", "dynamite-2"}));
}

TEST(Resolver, RemoveTrack) {
  ResolverFixture f;
  f.resolver().RemoveTrack("dynamite");
  EXPECT_EQ(f.resolver().track_count(), 9u);
  Resolution r = f.resolver().Resolve({"Dynamite", "BTS"});
  EXPECT_EQ(r.kind, MatchKind::kUnresolved);
  EXPECT_NE(r.detail.find("no track titled"), std::string::npos) << r.detail;
  r = f.resolver().Resolve({"Dynamite", "BTS", "itunes", "1528136200"});
  EXPECT_EQ(r.kind, MatchKind::kUnresolved);
  // Removing twice, or an unknown id, changes nothing.
  f.resolver().RemoveTrack("dynamite");
  f.resolver().RemoveTrack("no-such-track");
  EXPECT_EQ(f.resolver().track_count(), 9u);
  // Removing one of two ambiguous tracks makes the other resolve.
  f.resolver().RemoveTrack("intro-1");
  EXPECT_EQ(f.resolver().Resolve({"Intro", "BTS"}).track_id, "intro-2");
}

TEST(Resolver, RemoveArtistAndAddBack) {
  ResolverFixture f;
  f.resolver().RemoveArtist("jin");
  EXPECT_EQ(f.resolver().artist_count(), 8u);
  Resolution r = f.resolver().Resolve({"Yours", "Jin"});
  EXPECT_EQ(r.kind, MatchKind::kUnresolved);
  EXPECT_EQ(r.detail, "artist 'Jin' unknown");
  f.resolver().RemoveArtist("jin");
  EXPECT_EQ(f.resolver().artist_count(), 8u);

  f.resolver().UpsertArtist({"jin", "Jin", {"Kim Seok-jin"}});
  r = f.resolver().Resolve({"Yours", "Kim Seok-jin"});
  EXPECT_EQ(r.track_id, "yours") << r.detail;
}

TEST(Resolver, TrackMayNameArtistsBeforeTheyExist) {
  Resolver resolver;
  resolver.UpsertTrack({"t", "Song", {}, {"a", "b"}, {}, {}});
  EXPECT_EQ(resolver.artist_count(), 0u);
  EXPECT_EQ(resolver.Resolve({"Song", "A & B"}).kind, MatchKind::kUnresolved);
  resolver.UpsertArtist({"a", "A", {}});
  // B is still unknown: the track's main artist B cannot be named.
  EXPECT_EQ(resolver.Resolve({"Song", "A"}).kind, MatchKind::kUnresolved);
  resolver.UpsertArtist({"b", "B", {}});
  EXPECT_EQ(resolver.Resolve({"Song", "A & B"}).track_id, "t");
}

TEST(Resolver, RetitledTrackResolvesUnderNewTitleOnly) {
  ResolverFixture f;
  f.resolver().UpsertTrack(
      {"dynamite", "Dynamite (DayTime Version)", {}, {"bts"}, {}, {}});
  EXPECT_EQ(f.resolver().Resolve({"Dynamite", "BTS"}).kind,
            MatchKind::kUnresolved);
  EXPECT_EQ(
      f.resolver().Resolve({"Dynamite (DayTime Version)", "BTS"}).track_id,
      "dynamite");
  // The old provider id was dropped with the old record.
  EXPECT_EQ(f.resolver().Resolve({"x", "y", "itunes", "1528136200"}).kind,
            MatchKind::kUnresolved);
}

TEST(Resolver, NameSharedByTwoArtists) {
  ResolverFixture f;
  f.resolver().UpsertArtist({"other-v", "V", {}});
  // Christmas Tree credits only one of the two: still resolves.
  EXPECT_EQ(f.resolver().Resolve({"Christmas Tree", "V"}).track_id,
            "christmas-tree");
  // A second Christmas Tree by the other V makes "V" ambiguous.
  f.resolver().UpsertTrack(
      {"christmas-tree-2", "Christmas Tree", {}, {"other-v"}, {}, {}});
  const Resolution r = f.resolver().Resolve({"Christmas Tree", "V"});
  EXPECT_EQ(r.kind, MatchKind::kUnresolved);
  EXPECT_EQ(r.candidate_track_ids,
            (std::vector<std::string>{"christmas-tree", "christmas-tree-2"}));
  // Another name of BTS's V tells them apart.
  EXPECT_EQ(f.resolver().Resolve({"Christmas Tree", "Kim Taehyung"}).track_id,
            "christmas-tree");
}

TEST(Resolver, ConcurrentReadersAgree) {
  ResolverFixture f;
  const Resolver& resolver = f.resolver();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&resolver, &failures, t] {
      for (int i = 0; i < 2000; ++i) {
        const Resolution a = resolver.Resolve({"With You", "지민 & 하성운"});
        const Resolution b = resolver.Resolve({"Yours (Jirisan OST)", "Jin"});
        if (a.track_id != "with-you" || b.track_id != "yours") ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace hitclock::catalog::core
