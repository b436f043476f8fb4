#include "cli/output.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace hitclock::client {

std::optional<Format> ParseFormat(const std::string& name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  return std::nullopt;
}

Json& Json::Set(const std::string& key, Json value) {
  for (auto& [k, v] : fields_) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  fields_.emplace_back(key, std::move(value));
  return *this;
}

Json& Json::Push(Json value) {
  items_.push_back(std::move(value));
  return *this;
}

std::string JsonQuote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

namespace {

std::string FormatDouble(double d) {
  if (!std::isfinite(d)) return "null";
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(d));
  }
  // The shortest text that reads back as the same double.
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), d);
  return std::string(buffer, end);
}

Json FromValue(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kBoolValue:
      return Json(v.bool_value());
    case google::protobuf::Value::kNumberValue: {
      const double d = v.number_value();
      if (d == std::floor(d) && std::fabs(d) < 9e15) {
        return Json(static_cast<int64_t>(d));
      }
      return Json(d);
    }
    case google::protobuf::Value::kStringValue:
      return Json(v.string_value());
    case google::protobuf::Value::kListValue: {
      Json a = Json::Array();
      for (const auto& item : v.list_value().values()) a.Push(FromValue(item));
      return a;
    }
    case google::protobuf::Value::kStructValue: {
      Json o = Json::Object();
      // Map order is unspecified: keep the fields sorted for stable output.
      std::vector<std::string> keys;
      for (const auto& [k, unused] : v.struct_value().fields()) {
        keys.push_back(k);
      }
      std::sort(keys.begin(), keys.end());
      for (const auto& k : keys) {
        o.Set(k, FromValue(v.struct_value().fields().at(k)));
      }
      return o;
    }
    default:
      return Json();
  }
}

}  // namespace

std::string Json::ToCell() const {
  switch (kind_) {
    case Kind::kNull:
      return "";
    case Kind::kBool:
      return bool_ ? "true" : "false";
    case Kind::kInt:
      return absl::StrCat(int_);
    case Kind::kDouble:
      return FormatDouble(double_);
    case Kind::kString:
      return string_;
    default:
      return Dump(false);
  }
}

void Json::DumpTo(std::string* out, bool pretty, int depth) const {
  const std::string indent = pretty ? std::string(2 * (depth + 1), ' ') : "";
  const std::string close = pretty ? std::string(2 * depth, ' ') : "";
  const char* nl = pretty ? "\n" : "";
  switch (kind_) {
    case Kind::kNull:
      *out += "null";
      return;
    case Kind::kBool:
      *out += bool_ ? "true" : "false";
      return;
    case Kind::kInt:
      *out += absl::StrCat(int_);
      return;
    case Kind::kDouble:
      *out += FormatDouble(double_);
      return;
    case Kind::kString:
      *out += JsonQuote(string_);
      return;
    case Kind::kArray:
      if (items_.empty()) {
        *out += "[]";
        return;
      }
      *out += "[";
      *out += nl;
      for (size_t i = 0; i < items_.size(); ++i) {
        *out += indent;
        items_[i].DumpTo(out, pretty, depth + 1);
        if (i + 1 < items_.size()) *out += ",";
        *out += nl;
      }
      *out += close + "]";
      return;
    case Kind::kObject:
      if (fields_.empty()) {
        *out += "{}";
        return;
      }
      *out += "{";
      *out += nl;
      for (size_t i = 0; i < fields_.size(); ++i) {
        *out += indent + JsonQuote(fields_[i].first) + (pretty ? ": " : ":");
        fields_[i].second.DumpTo(out, pretty, depth + 1);
        if (i + 1 < fields_.size()) *out += ",";
        *out += nl;
      }
      *out += close + "}";
      return;
  }
}

std::string Json::Dump(bool pretty) const {
  std::string out;
  DumpTo(&out, pretty, 0);
  return out;
}

Json ProtoToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options)
           .ok()) {
    return Json();
  }
  google::protobuf::Value value;
  if (!google::protobuf::util::JsonStringToMessage(text, &value).ok()) {
    return Json();
  }
  return FromValue(value);
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
  Json object = Json::Object();
  for (size_t i = 0; i < columns.size(); ++i) {
    object.Set(columns[i].key, i < rows[r].size() ? rows[r][i] : Json());
  }
  return object;
}

Json Table::ToJson() const {
  Json array = Json::Array();
  for (size_t r = 0; r < rows.size(); ++r) array.Push(RowJson(r));
  return array;
}

int DisplayWidth(const std::string& s) {
  int width = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    uint32_t cp = c;
    int len = 1;
    if (c >= 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else if (c >= 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xC0) {
      len = 2;
      cp = c & 0x1F;
    }
    for (int k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    const bool wide =
        (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
        (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
        (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
  }
  return width;
}

void PrintTable(const Table& table, Format format, std::ostream& out,
                const std::string& empty_text) {
  if (format == Format::kJson) {
    out << table.ToJson().Dump() << "\n";
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
            << CsvField(i < row.size() ? row[i].ToCell() : "");
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
    return shown[k] < row.size() ? row[shown[k]].ToCell() : std::string();
  };
  for (const auto& row : table.rows) {
    for (size_t k = 0; k < n; ++k) {
      widths[k] = std::max(widths[k], DisplayWidth(cell(row, k)));
      if (shown[k] < row.size() && !row[shown[k]].is_number() &&
          row[shown[k]].kind() != Json::Kind::kNull) {
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
