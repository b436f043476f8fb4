// Health probing (`--probe`) and client channels to peer services.
#ifndef HITCLOCK_COMMON_PROBE_H_
#define HITCLOCK_COMMON_PROBE_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/options.h"

namespace hitclock::common {

// How a client reaches a server: plaintext when `enabled` is false, else TLS
// verified against the PEM bundle in `ca_file` (system roots when empty).
struct ClientTls {
  bool enabled = false;
  std::string ca_file;
  std::string target_name_override;  // e.g. "localhost" for a test cert
};

// The client TLS settings implied by a service's options: TLS when the
// service itself serves TLS, trusting --tls-ca, or --tls-cert if no CA given.
ClientTls ClientTlsFor(const ServiceOptions& options);

// A channel to `address`. Fails only when the CA file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreatePeerChannel(
    const std::string& address, const ClientTls& tls = {});

// Adds `authorization: Bearer <token>` to an outgoing call (no-op if empty).
void SetBearerToken(grpc::ClientContext* context, std::string_view token);

// Calls grpc.health.v1.Health/Check for `service` at `address`; returns 0
// when the answer is SERVING within `timeout`, 1 otherwise (and says why on
// stderr).
int Probe(const std::string& address, const std::string& service,
          absl::Duration timeout = absl::Seconds(3), const ClientTls& tls = {});

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_PROBE_H_
