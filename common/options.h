// Command-line options of a service, with `HITCLOCK_*` environment fallbacks.
#ifndef HITCLOCK_COMMON_OPTIONS_H_
#define HITCLOCK_COMMON_OPTIONS_H_

#include <any>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/sqlite.h"

namespace CLI {
class App;
}  // namespace CLI

namespace hitclock::common {

// (name, value) pairs describing options, for the start-up log.
using OptionFields = std::vector<std::pair<std::string, std::string>>;

// A service's own options: a struct of typed fields with their defaults
// (e.g. `records::RecordsOptions`), bound to CLI11 options that are parsed
// together with the shared ones, so a bad value is a bad flag (exit 2).
// Made by `MakeServiceFlags<T>`; the parsed struct reaches the service's
// factory in `ServiceOptions::service` (read it with `ServiceOptionsOr<T>`).
struct ServiceFlags {
  // A `T` at its defaults.
  std::function<std::any()> defaults;
  // Adds the service's options to `app`, bound to the fields of the `T` in
  // `values` (each with its `HITCLOCK_*` environment variable).
  std::function<void(CLI::App& app, std::any& values)> add;
  // After a successful parse: checks and normalizes the `T`; a non-OK status
  // is a bad value whose message names the flag ("--max-skew: ...").
  std::function<absl::Status(std::any& values)> check;
  // The effective values for the start-up log, secrets masked.
  std::function<OptionFields(const std::any& values)> fields;
};

// The `ServiceFlags` of struct `T`: `add(app, t)` binds CLI11 options to the
// fields of `t` (`app.add_option("--feeds", t.feeds, ...)->envname(...)`),
// `check(t)` (may be null) validates after parsing, `fields(t)` describes
// the values for the log. Each function must handle its own flags only.
template <typename T>
ServiceFlags MakeServiceFlags(std::function<void(CLI::App&, T&)> add,
                              std::function<OptionFields(const T&)> fields,
                              std::function<absl::Status(T&)> check = nullptr) {
  ServiceFlags flags;
  flags.defaults = [] { return std::any(T{}); };
  flags.add = [add](CLI::App& app, std::any& values) {
    add(app, std::any_cast<T&>(values));
  };
  flags.check = [check](std::any& values) {
    return check ? check(std::any_cast<T&>(values)) : absl::OkStatus();
  };
  flags.fields = [fields](const std::any& values) {
    return fields(std::any_cast<const T&>(values));
  };
  return flags;
}

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
  // The service's own typed options (`MakeServiceFlags`); none when unset.
  ServiceFlags flags;
};

enum class LogFormat { kText, kJson };

// The effective options of a service, flag beats env beats default.
struct ServiceOptions {
  std::string listen_address;  // --listen / HITCLOCK_LISTEN, "127.0.0.1:<port>"
  std::string data_dir = "./data";  // --data-dir / HITCLOCK_DATA_DIR
  // --sync full|normal / HITCLOCK_SYNC: what an acknowledged write survives.
  Durability durability = Durability::kFull;
  std::string log_level = "info";  // --log-level: trace|debug|info|warn|error
  LogFormat log_format = LogFormat::kText;  // --log-format: text|json
  // --auth-token / HITCLOCK_AUTH_TOKEN, or the first line of
  // --auth-token-file / HITCLOCK_AUTH_TOKEN_FILE; empty = off.
  std::string auth_token;
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
  // The service's own options: the `T` of its descriptor's `flags` once
  // parsed; empty when it has none or the options were built by hand.
  std::any service;
  // Their effective values for the start-up log (set by the parse).
  OptionFields service_fields;
  // --probe[=ADDR]: health-check the server at ADDR (default: the listen
  // address, with 0.0.0.0 / [::] replaced by loopback) and exit 0/1.
  std::optional<std::string> probe;

  bool tls_enabled() const { return !tls_cert.empty(); }
};

// The service's own options in `options`: the parsed `T`, or `T{}` (the
// defaults) when `options.service` holds none (options built by hand, as in
// tests). A `T` of another type is a programming error (std::bad_any_cast).
template <typename T>
T ServiceOptionsOr(const ServiceOptions& options) {
  if (!options.service.has_value()) return T{};
  return std::any_cast<const T&>(options.service);
}

// Typed options for `ServiceFlags::add`, each `--<name>` with environment
// fallback `HITCLOCK_<NAME>` (dashes as underscores), its current value as
// the default shown by --help, and errors that name the flag.

// A string (`--feeds FILE`).
void AddStringOption(CLI::App& app, const std::string& name, std::string* value,
                     const std::string& help);

// A switch (`--repair`), off unless given; `HITCLOCK_<NAME>=true` (or 1)
// turns it on.
void AddFlagOption(CLI::App& app, const std::string& name, bool* value,
                   const std::string& help);

// A comma-separated list of whole numbers from 1 to `max` (spaces around
// them allowed), sorted and without repeats once parsed:
//   "--milestones: `x` is not a number from 1 to 100000".
void AddIntListOption(CLI::App& app, const std::string& name,
                      std::vector<int>* values, int max,
                      const std::string& help);

// A whole number from `min` to `max`:
//   "--max-watchers: `x` is not a number from 1 to 100000".
void AddIntOption(CLI::App& app, const std::string& name, int* value, int min,
                  int max, const std::string& help);

// A non-negative, finite number of seconds (`0.5`):
//   "--max-skew: must be a number of seconds".
void AddSecondsOption(CLI::App& app, const std::string& name,
                      absl::Duration* value, const std::string& help);

// The text of a value as these options print it: "10,25,50" and "300"
// (seconds).
std::string IntListText(const std::vector<int>& values);
std::string SecondsText(absl::Duration value);

// Parses `argv` for the service described by `descriptor`, with `HITCLOCK_*`
// environment fallbacks (flag beats env beats default). `--help` documents
// every option with its environment variable and default.
// When the service should not run, returns a non-OK status and sets
// `*exit_code`: 0 after printing --help (status CANCELLED), 2 for a bad flag
// or value (status INVALID_ARGUMENT whose message is meant for stderr).
absl::StatusOr<ServiceOptions> ParseServiceOptions(
    const ServiceDescriptor& descriptor, int argc, const char* const* argv,
    int* exit_code);

// True when `listen` (host:port, or a `unix:` path) can only be reached
// from this machine: a 127.x.x.x host, `localhost`, `[::1]`, or a socket.
bool IsLoopbackOnly(const std::string& listen);

// The address `--probe` checks: `options.probe` if it names one, else the
// listen address with a wildcard host (0.0.0.0, [::], empty) made loopback.
std::string ProbeAddress(const ServiceOptions& options);

// The effective options as (name, value) pairs for the start-up log: the
// shared ones, the peers, then `service_fields`. The auth token is shown as
// "***" (or "" when unset), and so is any service field whose name contains
// "token", "secret" or "password".
OptionFields OptionsFields(const ServiceOptions& options);

// The same as one "name=value name=value" line.
std::string DescribeOptions(const ServiceOptions& options);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_OPTIONS_H_
