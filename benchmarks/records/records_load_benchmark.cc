// The records service under a full-scale load, end to end, with the plain-SQL
// alternative side by side.
//
// Generates the world iTunes stream with the simulator (119 storefronts x
// top 100 x a capture every 5 minutes x --days days: about 100 million
// observations at 30 days), starts a real catalog (holding the simulator's
// companion catalog, for the category facts leaderboards need) and a real
// records server in-process on 127.0.0.1:0 with a temporary data directory,
// streams every snapshot through AppendSnapshots over gRPC and prints:
// - durable append throughput (each result is sent after its commit);
// - on-disk bytes per observation (the SQLite files, WAL included, after a
//   checkpoint);
// - process RSS;
// - time-to-threshold and leaderboard latencies, client-side over loopback
//   and server-side (the handler called directly: request validation,
//   engine answer and response building, without gRPC);
// - restart to SERVING on the same data directory;
// - the same questions answered by the SQL a user would write over a raw
//   `observations(track, region, captured_at, position)` table in SQLite,
//   with the ratio.
//
// Usage: records_load_benchmark [--days D] [--regions R] [--top K]
//        [--tracks T] [--queries Q] [--skip-sql] [--keep DIR]
//        [--sync full|normal]
// `--days 1` is a smoke run of a few seconds.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "common/options.h"
#include "common/probe.h"
#include "common/server.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/catalog/catalog_service.h"
#include "services/records/records_handler.h"
#include "services/records/records_service.h"
#include "services/records/sim/generator.h"
#include "services/records/sim/regions.h"
#include "services/records/store/records_store.h"
#include "spdlog/spdlog.h"
#include "tests/testing/processes.h"

namespace hitclock::records {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Args {
  double days = 30;
  int regions = 119;
  int top = 100;
  int tracks = 3000;
  int queries = 100;
  bool skip_sql = false;
  bool old_reload = false;
  std::string keep;  // data directory to use and keep
  // Records' --sync: `full` (durable against power loss, the default) or
  // `normal`.
  std::string sync = "full";
};

bool ParseArgs(int argc, char** argv, Args& args) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--days") {
      args.days = std::atof(value());
    } else if (a == "--regions") {
      args.regions = std::atoi(value());
    } else if (a == "--top") {
      args.top = std::atoi(value());
    } else if (a == "--tracks") {
      args.tracks = std::atoi(value());
    } else if (a == "--queries") {
      args.queries = std::atoi(value());
    } else if (a == "--old-reload") {
      args.old_reload = true;
    } else if (a == "--skip-sql") {
      args.skip_sql = true;
    } else if (a == "--keep") {
      args.keep = value();
    } else if (a == "--sync") {
      args.sync = value();
      if (args.sync != "full" && args.sync != "normal") {
        std::fprintf(stderr, "--sync: full or normal\n");
        return false;
      }
    } else if (a == "--help" || a == "-h") {
      std::printf(
          "records_load_benchmark [--days D=30] [--regions R=119] [--top "
          "K=100]\n  [--tracks T=3000] [--queries Q=100] [--skip-sql] "
          "[--keep DIR] [--old-reload] [--sync full|normal]\n");
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return false;
    }
  }
  return args.days > 0 && args.regions >= 1 && args.regions <= 119 &&
         args.top >= 1 && args.top <= 500 && args.tracks >= 1;
}

// The stream, compactly: per snapshot its region, instant and tracks by
// position (positions 1..count).
struct Stream {
  std::vector<std::string> regions;
  std::vector<std::string> track_ids;
  std::vector<int64_t> releases;
  std::vector<uint16_t> region_of;
  std::vector<int64_t> times;
  std::vector<uint32_t> offsets;  // size() + 1 entries into `tracks`
  std::vector<uint16_t> tracks;
  std::string catalog_json;
  size_t size() const { return times.size(); }
  size_t bytes() const {
    return region_of.size() * 2 + times.size() * 8 + offsets.size() * 4 +
           tracks.size() * 2;
  }
};

Stream Generate(const Args& args) {
  sim::GeneratorOptions options;
  options.days = args.days;
  options.top_k = args.top;
  options.track_count = args.tracks;
  const auto& all = sim::ItunesSongChartRegions();
  options.regions.assign(all.begin(), all.begin() + args.regions);
  sim::Generator generator(options);
  Stream s;
  s.regions = generator.regions();
  for (const sim::SimTrack& t : generator.tracks()) {
    s.track_ids.push_back(t.id);
    s.releases.push_back(t.release_micros);
  }
  std::map<std::string, uint16_t> region_index;
  for (size_t i = 0; i < s.regions.size(); ++i) region_index[s.regions[i]] = i;
  s.offsets.push_back(0);
  generator.Run([&](const sim::SimSnapshot& snap) {
    s.region_of.push_back(region_index[snap.region]);
    s.times.push_back(snap.capture_micros);
    for (const sim::SimEntry& e : snap.entries) {
      s.tracks.push_back(static_cast<uint16_t>(e.track_index));
    }
    s.offsets.push_back(static_cast<uint32_t>(s.tracks.size()));
  });
  s.catalog_json = generator.CatalogJson();
  return s;
}

google::protobuf::Timestamp Ts(int64_t micros) {
  google::protobuf::Timestamp t;
  t.set_seconds(micros / 1'000'000);
  t.set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
  return t;
}
int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

common::v1::ChartId Chart() {
  common::v1::ChartId chart;
  chart.set_provider("itunes");
  chart.set_list("top-songs");
  return chart;
}

void FillRequest(const Stream& s, int top, size_t i,
                 v1::AppendSnapshotsRequest& request) {
  v1::ResolvedSnapshot& out = *request.mutable_snapshot();
  if (!out.has_chart()) *out.mutable_chart() = Chart();
  out.mutable_region()->set_code(s.regions[s.region_of[i]]);
  *out.mutable_capture_time() = Ts(s.times[i]);
  out.set_chart_size(top);
  const uint32_t from = s.offsets[i], to = s.offsets[i + 1];
  while (out.entries_size() > static_cast<int>(to - from)) {
    out.mutable_entries()->RemoveLast();
  }
  for (uint32_t k = from; k < to; ++k) {
    v1::ResolvedEntry* e = static_cast<int>(k - from) < out.entries_size()
                               ? out.mutable_entries(k - from)
                               : out.add_entries();
    e->set_track_id(s.track_ids[s.tracks[k]]);
    e->set_position(static_cast<int>(k - from) + 1);
  }
}

double ProcStatus(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) {
      return std::atof(line.c_str() + std::strlen(field)) / 1024.0;  // MiB
    }
  }
  return 0;
}
double RssMiB() {
  malloc_trim(0);
  return ProcStatus("VmRSS:");
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// Latency samples in milliseconds.
struct Samples {
  std::vector<double> ms;
  void Add(Clock::duration d) { ms.push_back(Millis(d)); }
  double Pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    size_t i = static_cast<size_t>(p / 100.0 * (ms.size() - 1) + 0.5);
    return ms[std::min(i, ms.size() - 1)];
  }
  double Max() {
    return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  }
};

template <typename Fn>
Clock::duration Time(Fn&& fn) {
  const auto t0 = Clock::now();
  fn();
  return Clock::now() - t0;
}

uint64_t DirBytes(const std::filesystem::path& dir, const std::string& stem) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(stem, 0) == 0 &&
        e.is_regular_file()) {
      total += e.file_size();
    }
  }
  return total;
}

void Checkpoint(const std::string& path) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE, 10'000);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// ---------------------------------------------------------------------------

class Bench {
 public:
  explicit Bench(Args args) : args_(std::move(args)) {}

  int Run();

 private:
  void StartCatalog();
  absl::Status StartRecords();
  void Append();
  void PickQueries();
  void QueryRecords(bool print);
  void Restart();
  void OldReload();
  void Sql();

  v1::GetTimeToThresholdRequest TttRequest(uint16_t track, int p, int n) const {
    v1::GetTimeToThresholdRequest r;
    r.mutable_track()->set_track_id(stream_.track_ids[track]);
    *r.mutable_chart() = Chart();
    r.mutable_threshold()->mutable_position()->set_max_position(p);
    r.set_min_regions(n);
    return r;
  }

  Args args_;
  std::filesystem::path dir_;
  Stream stream_;
  uint64_t observations_ = 0;
  std::unique_ptr<common::RunningServer> catalog_;
  std::unique_ptr<common::RunningServer> records_;
  RecordsHandler* handler_ = nullptr;
  std::unique_ptr<v1::RecordsService::Stub> stub_;

  struct Ttt {
    uint16_t track;
    int p;
    int n;
  };
  std::vector<Ttt> ttt_;
  std::vector<v1::ListLeaderboardRequest> boards_;
  std::vector<std::string> board_names_;
  std::vector<bool> board_unwatched_;
  // Answers for the restart and SQL cross-checks.
  std::vector<std::string> ttt_answers_;
  std::vector<v1::GetTimeToThresholdResponse> ttt_responses_;
  std::vector<v1::ListLeaderboardResponse> board_responses_;
  double hc_ttt_p50_ = 0, hc_ttt_p99_ = 0, hc_total_p50_ = 0;
  double hc_ttt_basic_p50_ = 0, hc_ttt_basic_p99_ = 0;
  double hc_ttt_engine_p50_ = 0, hc_ttt_engine_p99_ = 0;
  double hc_fastest_p50_ = 0, hc_total_board_p50_ = 0;
};

void Bench::StartCatalog() {
  common::ServiceOptions options;
  options.listen_address = "127.0.0.1:0";
  options.data_dir = (dir_ / "catalog").string();
  options.shutdown_timeout = absl::Seconds(2);
  auto instance = catalog::CreateCatalogInstance(options);
  if (!instance.ok()) {
    std::fprintf(stderr, "catalog: %s\n", instance.status().ToString().c_str());
    std::exit(1);
  }
  auto server = common::RunningServer::Start(catalog::CatalogDescriptor(),
                                             options, *std::move(instance));
  if (!server.ok()) std::exit(1);
  catalog_ = *std::move(server);
  auto stub = catalog::v1::CatalogService::NewStub(grpc::CreateChannel(
      catalog_->address(), grpc::InsecureChannelCredentials()));
  catalog::v1::ImportCatalogRequest request;
  if (!google::protobuf::util::JsonStringToMessage(stream_.catalog_json,
                                                   &request)
           .ok()) {
    std::fprintf(stderr, "catalog document does not parse\n");
    std::exit(1);
  }
  catalog::v1::ImportCatalogResponse response;
  grpc::ClientContext ctx;
  grpc::Status s = stub->ImportCatalog(&ctx, request, &response);
  if (!s.ok()) {
    std::fprintf(stderr, "catalog import: %s\n", s.error_message().c_str());
    std::exit(1);
  }
}

absl::Status Bench::StartRecords() {
  common::ServiceOptions options;
  options.listen_address = "127.0.0.1:0";
  options.data_dir = (dir_ / "records").string();
  options.shutdown_timeout = absl::Seconds(5);
  options.peers["catalog"] = catalog_->address();
  options.durability = args_.sync == "normal" ? common::Durability::kNormal
                                              : common::Durability::kFull;
  auto instance = CreateRecordsInstance(options);
  if (!instance.ok()) return instance.status();
  handler_ = HandlerOf(**instance);
  auto server = common::RunningServer::Start(RecordsDescriptor(), options,
                                             *std::move(instance));
  if (!server.ok()) return server.status();
  records_ = *std::move(server);
  stub_ = v1::RecordsService::NewStub(grpc::CreateChannel(
      records_->address(), grpc::InsecureChannelCredentials()));
  return absl::OkStatus();
}

void Bench::Append() {
  grpc::ClientContext ctx;
  auto stream = stub_->AppendSnapshots(&ctx);
  std::atomic<int64_t> results{0}, rejected{0};
  std::string first_error;
  const auto t0 = Clock::now();
  std::thread reader([&] {
    v1::AppendSnapshotsResponse r;
    while (stream->Read(&r)) {
      ++results;
      if (r.outcome() != v1::APPEND_OUTCOME_APPENDED) {
        if (rejected++ == 0) first_error = r.ShortDebugString();
      }
    }
  });
  v1::AppendSnapshotsRequest request;
  for (size_t i = 0; i < stream_.size(); ++i) {
    FillRequest(stream_, args_.top, i, request);
    if (!stream->Write(request)) break;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  const double secs = Seconds(Clock::now() - t0);
  std::printf(
      "append      %zu snapshots, %llu observations over gRPC in %.2f s: "
      "%.0f snapshots/s, %.0f observations/s (target >= 500000)\n",
      stream_.size(), static_cast<unsigned long long>(observations_), secs,
      stream_.size() / secs, observations_ / secs);
  if (!status.ok() || results != static_cast<int64_t>(stream_.size()) ||
      rejected != 0) {
    std::fprintf(stderr,
                 "append stream: status %s, %lld results, %lld not APPENDED "
                 "(first: %s)\n",
                 status.error_message().c_str(),
                 static_cast<long long>(results.load()),
                 static_cast<long long>(rejected.load()), first_error.c_str());
    std::exit(1);
  }
}

// TTT questions: tracks that reached #1 / the top 10 somewhere, from the
// biggest hits down, each for a few N; leaderboards of every metric.
void Bench::PickQueries() {
  const size_t tracks = stream_.track_ids.size();
  const size_t regions = stream_.regions.size();
  for (int p : {1, 10}) {
    std::vector<std::vector<bool>> seen(tracks, std::vector<bool>(regions));
    std::vector<int> total(tracks);
    for (size_t i = 0; i < stream_.size(); ++i) {
      const uint32_t from = stream_.offsets[i];
      const uint32_t to = std::min<uint32_t>(stream_.offsets[i + 1], from + p);
      for (uint32_t k = from; k < to; ++k) {
        auto&& bit = seen[stream_.tracks[k]][stream_.region_of[i]];
        if (!bit) {
          bit = true;
          ++total[stream_.tracks[k]];
        }
      }
    }
    std::vector<uint16_t> charted;
    for (size_t t = 0; t < tracks; ++t) {
      if (total[t] > 0) charted.push_back(static_cast<uint16_t>(t));
    }
    std::sort(charted.begin(), charted.end(), [&](uint16_t a, uint16_t b) {
      return total[a] != total[b] ? total[a] > total[b] : a < b;
    });
    const size_t want = std::min<size_t>(args_.queries / 2, charted.size());
    for (size_t q = 0; q < want; ++q) {
      const uint16_t t = charted[q * charted.size() / want];
      for (int n : {1, 10, 50, 100}) ttt_.push_back({t, p, n});
    }
  }

  auto board = [&](const std::string& name, v1::Metric metric, int p, int n,
                   v1::Category category) {
    v1::ListLeaderboardRequest r;
    *r.mutable_record()->mutable_chart() = Chart();
    r.mutable_record()->set_metric(metric);
    r.mutable_record()
        ->mutable_threshold()
        ->mutable_position()
        ->set_max_position(p);
    r.mutable_record()->set_min_regions(n);
    *r.mutable_record()->mutable_category() = category;
    r.set_page_size(50);
    boards_.push_back(r);
    board_names_.push_back(name);
    // The server watches P=1 (its default); any other P is computed on
    // demand.
    board_unwatched_.push_back(p != 1);
  };
  v1::Category all, solo, group, kr;
  solo.set_performer(v1::PERFORMER_SOLO_TRACK);
  group.set_performer(v1::PERFORMER_BY_GROUP);
  kr.set_origin_country("KR");
  for (int n : {10, 25, 50, 100}) {
    board("fastest P=1 N=" + std::to_string(n), v1::METRIC_FASTEST, 1, n, all);
  }
  board("fastest P=1 N=25 solo track", v1::METRIC_FASTEST, 1, 25, solo);
  board("fastest P=1 N=25 group", v1::METRIC_FASTEST, 1, 25, group);
  board("fastest P=1 N=25 origin KR", v1::METRIC_FASTEST, 1, 25, kr);
  board("total P=1", v1::METRIC_TOTAL, 1, 0, all);
  board("peak P=1", v1::METRIC_PEAK, 1, 0, all);
  board("all-kill", v1::METRIC_ALL_KILL, 1, 0, all);
  board("fastest P=10 N=50 (unwatched P)", v1::METRIC_FASTEST, 10, 50, all);
  board("total P=10 (unwatched P)", v1::METRIC_TOTAL, 10, 0, all);
  board("peak P=10 (unwatched P)", v1::METRIC_PEAK, 10, 0, all);
  board("all-kill P=10 (unwatched P)", v1::METRIC_ALL_KILL, 10, 0, all);
  board("peak P=5 (unwatched P)", v1::METRIC_PEAK, 5, 0, all);
  board("fastest P=3 N=25 group (unwatched)", v1::METRIC_FASTEST, 3, 25, group);
  board("total P=100 (unwatched P)", v1::METRIC_TOTAL, 100, 0, all);
}

void Bench::QueryRecords(bool print) {
  // Time-to-threshold.
  Samples server, client, server_p1, server_p10, basic, engine;
  ttt_answers_.clear();
  ttt_responses_.clear();
  for (int round = 0; round < 3; ++round) {
    for (const Ttt& q : ttt_) {
      const v1::GetTimeToThresholdRequest r = TttRequest(q.track, q.p, q.n);
      absl::StatusOr<v1::GetTimeToThresholdResponse> answer;
      const auto d = Time([&] { answer = handler_->GetTimeToThreshold(r); });
      if (!answer.ok()) {
        std::fprintf(stderr, "ttt: %s\n", answer.status().ToString().c_str());
        std::exit(1);
      }
      if (round > 0) {
        server.Add(d);
        (q.p == 1 ? server_p1 : server_p10).Add(d);
      }
      // The same question in the BASIC view (no crossing list): the
      // information the plain SQL below returns. It must be the FULL
      // answer without its crossings.
      v1::GetTimeToThresholdRequest rb = r;
      rb.set_view(v1::TIME_TO_THRESHOLD_VIEW_BASIC);
      absl::StatusOr<v1::GetTimeToThresholdResponse> brief;
      const auto db = Time([&] { brief = handler_->GetTimeToThreshold(rb); });
      if (round > 0) basic.Add(db);
      // The same question asked of the engine directly, as the SQL side
      // asks SQLite: a library call, no request to check, no response
      // proto to build.
      core::TimeToThresholdQuery eq;
      eq.track_id = stream_.track_ids[q.track];
      eq.chart = absl::StrCat(Chart().provider(), "/", Chart().list());
      eq.threshold = core::Threshold::Position(q.p);
      eq.min_regions = q.n;
      eq.with_crossings = false;
      absl::StatusOr<core::TimeToThresholdAnswer> direct;
      const auto de = Time([&] {
        direct = handler_->ReadEngine([&](const core::RecordsEngine& e) {
          return e.TimeToThreshold(eq);
        });
      });
      if (!direct.ok() || direct->region_count != brief->region_count()) {
        std::fprintf(stderr, "ttt: the engine's answer differs\n");
        std::exit(1);
      }
      if (round > 0) engine.Add(de);
      if (brief.ok()) {
        v1::GetTimeToThresholdResponse full = *answer;
        full.clear_crossings();
        if (full.SerializeAsString() != brief->SerializeAsString()) {
          std::fprintf(stderr, "ttt: BASIC view differs from FULL\n");
          std::exit(1);
        }
      }
      v1::GetTimeToThresholdResponse response;
      grpc::ClientContext ctx;
      const auto c = Time([&] {
        grpc::Status s = stub_->GetTimeToThreshold(&ctx, r, &response);
        if (!s.ok()) std::exit(1);
      });
      if (round > 0) client.Add(c);
      if (round == 0) {
        response.clear_as_of_time();
        ttt_answers_.push_back(response.SerializeAsString());
        ttt_responses_.push_back(response);
      }
    }
  }
  hc_ttt_p50_ = server.Pct(50);
  hc_ttt_p99_ = server.Pct(99);
  hc_ttt_basic_p50_ = basic.Pct(50);
  hc_ttt_basic_p99_ = basic.Pct(99);
  hc_ttt_engine_p50_ = engine.Pct(50);
  hc_ttt_engine_p99_ = engine.Pct(99);
  if (print) {
    std::printf(
        "ttt         %zu questions x 2 rounds: server-side (handler) p50 %.3f "
        "ms, p99 %.3f ms, max %.3f ms (target p99 <= 1 ms); P=1 p99 %.3f ms, "
        "P=10 p99 %.3f ms; client over loopback p50 %.3f ms, p99 %.3f ms\n",
        ttt_.size(), server.Pct(50), server.Pct(99), server.Max(),
        server_p1.Pct(99), server_p10.Pct(99), client.Pct(50), client.Pct(99));
    std::printf(
        "ttt         BASIC view (no crossing list), server-side p50 %.2f us, "
        "p99 %.2f us, max %.2f us; the engine alone (a library call) p50 "
        "%.2f us, p99 %.2f us\n",
        basic.Pct(50) * 1e3, basic.Pct(99) * 1e3, basic.Max() * 1e3,
        engine.Pct(50) * 1e3, engine.Pct(99) * 1e3);
  }

  // Leaderboards: first and second page of each, 5 rounds.
  board_responses_.clear();
  Samples all_server, all_client, unwatched_server, unwatched_client;
  for (size_t b = 0; b < boards_.size(); ++b) {
    Samples s_server, s_client;
    v1::ListLeaderboardResponse first;
    for (int round = 0; round < 6; ++round) {
      v1::ListLeaderboardRequest r = boards_[b];
      for (int page = 0; page < 2; ++page) {
        absl::StatusOr<v1::ListLeaderboardResponse> answer;
        const auto d = Time([&] { answer = handler_->ListLeaderboard(r); });
        if (!answer.ok()) {
          std::fprintf(stderr, "board: %s\n",
                       answer.status().ToString().c_str());
          std::exit(1);
        }
        v1::ListLeaderboardResponse response;
        grpc::ClientContext ctx;
        const auto c = Time([&] {
          grpc::Status s = stub_->ListLeaderboard(&ctx, r, &response);
          if (!s.ok()) std::exit(1);
        });
        if (round > 0) {
          s_server.Add(d);
          s_client.Add(c);
          (board_unwatched_[b] ? unwatched_server : all_server).Add(d);
          (board_unwatched_[b] ? unwatched_client : all_client).Add(c);
        }
        if (round == 0 && page == 0) first = response;
        if (answer->next_page_token().empty()) break;
        r.set_page_token(answer->next_page_token());
      }
    }
    board_responses_.push_back(first);
    if (board_names_[b] == "fastest P=1 N=25")
      hc_fastest_p50_ = s_server.Pct(50);
    if (board_names_[b] == "total P=1") hc_total_board_p50_ = s_server.Pct(50);
    if (print) {
      std::printf(
          "board       %-32s %4d ranked: server p50 %.3f ms max %.3f ms; "
          "client p50 %.3f ms max %.3f ms\n",
          board_names_[b].c_str(), first.total_size(), s_server.Pct(50),
          s_server.Max(), s_client.Pct(50), s_client.Max());
    }
  }
  if (print) {
    std::printf(
        "boards      watched P=1: server p50 %.3f ms, max %.3f ms; client "
        "p50 %.3f ms, max %.3f ms (target <= 10 ms)\n",
        all_server.Pct(50), all_server.Max(), all_client.Pct(50),
        all_client.Max());
    std::printf(
        "boards      unwatched P: server p50 %.3f ms, max %.3f ms; client "
        "p50 %.3f ms, max %.3f ms (target <= 10 ms)\n",
        unwatched_server.Pct(50), unwatched_server.Max(),
        unwatched_client.Pct(50), unwatched_client.Max());
  }

  // Record lineages (no target in the brief; printed for the record): the
  // same records as the boards, server-side, 5 rounds each.
  if (print) {
    Samples watched_lineage, unwatched_lineage;
    for (size_t b = 0; b < boards_.size(); ++b) {
      v1::GetRecordLineageRequest r;
      *r.mutable_record() = boards_[b].record();
      for (int round = 0; round < 6; ++round) {
        absl::StatusOr<v1::GetRecordLineageResponse> answer;
        const auto d = Time([&] { answer = handler_->GetRecordLineage(r); });
        if (!answer.ok()) {
          std::fprintf(stderr, "lineage: %s\n",
                       answer.status().ToString().c_str());
          std::exit(1);
        }
        if (round > 0) {
          (board_unwatched_[b] ? unwatched_lineage : watched_lineage).Add(d);
        }
      }
    }
    std::printf(
        "lineages    of the same records, server-side: watched P=1 p50 %.3f "
        "ms, max %.3f ms; unwatched P p50 %.3f ms, max %.3f ms\n",
        watched_lineage.Pct(50), watched_lineage.Max(),
        unwatched_lineage.Pct(50), unwatched_lineage.Max());
  }
}

void Bench::Restart() {
  records_->Shutdown();
  records_.reset();
  handler_ = nullptr;
  stub_.reset();
  {
    // First as users restart it: the built binary, a fresh process (no
    // warm heap), on the same data directory and catalog, until its health
    // says SERVING; then stopped with SIGTERM.
    const std::string address = absl::StrCat("127.0.0.1:", testing::FreePort());
    const std::string log = (dir_ / "records-process.log").string();
    const auto t0 = Clock::now();
    const pid_t pid = testing::Spawn(
        {HITCLOCK_RECORDS_BINARY, "--listen", address, "--data-dir",
         (dir_ / "records").string(), "--catalog-address", catalog_->address(),
         "--log-level", "info"},
        log);
    // The port opens once the store is loaded; then the health check.
    // Reconnect every 20 ms: gRPC's default backoff (1 s, growing) would
    // round the figure up to its steps.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 20);
    auto channel = grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args);
    int probe = 1;
    while (Seconds(Clock::now() - t0) < 120 && probe != 0) {
      if (channel->WaitForConnected(std::chrono::system_clock::now() +
                                    std::chrono::milliseconds(100))) {
        probe = common::Probe(address, "hitclock.records.v1.RecordsService");
      }
    }
    const auto serving = Clock::now();
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    std::printf(
        "restart     the hitclock-records binary, a fresh process on the same "
        "data dir: health SERVING (probe %s) after %.2f s (target <= 10 s); "
        "its log: %s\n",
        probe == 0 ? "ok" : "FAILED", Seconds(serving - t0), log.c_str());
    if (probe != 0) std::exit(1);
  }
  const double rss_before = RssMiB();
  // The service logs each phase of its start (store, catalog facts,
  // lineages) at info: shown for the restart only.
  spdlog::set_level(spdlog::level::info);
  const auto t0 = Clock::now();
  absl::Status started_status = StartRecords();
  spdlog::set_level(spdlog::level::warn);
  if (absl::Status s = started_status; !s.ok()) {
    std::fprintf(stderr, "restart: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  const auto started = Clock::now();
  const int probe =
      common::Probe(records_->address(), "hitclock.records.v1.RecordsService");
  const auto serving = Clock::now();
  std::printf(
      "restart     in this process (warm heap), a new server on the same data "
      "dir: Start "
      "returned after %.2f s, health SERVING (probe %s) after %.2f s (target "
      "<= 10 s)\n",
      Seconds(started - t0), probe == 0 ? "ok" : "FAILED",
      Seconds(serving - t0));
  {
    // How much of it is reading the store (a second connection).
    auto store = RecordsStore::Open((dir_ / "records" / "records.db").string());
    if (!store.ok()) std::exit(1);
    int64_t rows = 0;
    const auto read = Time([&] {
      absl::Status s = (*store)->ForEachStored([&](StoredSnapshot&) {
        ++rows;
        return absl::OkStatus();
      });
      if (!s.ok()) std::exit(1);
    });
    std::printf(
        "restart     of which reading the %lld stored snapshots alone takes "
        "about %.2f s (timed again on its own)\n",
        static_cast<long long>(rows), Seconds(read));
  }
  const double rss_after = RssMiB();
  std::printf(
      "rss         after restart %.0f MiB (process: records + catalog + "
      "client + the compact stream); records' share %.0f MiB (target <= 2048 "
      "MiB); peak %.0f MiB\n",
      rss_after, rss_after - rss_before, ProcStatus("VmHWM:"));

  // The same answers after the restart.
  std::vector<std::string> before = std::move(ttt_answers_);
  std::vector<v1::ListLeaderboardResponse> boards_before =
      std::move(board_responses_);
  QueryRecords(/*print=*/false);
  size_t differ = 0;
  for (size_t i = 0; i < before.size(); ++i)
    differ += before[i] != ttt_answers_[i];
  for (size_t i = 0; i < boards_before.size(); ++i) {
    boards_before[i].clear_as_of_time();
    board_responses_[i].clear_as_of_time();
    differ += boards_before[i].SerializeAsString() !=
              board_responses_[i].SerializeAsString();
  }
  std::printf("restart     answers identical after the restart: %s\n",
              differ == 0 ? "yes" : "NO");
  if (differ != 0) std::exit(1);
}

// The reload as it was before the bulk path: every stored snapshot decoded
// into track ids and appended one by one (`ForEach` + `Append`).
void Bench::OldReload() {
  auto store = RecordsStore::Open((dir_ / "records" / "records.db").string());
  if (!store.ok()) std::exit(1);
  core::RecordsEngine engine(core::EngineOptions{.record_events = false});
  int64_t count = 0;
  const auto d = Time([&] {
    absl::Status s = (*store)->ForEach([&](const core::Snapshot& snapshot) {
      ++count;
      return engine.Append(snapshot, core::ConflictPolicy::kReplace).status();
    });
    if (!s.ok()) std::exit(1);
  });
  std::printf(
      "old reload  ForEach + Append of %lld snapshots (the reload before the "
      "bulk path): %.2f s\n",
      static_cast<long long>(count), Seconds(d));
}

// The same questions in plain SQL over a raw observations table.
void Bench::Sql() {
  const std::string path = (dir_ / "raw.db").string();
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  db.exec("PRAGMA cache_size=-262144");  // 256 MiB
  db.exec(
      "CREATE TABLE observations (track TEXT NOT NULL, region TEXT NOT NULL, "
      "captured_at INTEGER NOT NULL, position INTEGER NOT NULL)");
  db.exec("CREATE TABLE tracks (id TEXT PRIMARY KEY, released_at INTEGER)");
  const auto t0 = Clock::now();
  {
    SQLite::Transaction tx(db);
    SQLite::Statement insert(db, "INSERT INTO tracks VALUES (?, ?)");
    for (size_t t = 0; t < stream_.track_ids.size(); ++t) {
      insert.bind(1, stream_.track_ids[t]);
      insert.bind(2, static_cast<int64_t>(stream_.releases[t]));
      insert.exec();
      insert.reset();
    }
    tx.commit();
  }
  SQLite::Statement insert(db, "INSERT INTO observations VALUES (?, ?, ?, ?)");
  const size_t kBatch = 1000;  // snapshots per transaction: 100,000 rows
  for (size_t i = 0; i < stream_.size();) {
    SQLite::Transaction tx(db);
    for (size_t end = std::min(stream_.size(), i + kBatch); i < end; ++i) {
      for (uint32_t k = stream_.offsets[i]; k < stream_.offsets[i + 1]; ++k) {
        insert.bind(1, stream_.track_ids[stream_.tracks[k]]);
        insert.bind(2, stream_.regions[stream_.region_of[i]]);
        insert.bind(3, static_cast<int64_t>(stream_.times[i]));
        insert.bind(4, static_cast<int>(k - stream_.offsets[i]) + 1);
        insert.exec();
        insert.reset();
      }
    }
    tx.commit();
  }
  const auto loaded = Clock::now();
  db.exec(
      "CREATE INDEX observations_by_track ON observations(track, position, "
      "region, captured_at)");
  db.exec(
      "CREATE INDEX observations_by_position ON observations(position, track, "
      "region, captured_at)");
  db.exec("ANALYZE");
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const auto indexed = Clock::now();
  std::printf(
      "sql         raw table: %llu rows loaded in %.1f s (%.0f rows/s, "
      "batched transactions of 100,000), 2 covering indexes in %.1f s, %.1f "
      "bytes/observation on disk\n",
      static_cast<unsigned long long>(observations_), Seconds(loaded - t0),
      observations_ / Seconds(loaded - t0), Seconds(indexed - loaded),
      static_cast<double>(DirBytes(dir_, "raw.db")) / observations_);

  // Time-to-threshold: the N-th region's first capture at position <= P.
  SQLite::Statement ttt(db,
                        "SELECT region, first FROM (SELECT region, "
                        "MIN(captured_at) AS first FROM observations WHERE "
                        "track = ?1 AND position <= ?2 GROUP BY region) "
                        "ORDER BY first, region LIMIT 1 OFFSET ?3 - 1");
  SQLite::Statement total(db,
                          "SELECT COUNT(DISTINCT region) FROM observations "
                          "WHERE track = ?1 AND position <= ?2");
  SQLite::Statement release(db, "SELECT released_at FROM tracks WHERE id = ?1");
  Samples ttt_ms, total_ms;
  size_t mismatches = 0;
  const size_t sql_ttt = std::min<size_t>(ttt_.size(), 80);
  for (size_t qi = 0; qi < sql_ttt; ++qi) {
    const size_t i = qi * ttt_.size() / sql_ttt;
    const Ttt& q = ttt_[i];
    const std::string& id = stream_.track_ids[q.track];
    bool reached = false;
    int64_t reach = 0, took = 0;
    std::string region;
    ttt_ms.Add(Time([&] {
      ttt.bind(1, id);
      ttt.bind(2, q.p);
      ttt.bind(3, q.n);
      if (ttt.executeStep()) {
        reached = true;
        region = ttt.getColumn(0).getString();
        reach = ttt.getColumn(1).getInt64();
        release.bind(1, id);
        release.executeStep();
        took = reach - release.getColumn(0).getInt64();
        release.reset();
      }
      ttt.reset();
    }));
    int count = 0;
    total_ms.Add(Time([&] {
      total.bind(1, id);
      total.bind(2, q.p);
      total.executeStep();
      count = total.getColumn(0).getInt();
      total.reset();
    }));
    const v1::GetTimeToThresholdResponse& hc = ttt_responses_[i];
    if (hc.reached() != reached || hc.region_count() != count ||
        (reached && (MicrosOf(hc.reach_time()) != reach ||
                     hc.completing_region().code() != region ||
                     hc.time_to_threshold().seconds() * 1'000'000 +
                             hc.time_to_threshold().nanos() / 1000 !=
                         took))) {
      ++mismatches;
    }
  }
  std::printf(
      "sql ttt     %zu questions: p50 %.3f ms, p99 %.2f ms; hitclock "
      "server-side, BASIC view (the same information) p50 %.4f ms, p99 %.4f "
      "ms -> %.0fx faster at p50, %.0fx at p99 (target >= 100x); FULL view "
      "(with every crossing, which the SQL does not return) p50 %.4f ms -> "
      "%.0fx; answers differing from hitclock: %zu\n",
      sql_ttt, ttt_ms.Pct(50), ttt_ms.Pct(99), hc_ttt_basic_p50_,
      hc_ttt_basic_p99_, ttt_ms.Pct(50) / hc_ttt_basic_p50_,
      ttt_ms.Pct(99) / hc_ttt_basic_p99_, hc_ttt_p50_,
      ttt_ms.Pct(50) / hc_ttt_p50_, mismatches);
  std::printf(
      "sql total   COUNT(DISTINCT region): p50 %.3f ms, p99 %.2f ms; hitclock "
      "(the BASIC answer's region_count) server-side p50 %.2f us -> %.0fx "
      "faster at p50, %.0fx at p99\n",
      total_ms.Pct(50), total_ms.Pct(99), hc_ttt_basic_p50_ * 1e3,
      total_ms.Pct(50) / hc_ttt_basic_p50_,
      total_ms.Pct(99) / hc_ttt_basic_p99_);
  std::printf(
      "sql engine  the same questions asked of hitclock's engine as a library "
      "call, as the SQL side asks SQLite (no request proto, no response "
      "proto): p50 %.2f us, p99 %.2f us -> ttt %.0fx at p50, %.0fx at p99; "
      "total %.0fx at p50, %.0fx at p99\n",
      hc_ttt_engine_p50_ * 1e3, hc_ttt_engine_p99_ * 1e3,
      ttt_ms.Pct(50) / hc_ttt_engine_p50_, ttt_ms.Pct(99) / hc_ttt_engine_p99_,
      total_ms.Pct(50) / hc_ttt_engine_p50_,
      total_ms.Pct(99) / hc_ttt_engine_p99_);

  // Fastest to N leaderboard, first page of 50: window functions.
  SQLite::Statement fastest(
      db,
      "WITH firsts AS (SELECT track, region, MIN(captured_at) AS first FROM "
      "observations WHERE position <= ?1 GROUP BY track, region), ranked AS "
      "(SELECT track, first, ROW_NUMBER() OVER (PARTITION BY track ORDER BY "
      "first, region) AS n FROM firsts) SELECT r.track, r.first - "
      "t.released_at AS took, r.first FROM ranked r JOIN tracks t ON t.id = "
      "r.track WHERE r.n = ?2 ORDER BY took, r.first, r.track LIMIT 50");
  Samples fastest_ms;
  std::vector<std::string> sql_order;
  for (int round = 0; round < 3; ++round) {
    sql_order.clear();
    fastest_ms.Add(Time([&] {
      fastest.bind(1, 1);
      fastest.bind(2, 25);
      while (fastest.executeStep()) {
        sql_order.push_back(fastest.getColumn(0).getString());
      }
      fastest.reset();
    }));
  }
  size_t board_index = 0;
  while (board_names_[board_index] != "fastest P=1 N=25") ++board_index;
  std::vector<std::string> hc_order;
  for (const auto& row : board_responses_[board_index].rows()) {
    hc_order.push_back(row.track().track_id());
  }
  std::printf(
      "sql fastest fastest to 25 at #1, first page of 50 (window function): "
      "p50 %.1f ms; hitclock server-side p50 %.3f ms -> %.0fx faster; same "
      "ranking: %s\n",
      fastest_ms.Pct(50), hc_fastest_p50_, fastest_ms.Pct(50) / hc_fastest_p50_,
      sql_order == hc_order ? "yes" : "NO");

  SQLite::Statement most(
      db,
      "SELECT track, COUNT(DISTINCT region) AS total FROM observations WHERE "
      "position <= ?1 GROUP BY track ORDER BY total DESC, track LIMIT 50");
  Samples most_ms;
  for (int round = 0; round < 3; ++round) {
    most_ms.Add(Time([&] {
      most.bind(1, 1);
      while (most.executeStep()) {
      }
      most.reset();
    }));
  }
  std::printf(
      "sql total   most total regions at #1, first page of 50 (GROUP BY): p50 "
      "%.1f ms; hitclock server-side p50 %.3f ms -> %.0fx faster\n",
      most_ms.Pct(50), hc_total_board_p50_,
      most_ms.Pct(50) / hc_total_board_p50_);
}

int Bench::Run() {
  std::printf(
      "records_load_benchmark: %g days, %d regions, top %d, %d tracks; %u "
      "cores, load average %s\n",
      args_.days, args_.regions, args_.top, args_.tracks,
      std::thread::hardware_concurrency(), LoadAverage().c_str());
  std::fflush(stdout);
  if (args_.keep.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "records-load-XXXXXX")
            .string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    dir_ = pattern;
  } else {
    dir_ = args_.keep;
    std::filesystem::create_directories(dir_);
  }

  const auto g = Time([&] { stream_ = Generate(args_); });
  observations_ = stream_.tracks.size();
  std::printf(
      "generate    %zu snapshots, %llu observations in %.1f s (kept compactly: "
      "%.0f MiB)\n",
      stream_.size(), static_cast<unsigned long long>(observations_),
      Seconds(g), stream_.bytes() / 1048576.0);
  std::fflush(stdout);

  StartCatalog();
  const double rss_base = RssMiB();
  if (absl::Status s = StartRecords(); !s.ok()) {
    std::fprintf(stderr, "records: %s\n", s.ToString().c_str());
    return 1;
  }
  Append();
  std::fflush(stdout);
  const std::string db_path = (dir_ / "records" / "records.db").string();
  Checkpoint(db_path);
  const uint64_t bytes = DirBytes(dir_ / "records", "records.db");
  std::printf(
      "disk        %llu bytes in records.db* after a checkpoint: %.2f "
      "bytes/observation (target <= 4)\n",
      static_cast<unsigned long long>(bytes),
      static_cast<double>(bytes) / observations_);
  const double rss = RssMiB();
  std::printf(
      "rss         after the append %.0f MiB (process); records' share %.0f "
      "MiB (target <= 2048 MiB)\n",
      rss, rss - rss_base);

  PickQueries();
  QueryRecords(/*print=*/true);
  std::fflush(stdout);
  Restart();
  std::fflush(stdout);
  if (args_.old_reload) OldReload();
  if (!args_.skip_sql) Sql();
  records_->Shutdown();
  records_.reset();
  catalog_->Shutdown();
  catalog_.reset();
  std::printf("load        average at the end %s\n", LoadAverage().c_str());
  if (args_.keep.empty()) std::filesystem::remove_all(dir_);
  return 0;
}

}  // namespace
}  // namespace hitclock::records

int main(int argc, char** argv) {
  hitclock::records::Args args;
  if (!hitclock::records::ParseArgs(argc, argv, args)) return 2;
  hitclock::common::ServiceOptions log_options;
  log_options.log_level = "warn";
  (void)hitclock::common::InitLogging(log_options);
  hitclock::records::Bench bench(args);
  return bench.Run();
}
