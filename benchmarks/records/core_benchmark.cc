// Benchmarks of the records core on a deterministic synthetic stream: the
// world iTunes chart (119 storefronts x top 100 x a capture every 5 minutes)
// for HITCLOCK_BENCH_DAYS days (default 30: about 100 million observations)
// with a few thousand tracks: releases, hits diffusing across regions,
// decay, and position churn between captures.
//
// Prints append throughput in entries/s (in order, and backfill: the older
// half of the history appended after the newer half), the engine's resident
// memory, and query latencies on the loaded engine.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "services/records/core/records_engine.h"

namespace hitclock::records::core {
namespace {

constexpr Micros kMinute = 60'000'000;
constexpr Micros kHour = 60 * kMinute;
constexpr Micros kDay = 24 * kHour;
constexpr Micros kStart = 1650758400000000;  // 2022-04-24 00:00 UTC
constexpr int kRegions = 119;
constexpr int kTop = 100;
constexpr Micros kInterval = 5 * kMinute;
constexpr char kChart[] = "itunes/top-songs";

int Days() {
  const char* env = std::getenv("HITCLOCK_BENCH_DAYS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 30;
}

// splitmix64: a deterministic hash for per-(track, region, period) noise.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double Unit(uint64_t x) { return (Mix(x) >> 11) * (1.0 / 9007199254740992.0); }

// The whole stream, compactly: per snapshot its region, instant and the
// track index at each position 1..100.
struct Stream {
  int days = 0;
  std::vector<std::string> track_ids;
  std::vector<Micros> releases;
  std::vector<std::string> regions;
  // Snapshot i: region regions_of[i], instant times[i], tracks at
  // positions[i * kTop ...].
  std::vector<uint16_t> region_of;
  std::vector<Micros> times;
  std::vector<uint16_t> positions;
  size_t size() const { return times.size(); }
};

const Stream& GetStream() {
  static const Stream* stream = [] {
    auto* s = new Stream;
    s->days = Days();
    const Micros span = s->days * kDay;
    std::mt19937_64 rng(20220424);
    // About 100 new tracks a day, plus 300 already charting.
    const int tracks = 300 + 100 * s->days;
    std::vector<double> pop(tracks), tau(tracks);
    for (int i = 0; i < tracks; ++i) {
      char id[16];
      std::snprintf(id, sizeof(id), "trk%05d", i);
      s->track_ids.emplace_back(id);
      Micros rel = i < 300 ? kStart - static_cast<Micros>(Unit(i) * 20 * kDay)
                           : kStart + static_cast<Micros>(Unit(i) * span);
      s->releases.push_back(rel);
      // Heavy-tailed popularity: a few global hits.
      pop[i] = std::pow(Unit(i * 3 + 1), -1.2);
      tau[i] = (1.0 + 6.0 * Unit(i * 5 + 2)) * kDay;
    }
    for (int r = 0; r < kRegions; ++r) {
      char code[8];
      std::snprintf(code, sizeof(code), "r%03d", r);
      s->regions.emplace_back(code);
    }
    const int captures = static_cast<int>(span / kInterval);
    s->times.reserve(static_cast<size_t>(captures) * kRegions);
    s->region_of.reserve(s->times.capacity());
    s->positions.reserve(s->times.capacity() * kTop);
    std::vector<std::pair<double, int>> scored;
    std::vector<int> candidates;
    for (int c = 0; c < captures; ++c) {
      const Micros base = kStart + c * kInterval;
      if (c % 12 == 0) {
        // Candidates for the next hour: released, not faded out.
        candidates.clear();
        for (int i = 0; i < tracks; ++i) {
          Micros age = base + kHour - s->releases[i];
          if (age < 0) continue;
          if (pop[i] * std::exp(-age / tau[i]) > 0.02) candidates.push_back(i);
        }
      }
      for (int r = 0; r < kRegions; ++r) {
        // Each storefront polled at its own instant within the interval.
        const Micros t = base + r * 2'000'000;
        scored.clear();
        for (int i : candidates) {
          // A release reaches each region after a lag (hits within hours),
          // with a regional taste and a noise that changes every 15 min.
          const uint64_t key = static_cast<uint64_t>(i) * 131 + r;
          const Micros lag =
              static_cast<Micros>(Unit(key * 7) * Unit(key * 11) * 8 * kHour);
          const Micros age = t - s->releases[i] - lag;
          if (age < 0) continue;
          const double taste = 0.3 + 1.4 * Unit(key * 13);
          const double noise =
              1.0 +
              0.25 * Unit(key * 17 + static_cast<uint64_t>(t / (15 * kMinute)));
          scored.emplace_back(-pop[i] * taste * noise * std::exp(-age / tau[i]),
                              i);
        }
        const size_t k = std::min<size_t>(kTop, scored.size());
        std::partial_sort(scored.begin(), scored.begin() + k, scored.end());
        s->times.push_back(t);
        s->region_of.push_back(static_cast<uint16_t>(r));
        for (size_t p = 0; p < kTop; ++p) {
          s->positions.push_back(p < k ? static_cast<uint16_t>(scored[p].second)
                                       : 0xffff);
        }
      }
    }
    return s;
  }();
  return *stream;
}

// Fills `out` with snapshot `i` of the stream (reusing its strings).
void Fill(const Stream& s, size_t i, Snapshot& out) {
  out.chart = kChart;
  out.region = s.regions[s.region_of[i]];
  out.capture_time = s.times[i];
  out.chart_size = kTop;
  out.entries.resize(kTop);
  size_t n = 0;
  for (int p = 0; p < kTop; ++p) {
    uint16_t track = s.positions[i * kTop + p];
    if (track == 0xffff) continue;
    out.entries[n].track_id = s.track_ids[track];
    out.entries[n].position = p + 1;
    ++n;
  }
  out.entries.resize(n);
}

void SetFacts(const Stream& s, RecordsEngine& engine) {
  static const char* kOrigins[] = {"KR", "US", "GB", "JP", "CO"};
  for (size_t i = 0; i < s.track_ids.size(); ++i) {
    TrackFacts f;
    f.release_time = s.releases[i];
    f.kind = i % 7 == 0 ? TrackKind::kOst : TrackKind::kSingle;
    const char* origin = kOrigins[Mix(i) % 5];
    if (i % 3 == 0) {
      f.artists.push_back({"group" + std::to_string(i % 50), CreditRole::kMain,
                           ArtistKind::kGroup, origin});
    } else {
      f.artists.push_back({"solo" + std::to_string(i % 300), CreditRole::kMain,
                           ArtistKind::kSoloist, origin});
      if (i % 5 == 0) {
        f.artists.push_back({"feat" + std::to_string(i % 40),
                             CreditRole::kFeatured, ArtistKind::kSoloist,
                             kOrigins[Mix(i + 1) % 5]});
      }
    }
    engine.SetTrackFacts(s.track_ids[i], std::move(f));
  }
  std::vector<std::string> countries(s.regions.begin(), s.regions.end());
  engine.SetChartCountries(kChart, countries);
}

double ResidentGiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atof(line.c_str() + 6) / (1024.0 * 1024.0);
    }
  }
  return 0;
}

// Appends snapshots [from, to) in stream order; returns (seconds spent in
// Append, entries appended, events).
struct Timed {
  double seconds = 0;
  int64_t entries = 0;
  int64_t events = 0;
};

Timed AppendRange(const Stream& s, RecordsEngine& engine, size_t from,
                  size_t to) {
  Timed out;
  Snapshot snap;
  for (size_t i = from; i < to; ++i) {
    Fill(s, i, snap);
    auto start = std::chrono::steady_clock::now();
    absl::StatusOr<AppendResult> r = engine.Append(snap);
    out.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!r.ok()) std::abort();
    out.entries += static_cast<int64_t>(snap.entries.size());
    out.events += static_cast<int64_t>(r->events.size());
  }
  return out;
}

std::unique_ptr<RecordsEngine>& Loaded() {
  static auto* engine = new std::unique_ptr<RecordsEngine>();
  return *engine;
}

void ReportAppend(benchmark::State& state, const Timed& t, double rss_before) {
  state.SetIterationTime(t.seconds);
  state.counters["entries"] = static_cast<double>(t.entries);
  state.counters["entries_per_s"] = t.entries / t.seconds;
  state.counters["events"] = static_cast<double>(t.events);
  state.counters["rss_GiB"] = ResidentGiB();
  state.counters["engine_GiB"] = ResidentGiB() - rss_before;
}

// Live ingestion: every snapshot in time order, record events on.
void BM_AppendInOrder(benchmark::State& state) {
  const Stream& s = GetStream();
  for (auto _ : state) {
    Loaded().reset();
    const double rss_before = ResidentGiB();
    auto engine = std::make_unique<RecordsEngine>();
    SetFacts(s, *engine);
    Timed t = AppendRange(s, *engine, 0, s.size());
    ReportAppend(state, t, rss_before);
    Loaded() = std::move(engine);
  }
}
BENCHMARK(BM_AppendInOrder)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

// Backfill: the newer half first, then the older half (each in time order);
// timed: the older half, every snapshot of which is out of order.
void BM_AppendBackfill(benchmark::State& state) {
  const Stream& s = GetStream();
  for (auto _ : state) {
    Loaded().reset();
    const double rss_before = ResidentGiB();
    RecordsEngine engine;
    SetFacts(s, engine);
    const size_t half = s.size() / 2;
    AppendRange(s, engine, half, s.size());
    Timed t = AppendRange(s, engine, 0, half);
    ReportAppend(state, t, rss_before);
  }
}

// Bulk load with record events off (a restart), then turned on.
void BM_AppendBulkLoad(benchmark::State& state) {
  const Stream& s = GetStream();
  for (auto _ : state) {
    Loaded().reset();
    const double rss_before = ResidentGiB();
    EngineOptions options;
    options.record_events = false;
    RecordsEngine engine(options);
    SetFacts(s, engine);
    Timed t = AppendRange(s, engine, 0, s.size());
    auto start = std::chrono::steady_clock::now();
    engine.SetRecordEvents(true);
    state.counters["events_on_s"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    ReportAppend(state, t, rss_before);
  }
}

RecordsEngine& Engine() {
  if (Loaded() == nullptr) {
    auto engine = std::make_unique<RecordsEngine>();
    SetFacts(GetStream(), *engine);
    AppendRange(GetStream(), *engine, 0, GetStream().size());
    Loaded() = std::move(engine);
  }
  return *Loaded();
}

// Time-to-threshold of a random track: arg 0 = P, arg 1 = N, arg 2 = 1 for
// an explicit set of 60 regions (computed on demand).
void BM_TimeToThreshold(benchmark::State& state) {
  RecordsEngine& engine = Engine();
  const Stream& s = GetStream();
  TimeToThresholdQuery q;
  q.chart = kChart;
  q.threshold = Threshold::Position(static_cast<int>(state.range(0)));
  q.min_regions = static_cast<int>(state.range(1));
  if (state.range(2) == 1) {
    q.regions.assign(s.regions.begin(), s.regions.begin() + 60);
  }
  uint64_t i = 0;
  for (auto _ : state) {
    q.track_id = s.track_ids[Mix(++i) % s.track_ids.size()];
    benchmark::DoNotOptimize(engine.TimeToThreshold(q));
  }
}
BENCHMARK(BM_TimeToThreshold)
    ->Args({1, 100, 0})
    ->Args({1, 10, 0})
    ->Args({10, 50, 0})
    ->Args({1, 50, 1})
    ->Unit(benchmark::kMicrosecond);

// Tracks that reached the top 10 somewhere: the ones people ask about.
const std::vector<std::string>& Hits() {
  static const auto* hits = [] {
    auto* out = new std::vector<std::string>;
    RecordKey key;
    key.chart = kChart;
    key.metric = Metric::kTotal;
    key.threshold = Threshold::Position(10);
    const Leaderboard board = *Engine().GetLeaderboard(key);
    for (const RecordHolder& row : board.rows) out->push_back(row.track_id);
    return out;
  }();
  return *hits;
}

// Time-to-threshold of a random charting track (all its crossings listed):
// arg 0 = P, arg 1 = N.
void BM_TimeToThresholdHits(benchmark::State& state) {
  RecordsEngine& engine = Engine();
  const std::vector<std::string>& hits = Hits();
  TimeToThresholdQuery q;
  q.chart = kChart;
  q.threshold = Threshold::Position(static_cast<int>(state.range(0)));
  q.min_regions = static_cast<int>(state.range(1));
  uint64_t i = 0;
  int64_t crossings = 0, queries = 0;
  for (auto _ : state) {
    q.track_id = hits[Mix(++i) % hits.size()];
    absl::StatusOr<TimeToThresholdAnswer> a = engine.TimeToThreshold(q);
    crossings += a->region_count;
    ++queries;
    benchmark::DoNotOptimize(a);
  }
  state.counters["hits"] = static_cast<double>(hits.size());
  state.counters["avg_crossings"] =
      static_cast<double>(crossings) / std::max<int64_t>(1, queries);
}
BENCHMARK(BM_TimeToThresholdHits)
    ->Args({1, 10})
    ->Args({10, 50})
    ->Unit(benchmark::kMicrosecond);

void BM_TimelineHits(benchmark::State& state) {
  RecordsEngine& engine = Engine();
  const std::vector<std::string>& hits = Hits();
  TimelineQuery q;
  q.chart = kChart;
  q.threshold = Threshold::Position(static_cast<int>(state.range(0)));
  uint64_t i = 0;
  for (auto _ : state) {
    q.track_id = hits[Mix(++i) % hits.size()];
    benchmark::DoNotOptimize(engine.Timeline(q));
  }
}
BENCHMARK(BM_TimelineHits)->Arg(1)->Arg(10)->Unit(benchmark::kMicrosecond);

void BM_Timeline(benchmark::State& state) {
  RecordsEngine& engine = Engine();
  const Stream& s = GetStream();
  TimelineQuery q;
  q.chart = kChart;
  q.threshold = Threshold::Position(static_cast<int>(state.range(0)));
  uint64_t i = 0;
  for (auto _ : state) {
    q.track_id = s.track_ids[Mix(++i) % s.track_ids.size()];
    benchmark::DoNotOptimize(engine.Timeline(q));
  }
}
BENCHMARK(BM_Timeline)->Arg(1)->Arg(10)->Unit(benchmark::kMicrosecond);

// A leaderboard over every track: arg 0 = metric, arg 1 = P, arg 2 = 1 for
// the category "by a soloist from KR".
void BM_Leaderboard(benchmark::State& state) {
  RecordsEngine& engine = Engine();
  RecordKey key;
  key.chart = kChart;
  key.metric = static_cast<Metric>(state.range(0));
  key.threshold = Threshold::Position(static_cast<int>(state.range(1)));
  key.min_regions = key.metric == Metric::kFastest ? 50 : 0;
  if (state.range(2) == 1) {
    key.category.performer = Performer::kBySoloist;
    key.category.origin_country = "KR";
  }
  size_t rows = 0;
  for (auto _ : state) {
    absl::StatusOr<Leaderboard> b = engine.GetLeaderboard(key);
    rows = b->rows.size();
    benchmark::DoNotOptimize(b);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_Leaderboard)
    ->Args({static_cast<int>(Metric::kFastest), 1, 0})
    ->Args({static_cast<int>(Metric::kTotal), 1, 0})
    ->Args({static_cast<int>(Metric::kPeak), 1, 0})
    ->Args({static_cast<int>(Metric::kAllKill), 1, 0})
    ->Args({static_cast<int>(Metric::kFastest), 1, 1})
    ->Args({static_cast<int>(Metric::kFastest), 10, 0})
    ->Args({static_cast<int>(Metric::kTotal), 10, 0})
    ->Args({static_cast<int>(Metric::kPeak), 10, 0})
    ->Args({static_cast<int>(Metric::kAllKill), 10, 0})
    ->Args({static_cast<int>(Metric::kPeak), 5, 0})
    ->Unit(benchmark::kMicrosecond);

void BM_Lineage(benchmark::State& state) {
  RecordsEngine& engine = Engine();
  RecordKey key;
  key.chart = kChart;
  key.metric = static_cast<Metric>(state.range(0));
  key.min_regions = key.metric == Metric::kFastest ? 50 : 0;
  size_t holders = 0;
  for (auto _ : state) {
    absl::StatusOr<Lineage> l = engine.GetLineage(key);
    holders = l->holders.size();
    benchmark::DoNotOptimize(l);
  }
  state.counters["holders"] = static_cast<double>(holders);
}
BENCHMARK(BM_Lineage)
    ->Arg(static_cast<int>(Metric::kFastest))
    ->Arg(static_cast<int>(Metric::kTotal))
    ->Arg(static_cast<int>(Metric::kPeak))
    ->Unit(benchmark::kMicrosecond);

// A restart's bulk load: every snapshot region by region in capture order
// (the store's order) through `EngineLoader::Load`, then `Finish`, which
// rebuilds the derived state (timed apart as finish_s).
void BM_RestartLoad(benchmark::State& state) {
  const Stream& s = GetStream();
  std::vector<uint32_t> order(s.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return s.region_of[a] < s.region_of[b];
  });
  for (auto _ : state) {
    Loaded().reset();
    const double rss_before = ResidentGiB();
    EngineOptions options;
    options.record_events = false;
    RecordsEngine engine(options);
    SetFacts(s, engine);
    std::optional<EngineLoader> loader(engine);
    std::vector<uint32_t> numbers;
    for (const std::string& id : s.track_ids) {
      numbers.push_back(loader->TrackNumber(id));
    }
    std::vector<std::pair<uint32_t, int>> obs;
    Timed t;
    auto start = std::chrono::steady_clock::now();
    for (uint32_t i : order) {
      obs.clear();
      for (int p = 0; p < kTop; ++p) {
        const uint16_t track = s.positions[static_cast<size_t>(i) * kTop + p];
        if (track != 0xffff) obs.emplace_back(numbers[track], p + 1);
      }
      t.entries += static_cast<int64_t>(obs.size());
      if (!loader
               ->Load(kChart, s.regions[s.region_of[i]], s.times[i], kTop,
                      absl::MakeSpan(obs))
               .ok()) {
        std::abort();
      }
    }
    auto loaded = std::chrono::steady_clock::now();
    loader->Finish();
    engine.SetRecordEvents(true);
    auto finished = std::chrono::steady_clock::now();
    t.seconds = std::chrono::duration<double>(finished - start).count();
    state.counters["finish_s"] =
        std::chrono::duration<double>(finished - loaded).count();
    ReportAppend(state, t, rss_before);
  }
}

// Registered last so that queries run on the in-order engine first.
BENCHMARK(BM_AppendBackfill)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_AppendBulkLoad)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);
BENCHMARK(BM_RestartLoad)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace hitclock::records::core

BENCHMARK_MAIN();
