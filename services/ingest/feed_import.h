// One feed to import, and the narrow function that imports it: what the
// poller hands on, so that it needs nothing else of the handler.
#ifndef HITCLOCK_SERVICES_INGEST_FEED_IMPORT_H_
#define HITCLOCK_SERVICES_INGEST_FEED_IMPORT_H_

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "hitclock/ingest/v1/ingest.pb.h"
#include "services/ingest/core/snapshot.h"

namespace hitclock::ingest {

// One feed to import: ImportFeed's request, or what the poller fetched.
struct FeedImport {
  v1::FeedFormat format = v1::FEED_FORMAT_UNSPECIFIED;
  std::string_view content;
  core::ImportOptions options;
  bool replace = false;
  v1::SnapshotOrigin origin = v1::SNAPSHOT_ORIGIN_IMPORT_FEED;
  std::string feed_source_id;
};

// Parses, validates and commits one feed, returning what ImportFeed would
// (`IngestHandler::ImportFeedContent`). Called from the poller's threads:
// must be thread-safe.
using FeedImporter =
    std::function<absl::StatusOr<v1::ImportFeedResponse>(const FeedImport&)>;

}  // namespace hitclock::ingest

#endif  // HITCLOCK_SERVICES_INGEST_FEED_IMPORT_H_
