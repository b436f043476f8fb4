// Helpers shared by the records tests: temp dirs and the demo stream as
// core snapshots and as AppendSnapshots requests.
#ifndef HITCLOCK_TESTS_RECORDS_RECORDS_FIXTURES_H_
#define HITCLOCK_TESTS_RECORDS_RECORDS_FIXTURES_H_

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/records/core/types.h"
#include "services/records/sim/demo.h"

namespace hitclock::records::fixtures {

// A fresh directory under the test temp dir.
inline std::filesystem::path MakeTempDir(const std::string& prefix) {
  std::string pattern =
      (std::filesystem::path(::testing::TempDir()) / (prefix + "-XXXXXX"))
          .string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr);
  return std::filesystem::path(pattern);
}

inline core::Snapshot ToCore(const sim::SimSnapshot& s) {
  core::Snapshot out{.chart = s.chart,
                     .region = s.region,
                     .capture_time = s.capture_micros,
                     .chart_size = s.chart_size,
                     .entries = {}};
  for (const sim::SimEntry& e : s.entries) {
    out.entries.push_back({e.track_id, e.position});
  }
  return out;
}

// `s` reduced to its observations (each track at its best position), in
// position order: what the store is given.
inline core::Snapshot Observations(const core::Snapshot& s) {
  core::Snapshot out = s;
  out.entries.clear();
  for (const core::SnapshotEntry& e : s.entries) {
    auto it =
        std::find_if(out.entries.begin(), out.entries.end(),
                     [&](const auto& o) { return o.track_id == e.track_id; });
    if (it == out.entries.end()) {
      out.entries.push_back(e);
    } else {
      it->position = std::min(it->position, e.position);
    }
  }
  std::sort(
      out.entries.begin(), out.entries.end(),
      [](const auto& a, const auto& b) { return a.position < b.position; });
  return out;
}

// The demo stream, in capture-time order unless told otherwise.
inline std::vector<sim::SimSnapshot> DemoSnapshots(
    sim::EmitOrder order = sim::EmitOrder::kTime) {
  std::vector<sim::SimSnapshot> out;
  sim::DemoOptions options;
  options.order = order;
  sim::GenerateDemo(options,
                    [&](const sim::SimSnapshot& s) { out.push_back(s); });
  return out;
}

// 2022-04-24T15:00:00Z, With You's release, and friends, in micros.
inline constexpr int64_t kWithYouRelease = 1650812400LL * 1'000'000;
inline constexpr int64_t kDynamiteRelease = 1597982400LL * 1'000'000;
inline constexpr int64_t kMinute = 60LL * 1'000'000;

}  // namespace hitclock::records::fixtures

#endif  // HITCLOCK_TESTS_RECORDS_RECORDS_FIXTURES_H_
