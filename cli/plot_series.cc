#include "cli/plot_series.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "cli/records_view.h"

namespace hitclock::client {
namespace {

double Hours(const google::protobuf::Duration& d) {
  return DurationSeconds(d) / 3600.0;
}

double HoursBetween(const google::protobuf::Timestamp& from,
                    const google::protobuf::Timestamp& to) {
  return (static_cast<double>(to.seconds() - from.seconds()) +
          (to.nanos() - from.nanos()) / 1e9) /
         3600.0;
}

}  // namespace

plot::PlotSpec BuildPlotSpec(
    const std::vector<records::v1::GetTimeToThresholdResponse>& answers,
    const std::string& chart, int position, int regions, double hours) {
  plot::PlotSpec spec;
  spec.title =
      absl::StrCat("Race to ", ThresholdText(position, regions, false));
  spec.threshold = regions;
  spec.y_label = "countries";
  spec.x_label = "hours since release";
  google::protobuf::Timestamp as_of;
  std::map<std::string, int> titles;
  for (const auto& a : answers) {
    ++titles[a.track().title()];
    if (a.as_of_time().seconds() > as_of.seconds()) as_of = a.as_of_time();
  }
  spec.subtitle = absl::StrCat(chart, " · position <= ", position, " · as of ",
                               FormatTime(as_of));

  double end = hours;
  if (end <= 0) {
    for (const auto& a : answers) {
      if (a.reached()) end = std::max(end, 1.5 * Hours(a.time_to_threshold()));
    }
  }
  if (end <= 0) {
    for (const auto& a : answers) {
      end = std::max(end, HoursBetween(a.reference_time(), a.as_of_time()));
    }
  }
  for (const auto& a : answers) {
    plot::Series series;
    const auto& t = a.track();
    series.label = t.title().empty() ? t.track_id() : t.title();
    if (titles[t.title()] > 1 && !t.artists().empty()) {
      absl::StrAppend(&series.label, " (", t.artists(), ")");
    }
    int count = 0;
    for (const auto& c : a.crossings()) {
      const double h = Hours(c.elapsed());
      if (end > 0 && h > end) break;
      ++count;
      if (!series.points.empty() && series.points.back().hours == h) {
        series.points.back().count = count;
      } else {
        series.points.push_back({h, count});
      }
    }
    if (end > 0 &&
        (series.points.empty() || series.points.back().hours < end)) {
      series.points.push_back({end, count});
    }
    if (a.reached()) series.crossing_hours = Hours(a.time_to_threshold());
    spec.series.push_back(std::move(series));
  }
  return spec;
}

Table PlotTable(
    const plot::PlotSpec& spec,
    const std::vector<records::v1::GetTimeToThresholdResponse>& answers) {
  Table table;
  table.columns = {{"series", "SERIES"},
                   {"track_id", "ID"},
                   {"hours", "HOURS"},
                   {"count", "COUNT"}};
  for (size_t i = 0; i < spec.series.size(); ++i) {
    for (const auto& p : spec.series[i].points) {
      table.rows.push_back(
          {spec.series[i].label,
           i < answers.size() ? Json(answers[i].track().track_id()) : Json(),
           p.hours, p.count});
    }
  }
  return table;
}

}  // namespace hitclock::client
