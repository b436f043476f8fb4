#include "common/server_interceptor.h"

#include <grpcpp/server_context.h>

#include <chrono>
#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "common/logging.h"

namespace hitclock::common::internal {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The canonical name of a status code (`INVALID_ARGUMENT`): gRPC's codes are
// abseil's.
std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

class Interceptor final : public grpc::experimental::Interceptor {
 public:
  Interceptor(grpc::experimental::ServerRpcInfo* info, const AuthPolicy& policy)
      : info_(info),
        policy_(policy),
        start_(std::chrono::steady_clock::now()) {}

  ~Interceptor() override {
    if (!logged_) Log(grpc::StatusCode::CANCELLED, "call ended without status");
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      peer_ = info_->server_context()->peer();
      Decide(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr && SingleRequest()) {
      // A call with one request message got none: gRPC could not parse it.
      unparsable_ = true;
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      if (unparsable_ && !denied_ &&
          methods->GetSendStatus().error_code() ==
              grpc::StatusCode::UNIMPLEMENTED) {
        // gRPC answers a request it cannot parse UNIMPLEMENTED with no
        // message; say what is wrong.
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "request: is not a valid message of this method (a string "
            "field holds invalid UTF-8, or the bytes are not protobuf)"));
      }
      if (denied_) {
        // The handler was told (CheckCallAllowed) not to run; whatever it
        // answered, the client gets UNAUTHENTICATED.
        grpc::Status status = methods->GetSendStatus();
        if (status.error_code() != grpc::StatusCode::UNAUTHENTICATED) {
          methods->ModifySendStatus(
              grpc::Status(grpc::StatusCode::UNAUTHENTICATED, DeniedMessage()));
        }
      }
      grpc::Status status = methods->GetSendStatus();
      Log(status.error_code(), status.error_message());
    }
    methods->Proceed();
  }

 private:
  std::string DeniedMessage() const {
    return verdict_ == kVerdictWrong
               ? "authorization: wrong bearer token"
               : "authorization: this method needs metadata "
                 "'authorization: Bearer <token>'";
  }

  // Unary and server-streaming calls carry exactly one request message, so
  // a missing one means it failed to parse. (A client stream's parse
  // failure looks like its end to an interceptor.)
  bool SingleRequest() const {
    using Type = grpc::experimental::ServerRpcInfo::Type;
    return info_->type() == Type::UNARY ||
           info_->type() == Type::SERVER_STREAMING;
  }

  void Decide(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) return;
    // Only the interceptor may speak under kAuthVerdictKey.
    metadata->erase(grpc::string_ref(kAuthVerdictKey));
    const char* verdict = kVerdictAllowed;
    if (policy_.NeedsToken(info_->method())) {
      verdict = kVerdictMissing;
      auto [begin, end] = metadata->equal_range("authorization");
      for (auto it = begin; it != end; ++it) {
        absl::string_view value(it->second.data(), it->second.size());
        if (value.size() < 7 ||
            !absl::EqualsIgnoreCase(value.substr(0, 7), "bearer ")) {
          continue;
        }
        const absl::string_view presented =
            absl::StripAsciiWhitespace(value.substr(7));
        verdict = ConstantTimeEquals(
                      std::string_view(presented.data(), presented.size()),
                      policy_.token)
                      ? kVerdictAllowed
                      : kVerdictWrong;
        if (verdict == kVerdictAllowed) break;
      }
    }
    verdict_ = verdict;
    denied_ = verdict != kVerdictAllowed;
    metadata->emplace(grpc::string_ref(kAuthVerdictKey),
                      grpc::string_ref(verdict));
  }

  void Log(grpc::StatusCode code, const std::string& message) {
    logged_ = true;
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start_)
                          .count();
    LogFields fields = {
        {"method", info_->method()},
        {"code", CodeName(code)},
        {"latency_ms", absl::StrFormat("%.3f", ms)},
        {"peer", peer_},
    };
    if (code != grpc::StatusCode::OK) fields.emplace_back("error", message);
    if (code == grpc::StatusCode::INTERNAL ||
        code == grpc::StatusCode::UNKNOWN ||
        code == grpc::StatusCode::DATA_LOSS) {
      LogWarn("rpc", fields);
    } else {
      LogInfo("rpc", fields);
    }
  }

  grpc::experimental::ServerRpcInfo* info_;
  const AuthPolicy& policy_;
  std::chrono::steady_clock::time_point start_;
  std::string peer_;
  const char* verdict_ = kVerdictAllowed;
  bool denied_ = false;
  bool unparsable_ = false;
  bool logged_ = false;
};

class Factory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(AuthPolicy policy) : policy_(std::move(policy)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new Interceptor(info, policy_);
  }

 private:
  const AuthPolicy policy_;
};

}  // namespace

bool AuthPolicy::NeedsToken(std::string_view method) const {
  if (token.empty()) return false;
  if (method.starts_with("/grpc.health.v1.") ||
      method.starts_with("/grpc.reflection.")) {
    return false;
  }
  if (auth_reads) return true;
  return read_methods.count(std::string(method)) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? a[i] : 0;
    const unsigned char y = i < b.size() ? b[i] : 0;
    diff = diff | (x ^ y);
  }
  return diff == 0;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MakeServerInterceptorFactory(AuthPolicy policy) {
  return std::make_unique<Factory>(std::move(policy));
}

}  // namespace hitclock::common::internal
