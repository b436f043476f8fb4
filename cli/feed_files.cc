#include "cli/feed_files.h"

#include "absl/strings/str_cat.h"
#include "cli/session.h"
#include "nlohmann/json.hpp"

namespace hitclock::client {
namespace {

// Thrown from the parser callback to stop at the first level too deep.
struct TooDeep {};

}  // namespace

ingest::v1::FeedFormat JsonFeedFormat(const std::string& file,
                                      const std::string& text) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(
        text,
        [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
          if (depth > kMaxFeedJsonDepth) throw TooDeep{};
          return true;
        },
        /*allow_exceptions=*/false);
  } catch (const TooDeep&) {
    throw CommandError(
        kExitUsage,
        absl::StrCat(file, ": JSON nested deeper than ", kMaxFeedJsonDepth,
                     " levels (an Apple RSS feed is 5 deep)"));
  }
  if (root.is_discarded()) {
    throw CommandError(kExitUsage,
                       absl::StrCat(file,
                                    ": not JSON (an Apple RSS feed was "
                                    "expected; native snapshots go in "
                                    ".jsonl files)"));
  }
  if (root.is_object()) {
    auto feed = root.find("feed");
    if (feed != root.end() && feed->is_object()) {
      if (feed->contains("results")) {
        return ingest::v1::FEED_FORMAT_APPLE_RSS_V2_JSON;
      }
      if (feed->contains("entry")) {
        return ingest::v1::FEED_FORMAT_ITUNES_RSS_JSON;
      }
    }
  }
  throw CommandError(
      kExitUsage,
      absl::StrCat(file,
                   ": neither Apple RSS v2 JSON (feed.results) nor the legacy "
                   "iTunes RSS JSON (feed.entry)"));
}

}  // namespace hitclock::client
