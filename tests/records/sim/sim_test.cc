#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/records/sim/generator.h"
#include "services/records/sim/output.h"
#include "services/records/sim/regions.h"

namespace hitclock::records::sim {
namespace {

GeneratorOptions SmallOptions(uint64_t seed) {
  GeneratorOptions options;
  options.seed = seed;
  options.include_aggregates = true;
  options.top_k = 40;
  options.days = 2;
  options.track_count = 600;
  return options;
}

// FNV-1a over the JSON lines of a run.
uint64_t HashRun(const GeneratorOptions& options) {
  uint64_t hash = 1469598103934665603ULL;
  std::string line;
  Generator(options).Run([&](const SimSnapshot& snapshot) {
    line.clear();
    AppendSnapshotJson(snapshot, JsonLineShape::kSubmitSnapshotRequest, &line);
    for (char c : line) {
      hash = (hash ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
    }
  });
  return hash;
}

TEST(GeneratorTest, SameSeedSameBytes) {
  EXPECT_EQ(HashRun(SmallOptions(7)), HashRun(SmallOptions(7)));
  EXPECT_NE(HashRun(SmallOptions(7)), HashRun(SmallOptions(8)));
}

TEST(GeneratorTest, ChartsAreWellFormedAndCapturesIncrease) {
  const GeneratorOptions options = SmallOptions(3);
  Generator generator(options);
  std::map<std::string, int64_t> last_capture;
  int64_t previous_capture = 0;
  int64_t snapshots = 0;
  std::set<std::string> regions;
  generator.Run([&](const SimSnapshot& snapshot) {
    ++snapshots;
    regions.insert(snapshot.region);
    EXPECT_EQ(snapshot.chart, "itunes/top-songs");
    EXPECT_EQ(snapshot.chart_size, 40);
    ASSERT_EQ(snapshot.entries.size(), 40u) << "every region has 40 tracks";
    std::set<std::string> tracks;
    for (size_t i = 0; i < snapshot.entries.size(); ++i) {
      EXPECT_EQ(snapshot.entries[i].position, static_cast<int>(i) + 1);
      EXPECT_TRUE(tracks.insert(snapshot.entries[i].track_id).second)
          << "a track twice in one chart";
    }
    auto [it, inserted] =
        last_capture.emplace(snapshot.region, snapshot.capture_micros);
    if (!inserted) {
      EXPECT_LT(it->second, snapshot.capture_micros);
      EXPECT_EQ(snapshot.capture_micros - it->second, options.interval_micros);
      it->second = snapshot.capture_micros;
    }
    EXPECT_LE(previous_capture, snapshot.capture_micros) << "time order";
    previous_capture = snapshot.capture_micros;
    EXPECT_GE(snapshot.capture_micros, options.start_micros);
    EXPECT_LT(snapshot.capture_micros,
              options.start_micros + 2 * 86'400'000'000LL);
  });
  EXPECT_EQ(regions.size(), 121u);
  EXPECT_EQ(snapshots, 121 * 2 * 288);
}

TEST(GeneratorTest, RealisticChurnAndReentries) {
  GeneratorOptions options = SmallOptions(11);
  options.days = 10;
  options.top_k = 100;
  options.track_count = 2000;
  options.regions = {"us", "gb", "jp", "br", "de", "ph"};
  options.include_aggregates = false;
  std::set<int> distinct;
  std::map<std::pair<std::string, int>, int64_t> last_seen;  // region, track
  int reentries = 0;
  std::map<std::string, int64_t> previous;
  std::map<std::string, std::string> previous_number_one;
  int number_one_changes = 0;
  Generator(options).Run([&](const SimSnapshot& snapshot) {
    const int64_t before =
        previous.count(snapshot.region) ? previous[snapshot.region] : -1;
    for (const SimEntry& entry : snapshot.entries) {
      distinct.insert(entry.track_index);
      auto key = std::make_pair(snapshot.region, entry.track_index);
      auto it = last_seen.find(key);
      if (it != last_seen.end() && it->second != before) ++reentries;
      last_seen[key] = snapshot.capture_micros;
    }
    std::string& top = previous_number_one[snapshot.region];
    if (!top.empty() && top != snapshot.entries[0].track_id) {
      ++number_one_changes;
    }
    top = snapshot.entries[0].track_id;
    previous[snapshot.region] = snapshot.capture_micros;
  });
  EXPECT_GT(distinct.size(), 500u);
  EXPECT_GT(reentries, 100);
  EXPECT_GT(number_one_changes, 30);
}

TEST(GeneratorTest, ShuffledAndBackfillOrdersHoldTheSameSnapshots) {
  GeneratorOptions options = SmallOptions(5);
  options.days = 0.5;
  auto collect = [](const GeneratorOptions& o) {
    std::vector<std::string> lines;
    Generator(o).Run([&](const SimSnapshot& snapshot) {
      std::string line;
      AppendSnapshotJson(snapshot, JsonLineShape::kChartSnapshot, &line);
      lines.push_back(line);
    });
    return lines;
  };
  const std::vector<std::string> in_time = collect(options);
  options.order = EmitOrder::kShuffled;
  options.order_seed = 9;
  const std::vector<std::string> shuffled = collect(options);
  EXPECT_EQ(shuffled, collect(options)) << "the shuffle is deterministic";
  EXPECT_NE(shuffled, in_time);
  EXPECT_EQ(std::multiset<std::string>(shuffled.begin(), shuffled.end()),
            std::multiset<std::string>(in_time.begin(), in_time.end()));
  options.order = EmitOrder::kBackfill;
  const std::vector<std::string> backfill = collect(options);
  EXPECT_NE(backfill, in_time);
  EXPECT_EQ(std::multiset<std::string>(backfill.begin(), backfill.end()),
            std::multiset<std::string>(in_time.begin(), in_time.end()));
}

TEST(OutputTest, Timestamps) {
  int64_t micros = 0;
  ASSERT_TRUE(ParseTimestamp("2022-04-24T19:44:00Z", &micros));
  EXPECT_EQ(micros, 1650829440LL * 1'000'000);
  EXPECT_EQ(FormatTimestamp(micros), "2022-04-24T19:44:00Z");
  EXPECT_EQ(FormatTimestamp(micros + 250'000), "2022-04-24T19:44:00.250Z");
  EXPECT_EQ(FormatTimestamp(micros + 7), "2022-04-24T19:44:00.000007Z");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  ASSERT_TRUE(ParseTimestamp("2022-04-25T00:00:00+09:00", &micros));
  EXPECT_EQ(FormatTimestamp(micros), "2022-04-24T15:00:00Z");
  EXPECT_FALSE(ParseTimestamp("2022-04-24 19:44", &micros));
}

TEST(OutputTest, JsonAndCsvShapes) {
  SimSnapshot snapshot;
  snapshot.chart = "itunes/top-songs";
  snapshot.region = "ww";
  snapshot.capture_micros = 1650829440LL * 1'000'000;
  snapshot.chart_size = 1;
  snapshot.entries.push_back(
      {"x", 1, "A \"quoted\", title", "B & C", "123", 0});
  std::string json;
  AppendSnapshotJson(snapshot, JsonLineShape::kSubmitSnapshotRequest, &json);
  EXPECT_EQ(json,
            "{\"snapshot\":{\"chart\":{\"provider\":\"itunes\",\"list\":\"top-"
            "songs\"},\"region\":{\"code\":\"ww\",\"kind\":\"REGION_KIND_"
            "AGGREGATE\"},\"captureTime\":\"2022-04-24T19:44:00Z\","
            "\"entries\":[{\"position\":1,\"entry\":{\"title\":\"A "
            "\\\"quoted\\\", title\",\"artistCredit\":\"B & "
            "C\",\"providerTrackId\":\"123\"}}]}}\n");
  std::string csv;
  AppendSnapshotCsv(snapshot, &csv);
  EXPECT_EQ(csv,
            "itunes/top-songs,ww,2022-04-24T19:44:00Z,1,x,\"A \"\"quoted\"\", "
            "title\",B & C,123\n");
}

TEST(RegionsTest, TheSongChartStorefronts) {
  const auto& regions = ItunesSongChartRegions();
  EXPECT_EQ(regions.size(), 119u);
  EXPECT_EQ(std::set<std::string>(regions.begin(), regions.end()).size(), 119u);
  for (const char* absent : {"kr", "cn", "ww", "eu"}) {
    EXPECT_EQ(std::count(regions.begin(), regions.end(), absent), 0) << absent;
  }
  EXPECT_TRUE(IsAggregateRegion("ww"));
  EXPECT_FALSE(IsAggregateRegion("us"));
}

}  // namespace
}  // namespace hitclock::records::sim
