// Tests of the "race to N" SVG renderer: the document is well-formed XML
// with the promised parts (step lines, legend, threshold line, crossing
// markers, 1-2-5 ticks), text is escaped, odd input renders, and
// rsvg-convert draws it as a PNG of the right size in the series' colours.
#include "cli/plot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/testing/processes.h"

namespace hitclock::client::plot {
namespace {

// ---------------------------------------------------------------------------
// A small XML parser: enough of XML 1.0 to prove the output well-formed
// (one root, nested and matching tags, quoted unique attributes, only the
// predefined and numeric entities, valid UTF-8) and to query it.

struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::vector<Element> children;
  std::string text;  // the element's own character data, entities decoded

  std::string Attr(const std::string& key) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? "" : it->second;
  }
  // The text of the element and all its descendants, in order.
  std::string AllText() const {
    std::string out = text;
    for (const Element& c : children) out += c.AllText();
    return out;
  }
};

bool ValidUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int len = c < 0x80             ? 1
              : (c & 0xE0) == 0xC0 ? 2
              : (c & 0xF0) == 0xE0 ? 3
              : (c & 0xF8) == 0xF0 ? 4
                                   : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kSmallest[len] || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') return false;
    i += len;
  }
  return true;
}

class XmlParser {
 public:
  explicit XmlParser(const std::string& doc) : s_(doc) {}

  // The root element, or nullopt with `error()` saying what is wrong.
  std::optional<Element> Parse() {
    if (!ValidUtf8(s_)) return Fail("invalid UTF-8 or control character");
    if (s_.compare(0, 5, "<?xml") == 0) {
      size_t end = s_.find("?>");
      if (end == std::string::npos) return Fail("unterminated declaration");
      pos_ = end + 2;
    }
    SkipMisc();
    if (pos_ >= s_.size() || s_[pos_] != '<') return Fail("no root element");
    Element root;
    if (!ParseElement(root)) return std::nullopt;
    SkipMisc();
    if (pos_ != s_.size()) return Fail("content after the root element");
    return root;
  }
  const std::string& error() const { return error_; }

 private:
  std::nullopt_t Fail(const std::string& why) {
    if (error_.empty()) error_ = why + " at byte " + std::to_string(pos_);
    return std::nullopt;
  }
  bool FailB(const std::string& why) {
    Fail(why);
    return false;
  }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  // Whitespace and comments between top-level constructs.
  void SkipMisc() {
    for (;;) {
      SkipSpace();
      if (s_.compare(pos_, 4, "<!--") == 0) {
        size_t end = s_.find("-->", pos_ + 4);
        if (end == std::string::npos) return;
        pos_ = end + 3;
      } else {
        return;
      }
    }
  }
  static bool NameStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
           c == ':' || static_cast<unsigned char>(c) >= 0x80;
  }
  static bool NameChar(char c) {
    return NameStart(c) || std::isdigit(static_cast<unsigned char>(c)) ||
           c == '-' || c == '.';
  }
  bool ParseName(std::string& name) {
    if (pos_ >= s_.size() || !NameStart(s_[pos_])) return FailB("bad name");
    size_t start = pos_;
    while (pos_ < s_.size() && NameChar(s_[pos_])) ++pos_;
    name = s_.substr(start, pos_ - start);
    return true;
  }
  // Decodes the character data or attribute value s_[start, end).
  bool Decode(size_t start, size_t end, bool attribute, std::string& out) {
    for (size_t i = start; i < end; ++i) {
      char c = s_[i];
      if (c == '<') return FailB("raw '<' in text");
      if (attribute && c == '"') return FailB("raw quote in attribute");
      if (c != '&') {
        out += c;
        continue;
      }
      size_t semi = s_.find(';', i);
      if (semi == std::string::npos || semi >= end) {
        return FailB("unterminated entity");
      }
      std::string entity = s_.substr(i + 1, semi - i - 1);
      static const std::map<std::string, std::string> kNamed = {{"amp", "&"},
                                                                {"lt", "<"},
                                                                {"gt", ">"},
                                                                {"quot", "\""},
                                                                {"apos", "'"}};
      if (auto it = kNamed.find(entity); it != kNamed.end()) {
        out += it->second;
      } else if (entity.size() > 1 && entity[0] == '#') {
        long cp = entity[1] == 'x'
                      ? std::strtol(entity.c_str() + 2, nullptr, 16)
                      : std::strtol(entity.c_str() + 1, nullptr, 10);
        if (cp <= 0) return FailB("bad character reference");
        out += "?";
      } else {
        return FailB("unknown entity &" + entity + ";");
      }
      i = semi;
    }
    return true;
  }
  bool ParseElement(Element& e) {
    ++pos_;  // '<'
    if (!ParseName(e.name)) return false;
    for (;;) {
      size_t before = pos_;
      SkipSpace();
      if (pos_ >= s_.size()) return FailB("unterminated tag");
      if (s_.compare(pos_, 2, "/>") == 0) {
        pos_ += 2;
        return true;
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (pos_ == before) return FailB("no space before attribute");
      std::string key;
      if (!ParseName(key)) return false;
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '=') return FailB("no '='");
      ++pos_;
      SkipSpace();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
        return FailB("unquoted attribute");
      }
      char quote = s_[pos_++];
      size_t end = s_.find(quote, pos_);
      if (end == std::string::npos) return FailB("unterminated attribute");
      std::string value;
      if (!Decode(pos_, end, quote == '"', value)) return false;
      if (!e.attrs.emplace(key, value).second) {
        return FailB("duplicate attribute " + key);
      }
      pos_ = end + 1;
    }
    for (;;) {
      size_t lt = s_.find('<', pos_);
      if (lt == std::string::npos) return FailB("unclosed <" + e.name + ">");
      if (!Decode(pos_, lt, false, e.text)) return false;
      pos_ = lt;
      if (s_.compare(pos_, 4, "<!--") == 0) {
        size_t end = s_.find("-->", pos_ + 4);
        if (end == std::string::npos) return FailB("unterminated comment");
        pos_ = end + 3;
      } else if (s_.compare(pos_, 2, "</") == 0) {
        pos_ += 2;
        std::string name;
        if (!ParseName(name)) return false;
        if (name != e.name) {
          return FailB("</" + name + "> closes <" + e.name + ">");
        }
        SkipSpace();
        if (pos_ >= s_.size() || s_[pos_] != '>') return FailB("bad end tag");
        ++pos_;
        return true;
      } else {
        Element child;
        if (!ParseElement(child)) return false;
        e.children.push_back(std::move(child));
      }
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
  std::string error_;
};

Element ParseOrDie(const std::string& svg) {
  XmlParser parser(svg);
  std::optional<Element> root = parser.Parse();
  EXPECT_TRUE(root.has_value()) << parser.error() << "\n" << svg;
  return root.value_or(Element{});
}

void Collect(const Element& e, const std::string& cls,
             std::vector<const Element*>& out) {
  if (e.Attr("class") == cls) out.push_back(&e);
  for (const Element& c : e.children) Collect(c, cls, out);
}
std::vector<const Element*> ByClass(const Element& root,
                                    const std::string& cls) {
  std::vector<const Element*> out;
  Collect(root, cls, out);
  return out;
}
void CollectName(const Element& e, const std::string& name,
                 std::vector<const Element*>& out) {
  if (e.name == name) out.push_back(&e);
  for (const Element& c : e.children) CollectName(c, name, out);
}
std::vector<const Element*> ByName(const Element& root,
                                   const std::string& name) {
  std::vector<const Element*> out;
  CollectName(root, name, out);
  return out;
}

// Every coordinate attribute is a finite number inside the canvas.
void ExpectCoordinatesInside(const Element& e, double width, double height) {
  static const std::set<std::string> kX = {"x", "x1", "x2", "cx"};
  static const std::set<std::string> kY = {"y", "y1", "y2", "cy"};
  for (const auto& [key, value] : e.attrs) {
    bool is_x = kX.count(key) > 0, is_y = kY.count(key) > 0;
    if (!is_x && !is_y) continue;
    char* end = nullptr;
    double v = std::strtod(value.c_str(), &end);
    EXPECT_TRUE(end != value.c_str() && *end == '\0' && std::isfinite(v))
        << key << "=\"" << value << "\" in <" << e.name << ">";
    EXPECT_GE(v, 0) << key << " in <" << e.name << ">";
    EXPECT_LE(v, is_x ? width : height) << key << " in <" << e.name << ">";
  }
  for (const Element& c : e.children) {
    ExpectCoordinatesInside(c, width, height);
  }
}

// ---------------------------------------------------------------------------
// Sample data.

// A deterministic race: countries reaching #1 one at a time, fast at first
// and slowing down, the 100th exactly at `t100` hours, `total` by `t_end`.
Series Race(const std::string& label, double t100, int total, double t_end,
            unsigned seed) {
  Series s{label, {}, t100};
  unsigned state = seed;
  auto random = [&] {
    state = state * 1103515245u + 12345u;
    return ((state >> 8) & 0xffff) / 65536.0;
  };
  double previous = 0;
  for (int k = 1; k <= total; ++k) {
    double t;
    if (k < 100) {
      t = t100 * std::pow(k / 100.0, 2.4) * (0.9 + 0.1 * random());
    } else if (k == 100) {
      t = t100;
    } else {
      t = t100 + (t_end - t100) * std::pow((k - 100.0) / (total - 99.0), 1.3);
    }
    t = std::max(t, previous + 0.005);
    previous = t;
    s.points.push_back({t, k});
  }
  return s;
}

// With You (100 countries in 4.73 h) against Dynamite (7.97 h).
PlotSpec RaceSpec() {
  PlotSpec spec;
  spec.title = "Race to #1 in 100 countries \xE2\x80\x94 iTunes Top Songs";
  spec.subtitle = "Countries where the song reached #1, by hours since release";
  spec.threshold = 100;
  spec.series.push_back(Race("With You", 4.73, 113, 9.5, 7));
  spec.series.push_back(Race("Dynamite", 7.97, 104, 9.8, 11));
  return spec;
}

std::vector<std::string> Texts(const Element& root, const std::string& cls) {
  std::vector<std::string> out;
  for (const Element* g : ByClass(root, cls)) {
    for (const Element* t : ByName(*g, "text")) out.push_back(t->text);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Structure.

TEST(RenderSvgTest, RaceIsAWellFormedSvgDocument) {
  std::string svg = RenderSvg(RaceSpec());
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"", 0), 0u);
  Element root = ParseOrDie(svg);
  EXPECT_EQ(root.name, "svg");
  EXPECT_EQ(root.Attr("xmlns"), "http://www.w3.org/2000/svg");
  EXPECT_EQ(root.Attr("version"), "1.1");
  EXPECT_EQ(root.Attr("width"), "960");
  EXPECT_EQ(root.Attr("height"), "540");
  EXPECT_EQ(root.Attr("viewBox"), "0 0 960 540");
  EXPECT_EQ(root.Attr("font-family"), "sans-serif");
  ExpectCoordinatesInside(root, 960, 540);

  ASSERT_EQ(ByClass(root, "title").size(), 1u);
  EXPECT_EQ(ByClass(root, "title")[0]->text,
            "Race to #1 in 100 countries \xE2\x80\x94 iTunes Top Songs");
  ASSERT_EQ(ByClass(root, "subtitle").size(), 1u);
  EXPECT_EQ(ByClass(root, "subtitle")[0]->text,
            "Countries where the song reached #1, by hours since release");
  ASSERT_EQ(ByClass(root, "x-label").size(), 1u);
  EXPECT_EQ(ByClass(root, "x-label")[0]->text, "hours since release");
  ASSERT_EQ(ByClass(root, "y-label").size(), 1u);
  EXPECT_EQ(ByClass(root, "y-label")[0]->text, "countries");
}

TEST(RenderSvgTest, OneStepLinePerSeriesInItsOwnColour) {
  PlotSpec spec = RaceSpec();
  spec.series.push_back(Race("Yours", 30, 82, 9.5, 3));
  spec.series.back().crossing_hours.reset();
  spec.series.back().points.resize(60);
  Element root = ParseOrDie(RenderSvg(spec));
  std::vector<const Element*> paths = ByClass(root, "series");
  ASSERT_EQ(paths.size(), 3u);
  std::set<std::string> colours;
  for (const Element* p : paths) colours.insert(p->Attr("stroke"));
  EXPECT_EQ(colours.size(), 3u);
  EXPECT_EQ(paths[0]->Attr("stroke"), "#0072B2");
  EXPECT_EQ(paths[1]->Attr("stroke"), "#D55E00");
  EXPECT_EQ(paths[2]->Attr("stroke"), "#009E73");
  // Steps: only horizontal and vertical moves after the start, one rise
  // per point whose count differs from the one before.
  std::string d = paths[0]->Attr("d");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0], 'M');
  EXPECT_EQ(d.find_first_not_of("MHV0123456789. "), std::string::npos) << d;
  EXPECT_EQ(std::count(d.begin(), d.end(), 'V'), 113);
}

TEST(RenderSvgTest, StepsRiseAtEachChangeAndRunToTheRightEdge) {
  PlotSpec spec;
  spec.series.push_back({"a", {{2, 5}, {1, 3}, {3, 5}, {4, 7}}, std::nullopt});
  Element root = ParseOrDie(RenderSvg(spec));
  std::vector<const Element*> paths = ByClass(root, "series");
  ASSERT_EQ(paths.size(), 1u);
  std::string d = paths[0]->Attr("d");
  // From 0 at the left edge: H to 1, V to 3, H to 2, V to 5, H to 3 (no
  // rise), H to 4, V to 7, H to the right edge.
  EXPECT_EQ(std::count(d.begin(), d.end(), 'V'), 3) << d;
  EXPECT_EQ(std::count(d.begin(), d.end(), 'H'), 5) << d;
  // The horizontal moves go left to right although points were unsorted.
  std::vector<double> xs;
  for (size_t i = d.find('H'); i != std::string::npos; i = d.find('H', i + 1)) {
    xs.push_back(std::strtod(d.c_str() + i + 1, nullptr));
  }
  EXPECT_TRUE(std::is_sorted(xs.begin(), xs.end())) << d;
}

TEST(RenderSvgTest, LegendNamesEachSeriesWithItsCrossingTime) {
  PlotSpec spec = RaceSpec();
  spec.series.push_back({"Yours", {{1, 10}, {5, 82}}, std::nullopt});
  Element root = ParseOrDie(RenderSvg(spec));
  std::vector<const Element*> entries = ByClass(root, "legend-entry");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]->AllText(), "With You \xE2\x80\x94 4h 44m");
  EXPECT_EQ(entries[1]->AllText(), "Dynamite \xE2\x80\x94 7h 58m");
  EXPECT_EQ(entries[2]->AllText(), "Yours");
  // Each entry's swatch is its series' colour.
  std::vector<const Element*> paths = ByClass(root, "series");
  for (size_t i = 0; i < entries.size(); ++i) {
    std::vector<const Element*> lines = ByName(*entries[i], "line");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]->Attr("stroke"), paths[i]->Attr("stroke"));
  }
}

TEST(RenderSvgTest, CrossingTimesAreRoundedToTheMinute) {
  PlotSpec spec;
  spec.threshold = 10;
  spec.series.push_back({"fast", {{0.1, 10}}, 0.5});               // 30 min
  spec.series.push_back({"exact", {{0.1, 10}}, 2.0});              // 120 min
  spec.series.push_back({"late", {{0.1, 10}}, 26.0 + 59.6 / 60});  // 27h 0m
  Element root = ParseOrDie(RenderSvg(spec));
  std::vector<std::string> labels = Texts(root, "crossing-label");
  // Each label is drawn twice: its white halo, then the text.
  std::vector<std::string> expected = {"30m",   "30m",    "2h 0m",
                                       "2h 0m", "27h 0m", "27h 0m"};
  EXPECT_EQ(labels, expected);
}

TEST(RenderSvgTest, ThresholdLineOnlyWhenThresholdIsPositive) {
  PlotSpec spec = RaceSpec();
  Element with = ParseOrDie(RenderSvg(spec));
  std::vector<const Element*> lines = ByClass(with, "threshold");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]->name, "line");
  EXPECT_FALSE(lines[0]->Attr("stroke-dasharray").empty());
  EXPECT_EQ(lines[0]->Attr("y1"), lines[0]->Attr("y2"));
  std::vector<std::string> label = Texts(with, "threshold-label");
  ASSERT_FALSE(label.empty());
  EXPECT_EQ(label.back(), "100 countries");

  spec.threshold = 0;
  Element without = ParseOrDie(RenderSvg(spec));
  EXPECT_TRUE(ByClass(without, "threshold").empty());
  EXPECT_TRUE(ByClass(without, "threshold-label").empty());
  // The markers stay, on the series' own step at that hour.
  EXPECT_EQ(ByClass(without, "crossing").size(), 2u);

  spec.threshold = -5;
  EXPECT_TRUE(ByClass(ParseOrDie(RenderSvg(spec)), "threshold").empty());
}

TEST(RenderSvgTest, ThresholdLineSitsAtTheThresholdOnTheYScale) {
  Element root = ParseOrDie(RenderSvg(RaceSpec()));
  // The y tick labelled "100" and the threshold line are at the same height
  // (the label's baseline is 4 px below its tick).
  double tick_y = -1;
  for (const Element* g : ByClass(root, "y-ticks")) {
    for (const Element* t : ByName(*g, "text")) {
      if (t->text == "100") tick_y = std::stod(t->Attr("y")) - 4;
    }
  }
  ASSERT_GE(tick_y, 0);
  double line_y = std::stod(ByClass(root, "threshold")[0]->Attr("y1"));
  EXPECT_NEAR(line_y, tick_y, 0.02);
}

TEST(RenderSvgTest, OneMarkerPerSeriesThatCrossed) {
  PlotSpec spec = RaceSpec();
  spec.series.push_back({"Yours", {{1, 10}, {5, 82}}, std::nullopt});
  spec.series.push_back({"no points", {}, 3.0});
  Element root = ParseOrDie(RenderSvg(spec));
  std::vector<const Element*> markers = ByClass(root, "crossing");
  ASSERT_EQ(markers.size(), 3u);
  std::set<std::string> fills;
  for (const Element* m : markers) {
    std::vector<const Element*> circles = ByName(*m, "circle");
    ASSERT_EQ(circles.size(), 1u);
    fills.insert(circles[0]->Attr("fill"));
    std::vector<const Element*> lines = ByName(*m, "line");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0]->Attr("x1"), circles[0]->Attr("cx"));  // vertical
    EXPECT_EQ(lines[0]->Attr("y1"), circles[0]->Attr("cy"));  // from the dot
  }
  // With You, Dynamite and the fourth series; not Yours.
  EXPECT_EQ(fills, (std::set<std::string>{"#0072B2", "#D55E00", "#CC79A7"}));
  // Both crossings at the threshold: same height.
  EXPECT_EQ(ByName(*markers[0], "circle")[0]->Attr("cy"),
            ByName(*markers[1], "circle")[0]->Attr("cy"));
}

std::vector<double> TickValues(const Element& root, const std::string& cls) {
  std::vector<double> out;
  for (const Element* g : ByClass(root, cls)) {
    for (const Element* t : ByName(*g, "text"))
      out.push_back(std::stod(t->text));
  }
  return out;
}

// Whether `step` is 1, 2 or 5 times a power of ten.
bool OneTwoFive(double step) {
  double magnitude = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  double f = step / magnitude;
  return std::abs(f - 1) < 1e-6 || std::abs(f - 2) < 1e-6 ||
         std::abs(f - 5) < 1e-6;
}

void ExpectNiceTicks(const std::vector<double>& ticks) {
  ASSERT_GE(ticks.size(), 3u);
  double step = ticks[1] - ticks[0];
  EXPECT_TRUE(OneTwoFive(step)) << step;
  for (size_t i = 1; i < ticks.size(); ++i) {
    EXPECT_NEAR(ticks[i] - ticks[i - 1], step, step * 1e-6);
  }
}

TEST(RenderSvgTest, AxesHaveOneTwoFiveTicksCoveringTheData) {
  Element root = ParseOrDie(RenderSvg(RaceSpec()));
  std::vector<double> x = TickValues(root, "x-ticks");
  std::vector<double> y = TickValues(root, "y-ticks");
  ExpectNiceTicks(x);
  ExpectNiceTicks(y);
  EXPECT_EQ(x.front(), 0);
  EXPECT_EQ(y.front(), 0);
  // Beyond the last point (9.8 h), not far beyond.
  EXPECT_GT(x.back(), 9.8);
  EXPECT_LE(x.back(), 9.8 * 1.5);
  // Above the highest count (113) with some headroom.
  EXPECT_GT(y.back(), 113);
  EXPECT_LE(y.back(), 113 * 1.5);
  // Gridlines at the ticks inside the plot.
  std::vector<const Element*> grid = ByClass(root, "grid");
  ASSERT_EQ(grid.size(), 1u);
  EXPECT_EQ(ByName(*grid[0], "line").size(), x.size() - 1 + y.size() - 1);

  // Small and fractional ranges too.
  PlotSpec spec;
  spec.threshold = 3;
  spec.series.push_back({"a", {{0.05, 1}, {0.2, 2}, {0.31, 3}}, 0.31});
  Element small = ParseOrDie(RenderSvg(spec));
  std::vector<double> sx = TickValues(small, "x-ticks");
  std::vector<double> sy = TickValues(small, "y-ticks");
  ExpectNiceTicks(sx);
  ExpectNiceTicks(sy);
  EXPECT_GT(sx.back(), 0.31);
  EXPECT_LT(sx[1] - sx[0], 1);
  EXPECT_GE(sy[1] - sy[0], 1);  // whole countries
  EXPECT_GT(sy.back(), 3);
}

TEST(RenderSvgTest, XRangeCoversACrossingBeyondTheLastPoint) {
  PlotSpec spec;
  spec.threshold = 100;
  spec.series.push_back({"a", {{1, 50}, {2, 99}}, 12.0});
  Element root = ParseOrDie(RenderSvg(spec));
  EXPECT_GT(TickValues(root, "x-ticks").back(), 12.0);
  ExpectCoordinatesInside(root, 960, 540);
}

// ---------------------------------------------------------------------------
// Text.

TEST(RenderSvgTest, EscapesMarkupAndKeepsUtf8) {
  PlotSpec spec = RaceSpec();
  spec.title = "Tom & Jerry <\"live\"> 'n' \xED\x95\xA8\xEA\xBB\x98";  // 함께
  spec.subtitle = "a</text><script>alert(1)</script>";
  spec.x_label = "h & m";
  spec.y_label = "<regions>";
  spec.series[0].label =
      "\xEC\xA7\x80\xEB\xAF\xBC & \xED\x95\x98\xEC\x84\xB1\xEC\x9A\xB4";
  spec.series[1].label = "\"Dynamite\" <BTS>";
  std::string svg = RenderSvg(spec);
  Element root = ParseOrDie(svg);
  EXPECT_EQ(ByClass(root, "title")[0]->text, spec.title);
  EXPECT_EQ(ByName(root, "title")[0]->text, spec.title);
  EXPECT_EQ(ByClass(root, "subtitle")[0]->text, spec.subtitle);
  EXPECT_EQ(ByClass(root, "x-label")[0]->text, "h & m");
  EXPECT_EQ(ByClass(root, "y-label")[0]->text, "<regions>");
  std::vector<const Element*> entries = ByClass(root, "legend-entry");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]->AllText(),
            spec.series[0].label + " \xE2\x80\x94 4h 44m");
  EXPECT_EQ(entries[1]->AllText(), "\"Dynamite\" <BTS> \xE2\x80\x94 7h 58m");
  EXPECT_EQ(Texts(root, "threshold-label").back(), "100 <regions>");
  // Nothing leaked as markup; Korean stays as UTF-8, not references.
  EXPECT_TRUE(ByName(root, "script").empty());
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("Tom &amp; Jerry &lt;&quot;live&quot;&gt;"),
            std::string::npos);
  EXPECT_NE(svg.find("\xED\x95\xA8\xEA\xBB\x98"), std::string::npos);
  EXPECT_EQ(svg.find("&#"), std::string::npos);
}

TEST(RenderSvgTest, InvalidUtf8AndControlCharactersAreReplaced) {
  PlotSpec spec = RaceSpec();
  spec.title = std::string("bad \xFF\xFE byte, cut \xED\x95", 20) + "\x01 x";
  spec.subtitle = "two\nlines\tand tab";
  spec.series[0].label = std::string("nul\0inside", 10);
  std::string svg = RenderSvg(spec);
  Element root = ParseOrDie(svg);  // includes the UTF-8 check
  EXPECT_EQ(ByClass(root, "subtitle")[0]->text, "two lines and tab");
  EXPECT_NE(ByClass(root, "title")[0]->text.find("\xEF\xBF\xBD"),
            std::string::npos);
  EXPECT_EQ(svg.find('\0'), std::string::npos);
}

// ---------------------------------------------------------------------------
// Edge cases: each renders a well-formed document inside its canvas.

void ExpectRenders(const PlotSpec& spec, int width = 960, int height = 540) {
  std::string svg = RenderSvg(spec);
  Element root = ParseOrDie(svg);
  EXPECT_EQ(root.name, "svg");
  EXPECT_EQ(root.Attr("width"), std::to_string(width));
  EXPECT_EQ(root.Attr("height"), std::to_string(height));
  for (const char* bad : {"nan", "inf", "NaN", "Inf"}) {
    EXPECT_EQ(svg.find(bad), std::string::npos) << bad << " in\n" << svg;
  }
  ExpectCoordinatesInside(root, width, height);
  EXPECT_GE(ByClass(root, "x-ticks").size(), 1u);
  EXPECT_GE(TickValues(root, "x-ticks").size(), 2u);
  EXPECT_GE(TickValues(root, "y-ticks").size(), 2u);
}

TEST(RenderSvgEdgeTest, NoSeries) {
  PlotSpec spec;
  spec.title = "nothing yet";
  spec.threshold = 100;
  ExpectRenders(spec);
  Element root = ParseOrDie(RenderSvg(spec));
  EXPECT_TRUE(ByClass(root, "series").empty());
  EXPECT_TRUE(ByClass(root, "legend").empty());
  EXPECT_EQ(ByClass(root, "threshold").size(), 1u);
}

TEST(RenderSvgEdgeTest, EmptyDefaultSpec) {
  ExpectRenders(PlotSpec{});
  Element root = ParseOrDie(RenderSvg(PlotSpec{}));
  EXPECT_TRUE(ByClass(root, "title").empty());
  EXPECT_TRUE(ByClass(root, "subtitle").empty());
}

TEST(RenderSvgEdgeTest, SeriesWithoutPoints) {
  PlotSpec spec;
  spec.threshold = 100;
  spec.series.push_back({"empty", {}, std::nullopt});
  spec.series.push_back({"empty but crossed", {}, 2.5});
  ExpectRenders(spec);
  Element root = ParseOrDie(RenderSvg(spec));
  EXPECT_TRUE(ByClass(root, "series").empty());
  EXPECT_EQ(ByClass(root, "legend-entry").size(), 2u);
  EXPECT_EQ(ByClass(root, "crossing").size(), 1u);
}

TEST(RenderSvgEdgeTest, SinglePoint) {
  PlotSpec spec;
  spec.threshold = 100;
  spec.series.push_back({"one", {{3.5, 42}}, std::nullopt});
  ExpectRenders(spec);
  EXPECT_EQ(ByClass(ParseOrDie(RenderSvg(spec)), "series").size(), 1u);
}

TEST(RenderSvgEdgeTest, ZeroWidthXRange) {
  PlotSpec spec;
  spec.threshold = 100;
  spec.series.push_back({"all at once", {{0, 100}, {0, 120}}, 0.0});
  ExpectRenders(spec);
  spec.series[0].points = {{5, 10}, {5, 20}};
  spec.series[0].crossing_hours.reset();
  ExpectRenders(spec);
}

TEST(RenderSvgEdgeTest, ZeroCountsAndZeroThreshold) {
  PlotSpec spec;
  spec.series.push_back({"flat", {{0, 0}, {1, 0}}, std::nullopt});
  ExpectRenders(spec);
}

TEST(RenderSvgEdgeTest, NonFiniteAndHugeValues) {
  PlotSpec spec;
  spec.threshold = 100;
  spec.series.push_back(
      {"not finite",
       {{std::nan(""), 5}, {1, 10}, {INFINITY, 20}, {-INFINITY, 30}},
       std::nan("")});
  spec.series.push_back({"huge", {{1e300, 2147483647}, {-1e300, -5}}, 1e308});
  ExpectRenders(spec);
  spec.series.pop_back();
  spec.series.push_back({"negative", {{-2, -3}, {1, 4}}, -1.0});
  ExpectRenders(spec);
}

TEST(RenderSvgEdgeTest, TinyOrNegativeSizeIsRaisedToTheMinimum) {
  PlotSpec spec = RaceSpec();
  spec.width = 0;
  spec.height = -10;
  ExpectRenders(spec, 240, 180);
  spec.width = 1600;
  spec.height = 900;
  ExpectRenders(spec, 1600, 900);
}

TEST(RenderSvgEdgeTest, ManySeriesCycleColoursWithDashes) {
  PlotSpec spec;
  spec.threshold = 10;
  for (int i = 0; i < 10; ++i) {
    spec.series.push_back(
        {"s" + std::to_string(i), {{0.5 * i, 5}, {1.0 + i, 12}}, 1.0 + i});
  }
  ExpectRenders(spec);
  Element root = ParseOrDie(RenderSvg(spec));
  std::vector<const Element*> paths = ByClass(root, "series");
  ASSERT_EQ(paths.size(), 10u);
  std::set<std::pair<std::string, std::string>> styles;
  for (const Element* p : paths) {
    styles.emplace(p->Attr("stroke"), p->Attr("stroke-dasharray"));
  }
  EXPECT_EQ(styles.size(), 10u);  // every series looks different
  EXPECT_EQ(ByClass(root, "crossing").size(), 10u);
}

TEST(RenderSvgTest, SameSpecSameBytes) {
  std::string a = RenderSvg(RaceSpec());
  std::string b = RenderSvg(RaceSpec());
  EXPECT_EQ(a, b);
  PlotSpec other = RaceSpec();
  other.series[1].crossing_hours = 8.0;
  EXPECT_NE(RenderSvg(other), a);
  // Fixed decimals: no exponents, at most two decimals.
  Element root = ParseOrDie(a);
  std::string d = ByClass(root, "series")[0]->Attr("d");
  EXPECT_EQ(d.find_first_of("eE"), std::string::npos);
  for (size_t dot = d.find('.'); dot != std::string::npos;
       dot = d.find('.', dot + 1)) {
    size_t digits = 0;
    while (dot + 1 + digits < d.size() && std::isdigit(d[dot + 1 + digits]))
      ++digits;
    EXPECT_LE(digits, 2u) << d.substr(dot, 8);
  }
}

// ---------------------------------------------------------------------------
// Rendering with rsvg-convert.

// The absolute path of `program` on PATH; empty when absent.
std::string FindProgram(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) {
      return candidate.string();
    }
  }
  return "";
}

// Runs `argv` with its output in `log`; its exit code (-1 when killed).
int RunLogged(const std::vector<std::string>& argv, const std::string& log) {
  std::filesystem::remove(log);
  pid_t pid = testing::Spawn(argv, log);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class RenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsvg_ = FindProgram("rsvg-convert");
    if (rsvg_.empty()) GTEST_SKIP() << "rsvg-convert is not installed";
    python_ = FindProgram("python3");
    ASSERT_FALSE(python_.empty()) << "python3 is needed to read the PNG";
    script_ =
        (std::filesystem::path(__FILE__).parent_path() / "render_check.py")
            .string();
    ASSERT_TRUE(std::filesystem::exists(script_)) << script_;
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("plot_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Renders `spec` to a PNG with rsvg-convert and returns the result of
  // render_check.py for `colours`: "size" → {width, height}, each colour →
  // {pixel count}.
  std::map<std::string, std::vector<long>> Render(
      const PlotSpec& spec, const std::string& name,
      const std::vector<std::string>& colours) {
    std::string svg_path = (dir_ / (name + ".svg")).string();
    std::string png_path = (dir_ / (name + ".png")).string();
    std::string log = (dir_ / (name + ".log")).string();
    std::ofstream(svg_path, std::ios::binary) << RenderSvg(spec);
    int rc = RunLogged({rsvg_, "-o", png_path, svg_path}, log);
    EXPECT_EQ(rc, 0) << testing::ReadFile(log);
    std::vector<std::string> argv = {python_, script_, png_path};
    argv.insert(argv.end(), colours.begin(), colours.end());
    rc = RunLogged(argv, log);
    std::string out = testing::ReadFile(log);
    EXPECT_EQ(rc, 0) << out;
    std::map<std::string, std::vector<long>> result;
    std::stringstream lines(out);
    std::string key;
    while (lines >> key) {
      std::string rest;
      std::getline(lines, rest);
      std::stringstream values(rest);
      long v;
      while (values >> v) result[key].push_back(v);
    }
    return result;
  }

  std::string rsvg_, python_, script_;
  std::filesystem::path dir_;
};

TEST_F(RenderTest, RaceDrawsBothSeriesAtTheRightSize) {
  // Green is the third palette colour: not used by two series.
  auto r = Render(RaceSpec(), "race", {"0072B2", "D55E00", "009E73", "FFFFFF"});
  EXPECT_EQ(r["size"], (std::vector<long>{960, 540}));
  ASSERT_EQ(r["0072B2"].size(), 1u);
  ASSERT_EQ(r["D55E00"].size(), 1u);
  // A 2.5 px line across most of the plot is well over a thousand pixels.
  EXPECT_GT(r["0072B2"][0], 1000);
  EXPECT_GT(r["D55E00"][0], 1000);
  EXPECT_EQ(r["009E73"][0], 0);
  // Mostly white background.
  EXPECT_GT(r["FFFFFF"][0], 960 * 540 / 2);
}

TEST_F(RenderTest, OtherSizesAndAThirdSeries) {
  PlotSpec spec = RaceSpec();
  spec.width = 640;
  spec.height = 360;
  spec.series.push_back(Race("Yours", 30, 82, 9.5, 3));
  spec.series.back().crossing_hours.reset();
  spec.series.back().points.resize(60);
  auto r = Render(spec, "small", {"0072B2", "D55E00", "009E73"});
  EXPECT_EQ(r["size"], (std::vector<long>{640, 360}));
  EXPECT_GT(r["0072B2"][0], 300);
  EXPECT_GT(r["D55E00"][0], 300);
  EXPECT_GT(r["009E73"][0], 300);
}

TEST_F(RenderTest, KoreanAndEscapedTextRender) {
  PlotSpec spec = RaceSpec();
  spec.title = "\xEC\x9C\x84\xEB\x93\x9C \xEC\x9C\xA0 & <Dynamite>";
  spec.series[0].label = "\xEC\xA7\x80\xEB\xAF\xBC & \"Ha Sung-woon\"";
  auto r = Render(spec, "korean", {"0072B2"});
  EXPECT_EQ(r["size"], (std::vector<long>{960, 540}));
  EXPECT_GT(r["0072B2"][0], 1000);
}

TEST_F(RenderTest, EdgeCasesRender) {
  PlotSpec empty;
  auto r = Render(empty, "empty", {"FFFFFF"});
  EXPECT_EQ(r["size"], (std::vector<long>{960, 540}));
  PlotSpec tiny = RaceSpec();
  tiny.width = 1;
  tiny.height = 1;
  r = Render(tiny, "tiny", {"0072B2"});
  EXPECT_EQ(r["size"], (std::vector<long>{240, 180}));
  EXPECT_GT(r["0072B2"][0], 50);
}

}  // namespace
}  // namespace hitclock::client::plot
