// Instants as microseconds since the Unix epoch (UTC), and the timestamp
// formats Apple's feeds print.
#ifndef HITCLOCK_SERVICES_INGEST_CORE_TIME_UTIL_H_
#define HITCLOCK_SERVICES_INGEST_CORE_TIME_UTIL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hitclock::ingest::core {

inline constexpr int64_t kMicrosPerSecond = 1'000'000;

// Returns the instant of a UTC civil time, in microseconds since the epoch.
// The fields are not range-checked (month 1..12 and day 1..31 are assumed).
int64_t CivilToMicros(int year, int month, int day, int hour = 0,
                      int minute = 0, int second = 0);

// Parses an ISO 8601 / RFC 3339 timestamp with a UTC offset, e.g.
// `2018-06-01T00:06:30-07:00`, `2017-11-04T03:17:27.000-07:00`,
// `2022-05-11T21:44:11Z` (also `+0900` without the colon). Fractions of a
// second are kept to the microsecond (further digits are truncated). Returns
// nullopt for anything else, including a missing offset and out-of-range
// fields (month 13, February 30, hour 24, second 60).
std::optional<int64_t> ParseIso8601Micros(std::string_view text);

// Parses an RFC 2822 date-time, e.g. `Wed, 11 May 2022 21:44:11 +0000`: an
// optional day name, a 1- or 2-digit day, an English month abbreviation, a
// 4-digit year, `HH:MM[:SS]` and a zone (`+hhmm`, `-hhmm`, `GMT`, `UT`,
// `UTC`, `Z`). The day name, when present, must be a valid one but is not
// checked against the date. Returns nullopt for anything else.
std::optional<int64_t> ParseRfc2822Micros(std::string_view text);

// Formats an instant as RFC 3339 in UTC: `2022-05-11T21:44:11Z`, with
// `.ffffff` only when the instant has a fraction of a second.
std::string FormatMicrosUtc(int64_t micros);

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_TIME_UTIL_H_
