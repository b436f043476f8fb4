// Chart snapshots as ingest receives them: validation, the content
// fingerprint used for duplicate detection, and the snapshot a parsed feed
// becomes.
#ifndef HITCLOCK_SERVICES_INGEST_CORE_SNAPSHOT_H_
#define HITCLOCK_SERVICES_INGEST_CORE_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/storefronts.h"

namespace hitclock::ingest::core {

// The most entries of a snapshot (K <= 500).
inline constexpr int kMaxSnapshotEntries = 500;
// Byte bounds of the strings (UTF-8), from the IngestService contract.
inline constexpr size_t kMaxTitleBytes = 1000;
inline constexpr size_t kMaxArtistCreditBytes = 1000;
inline constexpr size_t kMaxProviderTrackIdBytes = 64;
inline constexpr size_t kMaxLinkBytes = 2048;
inline constexpr size_t kMaxSourceUrlBytes = 2048;
// 2001-01-01T00:00:00Z: no capture instant is earlier.
inline constexpr int64_t kMinCaptureMicros = 978'307'200'000'000;
// The default allowed clock skew: 5 minutes.
inline constexpr int64_t kDefaultMaxSkewMicros = 5 * 60 * 1'000'000LL;

// One line of a snapshot; mirrors `hitclock.ingest.v1.SnapshotEntry` (with
// its `hitclock.common.v1.ChartEntry` flattened in).
struct SnapshotEntry {
  int position = 0;
  std::string title;
  std::string artist_credit;
  // The entry's provider; "" means the chart's provider.
  std::string provider;
  std::string provider_track_id;
  std::string link;

  friend bool operator==(const SnapshotEntry&, const SnapshotEntry&) = default;
};

// The content of one snapshot; mirrors `hitclock.ingest.v1.ChartSnapshot`.
// Instants are microseconds since the epoch, UTC.
struct Snapshot {
  // `chart.provider` and `chart.list`: `itunes` / `top-songs`.
  std::string chart_provider;
  std::string chart_list;
  // `region.code` and `region.kind`.
  std::string region_code;
  RegionKind region_kind = RegionKind::kUnspecified;
  // `capture_time`; nullopt when unset (an error).
  std::optional<int64_t> capture_micros;
  // `source_update_time` (Apple's `feed.updated`), when known.
  std::optional<int64_t> source_update_micros;
  // `fetch_time`, when known.
  std::optional<int64_t> fetch_micros;
  std::vector<SnapshotEntry> entries;
  std::string source_url;

  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// Returns whether ingest knows the chart: `itunes/top-songs` or
// `apple-music/most-played`.
bool IsKnownChart(std::string_view provider, std::string_view list);

// What `ValidateSnapshot` needs from its caller.
struct ValidationOptions {
  // The caller's clock (the core reads none).
  int64_t now_micros = 0;
  // How far past `now_micros` a capture instant may be.
  int64_t max_skew_micros = kDefaultMaxSkewMicros;
  // The path of the snapshot in the request, prefixed to every field named:
  // `snapshot` gives `snapshot.entries[3].position`.
  std::string field_prefix = "snapshot";
};

// Checks `snapshot` against the IngestService rules and returns OK or the
// first violation as INVALID_ARGUMENT "<field>: <problem>" (see
// `ErrorField`), checking in this order:
//  - `chart`: a known chart (`chart.provider` / `chart.list` when empty);
//  - `region.code`: a storefront code (`Storefronts()`) or `ww` / `eu`;
//    `region.kind`, when set, agrees with the code;
//  - `capture_time`: set, not before 2001-01-01T00:00:00Z, not after
//    now + skew; `source_update_time` and `fetch_time`, when set, within
//    the same bounds;
//  - `source_url`: UTF-8, at most 2,048 bytes;
//  - `entries`: 1 to 500; each position in 1..K and used once (so the
//    positions are exactly 1..K, in any order); `entry.title` and
//    `entry.artist_credit` non-empty UTF-8 of at most 1,000 bytes,
//    `entry.provider_track_id` UTF-8 of at most 64 bytes, `link` UTF-8 of
//    at most 2,048 bytes; `entry.provider` empty or the chart's provider.
// Entry fields are named `entries[i].entry.title` as in the proto.
// Linear in the size of the snapshot.
absl::Status ValidateSnapshot(const Snapshot& snapshot,
                              const ValidationOptions& options);

// Returns a stable 64-bit fingerprint of the snapshot's content: its
// entries ordered by position, each as (position, title, artist_credit,
// provider_track_id). Equal for the same list in any order; `link`,
// `provider` and everything outside `entries` are not part of it (the
// identity is compared separately). The value is stored: it never changes
// across builds, machines or versions (FNV-1a 64 over length-prefixed
// fields, then a murmur3 finalizer).
uint64_t ContentFingerprint(const Snapshot& snapshot);

// What an ImportFeed request adds to a parsed feed.
struct ImportOptions {
  // The request's `chart` as "provider/list"; "" when unset.
  std::string chart;
  // The request's `region.code`; "" when unset.
  std::string region_code;
  // The request's `capture_time`, when set.
  std::optional<int64_t> capture_micros;
  // The request's `fetch_time`, or when the server received the request.
  std::optional<int64_t> fetch_micros;
  // The request's `source_url`; "" when unset (then the feed's own URL).
  std::string source_url;
};

// Returns the snapshot an ImportFeed request makes of a parsed feed, by the
// rules of `ImportFeedRequest`: the chart is the request's, else the
// feed's (error `chart` when neither has one, as for CSV); the region is the
// feed's storefront, which must agree with the request's when both are set
// (error `region`), else the request's (error `region` when neither); the
// capture instant is the request's, else the feed's `updated`, else the
// fetch instant (error `capture_time` when none); `source_update_time` is
// the feed's `updated`. Entries keep the feed's positions with an empty
// provider. The result still needs `ValidateSnapshot`.
absl::StatusOr<Snapshot> SnapshotFromFeed(const ParsedFeed& feed,
                                          const ImportOptions& options);

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_SNAPSHOT_H_
