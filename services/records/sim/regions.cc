#include "services/records/sim/regions.h"

#include <algorithm>

#include "common/storefronts.h"

namespace hitclock::records::sim {

const std::vector<std::string>& ItunesSongChartRegions() {
  static const auto* const kRegions = [] {
    const auto codes = common::ItunesSongChartCountries();
    return new std::vector<std::string>(codes.begin(), codes.end());
  }();
  return *kRegions;
}

const std::vector<std::string>& AggregateRegions() {
  // The shared table's aggregates in the simulator's draw order, worldwide
  // first (reverse code order): the demo stream depends on that order.
  static const auto* const kAggregates = [] {
    auto* codes = new std::vector<std::string>;
    for (const common::AggregateRegion& a : common::AggregateRegions()) {
      codes->emplace_back(a.code);
    }
    std::sort(codes->rbegin(), codes->rend());
    return codes;
  }();
  return *kAggregates;
}

bool IsAggregateRegion(std::string_view code) {
  return common::IsAggregateRegion(code);
}

bool IsEuropeanRegion(std::string_view code) {
  static constexpr std::string_view kEurope[] = {
      "at", "be", "bg", "by", "ch", "cy", "cz", "de", "dk", "ee", "es",
      "fi", "fr", "gb", "gr", "hu", "ie", "it", "lt", "lu", "lv", "md",
      "mt", "nl", "no", "pl", "pt", "ro", "ru", "se", "si", "sk", "ua"};
  return std::find(std::begin(kEurope), std::end(kEurope), code) !=
         std::end(kEurope);
}

}  // namespace hitclock::records::sim
