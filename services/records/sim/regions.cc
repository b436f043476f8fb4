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
  static const auto* const kAggregates =
      new std::vector<std::string>{"ww", "eu"};
  return *kAggregates;
}

bool IsAggregateRegion(std::string_view code) {
  return code == "ww" || code == "eu";
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
