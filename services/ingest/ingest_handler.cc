#include "services/ingest/ingest_handler.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/page_token.h"
#include "common/status.h"
#include "services/ingest/convert.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/poller.h"

namespace hitclock::ingest {
namespace {

std::string TimeKey(const google::protobuf::Timestamp& t) {
  return absl::StrCat(t.seconds(), ".", t.nanos());
}

}  // namespace

IngestHandler::IngestHandler(IngestStore& store, GroupCommitter& committer,
                             Forwarder* forwarder, CatalogClient* catalog,
                             absl::Duration max_skew, Clock clock)
    : store_(store),
      page_tokens_(store.page_token_secret()),
      committer_(committer),
      forwarder_(forwarder),
      catalog_(catalog),
      max_skew_(max_skew),
      clock_(std::move(clock)) {}

v1::SnapshotResult IngestHandler::ResultOf(const Submission& submission,
                                           const SubmitResult& result) {
  v1::SnapshotResult r;
  r.set_outcome(result.outcome);
  *r.mutable_key()->mutable_chart() = submission.snapshot.chart();
  *r.mutable_key()->mutable_region() = submission.snapshot.region();
  *r.mutable_key()->mutable_capture_time() = submission.snapshot.capture_time();
  r.set_snapshot_id(result.snapshot_id);
  r.set_entry_count(submission.snapshot.entries_size());
  return r;
}

absl::StatusOr<v1::SnapshotResult> IngestHandler::CommitNow(
    Submission submission) {
  const Submission* one[] = {&submission};
  auto results = store_.Submit(one, clock_());
  if (!results.ok()) return results.status();
  absl::StatusOr<SubmitResult>& result = (*results)[0];
  if (!result.ok()) return result.status();
  if (forwarder_ != nullptr &&
      result->outcome != v1::SUBMIT_OUTCOME_DUPLICATE) {
    forwarder_->Wake();
  }
  return ResultOf(submission, *result);
}

absl::StatusOr<v1::SubmitSnapshotResponse> IngestHandler::SubmitSnapshot(
    const v1::SubmitSnapshotRequest& request) {
  if (!request.has_snapshot()) {
    return common::InvalidField("snapshot", "required");
  }
  absl::StatusOr<Submission> submission =
      PrepareSubmission(request.snapshot(), clock_(), max_skew_, "snapshot");
  if (!submission.ok()) return submission.status();
  submission->replace = request.replace();
  submission->origin = v1::SNAPSHOT_ORIGIN_SUBMIT;
  absl::StatusOr<v1::SnapshotResult> result = CommitNow(*std::move(submission));
  if (!result.ok()) return result.status();
  v1::SubmitSnapshotResponse response;
  *response.mutable_result() = *std::move(result);
  return response;
}

absl::StatusOr<Submission> IngestHandler::PrepareStreamed(
    v1::StreamSnapshotsRequest& request) {
  if (!request.has_snapshot()) {
    return common::InvalidField("snapshot", "required");
  }
  absl::StatusOr<Submission> submission = PrepareSubmission(
      std::move(*request.mutable_snapshot()), clock_(), max_skew_, "snapshot");
  if (!submission.ok()) return submission.status();
  submission->replace = request.replace();
  submission->origin = v1::SNAPSHOT_ORIGIN_STREAM;
  return submission;
}

bool IngestHandler::CommitAsync(Submission submission,
                                GroupCommitter::Callback done) {
  return committer_.Enqueue(std::move(submission), std::move(done));
}

absl::StatusOr<v1::ImportFeedResponse> IngestHandler::ImportFeed(
    const v1::ImportFeedRequest& request) {
  FeedImport feed;
  feed.format = request.format();
  feed.content = request.content();
  if (request.has_chart()) {
    if (request.chart().provider().empty() && request.chart().list().empty()) {
      // An empty message means unset.
    } else {
      feed.options.chart = ChartKey(request.chart());
    }
  }
  feed.options.region_code = request.region().code();
  if (request.has_capture_time()) {
    if (absl::Status s = CheckInstant(request.capture_time(), "capture_time");
        !s.ok()) {
      return s;
    }
    feed.options.capture_micros = ToMicros(request.capture_time());
  }
  if (request.has_fetch_time()) {
    if (absl::Status s = CheckInstant(request.fetch_time(), "fetch_time");
        !s.ok()) {
      return s;
    }
  }
  feed.options.fetch_micros = request.has_fetch_time()
                                  ? ToMicros(request.fetch_time())
                                  : absl::ToUnixMicros(clock_());
  feed.options.source_url = request.source_url();
  feed.replace = request.replace();
  feed.origin = v1::SNAPSHOT_ORIGIN_IMPORT_FEED;
  return ImportFeedContent(feed);
}

absl::StatusOr<v1::ImportFeedResponse> IngestHandler::ImportFeedContent(
    const FeedImport& feed) {
  absl::StatusOr<core::FeedFormat> format = ToCoreFormat(feed.format);
  if (!format.ok()) return format.status();
  if (feed.content.empty()) return common::InvalidField("content", "required");
  absl::StatusOr<core::ParsedFeed> parsed =
      core::ParseFeed(*format, feed.content);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<core::Snapshot> snapshot =
      core::SnapshotFromFeed(*parsed, feed.options);
  if (!snapshot.ok()) return snapshot.status();
  absl::StatusOr<Submission> submission =
      PrepareSubmission(*snapshot, clock_(), max_skew_, "");
  if (!submission.ok()) return submission.status();
  submission->replace = feed.replace;
  submission->origin = feed.origin;
  submission->feed_format = feed.format;
  submission->feed_source_id = feed.feed_source_id;
  absl::StatusOr<v1::SnapshotResult> result = CommitNow(*std::move(submission));
  if (!result.ok()) return result.status();
  v1::ImportFeedResponse response;
  *response.mutable_result() = *std::move(result);
  if (parsed->updated_micros) {
    *response.mutable_source_update_time() =
        FromMicros(*parsed->updated_micros);
  }
  return response;
}

absl::StatusOr<v1::GetSnapshotResponse> IngestHandler::GetSnapshot(
    const v1::GetSnapshotRequest& request) {
  const bool full = request.view() == v1::SNAPSHOT_VIEW_FULL;
  absl::StatusOr<v1::Snapshot> snapshot;
  switch (request.selector_case()) {
    case v1::GetSnapshotRequest::kId: {
      std::optional<int64_t> seq = ParseSnapshotId(request.id());
      if (!seq) {
        return common::InvalidField("id", "not a snapshot id (snp_...)");
      }
      snapshot = store_.GetSnapshot(*seq, full);
      break;
    }
    case v1::GetSnapshotRequest::kKey: {
      const auto& key = request.key();
      if (key.chart().provider().empty() || key.chart().list().empty()) {
        return common::InvalidField("key.chart", "required");
      }
      if (key.region().code().empty()) {
        return common::InvalidField("key.region.code", "required");
      }
      if (!key.has_capture_time()) {
        return common::InvalidField("key.capture_time", "required");
      }
      if (absl::Status s = CheckInstant(key.capture_time(), "key.capture_time");
          !s.ok()) {
        return s;
      }
      snapshot =
          store_.GetSnapshotByKey(ChartKey(key.chart()), key.region().code(),
                                  FromTimestamp(key.capture_time()), full);
      break;
    }
    default:
      return common::InvalidField("selector", "set `id` or `key`");
  }
  if (!snapshot.ok()) return snapshot.status();
  if (forwarder_ != nullptr &&
      (snapshot->state() == v1::SNAPSHOT_STATE_RECEIVED ||
       snapshot->state() == v1::SNAPSHOT_STATE_RESOLVED)) {
    if (auto next = forwarder_->NextAttempt()) {
      *snapshot->mutable_next_attempt_time() = ToTimestamp(*next);
    }
  }
  v1::GetSnapshotResponse response;
  *response.mutable_snapshot() = *std::move(snapshot);
  return response;
}

namespace {

// The chart, region and capture range of a request that selects snapshots
// (ListSnapshots, ReforwardSnapshots); its instants range-checked.
template <typename Request>
absl::StatusOr<SnapshotFilter> SnapshotFilterOf(const Request& request) {
  SnapshotFilter filter;
  if (request.has_chart() &&
      !(request.chart().provider().empty() && request.chart().list().empty())) {
    filter.chart = ChartKey(request.chart());
  }
  filter.region = request.region_code();
  if (request.has_start_time()) {
    if (absl::Status s = CheckInstant(request.start_time(), "start_time");
        !s.ok()) {
      return s;
    }
    filter.start_time = FromTimestamp(request.start_time());
  }
  if (request.has_end_time()) {
    if (absl::Status s = CheckInstant(request.end_time(), "end_time");
        !s.ok()) {
      return s;
    }
    filter.end_time = FromTimestamp(request.end_time());
  }
  return filter;
}

}  // namespace

absl::StatusOr<v1::ListSnapshotsResponse> IngestHandler::ListSnapshots(
    const v1::ListSnapshotsRequest& request) {
  absl::StatusOr<int> limit = common::PageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  absl::StatusOr<SnapshotFilter> selected = SnapshotFilterOf(request);
  if (!selected.ok()) return selected.status();
  SnapshotFilter filter = *std::move(selected);
  filter.state = request.state();
  const std::string scope = common::PageScope(
      {"ListSnapshots", filter.chart, filter.region,
       std::to_string(static_cast<int>(filter.state)),
       request.has_start_time() ? TimeKey(request.start_time()) : "",
       request.has_end_time() ? TimeKey(request.end_time()) : ""});
  absl::StatusOr<std::string> position =
      page_tokens_.Decode(request.page_token(), scope);
  if (!position.ok()) return position.status();
  int64_t before = 0;
  if (!position->empty() && !absl::SimpleAtoi(*position, &before)) {
    return common::InvalidField("page_token", "not issued by this server");
  }
  absl::StatusOr<SnapshotPage> page = store_.ListSnapshots(
      filter, before, *limit, request.view() == v1::SNAPSHOT_VIEW_FULL);
  if (!page.ok()) return page.status();
  v1::ListSnapshotsResponse response;
  for (auto& s : page->snapshots) *response.add_snapshots() = std::move(s);
  if (page->last_seq) {
    response.set_next_page_token(
        page_tokens_.Encode(scope, std::to_string(*page->last_seq)));
  }
  return response;
}

absl::StatusOr<v1::ListUnresolvedResponse> IngestHandler::ListUnresolved(
    const v1::ListUnresolvedRequest& request) {
  absl::StatusOr<int> limit = common::PageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  std::string chart;
  if (request.has_chart() &&
      !(request.chart().provider().empty() && request.chart().list().empty())) {
    chart = ChartKey(request.chart());
  }
  const std::string scope = common::PageScope({"ListUnresolved", chart});
  absl::StatusOr<std::string> position =
      page_tokens_.Decode(request.page_token(), scope);
  if (!position.ok()) return position.status();
  int64_t offset = 0;
  if (!position->empty() && !absl::SimpleAtoi(*position, &offset)) {
    return common::InvalidField("page_token", "not issued by this server");
  }
  absl::StatusOr<UnresolvedPage> page =
      store_.ListUnresolved(chart, offset, *limit);
  if (!page.ok()) return page.status();
  v1::ListUnresolvedResponse response;
  for (auto& c : page->credits) *response.add_credits() = std::move(c);
  response.set_total_entry_count(page->total_entry_count);
  if (page->more) {
    response.set_next_page_token(page_tokens_.Encode(
        scope, std::to_string(offset + response.credits_size())));
  }
  return response;
}

absl::StatusOr<v1::RetryResolutionResponse> IngestHandler::RetryResolution(
    const v1::RetryResolutionRequest& request) {
  if (catalog_ == nullptr) {
    return absl::FailedPreconditionError(
        "no catalog address configured (--catalog-address)");
  }
  UnresolvedFilter filter;
  if (request.has_chart() &&
      !(request.chart().provider().empty() && request.chart().list().empty())) {
    filter.chart = ChartKey(request.chart());
  }
  filter.artist_credit = request.artist_credit();
  filter.provider_track_id = request.provider_track_id();
  absl::StatusOr<std::vector<UnresolvedEntry>> waiting =
      store_.FindUnresolved(filter, kMaxRetryEntries);
  if (!waiting.ok()) return waiting.status();
  std::vector<const hitclock::common::v1::ChartEntry*> entries;
  entries.reserve(waiting->size());
  for (const auto& w : *waiting) entries.push_back(&w.entry);
  absl::StatusOr<std::vector<EntryResolution>> resolutions =
      catalog_->Resolve(entries);
  if (!resolutions.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "the catalog cannot be reached: ", resolutions.status().message()));
  }
  std::vector<RetriedEntry> retried;
  retried.reserve(waiting->size());
  v1::RetryResolutionResponse response;
  response.set_examined_entry_count(static_cast<int64_t>(waiting->size()));
  for (size_t i = 0; i < waiting->size(); ++i) {
    RetriedEntry r;
    r.snapshot_seq = (*waiting)[i].snapshot_seq;
    r.version = (*waiting)[i].version;
    r.position = (*waiting)[i].position;
    r.resolution = std::move((*resolutions)[i]);
    if (r.resolution.track_id.empty()) {
      response.set_unresolved_entry_count(response.unresolved_entry_count() +
                                          1);
    } else {
      response.set_resolved_entry_count(response.resolved_entry_count() + 1);
    }
    retried.push_back(std::move(r));
  }
  absl::StatusOr<int> requeued = store_.ApplyRetriedResolutions(retried);
  if (!requeued.ok()) return requeued.status();
  response.set_requeued_snapshot_count(*requeued);
  if (*requeued > 0 && forwarder_ != nullptr) forwarder_->Wake();
  return response;
}

absl::StatusOr<v1::ReforwardSnapshotsResponse>
IngestHandler::ReforwardSnapshots(
    const v1::ReforwardSnapshotsRequest& request) {
  absl::StatusOr<SnapshotFilter> filter = SnapshotFilterOf(request);
  if (!filter.ok()) return filter.status();
  absl::StatusOr<int64_t> queued = store_.Reforward(*filter);
  if (!queued.ok()) return queued.status();
  v1::ReforwardSnapshotsResponse response;
  response.set_queued_snapshot_count(*queued);
  if (*queued > 0 && forwarder_ != nullptr) forwarder_->Wake();
  return response;
}

absl::StatusOr<v1::ListFeedSourcesResponse> IngestHandler::ListFeedSources(
    const v1::ListFeedSourcesRequest& request) {
  if (poller_ == nullptr) {
    absl::StatusOr<int> limit = common::PageSize(request.page_size());
    if (!limit.ok()) return limit.status();
    return v1::ListFeedSourcesResponse();
  }
  return poller_->List(request, page_tokens_);
}

absl::StatusOr<v1::PollFeedSourceResponse> IngestHandler::PollFeedSource(
    const v1::PollFeedSourceRequest& request) {
  if (request.id().empty()) return common::InvalidField("id", "required");
  if (poller_ == nullptr) {
    return absl::NotFoundError(absl::StrCat("feed source \"", request.id(),
                                            "\" is not configured (--feeds)"));
  }
  return poller_->PollNow(request.id());
}

absl::StatusOr<v1::GetForwarderStatusResponse>
IngestHandler::GetForwarderStatus(const v1::GetForwarderStatusRequest&) {
  absl::StatusOr<ForwarderCounts> counts = store_.Counts();
  if (!counts.ok()) return counts.status();
  v1::GetForwarderStatusResponse response;
  response.set_pending_snapshot_count(counts->pending);
  if (counts->oldest_pending_receive) {
    *response.mutable_oldest_pending_receive_time() =
        ToTimestamp(*counts->oldest_pending_receive);
    *response.mutable_oldest_pending_age() = ToDuration(std::max(
        absl::ZeroDuration(), clock_() - *counts->oldest_pending_receive));
  }
  response.set_forwarded_snapshot_count(counts->forwarded);
  response.set_failed_snapshot_count(counts->failed);
  response.set_unresolved_entry_count(counts->unresolved_entries);
  if (catalog_ != nullptr) *response.mutable_catalog() = catalog_->Status();
  if (forwarder_ != nullptr) {
    *response.mutable_records() = forwarder_->RecordsStatus();
  }
  return response;
}

}  // namespace hitclock::ingest
