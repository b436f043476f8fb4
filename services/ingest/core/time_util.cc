#include "services/ingest/core/time_util.h"

#include <array>
#include <cstdio>

namespace hitclock::ingest::core {
namespace {

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

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30,
                                                31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `s[*i]`, advancing `*i`.
bool ReadDigits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

bool ValidCivil(int y, int mo, int d, int h, int mi, int sec) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= DaysInMonth(y, mo) && h >= 0 &&
         h <= 23 && mi >= 0 && mi <= 59 && sec >= 0 && sec <= 59;
}

// Reads `+hh:mm`, `+hhmm` or `Z` into an offset in seconds east of UTC.
bool ReadOffset(std::string_view s, size_t* i, int* offset_seconds) {
  if (*i >= s.size()) return false;
  char sign = s[*i];
  if (sign == 'Z' || sign == 'z') {
    ++*i;
    *offset_seconds = 0;
    return true;
  }
  if (sign != '+' && sign != '-') return false;
  ++*i;
  int oh = 0;
  int om = 0;
  if (!ReadDigits(s, i, 2, &oh)) return false;
  if (*i < s.size() && s[*i] == ':') ++*i;
  if (!ReadDigits(s, i, 2, &om)) return false;
  if (oh > 23 || om > 59) return false;
  *offset_seconds = (oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
  return true;
}

}  // namespace

int64_t CivilToMicros(int year, int month, int day, int hour, int minute,
                      int second) {
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month),
                                     static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * kMicrosPerSecond +
         static_cast<int64_t>(second) * kMicrosPerSecond;
}

std::optional<int64_t> ParseIso8601Micros(std::string_view s) {
  size_t i = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, &i, 4, &y) || !Expect(s, &i, '-') ||
      !ReadDigits(s, &i, 2, &mo) || !Expect(s, &i, '-') ||
      !ReadDigits(s, &i, 2, &d)) {
    return std::nullopt;
  }
  if (i >= s.size() || (s[i] != 'T' && s[i] != 't')) return std::nullopt;
  ++i;
  if (!ReadDigits(s, &i, 2, &h) || !Expect(s, &i, ':') ||
      !ReadDigits(s, &i, 2, &mi) || !Expect(s, &i, ':') ||
      !ReadDigits(s, &i, 2, &sec)) {
    return std::nullopt;
  }
  int64_t frac_micros = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && IsDigit(s[i])) {
      if (digits < 6) frac_micros = frac_micros * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
    for (int k = digits; k < 6; ++k) frac_micros *= 10;
  }
  int offset = 0;
  if (!ReadOffset(s, &i, &offset) || i != s.size()) return std::nullopt;
  if (!ValidCivil(y, mo, d, h, mi, sec)) return std::nullopt;
  return CivilToMicros(y, mo, d, h, mi, sec) + frac_micros -
         static_cast<int64_t>(offset) * kMicrosPerSecond;
}

std::optional<int64_t> ParseRfc2822Micros(std::string_view s) {
  static constexpr std::array<std::string_view, 7> kDayNames = {
      "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 12> kMonthNames = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  size_t i = 0;
  auto skip_spaces = [&] {
    size_t start = i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    return i > start;
  };
  skip_spaces();
  if (i < s.size() && !IsDigit(s[i])) {
    bool known = false;
    for (std::string_view name : kDayNames) {
      if (s.substr(i, 3) == name) known = true;
    }
    if (!known) return std::nullopt;
    i += 3;
    if (!Expect(s, &i, ',')) return std::nullopt;
    skip_spaces();
  }
  int d = 0;
  if (i + 2 <= s.size() && IsDigit(s[i]) && IsDigit(s[i + 1])) {
    ReadDigits(s, &i, 2, &d);
  } else if (!ReadDigits(s, &i, 1, &d)) {
    return std::nullopt;
  }
  if (!skip_spaces()) return std::nullopt;
  int mo = 0;
  for (size_t k = 0; k < kMonthNames.size(); ++k) {
    if (s.substr(i, 3) == kMonthNames[k]) mo = static_cast<int>(k) + 1;
  }
  if (mo == 0) return std::nullopt;
  i += 3;
  if (!skip_spaces()) return std::nullopt;
  int y = 0;
  if (!ReadDigits(s, &i, 4, &y)) return std::nullopt;
  if (!skip_spaces()) return std::nullopt;
  int h = 0, mi = 0, sec = 0;
  if (!ReadDigits(s, &i, 2, &h) || !Expect(s, &i, ':') ||
      !ReadDigits(s, &i, 2, &mi)) {
    return std::nullopt;
  }
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!ReadDigits(s, &i, 2, &sec)) return std::nullopt;
  }
  if (!skip_spaces()) return std::nullopt;
  int offset = 0;
  std::string_view zone = s.substr(i);
  while (!zone.empty() && (zone.back() == ' ' || zone.back() == '\t')) {
    zone.remove_suffix(1);
  }
  if (zone == "GMT" || zone == "UT" || zone == "UTC" || zone == "Z") {
    offset = 0;
  } else {
    if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-')) {
      return std::nullopt;
    }
    size_t j = 1;
    int oh = 0, om = 0;
    if (!ReadDigits(zone, &j, 2, &oh) || !ReadDigits(zone, &j, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
  }
  if (!ValidCivil(y, mo, d, h, mi, sec)) return std::nullopt;
  return CivilToMicros(y, mo, d, h, mi, sec) -
         static_cast<int64_t>(offset) * kMicrosPerSecond;
}

std::string FormatMicrosUtc(int64_t micros) {
  int64_t secs = micros / kMicrosPerSecond;
  int64_t frac = micros % kMicrosPerSecond;
  if (frac < 0) {
    frac += kMicrosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  const Civil c = CivilFromDays(days);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(c.year), c.month, c.day,
                        static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60),
                        static_cast<int>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%06lld", static_cast<long long>(frac));
    out += buf;
  }
  out += 'Z';
  return out;
}

}  // namespace hitclock::ingest::core
