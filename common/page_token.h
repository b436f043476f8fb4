// Opaque page tokens for List methods, bound to the request's filter.
#ifndef HITCLOCK_COMMON_PAGE_TOKEN_H_
#define HITCLOCK_COMMON_PAGE_TOKEN_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace hitclock::common {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// Returns an opaque, URL-safe token carrying `position` (where the next page
// starts, e.g. the last id returned) and bound to `scope` (the method and its
// filter, see `PageScope`).
std::string EncodePageToken(std::string_view scope, std::string_view position);

// Returns the position carried by `token` if it was issued for `scope`; an
// empty token gives "" (first page). A token that was not issued, was altered,
// or was issued for another scope is INVALID_ARGUMENT naming `page_token`.
// The check is an integrity check, not a secret: positions must still be used
// as bound parameters only.
absl::StatusOr<std::string> DecodePageToken(std::string_view token,
                                            std::string_view scope);

// A scope string made from the method name and the filter values, unambiguous
// whatever the values contain: PageScope({"ListTracks", artist_id, kind}).
std::string PageScope(std::initializer_list<std::string_view> parts);

// The page size to use for a request's `page_size`: 0 is kDefaultPageSize,
// values above kMaxPageSize are clamped to it, negative values are
// INVALID_ARGUMENT naming `page_size`.
absl::StatusOr<int> PageSize(int requested);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_PAGE_TOKEN_H_
