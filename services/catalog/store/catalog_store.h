// The catalog store: artists, groups, aliases, tracks, credits, provider
// ids and productions in SQLite, as the catalog's proto messages, with the
// change log the records service follows.
#ifndef HITCLOCK_SERVICES_CATALOG_STORE_CATALOG_STORE_H_
#define HITCLOCK_SERVICES_CATALOG_STORE_CATALOG_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "SQLiteCpp/Database.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/sqlite.h"
#include "hitclock/catalog/v1/catalog.pb.h"

namespace hitclock::catalog {

// What one write did to one resource.
enum class WriteOutcome { kCreated, kUpdated, kUnchanged };

// A page of a listing: the rows and, when more follow, the id to continue
// after.
template <typename T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> last_id;  // set when another page may follow
};

// Filters of `ListTracks`, combined with AND; empty/zero fields match all.
struct TrackFilter {
  std::string artist_id;
  bool include_group_tracks = false;
  std::string production_id;
  int kind = 0;
  int release_year = 0;
};

// Filters of `ListArtists`, combined with AND.
struct ArtistFilter {
  int kind = 0;
  std::string origin_country;  // uppercase
  std::string group_id;
  std::string name_key;  // core::NameKey of a name or alias
};

// The catalog's durable state in one SQLite file. Resources are stored as
// their proto messages (the document) beside the indexed columns the
// listings and constraints need.
//
// Not thread-safe: the caller serializes every call (`CatalogHandler` holds
// one mutex). Every write method runs in one transaction: on any error
// nothing of it stays. Messages passed in are already validated field by
// field (`validation.h`); the store checks what needs other rows: ids taken,
// names and aliases naming another artist, referenced artists, groups and
// productions.
class CatalogStore {
 public:
  // Opens (or creates) `path` and applies the schema migrations; commits
  // are as durable as `durability` says.
  static absl::StatusOr<std::unique_ptr<CatalogStore>> Open(
      const std::string& path,
      common::Durability durability = common::Durability::kFull);

  // The secret that keys this store's page tokens (`common::PageTokens`):
  // made when the file was created and kept in it (a fresh one for an
  // in-memory database).
  const std::string& page_token_secret() const { return page_token_secret_; }

  // Creates `artist` (its id set) with times `now`. ALREADY_EXISTS when the
  // id is taken or a name key names another artist; INVALID_ARGUMENT when a
  // membership names no group.
  absl::Status CreateArtist(v1::Artist& artist, absl::Time now);
  // Replaces the artist with `artist.id()`; NOT_FOUND when there is none.
  absl::StatusOr<WriteOutcome> ReplaceArtist(v1::Artist& artist,
                                             absl::Time now);
  absl::StatusOr<v1::Artist> GetArtist(const std::string& id);
  absl::StatusOr<Page<v1::Artist>> ListArtists(const ArtistFilter& filter,
                                               const std::string& after_id,
                                               int limit);
  // FAILED_PRECONDITION while a track credits the artist or an artist is a
  // member of it.
  absl::Status DeleteArtist(const std::string& id, absl::Time now);

  absl::Status CreateTrack(v1::Track& track, absl::Time now);
  absl::StatusOr<WriteOutcome> ReplaceTrack(v1::Track& track, absl::Time now);
  absl::StatusOr<v1::Track> GetTrack(const std::string& id);
  absl::StatusOr<Page<v1::Track>> ListTracks(const TrackFilter& filter,
                                             const std::string& after_id,
                                             int limit);
  absl::Status DeleteTrack(const std::string& id, absl::Time now);

  absl::Status CreateProduction(v1::Production& production, absl::Time now);
  absl::StatusOr<WriteOutcome> ReplaceProduction(v1::Production& production,
                                                 absl::Time now);
  absl::StatusOr<v1::Production> GetProduction(const std::string& id);
  absl::StatusOr<Page<v1::Production>> ListProductions(
      int kind, const std::string& after_id, int limit);
  // FAILED_PRECONDITION while a track links to the production.
  absl::Status DeleteProduction(const std::string& id, absl::Time now);

  // Loads `document` in one transaction: artists (then their memberships),
  // productions, tracks; each created, replaced or left alone. Every
  // resource needs its id. Field paths in errors start with `document.`.
  absl::StatusOr<v1::ImportCatalogResponse> Import(
      v1::CatalogDocument& document, absl::Time now);

  // Changes after `after_revision`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<v1::Change>> ListChanges(int64_t after_revision,
                                                      int limit);
  absl::StatusOr<int64_t> LatestRevision();

  // Calls `fn` for every artist, then the caller may call `ForEachTrack`:
  // how the resolver index is built at start.
  absl::Status ForEachArtist(const std::function<void(const v1::Artist&)>& fn);
  absl::Status ForEachTrack(const std::function<void(const v1::Track&)>& fn);

  // True when an id is taken (for deriving free ids).
  absl::StatusOr<bool> ArtistExists(const std::string& id);
  absl::StatusOr<bool> TrackExists(const std::string& id);
  absl::StatusOr<bool> ProductionExists(const std::string& id);

 private:
  explicit CatalogStore(std::unique_ptr<SQLite::Database> db);

  // The bodies of the write methods; they run inside a transaction.
  absl::StatusOr<WriteOutcome> PutArtistRow(v1::Artist& artist,
                                            const std::string& field,
                                            bool must_be_new, absl::Time now);
  absl::Status PutMemberships(const v1::Artist& artist,
                              const std::string& field);
  absl::StatusOr<WriteOutcome> PutTrack(v1::Track& track,
                                        const std::string& field,
                                        bool must_be_new, absl::Time now);
  absl::StatusOr<WriteOutcome> PutProduction(v1::Production& production,
                                             const std::string& field,
                                             bool must_be_new, absl::Time now);
  void RecordChange(v1::ResourceKind kind, const std::string& id, bool deleted,
                    absl::Time now);

  std::unique_ptr<SQLite::Database> db_;
  std::string page_token_secret_;
};

}  // namespace hitclock::catalog

#endif  // HITCLOCK_SERVICES_CATALOG_STORE_CATALOG_STORE_H_
