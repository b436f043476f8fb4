#include "services/ingest/ingest_service.h"

#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "common/probe.h"
#include "common/rpc.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/poller.h"

namespace hitclock::ingest {
namespace {

using StreamReactor = grpc::ServerBidiReactor<v1::StreamSnapshotsRequest,
                                              v1::StreamSnapshotsResponse>;

// A bidi reactor that finishes at once with `status` (auth refused).
class FailedStream final : public StreamReactor {
 public:
  explicit FailedStream(const absl::Status& status) {
    Finish(common::ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

void FillError(const absl::Status& status, int64_t index,
               v1::SnapshotResult& result) {
  result.set_outcome(v1::SUBMIT_OUTCOME_REJECTED);
  v1::SnapshotError* error = result.mutable_error();
  error->set_code(static_cast<int>(status.code()));
  error->set_field(core::ErrorField(status));
  error->set_message(absl::StrCat("message ", index, ": ", status.message()));
}

// StreamSnapshots: reads a message, validates it and queues it for group
// commit; results are written in message order, each once its snapshot is
// committed (or rejected). At most `kStreamWindow` messages are read and
// unanswered at once. Every state change happens under `mu_`; the gRPC
// calls it decides on are made after unlocking.
class SnapshotStream final : public StreamReactor {
 public:
  explicit SnapshotStream(IngestHandler& handler) : handler_(handler) {
    std::unique_lock<std::mutex> lock(mu_);
    Step(lock);
  }

  void OnReadDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;
      Step(lock);
      return;
    }
    const int64_t index = next_index_++;
    auto slot = std::make_shared<Slot>();
    slot->response.set_index(index);
    slots_.push_back(slot);
    absl::StatusOr<Submission> submission = handler_.PrepareStreamed(request_);
    if (!submission.ok()) {
      FillError(submission.status(), index, *slot->response.mutable_result());
      slot->ready = true;
      Step(lock);
      return;
    }
    // The key and count are known now; the outcome comes with the commit.
    *slot->response.mutable_result() =
        IngestHandler::ResultOf(*submission, SubmitResult());
    ++pending_commits_;
    // Queued before the next read can start, so commits keep message order.
    const bool queued = handler_.CommitAsync(
        *std::move(submission),
        [this, slot, index](absl::StatusOr<SubmitResult> result) {
          std::unique_lock<std::mutex> lock(mu_);
          v1::SnapshotResult& r = *slot->response.mutable_result();
          if (result.ok()) {
            r.set_outcome(result->outcome);
            r.set_snapshot_id(result->snapshot_id);
          } else {
            FillError(result.status(), index, r);
          }
          slot->ready = true;
          --pending_commits_;
          Step(lock);
        });
    if (!queued) {
      FillError(absl::UnavailableError("ingest is shutting down"), index,
                *slot->response.mutable_result());
      slot->ready = true;
      --pending_commits_;
    }
    Step(lock);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) broken_ = true;
    Step(lock);
  }

  void OnCancel() override {
    std::unique_lock<std::mutex> lock(mu_);
    broken_ = true;
    Step(lock);
  }

  void OnDone() override { delete this; }

 private:
  struct Slot {
    v1::StreamSnapshotsResponse response;
    bool ready = false;
  };

  // Decides what to do next under the lock, then does it unlocked. After
  // `Finish` nothing of `this` is touched (OnDone may delete it).
  void Step(std::unique_lock<std::mutex>& lock) {
    bool do_write = false, do_read = false, do_finish = false;
    if (!writing_ && !broken_ && !slots_.empty() && slots_.front()->ready) {
      out_ = std::move(slots_.front()->response);
      slots_.pop_front();
      writing_ = true;
      do_write = true;
    }
    if (!reading_ && !reads_done_ && !broken_ &&
        slots_.size() < kStreamWindow) {
      reading_ = true;
      do_read = true;
    }
    if (!finished_ && !reading_ && !writing_ && pending_commits_ == 0 &&
        (broken_ || (reads_done_ && slots_.empty()))) {
      finished_ = true;
      do_finish = true;
    }
    lock.unlock();
    if (do_write) StartWrite(&out_);
    if (do_read) StartRead(&request_);
    if (do_finish) Finish(grpc::Status::OK);
  }

  IngestHandler& handler_;
  std::mutex mu_;
  v1::StreamSnapshotsRequest request_;
  v1::StreamSnapshotsResponse out_;
  std::deque<std::shared_ptr<Slot>> slots_;
  int64_t next_index_ = 0;
  int pending_commits_ = 0;
  bool reading_ = false;
  bool reads_done_ = false;
  bool writing_ = false;
  bool broken_ = false;
  bool finished_ = false;
};

class IngestInstance final : public common::ServiceInstance {
 public:
  IngestInstance(std::unique_ptr<IngestStore> store,
                 const ForwarderOptions& forwarder_options,
                 absl::Duration max_skew, std::vector<FeedSourceConfig> feeds)
      : store_(std::move(store)),
        catalog_(forwarder_options),
        forwarder_(*store_, catalog_, forwarder_options),
        committer_(*store_, [this] { forwarder_.Wake(); }),
        handler_(*store_, committer_, &forwarder_, &catalog_, max_skew),
        service_(handler_) {
    if (!feeds.empty()) {
      poller_ = std::make_unique<Poller>(
          std::move(feeds),
          [this](const FeedImport& feed) {
            return handler_.ImportFeedContent(feed);
          },
          PollerOptions());
      handler_.set_poller(poller_.get());
      poller_->Start();
    }
    forwarder_.Start();
  }
  ~IngestInstance() override { Close(); }

  std::vector<grpc::Service*> GrpcServices() override { return {&service_}; }

  void Close() override {
    if (poller_) poller_->Stop();
    committer_.Stop();
    forwarder_.Stop();
  }

 private:
  std::unique_ptr<IngestStore> store_;
  CatalogClient catalog_;
  Forwarder forwarder_;
  GroupCommitter committer_;
  IngestHandler handler_;
  IngestService service_;
  std::unique_ptr<Poller> poller_;
};

common::ServiceFlags IngestFlags() {
  return common::MakeServiceFlags<IngestOptions>(
      [](CLI::App& app, IngestOptions& o) {
        common::AddStringOption(
            app, "peer-token", &o.peer_token,
            "Bearer token sent to the catalog and records services (default: "
            "--auth-token)");
        common::AddStringOption(app, "feeds", &o.feeds,
                                "File listing the feed URLs to poll (see "
                                "services/ingest/FEEDS.md); empty: no polling");
        common::AddSecondsOption(
            app, "max-skew", &o.max_skew,
            "Seconds a capture_time may be ahead of the server's clock");
        common::AddSecondsOption(
            app, "forward-max-backoff", &o.forward_max_backoff,
            "Longest wait, in seconds, between retries of a failed call to "
            "the catalog or records");
        common::AddSecondsOption(
            app, "forward-progress-deadline", &o.forward_progress_deadline,
            "Seconds snapshots sent to records may go without a result before "
            "the link is reported stalled and the stream is retried");
        common::AddIntOption(
            app, "wal-limit-mib", &o.wal_limit_mib, 1, 1 << 20,
            "MiB the store's write-ahead log may reach before it is copied "
            "into the database and truncated, even while readers are busy");
      },
      [](const IngestOptions& o) -> common::OptionFields {
        return {
            {"peer_token", o.peer_token.empty() ? "" : "***"},
            {"feeds", o.feeds},
            {"max_skew", common::SecondsText(o.max_skew)},
            {"forward_max_backoff", common::SecondsText(o.forward_max_backoff)},
            {"forward_progress_deadline",
             common::SecondsText(o.forward_progress_deadline)},
            {"wal_limit_mib", std::to_string(o.wal_limit_mib)}};
      },
      [](IngestOptions& o) -> absl::Status {
        if (o.forward_progress_deadline <= absl::ZeroDuration()) {
          return absl::InvalidArgumentError(
              "--forward-progress-deadline: must be more than 0 seconds");
        }
        return absl::OkStatus();
      });
}

}  // namespace

grpc::ServerUnaryReactor* IngestService::SubmitSnapshot(
    grpc::CallbackServerContext* ctx, const v1::SubmitSnapshotRequest* request,
    v1::SubmitSnapshotResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.SubmitSnapshot(*request); });
}

StreamReactor* IngestService::StreamSnapshots(
    grpc::CallbackServerContext* ctx) {
  if (absl::Status s = common::CheckCallAllowed(ctx); !s.ok()) {
    return new FailedStream(s);
  }
  return new SnapshotStream(handler_);
}

grpc::ServerUnaryReactor* IngestService::ImportFeed(
    grpc::CallbackServerContext* ctx, const v1::ImportFeedRequest* request,
    v1::ImportFeedResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ImportFeed(*request); });
}

grpc::ServerUnaryReactor* IngestService::GetSnapshot(
    grpc::CallbackServerContext* ctx, const v1::GetSnapshotRequest* request,
    v1::GetSnapshotResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.GetSnapshot(*request); });
}

grpc::ServerUnaryReactor* IngestService::ListSnapshots(
    grpc::CallbackServerContext* ctx, const v1::ListSnapshotsRequest* request,
    v1::ListSnapshotsResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ListSnapshots(*request); });
}

grpc::ServerUnaryReactor* IngestService::ListUnresolved(
    grpc::CallbackServerContext* ctx, const v1::ListUnresolvedRequest* request,
    v1::ListUnresolvedResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.ListUnresolved(*request); });
}

grpc::ServerUnaryReactor* IngestService::RetryResolution(
    grpc::CallbackServerContext* ctx, const v1::RetryResolutionRequest* request,
    v1::RetryResolutionResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.RetryResolution(*request); });
}

grpc::ServerUnaryReactor* IngestService::ReforwardSnapshots(
    grpc::CallbackServerContext* ctx,
    const v1::ReforwardSnapshotsRequest* request,
    v1::ReforwardSnapshotsResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.ReforwardSnapshots(*request); });
}

grpc::ServerUnaryReactor* IngestService::ListFeedSources(
    grpc::CallbackServerContext* ctx, const v1::ListFeedSourcesRequest* request,
    v1::ListFeedSourcesResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.ListFeedSources(*request); });
}

grpc::ServerUnaryReactor* IngestService::PollFeedSource(
    grpc::CallbackServerContext* ctx, const v1::PollFeedSourceRequest* request,
    v1::PollFeedSourceResponse* response) {
  return common::RespondWith(ctx, response,
                             [&] { return handler_.PollFeedSource(*request); });
}

grpc::ServerUnaryReactor* IngestService::GetForwarderStatus(
    grpc::CallbackServerContext* ctx,
    const v1::GetForwarderStatusRequest* request,
    v1::GetForwarderStatusResponse* response) {
  return common::RespondWith(
      ctx, response, [&] { return handler_.GetForwarderStatus(*request); });
}

common::ServiceDescriptor IngestDescriptor() {
  common::ServiceDescriptor d;
  d.name = "ingest";
  d.grpc_service = "hitclock.ingest.v1.IngestService";
  d.default_port = 50053;
  d.peers = {"catalog", "records"};
  d.read_methods = {"/hitclock.ingest.v1.IngestService/GetSnapshot",
                    "/hitclock.ingest.v1.IngestService/ListSnapshots",
                    "/hitclock.ingest.v1.IngestService/ListUnresolved",
                    "/hitclock.ingest.v1.IngestService/ListFeedSources",
                    "/hitclock.ingest.v1.IngestService/GetForwarderStatus"};
  d.flags = IngestFlags();
  return d;
}

absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateIngestInstance(
    const common::ServiceOptions& options) {
  const auto ingest = common::ServiceOptionsOr<IngestOptions>(options);

  std::vector<FeedSourceConfig> feeds;
  if (!ingest.feeds.empty()) {
    std::ifstream in(ingest.feeds);
    if (!in) {
      return absl::FailedPreconditionError(
          absl::StrCat("--feeds: cannot read ", ingest.feeds));
    }
    std::stringstream text;
    text << in.rdbuf();
    absl::StatusOr<std::vector<FeedSourceConfig>> parsed =
        ParseFeedsFile(text.str());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--feeds ", ingest.feeds, ": ", parsed.status().message()));
    }
    feeds = *std::move(parsed);
  }

  ForwarderOptions forwarder;
  if (auto it = options.peers.find("catalog"); it != options.peers.end()) {
    forwarder.catalog_address = it->second;
  }
  if (auto it = options.peers.find("records"); it != options.peers.end()) {
    forwarder.records_address = it->second;
  }
  forwarder.token =
      ingest.peer_token.empty() ? options.auth_token : ingest.peer_token;
  forwarder.tls = common::ClientTlsFor(options);
  forwarder.max_backoff = ingest.forward_max_backoff;
  forwarder.initial_backoff =
      std::min(forwarder.initial_backoff, forwarder.max_backoff);
  forwarder.progress_deadline = ingest.forward_progress_deadline;

  auto store = IngestStore::Open(
      (std::filesystem::path(options.data_dir) / "ingest.db").string(),
      {.durability = options.durability,
       .wal_limit_bytes = int64_t{ingest.wal_limit_mib} << 20});
  if (!store.ok()) return store.status();
  return std::unique_ptr<common::ServiceInstance>(new IngestInstance(
      *std::move(store), forwarder, ingest.max_skew, std::move(feeds)));
}

}  // namespace hitclock::ingest
