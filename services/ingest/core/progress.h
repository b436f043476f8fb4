// The progress rule of the forwarder's link to records: when work sent to a
// peer that has answered nothing counts as stalled. Pure: the caller passes
// the times.
#ifndef HITCLOCK_SERVICES_INGEST_CORE_PROGRESS_H_
#define HITCLOCK_SERVICES_INGEST_CORE_PROGRESS_H_

#include <optional>

#include "absl/time/time.h"

namespace hitclock::ingest::core {

// Watches one link for progress. Work is outstanding from `Busy` until
// `Idle` (or a result that leaves nothing outstanding); the link is stalled
// when work has been outstanding for longer than `deadline` with no result
// meanwhile. Each result restarts the wait. Not thread-safe.
class ProgressWatch {
 public:
  explicit ProgressWatch(absl::Duration deadline) : deadline_(deadline) {}

  // Work is outstanding from `now` on. When some already was, the wait
  // keeps its start: more work sent is not progress.
  void Busy(absl::Time now);
  // A result arrived at `now`: the wait restarts at `now` when `more` work
  // is still outstanding, else it ends.
  void Progressed(absl::Time now, bool more);
  // Nothing is outstanding any more (e.g. the stream was closed).
  void Idle() { waiting_since_.reset(); }

  // Whether work has been outstanding with no result for longer than the
  // deadline at `now`. Never true when idle.
  bool Stalled(absl::Time now) const;
  // The first instant at which `Stalled` is true if nothing happens
  // meanwhile; `absl::InfiniteFuture()` when idle.
  absl::Time StallTime() const;
  // Since when the outstanding work has waited with no result; nullopt when
  // idle.
  std::optional<absl::Time> waiting_since() const { return waiting_since_; }
  absl::Duration deadline() const { return deadline_; }

 private:
  const absl::Duration deadline_;
  std::optional<absl::Time> waiting_since_;
};

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_PROGRESS_H_
