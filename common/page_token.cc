#include "common/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace hitclock::common {
namespace {

// Version 2: keyed (version 1 carried an unkeyed FNV-1a checksum).
constexpr char kVersion = '\x02';
constexpr std::string_view kDomain = "hitclock.page_token.v2";
constexpr size_t kTagBytes = 16;
constexpr size_t kHeaderBytes = 1 + kTagBytes;

absl::Status NotIssued() {
  return InvalidField("page_token",
                      "was not issued by this method for this request "
                      "(pass the next_page_token of the previous page with "
                      "the same filter, to the same server)");
}

}  // namespace

PageTokens::PageTokens(std::string secret) : secret_(std::move(secret)) {}

std::string PageTokens::Tag(std::string_view scope,
                            std::string_view position) const {
  // The domain, then the scope with its length, then the position: no two
  // (scope, position) pairs give the same message.
  std::string message(kDomain);
  message.push_back('\0');
  absl::StrAppend(&message, scope.size(), ":");
  message.append(scope);
  message.append(position);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), mac, &mac_size) == nullptr ||
      mac_size < kTagBytes) {
    // Cannot happen with SHA-256; a tag no token matches refuses them all.
    return std::string();
  }
  return std::string(reinterpret_cast<const char*>(mac), kTagBytes);
}

std::string PageTokens::Encode(std::string_view scope,
                               std::string_view position) const {
  std::string raw;
  raw.reserve(kHeaderBytes + position.size());
  raw.push_back(kVersion);
  raw.append(Tag(scope, position));
  raw.append(position);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> PageTokens::Decode(std::string_view token,
                                               std::string_view scope) const {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(
          absl::string_view(token.data(), token.size()), &raw)) {
    return NotIssued();
  }
  if (raw.size() < kHeaderBytes || raw[0] != kVersion) return NotIssued();
  // The canonical encoding only: no padding or trailing-bit variants.
  if (absl::WebSafeBase64Escape(raw) != token) return NotIssued();
  std::string position = raw.substr(kHeaderBytes);
  const std::string expected = Tag(scope, position);
  if (expected.size() != kTagBytes ||
      CRYPTO_memcmp(expected.data(), raw.data() + 1, kTagBytes) != 0) {
    return NotIssued();
  }
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
