// Polling configured feed URLs with libcurl against a local HTTP server
// (python3 -m http.server) serving the real samples of shared/feeds/:
// new snapshots, conditional requests (304), failures and their backoff.
#include "services/ingest/poller.h"

#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/server.h"
#include "gtest/gtest.h"
#include "services/ingest/ingest_service.h"
#include "tests/ingest/ingest_fixtures.h"
#include "tests/ingest/processes.h"

namespace hitclock::ingest {
namespace {

TEST(FeedsFileTest, ParsesSourcesAndNamesTheBadLine) {
  auto sources = ParseFeedsFile(
      "# id url format [chart= region= interval=]\n"
      "us https://itunes.apple.com/us/rss/topsongs/limit=100/json "
      "itunes-rss-json interval=5m\n"
      "\n"
      "am-jp https://example.com/jp.json apple-rss-v2-json region=jp "
      "interval=90   # comment\n"
      "csv-gb http://example.com/gb.csv csv chart=itunes/top-songs "
      "region=gb\n");
  ASSERT_TRUE(sources.ok()) << sources.status();
  ASSERT_EQ(sources->size(), 3u);
  EXPECT_EQ((*sources)[0].id, "us");
  EXPECT_EQ((*sources)[0].format, v1::FEED_FORMAT_ITUNES_RSS_JSON);
  EXPECT_EQ((*sources)[0].interval, absl::Minutes(5));
  EXPECT_EQ((*sources)[1].region, "jp");
  EXPECT_EQ((*sources)[1].interval, absl::Seconds(90));
  EXPECT_EQ((*sources)[2].chart, "itunes/top-songs");

  for (const char* bad :
       {"x http://a/b nope", "x ftp://a/b csv", "x http://a/b csv",
        "x http://a/b itunes-rss-json region=zz",
        "x http://a/b itunes-rss-json interval=-1",
        "x http://a/b itunes-rss-json color=red",
        "x http://a itunes-rss-json\nx http://b itunes-rss-json"}) {
    auto parsed = ParseFeedsFile(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_NE(parsed.status().message().find("line "), std::string::npos);
  }
}

class PollerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("ingest-poller");
    // Copies of the samples, so that a test can touch them.
    served_ = dir_ / "served";
    std::filesystem::copy(HITCLOCK_FEEDS_DIR, served_);
    port_ = processes::FreePort();
    http_pid_ = processes::Spawn(
        {"/usr/bin/python3", "-m", "http.server", std::to_string(port_),
         "--bind", "127.0.0.1", "--directory", served_.string()},
        (dir_ / "http.log").string());
    for (int i = 0; i < 100 && !Reachable(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(Reachable()) << fixtures::ReadFile(dir_ / "http.log");
  }
  void TearDown() override {
    server_.reset();
    if (http_pid_ > 0) {
      kill(http_pid_, SIGTERM);
      waitpid(http_pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  bool Reachable() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    const bool ok =
        connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    return ok;
  }

  std::string Url(const std::string& file) {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + file;
  }

  void StartIngest(const std::string& feeds) {
    const auto path = dir_ / "feeds.txt";
    std::ofstream(path) << feeds;
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = (dir_ / "data").string();
    IngestOptions ingest;
    ingest.feeds = path.string();
    options.service = ingest;
    auto instance = CreateIngestInstance(options);
    ASSERT_TRUE(instance.ok()) << instance.status();
    auto server = common::RunningServer::Start(IngestDescriptor(), options,
                                               *std::move(instance));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::IngestService::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }

  v1::ListFeedSourcesResponse Sources() {
    grpc::ClientContext ctx;
    v1::ListFeedSourcesResponse response;
    EXPECT_TRUE(
        stub_->ListFeedSources(&ctx, v1::ListFeedSourcesRequest(), &response)
            .ok());
    return response;
  }

  std::filesystem::path dir_;
  std::filesystem::path served_;
  int port_ = 0;
  pid_t http_pid_ = 0;
  std::unique_ptr<common::RunningServer> server_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

TEST_F(PollerTest, PollsIngestsAndAsksConditionally) {
  StartIngest(
      "itunes-us " + Url("legacy_itunes_topsongs_us_limit10_2018-06-01.json") +
      " itunes-rss-json interval=1h\n"
      "am-us " +
      Url("v2_applemarketingtools_most-played_songs_us_limit20_2022-05-11."
          "json") +
      " apple-rss-v2-json interval=1h\n"
      "missing " +
      Url("no-such-feed.json") + " itunes-rss-json interval=1h\n");
  // The scheduler polls every source once at start.
  v1::ListFeedSourcesResponse sources;
  for (int i = 0; i < 100; ++i) {
    sources = Sources();
    bool all = sources.sources_size() == 3;
    for (const auto& s : sources.sources()) all = all && s.poll_count() > 0;
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(sources.sources_size(), 3);
  EXPECT_EQ(sources.sources(0).id(), "am-us") << "ordered by id";
  for (const auto& s : sources.sources()) {
    ASSERT_GT(s.poll_count(), 0) << s.id();
    if (s.id() == "missing") {
      EXPECT_EQ(s.last_outcome(), v1::POLL_OUTCOME_FAILED);
      EXPECT_EQ(s.last_http_status(), 404);
      EXPECT_EQ(s.consecutive_failure_count(), 1);
      EXPECT_FALSE(s.last_error().empty());
      EXPECT_LT(s.next_poll_time().seconds() - s.last_poll_time().seconds(),
                3600)
          << "a failure is retried sooner than the interval";
    } else {
      EXPECT_EQ(s.last_outcome(), v1::POLL_OUTCOME_NEW_SNAPSHOT)
          << s.id() << s.last_error();
      EXPECT_EQ(s.last_http_status(), 200);
      EXPECT_FALSE(s.last_modified().empty());
      EXPECT_TRUE(s.has_last_source_update_time());
      EXPECT_EQ(s.snapshot_count(), 1);
    }
  }

  // Polled again now: the server answers 304 to If-Modified-Since.
  grpc::ClientContext ctx;
  v1::PollFeedSourceRequest poll;
  poll.set_id("itunes-us");
  v1::PollFeedSourceResponse polled;
  ASSERT_TRUE(stub_->PollFeedSource(&ctx, poll, &polled).ok());
  EXPECT_EQ(polled.source().last_outcome(), v1::POLL_OUTCOME_NOT_MODIFIED);
  EXPECT_EQ(polled.source().last_http_status(), 304);
  EXPECT_EQ(polled.source().poll_count(), 2);
  EXPECT_FALSE(polled.has_result());

  grpc::ClientContext missing_ctx;
  poll.set_id("nope");
  EXPECT_EQ(stub_->PollFeedSource(&missing_ctx, poll, &polled).error_code(),
            grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext list_ctx;
  v1::ListSnapshotsResponse list;
  ASSERT_TRUE(
      stub_->ListSnapshots(&list_ctx, v1::ListSnapshotsRequest(), &list).ok());
  ASSERT_EQ(list.snapshots_size(), 2);
  for (const auto& s : list.snapshots()) {
    EXPECT_EQ(s.origin(), v1::SNAPSHOT_ORIGIN_POLL);
    EXPECT_FALSE(s.feed_source_id().empty());
    EXPECT_TRUE(s.content().has_fetch_time());
    EXPECT_TRUE(s.content().has_source_update_time());
  }
}

TEST_F(PollerTest, AFeedWhoseUpdatedDidNotAdvanceIsUnchanged) {
  const std::string file = "legacy_itunes_topsongs_us_limit10_2018-06-01.json";
  StartIngest("us " + Url(file) + " itunes-rss-json interval=1h\n");
  grpc::ClientContext ctx;
  v1::PollFeedSourceRequest poll;
  poll.set_id("us");
  v1::PollFeedSourceResponse polled;
  ASSERT_TRUE(stub_->PollFeedSource(&ctx, poll, &polled).ok());
  // Whether the scheduler or this call fetched it first, it is stored once.
  // The file is rewritten (a new Last-Modified, the same `updated`): the
  // server sends it whole, and it is the same snapshot.
  std::filesystem::last_write_time(
      served_ / file,
      std::filesystem::last_write_time(served_ / file) + std::chrono::hours(1));
  grpc::ClientContext again_ctx;
  ASSERT_TRUE(stub_->PollFeedSource(&again_ctx, poll, &polled).ok());
  EXPECT_EQ(polled.source().last_http_status(), 200);
  EXPECT_EQ(polled.source().last_outcome(), v1::POLL_OUTCOME_UNCHANGED);
  ASSERT_TRUE(polled.has_result());
  EXPECT_EQ(polled.result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);
  EXPECT_EQ(polled.source().snapshot_count(), 1);
}

}  // namespace
}  // namespace hitclock::ingest
