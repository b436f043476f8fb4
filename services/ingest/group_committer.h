// Group commit: snapshots from every stream committed together, one
// transaction per batch, each acknowledged only after its batch commits.
#ifndef HITCLOCK_SERVICES_INGEST_GROUP_COMMITTER_H_
#define HITCLOCK_SERVICES_INGEST_GROUP_COMMITTER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "services/ingest/store/ingest_store.h"

namespace hitclock::ingest {

// Commits queued submissions on one background thread: whatever is queued
// when the previous batch is done (at most `kMaxBatch`) goes into one
// transaction, then each submission's callback gets its own result, in
// queue order. Under load this turns many small commits into few large ones
// without ever acknowledging before the commit.
class GroupCommitter {
 public:
  using Callback = std::function<void(absl::StatusOr<SubmitResult>)>;
  static constexpr size_t kMaxBatch = 512;

  // `committed` runs after each batch that committed (e.g. to wake the
  // forwarder).
  GroupCommitter(IngestStore& store, std::function<void()> committed);
  ~GroupCommitter();  // Stop()

  // Queues `submission`; `done` runs on the committer thread once it is
  // committed or failed. Returns false (and drops `done` without calling
  // it) after Stop.
  bool Enqueue(Submission submission, Callback done);

  // Commits what is queued, then stops the thread. Idempotent.
  void Stop();

 private:
  void Run();

  IngestStore& store_;
  std::function<void()> committed_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Submission, Callback>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_GROUP_COMMITTER_H_
