#ifndef HITCLOCK_SERVICES_RECORDS_RECORDS_SERVICE_H_
#define HITCLOCK_SERVICES_RECORDS_RECORDS_SERVICE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/options.h"
#include "common/server.h"
#include "hitclock/records/v1/records.grpc.pb.h"
#include "services/records/records_handler.h"

namespace hitclock::records {

// At most this many append results wait to be written on one stream (the
// one being written included); the stream is not read further meanwhile.
inline constexpr size_t kMaxResultsInFlight = 2;

// The records service's gRPC face: unary methods hand their request to
// `RecordsHandler` (`common::Respond`); AppendSnapshots is a bidi reactor
// that reads one snapshot, commits it and writes its result, reading on only
// once the previous result is being written (flow control slows a faster
// producer); WatchRecordEvents is a write reactor fed by the handler's
// event hub.
class RecordsService final : public v1::RecordsService::CallbackService {
 public:
  explicit RecordsService(RecordsHandler& handler) : handler_(handler) {}

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
};

// The records service as the runtime sees it: name, port 50052, the read
// methods, the catalog peer (`--catalog-address`), and the extra flags
// `--milestones` and `--watched-positions`.
common::ServiceDescriptor RecordsDescriptor();

// Opens `<data_dir>/records.db`, reloads the engine from it, starts
// following the catalog (waiting a few seconds for its facts), and builds
// the service. Closing the instance ends open watch streams (UNAVAILABLE)
// and stops the follower.
absl::StatusOr<std::unique_ptr<common::ServiceInstance>> CreateRecordsInstance(
    const common::ServiceOptions& options);

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_RECORDS_SERVICE_H_
