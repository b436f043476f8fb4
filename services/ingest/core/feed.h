// Parsing of the chart feeds ingest accepts: Apple's legacy iTunes RSS JSON,
// Apple's RSS JSON (v2, and the v1 generator of the same shape) and CSV.
//
// The parsers are pure: bytes in, a `ParsedFeed` out. They check the feed's
// shape (types, required fields, at most `kMaxFeedEntries` entries, at most
// `kMaxFeedBytes` bytes, UTF-8) but not the snapshot rules (known chart and
// region, string bounds, capture instant): `ValidateSnapshot` does that.
// Every error is INVALID_ARGUMENT with the message
// "content: <where>: <problem>", where <where> is a JSON path
// (`feed.entry[3].im:name.label`) or a CSV position (`line 4, column 7`).
// Work is linear in the input size and no input makes a parser crash or
// hang (they are fuzzed: see `fuzz/`).
#ifndef HITCLOCK_SERVICES_INGEST_CORE_FEED_H_
#define HITCLOCK_SERVICES_INGEST_CORE_FEED_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace hitclock::ingest::core {

// The largest feed accepted, in bytes: 16 MiB. A 500-entry legacy iTunes
// feed is about 2 MB; gRPC caps a request at 8 MiB anyway
// (`common::kMaxMessageBytes`). Bounds the parser's memory (about 10 bytes
// per input byte at worst).
inline constexpr size_t kMaxFeedBytes = size_t{16} << 20;

// The most entries a feed may hold (the snapshot limit K <= 500).
inline constexpr int kMaxFeedEntries = 500;

// The deepest JSON nesting accepted. Apple's feeds nest 6 levels.
inline constexpr size_t kMaxJsonDepth = 64;

// The charts the feeds map to.
inline constexpr std::string_view kItunesTopSongs = "itunes/top-songs";
inline constexpr std::string_view kAppleMusicMostPlayed =
    "apple-music/most-played";

// One ranked line of a feed, as printed.
struct ParsedEntry {
  // The rank, 1-based.
  int position = 0;
  std::string title;
  std::string artist_credit;
  // The provider's item id (the iTunes / Apple Music track id); may be
  // empty in CSV.
  std::string provider_track_id;
  // The item's store page; empty when the feed has none.
  std::string link;

  friend bool operator==(const ParsedEntry&, const ParsedEntry&) = default;
};

// A parsed feed: one chart of one region at one instant (possibly with some
// of those unknown).
struct ParsedFeed {
  // `itunes/top-songs` or `apple-music/most-played` for the JSON formats;
  // empty for CSV (the request names it).
  std::string chart;
  // The lowercase storefront code when the feed carries it (`us`), else "".
  std::string region;
  // Apple's `feed.updated` (its rebuild time of the chart) in microseconds
  // since the epoch, UTC, when present.
  std::optional<int64_t> updated_micros;
  // The feed's own URL (`feed.id`), when present; for reference only.
  std::string source_url;
  // The entries, ordered by position. For the JSON formats the position is
  // the 1-based array index; for CSV it is the `position` column (the rows
  // are sorted by it, stably; duplicates and gaps are left for
  // `ValidateSnapshot` to report). May be empty (a feed with no entries).
  std::vector<ParsedEntry> entries;
};

// The formats; mirrors `hitclock.ingest.v1.FeedFormat`.
enum class FeedFormat {
  // `itunes.apple.com/{cc}/rss/topsongs/limit=N/json`.
  kLegacyItunesJson,
  // `rss.applemarketingtools.com/api/v2/{cc}/music/most-played/N/songs.json`
  // (and the 2017 `rss.itunes.apple.com/api/v1/...` generator).
  kAppleRssV2Json,
  // CSV as documented in `services/ingest/core/CSV.md`.
  kCsv,
};

// Parses `bytes` in `format`: dispatches to the parsers below.
absl::StatusOr<ParsedFeed> ParseFeed(FeedFormat format, std::string_view bytes);

// Parses Apple's legacy iTunes RSS JSON, the iTunes Store purchase chart:
// chart `itunes/top-songs`; `feed.entry` an array (or a bare object when the
// feed has one entry; absent when it has none), rank = index + 1; from each
// entry `im:name.label` (title), `im:artist.label` (credit),
// `id.attributes.im:id` (track id), all required strings, and the `href` of
// the `rel=alternate` link (else the first link) when there is one. Region:
// the `cc=` query parameter or the `/{cc}/rss/` path segment of `feed.link`
// hrefs or `feed.id.label`. `feed.updated.label`, ISO 8601 with offset, when
// present.
absl::StatusOr<ParsedFeed> ParseLegacyItunesJson(std::string_view bytes);

// Parses Apple's RSS JSON: `feed.results[]` (absent when empty), rank =
// index + 1, with `name`, `artistName`, `id` (required strings) and `url`
// (optional). Region: `feed.country`, else the storefront segment of
// `feed.id`. `feed.updated` in RFC 2822 (v2:
// `Wed, 11 May 2022 21:44:11 +0000`) or ISO 8601 (the 2017 v1 generator:
// `2017-11-04T03:17:27.000-07:00`), when present. Chart:
// `itunes/top-songs` when `feed.id` is an `/itunes-music/top-songs/` feed,
// else `apple-music/most-played` — the v1 `/apple-music/top-songs/` feed is
// the same Apple Music chart (same songs as the API's `most-played` chart of
// that day; see `shared/feeds/SOURCES.md`).
absl::StatusOr<ParsedFeed> ParseAppleRssJson(std::string_view bytes);

// Parses CSV (RFC 4180, UTF-8, one snapshot per file) as documented in
// `CSV.md`: a header row naming the columns in any order, `position`,
// `title`, `artist` required, `provider_track_id`, `link` optional, others
// ignored. `chart`, `region` and `updated_micros` stay empty.
absl::StatusOr<ParsedFeed> ParseCsv(std::string_view bytes);

// Returns the lowercase storefront code a feed URL names, or "": the `cc=`
// query parameter (`.../viewTop?cc=us&id=1`), else the `/{cc}/rss/` path
// segment (`itunes.apple.com/us/rss/topsongs/...`), else the segment after
// `/api/v{n}/` (`rss.applemarketingtools.com/api/v2/us/music/...`).
std::string StorefrontFromUrl(std::string_view url);

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_FEED_H_
