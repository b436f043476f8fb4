#include "common/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hitclock::common {
namespace {

std::string EnvName(std::string_view name) {
  std::string env = "HITCLOCK_" + std::string(name);
  for (char& c : env) {
    c = (c == '-') ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return env;
}

// Checks (and trims) one whole number from `min` to `max` before CLI11
// converts it: "`x` is not a number from 1 to 100000".
CLI::Validator WholeNumber(int min, int max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        const std::string trimmed(absl::StripAsciiWhitespace(text));
        int n = 0;
        if (!absl::SimpleAtoi(trimmed, &n) || n < min || n > max) {
          return absl::StrCat("`", text, "` is not a number from ", min, " to ",
                              max);
        }
        text = trimmed;
        return std::string();
      },
      absl::StrCat("INT in [", min, " - ", max, "]"));
}

}  // namespace

std::string IntListText(const std::vector<int>& values) {
  return absl::StrJoin(values, ",");
}

std::string SecondsText(absl::Duration value) {
  return absl::StrCat(absl::ToDoubleSeconds(value));
}

void AddStringOption(CLI::App& app, const std::string& name, std::string* value,
                     const std::string& help) {
  app.add_option(absl::StrCat("--", name), *value, help)
      ->envname(EnvName(name))
      ->default_str(*value);
}

void AddFlagOption(CLI::App& app, const std::string& name, bool* value,
                   const std::string& help) {
  app.add_flag(absl::StrCat("--", name), *value, help)->envname(EnvName(name));
}

void AddIntListOption(CLI::App& app, const std::string& name,
                      std::vector<int>* values, int max,
                      const std::string& help) {
  // Each comma-separated piece is checked (and trimmed) before conversion;
  // the callback then stores the sorted, distinct numbers.
  const CLI::Validator number = WholeNumber(1, max);
  app.add_option_function<std::vector<int>>(
         absl::StrCat("--", name),
         [values](const std::vector<int>& parsed) {
           std::vector<int> sorted = parsed;
           std::sort(sorted.begin(), sorted.end());
           sorted.erase(std::unique(sorted.begin(), sorted.end()),
                        sorted.end());
           *values = std::move(sorted);
         },
         help)
      ->envname(EnvName(name))
      ->delimiter(',')
      ->check(number)
      ->type_name("N,N,...")
      ->default_str(IntListText(*values));
}

void AddIntOption(CLI::App& app, const std::string& name, int* value, int min,
                  int max, const std::string& help) {
  app.add_option(absl::StrCat("--", name), *value, help)
      ->envname(EnvName(name))
      ->check(WholeNumber(min, max))
      ->type_name("N")
      ->default_str(std::to_string(*value));
}

void AddSecondsOption(CLI::App& app, const std::string& name,
                      absl::Duration* value, const std::string& help) {
  CLI::Validator seconds(
      [](std::string& text) -> std::string {
        double s = 0;
        if (!absl::SimpleAtod(text, &s) || !std::isfinite(s) || s < 0) {
          return "must be a number of seconds";
        }
        return std::string();
      },
      /*validator_desc=*/"");
  app.add_option_function<double>(
         absl::StrCat("--", name),
         [value](const double& s) { *value = absl::Seconds(s); }, help)
      ->envname(EnvName(name))
      ->check(seconds)
      ->type_name("SECONDS")
      ->default_str(SecondsText(*value));
}

absl::StatusOr<ServiceOptions> ParseServiceOptions(
    const ServiceDescriptor& descriptor, int argc, const char* const* argv,
    int* exit_code) {
  ServiceOptions options;
  // Loopback unless told: compose (and any deployment) sets its own address.
  options.listen_address = absl::StrCat("127.0.0.1:", descriptor.default_port);
  std::string log_format = "text";
  std::string sync = "full";
  double shutdown_seconds = absl::ToDoubleSeconds(options.shutdown_timeout);
  std::string probe;

  CLI::App app(absl::StrCat("hitclock ", descriptor.name, " service (",
                            descriptor.grpc_service,
                            "). Every option can also be set through the "
                            "environment variable shown; a flag wins."),
               std::string(descriptor.name));
  app.option_defaults()->always_capture_default();

  app.add_option("--listen", options.listen_address,
                 "Address to serve gRPC on (host:port; port 0 picks one)")
      ->envname("HITCLOCK_LISTEN");
  app.add_option("--data-dir", options.data_dir,
                 "Directory of the service's SQLite database")
      ->envname("HITCLOCK_DATA_DIR");
  app.add_option("--sync", sync,
                 "full: a write is on disk before it is acknowledged, and "
                 "survives a power cut; normal: faster, survives a crash of "
                 "the service but an OS crash or power cut may lose the last "
                 "acknowledged writes")
      ->envname("HITCLOCK_SYNC")
      ->check(CLI::IsMember({"full", "normal"}));
  app.add_option("--log-level", options.log_level, "Lowest level logged")
      ->envname("HITCLOCK_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app.add_option("--log-format", log_format,
                 "Log lines on stdout as plain text or as JSON objects")
      ->envname("HITCLOCK_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--auth-token", options.auth_token,
                 "When set, write methods need metadata "
                 "'authorization: Bearer <token>' (never logged)")
      ->envname("HITCLOCK_AUTH_TOKEN")
      ->default_str("");
  std::string auth_token_file;
  app.add_option("--auth-token-file", auth_token_file,
                 "Read --auth-token from this file (its first line), so that "
                 "the token shows in no process listing")
      ->envname("HITCLOCK_AUTH_TOKEN_FILE")
      ->check(CLI::ExistingFile);
  app.add_flag("--auth-reads", options.auth_reads,
               "Read methods need the token too")
      ->envname("HITCLOCK_AUTH_READS");
  app.add_option("--tls-cert", options.tls_cert,
                 "PEM certificate chain: serve TLS (needs --tls-key)")
      ->envname("HITCLOCK_TLS_CERT")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key, "PEM private key of --tls-cert")
      ->envname("HITCLOCK_TLS_KEY")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-ca", options.tls_ca,
                 "PEM CA bundle to verify peers and the probed server "
                 "(default with TLS: --tls-cert itself)")
      ->envname("HITCLOCK_TLS_CA")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-server-name", options.tls_server_name,
                 "Name expected in the certificates of peers and of the "
                 "probed server (default: the host dialed)")
      ->envname("HITCLOCK_TLS_SERVER_NAME");
  app.add_option("--shutdown-timeout", shutdown_seconds,
                 "Seconds in-flight calls may take to finish after "
                 "SIGTERM/SIGINT")
      ->envname("HITCLOCK_SHUTDOWN_TIMEOUT")
      ->check(CLI::NonNegativeNumber);

  std::map<std::string, std::string> peer_values;
  for (const std::string& peer : descriptor.peers) {
    peer_values[peer] = "";
  }
  for (const std::string& peer : descriptor.peers) {
    const std::string name = absl::StrCat(peer, "-address");
    app.add_option(
           absl::StrCat("--", name), peer_values[peer],
           absl::StrCat("Address (host:port) of the ", peer, " service"))
        ->envname(EnvName(name));
  }
  std::any service_values;
  if (descriptor.flags.defaults) {
    service_values = descriptor.flags.defaults();
    descriptor.flags.add(app, service_values);
  }

  CLI::Option* probe_option =
      app.add_option("--probe", probe,
                     "Health-check a running server instead of serving: "
                     "exit 0 when SERVING, 1 otherwise (ADDR defaults to "
                     "--listen with a wildcard host made loopback)")
          ->expected(0, 1)
          ->type_name("[ADDR]")
          ->default_str("");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    *exit_code = 0;
    return absl::CancelledError("help printed");
  } catch (const CLI::ParseError& e) {
    *exit_code = 2;
    return absl::InvalidArgumentError(
        absl::StrCat(e.what(), "\nRun with --help for more information."));
  }

  auto bad = [exit_code](std::string_view message) {
    *exit_code = 2;
    return absl::InvalidArgumentError(
        std::string(message) + "\nRun with --help for more information.");
  };
  if (options.listen_address.empty()) return bad("--listen: must not be empty");
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return bad("--tls-cert and --tls-key: give both or neither");
  }
  if (!std::isfinite(shutdown_seconds)) {
    return bad("--shutdown-timeout: must be a number of seconds");
  }
  if (!auth_token_file.empty()) {
    if (!options.auth_token.empty()) {
      return bad("--auth-token and --auth-token-file: give one or the other");
    }
    std::ifstream in(auth_token_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      return bad(absl::StrCat("--auth-token-file: cannot read a line from ",
                              auth_token_file));
    }
    options.auth_token = std::string(absl::StripAsciiWhitespace(line));
    if (options.auth_token.empty()) {
      return bad(absl::StrCat("--auth-token-file: ", auth_token_file,
                              " holds no token on its first line"));
    }
  }
  options.log_format =
      log_format == "json" ? LogFormat::kJson : LogFormat::kText;
  options.durability =
      sync == "normal" ? Durability::kNormal : Durability::kFull;
  options.shutdown_timeout = absl::Seconds(shutdown_seconds);
  if (descriptor.flags.defaults) {
    if (absl::Status s = descriptor.flags.check(service_values); !s.ok()) {
      return bad(std::string(s.message()));
    }
    options.service_fields = descriptor.flags.fields(service_values);
    options.service = std::move(service_values);
  }
  options.peers = std::move(peer_values);
  if (probe_option->count() > 0) options.probe = probe;
  *exit_code = 0;
  return options;
}

bool IsLoopbackOnly(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  const size_t colon = listen.rfind(':');
  const std::string host =
      colon == std::string::npos ? listen : listen.substr(0, colon);
  return absl::StartsWith(host, "127.") || host == "localhost" ||
         host == "[::1]";
}

std::string ProbeAddress(const ServiceOptions& options) {
  if (options.probe.has_value() && !options.probe->empty()) {
    return *options.probe;
  }
  const std::string& listen = options.listen_address;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return listen;
  const std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (host.empty() || host == "0.0.0.0" || host == "*") {
    return absl::StrCat("127.0.0.1:", port);
  }
  if (host == "[::]" || host == "::") return absl::StrCat("[::1]:", port);
  return listen;
}

OptionFields OptionsFields(const ServiceOptions& options) {
  OptionFields fields = {
      {"listen", options.listen_address},
      {"data_dir", options.data_dir},
      {"sync", options.durability == Durability::kFull ? "full" : "normal"},
      {"log_level", options.log_level},
      {"log_format", options.log_format == LogFormat::kJson ? "json" : "text"},
      {"auth_token", options.auth_token.empty() ? "" : "***"},
      {"auth_reads", options.auth_reads ? "true" : "false"},
      {"tls_cert", options.tls_cert},
      {"tls_key", options.tls_key},
      {"tls_ca", options.tls_ca},
      {"tls_server_name", options.tls_server_name},
      {"shutdown_timeout", absl::FormatDuration(options.shutdown_timeout)},
  };
  for (const auto& [peer, address] : options.peers) {
    fields.emplace_back(absl::StrCat(peer, "_address"), address);
  }
  for (const auto& [name, value] : options.service_fields) {
    // Secrets never reach a log: any service field named like a token.
    const bool secret = absl::StrContains(name, "token") ||
                        absl::StrContains(name, "secret") ||
                        absl::StrContains(name, "password");
    fields.emplace_back(name, secret && !value.empty() ? "***" : value);
  }
  return fields;
}

std::string DescribeOptions(const ServiceOptions& options) {
  return absl::StrJoin(OptionsFields(options), " ", absl::PairFormatter("="));
}

}  // namespace hitclock::common
