// The simulator's companion catalog: the artists and tracks a generated
// stream names, written as the catalog import document (one resource per
// line) so that a stream and its catalog load together.
#ifndef HITCLOCK_SERVICES_RECORDS_SIM_CATALOG_JSON_H_
#define HITCLOCK_SERVICES_RECORDS_SIM_CATALOG_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

namespace hitclock::records::sim {

// An artist of a companion catalog document.
struct CatalogArtist {
  std::string id;
  std::string name;
  bool group = false;
  // ISO 3166-1 alpha-2, upper case (`KR`).
  std::string origin_country;
  std::vector<std::string> aliases;
};

// A credited artist of a catalog track.
struct CatalogCredit {
  std::string artist_id;
  bool featured = false;
};

// A store item of a catalog track.
struct CatalogProviderId {
  // The iTunes item id.
  std::string id;
  // A `TRACK_VERSION_*` enum name.
  std::string version;
};

// A track of a companion catalog document.
struct CatalogTrack {
  std::string id;
  std::string title;
  std::vector<std::string> title_aliases;
  std::vector<CatalogCredit> artists;
  int64_t release_micros = 0;
  std::string release_source;
  // A `TRACK_KIND_*` enum name.
  std::string kind;
  std::vector<std::string> languages;
  // All with provider `itunes`.
  std::vector<CatalogProviderId> provider_ids;
};

// A `hitclock.catalog.v1.ImportCatalogRequest` in proto3 JSON
// (`{"document":{"artists":[...],"productions":[],"tracks":[...]}}`), one
// resource per line, the shape of `demo/catalog.json`.
std::string CatalogDocumentJson(const std::vector<CatalogArtist>& artists,
                                const std::vector<CatalogTrack>& tracks);

}  // namespace hitclock::records::sim

#endif  // HITCLOCK_SERVICES_RECORDS_SIM_CATALOG_JSON_H_
