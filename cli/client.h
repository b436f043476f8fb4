// The hitclock client library: how a program reaches the suite's services
// (addresses, TLS, bearer token) and the generated stubs it uses. Exported
// from CMake as `hitclock::client` for other programs to link.
#ifndef HITCLOCK_CLI_CLIENT_H_
#define HITCLOCK_CLI_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "hitclock/catalog/v1/catalog.grpc.pb.h"
#include "hitclock/ingest/v1/ingest.grpc.pb.h"
#include "hitclock/records/v1/records.grpc.pb.h"

namespace hitclock::client {

// Where the services are and how to talk to them.
struct ClientOptions {
  std::string catalog_address = "localhost:50051";
  std::string records_address = "localhost:50052";
  std::string ingest_address = "localhost:50053";
  // Sent as `authorization: Bearer <token>` when not empty.
  std::string token;
  // TLS: on when `tls` is set; verified against `tls_ca` (system roots when
  // empty), with `tls_server_name` overriding the name checked.
  bool tls = false;
  std::string tls_ca;
  std::string tls_server_name;
  // Deadline of each unary call.
  std::chrono::seconds timeout{30};
};

// Channels and stubs to the three services, created on first use.
class Client {
 public:
  explicit Client(ClientOptions options) : options_(std::move(options)) {}

  absl::StatusOr<catalog::v1::CatalogService::Stub*> Catalog();
  absl::StatusOr<records::v1::RecordsService::Stub*> Records();
  absl::StatusOr<ingest::v1::IngestService::Stub*> Ingest();

  // A context with the token and, when `unary`, the call deadline.
  std::unique_ptr<grpc::ClientContext> Context(bool unary = true) const;

  const ClientOptions& options() const { return options_; }

 private:
  absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(
      const std::string& address);

  ClientOptions options_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog_;
  std::unique_ptr<records::v1::RecordsService::Stub> records_;
  std::unique_ptr<ingest::v1::IngestService::Stub> ingest_;
};

// One line describing a failed call: "catalog (localhost:50051):
// UNAVAILABLE: ...", with a hint on how to start the suite when the service
// cannot be reached.
std::string DescribeError(const std::string& service,
                          const std::string& address,
                          const grpc::Status& status);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_CLIENT_H_
