// Opaque page tokens for List methods, bound to the request's filter and
// keyed with a secret of the store that issued them.
#ifndef HITCLOCK_COMMON_PAGE_TOKEN_H_
#define HITCLOCK_COMMON_PAGE_TOKEN_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hitclock::common {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// Issues and checks the page tokens of one store. A token carries a position
// (where the next page starts, e.g. the last id returned) and an
// HMAC-SHA256 (truncated to 16 bytes) over the position and the scope (the
// method and its filter, see `PageScope`) under the store's secret
// (`common/page_token_secret.h`): a client cannot forge or alter one, and a
// token of another store, or of another scope, is refused. The position
// is carried in the clear (base64url), so positions must not be secrets.
// Copyable and thread-safe.
class PageTokens {
 public:
  // Keys tokens with `secret` (bytes; 32 random bytes for a store).
  explicit PageTokens(std::string secret);

  // Returns an opaque, URL-safe token carrying `position`, bound to `scope`.
  std::string Encode(std::string_view scope, std::string_view position) const;

  // Returns the position carried by `token` if it was issued with this key
  // for `scope`; an empty token gives "" (first page). A token that was not
  // issued, was altered, or was issued by another store or for another scope
  // is INVALID_ARGUMENT naming `page_token`.
  absl::StatusOr<std::string> Decode(std::string_view token,
                                     std::string_view scope) const;

 private:
  // The truncated HMAC of (scope, position).
  std::string Tag(std::string_view scope, std::string_view position) const;

  std::string secret_;
};

// A scope string made from the method name and the filter values, unambiguous
// whatever the values contain: PageScope({"ListTracks", artist_id, kind}).
std::string PageScope(std::initializer_list<std::string_view> parts);

// The page size to use for a request's `page_size`: 0 is kDefaultPageSize,
// values above kMaxPageSize are clamped to it, negative values are
// INVALID_ARGUMENT naming `page_size`.
absl::StatusOr<int> PageSize(int requested);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_PAGE_TOKEN_H_
