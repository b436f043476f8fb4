#include "common/page_token.h"

#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace hitclock::common {
namespace {

constexpr char kVersion = '\x01';
constexpr std::string_view kDomain = "hitclock.page_token.v1";

// FNV-1a, 64 bits, over the domain, the scope and the position, with
// separators so that no two (scope, position) pairs hash the same input.
uint64_t Checksum(std::string_view scope, std::string_view position) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(kDomain);
  mix(std::string_view("\0", 1));
  mix(absl::StrCat(scope.size(), ":"));
  mix(scope);
  mix(position);
  return h;
}

absl::Status NotIssued() {
  return InvalidField("page_token",
                      "was not issued by this method for this request "
                      "(pass the next_page_token of the previous page with "
                      "the same filter)");
}

}  // namespace

std::string EncodePageToken(std::string_view scope, std::string_view position) {
  std::string raw;
  raw.reserve(9 + position.size());
  raw.push_back(kVersion);
  const uint64_t sum = Checksum(scope, position);
  for (int shift = 56; shift >= 0; shift -= 8) {
    raw.push_back(static_cast<char>((sum >> shift) & 0xff));
  }
  raw.append(position);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> DecodePageToken(std::string_view token,
                                            std::string_view scope) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &raw)) {
    return NotIssued();
  }
  if (raw.size() < 9 || raw[0] != kVersion) return NotIssued();
  // The canonical encoding only: no padding or trailing-bit variants.
  if (absl::WebSafeBase64Escape(raw) != token) return NotIssued();
  uint64_t sum = 0;
  for (int i = 1; i <= 8; ++i) {
    sum = (sum << 8) | static_cast<unsigned char>(raw[i]);
  }
  std::string position = raw.substr(9);
  if (sum != Checksum(scope, position)) return NotIssued();
  return position;
}

std::string PageScope(std::initializer_list<std::string_view> parts) {
  std::string scope;
  for (std::string_view part : parts) {
    absl::StrAppend(&scope, part.size(), ":");
    scope.append(part);
    scope += ";";
  }
  return scope;
}

absl::StatusOr<int> PageSize(int requested) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  if (requested > kMaxPageSize) return kMaxPageSize;
  return requested;
}

}  // namespace hitclock::common
