// Command-line options of a service, with `HITCLOCK_*` environment fallbacks.
#ifndef HITCLOCK_COMMON_OPTIONS_H_
#define HITCLOCK_COMMON_OPTIONS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hitclock::common {

// A service-specific option: `--<name>` with fallback environment variable
// `env` (e.g. `--milestones` / `HITCLOCK_MILESTONES`).
// An extra flag whose name contains "token", "secret" or "password" is
// masked as "***" in `OptionsFields` and the start-up log.
struct ExtraFlag {
  std::string name;           // without dashes: "milestones"
  std::string env;            // "HITCLOCK_MILESTONES"
  std::string help;           // one line for --help
  std::string default_value;  // used when neither flag nor env is given
};

// What the runtime needs to know about a service.
struct ServiceDescriptor {
  std::string name;          // "catalog": used in --help and logs
  std::string grpc_service;  // "hitclock.catalog.v1.CatalogService": health
  int default_port = 0;      // 50051
  // Peer services this one calls, e.g. {"catalog", "records"}: each gets
  // `--<peer>-address` / `HITCLOCK_<PEER>_ADDRESS` (default empty).
  std::vector<std::string> peers;
  // Full method names ("/hitclock.catalog.v1.CatalogService/GetArtist") that
  // stay open when an auth token is configured. Every other method served
  // (except health and reflection, always open) is a write and needs the
  // token.
  std::set<std::string> read_methods;
  std::vector<ExtraFlag> extra_flags;
};

enum class LogFormat { kText, kJson };

// The effective options of a service, flag beats env beats default.
struct ServiceOptions {
  std::string listen_address;  // --listen / HITCLOCK_LISTEN, "0.0.0.0:<port>"
  std::string data_dir = "./data";  // --data-dir / HITCLOCK_DATA_DIR
  std::string log_level = "info";   // --log-level: trace|debug|info|warn|error
  LogFormat log_format = LogFormat::kText;  // --log-format: text|json
  std::string auth_token;   // --auth-token / HITCLOCK_AUTH_TOKEN; empty = off
  bool auth_reads = false;  // --auth-reads / HITCLOCK_AUTH_READS
  std::string tls_cert;     // --tls-cert / HITCLOCK_TLS_CERT (PEM file)
  std::string tls_key;      // --tls-key / HITCLOCK_TLS_KEY (PEM file)
  // --tls-ca / HITCLOCK_TLS_CA: CA bundle (PEM file) to verify peers and the
  // probed server; when empty and TLS is on, --probe trusts --tls-cert.
  std::string tls_ca;
  // --tls-server-name / HITCLOCK_TLS_SERVER_NAME: the name to expect in the
  // server certificate when dialing peers and probing (default: the host).
  std::string tls_server_name;
  // --shutdown-timeout / HITCLOCK_SHUTDOWN_TIMEOUT (seconds): how long
  // in-flight calls may run after shutdown begins.
  absl::Duration shutdown_timeout = absl::Seconds(10);
  std::map<std::string, std::string> peers;  // peer name -> address
  std::map<std::string, std::string> extra;  // extra flag name -> value
  // --probe[=ADDR]: health-check the server at ADDR (default: the listen
  // address, with 0.0.0.0 / [::] replaced by loopback) and exit 0/1.
  std::optional<std::string> probe;

  bool tls_enabled() const { return !tls_cert.empty(); }
};

// Parses `argv` for the service described by `descriptor`, with `HITCLOCK_*`
// environment fallbacks (flag beats env beats default). `--help` documents
// every option with its environment variable and default.
// When the service should not run, returns a non-OK status and sets
// `*exit_code`: 0 after printing --help (status CANCELLED), 2 for a bad flag
// or value (status INVALID_ARGUMENT whose message is meant for stderr).
absl::StatusOr<ServiceOptions> ParseServiceOptions(
    const ServiceDescriptor& descriptor, int argc, const char* const* argv,
    int* exit_code);

// The address `--probe` checks: `options.probe` if it names one, else the
// listen address with a wildcard host (0.0.0.0, [::], empty) made loopback.
std::string ProbeAddress(const ServiceOptions& options);

// The effective options as (name, value) pairs for the start-up log; the
// auth token is shown as "***" (or "" when unset).
std::vector<std::pair<std::string, std::string>> OptionsFields(
    const ServiceOptions& options);

// The same as one "name=value name=value" line.
std::string DescribeOptions(const ServiceOptions& options);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_OPTIONS_H_
