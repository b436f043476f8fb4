#include "services/ingest/convert.h"

#include <algorithm>
#include <utility>

#include "services/ingest/core/errors.h"

namespace hitclock::ingest {
namespace {

hitclock::common::v1::RegionKind ToWireKind(core::RegionKind kind) {
  return static_cast<hitclock::common::v1::RegionKind>(static_cast<int>(kind));
}

std::string Prefixed(const std::string& prefix, const char* field) {
  return prefix.empty() ? field : prefix + "." + field;
}

void Normalize(v1::ChartSnapshot& snapshot) {
  const auto kind = core::RegionKindOf(snapshot.region().code());
  if (kind) snapshot.mutable_region()->set_kind(ToWireKind(*kind));
  auto* entries = snapshot.mutable_entries();
  bool sorted = true;
  for (int i = 0; i < entries->size(); ++i) {
    auto& e = (*entries)[i];
    if (e.entry().provider().empty()) {
      e.mutable_entry()->set_provider(snapshot.chart().provider());
    }
    e.clear_track_id();
    if (i > 0 && (*entries)[i - 1].position() > e.position()) sorted = false;
  }
  if (!sorted) {
    std::sort(entries->begin(), entries->end(),
              [](const v1::SnapshotEntry& a, const v1::SnapshotEntry& b) {
                return a.position() < b.position();
              });
  }
}

}  // namespace

absl::Status CheckInstant(const google::protobuf::Timestamp& t,
                          std::string_view field) {
  if (absl::Status s = common::CheckTimestamp(t, field); !s.ok()) return s;
  // The largest whole second whose nanoseconds fit an int64_t.
  constexpr int64_t kMaxStoredSeconds = 9'223'372'035;
  if (t.seconds() < 0 || t.seconds() > kMaxStoredSeconds) {
    return core::FieldError(field,
                            "must be between 1970-01-01T00:00:00Z and "
                            "2262-04-11T23:47:15Z");
  }
  return absl::OkStatus();
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  const int64_t ns = absl::ToUnixNanos(t);
  google::protobuf::Timestamp ts;
  ts.set_seconds(ns / 1000000000);
  ts.set_nanos(static_cast<int32_t>(ns % 1000000000));
  return ts;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Duration ToDuration(absl::Duration d) {
  absl::Duration rest;
  google::protobuf::Duration out;
  out.set_seconds(absl::IDivDuration(d, absl::Seconds(1), &rest));
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
  return out;
}

core::Snapshot ToCore(const v1::ChartSnapshot& snapshot) {
  core::Snapshot s;
  s.chart_provider = snapshot.chart().provider();
  s.chart_list = snapshot.chart().list();
  s.region_code = snapshot.region().code();
  s.region_kind =
      static_cast<core::RegionKind>(static_cast<int>(snapshot.region().kind()));
  if (snapshot.has_capture_time()) {
    s.capture_micros = ToMicros(snapshot.capture_time());
  }
  if (snapshot.has_source_update_time()) {
    s.source_update_micros = ToMicros(snapshot.source_update_time());
  }
  if (snapshot.has_fetch_time()) {
    s.fetch_micros = ToMicros(snapshot.fetch_time());
  }
  s.source_url = snapshot.source_url();
  s.entries.reserve(snapshot.entries_size());
  for (const auto& e : snapshot.entries()) {
    core::SnapshotEntry c;
    c.position = e.position();
    c.title = e.entry().title();
    c.artist_credit = e.entry().artist_credit();
    c.provider = e.entry().provider();
    c.provider_track_id = e.entry().provider_track_id();
    c.link = e.link();
    s.entries.push_back(std::move(c));
  }
  return s;
}

v1::ChartSnapshot FromCore(const core::Snapshot& s) {
  v1::ChartSnapshot snapshot;
  snapshot.mutable_chart()->set_provider(s.chart_provider);
  snapshot.mutable_chart()->set_list(s.chart_list);
  snapshot.mutable_region()->set_code(s.region_code);
  snapshot.mutable_region()->set_kind(ToWireKind(s.region_kind));
  if (s.capture_micros) {
    *snapshot.mutable_capture_time() = FromMicros(*s.capture_micros);
  }
  if (s.source_update_micros) {
    *snapshot.mutable_source_update_time() =
        FromMicros(*s.source_update_micros);
  }
  if (s.fetch_micros) {
    *snapshot.mutable_fetch_time() = FromMicros(*s.fetch_micros);
  }
  snapshot.set_source_url(s.source_url);
  for (const core::SnapshotEntry& c : s.entries) {
    v1::SnapshotEntry* e = snapshot.add_entries();
    e->set_position(c.position);
    e->mutable_entry()->set_title(c.title);
    e->mutable_entry()->set_artist_credit(c.artist_credit);
    e->mutable_entry()->set_provider(c.provider);
    e->mutable_entry()->set_provider_track_id(c.provider_track_id);
    e->set_link(c.link);
  }
  return snapshot;
}

records::v1::ResolvedSnapshot ToRecordsSnapshot(OutboxItem&& item) {
  records::v1::ResolvedSnapshot out;
  *out.mutable_chart() = std::move(*item.snapshot.mutable_chart());
  *out.mutable_region() = std::move(*item.snapshot.mutable_region());
  *out.mutable_capture_time() =
      std::move(*item.snapshot.mutable_capture_time());
  out.set_chart_size(item.chart_size);
  out.mutable_entries()->Reserve(static_cast<int>(item.resolved.size()));
  for (core::ResolvedEntry& e : item.resolved) {
    records::v1::ResolvedEntry* r = out.add_entries();
    r->set_position(e.position);
    r->set_track_id(std::move(e.track_id));
  }
  return out;
}

absl::StatusOr<core::FeedFormat> ToCoreFormat(v1::FeedFormat format) {
  switch (format) {
    case v1::FEED_FORMAT_ITUNES_RSS_JSON:
      return core::FeedFormat::kLegacyItunesJson;
    case v1::FEED_FORMAT_APPLE_RSS_V2_JSON:
      return core::FeedFormat::kAppleRssV2Json;
    case v1::FEED_FORMAT_CSV:
      return core::FeedFormat::kCsv;
    default:
      return core::FieldError("format",
                              "required (ITUNES_RSS_JSON, "
                              "APPLE_RSS_V2_JSON or CSV)");
  }
}

absl::StatusOr<Submission> PrepareSubmission(v1::ChartSnapshot snapshot,
                                             absl::Time now,
                                             absl::Duration max_skew,
                                             const std::string& field_prefix) {
  for (const auto& [has, t, name] :
       {std::tuple(snapshot.has_capture_time(), &snapshot.capture_time(),
                   "capture_time"),
        std::tuple(snapshot.has_source_update_time(),
                   &snapshot.source_update_time(), "source_update_time"),
        std::tuple(snapshot.has_fetch_time(), &snapshot.fetch_time(),
                   "fetch_time")}) {
    if (!has) continue;
    if (absl::Status s = CheckInstant(*t, Prefixed(field_prefix, name));
        !s.ok()) {
      return s;
    }
  }
  const core::Snapshot core_snapshot = ToCore(snapshot);
  core::ValidationOptions options;
  options.now_micros = absl::ToUnixMicros(now);
  options.max_skew_micros = absl::ToInt64Microseconds(max_skew);
  options.field_prefix = field_prefix;
  if (absl::Status s = core::ValidateSnapshot(core_snapshot, options);
      !s.ok()) {
    return s;
  }
  Submission submission;
  submission.fingerprint = core::ContentFingerprint(core_snapshot);
  Normalize(snapshot);
  submission.snapshot = std::move(snapshot);
  return submission;
}

absl::StatusOr<Submission> PrepareSubmission(const core::Snapshot& snapshot,
                                             absl::Time now,
                                             absl::Duration max_skew,
                                             const std::string& field_prefix) {
  core::ValidationOptions options;
  options.now_micros = absl::ToUnixMicros(now);
  options.max_skew_micros = absl::ToInt64Microseconds(max_skew);
  options.field_prefix = field_prefix;
  if (absl::Status s = core::ValidateSnapshot(snapshot, options); !s.ok()) {
    return s;
  }
  Submission submission;
  submission.fingerprint = core::ContentFingerprint(snapshot);
  submission.snapshot = FromCore(snapshot);
  Normalize(submission.snapshot);
  return submission;
}

}  // namespace hitclock::ingest
