// The one conversion between `absl::Status` and `grpc::Status`, at the edge
// (library `hitclock_common`, the gRPC runtime). Code below the service glue
// uses `common/status.h`, which has no gRPC.
#ifndef HITCLOCK_COMMON_GRPC_STATUS_H_
#define HITCLOCK_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace hitclock::common {

// Returns the `grpc::Status` with the same code and message as `status`.
// This is the one place where internal statuses become wire statuses.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Returns the `absl::Status` with the same code and message as `status`
// (for services that call their peers).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_GRPC_STATUS_H_
