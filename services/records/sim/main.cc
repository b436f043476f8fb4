// hitclock-sim: writes simulated chart snapshot streams.
//
//   hitclock-sim demo --out DIR        the SEED-FACTS demo scenario
//   hitclock-sim generate [options]    realistic random streams

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "services/records/sim/demo.h"
#include "services/records/sim/generator.h"
#include "services/records/sim/output.h"
#include "services/records/sim/regions.h"

namespace sim = hitclock::records::sim;

namespace {

const std::map<std::string, sim::EmitOrder> kOrders = {
    {"time", sim::EmitOrder::kTime},
    {"shuffled", sim::EmitOrder::kShuffled},
    {"backfill", sim::EmitOrder::kBackfill}};

bool WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

int RunDemo(const std::string& dir, bool dense, bool csv, bool bare,
            sim::EmitOrder order, uint64_t order_seed) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    std::cerr << "cannot create " << dir << ": " << error.message() << "\n";
    return 1;
  }
  const std::filesystem::path root(dir);
  std::ofstream jsonl(root / "demo-snapshots.jsonl", std::ios::binary);
  std::ofstream csv_file;
  if (csv) csv_file.open(root / "demo-snapshots.csv", std::ios::binary);
  sim::SnapshotWriter json_writer(
      &jsonl, sim::OutputFormat::kJsonLines,
      bare ? sim::JsonLineShape::kChartSnapshot
           : sim::JsonLineShape::kSubmitSnapshotRequest);
  sim::SnapshotWriter csv_writer(&csv_file, sim::OutputFormat::kCsv);
  sim::DemoOptions options;
  options.only_changed = !dense;
  options.order = order;
  options.order_seed = order_seed;
  const sim::DemoStats stats =
      sim::GenerateDemo(options, [&](const sim::SimSnapshot& snapshot) {
        json_writer.Write(snapshot);
        if (csv) csv_writer.Write(snapshot);
      });
  bool ok = json_writer.Flush();
  if (csv) ok = csv_writer.Flush() && ok;
  ok = WriteFile(root / "demo-catalog-extra.json",
                 sim::DemoCompanionCatalogJson()) &&
       ok;
  if (!ok) {
    std::cerr << "write failed in " << dir << "\n";
    return 1;
  }
  std::cerr << "demo: " << stats.snapshots << " snapshots, " << stats.entries
            << " entries; " << (root / "demo-snapshots.jsonl").string() << " "
            << json_writer.bytes() << " bytes, "
            << (root / "demo-catalog-extra.json").string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hitclock-sim: deterministic chart snapshot streams (itunes/top-songs)"};
  app.require_subcommand(1);

  // demo
  CLI::App* demo = app.add_subcommand(
      "demo",
      "Write the SEED-FACTS demo scenario: DIR/demo-snapshots.jsonl (one "
      "SubmitSnapshotRequest per line, proto3 JSON) and "
      "DIR/demo-catalog-extra.json (ImportCatalogRequest with the fictional "
      "artists and tracks; load it with demo/catalog.json)");
  std::string demo_out;
  bool demo_dense = false, demo_csv = false, demo_bare = false;
  std::string demo_order = "time";
  uint64_t demo_order_seed = 0;
  demo->add_option("--out", demo_out, "Output directory")->required();
  demo->add_flag("--dense", demo_dense,
                 "Record every 5-minute poll, not only the polls whose chart "
                 "changed (about 30x larger)");
  demo->add_flag("--csv", demo_csv, "Also write DIR/demo-snapshots.csv");
  demo->add_flag("--bare", demo_bare,
                 "Write each line as a ChartSnapshot instead of a "
                 "SubmitSnapshotRequest ({\"snapshot\":...})");
  demo->add_option("--order", demo_order, "time, shuffled or backfill")
      ->check(CLI::IsMember({"time", "shuffled", "backfill"}));
  demo->add_option("--order-seed", demo_order_seed,
                   "Seed of the shuffled order");

  // generate
  CLI::App* generate = app.add_subcommand(
      "generate",
      "Generate a realistic random stream. Defaults are full scale: the 119 "
      "song-chart storefronts x top 100 x every 5 minutes x 30 days, 3000 "
      "tracks. Prints counts and speed to stderr.");
  sim::GeneratorOptions options;
  std::string regions_csv, start_text, format = "jsonl", out = "-", catalog_out,
                                       order = "time";
  int region_count = 0;
  double interval_minutes = 5;
  bool bare = false;
  generate->add_option("--seed", options.seed, "Random seed")
      ->capture_default_str();
  generate->add_option("--regions", regions_csv,
                       "Comma-separated region codes (default: the 119 "
                       "song-chart storefronts)");
  generate->add_option("--region-count", region_count,
                       "Use only the first N of the regions");
  generate->add_flag("--aggregates", options.include_aggregates,
                     "Add the aggregates ww and eu");
  generate->add_option("--top", options.top_k, "Chart length K")
      ->capture_default_str()
      ->check(CLI::Range(1, 500));
  generate
      ->add_option("--interval-minutes", interval_minutes,
                   "Minutes between two captures of a region")
      ->capture_default_str();
  generate->add_option("--days", options.days, "Length of the time range")
      ->capture_default_str();
  generate->add_option("--tracks", options.track_count, "Distinct tracks")
      ->capture_default_str();
  generate->add_option("--start", start_text,
                       "First instant, RFC 3339 (default "
                       "2022-01-01T00:00:00Z)");
  generate
      ->add_option("--format", format,
                   "jsonl (SubmitSnapshotRequest lines), csv, or count "
                   "(write nothing: measure generation)")
      ->capture_default_str()
      ->check(CLI::IsMember({"jsonl", "csv", "count"}));
  generate->add_flag("--bare", bare,
                     "JSON lines as ChartSnapshot instead of "
                     "SubmitSnapshotRequest");
  generate->add_option("--out", out, "Output file, - for stdout")
      ->capture_default_str();
  generate->add_option("--catalog-out", catalog_out,
                       "Also write an ImportCatalogRequest JSON of the "
                       "generated artists and tracks");
  generate
      ->add_option("--order", order,
                   "time, shuffled or backfill (the last two buffer the "
                   "whole stream in memory)")
      ->capture_default_str()
      ->check(CLI::IsMember({"time", "shuffled", "backfill"}));
  generate->add_option("--order-seed", options.order_seed,
                       "Seed of the shuffled order");

  CLI11_PARSE(app, argc, argv);

  if (demo->parsed()) {
    return RunDemo(demo_out, demo_dense, demo_csv, demo_bare,
                   kOrders.at(demo_order), demo_order_seed);
  }

  // generate
  if (!regions_csv.empty()) {
    size_t pos = 0;
    while (pos <= regions_csv.size()) {
      const size_t comma = regions_csv.find(',', pos);
      const std::string code = regions_csv.substr(
          pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (!code.empty()) options.regions.push_back(code);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  if (region_count > 0) {
    std::vector<std::string> all = options.regions.empty()
                                       ? sim::ItunesSongChartRegions()
                                       : options.regions;
    if (static_cast<size_t>(region_count) < all.size())
      all.resize(region_count);
    options.regions = all;
  }
  if (!start_text.empty() &&
      !sim::ParseTimestamp(start_text, &options.start_micros)) {
    std::cerr << "--start: not an RFC 3339 timestamp: " << start_text << "\n";
    return 2;
  }
  options.interval_micros =
      static_cast<int64_t>(interval_minutes * 60.0 * 1e6 + 0.5);
  if (options.interval_micros < 1'000'000) {
    std::cerr << "--interval-minutes: at least one second\n";
    return 2;
  }
  options.order = kOrders.at(order);

  const auto begin = std::chrono::steady_clock::now();
  sim::Generator generator(options);
  std::ofstream file;
  std::ostream* stream = &std::cout;
  if (format != "count" && out != "-") {
    file.open(out, std::ios::binary);
    if (!file) {
      std::cerr << "cannot open " << out << "\n";
      return 1;
    }
    stream = &file;
  }
  if (stream == &std::cout) std::ios::sync_with_stdio(false);
  sim::SnapshotWriter writer(
      stream,
      format == "csv" ? sim::OutputFormat::kCsv : sim::OutputFormat::kJsonLines,
      bare ? sim::JsonLineShape::kChartSnapshot
           : sim::JsonLineShape::kSubmitSnapshotRequest);
  uint64_t checksum = 0;
  sim::GenerateStats stats;
  if (format == "count") {
    // Touch every entry so the measurement includes building it.
    stats = generator.Run([&checksum](const sim::SimSnapshot& snapshot) {
      for (const sim::SimEntry& entry : snapshot.entries) {
        checksum = checksum * 31 + static_cast<uint64_t>(entry.track_index) +
                   entry.title.size();
      }
    });
  } else {
    stats = generator.Run([&writer](const sim::SimSnapshot& snapshot) {
      writer.Write(snapshot);
    });
    if (!writer.Flush()) {
      std::cerr << "write failed\n";
      return 1;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin)
          .count();
  if (!catalog_out.empty() &&
      !WriteFile(catalog_out, generator.CatalogJson())) {
    std::cerr << "cannot write " << catalog_out << "\n";
    return 1;
  }
  std::fprintf(stderr,
               "generate: %zu regions, top %d, %lld snapshots, %lld entries, "
               "%d distinct tracks, %.2f s, %.1f M entries/s%s\n",
               generator.regions().size(), options.top_k,
               static_cast<long long>(stats.snapshots),
               static_cast<long long>(stats.entries), stats.distinct_tracks,
               seconds, static_cast<double>(stats.entries) / seconds / 1e6,
               format == "count"
                   ? (" (checksum " + std::to_string(checksum) + ")").c_str()
                   : "");
  return 0;
}
