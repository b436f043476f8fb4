// The "race to N" chart of `hitclock plot`: how many regions each track had
// reached over the hours since its release, drawn as step lines against the
// threshold, with the instant each track crossed it, as a standalone SVG.
#ifndef HITCLOCK_CLI_PLOT_H_
#define HITCLOCK_CLI_PLOT_H_

#include <optional>
#include <string>
#include <vector>

namespace hitclock::client::plot {

// One step of a series: from `hours` on, the series stands at `count`
// regions (until the next point).
struct Point {
  double hours;
  int count;
};

// One track's race: its name in the legend, its steps (any order; sorted by
// `hours` when drawn) and, when it reached the threshold, the hours it took.
struct Series {
  std::string label;
  std::vector<Point> points;
  std::optional<double> crossing_hours;
};

// The whole chart. `threshold` is N of "#1 in N countries"; 0 draws no
// threshold line. `width` and `height` are in pixels.
struct PlotSpec {
  std::string title;
  std::string subtitle;
  int threshold = 0;
  std::vector<Series> series;
  std::string x_label = "hours since release";
  std::string y_label = "countries";
  int width = 960;
  int height = 540;
};

// A complete standalone SVG 1.1 document (UTF-8) of `spec`: one step line
// per series in a colour-blind-safe palette, a legend naming each series and
// its crossing time ("With You — 4h 44m"), a dashed threshold line, a marker
// at each crossing, axes with 1-2-5 ticks and gridlines, title and subtitle.
// Before its first point a series stands at 0; after its last point it keeps
// its last count to the right edge. Every input renders: text is
// XML-escaped (invalid UTF-8 and control characters replaced), points with
// non-finite hours are left out, and sizes below 240x180 are raised to it.
// The same spec always gives the same bytes.
std::string RenderSvg(const PlotSpec& spec);

}  // namespace hitclock::client::plot

#endif  // HITCLOCK_CLI_PLOT_H_
