#include "cli/client.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/limits.h"

namespace hitclock::client {
namespace {

// The canonical name of a status code (`INVALID_ARGUMENT`): gRPC's codes are
// abseil's.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> Client::Channel(
    const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(common::kMaxMessageBytes);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options_.tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options_.tls_ca.empty()) {
      std::ifstream in(options_.tls_ca);
      if (!in) {
        return absl::InvalidArgumentError(
            absl::StrCat("--tls-ca: cannot read ", options_.tls_ca));
      }
      std::stringstream pem;
      pem << in.rdbuf();
      ssl.pem_root_certs = pem.str();
    }
    if (!options_.tls_server_name.empty()) {
      args.SetSslTargetNameOverride(options_.tls_server_name);
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return grpc::CreateCustomChannel(address, credentials, args);
}

absl::StatusOr<catalog::v1::CatalogService::Stub*> Client::Catalog() {
  if (catalog_ == nullptr) {
    auto channel = Channel(options_.catalog_address);
    if (!channel.ok()) return channel.status();
    catalog_ = catalog::v1::CatalogService::NewStub(*channel);
  }
  return catalog_.get();
}

absl::StatusOr<records::v1::RecordsService::Stub*> Client::Records() {
  if (records_ == nullptr) {
    auto channel = Channel(options_.records_address);
    if (!channel.ok()) return channel.status();
    records_ = records::v1::RecordsService::NewStub(*channel);
  }
  return records_.get();
}

absl::StatusOr<ingest::v1::IngestService::Stub*> Client::Ingest() {
  if (ingest_ == nullptr) {
    auto channel = Channel(options_.ingest_address);
    if (!channel.ok()) return channel.status();
    ingest_ = ingest::v1::IngestService::NewStub(*channel);
  }
  return ingest_.get();
}

std::unique_ptr<grpc::ClientContext> Client::Context(bool unary) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!options_.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options_.token);
  }
  if (unary) {
    context->set_deadline(std::chrono::system_clock::now() + options_.timeout);
  }
  return context;
}

std::string DescribeError(const std::string& service,
                          const std::string& address,
                          const grpc::Status& status) {
  std::string line =
      absl::StrCat(service, " (", address, "): ", CodeName(status.error_code()),
                   ": ", status.error_message());
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    absl::StrAppend(&line,
                    "\nhint: is the suite running? start it with "
                    "`docker compose up` (see README), or pass the address "
                    "with --",
                    service, " / HITCLOCK_",
                    service == "catalog"   ? "CATALOG"
                    : service == "records" ? "RECORDS"
                                           : "INGEST",
                    "_ADDRESS");
  } else if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    absl::StrAppend(&line,
                    "\nhint: pass the suite's token with --token or "
                    "HITCLOCK_AUTH_TOKEN");
  }
  return line;
}

}  // namespace hitclock::client
