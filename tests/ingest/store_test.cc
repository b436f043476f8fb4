// The ingest store against a real SQLite file: idempotency, replace, the
// outbox's order and durability, resolutions and the unresolved groups.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "gtest/gtest.h"
#include "hitclock/records/v1/records.pb.h"
#include "services/ingest/store/ingest_store.h"
#include "tests/ingest/ingest_fixtures.h"

namespace hitclock::ingest {
namespace {

class IngestStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("store");
    Open();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    store_.reset();
    auto store = IngestStore::Open((dir_ / "ingest.db").string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Commits one snapshot; `fingerprint` stands for its content.
  absl::StatusOr<SubmitResult> Put(const v1::ChartSnapshot& snapshot,
                                   uint64_t fingerprint, bool replace = false) {
    Submission s;
    s.snapshot = snapshot;
    s.fingerprint = fingerprint;
    s.replace = replace;
    const Submission* one[] = {&s};
    auto results = store_->Submit(one, now_);
    if (!results.ok()) return results.status();
    return (*results)[0];
  }

  std::vector<OutboxItem> Outbox() {
    auto items = store_->ReadOutbox(0, 1000);
    EXPECT_TRUE(items.ok()) << items.status();
    return items.ok() ? *items : std::vector<OutboxItem>();
  }

  // Resolves every entry of `item` except those at `unresolved` positions.
  void Resolve(const OutboxItem& item, std::set<int> unresolved = {}) {
    ResolutionUpdate u;
    u.snapshot_seq = item.snapshot_seq;
    u.version = item.version;
    u.snapshot = &item.snapshot;
    for (const auto& e : item.snapshot.entries()) {
      EntryResolution r;
      if (unresolved.count(e.position())) {
        r.detail = "artist \"" + e.entry().artist_credit() + "\" is unknown";
      } else {
        r.track_id = "trk-" + std::to_string(e.position());
      }
      u.entries.push_back(r);
    }
    ASSERT_TRUE(store_->SaveResolutions({&u, 1}, nullptr).ok());
  }

  std::filesystem::path dir_;
  std::unique_ptr<IngestStore> store_;
  absl::Time now_ = absl::FromUnixSeconds(1654300000);
};

TEST_F(IngestStoreTest, SameContentIsADuplicateAndChangesNothing) {
  auto first = Put(fixtures::Snapshot("us", 0), 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->outcome, v1::SUBMIT_OUTCOME_ACCEPTED);
  auto again = Put(fixtures::Snapshot("us", 0), 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, v1::SUBMIT_OUTCOME_DUPLICATE);
  EXPECT_EQ(again->snapshot_id, first->snapshot_id);
  EXPECT_EQ(Outbox().size(), 1u) << "a duplicate must not be queued again";
  auto seq = ParseSnapshotId(first->snapshot_id);
  ASSERT_TRUE(seq.has_value());
  auto stored = store_->GetSnapshot(*seq, false);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->duplicate_count(), 1);
  EXPECT_TRUE(stored->has_last_duplicate_time());
  EXPECT_EQ(stored->state(), v1::SNAPSHOT_STATE_RECEIVED);
}

TEST_F(IngestStoreTest, DifferentContentIsAlreadyExistsUnlessReplaced) {
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0), 1).ok());
  auto clash = Put(fixtures::Snapshot("us", 0, 4), 2);
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kAlreadyExists);
  auto replaced = Put(fixtures::Snapshot("us", 0, 4), 2, /*replace=*/true);
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(replaced->outcome, v1::SUBMIT_OUTCOME_REPLACED);
  auto items = Outbox();
  ASSERT_EQ(items.size(), 1u) << "the replacement supersedes the queued row";
  EXPECT_TRUE(items[0].replace);
  EXPECT_EQ(items[0].snapshot.entries_size(), 4);
  EXPECT_EQ(items[0].version, 1);
  auto stored = store_->GetSnapshot(items[0].snapshot_seq, true);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->replace_count(), 1);
  EXPECT_EQ(stored->entry_count(), 4);
  EXPECT_EQ(stored->content().entries_size(), 4);
}

TEST_F(IngestStoreTest, SameSourceUpdateAndContentIsADuplicateAtAnyCapture) {
  auto a = fixtures::Snapshot("us", 0);
  *a.mutable_source_update_time() = fixtures::At(-3);
  auto b = fixtures::Snapshot("us", 5);
  *b.mutable_source_update_time() = fixtures::At(-3);
  ASSERT_TRUE(Put(a, 7).ok());
  auto again = Put(b, 7);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, v1::SUBMIT_OUTCOME_DUPLICATE);
  auto c = fixtures::Snapshot("us", 10);
  *c.mutable_source_update_time() = fixtures::At(8);
  auto advanced = Put(c, 7);
  ASSERT_TRUE(advanced.ok());
  EXPECT_EQ(advanced->outcome, v1::SUBMIT_OUTCOME_ACCEPTED)
      << "a feed whose updated advanced is a new snapshot";
}

TEST_F(IngestStoreTest, OutboxKeepsCommitOrderAndSurvivesReopen) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Put(fixtures::Snapshot("us", i), 100 + i).ok());
  }
  auto items = Outbox();
  ASSERT_EQ(items.size(), 5u);
  for (int i = 1; i < 5; ++i) {
    EXPECT_LT(items[i - 1].outbox_seq, items[i].outbox_seq);
    EXPECT_EQ(items[i].snapshot.capture_time().seconds(),
              fixtures::At(i).seconds());
  }
  std::vector<OutboxAck> acks = {{items[0].outbox_seq, items[0].snapshot_seq}};
  ASSERT_TRUE(store_->MarkForwarded(acks, now_).ok());
  Open();
  items = Outbox();
  ASSERT_EQ(items.size(), 4u) << "acknowledged rows leave, the others stay";
  auto after = store_->ReadOutbox(items[1].outbox_seq, 10);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), 2u);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 4);
  EXPECT_EQ(counts->forwarded, 1);
}

TEST_F(IngestStoreTest, ResolutionFeedsForwardingAndUnresolvedGroups) {
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0), 1).ok());
  ASSERT_TRUE(Put(fixtures::Snapshot("gb", 0), 1).ok());
  auto items = Outbox();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_TRUE(items[0].needs_resolution);
  Resolve(items[0], {2, 3});
  Resolve(items[1], {2});
  items = Outbox();
  ASSERT_FALSE(items[0].needs_resolution);
  EXPECT_EQ(items[0].chart_size, 3);
  ASSERT_EQ(items[0].resolved.size(), 1u);
  EXPECT_EQ(items[0].resolved[0], (core::ResolvedEntry{1, "trk-1"}));
  EXPECT_EQ(items[0].snapshot.region().code(), "us");

  auto page = store_->ListUnresolved("", 0, 10);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_entry_count, 3);
  ASSERT_EQ(page->credits.size(), 2u);
  EXPECT_EQ(page->credits[0].artist_credit(), "Artist 2");
  EXPECT_EQ(page->credits[0].entry_count(), 2);
  EXPECT_EQ(page->credits[0].region_count(), 2);
  EXPECT_EQ(page->credits[0].snapshot_count(), 2);
  ASSERT_EQ(page->credits[0].titles_size(), 1);
  EXPECT_EQ(page->credits[0].titles(0).best_position(), 2);
  EXPECT_EQ(page->credits[0].titles(0).provider_track_ids(0), "90002");
  EXPECT_EQ(page->credits[1].artist_credit(), "Artist 3");

  // Forwarded, then the catalog learns "Artist 2": the two snapshots are
  // queued again with the new entries.
  std::vector<OutboxAck> acks = {{items[0].outbox_seq, items[0].snapshot_seq},
                                 {items[1].outbox_seq, items[1].snapshot_seq}};
  ASSERT_TRUE(store_->MarkForwarded(acks, now_).ok());
  UnresolvedFilter filter;
  filter.artist_credit = "Artist 2";
  auto waiting = store_->FindUnresolved(filter, 100);
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->size(), 2u);
  std::vector<RetriedEntry> retried;
  for (const auto& w : *waiting) {
    retried.push_back({w.snapshot_seq, w.version, w.position, {"trk-2", ""}});
  }
  auto requeued = store_->ApplyRetriedResolutions(retried);
  ASSERT_TRUE(requeued.ok());
  EXPECT_EQ(*requeued, 2);
  items = Outbox();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_FALSE(items[0].replace);
  EXPECT_EQ(items[0].resolved.size(), 2u);
  EXPECT_EQ(items[1].resolved.size(), 3u);
  auto stored = store_->GetSnapshot(items[0].snapshot_seq, true);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), v1::SNAPSHOT_STATE_RESOLVED);
  EXPECT_EQ(stored->resolved_entry_count(), 2);
  EXPECT_EQ(stored->unresolved_entry_count(), 1);
  EXPECT_EQ(stored->content().entries(1).track_id(), "trk-2");
  EXPECT_EQ(stored->content().entries(2).track_id(), "");
  page = store_->ListUnresolved("", 0, 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_entry_count, 1);
}

// A database written before schema version 3 kept each resolution as
// records' wire message; opening it converts every one to ingest's own form
// and nothing resolved is lost. (The legacy bytes are made with the records
// message itself, as the old store wrote them.)
TEST_F(IngestStoreTest, OpeningConvertsResolutionsStoredAsRecordsMessages) {
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0), 1).ok());
  ASSERT_TRUE(Put(fixtures::Snapshot("gb", 0), 2).ok());
  auto items = Outbox();
  ASSERT_EQ(items.size(), 2u);
  Resolve(items[0], {2});
  const int64_t us = items[0].snapshot_seq;
  const int64_t gb = items[1].snapshot_seq;
  store_.reset();
  {
    // Back to schema version 2, with the resolution of `us` in the legacy
    // form and an empty one for `gb`.
    SQLite::Database db((dir_ / "ingest.db").string(), SQLite::OPEN_READWRITE);
    records::v1::ResolvedSnapshot legacy;
    for (int position : {3, 1}) {
      records::v1::ResolvedEntry* e = legacy.add_entries();
      e->set_track_id("trk-" + std::to_string(position));
      e->set_position(position);
    }
    const std::string bytes = legacy.SerializeAsString();
    SQLite::Statement put(db,
                          "INSERT OR REPLACE INTO snapshot_resolutions(seq, "
                          "resolved) VALUES (?, ?)");
    put.bind(1, static_cast<int64_t>(us));
    put.bind(2, bytes.data(), static_cast<int>(bytes.size()));
    put.exec();
    put.reset();
    put.bind(1, static_cast<int64_t>(gb));
    put.bind(2, "", 0);
    put.exec();
    db.exec(
        "DELETE FROM schema_version WHERE version >= 3; DROP TABLE secrets");
  }
  Open();
  items = Outbox();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_FALSE(items[0].needs_resolution);
  EXPECT_EQ(items[0].resolved,
            (std::vector<core::ResolvedEntry>{{3, "trk-3"}, {1, "trk-1"}}));
  EXPECT_EQ(items[0].chart_size, 3);
  auto stored = store_->GetSnapshot(us, true);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->content().entries(0).track_id(), "trk-1");
  EXPECT_EQ(stored->content().entries(2).track_id(), "trk-3");
  stored = store_->GetSnapshot(gb, true);
  ASSERT_TRUE(stored.ok()) << stored.status();
  for (const auto& e : stored->content().entries()) {
    EXPECT_EQ(e.track_id(), "");
  }
}

TEST_F(IngestStoreTest, AResolutionThatDoesNotParseStopsTheMigration) {
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0), 1).ok());
  Resolve(Outbox()[0]);
  const int64_t seq = Outbox()[0].snapshot_seq;
  store_.reset();
  {
    SQLite::Database db((dir_ / "ingest.db").string(), SQLite::OPEN_READWRITE);
    SQLite::Statement put(
        db, "UPDATE snapshot_resolutions SET resolved = ? WHERE seq = ?");
    put.bind(1, "\x2a\x10", 2);  // entries: 16 bytes announced, none there
    put.bind(2, static_cast<int64_t>(seq));
    put.exec();
    db.exec(
        "DELETE FROM schema_version WHERE version >= 3; DROP TABLE secrets");
  }
  auto store = IngestStore::Open((dir_ / "ingest.db").string());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find(SnapshotId(seq)), std::string::npos)
      << store.status();
}

TEST_F(IngestStoreTest, ResolutionOfAReplacedVersionIsDiscarded) {
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0), 1).ok());
  auto stale = Outbox()[0];
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0, 4), 2, true).ok());
  ResolutionUpdate u;
  u.snapshot_seq = stale.snapshot_seq;
  u.version = stale.version;
  u.snapshot = &stale.snapshot;
  u.entries.assign(3, EntryResolution{"trk", ""});
  std::vector<std::optional<std::vector<core::ResolvedEntry>>> out;
  ASSERT_TRUE(store_->SaveResolutions({&u, 1}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].has_value());
  EXPECT_TRUE(Outbox()[0].needs_resolution);
}

TEST_F(IngestStoreTest, RejectedForGoodIsFailedWithItsError) {
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0), 1).ok());
  auto item = Outbox()[0];
  ASSERT_TRUE(
      store_->MarkFailed({item.outbox_seq, item.snapshot_seq}, "bad").ok());
  EXPECT_TRUE(Outbox().empty());
  auto stored = store_->GetSnapshot(item.snapshot_seq, false);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state(), v1::SNAPSHOT_STATE_FAILED);
  EXPECT_EQ(stored->last_error(), "bad");
  SnapshotFilter filter;
  filter.state = v1::SNAPSHOT_STATE_FAILED;
  auto page = store_->ListSnapshots(filter, 0, 10, false);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->snapshots.size(), 1u);
}

TEST_F(IngestStoreTest, ReforwardQueuesForwardedSnapshotsAgainWithReplace) {
  // us at 0, 1, 2 and gb at 0 forwarded; us at 3 still pending; gb at 1
  // failed for good.
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(Put(fixtures::Snapshot("us", i), 10 + i).ok());
  }
  ASSERT_TRUE(Put(fixtures::Snapshot("gb", 0), 20).ok());
  ASSERT_TRUE(Put(fixtures::Snapshot("gb", 1), 21).ok());
  std::vector<OutboxItem> items = Outbox();
  ASSERT_EQ(items.size(), 6u);
  for (OutboxItem& item : items) Resolve(item);
  std::vector<OutboxAck> acks;
  for (int i : {0, 1, 2, 4}) {
    acks.push_back({items[i].outbox_seq, items[i].snapshot_seq});
  }
  ASSERT_TRUE(store_->MarkForwarded(acks, now_).ok());
  ASSERT_TRUE(
      store_->MarkFailed({items[5].outbox_seq, items[5].snapshot_seq}, "bad")
          .ok());
  ASSERT_EQ(Outbox().size(), 1u);

  // us captured from instant 1 on: only the forwarded ones (1 and 2).
  SnapshotFilter filter;
  filter.region = "us";
  filter.start_time = absl::FromUnixSeconds(fixtures::At(1).seconds());
  auto queued = store_->Reforward(filter);
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(*queued, 2);
  items = Outbox();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].snapshot.capture_time().seconds(),
            fixtures::At(1).seconds());
  EXPECT_EQ(items[2].snapshot.capture_time().seconds(),
            fixtures::At(2).seconds());
  for (int i : {1, 2}) {
    EXPECT_TRUE(items[i].replace);
    EXPECT_FALSE(items[i].needs_resolution) << "sent with its resolution";
    EXPECT_EQ(items[i].resolved.size(), 3u);
  }
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->pending, 3);
  EXPECT_EQ(counts->forwarded, 2);
  EXPECT_EQ(counts->failed, 1) << "a FAILED snapshot is left as it is";

  // Everything left forwarded: gb at 0 and us at 0.
  auto all = store_->Reforward(SnapshotFilter());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 2);
  EXPECT_EQ(Outbox().size(), 5u);
}

// Readers that always overlap (the forwarder, ListSnapshots callers) keep
// a PASSIVE checkpoint from ever finishing; past its limit the log is
// truncated anyway, so it stays bounded.
TEST_F(IngestStoreTest, TheWriteAheadLogStaysBoundedWhileReadersOverlap) {
  store_.reset();
  const std::string path = (dir_ / "bounded.db").string();
  constexpr int64_t kLimit = 1 << 20;
  auto opened = IngestStore::Open(
      path,
      {.durability = common::Durability::kNormal, .wal_limit_bytes = kLimit});
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = *std::move(opened);

  std::atomic<bool> stop = false;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      SQLite::Database db(path, SQLite::OPEN_READONLY, 5000);
      std::this_thread::sleep_for(std::chrono::milliseconds(15 * r));
      while (!stop) {
        db.exec("BEGIN");
        db.execAndGet("SELECT COUNT(*) FROM snapshots");
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        db.exec("COMMIT");
      }
    });
  }
  const std::string wal = path + "-wal";
  int64_t largest = 0;
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(Put(fixtures::Snapshot("us", i, 100), 1000 + i).ok()) << i;
    largest = std::max<int64_t>(largest, std::filesystem::file_size(wal));
  }
  stop = true;
  for (auto& t : readers) t.join();
  // 3000 snapshots of 100 entries: far more than the limit in all.
  EXPECT_GT(std::filesystem::file_size(path), 8 * kLimit);
  EXPECT_LT(largest, 8 * kLimit) << "the log grew without bound";
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_LE(std::filesystem::file_size(wal), kLimit);
}

// A reader that never lets go (an open transaction in a shell) keeps the
// log from being truncated: commits past the limit then do not each wait
// for it.
TEST_F(IngestStoreTest, AReaderThatNeverLetsGoDoesNotHoldUpEveryCommit) {
  store_.reset();
  const std::string path = (dir_ / "held.db").string();
  auto opened = IngestStore::Open(
      path,
      {.durability = common::Durability::kNormal, .wal_limit_bytes = 1 << 20});
  ASSERT_TRUE(opened.ok()) << opened.status();
  store_ = *std::move(opened);
  ASSERT_TRUE(Put(fixtures::Snapshot("us", 0, 100), 1).ok());
  SQLite::Database reader(path, SQLite::OPEN_READONLY);
  reader.exec("BEGIN");
  reader.execAndGet("SELECT COUNT(*) FROM snapshots");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= 300; ++i) {
    ASSERT_TRUE(Put(fixtures::Snapshot("us", i, 100), 1 + i).ok()) << i;
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GT(std::filesystem::file_size(path + "-wal"), 1u << 20)
      << "the reader held the log past its limit";
  // Without the back-off each of the commits past the limit would wait its
  // full second: minutes in all.
  EXPECT_LT(waited, std::chrono::seconds(30));
  reader.exec("COMMIT");
}

TEST_F(IngestStoreTest, ListsNewestFirstInPages) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(Put(fixtures::Snapshot(i % 2 ? "gb" : "us", i), i).ok());
  }
  SnapshotFilter filter;
  auto page = store_->ListSnapshots(filter, 0, 2, false);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->snapshots.size(), 2u);
  ASSERT_TRUE(page->last_seq.has_value());
  EXPECT_EQ(page->snapshots[0].content().capture_time().seconds(),
            fixtures::At(4).seconds());
  auto next = store_->ListSnapshots(filter, *page->last_seq, 10, false);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->snapshots.size(), 3u);
  EXPECT_FALSE(next->last_seq.has_value());
  filter.region = "gb";
  filter.start_time = absl::FromUnixSeconds(fixtures::At(2).seconds());
  auto gb = store_->ListSnapshots(filter, 0, 10, false);
  ASSERT_TRUE(gb.ok());
  EXPECT_EQ(gb->snapshots.size(), 1u);
}

TEST_F(IngestStoreTest, PageTokenSecretSurvivesReopenAndIsTheFilesOwn) {
  const std::string secret = store_->page_token_secret();
  EXPECT_EQ(secret.size(), 32u);
  Open();
  EXPECT_EQ(store_->page_token_secret(), secret);

  auto other = IngestStore::Open((dir_ / "other.db").string());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->page_token_secret().size(), 32u);
  EXPECT_NE((*other)->page_token_secret(), secret);
  auto memory = IngestStore::Open(":memory:");
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_NE((*memory)->page_token_secret(), secret);
}

}  // namespace
}  // namespace hitclock::ingest
