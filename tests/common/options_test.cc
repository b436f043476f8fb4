#include "common/options.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/match.h"

namespace hitclock::common {
namespace {

// A service's own options, as a service declares them.
struct TestOptions {
  std::vector<int> milestones = {100, 1000};
  absl::Duration max_skew = absl::Minutes(5);
  std::string peer_token;
  int max_watchers = 1000;
};

ServiceDescriptor Descriptor() {
  ServiceDescriptor d;
  d.name = "ingest";
  d.grpc_service = "hitclock.ingest.v1.IngestService";
  d.default_port = 50052;
  d.peers = {"catalog", "records"};
  d.flags = MakeServiceFlags<TestOptions>(
      [](CLI::App& app, TestOptions& o) {
        AddIntListOption(app, "milestones", &o.milestones, 100000,
                         "Comma-separated milestones");
        AddSecondsOption(app, "max-skew", &o.max_skew, "Seconds of skew");
        AddStringOption(app, "peer-token", &o.peer_token, "Peer token");
        AddIntOption(app, "max-watchers", &o.max_watchers, 1, 100000,
                     "Most watchers");
      },
      [](const TestOptions& o) -> OptionFields {
        return {{"milestones", IntListText(o.milestones)},
                {"max_skew", SecondsText(o.max_skew)},
                {"peer-token", o.peer_token}};
      },
      [](TestOptions& o) -> absl::Status {
        if (o.milestones.size() > 10) {
          return absl::InvalidArgumentError("--milestones: at most 10");
        }
        return absl::OkStatus();
      });
  return d;
}

std::vector<int> Milestones(const ServiceOptions& o) {
  return ServiceOptionsOr<TestOptions>(o).milestones;
}

class OptionsTest : public ::testing::Test {
 protected:
  static constexpr const char* kEnv[] = {"HITCLOCK_LISTEN",
                                         "HITCLOCK_DATA_DIR",
                                         "HITCLOCK_LOG_LEVEL",
                                         "HITCLOCK_LOG_FORMAT",
                                         "HITCLOCK_AUTH_TOKEN",
                                         "HITCLOCK_AUTH_READS",
                                         "HITCLOCK_TLS_CERT",
                                         "HITCLOCK_TLS_KEY",
                                         "HITCLOCK_TLS_CA",
                                         "HITCLOCK_TLS_SERVER_NAME",
                                         "HITCLOCK_SHUTDOWN_TIMEOUT",
                                         "HITCLOCK_CATALOG_ADDRESS",
                                         "HITCLOCK_RECORDS_ADDRESS",
                                         "HITCLOCK_MILESTONES",
                                         "HITCLOCK_MAX_SKEW",
                                         "HITCLOCK_PEER_TOKEN",
                                         "HITCLOCK_MAX_WATCHERS",
                                         "HITCLOCK_AUTH_TOKEN_FILE",
                                         "HITCLOCK_SYNC"};

  void SetUp() override {
    for (const char* name : kEnv) unsetenv(name);
  }
  void TearDown() override {
    for (const char* name : kEnv) unsetenv(name);
  }

  absl::StatusOr<ServiceOptions> Parse(std::vector<std::string> args) {
    args.insert(args.begin(), "ingest");
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    exit_code_ = -1;
    return ParseServiceOptions(Descriptor(), static_cast<int>(argv.size()),
                               argv.data(), &exit_code_);
  }

  int exit_code_ = -1;
};

TEST_F(OptionsTest, Defaults) {
  absl::StatusOr<ServiceOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(exit_code_, 0);
  EXPECT_EQ(o->listen_address, "127.0.0.1:50052");  // loopback unless told
  EXPECT_EQ(o->data_dir, "./data");
  EXPECT_EQ(o->durability, Durability::kFull);
  EXPECT_EQ(o->log_level, "info");
  EXPECT_EQ(o->log_format, LogFormat::kText);
  EXPECT_EQ(o->auth_token, "");
  EXPECT_FALSE(o->auth_reads);
  EXPECT_FALSE(o->tls_enabled());
  EXPECT_EQ(o->shutdown_timeout, absl::Seconds(10));
  EXPECT_EQ(o->peers.at("catalog"), "");
  EXPECT_EQ(o->peers.at("records"), "");
  EXPECT_EQ(Milestones(*o), (std::vector<int>{100, 1000}));
  EXPECT_EQ(ServiceOptionsOr<TestOptions>(*o).max_skew, absl::Minutes(5));
  EXPECT_FALSE(o->probe.has_value());
}

TEST_F(OptionsTest, EnvironmentBeatsDefault) {
  setenv("HITCLOCK_LISTEN", "127.0.0.1:7000", 1);
  setenv("HITCLOCK_DATA_DIR", "/var/lib/hitclock", 1);
  setenv("HITCLOCK_LOG_LEVEL", "debug", 1);
  setenv("HITCLOCK_LOG_FORMAT", "json", 1);
  setenv("HITCLOCK_AUTH_TOKEN", "s3cret", 1);
  setenv("HITCLOCK_AUTH_READS", "true", 1);
  setenv("HITCLOCK_SHUTDOWN_TIMEOUT", "2.5", 1);
  setenv("HITCLOCK_CATALOG_ADDRESS", "catalog:50051", 1);
  setenv("HITCLOCK_MILESTONES", "5", 1);
  setenv("HITCLOCK_SYNC", "normal", 1);
  absl::StatusOr<ServiceOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->listen_address, "127.0.0.1:7000");
  EXPECT_EQ(o->data_dir, "/var/lib/hitclock");
  EXPECT_EQ(o->durability, Durability::kNormal);
  EXPECT_EQ(o->log_level, "debug");
  EXPECT_EQ(o->log_format, LogFormat::kJson);
  EXPECT_EQ(o->auth_token, "s3cret");
  EXPECT_TRUE(o->auth_reads);
  EXPECT_EQ(o->shutdown_timeout, absl::Milliseconds(2500));
  EXPECT_EQ(o->peers.at("catalog"), "catalog:50051");
  EXPECT_EQ(Milestones(*o), (std::vector<int>{5}));
}

TEST_F(OptionsTest, FlagBeatsEnvironment) {
  setenv("HITCLOCK_LISTEN", "127.0.0.1:7000", 1);
  setenv("HITCLOCK_LOG_LEVEL", "debug", 1);
  setenv("HITCLOCK_CATALOG_ADDRESS", "catalog:50051", 1);
  setenv("HITCLOCK_MILESTONES", "5", 1);
  absl::StatusOr<ServiceOptions> o =
      Parse({"--listen", "127.0.0.1:8000", "--log-level=warn",
             "--catalog-address", "localhost:1", "--milestones=7"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->listen_address, "127.0.0.1:8000");
  EXPECT_EQ(o->log_level, "warn");
  EXPECT_EQ(o->peers.at("catalog"), "localhost:1");
  EXPECT_EQ(Milestones(*o), (std::vector<int>{7}));
}

TEST_F(OptionsTest, FalseEnvironmentFlag) {
  setenv("HITCLOCK_AUTH_READS", "false", 1);
  absl::StatusOr<ServiceOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_FALSE(o->auth_reads);
  o = Parse({"--auth-reads"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->auth_reads);
}

TEST_F(OptionsTest, HelpDocumentsEveryOptionAndExitsZero) {
  testing::internal::CaptureStdout();
  absl::StatusOr<ServiceOptions> o = Parse({"--help"});
  const std::string help = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(exit_code_, 0);
  for (const char* expected : {"--listen",
                               "HITCLOCK_LISTEN",
                               "--data-dir",
                               "HITCLOCK_DATA_DIR",
                               "--log-level",
                               "--log-format",
                               "--auth-token",
                               "HITCLOCK_AUTH_TOKEN",
                               "--auth-reads",
                               "--tls-cert",
                               "--tls-key",
                               "--shutdown-timeout",
                               "--catalog-address",
                               "HITCLOCK_CATALOG_ADDRESS",
                               "--records-address",
                               "--milestones",
                               "HITCLOCK_MILESTONES",
                               "100,1000",
                               "--max-skew",
                               "HITCLOCK_MAX_SKEW",
                               "--peer-token",
                               "--probe"}) {
    EXPECT_TRUE(absl::StrContains(help, expected)) << expected << "\n" << help;
  }
}

TEST_F(OptionsTest, BadValuesExitTwo) {
  const std::vector<std::vector<std::string>> bad = {
      {"--log-level", "loud"},
      {"--log-format", "xml"},
      {"--sync", "off"},
      {"--no-such-flag"},
      {"--shutdown-timeout", "-1"},
      {"--shutdown-timeout", "soon"},
      {"--tls-cert", "/definitely/not/here.pem", "--tls-key",
       "/definitely/not/here.key"},
      {"--listen", ""},
      {"unexpected-positional"},
  };
  for (const auto& args : bad) {
    absl::StatusOr<ServiceOptions> o = Parse(args);
    EXPECT_FALSE(o.ok()) << args[0];
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument) << args[0];
    EXPECT_EQ(exit_code_, 2) << args[0];
  }
}

TEST_F(OptionsTest, ServiceOptionsAreTyped) {
  setenv("HITCLOCK_MAX_SKEW", "0.5", 1);
  absl::StatusOr<ServiceOptions> o =
      Parse({"--milestones", "100, 10,25,10", "--peer-token", "p",
             "--max-watchers", " 20"});
  ASSERT_TRUE(o.ok()) << o.status();
  const TestOptions typed = ServiceOptionsOr<TestOptions>(*o);
  EXPECT_EQ(typed.milestones, (std::vector<int>{10, 25, 100}));
  EXPECT_EQ(typed.max_skew, absl::Milliseconds(500));
  EXPECT_EQ(typed.peer_token, "p");
  EXPECT_EQ(typed.max_watchers, 20);
  // Options built by hand hold the defaults.
  EXPECT_EQ(Milestones(ServiceOptions()), (std::vector<int>{100, 1000}));
}

TEST_F(OptionsTest, BadServiceValuesExitTwoNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--milestones", "10,abc"},
       "--milestones: `abc` is not a number from 1 to 100000"},
      {{"--milestones=0"},
       "--milestones: `0` is not a number from 1 to 100000"},
      {{"--max-skew", "soon"}, "--max-skew: must be a number of seconds"},
      {{"--max-skew", "-1"}, "--max-skew: must be a number of seconds"},
      {{"--milestones", "1,2,3,4,5,6,7,8,9,10,11"}, "--milestones: at most 10"},
      {{"--max-watchers", "0"},
       "--max-watchers: `0` is not a number from 1 to 100000"},
      {{"--max-watchers", "many"},
       "--max-watchers: `many` is not a number from 1 to 100000"},
  };
  for (const auto& [args, message] : bad) {
    absl::StatusOr<ServiceOptions> o = Parse(args);
    ASSERT_FALSE(o.ok()) << args[0];
    EXPECT_EQ(exit_code_, 2) << args[0];
    EXPECT_TRUE(absl::StartsWith(o.status().message(), message)) << o.status();
  }
  setenv("HITCLOCK_MILESTONES", "7,x", 1);
  absl::StatusOr<ServiceOptions> o = Parse({});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(exit_code_, 2);
  EXPECT_TRUE(absl::StartsWith(o.status().message(),
                               "--milestones: `x` is not a number from 1 to"))
      << o.status();
}

TEST_F(OptionsTest, BadEnvironmentValueExitsTwo) {
  setenv("HITCLOCK_LOG_LEVEL", "loud", 1);
  absl::StatusOr<ServiceOptions> o = Parse({});
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(exit_code_, 2);
}

TEST_F(OptionsTest, TlsNeedsCertAndKey) {
  const std::filesystem::path cert =
      std::filesystem::temp_directory_path() /
      ("hitclock_options_test_" + std::to_string(::getpid()) + ".pem");
  std::ofstream(cert) << "not really a cert";
  absl::StatusOr<ServiceOptions> o = Parse({"--tls-cert", cert.string()});
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(exit_code_, 2);
  o = Parse({"--tls-cert", cert.string(), "--tls-key", cert.string()});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->tls_enabled());
  std::filesystem::remove(cert);
}

TEST_F(OptionsTest, ProbeWithoutAddressUsesLoopbackListenAddress) {
  absl::StatusOr<ServiceOptions> o = Parse({"--probe"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_TRUE(o->probe.has_value());
  EXPECT_EQ(ProbeAddress(*o), "127.0.0.1:50052");

  o = Parse({"--listen", "[::]:9000", "--probe"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(ProbeAddress(*o), "[::1]:9000");

  o = Parse({"--listen", "10.0.0.5:9000", "--probe"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(ProbeAddress(*o), "10.0.0.5:9000");
}

TEST_F(OptionsTest, ProbeWithAddress) {
  absl::StatusOr<ServiceOptions> o = Parse({"--probe=catalog:50051"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->probe, "catalog:50051");
  EXPECT_EQ(ProbeAddress(*o), "catalog:50051");
}

TEST_F(OptionsTest, TokenFromAFileShowsInNoArgv) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("hitclock_token_" + std::to_string(::getpid()));
  {
    std::ofstream out(file);
    out << "  s3cret-from-file  \nsecond line ignored\n";
  }
  absl::StatusOr<ServiceOptions> o =
      Parse({"--auth-token-file", file.string()});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->auth_token, "s3cret-from-file");
  EXPECT_FALSE(absl::StrContains(DescribeOptions(*o), "s3cret"))
      << DescribeOptions(*o);

  absl::StatusOr<ServiceOptions> both =
      Parse({"--auth-token-file", file.string(), "--auth-token", "x"});
  EXPECT_FALSE(both.ok());
  EXPECT_EQ(exit_code_, 2);
  EXPECT_TRUE(absl::StrContains(both.status().message(),
                                "--auth-token and --auth-token-file"))
      << both.status();
  { std::ofstream out(file); }  // empty
  absl::StatusOr<ServiceOptions> empty =
      Parse({"--auth-token-file", file.string()});
  EXPECT_FALSE(empty.ok());
  EXPECT_TRUE(absl::StrContains(empty.status().message(), "--auth-token-file"))
      << empty.status();
  std::filesystem::remove(file);
}

TEST(ListenTest, TellsLoopbackFromReachable) {
  EXPECT_TRUE(IsLoopbackOnly("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackOnly("127.0.0.2:0"));
  EXPECT_TRUE(IsLoopbackOnly("localhost:50051"));
  EXPECT_TRUE(IsLoopbackOnly("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackOnly("unix:/tmp/hitclock.sock"));
  EXPECT_FALSE(IsLoopbackOnly("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackOnly("[::]:50051"));
  EXPECT_FALSE(IsLoopbackOnly(":50051"));
  EXPECT_FALSE(IsLoopbackOnly("10.0.0.5:50051"));
}

TEST_F(OptionsTest, DescriptionMasksTheToken) {
  absl::StatusOr<ServiceOptions> o = Parse({"--auth-token", "s3cret"});
  ASSERT_TRUE(o.ok()) << o.status();
  const std::string text = DescribeOptions(*o);
  EXPECT_FALSE(absl::StrContains(text, "s3cret")) << text;
  EXPECT_TRUE(absl::StrContains(text, "auth_token=***")) << text;
  EXPECT_TRUE(absl::StrContains(text, "listen=127.0.0.1:50052")) << text;
  EXPECT_TRUE(absl::StrContains(text, "catalog_address=")) << text;
}

TEST_F(OptionsTest, DescriptionShowsServiceOptionsAndMasksSecrets) {
  absl::StatusOr<ServiceOptions> o =
      Parse({"--peer-token", "p33r", "--milestones", "3,2"});
  ASSERT_TRUE(o.ok()) << o.status();
  const std::string text = DescribeOptions(*o);
  EXPECT_FALSE(absl::StrContains(text, "p33r")) << text;
  EXPECT_TRUE(absl::StrContains(text, "peer-token=***")) << text;
  EXPECT_TRUE(absl::StrContains(text, "milestones=2,3")) << text;
  EXPECT_TRUE(absl::StrContains(text, "max_skew=300")) << text;
}

}  // namespace
}  // namespace hitclock::common
