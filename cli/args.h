// The words a user types for charts, metrics, categories and kinds, and the
// words answers show for them. Each parser returns InvalidArgument naming
// what it expected.
#ifndef HITCLOCK_CLI_ARGS_H_
#define HITCLOCK_CLI_ARGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "hitclock/catalog/v1/catalog.pb.h"
#include "hitclock/common/v1/common.pb.h"
#include "hitclock/records/v1/records.pb.h"

namespace hitclock::client {

// Number checks for options, phrased as a person reads them (CLI11 puts the
// option's name in front): "--regions: must be more than 0 (got 0)",
// "--position: must be 1 to 500 (got 501)", "--limit: must be a number (got
// ten)". `Positive` replaces `CLI::PositiveNumber`, `InRange` `CLI::Range`.
CLI::Validator Positive();
CLI::Validator InRange(int64_t low, int64_t high);

// The chart every command uses unless told: `itunes/top-songs`.
inline constexpr char kDefaultChart[] = "itunes/top-songs";

// `provider/list`, e.g. `itunes/top-songs`, `apple-music/most-played`.
absl::StatusOr<common::v1::ChartId> ParseChart(const std::string& text);
std::string ChartName(const common::v1::ChartId& chart);

// `fastest`, `total`, `peak`, `allkill` (or `all-kill`).
absl::StatusOr<records::v1::Metric> ParseMetric(const std::string& text);
std::string MetricName(records::v1::Metric metric);

// The AND of category terms, each a term or a comma-separated list of them:
// `ost`, `single`, `album-track` (track kind); `solo` (a solo track: one
// main artist, a soloist), `soloist` (by a soloist), `group` (by a group);
// `country=KR` (or `origin=KR`, or a bare two-letter code `KR`);
// `year=2021` (or a bare year); `kind=ost`, `performer=soloist`. Two terms
// that set the same filter differently are an error.
absl::StatusOr<records::v1::Category> ParseCategory(
    const std::vector<std::string>& terms);
// "all tracks", or the terms in the canonical spelling: "ost, soloist, KR,
// 2021".
std::string CategoryName(const records::v1::Category& category);

// Catalog kinds: `single`, `ost`, `album-track`; `solo`, `group`; `drama`,
// `film`, `other`; `main`, `featured`.
absl::StatusOr<catalog::v1::TrackKind> ParseTrackKind(const std::string& text);
std::string TrackKindName(catalog::v1::TrackKind kind);
absl::StatusOr<catalog::v1::ArtistKind> ParseArtistKind(
    const std::string& text);
std::string ArtistKindName(catalog::v1::ArtistKind kind);
absl::StatusOr<catalog::v1::ProductionKind> ParseProductionKind(
    const std::string& text);
std::string ProductionKindName(catalog::v1::ProductionKind kind);

// `provider:id[:version]`, e.g. `itunes:1619364935` or
// `itunes:1619364936:explicit` (versions: single, album, explicit, clean,
// remix).
absl::StatusOr<common::v1::ProviderTrackId> ParseProviderId(
    const std::string& text);

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_ARGS_H_
