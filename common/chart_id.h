// Chart ids: `provider/list` (`itunes/top-songs`), the one parser, checker
// and formatter every service uses. Pure (library `hitclock_domain`): no
// gRPC, no protobuf, no SQLite, so cores may link it too.
#ifndef HITCLOCK_COMMON_CHART_ID_H_
#define HITCLOCK_COMMON_CHART_ID_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hitclock::common {

// The two halves of a chart id; mirrors `hitclock.common.v1.ChartId`.
struct ChartId {
  std::string provider;  // `itunes`
  std::string list;      // `top-songs`

  friend bool operator==(const ChartId&, const ChartId&) = default;
};

// True for a slug: 1 to 64 characters of `[a-z0-9._-]`. Provider, list and
// region codes are slugs.
bool IsSlug(std::string_view s);

// OK when `provider` and `list` are both slugs; otherwise INVALID_ARGUMENT
// naming the first bad half as `<field>.provider` or `<field>.list` (just
// `provider` / `list` when `field` is empty):
//   "chart.provider: is required"
//   "chart.provider: must be lowercase letters, digits and `-`"
// and the same for `.list`.
absl::Status ValidateChartId(std::string_view provider, std::string_view list,
                             std::string_view field);

// Checks like `ValidateChartId`, then sets `*name` to "provider/list"
// (reusing its buffer). `*name` is unspecified when the status is not OK.
absl::Status SetChartName(std::string_view provider, std::string_view list,
                          std::string_view field, std::string* name);

// "provider/list" when `ValidateChartId` accepts the halves, else its error.
absl::StatusOr<std::string> CheckedChartName(std::string_view provider,
                                             std::string_view list,
                                             std::string_view field);

// "provider/list", unchecked (for ids already checked or read back from a
// store that only holds checked ones).
std::string ChartName(std::string_view provider, std::string_view list);

// The halves of "provider/list", unchecked: everything before the first `/`
// is the provider, everything after it the list ("" when there is no `/`).
// The inverse of `ChartName`, for names a store or a checked input wrote.
ChartId SplitChartName(std::string_view name);

// Parses text a user wrote ("itunes/top-songs") into a checked chart id:
// exactly one `/`, both halves slugs. Errors are INVALID_ARGUMENT naming
// `field`: "<field>: `x` is not provider/list (e.g. itunes/top-songs)" when
// the text has no `/`, more than one, or an empty half; otherwise the errors
// of `ValidateChartId` with `field` as prefix.
absl::StatusOr<ChartId> ParseChartName(std::string_view text,
                                       std::string_view field);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_CHART_ID_H_
