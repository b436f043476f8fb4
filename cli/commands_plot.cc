// `hitclock plot`: the "race to N" picture of one or more tracks.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/plot.h"
#include "cli/plot_series.h"
#include "cli/records_view.h"
#include "cli/track_lookup.h"

namespace hitclock::client {
namespace {

struct PlotOptions {
  std::vector<std::string> tracks;
  std::string chart = kDefaultChart;
  int position = 1;
  int regions = 100;
  double hours = 0;
  std::string out = "race.svg";
  std::string title;
  int width = 960;
  int height = 540;
};

int RunPlot(Session& session, const PlotOptions& o) {
  auto chart = ParseChart(o.chart);
  if (!chart.ok()) {
    throw CommandError(kExitUsage, std::string(chart.status().message()));
  }
  TrackLookup lookup(session);
  std::vector<records::v1::GetTimeToThresholdResponse> answers;
  for (const std::string& name : o.tracks) {
    const catalog::v1::Track track = lookup.Find(name, "");
    records::v1::GetTimeToThresholdRequest request;
    request.mutable_track()->set_track_id(track.id());
    *request.mutable_chart() = *chart;
    request.mutable_threshold()->mutable_position()->set_max_position(
        o.position);
    request.set_min_regions(o.regions);
    records::v1::GetTimeToThresholdResponse response;
    session.Check("records",
                  session.records().GetTimeToThreshold(
                      session.client().Context().get(), request, &response));
    answers.push_back(std::move(response));
  }
  plot::PlotSpec spec =
      BuildPlotSpec(answers, ChartName(*chart), o.position, o.regions, o.hours);
  if (!o.title.empty()) spec.title = o.title;
  spec.width = o.width;
  spec.height = o.height;
  const std::string svg = plot::RenderSvg(spec);
  if (o.out == "-") {
    session.out() << svg;
    return 0;
  }
  {
    std::ofstream file(o.out, std::ios::binary | std::ios::trunc);
    file << svg;
    file.close();
    if (!file) {
      throw CommandError(kExitFailure, absl::StrCat("cannot write ", o.out));
    }
  }
  Table table = PlotTable(spec, answers);
  if (session.format() == Format::kJson) {
    Json j = Json::object();
    j["file"] = o.out;
    j["title"] = spec.title;
    j["threshold"] = spec.threshold;
    Json series = Json::array();
    for (size_t i = 0; i < spec.series.size(); ++i) {
      const auto& s = spec.series[i];
      Json one = Json::object();
      one["track_id"] = answers[i].track().track_id();
      one["label"] = s.label;
      one["crossing_hours"] =
          s.crossing_hours ? Json(*s.crossing_hours) : Json();
      Json points = Json::array();
      for (const auto& p : s.points) {
        points.push_back(Json{{"hours", p.hours}, {"count", p.count}});
      }
      one["points"] = points;
      series.push_back(one);
    }
    j["series"] = series;
    session.out() << DumpJson(j) << "\n";
    return 0;
  }
  if (session.format() == Format::kCsv) {
    PrintTable(table, Format::kCsv, session.out());
    return 0;
  }
  std::vector<std::string> summary;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const auto& r = answers[i];
    summary.push_back(absl::StrCat(
        spec.series[i].label, ": ",
        r.reached() ? FormatDuration(r.time_to_threshold())
                    : absl::StrCat("not reached (", r.region_count(), ")")));
  }
  session.out() << "wrote " << o.out << " (" << svg.size()
                << " bytes): " << spec.title << "\n  "
                << absl::StrJoin(summary, "\n  ") << "\n";
  return 0;
}

}  // namespace

void AddPlotCommand(CLI::App& parent, CommandList& commands) {
  auto o = std::make_shared<PlotOptions>();
  CLI::App* p = parent.add_subcommand(
      "plot", "draw the race to N regions of one or more tracks as SVG");
  Describe(p,
           "Draws, for each TRACK, how many regions had shown it at position "
           "<= P over the hours since its release (a step line per track), "
           "with the threshold N as a dashed line and the instant each track "
           "crossed it marked: the \"race to 100\" picture. Writes a "
           "standalone SVG that browsers render.\n"
           "The x axis ends at --hours, by default one and a half times the "
           "slowest crossing (all of the history when no track crossed).\n"
           "--output json or csv also prints the series drawn (hours since "
           "release, regions reached).",
           {"hitclock plot \"With You\" Dynamite --position 1 -o race.svg",
            "hitclock plot with-you dynamite yours --regions 50 --hours 24 "
            "-o race.svg",
            "hitclock plot \"With You\" -o - > race.svg"});
  p->add_option("TRACK", o->tracks,
                "tracks: ids, titles, or \"Artist - Title\"")
      ->required();
  p->add_option("--chart", o->chart, "the chart, provider/list")
      ->capture_default_str();
  p->add_option("-p,--position", o->position, "P: position <= P counts")
      ->check(InRange(1, 500))
      ->capture_default_str();
  p->add_option("-n,--regions", o->regions, "N: the threshold line")
      ->check(Positive())
      ->capture_default_str();
  p->add_option("--hours", o->hours, "end the x axis at this many hours")
      ->check(Positive());
  p->add_option("-o,--out", o->out, "the SVG file to write; - for stdout")
      ->capture_default_str();
  p->add_option("--title", o->title, "the chart's title");
  p->add_option("--width", o->width, "width in pixels")
      ->check(InRange(240, 10000))
      ->capture_default_str();
  p->add_option("--height", o->height, "height in pixels")
      ->check(InRange(180, 10000))
      ->capture_default_str();
  commands.push_back({p, [o](Session& s) { return RunPlot(s, *o); }});
}

}  // namespace hitclock::client
