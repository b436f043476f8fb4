// The simulator's output formats: snapshots as JSON lines (native or
// ingest-request shaped) and CSV, and RFC 3339 instants (through abseil).
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_OUTPUT_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_OUTPUT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "services/records/sim/snapshot.h"

namespace hitclock::records::sim {

// Formats microseconds since the Unix epoch as an RFC 3339 UTC timestamp the
// way proto3 JSON prints a `google.protobuf.Timestamp`: `2022-04-24T19:44:00Z`,
// with 3 or 6 fractional digits only when the instant has a fraction.
std::string FormatTimestamp(int64_t micros);

// Parses an RFC 3339 timestamp, `YYYY-MM-DDTHH:MM:SS[.f]Z` or with a `+hh:mm`
// offset, as `absl::RFC3339_full` reads it, into microseconds since the epoch
// (a fraction beyond the microsecond is taken towards the past). Returns
// false when `text` is not such a timestamp (or names a day the month does
// not have).
bool ParseTimestamp(std::string_view text, int64_t* micros);

// The shape of one JSON line.
enum class JsonLineShape {
  // `{"snapshot":{...}}`: a `hitclock.ingest.v1.SubmitSnapshotRequest` (and
  // equally a `StreamSnapshotsRequest`), ready for `grpcurl -d @`.
  kSubmitSnapshotRequest,
  // `{...}`: the `hitclock.ingest.v1.ChartSnapshot` alone.
  kChartSnapshot,
};

// Appends one snapshot as one line of proto3 JSON (lowerCamelCase field
// names, enums by name, Timestamp as RFC 3339), newline included:
//
//   {"snapshot":{"chart":{"provider":"itunes","list":"top-songs"},
//    "region":{"code":"us","kind":"REGION_KIND_COUNTRY"},
//    "captureTime":"2022-04-24T19:44:00Z",
//    "entries":[{"position":1,"entry":{"title":"With You",
//      "artistCredit":"HA SUNG WOON & Jimin",
//      "providerTrackId":"900000101"}},...]}}
//
// The chart `provider/list` is split at its first `/`. An entry's
// `provider` is left empty (it is then the chart's provider), and the
// simulator's `track_id` is not written (it is output-only in ingest).
void AppendSnapshotJson(const SimSnapshot& snapshot, JsonLineShape shape,
                        std::string* out);

// The CSV header line (newline included). Columns, one row per entry:
//   chart         `itunes/top-songs`
//   region        storefront or aggregate code
//   capture_time  RFC 3339 UTC, as `FormatTimestamp`
//   position      1..K
//   track_id      the simulator's catalog track id
//   title         the title as printed
//   artist        the artist credit string as printed
//   provider_track_id  the store item id
// Fields are quoted per RFC 4180 when they hold a comma, quote or newline.
// The `position`, `title`, `artist` and `provider_track_id` columns are the
// ones ingest's CSV feed format reads (it ignores the others).
std::string_view CsvHeader();

// Appends the snapshot's rows (no header) to `out`.
void AppendSnapshotCsv(const SimSnapshot& snapshot, std::string* out);

// The output format of `SnapshotWriter`.
enum class OutputFormat { kJsonLines, kCsv };

// Writes snapshots to a stream, buffering internally. Usable directly as a
// `SnapshotCallback` target: `[&](const SimSnapshot& s) { writer.Write(s); }`.
class SnapshotWriter {
 public:
  SnapshotWriter(std::ostream* out, OutputFormat format,
                 JsonLineShape shape = JsonLineShape::kSubmitSnapshotRequest);
  ~SnapshotWriter();

  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  // Writes one snapshot (and, before the first one of a CSV, the header).
  void Write(const SimSnapshot& snapshot);

  // Flushes the buffer to the stream. Returns false when the stream failed.
  bool Flush();

  // Bytes handed to the stream or buffered so far.
  int64_t bytes() const { return bytes_; }

 private:
  std::ostream* out_;
  OutputFormat format_;
  JsonLineShape shape_;
  std::string buffer_;
  bool header_written_ = false;
  int64_t bytes_ = 0;
};

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_OUTPUT_H_
