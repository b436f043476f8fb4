#include "services/ingest/poller.h"

#include <curl/curl.h>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/chart_id.h"
#include "common/logging.h"
#include "common/page_token.h"
#include "common/status.h"
#include "services/ingest/convert.h"
#include "services/ingest/core/storefronts.h"
#include "services/ingest/store/ingest_store.h"

namespace hitclock::ingest {
namespace {

std::once_flag curl_init_once;

absl::StatusOr<v1::FeedFormat> ParseFormatName(absl::string_view name) {
  const std::string n = absl::AsciiStrToLower(std::string(name));
  if (n == "itunes-rss-json" || n == "feed_format_itunes_rss_json") {
    return v1::FEED_FORMAT_ITUNES_RSS_JSON;
  }
  if (n == "apple-rss-v2-json" || n == "feed_format_apple_rss_v2_json") {
    return v1::FEED_FORMAT_APPLE_RSS_V2_JSON;
  }
  if (n == "csv" || n == "feed_format_csv") return v1::FEED_FORMAT_CSV;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown format \"", name,
                   "\" (itunes-rss-json, apple-rss-v2-json or csv)"));
}

// "300", "300s", "5m", "1h".
std::optional<absl::Duration> ParseInterval(absl::string_view text) {
  double value = 0;
  absl::Duration unit = absl::Seconds(1);
  absl::string_view number = text;
  if (!text.empty()) {
    const char last = text.back();
    if (last == 's' || last == 'm' || last == 'h') {
      number = text.substr(0, text.size() - 1);
      unit = last == 's'   ? absl::Seconds(1)
             : last == 'm' ? absl::Minutes(1)
                           : absl::Hours(1);
    }
  }
  if (!absl::SimpleAtod(number, &value) || !(value > 0) || value > 1e7) {
    return std::nullopt;
  }
  return unit * value;
}

std::string DefaultChart(v1::FeedFormat format) {
  switch (format) {
    case v1::FEED_FORMAT_ITUNES_RSS_JSON:
      return "itunes/top-songs";
    case v1::FEED_FORMAT_APPLE_RSS_V2_JSON:
      return "apple-music/most-played";
    default:
      return "";
  }
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  auto* fetch = static_cast<std::pair<std::string*, size_t>*>(user);
  const size_t bytes = size * n;
  if (fetch->first->size() + bytes > fetch->second) return 0;  // too large
  fetch->first->append(data, bytes);
  return bytes;
}

struct Headers {
  std::string etag;
  std::string last_modified;
};

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Headers*>(user);
  const absl::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    const std::string name =
        absl::AsciiStrToLower(std::string(line.substr(0, colon)));
    const std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    if (name == "etag") headers->etag = value;
    if (name == "last-modified") headers->last_modified = value;
  } else if (line.rfind("HTTP/", 0) == 0) {
    *headers = Headers();  // a new response (after a redirect)
  }
  return size * n;
}

}  // namespace

absl::StatusOr<std::vector<FeedSourceConfig>> ParseFeedsFile(
    const std::string& text) {
  std::vector<FeedSourceConfig> sources;
  std::set<std::string> ids;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    auto bad = [&](absl::string_view problem) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_number, ": ", problem));
    };
    if (words.size() < 3) return bad("expected `id url format [key=value...]`");
    FeedSourceConfig source;
    source.id = std::string(words[0]);
    source.url = std::string(words[1]);
    if (!ids.insert(source.id).second) {
      return bad(absl::StrCat("id \"", source.id, "\" repeated"));
    }
    if (source.url.rfind("http://", 0) != 0 &&
        source.url.rfind("https://", 0) != 0) {
      return bad("the url must start with http:// or https://");
    }
    absl::StatusOr<v1::FeedFormat> format = ParseFormatName(words[2]);
    if (!format.ok()) return bad(format.status().message());
    source.format = *format;
    for (size_t i = 3; i < words.size(); ++i) {
      const size_t eq = words[i].find('=');
      if (eq == absl::string_view::npos) {
        return bad(absl::StrCat("expected key=value, got \"", words[i], "\""));
      }
      const absl::string_view key = words[i].substr(0, eq);
      const absl::string_view value = words[i].substr(eq + 1);
      if (key == "chart") {
        source.chart = std::string(value);
        if (!common::ParseChartName(source.chart, "chart").ok()) {
          return bad("chart must be provider/list, e.g. itunes/top-songs");
        }
      } else if (key == "region") {
        source.region = std::string(value);
        if (!core::RegionKindOf(source.region)) {
          return bad(absl::StrCat("unknown region \"", value, "\""));
        }
      } else if (key == "interval") {
        std::optional<absl::Duration> interval = ParseInterval(value);
        if (!interval) {
          return bad(absl::StrCat("bad interval \"", value,
                                  "\" (seconds, or 90s, 5m, 1h)"));
        }
        source.interval = *interval;
      } else {
        return bad(absl::StrCat("unknown key \"", key,
                                "\" (chart, region, interval)"));
      }
    }
    if (source.format == v1::FEED_FORMAT_CSV &&
        (source.chart.empty() || source.region.empty())) {
      return bad("a csv source needs chart= and region=");
    }
    sources.push_back(std::move(source));
  }
  return sources;
}

struct Poller::Source {
  FeedSourceConfig config;
  v1::FeedSource state;  // guarded by Poller::mu_
  absl::Time next_poll;  // guarded by Poller::mu_
  std::mutex poll_mu;    // one poll of this source at a time
};

Poller::Poller(std::vector<FeedSourceConfig> sources, FeedImporter import,
               PollerOptions options)
    : import_(std::move(import)), options_(options) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  const absl::Time now = absl::Now();
  for (auto& config : sources) {
    auto source = std::make_unique<Source>();
    v1::FeedSource& s = source->state;
    s.set_id(config.id);
    s.set_url(config.url);
    s.set_format(config.format);
    const std::string chart =
        config.chart.empty() ? DefaultChart(config.format) : config.chart;
    if (!chart.empty()) *s.mutable_chart() = ParseChartKey(chart);
    if (!config.region.empty()) {
      s.mutable_region()->set_code(config.region);
      if (auto kind = core::RegionKindOf(config.region)) {
        s.mutable_region()->set_kind(
            static_cast<hitclock::common::v1::RegionKind>(
                static_cast<int>(*kind)));
      }
    }
    s.mutable_interval()->set_seconds(absl::ToInt64Seconds(config.interval));
    s.mutable_interval()->set_nanos(static_cast<int32_t>(
        absl::ToInt64Nanoseconds(config.interval % absl::Seconds(1))));
    source->next_poll = now;
    *s.mutable_next_poll_time() = ToTimestamp(now);
    source->config = std::move(config);
    sources_[source->config.id] = std::move(source);
  }
}

Poller::~Poller() { Stop(); }

void Poller::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!options_.schedule || thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
}

void Poller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Poller::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    absl::Time earliest = absl::InfiniteFuture();
    Source* due = nullptr;
    for (auto& [id, source] : sources_) {
      if (source->next_poll < earliest) {
        earliest = source->next_poll;
        due = source.get();
      }
    }
    if (due == nullptr) {
      cv_.wait(lock, [&] { return stop_; });
      break;
    }
    const absl::Time now = absl::Now();
    if (earliest > now) {
      cv_.wait_for(lock, absl::ToChronoNanoseconds(earliest - now));
      continue;
    }
    lock.unlock();
    Poll(*due);
    lock.lock();
  }
}

absl::StatusOr<v1::ListFeedSourcesResponse> Poller::List(
    const v1::ListFeedSourcesRequest& request,
    const common::PageTokens& tokens) {
  absl::StatusOr<int> limit = common::PageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  const std::string scope = common::PageScope({"ListFeedSources"});
  absl::StatusOr<std::string> after =
      tokens.Decode(request.page_token(), scope);
  if (!after.ok()) return after.status();
  v1::ListFeedSourcesResponse response;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = after->empty() ? sources_.begin() : sources_.upper_bound(*after);
  for (; it != sources_.end(); ++it) {
    if (response.sources_size() == *limit) {
      response.set_next_page_token(tokens.Encode(
          scope, response.sources(response.sources_size() - 1).id()));
      break;
    }
    *response.add_sources() = it->second->state;
  }
  return response;
}

absl::StatusOr<v1::PollFeedSourceResponse> Poller::PollNow(
    const std::string& id) {
  Source* source = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sources_.find(id);
    if (it != sources_.end()) source = it->second.get();
  }
  if (source == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("feed source \"", id, "\" is not configured"));
  }
  return Poll(*source);
}

v1::PollFeedSourceResponse Poller::Poll(Source& source) {
  std::lock_guard<std::mutex> poll_lock(source.poll_mu);
  std::string etag, last_modified;
  {
    std::lock_guard<std::mutex> lock(mu_);
    etag = source.state.etag();
    last_modified = source.state.last_modified();
  }
  const absl::Time started = absl::Now();

  // Fetch.
  std::string body;
  Headers headers;
  long http_status = 0;
  std::string error;
  {
    CURL* curl = curl_easy_init();
    char curl_error[CURL_ERROR_SIZE] = {0};
    std::pair<std::string*, size_t> sink(&body, options_.max_body_bytes);
    curl_slist* request_headers = nullptr;
    if (!etag.empty()) {
      request_headers = curl_slist_append(
          request_headers, absl::StrCat("If-None-Match: ", etag).c_str());
    }
    if (!last_modified.empty()) {
      request_headers = curl_slist_append(
          request_headers,
          absl::StrCat("If-Modified-Since: ", last_modified).c_str());
    }
    curl_easy_setopt(curl, CURLOPT_URL, source.config.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, request_headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // gzip, deflate
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "hitclock-ingest/0.1");
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(
        curl, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
    curl_easy_setopt(
        curl, CURLOPT_TIMEOUT_MS,
        static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
    const CURLcode code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http_status);
    if (code != CURLE_OK) {
      error =
          absl::StrCat("fetch failed: ",
                       curl_error[0] ? curl_error : curl_easy_strerror(code));
      if (code == CURLE_WRITE_ERROR) {
        error = absl::StrCat("fetch failed: the body exceeds ",
                             options_.max_body_bytes, " bytes");
      }
    }
    curl_slist_free_all(request_headers);
    curl_easy_cleanup(curl);
  }
  const absl::Time fetched = absl::Now();

  // Ingest.
  v1::PollFeedSourceResponse response;
  v1::PollOutcome outcome = v1::POLL_OUTCOME_FAILED;
  std::optional<google::protobuf::Timestamp> source_update;
  if (error.empty()) {
    if (http_status == 304) {
      outcome = v1::POLL_OUTCOME_NOT_MODIFIED;
    } else if (http_status != 200) {
      error = absl::StrCat("HTTP status ", http_status);
    } else {
      FeedImport feed;
      feed.format = source.config.format;
      feed.content = body;
      feed.options.chart = source.config.chart;
      feed.options.region_code = source.config.region;
      feed.options.fetch_micros = absl::ToUnixMicros(fetched);
      feed.options.source_url = source.config.url;
      feed.origin = v1::SNAPSHOT_ORIGIN_POLL;
      feed.feed_source_id = source.config.id;
      absl::StatusOr<v1::ImportFeedResponse> imported = import_(feed);
      if (!imported.ok()) {
        error = imported.status().ToString();
      } else {
        *response.mutable_result() = imported->result();
        if (imported->has_source_update_time()) {
          source_update = imported->source_update_time();
        }
        outcome = imported->result().outcome() == v1::SUBMIT_OUTCOME_DUPLICATE
                      ? v1::POLL_OUTCOME_UNCHANGED
                      : v1::POLL_OUTCOME_NEW_SNAPSHOT;
      }
    }
  }

  std::lock_guard<std::mutex> lock(mu_);
  v1::FeedSource& s = source.state;
  *s.mutable_last_poll_time() = ToTimestamp(started);
  s.set_last_outcome(outcome);
  s.set_last_http_status(static_cast<int32_t>(http_status));
  s.set_poll_count(s.poll_count() + 1);
  absl::Duration delay = source.config.interval;
  if (outcome == v1::POLL_OUTCOME_FAILED) {
    s.set_last_error(error);
    s.set_consecutive_failure_count(s.consecutive_failure_count() + 1);
    absl::Duration backoff = options_.initial_backoff;
    for (int i = 1;
         i < s.consecutive_failure_count() && backoff < options_.max_backoff;
         ++i) {
      backoff *= 2;
    }
    backoff = std::min(backoff, options_.max_backoff);
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    delay = backoff * std::uniform_real_distribution<double>(0.5, 1.0)(rng);
    common::LogWarn("feed poll failed",
                    {{"source", s.id()}, {"url", s.url()}, {"error", error}});
  } else {
    s.clear_last_error();
    s.set_consecutive_failure_count(0);
    *s.mutable_last_success_time() = ToTimestamp(fetched);
    if (outcome != v1::POLL_OUTCOME_NOT_MODIFIED) {
      // Validators only once the body was ingested: a body that failed is
      // fetched whole again.
      s.set_etag(headers.etag);
      s.set_last_modified(headers.last_modified);
    }
    if (source_update) *s.mutable_last_source_update_time() = *source_update;
    if (outcome == v1::POLL_OUTCOME_NEW_SNAPSHOT) {
      s.set_snapshot_count(s.snapshot_count() + 1);
    }
  }
  source.next_poll = absl::Now() + delay;
  *s.mutable_next_poll_time() = ToTimestamp(source.next_poll);
  *response.mutable_source() = s;
  cv_.notify_all();
  return response;
}

}  // namespace hitclock::ingest
