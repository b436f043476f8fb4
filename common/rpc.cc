#include "common/rpc.h"

#include <spdlog/spdlog.h>

#include "common/server_interceptor.h"

namespace hitclock::common {

absl::Status CheckCallAllowed(const grpc::CallbackServerContext* ctx) {
  const auto& metadata = ctx->client_metadata();
  auto it = metadata.find(internal::kAuthVerdictKey);
  if (it == metadata.end()) return absl::OkStatus();
  const std::string_view verdict(it->second.data(), it->second.size());
  if (verdict == internal::kVerdictAllowed) return absl::OkStatus();
  if (verdict == internal::kVerdictWrong) {
    return absl::UnauthenticatedError("authorization: wrong bearer token");
  }
  return absl::UnauthenticatedError(
      "authorization: this method needs metadata "
      "'authorization: Bearer <token>'");
}

grpc::ServerUnaryReactor* Respond(grpc::CallbackServerContext* ctx,
                                  absl::FunctionRef<absl::Status()> fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Status status = CheckCallAllowed(ctx);
  if (status.ok()) {
    try {
      status = fn();
    } catch (const std::exception& e) {
      spdlog::error("handler threw: {}", e.what());
      status = absl::InternalError("internal error");
    } catch (...) {
      spdlog::error("handler threw a non-standard exception");
      status = absl::InternalError("internal error");
    }
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace hitclock::common
