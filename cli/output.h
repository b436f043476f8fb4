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

namespace hitclock::client {

// The `--output` formats.
enum class Format { kText, kJson, kCsv };

// Parses `text`, `json` or `csv`; nullopt for anything else.
std::optional<Format> ParseFormat(const std::string& name);

// A JSON value: null, boolean, number, string, array or object (keys kept
// in insertion order).
class Json {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Json() = default;
  Json(bool b) : kind_(Kind::kBool), bool_(b) {}        // NOLINT
  Json(int i) : kind_(Kind::kInt), int_(i) {}           // NOLINT
  Json(int64_t i) : kind_(Kind::kInt), int_(i) {}       // NOLINT
  Json(double d) : kind_(Kind::kDouble), double_(d) {}  // NOLINT
  Json(std::string s)
      : kind_(Kind::kString), string_(std::move(s)) {}       // NOLINT
  Json(const char* s) : kind_(Kind::kString), string_(s) {}  // NOLINT

  static Json Array() { return Json(Kind::kArray); }
  static Json Object() { return Json(Kind::kObject); }

  // Sets `key` of an object (replacing an earlier value); returns *this.
  Json& Set(const std::string& key, Json value);
  // Appends to an array; returns *this.
  Json& Push(Json value);

  Kind kind() const { return kind_; }
  bool is_number() const {
    return kind_ == Kind::kInt || kind_ == Kind::kDouble;
  }
  // The value as a table cell: strings as they are, numbers in decimal,
  // booleans `true`/`false`, null empty, arrays and objects as JSON.
  std::string ToCell() const;
  // The JSON text, indented by two spaces per level (compact when
  // `pretty` is false).
  std::string Dump(bool pretty = true) const;

 private:
  explicit Json(Kind kind) : kind_(kind) {}
  void DumpTo(std::string* out, bool pretty, int depth) const;

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> fields_;
};

// The proto3 JSON form of `message` (field names as in the .proto, enums by
// name) as a Json value.
Json ProtoToJson(const google::protobuf::Message& message);

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(const std::string& s);

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

// The number of terminal columns `s` takes: UTF-8 code points, East Asian
// wide characters (Hangul, CJK, fullwidth forms) counted twice.
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
