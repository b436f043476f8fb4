// Every records RPC over a real channel to a real server on 127.0.0.1:0,
// with a real catalog server (also on port 0) holding `demo/catalog.json`
// and the simulator's companion catalog, and the demo stream appended
// through AppendSnapshots: the SEED-FACTS figures, the record event, a
// catalog correction followed within seconds, and a restart.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/options.h"
#include "common/server.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/catalog/catalog_service.h"
#include "services/records/records_service.h"
#include "services/records/sim/demo.h"
#include "tests/records/records_fixtures.h"

namespace hitclock::records {
namespace {

namespace cv1 = catalog::v1;
using google::protobuf::util::MessageDifferencer;

constexpr char kToken[] = "records-test-token";
constexpr int64_t kMinuteSeconds = 60;

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::filesystem::path(HITCLOCK_SOURCE_DIR) / relative);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::unique_ptr<grpc::ClientContext> Ctx(bool with_token = true,
                                         int seconds = 30) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (with_token) {
    ctx->AddMetadata("authorization", std::string("Bearer ") + kToken);
  }
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
  return ctx;
}

common::v1::ChartId ItunesChart() {
  common::v1::ChartId chart;
  chart.set_provider("itunes");
  chart.set_list("top-songs");
  return chart;
}

google::protobuf::Timestamp Ts(int64_t micros) {
  google::protobuf::Timestamp t;
  t.set_seconds(micros / 1'000'000);
  t.set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  return t;
}

v1::AppendSnapshotsRequest Request(const sim::SimSnapshot& s) {
  v1::AppendSnapshotsRequest request;
  v1::ResolvedSnapshot& out = *request.mutable_snapshot();
  const size_t slash = s.chart.find('/');
  out.mutable_chart()->set_provider(s.chart.substr(0, slash));
  out.mutable_chart()->set_list(s.chart.substr(slash + 1));
  out.mutable_region()->set_code(s.region);
  *out.mutable_capture_time() = Ts(s.capture_micros);
  out.set_chart_size(s.chart_size);
  for (const sim::SimEntry& e : s.entries) {
    auto* entry = out.add_entries();
    entry->set_track_id(e.track_id);
    entry->set_position(e.position);
  }
  return request;
}

// Sends `requests` on one AppendSnapshots stream, reading results on another
// thread; returns them and the stream's status.
std::pair<std::vector<v1::AppendSnapshotsResponse>, grpc::Status> AppendAll(
    v1::RecordsService::Stub& stub,
    const std::vector<v1::AppendSnapshotsRequest>& requests,
    bool with_token = true) {
  auto ctx = Ctx(with_token, 300);
  auto stream = stub.AppendSnapshots(ctx.get());
  std::vector<v1::AppendSnapshotsResponse> results;
  std::thread reader([&] {
    v1::AppendSnapshotsResponse r;
    while (stream->Read(&r)) results.push_back(r);
  });
  for (const auto& request : requests) {
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  return {std::move(results), status};
}

v1::RecordKey Key(v1::Metric metric, int n, v1::Category category = {}) {
  v1::RecordKey key;
  *key.mutable_chart() = ItunesChart();
  key.set_metric(metric);
  key.set_min_regions(n);
  *key.mutable_category() = category;
  return key;
}

int64_t Seconds(const google::protobuf::Duration& d) { return d.seconds(); }

// ---------------------------------------------------------------------------
// The demo suite: one catalog, one records server, the demo appended once.

class RecordsDemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(fixtures::MakeTempDir("records-demo"));
    StartCatalog();
    StartRecords();
    StartWatching();
    AppendDemo();
  }

  static void TearDownTestSuite() {
    StopWatching();
    records_.reset();
    catalog_.reset();
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static void StartCatalog() {
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = (*dir_ / "catalog").string();
    options.auth_token = kToken;
    options.shutdown_timeout = absl::Seconds(2);
    auto instance = catalog::CreateCatalogInstance(options);
    ASSERT_TRUE(instance.ok()) << instance.status();
    auto server = common::RunningServer::Start(catalog::CatalogDescriptor(),
                                               options, *std::move(instance));
    ASSERT_TRUE(server.ok()) << server.status();
    catalog_ = *std::move(server);
    catalog_stub_ = cv1::CatalogService::NewStub(grpc::CreateChannel(
        catalog_->address(), grpc::InsecureChannelCredentials()));
    for (const std::string& json : {ReadSourceFile("demo/catalog.json"),
                                    sim::DemoCompanionCatalogJson()}) {
      cv1::ImportCatalogRequest request;
      ASSERT_TRUE(
          google::protobuf::util::JsonStringToMessage(json, &request).ok());
      cv1::ImportCatalogResponse response;
      grpc::Status s =
          catalog_stub_->ImportCatalog(Ctx().get(), request, &response);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }

  static void StartRecords() {
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = (*dir_ / "records").string();
    options.auth_token = kToken;
    options.shutdown_timeout = absl::Seconds(2);
    options.peers["catalog"] = catalog_->address();
    auto instance = CreateRecordsInstance(options);
    ASSERT_TRUE(instance.ok()) << instance.status();
    auto server = common::RunningServer::Start(RecordsDescriptor(), options,
                                               *std::move(instance));
    ASSERT_TRUE(server.ok()) << server.status();
    records_ = *std::move(server);
    stub_ = v1::RecordsService::NewStub(grpc::CreateChannel(
        records_->address(), grpc::InsecureChannelCredentials()));
  }

  static void StartWatching() {
    watch_ctx_ = new grpc::ClientContext();
    watch_thread_ = new std::thread([] {
      v1::WatchRecordEventsRequest request;
      *request.mutable_chart() = ItunesChart();
      auto reader = stub_->WatchRecordEvents(watch_ctx_, request);
      v1::WatchRecordEventsResponse r;
      while (reader->Read(&r)) {
        std::lock_guard lock(*events_mu_);
        events_->push_back(r.event());
      }
      reader->Finish();
    });
    // The subscription must exist before the first append.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }

  static void StopWatching() {
    if (watch_thread_ == nullptr) return;
    watch_ctx_->TryCancel();
    watch_thread_->join();
    delete watch_thread_;
    delete watch_ctx_;
    watch_thread_ = nullptr;
  }

  static void AppendDemo() {
    std::vector<v1::AppendSnapshotsRequest> requests;
    for (const auto& s : fixtures::DemoSnapshots())
      requests.push_back(Request(s));
    auto [results, status] = AppendAll(*stub_, requests);
    ASSERT_TRUE(status.ok()) << status.error_message();
    *demo_results_ = std::move(results);
    demo_count_ = requests.size();
  }

  v1::GetTimeToThresholdResponse Ttt(const std::string& track, int n,
                                     grpc::Status* status = nullptr) {
    v1::GetTimeToThresholdRequest request;
    request.mutable_track()->set_track_id(track);
    *request.mutable_chart() = ItunesChart();
    request.set_min_regions(n);
    v1::GetTimeToThresholdResponse response;
    grpc::Status s =
        stub_->GetTimeToThreshold(Ctx(false).get(), request, &response);
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
    return response;
  }

  v1::ListLeaderboardResponse Board(const v1::RecordKey& key, int page_size = 0,
                                    const std::string& token = "") {
    v1::ListLeaderboardRequest request;
    *request.mutable_record() = key;
    request.set_page_size(page_size);
    request.set_page_token(token);
    v1::ListLeaderboardResponse response;
    grpc::Status s =
        stub_->ListLeaderboard(Ctx(false).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  v1::GetRecordLineageResponse Lineage(const v1::RecordKey& key) {
    v1::GetRecordLineageRequest request;
    *request.mutable_record() = key;
    v1::GetRecordLineageResponse response;
    grpc::Status s =
        stub_->GetRecordLineage(Ctx(false).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline std::unique_ptr<common::RunningServer> catalog_;
  static inline std::unique_ptr<common::RunningServer> records_;
  static inline std::unique_ptr<cv1::CatalogService::Stub> catalog_stub_;
  static inline std::unique_ptr<v1::RecordsService::Stub> stub_;
  static inline grpc::ClientContext* watch_ctx_ = nullptr;
  static inline std::thread* watch_thread_ = nullptr;
  static inline std::mutex* events_mu_ = new std::mutex;
  static inline std::vector<v1::RecordBrokenEvent>* events_ =
      new std::vector<v1::RecordBrokenEvent>;
  static inline std::vector<v1::AppendSnapshotsResponse>* demo_results_ =
      new std::vector<v1::AppendSnapshotsResponse>;
  static inline size_t demo_count_ = 0;
};

TEST_F(RecordsDemoTest, EveryDemoSnapshotIsAppendedInOrder) {
  ASSERT_EQ(demo_results_->size(), demo_count_);
  for (size_t i = 0; i < demo_results_->size(); ++i) {
    const auto& r = (*demo_results_)[i];
    ASSERT_EQ(r.index(), static_cast<int64_t>(i));
    ASSERT_EQ(r.outcome(), v1::APPEND_OUTCOME_APPENDED)
        << i << " " << r.error().message();
    ASSERT_GT(r.observation_count(), 0);
  }
  v1::ListChartsResponse charts;
  ASSERT_TRUE(
      stub_->ListCharts(Ctx(false).get(), v1::ListChartsRequest(), &charts)
          .ok());
  ASSERT_EQ(charts.charts_size(), 1);
  EXPECT_EQ(charts.charts(0).chart().provider(), "itunes");
  EXPECT_EQ(charts.charts(0).chart().list(), "top-songs");
  EXPECT_EQ(charts.charts(0).country_region_count(), 119);
  EXPECT_EQ(charts.charts(0).region_count(), 121);
  EXPECT_EQ(charts.charts(0).snapshot_count(),
            static_cast<int64_t>(demo_count_));
}

TEST_F(RecordsDemoTest, WithYouIsNumberOneIn100CountriesIn4h44m) {
  const auto r = Ttt("with-you", 100);
  ASSERT_TRUE(r.reached());
  EXPECT_EQ(Seconds(r.time_to_threshold()), (4 * 60 + 44) * kMinuteSeconds);
  EXPECT_EQ(r.completing_region().code(), "pe");
  EXPECT_EQ(r.completing_region().kind(), common::v1::REGION_KIND_COUNTRY);
  EXPECT_EQ(r.reference_time().seconds(),
            fixtures::kWithYouRelease / 1'000'000);
  // Bounds: pe's previous capture (19:39) to the completing one (19:44).
  EXPECT_EQ(r.bounds().end_time().seconds(), r.reach_time().seconds());
  EXPECT_EQ(r.bounds().end_time().seconds() - r.bounds().start_time().seconds(),
            5 * kMinuteSeconds);
  EXPECT_EQ(r.track().title(), "With You");
  EXPECT_NE(r.track().artists().find("Jimin"), std::string::npos)
      << r.track().artists();
  EXPECT_EQ(r.eligible_region_count(), 119);
  ASSERT_GE(r.crossings_size(), 100);
  EXPECT_EQ(r.crossings(99).region().code(), "pe");
  std::set<std::string> first100;
  for (int i = 0; i < 100; ++i) {
    first100.insert(r.crossings(i).region().code());
    EXPECT_NE(r.crossings(i).region().code(), "ww");
    EXPECT_NE(r.crossings(i).region().code(), "eu");
  }
  for (const char* cc : {"us", "es", "gb", "jp", "sg", "tw"}) {
    EXPECT_TRUE(first100.contains(cc)) << cc;
  }
}

TEST_F(RecordsDemoTest, DynamiteTook7h58mAndAggregatesCountOnlyWhenNamed) {
  const auto d = Ttt("dynamite", 100);
  ASSERT_TRUE(d.reached());
  EXPECT_EQ(Seconds(d.time_to_threshold()), (7 * 60 + 58) * kMinuteSeconds);
  EXPECT_EQ(d.completing_region().code(), "nl");

  v1::GetTimeToThresholdRequest request;
  request.mutable_track()->set_track_id("with-you");
  *request.mutable_chart() = ItunesChart();
  request.set_min_regions(2);
  request.add_regions()->set_code("ww");
  request.add_regions()->set_code("eu");
  v1::GetTimeToThresholdResponse response;
  ASSERT_TRUE(
      stub_->GetTimeToThreshold(Ctx(false).get(), request, &response).ok());
  EXPECT_TRUE(response.reached()) << "With You is #1 on ww and eu";
  EXPECT_EQ(response.eligible_region_count(), 2);
  EXPECT_EQ(response.completing_region().kind(),
            common::v1::REGION_KIND_AGGREGATE);

  // A provider id names the track too.
  v1::GetTimeToThresholdRequest by_provider;
  by_provider.mutable_track()->mutable_provider_track_id()->set_provider(
      "itunes");
  by_provider.mutable_track()->mutable_provider_track_id()->set_id(
      sim::DemoItems().front().provider_track_id);
  *by_provider.mutable_chart() = ItunesChart();
  by_provider.set_min_regions(1);
  ASSERT_TRUE(
      stub_->GetTimeToThreshold(Ctx(false).get(), by_provider, &response).ok());
  EXPECT_EQ(response.track().track_id(), sim::DemoItems().front().track_id);
}

TEST_F(RecordsDemoTest, BasicViewIsTheFullAnswerWithoutItsCrossings) {
  v1::GetTimeToThresholdRequest request;
  request.mutable_track()->set_track_id("with-you");
  *request.mutable_chart() = ItunesChart();
  request.set_min_regions(100);
  v1::GetTimeToThresholdResponse full, basic;
  ASSERT_TRUE(stub_->GetTimeToThreshold(Ctx(false).get(), request, &full).ok());
  request.set_view(v1::TIME_TO_THRESHOLD_VIEW_BASIC);
  ASSERT_TRUE(
      stub_->GetTimeToThreshold(Ctx(false).get(), request, &basic).ok());
  EXPECT_GE(full.crossings_size(), 100);
  EXPECT_EQ(basic.crossings_size(), 0);
  EXPECT_EQ(basic.region_count(), full.crossings_size());
  EXPECT_EQ(Seconds(basic.time_to_threshold()), 17040);
  EXPECT_EQ(basic.completing_region().code(), full.completing_region().code());
  full.clear_crossings();
  EXPECT_EQ(basic.SerializeAsString(), full.SerializeAsString());

  request.set_view(v1::TIME_TO_THRESHOLD_VIEW_FULL);
  v1::GetTimeToThresholdResponse explicit_full;
  ASSERT_TRUE(
      stub_->GetTimeToThreshold(Ctx(false).get(), request, &explicit_full)
          .ok());
  EXPECT_GE(explicit_full.crossings_size(), 100);

  request.set_view(static_cast<v1::TimeToThresholdView>(42));
  v1::GetTimeToThresholdResponse bad;
  grpc::Status status =
      stub_->GetTimeToThreshold(Ctx(false).get(), request, &bad);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("view"), std::string::npos)
      << status.error_message();
}

TEST_F(RecordsDemoTest, FastestTo100LeaderboardsByCategory) {
  auto all = Board(Key(v1::METRIC_FASTEST, 100));
  ASSERT_GE(all.rows_size(), 2);
  EXPECT_EQ(all.rows(0).track().track_id(), "with-you");
  EXPECT_EQ(all.rows(0).rank(), 1);
  EXPECT_EQ(Seconds(all.rows(0).value().duration()),
            (4 * 60 + 44) * kMinuteSeconds);
  EXPECT_EQ(all.rows(1).track().track_id(), "dynamite");

  v1::Category ost;
  ost.set_track_kind(cv1::TRACK_KIND_OST);
  auto by_ost = Board(Key(v1::METRIC_FASTEST, 100, ost));
  ASSERT_GE(by_ost.rows_size(), 1);
  EXPECT_EQ(by_ost.rows(0).track().track_id(), "with-you");

  v1::Category kr_soloist;
  kr_soloist.set_performer(v1::PERFORMER_BY_SOLOIST);
  kr_soloist.set_origin_country("kr");
  auto by_soloist = Board(Key(v1::METRIC_FASTEST, 100, kr_soloist));
  ASSERT_GE(by_soloist.rows_size(), 1);
  EXPECT_EQ(by_soloist.rows(0).track().track_id(), "with-you");

  // With You is not a solo track.
  v1::Category solo_track;
  solo_track.set_performer(v1::PERFORMER_SOLO_TRACK);
  const auto solo = Board(Key(v1::METRIC_FASTEST, 100, solo_track));
  for (const auto& row : solo.rows()) {
    EXPECT_NE(row.track().track_id(), "with-you");
  }
}

TEST_F(RecordsDemoTest, YoursHolds82TotalCountriesAmongKoreanSoloTracksOf2021) {
  v1::Category category;
  category.set_performer(v1::PERFORMER_SOLO_TRACK);
  category.set_origin_country("KR");
  category.set_release_year(2021);
  auto board = Board(Key(v1::METRIC_TOTAL, 0, category));
  ASSERT_GE(board.rows_size(), 1);
  EXPECT_EQ(board.rows(0).track().track_id(), "yours");
  EXPECT_EQ(board.rows(0).value().region_count(), 82);

  v1::GetTimelineRequest request;
  request.mutable_track()->set_track_id("yours");
  *request.mutable_chart() = ItunesChart();
  v1::GetTimelineResponse timeline;
  ASSERT_TRUE(stub_->GetTimeline(Ctx(false).get(), request, &timeline).ok());
  EXPECT_EQ(timeline.total(), 82);
  ASSERT_GT(timeline.points_size(), 1);
  EXPECT_EQ(timeline.points(timeline.points_size() - 1).total(), 82);
  for (int i = 1; i < timeline.points_size(); ++i) {
    EXPECT_GE(timeline.points(i).total(), timeline.points(i - 1).total());
    EXPECT_LE(timeline.points(i).simultaneous(), timeline.points(i).total());
  }

  // Sampled every 10 minutes: evenly spaced, ending at the window's end.
  *request.mutable_step() = google::protobuf::Duration();
  request.mutable_step()->set_seconds(600);
  v1::GetTimelineResponse sampled;
  ASSERT_TRUE(stub_->GetTimeline(Ctx(false).get(), request, &sampled).ok());
  ASSERT_GT(sampled.points_size(), 2);
  EXPECT_EQ(
      sampled.points(1).time().seconds() - sampled.points(0).time().seconds(),
      600);
  EXPECT_EQ(sampled.points(sampled.points_size() - 1).total(), 82);

  // One point per microsecond would be far too many.
  request.mutable_step()->set_seconds(0);
  request.mutable_step()->set_nanos(1000);
  grpc::Status s = stub_->GetTimeline(Ctx(false).get(), request, &sampled);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("step"), std::string::npos);

  // A step whose microseconds overflow is refused as such, not wrapped
  // around into a small or negative one.
  request.mutable_step()->set_seconds(288230377826921344);
  request.mutable_step()->set_nanos(0);
  s = stub_->GetTimeline(Ctx(false).get(), request, &sampled);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "step: must be within ±10,000 years");
  request.mutable_step()->set_seconds(600);
  request.mutable_step()->set_nanos(-1);
  s = stub_->GetTimeline(Ctx(false).get(), request, &sampled);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("step.nanos: ", 0), 0u)
      << s.error_message();
}

TEST_F(RecordsDemoTest, LeaderboardPagesAreBoundToTheirRecord) {
  const v1::RecordKey key = Key(v1::METRIC_TOTAL, 0);
  const auto whole = Board(key);
  ASSERT_GT(whole.rows_size(), 3);
  EXPECT_EQ(whole.total_size(), whole.rows_size());
  std::vector<std::string> paged;
  std::string token;
  do {
    auto page = Board(key, 2, token);
    for (const auto& row : page.rows()) {
      paged.push_back(row.track().track_id());
      EXPECT_EQ(row.rank(), static_cast<int>(paged.size()));
    }
    token = page.next_page_token();
  } while (!token.empty() && paged.size() < 1000);
  ASSERT_EQ(paged.size(), static_cast<size_t>(whole.rows_size()));
  for (int i = 0; i < whole.rows_size(); ++i) {
    EXPECT_EQ(paged[i], whole.rows(i).track().track_id());
  }
  // A token of one record is refused for another.
  const auto first = Board(key, 1);
  v1::ListLeaderboardRequest request;
  *request.mutable_record() = Key(v1::METRIC_PEAK, 0);
  request.set_page_token(first.next_page_token());
  v1::ListLeaderboardResponse response;
  grpc::Status s = stub_->ListLeaderboard(Ctx(false).get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_token"), std::string::npos);
}

TEST_F(RecordsDemoTest, LineageAndTheLiveEventNameDynamiteBeforeWithYou) {
  const auto lineage = Lineage(Key(v1::METRIC_FASTEST, 100));
  ASSERT_GE(lineage.holders_size(), 2);
  const int n = lineage.holders_size();
  EXPECT_EQ(lineage.holders(n - 1).track().track_id(), "with-you");
  EXPECT_EQ(lineage.holders(n - 2).track().track_id(), "dynamite");
  EXPECT_EQ(Seconds(lineage.holders(n - 2).value().duration()),
            (7 * 60 + 58) * kMinuteSeconds);

  // The watch stream opened before the demo caught the event.
  std::lock_guard lock(*events_mu_);
  bool found = false;
  for (const auto& e : *events_) {
    if (e.record().metric() == v1::METRIC_FASTEST &&
        e.record().min_regions() == 100 &&
        MessageDifferencer::Equals(e.record().category(), v1::Category()) &&
        e.new_holder().track().track_id() == "with-you") {
      found = true;
      EXPECT_EQ(e.previous_holder().track().track_id(), "dynamite");
      EXPECT_EQ(Seconds(e.previous_holder().value().duration()),
                (7 * 60 + 58) * kMinuteSeconds);
      EXPECT_EQ(Seconds(e.new_holder().value().duration()),
                (4 * 60 + 44) * kMinuteSeconds);
      EXPECT_FALSE(e.backfilled());
      EXPECT_EQ(e.snapshot().region().code(), "pe");
    }
  }
  EXPECT_TRUE(found) << events_->size() << " events caught";
}

TEST_F(RecordsDemoTest, GetSnapshotReturnsWhatWasAppended) {
  const auto demo = fixtures::DemoSnapshots();
  const sim::SimSnapshot& s = demo[demo.size() / 2];
  v1::GetSnapshotRequest request;
  *request.mutable_key()->mutable_chart() = ItunesChart();
  request.mutable_key()->mutable_region()->set_code(s.region);
  *request.mutable_key()->mutable_capture_time() = Ts(s.capture_micros);
  v1::GetSnapshotResponse response;
  ASSERT_TRUE(stub_->GetSnapshot(Ctx(false).get(), request, &response).ok());
  EXPECT_EQ(response.snapshot().chart_size(), s.chart_size);
  ASSERT_GT(response.snapshot().entries_size(), 0);
  EXPECT_EQ(response.snapshot().entries(0).position(), 1);
  EXPECT_EQ(response.snapshot().entries(0).track_id(), s.entries[0].track_id);

  request.mutable_key()->mutable_capture_time()->set_seconds(
      s.capture_micros / 1'000'000 + 1);
  grpc::Status missing =
      stub_->GetSnapshot(Ctx(false).get(), request, &response);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(RecordsDemoTest, BadQuestionsNameTheirField) {
  struct Case {
    std::function<void(v1::GetTimeToThresholdRequest&)> edit;
    grpc::StatusCode code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.set_min_regions(0); },
       grpc::StatusCode::INVALID_ARGUMENT, "min_regions"},
      {[](auto& r) {
         r.mutable_threshold()->mutable_position()->set_max_position(0);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "threshold.position.max_position"},
      {[](auto& r) { r.add_regions()->set_code("zz"); },
       grpc::StatusCode::INVALID_ARGUMENT, "regions[0].code"},
      {[](auto& r) {
         r.mutable_threshold()->mutable_count()->set_min_count(5);
       },
       grpc::StatusCode::UNIMPLEMENTED, "threshold.count"},
      {[](auto& r) { r.mutable_track()->set_track_id("no-such-track"); },
       grpc::StatusCode::NOT_FOUND, "track"},
      {[](auto& r) { r.mutable_chart()->set_list("most-played"); },
       grpc::StatusCode::NOT_FOUND, ""},
      {[](auto& r) { r.clear_chart(); }, grpc::StatusCode::INVALID_ARGUMENT,
       "chart"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    v1::GetTimeToThresholdRequest request;
    request.mutable_track()->set_track_id("with-you");
    *request.mutable_chart() = ItunesChart();
    request.set_min_regions(100);
    cases[i].edit(request);
    v1::GetTimeToThresholdResponse response;
    grpc::Status s =
        stub_->GetTimeToThreshold(Ctx(false).get(), request, &response);
    EXPECT_EQ(s.error_code(), cases[i].code) << i << " " << s.error_message();
    EXPECT_NE(s.error_message().find(cases[i].field), std::string::npos)
        << i << " " << s.error_message();
  }
  // A watch filter must name watched things.
  v1::WatchRecordEventsRequest watch;
  watch.add_min_regions(99);
  auto ctx = Ctx(false, 5);
  auto reader = stub_->WatchRecordEvents(ctx.get(), watch);
  v1::WatchRecordEventsResponse event;
  EXPECT_FALSE(reader->Read(&event));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("min_regions[0]"), std::string::npos);
}

TEST_F(RecordsDemoTest, ACatalogCorrectionShowsWithinSeconds) {
  auto set_release = [&](int64_t seconds) {
    cv1::UpdateTrackRequest request;
    request.mutable_track()->set_id("with-you");
    request.mutable_track()->mutable_release_time()->set_seconds(seconds);
    request.mutable_update_mask()->add_paths("release_time");
    cv1::UpdateTrackResponse response;
    grpc::Status s =
        catalog_stub_->UpdateTrack(Ctx().get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  };
  auto wait_for = [&](int64_t expected_seconds) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int64_t got = -1;
    while (std::chrono::steady_clock::now() < deadline) {
      got = Seconds(Ttt("with-you", 100).time_to_threshold());
      if (got == expected_seconds) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "time to threshold still " << got << " s, want "
           << expected_seconds;
  };
  const int64_t release = fixtures::kWithYouRelease / 1'000'000;
  set_release(release - 3600);  // an hour earlier
  wait_for((5 * 60 + 44) * kMinuteSeconds);
  EXPECT_EQ(Ttt("with-you", 100).track().release_time().seconds(),
            release - 3600);
  set_release(release);
  wait_for((4 * 60 + 44) * kMinuteSeconds);
}

TEST_F(RecordsDemoTest, ARestartKeepsEveryAnswer) {
  const auto ttt_before = Ttt("with-you", 100);
  const auto board_before = Board(Key(v1::METRIC_FASTEST, 100));
  const auto total_before = Board(Key(v1::METRIC_TOTAL, 0));
  const auto lineage_before = Lineage(Key(v1::METRIC_FASTEST, 100));
  StopWatching();
  records_->Shutdown();
  records_.reset();
  StartRecords();
  ASSERT_NE(records_, nullptr);
  EXPECT_TRUE(MessageDifferencer::Equals(Ttt("with-you", 100), ttt_before));
  EXPECT_TRUE(MessageDifferencer::Equals(Board(Key(v1::METRIC_FASTEST, 100)),
                                         board_before));
  EXPECT_TRUE(MessageDifferencer::Equals(Board(Key(v1::METRIC_TOTAL, 0)),
                                         total_before));
  EXPECT_TRUE(MessageDifferencer::Equals(Lineage(Key(v1::METRIC_FASTEST, 100)),
                                         lineage_before));
  // A resend of the whole demo after the restart changes nothing.
  std::vector<v1::AppendSnapshotsRequest> requests;
  const auto demo = fixtures::DemoSnapshots();
  for (size_t i = 0; i < demo.size(); i += 97)
    requests.push_back(Request(demo[i]));
  auto [results, status] = AppendAll(*stub_, requests);
  ASSERT_TRUE(status.ok());
  for (const auto& r : results) {
    EXPECT_EQ(r.outcome(), v1::APPEND_OUTCOME_DUPLICATE) << r.index();
  }
}

// ---------------------------------------------------------------------------
// Append semantics on a fresh server (no catalog).

class RecordsAppendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("records-append");
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = dir_.string();
    options.auth_token = kToken;
    options.shutdown_timeout = absl::Seconds(2);
    auto instance = CreateRecordsInstance(options);
    ASSERT_TRUE(instance.ok()) << instance.status();
    auto server = common::RunningServer::Start(RecordsDescriptor(), options,
                                               *std::move(instance));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::RecordsService::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static v1::AppendSnapshotsRequest Snap(
      const std::string& region, int64_t micros, int size,
      std::vector<std::pair<std::string, int>> entries, bool replace = false) {
    sim::SimSnapshot s;
    s.chart = "itunes/top-songs";
    s.region = region;
    s.capture_micros = micros;
    s.chart_size = size;
    for (auto& [track, position] : entries) {
      s.entries.push_back({.track_id = track, .position = position});
    }
    auto request = Request(s);
    request.set_replace(replace);
    return request;
  }

  v1::GetSnapshotResponse Get(const std::string& region, int64_t micros) {
    v1::GetSnapshotRequest request;
    *request.mutable_key()->mutable_chart() = ItunesChart();
    request.mutable_key()->mutable_region()->set_code(region);
    *request.mutable_key()->mutable_capture_time() = Ts(micros);
    v1::GetSnapshotResponse response;
    grpc::Status s = stub_->GetSnapshot(Ctx(false).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  std::filesystem::path dir_;
  std::unique_ptr<common::RunningServer> server_;
  std::unique_ptr<v1::RecordsService::Stub> stub_;
};

constexpr int64_t kT = fixtures::kWithYouRelease + 3600LL * 1'000'000;

TEST_F(RecordsAppendTest, ShutdownEndsOpenWatchStreamsWithUnavailable) {
  // A fresh server whose shutdown deadline is long: a watch stream that held
  // the shutdown would show as a wait of that length.
  server_.reset();
  common::ServiceOptions options;
  options.listen_address = "127.0.0.1:0";
  options.data_dir = dir_.string();
  options.shutdown_timeout = absl::Seconds(60);
  auto instance = CreateRecordsInstance(options);
  ASSERT_TRUE(instance.ok()) << instance.status();
  auto server = common::RunningServer::Start(RecordsDescriptor(), options,
                                             *std::move(instance));
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::RecordsService::NewStub(grpc::CreateChannel(
      (*server)->address(), grpc::InsecureChannelCredentials()));

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto reader = stub->WatchRecordEvents(&ctx, v1::WatchRecordEventsRequest());
  // The stream is open once the server has it: wait for its initial metadata.
  reader->WaitForInitialMetadata();
  std::thread stopper([&] { (*server)->Shutdown(); });
  v1::WatchRecordEventsResponse event;
  while (reader->Read(&event)) {
  }
  const grpc::Status status = reader->Finish();
  stopper.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
}

TEST_F(RecordsAppendTest, WatchersBeyondMaxWatchersAreRefusedClearly) {
  server_.reset();
  const std::string data_dir = "--data-dir=" + dir_.string();
  std::vector<const char*> argv = {"hitclock-records", "--listen=127.0.0.1:0",
                                   data_dir.c_str(), "--max-watchers=2"};
  int exit_code = -1;
  absl::StatusOr<common::ServiceOptions> options = common::ParseServiceOptions(
      RecordsDescriptor(), static_cast<int>(argv.size()), argv.data(),
      &exit_code);
  ASSERT_TRUE(options.ok()) << options.status();
  auto instance = CreateRecordsInstance(*options);
  ASSERT_TRUE(instance.ok()) << instance.status();
  auto server = common::RunningServer::Start(RecordsDescriptor(), *options,
                                             *std::move(instance));
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::RecordsService::NewStub(grpc::CreateChannel(
      (*server)->address(), grpc::InsecureChannelCredentials()));

  struct Watch {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReader<v1::WatchRecordEventsResponse>> reader;
  };
  auto open = [&] {
    auto w = std::make_unique<Watch>();
    w->ctx.set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
    w->reader = stub->WatchRecordEvents(&w->ctx, {});
    w->reader->WaitForInitialMetadata();
    return w;
  };
  auto first = open();
  auto second = open();
  auto third = open();
  v1::WatchRecordEventsResponse event;
  EXPECT_FALSE(third->reader->Read(&event));
  const grpc::Status refused = third->reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "WatchRecordEvents: 2 watchers already, the most this server "
            "takes (--max-watchers); try again later");

  // One leaves; a new one is taken.
  first->ctx.TryCancel();
  while (first->reader->Read(&event)) {
  }
  first->reader->Finish();
  std::unique_ptr<Watch> again;
  for (int i = 0; i < 100; ++i) {  // the server unsubscribes asynchronously
    again = open();
    std::thread reader([&] { again->reader->Read(&event); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    again->ctx.TryCancel();
    reader.join();
    const grpc::Status status = again->reader->Finish();
    if (status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) {
      // Open until this test cancelled it.
      EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED)
          << status.error_message();
      break;
    }
    again.reset();
  }
  EXPECT_NE(again, nullptr) << "no watcher was taken after one left";
  second->ctx.TryCancel();
  while (second->reader->Read(&event)) {
  }
  second->reader->Finish();
}

TEST_F(RecordsAppendTest, OutcomesOfResendsMergesConflictsAndReplacements) {
  auto [results, status] = AppendAll(
      *stub_, {
                  Snap("us", kT, 10, {{"a", 1}, {"b", 2}}),  // appended
                  Snap("us", kT, 10, {{"b", 2}, {"a", 1}}),  // duplicate
                  Snap("us", kT, 10, {{"a", 1}, {"b", 2}, {"c", 5}}),  // merged
                  Snap("us", kT, 10, {{"c", 1}}),                  // conflict
                  Snap("us", kT, 10, {{"c", 1}}, true),            // replaced
                  Snap("us", kT, 10, {{"c", 1}}),                  // duplicate
                  Snap("us", kT, 10, {{"a", 3}, {"a", 1}}, true),  // versions
              });
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(results.size(), 7u);
  const v1::AppendOutcome want[] = {
      v1::APPEND_OUTCOME_APPENDED, v1::APPEND_OUTCOME_DUPLICATE,
      v1::APPEND_OUTCOME_MERGED,   v1::APPEND_OUTCOME_REJECTED,
      v1::APPEND_OUTCOME_REPLACED, v1::APPEND_OUTCOME_DUPLICATE,
      v1::APPEND_OUTCOME_REPLACED};
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(results[i].index(), i);
    EXPECT_EQ(results[i].outcome(), want[i])
        << i << " " << results[i].error().message();
    EXPECT_EQ(results[i].key().region().code(), "us");
  }
  EXPECT_EQ(results[2].observation_count(), 3);
  EXPECT_EQ(results[3].error().code(), 6) << "ALREADY_EXISTS";
  EXPECT_EQ(results[6].observation_count(), 1) << "one song, two versions";
  const auto held = Get("us", kT);
  ASSERT_EQ(held.snapshot().entries_size(), 1);
  EXPECT_EQ(held.snapshot().entries(0).track_id(), "a");
  EXPECT_EQ(held.snapshot().entries(0).position(), 1);
}

TEST_F(RecordsAppendTest, ABadSnapshotIsRejectedWholeAndItsNeighboursLand) {
  const int64_t future = absl::ToUnixMicros(absl::Now() + absl::Hours(1));
  auto no_chart = Snap("gb", kT, 10, {{"a", 1}});
  no_chart.mutable_snapshot()->clear_chart();
  auto [results, status] = AppendAll(
      *stub_,
      {
          Snap("us", kT, 10, {{"a", 1}}),
          Snap("us", kT + 1, 10, {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 11}}),
          Snap("us", kT + 2, 10, {{"a", 1}, {"b", 1}}),
          Snap("zz", kT, 10, {{"a", 1}}),
          Snap("us", future, 10, {{"a", 1}}),
          Snap("us", kT + 3, 0, {}),
          Snap("us", kT + 4, 10, {{"", 1}}),
          no_chart,
          Snap("gb", kT, 10, {{"a", 1}}),
      });
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(results.size(), 9u);
  const std::string fields[] = {"",
                                "snapshot.entries[3].position",
                                "snapshot.entries[1].position",
                                "snapshot.region.code",
                                "snapshot.capture_time",
                                "snapshot.chart_size",
                                "snapshot.entries[0].track_id",
                                "snapshot.chart"};
  EXPECT_EQ(results[0].outcome(), v1::APPEND_OUTCOME_APPENDED);
  for (int i = 1; i < 8; ++i) {
    EXPECT_EQ(results[i].outcome(), v1::APPEND_OUTCOME_REJECTED) << i;
    EXPECT_EQ(results[i].error().code(), 3) << i;
    EXPECT_EQ(results[i].error().field(), fields[i])
        << i << " " << results[i].error().message();
  }
  EXPECT_EQ(results[8].outcome(), v1::APPEND_OUTCOME_APPENDED);
  // The rejected ones left no trace.
  v1::ListChartsResponse charts;
  ASSERT_TRUE(
      stub_->ListCharts(Ctx(false).get(), v1::ListChartsRequest(), &charts)
          .ok());
  ASSERT_EQ(charts.charts_size(), 1);
  EXPECT_EQ(charts.charts(0).snapshot_count(), 2);
  EXPECT_EQ(charts.charts(0).region_count(), 2);
}

TEST_F(RecordsAppendTest, AppendsNeedTheTokenAndReadsDoNot) {
  auto [results, status] =
      AppendAll(*stub_, {Snap("us", kT, 10, {{"a", 1}})}, /*with_token=*/false);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(results.empty());
  v1::ListChartsResponse charts;
  grpc::Status s =
      stub_->ListCharts(Ctx(false).get(), v1::ListChartsRequest(), &charts);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(charts.charts_size(), 0) << "a refused append wrote something";
}

TEST_F(RecordsAppendTest, AFastProducerIsServedInOrderWithBoundedMemory) {
  // 3,000 snapshots written as fast as the stream takes them.
  std::vector<v1::AppendSnapshotsRequest> requests;
  for (int i = 0; i < 3000; ++i) {
    requests.push_back(
        Snap("us", kT + i * 300'000'000LL, 10, {{"a", 1 + i % 3}, {"b", 5}}));
  }
  auto [results, status] = AppendAll(*stub_, requests);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(results.size(), requests.size());
  for (size_t i = 0; i < results.size(); ++i) {
    ASSERT_EQ(results[i].index(), static_cast<int64_t>(i));
    ASSERT_EQ(results[i].outcome(), v1::APPEND_OUTCOME_APPENDED);
  }
}

}  // namespace
}  // namespace hitclock::records
