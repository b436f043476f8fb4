// The records service's request handling, free of gRPC beyond its protos:
// one method per RPC, each the request's story (map the request through
// `convert.h`, ask the engine under the right lock, map the answer), plus
// the append path (plan under a shared lock, commit the batch to the store,
// apply under the exclusive lock, publish the events).
#ifndef HITCLOCK_SERVICES_RECORDS_RECORDS_HANDLER_H_
#define HITCLOCK_SERVICES_RECORDS_RECORDS_HANDLER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/page_token.h"
#include "hitclock/records/v1/records.pb.h"
#include "services/records/catalog_follower.h"
#include "services/records/convert.h"
#include "services/records/core/records_engine.h"
#include "services/records/event_hub.h"
#include "services/records/store/records_store.h"

namespace hitclock::records {

// The most points a timeline answer may hold.
inline constexpr int kMaxTimelinePoints = 100'000;

// Per chart, the country regions that publish it (its all-kill set): the
// iTunes song chart's storefronts (`common::ItunesSongChartCountries`).
std::map<std::string, std::vector<std::string>> PublishedCountries();

// What the handler is configured with.
struct HandlerOptions {
  // The watched FASTEST milestones N.
  std::vector<int> milestones = {10, 25, 50, 75, 100, 110};
  // The watched position thresholds P.
  std::vector<int> watched_positions = {1};
  // Per chart, the countries that publish it (see `PublishedCountries`).
  std::map<std::string, std::vector<std::string>> chart_countries =
      PublishedCountries();
  // How many may watch record events and how far each may fall behind.
  EventHubOptions watch;
  // The clock (capture instants in the future, event detection times).
  std::function<absl::Time()> clock = &absl::Now;
};

// Validates requests, converts proto <-> core, keeps the engine and the
// store in step and publishes record events. One method per RPC.
//
// Thread-safe: appends are serialized (each one transaction, applied to the
// engine after its commit); reads run in parallel under a shared lock.
class RecordsHandler {
 public:
  // Rebuilds the engine from every snapshot in `store` (record events off
  // until `EnableRecordEvents`).
  static absl::StatusOr<std::unique_ptr<RecordsHandler>> Create(
      std::unique_ptr<RecordsStore> store, CatalogFacts& facts,
      HandlerOptions options);

  // Where unknown tracks are fetched from; may stay unset (no catalog).
  void SetFollower(CatalogFollower* follower) { follower_ = follower; }

  // Turns record-event detection on (after the initial facts are loaded).
  void EnableRecordEvents();

  // Calls `fn` with the engine under the shared engine lock, for reading:
  // for tools and benchmarks that ask the engine directly.
  template <typename Fn>
  decltype(auto) ReadEngine(Fn&& fn) const {
    std::shared_lock lock(engine_mu_);
    return fn(static_cast<const core::RecordsEngine&>(engine_));
  }

  // Brings the engine's facts of these tracks in step with `CatalogFacts`.
  void RefreshFacts(const std::vector<std::string>& track_ids);

  // Appends one snapshot: the result for request number `index` (never an
  // error status: a bad snapshot is a REJECTED result).
  v1::AppendSnapshotsResponse Append(const v1::AppendSnapshotsRequest& request,
                                     int64_t index);

  // Appends consecutive messages of one stream (numbered from
  // `first_index`) with one commit: each is validated and decided in order
  // (a message for the identity of an earlier one in the batch is decided
  // after that one is committed), the accepted ones are stored in one
  // transaction and applied to the engine after it commits. One result per
  // message, in order, each exactly what `Append` would have answered; when
  // the commit fails every message it held is REJECTED and nothing of them
  // stays.
  std::vector<v1::AppendSnapshotsResponse> AppendBatch(
      const std::vector<const v1::AppendSnapshotsRequest*>& requests,
      int64_t first_index);

  absl::StatusOr<v1::GetSnapshotResponse> GetSnapshot(
      const v1::GetSnapshotRequest& request) const;
  absl::StatusOr<v1::ListChartsResponse> ListCharts(
      const v1::ListChartsRequest& request) const;
  absl::StatusOr<v1::GetTimeToThresholdResponse> GetTimeToThreshold(
      const v1::GetTimeToThresholdRequest& request) const;
  absl::StatusOr<v1::GetTimelineResponse> GetTimeline(
      const v1::GetTimelineRequest& request) const;
  absl::StatusOr<v1::ListLeaderboardResponse> ListLeaderboard(
      const v1::ListLeaderboardRequest& request) const;
  absl::StatusOr<v1::GetRecordLineageResponse> GetRecordLineage(
      const v1::GetRecordLineageRequest& request) const;

  // OK when every filter of a watch request names something watched.
  absl::Status ValidateWatch(const v1::WatchRecordEventsRequest& request) const;

  EventHub& hub() { return hub_; }

 private:
  RecordsHandler(std::unique_ptr<RecordsStore> store, CatalogFacts& facts,
                 HandlerOptions options);

  // Sets `id` to the track a reference names, known to the catalog (fetched
  // on demand). When `summary` is given it is set to the track as answers
  // show it, from the same look-up that finds the track held.
  absl::Status ResolveTrack(const hitclock::common::v1::TrackRef& ref,
                            std::string_view field, std::string& id,
                            v1::TrackSummary* summary) const;
  v1::RecordHolder HolderProto(const core::RecordKey& key,
                               const core::RecordHolder& holder,
                               bool with_best) const;
  v1::RecordBrokenEvent EventProto(const core::RecordEvent& event,
                                   absl::Time detect_time) const;

  HandlerOptions options_;
  std::unique_ptr<RecordsStore> store_;
  const common::PageTokens page_tokens_;  // keyed with the store's secret
  CatalogFacts& facts_;
  CatalogFollower* follower_ = nullptr;
  EventHub hub_;
  std::mutex append_mu_;  // serializes appends (and store writes)
  mutable std::shared_mutex engine_mu_;
  core::RecordsEngine engine_;   // guarded by engine_mu_
  bool events_enabled_ = false;  // guarded by engine_mu_
};

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_RECORDS_HANDLER_H_
