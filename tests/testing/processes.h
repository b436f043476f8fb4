// Real processes for the tests that run the built binaries: a free port,
// starting a program with its output in a log, running one to its exit.
#ifndef HITCLOCK_TESTS_TESTING_PROCESSES_H_
#define HITCLOCK_TESTS_TESTING_PROCESSES_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace hitclock::testing {

// A loopback port that was free a moment ago; 0 when none could be bound.
// (No test framework here: benchmarks use these helpers too.)
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (fd < 0) return 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return 0;
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Starts `argv` (argv[0] a path) with stdout and stderr appended to `log`,
// so that a restarted process keeps the log of its earlier runs.
inline pid_t Spawn(const std::vector<std::string>& argv,
                   const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Runs `argv` to completion and returns its exit code (-1 when killed).
inline int RunToExit(const std::vector<std::string>& argv) {
  pid_t pid = Spawn(argv, "/dev/null");
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The text of a file; empty when it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace hitclock::testing

#endif  // HITCLOCK_TESTS_TESTING_PROCESSES_H_
