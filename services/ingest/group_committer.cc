#include "services/ingest/group_committer.h"

#include <vector>

#include "absl/time/clock.h"

namespace hitclock::ingest {

GroupCommitter::GroupCommitter(IngestStore& store,
                               std::function<void()> committed)
    : store_(store), committed_(std::move(committed)) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

bool GroupCommitter::Enqueue(Submission submission, Callback done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return false;
  queue_.emplace_back(std::move(submission), std::move(done));
  cv_.notify_one();
  return true;
}

void GroupCommitter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void GroupCommitter::Run() {
  std::vector<std::pair<Submission, Callback>> batch;
  std::vector<const Submission*> pointers;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    pointers.clear();
    for (const auto& [submission, done] : batch)
      pointers.push_back(&submission);
    auto results = store_.Submit(pointers, absl::Now());
    if (results.ok() && committed_) committed_();
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].second(results.ok()
                          ? std::move((*results)[i])
                          : absl::StatusOr<SubmitResult>(results.status()));
    }
    batch.clear();
  }
}

}  // namespace hitclock::ingest
