#include "services/ingest/core/time_util.h"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

// abseil does the calendar: field ranges, leap years, offsets. What is left
// here is the shape of each format, where abseil's parser is more lenient
// than the feeds' formats (it takes any number of year digits, a sign, a
// one-digit month, surrounding whitespace, a leap second 60 and, through
// strptime, the current locale's month names).
namespace hitclock::ingest::core {
namespace {

// Debian's abseil has its own `absl::string_view`.
absl::string_view AbslView(std::string_view s) { return {s.data(), s.size()}; }

// Whether `text` is `pattern` with each `9` of the pattern any ASCII digit.
bool HasShape(absl::string_view text, absl::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (pattern[i] == '9' ? !absl::ascii_isdigit(text[i])
                          : text[i] != pattern[i]) {
      return false;
    }
  }
  return true;
}

// Whether `zone` is a numeric UTC offset `+hhmm` (or `+hh:mm` when
// `colon_allowed`).
bool IsNumericOffset(absl::string_view zone, bool colon_allowed) {
  if (!absl::ConsumePrefix(&zone, "+") && !absl::ConsumePrefix(&zone, "-")) {
    return false;
  }
  return HasShape(zone, "9999") || (colon_allowed && HasShape(zone, "99:99"));
}

// `text` parsed with `format` as microseconds since the epoch; nullopt when
// abseil rejects it (an out-of-range field, a day the month does not have).
std::optional<int64_t> Parse(const char* format, absl::string_view text) {
  absl::Time t;
  if (!absl::ParseTime(format, text, &t, /*err=*/nullptr)) return std::nullopt;
  return absl::ToUnixMicros(t);
}

}  // namespace

int64_t CivilToMicros(int year, int month, int day, int hour, int minute,
                      int second) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone()));
}

std::optional<int64_t> ParseIso8601Micros(std::string_view text) {
  absl::string_view rest = AbslView(text);
  if (rest.size() < 19 || !HasShape(rest.substr(0, 10), "9999-99-99") ||
      (rest[10] != 'T' && rest[10] != 't') ||
      !HasShape(rest.substr(11, 8), "99:99:99") || rest.substr(17, 2) == "60") {
    return std::nullopt;
  }
  rest.remove_prefix(19);
  if (absl::ConsumePrefix(&rest, ".")) {
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
    if (digits == 0 || digits > 9) return std::nullopt;
    rest.remove_prefix(digits);
  }
  if (rest != "Z" && rest != "z" && !IsNumericOffset(rest, true)) {
    return std::nullopt;
  }
  // `%E*S` keeps every fractional digit; whole microseconds are taken
  // towards the past, which truncates the fraction as written.
  return Parse(absl::RFC3339_full, AbslView(text));
}

std::optional<int64_t> ParseRfc2822Micros(std::string_view text) {
  static constexpr std::array<absl::string_view, 7> kDayNames = {
      "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<absl::string_view, 12> kMonthNames = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::vector<absl::string_view> tokens =
      absl::StrSplit(AbslView(text), absl::ByAnyChar(" \t"), absl::SkipEmpty());
  // An optional day name with its comma, the day possibly right after it.
  if (!tokens.empty() && !absl::ascii_isdigit(tokens[0].front())) {
    absl::string_view day_name = tokens[0];
    if (day_name.size() < 4 || day_name[3] != ',' ||
        absl::c_find(kDayNames, day_name.substr(0, 3)) == kDayNames.end()) {
      return std::nullopt;
    }
    if (day_name.size() == 4) {
      tokens.erase(tokens.begin());
    } else {
      tokens[0] = day_name.substr(4);
    }
  }
  if (tokens.size() != 5) return std::nullopt;
  const absl::string_view day = tokens[0];
  const absl::string_view month = tokens[1];
  const absl::string_view year = tokens[2];
  const absl::string_view time = tokens[3];
  const absl::string_view zone = tokens[4];
  const auto month_name = absl::c_find(kMonthNames, month);
  if (!(HasShape(day, "9") || HasShape(day, "99")) ||
      month_name == kMonthNames.end() || !HasShape(year, "9999") ||
      !(HasShape(time, "99:99") ||
        (HasShape(time, "99:99:99") && time.substr(6) != "60"))) {
    return std::nullopt;
  }
  // The obsolete zone names that mean UTC; other names (`PST`, military
  // letters) are not taken.
  absl::string_view offset = zone;
  if (zone == "GMT" || zone == "UT" || zone == "UTC" || zone == "Z") {
    offset = "+0000";
  } else if (!IsNumericOffset(zone, false)) {
    return std::nullopt;
  }
  // Month by number: `%b` would read the month through strptime, in the
  // current locale.
  return Parse(
      "%Y-%m-%d %H:%M:%S %z",
      absl::StrCat(year, "-", month_name - kMonthNames.begin() + 1, "-", day,
                   " ", time, time.size() == 5 ? ":00" : "", " ", offset));
}

std::string FormatMicrosUtc(int64_t micros) {
  return absl::FormatTime(micros % kMicrosPerSecond == 0
                              ? "%Y-%m-%dT%H:%M:%SZ"
                              : "%Y-%m-%dT%H:%M:%E6SZ",
                          absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

}  // namespace hitclock::ingest::core
