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

// The shortest interval between the pings of a client that the servers
// (`RunningServer`) accept, with or without calls: a client pinging more
// often is sent GOAWAY (`too_many_pings`).
inline constexpr absl::Duration kMinClientPingInterval = absl::Seconds(10);

// Keepalive pings on a client channel: a ping every `time` (at least
// `kMinClientPingInterval`), with or without calls, and the connection
// closed, failing its calls with UNAVAILABLE, when a ping is not answered
// within `timeout`. A peer whose process is frozen answers no ping. A zero
// `time` sends none (gRPC's default for clients).
struct ClientKeepalive {
  absl::Duration time = absl::ZeroDuration();
  absl::Duration timeout = absl::Seconds(20);
};

// A channel to `address`. Fails only when the CA file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreatePeerChannel(
    const std::string& address, const ClientTls& tls = {},
    const ClientKeepalive& keepalive = {});

// Adds `authorization: Bearer <token>` to an outgoing call (no-op if empty).
void SetBearerToken(grpc::ClientContext* context, std::string_view token);

// Calls grpc.health.v1.Health/Check for `service` at `address`; returns 0
// when the answer is SERVING within `timeout`, 1 otherwise (and says why on
// stderr).
int Probe(const std::string& address, const std::string& service,
          absl::Duration timeout = absl::Seconds(3), const ClientTls& tls = {});

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_PROBE_H_
