// Glue for callback-API handlers: status conversion, exception safety and the
// auth verdict, in one call.
#ifndef HITCLOCK_COMMON_RPC_H_
#define HITCLOCK_COMMON_RPC_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_callback.h>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/grpc_status.h"

namespace hitclock::common {

// Returns UNAUTHENTICATED when the server's interceptor refused this call
// (write method, or read with --auth-reads, without the right bearer token),
// OK otherwise. `Respond` calls it for unary methods; a streaming handler
// must call it first and finish with its status before doing anything.
// Calls on a server not built by `RunningServer` carry no verdict and are
// allowed.
absl::Status CheckCallAllowed(const grpc::CallbackServerContext* ctx);

// The whole body of a unary callback handler:
//   return Respond(ctx, [&] { return handler_.GetArtist(*request, response);
//   });
// If `CheckCallAllowed(ctx)` refuses the call, `fn` does not run and the call
// finishes UNAUTHENTICATED. Otherwise runs `fn`, converts its status once with
// `ToGrpcStatus`, turns an escaped exception into INTERNAL (logged, message
// not leaked), and finishes the call's default reactor. The response message
// is only sent when the status is OK.
grpc::ServerUnaryReactor* Respond(grpc::CallbackServerContext* ctx,
                                  absl::FunctionRef<absl::Status()> fn);

// `Respond` for a handler method that returns its response:
//   return RespondWith(ctx, response, [&] { return
//   handler_.GetArtist(*request); });
// `fn` returns `absl::StatusOr<Response>`; when OK the value is moved into
// `*response`.
template <typename Response, typename Fn>
grpc::ServerUnaryReactor* RespondWith(grpc::CallbackServerContext* ctx,
                                      Response* response, Fn&& fn) {
  return Respond(ctx, [&]() -> absl::Status {
    absl::StatusOr<Response> result = fn();
    if (!result.ok()) return result.status();
    *response = *std::move(result);
    return absl::OkStatus();
  });
}

// A server-streaming reactor that finishes at once with `status`, for
// streaming handlers that fail before streaming (e.g. `CheckCallAllowed`):
//   if (auto s = CheckCallAllowed(ctx); !s.ok()) return FailedWriter<T>(s);
template <typename Response>
grpc::ServerWriteReactor<Response>* FailedWriter(const absl::Status& status) {
  class Reactor final : public grpc::ServerWriteReactor<Response> {
   public:
    explicit Reactor(const absl::Status& s) { this->Finish(ToGrpcStatus(s)); }
    void OnDone() override { delete this; }
  };
  return new Reactor(status);
}

// The same for client-streaming methods.
template <typename Request>
grpc::ServerReadReactor<Request>* FailedReader(const absl::Status& status) {
  class Reactor final : public grpc::ServerReadReactor<Request> {
   public:
    explicit Reactor(const absl::Status& s) { this->Finish(ToGrpcStatus(s)); }
    void OnDone() override { delete this; }
  };
  return new Reactor(status);
}

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_RPC_H_
