#include "services/records/event_hub.h"

#include <malloc.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace hitclock::records {
namespace {

bool SameCategory(const v1::Category& a, const v1::Category& b) {
  return a.track_kind() == b.track_kind() && a.performer() == b.performer() &&
         a.release_year() == b.release_year() &&
         absl::AsciiStrToUpper(a.origin_country()) ==
             absl::AsciiStrToUpper(b.origin_country());
}

}  // namespace

bool WatchMatches(const v1::WatchRecordEventsRequest& filter,
                  const v1::RecordBrokenEvent& event) {
  const v1::RecordKey& key = event.record();
  if (filter.has_chart() &&
      (filter.chart().provider() != key.chart().provider() ||
       filter.chart().list() != key.chart().list())) {
    return false;
  }
  if (filter.metrics_size() > 0 &&
      std::find(filter.metrics().begin(), filter.metrics().end(),
                key.metric()) == filter.metrics().end()) {
    return false;
  }
  if (filter.min_regions_size() > 0 && key.metric() == v1::METRIC_FASTEST &&
      std::find(filter.min_regions().begin(), filter.min_regions().end(),
                key.min_regions()) == filter.min_regions().end()) {
    return false;
  }
  if (filter.categories_size() > 0 &&
      std::none_of(filter.categories().begin(), filter.categories().end(),
                   [&](const v1::Category& c) {
                     return SameCategory(c, key.category());
                   })) {
    return false;
  }
  if (filter.exclude_backfilled() && event.backfilled()) return false;
  return true;
}

bool EventHub::Subscription::Pop(Event& out) {
  std::lock_guard lock(mu_);
  if (state_ != State::kOpen || queue_.empty()) return false;
  out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

EventHub::Subscription::State EventHub::Subscription::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

absl::StatusOr<std::shared_ptr<EventHub::Subscription>> EventHub::Subscribe(
    v1::WatchRecordEventsRequest filter, std::function<void()> notify) {
  auto subscription = std::make_shared<Subscription>();
  subscription->filter_ = std::move(filter);
  subscription->notify_ = std::move(notify);
  std::lock_guard lock(mu_);
  if (!shut_down_ && subscriptions_.size() >= options_.max_subscribers) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "WatchRecordEvents: ", subscriptions_.size(),
        " watchers already, the most this server takes (--max-watchers); "
        "try again later"));
  }
  if (shut_down_) {
    subscription->state_ = Subscription::State::kClosed;
  } else {
    subscriptions_.push_back(subscription);
  }
  return subscription;
}

void EventHub::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  bool last = false;
  {
    std::lock_guard lock(mu_);
    last =
        std::erase(subscriptions_, subscription) > 0 && subscriptions_.empty();
    subscription->notify_ = nullptr;
  }
  {
    std::lock_guard sub_lock(subscription->mu_);
    std::deque<Event>().swap(subscription->queue_);
  }
  // glibc keeps freed memory for reuse; once nobody watches, the backlogs'
  // memory is handed back.
  if (last) malloc_trim(0);
}

void EventHub::Publish(const std::vector<v1::RecordBrokenEvent>& events) {
  if (events.empty()) return;
  // Each event's response, built when the first subscriber takes it.
  std::vector<Event> shared(events.size());
  std::lock_guard lock(mu_);
  for (const auto& subscription : subscriptions_) {
    bool changed = false;
    {
      std::lock_guard sub_lock(subscription->mu_);
      if (subscription->state_ != Subscription::State::kOpen) continue;
      for (size_t i = 0; i < events.size(); ++i) {
        if (!WatchMatches(subscription->filter_, events[i])) continue;
        changed = true;
        if (subscription->queue_.size() >= options_.backlog) {
          subscription->state_ = Subscription::State::kOverflowed;
          std::deque<Event>().swap(subscription->queue_);
          break;
        }
        if (shared[i] == nullptr) {
          auto response = std::make_shared<v1::WatchRecordEventsResponse>();
          *response->mutable_event() = events[i];
          shared[i] = std::move(response);
        }
        subscription->queue_.push_back(shared[i]);
      }
    }
    if (changed && subscription->notify_) subscription->notify_();
  }
}

void EventHub::Shutdown() {
  std::lock_guard lock(mu_);
  shut_down_ = true;
  for (const auto& subscription : subscriptions_) {
    {
      std::lock_guard sub_lock(subscription->mu_);
      if (subscription->state_ == Subscription::State::kOpen) {
        subscription->state_ = Subscription::State::kClosed;
      }
      std::deque<Event>().swap(subscription->queue_);
    }
    if (subscription->notify_) subscription->notify_();
  }
}

size_t EventHub::subscriber_count() const {
  std::lock_guard lock(mu_);
  return subscriptions_.size();
}

}  // namespace hitclock::records
