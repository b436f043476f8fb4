// The checksums the records store keeps beside every row it holds, so that a
// changed byte (a flipped bit on disk, a hand edit) is found when the row is
// read, never served as an answer. One function per kind of row; each covers
// every column that row holds.
#ifndef HITCLOCK_SERVICES_RECORDS_STORE_CHECKSUMS_H_
#define HITCLOCK_SERVICES_RECORDS_STORE_CHECKSUMS_H_

#include <cstdint>
#include <string_view>

namespace hitclock::records {

// The checksum of a body row: its chart size and its encoded observations.
// It is also the body's content key (equal bodies are stored once).
int64_t BodyChecksum(int chart_size, std::string_view body);

// The checksum of a name row (`charts`, `regions`, `tracks`): its number, its
// name and, for regions, whether it is an aggregate (0 for the others).
int64_t NameChecksum(int64_t id, std::string_view name, int64_t flag);

// The checksum of a capture row (`snapshots`): the chart and region numbers,
// the capture instant and the body number.
int64_t CaptureChecksum(int64_t chart, int64_t region, int64_t capture_time,
                        int64_t body);

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_STORE_CHECKSUMS_H_
