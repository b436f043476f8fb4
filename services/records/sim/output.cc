#include "services/records/sim/output.h"

#include "absl/time/time.h"
#include "common/chart_id.h"
#include "common/json_escape.h"
#include "services/records/sim/regions.h"

namespace hitclock::records::sim {
namespace {

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

}  // namespace

std::string FormatTimestamp(int64_t micros) {
  const char* format = micros % 1'000'000 == 0 ? "%Y-%m-%dT%H:%M:%SZ"
                       : micros % 1'000 == 0   ? "%Y-%m-%dT%H:%M:%E3SZ"
                                               : "%Y-%m-%dT%H:%M:%E6SZ";
  return absl::FormatTime(format, absl::FromUnixMicros(micros),
                          absl::UTCTimeZone());
}

bool ParseTimestamp(std::string_view text, int64_t* micros) {
  absl::Time t;
  if (!absl::ParseTime(absl::RFC3339_full,
                       absl::string_view(text.data(), text.size()), &t,
                       /*err=*/nullptr)) {
    return false;
  }
  *micros = absl::ToUnixMicros(t);
  return true;
}

void AppendSnapshotJson(const SimSnapshot& snapshot, JsonLineShape shape,
                        std::string* out) {
  const common::ChartId chart = common::SplitChartName(snapshot.chart);
  if (shape == JsonLineShape::kSubmitSnapshotRequest) {
    out->append("{\"snapshot\":");
  }
  out->append("{\"chart\":{\"provider\":");
  common::AppendJsonString(chart.provider, out);
  out->append(",\"list\":");
  common::AppendJsonString(chart.list, out);
  out->append("},\"region\":{\"code\":");
  common::AppendJsonString(snapshot.region, out);
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
    common::AppendJsonString(entry.title, out);
    out->append(",\"artistCredit\":");
    common::AppendJsonString(entry.artist_credit, out);
    if (!entry.provider_track_id.empty()) {
      out->append(",\"providerTrackId\":");
      common::AppendJsonString(entry.provider_track_id, out);
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
