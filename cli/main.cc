// hitclock: the command-line client of the hitclock suite.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/client.h"
#include "google/protobuf/util/json_util.h"

namespace hitclock::client {
namespace {

// Reads a whole file; false when it cannot be read.
bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *out = buffer.str();
  return true;
}

std::string Counts(const catalog::v1::ImportCounts& c) {
  return absl::StrFormat("%d created, %d updated, %d unchanged", c.created(),
                         c.updated(), c.unchanged());
}

int CatalogImport(Client& client, const std::vector<std::string>& files) {
  auto stub = client.Catalog();
  if (!stub.ok()) {
    std::cerr << "hitclock: " << stub.status().message() << "\n";
    return 2;
  }
  for (const std::string& file : files) {
    std::string text;
    if (!ReadFile(file, &text)) {
      std::cerr << "hitclock: cannot read " << file << "\n";
      return 2;
    }
    catalog::v1::ImportCatalogRequest request;
    auto parsed = google::protobuf::util::JsonStringToMessage(text, &request);
    if (!parsed.ok()) {
      std::cerr << "hitclock: " << file
                << ": not a catalog document: " << parsed.ToString() << "\n";
      return 2;
    }
    catalog::v1::ImportCatalogResponse response;
    grpc::Status status =
        (*stub)->ImportCatalog(client.Context().get(), request, &response);
    if (!status.ok()) {
      std::cerr << "hitclock: " << file << ": "
                << DescribeError("catalog", client.options().catalog_address,
                                 status)
                << "\n";
      return 1;
    }
    std::cout << file << ": artists " << Counts(response.artists())
              << "; productions " << Counts(response.productions())
              << "; tracks " << Counts(response.tracks()) << "\n";
  }
  return 0;
}

// Totals of an import, shown as progress and as the summary.
struct ImportTally {
  int64_t sent = 0;
  int64_t accepted = 0;
  int64_t duplicate = 0;
  int64_t replaced = 0;
  int64_t rejected = 0;
  int64_t entries = 0;
};

std::string Line(const ImportTally& t, double seconds) {
  const double rate = seconds > 0 ? t.entries / seconds : 0;
  return absl::StrFormat(
      "%d snapshots: %d accepted, %d duplicate, %d replaced, %d rejected; "
      "%d entries, %.0f entries/s",
      t.sent, t.accepted, t.duplicate, t.replaced, t.rejected, t.entries, rate);
}

int Import(Client& client, const std::vector<std::string>& files,
           bool replace) {
  auto stub = client.Ingest();
  if (!stub.ok()) {
    std::cerr << "hitclock: " << stub.status().message() << "\n";
    return 2;
  }
  // Every line of every file, read first so that a bad file fails before
  // anything is sent.
  std::vector<ingest::v1::StreamSnapshotsRequest> requests;
  std::vector<std::string> origins;  // "file:line" of each request
  for (const std::string& file : files) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "hitclock: cannot read " << file << "\n";
      return 2;
    }
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      ingest::v1::StreamSnapshotsRequest request;
      auto parsed = google::protobuf::util::JsonStringToMessage(line, &request);
      if (!parsed.ok()) {
        std::cerr << "hitclock: " << file << ":" << n
                  << ": not a snapshot: " << parsed.ToString() << "\n";
        return 2;
      }
      if (replace) request.set_replace(true);
      requests.push_back(std::move(request));
      origins.push_back(absl::StrCat(file, ":", n));
    }
  }

  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  auto context = client.Context(/*unary=*/false);
  auto stream = (*stub)->StreamSnapshots(context.get());
  std::thread writer([&] {
    for (const auto& request : requests) {
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });

  ImportTally tally;
  double last_report = 0;
  std::vector<std::string> problems;
  ingest::v1::StreamSnapshotsResponse response;
  while (stream->Read(&response)) {
    ++tally.sent;
    const auto& result = response.result();
    switch (result.outcome()) {
      case ingest::v1::SUBMIT_OUTCOME_ACCEPTED:
        ++tally.accepted;
        break;
      case ingest::v1::SUBMIT_OUTCOME_DUPLICATE:
        ++tally.duplicate;
        break;
      case ingest::v1::SUBMIT_OUTCOME_REPLACED:
        ++tally.replaced;
        break;
      default: {
        ++tally.rejected;
        const int64_t index = response.index();
        if (problems.size() < 20) {
          problems.push_back(absl::StrCat(
              index >= 0 && index < static_cast<int64_t>(origins.size())
                  ? origins[index]
                  : absl::StrCat("#", index),
              ": ", result.error().field(), ": ", result.error().message()));
        }
        break;
      }
    }
    if (result.outcome() != ingest::v1::SUBMIT_OUTCOME_REJECTED) {
      tally.entries += result.entry_count();
    }
    const double now = seconds();
    if (now - last_report >= (tty ? 0.2 : 5.0)) {
      last_report = now;
      const double eta = tally.sent > 0
                             ? now * (requests.size() - tally.sent) / tally.sent
                             : 0;
      if (tty) {
        const int width = 30;
        const int filled = static_cast<int>(
            width * tally.sent / std::max<size_t>(1, requests.size()));
        std::cerr << absl::StrFormat(
            "\r[%s%s] %s, ETA %.0fs ", std::string(filled, '#'),
            std::string(width - filled, '.'), Line(tally, now), eta);
      } else {
        std::cerr << "import: " << Line(tally, now)
                  << absl::StrFormat(", ETA %.0fs", eta) << "\n";
      }
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  if (tty) std::cerr << "\n";
  for (const auto& p : problems) std::cerr << "rejected: " << p << "\n";
  std::cout << "import: " << Line(tally, seconds()) << "\n";
  if (!status.ok()) {
    std::cerr << "hitclock: "
              << DescribeError("ingest", client.options().ingest_address,
                               status)
              << "\n";
    return 1;
  }
  if (tally.sent != static_cast<int64_t>(requests.size())) {
    std::cerr << "hitclock: ingest answered " << tally.sent << " of "
              << requests.size() << " snapshots\n";
    return 1;
  }
  return tally.rejected > 0 ? 1 : 0;
}

}  // namespace
}  // namespace hitclock::client

int main(int argc, char** argv) {
  using hitclock::client::Client;
  using hitclock::client::ClientOptions;
  CLI::App app{
      "hitclock: the command-line client of the hitclock chart-records "
      "suite.\nEvery option can also come from the environment variable "
      "named beside it.",
      "hitclock"};
  app.require_subcommand(1);
  ClientOptions options;
  app.add_option("--catalog", options.catalog_address,
                 "catalog service address")
      ->envname("HITCLOCK_CATALOG_ADDRESS")
      ->capture_default_str();
  app.add_option("--records", options.records_address,
                 "records service address")
      ->envname("HITCLOCK_RECORDS_ADDRESS")
      ->capture_default_str();
  app.add_option("--ingest", options.ingest_address, "ingest service address")
      ->envname("HITCLOCK_INGEST_ADDRESS")
      ->capture_default_str();
  app.add_option("--token", options.token,
                 "bearer token for write calls (the suite's auth token)")
      ->envname("HITCLOCK_AUTH_TOKEN");
  app.add_flag("--tls", options.tls, "connect with TLS")
      ->envname("HITCLOCK_TLS");
  app.add_option("--tls-ca", options.tls_ca,
                 "PEM file of the CA to trust (default: system roots)")
      ->envname("HITCLOCK_TLS_CA");
  app.add_option("--tls-server-name", options.tls_server_name,
                 "server name to verify instead of the address's host")
      ->envname("HITCLOCK_TLS_SERVER_NAME");

  auto* catalog = app.add_subcommand("catalog", "work with the catalog");
  catalog->require_subcommand(1);
  std::vector<std::string> catalog_files;
  auto* catalog_import = catalog->add_subcommand(
      "import",
      "load catalog documents (proto3 JSON of ImportCatalogRequest, e.g. "
      "demo/catalog.json); idempotent");
  catalog_import->add_option("FILES", catalog_files, "catalog documents")
      ->required()
      ->check(CLI::ExistingFile);

  std::vector<std::string> import_files;
  bool replace = false;
  auto* import = app.add_subcommand(
      "import",
      "push snapshots through ingest: JSON lines, one {\"snapshot\": ...} "
      "per line (what `hitclock-sim` writes)");
  import->add_option("FILES", import_files, "snapshot files")
      ->required()
      ->check(CLI::ExistingFile);
  import->add_flag("--replace", replace,
                   "replace stored snapshots whose content differs");

  CLI11_PARSE(app, argc, argv);
  Client client(options);
  if (*catalog_import) {
    return hitclock::client::CatalogImport(client, catalog_files);
  }
  if (*import) return hitclock::client::Import(client, import_files, replace);
  return 2;
}
