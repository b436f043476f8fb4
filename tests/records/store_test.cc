// The records store against a real SQLite file: round trips, replacement,
// content deduplication, and a reopen that rebuilds an engine answering
// exactly as the one fed directly.
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/records/core/records_engine.h"
#include "services/records/store/records_store.h"
#include "tests/records/records_fixtures.h"

namespace hitclock::records {
namespace {

using fixtures::kMinute;

core::Snapshot Snap(const std::string& region, int64_t t, int size,
                    std::vector<core::SnapshotEntry> entries) {
  return core::Snapshot{.chart = "itunes/top-songs",
                        .region = region,
                        .capture_time = t,
                        .chart_size = size,
                        .entries = std::move(entries)};
}

// Whether two snapshots hold the same identity, size and entries.
bool Same(const core::Snapshot& a, const core::Snapshot& b) {
  if (a.chart != b.chart || a.region != b.region ||
      a.capture_time != b.capture_time || a.chart_size != b.chart_size ||
      a.entries.size() != b.entries.size()) {
    return false;
  }
  for (size_t i = 0; i < a.entries.size(); ++i) {
    if (a.entries[i].track_id != b.entries[i].track_id ||
        a.entries[i].position != b.entries[i].position) {
      return false;
    }
  }
  return true;
}

class RecordsStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("records-store");
    path_ = (dir_ / "records.db").string();
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto store = RecordsStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  StoreStats Stats() {
    auto stats = store_->Stats();
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? *stats : StoreStats{};
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<RecordsStore> store_;
};

TEST_F(RecordsStoreTest, PutThenGetGivesTheEntriesInPositionOrder) {
  const int64_t t = fixtures::kWithYouRelease;
  ASSERT_TRUE(store_
                  ->Put(Snap("us", t, 10,
                             {{"yours", 3}, {"with-you", 1}, {"dynamite", 10}}))
                  .ok());
  auto got = store_->Get({"itunes/top-songs", "us", t});
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->chart_size, 10);
  ASSERT_EQ((*got)->entries.size(), 3u);
  EXPECT_EQ((*got)->entries[0].track_id, "with-you");
  EXPECT_EQ((*got)->entries[0].position, 1);
  EXPECT_EQ((*got)->entries[1].track_id, "yours");
  EXPECT_EQ((*got)->entries[1].position, 3);
  EXPECT_EQ((*got)->entries[2].track_id, "dynamite");
  EXPECT_EQ((*got)->entries[2].position, 10);

  for (const core::SnapshotKey& missing :
       {core::SnapshotKey{"itunes/top-songs", "us", t + 1},
        core::SnapshotKey{"itunes/top-songs", "gb", t},
        core::SnapshotKey{"apple-music/most-played", "us", t}}) {
    auto none = store_->Get(missing);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value()) << missing.region << missing.capture_time;
  }
}

TEST_F(RecordsStoreTest, PutUnderAHeldIdentityReplacesIt) {
  const int64_t t = fixtures::kWithYouRelease;
  ASSERT_TRUE(store_->Put(Snap("us", t, 10, {{"a", 1}, {"b", 2}})).ok());
  ASSERT_TRUE(store_->Put(Snap("us", t, 20, {{"b", 1}, {"c", 5}})).ok());
  auto got = store_->Get({"itunes/top-songs", "us", t});
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->chart_size, 20);
  ASSERT_EQ((*got)->entries.size(), 2u);
  EXPECT_EQ((*got)->entries[0].track_id, "b");
  EXPECT_EQ((*got)->entries[1].track_id, "c");
  EXPECT_EQ(Stats().snapshots, 1);
}

TEST_F(RecordsStoreTest, UnchangedChartsCostOnlyACaptureRow) {
  const std::vector<core::SnapshotEntry> body = {
      {"with-you", 1}, {"yours", 2}, {"dynamite", 3}, {"filler", 7}};
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(store_->Put(Snap("us", i * 5 * kMinute, 10, body)).ok());
  }
  EXPECT_EQ(Stats().snapshots, 50);
  EXPECT_EQ(Stats().bodies, 1) << "50 identical captures must share one body";
  EXPECT_EQ(Stats().tracks, 4);
  // The same content in another region shares it too; a change does not.
  ASSERT_TRUE(store_->Put(Snap("gb", 0, 10, body)).ok());
  EXPECT_EQ(Stats().bodies, 1);
  ASSERT_TRUE(store_->Put(Snap("gb", 5 * kMinute, 10, {{"yours", 1}})).ok());
  EXPECT_EQ(Stats().bodies, 2);
  // Another chart size is another body.
  ASSERT_TRUE(store_->Put(Snap("gb", 10 * kMinute, 100, body)).ok());
  EXPECT_EQ(Stats().bodies, 3);
}

TEST_F(RecordsStoreTest, AggregateRegionsAreRemembered) {
  ASSERT_TRUE(store_->Put(Snap("ww", 0, 10, {{"a", 1}}), true).ok());
  ASSERT_TRUE(store_->Put(Snap("us", 0, 10, {{"a", 1}}), false).ok());
  ASSERT_TRUE(store_->Put(Snap("k-pop-mix", 0, 10, {{"a", 1}}), true).ok());
  Open();
  auto aggregates = store_->AggregateRegions();
  ASSERT_TRUE(aggregates.ok());
  EXPECT_EQ(*aggregates, (std::vector<std::string>{"k-pop-mix", "ww"}));
}

TEST_F(RecordsStoreTest, ReopenAndReloadGivesIdenticalEngineAnswers) {
  core::RecordsEngine direct;
  const auto demo = fixtures::DemoSnapshots(sim::EmitOrder::kShuffled);
  int64_t observations = 0;
  for (const sim::SimSnapshot& s : demo) {
    const core::Snapshot snapshot = fixtures::ToCore(s);
    auto result = direct.Append(snapshot);
    ASSERT_TRUE(result.ok()) << result.status();
    observations += result->observation_count;
    ASSERT_TRUE(store_
                    ->Put(fixtures::Observations(snapshot),
                          s.region == "ww" || s.region == "eu")
                    .ok());
  }
  Open();
  core::RecordsEngine reloaded(core::EngineOptions{.record_events = false});
  int64_t count = 0;
  ASSERT_TRUE(store_
                  ->ForEach([&](const core::Snapshot& s) {
                    ++count;
                    auto r = reloaded.Append(s);
                    return r.ok() ? absl::OkStatus() : r.status();
                  })
                  .ok());
  reloaded.SetRecordEvents(true);
  EXPECT_EQ(count, static_cast<int64_t>(demo.size()));
  EXPECT_EQ(reloaded.ListCharts(), direct.ListCharts());

  for (const auto& [track, release] :
       std::vector<std::pair<std::string, int64_t>>{
           {"with-you", fixtures::kWithYouRelease},
           {"dynamite", fixtures::kDynamiteRelease}}) {
    for (int n : {1, 50, 100, 117, 200}) {
      core::TimeToThresholdQuery q{.track_id = track,
                                   .chart = "itunes/top-songs",
                                   .threshold = core::Threshold::Position(1),
                                   .min_regions = n,
                                   .reference_time = release,
                                   .regions = {}};
      auto a = direct.TimeToThreshold(q);
      auto b = reloaded.TimeToThreshold(q);
      ASSERT_TRUE(a.ok() && b.ok());
      EXPECT_EQ(*a, *b) << track << " N=" << n;
    }
    auto a = direct.Totals(track, "itunes/top-songs", core::Threshold());
    auto b = reloaded.Totals(track, "itunes/top-songs", core::Threshold());
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(*a, *b) << track;
  }
  // With You is #1 in 100 countries 4h44m after its release.
  auto ttt =
      reloaded.TimeToThreshold({.track_id = "with-you",
                                .chart = "itunes/top-songs",
                                .threshold = core::Threshold::Position(1),
                                .min_regions = 100,
                                .reference_time = fixtures::kWithYouRelease,
                                .regions = {}});
  ASSERT_TRUE(ttt.ok());
  EXPECT_TRUE(ttt->reached);
  EXPECT_EQ(ttt->time_to_threshold, (4 * 60 + 44) * kMinute);

  for (size_t i = 0; i < demo.size(); i += demo.size() / 17) {
    const core::SnapshotKey key{demo[i].chart, demo[i].region,
                                demo[i].capture_micros};
    auto stored = store_->Get(key);
    ASSERT_TRUE(stored.ok() && stored->has_value());
    auto held = direct.GetSnapshot(key);
    ASSERT_TRUE(held.has_value());
    EXPECT_TRUE(Same(**stored, *held)) << "snapshot " << i;
  }

  const StoreStats stats = Stats();
  const auto bytes = std::filesystem::file_size(path_);
  std::cout << "demo: " << stats.snapshots << " snapshots, " << stats.bodies
            << " bodies, " << observations << " observations, " << bytes
            << " bytes in the main file\n";
  EXPECT_LT(stats.bodies, stats.snapshots);
}

TEST_F(RecordsStoreTest, PageTokenSecretSurvivesReopenAndIsTheFilesOwn) {
  const std::string secret = store_->page_token_secret();
  EXPECT_EQ(secret.size(), 32u);
  Open();
  EXPECT_EQ(store_->page_token_secret(), secret);

  auto other = RecordsStore::Open((dir_ / "other.db").string());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->page_token_secret().size(), 32u);
  EXPECT_NE((*other)->page_token_secret(), secret);
  auto memory = RecordsStore::Open(":memory:");
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_NE((*memory)->page_token_secret(), secret);
}

}  // namespace
}  // namespace hitclock::records
