#include "services/ingest/core/progress.h"

namespace hitclock::ingest::core {

void ProgressWatch::Busy(absl::Time now) {
  if (!waiting_since_) waiting_since_ = now;
}

void ProgressWatch::Progressed(absl::Time now, bool more) {
  if (more) {
    waiting_since_ = now;
  } else {
    waiting_since_.reset();
  }
}

bool ProgressWatch::Stalled(absl::Time now) const {
  return waiting_since_ && now - *waiting_since_ > deadline_;
}

absl::Time ProgressWatch::StallTime() const {
  if (!waiting_since_) return absl::InfiniteFuture();
  // `Stalled` is strict: the first instant past the deadline.
  return *waiting_since_ + deadline_ + absl::Nanoseconds(1);
}

}  // namespace hitclock::ingest::core
