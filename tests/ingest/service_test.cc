// Every ingest RPC over real channels to a real ingest server on
// 127.0.0.1:0, forwarding to a real catalog and a real records server (all
// in-process), with auth on everywhere.
#include <grpcpp/grpcpp.h>

#include <any>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "common/options.h"
#include "common/server.h"
#include "google/protobuf/util/json_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/ingest/v1/ingest.grpc.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/catalog/catalog_service.h"
#include "services/ingest/ingest_service.h"
#include "services/records/records_service.h"
#include "tests/ingest/ingest_fixtures.h"

namespace hitclock::ingest {
namespace {

constexpr char kToken[] = "ingest-test-token";
using Clock = std::chrono::steady_clock;

// A snapshot whose first entries resolve through the demo catalog (by
// iTunes id, by credit and title) and whose last does not.
v1::ChartSnapshot DemoSnapshot(const std::string& region, int minutes) {
  v1::ChartSnapshot s = fixtures::Snapshot(region, minutes, 4);
  auto set = [&](int i, const char* title, const char* credit, const char* id) {
    auto* e = s.mutable_entries(i)->mutable_entry();
    e->set_title(title);
    e->set_artist_credit(credit);
    e->set_provider_track_id(id);
  };
  set(0, "With You", "Jimin & HA SUNG WOON", "900000101");
  set(1, "Yours", "Jin", "");
  set(2, "Dynamite", "BTS", "900000201");
  set(3, "Unknown Song", "Nobody Known", "123");
  return s;
}

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("ingest-service");
    catalog_ = Start(catalog::CatalogDescriptor(),
                     catalog::CreateCatalogInstance, "catalog", {});
    ImportDemoCatalog();
    records_ =
        Start(records::RecordsDescriptor(), records::CreateRecordsInstance,
              "records", {{"catalog", catalog_->address()}});
    StartIngest();
  }
  void TearDown() override {
    ingest_.reset();
    records_.reset();
    catalog_.reset();
    std::filesystem::remove_all(dir_);
  }

  template <typename Factory>
  std::unique_ptr<common::RunningServer> Start(
      const common::ServiceDescriptor& descriptor, Factory factory,
      const std::string& name, std::map<std::string, std::string> peers,
      std::any service = {}) {
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = (dir_ / name).string();
    options.auth_token = kToken;
    options.shutdown_timeout = absl::Seconds(2);
    options.peers = std::move(peers);
    options.service = std::move(service);
    auto instance = factory(options);
    EXPECT_TRUE(instance.ok()) << instance.status();
    if (!instance.ok()) return nullptr;
    auto server =
        common::RunningServer::Start(descriptor, options, *std::move(instance));
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  void StartIngest() {
    // A generous skew so that a capture records refuses as "in the future"
    // gets in: how the dead-letter path is reached.
    ingest_ = Start(
        IngestDescriptor(), CreateIngestInstance, "ingest",
        {{"catalog", catalog_->address()}, {"records", records_->address()}},
        IngestOptions{.max_skew = absl::Hours(1),
                      .forward_max_backoff = absl::Milliseconds(500)});
    ASSERT_NE(ingest_, nullptr);
    channel_ = grpc::CreateChannel(ingest_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::IngestService::NewStub(channel_);
    records_stub_ = records::v1::RecordsService::NewStub(grpc::CreateChannel(
        records_->address(), grpc::InsecureChannelCredentials()));
    catalog_stub_ = catalog::v1::CatalogService::NewStub(grpc::CreateChannel(
        catalog_->address(), grpc::InsecureChannelCredentials()));
  }

  void ImportDemoCatalog() {
    catalog::v1::ImportCatalogRequest request;
    auto status = google::protobuf::util::JsonStringToMessage(
        fixtures::ReadFile(std::filesystem::path(HITCLOCK_SOURCE_DIR) /
                           "demo/catalog.json"),
        &request);
    ASSERT_TRUE(status.ok()) << status.ToString();
    auto stub = catalog::v1::CatalogService::NewStub(grpc::CreateChannel(
        catalog_->address(), grpc::InsecureChannelCredentials()));
    catalog::v1::ImportCatalogResponse response;
    ASSERT_TRUE(stub->ImportCatalog(Ctx().get(), request, &response).ok());
  }

  std::unique_ptr<grpc::ClientContext> Ctx(bool with_token = true) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (with_token) {
      ctx->AddMetadata("authorization", std::string("Bearer ") + kToken);
    }
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(20));
    return ctx;
  }

  grpc::Status Submit(const v1::ChartSnapshot& snapshot,
                      v1::SubmitSnapshotResponse* response,
                      bool replace = false) {
    v1::SubmitSnapshotRequest request;
    *request.mutable_snapshot() = snapshot;
    request.set_replace(replace);
    return stub_->SubmitSnapshot(Ctx().get(), request, response);
  }

  v1::GetForwarderStatusResponse Status() {
    v1::GetForwarderStatusResponse response;
    EXPECT_TRUE(stub_
                    ->GetForwarderStatus(Ctx(false).get(),
                                         v1::GetForwarderStatusRequest(),
                                         &response)
                    .ok());
    return response;
  }

  // Waits until records acknowledged everything (nothing pending).
  void WaitForwarded(int seconds = 20) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    v1::GetForwarderStatusResponse s;
    while (Clock::now() < deadline) {
      s = Status();
      if (s.pending_snapshot_count() == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "still pending: " << s.DebugString();
  }

  int64_t RecordsSnapshotCount() {
    records::v1::ListChartsResponse charts;
    EXPECT_TRUE(
        records_stub_
            ->ListCharts(Ctx().get(), records::v1::ListChartsRequest(), &charts)
            .ok());
    int64_t n = 0;
    for (const auto& c : charts.charts()) n += c.snapshot_count();
    return n;
  }

  absl::StatusOr<records::v1::ResolvedSnapshot> RecordsSnapshot(
      const v1::ChartSnapshot& s) {
    records::v1::GetSnapshotRequest request;
    *request.mutable_key()->mutable_chart() = s.chart();
    request.mutable_key()->mutable_region()->set_code(s.region().code());
    *request.mutable_key()->mutable_capture_time() = s.capture_time();
    records::v1::GetSnapshotResponse response;
    grpc::Status st =
        records_stub_->GetSnapshot(Ctx().get(), request, &response);
    if (!st.ok()) return absl::NotFoundError(st.error_message());
    return response.snapshot();
  }

  std::filesystem::path dir_;
  std::unique_ptr<common::RunningServer> catalog_, records_, ingest_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
  std::unique_ptr<records::v1::RecordsService::Stub> records_stub_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog_stub_;
};

TEST_F(IngestServiceTest, HealthIsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const std::string name : {"", "hitclock.ingest.v1.IngestService"}) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(name);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(health->Check(Ctx(false).get(), request, &response).ok());
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

TEST_F(IngestServiceTest, WritesNeedTheTokenReadsDoNot) {
  v1::SubmitSnapshotRequest request;
  *request.mutable_snapshot() = DemoSnapshot("us", 0);
  v1::SubmitSnapshotResponse response;
  EXPECT_EQ(
      stub_->SubmitSnapshot(Ctx(false).get(), request, &response).error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  auto ctx = Ctx(false);
  auto stream = stub_->StreamSnapshots(ctx.get());
  v1::StreamSnapshotsRequest message;
  *message.mutable_snapshot() = DemoSnapshot("us", 0);
  stream->Write(message);
  stream->WritesDone();
  v1::StreamSnapshotsResponse result;
  EXPECT_FALSE(stream->Read(&result));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::ListSnapshotsResponse list;
  ASSERT_TRUE(
      stub_->ListSnapshots(Ctx(false).get(), v1::ListSnapshotsRequest(), &list)
          .ok());
  EXPECT_EQ(list.snapshots_size(), 0) << "a refused write stored something";
}

TEST_F(IngestServiceTest, SubmitIsIdempotentAndReplaceIsExplicit) {
  v1::SubmitSnapshotResponse r;
  ASSERT_TRUE(Submit(DemoSnapshot("us", 0), &r).ok());
  EXPECT_EQ(r.result().outcome(), v1::SUBMIT_OUTCOME_ACCEPTED);
  EXPECT_EQ(r.result().entry_count(), 4);
  EXPECT_EQ(r.result().key().region().kind(),
            hitclock::common::v1::REGION_KIND_COUNTRY);
  const std::string id = r.result().snapshot_id();
  ASSERT_TRUE(Submit(DemoSnapshot("us", 0), &r).ok());
  EXPECT_EQ(r.result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);
  EXPECT_EQ(r.result().snapshot_id(), id);

  v1::ChartSnapshot changed = DemoSnapshot("us", 0);
  changed.mutable_entries(3)->mutable_entry()->set_title("Another Song");
  EXPECT_EQ(Submit(changed, &r).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Submit(changed, &r, /*replace=*/true).ok());
  EXPECT_EQ(r.result().outcome(), v1::SUBMIT_OUTCOME_REPLACED);
  WaitForwarded();

  v1::GetSnapshotRequest get;
  get.set_id(id);
  get.set_view(v1::SNAPSHOT_VIEW_FULL);
  v1::GetSnapshotResponse got;
  ASSERT_TRUE(stub_->GetSnapshot(Ctx(false).get(), get, &got).ok());
  EXPECT_EQ(got.snapshot().replace_count(), 1);
  EXPECT_EQ(got.snapshot().duplicate_count(), 1);
  EXPECT_EQ(got.snapshot().content().entries(3).entry().title(),
            "Another Song");
  EXPECT_EQ(got.snapshot().state(), v1::SNAPSHOT_STATE_FORWARDED);
  EXPECT_EQ(RecordsSnapshotCount(), 1);
}

TEST_F(IngestServiceTest, BadSnapshotsAreRejectedNamingTheField) {
  v1::SubmitSnapshotResponse r;
  v1::ChartSnapshot s = DemoSnapshot("us", 0);
  s.mutable_entries(2)->set_position(2);
  grpc::Status st = Submit(s, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("snapshot.entries["), std::string::npos)
      << st.error_message();
  s = DemoSnapshot("kr", 0);
  s.mutable_region()->set_code("xx");
  st = Submit(s, &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("snapshot.region"), std::string::npos)
      << st.error_message();
  s = DemoSnapshot("us", 0);
  s.mutable_chart()->set_list("nope");
  EXPECT_EQ(Submit(s, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = DemoSnapshot("us", 0);
  s.mutable_capture_time()->set_seconds(900000000);  // 1998
  st = Submit(s, &r);
  EXPECT_NE(st.error_message().find("snapshot.capture_time"), std::string::npos)
      << st.error_message();
  EXPECT_EQ(Submit(v1::ChartSnapshot(), &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IngestServiceTest, ForwardsResolvedEntriesAndGroupsTheUnresolved) {
  v1::SubmitSnapshotResponse r;
  ASSERT_TRUE(Submit(DemoSnapshot("us", 0), &r).ok());
  ASSERT_TRUE(Submit(DemoSnapshot("gb", 0), &r).ok());
  WaitForwarded();
  auto held = RecordsSnapshot(DemoSnapshot("us", 0));
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->chart_size(), 4);
  ASSERT_EQ(held->entries_size(), 3);
  EXPECT_EQ(held->entries(0).track_id(), "with-you");
  EXPECT_EQ(held->entries(1).track_id(), "yours");
  EXPECT_EQ(held->entries(2).track_id(), "dynamite");

  v1::GetSnapshotRequest get;
  *get.mutable_key()->mutable_chart() = DemoSnapshot("us", 0).chart();
  get.mutable_key()->mutable_region()->set_code("us");
  *get.mutable_key()->mutable_capture_time() = fixtures::At(0);
  get.set_view(v1::SNAPSHOT_VIEW_FULL);
  v1::GetSnapshotResponse got;
  ASSERT_TRUE(stub_->GetSnapshot(Ctx(false).get(), get, &got).ok());
  EXPECT_EQ(got.snapshot().state(), v1::SNAPSHOT_STATE_FORWARDED);
  EXPECT_EQ(got.snapshot().resolved_entry_count(), 3);
  EXPECT_EQ(got.snapshot().unresolved_entry_count(), 1);
  EXPECT_EQ(got.snapshot().forward_attempt_count(), 1);
  EXPECT_TRUE(got.snapshot().has_forward_time());
  EXPECT_EQ(got.snapshot().content().entries(0).track_id(), "with-you");
  EXPECT_EQ(got.snapshot().content().entries(3).track_id(), "");

  v1::ListUnresolvedResponse unresolved;
  ASSERT_TRUE(stub_
                  ->ListUnresolved(Ctx(false).get(),
                                   v1::ListUnresolvedRequest(), &unresolved)
                  .ok());
  EXPECT_EQ(unresolved.total_entry_count(), 2);
  ASSERT_EQ(unresolved.credits_size(), 1);
  EXPECT_EQ(unresolved.credits(0).artist_credit(), "Nobody Known");
  EXPECT_EQ(unresolved.credits(0).region_count(), 2);
  ASSERT_EQ(unresolved.credits(0).titles_size(), 1);
  EXPECT_FALSE(unresolved.credits(0).titles(0).resolution_detail().empty());

  auto status = Status();
  EXPECT_EQ(status.forwarded_snapshot_count(), 2);
  EXPECT_EQ(status.unresolved_entry_count(), 2);
  EXPECT_TRUE(status.catalog().reachable());
  EXPECT_TRUE(status.records().reachable());
  EXPECT_EQ(status.records().address(), records_->address());
}

TEST_F(IngestServiceTest, RetryResolutionBackfillsAfterTheCatalogLearns) {
  v1::SubmitSnapshotResponse r;
  ASSERT_TRUE(Submit(DemoSnapshot("us", 0), &r).ok());
  ASSERT_TRUE(Submit(DemoSnapshot("jp", 0), &r).ok());
  WaitForwarded();
  // The catalog learns the unknown entry's iTunes id.
  catalog::v1::CreateTrackRequest create;
  auto* track = create.mutable_track();
  track->set_id("unknown-song");
  track->set_title("Unknown Song");
  auto* artist = track->add_artists();
  artist->set_artist_id("jin");
  artist->set_role(catalog::v1::CREDIT_ROLE_MAIN);
  track->mutable_release_time()->set_seconds(1600000000);
  track->set_kind(catalog::v1::TRACK_KIND_SINGLE);
  auto* pid = track->add_provider_ids();
  pid->set_provider("itunes");
  pid->set_id("123");
  catalog::v1::CreateTrackResponse created;
  grpc::Status st = catalog_stub_->CreateTrack(Ctx().get(), create, &created);
  ASSERT_TRUE(st.ok()) << st.error_message();

  v1::RetryResolutionRequest retry;
  retry.set_artist_credit("Nobody Known");
  v1::RetryResolutionResponse retried;
  st = stub_->RetryResolution(Ctx().get(), retry, &retried);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(retried.examined_entry_count(), 2);
  EXPECT_EQ(retried.resolved_entry_count(), 2);
  EXPECT_EQ(retried.requeued_snapshot_count(), 2);
  WaitForwarded();
  auto held = RecordsSnapshot(DemoSnapshot("jp", 0));
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->entries_size(), 4) << "the backfilled entry was merged";
  EXPECT_EQ(held->entries(3).track_id(), "unknown-song");
  EXPECT_EQ(Status().unresolved_entry_count(), 0);
  EXPECT_EQ(RecordsSnapshotCount(), 2);
}

TEST_F(IngestServiceTest, StreamAnswersInOrderAndABadMessageSpoilsNothing) {
  constexpr int kMessages = 60;
  constexpr int kBad = 17;
  auto run = [&](std::vector<v1::StreamSnapshotsResponse>& results) {
    auto ctx = Ctx();
    auto stream = stub_->StreamSnapshots(ctx.get());
    std::thread writer([&] {
      for (int i = 0; i < kMessages; ++i) {
        v1::StreamSnapshotsRequest m;
        *m.mutable_snapshot() = DemoSnapshot(i % 2 ? "us" : "gb", i);
        if (i == kBad)
          m.mutable_snapshot()->mutable_entries(1)->set_position(9);
        if (!stream->Write(m)) break;
      }
      stream->WritesDone();
    });
    v1::StreamSnapshotsResponse response;
    while (stream->Read(&response)) results.push_back(response);
    writer.join();
    grpc::Status st = stream->Finish();
    EXPECT_TRUE(st.ok()) << st.error_message();
  };
  std::vector<v1::StreamSnapshotsResponse> results;
  run(results);
  ASSERT_EQ(results.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    EXPECT_EQ(results[i].index(), i);
    if (i == kBad) {
      EXPECT_EQ(results[i].result().outcome(), v1::SUBMIT_OUTCOME_REJECTED);
      EXPECT_EQ(results[i].result().error().code(), 3);
      EXPECT_EQ(
          results[i].result().error().field().rfind("snapshot.entries[", 0), 0u)
          << results[i].result().error().field();
      EXPECT_NE(results[i].result().error().message().find("message 17"),
                std::string::npos);
    } else {
      EXPECT_EQ(results[i].result().outcome(), v1::SUBMIT_OUTCOME_ACCEPTED)
          << i;
      EXPECT_FALSE(results[i].result().snapshot_id().empty());
    }
  }
  // The whole stream again: every good one is a duplicate.
  std::vector<v1::StreamSnapshotsResponse> again;
  run(again);
  ASSERT_EQ(again.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) {
    if (i != kBad) {
      EXPECT_EQ(again[i].result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);
    }
  }
  WaitForwarded();
  EXPECT_EQ(RecordsSnapshotCount(), kMessages - 1);
  EXPECT_EQ(Status().forwarded_snapshot_count(), kMessages - 1);
}

TEST_F(IngestServiceTest, ListSnapshotsPagesNewestFirstWithFilters) {
  v1::SubmitSnapshotResponse r;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(Submit(DemoSnapshot(i < 4 ? "us" : "fr", i), &r).ok());
  }
  v1::ListSnapshotsRequest request;
  request.set_page_size(3);
  std::vector<std::string> seen;
  for (;;) {
    v1::ListSnapshotsResponse page;
    ASSERT_TRUE(stub_->ListSnapshots(Ctx(false).get(), request, &page).ok());
    for (const auto& s : page.snapshots()) {
      seen.push_back(s.id());
      EXPECT_EQ(s.content().entries_size(), 0) << "BASIC view has no entries";
      EXPECT_EQ(s.entry_count(), 4);
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  ASSERT_EQ(seen.size(), 7u);
  EXPECT_EQ(seen.front(), r.result().snapshot_id()) << "newest first";

  v1::ListSnapshotsRequest filtered;
  filtered.set_region_code("fr");
  filtered.set_view(v1::SNAPSHOT_VIEW_FULL);
  v1::ListSnapshotsResponse fr;
  ASSERT_TRUE(stub_->ListSnapshots(Ctx(false).get(), filtered, &fr).ok());
  ASSERT_EQ(fr.snapshots_size(), 3);
  EXPECT_EQ(fr.snapshots(0).content().entries_size(), 4);

  filtered.set_page_token(request.page_token());  // another scope
  EXPECT_EQ(stub_->ListSnapshots(Ctx(false).get(), filtered, &fr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IngestServiceTest, RecordsRejectionIsDeadLetteredNotRetried) {
  v1::ChartSnapshot future = DemoSnapshot("us", 0);
  future.mutable_capture_time()->set_seconds(absl::ToUnixSeconds(
      absl::Now() + absl::Minutes(30)));  // ingest allows 1 h, records 5 min
  v1::SubmitSnapshotResponse r;
  ASSERT_TRUE(Submit(future, &r).ok());
  ASSERT_TRUE(Submit(DemoSnapshot("us", 5), &r).ok());
  WaitForwarded();
  auto status = Status();
  EXPECT_EQ(status.failed_snapshot_count(), 1);
  EXPECT_EQ(status.forwarded_snapshot_count(), 1);
  v1::ListSnapshotsRequest failed;
  failed.set_state(v1::SNAPSHOT_STATE_FAILED);
  v1::ListSnapshotsResponse list;
  ASSERT_TRUE(stub_->ListSnapshots(Ctx(false).get(), failed, &list).ok());
  ASSERT_EQ(list.snapshots_size(), 1);
  EXPECT_NE(list.snapshots(0).last_error().find("capture_time"),
            std::string::npos)
      << list.snapshots(0).last_error();
}

TEST_F(IngestServiceTest, ImportFeedParsesARealSampleOnce) {
  const std::string feed =
      fixtures::ReadFile(std::filesystem::path(HITCLOCK_FEEDS_DIR) /
                         "legacy_itunes_topsongs_us_limit10_2018-06-01.json");
  ASSERT_FALSE(feed.empty());
  v1::ImportFeedRequest request;
  request.set_content(feed);
  request.set_format(v1::FEED_FORMAT_ITUNES_RSS_JSON);
  v1::ImportFeedResponse response;
  grpc::Status st = stub_->ImportFeed(Ctx().get(), request, &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(response.result().outcome(), v1::SUBMIT_OUTCOME_ACCEPTED);
  EXPECT_EQ(response.result().entry_count(), 10);
  EXPECT_EQ(response.result().key().region().code(), "us");
  EXPECT_EQ(response.result().key().chart().list(), "top-songs");
  EXPECT_TRUE(response.has_source_update_time());
  EXPECT_EQ(response.result().key().capture_time().seconds(),
            response.source_update_time().seconds());
  // Fetched again later: its `updated` did not advance, same snapshot.
  *request.mutable_fetch_time() = fixtures::At(60);
  ASSERT_TRUE(stub_->ImportFeed(Ctx().get(), request, &response).ok());
  EXPECT_EQ(response.result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);
  // With its own capture instant, the same rebuild is still a duplicate.
  *request.mutable_capture_time() = fixtures::At(61);
  ASSERT_TRUE(stub_->ImportFeed(Ctx().get(), request, &response).ok());
  EXPECT_EQ(response.result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);

  request.set_content("{\"feed\": [1, 2");
  st = stub_->ImportFeed(Ctx().get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("content", 0), 0u) << st.error_message();
  request.set_content(feed);
  request.set_format(v1::FEED_FORMAT_UNSPECIFIED);
  EXPECT_EQ(stub_->ImportFeed(Ctx().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetSnapshotRequest get;
  get.set_id(response.result().snapshot_id().empty()
                 ? "snp_1"
                 : response.result().snapshot_id());
  v1::GetSnapshotResponse got;
  ASSERT_TRUE(stub_->GetSnapshot(Ctx(false).get(), get, &got).ok());
  EXPECT_EQ(got.snapshot().origin(), v1::SNAPSHOT_ORIGIN_IMPORT_FEED);
  EXPECT_EQ(got.snapshot().feed_format(), v1::FEED_FORMAT_ITUNES_RSS_JSON);
  EXPECT_EQ(got.snapshot().duplicate_count(), 2);
  WaitForwarded();
}

TEST_F(IngestServiceTest, InstantsOutOfRangeAreRefusedNamingTheField) {
  const std::string feed =
      fixtures::ReadFile(std::filesystem::path(HITCLOCK_FEEDS_DIR) /
                         "legacy_itunes_topsongs_us_limit10_2018-06-01.json");
  v1::ImportFeedRequest request;
  request.set_content(feed);
  request.set_format(v1::FEED_FORMAT_ITUNES_RSS_JSON);
  // Times a million this once wrapped around to 2023-02-01 and was stored.
  request.mutable_capture_time()->set_seconds(288230377826921344);
  v1::ImportFeedResponse response;
  grpc::Status st = stub_->ImportFeed(Ctx().get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("capture_time: must be between", 0), 0u)
      << st.error_message();
  request.mutable_capture_time()->set_seconds(1527811200);
  request.mutable_capture_time()->set_nanos(-999999999);
  st = stub_->ImportFeed(Ctx().get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "capture_time.nanos: must be 0 to 999999999");
  request.clear_capture_time();
  request.mutable_fetch_time()->set_seconds(-1);
  st = stub_->ImportFeed(Ctx().get(), request, &response);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("fetch_time: must be between", 0), 0u)
      << st.error_message();

  v1::ListSnapshotsRequest list;
  list.mutable_end_time()->set_seconds(253402300799);
  v1::ListSnapshotsResponse listed;
  st = stub_->ListSnapshots(Ctx(false).get(), list, &listed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("end_time: must be between", 0), 0u)
      << st.error_message();

  v1::GetSnapshotRequest get;
  get.mutable_key()->mutable_chart()->set_provider("itunes");
  get.mutable_key()->mutable_chart()->set_list("top-songs");
  get.mutable_key()->mutable_region()->set_code("us");
  get.mutable_key()->mutable_capture_time()->set_nanos(1000000000);
  v1::GetSnapshotResponse got;
  st = stub_->GetSnapshot(Ctx(false).get(), get, &got);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(),
            "key.capture_time.nanos: must be 0 to 999999999");

  // Nothing was stored by any of them.
  ASSERT_TRUE(
      stub_
          ->ListSnapshots(Ctx(false).get(), v1::ListSnapshotsRequest(), &listed)
          .ok());
  EXPECT_EQ(listed.snapshots_size(), 0);
}

TEST_F(IngestServiceTest, GetSnapshotErrors) {
  v1::GetSnapshotRequest get;
  v1::GetSnapshotResponse got;
  EXPECT_EQ(stub_->GetSnapshot(Ctx(false).get(), get, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  get.set_id("snp_ff");
  EXPECT_EQ(stub_->GetSnapshot(Ctx(false).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_id("bogus");
  EXPECT_EQ(stub_->GetSnapshot(Ctx(false).get(), get, &got).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace hitclock::ingest
