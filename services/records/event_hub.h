// Fan-out of record-broken events to WatchRecordEvents subscribers.
#ifndef HITCLOCK_SERVICES_RECORDS_EVENT_HUB_H_
#define HITCLOCK_SERVICES_RECORDS_EVENT_HUB_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "hitclock/records/v1/records.pb.h"

namespace hitclock::records {

// Whether `event` passes the filters of a watch request (AND of the filters
// set; categories compared exactly, origin countries case-insensitively).
bool WatchMatches(const v1::WatchRecordEventsRequest& filter,
                  const v1::RecordBrokenEvent& event);

// Delivers published events to subscribers through bounded queues: a
// subscriber whose queue is full is dropped (its state becomes
// `kOverflowed`) so that publishing never waits for a slow reader.
// Thread-safe.
class EventHub {
 public:
  // Events one subscriber may have waiting.
  static constexpr size_t kDefaultCapacity = 1024;

  class Subscription {
   public:
    enum class State { kOpen, kOverflowed, kClosed };
    // Moves the oldest waiting event into `out`; false when none waits or
    // the subscription is no longer open.
    bool Pop(v1::WatchRecordEventsResponse& out);
    State state() const;

   private:
    friend class EventHub;
    v1::WatchRecordEventsRequest filter_;
    std::function<void()> notify_;
    size_t capacity_ = kDefaultCapacity;
    mutable std::mutex mu_;
    std::deque<v1::WatchRecordEventsResponse> queue_;
    State state_ = State::kOpen;
  };

  explicit EventHub(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Subscribes with `filter`. `notify` is called (from the publishing
  // thread, with the hub's lock held: it must not call back into the hub)
  // whenever events were queued or the state changed. After `Shutdown` the
  // subscription starts closed.
  std::shared_ptr<Subscription> Subscribe(v1::WatchRecordEventsRequest filter,
                                          std::function<void()> notify);
  // After it returns, `notify` of `subscription` is never called again.
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);

  // Queues each event for every subscriber whose filter it passes.
  void Publish(const std::vector<v1::RecordBrokenEvent>& events);

  // Closes every subscription (their streams end UNAVAILABLE) and every
  // later one; idempotent.
  void Shutdown();

  size_t subscriber_count() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  bool shut_down_ = false;
  std::vector<std::shared_ptr<Subscription>> subscriptions_;
};

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_EVENT_HUB_H_
