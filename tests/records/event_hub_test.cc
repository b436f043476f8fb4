// The event hub alone: filters, bounded queues that drop a slow subscriber,
// and shutdown.
#include "services/records/event_hub.h"

#include <atomic>
#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace hitclock::records {
namespace {

v1::RecordBrokenEvent Event(v1::Metric metric, int n, bool backfilled = false,
                            const std::string& origin = "") {
  v1::RecordBrokenEvent e;
  e.mutable_record()->mutable_chart()->set_provider("itunes");
  e.mutable_record()->mutable_chart()->set_list("top-songs");
  e.mutable_record()->set_metric(metric);
  e.mutable_record()->set_min_regions(n);
  e.mutable_record()->mutable_category()->set_origin_country(origin);
  e.set_backfilled(backfilled);
  return e;
}

TEST(WatchMatchesTest, FiltersCombineWithAnd) {
  v1::WatchRecordEventsRequest all;
  EXPECT_TRUE(WatchMatches(all, Event(v1::METRIC_TOTAL, 0)));

  v1::WatchRecordEventsRequest fastest100;
  fastest100.add_metrics(v1::METRIC_FASTEST);
  fastest100.add_min_regions(100);
  EXPECT_TRUE(WatchMatches(fastest100, Event(v1::METRIC_FASTEST, 100)));
  EXPECT_FALSE(WatchMatches(fastest100, Event(v1::METRIC_FASTEST, 50)));
  EXPECT_FALSE(WatchMatches(fastest100, Event(v1::METRIC_PEAK, 0)));

  v1::WatchRecordEventsRequest live_kr;
  live_kr.set_exclude_backfilled(true);
  live_kr.add_categories()->set_origin_country("kr");
  EXPECT_TRUE(WatchMatches(live_kr, Event(v1::METRIC_PEAK, 0, false, "KR")));
  EXPECT_FALSE(WatchMatches(live_kr, Event(v1::METRIC_PEAK, 0, true, "KR")));
  EXPECT_FALSE(WatchMatches(live_kr, Event(v1::METRIC_PEAK, 0, false, "")));

  v1::WatchRecordEventsRequest other_chart;
  other_chart.mutable_chart()->set_provider("spotify");
  other_chart.mutable_chart()->set_list("top-songs");
  EXPECT_FALSE(WatchMatches(other_chart, Event(v1::METRIC_PEAK, 0)));
}

TEST(EventHubTest, DeliversInOrderAndDropsASlowSubscriber) {
  EventHub hub({.backlog = 3});
  std::atomic<int> notified = 0;
  auto fast = *hub.Subscribe({}, [&] { ++notified; });
  v1::WatchRecordEventsRequest only_peak;
  only_peak.add_metrics(v1::METRIC_PEAK);
  auto filtered = *hub.Subscribe(only_peak, [] {});
  hub.Publish({Event(v1::METRIC_TOTAL, 0), Event(v1::METRIC_PEAK, 0)});
  EXPECT_EQ(notified, 1);
  EventHub::Event r;
  ASSERT_TRUE(fast->Pop(r));
  EXPECT_EQ(r->event().record().metric(), v1::METRIC_TOTAL);
  ASSERT_TRUE(fast->Pop(r));
  EXPECT_EQ(r->event().record().metric(), v1::METRIC_PEAK);
  EXPECT_FALSE(fast->Pop(r));
  ASSERT_TRUE(filtered->Pop(r));
  EXPECT_EQ(r->event().record().metric(), v1::METRIC_PEAK);

  // `filtered` never reads again: the fourth waiting event drops it, and
  // publishing goes on for the others.
  for (int i = 0; i < 5; ++i) {
    hub.Publish({Event(v1::METRIC_PEAK, 0)});
    EXPECT_TRUE(fast->Pop(r));
  }
  EXPECT_EQ(filtered->state(), EventHub::Subscription::State::kOverflowed);
  EXPECT_FALSE(filtered->Pop(r));
  EXPECT_EQ(fast->state(), EventHub::Subscription::State::kOpen);

  hub.Unsubscribe(filtered);
  EXPECT_EQ(hub.subscriber_count(), 1u);
  hub.Shutdown();
  EXPECT_EQ(fast->state(), EventHub::Subscription::State::kClosed);
  EXPECT_EQ((*hub.Subscribe({}, [] {}))->state(),
            EventHub::Subscription::State::kClosed);
}

TEST(EventHubTest, SubscribersShareOneImmutableCopyOfEachEvent) {
  EventHub hub;
  std::vector<std::shared_ptr<EventHub::Subscription>> subscribers;
  for (int i = 0; i < 100; ++i)
    subscribers.push_back(*hub.Subscribe({}, [] {}));
  hub.Publish({Event(v1::METRIC_TOTAL, 0), Event(v1::METRIC_PEAK, 0)});
  EventHub::Event first, second;
  ASSERT_TRUE(subscribers[0]->Pop(first));
  ASSERT_TRUE(subscribers[0]->Pop(second));
  for (size_t i = 1; i < subscribers.size(); ++i) {
    EventHub::Event a, b;
    ASSERT_TRUE(subscribers[i]->Pop(a));
    ASSERT_TRUE(subscribers[i]->Pop(b));
    EXPECT_EQ(a.get(), first.get()) << i;  // the same object, not a copy
    EXPECT_EQ(b.get(), second.get()) << i;
  }
  // Every queue has let go of it: only these two handles remain.
  EXPECT_EQ(first.use_count(), 1);
  EXPECT_EQ(second->event().record().metric(), v1::METRIC_PEAK);
}

TEST(EventHubTest, RefusesSubscribersBeyondTheCapAndTakesThemWhenOneLeaves) {
  EventHub hub({.max_subscribers = 2});
  auto a = hub.Subscribe({}, [] {});
  auto b = hub.Subscribe({}, [] {});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  absl::StatusOr<std::shared_ptr<EventHub::Subscription>> c =
      hub.Subscribe({}, [] {});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(c.status().message(),
            "WatchRecordEvents: 2 watchers already, the most this server "
            "takes (--max-watchers); try again later");
  // A waiting backlog is released when its subscriber leaves.
  hub.Publish({Event(v1::METRIC_TOTAL, 0)});
  EventHub::Event held;
  ASSERT_TRUE((*b)->Pop(held));
  hub.Unsubscribe(*a);
  EXPECT_EQ(held.use_count(), 1);  // a's queued copy went with a
  EXPECT_TRUE(hub.Subscribe({}, [] {}).ok());
}

}  // namespace
}  // namespace hitclock::records
