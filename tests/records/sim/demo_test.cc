// The demo scenario against SEED-FACTS.md, recomputed here by brute force
// from the definitions of DOMAIN.md, independently of the records core.

#include "services/records/sim/demo.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/records/sim/output.h"
#include "services/records/sim/regions.h"

namespace hitclock::records::sim {
namespace {

constexpr int64_t kMinute = 60'000'000;

int64_t At(const char* text) {
  int64_t micros = 0;
  EXPECT_TRUE(ParseTimestamp(text, &micros)) << text;
  return micros;
}

std::vector<SimSnapshot> Demo(const DemoOptions& options = {}) {
  std::vector<SimSnapshot> snapshots;
  GenerateDemo(options, [&](const SimSnapshot& s) { snapshots.push_back(s); });
  return snapshots;
}

// The first crossing (position <= 1) of one track in one region, with the
// region's previous capture.
struct Crossing {
  std::string region;
  int64_t capture = 0;
  int64_t previous_capture = -1;  // -1: no earlier capture
};

// Brute force over all snapshots, in any order: for each region, sort its
// captures, find the first where the track's best-placed version is #1.
std::vector<Crossing> Crossings(const std::vector<SimSnapshot>& snapshots,
                                const std::string& track_id,
                                bool include_aggregates) {
  std::map<std::string, std::map<int64_t, int>> best;  // region -> t -> pos
  for (const SimSnapshot& s : snapshots) {
    if (!include_aggregates && IsAggregateRegion(s.region)) continue;
    int position = 1 << 30;
    for (const SimEntry& e : s.entries) {
      if (e.track_id == track_id) position = std::min(position, e.position);
    }
    best[s.region][s.capture_micros] = position;
  }
  std::vector<Crossing> crossings;
  for (const auto& [region, captures] : best) {
    int64_t previous = -1;
    for (const auto& [t, position] : captures) {
      if (position <= 1) {
        crossings.push_back({region, t, previous});
        break;
      }
      previous = t;
    }
  }
  std::sort(crossings.begin(), crossings.end(),
            [](const Crossing& a, const Crossing& b) {
              return a.capture != b.capture ? a.capture < b.capture
                                            : a.region < b.region;
            });
  return crossings;
}

class DemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { snapshots_ = new auto(Demo()); }
  static void TearDownTestSuite() { delete snapshots_; }
  static const std::vector<SimSnapshot>& snapshots() { return *snapshots_; }

 private:
  static std::vector<SimSnapshot>* snapshots_;
};
std::vector<SimSnapshot>* DemoTest::snapshots_ = nullptr;

TEST_F(DemoTest, WithYouReaches100CountriesInExactly4h44m) {
  const int64_t release = At("2022-04-24T15:00:00Z");
  const std::vector<Crossing> crossings =
      Crossings(snapshots(), "with-you", /*include_aggregates=*/false);
  ASSERT_GE(crossings.size(), 100u);
  const Crossing& hundredth = crossings[99];
  EXPECT_EQ(hundredth.capture - release, (4 * 60 + 44) * kMinute);
  EXPECT_EQ(FormatTimestamp(hundredth.capture), "2022-04-24T19:44:00Z");
  EXPECT_EQ(hundredth.region, "pe");
  EXPECT_LT(crossings[98].capture, hundredth.capture)
      << "the 100th country is the only one crossing at 19:44";
  // Bounds: that region's previous capture, 5 minutes earlier.
  EXPECT_EQ(FormatTimestamp(hundredth.previous_capture),
            "2022-04-24T19:39:00Z");
  for (const Crossing& c : crossings) EXPECT_GT(c.capture, release);
  std::set<std::string> first_100;
  for (size_t i = 0; i < 100; ++i) first_100.insert(crossings[i].region);
  for (const char* code : {"us", "es", "gb", "jp", "sg", "tw"}) {
    EXPECT_EQ(first_100.count(code), 1u) << code;
  }
  EXPECT_EQ(crossings.size(), 117u) << "total countries at #1";
}

TEST_F(DemoTest, WithYouIsNumberOneOnAggregatesWhichDoNotCount) {
  const std::vector<Crossing> all =
      Crossings(snapshots(), "with-you", /*include_aggregates=*/true);
  std::map<std::string, int64_t> first;
  for (const Crossing& c : all) first[c.region] = c.capture;
  ASSERT_EQ(first.count("ww"), 1u);
  ASSERT_EQ(first.count("eu"), 1u);
  const int64_t hundredth_country = At("2022-04-24T19:44:00Z");
  EXPECT_LT(first["ww"], hundredth_country);
  EXPECT_LT(first["eu"], hundredth_country);
  // Counting them would (wrongly) complete 100 earlier.
  EXPECT_LT(all[99].capture, hundredth_country);
}

TEST_F(DemoTest, DynamiteReaches100CountriesInExactly7h58m) {
  const int64_t release = At("2020-08-21T04:00:00Z");
  const std::vector<Crossing> crossings =
      Crossings(snapshots(), "dynamite", false);
  ASSERT_GE(crossings.size(), 100u);
  EXPECT_EQ(crossings[99].capture - release, (7 * 60 + 58) * kMinute);
  EXPECT_EQ(crossings[99].region, "nl");
  EXPECT_LT(crossings[98].capture, crossings[99].capture);
  EXPECT_EQ(crossings[99].capture - crossings[99].previous_capture,
            5 * kMinute);
}

TEST_F(DemoTest, DynamiteHoldsTheRecordWhenWithYouArrives) {
  // Every track that reached 100 countries before With You's release did
  // so more slowly than Dynamite; With You is faster still.
  std::map<std::string, int64_t> release = {
      {"dynamite", At("2020-08-21T04:00:00Z")},
      {"with-you", At("2022-04-24T15:00:00Z")},
      {"velvet-skyline", At("2019-11-08T05:00:00Z")},
      {"starlight-parade", At("2021-06-04T04:00:00Z")},
  };
  std::set<std::string> all_tracks;
  for (const SimSnapshot& s : snapshots()) {
    for (const SimEntry& e : s.entries) all_tracks.insert(e.track_id);
  }
  const int64_t dynamite = (7 * 60 + 58) * kMinute;
  for (const std::string& track : all_tracks) {
    const std::vector<Crossing> c = Crossings(snapshots(), track, false);
    if (c.size() < 100) continue;
    ASSERT_EQ(release.count(track), 1u) << track << " reaches 100";
    const int64_t value = c[99].capture - release[track];
    if (track == "with-you") {
      EXPECT_LT(value, dynamite);
    } else if (track != "dynamite") {
      EXPECT_GT(value, dynamite) << track;
    }
  }
}

TEST_F(DemoTest, YoursIsNumberOneIn82CountriesInTotal) {
  const std::vector<Crossing> crossings =
      Crossings(snapshots(), "yours", false);
  EXPECT_EQ(crossings.size(), 82u);
  std::set<std::string> countries;
  for (const Crossing& c : crossings) countries.insert(c.region);
  for (const char* code :
       {"us", "gb", "jp", "fr", "de", "au", "br", "ca", "id", "my", "it", "mx",
        "no", "ru", "th", "se", "ae", "ph"}) {
    EXPECT_EQ(countries.count(code), 1u) << code;
  }
}

TEST_F(DemoTest, OtherKoreanSolo2021TracksStayBelowYours) {
  EXPECT_EQ(Crossings(snapshots(), "paper-lanterns", false).size(), 57u);
  EXPECT_EQ(Crossings(snapshots(), "glass-orbit", false).size(), 64u);
  // A duet of two soloists (not a solo track) may pass Yours.
  EXPECT_EQ(Crossings(snapshots(), "two-moons", false).size(), 88u);
}

TEST_F(DemoTest, ChartsAreWellFormed) {
  std::map<std::string, int64_t> last;
  std::set<std::string> regions;
  int64_t previous = 0;
  for (const SimSnapshot& s : snapshots()) {
    regions.insert(s.region);
    EXPECT_EQ(s.chart, "itunes/top-songs");
    ASSERT_EQ(s.entries.size(), static_cast<size_t>(kDemoChartSize));
    std::set<std::string> provider_ids;
    for (size_t i = 0; i < s.entries.size(); ++i) {
      EXPECT_EQ(s.entries[i].position, static_cast<int>(i) + 1);
      EXPECT_TRUE(provider_ids.insert(s.entries[i].provider_track_id).second);
      const DemoItem& item = DemoItems()[s.entries[i].track_index];
      EXPECT_EQ(item.provider_track_id, s.entries[i].provider_track_id);
    }
    auto [it, inserted] = last.emplace(s.region, s.capture_micros);
    if (!inserted) {
      EXPECT_LT(it->second, s.capture_micros) << s.region;
      it->second = s.capture_micros;
    }
    EXPECT_LE(previous, s.capture_micros);
    previous = s.capture_micros;
  }
  EXPECT_EQ(regions.size(), 121u);
}

TEST_F(DemoTest, CreditsAsThePrintedCharts) {
  for (const SimSnapshot& s : snapshots()) {
    for (const SimEntry& e : s.entries) {
      if (e.track_id == "with-you") {
        EXPECT_EQ(e.artist_credit, "HA SUNG WOON & Jimin");
        EXPECT_EQ(e.provider_track_id, "900000101");
      }
    }
  }
}

TEST(DemoDeterminismTest, SameBytesEveryRunAndOrderIndependentFigures) {
  auto json = [](const DemoOptions& options) {
    std::string out;
    GenerateDemo(options, [&](const SimSnapshot& s) {
      AppendSnapshotJson(s, JsonLineShape::kSubmitSnapshotRequest, &out);
    });
    return out;
  };
  const std::string first = json({});
  EXPECT_EQ(first, json({}));
  EXPECT_LT(first.size(), 8u << 20) << "the demo stays compact";

  DemoOptions shuffled;
  shuffled.order = EmitOrder::kShuffled;
  shuffled.order_seed = 42;
  const std::vector<SimSnapshot> snapshots = Demo(shuffled);
  const std::vector<Crossing> crossings =
      Crossings(snapshots, "with-you", false);
  ASSERT_GE(crossings.size(), 100u);
  EXPECT_EQ(FormatTimestamp(crossings[99].capture), "2022-04-24T19:44:00Z");
}

TEST(DemoDenseTest, EveryPollGivesTheSameFigures) {
  DemoOptions dense;
  dense.only_changed = false;
  std::map<std::string, std::map<int64_t, int>> with_you;  // region, t, pos
  std::map<std::string, int64_t> last;
  int64_t count = 0;
  GenerateDemo(dense, [&](const SimSnapshot& s) {
    ++count;
    auto [it, inserted] = last.emplace(s.region, s.capture_micros);
    if (!inserted) {
      // Every 5 minutes within an episode; months between episodes.
      const int64_t gap = s.capture_micros - it->second;
      EXPECT_TRUE(gap == 5 * kMinute || gap > 24 * 60 * kMinute)
          << s.region << " " << gap;
      it->second = s.capture_micros;
    }
    if (IsAggregateRegion(s.region) ||
        s.capture_micros < At("2022-04-24T00:00:00Z")) {
      return;
    }
    for (const SimEntry& e : s.entries) {
      if (e.track_id == "with-you") {
        with_you[s.region][s.capture_micros] = e.position;
      }
    }
  });
  std::vector<int64_t> firsts;
  for (const auto& [region, captures] : with_you) {
    for (const auto& [t, position] : captures) {
      if (position == 1) {
        firsts.push_back(t);
        break;
      }
    }
  }
  std::sort(firsts.begin(), firsts.end());
  ASSERT_GE(firsts.size(), 100u);
  EXPECT_EQ(FormatTimestamp(firsts[99]), "2022-04-24T19:44:00Z");
  EXPECT_GT(count, 100000);
}

}  // namespace
}  // namespace hitclock::records::sim
