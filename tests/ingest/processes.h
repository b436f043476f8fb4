// Real service processes for the ingest fault and binary tests.
#ifndef HITCLOCK_TESTS_INGEST_PROCESSES_H_
#define HITCLOCK_TESTS_INGEST_PROCESSES_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/ingest/ingest_fixtures.h"
#include "tests/testing/processes.h"

namespace hitclock::ingest::processes {

using ::hitclock::testing::FreePort;
using ::hitclock::testing::RunToExit;
using ::hitclock::testing::Spawn;

// A service binary running on 127.0.0.1:<port>.
class Service {
 public:
  Service(std::string binary, std::string log)
      : binary_(std::move(binary)), log_(std::move(log)) {}
  ~Service() { Kill(SIGKILL); }

  // Starts it and waits until its --probe says SERVING.
  void Start(int port, const std::vector<std::string>& args) {
    address_ = "127.0.0.1:" + std::to_string(port);
    std::vector<std::string> argv = {binary_, "--listen", address_};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = Spawn(argv, log_);
    ASSERT_GT(pid_, 0);
    for (int i = 0; i < 200; ++i) {
      if (RunToExit({binary_, "--probe=" + address_}) == 0) return;
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        FAIL() << binary_ << " exited\n" << fixtures::ReadFile(log_);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << binary_ << " never served\n" << fixtures::ReadFile(log_);
  }

  // Sends `signal` and waits for the exit; returns the exit code (-1 when
  // killed by a signal or not running).
  int Kill(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Sends `signal` without waiting (SIGSTOP freezes it, SIGCONT thaws it).
  void Signal(int signal) {
    if (pid_ > 0) kill(pid_, signal);
  }

  const std::string& address() const { return address_; }
  const std::string& log() const { return log_; }

 private:
  std::string binary_;
  std::string log_;
  std::string address_;
  pid_t pid_ = 0;
};

}  // namespace hitclock::ingest::processes

#endif  // HITCLOCK_TESTS_INGEST_PROCESSES_H_
