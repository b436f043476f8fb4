// What kind of Apple feed a `.json` file given to `hitclock import` is, told
// from its content with a bounded nesting depth (a file nested 100,000 deep
// is refused at level 65, not parsed).
#ifndef HITCLOCK_CLI_FEED_FILES_H_
#define HITCLOCK_CLI_FEED_FILES_H_

#include <string>

#include "hitclock/ingest/v1/ingest.pb.h"

namespace hitclock::client {

// The deepest nesting of arrays and objects a feed file may have (Apple's
// feeds are 5 deep); ingest's parsers allow the same.
inline constexpr int kMaxFeedJsonDepth = 64;

// v2 (`feed.results`) or the legacy iTunes RSS (`feed.entry`). Throws a
// usage `CommandError` naming `file` when the text is not JSON, is nested
// deeper than `kMaxFeedJsonDepth`, or is neither kind of feed.
ingest::v1::FeedFormat JsonFeedFormat(const std::string& file,
                                      const std::string& text);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_FEED_FILES_H_
