#include "common/server.h"

#include <fcntl.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "common/limits.h"
#include "common/logging.h"
#include "common/probe.h"
#include "common/reflection.h"
#include "common/server_interceptor.h"
#include "google/protobuf/stubs/logging.h"

namespace hitclock::common {
namespace {

void LogProtobufMessage(google::protobuf::LogLevel level, const char* file,
                        int line, const std::string& message) {
  const LogFields fields = {
      {"file", file}, {"line", std::to_string(line)}, {"message", message}};
  if (level >= google::protobuf::LOGLEVEL_ERROR) {
    LogWarn("libprotobuf", fields);
  } else {
    LogInfo("libprotobuf", fields);
  }
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const ServiceOptions& options) {
  if (!options.tls_enabled()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert = ReadFile(options.tls_cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(options.tls_key);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  return grpc::SslServerCredentials(ssl);
}

// The write end is used by the signal handler, the read end by
// WaitForStopSignal; both are set once by InstallStopSignalPipe.
int stop_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int signal_number) {
  const int saved_errno = errno;
  const unsigned char byte = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] ssize_t written = write(stop_pipe[1], &byte, 1);
  errno = saved_errno;
}

absl::Status InstallStopSignalPipe() {
  if (stop_pipe[0] < 0 && pipe2(stop_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGTERM, SIGINT}) {
    if (sigaction(signal_number, &action, nullptr) != 0) {
      return absl::InternalError(absl::StrCat("sigaction: ", strerror(errno)));
    }
  }
  // A signal may have been blocked by whoever started us: let it through.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  return absl::OkStatus();
}

// Blocks until SIGTERM or SIGINT arrives; returns its number.
int WaitForStopSignal() {
  while (true) {
    unsigned char byte = 0;
    const ssize_t n = read(stop_pipe[0], &byte, 1);
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return SIGTERM;  // the pipe broke: stop anyway
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunningServer>> RunningServer::Start(
    const ServiceDescriptor& descriptor, const ServiceOptions& options,
    std::unique_ptr<ServiceInstance> instance) {
  // libprotobuf's own messages (e.g. a string field that is not UTF-8)
  // become log lines like every other, not raw lines on stderr.
  google::protobuf::SetLogHandler(&LogProtobufMessage);
  if (instance == nullptr) {
    return absl::InvalidArgumentError("RunningServer::Start: no instance");
  }
  // A process-wide switch read when a builder is created.
  grpc::EnableDefaultHealthCheckService(true);

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentials(options);
  if (!credentials.ok()) return credentials.status();

  auto server = absl::WrapUnique(new RunningServer());
  server->descriptor_ = descriptor;
  server->options_ = options;
  server->instance_ = std::move(instance);

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, *credentials,
                           &server->port_);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  // A second instance on the same port must fail, not share the port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // Keepalive: ping idle connections every minute, drop them when a ping is
  // not answered in 20 s; let clients ping every `kMinClientPingInterval`
  // (10 s), even without calls (the peer channels of `CreatePeerChannel`
  // with a `ClientKeepalive` do).
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      static_cast<int>(absl::ToInt64Milliseconds(kMinClientPingInterval)));
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  for (grpc::Service* service : server->instance_->GrpcServices()) {
    builder.RegisterService(service);
  }
  // Reflection from the suite's descriptors with their comments, listing
  // what `grpcurl list` showed before: the service, health and reflection.
  std::vector<std::string> listed = {
      "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"};
  if (!descriptor.grpc_service.empty()) {
    listed.push_back(descriptor.grpc_service);
  }
  server->reflection_ = std::make_unique<ReflectionService>(std::move(listed));
  builder.RegisterService(server->reflection_.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(internal::MakeServerInterceptorFactory(
      {.token = options.auth_token,
       .auth_reads = options.auth_reads,
       .read_methods = descriptor.read_methods}));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    server->shut_down_ = true;  // nothing to stop
    server->instance_->Close();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  if (options.auth_token.empty() && !IsLoopbackOnly(options.listen_address)) {
    LogWarn(
        "SERVING BEYOND LOOPBACK WITH NO AUTH TOKEN: anyone who can reach "
        "this address can write",
        {{"listen", options.listen_address},
         {"fix",
          "set --auth-token-file (or HITCLOCK_AUTH_TOKEN), or listen on "
          "127.0.0.1"}});
  }
  server->SetServing(true);
  return server;
}

RunningServer::~RunningServer() { Shutdown(); }

std::string RunningServer::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

void RunningServer::SetServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", serving);
  health->SetServingStatus(descriptor_.grpc_service, serving);
}

void RunningServer::Shutdown() {
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  // NOT_SERVING first (and frozen: later SetServing calls are ignored).
  if (grpc::HealthCheckServiceInterface* health =
          server_->GetHealthCheckService()) {
    health->Shutdown();
  }
  instance_->BeginShutdown();
  // Stops accepting calls at once; in-flight calls get until the deadline,
  // then are cancelled. Returns when every call is done.
  server_->Shutdown(
      absl::ToChronoTime(absl::Now() + options_.shutdown_timeout));
  server_->Wait();
  instance_->Close();
}

void RunningServer::Wait() { server_->Wait(); }

int ServiceMain(const ServiceDescriptor& descriptor, int argc, char** argv,
                const ServiceFactory& factory) {
  int exit_code = 0;
  absl::StatusOr<ServiceOptions> options =
      ParseServiceOptions(descriptor, argc, argv, &exit_code);
  if (!options.ok()) {
    if (exit_code != 0) std::cerr << options.status().message() << "\n";
    return exit_code;
  }
  if (absl::Status status = InitLogging(*options); !status.ok()) {
    std::cerr << status.message() << "\n";
    return 2;
  }
  if (options->probe.has_value()) {
    return Probe(ProbeAddress(*options), descriptor.grpc_service,
                 absl::Seconds(3), ClientTlsFor(*options));
  }

  // SIGTERM/SIGINT only write their number to a pipe (async-signal-safe);
  // this thread reads it and does the shutdown work. A pipe rather than a
  // blocked mask + sigwait, because gRPC may have started threads (with the
  // signals unblocked) before main.
  if (absl::Status status = InstallStopSignalPipe(); !status.ok()) {
    LogError("cannot install signal handlers", {{"error", status.ToString()}});
    return 1;
  }

  LogFields start_fields = {{"service", descriptor.name}};
  for (auto& field : OptionsFields(*options)) start_fields.push_back(field);
  LogInfo("starting", start_fields);

  absl::StatusOr<std::unique_ptr<ServiceInstance>> instance = factory(*options);
  if (!instance.ok()) {
    LogError("cannot start", {{"service", descriptor.name},
                              {"error", instance.status().ToString()}});
    return 1;
  }
  absl::StatusOr<std::unique_ptr<RunningServer>> server =
      RunningServer::Start(descriptor, *options, *std::move(instance));
  if (!server.ok()) {
    LogError("cannot start", {{"service", descriptor.name},
                              {"error", server.status().ToString()}});
    return 1;
  }
  (*server)->SetServing(true);
  LogInfo("serving", {{"service", descriptor.name},
                      {"grpc_service", descriptor.grpc_service},
                      {"port", std::to_string((*server)->port())}});

  const int signal_number = WaitForStopSignal();
  LogInfo("shutting down",
          {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
           {"timeout", absl::FormatDuration(options->shutdown_timeout)}});
  (*server)->Shutdown();
  LogInfo("stopped", {{"service", descriptor.name}});
  spdlog::default_logger()->flush();
  return 0;
}

}  // namespace hitclock::common
