// Ingest's group committer: the shared group-commit design
// (`common::GroupCommitter`) over the ingest store, so that snapshots from
// every stream are committed together, one transaction per batch, each
// acknowledged only after its batch commits.
#ifndef HITCLOCK_SERVICES_INGEST_GROUP_COMMITTER_H_
#define HITCLOCK_SERVICES_INGEST_GROUP_COMMITTER_H_

#include <functional>

#include "absl/status/statusor.h"
#include "common/group_commit.h"
#include "services/ingest/store/ingest_store.h"

namespace hitclock::ingest {

// Commits queued submissions on one background thread: whatever is queued
// when the previous batch is done (at most `kMaxBatch`) goes into one
// transaction, then each submission's callback gets its own result, in
// queue order.
class GroupCommitter
    : public common::GroupCommitter<Submission, absl::StatusOr<SubmitResult>> {
 public:
  using Callback = Done;
  static constexpr size_t kMaxBatch = 512;

  // `committed` runs after each batch that committed (e.g. to wake the
  // forwarder), before the batch's callbacks.
  GroupCommitter(IngestStore& store, std::function<void()> committed);
};

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_GROUP_COMMITTER_H_
