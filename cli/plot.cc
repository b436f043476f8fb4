#include "cli/plot.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_format.h"

namespace hitclock::client::plot {
namespace {

// Okabe & Ito's colour-blind-safe palette, without its yellow (too pale on
// white). Series past the seventh reuse it with a dash pattern.
constexpr const char* kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                    "#E69F00", "#56B4E9", "#000000"};
constexpr int kPaletteSize = sizeof(kPalette) / sizeof(kPalette[0]);
constexpr const char* kDashes[] = {"", "9 4", "2 3", "9 3 2 3"};
constexpr int kDashesSize = sizeof(kDashes) / sizeof(kDashes[0]);

constexpr int kMinWidth = 240;
constexpr int kMinHeight = 180;
// Hours beyond this (about 1100 years) are clamped: the chart stays finite.
constexpr double kMaxAbsHours = 1e7;

constexpr const char* kFont = "sans-serif";
constexpr const char* kTextColour = "#222222";
constexpr const char* kMutedColour = "#555555";
constexpr const char* kGridColour = "#e6e6e6";
constexpr const char* kAxisColour = "#444444";
constexpr const char* kEmDash = "\xE2\x80\x94";
constexpr const char* kReplacement = "\xEF\xBF\xBD";

// `text` as valid single-line UTF-8: each byte of an invalid sequence and
// each control character becomes U+FFFD, tabs and line breaks a space.
std::string Sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    int len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      len = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= text.size();
    for (int k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (cc & 0x3F);
      }
    }
    if (ok) {
      static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
      if (cp < kSmallest[len] || cp > 0x10FFFF ||
          (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
        ok = false;
      }
    }
    if (!ok) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      out += ' ';
    } else if (cp < 0x20) {
      out += kReplacement;
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

// Sanitized `text` with the XML specials escaped, safe in character data and
// in double- or single-quoted attribute values.
std::string Escape(std::string_view text) {
  std::string out;
  for (char c : Sanitize(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// About how wide `text` is drawn at `font_size` px in a sans-serif font:
// what utf8proc counts as a wide character (CJK, Hangul, fullwidth forms)
// and the em dash one em, a combining mark nothing, Latin letters by shape.
double TextWidth(std::string_view text, double font_size) {
  const std::string s = Sanitize(text);  // Valid UTF-8 from here on.
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto size = static_cast<utf8proc_ssize_t>(s.size());
  double ems = 0;
  for (utf8proc_ssize_t i = 0; i < size;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = std::max<utf8proc_ssize_t>(
        1, utf8proc_iterate(bytes + i, size - i, &cp));
    i += len;
    const int columns = utf8proc_charwidth(cp);
    if (columns >= 2 || cp == 0x2014) {
      ems += 1.0;
    } else if (columns == 0) {
      continue;
    } else if (cp == 'm') {
      ems += 0.98;
    } else if (cp == 'w' || cp == 'M' || cp == 'W') {
      ems += 0.84;
    } else if (cp == ' ' || cp == 'i' || cp == 'l' || cp == 'j' || cp == 't' ||
               cp == 'f' || cp == 'r' || cp == '.' || cp == ',' || cp == '\'') {
      ems += 0.36;
    } else if (cp >= 'A' && cp <= 'Z') {
      ems += 0.72;
    } else if (cp >= '0' && cp <= '9') {
      ems += 0.64;
    } else {
      ems += 0.6;
    }
  }
  return ems * font_size;
}

// A coordinate with at most two decimals, no trailing zeros, never "-0".
std::string Num(double v) {
  std::string s = absl::StrFormat("%.2f", v);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// A tick value with the decimals its step needs, never "-0".
std::string TickLabel(double v, double step) {
  int decimals = 0;
  if (step < 1) {
    decimals =
        std::min(6, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
  }
  std::string s = absl::StrFormat("%.*f", decimals, v);
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') {
    s.erase(0, 1);
  }
  return s;
}

// A step of 1, 2 or 5 times a power of ten that cuts `span` into about
// `target` intervals.
double NiceStep(double span, double target) {
  double raw = span / std::max(1.0, target);
  if (!(raw > 0) || !std::isfinite(raw)) return 1;
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / magnitude;
  double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * magnitude;
}

// "4h 44m": hours rounded to the minute.
std::string FormatDuration(double hours) {
  double minutes_d = std::round(std::abs(hours) * 60);
  int64_t minutes = static_cast<int64_t>(minutes_d);
  std::string sign = hours < 0 && minutes > 0 ? "-" : "";
  if (minutes < 60) return absl::StrFormat("%s%dm", sign, minutes);
  return absl::StrFormat("%s%dh %dm", sign, minutes / 60, minutes % 60);
}

double ClampHours(double h) {
  return std::clamp(h, -kMaxAbsHours, kMaxAbsHours);
}

struct Box {
  double x0, y0, x1, y1;
  bool Overlaps(const Box& o) const {
    return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
  }
  bool Contains(double x, double y) const {
    return x >= x0 && x <= x1 && y >= y0 && y <= y1;
  }
};

// Text drawn over a white halo (a stroked copy underneath), readable where
// it crosses lines; plain SVG 1.1, no paint-order.
void HaloText(std::string& svg, double x, double y, const std::string& anchor,
              const std::string& style, const std::string& fill,
              const std::string& text, const std::string& cls) {
  std::string escaped = Escape(text);
  absl::StrAppendFormat(&svg,
                        "<g class=\"%s\" text-anchor=\"%s\" %s>"
                        "<text x=\"%s\" y=\"%s\" fill=\"#ffffff\" "
                        "stroke=\"#ffffff\" stroke-width=\"4\" "
                        "stroke-linejoin=\"round\">%s</text>"
                        "<text x=\"%s\" y=\"%s\" fill=\"%s\">%s</text></g>\n",
                        cls, anchor, style, Num(x), Num(y), escaped, Num(x),
                        Num(y), fill, escaped);
}

}  // namespace

std::string RenderSvg(const PlotSpec& spec) {
  const int width = std::max(spec.width, kMinWidth);
  const int height = std::max(spec.height, kMinHeight);

  // The series as drawn: finite points sorted by hours (stable, so equal
  // hours keep their given order and the last one wins).
  struct Drawn {
    std::string label;
    std::vector<Point> points;
    std::optional<double> crossing;
    std::string colour;
    std::string dash;
  };
  std::vector<Drawn> series;
  for (size_t i = 0; i < spec.series.size(); ++i) {
    const Series& s = spec.series[i];
    Drawn d;
    d.label = s.label;
    for (const Point& p : s.points) {
      if (std::isfinite(p.hours)) {
        d.points.push_back({ClampHours(p.hours), p.count});
      }
    }
    std::stable_sort(
        d.points.begin(), d.points.end(),
        [](const Point& a, const Point& b) { return a.hours < b.hours; });
    if (s.crossing_hours && std::isfinite(*s.crossing_hours)) {
      d.crossing = ClampHours(*s.crossing_hours);
    }
    d.colour = kPalette[i % kPaletteSize];
    d.dash = kDashes[(i / kPaletteSize) % kDashesSize];
    series.push_back(std::move(d));
  }

  // Data ranges. Hours start at 0 (or earlier when the data does), counts
  // at 0; the threshold is always in view.
  double data_x_lo = 0, data_x_hi = 0;
  double data_y_lo = 0, data_y_hi = std::max(0, spec.threshold);
  bool any_x = false;
  for (const Drawn& d : series) {
    for (const Point& p : d.points) {
      data_x_lo = std::min(data_x_lo, p.hours);
      data_x_hi = any_x ? std::max(data_x_hi, p.hours) : p.hours;
      any_x = true;
      data_y_lo = std::min<double>(data_y_lo, p.count);
      data_y_hi = std::max<double>(data_y_hi, p.count);
    }
    if (d.crossing) {
      data_x_lo = std::min(data_x_lo, *d.crossing);
      data_x_hi = any_x ? std::max(data_x_hi, *d.crossing) : *d.crossing;
      any_x = true;
    }
  }
  if (data_x_hi - data_x_lo <= 0) data_x_hi = data_x_lo + 1;
  if (data_y_hi - data_y_lo <= 0) data_y_hi = data_y_lo + 10;

  // Vertical layout: title, subtitle, plot, tick labels, axis label.
  double cursor = 14;
  double title_y = 0, subtitle_y = 0;
  if (!spec.title.empty()) {
    title_y = cursor + 20;
    cursor = title_y + 6;
  }
  if (!spec.subtitle.empty()) {
    subtitle_y = cursor + 16;
    cursor = subtitle_y + 4;
  }
  const double plot_top = cursor + 18;
  const double x_label_y = height - 14;
  const double plot_bottom = height - 14 - (spec.x_label.empty() ? 0 : 22) - 22;
  const double plot_height = std::max(20.0, plot_bottom - plot_top);

  // Y scale: 1-2-5 steps of whole counts, headroom above the highest value.
  const double y_span = (data_y_hi - data_y_lo) * 1.06;
  double y_step =
      std::max(1.0, NiceStep(y_span, std::max(2.0, plot_height / 55)));
  const double y_lo = std::floor(data_y_lo / y_step) * y_step;
  double y_hi = std::ceil((data_y_lo + y_span) / y_step) * y_step;
  if (y_hi <= y_lo) y_hi = y_lo + y_step;

  std::vector<double> y_ticks;
  for (int k = 0; k <= 200; ++k) {
    double v = y_lo + k * y_step;
    if (v > y_hi + y_step * 1e-9) break;
    y_ticks.push_back(v);
  }
  double y_tick_width = 0;
  for (double v : y_ticks) {
    y_tick_width = std::max(y_tick_width, TextWidth(TickLabel(v, y_step), 12));
  }

  // Horizontal layout: axis label, tick labels, plot.
  const double y_label_x = 20;
  const double plot_left =
      14 + (spec.y_label.empty() ? 0 : 22) + y_tick_width + 10;

  // X scale: a bit beyond the last point or crossing, ending on a tick. The
  // right margin makes room for half the last tick label.
  const double x_padded_hi = data_x_hi + (data_x_hi - data_x_lo) * 0.04;
  double plot_width = 0, x_step = 1, x_lo = 0, x_hi = 1;
  double right_margin = 28;
  for (int pass = 0; pass < 2; ++pass) {
    plot_width = std::max(20.0, width - right_margin - plot_left);
    x_step = NiceStep(x_padded_hi - data_x_lo, std::max(2.0, plot_width / 95));
    x_lo = std::floor(data_x_lo / x_step) * x_step;
    x_hi = std::ceil(x_padded_hi / x_step) * x_step;
    if (x_hi <= x_lo) x_hi = x_lo + x_step;
    double needed = TextWidth(TickLabel(x_hi, x_step), 12) / 2 + 8;
    if (needed <= right_margin) break;
    right_margin = needed;
  }

  auto X = [&](double h) {
    return plot_left + (h - x_lo) / (x_hi - x_lo) * plot_width;
  };
  auto Y = [&](double c) {
    return plot_top + plot_height - (c - y_lo) / (y_hi - y_lo) * plot_height;
  };
  const double axis_y = Y(y_lo);

  std::string svg;
  absl::StrAppendFormat(
      &svg,
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
      "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
      "font-family=\"%s\">\n",
      width, height, width, height, kFont);
  absl::StrAppendFormat(&svg, "<title>%s</title>\n",
                        Escape(spec.title.empty() ? "race chart" : spec.title));
  if (!spec.subtitle.empty()) {
    absl::StrAppendFormat(&svg, "<desc>%s</desc>\n", Escape(spec.subtitle));
  }
  absl::StrAppendFormat(&svg,
                        "<rect class=\"background\" x=\"0\" y=\"0\" "
                        "width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
                        width, height);

  // Title and subtitle, left-aligned with the plot's y axis label.
  if (!spec.title.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text class=\"title\" x=\"14\" y=\"%s\" "
                          "font-size=\"20\" font-weight=\"bold\" "
                          "fill=\"%s\">%s</text>\n",
                          Num(title_y), kTextColour, Escape(spec.title));
  }
  if (!spec.subtitle.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text class=\"subtitle\" x=\"14\" y=\"%s\" "
                          "font-size=\"13\" fill=\"%s\">%s</text>\n",
                          Num(subtitle_y), kMutedColour, Escape(spec.subtitle));
  }

  // Gridlines and tick labels.
  std::vector<double> x_ticks;
  for (int k = 0; k <= 200; ++k) {
    double v = x_lo + k * x_step;
    if (v > x_hi + x_step * 1e-9) break;
    x_ticks.push_back(v);
  }
  svg += "<g class=\"grid\" stroke=\"";
  svg += kGridColour;
  svg += "\" stroke-width=\"1\">\n";
  for (double v : y_ticks) {
    if (v == y_lo) continue;
    absl::StrAppendFormat(
        &svg, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
        Num(plot_left), Num(Y(v)), Num(plot_left + plot_width), Num(Y(v)));
  }
  for (double v : x_ticks) {
    if (v == x_lo) continue;
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
                          Num(X(v)), Num(plot_top), Num(X(v)), Num(axis_y));
  }
  svg += "</g>\n";

  absl::StrAppendFormat(
      &svg,
      "<g class=\"axes\" stroke=\"%s\" stroke-width=\"1\">\n"
      "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n"
      "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
      kAxisColour, Num(plot_left), Num(axis_y), Num(plot_left + plot_width),
      Num(axis_y), Num(plot_left), Num(plot_top), Num(plot_left), Num(axis_y));
  for (double v : y_ticks) {
    absl::StrAppendFormat(
        &svg, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
        Num(plot_left - 4), Num(Y(v)), Num(plot_left), Num(Y(v)));
  }
  for (double v : x_ticks) {
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\"/>\n",
                          Num(X(v)), Num(axis_y), Num(X(v)), Num(axis_y + 4));
  }
  svg += "</g>\n";

  absl::StrAppendFormat(&svg,
                        "<g class=\"y-ticks\" font-size=\"12\" fill=\"%s\" "
                        "text-anchor=\"end\">\n",
                        kMutedColour);
  for (double v : y_ticks) {
    absl::StrAppendFormat(&svg, "<text x=\"%s\" y=\"%s\">%s</text>\n",
                          Num(plot_left - 8), Num(Y(v) + 4),
                          TickLabel(v, y_step));
  }
  svg += "</g>\n";
  absl::StrAppendFormat(&svg,
                        "<g class=\"x-ticks\" font-size=\"12\" fill=\"%s\" "
                        "text-anchor=\"middle\">\n",
                        kMutedColour);
  for (double v : x_ticks) {
    absl::StrAppendFormat(&svg, "<text x=\"%s\" y=\"%s\">%s</text>\n",
                          Num(X(v)), Num(axis_y + 18), TickLabel(v, x_step));
  }
  svg += "</g>\n";

  if (!spec.x_label.empty()) {
    absl::StrAppendFormat(&svg,
                          "<text class=\"x-label\" x=\"%s\" y=\"%s\" "
                          "font-size=\"13\" fill=\"%s\" "
                          "text-anchor=\"middle\">%s</text>\n",
                          Num(plot_left + plot_width / 2), Num(x_label_y),
                          kTextColour, Escape(spec.x_label));
  }
  if (!spec.y_label.empty()) {
    double cy = plot_top + plot_height / 2;
    absl::StrAppendFormat(&svg,
                          "<text class=\"y-label\" x=\"%s\" y=\"%s\" "
                          "font-size=\"13\" fill=\"%s\" text-anchor=\"middle\" "
                          "transform=\"rotate(-90 %s %s)\">%s</text>\n",
                          Num(y_label_x), Num(cy), kTextColour, Num(y_label_x),
                          Num(cy), Escape(spec.y_label));
  }

  // Places taken by labels, and points on the lines, so that the crossing
  // labels and the legend avoid them.
  std::vector<Box> taken;
  std::vector<std::pair<double, double>> ink;

  // Threshold line and its label.
  const bool has_threshold = spec.threshold > 0;
  if (has_threshold) {
    double ty = Y(spec.threshold);
    absl::StrAppendFormat(&svg,
                          "<line class=\"threshold\" x1=\"%s\" y1=\"%s\" "
                          "x2=\"%s\" y2=\"%s\" stroke=\"%s\" "
                          "stroke-width=\"1.5\" stroke-dasharray=\"7 5\"/>\n",
                          Num(plot_left), Num(ty), Num(plot_left + plot_width),
                          Num(ty), kMutedColour);
    std::string text = absl::StrFormat("%d", spec.threshold);
    if (!spec.y_label.empty()) text += " " + spec.y_label;
    double tx = plot_left + 8;
    HaloText(svg, tx, ty - 7, "start", "font-size=\"12\" font-weight=\"bold\"",
             kMutedColour, text, "threshold-label");
    taken.push_back({tx - 2, ty - 20, tx + TextWidth(text, 12) + 2, ty - 2});
  }

  // The step lines.
  for (const Drawn& d : series) {
    if (d.points.empty()) continue;
    std::string path;
    double prev_x = X(x_lo), prev_y = Y(0);
    absl::StrAppendFormat(&path, "M%s %s", Num(prev_x), Num(prev_y));
    auto step_to = [&](double x, double y) {
      // Sampled for the legend placement every few pixels.
      for (double t = 0; t < 1; t += 4 / std::max(4.0, std::abs(x - prev_x))) {
        ink.emplace_back(prev_x + (x - prev_x) * t, prev_y);
      }
      for (double t = 0; t < 1; t += 4 / std::max(4.0, std::abs(y - prev_y))) {
        ink.emplace_back(x, prev_y + (y - prev_y) * t);
      }
      if (x != prev_x) absl::StrAppendFormat(&path, "H%s", Num(x));
      if (y != prev_y) absl::StrAppendFormat(&path, "V%s", Num(y));
      prev_x = x;
      prev_y = y;
    };
    for (const Point& p : d.points) step_to(X(p.hours), Y(p.count));
    step_to(X(x_hi), prev_y);
    ink.emplace_back(prev_x, prev_y);
    absl::StrAppendFormat(
        &svg,
        "<path class=\"series\" d=\"%s\" fill=\"none\" "
        "stroke=\"%s\" stroke-width=\"2.5\" "
        "stroke-linejoin=\"round\"%s/>\n",
        path, d.colour,
        d.dash[0] == '\0'
            ? ""
            : absl::StrFormat(" stroke-dasharray=\"%s\"", d.dash));
  }

  // Crossing markers: a dotted drop line to the axis, a dot on the
  // threshold, and the time beside it, left to right; a label moves up when
  // an earlier one is in its place.
  std::vector<size_t> crossing_order;
  for (size_t i = 0; i < series.size(); ++i) {
    if (series[i].crossing) crossing_order.push_back(i);
  }
  std::stable_sort(crossing_order.begin(), crossing_order.end(),
                   [&](size_t a, size_t b) {
                     return *series[a].crossing < *series[b].crossing;
                   });
  for (size_t i : crossing_order) {
    const Drawn& d = series[i];
    double h = *d.crossing;
    double level = 0;
    if (has_threshold) {
      level = spec.threshold;
    } else {
      for (const Point& p : d.points) {
        if (p.hours <= h) level = p.count;
      }
    }
    double cx = X(h), cy = Y(level);
    for (double y = cy; y < axis_y; y += 4) ink.emplace_back(cx, y);
    std::string text = FormatDuration(h);
    double w = TextWidth(text, 12);
    // Up and to the left of the dot is where its own line has not yet been.
    bool left = cx - 8 - w >= plot_left + 2;
    double x0 = left ? cx - 8 - w : cx + 8;
    double base = cy - 8;
    Box box{x0 - 2, base - 13, x0 + w + 2, base + 3};
    for (int tries = 0; tries < 20; ++tries) {
      bool clash = false;
      for (const Box& b : taken) clash = clash || b.Overlaps(box);
      if (!clash || box.y0 - 16 < plot_top) break;
      box.y0 -= 16;
      box.y1 -= 16;
      base -= 16;
    }
    taken.push_back(box);
    taken.push_back({cx - 7, cy - 7, cx + 7, cy + 7});
    absl::StrAppendFormat(&svg, "<g class=\"crossing\">\n");
    absl::StrAppendFormat(&svg,
                          "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
                          "stroke=\"%s\" stroke-width=\"1.5\" "
                          "stroke-dasharray=\"2 3\"/>\n",
                          Num(cx), Num(cy), Num(cx), Num(axis_y), d.colour);
    absl::StrAppendFormat(&svg,
                          "<circle cx=\"%s\" cy=\"%s\" r=\"5.5\" fill=\"%s\" "
                          "stroke=\"#ffffff\" stroke-width=\"1.5\"/>\n",
                          Num(cx), Num(cy), d.colour);
    HaloText(svg, left ? cx - 8 : cx + 8, base, left ? "end" : "start",
             "font-size=\"12\" font-weight=\"bold\"", d.colour, text,
             "crossing-label");
    svg += "</g>\n";
  }

  // Legend: in whichever corner of the plot its box covers least.
  if (!series.empty()) {
    constexpr double kRow = 20, kPad = 10, kSwatch = 24, kFontSize = 13;
    std::vector<std::string> texts;
    double text_width = 0;
    for (const Drawn& d : series) {
      std::string t = d.label;
      if (d.crossing)
        t += std::string(" ") + kEmDash + " " + FormatDuration(*d.crossing);
      text_width = std::max(text_width, TextWidth(t, kFontSize));
      texts.push_back(std::move(t));
    }
    double box_w = kPad + kSwatch + 8 + text_width + kPad;
    double box_h = kPad - 2 + kRow * series.size() + kPad - 4;
    double inset = 10;
    double left_x = plot_left + inset;
    double right_x = plot_left + plot_width - inset - box_w;
    double top_y = plot_top + inset;
    double bottom_y = axis_y - inset - box_h;
    // The corners first, then along the top and bottom edges.
    std::vector<std::pair<double, double>> corners = {{left_x, top_y},
                                                      {right_x, bottom_y},
                                                      {right_x, top_y},
                                                      {left_x, bottom_y}};
    for (double x = left_x + 10; x < right_x; x += 10) {
      corners.emplace_back(x, bottom_y);
      corners.emplace_back(x, top_y);
    }
    double best_x = left_x, best_y = top_y;
    double best_score = 0;
    bool first = true;
    for (const auto& [cx, cy] : corners) {
      // Covered labels count most, then covered line points; among equals,
      // the most room to the nearest line (up to 40 px) wins.
      Box b{cx, cy, cx + box_w, cy + box_h};
      double score = 0;
      double room = 40;
      for (const auto& [px, py] : ink) {
        double dx = std::max({b.x0 - px, 0.0, px - b.x1});
        double dy = std::max({b.y0 - py, 0.0, py - b.y1});
        double distance = std::hypot(dx, dy);
        if (distance == 0) score += 1000;
        room = std::min(room, distance);
      }
      for (const Box& t : taken) score += b.Overlaps(t) ? 100000 : 0;
      score -= room;
      if (first || score < best_score) {
        first = false;
        best_score = score;
        best_x = cx;
        best_y = cy;
      }
    }
    absl::StrAppendFormat(
        &svg,
        "<g class=\"legend\" font-size=\"%s\" fill=\"%s\">\n"
        "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" rx=\"4\" "
        "fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"#cccccc\"/>\n",
        Num(kFontSize), kTextColour, Num(best_x), Num(best_y), Num(box_w),
        Num(box_h));
    for (size_t i = 0; i < series.size(); ++i) {
      const Drawn& d = series[i];
      double row_mid = best_y + kPad - 2 + kRow * i + kRow / 2;
      double sx = best_x + kPad;
      absl::StrAppendFormat(
          &svg,
          "<g class=\"legend-entry\">"
          "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" "
          "stroke=\"%s\" stroke-width=\"3\"%s/>",
          Num(sx), Num(row_mid), Num(sx + kSwatch), Num(row_mid), d.colour,
          d.dash[0] == '\0'
              ? ""
              : absl::StrFormat(" stroke-dasharray=\"%s\"", d.dash));
      if (d.crossing) {
        absl::StrAppendFormat(&svg,
                              "<circle cx=\"%s\" cy=\"%s\" r=\"4\" "
                              "fill=\"%s\" stroke=\"#ffffff\" "
                              "stroke-width=\"1\"/>",
                              Num(sx + kSwatch / 2), Num(row_mid), d.colour);
      }
      absl::StrAppendFormat(&svg, "<text x=\"%s\" y=\"%s\">%s</text></g>\n",
                            Num(sx + kSwatch + 8), Num(row_mid + 4.5),
                            Escape(texts[i]));
    }
    svg += "</g>\n";
  }

  svg += "</svg>\n";
  return svg;
}

}  // namespace hitclock::client::plot
