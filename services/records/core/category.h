// Category membership: which tracks a `Category` selects, and which watched
// categories a track belongs to.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_CATEGORY_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_CATEGORY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/records/core/types.h"

namespace hitclock::records::core {

// Returns `country` in upper case (`kr` -> `KR`).
std::string NormalizeCountry(std::string_view country);

// Returns `category` with its origin country upper-cased: the form the core
// compares and reports.
Category NormalizeCategory(Category category);

// The UTC year of an instant.
int UtcYear(Micros instant);

// Whether `facts` satisfy every filter of `category`:
// - kind: the track's kind (unset counts as a single) equals it;
// - performer kSoloTrack: exactly one main artist, a soloist; kBySoloist:
//   some credited artist is a soloist; kByGroup: some credited artist is a
//   group;
// - origin country: some credited artist comes from it, and with a
//   performer filter it is that same artist (the solo track's main artist,
//   a soloist, a group);
// - release year: the release instant's UTC year equals it (a track without
//   a release instant matches no year).
bool Matches(const Category& category, const TrackFacts& facts);

// The watched categories `facts` belong to, normalized, without
// duplicates, sorted: every track, its kind, each performer filter it
// matches, each origin country of its credited artists, its release year,
// and every pair of those that it matches (kind+performer, kind+origin,
// kind+year, performer+origin with the same artist, performer+year,
// origin+year).
std::vector<Category> WatchedCategories(const TrackFacts& facts);

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_CATEGORY_H_
