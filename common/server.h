// The shared service runtime: a gRPC server with health, reflection, auth,
// per-RPC logging and graceful shutdown, and the whole `main`.
#ifndef HITCLOCK_COMMON_SERVER_H_
#define HITCLOCK_COMMON_SERVER_H_

#include <grpcpp/server.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "common/options.h"

namespace hitclock::common {

// What a service hands to the runtime: its gRPC services, already backed by
// an open and migrated store.
class ServiceInstance {
 public:
  virtual ~ServiceInstance() = default;
  // The services to register; they must outlive the server (owned here).
  virtual std::vector<grpc::Service*> GrpcServices() = 0;
  // Called once when shutdown begins, after health turned NOT_SERVING and
  // before the server waits for in-flight calls: end long-lived streams
  // (watches) here so that they finish with a status instead of holding the
  // shutdown until its deadline.
  virtual void BeginShutdown() {}
  // Called once after the server stopped and every call finished: close the
  // store.
  virtual void Close() {}
};

// Builds a service's instance from its options (opens the store, migrates).
using ServiceFactory =
    std::function<absl::StatusOr<std::unique_ptr<ServiceInstance>>(
        const ServiceOptions&)>;

// A started server, for `ServiceMain` and for in-process tests
// (listen "127.0.0.1:0" and read `port()`).
class RunningServer {
 public:
  // Listens on `options.listen_address` (TLS when options.tls_cert/tls_key
  // are set) and serves the instance's services plus grpc.health.v1 and
  // server reflection, with the auth + logging interceptor. Health reports
  // SERVING for "" and `descriptor.grpc_service` once started, since the
  // instance is ready by construction.
  static absl::StatusOr<std::unique_ptr<RunningServer>> Start(
      const ServiceDescriptor& descriptor, const ServiceOptions& options,
      std::unique_ptr<ServiceInstance> instance);

  ~RunningServer();  // Shutdown()
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  // The bound port.
  int port() const { return port_; }
  // "127.0.0.1:<port>" style address clients in tests can dial.
  std::string address() const;

  // Health for "" and descriptor.grpc_service (ignored once shutting down).
  void SetServing(bool serving);

  // NOT_SERVING, stop accepting calls, let in-flight calls finish within
  // options.shutdown_timeout (then cancel them), then instance->Close().
  // Idempotent and thread-safe; returns once all of that is done.
  void Shutdown();

  // Blocks until the server has shut down.
  void Wait();

 private:
  RunningServer() = default;

  ServiceDescriptor descriptor_;
  ServiceOptions options_;
  std::unique_ptr<ServiceInstance> instance_;
  // Server reflection with the protos' comments (common/reflection.h).
  std::unique_ptr<grpc::Service> reflection_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;
};

// The whole `main` of a service: parse options (exit 0 after --help, 2 on a
// bad flag), init logging, log the effective options, --probe mode (exit
// 0/1), `factory`, `RunningServer::Start`, SERVING, wait for SIGTERM/SIGINT,
// `Shutdown`, return 0. Returns 1 when the factory or the server fails.
int ServiceMain(const ServiceDescriptor& descriptor, int argc, char** argv,
                const ServiceFactory& factory);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_SERVER_H_
