#include "cli/records_view.h"

#include "absl/strings/str_cat.h"
#include "cli/args.h"

namespace hitclock::client {

using records::v1::Metric;

std::string ThresholdText(int position, int regions, bool custom_regions) {
  return absl::StrCat(position == 1 ? "#1" : absl::StrCat("top ", position),
                      " in ", regions,
                      custom_regions ? " regions"
                      : regions == 1 ? " country"
                                     : " countries");
}

std::string FormatSecondsExact(const google::protobuf::Duration& d) {
  if (d.nanos() == 0) return absl::StrCat(d.seconds(), " s");
  return absl::StrCat(JsonCell(DurationSeconds(d)), " s");
}

std::string RecordTitle(const records::v1::RecordKey& key) {
  const int p = key.threshold().has_position()
                    ? key.threshold().position().max_position()
                    : 1;
  const std::string at = p == 1 ? "#1" : absl::StrCat("top ", p);
  std::string what;
  switch (key.metric()) {
    case records::v1::METRIC_FASTEST:
      what = absl::StrCat("fastest to ", ThresholdText(p, key.min_regions(),
                                                       /*custom=*/false));
      break;
    case records::v1::METRIC_TOTAL:
      what = absl::StrCat("most countries at ", at, " (total)");
      break;
    case records::v1::METRIC_PEAK:
      what = absl::StrCat("most countries at ", at, " at once (peak)");
      break;
    case records::v1::METRIC_ALL_KILL:
      what = absl::StrCat("fastest all-kill at ", at);
      break;
    default:
      what = "unspecified metric";
  }
  return absl::StrCat(what, " · ", ChartName(key.chart()), " · ",
                      CategoryName(key.category()));
}

Json RecordJson(const records::v1::RecordKey& key) {
  Json j = Json::object();
  j["chart"] = ChartName(key.chart());
  j["metric"] = MetricName(key.metric());
  j["position"] = key.threshold().has_position()
                      ? key.threshold().position().max_position()
                      : 1;
  j["regions"] = key.min_regions();
  j["category"] = CategoryName(key.category());
  return j;
}

std::string ValueText(const records::v1::MetricValue& value) {
  if (value.has_duration()) return FormatDuration(value.duration());
  if (value.value_case() == records::v1::MetricValue::kRegionCount) {
    return absl::StrCat(value.region_count());
  }
  return "";
}

Json ValueJson(const records::v1::MetricValue& value) {
  if (value.has_duration()) return Json(DurationSeconds(value.duration()));
  if (value.value_case() == records::v1::MetricValue::kRegionCount) {
    return Json(value.region_count());
  }
  return Json();
}

namespace {

bool IsDurationMetric(Metric m) {
  return m == records::v1::METRIC_FASTEST || m == records::v1::METRIC_ALL_KILL;
}

// The value cell of a table: text for durations (with the seconds in a
// JSON/CSV column of their own), a number for counts.
Json ValueCell(const records::v1::MetricValue& value) {
  if (value.has_duration()) return Json(ValueText(value));
  return ValueJson(value);
}

std::string Label(const records::v1::TrackSummary& t) {
  if (t.title().empty()) return t.track_id();
  return t.artists().empty() ? t.title()
                             : absl::StrCat(t.title(), " (", t.artists(), ")");
}

}  // namespace

Table TttTable(const records::v1::GetTimeToThresholdResponse& r,
               const std::string& chart, int position, int regions) {
  Table t;
  t.columns = {{"track_id", "ID"},
               {"title", "TITLE"},
               {"artists", "ARTISTS"},
               {"chart", "CHART"},
               {"position", "P"},
               {"regions", "N"},
               {"reached", "REACHED"},
               {"seconds", "SECONDS"},
               {"duration", "TIME"},
               {"reach_time", "REACHED AT"},
               {"completing_region", "REGION"},
               {"bounds_start", "BOUNDS FROM"},
               {"bounds_end", "BOUNDS TO"},
               {"reference_time", "REFERENCE"},
               {"region_count", "REGIONS SO FAR"},
               {"eligible_region_count", "ELIGIBLE"},
               {"as_of_time", "AS OF"}};
  const bool reached = r.reached();
  t.rows.push_back(
      {r.track().track_id(), r.track().title(), r.track().artists(), chart,
       position, regions, reached,
       reached ? Json(DurationSeconds(r.time_to_threshold())) : Json(),
       reached ? Json(FormatDuration(r.time_to_threshold())) : Json(),
       reached ? Json(FormatTime(r.reach_time())) : Json(),
       reached ? Json(r.completing_region().code()) : Json(),
       reached ? Json(FormatTime(r.bounds().start_time())) : Json(),
       reached ? Json(FormatTime(r.bounds().end_time())) : Json(),
       FormatTime(r.reference_time()), r.region_count(),
       r.eligible_region_count(), FormatTime(r.as_of_time())});
  return t;
}

Table CrossingsTable(const records::v1::GetTimeToThresholdResponse& r) {
  Table t;
  t.columns = {{"track_id", "ID", false},
               {"n", "#"},
               {"region", "REGION"},
               {"capture_time", "CAPTURE"},
               {"previous_capture_time", "PREVIOUS CAPTURE"},
               {"position", "POSITION"},
               {"elapsed_seconds", "SECONDS", false},
               {"elapsed", "ELAPSED"}};
  int n = 0;
  for (const auto& c : r.crossings()) {
    t.rows.push_back({r.track().track_id(), ++n, c.region().code(),
                      FormatTime(c.capture_time()),
                      FormatTime(c.previous_capture_time()), c.position(),
                      DurationSeconds(c.elapsed()),
                      FormatDuration(c.elapsed())});
  }
  return t;
}

Json TttJson(const records::v1::GetTimeToThresholdResponse& r,
             const std::string& chart, int position, int regions) {
  Json j = TttTable(r, chart, position, regions).RowJson(0);
  Json track = Json::object();
  track["track_id"] = r.track().track_id();
  track["title"] = r.track().title();
  track["artists"] = r.track().artists();
  track["release_time"] = FormatTime(r.track().release_time());
  j["track"] = track;
  j["crossings"] = CrossingsTable(r).ToJson();
  return j;
}

Table LeaderboardTable(const std::vector<records::v1::LeaderboardRow>& rows,
                       Metric metric) {
  Table t;
  const bool duration = IsDurationMetric(metric);
  t.columns = {{"rank", "RANK"},
               {"track_id", "ID", false},
               {"title", "TRACK"},
               {"artists", "ARTISTS"},
               {"value", duration ? "TIME" : "REGIONS"},
               {"seconds", "SECONDS", false},
               {"region", "REGION"},
               {"reach_time", "WHEN"},
               {"bounds_start", "BOUNDS FROM", false},
               {"bounds_end", "BOUNDS TO", false}};
  for (const auto& row : rows) {
    t.rows.push_back({row.rank(), row.track().track_id(),
                      row.track().title().empty() ? row.track().track_id()
                                                  : row.track().title(),
                      row.track().artists(), ValueCell(row.value()),
                      duration ? ValueJson(row.value()) : Json(),
                      row.reach_region().code(), FormatTime(row.reach_time()),
                      FormatTime(row.bounds().start_time()),
                      FormatTime(row.bounds().end_time())});
  }
  return t;
}

Table LineageTable(const records::v1::GetRecordLineageResponse& r,
                   Metric metric) {
  Table t;
  const bool duration = IsDurationMetric(metric);
  t.columns = {{"n", "#"},
               {"track_id", "ID", false},
               {"title", "TRACK"},
               {"artists", "ARTISTS"},
               {"value", duration ? "TIME" : "REGIONS"},
               {"seconds", "SECONDS", false},
               {"best", "BEST", !duration},
               {"region", "REGION"},
               {"reach_time", "TOOK THE RECORD"}};
  int n = 0;
  for (const auto& h : r.holders()) {
    t.rows.push_back(
        {++n, h.track().track_id(),
         h.track().title().empty() ? h.track().track_id() : h.track().title(),
         h.track().artists(), ValueCell(h.value()),
         duration ? ValueJson(h.value()) : Json(), ValueCell(h.best_value()),
         h.reach_region().code(), FormatTime(h.reach_time())});
  }
  return t;
}

Table WatchTable(const std::vector<records::v1::RecordBrokenEvent>& events) {
  Table t;
  t.columns = {{"detect_time", "DETECTED"},
               {"chart", "CHART"},
               {"metric", "METRIC"},
               {"position", "P"},
               {"regions", "N"},
               {"category", "CATEGORY"},
               {"track_id", "ID"},
               {"title", "TRACK"},
               {"artists", "ARTISTS"},
               {"value", "VALUE"},
               {"seconds", "SECONDS"},
               {"reach_time", "REACHED AT"},
               {"previous_track_id", "PREVIOUS ID"},
               {"previous_title", "PREVIOUS"},
               {"previous_value", "PREVIOUS VALUE"},
               {"previous_seconds", "PREVIOUS SECONDS"},
               {"backfilled", "BACKFILLED"},
               {"snapshot_region", "SNAPSHOT REGION"},
               {"snapshot_capture_time", "SNAPSHOT CAPTURE"}};
  for (const auto& e : events) {
    const auto& key = e.record();
    const auto& now = e.new_holder();
    const bool prev = e.has_previous_holder();
    const auto& before = e.previous_holder();
    t.rows.push_back(
        {FormatTime(e.detect_time()), ChartName(key.chart()),
         MetricName(key.metric()),
         key.threshold().has_position()
             ? key.threshold().position().max_position()
             : 1,
         key.min_regions(), CategoryName(key.category()),
         now.track().track_id(), now.track().title(), now.track().artists(),
         ValueText(now.value()),
         now.value().has_duration() ? ValueJson(now.value()) : Json(),
         FormatTime(now.reach_time()),
         prev ? Json(before.track().track_id()) : Json(),
         prev ? Json(before.track().title()) : Json(),
         prev ? Json(ValueText(before.value())) : Json(),
         prev && before.value().has_duration() ? ValueJson(before.value())
                                               : Json(),
         e.backfilled(), e.snapshot().region().code(),
         FormatTime(e.snapshot().capture_time())});
  }
  return t;
}

Json EventJson(const records::v1::RecordBrokenEvent& event) {
  return WatchTable({event}).RowJson(0);
}

std::string EventLine(const records::v1::RecordBrokenEvent& e) {
  std::string line = absl::StrCat(
      FormatTime(e.detect_time()), "  RECORD ", RecordTitle(e.record()), ": ",
      Label(e.new_holder().track()), " ", ValueText(e.new_holder().value()));
  if (e.has_previous_holder()) {
    absl::StrAppend(&line, ", beating ", Label(e.previous_holder().track()),
                    " ", ValueText(e.previous_holder().value()));
  } else {
    absl::StrAppend(&line, " (first holder)");
  }
  absl::StrAppend(&line, "; snapshot ", e.snapshot().region().code(), " ",
                  FormatTime(e.snapshot().capture_time()));
  if (e.backfilled()) absl::StrAppend(&line, " [backfilled]");
  return line;
}

}  // namespace hitclock::client
