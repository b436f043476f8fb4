#include "services/records/sim/regions.h"

#include <algorithm>

namespace hitclock::records::sim {

const std::vector<std::string>& ItunesSongChartRegions() {
  static const auto* const kRegions = new std::vector<std::string>{
      "ae", "ag", "ai", "am", "ar", "at", "au", "az", "bb", "be", "bf", "bg",
      "bh", "bm", "bn", "bo", "br", "bs", "bw", "by", "bz", "ca", "ch", "cl",
      "co", "cr", "cv", "cy", "cz", "de", "dk", "dm", "do", "ec", "ee", "eg",
      "es", "fi", "fj", "fm", "fr", "gb", "gd", "gh", "gm", "gr", "gt", "gw",
      "hk", "hn", "hu", "id", "ie", "il", "in", "it", "jo", "jp", "ke", "kg",
      "kh", "kn", "ky", "kz", "la", "lb", "lk", "lt", "lu", "lv", "md", "mn",
      "mo", "mt", "mu", "mx", "my", "mz", "na", "ne", "ng", "ni", "nl", "no",
      "np", "nz", "om", "pa", "pe", "pg", "ph", "pl", "pt", "py", "qa", "ro",
      "ru", "sa", "se", "sg", "si", "sk", "sv", "sz", "th", "tj", "tm", "tr",
      "tt", "tw", "ua", "ug", "us", "uz", "ve", "vg", "vn", "za", "zw"};
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
