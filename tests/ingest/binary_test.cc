// The built `hitclock-ingest` binary as a user runs it: started on a real
// port, probed with its own --probe mode, stopped with SIGTERM; --help.
#include <filesystem>
#include <string>

#include "gtest/gtest.h"
#include "tests/ingest/ingest_fixtures.h"
#include "tests/ingest/processes.h"

namespace hitclock::ingest {
namespace {

TEST(IngestBinaryTest, ProbesServingThenExitsCleanlyOnSigterm) {
  const auto dir = fixtures::MakeTempDir("ingest-binary");
  const std::string address =
      "127.0.0.1:" + std::to_string(processes::FreePort());
  EXPECT_EQ(
      processes::RunToExit({HITCLOCK_INGEST_BINARY, "--probe=" + address}), 1);
  processes::Service ingest(HITCLOCK_INGEST_BINARY,
                            (dir / "ingest.log").string());
  // No peers configured: it serves anyway and keeps what it gets.
  ingest.Start(std::stoi(address.substr(address.rfind(':') + 1)),
               {"--data-dir", (dir / "data").string(), "--auth-token",
                "hunter2", "--log-format", "json"});
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "ingest.db"));
  EXPECT_EQ(ingest.Kill(SIGTERM), 0) << fixtures::ReadFile(ingest.log());
  const std::string log = fixtures::ReadFile(ingest.log());
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
  EXPECT_EQ(
      processes::RunToExit({HITCLOCK_INGEST_BINARY, "--probe=" + address}), 1);
  std::filesystem::remove_all(dir);
}

TEST(IngestBinaryTest, HelpDocumentsItsOwnFlags) {
  const auto dir = fixtures::MakeTempDir("ingest-help");
  const std::string out = (dir / "help.txt").string();
  pid_t pid = processes::Spawn({HITCLOCK_INGEST_BINARY, "--help"}, out);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string help = fixtures::ReadFile(out);
  for (const char* word :
       {"--catalog-address", "HITCLOCK_CATALOG_ADDRESS", "--records-address",
        "HITCLOCK_RECORDS_ADDRESS", "--peer-token", "HITCLOCK_PEER_TOKEN",
        "--feeds", "HITCLOCK_FEEDS", "--max-skew", "--forward-max-backoff"}) {
    EXPECT_NE(help.find(word), std::string::npos) << word << "\n" << help;
  }
  EXPECT_EQ(processes::RunToExit({HITCLOCK_INGEST_BINARY, "--no-such-flag"}),
            2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hitclock::ingest
