#include "common/probe.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/limits.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace hitclock::common {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

ClientTls ClientTlsFor(const ServiceOptions& options) {
  ClientTls tls;
  tls.enabled = options.tls_enabled();
  tls.ca_file = options.tls_ca.empty() ? options.tls_cert : options.tls_ca;
  tls.target_name_override = options.tls_server_name;
  return tls;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreatePeerChannel(
    const std::string& address, const ClientTls& tls,
    const ClientKeepalive& keepalive) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  if (keepalive.time > absl::ZeroDuration()) {
    const absl::Duration time =
        std::max(keepalive.time, kMinClientPingInterval);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
                static_cast<int>(absl::ToInt64Milliseconds(time)));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                static_cast<int>(absl::ToInt64Milliseconds(keepalive.timeout)));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    // A long-lived stream may carry no data for a long time: keep pinging
    // (gRPC's default stops after 2 pings without data).
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (tls.enabled) {
    grpc::SslCredentialsOptions ssl;
    if (!tls.ca_file.empty()) {
      absl::StatusOr<std::string> pem = ReadPem(tls.ca_file);
      if (!pem.ok()) return pem.status();
      ssl.pem_root_certs = *std::move(pem);
    }
    if (!tls.target_name_override.empty()) {
      args.SetSslTargetNameOverride(tls.target_name_override);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateCustomChannel(address, credentials, args);
}

void SetBearerToken(grpc::ClientContext* context, std::string_view token) {
  if (token.empty()) return;
  context->AddMetadata("authorization", "Bearer " + std::string(token));
}

int Probe(const std::string& address, const std::string& service,
          absl::Duration timeout, const ClientTls& tls) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      CreatePeerChannel(address, tls);
  if (!channel.ok()) {
    std::cerr << "probe " << address << ": " << channel.status().message()
              << "\n";
    return 1;
  }
  auto stub = grpc::health::v1::Health::NewStub(*channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) {
    std::cerr << "probe " << address << " " << service
              << ": health check failed: " << status.error_code() << " "
              << status.error_message() << "\n";
    return 1;
  }
  const std::string name =
      grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
          response.status());
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    std::cerr << "probe " << address << " " << service << ": " << name << "\n";
    return 1;
  }
  std::cout << "probe " << address << " " << service << ": " << name << "\n";
  return 0;
}

}  // namespace hitclock::common
