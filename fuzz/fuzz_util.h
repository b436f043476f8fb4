// Checks shared by the fuzz targets: what every parse must promise, whatever
// the input.
#ifndef HITCLOCK_FUZZ_FUZZ_UTIL_H_
#define HITCLOCK_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/snapshot.h"
#include "services/ingest/core/time_util.h"
#include "services/ingest/core/utf8.h"

namespace hitclock::ingest::core::fuzz {

// Aborts (a finding) with `what` when `ok` is false.
inline void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// Checks what a parser promises about its result on any input, then runs
// the result through the rest of the core the way the service will.
inline void CheckParse(const absl::StatusOr<ParsedFeed>& feed,
                       bool positions_are_indexes) {
  if (!feed.ok()) {
    const absl::Status& status = feed.status();
    Check(status.code() == absl::StatusCode::kInvalidArgument,
          "a parse error is INVALID_ARGUMENT");
    Check(ErrorField(status) == "content", "a parse error names `content`");
    const std::string message(status.message());
    Check(message.size() < 1024, "a parse error message is short");
    Check(IsValidUtf8(message), "a parse error message is UTF-8");
    return;
  }
  Check(feed->entries.size() <= static_cast<size_t>(kMaxFeedEntries),
        "at most 500 entries");
  for (size_t i = 0; i < feed->entries.size(); ++i) {
    const ParsedEntry& e = feed->entries[i];
    if (positions_are_indexes) {
      Check(e.position == static_cast<int>(i) + 1, "position = index + 1");
    }
    if (i > 0) {
      Check(feed->entries[i - 1].position <= e.position, "sorted by position");
    }
    Check(IsValidUtf8(e.title) && IsValidUtf8(e.artist_credit) &&
              IsValidUtf8(e.provider_track_id) && IsValidUtf8(e.link),
          "parsed strings are UTF-8");
  }
  Check(feed->region.empty() || feed->region.size() == 2, "region is a code");
  ImportOptions import;
  import.fetch_micros = CivilToMicros(2024, 1, 1);
  import.region_code = "us";
  import.chart = feed->chart.empty() ? "itunes/top-songs" : "";
  absl::StatusOr<Snapshot> snapshot = SnapshotFromFeed(*feed, import);
  if (!snapshot.ok()) return;
  ValidationOptions options;
  options.now_micros = CivilToMicros(2024, 1, 1);
  const absl::Status valid = ValidateSnapshot(*snapshot, options);
  Check(valid.ok() || valid.code() == absl::StatusCode::kInvalidArgument,
        "validation fails only with INVALID_ARGUMENT");
  (void)ContentFingerprint(*snapshot);
}

}  // namespace hitclock::ingest::core::fuzz

#endif  // HITCLOCK_FUZZ_FUZZ_UTIL_H_
