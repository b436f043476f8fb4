#include "services/records/core/category.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace hitclock::records::core {
namespace {

TrackKind EffectiveKind(TrackKind kind) {
  return kind == TrackKind::kUnspecified ? TrackKind::kSingle : kind;
}

// Whether `artist` satisfies the performer filter on its own (for
// kSoloTrack, the caller checks that it is the only main artist).
bool ArtistFits(Performer performer, const CreditedArtist& artist) {
  switch (performer) {
    case Performer::kAny:
      return true;
    case Performer::kSoloTrack:
      return artist.role == CreditRole::kMain &&
             artist.kind == ArtistKind::kSoloist;
    case Performer::kBySoloist:
      return artist.kind == ArtistKind::kSoloist;
    case Performer::kByGroup:
      return artist.kind == ArtistKind::kGroup;
  }
  return false;
}

bool OriginFits(const std::string& origin, const CreditedArtist& artist) {
  return origin.empty() ||
         absl::EqualsIgnoreCase(artist.origin_country, origin);
}

}  // namespace

std::string NormalizeCountry(std::string_view country) {
  std::string out(country);
  absl::AsciiStrToUpper(&out);
  return out;
}

Category NormalizeCategory(Category category) {
  category.origin_country = NormalizeCountry(category.origin_country);
  return category;
}

int UtcYear(Micros instant) {
  return static_cast<int>(
      absl::ToCivilYear(absl::FromUnixMicros(instant), absl::UTCTimeZone())
          .year());
}

bool Matches(const Category& category, const TrackFacts& facts) {
  if (category.kind != TrackKind::kUnspecified &&
      EffectiveKind(facts.kind) != category.kind) {
    return false;
  }
  if (category.release_year != 0 &&
      (!facts.release_time.has_value() ||
       UtcYear(*facts.release_time) != category.release_year)) {
    return false;
  }
  if (category.performer == Performer::kSoloTrack) {
    const CreditedArtist* main = nullptr;
    for (const CreditedArtist& artist : facts.artists) {
      if (artist.role != CreditRole::kMain) continue;
      if (main != nullptr) return false;
      main = &artist;
    }
    return main != nullptr && ArtistFits(Performer::kSoloTrack, *main) &&
           OriginFits(category.origin_country, *main);
  }
  if (category.performer == Performer::kAny &&
      category.origin_country.empty()) {
    return true;
  }
  return std::any_of(facts.artists.begin(), facts.artists.end(),
                     [&](const CreditedArtist& artist) {
                       return ArtistFits(category.performer, artist) &&
                              OriginFits(category.origin_country, artist);
                     });
}

std::vector<Category> WatchedCategories(const TrackFacts& facts) {
  std::vector<TrackKind> kinds = {TrackKind::kUnspecified,
                                  EffectiveKind(facts.kind)};
  std::vector<Performer> performers = {Performer::kAny, Performer::kSoloTrack,
                                       Performer::kBySoloist,
                                       Performer::kByGroup};
  std::vector<std::string> origins = {""};
  for (const CreditedArtist& artist : facts.artists) {
    if (artist.origin_country.empty()) continue;
    std::string origin = NormalizeCountry(artist.origin_country);
    if (std::find(origins.begin(), origins.end(), origin) == origins.end()) {
      origins.push_back(std::move(origin));
    }
  }
  std::vector<int> years = {0};
  if (facts.release_time.has_value()) {
    years.push_back(UtcYear(*facts.release_time));
  }
  std::vector<Category> out;
  for (TrackKind kind : kinds) {
    for (Performer performer : performers) {
      for (const std::string& origin : origins) {
        for (int year : years) {
          Category category{kind, performer, origin, year};
          // At most two filters set: singles and pairs.
          int filters = (kind != TrackKind::kUnspecified) +
                        (performer != Performer::kAny) + !origin.empty() +
                        (year != 0);
          if (filters <= 2 && Matches(category, facts)) {
            out.push_back(std::move(category));
          }
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace hitclock::records::core
