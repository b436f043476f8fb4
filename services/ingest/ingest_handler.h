// Ingest's request handling, free of gRPC wiring: validation, commits,
// reads, re-resolution and the forwarder's status.
#ifndef HITCLOCK_SERVICES_INGEST_INGEST_HANDLER_H_
#define HITCLOCK_SERVICES_INGEST_INGEST_HANDLER_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/page_token.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "services/ingest/core/snapshot.h"
#include "services/ingest/feed_import.h"
#include "services/ingest/forwarder.h"
#include "services/ingest/group_committer.h"
#include "services/ingest/store/ingest_store.h"

namespace hitclock::ingest {

class Poller;

// Most entries one RetryResolution call re-resolves.
inline constexpr int kMaxRetryEntries = 200000;

// One method per RPC; each returns the response or the status to send.
// Thread-safe.
class IngestHandler {
 public:
  using Clock = std::function<absl::Time()>;

  // `forwarder`, `catalog` and `poller` may be null (not configured).
  IngestHandler(IngestStore& store, GroupCommitter& committer,
                Forwarder* forwarder, CatalogClient* catalog,
                absl::Duration max_skew, Clock clock = &absl::Now);

  void set_poller(Poller* poller) { poller_ = poller; }

  absl::StatusOr<v1::SubmitSnapshotResponse> SubmitSnapshot(
      const v1::SubmitSnapshotRequest& request);
  absl::StatusOr<v1::ImportFeedResponse> ImportFeed(
      const v1::ImportFeedRequest& request);
  absl::StatusOr<v1::GetSnapshotResponse> GetSnapshot(
      const v1::GetSnapshotRequest& request);
  absl::StatusOr<v1::ListSnapshotsResponse> ListSnapshots(
      const v1::ListSnapshotsRequest& request);
  absl::StatusOr<v1::ListUnresolvedResponse> ListUnresolved(
      const v1::ListUnresolvedRequest& request);
  absl::StatusOr<v1::RetryResolutionResponse> RetryResolution(
      const v1::RetryResolutionRequest& request);
  absl::StatusOr<v1::ReforwardSnapshotsResponse> ReforwardSnapshots(
      const v1::ReforwardSnapshotsRequest& request);
  absl::StatusOr<v1::ListFeedSourcesResponse> ListFeedSources(
      const v1::ListFeedSourcesRequest& request);
  absl::StatusOr<v1::PollFeedSourceResponse> PollFeedSource(
      const v1::PollFeedSourceRequest& request);
  absl::StatusOr<v1::GetForwarderStatusResponse> GetForwarderStatus(
      const v1::GetForwarderStatusRequest& request);

  // Parses, validates and commits one feed (ImportFeed, and the poller
  // through a `FeedImporter`).
  absl::StatusOr<v1::ImportFeedResponse> ImportFeedContent(
      const FeedImport& feed);

  // For StreamSnapshots: validates message `index` (errors name
  // `snapshot...`) and returns it ready to commit.
  absl::StatusOr<Submission> PrepareStreamed(
      v1::StreamSnapshotsRequest& request);
  // Queues a prepared snapshot for group commit; `done` gets its result.
  // False (and `done` never called) when shutting down.
  bool CommitAsync(Submission submission, GroupCommitter::Callback done);

  // The result message for a committed submission.
  static v1::SnapshotResult ResultOf(const Submission& submission,
                                     const SubmitResult& result);

 private:
  absl::StatusOr<v1::SnapshotResult> CommitNow(Submission submission);

  IngestStore& store_;
  const common::PageTokens page_tokens_;  // keyed with the store's secret
  GroupCommitter& committer_;
  Forwarder* forwarder_;
  CatalogClient* catalog_;
  Poller* poller_ = nullptr;
  const absl::Duration max_skew_;
  const Clock clock_;
};

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_INGEST_HANDLER_H_
