// gRPC server reflection (v1alpha, what grpcurl speaks) answered from the
// suite's descriptors with their comments, so that `grpcurl describe` shows
// every proto comment: a user discovers the API from the running server.
#ifndef HITCLOCK_COMMON_REFLECTION_H_
#define HITCLOCK_COMMON_REFLECTION_H_

#include <string>
#include <vector>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"

namespace hitclock::common {

namespace reflection = ::grpc::reflection::v1alpha;

// The answer to one reflection request. Files are looked up first among the
// suite's own descriptors (with comments), then among every message compiled
// into the binary (without); a file comes with the files it imports,
// transitively. `services` is what list_services answers. An unknown name is
// an `error_response` with NOT_FOUND, never a failed stream.
reflection::ServerReflectionResponse AnswerReflection(
    const reflection::ServerReflectionRequest& request,
    const std::vector<std::string>& services);

// The reflection service: each request of a stream answered in order by
// `AnswerReflection`.
class ReflectionService final
    : public reflection::ServerReflection::CallbackService {
 public:
  // `services`: the full names of the services the server serves.
  explicit ReflectionService(std::vector<std::string> services);

  grpc::ServerBidiReactor<reflection::ServerReflectionRequest,
                          reflection::ServerReflectionResponse>*
  ServerReflectionInfo(grpc::CallbackServerContext* context) override;

 private:
  const std::vector<std::string> services_;
};

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_REFLECTION_H_
