#include "services/records/records_handler.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/status.h"
#include "common/storefronts.h"
#include "services/records/core/category.h"
#include "services/records/regions.h"

namespace hitclock::records {
namespace {

using common::InvalidField;
using core::Micros;
namespace cmn = hitclock::common::v1;

// 2001-01-01T00:00:00Z: no capture is older.
constexpr int64_t kEarliestCaptureSeconds = 978307200;
// Timestamps protobuf accepts: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

std::string Field(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

absl::Status CheckTimestamp(const google::protobuf::Timestamp& t,
                            std::string_view field) {
  if (t.seconds() < kMinTimestampSeconds ||
      t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return InvalidField(field, "is not a valid timestamp");
  }
  return absl::OkStatus();
}

Micros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

// Sets `t` to an instant. Answers fill their fields in place with this
// rather than assigning a temporary (`TimestampOf`), which saves a message
// construction and copy per field on hot paths.
void SetTimestamp(Micros micros, google::protobuf::Timestamp& t) {
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  t.set_seconds(seconds);
  t.set_nanos(static_cast<int32_t>(rest * 1000));
}

google::protobuf::Timestamp TimestampOf(Micros micros) {
  google::protobuf::Timestamp t;
  SetTimestamp(micros, t);
  return t;
}

void SetDuration(Micros micros, google::protobuf::Duration& d) {
  d.set_seconds(micros / 1'000'000);
  d.set_nanos(static_cast<int32_t>((micros % 1'000'000) * 1000));
}

google::protobuf::Duration DurationOf(Micros micros) {
  google::protobuf::Duration d;
  SetDuration(micros, d);
  return d;
}

bool IsSlug(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// Sets `name` to "provider/list" from a ChartId, checked (reusing the
// buffer of `name`).
absl::Status SetChartName(const cmn::ChartId& chart, std::string_view field,
                          std::string& name) {
  if (chart.provider().empty()) {
    return InvalidField(Field(field, "provider"), "is required");
  }
  if (!IsSlug(chart.provider())) {
    return InvalidField(Field(field, "provider"),
                        "must be lowercase letters, digits and `-`");
  }
  if (chart.list().empty()) {
    return InvalidField(Field(field, "list"), "is required");
  }
  if (!IsSlug(chart.list())) {
    return InvalidField(Field(field, "list"),
                        "must be lowercase letters, digits and `-`");
  }
  name.assign(chart.provider()).append("/").append(chart.list());
  return absl::OkStatus();
}

// "provider/list" from a ChartId, checked.
absl::StatusOr<std::string> ChartName(const cmn::ChartId& chart,
                                      std::string_view field) {
  std::string name;
  if (absl::Status s = SetChartName(chart, field, name); !s.ok()) return s;
  return name;
}

// Empties a string kept between calls, letting an unusually large buffer go
// (one huge request must not pin its memory on a thread).
void ClearKeepingSmallBuffer(std::string& s) {
  if (s.capacity() > 256) {
    std::string().swap(s);
  } else {
    s.clear();
  }
}

cmn::ChartId ChartProto(std::string_view name) {
  cmn::ChartId chart;
  const size_t slash = name.find('/');
  chart.set_provider(std::string(name.substr(0, slash)));
  if (slash != std::string_view::npos) {
    chart.set_list(std::string(name.substr(slash + 1)));
  }
  return chart;
}

struct RegionIn {
  std::string code;
  bool aggregate = false;
};

// A region of a request: a storefront, a known aggregate (`ww`, `eu`), one
// the engine already holds as an aggregate, or any code given with kind
// AGGREGATE.
absl::StatusOr<RegionIn> CheckRegion(const cmn::Region& region,
                                     std::string_view field,
                                     const core::RecordsEngine* engine) {
  const std::string& code = region.code();
  if (code.empty()) return InvalidField(Field(field, "code"), "is required");
  if (code.size() > 16 || !IsSlug(code)) {
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
absl::StatusOr<size_t> PageOffset(const std::string& token,
                                  const std::string& scope) {
  auto position = common::DecodePageToken(token, scope);
  if (!position.ok()) return position.status();
  if (position->empty()) return 0;
  size_t offset = 0;
  if (!absl::SimpleAtoi(*position, &offset)) {
    return InvalidField("page_token", "was not issued by this server");
  }
  return offset;
}

}  // namespace

RecordsHandler::RecordsHandler(std::unique_ptr<RecordsStore> store,
                               CatalogFacts& facts, HandlerOptions options)
    : options_(std::move(options)),
      store_(std::move(store)),
      facts_(facts),
      engine_(
          core::EngineOptions{.milestones = options_.milestones,
                              .watched_positions = options_.watched_positions,
                              .record_events = false}) {}

absl::StatusOr<std::unique_ptr<RecordsHandler>> RecordsHandler::Create(
    std::unique_ptr<RecordsStore> store, CatalogFacts& facts,
    HandlerOptions options) {
  std::unique_ptr<RecordsHandler> handler(
      new RecordsHandler(std::move(store), facts, std::move(options)));
  auto aggregates = handler->store_->AggregateRegions();
  if (!aggregates.ok()) return aggregates.status();
  std::unique_lock lock(handler->engine_mu_);
  for (const std::string& code : *aggregates) {
    handler->engine_.SetRegionKind(code, core::RegionKind::kAggregate);
  }
  // The all-kill set of the iTunes purchase chart: every storefront that
  // publishes it, whether or not records has seen it yet.
  const auto countries = common::ItunesSongChartCountries();
  handler->engine_.SetChartCountries(
      "itunes/top-songs",
      std::vector<std::string>(countries.begin(), countries.end()));
  // The bulk path: track numbers instead of ids, each region's captures in
  // time order, the derived state rebuilt once at the end.
  int64_t count = 0;
  const std::vector<std::string> names = handler->store_->TrackNames();
  std::vector<uint32_t> engine_track(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (!names[i].empty())
      engine_track[i] = handler->engine_.TrackNumber(names[i]);
  }
  // Store numbers map to engine numbers in the same order when the engine
  // interned them in store order (it starts empty): the store's sorted
  // bodies then need no sort here.
  bool monotone = true;
  for (size_t i = 0, last = 0, seen = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    if (seen++ > 0 && engine_track[i] <= engine_track[last]) monotone = false;
    last = i;
  }
  handler->engine_.BeginLoad();
  // Two threads: this one applies snapshots to the engine while a reader
  // decodes the next ones from the store. They are handed over in batches
  // (one flat observation array each) through a small bounded queue, and
  // applied batches go back to the reader to be refilled, so that no
  // snapshot costs an allocation.
  struct Header {
    std::string_view chart, region;
    int64_t capture_time = 0;
    int chart_size = 0;
    size_t begin = 0, end = 0;
  };
  struct Batch {
    std::vector<Header> headers;
    std::vector<std::pair<uint32_t, int>> observations;
  };
  constexpr size_t kBatch = 1024, kBatchesAhead = 4;
  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<Batch> queue, spare;
  bool reading_done = false, stop_reading = false;
  absl::Status read_status;
  std::thread reader([&] {
    Batch batch;
    auto hand_over = [&]() -> bool {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(
          lock, [&] { return queue.size() < kBatchesAhead || stop_reading; });
      if (stop_reading) return false;
      queue.push_back(std::move(batch));
      queue_cv.notify_all();
      if (!spare.empty()) {
        batch = std::move(spare.front());
        spare.pop_front();
      } else {
        batch = Batch{};
      }
      batch.headers.clear();
      batch.observations.clear();
      return true;
    };
    absl::Status s =
        handler->store_->ForEachStored([&](StoredSnapshot& snapshot) {
          Header h{snapshot.chart,
                   snapshot.region,
                   snapshot.capture_time,
                   snapshot.chart_size,
                   batch.observations.size(),
                   0};
          for (const auto& [track, position] : snapshot.observations) {
            batch.observations.emplace_back(engine_track[track], position);
          }
          h.end = batch.observations.size();
          if (!monotone) {
            std::sort(batch.observations.begin() + h.begin,
                      batch.observations.end());
          }
          batch.headers.push_back(h);
          if (batch.headers.size() == kBatch && !hand_over()) {
            return absl::CancelledError("reload stopped");
          }
          return absl::OkStatus();
        });
    if (s.ok() && !batch.headers.empty()) hand_over();
    std::lock_guard lock(queue_mu);
    read_status = s;
    reading_done = true;
    queue_cv.notify_all();
  });
  absl::Status reload;
  while (reload.ok()) {
    Batch batch;
    {
      std::unique_lock lock(queue_mu);
      queue_cv.wait(lock, [&] { return !queue.empty() || reading_done; });
      if (queue.empty()) break;
      batch = std::move(queue.front());
      queue.pop_front();
      queue_cv.notify_all();
    }
    for (const Header& h : batch.headers) {
      absl::Status s = handler->engine_.Load(
          h.chart, h.region, h.capture_time, h.chart_size,
          absl::MakeSpan(batch.observations.data() + h.begin, h.end - h.begin));
      if (!s.ok()) {
        reload = absl::DataLossError(absl::StrCat(
            "records store: a stored snapshot does not load: ", s.message()));
        break;
      }
      ++count;
    }
    std::lock_guard lock(queue_mu);
    spare.push_back(std::move(batch));
  }
  {
    std::lock_guard lock(queue_mu);
    stop_reading = true;
    queue_cv.notify_all();
  }
  reader.join();
  if (reload.ok()) reload = read_status;
  handler->engine_.FinishLoad();
  if (!reload.ok()) return reload;
  common::LogInfo("records reloaded", {{"snapshots", absl::StrCat(count)}});
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

std::optional<RecordsHandler::Prepared> RecordsHandler::Prepare(
    const v1::AppendSnapshotsRequest& request,
    v1::AppendSnapshotsResponse& response) const {
  auto reject = [&](const absl::Status& status) {
    response.set_outcome(v1::APPEND_OUTCOME_REJECTED);
    *response.mutable_error() = AppendErrorOf(status);
    return std::nullopt;
  };
  if (!request.has_snapshot()) {
    return reject(InvalidField("snapshot", "is required"));
  }
  const v1::ResolvedSnapshot& in = request.snapshot();
  v1::SnapshotKey& key = *response.mutable_key();

  // Validation: nothing is touched before all of it passed.
  if (!in.has_chart())
    return reject(InvalidField("snapshot.chart", "is required"));
  auto chart = ChartName(in.chart(), "snapshot.chart");
  if (!chart.ok()) return reject(chart.status());
  *key.mutable_chart() = in.chart();
  if (!in.has_region()) {
    return reject(InvalidField("snapshot.region", "is required"));
  }
  absl::StatusOr<RegionIn> region;
  {
    std::shared_lock lock(engine_mu_);
    region = CheckRegion(in.region(), "snapshot.region", &engine_);
  }
  if (!region.ok()) return reject(region.status());
  key.mutable_region()->set_code(region->code);
  key.mutable_region()->set_kind(region->aggregate ? cmn::REGION_KIND_AGGREGATE
                                                   : cmn::REGION_KIND_COUNTRY);
  if (!in.has_capture_time()) {
    return reject(InvalidField("snapshot.capture_time", "is required"));
  }
  if (auto s = CheckTimestamp(in.capture_time(), "snapshot.capture_time");
      !s.ok()) {
    return reject(s);
  }
  const Micros capture = ToMicros(in.capture_time());
  if (in.capture_time().seconds() < kEarliestCaptureSeconds) {
    return reject(InvalidField("snapshot.capture_time",
                               "is before 2001; no chart capture is that old"));
  }
  if (absl::FromUnixMicros(capture) > options_.clock() + kMaxCaptureSkew) {
    return reject(InvalidField("snapshot.capture_time", "is in the future"));
  }
  *key.mutable_capture_time() = TimestampOf(capture);
  if (in.chart_size() < 1 || in.chart_size() > kMaxChartSize) {
    return reject(InvalidField("snapshot.chart_size",
                               absl::StrCat("is ", in.chart_size(),
                                            "; must be 1 to ", kMaxChartSize)));
  }
  // Observations: each track at its best position.
  std::vector<int> entry_at_position(in.chart_size() + 1, -1);
  absl::flat_hash_map<std::string_view, int> best;
  best.reserve(in.entries_size());
  for (int i = 0; i < in.entries_size(); ++i) {
    const v1::ResolvedEntry& e = in.entries(i);
    auto field = [i](const char* name) {
      return absl::StrCat("snapshot.entries[", i, "].", name);
    };
    if (e.track_id().empty()) {
      return reject(InvalidField(field("track_id"), "is required"));
    }
    if (e.track_id().size() > 128) {
      return reject(InvalidField(field("track_id"), "is longer than 128"));
    }
    if (e.position() < 1 || e.position() > in.chart_size()) {
      return reject(InvalidField(
          field("position"),
          absl::StrCat("is ", e.position(), "; must be 1 to chart_size ",
                       in.chart_size())));
    }
    int& at = entry_at_position[e.position()];
    if (at >= 0) {
      return reject(InvalidField(
          field("position"),
          absl::StrCat("position ", e.position(),
                       " is also given by snapshot.entries[", at, "]")));
    }
    at = i;
    auto [b, fresh] =
        best.emplace(std::string_view(e.track_id().data(), e.track_id().size()),
                     e.position());
    if (!fresh) b->second = std::min(b->second, e.position());
  }
  Prepared out{.snapshot = {.chart = *chart,
                            .region = region->code,
                            .capture_time = capture,
                            .chart_size = in.chart_size(),
                            .entries = {}},
               .aggregate = region->aggregate,
               .replace = request.replace()};
  out.snapshot.entries.reserve(best.size());
  for (const auto& [track, position] : best) {
    out.snapshot.entries.push_back({std::string(track), position});
  }
  std::sort(
      out.snapshot.entries.begin(), out.snapshot.entries.end(),
      [](const auto& a, const auto& b) { return a.position < b.position; });
  return out;
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
  std::vector<std::optional<Prepared>> prepared(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    responses[i].set_index(first_index + static_cast<int64_t>(i));
    prepared[i] = Prepare(*requests[i], responses[i]);
  }

  std::lock_guard append_lock(append_mu_);
  // The messages decided and waiting for the commit, by index.
  std::vector<size_t> batch;
  absl::flat_hash_set<std::tuple<std::string, std::string, Micros>> keys;
  auto reject = [&](size_t i, const absl::Status& status) {
    responses[i].set_outcome(v1::APPEND_OUTCOME_REJECTED);
    *responses[i].mutable_error() = AppendErrorOf(status);
  };
  // Commits the batch in one transaction, then applies it to the engine in
  // order; every result is final only after the commit.
  auto flush = [&] {
    if (batch.empty()) return;
    std::vector<std::pair<const core::Snapshot*, bool>> puts;
    puts.reserve(batch.size());
    for (size_t i : batch) {
      puts.emplace_back(&prepared[i]->snapshot, prepared[i]->aggregate);
    }
    if (absl::Status s = store_->PutAll(puts); !s.ok()) {
      common::LogError("snapshots not stored",
                       {{"error", std::string(s.message())},
                        {"snapshots", absl::StrCat(batch.size())}});
      for (size_t i : batch) reject(i, s);
      batch.clear();
      keys.clear();
      return;
    }
    std::vector<v1::RecordBrokenEvent> events;
    {
      std::unique_lock lock(engine_mu_);
      const absl::Time now = options_.clock();
      for (size_t i : batch) {
        const Prepared& p = *prepared[i];
        if (p.aggregate && engine_.GetRegionKind(p.snapshot.region) !=
                               core::RegionKind::kAggregate) {
          engine_.SetRegionKind(p.snapshot.region,
                                core::RegionKind::kAggregate);
        }
        auto result = engine_.Append(p.snapshot,
                                     p.replace ? core::ConflictPolicy::kReplace
                                               : core::ConflictPolicy::kReject);
        if (!result.ok()) {
          // Validated and decided above: the engine disagreeing is a bug.
          common::LogError("committed snapshot refused by the engine",
                           {{"error", std::string(result.status().message())}});
          reject(i, absl::InternalError("the snapshot could not be applied"));
          continue;
        }
        responses[i].set_outcome(p.outcome);
        responses[i].set_observation_count(result->observation_count);
        for (const core::RecordEvent& event : result->events) {
          events.push_back(EventProto(event, now));
        }
      }
    }
    hub_.Publish(events);
    if (follower_ != nullptr) {
      std::vector<std::string> unknown;
      absl::flat_hash_set<std::string_view> asked;
      for (size_t i : batch) {
        for (const auto& e : prepared[i]->snapshot.entries) {
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

  for (size_t i = 0; i < requests.size(); ++i) {
    if (!prepared[i].has_value()) continue;
    Prepared& p = *prepared[i];
    auto key = std::make_tuple(p.snapshot.chart, p.snapshot.region,
                               p.snapshot.capture_time);
    // A second message for one identity is decided against the first.
    if (keys.contains(key)) flush();
    // What is held decides the outcome before anything is written.
    std::optional<core::Snapshot> held;
    {
      std::shared_lock lock(engine_mu_);
      held = engine_.GetSnapshot(
          {p.snapshot.chart, p.snapshot.region, p.snapshot.capture_time});
    }
    p.outcome = v1::APPEND_OUTCOME_APPENDED;
    if (held.has_value()) {
      absl::flat_hash_map<std::string_view, int> now;
      for (const auto& e : p.snapshot.entries) now[e.track_id] = e.position;
      bool subset = held->chart_size == p.snapshot.chart_size;
      for (const auto& e : held->entries) {
        auto it = now.find(e.track_id);
        if (it == now.end() || it->second != e.position) subset = false;
      }
      if (subset && held->entries.size() == p.snapshot.entries.size()) {
        responses[i].set_outcome(v1::APPEND_OUTCOME_DUPLICATE);
        responses[i].set_observation_count(
            static_cast<int32_t>(held->entries.size()));
        continue;
      }
      if (subset) {
        p.outcome = v1::APPEND_OUTCOME_MERGED;
      } else if (p.replace) {
        p.outcome = v1::APPEND_OUTCOME_REPLACED;
      } else {
        reject(i, absl::AlreadyExistsError(
                      "records holds a different snapshot with this chart, "
                      "region and capture_time; set replace to overwrite it"));
        continue;
      }
    }
    keys.insert(std::move(key));
    batch.push_back(i);
  }
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

void RecordsHandler::SetRegion(const std::string& code,
                               cmn::Region& out) const {
  out.set_code(code);
  out.set_kind(engine_.GetRegionKind(code) == core::RegionKind::kAggregate
                   ? cmn::REGION_KIND_AGGREGATE
                   : cmn::REGION_KIND_COUNTRY);
}

v1::RecordHolder RecordsHandler::HolderProto(const core::RecordKey& key,
                                             const core::RecordHolder& holder,
                                             bool with_best) const {
  v1::RecordHolder out;
  facts_.GetSummary(holder.track_id, *out.mutable_track());
  *out.mutable_value() = ValueProto(key.metric, holder.value);
  SetTimestamp(holder.reach_time, *out.mutable_reach_time());
  SetRegion(holder.reach_region, *out.mutable_reach_region());
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
  auto offset = PageOffset(request.page_token(), scope);
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
    response.set_next_page_token(
        common::EncodePageToken(scope, absl::StrCat(end)));
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
    SetRegion(answer->completing_region, *response.mutable_completing_region());
    SetInterval(answer->bounds, *response.mutable_bounds());
  }
  SetTimestamp(answer->reference_time, *response.mutable_reference_time());
  response.set_region_count(answer->region_count);
  response.set_eligible_region_count(answer->eligible_region_count);
  response.mutable_crossings()->Reserve(
      static_cast<int>(answer->crossings.size()));
  for (const core::Crossing& c : answer->crossings) {
    v1::Crossing& out = *response.add_crossings();
    SetRegion(c.region, *out.mutable_region());
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
    step = request.step().seconds() * 1'000'000 + request.step().nanos() / 1000;
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
  auto offset = PageOffset(request.page_token(), scope);
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
    response.set_next_page_token(
        common::EncodePageToken(scope, absl::StrCat(end)));
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
