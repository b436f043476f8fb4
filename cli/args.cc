#include "cli/args.h"

#include <cctype>
#include <cmath>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/chart_id.h"

namespace hitclock::client {
namespace {

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

// The number in `text`, or nullopt (whole numbers and decimals both).
std::optional<double> NumberIn(const std::string& text) {
  double value = 0;
  if (!absl::SimpleAtod(absl::StripAsciiWhitespace(text), &value) ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

CLI::Validator Positive() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const std::optional<double> value = NumberIn(text);
        if (!value) return absl::StrCat("must be a number (got ", text, ")");
        if (*value <= 0) {
          return absl::StrCat("must be more than 0 (got ", text, ")");
        }
        return "";
      },
      "POSITIVE", "Positive");
}

CLI::Validator InRange(int64_t low, int64_t high) {
  return CLI::Validator(
      [low, high](std::string& text) -> std::string {
        const std::optional<double> value = NumberIn(text);
        if (!value) return absl::StrCat("must be a number (got ", text, ")");
        if (*value < static_cast<double>(low) ||
            *value > static_cast<double>(high)) {
          return absl::StrCat("must be ", low, " to ", high, " (got ", text,
                              ")");
        }
        return "";
      },
      absl::StrCat("[", low, " - ", high, "]"), "InRange");
}

absl::StatusOr<common::v1::ChartId> ParseChart(const std::string& text) {
  // Users may type `iTunes/Top-Songs`; chart ids are lowercase slugs, so the
  // text is folded first and then checked by the one chart-id parser.
  absl::StatusOr<common::ChartId> parsed =
      common::ParseChartName(Lower(text), "--chart");
  if (!parsed.ok()) return parsed.status();
  common::v1::ChartId chart;
  chart.set_provider(std::move(parsed->provider));
  chart.set_list(std::move(parsed->list));
  return chart;
}

std::string ChartName(const common::v1::ChartId& chart) {
  return absl::StrCat(chart.provider(), "/", chart.list());
}

absl::StatusOr<records::v1::Metric> ParseMetric(const std::string& text) {
  const std::string m = Lower(text);
  if (m == "fastest") return records::v1::METRIC_FASTEST;
  if (m == "total") return records::v1::METRIC_TOTAL;
  if (m == "peak") return records::v1::METRIC_PEAK;
  if (m == "allkill" || m == "all-kill") return records::v1::METRIC_ALL_KILL;
  return absl::InvalidArgumentError(absl::StrCat(
      "metric \"", text, "\": expected fastest, total, peak or allkill"));
}

std::string MetricName(records::v1::Metric metric) {
  switch (metric) {
    case records::v1::METRIC_FASTEST:
      return "fastest";
    case records::v1::METRIC_TOTAL:
      return "total";
    case records::v1::METRIC_PEAK:
      return "peak";
    case records::v1::METRIC_ALL_KILL:
      return "allkill";
    default:
      return "unspecified";
  }
}

absl::StatusOr<catalog::v1::TrackKind> ParseTrackKind(const std::string& text) {
  const std::string k = Lower(text);
  if (k == "single") return catalog::v1::TRACK_KIND_SINGLE;
  if (k == "ost") return catalog::v1::TRACK_KIND_OST;
  if (k == "album-track" || k == "album") {
    return catalog::v1::TRACK_KIND_ALBUM_TRACK;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "track kind \"", text, "\": expected single, ost or album-track"));
}

std::string TrackKindName(catalog::v1::TrackKind kind) {
  switch (kind) {
    case catalog::v1::TRACK_KIND_SINGLE:
      return "single";
    case catalog::v1::TRACK_KIND_OST:
      return "ost";
    case catalog::v1::TRACK_KIND_ALBUM_TRACK:
      return "album-track";
    default:
      return "";
  }
}

absl::StatusOr<catalog::v1::ArtistKind> ParseArtistKind(
    const std::string& text) {
  const std::string k = Lower(text);
  if (k == "solo" || k == "soloist") return catalog::v1::ARTIST_KIND_SOLO;
  if (k == "group") return catalog::v1::ARTIST_KIND_GROUP;
  return absl::InvalidArgumentError(
      absl::StrCat("artist kind \"", text, "\": expected solo or group"));
}

std::string ArtistKindName(catalog::v1::ArtistKind kind) {
  switch (kind) {
    case catalog::v1::ARTIST_KIND_SOLO:
      return "solo";
    case catalog::v1::ARTIST_KIND_GROUP:
      return "group";
    default:
      return "";
  }
}

absl::StatusOr<catalog::v1::ProductionKind> ParseProductionKind(
    const std::string& text) {
  const std::string k = Lower(text);
  if (k == "drama") return catalog::v1::PRODUCTION_KIND_DRAMA;
  if (k == "film") return catalog::v1::PRODUCTION_KIND_FILM;
  if (k == "other") return catalog::v1::PRODUCTION_KIND_OTHER;
  return absl::InvalidArgumentError(absl::StrCat(
      "production kind \"", text, "\": expected drama, film or other"));
}

std::string ProductionKindName(catalog::v1::ProductionKind kind) {
  switch (kind) {
    case catalog::v1::PRODUCTION_KIND_DRAMA:
      return "drama";
    case catalog::v1::PRODUCTION_KIND_FILM:
      return "film";
    case catalog::v1::PRODUCTION_KIND_OTHER:
      return "other";
    default:
      return "";
  }
}

absl::StatusOr<common::v1::ProviderTrackId> ParseProviderId(
    const std::string& text) {
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() ||
      parts[1].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "provider id \"", text,
        "\": expected provider:id[:version], e.g. itunes:1619364935"));
  }
  common::v1::ProviderTrackId id;
  id.set_provider(Lower(parts[0]));
  id.set_id(parts[1]);
  if (parts.size() == 3) {
    const std::string v = Lower(parts[2]);
    if (v == "single") {
      id.set_version(common::v1::TRACK_VERSION_SINGLE);
    } else if (v == "album") {
      id.set_version(common::v1::TRACK_VERSION_ALBUM);
    } else if (v == "explicit") {
      id.set_version(common::v1::TRACK_VERSION_EXPLICIT);
    } else if (v == "clean") {
      id.set_version(common::v1::TRACK_VERSION_CLEAN);
    } else if (v == "remix") {
      id.set_version(common::v1::TRACK_VERSION_REMIX);
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "provider id \"", text,
          "\": version must be single, album, explicit, clean or remix"));
    }
  }
  return id;
}

absl::StatusOr<records::v1::Category> ParseCategory(
    const std::vector<std::string>& terms) {
  records::v1::Category category;
  std::string kind_from, performer_from, country_from, year_from;
  auto conflict = [](const std::string& what, const std::string& a,
                     const std::string& b) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--category: \"", a, "\" and \"", b, "\" both set the ", what));
  };
  auto set_kind = [&](catalog::v1::TrackKind kind,
                      const std::string& term) -> absl::Status {
    if (!kind_from.empty() && category.track_kind() != kind) {
      return conflict("track kind", kind_from, term);
    }
    category.set_track_kind(kind);
    kind_from = term;
    return absl::OkStatus();
  };
  auto set_performer = [&](records::v1::Performer p,
                           const std::string& term) -> absl::Status {
    if (!performer_from.empty() && category.performer() != p) {
      return conflict("performer", performer_from, term);
    }
    category.set_performer(p);
    performer_from = term;
    return absl::OkStatus();
  };
  auto performer =
      [](const std::string& v) -> absl::StatusOr<records::v1::Performer> {
    if (v == "solo" || v == "solo-track") {
      return records::v1::PERFORMER_SOLO_TRACK;
    }
    if (v == "soloist" || v == "by-soloist") {
      return records::v1::PERFORMER_BY_SOLOIST;
    }
    if (v == "group" || v == "by-group") return records::v1::PERFORMER_BY_GROUP;
    return absl::InvalidArgumentError(absl::StrCat(
        "--category: performer \"", v, "\": expected solo, soloist or group"));
  };
  for (const std::string& arg : terms) {
    for (absl::string_view piece :
         absl::StrSplit(arg, ',', absl::SkipEmpty())) {
      const std::string term(absl::StripAsciiWhitespace(piece));
      if (term.empty()) continue;
      std::string key, value;
      if (auto eq = term.find('='); eq != std::string::npos) {
        key = Lower(term.substr(0, eq));
        value = term.substr(eq + 1);
      } else {
        value = term;
        const std::string v = Lower(term);
        int year = 0;
        if (v == "ost" || v == "single" || v == "album-track" || v == "album") {
          key = "kind";
        } else if (v == "solo" || v == "solo-track" || v == "soloist" ||
                   v == "by-soloist" || v == "group" || v == "by-group") {
          key = "performer";
        } else if (v.size() == 4 && absl::SimpleAtoi(v, &year)) {
          key = "year";
        } else if (v.size() == 2 && std::isalpha(v[0]) && std::isalpha(v[1])) {
          key = "country";
        } else {
          return absl::InvalidArgumentError(absl::StrCat(
              "--category: unknown term \"", term,
              "\"; expected ost, single, album-track, solo, soloist, group, "
              "country=CC or year=YYYY"));
        }
      }
      if (key == "kind") {
        auto kind = ParseTrackKind(value);
        if (!kind.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat("--category: ", kind.status().message()));
        }
        if (auto s = set_kind(*kind, term); !s.ok()) return s;
      } else if (key == "performer") {
        auto p = performer(Lower(value));
        if (!p.ok()) return p.status();
        if (auto s = set_performer(*p, term); !s.ok()) return s;
      } else if (key == "country" || key == "origin") {
        const std::string cc = absl::AsciiStrToUpper(value);
        if (cc.size() != 2 || !std::isalpha(cc[0]) || !std::isalpha(cc[1])) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--category: \"", term,
              "\": a country is an ISO 3166-1 alpha-2 code such as KR"));
        }
        if (!country_from.empty() && category.origin_country() != cc) {
          return conflict("origin country", country_from, term);
        }
        category.set_origin_country(cc);
        country_from = term;
      } else if (key == "year") {
        int year = 0;
        if (!absl::SimpleAtoi(value, &year) || year < 1900 || year > 2200) {
          return absl::InvalidArgumentError(
              absl::StrCat("--category: \"", term, "\": a year is like 2021"));
        }
        if (!year_from.empty() && category.release_year() != year) {
          return conflict("release year", year_from, term);
        }
        category.set_release_year(year);
        year_from = term;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--category: unknown key \"", key,
                         "\"; expected kind, performer, country or year"));
      }
    }
  }
  return category;
}

std::string CategoryName(const records::v1::Category& category) {
  std::vector<std::string> parts;
  if (category.track_kind() != catalog::v1::TRACK_KIND_UNSPECIFIED) {
    parts.push_back(TrackKindName(category.track_kind()));
  }
  switch (category.performer()) {
    case records::v1::PERFORMER_SOLO_TRACK:
      parts.push_back("solo");
      break;
    case records::v1::PERFORMER_BY_SOLOIST:
      parts.push_back("soloist");
      break;
    case records::v1::PERFORMER_BY_GROUP:
      parts.push_back("group");
      break;
    default:
      break;
  }
  if (!category.origin_country().empty()) {
    parts.push_back(absl::AsciiStrToUpper(category.origin_country()));
  }
  if (category.release_year() != 0) {
    parts.push_back(absl::StrCat(category.release_year()));
  }
  return parts.empty() ? "all tracks" : absl::StrJoin(parts, ", ");
}

}  // namespace hitclock::client
