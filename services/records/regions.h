// The regions records knows: Apple's storefront codes and the tracker
// aggregates, both from the one table of `common/storefronts.h`.
#ifndef HITCLOCK_SERVICES_RECORDS_REGIONS_H_
#define HITCLOCK_SERVICES_RECORDS_REGIONS_H_

#include <string_view>

namespace hitclock::records {

// True for one of the 155 Apple storefront codes (lowercase ISO 3166-1
// alpha-2), whether or not the storefront has an iTunes song chart.
bool IsStorefront(std::string_view code);

// True for the aggregates trackers compute (`common::AggregateRegions()`:
// `ww` worldwide, `eu` European).
bool IsKnownAggregate(std::string_view code);

}  // namespace hitclock::records

#endif  // HITCLOCK_SERVICES_RECORDS_REGIONS_H_
