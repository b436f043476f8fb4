#include "services/records/records_service.h"

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/probe.h"
#include "common/rpc.h"
#include "common/status.h"

namespace hitclock::records {
namespace {

// How long start-up waits for the catalog's facts before serving without
// them (they arrive later).
constexpr absl::Duration kInitialFactsWait = absl::Seconds(5);

// Appends a batch of messages from any streams in one commit: one result
// per message, in order (indexes are the streams' to set). A failure that
// escapes the handler rejects the whole batch.
std::vector<v1::AppendSnapshotsResponse> CommitAppends(
    RecordsHandler& handler, std::vector<v1::AppendSnapshotsRequest>& batch) {
  std::vector<const v1::AppendSnapshotsRequest*> requests;
  requests.reserve(batch.size());
  for (const auto& r : batch) requests.push_back(&r);
  try {
    return handler.AppendBatch(requests, 0);
  } catch (const std::exception& e) {
    common::LogError("append failed", {{"error", e.what()}});
    std::vector<v1::AppendSnapshotsResponse> results(batch.size());
    for (auto& r : results) {
      r.set_outcome(v1::APPEND_OUTCOME_REJECTED);
      r.mutable_error()->set_code(
          static_cast<int32_t>(absl::StatusCode::kInternal));
      r.mutable_error()->set_message("internal error");
    }
    return results;
  }
}

// One AppendSnapshots stream. Each message read is handed to the service's
// group committer (shared by every stream) and the next one is read at
// once; results come back from the committer thread after their commit and
// are written one at a time, in message order. Nothing here waits for a
// commit. Reading pauses while `kMaxAppendsInFlight` messages are read but
// not yet written back (flow control slows a faster producer).
class AppendReactor final
    : public grpc::ServerBidiReactor<v1::AppendSnapshotsRequest,
                                     v1::AppendSnapshotsResponse> {
 public:
  AppendReactor(AppendCommitter& committer, grpc::CallbackServerContext* ctx)
      : committer_(committer) {
    if (absl::Status s = common::CheckCallAllowed(ctx); !s.ok()) {
      finished_ = true;
      Finish(common::ToGrpcStatus(s));
      return;
    }
    std::lock_guard lock(mu_);
    reading_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    std::lock_guard lock(mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;
    } else if (!broken_) {
      const int64_t index = next_index_++;
      ++committing_;
      const bool queued = committer_.Enqueue(
          std::move(request_), [this, index](v1::AppendSnapshotsResponse r) {
            OnCommitted(index, std::move(r));
          });
      request_.Clear();
      if (!queued) {
        --committing_;
        v1::AppendSnapshotsResponse r;
        r.set_index(index);
        r.set_outcome(v1::APPEND_OUTCOME_REJECTED);
        r.mutable_error()->set_code(
            static_cast<int32_t>(absl::StatusCode::kUnavailable));
        r.mutable_error()->set_message("the server is shutting down");
        queue_.push_back(std::move(r));
        if (!writing_) WriteNextLocked();
      }
    }
    MaybeReadLocked();
    MaybeFinishLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      broken_ = true;
      queue_.clear();
      MaybeFinishLocked();
      return;
    }
    if (!queue_.empty()) WriteNextLocked();
    MaybeReadLocked();
    MaybeFinishLocked();
  }

  void OnDone() override { delete this; }

 private:
  // On the committer thread: the result of message `index`.
  void OnCommitted(int64_t index, v1::AppendSnapshotsResponse result) {
    std::lock_guard lock(mu_);
    --committing_;
    if (!broken_) {
      result.set_index(index);
      queue_.push_back(std::move(result));
      if (!writing_) WriteNextLocked();
      MaybeReadLocked();
    }
    MaybeFinishLocked();
  }

  // Messages read and not yet written back (the one being written
  // included).
  size_t InFlightLocked() const {
    return committing_ + queue_.size() + (writing_ ? 1 : 0);
  }

  void MaybeReadLocked() {
    if (reading_ || reads_done_ || broken_ || finished_ ||
        InFlightLocked() >= kMaxAppendsInFlight) {
      return;
    }
    reading_ = true;
    StartRead(&request_);
  }

  void WriteNextLocked() {
    writing_response_ = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    StartWrite(&writing_response_);
  }

  void MaybeFinishLocked() {
    if (finished_ || reading_ || writing_ || committing_ > 0) return;
    if (broken_) {
      finished_ = true;
      Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                          "the stream broke while writing a result"));
    } else if (reads_done_ && queue_.empty()) {
      finished_ = true;
      Finish(grpc::Status::OK);
    }
  }

  AppendCommitter& committer_;
  v1::AppendSnapshotsRequest request_;
  int64_t next_index_ = 0;
  std::mutex mu_;
  size_t committing_ = 0;
  std::deque<v1::AppendSnapshotsResponse> queue_;
  v1::AppendSnapshotsResponse writing_response_;
  bool reading_ = false;
  bool writing_ = false;
  bool reads_done_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

// One WatchRecordEvents stream: writes the events its subscription queues,
// one at a time; ends RESOURCE_EXHAUSTED when the subscriber fell too far
// behind and UNAVAILABLE when the server shuts down.
class WatchReactor final
    : public grpc::ServerWriteReactor<v1::WatchRecordEventsResponse> {
 public:
  WatchReactor(EventHub& hub, const v1::WatchRecordEventsRequest& request)
      : hub_(hub) {
    auto subscription = hub_.Subscribe(request, [this] { Pump(); });
    std::lock_guard lock(mu_);
    if (!subscription.ok()) {
      FinishLocked(common::ToGrpcStatus(subscription.status()));
      return;
    }
    subscription_ = *std::move(subscription);
    // Tell the client at once that the watch is established.
    StartSendInitialMetadata();
    if (!writing_) NextLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    NextLocked();
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    if (!writing_) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }
  }

  void OnDone() override {
    if (subscription_ != nullptr) hub_.Unsubscribe(subscription_);
    delete this;
  }

 private:
  void Pump() {
    std::lock_guard lock(mu_);
    if (subscription_ != nullptr && !writing_) NextLocked();
  }

  void NextLocked() {
    if (finished_) return;
    if (cancelled_) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
      return;
    }
    if (subscription_->Pop(response_)) {
      writing_ = true;
      StartWrite(response_.get());  // shared, immutable; held until written
      return;
    }
    switch (subscription_->state()) {
      case EventHub::Subscription::State::kOverflowed:
        FinishLocked(grpc::Status(
            grpc::StatusCode::RESOURCE_EXHAUSTED,
            "the watcher fell too far behind the events; reconnect and catch "
            "up with GetRecordLineage"));
        break;
      case EventHub::Subscription::State::kClosed:
        FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                  "the server is shutting down; reconnect"));
        break;
      case EventHub::Subscription::State::kOpen:
        break;
    }
  }

  void FinishLocked(const grpc::Status& status) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  EventHub& hub_;
  std::shared_ptr<EventHub::Subscription> subscription_;
  std::mutex mu_;
  EventHub::Event response_;
  bool writing_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
};

class RecordsInstance final : public common::ServiceInstance {
 public:
  RecordsInstance(std::unique_ptr<CatalogFacts> facts,
                  std::unique_ptr<RecordsHandler> handler,
                  std::unique_ptr<CatalogFollower> follower)
      : facts_(std::move(facts)),
        handler_(std::move(handler)),
        follower_(std::move(follower)),
        service_(*handler_) {}
  ~RecordsInstance() override { Close(); }

  std::vector<grpc::Service*> GrpcServices() override { return {&service_}; }

  // Open watch streams end with UNAVAILABLE as soon as shutdown begins.
  void BeginShutdown() override { handler_->hub().Shutdown(); }

  void Close() override {
    handler_->hub().Shutdown();
    follower_->Stop();
  }

  RecordsHandler& handler() { return *handler_; }

 private:
  std::unique_ptr<CatalogFacts> facts_;
  std::unique_ptr<RecordsHandler> handler_;
  std::unique_ptr<CatalogFollower> follower_;
  RecordsService service_;
};

// The records service's own options (`--milestones`, `--watched-positions`).
struct RecordsOptions {
  std::vector<int> milestones = {10, 25, 50, 75, 100, 110};
  std::vector<int> watched_positions = {1};
  int max_watchers = static_cast<int>(EventHubOptions().max_subscribers);
  int watch_backlog = static_cast<int>(EventHubOptions().backlog);
  // Drop what fails its checksum from the store before loading it.
  bool repair = false;
};

common::ServiceFlags RecordsFlags() {
  return common::MakeServiceFlags<RecordsOptions>(
      [](CLI::App& app, RecordsOptions& o) {
        common::AddIntListOption(
            app, "milestones", &o.milestones, 100000,
            "the N of the watched 'fastest to N regions' records, "
            "comma-separated");
        common::AddIntListOption(
            app, "watched-positions", &o.watched_positions, kMaxChartSize,
            "the position thresholds P kept up to date and watched for "
            "record events, comma-separated");
        common::AddIntOption(app, "max-watchers", &o.max_watchers, 1, 100000,
                             "WatchRecordEvents streams served at once; "
                             "one more is refused RESOURCE_EXHAUSTED");
        common::AddIntOption(
            app, "watch-backlog", &o.watch_backlog, 16, 1000000,
            "events a watcher may fall behind before its stream ends "
            "RESOURCE_EXHAUSTED");
        common::AddFlagOption(
            app, "repair", &o.repair,
            "before loading, drop every stored row that fails its checksum "
            "(logged), then serve what is left; send the dropped snapshots "
            "again from ingest with `hitclock reforward`");
      },
      [](const RecordsOptions& o) -> common::OptionFields {
        return {{"milestones", common::IntListText(o.milestones)},
                {"watched_positions", common::IntListText(o.watched_positions)},
                {"max_watchers", std::to_string(o.max_watchers)},
                {"watch_backlog", std::to_string(o.watch_backlog)},
                {"repair", o.repair ? "true" : "false"}};
      });
}

}  // namespace

RecordsService::RecordsService(RecordsHandler& handler)
    : handler_(handler),
      committer_(
          [&handler](std::vector<v1::AppendSnapshotsRequest>& batch) {
            return CommitAppends(handler, batch);
          },
          kMaxAppendBatch) {}

grpc::ServerBidiReactor<v1::AppendSnapshotsRequest,
                        v1::AppendSnapshotsResponse>*
RecordsService::AppendSnapshots(grpc::CallbackServerContext* ctx) {
  return new AppendReactor(committer_, ctx);
}

grpc::ServerUnaryReactor* RecordsService::GetSnapshot(
    grpc::CallbackServerContext* ctx, const v1::GetSnapshotRequest* request,
    v1::GetSnapshotResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.GetSnapshot(*request); });
}

grpc::ServerUnaryReactor* RecordsService::ListCharts(
    grpc::CallbackServerContext* ctx, const v1::ListChartsRequest* request,
    v1::ListChartsResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ListCharts(*request); });
}

grpc::ServerUnaryReactor* RecordsService::GetTimeToThreshold(
    grpc::CallbackServerContext* ctx,
    const v1::GetTimeToThresholdRequest* request,
    v1::GetTimeToThresholdResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.GetTimeToThreshold(*request); });
}

grpc::ServerUnaryReactor* RecordsService::GetTimeline(
    grpc::CallbackServerContext* ctx, const v1::GetTimelineRequest* request,
    v1::GetTimelineResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.GetTimeline(*request); });
}

grpc::ServerUnaryReactor* RecordsService::ListLeaderboard(
    grpc::CallbackServerContext* ctx, const v1::ListLeaderboardRequest* request,
    v1::ListLeaderboardResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.ListLeaderboard(*request); });
}

grpc::ServerUnaryReactor* RecordsService::GetRecordLineage(
    grpc::CallbackServerContext* ctx,
    const v1::GetRecordLineageRequest* request,
    v1::GetRecordLineageResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.GetRecordLineage(*request); });
}

grpc::ServerWriteReactor<v1::WatchRecordEventsResponse>*
RecordsService::WatchRecordEvents(grpc::CallbackServerContext* ctx,
                                  const v1::WatchRecordEventsRequest* request) {
  if (absl::Status s = common::CheckCallAllowed(ctx); !s.ok()) {
    return common::FailedWriter<v1::WatchRecordEventsResponse>(s);
  }
  if (absl::Status s = handler_.ValidateWatch(*request); !s.ok()) {
    return common::FailedWriter<v1::WatchRecordEventsResponse>(s);
  }
  return new WatchReactor(handler_.hub(), *request);
}

common::ServiceDescriptor RecordsDescriptor() {
  common::ServiceDescriptor d;
  d.name = "records";
  d.grpc_service = "hitclock.records.v1.RecordsService";
  d.default_port = 50052;
  d.peers = {"catalog"};
  d.read_methods = {"/hitclock.records.v1.RecordsService/GetSnapshot",
                    "/hitclock.records.v1.RecordsService/ListCharts",
                    "/hitclock.records.v1.RecordsService/GetTimeToThreshold",
                    "/hitclock.records.v1.RecordsService/GetTimeline",
                    "/hitclock.records.v1.RecordsService/ListLeaderboard",
                    "/hitclock.records.v1.RecordsService/GetRecordLineage",
                    "/hitclock.records.v1.RecordsService/WatchRecordEvents"};
  d.flags = RecordsFlags();
  return d;
}

namespace {

// `--repair`: drops what fails its checksum, and says what to send again.
absl::Status RepairStore(RecordsStore& store) {
  auto report = store.Repair();
  if (!report.ok()) return report.status();
  constexpr size_t kNamed = 100;  // dropped captures logged one by one
  for (size_t i = 0; i < report->dropped_snapshots.size() && i < kNamed; ++i) {
    common::LogWarn("repair: dropped a corrupt snapshot",
                    {{"snapshot", report->dropped_snapshots[i]}});
  }
  for (const std::string& name : report->dropped_names) {
    common::LogWarn("repair: dropped a corrupt name", {{"name", name}});
  }
  if (report->dropped_snapshots.empty() && report->dropped_names.empty() &&
      report->dropped_bodies == 0) {
    common::LogInfo("repair: every stored row passed its checksum");
    return absl::OkStatus();
  }
  std::string since;
  if (report->dropped_since.has_value()) {
    since = absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ",
                             absl::FromUnixMicros(*report->dropped_since),
                             absl::UTCTimeZone());
  }
  common::LogWarn(
      "repair: dropped what failed its checksum; send it again from ingest",
      {{"snapshots", absl::StrCat(report->dropped_snapshots.size())},
       {"bodies", absl::StrCat(report->dropped_bodies)},
       {"names", absl::StrCat(report->dropped_names.size())},
       {"earliest_as_stored", since},
       // Everything: a corrupt row's own instant may be the wrong one.
       {"next", "hitclock reforward"}});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateRecordsInstance(
    const common::ServiceOptions& options) {
  HandlerOptions handler_options;
  const auto records = common::ServiceOptionsOr<RecordsOptions>(options);
  handler_options.milestones = records.milestones;
  handler_options.watched_positions = records.watched_positions;
  handler_options.watch = {
      .backlog = static_cast<size_t>(records.watch_backlog),
      .max_subscribers = static_cast<size_t>(records.max_watchers)};

  auto store = RecordsStore::Open(
      (std::filesystem::path(options.data_dir) / "records.db").string(),
      options.durability);
  if (!store.ok()) return store.status();
  if (records.repair) {
    if (absl::Status s = RepairStore(**store); !s.ok()) return s;
  }

  // The catalog's facts load on the follower's thread while this one reads
  // the store: the two halves of a restart overlap. Until the handler
  // exists, changes only land in `facts`; every track is pushed into the
  // engine once the handler is there.
  auto facts = std::make_unique<CatalogFacts>();
  auto target = std::make_shared<std::atomic<RecordsHandler*>>(nullptr);
  FollowerOptions follower_options;
  if (auto it = options.peers.find("catalog"); it != options.peers.end()) {
    follower_options.address = it->second;
  }
  follower_options.tls = common::ClientTlsFor(options);
  follower_options.token = options.auth_token;
  auto follower = std::make_unique<CatalogFollower>(
      follower_options, *facts, [target](const std::vector<std::string>& ids) {
        if (RecordsHandler* h = target->load()) h->RefreshFacts(ids);
      });
  const auto start = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return absl::StrFormat("%.2f", std::chrono::duration<double>(
                                       std::chrono::steady_clock::now() - t)
                                       .count());
  };
  if (follower->enabled()) {
    follower->Start();
  } else {
    common::LogWarn("no --catalog-address: records has no category facts");
  }
  auto handler =
      RecordsHandler::Create(*std::move(store), *facts, handler_options);
  if (!handler.ok()) return handler.status();
  common::LogInfo("records store loaded", {{"seconds", seconds_since(start)}});
  RecordsHandler* h = handler->get();
  h->SetFollower(follower.get());
  target->store(h);
  if (follower->enabled()) {
    const auto wait = std::chrono::steady_clock::now();
    if (!follower->WaitForInitialLoad(kInitialFactsWait)) {
      common::LogWarn("serving before the catalog's facts arrived",
                      {{"catalog", follower_options.address}});
    }
    common::LogInfo("catalog facts loaded",
                    {{"tracks", absl::StrCat(facts->TrackIds().size())},
                     {"waited_seconds", seconds_since(wait)}});
  }
  // Facts that arrived before the handler existed (and any since: applying
  // a track's facts twice changes nothing).
  h->RefreshFacts(facts->TrackIds());
  const auto lineages = std::chrono::steady_clock::now();
  h->EnableRecordEvents();
  common::LogInfo("record lineages rebuilt",
                  {{"seconds", seconds_since(lineages)},
                   {"total_seconds", seconds_since(start)}});
  return std::unique_ptr<common::ServiceInstance>(new RecordsInstance(
      std::move(facts), *std::move(handler), std::move(follower)));
}

RecordsHandler* HandlerOf(common::ServiceInstance& instance) {
  auto* records = dynamic_cast<RecordsInstance*>(&instance);
  return records == nullptr ? nullptr : &records->handler();
}

}  // namespace hitclock::records
