#include "services/ingest/core/resolution.h"

namespace hitclock::ingest::core {
namespace {

constexpr char kFormatV1 = '\x01';

void PutVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Reads a varint of at most `max_bytes` bytes at `*at`; false when the
// bytes end first or it is longer.
bool GetVarint(std::string_view bytes, size_t* at, int max_bytes,
               uint64_t* value) {
  *value = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (*at >= bytes.size()) return false;
    const auto byte = static_cast<unsigned char>(bytes[(*at)++]);
    *value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

std::string EncodeResolvedEntries(std::span<const ResolvedEntry> entries) {
  std::string out;
  size_t size = 1;
  for (const ResolvedEntry& e : entries) size += 6 + e.track_id.size();
  out.reserve(size);
  out.push_back(kFormatV1);
  for (const ResolvedEntry& e : entries) {
    PutVarint(static_cast<uint32_t>(e.position), out);
    PutVarint(e.track_id.size(), out);
    out.append(e.track_id);
  }
  return out;
}

std::optional<std::vector<ResolvedEntry>> DecodeResolvedEntries(
    std::string_view bytes) {
  std::vector<ResolvedEntry> entries;
  if (bytes.empty()) return entries;
  if (bytes[0] != kFormatV1) return std::nullopt;
  size_t at = 1;
  while (at < bytes.size()) {
    uint64_t position = 0;
    uint64_t length = 0;
    if (!GetVarint(bytes, &at, 5, &position) || position > UINT32_MAX ||
        !GetVarint(bytes, &at, 10, &length) || length > bytes.size() - at) {
      return std::nullopt;
    }
    ResolvedEntry& e = entries.emplace_back();
    e.position = static_cast<int32_t>(static_cast<uint32_t>(position));
    e.track_id.assign(bytes.substr(at, length));
    at += length;
  }
  return entries;
}

}  // namespace hitclock::ingest::core
