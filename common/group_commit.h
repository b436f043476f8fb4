// Group commit, the one design the services share: items queued from any
// number of streams are committed together by one background thread,
// whatever is queued when the previous commit is done going into the next
// one (at most `max_batch` items), and each item's callback runs only after
// the commit that holds it, with its own result, in queue order. Under load
// many small commits become few large ones; no caller (a gRPC reactor
// above all) ever waits for a commit on its own thread.

#ifndef HITCLOCK_COMMON_GROUP_COMMIT_H_
#define HITCLOCK_COMMON_GROUP_COMMIT_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace hitclock::common {

template <typename Item, typename Result>
class GroupCommitter {
 public:
  // Commits a batch (on the committer thread): one result per item, in
  // order. It may move from the items.
  using CommitFn = std::function<std::vector<Result>(std::vector<Item>&)>;
  // Receives one item's result, on the committer thread.
  using Done = std::function<void(Result)>;

  GroupCommitter(CommitFn commit, size_t max_batch)
      : commit_(std::move(commit)), max_batch_(max_batch) {
    thread_ = std::thread([this] { Run(); });
  }
  ~GroupCommitter() { Stop(); }

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `item`; `done` runs on the committer thread once its batch is
  // committed. Returns false (and drops `done` without calling it) after
  // `Stop`.
  bool Enqueue(Item item, Done done) {
    std::lock_guard lock(mu_);
    if (stop_) return false;
    queue_.emplace_back(std::move(item), std::move(done));
    cv_.notify_one();
    return true;
  }

  // Commits what is queued, then stops the thread. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::vector<Item> items;
    std::vector<Done> dones;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping with nothing left
        while (!queue_.empty() && items.size() < max_batch_) {
          items.push_back(std::move(queue_.front().first));
          dones.push_back(std::move(queue_.front().second));
          queue_.pop_front();
        }
      }
      std::vector<Result> results = commit_(items);
      for (size_t i = 0; i < dones.size(); ++i) {
        dones[i](std::move(results[i]));
      }
      items.clear();
      dones.clear();
    }
  }

  CommitFn commit_;
  const size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<Item, Done>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_GROUP_COMMIT_H_
