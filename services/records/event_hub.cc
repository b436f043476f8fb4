#include "services/records/event_hub.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"

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

bool EventHub::Subscription::Pop(v1::WatchRecordEventsResponse& out) {
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

std::shared_ptr<EventHub::Subscription> EventHub::Subscribe(
    v1::WatchRecordEventsRequest filter, std::function<void()> notify) {
  auto subscription = std::make_shared<Subscription>();
  subscription->filter_ = std::move(filter);
  subscription->notify_ = std::move(notify);
  subscription->capacity_ = capacity_;
  std::lock_guard lock(mu_);
  if (shut_down_) {
    subscription->state_ = Subscription::State::kClosed;
  } else {
    subscriptions_.push_back(subscription);
  }
  return subscription;
}

void EventHub::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  std::lock_guard lock(mu_);
  std::erase(subscriptions_, subscription);
  subscription->notify_ = nullptr;
}

void EventHub::Publish(const std::vector<v1::RecordBrokenEvent>& events) {
  if (events.empty()) return;
  std::lock_guard lock(mu_);
  for (const auto& subscription : subscriptions_) {
    bool changed = false;
    {
      std::lock_guard sub_lock(subscription->mu_);
      if (subscription->state_ != Subscription::State::kOpen) continue;
      for (const v1::RecordBrokenEvent& event : events) {
        if (!WatchMatches(subscription->filter_, event)) continue;
        changed = true;
        if (subscription->queue_.size() >= subscription->capacity_) {
          subscription->state_ = Subscription::State::kOverflowed;
          subscription->queue_.clear();
          break;
        }
        *subscription->queue_.emplace_back().mutable_event() = event;
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
      subscription->queue_.clear();
    }
    if (subscription->notify_) subscription->notify_();
  }
}

size_t EventHub::subscriber_count() const {
  std::lock_guard lock(mu_);
  return subscriptions_.size();
}

}  // namespace hitclock::records
