// Tests of the JSON feed parsers on the real samples in shared/feeds/ and on
// malformed input.
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/time_util.h"
#include "tests/ingest/core/test_util.h"

namespace hitclock::ingest::core {
namespace {

using ::hitclock::ingest::core::testing::HasSubstr;
using ::hitclock::ingest::core::testing::kLegacySample;
using ::hitclock::ingest::core::testing::kV1Sample;
using ::hitclock::ingest::core::testing::kV2Sample;
using ::hitclock::ingest::core::testing::Message;
using ::hitclock::ingest::core::testing::ReadSample;

// Returns the legacy sample with `feed.entry` cut down to its first entry,
// printed as a bare object the way Apple prints a one-entry feed.
std::string OneEntryLegacyFeed() {
  const std::string full = ReadSample(kLegacySample);
  const size_t array_start = full.find("\"entry\": [");
  const size_t first_open = full.find('{', array_start);
  const size_t first_close = full.find("\n      }", first_open);
  const size_t array_close = full.find("\n    ],\n", first_close);
  if (array_start == std::string::npos || first_close == std::string::npos ||
      array_close == std::string::npos) {
    ADD_FAILURE() << "the legacy sample changed shape";
    return "";
  }
  return full.substr(0, array_start) +
         "\"entry\": " + full.substr(first_open, first_close + 8 - first_open) +
         full.substr(array_close + 6);
}

TEST(LegacyItunesJsonTest, ParsesTheRealSample) {
  absl::StatusOr<ParsedFeed> feed =
      ParseLegacyItunesJson(ReadSample(kLegacySample));
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->chart, "itunes/top-songs");
  EXPECT_EQ(feed->region, "us");  // From viewTop?cc=us.
  ASSERT_TRUE(feed->updated_micros.has_value());
  // 2018-06-01T00:06:30-07:00.
  EXPECT_EQ(*feed->updated_micros, CivilToMicros(2018, 6, 1, 7, 6, 30));
  EXPECT_EQ(FormatMicrosUtc(*feed->updated_micros), "2018-06-01T07:06:30Z");
  EXPECT_EQ(feed->source_url,
            "http://ax.itunes.apple.com/WebObjects/MZStoreServices.woa/ws/RSS/"
            "topsongs/limit=10/json");
  ASSERT_EQ(feed->entries.size(), 10u);
  EXPECT_EQ(feed->entries[0],
            (ParsedEntry{1, "Africa", "Weezer", "1388058245",
                         "https://itunes.apple.com/us/album/africa/"
                         "1388055465?i=1388058245&uo=2"}));
  EXPECT_EQ(feed->entries[5].title, "The Middle");
  EXPECT_EQ(feed->entries[5].artist_credit, "Zedd, Maren Morris & Grey");
  EXPECT_EQ(feed->entries[9],
            (ParsedEntry{10, "Heaven", "Kane Brown", "1277176588",
                         "https://itunes.apple.com/us/album/heaven/"
                         "1277175594?i=1277176588&uo=2"}));
  for (size_t i = 0; i < feed->entries.size(); ++i) {
    EXPECT_EQ(feed->entries[i].position, static_cast<int>(i) + 1);
  }
}

TEST(LegacyItunesJsonTest, OneEntryIsABareObject) {
  const std::string one = OneEntryLegacyFeed();
  ASSERT_TRUE(HasSubstr(one, "\"entry\": {"));
  absl::StatusOr<ParsedFeed> feed = ParseLegacyItunesJson(one);
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0].position, 1);
  EXPECT_EQ(feed->entries[0].title, "Africa");
  EXPECT_EQ(feed->entries[0].artist_credit, "Weezer");
  EXPECT_EQ(feed->entries[0].provider_track_id, "1388058245");
  EXPECT_EQ(feed->region, "us");
  EXPECT_EQ(FormatMicrosUtc(*feed->updated_micros), "2018-06-01T07:06:30Z");
}

TEST(LegacyItunesJsonTest, ErrorsInTheOneEntryObjectNameItWithoutIndex) {
  absl::StatusOr<ParsedFeed> feed = ParseLegacyItunesJson(
      R"({"feed": {"entry": {"im:name": {"label": "A"}}}})");
  ASSERT_FALSE(feed.ok());
  EXPECT_EQ(Message(feed.status()), "content: feed.entry.im:artist: missing");
}

TEST(LegacyItunesJsonTest, NoEntryIsAnEmptyFeed) {
  absl::StatusOr<ParsedFeed> feed = ParseLegacyItunesJson(
      R"({"feed": {"link": {"attributes": {"href":
          "https://itunes.apple.com/gb/rss/topsongs/limit=10/json"}}}})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_TRUE(feed->entries.empty());
  EXPECT_EQ(feed->region, "gb");  // From the /gb/rss/ path; link an object.
  EXPECT_FALSE(feed->updated_micros.has_value());
}

TEST(LegacyItunesJsonTest, RegionFromTheFeedIdWhenNoLinkHasIt) {
  absl::StatusOr<ParsedFeed> feed = ParseLegacyItunesJson(
      R"({"feed": {"id": {"label":
          "https://itunes.apple.com/jp/rss/topsongs/limit=100/json"}}})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->region, "jp");
}

TEST(LegacyItunesJsonTest, PrefersTheAlternateLinkAndAcceptsOneLinkObject) {
  absl::StatusOr<ParsedFeed> feed = ParseLegacyItunesJson(R"({"feed": {
    "entry": [
      {"im:name": {"label": "A"}, "im:artist": {"label": "X"},
       "id": {"attributes": {"im:id": "1"}},
       "link": [{"attributes": {"rel": "enclosure", "href": "preview"}},
                {"attributes": {"rel": "alternate", "href": "page"}}]},
      {"im:name": {"label": "B"}, "im:artist": {"label": "Y"},
       "id": {"attributes": {"im:id": "2"}},
       "link": {"attributes": {"rel": "alternate", "href": "page2"}}},
      {"im:name": {"label": "C"}, "im:artist": {"label": "Z"},
       "id": {"attributes": {"im:id": "3"}}}
    ]}})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 3u);
  EXPECT_EQ(feed->entries[0].link, "page");
  EXPECT_EQ(feed->entries[1].link, "page2");
  EXPECT_EQ(feed->entries[2].link, "");
  EXPECT_EQ(feed->entries[2].position, 3);
}

TEST(AppleRssJsonTest, ParsesTheRealV2Sample) {
  absl::StatusOr<ParsedFeed> feed = ParseAppleRssJson(ReadSample(kV2Sample));
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->chart, "apple-music/most-played");
  EXPECT_EQ(feed->region, "us");
  ASSERT_TRUE(feed->updated_micros.has_value());
  // Wed, 11 May 2022 21:44:11 +0000.
  EXPECT_EQ(*feed->updated_micros, CivilToMicros(2022, 5, 11, 21, 44, 11));
  EXPECT_EQ(feed->source_url,
            "https://rss.applemarketingtools.com/api/v2/us/music/most-played/"
            "20/songs.json");
  ASSERT_EQ(feed->entries.size(), 20u);
  EXPECT_EQ(
      feed->entries[0],
      (ParsedEntry{1, "WAIT FOR U (feat. Drake & Tems)", "Future", "1621119447",
                   "https://music.apple.com/us/album/"
                   "wait-for-u-feat-drake-tems/1621119097?i=1621119447"}));
  EXPECT_EQ(feed->entries[1].title, "Tit\u00ed Me Pregunt\u00f3");
  EXPECT_EQ(feed->entries[15].artist_credit, "Bad Bunny & Bomba Est\u00e9reo");
  EXPECT_EQ(feed->entries[19],
            (ParsedEntry{20, "712PM", "Future", "1621119107",
                         "https://music.apple.com/us/album/712pm/"
                         "1621119097?i=1621119107"}));
}

TEST(AppleRssJsonTest, ParsesTheRealV1GeneratorSampleAsTheAppleMusicChart) {
  absl::StatusOr<ParsedFeed> feed = ParseAppleRssJson(ReadSample(kV1Sample));
  ASSERT_TRUE(feed.ok()) << feed.status();
  // feed.id is .../api/v1/us/apple-music/top-songs/...: the Apple Music
  // chart the v2 feeds call most-played.
  EXPECT_EQ(feed->chart, "apple-music/most-played");
  EXPECT_EQ(feed->region, "us");
  // 2017-11-04T03:17:27.000-07:00.
  EXPECT_EQ(FormatMicrosUtc(*feed->updated_micros), "2017-11-04T10:17:27Z");
  ASSERT_EQ(feed->entries.size(), 10u);
  EXPECT_EQ(feed->entries[0].title, "Ghostface Killers (feat. Travis Scott)");
  EXPECT_EQ(feed->entries[0].artist_credit, "21 Savage, Offset & Metro Boomin");
  EXPECT_EQ(feed->entries[0].provider_track_id, "1303426037");
  EXPECT_EQ(feed->entries[9].title, "I Get the Bag (feat. Migos)");
  EXPECT_EQ(feed->entries[9].artist_credit, "Gucci Mane");
  EXPECT_EQ(feed->entries[9].provider_track_id, "1271423854");
  EXPECT_EQ(feed->entries[9].link,
            "https://itunes.apple.com/us/album/i-get-the-bag-feat-migos/"
            "id1271423847?i=1271423854&app=music");
}

TEST(AppleRssJsonTest, ItunesMusicGeneratorFeedIsTheItunesChart) {
  absl::StatusOr<ParsedFeed> feed = ParseAppleRssJson(R"({"feed": {
    "id": "https://rss.itunes.apple.com/api/v1/gb/itunes-music/top-songs/all/10/explicit.json",
    "results": []}})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->chart, "itunes/top-songs");
  EXPECT_EQ(feed->region, "gb");  // No feed.country: from feed.id.
}

TEST(AppleRssJsonTest, CountryIsLowercasedAndMustBeTwoLetters) {
  absl::StatusOr<ParsedFeed> feed =
      ParseAppleRssJson(R"({"feed": {"country": "KR"}})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->region, "kr");
  feed = ParseAppleRssJson(R"({"feed": {"country": "usa"}})");
  EXPECT_EQ(Message(feed.status()),
            "content: feed.country: expected a two-letter storefront code, "
            "got \"usa\"");
}

TEST(AppleRssJsonTest, UrlIsOptional) {
  absl::StatusOr<ParsedFeed> feed = ParseAppleRssJson(R"({"feed": {
    "updated": "Wed, 11 May 2022 21:44:11 +0000",
    "results": [{"name": "A", "artistName": "X", "id": "1"}]}})");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries[0].link, "");
}

TEST(ParseFeedTest, DispatchesOnTheFormat) {
  EXPECT_EQ(ParseFeed(FeedFormat::kLegacyItunesJson, ReadSample(kLegacySample))
                ->entries.size(),
            10u);
  EXPECT_EQ(
      ParseFeed(FeedFormat::kAppleRssV2Json, ReadSample(kV2Sample))->chart,
      "apple-music/most-played");
  EXPECT_EQ(ParseFeed(FeedFormat::kCsv, "position,title,artist\n1,A,X\n")
                ->entries.size(),
            1u);
  // The wrong parser for a real feed says what it misses.
  EXPECT_EQ(
      Message(ParseFeed(FeedFormat::kLegacyItunesJson, ReadSample(kV2Sample))
                  .status()),
      "content: feed.updated: expected an object, got a string");
}

TEST(StorefrontFromUrlTest, FindsTheCodeInEachUrlShape) {
  EXPECT_EQ(StorefrontFromUrl("https://itunes.apple.com/WebObjects/"
                              "MZStore.woa/wa/viewTop?cc=us&id=1&popId=1"),
            "us");
  EXPECT_EQ(StorefrontFromUrl("https://x/viewTop?id=1&cc=JP"), "jp");
  EXPECT_EQ(StorefrontFromUrl("https://itunes.apple.com/fr/rss/topsongs/"
                              "limit=100/json"),
            "fr");
  EXPECT_EQ(StorefrontFromUrl("https://rss.applemarketingtools.com/api/v2/"
                              "br/music/most-played/100/songs.json"),
            "br");
  EXPECT_EQ(StorefrontFromUrl("http://ax.itunes.apple.com/WebObjects/"
                              "MZStoreServices.woa/ws/RSS/topsongs/"
                              "limit=10/json"),
            "");
  EXPECT_EQ(StorefrontFromUrl("?cc=usa"), "");
  EXPECT_EQ(StorefrontFromUrl(""), "");
}

// --- Robustness: every bad input is a clear INVALID_ARGUMENT naming
// `content`, never a crash.

void ExpectContentError(const absl::StatusOr<ParsedFeed>& feed,
                        std::string_view expected_message_part) {
  ASSERT_FALSE(feed.ok());
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(feed.status()), "content");
  EXPECT_TRUE(HasSubstr(Message(feed.status()), expected_message_part));
}

TEST(JsonRobustnessTest, TruncatedFeeds) {
  for (std::string_view name : {kLegacySample, kV2Sample, kV1Sample}) {
    const std::string full = ReadSample(name);
    for (size_t cut :
         {size_t{1}, size_t{100}, full.size() / 2, full.size() - 3}) {
      SCOPED_TRACE(std::string(name) + " cut at " + std::to_string(cut));
      const std::string truncated = full.substr(0, cut);
      ExpectContentError(ParseLegacyItunesJson(truncated), "not valid JSON");
      ExpectContentError(ParseAppleRssJson(truncated), "not valid JSON");
    }
  }
}

TEST(JsonRobustnessTest, EmptyAndNonObjectDocuments) {
  EXPECT_EQ(Message(ParseAppleRssJson("").status()), "content: empty");
  ExpectContentError(ParseAppleRssJson("  \n "), "no JSON value");
  EXPECT_EQ(Message(ParseAppleRssJson("[1, 2]").status()),
            "content: expected a JSON object at the top level, got an array");
  EXPECT_EQ(Message(ParseLegacyItunesJson("{}").status()),
            "content: feed: missing");
  EXPECT_EQ(Message(ParseLegacyItunesJson(R"({"feed": 3})").status()),
            "content: feed: expected an object, got a number");
  ExpectContentError(ParseAppleRssJson("{} {}"), "not valid JSON");
}

TEST(JsonRobustnessTest, WrongTypesNameTheJsonPath) {
  EXPECT_EQ(
      Message(ParseLegacyItunesJson(
                  R"({"feed": {"entry": [{"im:name": {"label": 5}}]}})")
                  .status()),
      "content: feed.entry[0].im:name.label: expected a string, got a number");
  EXPECT_EQ(
      Message(ParseLegacyItunesJson(R"({"feed": {"entry": "x"}})").status()),
      "content: feed.entry: expected an array or an object, got a "
      "string");
  EXPECT_EQ(Message(ParseLegacyItunesJson(R"({"feed": {"entry": [
              {"im:name": {"label": "A"}, "im:artist": {"label": "X"},
               "id": {"attributes": {"im:id": "1"}}},
              {"im:name": {"label": "B"}, "im:artist": {"label": "Y"},
               "id": {"attributes": {"im:id": 2}}}]}})")
                        .status()),
            "content: feed.entry[1].id.attributes.im:id: expected a string, "
            "got a number");
  EXPECT_EQ(Message(ParseLegacyItunesJson(R"({"feed": {"entry": [
              {"im:name": {"label": "A"}, "im:artist": {"label": "X"},
               "id": {"attributes": {"im:id": "1"}},
               "link": [{"attributes": {"href": null}}]}]}})")
                        .status()),
            "content: feed.entry[0].link[0].attributes.href: expected a "
            "string, got null");
  EXPECT_EQ(Message(ParseAppleRssJson(R"({"feed": {"results": {"name": "A"}}})")
                        .status()),
            "content: feed.results: expected an array, got an object");
  EXPECT_EQ(Message(ParseAppleRssJson(R"({"feed": {"results": [
              {"name": "A", "artistName": "X", "id": "1"},
              {"name": "B", "artistName": ["Y"], "id": "2"}]}})")
                        .status()),
            "content: feed.results[1].artistName: expected a string, got an "
            "array");
  EXPECT_EQ(Message(ParseAppleRssJson(R"({"feed": {"results": [
              {"name": "A", "artistName": "X"}]}})")
                        .status()),
            "content: feed.results[0].id: missing");
  EXPECT_EQ(
      Message(ParseAppleRssJson(R"({"feed": {"results": [true]}})").status()),
      "content: feed.results[0]: expected an object, got a boolean");
  EXPECT_EQ(
      Message(
          ParseAppleRssJson(R"({"feed": {"updated": 1652305451}})").status()),
      "content: feed.updated: expected a string, got a number");
}

TEST(JsonRobustnessTest, BadTimestampsAreErrors) {
  EXPECT_EQ(
      Message(
          ParseAppleRssJson(R"({"feed": {"updated": "yesterday"}})").status()),
      "content: feed.updated: expected an RFC 2822 or ISO 8601 "
      "timestamp, got \"yesterday\"");
  EXPECT_EQ(
      Message(ParseLegacyItunesJson(
                  R"({"feed": {"updated": {"label": "2018-06-01T00:06:30"}}})")
                  .status()),
      "content: feed.updated.label: expected an ISO 8601 timestamp with a UTC "
      "offset, got \"2018-06-01T00:06:30\"");
}

TEST(JsonRobustnessTest, TenMegabyteStringsParseAndErrorsStayShort) {
  const std::string big(10 << 20, 'a');
  absl::StatusOr<ParsedFeed> feed = ParseAppleRssJson(
      R"({"feed": {"copyright": "℗ 2022", "results": [
          {"name": ")" +
      big + R"(", "artistName": "X", "id": "1"}]}})");
  ASSERT_TRUE(feed.ok()) << feed.status();  // Bounds are ValidateSnapshot's.
  EXPECT_EQ(feed->entries[0].title.size(), big.size());
  // An error quoting a huge value quotes only its start.
  feed = ParseAppleRssJson(R"({"feed": {"updated": ")" + big + R"("}})");
  ASSERT_FALSE(feed.ok());
  EXPECT_LT(feed.status().message().size(), 200u);
}

TEST(JsonRobustnessTest, InputsOverTheSizeLimitAreRejectedUpFront) {
  const std::string huge(kMaxFeedBytes + 1, ' ');
  EXPECT_EQ(Message(ParseAppleRssJson(huge).status()),
            "content: 16777217 bytes, more than the limit of 16777216");
  EXPECT_EQ(Message(ParseLegacyItunesJson(huge).status()),
            "content: 16777217 bytes, more than the limit of 16777216");
  EXPECT_EQ(Message(ParseCsv(huge).status()),
            "content: 16777217 bytes, more than the limit of 16777216");
}

TEST(JsonRobustnessTest, DeeplyNestedArrays) {
  for (size_t depth : {size_t{65}, size_t{1000}, size_t{1} << 20}) {
    SCOPED_TRACE(depth);
    const std::string nested =
        std::string(depth, '[') + std::string(depth, ']');
    ExpectContentError(ParseAppleRssJson(nested),
                       "JSON nested deeper than 64 levels");
    ExpectContentError(
        ParseLegacyItunesJson(R"({"feed": {"entry": )" + nested + "}}"),
        "JSON nested deeper than 64 levels");
  }
  // Within the limit, nesting is only a type error.
  EXPECT_EQ(
      Message(ParseAppleRssJson(R"({"feed": {"results": [[[1]]]}})").status()),
      "content: feed.results[0]: expected an object, got an array");
}

TEST(JsonRobustnessTest, InvalidUtf8NamesTheByteOffset) {
  EXPECT_EQ(
      Message(
          ParseAppleRssJson("{\"feed\": {\"country\": \"u\xff\"}}").status()),
      "content: not valid UTF-8 at byte offset 23");
  EXPECT_EQ(Message(ParseLegacyItunesJson("{\"feed\": \"\xed\xa0\x80\"}")
                        .status()),  // A UTF-16 surrogate.
            "content: not valid UTF-8 at byte offset 10");
}

TEST(JsonRobustnessTest, MoreThan500EntriesIsAnError) {
  std::string results;
  for (int i = 0; i < 501; ++i) {
    if (i > 0) results += ',';
    results += R"({"name": "A", "artistName": "X", "id": "1"})";
  }
  EXPECT_EQ(
      Message(ParseAppleRssJson(R"({"feed": {"results": [)" + results + "]}}")
                  .status()),
      "content: feed.results: 501 entries, more than the limit of 500");
  // 500 is fine.
  results.resize(
      results.size() -
      std::string_view(R"(,{"name": "A", "artistName": "X", "id": "1"})")
          .size());
  absl::StatusOr<ParsedFeed> feed =
      ParseAppleRssJson(R"({"feed": {"results": [)" + results + "]}}");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries.size(), 500u);
  EXPECT_EQ(feed->entries.back().position, 500);
}

TEST(JsonRobustnessTest, ReusedParserIsNotConfusedByEarlierInputs) {
  // The per-thread parser is reused: a big, a bad and a small document in a
  // row each parse on their own.
  const std::string v2 = ReadSample(kV2Sample);
  ASSERT_TRUE(ParseAppleRssJson(std::string(5 << 20, ' ') + v2).ok());
  ASSERT_FALSE(ParseAppleRssJson(v2.substr(0, 500)).ok());
  absl::StatusOr<ParsedFeed> feed = ParseAppleRssJson(v2);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries.size(), 20u);
}

}  // namespace
}  // namespace hitclock::ingest::core
