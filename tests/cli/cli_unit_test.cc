// The pure parts of the `hitclock` command: output rendering (text tables,
// JSON, CSV), durations and instants, the words of the arguments, the views
// of records' answers, the plot series and the completion scripts.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/completion.h"
#include "cli/feed_files.h"
#include "cli/output.h"
#include "cli/plot_series.h"
#include "cli/records_view.h"
#include "cli/session.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace hitclock::client {
namespace {

using google::protobuf::util::TimeUtil;

TEST(FormatDurationTest, ReadsLikeTrackers) {
  EXPECT_EQ(FormatDuration(17040), "4h 44m 0s");
  EXPECT_EQ(FormatDuration(28680), "7h 58m 0s");
  EXPECT_EQ(FormatDuration(59), "59s");
  EXPECT_EQ(FormatDuration(61), "1m 1s");
  EXPECT_EQ(FormatDuration(2 * 86400 + 3600 + 10), "2d 1h 0m 10s");
  EXPECT_EQ(FormatDuration(-3720), "-1h 2m 0s");
  EXPECT_EQ(FormatDuration(1, 500000000), "1.5s");
  EXPECT_EQ(FormatDuration(0), "0s");
}

TEST(TimeTest, FormatsAndParses) {
  google::protobuf::Timestamp t = TimeUtil::SecondsToTimestamp(1650812400);
  EXPECT_EQ(FormatTime(t), "2022-04-24T15:00:00Z");
  EXPECT_EQ(FormatTime(google::protobuf::Timestamp()), "");
  auto parsed = ParseTime("2022-04-24T15:00:00Z");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->seconds(), 1650812400);
  auto offset = ParseTime("2022-04-25T00:00:00+09:00");
  ASSERT_TRUE(offset);
  EXPECT_EQ(offset->seconds(), 1650812400);
  auto date = ParseTime("2022-04-24");
  ASSERT_TRUE(date);
  EXPECT_EQ(date->seconds(), 1650758400);
  EXPECT_FALSE(ParseTime("yesterday"));
  EXPECT_FALSE(ParseTime(""));
}

TEST(JsonTest, DumpsValidJson) {
  Json j = Json::object();
  j["s"] = "a \"quoted\"\n\\ \x01";
  j["i"] = int64_t{17040};
  j["d"] = 4.5;
  j["b"] = true;
  j["n"] = Json();
  j["a"] = Json::array({1, "x"});
  j["e"] = Json::array();
  j["i"] = 1;  // replaces, keeps the place
  EXPECT_EQ(DumpJson(j, false),
            "{\"s\":\"a \\\"quoted\\\"\\n\\\\ \\u0001\",\"i\":1,\"d\":4.5,"
            "\"b\":true,\"n\":null,\"a\":[1,\"x\"],\"e\":[]}");
  EXPECT_EQ(DumpJson(Json::object()), "{}");
  Json k = Json::object();
  k["k"] = 2;
  EXPECT_EQ(DumpJson(Json::array({k})), "[\n  {\n    \"k\": 2\n  }\n]");
}

TEST(JsonTest, WritesWholeNumbersAsIntegersAndTextAsUtf8) {
  EXPECT_EQ(DumpJson(17040.0), "17040");
  EXPECT_EQ(DumpJson(-0.0), "0");
  EXPECT_EQ(DumpJson(0.25), "0.25");
  EXPECT_EQ(JsonCell(17040.5), "17040.5");
  EXPECT_EQ(DumpJson("하성운 / Beyoncé"), "\"하성운 / Beyoncé\"");
  EXPECT_EQ(DumpJson("bad \xff byte"), "\"bad \xEF\xBF\xBD byte\"");
}

TEST(JsonTest, ProtoToJsonKeepsFieldNames) {
  records::v1::TrackSummary t;
  t.set_track_id("with-you");
  t.set_title("With You");
  *t.mutable_release_time() = TimeUtil::SecondsToTimestamp(1650812400);
  EXPECT_EQ(DumpJson(ProtoToJson(t), false),
            "{\"release_time\":\"2022-04-24T15:00:00Z\",\"title\":\"With "
            "You\",\"track_id\":\"with-you\"}");
}

TEST(CsvTest, QuotesWhatNeedsIt) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("Charlie Puth, Jung Kook"), "\"Charlie Puth, Jung Kook\"");
  EXPECT_EQ(CsvField("The \"Quoted\" Song"), "\"The \"\"Quoted\"\" Song\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(" padded"), "\" padded\"");
  EXPECT_EQ(CsvField(""), "");
}

Table Sample() {
  Table t;
  t.columns = {{"rank", "RANK"},
               {"id", "ID", false},
               {"title", "TRACK"},
               {"value", "REGIONS"}};
  t.rows = {{1, "yours", "Yours", 82}, {10, "x", "하성운, \"A\"", 7}};
  return t;
}

TEST(TableTest, TextIsAlignedWithNumbersRight) {
  std::ostringstream out;
  PrintTable(Sample(), Format::kText, out);
  EXPECT_EQ(out.str(),
            "RANK  TRACK        REGIONS\n"
            "   1  Yours             82\n"
            "  10  하성운, \"A\"        7\n");
}

TEST(TableTest, CsvHasHeaderAndQuotedRows) {
  std::ostringstream out;
  PrintTable(Sample(), Format::kCsv, out);
  EXPECT_EQ(out.str(),
            "rank,id,title,value\r\n1,yours,Yours,82\r\n"
            "10,x,\"하성운, \"\"A\"\"\",7\r\n");
}

TEST(TableTest, JsonIsAnArrayOfObjects) {
  std::ostringstream out;
  PrintTable(Sample(), Format::kJson, out);
  EXPECT_EQ(DumpJson(Sample().ToJson(), false),
            "[{\"rank\":1,\"id\":\"yours\",\"title\":\"Yours\",\"value\":82},"
            "{\"rank\":10,\"id\":\"x\",\"title\":\"하성운, \\\"A\\\"\","
            "\"value\":7}]");
  EXPECT_EQ(out.str(), DumpJson(Sample().ToJson()) + "\n");
}

TEST(TableTest, EmptyTextSaysSo) {
  Table t;
  t.columns = {{"a", "A"}};
  std::ostringstream out;
  PrintTable(t, Format::kText, out, "(nothing)");
  EXPECT_EQ(out.str(), "(nothing)\n");
}

TEST(DisplayWidthTest, CountsWideCharactersTwice) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("하성운"), 6);
  EXPECT_EQ(DisplayWidth("Beyoncé"), 7);
  EXPECT_EQ(DisplayWidth("—"), 1);
}

TEST(ArgsTest, Charts) {
  auto chart = ParseChart("iTunes/Top-Songs");
  ASSERT_TRUE(chart.ok());
  EXPECT_EQ(ChartName(*chart), "itunes/top-songs");
  EXPECT_FALSE(ParseChart("itunes").ok());
  EXPECT_FALSE(ParseChart("/x").ok());
  EXPECT_FALSE(ParseChart("itunes/top-songs/x").ok());
  // The halves are checked as every service checks them: slugs only.
  auto spaced = ParseChart("itunes/top songs");
  ASSERT_FALSE(spaced.ok());
  EXPECT_EQ(spaced.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(spaced.status().message(), "--chart.list: "))
      << spaced.status().message();
}

TEST(ArgsTest, NumberChecksReadAsAPersonWouldSayThem) {
  CLI::App app;
  int regions = 0;
  int position = 0;
  app.add_option("-n,--regions", regions)->check(Positive());
  app.add_option("-p,--position", position)->check(InRange(1, 500));
  auto error_of = [&](std::vector<std::string> args) -> std::string {
    std::reverse(args.begin(), args.end());
    try {
      app.parse(args);
    } catch (const CLI::ParseError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error_of({"--regions", "0"}),
            "--regions: must be more than 0 (got 0)");
  EXPECT_EQ(error_of({"--regions", "ten"}),
            "--regions: must be a number (got ten)");
  EXPECT_EQ(error_of({"--position", "501"}),
            "--position: must be 1 to 500 (got 501)");
  EXPECT_EQ(error_of({"--regions", "82", "--position", "1"}), "");
  EXPECT_EQ(regions, 82);
  EXPECT_EQ(position, 1);
}

TEST(FeedFilesTest, TellsTheKindOfAppleFeed) {
  EXPECT_EQ(JsonFeedFormat("a.json", R"({"feed": {"results": []}})"),
            ingest::v1::FEED_FORMAT_APPLE_RSS_V2_JSON);
  EXPECT_EQ(JsonFeedFormat("a.json", R"({"feed": {"entry": []}})"),
            ingest::v1::FEED_FORMAT_ITUNES_RSS_JSON);
  auto message_of = [](const std::string& text) -> std::string {
    try {
      JsonFeedFormat("f.json", text);
    } catch (const CommandError& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage);
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message_of("[1, 2"),
            "f.json: not JSON (an Apple RSS feed was expected; native "
            "snapshots go in .jsonl files)");
  EXPECT_EQ(message_of(R"({"feed": []})"),
            "f.json: neither Apple RSS v2 JSON (feed.results) nor the legacy "
            "iTunes RSS JSON (feed.entry)");
  // 100,000 levels deep (200 KB) is refused at the depth limit, not parsed
  // (it once ran past a minute). 64 levels are still JSON.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(message_of(deep),
            "f.json: JSON nested deeper than 64 levels (an Apple RSS feed is "
            "5 deep)");
  const std::string ok_depth = std::string(64, '[') + std::string(64, ']');
  EXPECT_EQ(message_of(ok_depth),
            "f.json: neither Apple RSS v2 JSON (feed.results) nor the legacy "
            "iTunes RSS JSON (feed.entry)");
}

TEST(ArgsTest, Metrics) {
  EXPECT_EQ(*ParseMetric("fastest"), records::v1::METRIC_FASTEST);
  EXPECT_EQ(*ParseMetric("ALLKILL"), records::v1::METRIC_ALL_KILL);
  EXPECT_EQ(*ParseMetric("all-kill"), records::v1::METRIC_ALL_KILL);
  EXPECT_FALSE(ParseMetric("slowest").ok());
  EXPECT_EQ(MetricName(records::v1::METRIC_PEAK), "peak");
}

TEST(ArgsTest, CategoriesAndTogether) {
  auto c = ParseCategory({"solo,country=kr", "year=2021"});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->performer(), records::v1::PERFORMER_SOLO_TRACK);
  EXPECT_EQ(c->origin_country(), "KR");
  EXPECT_EQ(c->release_year(), 2021);
  EXPECT_EQ(CategoryName(*c), "solo, KR, 2021");

  auto bare = ParseCategory({"ost", "soloist", "KR", "2022"});
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->track_kind(), catalog::v1::TRACK_KIND_OST);
  EXPECT_EQ(bare->performer(), records::v1::PERFORMER_BY_SOLOIST);
  EXPECT_EQ(CategoryName(*bare), "ost, soloist, KR, 2022");

  EXPECT_EQ(CategoryName(*ParseCategory({})), "all tracks");
  EXPECT_TRUE(ParseCategory({"ost", "kind=ost"}).ok());  // same twice: fine
  EXPECT_FALSE(ParseCategory({"ost", "single"}).ok());
  EXPECT_FALSE(ParseCategory({"solo", "group"}).ok());
  EXPECT_FALSE(ParseCategory({"year=2020", "2021"}).ok());
  EXPECT_FALSE(ParseCategory({"country=KOR"}).ok());
  EXPECT_FALSE(ParseCategory({"colour=red"}).ok());
  EXPECT_FALSE(ParseCategory({"sparkly"}).ok());
}

TEST(ArgsTest, ProviderIds) {
  auto id = ParseProviderId("itunes:1619364935:explicit");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->provider(), "itunes");
  EXPECT_EQ(id->id(), "1619364935");
  EXPECT_EQ(id->version(), common::v1::TRACK_VERSION_EXPLICIT);
  EXPECT_FALSE(ParseProviderId("1619364935").ok());
  EXPECT_FALSE(ParseProviderId("itunes:1:weird").ok());
}

records::v1::GetTimeToThresholdResponse WithYou() {
  records::v1::GetTimeToThresholdResponse r;
  r.mutable_track()->set_track_id("with-you");
  r.mutable_track()->set_title("With You");
  r.mutable_track()->set_artists("Ha Sung-woon & Jimin");
  r.set_reached(true);
  r.mutable_time_to_threshold()->set_seconds(17040);
  const int64_t release = 1650812400;
  *r.mutable_reference_time() = TimeUtil::SecondsToTimestamp(release);
  *r.mutable_reach_time() = TimeUtil::SecondsToTimestamp(release + 17040);
  r.mutable_completing_region()->set_code("es");
  *r.mutable_bounds()->mutable_start_time() =
      TimeUtil::SecondsToTimestamp(release + 16740);
  *r.mutable_bounds()->mutable_end_time() = *r.mutable_reach_time();
  r.set_region_count(2);
  r.set_eligible_region_count(119);
  // Two regions at one capture, then the completing one.
  for (auto [code, at] : std::vector<std::pair<const char*, int64_t>>{
           {"us", 3600}, {"gb", 3600}, {"es", 17040}}) {
    auto* c = r.add_crossings();
    c->mutable_region()->set_code(code);
    *c->mutable_capture_time() = TimeUtil::SecondsToTimestamp(release + at);
    c->set_position(1);
    c->mutable_elapsed()->set_seconds(at);
  }
  return r;
}

TEST(RecordsViewTest, Ttt) {
  const auto r = WithYou();
  Json j = TttJson(r, "itunes/top-songs", 1, 3);
  const std::string text = DumpJson(j, false);
  EXPECT_NE(text.find("\"seconds\":17040"), std::string::npos) << text;
  EXPECT_NE(text.find("\"duration\":\"4h 44m 0s\""), std::string::npos);
  EXPECT_NE(text.find("\"completing_region\":\"es\""), std::string::npos);
  EXPECT_NE(text.find("\"bounds_start\":\"2022-04-24T19:39:00Z\""),
            std::string::npos);
  Table crossings = CrossingsTable(r);
  ASSERT_EQ(crossings.rows.size(), 3u);
  EXPECT_EQ(JsonCell(crossings.rows[2][2]), "es");
  EXPECT_EQ(ThresholdText(1, 100, false), "#1 in 100 countries");
  EXPECT_EQ(ThresholdText(10, 1, false), "top 10 in 1 country");
  EXPECT_EQ(ThresholdText(1, 2, true), "#1 in 2 regions");
}

TEST(RecordsViewTest, EventLine) {
  records::v1::RecordBrokenEvent e;
  auto* key = e.mutable_record();
  key->mutable_chart()->set_provider("itunes");
  key->mutable_chart()->set_list("top-songs");
  key->set_metric(records::v1::METRIC_FASTEST);
  key->set_min_regions(100);
  e.mutable_new_holder()->mutable_track()->set_title("With You");
  e.mutable_new_holder()->mutable_track()->set_artists("Ha Sung-woon & Jimin");
  e.mutable_new_holder()->mutable_value()->mutable_duration()->set_seconds(
      17040);
  e.mutable_previous_holder()->mutable_track()->set_title("Dynamite");
  e.mutable_previous_holder()->mutable_track()->set_artists("BTS");
  e.mutable_previous_holder()->mutable_value()->mutable_duration()->set_seconds(
      28680);
  e.set_backfilled(true);
  *e.mutable_detect_time() = TimeUtil::SecondsToTimestamp(1650829440);
  EXPECT_EQ(EventLine(e),
            "2022-04-24T19:44:00Z  RECORD fastest to #1 in 100 countries · "
            "itunes/top-songs · all tracks: With You (Ha Sung-woon & Jimin) "
            "4h 44m 0s, beating Dynamite (BTS) 7h 58m 0s; snapshot  "
            " [backfilled]");
  Json j = EventJson(e);
  EXPECT_NE(DumpJson(j, false).find("\"previous_seconds\":28680"),
            std::string::npos);
}

TEST(PlotSeriesTest, StepsFromCrossings) {
  auto spec = BuildPlotSpec({WithYou()}, "itunes/top-songs", 1, 3, 0);
  EXPECT_EQ(spec.title, "Race to #1 in 3 countries");
  EXPECT_EQ(spec.threshold, 3);
  ASSERT_EQ(spec.series.size(), 1u);
  const auto& s = spec.series[0];
  EXPECT_EQ(s.label, "With You");
  ASSERT_TRUE(s.crossing_hours);
  EXPECT_DOUBLE_EQ(*s.crossing_hours, 17040 / 3600.0);
  // us and gb at one capture make one step; the axis ends at 1.5 x the
  // crossing.
  ASSERT_EQ(s.points.size(), 3u);
  EXPECT_DOUBLE_EQ(s.points[0].hours, 1.0);
  EXPECT_EQ(s.points[0].count, 2);
  EXPECT_EQ(s.points[1].count, 3);
  EXPECT_DOUBLE_EQ(s.points[2].hours, 1.5 * 17040 / 3600.0);
  EXPECT_EQ(s.points[2].count, 3);

  auto cut = BuildPlotSpec({WithYou()}, "itunes/top-songs", 1, 3, 2.0);
  ASSERT_EQ(cut.series[0].points.size(), 2u);
  EXPECT_DOUBLE_EQ(cut.series[0].points[1].hours, 2.0);
  EXPECT_EQ(cut.series[0].points[1].count, 2);
}

TEST(CompletionTest, NamesEveryCommandAndOption) {
  CLI::App app{"test", "hitclock"};
  app.add_option("--output", "o");
  CommandList commands;
  AddCatalogCommands(app, commands);
  AddImportCommand(app, commands);
  AddRecordsCommands(app, commands);
  AddPlotCommand(app, commands);
  AddCompletionCommand(app, commands);
  for (const char* shell : {"bash", "zsh"}) {
    auto script = CompletionScript(app, shell);
    ASSERT_TRUE(script) << shell;
    for (const char* word :
         {"\" catalog artist\")", "leaderboard", "lineage", "watch", "plot",
          "--crossings", "--page-token", "--category", "fastest total peak",
          "text json csv", "--dir"}) {
      EXPECT_NE(script->find(word), std::string::npos) << shell << ": " << word;
    }
  }
  EXPECT_FALSE(CompletionScript(app, "fish"));
}

}  // namespace
}  // namespace hitclock::client
