// Ingest's own record of a resolved snapshot: which entries the catalog
// resolved to which tracks, and the compact form the store keeps it in.
// Pure: no protobuf, no gRPC, no SQLite.
#ifndef HITCLOCK_SERVICES_INGEST_CORE_RESOLUTION_H_
#define HITCLOCK_SERVICES_INGEST_CORE_RESOLUTION_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hitclock::ingest::core {

// One entry of a snapshot resolved to a catalog track.
struct ResolvedEntry {
  int32_t position = 0;  // the entry's position in its snapshot
  std::string track_id;  // the catalog track, never empty

  friend bool operator==(const ResolvedEntry&, const ResolvedEntry&) = default;
};

// The stored form of a snapshot's resolved entries, in the given order:
// a format byte (1), then per entry the position (varint of its 32 bits)
// and the track id (varint length, bytes). Equal lists give equal bytes.
std::string EncodeResolvedEntries(std::span<const ResolvedEntry> entries);

// The inverse of `EncodeResolvedEntries`; "" is the empty list. nullopt
// when `bytes` is not that form (another format byte, a truncated entry).
std::optional<std::vector<ResolvedEntry>> DecodeResolvedEntries(
    std::string_view bytes);

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_RESOLUTION_H_
