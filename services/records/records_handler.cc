#include "services/records/records_handler.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/status.h"
#include "common/storefronts.h"
#include "services/records/convert.h"
#include "services/records/store/reload.h"

namespace hitclock::records {
namespace {

using common::InvalidField;
using core::Micros;
namespace cmn = hitclock::common::v1;

// Empties a string kept between calls, letting an unusually large buffer go
// (one huge request must not pin its memory on a thread).
void ClearKeepingSmallBuffer(std::string& s) {
  if (s.capacity() > 256) {
    std::string().swap(s);
  } else {
    s.clear();
  }
}

}  // namespace

std::map<std::string, std::vector<std::string>> PublishedCountries() {
  // The all-kill set of the iTunes purchase chart: every storefront that
  // publishes it, whether or not records has seen it yet.
  const auto countries = common::ItunesSongChartCountries();
  return {{"itunes/top-songs",
           std::vector<std::string>(countries.begin(), countries.end())}};
}

RecordsHandler::RecordsHandler(std::unique_ptr<RecordsStore> store,
                               CatalogFacts& facts, HandlerOptions options)
    : options_(std::move(options)),
      store_(std::move(store)),
      page_tokens_(store_->page_token_secret()),
      facts_(facts),
      hub_(options_.watch),
      engine_(
          core::EngineOptions{.milestones = options_.milestones,
                              .watched_positions = options_.watched_positions,
                              .chart_countries = options_.chart_countries,
                              .max_chart_size = kMaxChartSize,
                              .record_events = false}) {}

absl::StatusOr<std::unique_ptr<RecordsHandler>> RecordsHandler::Create(
    std::unique_ptr<RecordsStore> store, CatalogFacts& facts,
    HandlerOptions options) {
  std::unique_ptr<RecordsHandler> handler(
      new RecordsHandler(std::move(store), facts, std::move(options)));
  std::unique_lock lock(handler->engine_mu_);
  auto count = ReloadEngine(*handler->store_, handler->engine_);
  if (!count.ok()) return count.status();
  common::LogInfo("records reloaded", {{"snapshots", absl::StrCat(*count)}});
  return handler;
}

void RecordsHandler::EnableRecordEvents() {
  std::unique_lock lock(engine_mu_);
  if (events_enabled_) return;
  engine_.SetRecordEvents(true);
  events_enabled_ = true;
}

void RecordsHandler::RefreshFacts(const std::vector<std::string>& track_ids) {
  if (track_ids.empty()) return;
  std::vector<std::pair<std::string, std::optional<core::TrackFacts>>> facts;
  facts.reserve(track_ids.size());
  for (const std::string& id : track_ids)
    facts.emplace_back(id, facts_.Facts(id));
  std::unique_lock lock(engine_mu_);
  // Many tracks at once: recompute the watched lineages once, not per track.
  const bool bulk = events_enabled_ && facts.size() > 64;
  if (bulk) engine_.SetRecordEvents(false);
  for (auto& [id, f] : facts) {
    if (f.has_value()) {
      engine_.SetTrackFacts(id, *std::move(f));
    } else if (engine_.GetTrackFacts(id) != nullptr) {
      engine_.ClearTrackFacts(id);
    }
  }
  if (bulk) engine_.SetRecordEvents(true);
}

v1::AppendSnapshotsResponse RecordsHandler::Append(
    const v1::AppendSnapshotsRequest& request, int64_t index) {
  std::vector<v1::AppendSnapshotsResponse> responses =
      AppendBatch({&request}, index);
  return std::move(responses.front());
}

std::vector<v1::AppendSnapshotsResponse> RecordsHandler::AppendBatch(
    const std::vector<const v1::AppendSnapshotsRequest*>& requests,
    int64_t first_index) {
  std::vector<v1::AppendSnapshotsResponse> responses(requests.size());
  auto reject = [&](size_t i, const absl::Status& status) {
    responses[i].set_outcome(v1::APPEND_OUTCOME_REJECTED);
    *responses[i].mutable_error() = AppendErrorOf(status);
  };
  std::lock_guard append_lock(append_mu_);
  // The messages decided and waiting for the commit, with their plans.
  struct Decided {
    size_t index;
    bool aggregate;
    core::Snapshot snapshot;
    core::AppendPlan plan;
    // What the store keeps: the snapshot as observations.
    core::Snapshot observed;
  };
  std::vector<Decided> batch;
  absl::flat_hash_set<std::tuple<std::string, std::string, Micros>> keys;
  // Commits the batch in one transaction, then applies it to the engine in
  // order; every result is final only after the commit.
  auto flush = [&] {
    if (batch.empty()) return;
    std::vector<std::pair<const core::Snapshot*, bool>> puts;
    puts.reserve(batch.size());
    for (const Decided& d : batch) {
      puts.emplace_back(&d.observed, d.aggregate);
    }
    if (absl::Status s = store_->PutAll(puts); !s.ok()) {
      common::LogError("snapshots not stored",
                       {{"error", std::string(s.message())},
                        {"snapshots", absl::StrCat(batch.size())}});
      for (const Decided& d : batch) reject(d.index, s);
      batch.clear();
      keys.clear();
      return;
    }
    std::vector<v1::RecordBrokenEvent> events;
    {
      std::unique_lock lock(engine_mu_);
      const absl::Time now = options_.clock();
      for (const Decided& d : batch) {
        const std::string& region = d.snapshot.region;
        if (d.aggregate &&
            engine_.GetRegionKind(region) != core::RegionKind::kAggregate) {
          engine_.SetRegionKind(region, core::RegionKind::kAggregate);
        }
        const core::AppendResult result = engine_.Apply(d.plan, d.snapshot);
        responses[d.index].set_outcome(OutcomeProto(result.outcome));
        responses[d.index].set_observation_count(result.observation_count);
        for (const core::RecordEvent& event : result.events) {
          events.push_back(EventProto(event, now));
        }
      }
    }
    hub_.Publish(events);
    if (follower_ != nullptr) {
      std::vector<std::string> unknown;
      absl::flat_hash_set<std::string_view> asked;
      for (const Decided& d : batch) {
        for (const auto& e : d.observed.entries) {
          if (!facts_.HasTrack(e.track_id) && asked.insert(e.track_id).second) {
            unknown.push_back(e.track_id);
          }
        }
      }
      if (!unknown.empty()) follower_->RequestTracks(unknown);
    }
    batch.clear();
    keys.clear();
  };

  // Each message is mapped and planned under one shared engine lock per run
  // of messages between commits.
  std::shared_lock planning(engine_mu_, std::defer_lock);
  for (size_t i = 0; i < requests.size(); ++i) {
    v1::AppendSnapshotsResponse& response = responses[i];
    response.set_index(first_index + static_cast<int64_t>(i));
    if (!planning.owns_lock()) planning.lock();
    auto in = SnapshotOf(*requests[i], engine_, options_.clock(),
                         *response.mutable_key());
    if (!in.ok()) {
      reject(i, in.status());
      continue;
    }
    auto key = std::make_tuple(in->snapshot.chart, in->snapshot.region,
                               in->snapshot.capture_time);
    // A second message for one identity is decided against the first.
    if (keys.contains(key)) {
      planning.unlock();
      flush();
      planning.lock();
    }
    // What is held decides the outcome before anything is written.
    auto plan =
        engine_.Plan(in->snapshot, in->replace ? core::ConflictPolicy::kReplace
                                               : core::ConflictPolicy::kReject);
    if (!plan.ok()) {
      reject(i, plan.status());
      continue;
    }
    if (plan->outcome == core::AppendOutcome::kDuplicate) {
      response.set_outcome(v1::APPEND_OUTCOME_DUPLICATE);
      response.set_observation_count(plan->observation_count);
      continue;
    }
    keys.insert(std::move(key));
    core::Snapshot observed =
        core::ObservedSnapshot(engine_.state(), *plan, in->snapshot);
    batch.push_back(Decided{i, in->aggregate, std::move(in->snapshot),
                            *std::move(plan), std::move(observed)});
  }
  if (planning.owns_lock()) planning.unlock();
  flush();
  return responses;
}

absl::Status RecordsHandler::ResolveTrack(const cmn::TrackRef& ref,
                                          std::string_view field,
                                          std::string& id,
                                          v1::TrackSummary* summary) const {
  switch (ref.ref_case()) {
    case cmn::TrackRef::kTrackId:
      id = ref.track_id();
      if (id.empty())
        return InvalidField(Field(field, "track_id"), "is required");
      break;
    case cmn::TrackRef::kProviderTrackId: {
      const cmn::ProviderTrackId& p = ref.provider_track_id();
      if (p.id().empty()) {
        return InvalidField(Field(field, "provider_track_id.id"),
                            "is required");
      }
      auto found = facts_.TrackOfProviderId(
          p.provider().empty() ? "itunes" : p.provider(), p.id());
      if (!found.has_value()) {
        return absl::NotFoundError(absl::StrCat(
            Field(field, "provider_track_id"),
            ": no catalog track has the provider id `", p.id(), "`"));
      }
      id = *std::move(found);
      if (summary != nullptr) facts_.GetSummary(id, *summary);
      return absl::OkStatus();
    }
    default:
      return InvalidField(field, "is required");
  }
  // One look-up of the facts both finds the track held and copies its
  // summary (the facts lock is taken once).
  const bool held = summary != nullptr ? facts_.GetSummary(id, *summary)
                                       : facts_.HasTrack(id);
  if (held || follower_ == nullptr || !follower_->enabled()) {
    return absl::OkStatus();
  }
  auto known = follower_->FetchTrack(id);
  if (!known.ok()) return known.status();
  if (!*known) {
    return absl::NotFoundError(absl::StrCat(
        Field(field, "track_id"), ": the catalog has no track `", id, "`"));
  }
  if (summary != nullptr) facts_.GetSummary(id, *summary);
  return absl::OkStatus();
}

v1::RecordHolder RecordsHandler::HolderProto(const core::RecordKey& key,
                                             const core::RecordHolder& holder,
                                             bool with_best) const {
  v1::RecordHolder out;
  facts_.GetSummary(holder.track_id, *out.mutable_track());
  *out.mutable_value() = ValueProto(key.metric, holder.value);
  SetTimestamp(holder.reach_time, *out.mutable_reach_time());
  SetRegion(engine_, holder.reach_region, *out.mutable_reach_region());
  SetInterval(holder.bounds, *out.mutable_bounds());
  if (with_best)
    *out.mutable_best_value() = ValueProto(key.metric, holder.best_value);
  return out;
}

v1::RecordBrokenEvent RecordsHandler::EventProto(const core::RecordEvent& event,
                                                 absl::Time detect_time) const {
  v1::RecordBrokenEvent out;
  *out.mutable_record() = RecordKeyProto(event.record);
  *out.mutable_new_holder() = HolderProto(event.record, event.new_holder, true);
  if (event.previous_holder.has_value()) {
    *out.mutable_previous_holder() =
        HolderProto(event.record, *event.previous_holder, true);
  }
  out.set_backfilled(event.backfilled);
  v1::SnapshotKey& key = *out.mutable_snapshot();
  *key.mutable_chart() = ChartProto(event.snapshot.chart);
  key.mutable_region()->set_code(event.snapshot.region);
  key.mutable_region()->set_kind(engine_.GetRegionKind(event.snapshot.region) ==
                                         core::RegionKind::kAggregate
                                     ? cmn::REGION_KIND_AGGREGATE
                                     : cmn::REGION_KIND_COUNTRY);
  *key.mutable_capture_time() = TimestampOf(event.snapshot.capture_time);
  *out.mutable_detect_time() = TimestampOf(absl::ToUnixMicros(detect_time));
  return out;
}

absl::StatusOr<v1::GetSnapshotResponse> RecordsHandler::GetSnapshot(
    const v1::GetSnapshotRequest& request) const {
  if (!request.has_key()) return InvalidField("key", "is required");
  const v1::SnapshotKey& key = request.key();
  auto chart = ChartName(key.chart(), "key.chart");
  if (!chart.ok()) return chart.status();
  if (!key.has_capture_time()) {
    return InvalidField("key.capture_time", "is required");
  }
  if (auto s = CheckTimestamp(key.capture_time(), "key.capture_time");
      !s.ok()) {
    return s;
  }
  std::shared_lock lock(engine_mu_);
  auto region = CheckRegion(key.region(), "key.region", &engine_);
  if (!region.ok()) return region.status();
  auto held =
      engine_.GetSnapshot({*chart, region->code, ToMicros(key.capture_time())});
  if (!held.has_value()) {
    return absl::NotFoundError(absl::StrCat(
        "records holds no snapshot of ", *chart, " in ", region->code,
        " captured at ",
        absl::FormatTime(absl::FromUnixMicros(ToMicros(key.capture_time())))));
  }
  v1::GetSnapshotResponse response;
  v1::ResolvedSnapshot& out = *response.mutable_snapshot();
  *out.mutable_chart() = ChartProto(held->chart);
  out.mutable_region()->set_code(held->region);
  out.mutable_region()->set_kind(engine_.GetRegionKind(held->region) ==
                                         core::RegionKind::kAggregate
                                     ? cmn::REGION_KIND_AGGREGATE
                                     : cmn::REGION_KIND_COUNTRY);
  *out.mutable_capture_time() = TimestampOf(held->capture_time);
  out.set_chart_size(held->chart_size);
  for (const auto& e : held->entries) {
    auto* entry = out.add_entries();
    entry->set_track_id(e.track_id);
    entry->set_position(e.position);
  }
  return response;
}

absl::StatusOr<v1::ListChartsResponse> RecordsHandler::ListCharts(
    const v1::ListChartsRequest& request) const {
  auto size = common::PageSize(request.page_size());
  if (!size.ok()) return size.status();
  const std::string scope = common::PageScope({"ListCharts"});
  auto offset = PageOffset(page_tokens_, request.page_token(), scope);
  if (!offset.ok()) return offset.status();
  std::vector<core::ChartSummary> charts;
  {
    std::shared_lock lock(engine_mu_);
    charts = engine_.ListCharts();
  }
  std::sort(charts.begin(), charts.end(), [](const auto& a, const auto& b) {
    const cmn::ChartId x = ChartProto(a.chart), y = ChartProto(b.chart);
    return std::tie(x.provider(), x.list()) < std::tie(y.provider(), y.list());
  });
  v1::ListChartsResponse response;
  const size_t end = std::min(charts.size(), *offset + *size);
  for (size_t i = *offset; i < end; ++i) {
    const core::ChartSummary& c = charts[i];
    v1::Chart& out = *response.add_charts();
    *out.mutable_chart() = ChartProto(c.chart);
    out.set_region_count(c.region_count);
    out.set_country_region_count(c.country_region_count);
    out.set_snapshot_count(c.snapshot_count);
    out.set_observation_count(c.observation_count);
    *out.mutable_first_capture_time() = TimestampOf(c.first_capture_time);
    *out.mutable_last_capture_time() = TimestampOf(c.last_capture_time);
  }
  if (end < charts.size()) {
    response.set_next_page_token(page_tokens_.Encode(scope, absl::StrCat(end)));
  }
  return response;
}

absl::StatusOr<v1::GetTimeToThresholdResponse>
RecordsHandler::GetTimeToThreshold(
    const v1::GetTimeToThresholdRequest& request) const {
  // A hot path (a BASIC answer is a fraction of a microsecond of engine
  // work): the checks build no field names unless they fail, the engine
  // lock is taken once when no regions are named, the facts lock once for
  // both the track check and its summary, and the answer is written in
  // place.
  //
  // The query is reused by each thread so that its strings keep their
  // buffers: a chart name or track id too long for the short-string buffer
  // (`itunes/top-songs` is 16 characters, catalog ids are longer) then
  // costs no allocation per call. Every field is set before the engine
  // reads it. Nothing called below asks a time-to-threshold question, so
  // the query is never in use twice on one thread.
  thread_local core::TimeToThresholdQuery query;
  ClearKeepingSmallBuffer(query.chart);
  ClearKeepingSmallBuffer(query.track_id);
  if (query.regions.capacity() > 256) {
    std::vector<std::string>().swap(query.regions);
  } else {
    query.regions.clear();
  }
  query.reference_time.reset();

  if (!request.has_chart()) return InvalidField("chart", "is required");
  if (absl::Status s = SetChartName(request.chart(), "chart", query.chart);
      !s.ok()) {
    return s;
  }
  auto threshold =
      ThresholdOf(request.has_threshold(), request.threshold(), "threshold");
  if (!threshold.ok()) return threshold.status();
  query.threshold = *threshold;
  if (request.min_regions() < 1) {
    return InvalidField("min_regions", "must be at least 1");
  }
  query.min_regions = request.min_regions();
  if (request.has_reference_time()) {
    if (auto s = CheckTimestamp(request.reference_time(), "reference_time");
        !s.ok()) {
      return s;
    }
    query.reference_time = ToMicros(request.reference_time());
  }
  if (request.regions_size() > 0) {
    query.regions.reserve(request.regions_size());
    std::shared_lock lock(engine_mu_);
    for (int i = 0; i < request.regions_size(); ++i) {
      auto region = CheckRegionAt(request.regions(i), i, &engine_);
      if (!region.ok()) return region.status();
      query.regions.push_back(std::move(region->code));
    }
  }
  if (!v1::TimeToThresholdView_IsValid(request.view())) {
    return InvalidField("view", "unknown view");
  }
  query.with_crossings = request.view() != v1::TIME_TO_THRESHOLD_VIEW_BASIC;
  v1::GetTimeToThresholdResponse response;
  // Not under the engine lock: resolving may fetch the track from the
  // catalog, which then refreshes the engine's facts (an exclusive lock).
  if (absl::Status s = ResolveTrack(request.track(), "track", query.track_id,
                                    response.mutable_track());
      !s.ok()) {
    return s;
  }

  std::shared_lock lock(engine_mu_);
  auto answer = engine_.TimeToThreshold(query);
  if (!answer.ok()) return answer.status();
  response.set_reached(answer->reached);
  if (answer->reached) {
    SetDuration(answer->time_to_threshold,
                *response.mutable_time_to_threshold());
    SetTimestamp(answer->reach_time, *response.mutable_reach_time());
    SetRegion(engine_, answer->completing_region,
              *response.mutable_completing_region());
    SetInterval(answer->bounds, *response.mutable_bounds());
  }
  SetTimestamp(answer->reference_time, *response.mutable_reference_time());
  response.set_region_count(answer->region_count);
  response.set_eligible_region_count(answer->eligible_region_count);
  response.mutable_crossings()->Reserve(
      static_cast<int>(answer->crossings.size()));
  for (const core::Crossing& c : answer->crossings) {
    v1::Crossing& out = *response.add_crossings();
    SetRegion(engine_, c.region, *out.mutable_region());
    SetTimestamp(c.capture_time, *out.mutable_capture_time());
    if (c.previous_capture_time.has_value()) {
      SetTimestamp(*c.previous_capture_time,
                   *out.mutable_previous_capture_time());
    }
    out.set_position(c.position);
    SetDuration(c.elapsed, *out.mutable_elapsed());
  }
  if (answer->as_of_time != 0) {
    SetTimestamp(answer->as_of_time, *response.mutable_as_of_time());
  }
  return response;
}

absl::StatusOr<v1::GetTimelineResponse> RecordsHandler::GetTimeline(
    const v1::GetTimelineRequest& request) const {
  core::TimelineQuery query;
  if (!request.has_chart()) return InvalidField("chart", "is required");
  auto chart = ChartName(request.chart(), "chart");
  if (!chart.ok()) return chart.status();
  query.chart = *chart;
  auto threshold =
      ThresholdOf(request.has_threshold(), request.threshold(), "threshold");
  if (!threshold.ok()) return threshold.status();
  query.threshold = *threshold;
  if (request.has_start_time()) {
    if (auto s = CheckTimestamp(request.start_time(), "start_time"); !s.ok()) {
      return s;
    }
    query.start_time = ToMicros(request.start_time());
  }
  if (request.has_end_time()) {
    if (auto s = CheckTimestamp(request.end_time(), "end_time"); !s.ok()) {
      return s;
    }
    query.end_time = ToMicros(request.end_time());
  }
  if (query.start_time && query.end_time &&
      *query.end_time < *query.start_time) {
    return InvalidField("end_time", "is before start_time");
  }
  Micros step = 0;
  if (request.has_step()) {
    absl::StatusOr<int64_t> micros =
        common::DurationMicros(request.step(), "step");
    if (!micros.ok()) return micros.status();
    step = *micros;
    if (step <= 0) return InvalidField("step", "must be positive");
  }
  {
    std::shared_lock lock(engine_mu_);
    for (int i = 0; i < request.regions_size(); ++i) {
      auto region = CheckRegionAt(request.regions(i), i, &engine_);
      if (!region.ok()) return region.status();
      query.regions.push_back(region->code);
    }
  }
  v1::GetTimelineResponse response;
  if (absl::Status s = ResolveTrack(request.track(), "track", query.track_id,
                                    response.mutable_track());
      !s.ok()) {
    return s;
  }

  absl::StatusOr<core::TimelineAnswer> answer;
  {
    std::shared_lock lock(engine_mu_);
    answer = engine_.Timeline(query);
  }
  if (!answer.ok()) return answer.status();
  response.set_peak_simultaneous(answer->peak_simultaneous);
  if (answer->peak_time.has_value()) {
    *response.mutable_peak_time() = TimestampOf(*answer->peak_time);
  }
  response.set_total(answer->total);
  const auto& points = answer->points;
  auto add = [&](Micros time, int total, int simultaneous) {
    v1::TimelinePoint& p = *response.add_points();
    *p.mutable_time() = TimestampOf(time);
    p.set_total(total);
    p.set_simultaneous(simultaneous);
  };
  if (step == 0 || points.empty()) {
    if (points.size() > static_cast<size_t>(kMaxTimelinePoints)) {
      return InvalidField(
          "step", absl::StrCat("is unset and the timeline has ", points.size(),
                               " points; at most ", kMaxTimelinePoints,
                               ": set a step"));
    }
    for (const auto& p : points) add(p.time, p.total, p.simultaneous);
    return response;
  }
  const Micros start = points.front().time;
  const Micros end = points.back().time;
  const int64_t count = (end - start) / step + 1 + ((end - start) % step != 0);
  if (count > kMaxTimelinePoints) {
    return InvalidField(
        "step",
        absl::StrCat("gives ", count, " points; at most ", kMaxTimelinePoints));
  }
  size_t next = 0;  // the first point after the sampled instant
  for (int64_t i = 0; i < count; ++i) {
    const Micros t = std::min(end, start + i * step);
    while (next < points.size() && points[next].time <= t) ++next;
    if (next == 0) {
      add(t, 0, 0);
    } else {
      add(t, points[next - 1].total, points[next - 1].simultaneous);
    }
  }
  return response;
}

absl::StatusOr<v1::ListLeaderboardResponse> RecordsHandler::ListLeaderboard(
    const v1::ListLeaderboardRequest& request) const {
  if (!request.has_record()) return InvalidField("record", "is required");
  auto key = RecordKeyOf(request.record(), "record");
  if (!key.ok()) return key.status();
  auto size = common::PageSize(request.page_size());
  if (!size.ok()) return size.status();
  const std::string scope =
      common::PageScope({"ListLeaderboard", KeyScope(*key)});
  auto offset = PageOffset(page_tokens_, request.page_token(), scope);
  if (!offset.ok()) return offset.status();
  std::shared_lock lock(engine_mu_);
  auto board = engine_.GetLeaderboard(*key);
  if (!board.ok()) return board.status();
  v1::ListLeaderboardResponse response;
  const size_t end = std::min(board->rows.size(), *offset + *size);
  for (size_t i = *offset; i < end; ++i) {
    const core::RecordHolder& row = board->rows[i];
    v1::RecordHolder holder = HolderProto(*key, row, false);
    v1::LeaderboardRow& out = *response.add_rows();
    out.set_rank(static_cast<int32_t>(i + 1));
    *out.mutable_track() = std::move(*holder.mutable_track());
    *out.mutable_value() = std::move(*holder.mutable_value());
    *out.mutable_reach_time() = holder.reach_time();
    *out.mutable_reach_region() = holder.reach_region();
    *out.mutable_bounds() = holder.bounds();
  }
  if (end < board->rows.size()) {
    response.set_next_page_token(page_tokens_.Encode(scope, absl::StrCat(end)));
  }
  response.set_total_size(static_cast<int32_t>(board->rows.size()));
  if (board->as_of_time != 0) {
    *response.mutable_as_of_time() = TimestampOf(board->as_of_time);
  }
  return response;
}

absl::StatusOr<v1::GetRecordLineageResponse> RecordsHandler::GetRecordLineage(
    const v1::GetRecordLineageRequest& request) const {
  if (!request.has_record()) return InvalidField("record", "is required");
  auto key = RecordKeyOf(request.record(), "record");
  if (!key.ok()) return key.status();
  std::shared_lock lock(engine_mu_);
  auto lineage = engine_.GetLineage(*key);
  if (!lineage.ok()) return lineage.status();
  v1::GetRecordLineageResponse response;
  for (const core::RecordHolder& h : lineage->holders) {
    *response.add_holders() = HolderProto(*key, h, true);
  }
  if (lineage->as_of_time != 0) {
    *response.mutable_as_of_time() = TimestampOf(lineage->as_of_time);
  }
  return response;
}

absl::Status RecordsHandler::ValidateWatch(
    const v1::WatchRecordEventsRequest& request) const {
  if (request.has_chart()) {
    if (auto chart = ChartName(request.chart(), "chart"); !chart.ok()) {
      return chart.status();
    }
  }
  for (int i = 0; i < request.metrics_size(); ++i) {
    const int m = request.metrics(i);
    if (m < v1::METRIC_FASTEST || m > v1::METRIC_ALL_KILL) {
      return InvalidField(absl::StrCat("metrics[", i, "]"), "is not a metric");
    }
  }
  for (int i = 0; i < request.min_regions_size(); ++i) {
    const int n = request.min_regions(i);
    if (std::find(options_.milestones.begin(), options_.milestones.end(), n) ==
        options_.milestones.end()) {
      return InvalidField(absl::StrCat("min_regions[", i, "]"),
                          absl::StrCat(n, " is not a watched milestone"));
    }
  }
  for (int i = 0; i < request.categories_size(); ++i) {
    const std::string field = absl::StrCat("categories[", i, "]");
    auto category = CategoryOf(request.categories(i), field);
    if (!category.ok()) return category.status();
    const int filters = (category->kind != core::TrackKind::kUnspecified) +
                        (category->performer != core::Performer::kAny) +
                        !category->origin_country.empty() +
                        (category->release_year != 0);
    if (filters > 2) {
      return InvalidField(field,
                          "is not watched: watched categories combine at most "
                          "two filters");
    }
  }
  return absl::OkStatus();
}

}  // namespace hitclock::records
