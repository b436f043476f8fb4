// Ingest's gRPC face, its descriptor for the runtime, and its factory.
#ifndef HITCLOCK_SERVICES_INGEST_INGEST_SERVICE_H_
#define HITCLOCK_SERVICES_INGEST_INGEST_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/options.h"
#include "common/server.h"
#include "hitclock/ingest/v1/ingest.grpc.pb.h"
#include "services/ingest/ingest_handler.h"

namespace hitclock::ingest {

// At most this many snapshots of one StreamSnapshots stream are read and
// not yet answered (validating, waiting for their commit, or waiting for
// the previous result to be written); the stream is not read further
// meanwhile, so a producer faster than the store is slowed by flow control
// and memory stays bounded.
inline constexpr size_t kStreamWindow = 256;

// Unary methods hand their request to `IngestHandler` and convert the
// result once (`common::Respond`); StreamSnapshots is a bidi reactor that
// validates each message, queues it for group commit and writes the
// results in order.
class IngestService final : public v1::IngestService::CallbackService {
 public:
  explicit IngestService(IngestHandler& handler) : handler_(handler) {}

  grpc::ServerUnaryReactor* SubmitSnapshot(
      grpc::CallbackServerContext* ctx,
      const v1::SubmitSnapshotRequest* request,
      v1::SubmitSnapshotResponse* response) override;
  grpc::ServerBidiReactor<v1::StreamSnapshotsRequest,
                          v1::StreamSnapshotsResponse>*
  StreamSnapshots(grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* ImportFeed(
      grpc::CallbackServerContext* ctx, const v1::ImportFeedRequest* request,
      v1::ImportFeedResponse* response) override;
  grpc::ServerUnaryReactor* GetSnapshot(
      grpc::CallbackServerContext* ctx, const v1::GetSnapshotRequest* request,
      v1::GetSnapshotResponse* response) override;
  grpc::ServerUnaryReactor* ListSnapshots(
      grpc::CallbackServerContext* ctx, const v1::ListSnapshotsRequest* request,
      v1::ListSnapshotsResponse* response) override;
  grpc::ServerUnaryReactor* ListUnresolved(
      grpc::CallbackServerContext* ctx,
      const v1::ListUnresolvedRequest* request,
      v1::ListUnresolvedResponse* response) override;
  grpc::ServerUnaryReactor* RetryResolution(
      grpc::CallbackServerContext* ctx,
      const v1::RetryResolutionRequest* request,
      v1::RetryResolutionResponse* response) override;
  grpc::ServerUnaryReactor* ReforwardSnapshots(
      grpc::CallbackServerContext* ctx,
      const v1::ReforwardSnapshotsRequest* request,
      v1::ReforwardSnapshotsResponse* response) override;
  grpc::ServerUnaryReactor* ListFeedSources(
      grpc::CallbackServerContext* ctx,
      const v1::ListFeedSourcesRequest* request,
      v1::ListFeedSourcesResponse* response) override;
  grpc::ServerUnaryReactor* PollFeedSource(
      grpc::CallbackServerContext* ctx,
      const v1::PollFeedSourceRequest* request,
      v1::PollFeedSourceResponse* response) override;
  grpc::ServerUnaryReactor* GetForwarderStatus(
      grpc::CallbackServerContext* ctx,
      const v1::GetForwarderStatusRequest* request,
      v1::GetForwarderStatusResponse* response) override;

 private:
  IngestHandler& handler_;
};

// Ingest's own options, parsed by the runtime (`IngestDescriptor().flags`)
// and read by `CreateIngestInstance` from `ServiceOptions::service` (the
// defaults below when it holds none). Each has a `HITCLOCK_*` environment
// fallback.
struct IngestOptions {
  // --peer-token: bearer token sent to the catalog and records ("": use
  // --auth-token).
  std::string peer_token;
  // --feeds: the file of feed URLs to poll (services/ingest/FEEDS.md); "":
  // no polling.
  std::string feeds;
  // --max-skew: how far a capture_time may be ahead of the server's clock.
  absl::Duration max_skew = absl::Minutes(5);
  // --forward-max-backoff: the longest wait between retries of a failed
  // call to the catalog or records.
  absl::Duration forward_max_backoff = absl::Seconds(10);
  // --forward-progress-deadline: how long snapshots sent to records may go
  // without a result before the link is reported STALLED and the stream is
  // cancelled and retried; more than 0.
  absl::Duration forward_progress_deadline = absl::Seconds(10);
  // --wal-limit-mib: the write-ahead log's size (MiB) past which it is
  // copied into the database and truncated even while readers are busy
  // (`IngestStoreOptions::wal_limit_bytes`).
  int wal_limit_mib = 64;
};

// Ingest as the runtime sees it: name, port 50053, the read methods, the
// peers `catalog` and `records` (`--catalog-address`, `--records-address`)
// and its own options (`IngestOptions`).
common::ServiceDescriptor IngestDescriptor();

// Opens `<data_dir>/ingest.db`, starts the group committer, the forwarder
// and (with `--feeds`) the poller, and builds the service. Closing the
// instance stops them; what is not acknowledged by records stays in the
// outbox.
absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateIngestInstance(
    const common::ServiceOptions& options);

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_INGEST_SERVICE_H_
