#include "services/ingest/core/progress.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace hitclock::ingest::core {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1650000000);

TEST(ProgressWatch, AnIdleLinkNeverStalls) {
  ProgressWatch watch(absl::Seconds(10));
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Hours(5)));
  EXPECT_EQ(watch.StallTime(), absl::InfiniteFuture());
  EXPECT_EQ(watch.waiting_since(), std::nullopt);
}

TEST(ProgressWatch, WorkUnansweredForMoreThanTheDeadlineIsAStall) {
  ProgressWatch watch(absl::Seconds(10));
  watch.Busy(kT0);
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Seconds(9)));
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Seconds(10)));  // exactly: not yet
  EXPECT_TRUE(watch.Stalled(kT0 + absl::Seconds(10) + absl::Nanoseconds(1)));
  EXPECT_TRUE(watch.Stalled(watch.StallTime()));
  EXPECT_FALSE(watch.Stalled(watch.StallTime() - absl::Nanoseconds(1)));
  EXPECT_EQ(watch.waiting_since(), kT0);
}

TEST(ProgressWatch, MoreWorkSentIsNotProgress) {
  ProgressWatch watch(absl::Seconds(10));
  watch.Busy(kT0);
  watch.Busy(kT0 + absl::Seconds(8));
  EXPECT_EQ(watch.waiting_since(), kT0);
  EXPECT_TRUE(watch.Stalled(kT0 + absl::Seconds(11)));
}

TEST(ProgressWatch, EachResultRestartsTheWait) {
  ProgressWatch watch(absl::Seconds(10));
  watch.Busy(kT0);
  watch.Progressed(kT0 + absl::Seconds(8), /*more=*/true);
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Seconds(17)));
  EXPECT_TRUE(watch.Stalled(kT0 + absl::Seconds(19)));
  EXPECT_EQ(watch.StallTime(), kT0 + absl::Seconds(18) + absl::Nanoseconds(1));
}

TEST(ProgressWatch, TheLastResultEndsTheWait) {
  ProgressWatch watch(absl::Seconds(10));
  watch.Busy(kT0);
  watch.Progressed(kT0 + absl::Seconds(1), /*more=*/false);
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Hours(1)));
  // Work sent an hour later waits from then, not from the last result.
  watch.Busy(kT0 + absl::Hours(1));
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Hours(1) + absl::Seconds(10)));
  EXPECT_TRUE(watch.Stalled(kT0 + absl::Hours(1) + absl::Seconds(11)));
}

TEST(ProgressWatch, IdleForgetsTheWait) {
  ProgressWatch watch(absl::Seconds(1));
  watch.Busy(kT0);
  watch.Idle();
  EXPECT_FALSE(watch.Stalled(kT0 + absl::Minutes(1)));
  watch.Busy(kT0 + absl::Minutes(1));
  EXPECT_EQ(watch.waiting_since(), kT0 + absl::Minutes(1));
}

}  // namespace
}  // namespace hitclock::ingest::core
