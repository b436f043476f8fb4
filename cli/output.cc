#include "cli/output.h"

#include <utf8proc.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace hitclock::client {

std::optional<Format> ParseFormat(const std::string& name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  return std::nullopt;
}

namespace {

// Turns each number of `j` with a whole value below `limit` into an integer,
// written "17040" (nlohmann writes a double "17040.0").
void WholeNumbersAsIntegers(Json* j, double limit) {
  if (j->is_number_float()) {
    const double d = j->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < limit) {
      *j = static_cast<int64_t>(d);
    }
    return;
  }
  if (j->is_structured()) {
    for (Json& item : *j) WholeNumbersAsIntegers(&item, limit);
  }
}

constexpr double kWholeNumberLimit = 1e15;

}  // namespace

std::string DumpJson(const Json& value, bool pretty) {
  Json copy = value;
  WholeNumbersAsIntegers(&copy, kWholeNumberLimit);
  return copy.dump(pretty ? 2 : -1, ' ', /*ensure_ascii=*/false,
                   Json::error_handler_t::replace);
}

std::string JsonCell(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return DumpJson(value, /*pretty=*/false);
}

Json ProtoToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options)
           .ok()) {
    return Json();
  }
  // Parsed into a sorted object first: map fields print in no fixed order.
  const nlohmann::json sorted =
      nlohmann::json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (sorted.is_discarded()) return Json();
  Json j = sorted;
  // Whole numbers below 9e15 (exact in a double) are written as integers.
  WholeNumbersAsIntegers(&j, 9e15);
  return j;
}

std::string CsvField(const std::string& s) {
  const bool quote = s.find_first_of(",\"\r\n") != std::string::npos ||
                     (!s.empty() && (s.front() == ' ' || s.back() == ' '));
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += "\"";
  return out;
}

Json Table::RowJson(size_t r) const {
  Json object = Json::object();
  for (size_t i = 0; i < columns.size(); ++i) {
    object[columns[i].key] = i < rows[r].size() ? rows[r][i] : Json();
  }
  return object;
}

Json Table::ToJson() const {
  Json array = Json::array();
  for (size_t r = 0; r < rows.size(); ++r) array.push_back(RowJson(r));
  return array;
}

int DisplayWidth(const std::string& s) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  const auto size = static_cast<utf8proc_ssize_t>(s.size());
  int width = 0;
  for (utf8proc_ssize_t i = 0; i < size;) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t n = utf8proc_iterate(bytes + i, size - i, &cp);
    if (n <= 0) {  // Invalid UTF-8: one column per byte.
      ++width;
      ++i;
      continue;
    }
    width += utf8proc_charwidth(cp);
    i += n;
  }
  return width;
}

void PrintTable(const Table& table, Format format, std::ostream& out,
                const std::string& empty_text) {
  if (format == Format::kJson) {
    out << DumpJson(table.ToJson()) << "\n";
    return;
  }
  if (format == Format::kCsv) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      out << (i ? "," : "") << CsvField(table.columns[i].key);
    }
    out << "\r\n";
    for (const auto& row : table.rows) {
      for (size_t i = 0; i < table.columns.size(); ++i) {
        out << (i ? "," : "")
            << CsvField(i < row.size() ? JsonCell(row[i]) : "");
      }
      out << "\r\n";
    }
    return;
  }
  if (table.rows.empty()) {
    out << empty_text << "\n";
    return;
  }
  std::vector<size_t> shown;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].in_text) shown.push_back(i);
  }
  const size_t n = shown.size();
  std::vector<int> widths(n, 0);
  std::vector<bool> numeric(n, true);
  for (size_t k = 0; k < n; ++k) {
    widths[k] = DisplayWidth(table.columns[shown[k]].title);
  }
  auto cell = [&](const std::vector<Json>& row, size_t k) {
    return shown[k] < row.size() ? JsonCell(row[shown[k]]) : std::string();
  };
  for (const auto& row : table.rows) {
    for (size_t k = 0; k < n; ++k) {
      widths[k] = std::max(widths[k], DisplayWidth(cell(row, k)));
      if (shown[k] < row.size() && !row[shown[k]].is_number() &&
          !row[shown[k]].is_null()) {
        numeric[k] = false;
      }
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t k = 0; k < n; ++k) {
      const std::string& text = cells[k];
      const std::string pad(std::max(0, widths[k] - DisplayWidth(text)), ' ');
      line += numeric[k] ? pad + text : text + pad;
      if (k + 1 < n) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  std::vector<std::string> header;
  for (size_t k = 0; k < n; ++k)
    header.push_back(table.columns[shown[k]].title);
  print_row(header);
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (size_t k = 0; k < n; ++k) cells.push_back(cell(row, k));
    print_row(cells);
  }
}

std::string FormatDuration(int64_t seconds, int32_t nanos) {
  std::string sign;
  if (seconds < 0 || (seconds == 0 && nanos < 0)) {
    sign = "-";
    seconds = -seconds;
    nanos = -nanos;
  }
  const int64_t days = seconds / 86400;
  const int64_t hours = seconds % 86400 / 3600;
  const int64_t minutes = seconds % 3600 / 60;
  const int64_t secs = seconds % 60;
  std::string s;
  if (nanos != 0) {
    std::string frac = absl::StrFormat("%09d", nanos);
    while (frac.back() == '0') frac.pop_back();
    s = absl::StrCat(secs, ".", frac, "s");
  } else {
    s = absl::StrCat(secs, "s");
  }
  if (days > 0) {
    return absl::StrCat(sign, days, "d ", hours, "h ", minutes, "m ", s);
  }
  if (hours > 0) return absl::StrCat(sign, hours, "h ", minutes, "m ", s);
  if (minutes > 0) return absl::StrCat(sign, minutes, "m ", s);
  return sign + s;
}

std::string FormatDuration(const google::protobuf::Duration& d) {
  return FormatDuration(d.seconds(), d.nanos());
}

double DurationSeconds(const google::protobuf::Duration& d) {
  return static_cast<double>(d.seconds()) + d.nanos() / 1e9;
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return google::protobuf::util::TimeUtil::ToString(t);
}

std::optional<google::protobuf::Timestamp> ParseTime(const std::string& text) {
  google::protobuf::Timestamp t;
  std::string s = text;
  if (s.size() == 10 && s[4] == '-' && s[7] == '-') s += "T00:00:00Z";
  if (!google::protobuf::util::TimeUtil::FromString(s, &t)) return std::nullopt;
  return t;
}

}  // namespace hitclock::client
