#include "common/storefronts.h"

#include <algorithm>
#include <array>
#include <vector>

namespace hitclock::common {
namespace {

// Generated from shared/feeds/itunes_storefronts.txt (cc, itunes_songs,
// apple_music, name); sorted by code. Never read at run time.
constexpr std::array<Storefront, 155> kStorefronts = {{
    {"ae", true, true, "UAE"},
    {"ag", true, true, "Antigua and Barbuda"},
    {"ai", true, true, "Anguilla"},
    {"al", false, false, "Albania"},
    {"am", true, true, "Armenia"},
    {"ao", false, false, "Angola"},
    {"ar", true, true, "Argentina"},
    {"at", true, true, "Austria"},
    {"au", true, true, "Australia"},
    {"az", true, true, "Azerbaijan"},
    {"bb", true, true, "Barbados"},
    {"be", true, true, "Belgium"},
    {"bf", true, false, "Burkina Faso"},
    {"bg", true, true, "Bulgaria"},
    {"bh", true, true, "Bahrain"},
    {"bj", false, false, "Benin"},
    {"bm", true, true, "Bermuda"},
    {"bn", true, false, "Brunei Darussalam"},
    {"bo", true, true, "Bolivia"},
    {"br", true, true, "Brazil"},
    {"bs", true, false, "Bahamas"},
    {"bt", false, false, "Bhutan"},
    {"bw", true, true, "Botswana"},
    {"by", true, true, "Belarus"},
    {"bz", true, true, "Belize"},
    {"ca", true, true, "Canada"},
    {"cg", false, false, "Congo, Republic of the"},
    {"ch", true, true, "Switzerland"},
    {"cl", true, true, "Chile"},
    {"cn", false, true, "China"},
    {"co", true, true, "Colombia"},
    {"cr", true, true, "Costa Rica"},
    {"cv", true, true, "Cape Verde"},
    {"cy", true, true, "Cyprus"},
    {"cz", true, true, "Czech Republic"},
    {"de", true, true, "Germany"},
    {"dk", true, true, "Denmark"},
    {"dm", true, true, "Dominica"},
    {"do", true, true, "Dominican Republic"},
    {"dz", false, false, "Algeria"},
    {"ec", true, true, "Ecuador"},
    {"ee", true, true, "Estonia"},
    {"eg", true, true, "Egypt"},
    {"es", true, true, "Spain"},
    {"fi", true, true, "Finland"},
    {"fj", true, true, "Fiji"},
    {"fm", true, true, "Micronesia, Federated States of"},
    {"fr", true, true, "France"},
    {"gb", true, true, "United Kingdom"},
    {"gd", true, true, "Grenada"},
    {"gh", true, true, "Ghana"},
    {"gm", true, true, "Gambia"},
    {"gr", true, true, "Greece"},
    {"gt", true, true, "Guatemala"},
    {"gw", true, true, "Guinea-Bissau"},
    {"gy", false, false, "Guyana"},
    {"hk", true, true, "Hong Kong"},
    {"hn", true, true, "Honduras"},
    {"hr", false, false, "Croatia"},
    {"hu", true, true, "Hungary"},
    {"id", true, true, "Indonesia"},
    {"ie", true, true, "Ireland"},
    {"il", true, true, "Israel"},
    {"in", true, true, "India"},
    {"is", false, false, "Iceland"},
    {"it", true, true, "Italy"},
    {"jm", false, false, "Jamaica"},
    {"jo", true, true, "Jordan"},
    {"jp", true, true, "Japan"},
    {"ke", true, true, "Kenya"},
    {"kg", true, true, "Kyrgyzstan"},
    {"kh", true, true, "Cambodia"},
    {"kn", true, true, "St. Kitts and Nevis"},
    {"kr", false, true, "Korea, Republic of"},
    {"kw", false, false, "Kuwait"},
    {"ky", true, true, "Cayman Islands"},
    {"kz", true, true, "Kazakhstan"},
    {"la", true, true, "Lao People's Democratic Republic"},
    {"lb", true, true, "Lebanon"},
    {"lc", false, false, "St. Lucia"},
    {"lk", true, true, "Sri Lanka"},
    {"lr", false, false, "Liberia"},
    {"lt", true, true, "Lithuania"},
    {"lu", true, true, "Luxembourg"},
    {"lv", true, true, "Latvia"},
    {"md", true, true, "Moldova"},
    {"mg", false, false, "Madagascar"},
    {"mk", false, false, "Macedonia"},
    {"ml", false, false, "Mali"},
    {"mn", true, true, "Mongolia"},
    {"mo", true, true, "Macau"},
    {"mr", false, false, "Mauritania"},
    {"ms", false, false, "Montserrat"},
    {"mt", true, true, "Malta"},
    {"mu", true, true, "Mauritius"},
    {"mw", false, false, "Malawi"},
    {"mx", true, true, "Mexico"},
    {"my", true, true, "Malaysia"},
    {"mz", true, false, "Mozambique"},
    {"na", true, false, "Namibia"},
    {"ne", true, true, "Niger"},
    {"ng", true, true, "Nigeria"},
    {"ni", true, true, "Nicaragua"},
    {"nl", true, true, "Netherlands"},
    {"no", true, true, "Norway"},
    {"np", true, true, "Nepal"},
    {"nz", true, true, "New Zealand"},
    {"om", true, true, "Oman"},
    {"pa", true, true, "Panama"},
    {"pe", true, true, "Peru"},
    {"pg", true, true, "Papua New Guinea"},
    {"ph", true, true, "Philippines"},
    {"pk", false, false, "Pakistan"},
    {"pl", true, true, "Poland"},
    {"pt", true, true, "Portugal"},
    {"pw", false, false, "Palau"},
    {"py", true, true, "Paraguay"},
    {"qa", true, false, "Qatar"},
    {"ro", true, true, "Romania"},
    {"ru", true, true, "Russia"},
    {"sa", true, true, "Saudi Arabia"},
    {"sb", false, false, "Solomon Islands"},
    {"sc", false, false, "Seychelles"},
    {"se", true, true, "Sweden"},
    {"sg", true, true, "Singapore"},
    {"si", true, true, "Slovenia"},
    {"sk", true, true, "Slovakia"},
    {"sl", false, false, "Sierra Leone"},
    {"sn", false, false, "Senegal"},
    {"sr", false, false, "Suriname"},
    {"st", false, false, "São Tomé and Príncipe"},
    {"sv", true, true, "El Salvador"},
    {"sz", true, true, "Swaziland"},
    {"tc", false, false, "Turks and Caicos"},
    {"td", false, false, "Chad"},
    {"th", true, true, "Thailand"},
    {"tj", true, true, "Tajikistan"},
    {"tm", true, true, "Turkmenistan"},
    {"tn", false, false, "Tunisia"},
    {"tr", true, true, "Turkey"},
    {"tt", true, true, "Trinidad and Tobago"},
    {"tw", true, true, "Taiwan"},
    {"tz", false, false, "Tanzania"},
    {"ua", true, true, "Ukraine"},
    {"ug", true, true, "Uganda"},
    {"us", true, true, "United States"},
    {"uy", false, false, "Uruguay"},
    {"uz", true, true, "Uzbekistan"},
    {"vc", false, false, "St. Vincent and The Grenadines"},
    {"ve", true, true, "Venezuela"},
    {"vg", true, true, "British Virgin Islands"},
    {"vn", true, true, "Vietnam"},
    {"ye", false, false, "Yemen"},
    {"za", true, true, "South Africa"},
    {"zw", true, true, "Zimbabwe"},
}};

constexpr bool IsSortedUnique() {
  for (size_t i = 1; i < kStorefronts.size(); ++i) {
    if (!(kStorefronts[i - 1].code < kStorefronts[i].code)) return false;
  }
  return true;
}
static_assert(IsSortedUnique(), "kStorefronts must be sorted by code");

// The trackers' aggregates, sorted by code.
constexpr std::array<AggregateRegion, 2> kAggregateRegions = {{
    {"eu", "European"},
    {"ww", "Worldwide"},
}};

}  // namespace

std::span<const Storefront> Storefronts() { return kStorefronts; }

std::span<const std::string_view> ItunesSongChartCountries() {
  static const std::vector<std::string_view>* const codes = [] {
    auto* out = new std::vector<std::string_view>();
    for (const Storefront& s : kStorefronts) {
      if (s.has_itunes_song_chart) out->push_back(s.code);
    }
    return out;
  }();
  return *codes;
}

const Storefront* FindStorefront(std::string_view code) {
  auto it = std::lower_bound(
      kStorefronts.begin(), kStorefronts.end(), code,
      [](const Storefront& s, std::string_view c) { return s.code < c; });
  if (it == kStorefronts.end() || it->code != code) return nullptr;
  return &*it;
}

std::span<const AggregateRegion> AggregateRegions() {
  return kAggregateRegions;
}

bool IsAggregateRegion(std::string_view code) {
  return std::any_of(
      kAggregateRegions.begin(), kAggregateRegions.end(),
      [code](const AggregateRegion& a) { return a.code == code; });
}

std::optional<RegionKind> RegionKindOf(std::string_view code) {
  if (IsAggregateRegion(code)) return RegionKind::kAggregate;
  if (FindStorefront(code) != nullptr) return RegionKind::kCountry;
  return std::nullopt;
}

}  // namespace hitclock::common
