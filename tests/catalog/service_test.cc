// Every catalog RPC over a real channel to a real server on 127.0.0.1:0,
// with auth on: successes, bad input, and what each leaves behind.
#include <filesystem>
#include <memory>
#include <string>

#include "common/options.h"
#include "common/server.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog_service.h"
#include "tests/catalog/catalog_fixtures.h"

namespace hitclock::catalog {
namespace {

constexpr char kToken[] = "s3cret-token";

class CatalogServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("service");
    StartServer();
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartServer() { StartServer(dir_); }
  // Starts the server on the store in `data_dir` (replacing any running).
  void StartServer(const std::filesystem::path& data_dir) {
    server_.reset();
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = data_dir.string();
    options.auth_token = kToken;
    options.shutdown_timeout = absl::Seconds(2);
    auto instance = CreateCatalogInstance(options);
    ASSERT_TRUE(instance.ok()) << instance.status();
    auto server = common::RunningServer::Start(CatalogDescriptor(), options,
                                               *std::move(instance));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::CatalogService::NewStub(channel_);
  }

  // A context that carries the bearer token (writes) or not (reads).
  std::unique_ptr<grpc::ClientContext> Ctx(bool with_token = true) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (with_token) {
      ctx->AddMetadata("authorization", std::string("Bearer ") + kToken);
    }
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(10));
    return ctx;
  }

  void ImportSeed() {
    v1::ImportCatalogResponse response;
    grpc::Status s =
        stub_->ImportCatalog(Ctx().get(), fixtures::SeedRequest(), &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  v1::Resolution Resolve(const std::string& title, const std::string& credit,
                         const std::string& provider_id = "") {
    v1::ResolveTracksRequest request;
    auto* e = request.add_entries();
    e->set_title(title);
    e->set_artist_credit(credit);
    e->set_provider("itunes");
    e->set_provider_track_id(provider_id);
    v1::ResolveTracksResponse response;
    grpc::Status s = stub_->ResolveTracks(Ctx(false).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.resolutions_size(), 1);
    return response.resolutions_size() ? response.resolutions(0)
                                       : v1::Resolution();
  }

  std::filesystem::path dir_;
  std::unique_ptr<common::RunningServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CatalogService::Stub> stub_;
};

TEST_F(CatalogServiceTest, HealthIsServingForTheServiceAndTheServer) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string name : {"", "hitclock.catalog.v1.CatalogService"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(name);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status s = health->Check(Ctx(false).get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING)
        << "service '" << name << "'";
  }
}

TEST_F(CatalogServiceTest, WritesNeedTheTokenAndLeaveNothingWithoutIt) {
  v1::ImportCatalogResponse response;
  grpc::Status s = stub_->ImportCatalog(Ctx(false).get(),
                                        fixtures::SeedRequest(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  auto wrong = std::make_unique<grpc::ClientContext>();
  wrong->AddMetadata("authorization", "Bearer not-the-token");
  s = stub_->ImportCatalog(wrong.get(), fixtures::SeedRequest(), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  v1::ListArtistsResponse artists;
  s = stub_->ListArtists(Ctx(false).get(), v1::ListArtistsRequest(), &artists);
  ASSERT_TRUE(s.ok()) << "reads stay open: " << s.error_message();
  EXPECT_EQ(artists.artists_size(), 0) << "a refused import wrote something";

  ImportSeed();
  s = stub_->ListArtists(Ctx(false).get(), v1::ListArtistsRequest(), &artists);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(artists.artists_size(), fixtures::SeedDocument().artists_size());
}

TEST_F(CatalogServiceTest, ImportTwiceChangesNothing) {
  v1::ImportCatalogResponse first, second;
  ASSERT_TRUE(
      stub_->ImportCatalog(Ctx().get(), fixtures::SeedRequest(), &first).ok());
  ASSERT_TRUE(
      stub_->ImportCatalog(Ctx().get(), fixtures::SeedRequest(), &second).ok());
  const auto doc = fixtures::SeedDocument();
  EXPECT_EQ(first.artists().created(), doc.artists_size());
  EXPECT_EQ(first.productions().created(), doc.productions_size());
  EXPECT_EQ(first.tracks().created(), doc.tracks_size());
  EXPECT_EQ(second.artists().unchanged(), doc.artists_size());
  EXPECT_EQ(second.productions().unchanged(), doc.productions_size());
  EXPECT_EQ(second.tracks().unchanged(), doc.tracks_size());
}

TEST_F(CatalogServiceTest, SeedCreditStringsResolve) {
  ImportSeed();
  struct Case {
    const char* title;
    const char* credit;
    const char* track;
  };
  for (const Case& c : {Case{"With You", "HA SUNG WOON & Jimin", "with-you"},
                        Case{"With You", "Jimin & Ha Sung Woon", "with-you"},
                        Case{"With You", "Jimin, Ha Sungwoon", "with-you"},
                        Case{"Yours", "Jin", "yours"},
                        Case{"Yours", "Kim Seok-jin", "yours"}}) {
    v1::Resolution r = Resolve(c.title, c.credit);
    EXPECT_EQ(r.track_id(), c.track)
        << c.title << " / " << c.credit << ": " << r.detail();
    EXPECT_EQ(r.match(), v1::MATCH_KIND_TITLE_AND_ARTISTS);
  }
  // Another song of the same artist is not this one.
  v1::Resolution butter = Resolve("Butter", "BTS");
  EXPECT_EQ(butter.track_id(), "");
  EXPECT_EQ(butter.match(), v1::MATCH_KIND_UNSPECIFIED);
  EXPECT_FALSE(butter.detail().empty());
  // The provider id wins over a misleading title.
  v1::Resolution by_id =
      Resolve("Dynamite (DayTime Version)", "BTS", "900000202");
  EXPECT_EQ(by_id.track_id(), "dynamite");
  EXPECT_EQ(by_id.match(), v1::MATCH_KIND_PROVIDER_ID);
}

TEST_F(CatalogServiceTest, AnAliasAddedLaterResolvesWaitingCredits) {
  ImportSeed();
  EXPECT_EQ(Resolve("With You", "Mochi & Ha Sung-woon").track_id(), "");
  v1::UpdateArtistRequest update;
  update.mutable_artist()->set_id("jimin");
  update.mutable_artist()->add_aliases("지민");
  update.mutable_artist()->add_aliases("Park Ji-min");
  update.mutable_artist()->add_aliases("Mochi");
  update.mutable_update_mask()->add_paths("aliases");
  v1::UpdateArtistResponse updated;
  grpc::Status s = stub_->UpdateArtist(Ctx().get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.artist().name(), "Jimin") << "mask touched other fields";
  EXPECT_EQ(updated.artist().memberships_size(), 1);
  EXPECT_EQ(Resolve("With You", "Mochi & Ha Sung-woon").track_id(), "with-you");
}

TEST_F(CatalogServiceTest, BadInputNamesTheField) {
  ImportSeed();
  struct Case {
    std::string label;
    std::function<grpc::Status()> call;
    grpc::StatusCode code;
    std::string field;
  };
  auto create_artist = [&](v1::Artist a) {
    v1::CreateArtistRequest r;
    *r.mutable_artist() = std::move(a);
    v1::CreateArtistResponse out;
    return stub_->CreateArtist(Ctx().get(), r, &out);
  };
  auto create_track = [&](v1::Track t) {
    v1::CreateTrackRequest r;
    *r.mutable_track() = std::move(t);
    v1::CreateTrackResponse out;
    return stub_->CreateTrack(Ctx().get(), r, &out);
  };
  v1::Artist no_name = fixtures::Solo("x", "", {});
  v1::Artist bad_country = fixtures::Solo("x", "X", {});
  bad_country.set_origin_country("ZZ");
  v1::Artist taken_alias = fixtures::Solo("x", "X", {"HA SUNG WOON"});
  v1::Artist huge = fixtures::Solo("x", std::string(5000, 'a'), {});
  v1::Track no_release = fixtures::SimpleTrack("t", "T", "bts", "77");
  no_release.clear_release_time();
  v1::Track bad_language = fixtures::SimpleTrack("t", "T", "bts", "77");
  bad_language.add_languages("xx");
  v1::Track unknown_artist = fixtures::SimpleTrack("t", "T", "nobody", "77");
  v1::Track taken_id = fixtures::SimpleTrack("t", "T", "bts", "900000101");

  std::vector<Case> cases = {
      {"empty name", [&] { return create_artist(no_name); },
       grpc::StatusCode::INVALID_ARGUMENT, "artist.name"},
      {"bad country", [&] { return create_artist(bad_country); },
       grpc::StatusCode::INVALID_ARGUMENT, "artist.origin_country"},
      {"alias of another artist", [&] { return create_artist(taken_alias); },
       grpc::StatusCode::ALREADY_EXISTS, "artist.aliases[0]"},
      {"oversized name", [&] { return create_artist(huge); },
       grpc::StatusCode::INVALID_ARGUMENT, "artist.name"},
      {"existing id",
       [&] { return create_artist(fixtures::Group("bts", "B")); },
       grpc::StatusCode::ALREADY_EXISTS, "artist.id"},
      {"release missing", [&] { return create_track(no_release); },
       grpc::StatusCode::INVALID_ARGUMENT, "track.release_time"},
      {"bad language", [&] { return create_track(bad_language); },
       grpc::StatusCode::INVALID_ARGUMENT, "track.languages[0]"},
      {"unknown artist", [&] { return create_track(unknown_artist); },
       grpc::StatusCode::INVALID_ARGUMENT, "track.artists[0].artist_id"},
      {"provider id of another track", [&] { return create_track(taken_id); },
       grpc::StatusCode::ALREADY_EXISTS, "track.provider_ids[0]"},
      {"unknown track",
       [&] {
         v1::GetTrackRequest r;
         r.set_id("nope");
         v1::GetTrackResponse out;
         return stub_->GetTrack(Ctx(false).get(), r, &out);
       },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"page token not issued",
       [&] {
         v1::ListTracksRequest r;
         r.set_page_token("bm90LWEtdG9rZW4");
         v1::ListTracksResponse out;
         return stub_->ListTracks(Ctx(false).get(), r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"negative page size",
       [&] {
         v1::ListArtistsRequest r;
         r.set_page_size(-1);
         v1::ListArtistsResponse out;
         return stub_->ListArtists(Ctx(false).get(), r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_size"},
      {"update mask naming no field",
       [&] {
         v1::UpdateTrackRequest r;
         r.mutable_track()->set_id("with-you");
         r.mutable_update_mask()->add_paths("colour");
         v1::UpdateTrackResponse out;
         return stub_->UpdateTrack(Ctx().get(), r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "update_mask.paths[0]"},
      {"too many entries",
       [&] {
         v1::ResolveTracksRequest r;
         for (int i = 0; i <= kMaxResolveEntries; ++i) r.add_entries();
         v1::ResolveTracksResponse out;
         return stub_->ResolveTracks(Ctx(false).get(), r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "entries"},
  };
  for (const Case& c : cases) {
    grpc::Status s = c.call();
    EXPECT_EQ(s.error_code(), c.code) << c.label << ": " << s.error_message();
    EXPECT_NE(s.error_message().find(c.field), std::string::npos)
        << c.label << ": " << s.error_message();
  }
  // None of the refused writes left anything.
  v1::GetArtistRequest get;
  get.set_id("x");
  v1::GetArtistResponse artist;
  EXPECT_EQ(stub_->GetArtist(Ctx(false).get(), get, &artist).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::ListTracksResponse tracks;
  ASSERT_TRUE(
      stub_->ListTracks(Ctx(false).get(), v1::ListTracksRequest(), &tracks)
          .ok());
  EXPECT_EQ(tracks.tracks_size(), fixtures::SeedDocument().tracks_size());
}

TEST_F(CatalogServiceTest, ListPagesThroughEveryTrackOnce) {
  ImportSeed();
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::ListTracksRequest r;
    r.set_page_size(1);
    r.set_page_token(token);
    v1::ListTracksResponse out;
    grpc::Status s = stub_->ListTracks(Ctx(false).get(), r, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    for (const auto& t : out.tracks()) seen.push_back(t.id());
    token = out.next_page_token();
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(seen, (std::vector<std::string>{"christmas-tree", "dynamite",
                                            "with-you", "yours"}));

  // A token is bound to its filter.
  v1::ListTracksRequest first;
  first.set_page_size(1);
  v1::ListTracksResponse out;
  ASSERT_TRUE(stub_->ListTracks(Ctx(false).get(), first, &out).ok());
  v1::ListTracksRequest other;
  other.set_kind(v1::TRACK_KIND_OST);
  other.set_page_token(out.next_page_token());
  grpc::Status s = stub_->ListTracks(Ctx(false).get(), other, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CatalogServiceTest, PageTokensSurviveARestartButNotAnotherStore) {
  ImportSeed();
  v1::ListTracksRequest first;
  first.set_page_size(1);
  v1::ListTracksResponse out;
  ASSERT_TRUE(stub_->ListTracks(Ctx(false).get(), first, &out).ok());
  v1::ListTracksRequest next;
  next.set_page_size(1);
  next.set_page_token(out.next_page_token());
  ASSERT_FALSE(next.page_token().empty());

  StartServer();  // the same store, restarted
  grpc::Status s = stub_->ListTracks(Ctx(false).get(), next, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.tracks_size(), 1);
  EXPECT_EQ(out.tracks(0).id(), "dynamite");

  // Another store with the same tracks did not issue the token.
  StartServer(dir_ / "other");
  ImportSeed();
  s = stub_->ListTracks(Ctx(false).get(), next, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_token"), std::string::npos)
      << s.error_message();
}

TEST_F(CatalogServiceTest, CreateDerivesIdsAndUpdateShowsInChanges) {
  ImportSeed();
  v1::ListChangesResponse before;
  ASSERT_TRUE(
      stub_->ListChanges(Ctx(false).get(), v1::ListChangesRequest(), &before)
          .ok());

  v1::CreateTrackRequest create;
  *create.mutable_track() = fixtures::SimpleTrack("", "Butter", "bts", "55");
  v1::CreateTrackResponse created;
  grpc::Status s = stub_->CreateTrack(Ctx().get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.track().id(), "butter");
  ASSERT_TRUE(stub_->CreateTrack(Ctx().get(), create, &created).ok() == false)
      << "same provider id twice";
  create.mutable_track()->mutable_provider_ids(0)->set_id("56");
  ASSERT_TRUE(stub_->CreateTrack(Ctx().get(), create, &created).ok());
  EXPECT_EQ(created.track().id(), "butter-2");

  v1::UpdateTrackRequest update;
  update.mutable_track()->set_id("with-you");
  update.mutable_track()->mutable_release_time()->set_seconds(1650812460);
  update.mutable_update_mask()->add_paths("release_time");
  v1::UpdateTrackResponse updated;
  s = stub_->UpdateTrack(Ctx().get(), update, &updated);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(updated.track().release_time().seconds(), 1650812460);
  EXPECT_EQ(updated.track().title(), "With You");

  v1::ListChangesRequest since;
  since.set_after_revision(before.latest_revision());
  v1::ListChangesResponse after;
  ASSERT_TRUE(stub_->ListChanges(Ctx(false).get(), since, &after).ok());
  ASSERT_EQ(after.changes_size(), 3);
  EXPECT_EQ(after.changes(2).id(), "with-you");
  EXPECT_EQ(after.changes(2).kind(), v1::RESOURCE_KIND_TRACK);
  EXPECT_EQ(after.latest_revision(), after.changes(2).revision());
}

TEST_F(CatalogServiceTest, DataSurvivesARestart) {
  ImportSeed();
  server_->Shutdown();
  server_.reset();
  StartServer();
  EXPECT_EQ(Resolve("With You", "HA SUNG WOON & Jimin").track_id(), "with-you");
  v1::GetProductionRequest get;
  get.set_id("jirisan");
  v1::GetProductionResponse production;
  ASSERT_TRUE(stub_->GetProduction(Ctx(false).get(), get, &production).ok());
  EXPECT_EQ(production.production().ost_production_company(), "Most Contents");
}

}  // namespace
}  // namespace hitclock::catalog
