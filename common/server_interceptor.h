// Internal to common/: the server interceptor that decides auth and logs
// every RPC, and the verdict it leaves for `CheckCallAllowed`.
#ifndef HITCLOCK_COMMON_SERVER_INTERCEPTOR_H_
#define HITCLOCK_COMMON_SERVER_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace hitclock::common::internal {

// The client-metadata key under which the interceptor records its auth
// verdict for the handler. Any value a client sent under this key is removed
// before the verdict is written, so only the interceptor can set it.
inline constexpr char kAuthVerdictKey[] = "x-hitclock-auth-verdict";
inline constexpr char kVerdictAllowed[] = "allowed";
inline constexpr char kVerdictMissing[] = "missing";
inline constexpr char kVerdictWrong[] = "wrong";

struct AuthPolicy {
  std::string token;  // empty: everything is open
  bool auth_reads = false;
  std::set<std::string> read_methods;

  // Whether `method` ("/pkg.Service/Method") needs the token.
  bool NeedsToken(std::string_view method) const;
};

// `a == b` in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeServerInterceptorFactory(AuthPolicy policy);

}  // namespace hitclock::common::internal

#endif  // HITCLOCK_COMMON_SERVER_INTERCEPTOR_H_
