// What every `hitclock` command runs with: the client (from the global
// options), the output format, the streams it writes to, and the way a
// command fails (a CommandError with its exit code).
#ifndef HITCLOCK_CLI_SESSION_H_
#define HITCLOCK_CLI_SESSION_H_

#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/client.h"
#include "cli/output.h"

namespace hitclock::client {

// Exit codes: 0 done; 1 a service refused or failed, or the answer could
// not be had; 2 bad usage, or a track name that matches several tracks.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Why a command stopped: printed as "hitclock: <message>" on stderr, then
// the process exits with `exit_code`.
class CommandError : public std::runtime_error {
 public:
  CommandError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// The state a command runs with.
class Session {
 public:
  Session(ClientOptions options, Format format, std::ostream& out,
          std::ostream& err)
      : client_(std::move(options)), format_(format), out_(out), err_(err) {}

  Client& client() { return client_; }
  const ClientOptions& options() const { return client_.options(); }
  Format format() const { return format_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // The stubs; a bad TLS setting is a usage error.
  catalog::v1::CatalogService::Stub& catalog();
  records::v1::RecordsService::Stub& records();
  ingest::v1::IngestService::Stub& ingest();

  // Throws a CommandError (exit 1) describing `status` (with DescribeError's
  // hints) when it is not OK. `service` is catalog, records or ingest.
  void Check(const std::string& service, const grpc::Status& status) const;

 private:
  Client client_;
  Format format_;
  std::ostream& out_;
  std::ostream& err_;
};

// Ctrl-C and SIGTERM. InstallInterruptHandling (first thing in main, before
// any thread starts) blocks both in every thread and waits for them on a
// thread of its own: the first runs the handler set with
// SetInterruptHandler (a watch cancels its stream and ends cleanly), or
// exits with 130 when none is set; a second one always exits with 130.
void InstallInterruptHandling();
void SetInterruptHandler(std::function<void()> handler);

// A leaf command: its CLI11 subcommand and what it runs once parsed.
struct Command {
  CLI::App* app;
  std::function<int(Session&)> run;
};

// The commands of the tree, registered as they are built.
using CommandList = std::vector<Command>;

// CLI11's formatter with the long descriptions of Describe; set it on the
// root before adding commands (they inherit it).
std::shared_ptr<CLI::Formatter> MakeFormatter();

// Adds the man-page parts every command's --help shows: the description
// paragraph (under the one-line summary) and the examples in the footer.
void Describe(CLI::App* app, const std::string& description,
              const std::vector<std::string>& examples);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_SESSION_H_
