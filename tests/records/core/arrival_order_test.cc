// Property tests: any arrival order of the same snapshots (with resends,
// partial snapshots merged later, and wrong ones replaced) gives the same
// answer to every question as time-ordered arrival, and those answers match
// a brute-force computation from the snapshots.

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "services/records/core/records_engine.h"
#include "tests/records/core/consistency.h"
#include "tests/records/core/test_util.h"

namespace hitclock::records::core {
namespace {

using testing::kItunes;
using testing::kMinute;
using testing::Oracle;

constexpr Micros kStart = 1650812400000000;
const std::vector<std::string> kCountries = {"us", "gb", "jp", "fr", "de"};
const std::vector<std::string> kAllRegions = {"us", "gb", "jp",
                                              "fr", "de", "ww"};
constexpr int kTracks = 8;
constexpr int kChartSize = 6;

std::string TrackName(int i) { return "t" + std::to_string(i); }

struct Stream {
  // In time order.
  std::vector<Snapshot> snapshots;
  std::map<std::string, TrackFacts> facts;
};

// Even seeds give every snapshot its own instant; odd seeds let regions
// share capture instants (as a tracker polling all storefronts at once).
Stream Generate(uint32_t seed) {
  std::mt19937 rng(seed);
  Stream out;
  Micros offset = 0;
  for (const std::string& region : kAllRegions) {
    if (seed % 2 == 0) ++offset;
    Micros t = kStart + static_cast<Micros>(rng() % 30) * kMinute;
    // Popularity drifts: a small set of tracks dominates each period.
    // Enough captures that histories span several summary blocks
    // (RecordsEngine::kBlock change points each).
    for (int c = 0; c < 90; ++c) {
      t += static_cast<Micros>(1 + rng() % 20) * kMinute;
      std::vector<int> order(kTracks);
      for (int i = 0; i < kTracks; ++i) order[i] = i;
      // Biased shuffle: early tracks early, later tracks later.
      std::shuffle(order.begin(), order.end(), rng);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        int ka = std::abs(a - c / 11), kb = std::abs(b - c / 11);
        return ka < kb;
      });
      Snapshot s;
      s.chart = kItunes;
      s.region = region;
      s.capture_time = t + offset;
      s.chart_size = kChartSize;
      int shown = 2 + static_cast<int>(rng() % (kChartSize - 1));
      std::vector<int> positions(kChartSize);
      for (int i = 0; i < kChartSize; ++i) positions[i] = i + 1;
      if (rng() % 4 == 0) std::shuffle(positions.begin(), positions.end(), rng);
      for (int i = 0; i < shown && i < kTracks; ++i) {
        s.entries.push_back(SnapshotEntry{TrackName(order[i]), positions[i]});
      }
      // Sometimes a second version of a charting song, placed lower.
      if (rng() % 3 == 0 && shown < kChartSize) {
        s.entries.push_back(
            SnapshotEntry{s.entries[0].track_id, positions[shown]});
      }
      out.snapshots.push_back(std::move(s));
    }
  }
  std::stable_sort(out.snapshots.begin(), out.snapshots.end(),
                   [](const Snapshot& a, const Snapshot& b) {
                     return a.capture_time < b.capture_time;
                   });
  for (int i = 0; i < kTracks; ++i) {
    TrackFacts f;
    f.release_time = kStart + static_cast<Micros>(rng() % 200) * kMinute;
    f.kind = i % 3 == 0 ? TrackKind::kOst : TrackKind::kSingle;
    if (i % 2 == 0) {
      f.artists.push_back(
          testing::Soloist("s" + std::to_string(i), i % 4 == 0 ? "KR" : "US"));
    } else {
      f.artists.push_back(testing::Group("g" + std::to_string(i), "KR"));
    }
    if (i == 5) f.artists.push_back(testing::Soloist("duet", "JP"));
    out.facts[TrackName(i)] = f;
  }
  return out;
}

const std::vector<Category>& Categories() {
  static const auto* categories = new std::vector<Category>{
      {},
      {TrackKind::kOst},
      {TrackKind::kUnspecified, Performer::kSoloTrack},
      {TrackKind::kUnspecified, Performer::kBySoloist, "KR"},
      {TrackKind::kUnspecified, Performer::kByGroup},
      {TrackKind::kUnspecified, Performer::kAny, "JP"},
  };
  return *categories;
}

// Every answer the engine gives about the stream, as comparable values.
struct Answers {
  std::vector<TimeToThresholdAnswer> ttt;
  std::vector<TimelineAnswer> timelines;
  std::vector<TrackTotals> totals;
  std::vector<Leaderboard> boards;
  std::vector<Lineage> lineages;
  std::vector<std::optional<Snapshot>> snapshots;
  std::optional<ChartSummary> chart;

  bool operator==(const Answers& o) const {
    auto same_snapshots = [](const std::optional<Snapshot>& a,
                             const std::optional<Snapshot>& b) {
      if (a.has_value() != b.has_value()) return false;
      if (!a.has_value()) return true;
      if (a->chart_size != b->chart_size ||
          a->entries.size() != b->entries.size()) {
        return false;
      }
      for (size_t i = 0; i < a->entries.size(); ++i) {
        if (a->entries[i].track_id != b->entries[i].track_id ||
            a->entries[i].position != b->entries[i].position) {
          return false;
        }
      }
      return true;
    };
    if (snapshots.size() != o.snapshots.size()) return false;
    for (size_t i = 0; i < snapshots.size(); ++i) {
      if (!same_snapshots(snapshots[i], o.snapshots[i])) return false;
    }
    return ttt == o.ttt && timelines == o.timelines && totals == o.totals &&
           boards == o.boards && lineages == o.lineages && chart == o.chart;
  }
};

Answers Ask(const RecordsEngine& engine, const Stream& stream) {
  Answers out;
  for (int i = 0; i < kTracks; ++i) {
    const std::string track = TrackName(i);
    for (int p : {1, 2, 3}) {
      for (int n = 1; n <= 6; ++n) {
        for (bool named : {false, true}) {
          TimeToThresholdQuery q{track, kItunes, Threshold::Position(p), n};
          if (named) q.regions = {"ww", "us", "jp"};
          out.ttt.push_back(*engine.TimeToThreshold(q));
          // The BASIC answer (no crossing list; at an unwatched P over the
          // default set it takes its own path) is the full one without
          // its crossings.
          q.with_crossings = false;
          TimeToThresholdAnswer basic = *engine.TimeToThreshold(q);
          TimeToThresholdAnswer full = out.ttt.back();
          full.crossings.clear();
          EXPECT_TRUE(basic == full) << track << " P=" << p << " N=" << n;
        }
      }
      out.timelines.push_back(*engine.Timeline(
          TimelineQuery{track, kItunes, Threshold::Position(p), {}, {}, {}}));
      out.timelines.push_back(*engine.Timeline(TimelineQuery{
          track, kItunes, Threshold::Position(p), {"ww", "gb"}, {}, {}}));
      out.totals.push_back(
          *engine.Totals(track, kItunes, Threshold::Position(p)));
    }
  }
  for (int p : {1, 2}) {
    for (const Category& c : Categories()) {
      for (Metric m : {Metric::kTotal, Metric::kPeak, Metric::kAllKill}) {
        RecordKey key{kItunes, m, Threshold::Position(p), 0, c};
        out.boards.push_back(*engine.GetLeaderboard(key));
        out.lineages.push_back(*engine.GetLineage(key));
      }
      for (int n : {1, 3, 5}) {
        RecordKey key{kItunes, Metric::kFastest, Threshold::Position(p), n, c};
        out.boards.push_back(*engine.GetLeaderboard(key));
        out.lineages.push_back(*engine.GetLineage(key));
      }
    }
  }
  for (const Snapshot& s : stream.snapshots) {
    out.snapshots.push_back(
        engine.GetSnapshot(SnapshotKey{s.chart, s.region, s.capture_time}));
  }
  out.chart = engine.GetChart(kItunes);
  return out;
}

EngineOptions Options() {
  EngineOptions o;
  o.milestones = {1, 3, 5};
  o.watched_positions = {1, 3};
  return o;
}

// Declares the chart's countries (for ALL_KILL) and sets the facts.
void SetFacts(RecordsEngine& engine, const Stream& stream) {
  engine.SetChartCountries(kItunes, kCountries);
  for (const auto& [track, facts] : stream.facts) {
    engine.SetTrackFacts(track, facts);
  }
}

class ArrivalOrderTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(ArrivalOrderTest, AnyOrderGivesTheTimeOrderedAnswers) {
  const Stream stream = Generate(GetParam());
  RecordsEngine ordered(Options());
  SetFacts(ordered, stream);
  // Per watched record, the transitions its events announced, in order.
  using Transition = std::tuple<std::string, std::string, Micros>;
  std::map<std::tuple<int, int, int, Category>, std::vector<Transition>>
      announced;
  for (const Snapshot& s : stream.snapshots) {
    absl::StatusOr<AppendResult> r = ordered.Append(s);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_FALSE(r->backfilled);
    for (const RecordEvent& e : r->events) {
      EXPECT_FALSE(e.backfilled);
      auto& list = announced[{static_cast<int>(e.record.metric),
                              static_cast<int>(e.record.threshold.value()),
                              e.record.min_regions, e.record.category}];
      list.emplace_back(
          e.previous_holder ? e.previous_holder->track_id : std::string(),
          e.new_holder.track_id, e.new_holder.reach_time);
    }
  }
  ASSERT_TRUE(CheckConsistency(ordered).ok()) << CheckConsistency(ordered);
  // Every transition of every watched lineage was announced. With distinct
  // capture instants, time-ordered arrival announces exactly the lineage,
  // in order; with shared instants a record may change hands within one
  // instant as its snapshots arrive.
  for (const auto& [key, list] : announced) {
    auto [metric, p, n, category] = key;
    absl::StatusOr<Lineage> lineage =
        ordered.GetLineage(RecordKey{kItunes, static_cast<Metric>(metric),
                                     Threshold::Position(p), n, category});
    std::vector<Transition> want;
    for (size_t i = 0; i < lineage->holders.size(); ++i) {
      want.emplace_back(i == 0 ? "" : lineage->holders[i - 1].track_id,
                        lineage->holders[i].track_id,
                        lineage->holders[i].reach_time);
    }
    if (GetParam() % 2 == 0) {
      EXPECT_EQ(list, want) << "metric " << metric << " P " << p << " N " << n;
    } else {
      for (const Transition& t : want) {
        EXPECT_NE(std::find(list.begin(), list.end(), t), list.end());
      }
    }
  }
  const Answers expected = Ask(ordered, stream);

  std::mt19937 rng(GetParam() * 7919u + 1);
  for (int round = 0; round < 3; ++round) {
    std::vector<Snapshot> arrival = stream.snapshots;
    std::shuffle(arrival.begin(), arrival.end(), rng);
    RecordsEngine engine(Options());
    // Round 1 learns the facts after the snapshots; round 2 bulk-loads with
    // events off.
    if (round != 1) SetFacts(engine, stream);
    if (round == 2) engine.SetRecordEvents(false);
    for (size_t i = 0; i < arrival.size(); ++i) {
      const Snapshot& s = arrival[i];
      switch (rng() % 6) {
        case 0: {
          // A partial snapshot first (entries resolved later): merged.
          Snapshot partial = s;
          partial.entries.resize(partial.entries.size() / 2);
          ASSERT_TRUE(engine.Append(partial).ok());
          absl::StatusOr<AppendResult> r = engine.Append(s);
          if (!r.ok()) {
            // The partial one lacked the better-placed version of a song:
            // a contradiction at the observation level, replaced.
            ASSERT_EQ(r.status().code(), absl::StatusCode::kAlreadyExists);
            r = engine.Append(s, ConflictPolicy::kReplace);
            ASSERT_TRUE(r.ok()) << r.status();
            EXPECT_EQ(r->outcome, AppendOutcome::kReplaced);
          } else {
            EXPECT_NE(r->outcome, AppendOutcome::kAppended);
          }
          break;
        }
        case 1: {
          // A wrong snapshot first, replaced.
          Snapshot wrong = s;
          for (SnapshotEntry& e : wrong.entries) {
            e.position = kChartSize + 1 - e.position;
          }
          ASSERT_TRUE(engine.Append(wrong).ok());
          absl::StatusOr<AppendResult> r =
              engine.Append(s, ConflictPolicy::kReplace);
          ASSERT_TRUE(r.ok()) << r.status();
          break;
        }
        default:
          ASSERT_TRUE(engine.Append(s).ok());
      }
      if (rng() % 5 == 0) {
        // A resend of something already held.
        const Snapshot& again = arrival[rng() % (i + 1)];
        absl::StatusOr<AppendResult> r = engine.Append(again);
        ASSERT_TRUE(r.ok()) << r.status();
        EXPECT_EQ(r->outcome, AppendOutcome::kDuplicate);
        EXPECT_TRUE(r->events.empty());
      }
      if (i % 37 == 0) {
        ASSERT_TRUE(CheckConsistency(engine).ok())
            << "round " << round << " step " << i << ": "
            << CheckConsistency(engine);
      }
    }
    if (round == 1) SetFacts(engine, stream);
    if (round == 2) engine.SetRecordEvents(true);
    ASSERT_TRUE(CheckConsistency(engine).ok()) << CheckConsistency(engine);
    EXPECT_TRUE(Ask(engine, stream) == expected) << "round " << round;
  }
}

// Leaderboards at an unwatched P are computed on demand by a shorter path
// (each region's first crossing only); watching that P instead keeps them
// by the incremental one. Both must rank the same rows with the same values,
// instants and regions.
TEST_P(ArrivalOrderTest, UnwatchedBoardsEqualWatchedOnes) {
  const Stream stream = Generate(GetParam());
  EngineOptions all = Options();
  all.watched_positions = {1, 2, 3, 4, 5, 6};
  // Unwatched P=2, 4, 5, 6: in time order (peak levels kept by appends
  // where instants are distinct, the histories where they are shared), and
  // after a shuffled arrival (peak levels given up, then rebuilt by a
  // region kind change).
  RecordsEngine ordered(Options()), shuffled(Options()), watched(all);
  std::vector<Snapshot> arrival = stream.snapshots;
  std::shuffle(arrival.begin(), arrival.end(), std::mt19937(GetParam()));
  for (RecordsEngine* engine : {&ordered, &shuffled, &watched}) {
    SetFacts(*engine, stream);
    for (const Snapshot& s : engine == &shuffled ? arrival : stream.snapshots) {
      ASSERT_TRUE(engine->Append(s).ok());
    }
    ASSERT_TRUE(CheckConsistency(*engine).ok()) << CheckConsistency(*engine);
  }
  shuffled.SetRegionKind("fr", RegionKind::kAggregate);
  shuffled.SetRegionKind("fr", RegionKind::kCountry);
  ASSERT_TRUE(CheckConsistency(shuffled).ok()) << CheckConsistency(shuffled);
  int ranked = 0;
  for (const Category& c : Categories()) {
    for (int p : {2, 4, 5, 6}) {
      std::vector<RecordKey> keys;
      for (Metric m : {Metric::kTotal, Metric::kPeak, Metric::kAllKill}) {
        keys.push_back({kItunes, m, Threshold::Position(p), 0, c});
      }
      for (int n : {1, 2, 3, 5, 40}) {
        keys.push_back(
            {kItunes, Metric::kFastest, Threshold::Position(p), n, c});
      }
      for (const RecordKey& key : keys) {
        absl::StatusOr<Leaderboard> want = watched.GetLeaderboard(key);
        ASSERT_TRUE(want.ok());
        for (RecordsEngine* engine : {&ordered, &shuffled}) {
          absl::StatusOr<Leaderboard> got = engine->GetLeaderboard(key);
          ASSERT_TRUE(got.ok());
          EXPECT_TRUE(*got == *want)
              << "metric " << static_cast<int>(key.metric) << " P " << p
              << " N " << key.min_regions
              << (engine == &shuffled ? " shuffled" : " in order");
        }
        if (key.metric == Metric::kPeak) {
          ranked += static_cast<int>(want->rows.size());
        }
      }
    }
  }
  EXPECT_GT(ranked, 0) << "the stream ranks no peak at an unwatched P";
}

// The bulk load of a restart (`EngineLoader`: `Load`, then `Finish`): region by
// region in capture order (the store's order, the fast path), or shuffled
// (every out-of-order one appended the ordinary way), with events on or off
// and facts before or after: the same answers as time-ordered arrival.
TEST_P(ArrivalOrderTest, BulkLoadGivesTheTimeOrderedAnswers) {
  const Stream stream = Generate(GetParam());
  RecordsEngine ordered(Options());
  SetFacts(ordered, stream);
  for (const Snapshot& s : stream.snapshots)
    ASSERT_TRUE(ordered.Append(s).ok());
  const Answers expected = Ask(ordered, stream);

  std::mt19937 rng(GetParam() * 31u + 5);
  for (int round = 0; round < 4; ++round) {
    std::vector<Snapshot> arrival = stream.snapshots;
    if (round < 2) {
      std::stable_sort(arrival.begin(), arrival.end(),
                       [](const Snapshot& a, const Snapshot& b) {
                         return std::tie(a.chart, a.region, a.capture_time) <
                                std::tie(b.chart, b.region, b.capture_time);
                       });
    } else {
      std::shuffle(arrival.begin(), arrival.end(), rng);
    }
    RecordsEngine engine(Options());
    if (round % 2 == 0) SetFacts(engine, stream);
    if (round != 3) engine.SetRecordEvents(false);
    EngineLoader loader(engine);
    for (const Snapshot& s : arrival) {
      std::vector<std::pair<uint32_t, int>> observations;
      for (const SnapshotEntry& e : s.entries) {
        observations.emplace_back(loader.TrackNumber(e.track_id), e.position);
      }
      ASSERT_TRUE(loader
                      .Load(s.chart, s.region, s.capture_time, s.chart_size,
                            absl::MakeSpan(observations))
                      .ok());
    }
    loader.Finish();
    if (round % 2 == 1) SetFacts(engine, stream);
    engine.SetRecordEvents(true);
    ASSERT_TRUE(CheckConsistency(engine).ok())
        << "round " << round << ": " << CheckConsistency(engine);
    EXPECT_TRUE(Ask(engine, stream) == expected) << "round " << round;
  }
}

TEST_P(ArrivalOrderTest, MatchesBruteForce) {
  const Stream stream = Generate(GetParam());
  std::vector<Snapshot> arrival = stream.snapshots;
  std::mt19937 rng(GetParam());
  std::shuffle(arrival.begin(), arrival.end(), rng);
  RecordsEngine engine(Options());
  for (const Snapshot& s : arrival) ASSERT_TRUE(engine.Append(s).ok());
  const std::set<std::string> countries(kCountries.begin(), kCountries.end());
  for (int i = 0; i < kTracks; ++i) {
    const std::string track = TrackName(i);
    Oracle oracle(stream.snapshots, kItunes, track, countries);
    for (int p : {1, 2, 4}) {
      auto crossings = oracle.Crossings(p);
      for (int n = 1; n <= 5; ++n) {
        TimeToThresholdAnswer a = *engine.TimeToThreshold(TimeToThresholdQuery{
            track, kItunes, Threshold::Position(p), n, kStart});
        ASSERT_EQ(a.region_count, static_cast<int>(crossings.size()));
        ASSERT_EQ(a.reached, static_cast<int>(crossings.size()) >= n);
        for (size_t k = 0; k < crossings.size(); ++k) {
          EXPECT_EQ(a.crossings[k].capture_time, crossings[k].first);
          EXPECT_EQ(a.crossings[k].region, crossings[k].second);
        }
        if (a.reached) {
          const auto& [time, region] = crossings[n - 1];
          EXPECT_EQ(a.reach_time, time);
          EXPECT_EQ(a.completing_region, region);
          EXPECT_EQ(a.bounds.start, oracle.PreviousCapture(region, time)
                                        .value_or(std::min(kStart, time)));
        }
      }
      TimelineAnswer t = *engine.Timeline(
          TimelineQuery{track, kItunes, Threshold::Position(p), {}, {}, {}});
      std::vector<TimelinePoint> want = oracle.Points(p);
      if (!want.empty()) {
        // The engine adds a closing point at the latest capture.
        std::vector<TimelinePoint> got = t.points;
        if (got.size() > want.size()) got.pop_back();
        EXPECT_EQ(got, want) << track << " P=" << p;
        int peak = 0;
        for (const TimelinePoint& pt : want) {
          peak = std::max(peak, pt.simultaneous);
        }
        EXPECT_EQ(t.peak_simultaneous, peak);
      } else {
        EXPECT_TRUE(t.points.empty());
      }
    }
  }
}

// Histories long enough to have summary blocks (RecordsEngine::kBlock change
// points each) that lie wholly within a threshold, wholly outside it, and
// across it: the steps at any unwatched P skip whole blocks, and must still
// equal the brute-force timeline, in time order and after a backfill that
// rewrites the blocks.
TEST(LongHistoryTest, TimelinesAtUnwatchedThresholdsMatchBruteForce) {
  // Phases of 40 captures, alternating two positions (0 = absent).
  const std::vector<std::pair<int, int>> phases = {
      {50, 60}, {1, 2}, {70, 0}, {3, 30}, {2, 1}, {0, 90}, {10, 11}, {5, 0}};
  std::vector<Snapshot> snapshots;
  for (size_t r = 0; r < kCountries.size(); ++r) {
    Micros t = kStart + static_cast<Micros>(r) * kMinute;
    // Regions start at different phases, so counts overlap.
    for (size_t c = 0; c < phases.size() * 40; ++c, t += 5 * kMinute) {
      const auto& [a, b] = phases[(c / 40 + r) % phases.size()];
      const int position = c % 2 == 0 ? a : b;
      Snapshot s{kItunes, kCountries[r], t, 100, {}};
      if (position != 0) s.entries.push_back({"long", position});
      // Another track keeps every capture non-empty.
      s.entries.push_back({"other", position == 99 ? 98 : 99});
      snapshots.push_back(std::move(s));
    }
  }
  const std::set<std::string> countries(kCountries.begin(), kCountries.end());
  const Oracle oracle(snapshots, kItunes, "long", countries);
  EngineOptions options;
  options.watched_positions = {1};
  for (bool backfill : {false, true}) {
    RecordsEngine engine(options);
    std::vector<Snapshot> arrival = snapshots;
    std::sort(arrival.begin(), arrival.end(),
              [](const Snapshot& a, const Snapshot& b) {
                return a.capture_time < b.capture_time;
              });
    if (backfill) {
      // The newer half first, then the older half newest first: every
      // older capture rewrites the change points before all held ones.
      std::rotate(arrival.begin(), arrival.begin() + arrival.size() / 2,
                  arrival.end());
      std::reverse(arrival.begin() + arrival.size() / 2, arrival.end());
    }
    for (const Snapshot& s : arrival) ASSERT_TRUE(engine.Append(s).ok());
    ASSERT_TRUE(CheckConsistency(engine).ok()) << CheckConsistency(engine);
    for (int p : {1, 2, 3, 4, 5, 10, 11, 29, 30, 50, 59, 60, 70, 89, 90, 100}) {
      absl::StatusOr<TimelineAnswer> t = engine.Timeline(
          TimelineQuery{"long", kItunes, Threshold::Position(p), {}, {}, {}});
      ASSERT_TRUE(t.ok()) << t.status();
      std::vector<TimelinePoint> want = oracle.Points(p);
      std::vector<TimelinePoint> got = t->points;
      // The engine adds a closing point at the latest capture.
      if (got.size() > want.size()) got.pop_back();
      EXPECT_EQ(got, want) << "P=" << p << (backfill ? " backfilled" : "");
      int peak = 0;
      for (const TimelinePoint& pt : want) {
        peak = std::max(peak, pt.simultaneous);
      }
      EXPECT_EQ(t->peak_simultaneous, peak) << "P=" << p;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, ArrivalOrderTest, ::testing::Range(1u, 13u));

}  // namespace
}  // namespace hitclock::records::core
