// The region sets the simulator draws from: the storefronts of the iTunes
// song chart, the aggregates and the European storefronts.
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_REGIONS_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_REGIONS_H_

#include <string>
#include <string_view>
#include <vector>

namespace hitclock::records::sim {

// The 119 iTunes storefronts that publish a Top Songs chart, in code order
// (from `feeds/itunes_storefronts.txt`, column `itunes_songs` = Y). `kr` and
// `cn` are not among them.
const std::vector<std::string>& ItunesSongChartRegions();

// The tracker aggregates the simulator can add: `ww` (worldwide) and `eu`
// (European). They are regions of kind AGGREGATE and never count as
// countries.
const std::vector<std::string>& AggregateRegions();

// True for `ww` and `eu`.
bool IsAggregateRegion(std::string_view code);

// True for the European storefronts among `ItunesSongChartRegions()` (the
// ones an `eu` aggregate summarizes).
bool IsEuropeanRegion(std::string_view code);

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_REGIONS_H_
