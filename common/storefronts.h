// The regions a snapshot may name: Apple's storefront codes and the
// trackers' aggregates. Pure (library `hitclock_domain`, also known as
// `hitclock_storefronts`): the services and the simulator share this one
// table of storefronts and this one list of aggregates.
#ifndef HITCLOCK_COMMON_STOREFRONTS_H_
#define HITCLOCK_COMMON_STOREFRONTS_H_

#include <optional>
#include <span>
#include <string_view>

namespace hitclock::common {

// What a region is; mirrors `hitclock.common.v1.RegionKind`.
enum class RegionKind {
  kUnspecified = 0,
  // A country storefront (`us`): counts toward "N countries".
  kCountry = 1,
  // A tracker's aggregate (`ww`, `eu`): never counts as a country.
  kAggregate = 2,
};

// One Apple media storefront as Apple listed them in November 2017 (the 155
// rows of `shared/feeds/itunes_storefronts.txt`, embedded at build time).
struct Storefront {
  // Lowercase ISO 3166-1 alpha-2 code, e.g. `us`.
  std::string_view code;
  // Whether the storefront had an iTunes song chart (119 of them did).
  bool has_itunes_song_chart;
  // Whether Apple Music was available there (2017).
  bool has_apple_music;
  // Apple's name for it, e.g. `United States`.
  std::string_view name;
};

// Returns all 155 storefronts, sorted by code.
std::span<const Storefront> Storefronts();

// Returns the storefront with this exact (lowercase) code, or nullptr.
const Storefront* FindStorefront(std::string_view code);

// The codes of the storefronts that have an iTunes song chart (119), sorted:
// the country set of `itunes/top-songs` (an all-kill is #1 in all of them).
std::span<const std::string_view> ItunesSongChartCountries();

// One aggregate region computed by trackers: never a country.
struct AggregateRegion {
  // Lowercase code, e.g. `ww`.
  std::string_view code;
  // What it summarizes, e.g. `Worldwide`.
  std::string_view name;
};

// The aggregates every service knows: `ww` (worldwide) and `eu` (European),
// sorted by code.
std::span<const AggregateRegion> AggregateRegions();

// True for the code of one of `AggregateRegions()`.
bool IsAggregateRegion(std::string_view code);

// Returns the kind of a region code: kCountry for a storefront code,
// kAggregate for one of `AggregateRegions()` (`ww`, `eu`), nullopt for anything
// else (codes are lowercase; `US` is not a code).
std::optional<RegionKind> RegionKindOf(std::string_view code);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_STOREFRONTS_H_
