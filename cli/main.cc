// hitclock: the command-line client of the hitclock suite. The global
// options and the dispatch; the commands live in commands_*.cc.
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/session.h"

namespace {

using hitclock::client::ClientOptions;
using hitclock::client::CommandError;
using hitclock::client::CommandList;
using hitclock::client::Describe;
using hitclock::client::kExitFailure;
using hitclock::client::kExitUsage;

int Main(int argc, char** argv) {
  CLI::App app{"hitclock: music chart records from the terminal", "hitclock"};
  app.formatter(hitclock::client::MakeFormatter());
  Describe(
      &app,
      "Asks the hitclock suite (catalog, records and ingest services) the "
      "questions fan trackers ask, \"With You hit #1 on iTunes in 100 "
      "countries in 4h 44m\", and loads its data: catalog documents and "
      "chart snapshots.\n"
      "Where the suite is: --server HOST puts all three services on HOST at "
      "their default ports (catalog 50051, records 50052, ingest 50053); "
      "--catalog, --records, --ingest set one service's address and win "
      "over --server. Every global option can come from the environment "
      "variable named beside it; a flag beats the environment, which beats "
      "the default. Global options go before or after the command.\n"
      "Output: --output text (aligned tables and sentences), json (one JSON "
      "document; JSON Lines for watch) or csv (a header row, then rows).",
      {"docker compose up -d              # start the suite with its demo data",
       "hitclock leaderboard fastest --regions 100",
       "hitclock ttt \"With You\" --regions 100 --crossings",
       "hitclock plot \"With You\" Dynamite --regions 100 -o race.svg",
       "hitclock --server db.example --token $TOKEN import snapshots.jsonl",
       "source <(hitclock completion bash)"});
  app.require_subcommand(1);
  // Global options are accepted after the command too (commands inherit
  // this as they are added).
  app.fallthrough();

  ClientOptions options;
  std::string server;
  std::string output = "text";
  int timeout = static_cast<int>(options.timeout.count());
  app.add_option("--server", server,
                 "host of all three services, at their default ports")
      ->envname("HITCLOCK_SERVER")
      ->type_name("HOST");
  CLI::Option* catalog_opt =
      app.add_option("--catalog", options.catalog_address,
                     "catalog service address (wins over --server)")
          ->envname("HITCLOCK_CATALOG_ADDRESS")
          ->type_name("HOST:PORT")
          ->capture_default_str();
  CLI::Option* records_opt =
      app.add_option("--records", options.records_address,
                     "records service address (wins over --server)")
          ->envname("HITCLOCK_RECORDS_ADDRESS")
          ->type_name("HOST:PORT")
          ->capture_default_str();
  CLI::Option* ingest_opt =
      app.add_option("--ingest", options.ingest_address,
                     "ingest service address (wins over --server)")
          ->envname("HITCLOCK_INGEST_ADDRESS")
          ->type_name("HOST:PORT")
          ->capture_default_str();
  app.add_option("--token", options.token,
                 "bearer token for writes (the suite's auth token)")
      ->envname("HITCLOCK_AUTH_TOKEN");
  app.add_flag("--tls", options.tls, "connect with TLS")
      ->envname("HITCLOCK_TLS");
  app.add_option("--tls-ca", options.tls_ca,
                 "PEM file of the CA to trust (default: system roots)")
      ->envname("HITCLOCK_TLS_CA")
      ->type_name("FILE");
  app.add_option("--tls-server-name", options.tls_server_name,
                 "name to verify in the server's certificate instead of "
                 "the address's host")
      ->envname("HITCLOCK_TLS_SERVER_NAME");
  app.add_option("--output", output, "text, json or csv")
      ->envname("HITCLOCK_OUTPUT")
      ->check(CLI::IsMember({"text", "json", "csv"}))
      ->capture_default_str();
  app.add_option("--timeout", timeout,
                 "seconds each call may take (streams excepted)")
      ->envname("HITCLOCK_TIMEOUT")
      ->check(hitclock::client::Positive())
      ->capture_default_str();

  CommandList commands;
  hitclock::client::AddCatalogCommands(app, commands);
  hitclock::client::AddImportCommand(app, commands);
  hitclock::client::AddReforwardCommand(app, commands);
  hitclock::client::AddRecordsCommands(app, commands);
  hitclock::client::AddPlotCommand(app, commands);
  hitclock::client::AddCompletionCommand(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }

  if (!server.empty()) {
    if (server.find(':') != std::string::npos && server.front() != '[') {
      std::cerr << "hitclock: --server takes a host without a port (\""
                << server
                << "\"); set one service's address with --catalog, "
                   "--records or --ingest\n";
      return kExitUsage;
    }
    if (catalog_opt->count() == 0) {
      options.catalog_address = absl::StrCat(server, ":50051");
    }
    if (records_opt->count() == 0) {
      options.records_address = absl::StrCat(server, ":50052");
    }
    if (ingest_opt->count() == 0) {
      options.ingest_address = absl::StrCat(server, ":50053");
    }
  }
  options.timeout = std::chrono::seconds(timeout);

  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    hitclock::client::Session session(
        options, *hitclock::client::ParseFormat(output), std::cout, std::cerr);
    try {
      const int code = command.run(session);
      std::cout.flush();
      return code;
    } catch (const CommandError& e) {
      std::cout.flush();
      std::cerr << "hitclock: " << e.what() << "\n";
      return e.exit_code();
    }
  }
  std::cerr << "hitclock: no command given; see hitclock --help\n";
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  hitclock::client::InstallInterruptHandling();
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hitclock: " << e.what() << "\n";
    return kExitFailure;
  }
}
