// Fan-out of record-broken events to WatchRecordEvents subscribers.
#ifndef HITCLOCK_SERVICES_RECORDS_EVENT_HUB_H_
#define HITCLOCK_SERVICES_RECORDS_EVENT_HUB_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/statusor.h"
#include "hitclock/records/v1/records.pb.h"

namespace hitclock::records {

// Whether `event` passes the filters of a watch request (AND of the filters
// set; categories compared exactly, origin countries case-insensitively).
bool WatchMatches(const v1::WatchRecordEventsRequest& filter,
                  const v1::RecordBrokenEvent& event);

// How many may watch and how far each may fall behind.
struct EventHubOptions {
  // Events one subscriber may have waiting (`--watch-backlog`).
  size_t backlog = 16384;
  // Subscribers at once (`--max-watchers`); one more is refused.
  size_t max_subscribers = 1000;
};

// Delivers published events to subscribers through bounded queues: a
// subscriber whose queue is full is dropped (its state becomes
// `kOverflowed`) so that publishing never waits for a slow reader. Each
// event is built once and shared, immutable, by every queue it enters, so
// a thousand watchers cost a thousand pointers per event, not a thousand
// copies. Thread-safe.
class EventHub {
 public:
  using Event = std::shared_ptr<const v1::WatchRecordEventsResponse>;

  class Subscription {
   public:
    enum class State { kOpen, kOverflowed, kClosed };
    // Moves the oldest waiting event into `out`; false when none waits or
    // the subscription is no longer open.
    bool Pop(Event& out);
    State state() const;

   private:
    friend class EventHub;
    v1::WatchRecordEventsRequest filter_;
    std::function<void()> notify_;
    mutable std::mutex mu_;
    std::deque<Event> queue_;
    State state_ = State::kOpen;
  };

  explicit EventHub(EventHubOptions options = {}) : options_(options) {}

  // Subscribes with `filter`. `notify` is called (from the publishing
  // thread, with the hub's lock held: it must not call back into the hub)
  // whenever events were queued or the state changed. After `Shutdown` the
  // subscription starts closed. RESOURCE_EXHAUSTED when
  // `max_subscribers` are subscribed already.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(
      v1::WatchRecordEventsRequest filter, std::function<void()> notify);
  // After it returns, `notify` of `subscription` is never called again.
  // When the last subscriber leaves, freed memory goes back to the system.
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);

  // Queues each event for every subscriber whose filter it passes.
  void Publish(const std::vector<v1::RecordBrokenEvent>& events);

  // Closes every subscription (their streams end UNAVAILABLE) and every
  // later one; idempotent.
  void Shutdown();

  size_t subscriber_count() const;

 private:
  const EventHubOptions options_;
  mutable std::mutex mu_;
  bool shut_down_ = false;
  std::vector<std::shared_ptr<Subscription>> subscriptions_;
};

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_EVENT_HUB_H_
