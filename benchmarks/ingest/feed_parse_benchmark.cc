// Feed parsing throughput on realistic 200-entry feeds made from the real
// samples in shared/feeds/ (their entries replicated), plus snapshot
// validation and fingerprinting. Run on one core:
//   taskset -c 0 build/benchmarks/ingest/feed_parse_benchmark
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "services/ingest/core/feed.h"
#include "services/ingest/core/snapshot.h"
#include "services/ingest/core/time_util.h"

namespace hitclock::ingest::core {
namespace {

std::string ReadSample(std::string_view name) {
  const std::string path =
      std::string(HITCLOCK_FEEDS_DIR) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    std::exit(1);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Returns `json` with the elements of the array that follows `key` repeated
// `times` times (the sample's entries, then the same again, ...).
std::string Replicate(const std::string& json, std::string_view key,
                      std::string_view close, int times) {
  const size_t open = json.find(key);
  const size_t first = json.find('{', open);
  const size_t end = json.find(close, first);
  if (open == std::string::npos || end == std::string::npos) {
    std::cerr << "sample changed shape\n";
    std::exit(1);
  }
  const std::string elements = json.substr(first, end - first);
  std::string out = json.substr(0, first);
  for (int i = 0; i < times; ++i) {
    if (i > 0) out += ",\n      ";
    out += elements;
  }
  out += json.substr(end);
  return out;
}

const std::string& LegacyFeed200() {
  static const std::string* feed = new std::string(
      Replicate(ReadSample("legacy_itunes_topsongs_us_limit10_2018-06-01.json"),
                "\"entry\": [", "\n    ],\n", 20));
  return *feed;
}

const std::string& AppleRssV2Feed200() {
  static const std::string* feed = new std::string(Replicate(
      ReadSample(
          "v2_applemarketingtools_most-played_songs_us_limit20_2022-05-11."
          "json"),
      "\"results\": [", "\n    ]\n", 10));
  return *feed;
}

const std::string& AppleRssV1Feed200() {
  static const std::string* feed = new std::string(Replicate(
      ReadSample(
          "v1_rss_itunes_apple-music_top-songs_us_2017-11-04_first10.json"),
      "\"results\": [", "\n    ]\n", 20));
  return *feed;
}

const std::string& Csv200() {
  static const std::string* feed = [] {
    auto* csv =
        new std::string("position,title,artist,provider_track_id,link\n");
    for (int i = 1; i <= 200; ++i) {
      *csv += std::to_string(i) +
              ",\"Left and Right (feat. Jung Kook of BTS)\",\"Charlie Puth, "
              "Jung Kook\"," +
              std::to_string(1'600'000'000 + i) +
              ",https://music.apple.com/us/album/left-and-right/1634543286?i=" +
              std::to_string(1'600'000'000 + i) + "\n";
    }
    return csv;
  }();
  return *feed;
}

void Run(benchmark::State& state, FeedFormat format, const std::string& feed,
         size_t expected_entries) {
  size_t entries = 0;
  for (auto _ : state) {
    absl::StatusOr<ParsedFeed> parsed = ParseFeed(format, feed);
    if (!parsed.ok()) {
      state.SkipWithError(std::string(parsed.status().message()).c_str());
      return;
    }
    entries = parsed->entries.size();
    benchmark::DoNotOptimize(parsed);
  }
  if (entries != expected_entries) {
    state.SkipWithError("wrong entry count");
    return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(feed.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(entries));
  state.counters["feed_bytes"] = static_cast<double>(feed.size());
}

void BM_ParseLegacyItunesJson200(benchmark::State& state) {
  Run(state, FeedFormat::kLegacyItunesJson, LegacyFeed200(), 200);
}
BENCHMARK(BM_ParseLegacyItunesJson200);

void BM_ParseAppleRssV2Json200(benchmark::State& state) {
  Run(state, FeedFormat::kAppleRssV2Json, AppleRssV2Feed200(), 200);
}
BENCHMARK(BM_ParseAppleRssV2Json200);

void BM_ParseAppleRssV1Json200(benchmark::State& state) {
  Run(state, FeedFormat::kAppleRssV2Json, AppleRssV1Feed200(), 200);
}
BENCHMARK(BM_ParseAppleRssV1Json200);

void BM_ParseCsv200(benchmark::State& state) {
  Run(state, FeedFormat::kCsv, Csv200(), 200);
}
BENCHMARK(BM_ParseCsv200);

// Validation and fingerprint of the parsed 200-entry v2 feed: what the
// service adds per snapshot after parsing.
void BM_ValidateAndFingerprint200(benchmark::State& state) {
  absl::StatusOr<ParsedFeed> feed =
      ParseFeed(FeedFormat::kAppleRssV2Json, AppleRssV2Feed200());
  ImportOptions import;
  import.fetch_micros = CivilToMicros(2022, 5, 12);
  absl::StatusOr<Snapshot> snapshot = SnapshotFromFeed(*feed, import);
  ValidationOptions options;
  options.now_micros = CivilToMicros(2022, 5, 12);
  for (auto _ : state) {
    absl::Status status = ValidateSnapshot(*snapshot, options);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(ContentFingerprint(*snapshot));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 200);
}
BENCHMARK(BM_ValidateAndFingerprint200);

}  // namespace
}  // namespace hitclock::ingest::core

BENCHMARK_MAIN();
