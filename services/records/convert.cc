#include "services/records/convert.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/chart_id.h"
#include "common/page_token.h"
#include "common/status.h"
#include "common/storefronts.h"
#include "services/records/regions.h"

namespace hitclock::records {

using common::InvalidField;
using core::Micros;
using google::protobuf::util::TimeUtil;
namespace cmn = hitclock::common::v1;

namespace {

// 2001-01-01T00:00:00Z: no capture is older.
constexpr int64_t kEarliestCaptureSeconds = 978307200;

}  // namespace

std::string Field(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

// The setters write in place (answers set many instants; a temporary
// message per field costs more than the conversion), normalized as
// protobuf's TimeUtil does, with abseil's time arithmetic.
void SetTimestamp(Micros micros, google::protobuf::Timestamp& t) {
  const absl::Time time = absl::FromUnixMicros(micros);
  const int64_t seconds = absl::ToUnixSeconds(time);  // floor
  t.set_seconds(seconds);
  t.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

google::protobuf::Timestamp TimestampOf(Micros micros) {
  google::protobuf::Timestamp t;
  SetTimestamp(micros, t);
  return t;
}

void SetDuration(Micros micros, google::protobuf::Duration& d) {
  absl::Duration rest;
  // Truncated toward zero: seconds and nanos share the sign.
  d.set_seconds(
      absl::IDivDuration(absl::Microseconds(micros), absl::Seconds(1), &rest));
  d.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(rest)));
}

namespace {

google::protobuf::Duration DurationOf(Micros micros) {
  google::protobuf::Duration d;
  SetDuration(micros, d);
  return d;
}

}  // namespace

// Chart ids go through the one parser of `provider/list` (common/chart_id.h).
absl::Status SetChartName(const cmn::ChartId& chart, std::string_view field,
                          std::string& name) {
  return common::SetChartName(chart.provider(), chart.list(), field, &name);
}

absl::StatusOr<std::string> ChartName(const cmn::ChartId& chart,
                                      std::string_view field) {
  return common::CheckedChartName(chart.provider(), chart.list(), field);
}

cmn::ChartId ChartProto(std::string_view name) {
  const common::ChartId id = common::SplitChartName(name);
  cmn::ChartId chart;
  chart.set_provider(id.provider);
  chart.set_list(id.list);
  return chart;
}

// A region of a request: a storefront, a known aggregate (`ww`, `eu`), one
// the engine already holds as an aggregate, or any code given with kind
// AGGREGATE.
absl::StatusOr<RegionIn> CheckRegion(const cmn::Region& region,
                                     std::string_view field,
                                     const core::RecordsEngine* engine) {
  const std::string& code = region.code();
  if (code.empty()) return InvalidField(Field(field, "code"), "is required");
  if (code.size() > 16 || !common::IsSlug(code)) {
    return InvalidField(
        Field(field, "code"),
        absl::StrCat("`", code, "` is not a lowercase region code"));
  }
  const bool storefront = IsStorefront(code);
  switch (region.kind()) {
    case cmn::REGION_KIND_COUNTRY:
      if (!storefront) {
        return InvalidField(Field(field, "code"),
                            absl::StrCat("`", code, "` is not a storefront"));
      }
      return RegionIn{code, false};
    case cmn::REGION_KIND_AGGREGATE:
      if (storefront) {
        return InvalidField(
            Field(field, "kind"),
            absl::StrCat("`", code, "` is a storefront, not an aggregate"));
      }
      return RegionIn{code, true};
    case cmn::REGION_KIND_UNSPECIFIED:
      if (storefront) return RegionIn{code, false};
      if (IsKnownAggregate(code) ||
          (engine != nullptr &&
           engine->GetRegionKind(code) == core::RegionKind::kAggregate)) {
        return RegionIn{code, true};
      }
      return InvalidField(
          Field(field, "code"),
          absl::StrCat("`", code,
                       "` is neither a storefront nor an aggregate"));
    default:
      return InvalidField(Field(field, "kind"), "is not a region kind");
  }
}

// `CheckRegion` for element `i` of a request's `regions`. The field name
// `regions[i]` is built only for an error that names it: the check runs
// again with it, which fails the same way (it depends on nothing else, and
// the caller holds the engine lock across both).
absl::StatusOr<RegionIn> CheckRegionAt(const cmn::Region& region, int i,
                                       const core::RecordsEngine* engine) {
  auto checked = CheckRegion(region, "regions", engine);
  if (checked.ok()) return checked;
  return CheckRegion(region, absl::StrCat("regions[", i, "]"), engine);
}

absl::StatusOr<core::Threshold> ThresholdOf(bool has,
                                            const v1::Threshold& threshold,
                                            std::string_view field) {
  if (!has) return core::Threshold::Position(1);
  switch (threshold.kind_case()) {
    case v1::Threshold::kPosition: {
      const int p = threshold.position().max_position();
      if (p < 1 || p > kMaxChartSize) {
        return InvalidField(
            Field(field, "position.max_position"),
            absl::StrCat("is ", p, "; must be 1 to ", kMaxChartSize));
      }
      return core::Threshold::Position(p);
    }
    case v1::Threshold::kCount:
      return absl::UnimplementedError(absl::StrCat(
          Field(field, "count"), ": count thresholds are not served yet"));
    default:
      return core::Threshold::Position(1);
  }
}

absl::StatusOr<core::Category> CategoryOf(const v1::Category& category,
                                          std::string_view field) {
  core::Category c;
  switch (category.track_kind()) {
    case catalog::v1::TRACK_KIND_UNSPECIFIED:
      break;
    case catalog::v1::TRACK_KIND_SINGLE:
      c.kind = core::TrackKind::kSingle;
      break;
    case catalog::v1::TRACK_KIND_OST:
      c.kind = core::TrackKind::kOst;
      break;
    case catalog::v1::TRACK_KIND_ALBUM_TRACK:
      c.kind = core::TrackKind::kAlbumTrack;
      break;
    default:
      return InvalidField(Field(field, "track_kind"), "is not a track kind");
  }
  switch (category.performer()) {
    case v1::PERFORMER_UNSPECIFIED:
      break;
    case v1::PERFORMER_SOLO_TRACK:
      c.performer = core::Performer::kSoloTrack;
      break;
    case v1::PERFORMER_BY_SOLOIST:
      c.performer = core::Performer::kBySoloist;
      break;
    case v1::PERFORMER_BY_GROUP:
      c.performer = core::Performer::kByGroup;
      break;
    default:
      return InvalidField(Field(field, "performer"), "is not a performer");
  }
  const std::string& origin = category.origin_country();
  if (!origin.empty()) {
    if (origin.size() != 2 || !absl::ascii_isalpha(origin[0]) ||
        !absl::ascii_isalpha(origin[1])) {
      return InvalidField(Field(field, "origin_country"),
                          "must be an ISO 3166-1 alpha-2 code like `KR`");
    }
    c.origin_country = absl::AsciiStrToUpper(origin);
  }
  if (category.release_year() != 0 &&
      (category.release_year() < 1900 || category.release_year() > 9999)) {
    return InvalidField(Field(field, "release_year"),
                        "must be 0 (any) or a year from 1900");
  }
  c.release_year = category.release_year();
  return c;
}

namespace {

v1::Category CategoryProto(const core::Category& c) {
  v1::Category category;
  switch (c.kind) {
    case core::TrackKind::kSingle:
      category.set_track_kind(catalog::v1::TRACK_KIND_SINGLE);
      break;
    case core::TrackKind::kOst:
      category.set_track_kind(catalog::v1::TRACK_KIND_OST);
      break;
    case core::TrackKind::kAlbumTrack:
      category.set_track_kind(catalog::v1::TRACK_KIND_ALBUM_TRACK);
      break;
    default:
      break;
  }
  switch (c.performer) {
    case core::Performer::kSoloTrack:
      category.set_performer(v1::PERFORMER_SOLO_TRACK);
      break;
    case core::Performer::kBySoloist:
      category.set_performer(v1::PERFORMER_BY_SOLOIST);
      break;
    case core::Performer::kByGroup:
      category.set_performer(v1::PERFORMER_BY_GROUP);
      break;
    default:
      break;
  }
  category.set_origin_country(c.origin_country);
  category.set_release_year(c.release_year);
  return category;
}

v1::Metric MetricProto(core::Metric metric) {
  switch (metric) {
    case core::Metric::kFastest:
      return v1::METRIC_FASTEST;
    case core::Metric::kTotal:
      return v1::METRIC_TOTAL;
    case core::Metric::kPeak:
      return v1::METRIC_PEAK;
    case core::Metric::kAllKill:
      return v1::METRIC_ALL_KILL;
  }
  return v1::METRIC_UNSPECIFIED;
}

}  // namespace

absl::StatusOr<core::RecordKey> RecordKeyOf(const v1::RecordKey& key,
                                            std::string_view field) {
  core::RecordKey out;
  auto chart = ChartName(key.chart(), Field(field, "chart"));
  if (!chart.ok()) return chart.status();
  out.chart = *chart;
  switch (key.metric()) {
    case v1::METRIC_FASTEST:
      out.metric = core::Metric::kFastest;
      break;
    case v1::METRIC_TOTAL:
      out.metric = core::Metric::kTotal;
      break;
    case v1::METRIC_PEAK:
      out.metric = core::Metric::kPeak;
      break;
    case v1::METRIC_ALL_KILL:
      out.metric = core::Metric::kAllKill;
      break;
    default:
      return InvalidField(Field(field, "metric"), "is required");
  }
  auto threshold = ThresholdOf(key.has_threshold(), key.threshold(),
                               Field(field, "threshold"));
  if (!threshold.ok()) return threshold.status();
  out.threshold = *threshold;
  if (out.metric == core::Metric::kFastest) {
    if (key.min_regions() < 1) {
      return InvalidField(Field(field, "min_regions"),
                          "must be at least 1 for METRIC_FASTEST");
    }
  } else if (key.min_regions() != 0) {
    return InvalidField(Field(field, "min_regions"),
                        "must be 0 for this metric");
  }
  out.min_regions = key.min_regions();
  auto category = CategoryOf(key.category(), Field(field, "category"));
  if (!category.ok()) return category.status();
  out.category = *category;
  return out;
}

v1::RecordKey RecordKeyProto(const core::RecordKey& key) {
  v1::RecordKey out;
  *out.mutable_chart() = ChartProto(key.chart);
  out.set_metric(MetricProto(key.metric));
  out.mutable_threshold()->mutable_position()->set_max_position(
      static_cast<int32_t>(key.threshold.value()));
  out.set_min_regions(key.min_regions);
  *out.mutable_category() = CategoryProto(key.category);
  return out;
}

// A string naming a record key exactly (page token scopes).
std::string KeyScope(const core::RecordKey& key) {
  return absl::StrCat(
      key.chart, "|", static_cast<int>(key.metric), "|", key.threshold.value(),
      "|", key.min_regions, "|", static_cast<int>(key.category.kind), "|",
      static_cast<int>(key.category.performer), "|",
      key.category.origin_country, "|", key.category.release_year);
}

v1::MetricValue ValueProto(core::Metric metric, int64_t value) {
  v1::MetricValue out;
  if (metric == core::Metric::kFastest || metric == core::Metric::kAllKill) {
    *out.mutable_duration() = DurationOf(value);
  } else {
    out.set_region_count(static_cast<int32_t>(value));
  }
  return out;
}

void SetInterval(const core::Interval& interval, v1::Interval& out) {
  SetTimestamp(interval.start, *out.mutable_start_time());
  SetTimestamp(interval.end, *out.mutable_end_time());
}

// Splits an INVALID_ARGUMENT of `InvalidField` ("field: problem") into an
// AppendError.
v1::AppendError AppendErrorOf(const absl::Status& status) {
  v1::AppendError error;
  error.set_code(static_cast<int32_t>(status.code()));
  error.set_message(std::string(status.message()));
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    const std::string_view message(status.message().data(),
                                   status.message().size());
    const size_t colon = message.find(": ");
    if (colon != std::string_view::npos &&
        message.substr(0, colon).find(' ') == std::string_view::npos) {
      error.set_field(std::string(message.substr(0, colon)));
    }
  }
  return error;
}

// Parses the offset a page token carries.
absl::StatusOr<size_t> PageOffset(const common::PageTokens& tokens,
                                  const std::string& token,
                                  const std::string& scope) {
  auto position = tokens.Decode(token, scope);
  if (!position.ok()) return position.status();
  if (position->empty()) return 0;
  size_t offset = 0;
  if (!absl::SimpleAtoi(*position, &offset)) {
    return InvalidField("page_token", "was not issued by this server");
  }
  return offset;
}

v1::AppendOutcome OutcomeProto(core::AppendOutcome outcome) {
  switch (outcome) {
    case core::AppendOutcome::kAppended:
      return v1::APPEND_OUTCOME_APPENDED;
    case core::AppendOutcome::kDuplicate:
      return v1::APPEND_OUTCOME_DUPLICATE;
    case core::AppendOutcome::kMerged:
      return v1::APPEND_OUTCOME_MERGED;
    case core::AppendOutcome::kReplaced:
      return v1::APPEND_OUTCOME_REPLACED;
  }
  return v1::APPEND_OUTCOME_UNSPECIFIED;
}

void SetRegion(const core::RecordsEngine& engine, const std::string& code,
               cmn::Region& out) {
  out.set_code(code);
  out.set_kind(engine.GetRegionKind(code) == core::RegionKind::kAggregate
                   ? cmn::REGION_KIND_AGGREGATE
                   : cmn::REGION_KIND_COUNTRY);
}

absl::StatusOr<SnapshotIn> SnapshotOf(const v1::AppendSnapshotsRequest& request,
                                      const core::RecordsEngine& engine,
                                      absl::Time now, v1::SnapshotKey& key) {
  if (!request.has_snapshot()) return InvalidField("snapshot", "is required");
  const v1::ResolvedSnapshot& in = request.snapshot();
  if (!in.has_chart()) return InvalidField("snapshot.chart", "is required");
  SnapshotIn out;
  out.replace = request.replace();
  core::Snapshot& s = out.snapshot;
  if (absl::Status st = SetChartName(in.chart(), "snapshot.chart", s.chart);
      !st.ok()) {
    return st;
  }
  *key.mutable_chart() = in.chart();
  if (!in.has_region()) return InvalidField("snapshot.region", "is required");
  auto region = CheckRegion(in.region(), "snapshot.region", &engine);
  if (!region.ok()) return region.status();
  key.mutable_region()->set_code(region->code);
  key.mutable_region()->set_kind(region->aggregate ? cmn::REGION_KIND_AGGREGATE
                                                   : cmn::REGION_KIND_COUNTRY);
  s.region = std::move(region->code);
  out.aggregate = region->aggregate;
  if (!in.has_capture_time()) {
    return InvalidField("snapshot.capture_time", "is required");
  }
  if (auto st = CheckTimestamp(in.capture_time(), "snapshot.capture_time");
      !st.ok()) {
    return st;
  }
  s.capture_time = ToMicros(in.capture_time());
  if (in.capture_time().seconds() < kEarliestCaptureSeconds) {
    return InvalidField("snapshot.capture_time",
                        "is before 2001; no chart capture is that old");
  }
  if (absl::FromUnixMicros(s.capture_time) > now + kMaxCaptureSkew) {
    return InvalidField("snapshot.capture_time", "is in the future");
  }
  SetTimestamp(s.capture_time, *key.mutable_capture_time());
  s.chart_size = in.chart_size();
  s.entries.reserve(in.entries_size());
  for (const v1::ResolvedEntry& e : in.entries()) {
    s.entries.push_back(core::SnapshotEntry{e.track_id(), e.position()});
  }
  return out;
}

}  // namespace hitclock::records
