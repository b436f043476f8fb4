#include "services/catalog/validation.h"

#include <algorithm>
#include <array>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/proto_time.h"
#include "common/status.h"
#include "services/catalog/core/normalize.h"

namespace hitclock::catalog {
namespace {

// ISO 3166-1 alpha-2, lowercase (from Debian's iso-codes 4.15).
constexpr std::array kCountryCodes = {
    "ad", "ae", "af", "ag", "ai", "al", "am", "ao", "aq", "ar", "as", "at",
    "au", "aw", "ax", "az", "ba", "bb", "bd", "be", "bf", "bg", "bh", "bi",
    "bj", "bl", "bm", "bn", "bo", "bq", "br", "bs", "bt", "bv", "bw", "by",
    "bz", "ca", "cc", "cd", "cf", "cg", "ch", "ci", "ck", "cl", "cm", "cn",
    "co", "cr", "cu", "cv", "cw", "cx", "cy", "cz", "de", "dj", "dk", "dm",
    "do", "dz", "ec", "ee", "eg", "eh", "er", "es", "et", "fi", "fj", "fk",
    "fm", "fo", "fr", "ga", "gb", "gd", "ge", "gf", "gg", "gh", "gi", "gl",
    "gm", "gn", "gp", "gq", "gr", "gs", "gt", "gu", "gw", "gy", "hk", "hm",
    "hn", "hr", "ht", "hu", "id", "ie", "il", "im", "in", "io", "iq", "ir",
    "is", "it", "je", "jm", "jo", "jp", "ke", "kg", "kh", "ki", "km", "kn",
    "kp", "kr", "kw", "ky", "kz", "la", "lb", "lc", "li", "lk", "lr", "ls",
    "lt", "lu", "lv", "ly", "ma", "mc", "md", "me", "mf", "mg", "mh", "mk",
    "ml", "mm", "mn", "mo", "mp", "mq", "mr", "ms", "mt", "mu", "mv", "mw",
    "mx", "my", "mz", "na", "nc", "ne", "nf", "ng", "ni", "nl", "no", "np",
    "nr", "nu", "nz", "om", "pa", "pe", "pf", "pg", "ph", "pk", "pl", "pm",
    "pn", "pr", "ps", "pt", "pw", "py", "qa", "re", "ro", "rs", "ru", "rw",
    "sa", "sb", "sc", "sd", "se", "sg", "sh", "si", "sj", "sk", "sl", "sm",
    "sn", "so", "sr", "ss", "st", "sv", "sx", "sy", "sz", "tc", "td", "tf",
    "tg", "th", "tj", "tk", "tl", "tm", "tn", "to", "tr", "tt", "tv", "tw",
    "tz", "ua", "ug", "um", "us", "uy", "uz", "va", "vc", "ve", "vg", "vi",
    "vn", "vu", "wf", "ws", "ye", "yt", "za", "zm", "zw",
};

// ISO 639-1 (from Debian's iso-codes 4.15).
constexpr std::array kLanguageCodes = {
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az",
    "ba", "be", "bg", "bh", "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce",
    "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee",
    "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr",
    "ht", "hu", "hy", "hz", "ia", "id", "ie", "ig", "ii", "ik", "io", "is",
    "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn",
    "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms",
    "mt", "my", "na", "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv",
    "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu",
    "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta",
    "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw",
    "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa", "wo", "xh", "yi",
    "yo", "za", "zh", "zu",
};

using common::InvalidField;

// abseil 20220623 as Debian builds it has its own string_view.
absl::string_view Sv(std::string_view s) { return {s.data(), s.size()}; }

std::string Field(std::string_view parent, std::string_view name) {
  return absl::StrCat(Sv(parent), ".", Sv(name));
}

std::string Indexed(std::string_view parent, std::string_view name, int i) {
  return absl::StrCat(Sv(parent), ".", Sv(name), "[", i, "]");
}

// Checks a free-text string: valid UTF-8, bounded, and non-blank when
// `required`.
absl::Status CheckText(std::string_view value, const std::string& field,
                       bool required) {
  if (value.size() > kMaxStringBytes) {
    return InvalidField(field, absl::StrFormat("is %d bytes; at most %d",
                                               value.size(), kMaxStringBytes));
  }
  if (!core::IsValidUtf8(value)) return InvalidField(field, "is not UTF-8");
  if (required && absl::StripAsciiWhitespace(Sv(value)).empty()) {
    return InvalidField(field, "must not be empty");
  }
  return absl::OkStatus();
}

absl::Status CheckId(std::string_view id, const std::string& field,
                     bool required) {
  if (id.empty()) {
    return required ? InvalidField(field, "must not be empty")
                    : absl::OkStatus();
  }
  if (!IsValidId(id)) {
    return InvalidField(
        field, absl::StrCat("\"", absl::CEscape(Sv(id.substr(0, 80))),
                            "\" is not an id: use 1 to 64 of [a-z0-9-], "
                            "starting with a letter or digit"));
  }
  return absl::OkStatus();
}

template <typename Repeated>
absl::Status CheckCount(const Repeated& values, const std::string& field) {
  if (values.size() > kMaxRepeated) {
    return InvalidField(field, absl::StrFormat("has %d elements; at most %d",
                                               values.size(), kMaxRepeated));
  }
  return absl::OkStatus();
}

absl::Status CheckTexts(
    const google::protobuf::RepeatedPtrField<std::string>& values,
    std::string_view parent, std::string_view name) {
  if (auto s = CheckCount(values, Field(parent, name)); !s.ok()) return s;
  for (int i = 0; i < values.size(); ++i) {
    if (auto s = CheckText(values[i], Indexed(parent, name, i), true);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// A valid Timestamp (`common::CheckTimestamp`, as every service checks
// them) within 1900-01-01 .. 2200-01-01: anything else is a typo, not a
// release or a member's start.
absl::Status CheckCatalogTime(const google::protobuf::Timestamp& t,
                              const std::string& field) {
  if (absl::Status s = common::CheckTimestamp(t, field); !s.ok()) return s;
  constexpr int64_t kMin = -2208988800;
  constexpr int64_t kMax = 7258118400;
  if (t.seconds() < kMin || t.seconds() >= kMax) {
    return InvalidField(field, "is out of range (1900 to 2200)");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsCountryCode(std::string_view code) {
  if (code.size() != 2) return false;
  std::string lower = absl::AsciiStrToLower(Sv(code));
  return std::binary_search(kCountryCodes.begin(), kCountryCodes.end(),
                            std::string_view(lower));
}

bool IsLanguageCode(std::string_view code) {
  return code.size() == 2 &&
         std::binary_search(kLanguageCodes.begin(), kLanguageCodes.end(), code);
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.front() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string SlugFromText(std::string_view text) {
  std::string slug;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      slug.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 48) slug.resize(48);
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

absl::Status ValidateArtist(v1::Artist& artist, std::string_view field,
                            bool id_required) {
  if (auto s = CheckId(artist.id(), Field(field, "id"), id_required); !s.ok())
    return s;
  if (auto s = CheckText(artist.name(), Field(field, "name"), true); !s.ok())
    return s;
  if (core::NameKey(artist.name()).empty()) {
    return InvalidField(Field(field, "name"),
                        "has no letters or digits to match on");
  }
  if (artist.kind() == v1::ARTIST_KIND_UNSPECIFIED ||
      !v1::ArtistKind_IsValid(artist.kind())) {
    return InvalidField(Field(field, "kind"),
                        "must be ARTIST_KIND_SOLO or ARTIST_KIND_GROUP");
  }
  if (!artist.origin_country().empty()) {
    if (!IsCountryCode(artist.origin_country())) {
      return InvalidField(
          Field(field, "origin_country"),
          absl::StrCat("\"",
                       absl::CEscape(artist.origin_country().substr(0, 16)),
                       "\" is not an ISO 3166-1 alpha-2 code"));
    }
    artist.set_origin_country(absl::AsciiStrToUpper(artist.origin_country()));
  }
  if (auto s = CheckTexts(artist.aliases(), field, "aliases"); !s.ok())
    return s;
  for (int i = 0; i < artist.aliases_size(); ++i) {
    if (core::NameKey(artist.aliases(i)).empty()) {
      return InvalidField(Indexed(field, "aliases", i),
                          "has no letters or digits to match on");
    }
  }
  if (auto s = CheckCount(artist.memberships(), Field(field, "memberships"));
      !s.ok())
    return s;
  std::set<std::string> groups;
  for (int i = 0; i < artist.memberships_size(); ++i) {
    const auto& m = artist.memberships(i);
    std::string mf = Indexed(field, "memberships", i);
    if (auto s = CheckId(m.group_id(), Field(mf, "group_id"), true); !s.ok())
      return s;
    if (!artist.id().empty() && m.group_id() == artist.id()) {
      return InvalidField(Field(mf, "group_id"),
                          "an artist cannot be a member of itself");
    }
    if (!groups.insert(m.group_id()).second) {
      return InvalidField(
          Field(mf, "group_id"),
          absl::StrCat("names group \"", m.group_id(), "\" twice"));
    }
    if (m.has_start_time()) {
      if (auto s = CheckCatalogTime(m.start_time(), Field(mf, "start_time"));
          !s.ok())
        return s;
    }
    if (m.has_end_time()) {
      if (auto s = CheckCatalogTime(m.end_time(), Field(mf, "end_time"));
          !s.ok())
        return s;
      if (m.has_start_time() &&
          m.end_time().seconds() < m.start_time().seconds()) {
        return InvalidField(Field(mf, "end_time"), "is before start_time");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTrack(v1::Track& track, std::string_view field,
                           bool id_required) {
  if (auto s = CheckId(track.id(), Field(field, "id"), id_required); !s.ok())
    return s;
  if (auto s = CheckText(track.title(), Field(field, "title"), true); !s.ok())
    return s;
  if (core::ParseTitle(track.title()).key.empty()) {
    return InvalidField(Field(field, "title"),
                        "has no letters or digits to match on");
  }
  if (auto s = CheckTexts(track.title_aliases(), field, "title_aliases");
      !s.ok())
    return s;
  if (track.artists().empty()) {
    return InvalidField(Field(field, "artists"),
                        "must credit at least one main artist");
  }
  if (auto s = CheckCount(track.artists(), Field(field, "artists")); !s.ok())
    return s;
  std::set<std::string> seen;
  bool has_main = false;
  for (int i = 0; i < track.artists_size(); ++i) {
    const auto& a = track.artists(i);
    std::string af = Indexed(field, "artists", i);
    if (auto s = CheckId(a.artist_id(), Field(af, "artist_id"), true); !s.ok())
      return s;
    if (!seen.insert(a.artist_id()).second) {
      return InvalidField(
          Field(af, "artist_id"),
          absl::StrCat("credits \"", a.artist_id(), "\" twice"));
    }
    if (a.role() == v1::CREDIT_ROLE_UNSPECIFIED ||
        !v1::CreditRole_IsValid(a.role())) {
      return InvalidField(Field(af, "role"),
                          "must be CREDIT_ROLE_MAIN or CREDIT_ROLE_FEATURED");
    }
    has_main = has_main || a.role() == v1::CREDIT_ROLE_MAIN;
  }
  if (!has_main) {
    return InvalidField(Field(field, "artists"),
                        "must credit at least one main artist");
  }
  if (!track.has_release_time()) {
    return InvalidField(Field(field, "release_time"),
                        "is required: time-to-threshold starts there");
  }
  if (auto s =
          CheckCatalogTime(track.release_time(), Field(field, "release_time"));
      !s.ok())
    return s;
  if (auto s = CheckText(track.release_time_source(),
                         Field(field, "release_time_source"), false);
      !s.ok())
    return s;
  if (!v1::TrackKind_IsValid(track.kind())) {
    return InvalidField(Field(field, "kind"), "is not a TrackKind");
  }
  if (auto s = CheckCount(track.languages(), Field(field, "languages"));
      !s.ok())
    return s;
  for (int i = 0; i < track.languages_size(); ++i) {
    if (!IsLanguageCode(track.languages(i))) {
      return InvalidField(
          Indexed(field, "languages", i),
          absl::StrCat("\"", absl::CEscape(track.languages(i).substr(0, 16)),
                       "\" is not a lowercase ISO 639-1 code"));
    }
  }
  if (auto s = CheckCount(track.provider_ids(), Field(field, "provider_ids"));
      !s.ok())
    return s;
  std::set<std::tuple<std::string, std::string, std::string>> ids;
  for (int i = 0; i < track.provider_ids_size(); ++i) {
    auto& p = *track.mutable_provider_ids(i);
    std::string pf = Indexed(field, "provider_ids", i);
    if (!IsValidId(p.provider())) {
      return InvalidField(Field(pf, "provider"),
                          "must be a lowercase provider name like \"itunes\"");
    }
    if (auto s = CheckText(p.id(), Field(pf, "id"), true); !s.ok()) return s;
    if (p.id().size() > 128) {
      return InvalidField(Field(pf, "id"), "is longer than 128 bytes");
    }
    if (!hitclock::common::v1::TrackVersion_IsValid(p.version())) {
      return InvalidField(Field(pf, "version"), "is not a TrackVersion");
    }
    if (!p.storefront().empty()) {
      if (!IsCountryCode(p.storefront())) {
        return InvalidField(Field(pf, "storefront"),
                            "is not an ISO 3166-1 alpha-2 storefront code");
      }
      p.set_storefront(absl::AsciiStrToLower(p.storefront()));
    }
    if (!ids.emplace(p.provider(), p.id(), p.storefront()).second) {
      return InvalidField(pf, "repeats an earlier provider id");
    }
  }
  if (auto s = CheckCount(track.contributors(), Field(field, "contributors"));
      !s.ok())
    return s;
  for (int i = 0; i < track.contributors_size(); ++i) {
    const auto& c = track.contributors(i);
    std::string cf = Indexed(field, "contributors", i);
    if (auto s = CheckText(c.name(), Field(cf, "name"), true); !s.ok())
      return s;
    if (c.role() == v1::CONTRIBUTOR_ROLE_UNSPECIFIED ||
        !v1::ContributorRole_IsValid(c.role())) {
      return InvalidField(Field(cf, "role"), "must be set");
    }
  }
  return CheckId(track.production_id(), Field(field, "production_id"), false);
}

absl::Status ValidateProduction(v1::Production& production,
                                std::string_view field, bool id_required) {
  if (auto s = CheckId(production.id(), Field(field, "id"), id_required);
      !s.ok())
    return s;
  if (auto s = CheckText(production.title(), Field(field, "title"), true);
      !s.ok())
    return s;
  if (production.kind() == v1::PRODUCTION_KIND_UNSPECIFIED ||
      !v1::ProductionKind_IsValid(production.kind())) {
    return InvalidField(Field(field, "kind"),
                        "must be PRODUCTION_KIND_DRAMA, _FILM or _OTHER");
  }
  for (const auto& [value, name] :
       {std::pair{&production.network(), "network"},
        {&production.production_company(), "production_company"},
        {&production.ost_production_company(), "ost_production_company"},
        {&production.description(), "description"}}) {
    if (auto s = CheckText(*value, Field(field, name), false); !s.ok())
      return s;
  }
  if (!production.premiere_date().empty()) {
    absl::CivilDay day;
    if (production.premiere_date().size() != 10 ||
        !absl::ParseCivilTime(production.premiere_date(), &day)) {
      return InvalidField(Field(field, "premiere_date"),
                          "must be a date YYYY-MM-DD");
    }
  }
  if (auto s = CheckTexts(production.cast(), field, "cast"); !s.ok()) return s;
  if (auto s = CheckTexts(production.writers(), field, "writers"); !s.ok())
    return s;
  return CheckTexts(production.streaming_platforms(), field,
                    "streaming_platforms");
}

}  // namespace hitclock::catalog
