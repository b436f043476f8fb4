// Tests of snapshot validation (every rule, with its field path), the
// content fingerprint, the ImportFeed snapshot and the storefront table.
#include "services/ingest/core/snapshot.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/storefronts.h"
#include "services/ingest/core/time_util.h"
#include "services/ingest/core/utf8.h"
#include "tests/ingest/core/test_util.h"

namespace hitclock::ingest::core {
namespace {

using ::hitclock::ingest::core::testing::kLegacySample;
using ::hitclock::ingest::core::testing::kV1Sample;
using ::hitclock::ingest::core::testing::kV2Sample;
using ::hitclock::ingest::core::testing::Message;
using ::hitclock::ingest::core::testing::ReadSample;

const int64_t kNow = CivilToMicros(2022, 5, 12);

ValidationOptions Options() {
  ValidationOptions options;
  options.now_micros = kNow;
  return options;
}

Snapshot ValidSnapshot(int k = 3) {
  Snapshot s;
  s.chart_provider = "itunes";
  s.chart_list = "top-songs";
  s.region_code = "us";
  s.capture_micros = CivilToMicros(2022, 5, 11, 21, 44, 11);
  for (int i = 1; i <= k; ++i) {
    s.entries.push_back(
        {i, "Title " + std::to_string(i), "Artist",
         /*provider=*/"", std::to_string(1000 + i),
         "https://music.apple.com/us/x?i=" + std::to_string(i)});
  }
  return s;
}

// Returns the error of validating `s`, or "OK".
std::string Validate(const Snapshot& s,
                     const ValidationOptions& options = Options()) {
  const absl::Status status = ValidateSnapshot(s, options);
  if (status.ok()) return "OK";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return Message(status);
}

// Returns the field path the error of validating `s` names.
std::string FieldOf(const Snapshot& s) {
  return ErrorField(ValidateSnapshot(s, Options()));
}

TEST(ValidateSnapshotTest, ValidSnapshotsPass) {
  EXPECT_EQ(Validate(ValidSnapshot()), "OK");
  EXPECT_EQ(Validate(ValidSnapshot(1)), "OK");
  EXPECT_EQ(Validate(ValidSnapshot(500)), "OK");
  Snapshot s = ValidSnapshot();
  s.chart_provider = "apple-music";
  s.chart_list = "most-played";
  s.region_code = "ww";
  s.region_kind = RegionKind::kAggregate;
  s.entries[0].provider = "apple-music";
  s.source_update_micros = s.capture_micros;
  s.fetch_micros = s.capture_micros;
  EXPECT_EQ(Validate(s), "OK");
}

TEST(ValidateSnapshotTest, PositionsInAnyOrder) {
  Snapshot s = ValidSnapshot(4);
  std::swap(s.entries[0], s.entries[3]);
  std::swap(s.entries[1], s.entries[2]);
  EXPECT_EQ(Validate(s), "OK");
}

TEST(ValidateSnapshotTest, Chart) {
  Snapshot s = ValidSnapshot();
  s.chart_provider = "";
  EXPECT_EQ(Validate(s), "snapshot.chart.provider: required");
  s = ValidSnapshot();
  s.chart_list = "";
  EXPECT_EQ(Validate(s), "snapshot.chart.list: required");
  s = ValidSnapshot();
  s.chart_provider = "spotify";
  EXPECT_EQ(Validate(s),
            "snapshot.chart: unknown chart \"spotify/top-songs\" (known: "
            "itunes/top-songs, apple-music/most-played)");
  s = ValidSnapshot();
  s.chart_list = "most-played";  // itunes/most-played does not exist.
  EXPECT_EQ(FieldOf(s), "snapshot.chart");
}

TEST(ValidateSnapshotTest, Region) {
  Snapshot s = ValidSnapshot();
  s.region_code = "";
  EXPECT_EQ(Validate(s), "snapshot.region.code: required");
  for (const char* bad : {"US", "xx", "usa", "u", "zz", "uk"}) {
    s.region_code = bad;
    EXPECT_EQ(FieldOf(s), "snapshot.region.code") << bad;
  }
  s.region_code = "xx";
  EXPECT_EQ(Validate(s),
            "snapshot.region.code: \"xx\" is not a known storefront code "
            "(lowercase, e.g. `us`) nor an aggregate (`ww`, `eu`)");
  for (const char* good :
       {"us", "gb", "jp", "kr", "cn", "ae", "zw", "ww", "eu"}) {
    s.region_code = good;
    EXPECT_EQ(Validate(s), "OK") << good;
  }
  s.region_code = "ww";
  s.region_kind = RegionKind::kCountry;
  EXPECT_EQ(Validate(s),
            "snapshot.region.kind: \"ww\" is an aggregate, not a country");
  s.region_code = "us";
  s.region_kind = RegionKind::kAggregate;
  EXPECT_EQ(Validate(s),
            "snapshot.region.kind: \"us\" is a country, not an aggregate");
  s.region_kind = RegionKind::kCountry;
  EXPECT_EQ(Validate(s), "OK");
}

TEST(ValidateSnapshotTest, CaptureTime) {
  Snapshot s = ValidSnapshot();
  s.capture_micros.reset();
  EXPECT_EQ(Validate(s), "snapshot.capture_time: required");
  s.capture_micros = kMinCaptureMicros;
  EXPECT_EQ(Validate(s), "OK");
  s.capture_micros = kMinCaptureMicros - 1;
  EXPECT_EQ(Validate(s),
            "snapshot.capture_time: 2000-12-31T23:59:59.999999Z is before "
            "2001-01-01T00:00:00Z");
  s.capture_micros = kNow + kDefaultMaxSkewMicros;
  EXPECT_EQ(Validate(s), "OK");
  s.capture_micros = kNow + kDefaultMaxSkewMicros + 1;
  EXPECT_EQ(Validate(s),
            "snapshot.capture_time: 2022-05-12T00:05:00.000001Z is in the "
            "future (the server's clock says 2022-05-12T00:00:00Z, allowed "
            "skew 300 s)");
  ValidationOptions no_skew = Options();
  no_skew.max_skew_micros = 0;
  s.capture_micros = kNow + 1;
  EXPECT_EQ(ErrorField(ValidateSnapshot(s, no_skew)), "snapshot.capture_time");
  s.capture_micros = INT64_MIN;
  EXPECT_EQ(FieldOf(s), "snapshot.capture_time");
  s.capture_micros = INT64_MAX;
  ValidationOptions far = Options();
  far.now_micros = INT64_MAX;
  far.max_skew_micros = INT64_MAX;  // Saturates instead of overflowing.
  EXPECT_EQ(Validate(s, far), "OK");
}

TEST(ValidateSnapshotTest, SourceUpdateAndFetchTimesWhenSet) {
  Snapshot s = ValidSnapshot();
  s.source_update_micros = kNow + kDefaultMaxSkewMicros + 1;
  EXPECT_EQ(FieldOf(s), "snapshot.source_update_time");
  s = ValidSnapshot();
  s.fetch_micros = 0;
  EXPECT_EQ(FieldOf(s), "snapshot.fetch_time");
}

TEST(ValidateSnapshotTest, EntryCount) {
  Snapshot s = ValidSnapshot();
  s.entries.clear();
  EXPECT_EQ(Validate(s), "snapshot.entries: at least 1 entry is required");
  s = ValidSnapshot(501);
  EXPECT_EQ(Validate(s),
            "snapshot.entries: 501 entries, more than the limit of 500");
}

TEST(ValidateSnapshotTest, PositionsAreExactlyOneToK) {
  Snapshot s = ValidSnapshot(5);
  s.entries[3].position = 0;
  EXPECT_EQ(Validate(s),
            "snapshot.entries[3].position: 0 is not in 1..5 (the positions "
            "must be 1..K, K = 5 entries)");
  s.entries[3].position = 6;  // A gap: 1, 2, 3, 5, 6.
  EXPECT_EQ(FieldOf(s), "snapshot.entries[3].position");
  s.entries[3].position = -7;
  EXPECT_EQ(FieldOf(s), "snapshot.entries[3].position");
  s.entries[3].position = 2;  // A duplicate.
  EXPECT_EQ(Validate(s),
            "snapshot.entries[3].position: 2 is already the position of "
            "entries[1]");
}

TEST(ValidateSnapshotTest, EntryStrings) {
  struct Case {
    void (*mutate)(SnapshotEntry&);
    std::string message;
  };
  const Case cases[] = {
      {[](SnapshotEntry& e) { e.title = ""; },
       "snapshot.entries[1].entry.title: required"},
      {[](SnapshotEntry& e) { e.title = std::string(1001, 'a'); },
       "snapshot.entries[1].entry.title: 1001 bytes, more than the limit of "
       "1000"},
      {[](SnapshotEntry& e) { e.title = std::string(10 << 20, 'a'); },
       "snapshot.entries[1].entry.title: 10485760 bytes, more than the limit "
       "of 1000"},
      {[](SnapshotEntry& e) { e.title = "Caf\xe9"; },
       "snapshot.entries[1].entry.title: not valid UTF-8 at byte offset 3"},
      {[](SnapshotEntry& e) { e.artist_credit = ""; },
       "snapshot.entries[1].entry.artist_credit: required"},
      {[](SnapshotEntry& e) { e.artist_credit = std::string(1001, 'a'); },
       "snapshot.entries[1].entry.artist_credit: 1001 bytes, more than the "
       "limit of 1000"},
      {[](SnapshotEntry& e) { e.artist_credit = "\xed\xa0\x80"; },
       "snapshot.entries[1].entry.artist_credit: not valid UTF-8 at byte "
       "offset 0"},
      {[](SnapshotEntry& e) { e.provider_track_id = std::string(65, '1'); },
       "snapshot.entries[1].entry.provider_track_id: 65 bytes, more than the "
       "limit of 64"},
      {[](SnapshotEntry& e) { e.provider_track_id = "1\x80"; },
       "snapshot.entries[1].entry.provider_track_id: not valid UTF-8 at byte "
       "offset 1"},
      {[](SnapshotEntry& e) { e.link = std::string(2049, 'l'); },
       "snapshot.entries[1].link: 2049 bytes, more than the limit of 2048"},
      {[](SnapshotEntry& e) { e.link = "\xff"; },
       "snapshot.entries[1].link: not valid UTF-8 at byte offset 0"},
      {[](SnapshotEntry& e) { e.provider = "spotify"; },
       "snapshot.entries[1].entry.provider: \"spotify\" is not the chart's "
       "provider \"itunes\" (leave it empty)"},
  };
  for (const Case& c : cases) {
    Snapshot s = ValidSnapshot();
    c.mutate(s.entries[1]);
    EXPECT_EQ(Validate(s), c.message);
  }
  // At the bounds, and empty optional strings, are fine.
  Snapshot s = ValidSnapshot();
  s.entries[1].title = std::string(1000, 'a');
  s.entries[1].artist_credit = std::string(998, 'a') + "\xc3\xa9";
  s.entries[1].provider_track_id = std::string(64, '1');
  s.entries[1].link = std::string(2048, 'l');
  s.entries[2].provider_track_id = "";
  s.entries[2].link = "";
  s.entries[0].provider = "itunes";
  EXPECT_EQ(Validate(s), "OK");
}

TEST(ValidateSnapshotTest, SourceUrl) {
  Snapshot s = ValidSnapshot();
  s.source_url = std::string(2049, 'u');
  EXPECT_EQ(Validate(s),
            "snapshot.source_url: 2049 bytes, more than the limit of 2048");
}

TEST(ValidateSnapshotTest, FieldPrefixIsTheCallersChoice) {
  Snapshot s = ValidSnapshot();
  s.entries[2].position = 9;
  ValidationOptions options = Options();
  options.field_prefix = "snapshots[4]";
  EXPECT_EQ(ErrorField(ValidateSnapshot(s, options)),
            "snapshots[4].entries[2].position");
  options.field_prefix = "";
  EXPECT_EQ(ErrorField(ValidateSnapshot(s, options)), "entries[2].position");
}

TEST(ValidateSnapshotTest, ErrorMessagesQuoteLongBadValuesShortly) {
  Snapshot s = ValidSnapshot();
  s.region_code = std::string(10 << 20, 'x');
  const absl::Status status = ValidateSnapshot(s, Options());
  EXPECT_EQ(ErrorField(status), "snapshot.region.code");
  EXPECT_LT(status.message().size(), 200u);
  s = ValidSnapshot();
  s.chart_provider = "\xff\xfe";
  EXPECT_TRUE(IsValidUtf8(Message(ValidateSnapshot(s, Options()))));
}

TEST(ContentFingerprintTest, StableAndOrderInsensitive) {
  const Snapshot s = ValidSnapshot();
  // The value is stored by the service: it must never change.
  EXPECT_EQ(ContentFingerprint(s), 0x4beac5eb61d40938ULL)
      << std::hex << ContentFingerprint(s);
  Snapshot shuffled = s;
  std::swap(shuffled.entries[0], shuffled.entries[2]);
  EXPECT_EQ(ContentFingerprint(shuffled), ContentFingerprint(s));
  // Identity, links and providers are not content.
  Snapshot other = s;
  other.region_code = "gb";
  other.capture_micros = kNow;
  other.source_url = "x";
  other.entries[0].link = "https://elsewhere";
  other.entries[0].provider = "itunes";
  EXPECT_EQ(ContentFingerprint(other), ContentFingerprint(s));
}

TEST(ContentFingerprintTest, ContentChangesChangeIt) {
  const uint64_t base = ContentFingerprint(ValidSnapshot());
  Snapshot s = ValidSnapshot();
  s.entries[0].title += "!";
  EXPECT_NE(ContentFingerprint(s), base);
  s = ValidSnapshot();
  s.entries[1].artist_credit = "Other";
  EXPECT_NE(ContentFingerprint(s), base);
  s = ValidSnapshot();
  s.entries[2].provider_track_id = "9";
  EXPECT_NE(ContentFingerprint(s), base);
  s = ValidSnapshot();
  std::swap(s.entries[0].position, s.entries[1].position);  // Swapped ranks.
  EXPECT_NE(ContentFingerprint(s), base);
  s = ValidSnapshot();
  s.entries.pop_back();
  EXPECT_NE(ContentFingerprint(s), base);
  // Field boundaries count: ("ab", "c") is not ("a", "bc").
  Snapshot a = ValidSnapshot(1);
  Snapshot b = ValidSnapshot(1);
  a.entries[0].title = "ab";
  a.entries[0].artist_credit = "c";
  b.entries[0].title = "a";
  b.entries[0].artist_credit = "bc";
  EXPECT_NE(ContentFingerprint(a), ContentFingerprint(b));
}

TEST(SnapshotFromFeedTest, RealSamplesBecomeValidSnapshots) {
  struct Case {
    std::string_view sample;
    FeedFormat format;
    const char* provider;
    const char* list;
    int64_t updated;
  };
  const Case cases[] = {
      {kLegacySample, FeedFormat::kLegacyItunesJson, "itunes", "top-songs",
       CivilToMicros(2018, 6, 1, 7, 6, 30)},
      {kV2Sample, FeedFormat::kAppleRssV2Json, "apple-music", "most-played",
       CivilToMicros(2022, 5, 11, 21, 44, 11)},
      {kV1Sample, FeedFormat::kAppleRssV2Json, "apple-music", "most-played",
       CivilToMicros(2017, 11, 4, 10, 17, 27)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.sample));
    absl::StatusOr<ParsedFeed> feed = ParseFeed(c.format, ReadSample(c.sample));
    ASSERT_TRUE(feed.ok()) << feed.status();
    ImportOptions options;
    options.fetch_micros = kNow;
    absl::StatusOr<Snapshot> s = SnapshotFromFeed(*feed, options);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->chart_provider, c.provider);
    EXPECT_EQ(s->chart_list, c.list);
    EXPECT_EQ(s->region_code, "us");
    EXPECT_EQ(s->capture_micros, c.updated);  // The feed's updated.
    EXPECT_EQ(s->source_update_micros, c.updated);
    EXPECT_EQ(s->fetch_micros, kNow);
    EXPECT_EQ(s->source_url, feed->source_url);
    ASSERT_EQ(s->entries.size(), feed->entries.size());
    EXPECT_EQ(s->entries[0].title, feed->entries[0].title);
    EXPECT_EQ(s->entries[0].provider, "");
    EXPECT_EQ(Validate(*s), "OK");
  }
}

TEST(SnapshotFromFeedTest, RequestFieldsAndTheirErrors) {
  ParsedFeed feed;
  feed.chart = "itunes/top-songs";
  feed.region = "us";
  feed.updated_micros = CivilToMicros(2022, 5, 11);
  feed.entries.push_back({1, "A", "X", "1", ""});

  ImportOptions options;
  options.region_code = "us";  // Agrees with the feed.
  options.capture_micros = CivilToMicros(2022, 5, 11, 0, 3);
  options.fetch_micros = CivilToMicros(2022, 5, 11, 0, 4);
  options.source_url = "https://itunes.apple.com/us/rss/topsongs/json";
  absl::StatusOr<Snapshot> s = SnapshotFromFeed(feed, options);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->capture_micros, options.capture_micros);  // Overrides updated.
  EXPECT_EQ(s->source_update_micros, feed.updated_micros);
  EXPECT_EQ(s->source_url, options.source_url);

  options.region_code = "gb";
  EXPECT_EQ(Message(SnapshotFromFeed(feed, options).status()),
            "region: \"gb\" disagrees with the feed's storefront \"us\"");

  ParsedFeed csv = feed;  // What CSV gives: no chart, region nor updated.
  csv.chart = "";
  csv.region = "";
  csv.updated_micros.reset();
  options = ImportOptions();
  EXPECT_EQ(Message(SnapshotFromFeed(csv, options).status()),
            "chart: required: the feed does not name its chart");
  options.chart = "itunes/top-songs";
  EXPECT_EQ(Message(SnapshotFromFeed(csv, options).status()),
            "region: required: the feed does not name its storefront");
  options.region_code = "jp";
  EXPECT_EQ(Message(SnapshotFromFeed(csv, options).status()),
            "capture_time: required: the feed has no `updated` and the "
            "request no `fetch_time`");
  options.fetch_micros = CivilToMicros(2022, 5, 11, 0, 4);
  s = SnapshotFromFeed(csv, options);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->capture_micros, options.fetch_micros);  // Else fetch time.
  EXPECT_EQ(s->region_code, "jp");
  EXPECT_EQ(s->chart_provider, "itunes");
  EXPECT_EQ(s->chart_list, "top-songs");
  EXPECT_FALSE(s->source_update_micros.has_value());

  options.region_code = "us";
  options.chart = "apple-music/most-played";  // The request's chart wins.
  s = SnapshotFromFeed(feed, options);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->chart_provider, "apple-music");
  options.chart = "nonsense";
  s = SnapshotFromFeed(feed, options);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(FieldOf(*s), "snapshot.chart.list");
}

TEST(StorefrontsTest, TheEmbeddedTable) {
  EXPECT_EQ(Storefronts().size(), 155u);
  int with_chart = 0;
  for (const Storefront& s : Storefronts())
    with_chart += s.has_itunes_song_chart;
  EXPECT_EQ(with_chart, 119);
  ASSERT_NE(FindStorefront("us"), nullptr);
  EXPECT_EQ(FindStorefront("us")->name, "United States");
  EXPECT_TRUE(FindStorefront("us")->has_itunes_song_chart);
  ASSERT_NE(FindStorefront("kr"), nullptr);
  EXPECT_FALSE(FindStorefront("kr")->has_itunes_song_chart);
  EXPECT_FALSE(FindStorefront("cn")->has_itunes_song_chart);
  EXPECT_EQ(FindStorefront("US"), nullptr);
  EXPECT_EQ(FindStorefront("ww"), nullptr);
  EXPECT_EQ(RegionKindOf("jp"), RegionKind::kCountry);
  EXPECT_EQ(RegionKindOf("ww"), RegionKind::kAggregate);
  EXPECT_EQ(RegionKindOf("eu"), RegionKind::kAggregate);
  EXPECT_EQ(RegionKindOf("xx"), std::nullopt);
  EXPECT_EQ(RegionKindOf(""), std::nullopt);
}

}  // namespace
}  // namespace hitclock::ingest::core
