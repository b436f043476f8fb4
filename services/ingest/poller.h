// Polling of configured feed URLs: a scheduler thread that fetches each
// source on its interval with libcurl (timeouts, conditional requests,
// capped backoff on failure) and ingests what it gets like ImportFeed.
#ifndef HITCLOCK_SERVICES_INGEST_POLLER_H_
#define HITCLOCK_SERVICES_INGEST_POLLER_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/page_token.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "services/ingest/feed_import.h"

namespace hitclock::ingest {

// One configured feed source (a line of the `--feeds` file).
struct FeedSourceConfig {
  std::string id;
  std::string url;
  v1::FeedFormat format = v1::FEED_FORMAT_UNSPECIFIED;
  std::string chart;   // "itunes/top-songs"; "" for the format's default
  std::string region;  // storefront code; "" to take it from the feed
  absl::Duration interval = absl::Minutes(5);
};

// Parses the feeds file (format in `services/ingest/FEEDS.md`): one source
// per line, `id url format [key=value...]` with keys `chart`, `region`,
// `interval` (seconds, or with a unit: `90s`, `5m`); `#` starts a comment.
// INVALID_ARGUMENT naming the line for a bad line or a repeated id.
absl::StatusOr<std::vector<FeedSourceConfig>> ParseFeedsFile(
    const std::string& text);

// How the poller fetches.
struct PollerOptions {
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(20);
  // Backoff after consecutive failures: the interval doubled per failure
  // from `initial_backoff`, capped at `max_backoff`, with jitter.
  absl::Duration initial_backoff = absl::Seconds(5);
  absl::Duration max_backoff = absl::Minutes(10);
  // The largest body accepted.
  size_t max_body_bytes = size_t{16} << 20;
  // Whether the scheduler thread polls sources on their own (off in tests
  // that poll by hand).
  bool schedule = true;
};

// The sources and their polling state. Thread-safe. What a poll fetches
// goes to `import` (the handler's `ImportFeedContent` in the service): the
// poller knows nothing else of the handler.
class Poller {
 public:
  Poller(std::vector<FeedSourceConfig> sources, FeedImporter import,
         PollerOptions options);
  ~Poller();  // Stop()

  void Start();
  void Stop();

  // The sources by id, a page at a time; page tokens are issued and checked
  // with `tokens` (the store's key).
  absl::StatusOr<v1::ListFeedSourcesResponse> List(
      const v1::ListFeedSourcesRequest& request,
      const common::PageTokens& tokens);
  // Polls source `id` now. NOT_FOUND for an unknown id.
  absl::StatusOr<v1::PollFeedSourceResponse> PollNow(const std::string& id);

 private:
  struct Source;

  // Fetches and ingests one source; updates its state.
  v1::PollFeedSourceResponse Poll(Source& source);
  void Run();

  const FeedImporter import_;
  const PollerOptions options_;
  std::mutex mu_;  // guards the sources' state
  std::condition_variable cv_;
  bool stop_ = false;
  std::map<std::string, std::unique_ptr<Source>> sources_;
  std::thread thread_;
};

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_POLLER_H_
