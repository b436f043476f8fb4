#include "services/records/sim/catalog_json.h"

#include "common/json_escape.h"
#include "services/records/sim/output.h"  // FormatTimestamp

namespace hitclock::records::sim {
namespace {

void AppendStringArray(const std::vector<std::string>& values,
                       std::string* out) {
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->append(", ");
    common::AppendJsonString(values[i], out);
  }
  out->push_back(']');
}

}  // namespace

std::string CatalogDocumentJson(const std::vector<CatalogArtist>& artists,
                                const std::vector<CatalogTrack>& tracks) {
  std::string out = "{\n  \"document\": {\n    \"artists\": [\n";
  for (size_t i = 0; i < artists.size(); ++i) {
    const CatalogArtist& a = artists[i];
    out.append("      {\"id\": ");
    common::AppendJsonString(a.id, &out);
    out.append(", \"name\": ");
    common::AppendJsonString(a.name, &out);
    out.append(a.group ? ", \"kind\": \"ARTIST_KIND_GROUP\""
                       : ", \"kind\": \"ARTIST_KIND_SOLO\"");
    if (!a.origin_country.empty()) {
      out.append(", \"originCountry\": ");
      common::AppendJsonString(a.origin_country, &out);
    }
    if (!a.aliases.empty()) {
      out.append(", \"aliases\": ");
      AppendStringArray(a.aliases, &out);
    }
    out.append(i + 1 < artists.size() ? "},\n" : "}\n");
  }
  out.append("    ],\n    \"productions\": [],\n    \"tracks\": [\n");
  for (size_t i = 0; i < tracks.size(); ++i) {
    const CatalogTrack& t = tracks[i];
    out.append("      {\"id\": ");
    common::AppendJsonString(t.id, &out);
    out.append(", \"title\": ");
    common::AppendJsonString(t.title, &out);
    if (!t.title_aliases.empty()) {
      out.append(", \"titleAliases\": ");
      AppendStringArray(t.title_aliases, &out);
    }
    out.append(", \"artists\": [");
    for (size_t j = 0; j < t.artists.size(); ++j) {
      if (j > 0) out.append(", ");
      out.append("{\"artistId\": ");
      common::AppendJsonString(t.artists[j].artist_id, &out);
      out.append(t.artists[j].featured ? ", \"role\": \"CREDIT_ROLE_FEATURED\"}"
                                       : ", \"role\": \"CREDIT_ROLE_MAIN\"}");
    }
    out.append("], \"releaseTime\": \"");
    out.append(FormatTimestamp(t.release_micros));
    out.push_back('"');
    if (!t.release_source.empty()) {
      out.append(", \"releaseTimeSource\": ");
      common::AppendJsonString(t.release_source, &out);
    }
    if (!t.kind.empty()) {
      out.append(", \"kind\": ");
      common::AppendJsonString(t.kind, &out);
    }
    if (!t.languages.empty()) {
      out.append(", \"languages\": ");
      AppendStringArray(t.languages, &out);
    }
    out.append(", \"providerIds\": [");
    for (size_t j = 0; j < t.provider_ids.size(); ++j) {
      if (j > 0) out.append(", ");
      out.append("{\"provider\": \"itunes\", \"id\": ");
      common::AppendJsonString(t.provider_ids[j].id, &out);
      out.append(", \"version\": ");
      common::AppendJsonString(t.provider_ids[j].version, &out);
      out.push_back('}');
    }
    out.append(i + 1 < tracks.size() ? "]},\n" : "]}\n");
  }
  out.append("    ]\n  }\n}\n");
  return out;
}

}  // namespace hitclock::records::sim
