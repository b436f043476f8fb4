#include "services/records/core/records_engine.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "tests/records/core/consistency.h"
#include "tests/records/core/test_util.h"

namespace hitclock::records::core {
namespace {

using testing::DynamiteFacts;
using testing::kDay;
using testing::kDynamiteRelease;
using testing::kHour;
using testing::kItunes;
using testing::kMinute;
using testing::kWithYouRelease;
using testing::kYoursRelease;
using testing::Snap;
using testing::WithYouFacts;
using testing::YoursFacts;

constexpr Micros kT0 = kWithYouRelease;

// Appends and expects success; returns the result.
AppendResult Add(RecordsEngine& engine, const Snapshot& s,
                 ConflictPolicy policy = ConflictPolicy::kReject) {
  absl::StatusOr<AppendResult> r = engine.Append(s, policy);
  EXPECT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(CheckConsistency(engine).ok()) << CheckConsistency(engine);
  return r.ok() ? *std::move(r) : AppendResult{};
}

TimeToThresholdAnswer Ttt(const RecordsEngine& engine, std::string track, int p,
                          int n, std::optional<Micros> reference = kT0,
                          std::vector<std::string> regions = {}) {
  TimeToThresholdQuery q;
  q.track_id = std::move(track);
  q.chart = kItunes;
  q.threshold = Threshold::Position(p);
  q.min_regions = n;
  q.reference_time = reference;
  q.regions = std::move(regions);
  absl::StatusOr<TimeToThresholdAnswer> a = engine.TimeToThreshold(q);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : TimeToThresholdAnswer{};
}

std::vector<std::string> TrackIds(const std::vector<RecordHolder>& rows) {
  std::vector<std::string> out;
  for (const RecordHolder& r : rows) out.push_back(r.track_id);
  return out;
}

// ---------------------------------------------------------------------------
// Appending.

struct BadSnapshotCase {
  const char* name;
  Snapshot snapshot;
  std::string field;
};

TEST(AppendTest, RejectsMalformedSnapshotsNamingTheField) {
  Snapshot base = Snap("us", kT0, {{"a", 1}, {"b", 2}}, 10);
  auto with = [&](auto change) {
    Snapshot s = base;
    change(s);
    return s;
  };
  const std::vector<BadSnapshotCase> cases = {
      {"no chart", with([](Snapshot& s) { s.chart.clear(); }),
       "snapshot.chart"},
      {"no region", with([](Snapshot& s) { s.region.clear(); }),
       "snapshot.region"},
      {"size 0", with([](Snapshot& s) { s.chart_size = 0; }),
       "snapshot.chart_size"},
      {"size too big", with([](Snapshot& s) { s.chart_size = 5000; }),
       "snapshot.chart_size"},
      {"instant out of range",
       with([](Snapshot& s) { s.capture_time = kMaxInstant; }),
       "snapshot.capture_time"},
      {"empty track", with([](Snapshot& s) { s.entries[1].track_id = ""; }),
       "snapshot.entries[1].track_id"},
      {"position 0", with([](Snapshot& s) { s.entries[0].position = 0; }),
       "snapshot.entries[0].position"},
      {"position above K",
       with([](Snapshot& s) { s.entries[1].position = 11; }),
       "snapshot.entries[1].position"},
      {"two entries at one position",
       with([](Snapshot& s) { s.entries[1].position = 1; }),
       "snapshot.entries[1].position"},
  };
  RecordsEngine engine;
  for (const BadSnapshotCase& c : cases) {
    absl::StatusOr<AppendResult> r = engine.Append(c.snapshot);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(r.status().message().substr(0, c.field.size()), c.field)
        << c.name << ": " << r.status();
  }
  // Nothing was kept.
  EXPECT_FALSE(engine.GetChart(kItunes).has_value());
  EXPECT_TRUE(engine.ListCharts().empty());
}

TEST(AppendTest, IdempotentMergedConflictAndReplace) {
  RecordsEngine engine;
  Snapshot s = Snap("us", kT0, {{"a", 1}, {"b", 2}}, 10);
  EXPECT_EQ(Add(engine, s).outcome, AppendOutcome::kAppended);
  // The same snapshot again, entries in another order: nothing changes.
  Snapshot reordered = Snap("us", kT0, {{"b", 2}, {"a", 1}}, 10);
  EXPECT_EQ(Add(engine, reordered).outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(engine.GetChart(kItunes)->snapshot_count, 1);
  EXPECT_EQ(engine.GetChart(kItunes)->observation_count, 2);

  // A later-resolved entry: merged.
  Snapshot more = Snap("us", kT0, {{"a", 1}, {"b", 2}, {"c", 5}}, 10);
  AppendResult merged = Add(engine, more);
  EXPECT_EQ(merged.outcome, AppendOutcome::kMerged);
  EXPECT_EQ(merged.observation_count, 3);
  EXPECT_EQ(engine.GetChart(kItunes)->observation_count, 3);

  // A contradiction: rejected, unchanged.
  Snapshot other = Snap("us", kT0, {{"b", 1}, {"a", 2}}, 10);
  absl::StatusOr<AppendResult> rejected = engine.Append(other);
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Ttt(engine, "a", 1, 1).region_count, 1);
  EXPECT_EQ(Ttt(engine, "b", 1, 1).region_count, 0);
  // Another chart size is a contradiction too.
  EXPECT_EQ(engine.Append(Snap("us", kT0, {{"a", 1}, {"b", 2}, {"c", 5}}, 20))
                .status()
                .code(),
            absl::StatusCode::kAlreadyExists);

  // Replaced on request: answers follow.
  EXPECT_EQ(Add(engine, other, ConflictPolicy::kReplace).outcome,
            AppendOutcome::kReplaced);
  EXPECT_EQ(Ttt(engine, "a", 1, 1).region_count, 0);
  EXPECT_EQ(Ttt(engine, "b", 1, 1).region_count, 1);
  std::optional<Snapshot> held =
      engine.GetSnapshot(SnapshotKey{kItunes, "us", kT0});
  ASSERT_TRUE(held.has_value());
  ASSERT_EQ(held->entries.size(), 2u);
  EXPECT_EQ(held->entries[0].track_id, "b");
  EXPECT_EQ(held->entries[1].track_id, "a");
  EXPECT_EQ(held->chart_size, 10);
  EXPECT_EQ(engine.GetChart(kItunes)->observation_count, 2);
}

TEST(AppendTest, DuplicateVersionsTakeTheBestPosition) {
  RecordsEngine engine;
  // The album version at 7, the single at 1, the clean version at 30.
  AppendResult r =
      Add(engine, Snap("us", kT0 + kHour,
                       {{"song", 7}, {"song", 1}, {"song", 30}, {"other", 2}}));
  EXPECT_EQ(r.observation_count, 2);
  TimeToThresholdAnswer a = Ttt(engine, "song", 1, 1);
  ASSERT_TRUE(a.reached);
  EXPECT_EQ(a.crossings[0].position, 1);
  std::optional<Snapshot> held =
      engine.GetSnapshot(SnapshotKey{kItunes, "us", kT0 + kHour});
  ASSERT_EQ(held->entries.size(), 2u);
  EXPECT_EQ(held->entries[0].track_id, "song");
  EXPECT_EQ(held->entries[0].position, 1);
  // The same snapshot with the versions listed differently is a duplicate.
  EXPECT_EQ(Add(engine, Snap("us", kT0 + kHour,
                             {{"song", 1}, {"other", 2}, {"song", 40}}))
                .outcome,
            AppendOutcome::kDuplicate);
}

TEST(AppendTest, BackfilledFlagAndChartSummary) {
  RecordsEngine engine;
  EXPECT_FALSE(Add(engine, Snap("us", kT0 + kHour, {{"a", 1}})).backfilled);
  EXPECT_FALSE(Add(engine, Snap("gb", kT0 + 2 * kHour, {{"a", 1}})).backfilled);
  EXPECT_TRUE(Add(engine, Snap("us", kT0, {{"a", 2}})).backfilled);
  EXPECT_FALSE(Add(engine, Snap("ww", kT0 + 3 * kHour, {{"a", 1}})).backfilled);
  ChartSummary c = *engine.GetChart(kItunes);
  EXPECT_EQ(c.region_count, 3);
  EXPECT_EQ(c.country_region_count, 2);
  EXPECT_EQ(c.snapshot_count, 4);
  EXPECT_EQ(c.observation_count, 4);
  EXPECT_EQ(c.first_capture_time, kT0);
  EXPECT_EQ(c.last_capture_time, kT0 + 3 * kHour);
}

TEST(AppendTest, UnchangedPositionsCostNothing) {
  RecordsEngine engine;
  auto changes = [&] { return engine.GetChart(kItunes)->change_point_count; };
  for (int i = 0; i < 10; ++i) {
    Add(engine, Snap("us", kT0 + i * 10 * kMinute, {{"a", 1}, {"b", 2}}));
  }
  // One change point each: entering.
  EXPECT_EQ(changes(), 2);
  Add(engine, Snap("us", kT0 + 100 * kMinute, {{"b", 1}, {"a", 2}}));
  EXPECT_EQ(changes(), 4);
  Add(engine, Snap("us", kT0 + 110 * kMinute, {{"b", 1}}));  // a drops out
  EXPECT_EQ(changes(), 5);
  // Inserted between two captures with the same positions: nothing new.
  Add(engine, Snap("us", kT0 + 5 * kMinute, {{"a", 1}, {"b", 2}}));
  EXPECT_EQ(changes(), 5);
  // Inserted with another order: each track changes there and back.
  Add(engine, Snap("us", kT0 + 15 * kMinute, {{"b", 1}, {"a", 2}}));
  EXPECT_EQ(changes(), 9);
  // Inserted before the first capture with the same positions: the first
  // change points move earlier.
  Add(engine, Snap("us", kT0 - 10 * kMinute, {{"a", 1}, {"b", 2}}));
  EXPECT_EQ(changes(), 9);
  // Replaced with the same positions as its neighbours: back to 5.
  Add(engine, Snap("us", kT0 + 15 * kMinute, {{"a", 1}, {"b", 2}}),
      ConflictPolicy::kReplace);
  EXPECT_EQ(changes(), 5);
  TimeToThresholdAnswer b = Ttt(engine, "b", 1, 1);
  EXPECT_EQ(b.reach_time, kT0 + 100 * kMinute);
}

TEST(AppendTest, DeclaredChartCountriesForAllKill) {
  RecordsEngine engine;
  engine.SetTrackFacts("song", TrackFacts{kT0, TrackKind::kSingle, {}});
  Add(engine, Snap("us", kT0 + kHour, {{"song", 1}}));
  RecordKey key{kItunes, Metric::kAllKill, Threshold::Position(1), 0, {}};
  // Only us seen so far: an all-kill of the one region.
  EXPECT_EQ(engine.GetLeaderboard(key)->rows.size(), 1u);
  // The chart is published in us, gb and jp: not an all-kill yet.
  engine.SetChartCountries(kItunes, {"us", "gb", "jp", "ww"});
  EXPECT_TRUE(CheckConsistency(engine).ok()) << CheckConsistency(engine);
  EXPECT_TRUE(engine.GetLeaderboard(key)->rows.empty());
  Add(engine, Snap("gb", kT0 + 2 * kHour, {{"song", 1}}));
  AppendResult r = Add(engine, Snap("jp", kT0 + 3 * kHour, {{"song", 1}}));
  absl::StatusOr<Leaderboard> b = engine.GetLeaderboard(key);
  ASSERT_EQ(b->rows.size(), 1u);
  EXPECT_EQ(b->rows[0].value, 3 * kHour);
  EXPECT_EQ(b->rows[0].reach_region, "jp");
  bool announced = false;
  for (const RecordEvent& e : r.events) {
    announced = announced || (e.record == key && !e.previous_holder);
  }
  EXPECT_TRUE(announced);
}

// ---------------------------------------------------------------------------
// Time-to-threshold.

// Three countries and an aggregate, captured every 10 minutes from the
// release: "song" reaches #1 in us at +10, in gb at +20 (after #2 at +10),
// in jp at +40; ww shows it at #1 from +10.
std::vector<Snapshot> ThreeCountries() {
  return {
      Snap("us", kT0, {{"old", 1}}),
      Snap("us", kT0 + 10 * kMinute, {{"song", 1}, {"old", 2}}),
      Snap("us", kT0 + 20 * kMinute, {{"song", 1}}),
      Snap("gb", kT0 + 1 * kMinute, {{"old", 1}}),
      Snap("gb", kT0 + 11 * kMinute, {{"song", 2}, {"old", 1}}),
      Snap("gb", kT0 + 21 * kMinute, {{"song", 1}}),
      Snap("jp", kT0 + 40 * kMinute, {{"song", 1}}),
      Snap("ww", kT0 + 10 * kMinute, {{"song", 1}}),
  };
}

TEST(TimeToThresholdTest, ReachedWithBoundsAndCrossings) {
  RecordsEngine engine;
  for (const Snapshot& s : ThreeCountries()) Add(engine, s);
  TimeToThresholdAnswer a = Ttt(engine, "song", 1, 2);
  EXPECT_TRUE(a.reached);
  EXPECT_EQ(a.time_to_threshold, 21 * kMinute);
  EXPECT_EQ(a.reach_time, kT0 + 21 * kMinute);
  EXPECT_EQ(a.completing_region, "gb");
  EXPECT_EQ(a.bounds, (Interval{kT0 + 11 * kMinute, kT0 + 21 * kMinute}));
  EXPECT_EQ(a.reference_time, kT0);
  EXPECT_EQ(a.region_count, 3);
  EXPECT_EQ(a.eligible_region_count, 3);
  EXPECT_EQ(a.as_of_time, kT0 + 40 * kMinute);
  std::vector<Crossing> want = {
      {"us", kT0 + 10 * kMinute, kT0, 1, 10 * kMinute},
      {"gb", kT0 + 21 * kMinute, kT0 + 11 * kMinute, 1, 21 * kMinute},
      {"jp", kT0 + 40 * kMinute, std::nullopt, 1, 40 * kMinute},
  };
  EXPECT_EQ(a.crossings, want);

  // Top 2: gb crosses at +11 at position 2.
  TimeToThresholdAnswer top2 = Ttt(engine, "song", 2, 2);
  EXPECT_EQ(top2.completing_region, "gb");
  EXPECT_EQ(top2.reach_time, kT0 + 11 * kMinute);
  EXPECT_EQ(top2.crossings[1].position, 2);
}

struct FirstCaptureBoundsCase {
  const char* name;
  Micros reference;
  Interval want;
};

TEST(TimeToThresholdTest, BoundsAtTheRegionsFirstCapture) {
  RecordsEngine engine;
  for (const Snapshot& s : ThreeCountries()) Add(engine, s);
  const Micros jp = kT0 + 40 * kMinute;
  const std::vector<FirstCaptureBoundsCase> cases = {
      {"reference earlier: from the reference", kT0, {kT0, jp}},
      {"reference later: the capture itself", jp + kHour, {jp, jp}},
      {"reference equal", jp, {jp, jp}},
  };
  for (const auto& c : cases) {
    TimeToThresholdAnswer a = Ttt(engine, "song", 1, 3, c.reference);
    ASSERT_TRUE(a.reached) << c.name;
    EXPECT_EQ(a.completing_region, "jp") << c.name;
    EXPECT_EQ(a.bounds, c.want) << c.name;
    EXPECT_EQ(a.time_to_threshold, jp - c.reference) << c.name;
  }
}

TEST(TimeToThresholdTest, NotReachedSaysHowManySoFar) {
  RecordsEngine engine;
  for (const Snapshot& s : ThreeCountries()) Add(engine, s);
  TimeToThresholdAnswer a = Ttt(engine, "song", 1, 4);
  EXPECT_FALSE(a.reached);
  EXPECT_EQ(a.region_count, 3);
  EXPECT_EQ(a.eligible_region_count, 3);
  EXPECT_EQ(a.crossings.size(), 3u);
  // N far above the number of regions.
  EXPECT_FALSE(Ttt(engine, "song", 1, 500).reached);
  // A track never seen, with a reference: not reached, 0.
  TimeToThresholdAnswer none = Ttt(engine, "nobody", 1, 1);
  EXPECT_FALSE(none.reached);
  EXPECT_EQ(none.region_count, 0);
  EXPECT_EQ(none.eligible_region_count, 3);
}

TEST(TimeToThresholdTest, AggregatesNeverCountByDefault) {
  RecordsEngine engine;
  for (const Snapshot& s : ThreeCountries()) Add(engine, s);
  // ww showed #1 at +10, but the default set is the three countries.
  TimeToThresholdAnswer a = Ttt(engine, "song", 1, 1);
  EXPECT_EQ(a.completing_region, "us");
  EXPECT_EQ(a.region_count, 3);
  for (const Crossing& c : a.crossings) EXPECT_NE(c.region, "ww");
  // Named explicitly, it counts.
  TimeToThresholdAnswer named = Ttt(engine, "song", 1, 2, kT0, {"ww", "us"});
  EXPECT_TRUE(named.reached);
  EXPECT_EQ(named.eligible_region_count, 2);
  EXPECT_EQ(named.reach_time, kT0 + 10 * kMinute);
  // Ties at one instant rank by region code: us before ww.
  EXPECT_EQ(named.completing_region, "ww");
  EXPECT_EQ(named.crossings[0].region, "us");
  // A region declared aggregate later leaves the default set at once.
  engine.SetRegionKind("jp", RegionKind::kAggregate);
  EXPECT_TRUE(CheckConsistency(engine).ok());
  EXPECT_EQ(Ttt(engine, "song", 1, 1).region_count, 2);
  EXPECT_EQ(engine.GetChart(kItunes)->country_region_count, 2);
  engine.SetRegionKind("jp", RegionKind::kCountry);
  EXPECT_EQ(Ttt(engine, "song", 1, 1).region_count, 3);
}

TEST(TimeToThresholdTest, ReEntryDoesNotCountTwiceAFirstNumberOneLaterDoes) {
  RecordsEngine engine;
  Add(engine, Snap("us", kT0, {{"song", 1}}));
  Add(engine, Snap("us", kT0 + kHour, {{"other", 1}}));     // dropped out
  Add(engine, Snap("us", kT0 + 2 * kHour, {{"song", 1}}));  // re-entered
  Add(engine, Snap("gb", kT0, {{"song", 3}}));
  // Years later, gb's first #1.
  const Micros later = kT0 + 3 * 365 * kDay;
  Add(engine, Snap("gb", later, {{"song", 1}}));
  TimeToThresholdAnswer a = Ttt(engine, "song", 1, 2);
  EXPECT_EQ(a.region_count, 2);
  ASSERT_TRUE(a.reached);
  EXPECT_EQ(a.reach_time, later);
  EXPECT_EQ(a.crossings[0].capture_time, kT0);
  absl::StatusOr<TrackTotals> totals =
      engine.Totals("song", kItunes, Threshold::Position(1));
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->total, 2);
  EXPECT_EQ(totals->total_reach_time, later);
  EXPECT_EQ(totals->peak, 2);
  EXPECT_EQ(totals->peak_time, later);
}

TEST(TimeToThresholdTest, CrossingBeforeTheReferenceIsNegative) {
  RecordsEngine engine;
  Add(engine, Snap("us", kT0 - 30 * kMinute, {{"song", 1}}));
  TimeToThresholdAnswer a = Ttt(engine, "song", 1, 1);
  ASSERT_TRUE(a.reached);
  EXPECT_EQ(a.time_to_threshold, -30 * kMinute);
  EXPECT_EQ(a.crossings[0].elapsed, -30 * kMinute);
  // First capture, reference later: the capture itself.
  EXPECT_EQ(a.bounds, (Interval{kT0 - 30 * kMinute, kT0 - 30 * kMinute}));
}

TEST(TimeToThresholdTest, ReferenceFromFactsAndCorrectedRelease) {
  RecordsEngine engine;
  for (const Snapshot& s : ThreeCountries()) Add(engine, s);
  TimeToThresholdQuery q;
  q.track_id = "song";
  q.chart = kItunes;
  q.min_regions = 2;
  // No facts, no reference: refused.
  EXPECT_EQ(engine.TimeToThreshold(q).status().code(),
            absl::StatusCode::kFailedPrecondition);
  engine.SetTrackFacts("song", TrackFacts{kT0, TrackKind::kSingle, {}});
  EXPECT_EQ(engine.TimeToThreshold(q)->time_to_threshold, 21 * kMinute);
  // The catalog corrects the release instant: the answer follows at once.
  engine.SetTrackFacts("song",
                       TrackFacts{kT0 + 5 * kMinute, TrackKind::kSingle, {}});
  EXPECT_EQ(engine.TimeToThreshold(q)->time_to_threshold, 16 * kMinute);
  EXPECT_EQ(engine.TimeToThreshold(q)->reference_time, kT0 + 5 * kMinute);
}

TEST(TimeToThresholdTest, BadQueries) {
  RecordsEngine engine;
  TimeToThresholdQuery q;
  q.track_id = "a";
  q.chart = kItunes;
  q.reference_time = kT0;
  EXPECT_EQ(engine.TimeToThreshold(q).status().code(),
            absl::StatusCode::kNotFound);
  Add(engine, Snap("us", kT0, {{"a", 1}}));
  q.min_regions = 0;
  EXPECT_EQ(engine.TimeToThreshold(q).status().code(),
            absl::StatusCode::kInvalidArgument);
  q.min_regions = 1;
  q.threshold = Threshold::Position(0);
  EXPECT_EQ(engine.TimeToThreshold(q).status().code(),
            absl::StatusCode::kInvalidArgument);
  q.threshold = Threshold::Count(1'000'000);
  EXPECT_EQ(engine.TimeToThreshold(q).status().code(),
            absl::StatusCode::kUnimplemented);
  q.threshold = Threshold::Position(1);
  q.regions = {"us", ""};
  EXPECT_EQ(engine.TimeToThreshold(q).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// Out-of-order arrival fixes up change points, including for tracks absent
// from the inserted snapshot.
TEST(TimeToThresholdTest, OutOfOrderInsertionBetweenCaptures) {
  RecordsEngine engine;
  Add(engine, Snap("us", kT0, {{"a", 1}, {"b", 2}}));
  Add(engine, Snap("us", kT0 + 20 * kMinute, {{"a", 1}, {"b", 2}}));
  // Inserted between: b is #1, a absent.
  AppendResult r = Add(engine, Snap("us", kT0 + 10 * kMinute, {{"b", 1}}));
  EXPECT_TRUE(r.backfilled);
  absl::StatusOr<TimelineAnswer> a = engine.Timeline(
      TimelineQuery{"a", kItunes, Threshold::Position(1), {}, {}, {}});
  ASSERT_TRUE(a.ok());
  std::vector<TimelinePoint> want_a = {
      {kT0, 1, 1}, {kT0 + 10 * kMinute, 1, 0}, {kT0 + 20 * kMinute, 1, 1}};
  EXPECT_EQ(a->points, want_a);
  TimeToThresholdAnswer b = Ttt(engine, "b", 1, 1);
  ASSERT_TRUE(b.reached);
  EXPECT_EQ(b.reach_time, kT0 + 10 * kMinute);
  EXPECT_EQ(b.bounds, (Interval{kT0, kT0 + 10 * kMinute}));
  std::optional<Snapshot> last =
      engine.GetSnapshot(SnapshotKey{kItunes, "us", kT0 + 20 * kMinute});
  ASSERT_EQ(last->entries.size(), 2u);
  EXPECT_EQ(last->entries[0].track_id, "a");
}

// ---------------------------------------------------------------------------
// Timeline and totals.

TEST(TimelineTest, StepsPeakAndWindow) {
  RecordsEngine engine;
  for (const Snapshot& s : ThreeCountries()) Add(engine, s);
  absl::StatusOr<TimelineAnswer> t = engine.Timeline(
      TimelineQuery{"song", kItunes, Threshold::Position(1), {}, {}, {}});
  ASSERT_TRUE(t.ok());
  std::vector<TimelinePoint> want = {
      {kT0 + 10 * kMinute, 1, 1},
      {kT0 + 21 * kMinute, 2, 2},
      {kT0 + 40 * kMinute, 3, 3},
  };
  EXPECT_EQ(t->points, want);
  EXPECT_EQ(t->peak_simultaneous, 3);
  EXPECT_EQ(t->peak_time, kT0 + 40 * kMinute);
  EXPECT_EQ(t->total, 3);

  // A window: a point at its start and one at its end.
  absl::StatusOr<TimelineAnswer> w =
      engine.Timeline(TimelineQuery{"song",
                                    kItunes,
                                    Threshold::Position(1),
                                    {},
                                    kT0 + 15 * kMinute,
                                    kT0 + 30 * kMinute});
  std::vector<TimelinePoint> want_window = {
      {kT0 + 15 * kMinute, 1, 1},
      {kT0 + 21 * kMinute, 2, 2},
      {kT0 + 30 * kMinute, 2, 2},
  };
  EXPECT_EQ(w->points, want_window);
  EXPECT_EQ(w->total, 2);
  // The whole history's peak whatever the window.
  EXPECT_EQ(w->peak_simultaneous, 3);

  // With the aggregate named, it counts from +10.
  absl::StatusOr<TimelineAnswer> ww = engine.Timeline(TimelineQuery{
      "song", kItunes, Threshold::Position(1), {"us", "ww"}, {}, {}});
  std::vector<TimelinePoint> want_ww = {{kT0 + 10 * kMinute, 2, 2},
                                        {kT0 + 20 * kMinute, 2, 2}};
  EXPECT_EQ(ww->points, want_ww);

  // A track never within: no points.
  absl::StatusOr<TimelineAnswer> none = engine.Timeline(
      TimelineQuery{"nobody", kItunes, Threshold::Position(1), {}, {}, {}});
  EXPECT_TRUE(none->points.empty());
  EXPECT_EQ(none->peak_simultaneous, 0);
  EXPECT_FALSE(none->peak_time.has_value());
}

TEST(TimelineTest, SimultaneousFallsWhenRegionsDropOut) {
  RecordsEngine engine;
  Add(engine, Snap("us", kT0, {{"song", 1}}));
  Add(engine, Snap("gb", kT0 + kMinute, {{"song", 1}}));
  Add(engine, Snap("us", kT0 + 10 * kMinute, {{"song", 2}}));
  Add(engine, Snap("gb", kT0 + 11 * kMinute, {{"song", 1}}));
  Add(engine, Snap("us", kT0 + 20 * kMinute, {{"song", 1}}));
  absl::StatusOr<TimelineAnswer> t = engine.Timeline(
      TimelineQuery{"song", kItunes, Threshold::Position(1), {}, {}, {}});
  std::vector<TimelinePoint> want = {
      {kT0, 1, 1},
      {kT0 + kMinute, 2, 2},
      {kT0 + 10 * kMinute, 2, 1},
      {kT0 + 20 * kMinute, 2, 2},
  };
  EXPECT_EQ(t->points, want);
  EXPECT_EQ(t->peak_simultaneous, 2);
  EXPECT_EQ(t->peak_time, kT0 + kMinute);
  // Top 2: never left.
  absl::StatusOr<TrackTotals> top2 =
      engine.Totals("song", kItunes, Threshold::Position(2));
  EXPECT_EQ(*top2, (TrackTotals{2, kT0 + kMinute, 2, kT0 + kMinute}));
}

// ---------------------------------------------------------------------------
// Leaderboards.

// Four tracks released at kT0 in three countries; #1 crossings:
// fast us+10 gb+20; slow gb+50 us+60 jp+70; zeta gb+90 jp+100;
// alpha us+90 jp+110.
class LeaderboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* t : {"fast", "slow", "zeta", "alpha"}) {
      engine_.SetTrackFacts(t, TrackFacts{kT0, TrackKind::kSingle, {}});
    }
    // us: fast #1 at +10, slow #1 at +60, alpha #1 at +90.
    Add(engine_, Snap("us", kT0 + 10 * kMinute, {{"fast", 1}, {"slow", 2}}));
    Add(engine_, Snap("us", kT0 + 60 * kMinute, {{"slow", 1}, {"fast", 2}}));
    Add(engine_, Snap("us", kT0 + 90 * kMinute, {{"alpha", 1}, {"zeta", 2}}));
    // gb: fast #1 at +20, zeta #1 at +90 (with alpha in us at +90).
    Add(engine_, Snap("gb", kT0 + 20 * kMinute, {{"fast", 1}, {"slow", 2}}));
    Add(engine_, Snap("gb", kT0 + 50 * kMinute, {{"slow", 1}}));
    Add(engine_, Snap("gb", kT0 + 90 * kMinute, {{"zeta", 1}}));
    // jp: slow at +70, then zeta and alpha... at +100 zeta, +110 alpha.
    Add(engine_, Snap("jp", kT0 + 70 * kMinute, {{"slow", 1}}));
    Add(engine_, Snap("jp", kT0 + 100 * kMinute, {{"zeta", 1}}));
    Add(engine_, Snap("jp", kT0 + 110 * kMinute, {{"alpha", 1}}));
  }

  Leaderboard Board(Metric metric, int n = 0, int p = 1) {
    absl::StatusOr<Leaderboard> b = engine_.GetLeaderboard(
        RecordKey{kItunes, metric, Threshold::Position(p), n, {}});
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? *b : Leaderboard{};
  }

  RecordsEngine engine_;
};

TEST_F(LeaderboardTest, Fastest) {
  Leaderboard b = Board(Metric::kFastest, 2);
  // fast 20m; slow 60m (gb +50, us +60); zeta 100m; alpha 110m.
  EXPECT_EQ(TrackIds(b.rows),
            (std::vector<std::string>{"fast", "slow", "zeta", "alpha"}));
  EXPECT_EQ(b.rows[0].value, 20 * kMinute);
  EXPECT_EQ(b.rows[0].reach_region, "gb");
  EXPECT_EQ(b.rows[0].bounds, (Interval{kT0, kT0 + 20 * kMinute}));
  EXPECT_EQ(b.rows[1].value, 60 * kMinute);
  EXPECT_EQ(b.rows[1].bounds,
            (Interval{kT0 + 10 * kMinute, kT0 + 60 * kMinute}));
  EXPECT_EQ(b.as_of_time, kT0 + 110 * kMinute);
  // Only slow reached 3 regions (+70).
  EXPECT_EQ(TrackIds(Board(Metric::kFastest, 3).rows),
            std::vector<std::string>{"slow"});
  EXPECT_TRUE(Board(Metric::kFastest, 4).rows.empty());
}

TEST_F(LeaderboardTest, TotalTiesRankByReachInstantThenTrackId) {
  Leaderboard b = Board(Metric::kTotal);
  // slow 3 (+70); then 2 each: fast (+20), zeta (+100), alpha (+110).
  EXPECT_EQ(TrackIds(b.rows),
            (std::vector<std::string>{"slow", "fast", "zeta", "alpha"}));
  EXPECT_EQ(b.rows[0].value, 3);
  EXPECT_EQ(b.rows[0].reach_time, kT0 + 70 * kMinute);
  EXPECT_EQ(b.rows[2].value, 2);
}

TEST_F(LeaderboardTest, TiesAtTheSameInstantRankByTrackId) {
  // A pure tie: zeta and alpha both reach 4 countries at one instant.
  Add(engine_, Snap("fr", kT0 + 120 * kMinute, {{"zeta", 1}}));
  Add(engine_, Snap("de", kT0 + 120 * kMinute, {{"alpha", 1}}));
  Add(engine_, Snap("it", kT0 + 120 * kMinute, {{"alpha", 1}}));
  Add(engine_, Snap("es", kT0 + 120 * kMinute, {{"zeta", 1}}));
  Leaderboard b = Board(Metric::kTotal);
  // alpha: us, jp, de, it; zeta: gb, jp, fr, es.
  ASSERT_GE(b.rows.size(), 2u);
  EXPECT_EQ(b.rows[0].track_id, "alpha");
  EXPECT_EQ(b.rows[1].track_id, "zeta");
  EXPECT_EQ(b.rows[0].value, 4);
  EXPECT_EQ(b.rows[1].value, 4);
  EXPECT_EQ(b.rows[0].reach_time, b.rows[1].reach_time);
}

TEST_F(LeaderboardTest, PeakAndAllKill) {
  Leaderboard peak = Board(Metric::kPeak);
  // slow: gb +50, us +60, jp +70: 3 at once at +70 (all three countries).
  ASSERT_FALSE(peak.rows.empty());
  EXPECT_EQ(peak.rows[0].track_id, "slow");
  EXPECT_EQ(peak.rows[0].value, 3);
  EXPECT_EQ(peak.rows[0].reach_time, kT0 + 70 * kMinute);
  EXPECT_EQ(peak.rows[0].reach_region, "jp");
  // fast: 2 at +20.
  EXPECT_EQ(peak.rows[1].track_id, "fast");
  EXPECT_EQ(peak.rows[1].value, 2);
  // zeta has 2 at +100, alpha 2 at +110.
  EXPECT_EQ(TrackIds(peak.rows),
            (std::vector<std::string>{"slow", "fast", "zeta", "alpha"}));
  Leaderboard all_kill = Board(Metric::kAllKill);
  ASSERT_EQ(all_kill.rows.size(), 1u);
  EXPECT_EQ(all_kill.rows[0].track_id, "slow");
  EXPECT_EQ(all_kill.rows[0].value, 70 * kMinute);
  // A fourth country that never shows slow at #1: no all-kill any more.
  Add(engine_, Snap("fr", kT0 + 200 * kMinute, {{"fast", 1}}));
  EXPECT_TRUE(Board(Metric::kAllKill).rows.empty());
  // Unwatched P answers too (computed on demand): top 2.
  Leaderboard peak2 = Board(Metric::kPeak, 0, 2);
  EXPECT_EQ(peak2.rows[0].track_id, "slow");
}

TEST_F(LeaderboardTest, TracksWithoutFactsAreLeftOut) {
  Add(engine_, Snap("fr", kT0 + 200 * kMinute, {{"unknown", 1}}));
  for (Metric m : {Metric::kTotal, Metric::kPeak}) {
    for (const RecordHolder& r : Board(m).rows) {
      EXPECT_NE(r.track_id, "unknown");
    }
  }
  engine_.SetTrackFacts("unknown", TrackFacts{std::nullopt, {}, {}});
  // Known now: ranked by TOTAL, not by FASTEST (no release instant).
  EXPECT_EQ(TrackIds(Board(Metric::kTotal).rows).back(), "unknown");
  for (const RecordHolder& r : Board(Metric::kFastest, 1).rows) {
    EXPECT_NE(r.track_id, "unknown");
  }
}

// ---------------------------------------------------------------------------
// The seed records: Dynamite, With You, Yours.

// `track` reaches #1 in `n` countries evenly from `first` to `last`, each
// country captured a minute before (at #5) and at the crossing.
std::vector<Snapshot> Wave(const std::string& track, Micros first, Micros last,
                           int n) {
  std::vector<Snapshot> out;
  for (int i = 0; i < n; ++i) {
    std::string region = "c" + std::to_string(i);
    Micros t = n == 1 ? last : first + (last - first) * i / (n - 1);
    out.push_back(Snap(region, t - kMinute, {{track, 5}}));
    out.push_back(Snap(region, t, {{track, 1}}));
  }
  return out;
}

class SeedRecordsTest : public ::testing::Test {
 protected:
  SeedRecordsTest() {
    engine_.SetTrackFacts("dynamite", DynamiteFacts());
    engine_.SetTrackFacts("with-you", WithYouFacts());
    engine_.SetTrackFacts("yours", YoursFacts());
    // Dynamite: its 100th country at 7h58m; With You: 4h44m.
    dynamite_ = Wave("dynamite", kDynamiteRelease + 58 * kMinute,
                     kDynamiteRelease + 7 * kHour + 58 * kMinute, 100);
    with_you_ = Wave("with-you", kWithYouRelease + 44 * kMinute,
                     kWithYouRelease + 4 * kHour + 44 * kMinute, 100);
  }

  RecordKey Fastest100(Category category = {}) {
    return RecordKey{kItunes, Metric::kFastest, Threshold::Position(1), 100,
                     category};
  }

  std::vector<RecordEvent> AddAll(const std::vector<Snapshot>& snapshots) {
    std::vector<RecordEvent> events;
    for (const Snapshot& s : snapshots) {
      absl::StatusOr<AppendResult> r = engine_.Append(s);
      EXPECT_TRUE(r.ok()) << r.status();
      for (RecordEvent& e : r->events) {
        if (e.record == Fastest100()) events.push_back(std::move(e));
      }
    }
    return events;
  }

  RecordsEngine engine_;
  std::vector<Snapshot> dynamite_;
  std::vector<Snapshot> with_you_;
};

constexpr Micros kDynamite100 = 7 * kHour + 58 * kMinute;
constexpr Micros kWithYou100 = 4 * kHour + 44 * kMinute;

TEST_F(SeedRecordsTest, TimesToOneHundredCountries) {
  AddAll(dynamite_);
  AddAll(with_you_);
  TimeToThresholdQuery q{"with-you", kItunes, Threshold::Position(1), 100};
  absl::StatusOr<TimeToThresholdAnswer> a = engine_.TimeToThreshold(q);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->reached);
  EXPECT_EQ(a->time_to_threshold, kWithYou100);
  EXPECT_EQ(a->bounds.start, a->reach_time - kMinute);
  q.track_id = "dynamite";
  EXPECT_EQ(engine_.TimeToThreshold(q)->time_to_threshold, kDynamite100);
}

TEST_F(SeedRecordsTest, InOrderWithYouBreaksDynamitesRecord) {
  std::vector<RecordEvent> first = AddAll(dynamite_);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].new_holder.track_id, "dynamite");
  EXPECT_EQ(first[0].new_holder.value, kDynamite100);
  EXPECT_FALSE(first[0].previous_holder.has_value());
  EXPECT_FALSE(first[0].backfilled);

  std::vector<RecordEvent> second = AddAll(with_you_);
  ASSERT_EQ(second.size(), 1u);
  const RecordEvent& e = second[0];
  EXPECT_EQ(e.new_holder.track_id, "with-you");
  EXPECT_EQ(e.new_holder.value, kWithYou100);
  ASSERT_TRUE(e.previous_holder.has_value());
  EXPECT_EQ(e.previous_holder->track_id, "dynamite");
  EXPECT_EQ(e.previous_holder->value, kDynamite100);
  EXPECT_FALSE(e.backfilled);
  EXPECT_EQ(e.snapshot.capture_time, kWithYouRelease + kWithYou100);
  EXPECT_EQ(e.snapshot.region, "c99");

  absl::StatusOr<Lineage> lineage = engine_.GetLineage(Fastest100());
  ASSERT_TRUE(lineage.ok());
  EXPECT_EQ(TrackIds(lineage->holders),
            (std::vector<std::string>{"dynamite", "with-you"}));
  EXPECT_TRUE(CheckConsistency(engine_).ok()) << CheckConsistency(engine_);
}

TEST_F(SeedRecordsTest, BackfilledDynamiteStandsBeforeWithYou) {
  std::vector<RecordEvent> live = AddAll(with_you_);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].new_holder.track_id, "with-you");
  EXPECT_FALSE(live[0].previous_holder.has_value());

  std::vector<RecordEvent> backfill = AddAll(dynamite_);
  // Dynamite took the record first (2020), and With You took it from
  // Dynamite (2022): both restated, marked backfilled.
  ASSERT_EQ(backfill.size(), 2u);
  EXPECT_EQ(backfill[0].new_holder.track_id, "dynamite");
  EXPECT_FALSE(backfill[0].previous_holder.has_value());
  EXPECT_EQ(backfill[1].new_holder.track_id, "with-you");
  ASSERT_TRUE(backfill[1].previous_holder.has_value());
  EXPECT_EQ(backfill[1].previous_holder->track_id, "dynamite");
  EXPECT_EQ(backfill[1].previous_holder->value, kDynamite100);
  for (const RecordEvent& e : backfill) EXPECT_TRUE(e.backfilled);

  absl::StatusOr<Lineage> lineage = engine_.GetLineage(Fastest100());
  ASSERT_EQ(lineage->holders.size(), 2u);
  EXPECT_EQ(lineage->holders[0].track_id, "dynamite");
  EXPECT_EQ(lineage->holders[0].value, kDynamite100);
  EXPECT_EQ(lineage->holders[0].best_value, kDynamite100);
  EXPECT_EQ(lineage->holders[1].track_id, "with-you");
  EXPECT_EQ(lineage->holders[1].reach_time, kWithYouRelease + kWithYou100);
  EXPECT_TRUE(CheckConsistency(engine_).ok()) << CheckConsistency(engine_);
}

TEST_F(SeedRecordsTest, CategoriesOfTheSeedFacts) {
  AddAll(dynamite_);
  AddAll(with_you_);
  auto fastest = [&](Category c) {
    return TrackIds(engine_.GetLeaderboard(Fastest100(c))->rows);
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(fastest({}), (V{"with-you", "dynamite"}));
  EXPECT_EQ(fastest({TrackKind::kOst}), V{"with-you"});
  EXPECT_EQ(fastest({TrackKind::kUnspecified, Performer::kBySoloist, "KR"}),
            V{"with-you"});
  EXPECT_EQ(fastest({TrackKind::kUnspecified, Performer::kSoloTrack}), V{});
  EXPECT_EQ(fastest({TrackKind::kUnspecified, Performer::kByGroup}),
            V{"dynamite"});
  EXPECT_EQ(fastest({TrackKind::kUnspecified, Performer::kAny, "", 2020}),
            V{"dynamite"});
  EXPECT_EQ(fastest({TrackKind::kUnspecified, Performer::kAny, "JP"}), V{});
}

TEST_F(SeedRecordsTest, YoursMostTotalCountriesSoloKr2021) {
  AddAll(Wave("yours", kYoursRelease + kHour, kYoursRelease + 20 * kHour, 82));
  AddAll(with_you_);
  RecordKey key{
      kItunes, Metric::kTotal, Threshold::Position(1), 0,
      Category{TrackKind::kUnspecified, Performer::kSoloTrack, "KR", 2021}};
  absl::StatusOr<Leaderboard> b = engine_.GetLeaderboard(key);
  ASSERT_EQ(b->rows.size(), 1u);
  EXPECT_EQ(b->rows[0].track_id, "yours");
  EXPECT_EQ(b->rows[0].value, 82);
  key.category = {};
  EXPECT_EQ(TrackIds(engine_.GetLeaderboard(key)->rows),
            (std::vector<std::string>{"with-you", "yours"}));
}

TEST_F(SeedRecordsTest, CorrectedReleaseChangesAnswersAndLineage) {
  AddAll(dynamite_);
  AddAll(with_you_);
  // Say the catalog had With You's release 4 hours too early: it then took
  // 8h44m, slower than Dynamite, which keeps the record.
  TrackFacts wrong = WithYouFacts();
  *wrong.release_time -= 4 * kHour;
  engine_.SetTrackFacts("with-you", wrong);
  EXPECT_TRUE(CheckConsistency(engine_).ok()) << CheckConsistency(engine_);
  absl::StatusOr<Leaderboard> b = engine_.GetLeaderboard(Fastest100());
  EXPECT_EQ(TrackIds(b->rows),
            (std::vector<std::string>{"dynamite", "with-you"}));
  EXPECT_EQ(b->rows[1].value, kWithYou100 + 4 * kHour);
  EXPECT_EQ(TrackIds(engine_.GetLineage(Fastest100())->holders),
            std::vector<std::string>{"dynamite"});
  engine_.SetTrackFacts("with-you", WithYouFacts());
  EXPECT_EQ(TrackIds(engine_.GetLineage(Fastest100())->holders),
            (std::vector<std::string>{"dynamite", "with-you"}));
  EXPECT_TRUE(CheckConsistency(engine_).ok()) << CheckConsistency(engine_);
}

TEST_F(SeedRecordsTest, EventsOffThenOn) {
  engine_.SetRecordEvents(false);
  EXPECT_TRUE(AddAll(dynamite_).empty());
  engine_.SetRecordEvents(true);
  EXPECT_TRUE(CheckConsistency(engine_).ok()) << CheckConsistency(engine_);
  std::vector<RecordEvent> events = AddAll(with_you_);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].previous_holder->track_id, "dynamite");
}

TEST_F(SeedRecordsTest, EventsCoverWatchedCategoriesAndMilestones) {
  AddAll(dynamite_);
  engine_.SetRecordEvents(true);
  std::vector<RecordEvent> all;
  for (const Snapshot& s : with_you_) {
    absl::StatusOr<AppendResult> r = engine_.Append(s);
    for (RecordEvent& e : r->events) all.push_back(std::move(e));
  }
  auto find = [&](Metric m, int n, Category c) -> const RecordEvent* {
    for (const RecordEvent& e : all) {
      if (e.record.metric == m && e.record.min_regions == n &&
          e.record.category == c) {
        return &e;
      }
    }
    return nullptr;
  };
  // First holder of "fastest OST to 100": no previous holder.
  const RecordEvent* ost = find(Metric::kFastest, 100, {TrackKind::kOst});
  ASSERT_NE(ost, nullptr);
  EXPECT_FALSE(ost->previous_holder.has_value());
  // Korean soloists.
  EXPECT_NE(find(Metric::kFastest, 100,
                 {TrackKind::kUnspecified, Performer::kBySoloist, "KR"}),
            nullptr);
  // Never a "solo track" event for a duet.
  EXPECT_EQ(find(Metric::kFastest, 100,
                 {TrackKind::kUnspecified, Performer::kSoloTrack}),
            nullptr);
  // Every milestone up to 100 fires for "all"; 110 is not reached.
  for (int n : {10, 25, 50, 75, 100}) {
    EXPECT_NE(find(Metric::kFastest, n, {}), nullptr) << n;
  }
  EXPECT_EQ(find(Metric::kFastest, 110, {}), nullptr);
  // Total: both reached 100 countries; Dynamite first, so With You's equal
  // total does not take the record.
  EXPECT_EQ(find(Metric::kTotal, 0, {}), nullptr);
  EXPECT_NE(find(Metric::kTotal, 0, {TrackKind::kOst}), nullptr);
}

}  // namespace
}  // namespace hitclock::records::core
