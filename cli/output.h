// How `hitclock` prints answers: one model (a JSON value, or a table of
// rows) rendered as aligned text, as JSON or as CSV, and the formatting of
// durations and instants every command shares.
#ifndef HITCLOCK_CLI_OUTPUT_H_
#define HITCLOCK_CLI_OUTPUT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/duration.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "nlohmann/json.hpp"

namespace hitclock::client {

// The `--output` formats.
enum class Format { kText, kJson, kCsv };

// Parses `text`, `json` or `csv`; nullopt for anything else.
std::optional<Format> ParseFormat(const std::string& name);

// A JSON value (nlohmann's, with object keys kept in insertion order).
using Json = nlohmann::ordered_json;

// The JSON text of `value`, indented by two spaces per level (compact when
// `pretty` is false). Strings are written as UTF-8 (only quotes, backslashes
// and control characters escaped; invalid UTF-8 becomes U+FFFD); a number
// with a whole value below 1e15 is written as an integer ("17040", never
// "17040.0"), others as the shortest text that reads back the same.
std::string DumpJson(const Json& value, bool pretty = true);

// `value` as a table cell: strings as they are, numbers as `DumpJson` writes
// them, booleans `true`/`false`, null empty, arrays and objects as compact
// JSON.
std::string JsonCell(const Json& value);

// The proto3 JSON form of `message` (field names as in the .proto, enums by
// name, object keys sorted) as a Json value.
Json ProtoToJson(const google::protobuf::Message& message);

// `s` as one CSV field (RFC 4180): quoted when it holds a comma, a quote,
// a line break or leading/trailing spaces, quotes doubled.
std::string CsvField(const std::string& s);

// A column of a table: `key` names it in JSON and the CSV header, `title`
// heads it in text; numbers are right-aligned in text.
// Columns with `in_text` false (ids, exact seconds) appear in JSON and CSV
// only.
struct Column {
  std::string key;
  std::string title;
  bool in_text = true;
};

// Rows of cells under columns: text renders it as an aligned table, CSV as
// a header row and rows, JSON as an array of objects.
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Json>> rows;

  // The JSON array of objects keyed by the columns' keys.
  Json ToJson() const;
  // Row `i` as a JSON object keyed by the columns' keys.
  Json RowJson(size_t i) const;
};

// Writes `table` as `format`; text ends with `empty_text` on its own line
// when there are no rows.
void PrintTable(const Table& table, Format format, std::ostream& out,
                const std::string& empty_text = "(none)");

// The number of terminal columns `s` takes, as utf8proc's character widths
// sum it: East Asian wide characters (Hangul, CJK, fullwidth forms) count
// twice, combining marks and control characters not at all; each byte of
// invalid UTF-8 counts once.
int DisplayWidth(const std::string& s);

// "4h 44m 0s", "2d 3h 0m 10s", "59m 2s", "12s", "-1h 2m 0s"; fractions of
// a second shown only when present ("1.5s").
std::string FormatDuration(int64_t seconds, int32_t nanos = 0);
std::string FormatDuration(const google::protobuf::Duration& d);

// A duration in whole seconds and nanoseconds as a JSON number of seconds.
double DurationSeconds(const google::protobuf::Duration& d);

// RFC 3339 in UTC ("2022-04-24T19:44:00Z"); empty for an unset (zero)
// timestamp.
std::string FormatTime(const google::protobuf::Timestamp& t);

// Parses RFC 3339 ("2022-04-24T15:00:00Z", offsets allowed) or a bare date
// ("2022-04-24", midnight UTC); nullopt when it is neither.
std::optional<google::protobuf::Timestamp> ParseTime(const std::string& text);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_OUTPUT_H_
