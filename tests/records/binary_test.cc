// The built `hitclock-records` binary as a user runs it: started on a real
// port with its catalog down (it serves anyway), probed with its own --probe
// mode, stopped with SIGTERM.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/records/records_fixtures.h"
#include "tests/testing/processes.h"

namespace hitclock::records {
namespace {

using ::hitclock::testing::FreePort;
using ::hitclock::testing::ReadFile;
using ::hitclock::testing::RunToExit;
using ::hitclock::testing::Spawn;

TEST(RecordsBinaryTest, ProbesServingThenExitsCleanlyOnSigterm) {
  const std::string binary = HITCLOCK_RECORDS_BINARY;
  const auto dir = fixtures::MakeTempDir("binary");
  const std::string address = "127.0.0.1:" + std::to_string(FreePort());
  const std::string log = (dir / "records.log").string();

  // Nothing listens yet: the probe says so with exit code 1.
  EXPECT_EQ(RunToExit({binary, "--probe=" + address}), 1);

  pid_t pid = Spawn(
      {binary, "--listen", address, "--data-dir", (dir / "data").string(),
       "--auth-token", "hunter2", "--log-format", "json", "--shutdown-timeout",
       "5", "--catalog-address", "127.0.0.1:" + std::to_string(FreePort())},
      log);
  ASSERT_GT(pid, 0);
  bool serving = false;
  for (int i = 0; i < 100 && !serving; ++i) {
    serving = RunToExit({binary, "--probe=" + address}) == 0;
    if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(serving) << ReadFile(log);
  EXPECT_TRUE(std::filesystem::exists(dir / "data" / "records.db"));

  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 150 && done == 0; ++i) {
    done = waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    FAIL() << "no exit within 15 s of SIGTERM\n" << ReadFile(log);
  }
  ASSERT_TRUE(WIFEXITED(status)) << ReadFile(log);
  EXPECT_EQ(WEXITSTATUS(status), 0) << ReadFile(log);

  const std::string text = ReadFile(log);
  // JSON lines; the token never appears, the start-up line does.
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("\"listen\""), std::string::npos) << text;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    EXPECT_EQ(line.front(), '{') << line;
    EXPECT_EQ(line.back(), '}') << line;
  }
  // After the clean stop nothing answers.
  EXPECT_EQ(RunToExit({binary, "--probe=" + address}), 1);
  std::filesystem::remove_all(dir);
}

TEST(RecordsBinaryTest, HelpDocumentsEveryOptionAndItsEnvironmentVariable) {
  const auto dir = fixtures::MakeTempDir("help");
  const std::string out = (dir / "help.txt").string();
  pid_t pid = Spawn({HITCLOCK_RECORDS_BINARY, "--help"}, out);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const std::string help = ReadFile(out);
  for (const char* word :
       {"--listen", "HITCLOCK_LISTEN", "--data-dir", "HITCLOCK_DATA_DIR",
        "--log-level", "--log-format", "--auth-token", "HITCLOCK_AUTH_TOKEN",
        "--tls-cert", "--tls-key", "--probe", "--shutdown-timeout",
        "--catalog-address", "HITCLOCK_CATALOG_ADDRESS", "--milestones",
        "HITCLOCK_MILESTONES", "10,25,50,75,100,110"}) {
    EXPECT_NE(help.find(word), std::string::npos) << word << "\n" << help;
  }
  EXPECT_EQ(RunToExit({HITCLOCK_RECORDS_BINARY, "--no-such-flag"}), 2);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hitclock::records
