// Helpers shared by the ingest core tests.
#ifndef HITCLOCK_TESTS_INGEST_CORE_TEST_UTIL_H_
#define HITCLOCK_TESTS_INGEST_CORE_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace hitclock::ingest::core::testing {

inline constexpr std::string_view kLegacySample =
    "legacy_itunes_topsongs_us_limit10_2018-06-01.json";
inline constexpr std::string_view kV2Sample =
    "v2_applemarketingtools_most-played_songs_us_limit20_2022-05-11.json";
inline constexpr std::string_view kV1Sample =
    "v1_rss_itunes_apple-music_top-songs_us_2017-11-04_first10.json";
inline constexpr std::string_view kKworbSample =
    "kworb_ww_totals_snapshot_2020_top100.csv";

// Returns the bytes of `shared/feeds/<name>`, exactly as stored.
inline std::string ReadSample(std::string_view name) {
  const std::string path =
      std::string(HITCLOCK_FEEDS_DIR) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The message of a status, as a std::string (abseil 20220623's
// absl::string_view is not std::string_view).
inline std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

// Succeeds when `haystack` contains `needle`.
inline ::testing::AssertionResult HasSubstr(std::string_view haystack,
                                            std::string_view needle) {
  if (haystack.find(needle) != std::string_view::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << haystack.substr(0, 300) << "\" does not contain \""
         << needle << "\"";
}

}  // namespace hitclock::ingest::core::testing

#endif  // HITCLOCK_TESTS_INGEST_CORE_TEST_UTIL_H_
