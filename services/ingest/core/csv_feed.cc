// The CSV feed parser (RFC 4180); the format is documented in CSV.md.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/utf8.h"

namespace hitclock::ingest::core {
namespace {

// The most columns a header may have.
constexpr size_t kMaxCsvColumns = 64;

struct Field {
  std::string value;
  int line = 0;
  int column = 0;
  bool quoted = false;
};

absl::Status ErrAt(int line, int column, std::string_view problem) {
  std::string where = "line " + std::to_string(line);
  if (column > 0) where += ", column " + std::to_string(column);
  where += ": ";
  where.append(problem);
  return FieldError("content", where);
}

// Reads RFC 4180 records one at a time, tracking 1-based line and byte
// column numbers for errors.
class CsvReader {
 public:
  explicit CsvReader(std::string_view data) : data_(data) {}

  bool AtEnd() const { return pos_ >= data_.size(); }

  // Reads the next record into `record` (resizing it; its strings are
  // reused). Requires !AtEnd(). Stops at field `max_fields` + 1, with
  // `*field_count` = `max_fields` + 1, so that a row of a million commas
  // costs no million fields.
  absl::Status Next(std::vector<Field>* record, size_t* field_count,
                    size_t max_fields) {
    *field_count = 0;
    while (true) {
      if (*field_count == max_fields) {
        *field_count = max_fields + 1;
        return absl::OkStatus();
      }
      if (*field_count == record->size()) record->emplace_back();
      Field& f = (*record)[(*field_count)++];
      f.value.clear();
      f.line = line_;
      f.column = Column();
      f.quoted = false;
      if (pos_ < data_.size() && data_[pos_] == '"') {
        f.quoted = true;
        ++pos_;
        while (true) {
          if (pos_ >= data_.size()) {
            return ErrAt(f.line, f.column,
                         "quoted field is never closed (a stray quote?)");
          }
          const char c = data_[pos_];
          if (c == '"') {
            if (pos_ + 1 < data_.size() && data_[pos_ + 1] == '"') {
              f.value += '"';
              pos_ += 2;
              continue;
            }
            ++pos_;
            break;
          }
          // Copy the run up to the next quote or newline at once.
          size_t end = pos_;
          while (end < data_.size() && data_[end] != '"' &&
                 data_[end] != '\n') {
            ++end;
          }
          if (end == pos_) {  // A newline inside the quotes.
            f.value += '\n';
            ++pos_;
            NewLine();
          } else {
            f.value.append(data_.substr(pos_, end - pos_));
            pos_ = end;
          }
        }
        // After the closing quote: a separator, a line end or the end.
        if (pos_ >= data_.size()) return absl::OkStatus();
        const char c = data_[pos_];
        if (c == ',') {
          ++pos_;
          continue;
        }
        if (EndOfLine()) return absl::OkStatus();
        return ErrAt(line_, Column(),
                     "unexpected character after the closing quote of a "
                     "field (a stray quote? double a quote inside a quoted "
                     "field)");
      }
      // An unquoted field.
      size_t end = pos_;
      while (end < data_.size()) {
        const char c = data_[end];
        if (c == ',' || c == '\n' ||
            (c == '\r' && end + 1 < data_.size() && data_[end + 1] == '\n')) {
          break;
        }
        if (c == '"') {
          pos_ = end;
          return ErrAt(line_, Column(),
                       "quote inside an unquoted field (a stray quote? quote "
                       "the whole field and double the quote)");
        }
        ++end;
      }
      f.value.assign(data_.substr(pos_, end - pos_));
      pos_ = end;
      if (pos_ >= data_.size()) return absl::OkStatus();
      if (data_[pos_] == ',') {
        ++pos_;
        continue;
      }
      EndOfLine();
      return absl::OkStatus();
    }
  }

 private:
  int Column() const { return static_cast<int>(pos_ - line_start_) + 1; }

  void NewLine() {
    ++line_;
    line_start_ = pos_;
  }

  // Consumes "\n" or "\r\n" at the current position, if there.
  bool EndOfLine() {
    if (data_[pos_] == '\n') {
      ++pos_;
      NewLine();
      return true;
    }
    if (data_[pos_] == '\r' && pos_ + 1 < data_.size() &&
        data_[pos_ + 1] == '\n') {
      pos_ += 2;
      NewLine();
      return true;
    }
    return false;
  }

  std::string_view data_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int line_ = 1;
};

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The columns ingest reads; the rest are ignored.
enum CsvColumn {
  kPosition,
  kTitle,
  kArtist,
  kProviderTrackId,
  kLink,
  kColumns
};
constexpr std::array<std::string_view, kColumns> kColumnNames = {
    "position", "title", "artist", "provider_track_id", "link"};
constexpr int kRequiredColumns = 3;  // The first three.

bool IsBlankRecord(const std::vector<Field>& record, size_t n) {
  return n == 1 && !record[0].quoted && record[0].value.empty();
}

}  // namespace

absl::StatusOr<ParsedFeed> ParseCsv(std::string_view bytes) {
  if (bytes.size() > kMaxFeedBytes) {
    return FieldError("content", std::to_string(bytes.size()) +
                                     " bytes, more than the limit of " +
                                     std::to_string(kMaxFeedBytes));
  }
  if (size_t bad = FirstInvalidUtf8(bytes); bad != std::string_view::npos) {
    const std::string_view before = bytes.substr(0, bad);
    const int line =
        1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const size_t line_start = before.rfind('\n');
    const int column = static_cast<int>(
        line_start == std::string_view::npos ? bad + 1 : bad - line_start);
    return ErrAt(line, column, "not valid UTF-8");
  }
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);

  CsvReader reader(bytes);
  std::vector<Field> record;
  size_t n = 0;

  // The header: the first record that is not a blank line.
  bool have_header = false;
  while (!reader.AtEnd()) {
    if (absl::Status st = reader.Next(&record, &n, kMaxCsvColumns); !st.ok()) {
      return st;
    }
    if (!IsBlankRecord(record, n)) {
      have_header = true;
      break;
    }
  }
  if (!have_header) {
    return FieldError("content", "no header row (CSV.md lists the columns)");
  }
  if (n > kMaxCsvColumns) {
    return ErrAt(record[0].line, 0,
                 "more than " + std::to_string(kMaxCsvColumns) +
                     " columns in the header");
  }
  const size_t header_size = n;
  const int header_line = record[0].line;
  std::array<int, kColumns> index;
  index.fill(-1);
  for (size_t i = 0; i < n; ++i) {
    const std::string name = AsciiLower(TrimAscii(record[i].value));
    for (int c = 0; c < kColumns; ++c) {
      if (name != kColumnNames[c]) continue;
      if (index[c] >= 0) {
        return ErrAt(record[i].line, record[i].column,
                     "column `" + name + "` appears twice in the header");
      }
      index[c] = static_cast<int>(i);
    }
  }
  for (int c = 0; c < kRequiredColumns; ++c) {
    if (index[c] < 0) {
      return ErrAt(header_line, 0,
                   "the header has no `" + std::string(kColumnNames[c]) +
                       "` column (required: position, title, artist; "
                       "optional: provider_track_id, link)");
    }
  }

  ParsedFeed out;
  while (!reader.AtEnd()) {
    if (absl::Status st = reader.Next(&record, &n, header_size); !st.ok()) {
      return st;
    }
    if (IsBlankRecord(record, n)) continue;
    const int line = record[0].line;
    if (n > header_size) {
      return ErrAt(line, 0,
                   "more than " + std::to_string(header_size) +
                       " fields, but the header has " +
                       std::to_string(header_size));
    }
    if (n != header_size) {
      return ErrAt(line, 0,
                   std::to_string(n) + " fields, but the header has " +
                       std::to_string(header_size));
    }
    if (out.entries.size() >= static_cast<size_t>(kMaxFeedEntries)) {
      return ErrAt(line, 0,
                   "more than " + std::to_string(kMaxFeedEntries) + " entries");
    }
    const Field& position = record[static_cast<size_t>(index[kPosition])];
    const std::string_view digits = TrimAscii(position.value);
    int value = 0;
    // At most 9 digits: no overflow, and far above any valid position.
    bool ok = !digits.empty() && digits.size() <= 9;
    for (size_t d = 0; ok && d < digits.size(); ++d) {
      if (digits[d] < '0' || digits[d] > '9') {
        ok = false;
      } else {
        value = value * 10 + (digits[d] - '0');
      }
    }
    if (!ok) {
      std::string shown(Utf8Prefix(digits, 32));
      return ErrAt(position.line, position.column,
                   "position: expected a whole number, got \"" + shown +
                       (digits.size() > 32 ? "...\"" : "\""));
    }
    ParsedEntry& entry = out.entries.emplace_back();
    entry.position = value;
    entry.title = std::move(record[static_cast<size_t>(index[kTitle])].value);
    entry.artist_credit =
        std::move(record[static_cast<size_t>(index[kArtist])].value);
    if (index[kProviderTrackId] >= 0) {
      entry.provider_track_id = std::string(TrimAscii(
          record[static_cast<size_t>(index[kProviderTrackId])].value));
    }
    if (index[kLink] >= 0) {
      entry.link = std::string(
          TrimAscii(record[static_cast<size_t>(index[kLink])].value));
    }
  }
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const ParsedEntry& a, const ParsedEntry& b) {
                     return a.position < b.position;
                   });
  return out;
}

}  // namespace hitclock::ingest::core
