// CatalogStore against a real SQLite file in a temporary directory.
#include <filesystem>

#include "SQLiteCpp/Database.h"
#include "SQLiteCpp/Statement.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "services/catalog/store/catalog_store.h"
#include "tests/catalog/catalog_fixtures.h"

namespace hitclock::catalog {
namespace {

class CatalogStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("store");
    path_ = (dir_ / "catalog.db").string();
    auto store = CatalogStore::Open(path_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int Count(const std::string& table) {
    SQLite::Database db(path_, SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT COUNT(*) FROM " + table).getInt();
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<CatalogStore> store_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

TEST_F(CatalogStoreTest, CreateGetRoundTripWithTimes) {
  v1::Artist bts = fixtures::Group("bts", "BTS");
  ASSERT_TRUE(store_->CreateArtist(bts, now_).ok());
  auto got = store_->GetArtist("bts");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->name(), "BTS");
  EXPECT_EQ(got->create_time().seconds(), 1700000000);
  EXPECT_EQ(got->update_time().seconds(), 1700000000);
  EXPECT_EQ(store_->GetArtist("nobody").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CatalogStoreTest, DuplicateIdIsAlreadyExists) {
  v1::Artist a = fixtures::Group("bts", "BTS");
  ASSERT_TRUE(store_->CreateArtist(a, now_).ok());
  v1::Artist b = fixtures::Group("bts", "Bangtan");
  EXPECT_EQ(store_->CreateArtist(b, now_).code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_F(CatalogStoreTest,
       AliasNamingAnotherArtistIsAlreadyExistsAndWritesNothing) {
  v1::Artist hsw =
      fixtures::Solo("ha-sung-woon", "Ha Sung-woon", {"HA SUNG WOON"});
  ASSERT_TRUE(store_->CreateArtist(hsw, now_).ok());
  const int names_before = Count("artist_names");
  // "Ha Sung Woon" normalizes to the same key as Ha Sung-woon's name.
  v1::Artist other = fixtures::Solo("someone", "Someone", {"Ha Sung Woon"});
  absl::Status s = store_->CreateArtist(other, now_);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("artist.aliases[0]"), std::string::npos) << s;
  EXPECT_NE(s.message().find("ha-sung-woon"), std::string::npos) << s;
  EXPECT_EQ(store_->GetArtist("someone").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Count("artist_names"), names_before);
  EXPECT_EQ(Count("artists"), 1);
}

TEST_F(CatalogStoreTest, MembershipMustNameAGroup) {
  v1::Artist jin = fixtures::Solo("jin", "Jin", {});
  jin.add_memberships()->set_group_id("bts");
  absl::Status missing = store_->CreateArtist(jin, now_);
  EXPECT_EQ(missing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("artist.memberships[0].group_id"),
            std::string::npos);
  EXPECT_EQ(Count("artists"), 0) << "half-written artist";

  v1::Artist jimin = fixtures::Solo("jimin", "Jimin", {});
  ASSERT_TRUE(store_->CreateArtist(jimin, now_).ok());
  v1::Artist v = fixtures::Solo("v", "V", {});
  v.add_memberships()->set_group_id("jimin");
  EXPECT_EQ(store_->CreateArtist(v, now_).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CatalogStoreTest, TrackNeedsExistingArtistsAndFreeProviderIds) {
  v1::Track orphan = fixtures::SimpleTrack("butter", "Butter", "bts", "1");
  absl::Status s = store_->CreateTrack(orphan, now_);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("track.artists[0].artist_id"), std::string::npos);

  v1::Artist bts = fixtures::Group("bts", "BTS");
  ASSERT_TRUE(store_->CreateArtist(bts, now_).ok());
  v1::Track butter = fixtures::SimpleTrack("butter", "Butter", "bts", "1");
  ASSERT_TRUE(store_->CreateTrack(butter, now_).ok());
  v1::Track thief = fixtures::SimpleTrack("dynamite", "Dynamite", "bts", "1");
  s = store_->CreateTrack(thief, now_);
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("butter"), std::string::npos) << s;
  EXPECT_EQ(Count("tracks"), 1);
}

TEST_F(CatalogStoreTest, ListTracksFiltersIncludingGroupMembership) {
  v1::CatalogDocument doc = fixtures::SeedDocument();
  ASSERT_TRUE(store_->Import(doc, now_).ok());

  auto ids = [&](const TrackFilter& f) {
    std::vector<std::string> out;
    auto page = store_->ListTracks(f, "", 100);
    EXPECT_TRUE(page.ok()) << page.status();
    for (const auto& t : page->items) out.push_back(t.id());
    return out;
  };
  TrackFilter jimin{.artist_id = "jimin"};
  EXPECT_EQ(ids(jimin), (std::vector<std::string>{"with-you"}));
  jimin.include_group_tracks = true;
  EXPECT_EQ(ids(jimin), (std::vector<std::string>{"dynamite", "with-you"}));
  EXPECT_EQ(ids({.production_id = "jirisan"}),
            (std::vector<std::string>{"yours"}));
  EXPECT_EQ(ids({.kind = v1::TRACK_KIND_OST}),
            (std::vector<std::string>{"christmas-tree", "with-you", "yours"}));
  EXPECT_EQ(ids({.release_year = 2021}),
            (std::vector<std::string>{"christmas-tree", "yours"}));
  EXPECT_EQ(ids({.kind = v1::TRACK_KIND_OST, .release_year = 2020}),
            (std::vector<std::string>{}));
}

TEST_F(CatalogStoreTest, PagesContinueAfterTheLastId) {
  v1::CatalogDocument doc = fixtures::SeedDocument();
  ASSERT_TRUE(store_->Import(doc, now_).ok());
  auto first = store_->ListArtists({}, "", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(first->last_id.has_value());
  auto second = store_->ListArtists({}, *first->last_id, 100);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->last_id.has_value());
  EXPECT_EQ(first->items.size() + second->items.size(),
            static_cast<size_t>(doc.artists_size()));
  EXPECT_LT(first->items.back().id(), second->items.front().id());
}

TEST_F(CatalogStoreTest, ImportIsIdempotentAndCountsOutcomes) {
  v1::CatalogDocument doc = fixtures::SeedDocument();
  auto first = store_->Import(doc, now_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->artists().created(), doc.artists_size());
  EXPECT_EQ(first->tracks().created(), doc.tracks_size());
  auto revision = store_->LatestRevision();

  v1::CatalogDocument again = fixtures::SeedDocument();
  auto second = store_->Import(again, now_ + absl::Hours(1));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->artists().unchanged(), doc.artists_size());
  EXPECT_EQ(second->tracks().unchanged(), doc.tracks_size());
  EXPECT_EQ(second->tracks().updated(), 0);
  EXPECT_EQ(*store_->LatestRevision(), *revision) << "no-op import logged";

  v1::CatalogDocument changed = fixtures::SeedDocument();
  changed.mutable_tracks(0)->mutable_release_time()->set_seconds(1);
  auto third = store_->Import(changed, now_ + absl::Hours(2));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->tracks().updated(), 1);
  auto track = store_->GetTrack(changed.tracks(0).id());
  EXPECT_EQ(track->release_time().seconds(), 1);
  EXPECT_EQ(track->create_time().seconds(), absl::ToUnixSeconds(now_))
      << "create_time must survive an update";
}

TEST_F(CatalogStoreTest, FailedImportLeavesNothing) {
  v1::CatalogDocument doc = fixtures::SeedDocument();
  doc.mutable_tracks(1)->mutable_artists(0)->set_artist_id("nobody");
  absl::Status s = store_->Import(doc, now_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("document.tracks[1].artists[0].artist_id"),
            std::string::npos)
      << s;
  for (const char* table : {"artists", "artist_names", "memberships", "tracks",
                            "productions", "changes"}) {
    EXPECT_EQ(Count(table), 0) << table;
  }
}

TEST_F(CatalogStoreTest, DeletesRespectReferences) {
  v1::CatalogDocument doc = fixtures::SeedDocument();
  ASSERT_TRUE(store_->Import(doc, now_).ok());
  EXPECT_EQ(store_->DeleteArtist("jin", now_).code(),
            absl::StatusCode::kFailedPrecondition);  // credited on Yours
  EXPECT_EQ(store_->DeleteArtist("bts", now_).code(),
            absl::StatusCode::kFailedPrecondition);  // has members
  EXPECT_EQ(store_->DeleteProduction("jirisan", now_).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->DeleteTrack("yours", now_).ok());
  ASSERT_TRUE(store_->DeleteProduction("jirisan", now_).ok());
  ASSERT_TRUE(store_->DeleteArtist("jin", now_).ok());
  EXPECT_EQ(store_->DeleteTrack("yours", now_).code(),
            absl::StatusCode::kNotFound);
  // The deleted artist's names are free again.
  v1::Artist again = fixtures::Solo("jin2", "Kim Seok-jin", {});
  EXPECT_TRUE(store_->CreateArtist(again, now_).ok());
}

TEST_F(CatalogStoreTest, ChangesAreLoggedInOrderAndSurviveReopen) {
  v1::Artist bts = fixtures::Group("bts", "BTS");
  ASSERT_TRUE(store_->CreateArtist(bts, now_).ok());
  ASSERT_TRUE(store_->DeleteArtist("bts", now_).ok());
  store_.reset();
  auto reopened = CatalogStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto changes = (*reopened)->ListChanges(0, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].revision(), 1);
  EXPECT_FALSE((*changes)[0].deleted());
  EXPECT_TRUE((*changes)[1].deleted());
  EXPECT_EQ((*changes)[1].id(), "bts");
  EXPECT_EQ((*reopened)->ListChanges(1, 10)->size(), 1u);
}

TEST_F(CatalogStoreTest, PageTokenSecretSurvivesReopenAndIsTheFilesOwn) {
  const std::string secret = store_->page_token_secret();
  EXPECT_EQ(secret.size(), 32u);
  store_.reset();
  auto reopened = CatalogStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->page_token_secret(), secret);

  auto other = CatalogStore::Open((dir_ / "other.db").string());
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ((*other)->page_token_secret().size(), 32u);
  EXPECT_NE((*other)->page_token_secret(), secret);
  auto memory = CatalogStore::Open(":memory:");
  ASSERT_TRUE(memory.ok()) << memory.status();
  EXPECT_NE((*memory)->page_token_secret(), secret);
}

TEST_F(CatalogStoreTest, AFileFromBeforeSecretsGetsOneOnOpen) {
  store_.reset();
  {
    SQLite::Database db(path_, SQLite::OPEN_READWRITE);
    db.exec("DROP TABLE secrets; DELETE FROM schema_version WHERE version = 2");
  }
  auto reopened = CatalogStore::Open(path_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ((*reopened)->page_token_secret().size(), 32u);
}

}  // namespace
}  // namespace hitclock::catalog
