// The records service's gRPC glue: the callback service (unary methods
// through `RecordsHandler`, the AppendSnapshots and WatchRecordEvents
// reactors), its descriptor for the shared runtime, and the instance that
// `main` starts.
#ifndef HITCLOCK_SERVICES_RECORDS_RECORDS_SERVICE_H_
#define HITCLOCK_SERVICES_RECORDS_RECORDS_SERVICE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/group_commit.h"
#include "common/options.h"
#include "common/server.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/records/records_handler.h"

namespace hitclock::records {

// At most this many messages of one AppendSnapshots stream are read and
// not yet answered (waiting for their commit, committing, or their result
// waiting to be written); the stream is not read further meanwhile.
inline constexpr size_t kMaxAppendsInFlight = 1024;
// At most this many messages (of any streams) are committed in one
// transaction (group commit).
inline constexpr size_t kMaxAppendBatch = 256;

// The group committer of appends: every AppendSnapshots stream's messages,
// committed together off the reactor threads.
using AppendCommitter = common::GroupCommitter<v1::AppendSnapshotsRequest,
                                               v1::AppendSnapshotsResponse>;

// The records service's gRPC face: unary methods hand their request to
// `RecordsHandler` (`common::RespondWith`); AppendSnapshots is a bidi
// reactor that hands each message to the group committer (shared by every
// stream, so no reactor ever waits for a commit) and writes each result
// after its commit, in message order, with a bounded number of messages in
// flight (flow control slows a faster producer); WatchRecordEvents is a
// write reactor fed by the handler's event hub.
class RecordsService final : public v1::RecordsService::CallbackService {
 public:
  explicit RecordsService(RecordsHandler& handler);

  grpc::ServerBidiReactor<v1::AppendSnapshotsRequest,
                          v1::AppendSnapshotsResponse>*
  AppendSnapshots(grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* GetSnapshot(
      grpc::CallbackServerContext* ctx, const v1::GetSnapshotRequest* request,
      v1::GetSnapshotResponse* response) override;
  grpc::ServerUnaryReactor* ListCharts(
      grpc::CallbackServerContext* ctx, const v1::ListChartsRequest* request,
      v1::ListChartsResponse* response) override;
  grpc::ServerUnaryReactor* GetTimeToThreshold(
      grpc::CallbackServerContext* ctx,
      const v1::GetTimeToThresholdRequest* request,
      v1::GetTimeToThresholdResponse* response) override;
  grpc::ServerUnaryReactor* GetTimeline(
      grpc::CallbackServerContext* ctx, const v1::GetTimelineRequest* request,
      v1::GetTimelineResponse* response) override;
  grpc::ServerUnaryReactor* ListLeaderboard(
      grpc::CallbackServerContext* ctx,
      const v1::ListLeaderboardRequest* request,
      v1::ListLeaderboardResponse* response) override;
  grpc::ServerUnaryReactor* GetRecordLineage(
      grpc::CallbackServerContext* ctx,
      const v1::GetRecordLineageRequest* request,
      v1::GetRecordLineageResponse* response) override;
  grpc::ServerWriteReactor<v1::WatchRecordEventsResponse>* WatchRecordEvents(
      grpc::CallbackServerContext* ctx,
      const v1::WatchRecordEventsRequest* request) override;

 private:
  RecordsHandler& handler_;
  AppendCommitter committer_;
};

// The records service as the runtime sees it: name, port 50052, the read
// methods, the catalog peer (`--catalog-address`), and its typed options
// `--milestones` and `--watched-positions`.
common::ServiceDescriptor RecordsDescriptor();

// Opens `<data_dir>/records.db`, reloads the engine from it, starts
// following the catalog (waiting a few seconds for its facts), and builds
// the service. Closing the instance ends open watch streams (UNAVAILABLE)
// and stops the follower.
absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateRecordsInstance(
    const common::ServiceOptions& options);

// The handler behind an instance made by `CreateRecordsInstance`, for
// benchmarks that time the request handling without gRPC; null for any other
// instance. Valid as long as the instance.
RecordsHandler* HandlerOf(common::ServiceInstance& instance);

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_RECORDS_SERVICE_H_
