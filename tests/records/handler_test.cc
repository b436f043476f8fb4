// The handler's group commit (`AppendBatch`): one result per message, in
// order, each what a lone `Append` would answer; a message for the identity
// of an earlier one in the batch is decided after that one; results come
// back only once their commit is on disk (another connection reads them);
// and a restart (the bulk reload, read and applied on two threads) gives
// back every answer, or fails whole on a corrupt store. And answers show a
// track as the catalog facts last had it (the summaries are cached).
#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "SQLiteCpp/SQLiteCpp.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/records/catalog_follower.h"
#include "services/records/records_handler.h"
#include "services/records/store/records_store.h"
#include "tests/records/records_fixtures.h"

namespace hitclock::records {
namespace {

v1::AppendSnapshotsRequest Request(const std::string& region, int64_t micros,
                                   std::vector<std::string> tracks,
                                   bool replace = false) {
  v1::AppendSnapshotsRequest r;
  r.set_replace(replace);
  v1::ResolvedSnapshot& s = *r.mutable_snapshot();
  s.mutable_chart()->set_provider("itunes");
  s.mutable_chart()->set_list("top-songs");
  s.mutable_region()->set_code(region);
  s.mutable_capture_time()->set_seconds(micros / 1'000'000);
  s.set_chart_size(10);
  for (size_t i = 0; i < tracks.size(); ++i) {
    auto* e = s.add_entries();
    e->set_track_id(tracks[i]);
    e->set_position(static_cast<int>(i) + 1);
  }
  return r;
}

std::unique_ptr<RecordsHandler> Open(const std::filesystem::path& db,
                                     CatalogFacts& facts) {
  auto store = RecordsStore::Open(db.string());
  EXPECT_TRUE(store.ok()) << store.status();
  auto handler = RecordsHandler::Create(*std::move(store), facts, {});
  EXPECT_TRUE(handler.ok()) << handler.status();
  return *std::move(handler);
}

TEST(RecordsHandlerTest, GroupCommitKeepsEachMessagesResultAndCommitsFirst) {
  const auto dir = fixtures::MakeTempDir("records-handler");
  const auto db = dir / "records.db";
  CatalogFacts facts;
  auto handler = Open(db, facts);
  const int64_t t0 = fixtures::kWithYouRelease;
  const int64_t t1 = t0 + 5 * fixtures::kMinute;

  std::vector<v1::AppendSnapshotsRequest> requests = {
      Request("us", t1, {"a", "b"}),                    // 0 appended
      Request("us", t1, {"a", "b"}),                    // 1 duplicate of 0
      Request("us", t1, {"b", "a"}),                    // 2 conflicts with 0
      Request("gb", t0, {"a", "a"}),                    // 3 appended (best)
      Request("us", t0, {"a", ""}),                     // 4 bad: empty id
      Request("us", t0, {"c", "a"}),                    // 5 appended, earlier
      Request("us", t1, {"b", "a"}, /*replace=*/true),  // 6 replaces 0
      Request("us", t1, {"b", "a", "c"}),               // 7 merged into 6
  };
  std::vector<const v1::AppendSnapshotsRequest*> batch;
  for (const auto& r : requests) batch.push_back(&r);
  const std::vector<v1::AppendSnapshotsResponse> results =
      handler->AppendBatch(batch, 40);

  ASSERT_EQ(results.size(), requests.size());
  const v1::AppendOutcome want[] = {
      v1::APPEND_OUTCOME_APPENDED, v1::APPEND_OUTCOME_DUPLICATE,
      v1::APPEND_OUTCOME_REJECTED, v1::APPEND_OUTCOME_APPENDED,
      v1::APPEND_OUTCOME_REJECTED, v1::APPEND_OUTCOME_APPENDED,
      v1::APPEND_OUTCOME_REPLACED, v1::APPEND_OUTCOME_MERGED};
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].index(), 40 + static_cast<int64_t>(i));
    EXPECT_EQ(results[i].outcome(), want[i]) << "message " << i;
  }
  EXPECT_EQ(results[2].error().code(),
            static_cast<int>(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(results[4].error().field(), "snapshot.entries[1].track_id");
  EXPECT_EQ(results[3].observation_count(), 1);
  EXPECT_EQ(results[7].observation_count(), 3);

  // Each result was sent after its commit: another connection sees it.
  auto other = RecordsStore::Open(db.string());
  ASSERT_TRUE(other.ok()) << other.status();
  auto held = (*other)->Get({"itunes/top-songs", "us", t1});
  ASSERT_TRUE(held.ok() && held->has_value());
  ASSERT_EQ((*held)->entries.size(), 3u);
  EXPECT_EQ((*held)->entries[0].track_id, "b");
  EXPECT_EQ((*held)->entries[2].track_id, "c");
  auto stats = (*other)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->snapshots, 3);

  // A restart (the bulk reload) gives back the same answers.
  v1::GetTimeToThresholdRequest ttt;
  ttt.mutable_track()->set_track_id("a");
  ttt.mutable_chart()->set_provider("itunes");
  ttt.mutable_chart()->set_list("top-songs");
  ttt.mutable_threshold()->mutable_position()->set_max_position(2);
  ttt.set_min_regions(2);
  ttt.mutable_reference_time()->set_seconds(t0 / 1'000'000 - 3600);
  auto before = handler->GetTimeToThreshold(ttt);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_TRUE(before->reached());
  handler.reset();
  other->reset();
  auto again = Open(db, facts);
  auto after = again->GetTimeToThreshold(ttt);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(before->SerializeAsString(), after->SerializeAsString());
  v1::GetSnapshotRequest get;
  get.mutable_key()->mutable_chart()->set_provider("itunes");
  get.mutable_key()->mutable_chart()->set_list("top-songs");
  get.mutable_key()->mutable_region()->set_code("us");
  get.mutable_key()->mutable_capture_time()->set_seconds(t1 / 1'000'000);
  auto snapshot = again->GetSnapshot(get);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_EQ(snapshot->snapshot().entries_size(), 3);
  std::filesystem::remove_all(dir);
}

// Several thousand snapshots: the reload hands them over in many batches
// between its two threads; every answer comes back the same.
TEST(RecordsHandlerTest, ReloadOfManyBatchesGivesBackEveryAnswer) {
  const auto dir = fixtures::MakeTempDir("records-reload");
  const auto db = dir / "records.db";
  CatalogFacts facts;
  auto handler = Open(db, facts);
  const int64_t t0 = fixtures::kWithYouRelease;
  const char* regions[] = {"us", "gb", "jp", "kr", "fr", "de", "br", "mx"};
  std::vector<v1::AppendSnapshotsRequest> requests;
  for (int i = 0; i < 600; ++i) {
    for (int r = 0; r < 8; ++r) {
      // Track "t<k>" climbs into the top 3 of region r at capture 70 r + k.
      std::vector<std::string> tracks;
      for (int k = 0; k < 10; ++k) {
        tracks.push_back(absl::StrCat("t", (i / 70 + r + k) % 12));
      }
      requests.push_back(
          Request(regions[r], t0 + i * 5 * fixtures::kMinute, tracks));
    }
  }
  for (size_t at = 0; at < requests.size(); at += 200) {
    std::vector<const v1::AppendSnapshotsRequest*> batch;
    for (size_t i = at; i < std::min(requests.size(), at + 200); ++i)
      batch.push_back(&requests[i]);
    for (const auto& result : handler->AppendBatch(batch, 0)) {
      ASSERT_EQ(result.outcome(), v1::APPEND_OUTCOME_APPENDED);
    }
  }
  std::vector<std::string> before;
  auto ask = [&](RecordsHandler& h) {
    std::vector<std::string> out;
    for (int k = 0; k < 12; ++k) {
      for (int p : {1, 3}) {
        v1::GetTimeToThresholdRequest ttt;
        ttt.mutable_track()->set_track_id(absl::StrCat("t", k));
        ttt.mutable_chart()->set_provider("itunes");
        ttt.mutable_chart()->set_list("top-songs");
        ttt.mutable_threshold()->mutable_position()->set_max_position(p);
        ttt.set_min_regions(8);
        ttt.mutable_reference_time()->set_seconds(t0 / 1'000'000);
        auto answer = h.GetTimeToThreshold(ttt);
        EXPECT_TRUE(answer.ok()) << answer.status();
        out.push_back(answer.ok() ? answer->SerializeAsString() : "");
      }
    }
    v1::ListChartsRequest charts;
    auto listed = h.ListCharts(charts);
    EXPECT_TRUE(listed.ok());
    if (listed.ok()) {
      EXPECT_EQ(listed->charts(0).snapshot_count(), 4800);
      out.push_back(listed->SerializeAsString());
    }
    return out;
  };
  before = ask(*handler);
  handler.reset();
  auto again = Open(db, facts);
  EXPECT_EQ(ask(*again), before);
  std::filesystem::remove_all(dir);
}

// A body that does not decode fails the reload whole (DATA_LOSS), with the
// reader thread stopped: no hang, no half-loaded handler.
TEST(RecordsHandlerTest, CorruptBodyFailsTheReloadWithDataLoss) {
  const auto dir = fixtures::MakeTempDir("records-corrupt");
  const auto db = dir / "records.db";
  {
    CatalogFacts facts;
    auto handler = Open(db, facts);
    std::vector<v1::AppendSnapshotsRequest> requests;
    for (int i = 0; i < 3000; ++i) {
      requests.push_back(
          Request("us", fixtures::kWithYouRelease + i * 5 * fixtures::kMinute,
                  {absl::StrCat("a", i % 7), absl::StrCat("b", i % 5)}));
    }
    std::vector<const v1::AppendSnapshotsRequest*> batch;
    for (const auto& r : requests) batch.push_back(&r);
    for (const auto& result : handler->AppendBatch(batch, 0)) {
      ASSERT_EQ(result.outcome(), v1::APPEND_OUTCOME_APPENDED);
    }
  }
  {
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    // A track number far beyond the interned tracks.
    raw.exec("UPDATE bodies SET body = x'ffffffff0f00' WHERE id = 3");
  }
  CatalogFacts facts;
  auto store = RecordsStore::Open(db.string());
  ASSERT_TRUE(store.ok()) << store.status();
  auto handler = RecordsHandler::Create(*std::move(store), facts, {});
  ASSERT_FALSE(handler.ok());
  EXPECT_EQ(handler.status().code(), absl::StatusCode::kDataLoss)
      << handler.status();
  std::filesystem::remove_all(dir);
}

// Track summaries are built when the facts change, not per answer: a
// renamed, added or forgotten artist, a corrected title or release instant
// and a forgotten track each show in the next answer.
TEST(RecordsHandlerTest, AnswersShowTheTrackAsTheCatalogLastHadIt) {
  const auto dir = fixtures::MakeTempDir("records-summary");
  CatalogFacts facts;
  auto handler = Open(dir / "records.db", facts);
  const int64_t t0 = fixtures::kWithYouRelease;
  const int64_t release = t0 / 1'000'000;
  auto put_artist = [&](const std::string& id, const std::string& name) {
    catalog::v1::Artist artist;
    artist.set_id(id);
    artist.set_name(name);
    facts.PutArtist(artist);
  };
  catalog::v1::Track track;
  track.set_id("a");
  track.set_title("With You");
  track.mutable_release_time()->set_seconds(release);
  auto* main = track.add_artists();
  main->set_artist_id("jimin");
  main->set_role(catalog::v1::CREDIT_ROLE_MAIN);
  auto* featured = track.add_artists();
  featured->set_artist_id("hsw");
  featured->set_role(catalog::v1::CREDIT_ROLE_FEATURED);
  facts.PutTrack(track);
  put_artist("jimin", "Jimin");
  handler->RefreshFacts({"a"});
  ASSERT_EQ(handler->Append(Request("us", t0 + 5 * fixtures::kMinute, {"a"}), 0)
                .outcome(),
            v1::APPEND_OUTCOME_APPENDED);

  v1::GetTimeToThresholdRequest ttt;
  ttt.mutable_track()->set_track_id("a");
  ttt.mutable_chart()->set_provider("itunes");
  ttt.mutable_chart()->set_list("top-songs");
  ttt.set_min_regions(1);
  ttt.set_view(v1::TIME_TO_THRESHOLD_VIEW_BASIC);
  auto ask = [&] {
    auto answer = handler->GetTimeToThreshold(ttt);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : v1::GetTimeToThresholdResponse();
  };
  v1::GetTimeToThresholdResponse first = ask();
  EXPECT_EQ(first.track().track_id(), "a");
  EXPECT_EQ(first.track().title(), "With You");
  // An artist not held shows as its id.
  EXPECT_EQ(first.track().artists(), "Jimin feat. hsw");
  EXPECT_EQ(first.track().release_time().seconds(), release);
  EXPECT_EQ(first.time_to_threshold().seconds(), 5 * 60);

  put_artist("hsw", "Ha Sung-woon");
  EXPECT_EQ(ask().track().artists(), "Jimin feat. Ha Sung-woon");
  put_artist("jimin", "JIMIN");
  EXPECT_EQ(ask().track().artists(), "JIMIN feat. Ha Sung-woon");

  // Corrected: an hour earlier, a new title.
  track.set_title("With You (OST)");
  track.mutable_release_time()->set_seconds(release - 3600);
  facts.PutTrack(track);
  handler->RefreshFacts({"a"});
  v1::GetTimeToThresholdResponse corrected = ask();
  EXPECT_EQ(corrected.track().title(), "With You (OST)");
  EXPECT_EQ(corrected.track().artists(), "JIMIN feat. Ha Sung-woon");
  EXPECT_EQ(corrected.track().release_time().seconds(), release - 3600);
  EXPECT_EQ(corrected.time_to_threshold().seconds(), 3600 + 5 * 60);

  facts.RemoveArtist("hsw");
  EXPECT_EQ(ask().track().artists(), "JIMIN feat. hsw");

  // A track the catalog no longer has shows only its id.
  facts.RemoveTrack("a");
  ttt.mutable_reference_time()->set_seconds(release);
  v1::GetTimeToThresholdResponse gone = ask();
  EXPECT_EQ(gone.track().track_id(), "a");
  EXPECT_EQ(gone.track().title(), "");
  EXPECT_EQ(gone.track().artists(), "");
  EXPECT_FALSE(gone.track().has_release_time());

  // And back again, with no stale summary.
  track.set_title("With You");
  facts.PutTrack(track);
  v1::GetTimeToThresholdResponse back = ask();
  EXPECT_EQ(back.track().title(), "With You");
  EXPECT_EQ(back.track().artists(), "JIMIN feat. hsw");
  EXPECT_EQ(back.track().release_time().seconds(), release - 3600);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hitclock::records
