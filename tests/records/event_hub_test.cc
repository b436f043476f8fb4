// The event hub alone: filters, bounded queues that drop a slow subscriber,
// and shutdown.
#include "services/records/event_hub.h"

#include <atomic>

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
  EventHub hub(/*capacity=*/3);
  std::atomic<int> notified = 0;
  auto fast = hub.Subscribe({}, [&] { ++notified; });
  v1::WatchRecordEventsRequest only_peak;
  only_peak.add_metrics(v1::METRIC_PEAK);
  auto filtered = hub.Subscribe(only_peak, [] {});
  hub.Publish({Event(v1::METRIC_TOTAL, 0), Event(v1::METRIC_PEAK, 0)});
  EXPECT_EQ(notified, 1);
  v1::WatchRecordEventsResponse r;
  ASSERT_TRUE(fast->Pop(r));
  EXPECT_EQ(r.event().record().metric(), v1::METRIC_TOTAL);
  ASSERT_TRUE(fast->Pop(r));
  EXPECT_EQ(r.event().record().metric(), v1::METRIC_PEAK);
  EXPECT_FALSE(fast->Pop(r));
  ASSERT_TRUE(filtered->Pop(r));
  EXPECT_EQ(r.event().record().metric(), v1::METRIC_PEAK);

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
  EXPECT_EQ(hub.Subscribe({}, [] {})->state(),
            EventHub::Subscription::State::kClosed);
}

}  // namespace
}  // namespace hitclock::records
