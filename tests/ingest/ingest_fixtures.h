// Small builders shared by the ingest tests.
#ifndef HITCLOCK_TESTS_INGEST_INGEST_FIXTURES_H_
#define HITCLOCK_TESTS_INGEST_INGEST_FIXTURES_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "hitclock/ingest/v1/ingest.pb.h"

namespace hitclock::ingest::fixtures {

// A fresh directory under the test temp dir.
inline std::filesystem::path MakeTempDir(const std::string& prefix) {
  std::string pattern =
      (std::filesystem::path(::testing::TempDir()) / (prefix + "-XXXXXX"))
          .string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return std::filesystem::path(pattern);
}

// 2022-06-03T00:00:00Z plus `minutes`.
inline google::protobuf::Timestamp At(int minutes) {
  google::protobuf::Timestamp t;
  t.set_seconds(1654214400 + int64_t{minutes} * 60);
  return t;
}

// An iTunes top-songs snapshot of `region` at `At(minutes)` with `k`
// entries: "Song <i>" by "Artist <i>" with iTunes id "9000<i>".
inline v1::ChartSnapshot Snapshot(const std::string& region, int minutes,
                                  int k = 3) {
  v1::ChartSnapshot s;
  s.mutable_chart()->set_provider("itunes");
  s.mutable_chart()->set_list("top-songs");
  s.mutable_region()->set_code(region);
  *s.mutable_capture_time() = At(minutes);
  for (int i = 1; i <= k; ++i) {
    auto* e = s.add_entries();
    e->set_position(i);
    e->mutable_entry()->set_title("Song " + std::to_string(i));
    e->mutable_entry()->set_artist_credit("Artist " + std::to_string(i));
    e->mutable_entry()->set_provider_track_id("9000" + std::to_string(i));
  }
  return s;
}

// Reads a whole file.
inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hitclock::ingest::fixtures

#endif  // HITCLOCK_TESTS_INGEST_INGEST_FIXTURES_H_
