// Ingest under load, with all three services running as real gRPC servers.
//
// Starts a real catalog, records and ingest server in this process, each on
// 127.0.0.1:0 with its own temporary data directory (auth off), ingest's
// forwarder resolving through catalog's ResolveTracks and appending to
// records over AppendSnapshots, exactly as the separate binaries do. The
// simulator's companion catalog is imported into catalog through
// ImportCatalog first, so every generated entry resolves (by provider id;
// title and credit travel with it as a real feed's do).
//
// Scenarios:
// - `e2e`: a day (--days / --hours) of world iTunes at a 5-minute interval
//   (119 storefronts x top 100: 3.4 million entries a day) from the
//   simulator, pushed through one StreamSnapshots stream. Prints the
//   ingest-acknowledged rate (every result is sent after its commit) and
//   the end-to-end rate: until ingest's GetForwarderStatus says nothing is
//   pending and records' ListCharts counts every snapshot.
// - `latency`: SubmitSnapshot of one 100-entry snapshot at a steady
//   --rate snapshots/s for --seconds s, open loop (each call is started at
//   its scheduled instant whatever the previous ones do; latency counted
//   from that instant), with the forwarder draining to records meanwhile.
//   Prints p50/p90/p99/max.
//
// Usage: ingest_load_benchmark [--scenario all|e2e|latency] [--days D=1]
//        [--hours H] [--regions R=119] [--top K=100] [--tracks T=3000]
//        [--rate S=200] [--seconds S=30] [--log-level L=warn] [--processes]
//        [--keep DIR] [--sync full|normal]
// With --processes the services are the built binaries (hitclock-catalog,
// hitclock-records, hitclock-ingest) started as child processes, and the
// CPU time of each is printed.
// `--hours 2 --seconds 5` is a smoke run of a few seconds.

#include <arpa/inet.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/logging.h"
#include "common/options.h"
#include "common/server.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/grpcpp.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/ingest/v1/ingest.grpc.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/catalog/catalog_service.h"
#include "services/ingest/ingest_service.h"
#include "services/records/records_service.h"
#include "services/records/sim/generator.h"
#include "services/records/sim/regions.h"

namespace hitclock::ingest {
namespace {

namespace sim = records::sim;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}
double Millis(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Args {
  std::string scenario = "all";
  double days = 1;
  int regions = 119;
  int top = 100;
  int tracks = 3000;
  double rate = 200;
  double seconds = 30;
  std::string keep;
  // The servers' log level: `info` logs every RPC.
  std::string log_level = "warn";
  // Run the three services as separate processes (the built binaries)
  // instead of in this process.
  bool processes = false;
  // The services' --sync: `full` (durable against power loss, the default)
  // or `normal`.
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
    if (a == "--scenario") {
      args.scenario = value();
    } else if (a == "--days") {
      args.days = std::atof(value());
    } else if (a == "--hours") {
      args.days = std::atof(value()) / 24.0;
    } else if (a == "--regions") {
      args.regions = std::atoi(value());
    } else if (a == "--top") {
      args.top = std::atoi(value());
    } else if (a == "--tracks") {
      args.tracks = std::atoi(value());
    } else if (a == "--rate") {
      args.rate = std::atof(value());
    } else if (a == "--seconds") {
      args.seconds = std::atof(value());
    } else if (a == "--processes") {
      args.processes = true;
    } else if (a == "--sync") {
      args.sync = value();
      if (args.sync != "full" && args.sync != "normal") {
        std::fprintf(stderr, "--sync: full or normal\n");
        return false;
      }
    } else if (a == "--log-level") {
      args.log_level = value();
    } else if (a == "--keep") {
      args.keep = value();
    } else if (a == "--help" || a == "-h") {
      std::printf(
          "ingest_load_benchmark [--scenario all|e2e|latency] [--days D=1]\n"
          "  [--hours H] [--regions R=119] [--top K=100] [--tracks T=3000]\n"
          "  [--rate S=200] [--seconds S=30] [--log-level L=warn] "
          "[--processes]\n"
          "  [--keep DIR] [--sync full|normal]\n");
      std::exit(0);
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return false;
    }
  }
  return (args.scenario == "all" || args.scenario == "e2e" ||
          args.scenario == "latency") &&
         args.days > 0 && args.regions >= 1 && args.regions <= 119 &&
         args.top >= 1 && args.top <= 500 && args.tracks >= 1 &&
         args.rate > 0 && args.seconds > 0;
}

// The generated stream, compactly: per snapshot its region, instant and
// tracks by position; the requests are built from it while sending.
struct Stream {
  std::vector<std::string> regions;
  std::vector<sim::SimTrack> tracks;
  std::vector<uint16_t> region_of;
  std::vector<int64_t> times;
  std::vector<uint32_t> offsets;  // size() + 1 entries into `entries`
  std::vector<uint16_t> entries;  // track indexes
  std::string catalog_json;
  size_t size() const { return times.size(); }
  size_t entry_count() const { return entries.size(); }
};

Stream Generate(const Args& args, double days) {
  sim::GeneratorOptions options;
  options.days = days;
  options.top_k = args.top;
  options.track_count = args.tracks;
  const auto& all = sim::ItunesSongChartRegions();
  options.regions.assign(all.begin(), all.begin() + args.regions);
  sim::Generator generator(options);
  Stream s;
  s.regions = generator.regions();
  s.tracks = generator.tracks();
  std::map<std::string, uint16_t> region_index;
  for (size_t i = 0; i < s.regions.size(); ++i) region_index[s.regions[i]] = i;
  s.offsets.push_back(0);
  generator.Run([&](const sim::SimSnapshot& snap) {
    s.region_of.push_back(region_index[snap.region]);
    s.times.push_back(snap.capture_micros);
    for (const sim::SimEntry& e : snap.entries) {
      s.entries.push_back(static_cast<uint16_t>(e.track_index));
    }
    s.offsets.push_back(static_cast<uint32_t>(s.entries.size()));
  });
  s.catalog_json = generator.CatalogJson();
  return s;
}

// Fills `out` with snapshot `i` as a tracker would send it: chart, region,
// capture instant, and per entry its position, title, credit string and
// iTunes id (the provider left empty: it is the chart's).
void FillSnapshot(const Stream& s, size_t i, v1::ChartSnapshot& out) {
  if (!out.has_chart()) {
    out.mutable_chart()->set_provider("itunes");
    out.mutable_chart()->set_list("top-songs");
  }
  out.mutable_region()->set_code(s.regions[s.region_of[i]]);
  out.mutable_capture_time()->set_seconds(s.times[i] / 1'000'000);
  out.mutable_capture_time()->set_nanos(
      static_cast<int32_t>(s.times[i] % 1'000'000) * 1000);
  const uint32_t from = s.offsets[i], to = s.offsets[i + 1];
  const int n = static_cast<int>(to - from);
  while (out.entries_size() > n) out.mutable_entries()->RemoveLast();
  for (int k = 0; k < n; ++k) {
    v1::SnapshotEntry* e =
        k < out.entries_size() ? out.mutable_entries(k) : out.add_entries();
    const sim::SimTrack& t = s.tracks[s.entries[from + k]];
    e->set_position(k + 1);
    auto* entry = e->mutable_entry();
    entry->set_title(t.title);
    entry->set_artist_credit(t.artist_credit);
    entry->set_provider_track_id(t.provider_track_id);
  }
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

double ProcStatusMiB(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) {
      return std::atof(line.c_str() + std::strlen(field)) / 1024.0;
    }
  }
  return 0;
}

// Process CPU time (user + system), all threads.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
         u.ru_stime.tv_usec / 1e6;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "ingest_load_benchmark: %s\n", what.c_str());
  std::exit(1);
}

// The three servers, in-process, each on 127.0.0.1:0.
class Servers {
 public:
  Servers(const std::filesystem::path& dir, const std::string& catalog_json,
          const Args& args)
      : dir_(dir), args_(args) {
    std::string catalog_address, records_address, ingest_address;
    if (args.processes) {
      catalog_address = Spawn(HITCLOCK_CATALOG_BINARY, "catalog", {});
      ImportCatalog(catalog_address, catalog_json);
      records_address = Spawn(HITCLOCK_RECORDS_BINARY, "records",
                              {"--catalog-address", catalog_address});
      ingest_address = Spawn(HITCLOCK_INGEST_BINARY, "ingest",
                             {"--catalog-address", catalog_address,
                              "--records-address", records_address});
    } else {
      catalog_ = Start(catalog::CatalogDescriptor(),
                       catalog::CreateCatalogInstance, "catalog", {});
      catalog_address = catalog_->address();
      ImportCatalog(catalog_address, catalog_json);
      records_ =
          Start(records::RecordsDescriptor(), records::CreateRecordsInstance,
                "records", {{"catalog", catalog_address}});
      records_address = records_->address();
      ingest_ =
          Start(IngestDescriptor(), CreateIngestInstance, "ingest",
                {{"catalog", catalog_address}, {"records", records_address}});
      ingest_address = ingest_->address();
    }
    ingest_stub = v1::IngestService::NewStub(grpc::CreateChannel(
        ingest_address, grpc::InsecureChannelCredentials()));
    records_stub = records::v1::RecordsService::NewStub(grpc::CreateChannel(
        records_address, grpc::InsecureChannelCredentials()));
  }
  ~Servers() {
    ingest_.reset();
    records_.reset();
    catalog_.reset();
    for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
      kill(it->pid, SIGTERM);
      int status = 0;
      waitpid(it->pid, &status, 0);
    }
  }

  // CPU seconds (user + system) of each child process so far; empty
  // in-process.
  std::vector<std::pair<std::string, double>> ChildCpu() const {
    std::vector<std::pair<std::string, double>> out;
    for (const Child& c : children_) {
      std::ifstream in("/proc/" + std::to_string(c.pid) + "/stat");
      std::string stat((std::istreambuf_iterator<char>(in)),
                       std::istreambuf_iterator<char>());
      // Fields after the command (which may hold spaces) in parentheses.
      std::istringstream rest(stat.substr(stat.rfind(')') + 2));
      std::string field;
      double ticks = 0;
      for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14 || i == 15) ticks += std::atof(field.c_str());
      }
      out.emplace_back(c.name, ticks / sysconf(_SC_CLK_TCK));
    }
    return out;
  }

  v1::GetForwarderStatusResponse Status() {
    grpc::ClientContext ctx;
    v1::GetForwarderStatusResponse response;
    grpc::Status s = ingest_stub->GetForwarderStatus(
        &ctx, v1::GetForwarderStatusRequest(), &response);
    if (!s.ok()) Die("GetForwarderStatus: " + s.error_message());
    return response;
  }

  int64_t RecordsSnapshotCount() {
    grpc::ClientContext ctx;
    records::v1::ListChartsResponse charts;
    grpc::Status s = records_stub->ListCharts(
        &ctx, records::v1::ListChartsRequest(), &charts);
    if (!s.ok()) Die("ListCharts: " + s.error_message());
    int64_t n = 0;
    for (const auto& c : charts.charts()) n += c.snapshot_count();
    return n;
  }

  std::unique_ptr<v1::IngestService::Stub> ingest_stub;
  std::unique_ptr<records::v1::RecordsService::Stub> records_stub;

 private:
  template <typename Factory>
  std::unique_ptr<common::RunningServer> Start(
      const common::ServiceDescriptor& descriptor, Factory factory,
      const std::string& name, std::map<std::string, std::string> peers) {
    common::ServiceOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = (dir_ / name).string();
    options.shutdown_timeout = absl::Seconds(5);
    options.peers = std::move(peers);
    options.durability = args_.sync == "normal" ? common::Durability::kNormal
                                                : common::Durability::kFull;
    auto instance = factory(options);
    if (!instance.ok()) Die(name + ": " + instance.status().ToString());
    auto server =
        common::RunningServer::Start(descriptor, options, *std::move(instance));
    if (!server.ok()) Die(name + ": " + server.status().ToString());
    return *std::move(server);
  }

  // Starts `binary` on a free loopback port and waits for SERVING;
  // returns its address.
  std::string Spawn(const std::string& binary, const std::string& name,
                    std::vector<std::string> extra) {
    const int port = FreePort();
    const std::string address = "127.0.0.1:" + std::to_string(port);
    std::vector<std::string> argv = {binary,
                                     "--listen",
                                     address,
                                     "--data-dir",
                                     (dir_ / name).string(),
                                     "--log-level",
                                     args_.log_level,
                                     "--shutdown-timeout",
                                     "5",
                                     "--sync",
                                     args_.sync};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const std::string log = (dir_ / (name + ".log")).string();
    std::filesystem::create_directories(dir_);
    const pid_t pid = fork();
    if (pid == 0) {
      const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> c_argv;
      for (auto& a : argv) c_argv.push_back(a.data());
      c_argv.push_back(nullptr);
      execv(c_argv[0], c_argv.data());
      _exit(127);
    }
    if (pid < 0) Die("fork failed");
    children_.push_back({name, pid});
    auto channel =
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                   std::chrono::seconds(30))) {
      Die(name + " did not start; see " + log);
    }
    return address;
  }

  static int FreePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }

  void ImportCatalog(const std::string& address, const std::string& json) {
    auto stub = catalog::v1::CatalogService::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    catalog::v1::ImportCatalogRequest request;
    if (!google::protobuf::util::JsonStringToMessage(json, &request).ok()) {
      Die("the simulator's catalog document does not parse");
    }
    catalog::v1::ImportCatalogResponse response;
    grpc::ClientContext ctx;
    grpc::Status s = stub->ImportCatalog(&ctx, request, &response);
    if (!s.ok()) Die("ImportCatalog: " + s.error_message());
  }

  struct Child {
    std::string name;
    pid_t pid;
  };

  std::filesystem::path dir_;
  const Args& args_;
  std::unique_ptr<common::RunningServer> catalog_, records_, ingest_;
  std::vector<Child> children_;
};

// "catalog 0.1 s, records 5.2 s, ..." for the child processes since
// `before`; empty in-process.
std::string ChildCpuSince(
    const Servers& servers,
    const std::vector<std::pair<std::string, double>>& before) {
  std::string out;
  const auto now = servers.ChildCpu();
  for (size_t i = 0; i < now.size(); ++i) {
    char buffer[64];
    std::snprintf(buffer, sizeof(buffer), "%s%s %.1f s",
                  out.empty() ? "" : ", ", now[i].first.c_str(),
                  now[i].second - before[i].second);
    out += buffer;
  }
  return out;
}

// Waits until ingest has nothing pending and records holds `expected`
// snapshots; prints progress every 2 s. Returns false on a stall.
bool WaitForwarded(Servers& servers, int64_t expected, Clock::time_point t0) {
  auto last_print = Clock::now();
  int64_t last_forwarded = -1;
  auto last_progress = Clock::now();
  for (;;) {
    const v1::GetForwarderStatusResponse s = servers.Status();
    if (s.pending_snapshot_count() == 0 &&
        s.forwarded_snapshot_count() + s.failed_snapshot_count() >= expected) {
      return true;
    }
    const auto now = Clock::now();
    if (s.forwarded_snapshot_count() != last_forwarded) {
      last_forwarded = s.forwarded_snapshot_count();
      last_progress = now;
    } else if (now - last_progress > std::chrono::seconds(60)) {
      std::fprintf(stderr, "stalled: %s\n", s.ShortDebugString().c_str());
      return false;
    }
    if (now - last_print > std::chrono::seconds(2)) {
      last_print = now;
      std::printf("  ... %.1f s: forwarded %lld, pending %lld\n",
                  Seconds(now - t0),
                  static_cast<long long>(s.forwarded_snapshot_count()),
                  static_cast<long long>(s.pending_snapshot_count()));
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int RunEndToEnd(const Args& args, const std::filesystem::path& dir) {
  auto g0 = Clock::now();
  const Stream stream = Generate(args, args.days);
  std::printf(
      "e2e: generated %zu snapshots, %zu entries (%.2f days, %d regions, top "
      "%d) in %.1f s\n",
      stream.size(), stream.entry_count(), args.days, args.regions, args.top,
      Seconds(Clock::now() - g0));
  Servers servers(dir / "e2e", stream.catalog_json, args);
  std::printf("e2e: servers up, catalog imported; load average %s\n",
              LoadAverage().c_str());
  std::fflush(stdout);

  const double cpu0 = CpuSeconds();
  const auto child_cpu0 = servers.ChildCpu();
  grpc::ClientContext ctx;
  auto rw = servers.ingest_stub->StreamSnapshots(&ctx);
  std::atomic<int64_t> results{0}, rejected{0};
  std::string first_error;
  Clock::time_point acked_at;
  const auto t0 = Clock::now();
  std::thread reader([&] {
    v1::StreamSnapshotsResponse r;
    while (rw->Read(&r)) {
      if (r.result().outcome() != v1::SUBMIT_OUTCOME_ACCEPTED &&
          rejected++ == 0) {
        first_error = r.ShortDebugString();
      }
      ++results;
    }
    acked_at = Clock::now();
  });
  v1::StreamSnapshotsRequest request;
  for (size_t i = 0; i < stream.size(); ++i) {
    FillSnapshot(stream, i, *request.mutable_snapshot());
    if (!rw->Write(request)) break;
  }
  rw->WritesDone();
  reader.join();
  const grpc::Status status = rw->Finish();
  const double ack_secs = Seconds(acked_at - t0);
  const double cpu_ack = CpuSeconds() - cpu0;
  if (!status.ok() || results != static_cast<int64_t>(stream.size()) ||
      rejected != 0) {
    Die("StreamSnapshots: " + status.error_message() + ", " +
        std::to_string(results.load()) + " results, " +
        std::to_string(rejected.load()) +
        " not accepted; first: " + first_error);
  }
  const v1::GetForwarderStatusResponse at_ack = servers.Status();
  std::printf(
      "ingest-acknowledged  %zu snapshots, %zu entries in %.2f s: %.0f "
      "entries/s (%.0f snapshots/s); forwarded meanwhile %lld\n",
      stream.size(), stream.entry_count(), ack_secs,
      stream.entry_count() / ack_secs, stream.size() / ack_secs,
      static_cast<long long>(at_ack.forwarded_snapshot_count()));
  std::fflush(stdout);

  if (!WaitForwarded(servers, stream.size(), t0)) return 1;
  const auto done = Clock::now();
  const double secs = Seconds(done - t0);
  const double cpu = CpuSeconds() - cpu0;
  const int64_t in_records = servers.RecordsSnapshotCount();
  const v1::GetForwarderStatusResponse end = servers.Status();
  std::printf(
      "end-to-end           %zu snapshots, %zu entries in %.2f s: %.0f "
      "entries/s (target >= 250000, i.e. <= 15 s a day); records holds %lld "
      "snapshots, ingest failed %lld, unresolved entries %lld\n",
      stream.size(), stream.entry_count(), secs, stream.entry_count() / secs,
      static_cast<long long>(in_records),
      static_cast<long long>(end.failed_snapshot_count()),
      static_cast<long long>(end.unresolved_entry_count()));
  std::printf(
      "  CPU %.1f s while acknowledging (%.2f cores), %.1f s in all (%.2f "
      "cores); peak RSS %.0f MiB; load average %s\n",
      cpu_ack, cpu_ack / ack_secs, cpu, cpu / secs, ProcStatusMiB("VmHWM:"),
      LoadAverage().c_str());
  if (args.processes) {
    std::printf(
        "  CPU of the service processes: %s (the CPU above is the "
        "client's)\n",
        ChildCpuSince(servers, child_cpu0).c_str());
  }
  std::fflush(stdout);
  if (in_records != static_cast<int64_t>(stream.size())) {
    Die("records does not hold every snapshot");
  }
  return 0;
}

int RunLatency(const Args& args, const std::filesystem::path& dir) {
  const size_t count = static_cast<size_t>(args.rate * args.seconds);
  // Enough of the stream for `count` snapshots (119 regions x 288 a day).
  const double per_day = args.regions * 86400.0 / 300.0;
  const Stream stream = Generate(args, std::max(1.0 / 24, count / per_day));
  if (stream.size() < count) Die("not enough generated snapshots");
  Servers servers(dir / "latency", stream.catalog_json, args);
  std::printf(
      "latency: SubmitSnapshot of %d entries at %.0f snapshots/s for %.0f s "
      "(%zu calls, open loop); load average %s\n",
      args.top, args.rate, args.seconds, count, LoadAverage().c_str());
  std::fflush(stdout);

  // Requests built beforehand, so building them does not delay a call.
  std::vector<v1::SubmitSnapshotRequest> requests(count);
  for (size_t i = 0; i < count; ++i) {
    FillSnapshot(stream, i, *requests[i].mutable_snapshot());
  }
  struct Call {
    grpc::ClientContext ctx;
    v1::SubmitSnapshotResponse response;
    Clock::time_point scheduled, sent, done;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Call>> calls(count);
  std::mutex mu;
  std::condition_variable cv;
  size_t finished = 0;
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / args.rate));
  // Warm-up: a few calls before the clock starts (connection, statements).
  for (size_t i = 0; i < 5; ++i) {
    v1::SubmitSnapshotRequest warm = requests[count - 1 - i];
    warm.mutable_snapshot()->mutable_capture_time()->set_seconds(
        warm.snapshot().capture_time().seconds() - 86400 * 30);
    grpc::ClientContext ctx;
    v1::SubmitSnapshotResponse response;
    servers.ingest_stub->SubmitSnapshot(&ctx, warm, &response);
  }
  const auto t0 = Clock::now() + std::chrono::milliseconds(10);
  for (size_t i = 0; i < count; ++i) {
    auto call = std::make_unique<Call>();
    call->scheduled = t0 + period * static_cast<int64_t>(i);
    std::this_thread::sleep_until(call->scheduled);
    call->sent = Clock::now();
    Call* raw = call.get();
    calls[i] = std::move(call);
    servers.ingest_stub->async()->SubmitSnapshot(
        &raw->ctx, &requests[i], &raw->response, [&, raw](grpc::Status s) {
          raw->done = Clock::now();
          raw->status = std::move(s);
          std::lock_guard<std::mutex> lock(mu);
          ++finished;
          cv.notify_all();
        });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return finished == count; });
  }
  const double wall = Seconds(Clock::now() - t0);
  std::vector<double> from_schedule, from_send;
  double late_start_max = 0;
  for (const auto& c : calls) {
    if (!c->status.ok()) Die("SubmitSnapshot: " + c->status.error_message());
    if (c->response.result().outcome() != v1::SUBMIT_OUTCOME_ACCEPTED) {
      Die("SubmitSnapshot not accepted: " + c->response.ShortDebugString());
    }
    from_schedule.push_back(Millis(c->done - c->scheduled));
    from_send.push_back(Millis(c->done - c->sent));
    late_start_max = std::max(late_start_max, Millis(c->sent - c->scheduled));
  }
  auto pct = [](std::vector<double>& v, double p) {
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5);
    return v[std::min(i, v.size() - 1)];
  };
  std::printf(
      "acknowledged latency %zu calls in %.1f s (%.0f/s): p50 %.2f ms, p90 "
      "%.2f ms, p99 %.2f ms, max %.2f ms (target p99 <= 5 ms; from the "
      "scheduled instant)\n",
      count, wall, count / wall, pct(from_schedule, 50), pct(from_schedule, 90),
      pct(from_schedule, 99), pct(from_schedule, 100));
  std::printf(
      "  from the actual send: p50 %.2f ms, p99 %.2f ms, max %.2f ms; latest "
      "start %.2f ms behind schedule\n",
      pct(from_send, 50), pct(from_send, 99), pct(from_send, 100),
      late_start_max);
  const auto f0 = Clock::now();
  if (!WaitForwarded(servers, static_cast<int64_t>(count) + 5, f0)) return 1;
  std::printf(
      "  forwarder drained %.2f s after the last call; load average %s\n",
      Seconds(Clock::now() - f0), LoadAverage().c_str());
  std::fflush(stdout);
  return 0;
}

int Main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, args)) {
    std::fprintf(stderr, "bad arguments (--help)\n");
    return 2;
  }
  common::ServiceOptions log_options;
  log_options.log_level = args.log_level;
  if (absl::Status s = common::InitLogging(log_options); !s.ok()) {
    Die(s.ToString());
  }
  std::filesystem::path dir;
  if (!args.keep.empty()) {
    dir = args.keep;
  } else {
    dir = std::filesystem::temp_directory_path() /
          ("ingest-load-" + std::to_string(::getpid()));
  }
  std::filesystem::create_directories(dir);
  int rc = 0;
  if (args.scenario == "all" || args.scenario == "e2e") {
    rc = RunEndToEnd(args, dir);
  }
  if (rc == 0 && (args.scenario == "all" || args.scenario == "latency")) {
    rc = RunLatency(args, dir);
  }
  if (args.keep.empty()) std::filesystem::remove_all(dir);
  return rc;
}

}  // namespace
}  // namespace hitclock::ingest

int main(int argc, char** argv) { return hitclock::ingest::Main(argc, argv); }
