// Faults with real processes: the three service binaries started, stopped
// and killed while snapshots flow. Whatever happens, every acknowledged
// snapshot ends up in records exactly once.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/ingest/v1/ingest.grpc.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "tests/ingest/ingest_fixtures.h"
#include "tests/ingest/processes.h"

namespace hitclock::ingest {
namespace {

using processes::FreePort;
using processes::Service;
using Clock = std::chrono::steady_clock;

constexpr char kToken[] = "fault-test-token";

// Snapshot `i` of a run: a region and a capture instant of its own, with
// entries that resolve through the demo catalog.
v1::ChartSnapshot Nth(int i) {
  static const char* kRegions[] = {"us", "gb", "jp", "fr", "de", "br"};
  v1::ChartSnapshot s = fixtures::Snapshot(kRegions[i % 6], i / 6, 3);
  auto* e = s.mutable_entries(0)->mutable_entry();
  e->set_title("With You");
  e->set_artist_credit("Jimin & HA SUNG WOON");
  e->set_provider_track_id("900000101");
  return s;
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 20) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->AddMetadata("authorization", std::string("Bearer ") + kToken);
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(seconds));
  return ctx;
}

class FaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fixtures::MakeTempDir("ingest-fault");
    catalog_port_ = FreePort();
    records_port_ = FreePort();
    ingest_port_ = FreePort();
    catalog_ = std::make_unique<Service>(HITCLOCK_CATALOG_BINARY,
                                         (dir_ / "catalog.log").string());
    records_ = std::make_unique<Service>(HITCLOCK_RECORDS_BINARY,
                                         (dir_ / "records.log").string());
    ingest_ = std::make_unique<Service>(HITCLOCK_INGEST_BINARY,
                                        (dir_ / "ingest.log").string());
  }
  void TearDown() override {
    ingest_.reset();
    records_.reset();
    catalog_.reset();
    if (!HasFailure()) std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> Common(const std::string& name) {
    return {"--data-dir", (dir_ / name).string(), "--auth-token",
            kToken,       "--shutdown-timeout",   "2"};
  }
  std::string Address(int port) { return "127.0.0.1:" + std::to_string(port); }

  void StartCatalog(bool import) {
    catalog_->Start(catalog_port_, Common("catalog"));
    if (!import) return;
    catalog::v1::ImportCatalogRequest request;
    ASSERT_TRUE(
        google::protobuf::util::JsonStringToMessage(
            fixtures::ReadFile(std::filesystem::path(HITCLOCK_SOURCE_DIR) /
                               "demo/catalog.json"),
            &request)
            .ok());
    auto stub = catalog::v1::CatalogService::NewStub(grpc::CreateChannel(
        catalog_->address(), grpc::InsecureChannelCredentials()));
    catalog::v1::ImportCatalogResponse response;
    ASSERT_TRUE(stub->ImportCatalog(Ctx().get(), request, &response).ok());
  }
  void StartRecords() {
    auto args = Common("records");
    args.insert(args.end(), {"--catalog-address", Address(catalog_port_)});
    records_->Start(records_port_, args);
  }
  void StartIngest(const std::vector<std::string>& extra = {}) {
    auto args = Common("ingest");
    args.insert(args.end(), {"--catalog-address", Address(catalog_port_),
                             "--records-address", Address(records_port_),
                             "--forward-max-backoff", "1"});
    args.insert(args.end(), extra.begin(), extra.end());
    ingest_->Start(ingest_port_, args);
    ingest_stub_ = v1::IngestService::NewStub(grpc::CreateChannel(
        ingest_->address(), grpc::InsecureChannelCredentials()));
  }

  // Streams snapshots `from`..`to`-1; returns the results received.
  std::vector<v1::StreamSnapshotsResponse> Stream(int from, int to) {
    auto ctx = Ctx(60);
    auto stream = ingest_stub_->StreamSnapshots(ctx.get());
    std::thread writer([&] {
      for (int i = from; i < to; ++i) {
        v1::StreamSnapshotsRequest m;
        *m.mutable_snapshot() = Nth(i);
        if (!stream->Write(m)) break;
      }
      stream->WritesDone();
    });
    std::vector<v1::StreamSnapshotsResponse> results;
    v1::StreamSnapshotsResponse r;
    while (stream->Read(&r)) results.push_back(r);
    writer.join();
    stream->Finish();
    return results;
  }

  v1::GetForwarderStatusResponse Status() {
    v1::GetForwarderStatusResponse s;
    grpc::Status st = ingest_stub_->GetForwarderStatus(
        Ctx().get(), v1::GetForwarderStatusRequest(), &s);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return s;
  }

  // Submits snapshot `i`, which ingest must accept.
  void Submit(int i) {
    v1::SubmitSnapshotRequest request;
    *request.mutable_snapshot() = Nth(i);
    v1::SubmitSnapshotResponse response;
    const grpc::Status st =
        ingest_stub_->SubmitSnapshot(Ctx(5).get(), request, &response);
    ASSERT_TRUE(st.ok()) << i << ": " << st.error_message();
    EXPECT_EQ(response.result().outcome(), v1::SUBMIT_OUTCOME_ACCEPTED);
  }

  // Waits until the records link is in `state`; returns the last status.
  v1::GetForwarderStatusResponse WaitRecordsLink(v1::LinkState state,
                                                 int seconds) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    v1::GetForwarderStatusResponse s = Status();
    while (s.records().state() != state && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      s = Status();
    }
    return s;
  }

  void WaitForwarded(int seconds = 60) {
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    v1::GetForwarderStatusResponse s;
    while (Clock::now() < deadline) {
      s = Status();
      if (s.pending_snapshot_count() == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "still pending: " << s.DebugString() << "\n"
           << fixtures::ReadFile(ingest_->log());
  }

  // Snapshots records holds, all charts together.
  int64_t RecordsCount() {
    auto stub = records::v1::RecordsService::NewStub(grpc::CreateChannel(
        Address(records_port_), grpc::InsecureChannelCredentials()));
    records::v1::ListChartsResponse charts;
    EXPECT_TRUE(
        stub->ListCharts(Ctx().get(), records::v1::ListChartsRequest(), &charts)
            .ok());
    int64_t n = 0;
    for (const auto& c : charts.charts()) n += c.snapshot_count();
    return n;
  }

  // Whether records holds snapshot `i`, with its resolved first entry.
  bool RecordsHas(int i) {
    auto stub = records::v1::RecordsService::NewStub(grpc::CreateChannel(
        Address(records_port_), grpc::InsecureChannelCredentials()));
    const v1::ChartSnapshot s = Nth(i);
    records::v1::GetSnapshotRequest request;
    *request.mutable_key()->mutable_chart() = s.chart();
    request.mutable_key()->mutable_region()->set_code(s.region().code());
    *request.mutable_key()->mutable_capture_time() = s.capture_time();
    records::v1::GetSnapshotResponse response;
    if (!stub->GetSnapshot(Ctx().get(), request, &response).ok()) return false;
    return response.snapshot().entries_size() >= 1 &&
           response.snapshot().entries(0).track_id() == "with-you";
  }

  std::filesystem::path dir_;
  int catalog_port_ = 0, records_port_ = 0, ingest_port_ = 0;
  std::unique_ptr<Service> catalog_, records_, ingest_;
  std::unique_ptr<v1::IngestService::Stub> ingest_stub_;
};

TEST_F(FaultTest, RecordsDownThenUpEverythingArrivesOnce) {
  constexpr int kCount = 60;
  StartCatalog(/*import=*/true);
  StartIngest();  // records is not running
  auto results = Stream(0, kCount);
  ASSERT_EQ(results.size(), static_cast<size_t>(kCount));
  for (const auto& r : results) {
    ASSERT_EQ(r.result().outcome(), v1::SUBMIT_OUTCOME_ACCEPTED);
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto status = Status();
  EXPECT_EQ(status.pending_snapshot_count(), kCount);
  EXPECT_FALSE(status.records().reachable());
  EXPECT_GT(status.records().consecutive_failure_count(), 0);
  EXPECT_FALSE(status.records().last_error().empty());

  StartRecords();
  WaitForwarded();
  EXPECT_EQ(RecordsCount(), kCount);
  for (int i = 0; i < kCount; i += 7) EXPECT_TRUE(RecordsHas(i)) << i;
  // Resending everything changes nothing anywhere.
  results = Stream(0, kCount);
  for (const auto& r : results) {
    EXPECT_EQ(r.result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);
  }
  WaitForwarded();
  EXPECT_EQ(RecordsCount(), kCount);
  EXPECT_TRUE(Status().records().reachable());
}

TEST_F(FaultTest, AFrozenRecordsNeverHoldsUpWritesToIngest) {
  // Records accepts connections (the kernel does, for a stopped process)
  // but answers nothing. The forwarder, starting its stream to it, once held
  // the lock every acknowledged write takes to wake it, and each
  // SubmitSnapshot took about 20 s (gRPC's connect timeout).
  StartCatalog(/*import=*/true);
  StartRecords();
  records_->Signal(SIGSTOP);
  StartIngest();
  constexpr int kCount = 8;
  for (int i = 0; i < kCount; ++i) {
    v1::SubmitSnapshotRequest request;
    *request.mutable_snapshot() = Nth(i);
    v1::SubmitSnapshotResponse response;
    // A deadline far above a normal write (milliseconds) and far below the
    // stall: a write that waits on records fails here.
    const grpc::Status st =
        ingest_stub_->SubmitSnapshot(Ctx(5).get(), request, &response);
    ASSERT_TRUE(st.ok()) << i << ": " << st.error_message();
    EXPECT_EQ(response.result().outcome(), v1::SUBMIT_OUTCOME_ACCEPTED);
    // Give the forwarder time to be blocked starting its stream.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  // Reads answer too while the forwarder waits on records.
  EXPECT_EQ(Status().pending_snapshot_count(), kCount);

  records_->Signal(SIGCONT);
  WaitForwarded();
  EXPECT_EQ(RecordsCount(), kCount);
}

TEST_F(FaultTest, AFrozenRecordsWithTheStreamOpenIsReportedStalled) {
  // Records froze with the forwarder's stream already open: its kernel
  // still takes the bytes, so nothing fails, but nothing is answered. The
  // status once said records was reachable while nothing moved for good.
  StartCatalog(/*import=*/true);
  StartRecords();
  StartIngest({"--forward-progress-deadline", "1"});
  Submit(0);
  WaitForwarded();
  ASSERT_EQ(Status().records().state(), v1::LINK_STATE_READY);

  records_->Signal(SIGSTOP);
  constexpr int kCount = 8;
  for (int i = 1; i < kCount; ++i) Submit(i);
  // The deadline (1 s) and a retry or two, far below the keepalive (30 s)
  // and the connect timeout (20 s).
  v1::GetForwarderStatusResponse status =
      WaitRecordsLink(v1::LINK_STATE_STALLED, 10);
  ASSERT_EQ(status.records().state(), v1::LINK_STATE_STALLED)
      << status.DebugString();
  EXPECT_FALSE(status.records().reachable());
  EXPECT_TRUE(status.records().has_no_progress_since_time());
  EXPECT_GT(status.records().consecutive_failure_count(), 0);
  EXPECT_FALSE(status.records().last_error().empty());
  EXPECT_EQ(status.pending_snapshot_count(), kCount - 1);
  EXPECT_TRUE(status.oldest_pending_age().seconds() > 0 ||
              status.oldest_pending_age().nanos() > 0)
      << status.DebugString();
  // Still stalled while records stays frozen, since the same instant.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  v1::GetForwarderStatusResponse later = Status();
  EXPECT_EQ(later.records().state(), v1::LINK_STATE_STALLED)
      << later.DebugString();
  EXPECT_EQ(later.records().no_progress_since_time().seconds(),
            status.records().no_progress_since_time().seconds());
  EXPECT_GE(later.oldest_pending_age().seconds(),
            status.oldest_pending_age().seconds() + 1);

  records_->Signal(SIGCONT);
  WaitForwarded();
  status = WaitRecordsLink(v1::LINK_STATE_READY, 10);
  EXPECT_EQ(status.records().state(), v1::LINK_STATE_READY)
      << status.DebugString();
  EXPECT_TRUE(status.records().reachable());
  EXPECT_FALSE(status.records().has_no_progress_since_time());
  EXPECT_FALSE(status.has_oldest_pending_age());
  // Every snapshot exactly once, whatever the cancelled streams delivered.
  EXPECT_EQ(status.forwarded_snapshot_count(), kCount);
  EXPECT_EQ(RecordsCount(), kCount);
  for (int i = 0; i < kCount; ++i) EXPECT_TRUE(RecordsHas(i)) << i;
}

TEST_F(FaultTest, CatalogDownThenUpEverythingArrivesResolved) {
  constexpr int kCount = 30;
  StartCatalog(/*import=*/true);
  ASSERT_EQ(catalog_->Kill(SIGTERM), 0);  // its data stays on disk
  StartRecords();
  StartIngest();
  auto results = Stream(0, kCount);
  ASSERT_EQ(results.size(), static_cast<size_t>(kCount));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto status = Status();
  EXPECT_EQ(status.pending_snapshot_count(), kCount);
  EXPECT_FALSE(status.catalog().reachable());
  EXPECT_EQ(RecordsCount(), 0);

  StartCatalog(/*import=*/false);
  WaitForwarded();
  EXPECT_EQ(RecordsCount(), kCount);
  for (int i = 0; i < kCount; ++i) EXPECT_TRUE(RecordsHas(i)) << i;
  EXPECT_TRUE(Status().catalog().reachable());
}

TEST_F(FaultTest, SigkillMidStreamLosesNothingAcknowledged) {
  // Enough that the kill (after 100 acknowledgements) lands mid-stream even
  // though ingest acknowledges thousands of snapshots a second.
  constexpr int kCount = 2000;
  StartCatalog(/*import=*/true);
  StartRecords();
  StartIngest();

  std::atomic<int> acked{0};
  std::set<int> acked_indexes;
  {
    auto ctx = Ctx(60);
    auto stream = ingest_stub_->StreamSnapshots(ctx.get());
    std::thread writer([&] {
      for (int i = 0; i < kCount; ++i) {
        v1::StreamSnapshotsRequest m;
        *m.mutable_snapshot() = Nth(i);
        if (!stream->Write(m)) break;
      }
      stream->WritesDone();
    });
    std::thread killer([&] {
      while (acked.load() < 100) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      ingest_->Kill(SIGKILL);
    });
    v1::StreamSnapshotsResponse r;
    while (stream->Read(&r)) {
      if (r.result().outcome() == v1::SUBMIT_OUTCOME_ACCEPTED) {
        acked_indexes.insert(static_cast<int>(r.index()));
        ++acked;
      }
    }
    writer.join();
    if (acked.load() < 100) {
      acked = 100;  // let the killer finish; the stream ended early
    }
    killer.join();
    EXPECT_FALSE(stream->Finish().ok()) << "the stream should have broken";
  }
  ASSERT_GE(acked_indexes.size(), 100u);
  ASSERT_LT(acked_indexes.size(), static_cast<size_t>(kCount))
      << "the kill came too late to test anything";

  StartIngest();  // same data dir: the outbox is still there
  WaitForwarded();
  for (int i : acked_indexes) ASSERT_TRUE(RecordsHas(i)) << i;
  v1::GetForwarderStatusResponse status = Status();
  EXPECT_EQ(RecordsCount(), status.forwarded_snapshot_count())
      << "records holds exactly what ingest committed";
  EXPECT_GE(status.forwarded_snapshot_count(),
            static_cast<int64_t>(acked_indexes.size()));

  // The producer resends everything: the unacknowledged ones get in now.
  auto results = Stream(0, kCount);
  ASSERT_EQ(results.size(), static_cast<size_t>(kCount));
  for (int i : acked_indexes) {
    EXPECT_EQ(results[i].result().outcome(), v1::SUBMIT_OUTCOME_DUPLICATE);
  }
  WaitForwarded();
  EXPECT_EQ(RecordsCount(), kCount);
}

TEST_F(FaultTest, ACorruptRecordsStoreIsRefusedThenRebuiltFromIngest) {
  constexpr int kCount = 60;
  StartCatalog(/*import=*/true);
  StartRecords();
  StartIngest();
  ASSERT_EQ(Stream(0, kCount).size(), static_cast<size_t>(kCount));
  WaitForwarded();
  ASSERT_EQ(RecordsCount(), kCount);
  ASSERT_EQ(records_->Kill(SIGTERM), 0);

  // One bit of one stored body flipped, as a bad disk would.
  const std::string db_path = (dir_ / "records" / "records.db").string();
  {
    SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
    SQLite::Statement read(db, "SELECT id, body FROM bodies LIMIT 1");
    ASSERT_TRUE(read.executeStep());
    const int64_t id = read.getColumn(0).getInt64();
    std::string blob(static_cast<const char*>(read.getColumn(1).getBlob()),
                     read.getColumn(1).getBytes());
    read.reset();
    blob[0] ^= 0x04;
    SQLite::Statement write(db, "UPDATE bodies SET body = ? WHERE id = ?");
    write.bind(1, blob.data(), static_cast<int>(blob.size()));
    write.bind(2, id);
    write.exec();
  }

  // Records refuses to serve it: it exits, naming what is corrupt and what
  // to do.
  const std::string refused_log = (dir_ / "records-refused.log").string();
  auto args = Common("records");
  args.insert(args.begin(),
              {HITCLOCK_RECORDS_BINARY, "--listen", Address(records_port_)});
  const pid_t pid = processes::Spawn(args, refused_log);
  int status = 0;
  for (int i = 0; i < 300 && waitpid(pid, &status, WNOHANG) != pid; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (i == 299) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL() << "records served a corrupt store\n"
             << fixtures::ReadFile(refused_log);
    }
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  const std::string refused = fixtures::ReadFile(refused_log);
  EXPECT_NE(refused.find("DATA_LOSS"), std::string::npos) << refused;
  EXPECT_NE(refused.find("fails its checksum"), std::string::npos) << refused;
  EXPECT_NE(refused.find("--repair"), std::string::npos) << refused;

  // --repair drops what is corrupt and serves the rest; ingest sends
  // everything again, and records is whole.
  auto repair = Common("records");
  repair.insert(repair.end(),
                {"--catalog-address", Address(catalog_port_), "--repair"});
  records_->Start(records_port_, repair);
  EXPECT_LT(RecordsCount(), kCount);
  EXPECT_NE(fixtures::ReadFile(records_->log()).find("repair: dropped"),
            std::string::npos);
  v1::ReforwardSnapshotsResponse reforward;
  const grpc::Status st = ingest_stub_->ReforwardSnapshots(
      Ctx().get(), v1::ReforwardSnapshotsRequest(), &reforward);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(reforward.queued_snapshot_count(), kCount);
  WaitForwarded();
  EXPECT_EQ(RecordsCount(), kCount);
  for (int i = 0; i < kCount; i += 7) EXPECT_TRUE(RecordsHas(i)) << i;
  EXPECT_EQ(Status().forwarded_snapshot_count(), kCount);

  // And it stays whole across a restart.
  ASSERT_EQ(records_->Kill(SIGTERM), 0);
  StartRecords();
  EXPECT_EQ(RecordsCount(), kCount);
}

}  // namespace
}  // namespace hitclock::ingest
