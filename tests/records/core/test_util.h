// Helpers shared by the records core tests: instants, snapshots, the seed
// catalog facts, and a brute-force oracle computed straight from the
// snapshots.

#ifndef HITCLOCK_TESTS_RECORDS_CORE_TEST_UTIL_H_
#define HITCLOCK_TESTS_RECORDS_CORE_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/records/core/types.h"

namespace hitclock::records::core::testing {

inline constexpr char kItunes[] = "itunes/top-songs";
inline constexpr Micros kMinute = 60'000'000;
inline constexpr Micros kHour = 60 * kMinute;
inline constexpr Micros kDay = 24 * kHour;

// Release instants from SEED-FACTS.md.
inline constexpr Micros kWithYouRelease = 1650812400000000;   // 2022-04-24 15Z
inline constexpr Micros kDynamiteRelease = 1597982400000000;  // 2020-08-21 4Z
inline constexpr Micros kYoursRelease = 1636275600000000;     // 2021-11-07 9Z

inline Snapshot Snap(std::string region, Micros time,
                     std::vector<std::pair<std::string, int>> entries,
                     int chart_size = 100, std::string chart = kItunes) {
  Snapshot s;
  s.chart = std::move(chart);
  s.region = std::move(region);
  s.capture_time = time;
  s.chart_size = chart_size;
  for (auto& [track, position] : entries) {
    s.entries.push_back(SnapshotEntry{std::move(track), position});
  }
  return s;
}

inline CreditedArtist Soloist(std::string id, std::string origin,
                              CreditRole role = CreditRole::kMain) {
  return CreditedArtist{std::move(id), role, ArtistKind::kSoloist,
                        std::move(origin)};
}

inline CreditedArtist Group(std::string id, std::string origin) {
  return CreditedArtist{std::move(id), CreditRole::kMain, ArtistKind::kGroup,
                        std::move(origin)};
}

// "With You": Jimin & Ha Sung-woon, an OST, a duet of two Korean soloists.
inline TrackFacts WithYouFacts() {
  return TrackFacts{kWithYouRelease,
                    TrackKind::kOst,
                    {Soloist("jimin", "KR"), Soloist("ha-sung-woon", "kr")}};
}

// "Dynamite": BTS, a Korean group, a single.
inline TrackFacts DynamiteFacts() {
  return TrackFacts{kDynamiteRelease, TrackKind::kSingle, {Group("bts", "KR")}};
}

// "Yours": Jin, an OST, a solo track by a Korean soloist, 2021.
inline TrackFacts YoursFacts() {
  return TrackFacts{kYoursRelease, TrackKind::kOst, {Soloist("jin", "KR")}};
}

// The answers computed the slow, obvious way from a set of snapshots, for
// one track, position <= P, over a set of regions.
struct Oracle {
  struct Capture {
    Micros time;
    int position;  // 0 = absent
  };
  // region -> captures in time order (the latest snapshot of an identity
  // wins, as a replace would).
  std::map<std::string, std::vector<Capture>> regions;

  Oracle(const std::vector<Snapshot>& snapshots, const std::string& chart,
         const std::string& track, const std::set<std::string>& region_set) {
    std::map<std::string, std::map<Micros, int>> by_region;
    for (const Snapshot& s : snapshots) {
      if (s.chart != chart || !region_set.contains(s.region)) continue;
      int best = 0;
      for (const SnapshotEntry& e : s.entries) {
        if (e.track_id == track && (best == 0 || e.position < best)) {
          best = e.position;
        }
      }
      by_region[s.region][s.capture_time] = best;
    }
    for (auto& [region, captures] : by_region) {
      for (auto& [time, position] : captures) {
        regions[region].push_back(Capture{time, position});
      }
    }
  }

  static bool Within(int position, int p) {
    return position != 0 && position <= p;
  }

  // (first crossing instant, region), sorted by instant then region.
  std::vector<std::pair<Micros, std::string>> Crossings(int p) const {
    std::vector<std::pair<Micros, std::string>> out;
    for (const auto& [region, captures] : regions) {
      for (const Capture& c : captures) {
        if (Within(c.position, p)) {
          out.emplace_back(c.time, region);
          break;
        }
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // (instant, total, simultaneous) at every capture instant of the set
  // where a count changes.
  std::vector<TimelinePoint> Points(int p) const {
    std::set<Micros> instants;
    for (const auto& [region, captures] : regions) {
      for (const Capture& c : captures) instants.insert(c.time);
    }
    std::vector<TimelinePoint> out;
    for (Micros t : instants) {
      int total = 0, simultaneous = 0;
      for (const auto& [region, captures] : regions) {
        bool crossed = false;
        const Capture* latest = nullptr;
        for (const Capture& c : captures) {
          if (c.time > t) break;
          latest = &c;
          crossed = crossed || Within(c.position, p);
        }
        total += crossed;
        simultaneous += latest != nullptr && Within(latest->position, p);
      }
      if (out.empty() || out.back().total != total ||
          out.back().simultaneous != simultaneous) {
        if (!out.empty() || total != 0 || simultaneous != 0) {
          out.push_back(TimelinePoint{t, total, simultaneous});
        }
      }
    }
    return out;
  }

  std::optional<Micros> PreviousCapture(const std::string& region,
                                        Micros time) const {
    std::optional<Micros> out;
    for (const Capture& c : regions.at(region)) {
      if (c.time < time) out = c.time;
    }
    return out;
  }
};

}  // namespace hitclock::records::core::testing

#endif  // HITCLOCK_TESTS_RECORDS_CORE_TEST_UTIL_H_
