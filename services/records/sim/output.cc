#include "services/records/sim/output.h"

#include <cstdio>

#include "services/records/sim/regions.h"

namespace hitclock::records::sim {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// The inverse of `DaysFromCivil`.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool ReadDigits(std::string_view text, size_t pos, size_t count, int* value) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *value = v;
  return true;
}

void AppendCsvField(std::string_view field, std::string* out) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void SplitChart(std::string_view chart, std::string_view* provider,
                std::string_view* list) {
  const size_t slash = chart.find('/');
  if (slash == std::string_view::npos) {
    *provider = chart;
    *list = {};
  } else {
    *provider = chart.substr(0, slash);
    *list = chart.substr(slash + 1);
  }
}

}  // namespace

std::string FormatTimestamp(int64_t micros) {
  int64_t seconds = micros / kMicrosPerSecond;
  int64_t fraction = micros % kMicrosPerSecond;
  if (fraction < 0) {
    fraction += kMicrosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, &year, &month, &day);
  char buffer[48];
  int n =
      std::snprintf(buffer, sizeof(buffer), "%04lld-%02u-%02uT%02d:%02d:%02d",
                    static_cast<long long>(year), month, day,
                    static_cast<int>(second_of_day / 3600),
                    static_cast<int>(second_of_day / 60 % 60),
                    static_cast<int>(second_of_day % 60));
  if (fraction != 0) {
    if (fraction % 1000 == 0) {
      n += std::snprintf(buffer + n, sizeof(buffer) - n, ".%03d",
                         static_cast<int>(fraction / 1000));
    } else {
      n += std::snprintf(buffer + n, sizeof(buffer) - n, ".%06d",
                         static_cast<int>(fraction));
    }
  }
  buffer[n++] = 'Z';
  return std::string(buffer, n);
}

bool ParseTimestamp(std::string_view text, int64_t* micros) {
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !ReadDigits(text, 0, 4, &year) || text[4] != '-' ||
      !ReadDigits(text, 5, 2, &month) || text[7] != '-' ||
      !ReadDigits(text, 8, 2, &day) || (text[10] != 'T' && text[10] != 't') ||
      !ReadDigits(text, 11, 2, &hour) || text[13] != ':' ||
      !ReadDigits(text, 14, 2, &minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, &second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  size_t pos = 19;
  int64_t fraction = 0;
  if (text[pos] == '.') {
    ++pos;
    int64_t scale = 100'000;
    const size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!ReadDigits(text, pos + 1, 2, &oh) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !ReadDigits(text, pos + 4, 2, &om)) {
      return false;
    }
    offset_seconds = (oh * 3600 + om * 60) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != text.size()) return false;
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay +
                          hour * 3600 + minute * 60 + second - offset_seconds;
  *micros = seconds * kMicrosPerSecond + fraction;
  return true;
}

void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escape[8];
          std::snprintf(escape, sizeof(escape), "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out->append(escape);
        } else {
          out->push_back(c);  // UTF-8 passes through unchanged.
        }
    }
  }
  out->push_back('"');
}

void AppendSnapshotJson(const SimSnapshot& snapshot, JsonLineShape shape,
                        std::string* out) {
  std::string_view provider, list;
  SplitChart(snapshot.chart, &provider, &list);
  if (shape == JsonLineShape::kSubmitSnapshotRequest) {
    out->append("{\"snapshot\":");
  }
  out->append("{\"chart\":{\"provider\":");
  AppendJsonString(provider, out);
  out->append(",\"list\":");
  AppendJsonString(list, out);
  out->append("},\"region\":{\"code\":");
  AppendJsonString(snapshot.region, out);
  out->append(IsAggregateRegion(snapshot.region)
                  ? ",\"kind\":\"REGION_KIND_AGGREGATE\"}"
                  : ",\"kind\":\"REGION_KIND_COUNTRY\"}");
  out->append(",\"captureTime\":\"");
  out->append(FormatTimestamp(snapshot.capture_micros));
  out->append("\",\"entries\":[");
  bool first = true;
  for (const SimEntry& entry : snapshot.entries) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"position\":");
    out->append(std::to_string(entry.position));
    out->append(",\"entry\":{\"title\":");
    AppendJsonString(entry.title, out);
    out->append(",\"artistCredit\":");
    AppendJsonString(entry.artist_credit, out);
    if (!entry.provider_track_id.empty()) {
      out->append(",\"providerTrackId\":");
      AppendJsonString(entry.provider_track_id, out);
    }
    out->append("}}");
  }
  out->append("]}");
  if (shape == JsonLineShape::kSubmitSnapshotRequest) out->push_back('}');
  out->push_back('\n');
}

std::string_view CsvHeader() {
  return "chart,region,capture_time,position,track_id,title,artist,"
         "provider_track_id\n";
}

void AppendSnapshotCsv(const SimSnapshot& snapshot, std::string* out) {
  const std::string capture = FormatTimestamp(snapshot.capture_micros);
  for (const SimEntry& entry : snapshot.entries) {
    AppendCsvField(snapshot.chart, out);
    out->push_back(',');
    AppendCsvField(snapshot.region, out);
    out->push_back(',');
    out->append(capture);
    out->push_back(',');
    out->append(std::to_string(entry.position));
    out->push_back(',');
    AppendCsvField(entry.track_id, out);
    out->push_back(',');
    AppendCsvField(entry.title, out);
    out->push_back(',');
    AppendCsvField(entry.artist_credit, out);
    out->push_back(',');
    AppendCsvField(entry.provider_track_id, out);
    out->push_back('\n');
  }
}

SnapshotWriter::SnapshotWriter(std::ostream* out, OutputFormat format,
                               JsonLineShape shape)
    : out_(out), format_(format), shape_(shape) {
  buffer_.reserve(1 << 20);
}

SnapshotWriter::~SnapshotWriter() { Flush(); }

void SnapshotWriter::Write(const SimSnapshot& snapshot) {
  const size_t before = buffer_.size();
  if (format_ == OutputFormat::kCsv) {
    if (!header_written_) {
      buffer_.append(CsvHeader());
      header_written_ = true;
    }
    AppendSnapshotCsv(snapshot, &buffer_);
  } else {
    AppendSnapshotJson(snapshot, shape_, &buffer_);
  }
  bytes_ += static_cast<int64_t>(buffer_.size() - before);
  if (buffer_.size() >= (1 << 20)) Flush();
}

bool SnapshotWriter::Flush() {
  if (!buffer_.empty()) {
    out_->write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  out_->flush();
  return static_cast<bool>(*out_);
}

}  // namespace hitclock::records::sim
