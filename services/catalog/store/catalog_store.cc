#include "services/catalog/store/catalog_store.h"

#include <set>
#include <utility>
#include <variant>

#include "SQLiteCpp/Statement.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/page_token_secret.h"
#include "common/sqlite.h"
#include "common/status.h"
#include "google/protobuf/util/message_differencer.h"
#include "services/catalog/core/normalize.h"

namespace hitclock::catalog {
namespace {

using common::InvalidField;
using google::protobuf::Timestamp;

enum class Mode { kCreate, kReplace, kUpsert };

const common::Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE artists (
  id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  origin_country TEXT NOT NULL,
  body BLOB NOT NULL
) WITHOUT ROWID;
-- Every normalized name and alias key names one artist.
CREATE TABLE artist_names (
  name_key TEXT PRIMARY KEY,
  artist_id TEXT NOT NULL REFERENCES artists(id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX artist_names_by_artist ON artist_names(artist_id);
CREATE TABLE memberships (
  artist_id TEXT NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
  group_id TEXT NOT NULL REFERENCES artists(id),
  PRIMARY KEY (artist_id, group_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_group ON memberships(group_id);
CREATE TABLE productions (
  id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  body BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE tracks (
  id TEXT PRIMARY KEY,
  kind INTEGER NOT NULL,
  release_year INTEGER NOT NULL,
  production_id TEXT REFERENCES productions(id),
  body BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX tracks_by_production ON tracks(production_id);
CREATE INDEX tracks_by_year ON tracks(release_year);
CREATE TABLE track_artists (
  track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  artist_id TEXT NOT NULL REFERENCES artists(id),
  PRIMARY KEY (track_id, artist_id)
) WITHOUT ROWID;
CREATE INDEX track_artists_by_artist ON track_artists(artist_id);
-- A provider id (per storefront, '' = all) names one track.
CREATE TABLE provider_ids (
  provider TEXT NOT NULL,
  provider_track_id TEXT NOT NULL,
  storefront TEXT NOT NULL,
  track_id TEXT NOT NULL REFERENCES tracks(id) ON DELETE CASCADE,
  PRIMARY KEY (provider, provider_track_id, storefront)
) WITHOUT ROWID;
CREATE INDEX provider_ids_by_track ON provider_ids(track_id);
CREATE TABLE changes (
  revision INTEGER PRIMARY KEY AUTOINCREMENT,
  kind INTEGER NOT NULL,
  id TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  change_time_us INTEGER NOT NULL
);
)sql"},
    // The secret that keys this store's page tokens.
    common::PageTokenSecretMigration(2),
};

Timestamp ToProto(absl::Time t) {
  Timestamp ts;
  const int64_t us = absl::ToUnixMicros(t);
  ts.set_seconds(us / 1000000);
  ts.set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
  return ts;
}

int ReleaseYear(const Timestamp& t) {
  return static_cast<int>(
      absl::ToCivilYear(absl::FromUnixSeconds(t.seconds()), absl::UTCTimeZone())
          .year());
}

// Reads a blob column into a message; false when it does not parse.
template <typename Message>
bool ParseBody(const SQLite::Column& column, Message& message) {
  return message.ParseFromArray(column.getBlob(), column.getBytes());
}

void BindBody(SQLite::Statement& q, int index, const std::string& body) {
  q.bind(index, body.data(), static_cast<int>(body.size()));
}

// True when `a` and `b` differ only in their output-only times.
template <typename Message>
bool SameContent(Message a, Message b) {
  a.clear_create_time();
  a.clear_update_time();
  b.clear_create_time();
  b.clear_update_time();
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

template <typename Message>
absl::StatusOr<std::optional<Message>> LoadBody(SQLite::Database& db,
                                                const char* sql,
                                                const std::string& id) {
  SQLite::Statement q(db, sql);
  q.bind(1, id);
  if (!q.executeStep()) return std::optional<Message>();
  Message message;
  if (!ParseBody(q.getColumn(0), message)) {
    return absl::DataLossError(
        absl::StrCat("stored body of \"", id, "\" does not parse"));
  }
  return std::optional<Message>(std::move(message));
}

bool Exists(SQLite::Database& db, const char* sql, const std::string& id) {
  SQLite::Statement q(db, sql);
  q.bind(1, id);
  return q.executeStep();
}

// Runs `fn`, turning a SQLite exception into a status.
template <typename Fn>
auto Guarded(Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return common::StatusFromSqlite(e);
  }
}

using Bind = std::variant<std::string, int64_t>;

void BindAll(SQLite::Statement& q, const std::vector<Bind>& binds) {
  int i = 1;
  for (const auto& b : binds) {
    if (const auto* s = std::get_if<std::string>(&b)) {
      q.bind(i++, *s);
    } else {
      q.bind(i++, static_cast<int64_t>(std::get<int64_t>(b)));
    }
  }
}

// Runs a listing query whose first column is the body and second the id.
template <typename Message>
absl::StatusOr<Page<Message>> RunPage(SQLite::Database& db,
                                      const std::string& sql,
                                      const std::vector<Bind>& binds,
                                      int limit) {
  SQLite::Statement q(db, sql);
  BindAll(q, binds);
  Page<Message> page;
  while (q.executeStep()) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.last_id = page.items.empty() ? "" : page.items.back().id();
      break;
    }
    Message m;
    if (!ParseBody(q.getColumn(0), m)) {
      return absl::DataLossError(absl::StrCat("stored body of \"",
                                              q.getColumn(1).getString(),
                                              "\" does not parse"));
    }
    page.items.push_back(std::move(m));
  }
  return page;
}

void Count(WriteOutcome outcome, v1::ImportCounts& counts) {
  switch (outcome) {
    case WriteOutcome::kCreated:
      counts.set_created(counts.created() + 1);
      break;
    case WriteOutcome::kUpdated:
      counts.set_updated(counts.updated() + 1);
      break;
    case WriteOutcome::kUnchanged:
      counts.set_unchanged(counts.unchanged() + 1);
      break;
  }
}

std::string Indexed(absl::string_view parent, absl::string_view name, int i) {
  return absl::StrCat(parent, ".", name, "[", i, "]");
}

}  // namespace

CatalogStore::CatalogStore(std::unique_ptr<SQLite::Database> db)
    : db_(std::move(db)) {}

absl::StatusOr<std::unique_ptr<CatalogStore>> CatalogStore::Open(
    const std::string& path, common::Durability durability) {
  auto db = common::OpenDatabase(path, kMigrations, durability);
  if (!db.ok()) return db.status();
  auto secret = common::LoadPageTokenSecret(**db);
  if (!secret.ok()) return secret.status();
  std::unique_ptr<CatalogStore> store(new CatalogStore(std::move(*db)));
  store->page_token_secret_ = *std::move(secret);
  return store;
}

void CatalogStore::RecordChange(v1::ResourceKind kind, const std::string& id,
                                bool deleted, absl::Time now) {
  SQLite::Statement q(*db_,
                      "INSERT INTO changes(kind, id, deleted, change_time_us) "
                      "VALUES (?, ?, ?, ?)");
  q.bind(1, static_cast<int>(kind));
  q.bind(2, id);
  q.bind(3, deleted ? 1 : 0);
  q.bind(4, static_cast<int64_t>(absl::ToUnixMicros(now)));
  q.exec();
}

// ---------------------------------------------------------------- artists

absl::StatusOr<WriteOutcome> CatalogStore::PutArtistRow(
    v1::Artist& artist, const std::string& field, bool must_be_new,
    absl::Time now) {
  auto existing = LoadBody<v1::Artist>(
      *db_, "SELECT body FROM artists WHERE id = ?", artist.id());
  if (!existing.ok()) return existing.status();
  if (must_be_new && existing->has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(
        field, ".id: artist \"", artist.id(), "\" already exists"));
  }
  // Every name key must be free or already this artist's.
  std::vector<std::pair<std::string, std::string>> keys;  // key, field
  keys.emplace_back(core::NameKey(artist.name()), field + ".name");
  for (int i = 0; i < artist.aliases_size(); ++i) {
    keys.emplace_back(core::NameKey(artist.aliases(i)),
                      Indexed(field, "aliases", i));
  }
  SQLite::Statement owner(*db_,
                          "SELECT artist_id FROM artist_names WHERE "
                          "name_key = ?");
  for (const auto& [key, key_field] : keys) {
    owner.reset();
    owner.bind(1, key);
    if (owner.executeStep()) {
      std::string other = owner.getColumn(0).getString();
      if (other != artist.id()) {
        return absl::AlreadyExistsError(absl::StrCat(
            key_field, ": the name already names artist \"", other, "\""));
      }
    }
  }
  if (existing->has_value()) {
    if (SameContent(**existing, artist)) {
      artist = **existing;
      return WriteOutcome::kUnchanged;
    }
    *artist.mutable_create_time() = (*existing)->create_time();
  } else {
    *artist.mutable_create_time() = ToProto(now);
  }
  *artist.mutable_update_time() = ToProto(now);

  SQLite::Statement put(*db_,
                        "INSERT INTO artists(id, kind, origin_country, body) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                        "kind = excluded.kind, origin_country = "
                        "excluded.origin_country, body = excluded.body");
  put.bind(1, artist.id());
  put.bind(2, static_cast<int>(artist.kind()));
  put.bind(3, artist.origin_country());
  const std::string body = artist.SerializeAsString();
  BindBody(put, 4, body);
  put.exec();

  SQLite::Statement clear(*db_, "DELETE FROM artist_names WHERE artist_id = ?");
  clear.bind(1, artist.id());
  clear.exec();
  SQLite::Statement name(*db_,
                         "INSERT OR IGNORE INTO artist_names(name_key, "
                         "artist_id) VALUES (?, ?)");
  for (const auto& key : keys) {
    name.reset();
    name.bind(1, key.first);
    name.bind(2, artist.id());
    name.exec();
  }
  RecordChange(v1::RESOURCE_KIND_ARTIST, artist.id(), false, now);
  return existing->has_value() ? WriteOutcome::kUpdated
                               : WriteOutcome::kCreated;
}

absl::Status CatalogStore::PutMemberships(const v1::Artist& artist,
                                          const std::string& field) {
  SQLite::Statement clear(*db_, "DELETE FROM memberships WHERE artist_id = ?");
  clear.bind(1, artist.id());
  clear.exec();
  SQLite::Statement kind(*db_, "SELECT kind FROM artists WHERE id = ?");
  SQLite::Statement put(*db_,
                        "INSERT INTO memberships(artist_id, group_id) VALUES "
                        "(?, ?)");
  for (int i = 0; i < artist.memberships_size(); ++i) {
    const std::string& group = artist.memberships(i).group_id();
    const std::string group_field =
        Indexed(field, "memberships", i) + ".group_id";
    kind.reset();
    kind.bind(1, group);
    if (!kind.executeStep()) {
      return InvalidField(group_field,
                          absl::StrCat("names no artist: \"", group, "\""));
    }
    if (kind.getColumn(0).getInt() != v1::ARTIST_KIND_GROUP) {
      return InvalidField(group_field,
                          absl::StrCat("\"", group, "\" is not a group"));
    }
    put.reset();
    put.bind(1, artist.id());
    put.bind(2, group);
    put.exec();
  }
  return absl::OkStatus();
}

absl::Status CatalogStore::CreateArtist(v1::Artist& artist, absl::Time now) {
  return common::InTransaction(*db_, [&]() -> absl::Status {
    auto outcome = PutArtistRow(artist, "artist", true, now);
    if (!outcome.ok()) return outcome.status();
    return PutMemberships(artist, "artist");
  });
}

absl::StatusOr<WriteOutcome> CatalogStore::ReplaceArtist(v1::Artist& artist,
                                                         absl::Time now) {
  WriteOutcome outcome = WriteOutcome::kUnchanged;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    if (!Exists(*db_, "SELECT 1 FROM artists WHERE id = ?", artist.id())) {
      return absl::NotFoundError(
          absl::StrCat("artist \"", artist.id(), "\" does not exist"));
    }
    auto put = PutArtistRow(artist, "artist", false, now);
    if (!put.ok()) return put.status();
    outcome = *put;
    return PutMemberships(artist, "artist");
  });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<v1::Artist> CatalogStore::GetArtist(const std::string& id) {
  return Guarded([&]() -> absl::StatusOr<v1::Artist> {
    auto artist =
        LoadBody<v1::Artist>(*db_, "SELECT body FROM artists WHERE id = ?", id);
    if (!artist.ok()) return artist.status();
    if (!artist->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("artist \"", id, "\" does not exist"));
    }
    return std::move(**artist);
  });
}

absl::StatusOr<Page<v1::Artist>> CatalogStore::ListArtists(
    const ArtistFilter& filter, const std::string& after_id, int limit) {
  return Guarded([&]() -> absl::StatusOr<Page<v1::Artist>> {
    std::string sql = "SELECT body, id FROM artists WHERE id > ?";
    std::vector<Bind> binds = {after_id};
    if (filter.kind != 0) {
      sql += " AND kind = ?";
      binds.push_back(int64_t{filter.kind});
    }
    if (!filter.origin_country.empty()) {
      sql += " AND origin_country = ?";
      binds.push_back(filter.origin_country);
    }
    if (!filter.group_id.empty()) {
      sql +=
          " AND id IN (SELECT artist_id FROM memberships WHERE group_id = ?)";
      binds.push_back(filter.group_id);
    }
    if (!filter.name_key.empty()) {
      sql +=
          " AND id IN (SELECT artist_id FROM artist_names WHERE name_key = ?)";
      binds.push_back(filter.name_key);
    }
    sql += " ORDER BY id LIMIT ?";
    binds.push_back(int64_t{limit + 1});
    return RunPage<v1::Artist>(*db_, sql, binds, limit);
  });
}

absl::Status CatalogStore::DeleteArtist(const std::string& id, absl::Time now) {
  return common::InTransaction(*db_, [&]() -> absl::Status {
    if (!Exists(*db_, "SELECT 1 FROM artists WHERE id = ?", id)) {
      return absl::NotFoundError(
          absl::StrCat("artist \"", id, "\" does not exist"));
    }
    SQLite::Statement credit(
        *db_, "SELECT track_id FROM track_artists WHERE artist_id = ? LIMIT 1");
    credit.bind(1, id);
    if (credit.executeStep()) {
      return absl::FailedPreconditionError(
          absl::StrCat("artist \"", id, "\" is credited on track \"",
                       credit.getColumn(0).getString(),
                       "\": delete or re-credit its tracks first"));
    }
    SQLite::Statement member(
        *db_, "SELECT artist_id FROM memberships WHERE group_id = ? LIMIT 1");
    member.bind(1, id);
    if (member.executeStep()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "artist \"", id, "\" is the group of member \"",
          member.getColumn(0).getString(), "\": remove its members first"));
    }
    SQLite::Statement del(*db_, "DELETE FROM artists WHERE id = ?");
    del.bind(1, id);
    del.exec();
    RecordChange(v1::RESOURCE_KIND_ARTIST, id, true, now);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- tracks

absl::StatusOr<WriteOutcome> CatalogStore::PutTrack(v1::Track& track,
                                                    const std::string& field,
                                                    bool must_be_new,
                                                    absl::Time now) {
  auto existing = LoadBody<v1::Track>(
      *db_, "SELECT body FROM tracks WHERE id = ?", track.id());
  if (!existing.ok()) return existing.status();
  if (must_be_new && existing->has_value()) {
    return absl::AlreadyExistsError(
        absl::StrCat(field, ".id: track \"", track.id(), "\" already exists"));
  }
  for (int i = 0; i < track.artists_size(); ++i) {
    const std::string& artist = track.artists(i).artist_id();
    if (!Exists(*db_, "SELECT 1 FROM artists WHERE id = ?", artist)) {
      return InvalidField(Indexed(field, "artists", i) + ".artist_id",
                          absl::StrCat("names no artist: \"", artist, "\""));
    }
  }
  if (!track.production_id().empty() &&
      !Exists(*db_, "SELECT 1 FROM productions WHERE id = ?",
              track.production_id())) {
    return InvalidField(
        field + ".production_id",
        absl::StrCat("names no production: \"", track.production_id(), "\""));
  }
  SQLite::Statement owner(*db_,
                          "SELECT track_id FROM provider_ids WHERE provider = "
                          "? AND provider_track_id = ? AND storefront = ?");
  for (int i = 0; i < track.provider_ids_size(); ++i) {
    const auto& p = track.provider_ids(i);
    owner.reset();
    owner.bind(1, p.provider());
    owner.bind(2, p.id());
    owner.bind(3, p.storefront());
    if (owner.executeStep() && owner.getColumn(0).getString() != track.id()) {
      return absl::AlreadyExistsError(
          absl::StrCat(Indexed(field, "provider_ids", i), ": ", p.provider(),
                       " id ", p.id(), " already belongs to track \"",
                       owner.getColumn(0).getString(), "\""));
    }
  }
  if (existing->has_value()) {
    if (SameContent(**existing, track)) {
      track = **existing;
      return WriteOutcome::kUnchanged;
    }
    *track.mutable_create_time() = (*existing)->create_time();
  } else {
    *track.mutable_create_time() = ToProto(now);
  }
  *track.mutable_update_time() = ToProto(now);

  SQLite::Statement put(
      *db_,
      "INSERT INTO tracks(id, kind, release_year, production_id, body) VALUES "
      "(?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
      "release_year = excluded.release_year, production_id = "
      "excluded.production_id, body = excluded.body");
  put.bind(1, track.id());
  put.bind(2, static_cast<int>(track.kind()));
  put.bind(3, ReleaseYear(track.release_time()));
  if (track.production_id().empty()) {
    put.bind(4);
  } else {
    put.bind(4, track.production_id());
  }
  const std::string body = track.SerializeAsString();
  BindBody(put, 5, body);
  put.exec();

  for (const char* sql : {"DELETE FROM track_artists WHERE track_id = ?",
                          "DELETE FROM provider_ids WHERE track_id = ?"}) {
    SQLite::Statement clear(*db_, sql);
    clear.bind(1, track.id());
    clear.exec();
  }
  SQLite::Statement credit(
      *db_, "INSERT INTO track_artists(track_id, artist_id) VALUES (?, ?)");
  for (const auto& a : track.artists()) {
    credit.reset();
    credit.bind(1, track.id());
    credit.bind(2, a.artist_id());
    credit.exec();
  }
  SQLite::Statement pid(*db_,
                        "INSERT INTO provider_ids(provider, provider_track_id, "
                        "storefront, track_id) VALUES (?, ?, ?, ?)");
  for (const auto& p : track.provider_ids()) {
    pid.reset();
    pid.bind(1, p.provider());
    pid.bind(2, p.id());
    pid.bind(3, p.storefront());
    pid.bind(4, track.id());
    pid.exec();
  }
  RecordChange(v1::RESOURCE_KIND_TRACK, track.id(), false, now);
  return existing->has_value() ? WriteOutcome::kUpdated
                               : WriteOutcome::kCreated;
}

absl::Status CatalogStore::CreateTrack(v1::Track& track, absl::Time now) {
  return common::InTransaction(*db_, [&]() -> absl::Status {
    return PutTrack(track, "track", true, now).status();
  });
}

absl::StatusOr<WriteOutcome> CatalogStore::ReplaceTrack(v1::Track& track,
                                                        absl::Time now) {
  WriteOutcome outcome = WriteOutcome::kUnchanged;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    if (!Exists(*db_, "SELECT 1 FROM tracks WHERE id = ?", track.id())) {
      return absl::NotFoundError(
          absl::StrCat("track \"", track.id(), "\" does not exist"));
    }
    auto put = PutTrack(track, "track", false, now);
    if (!put.ok()) return put.status();
    outcome = *put;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<v1::Track> CatalogStore::GetTrack(const std::string& id) {
  return Guarded([&]() -> absl::StatusOr<v1::Track> {
    auto track =
        LoadBody<v1::Track>(*db_, "SELECT body FROM tracks WHERE id = ?", id);
    if (!track.ok()) return track.status();
    if (!track->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("track \"", id, "\" does not exist"));
    }
    return std::move(**track);
  });
}

absl::StatusOr<Page<v1::Track>> CatalogStore::ListTracks(
    const TrackFilter& filter, const std::string& after_id, int limit) {
  return Guarded([&]() -> absl::StatusOr<Page<v1::Track>> {
    std::string sql = "SELECT body, id FROM tracks WHERE id > ?";
    std::vector<Bind> binds = {after_id};
    if (!filter.artist_id.empty()) {
      sql +=
          " AND id IN (SELECT track_id FROM track_artists WHERE artist_id = ?";
      binds.push_back(filter.artist_id);
      if (filter.include_group_tracks) {
        sql +=
            " OR artist_id IN (SELECT group_id FROM memberships WHERE "
            "artist_id = ?)";
        binds.push_back(filter.artist_id);
      }
      sql += ")";
    }
    if (!filter.production_id.empty()) {
      sql += " AND production_id = ?";
      binds.push_back(filter.production_id);
    }
    if (filter.kind != 0) {
      sql += " AND kind = ?";
      binds.push_back(int64_t{filter.kind});
    }
    if (filter.release_year != 0) {
      sql += " AND release_year = ?";
      binds.push_back(int64_t{filter.release_year});
    }
    sql += " ORDER BY id LIMIT ?";
    binds.push_back(int64_t{limit + 1});
    return RunPage<v1::Track>(*db_, sql, binds, limit);
  });
}

absl::Status CatalogStore::DeleteTrack(const std::string& id, absl::Time now) {
  return common::InTransaction(*db_, [&]() -> absl::Status {
    SQLite::Statement del(*db_, "DELETE FROM tracks WHERE id = ?");
    del.bind(1, id);
    if (del.exec() == 0) {
      return absl::NotFoundError(
          absl::StrCat("track \"", id, "\" does not exist"));
    }
    RecordChange(v1::RESOURCE_KIND_TRACK, id, true, now);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- productions

absl::StatusOr<WriteOutcome> CatalogStore::PutProduction(
    v1::Production& production, const std::string& field, bool must_be_new,
    absl::Time now) {
  auto existing = LoadBody<v1::Production>(
      *db_, "SELECT body FROM productions WHERE id = ?", production.id());
  if (!existing.ok()) return existing.status();
  if (must_be_new && existing->has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(
        field, ".id: production \"", production.id(), "\" already exists"));
  }
  if (existing->has_value()) {
    if (SameContent(**existing, production)) {
      production = **existing;
      return WriteOutcome::kUnchanged;
    }
    *production.mutable_create_time() = (*existing)->create_time();
  } else {
    *production.mutable_create_time() = ToProto(now);
  }
  *production.mutable_update_time() = ToProto(now);
  SQLite::Statement put(*db_,
                        "INSERT INTO productions(id, kind, body) VALUES (?, ?, "
                        "?) ON CONFLICT(id) DO UPDATE SET kind = "
                        "excluded.kind, body = excluded.body");
  put.bind(1, production.id());
  put.bind(2, static_cast<int>(production.kind()));
  const std::string body = production.SerializeAsString();
  BindBody(put, 3, body);
  put.exec();
  RecordChange(v1::RESOURCE_KIND_PRODUCTION, production.id(), false, now);
  return existing->has_value() ? WriteOutcome::kUpdated
                               : WriteOutcome::kCreated;
}

absl::Status CatalogStore::CreateProduction(v1::Production& production,
                                            absl::Time now) {
  return common::InTransaction(*db_, [&]() -> absl::Status {
    return PutProduction(production, "production", true, now).status();
  });
}

absl::StatusOr<WriteOutcome> CatalogStore::ReplaceProduction(
    v1::Production& production, absl::Time now) {
  WriteOutcome outcome = WriteOutcome::kUnchanged;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    if (!Exists(*db_, "SELECT 1 FROM productions WHERE id = ?",
                production.id())) {
      return absl::NotFoundError(
          absl::StrCat("production \"", production.id(), "\" does not exist"));
    }
    auto put = PutProduction(production, "production", false, now);
    if (!put.ok()) return put.status();
    outcome = *put;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return outcome;
}

absl::StatusOr<v1::Production> CatalogStore::GetProduction(
    const std::string& id) {
  return Guarded([&]() -> absl::StatusOr<v1::Production> {
    auto production = LoadBody<v1::Production>(
        *db_, "SELECT body FROM productions WHERE id = ?", id);
    if (!production.ok()) return production.status();
    if (!production->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("production \"", id, "\" does not exist"));
    }
    return std::move(**production);
  });
}

absl::StatusOr<Page<v1::Production>> CatalogStore::ListProductions(
    int kind, const std::string& after_id, int limit) {
  return Guarded([&]() -> absl::StatusOr<Page<v1::Production>> {
    std::string sql = "SELECT body, id FROM productions WHERE id > ?";
    std::vector<Bind> binds = {after_id};
    if (kind != 0) {
      sql += " AND kind = ?";
      binds.push_back(int64_t{kind});
    }
    sql += " ORDER BY id LIMIT ?";
    binds.push_back(int64_t{limit + 1});
    return RunPage<v1::Production>(*db_, sql, binds, limit);
  });
}

absl::Status CatalogStore::DeleteProduction(const std::string& id,
                                            absl::Time now) {
  return common::InTransaction(*db_, [&]() -> absl::Status {
    if (!Exists(*db_, "SELECT 1 FROM productions WHERE id = ?", id)) {
      return absl::NotFoundError(
          absl::StrCat("production \"", id, "\" does not exist"));
    }
    SQLite::Statement linked(
        *db_, "SELECT id FROM tracks WHERE production_id = ? LIMIT 1");
    linked.bind(1, id);
    if (linked.executeStep()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "production \"", id, "\" is linked by track \"",
          linked.getColumn(0).getString(), "\": unlink its tracks first"));
    }
    SQLite::Statement del(*db_, "DELETE FROM productions WHERE id = ?");
    del.bind(1, id);
    del.exec();
    RecordChange(v1::RESOURCE_KIND_PRODUCTION, id, true, now);
    return absl::OkStatus();
  });
}

// ---------------------------------------------------------------- import

absl::StatusOr<v1::ImportCatalogResponse> CatalogStore::Import(
    v1::CatalogDocument& document, absl::Time now) {
  v1::ImportCatalogResponse response;
  absl::Status status = common::InTransaction(*db_, [&]() -> absl::Status {
    // Artists first, then memberships: a group may follow its members.
    for (int i = 0; i < document.artists_size(); ++i) {
      auto outcome =
          PutArtistRow(*document.mutable_artists(i),
                       Indexed("document", "artists", i), false, now);
      if (!outcome.ok()) return outcome.status();
      Count(*outcome, *response.mutable_artists());
    }
    for (int i = 0; i < document.artists_size(); ++i) {
      if (auto s = PutMemberships(document.artists(i),
                                  Indexed("document", "artists", i));
          !s.ok()) {
        return s;
      }
    }
    for (int i = 0; i < document.productions_size(); ++i) {
      auto outcome =
          PutProduction(*document.mutable_productions(i),
                        Indexed("document", "productions", i), false, now);
      if (!outcome.ok()) return outcome.status();
      Count(*outcome, *response.mutable_productions());
    }
    for (int i = 0; i < document.tracks_size(); ++i) {
      auto outcome = PutTrack(*document.mutable_tracks(i),
                              Indexed("document", "tracks", i), false, now);
      if (!outcome.ok()) return outcome.status();
      Count(*outcome, *response.mutable_tracks());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

// ---------------------------------------------------------------- changes

absl::StatusOr<std::vector<v1::Change>> CatalogStore::ListChanges(
    int64_t after_revision, int limit) {
  return Guarded([&]() -> absl::StatusOr<std::vector<v1::Change>> {
    SQLite::Statement q(*db_,
                        "SELECT revision, kind, id, deleted, change_time_us "
                        "FROM changes WHERE revision > ? ORDER BY revision "
                        "LIMIT ?");
    q.bind(1, static_cast<int64_t>(after_revision));
    q.bind(2, limit);
    std::vector<v1::Change> changes;
    while (q.executeStep()) {
      v1::Change& c = changes.emplace_back();
      c.set_revision(q.getColumn(0).getInt64());
      c.set_kind(static_cast<v1::ResourceKind>(q.getColumn(1).getInt()));
      c.set_id(q.getColumn(2).getString());
      c.set_deleted(q.getColumn(3).getInt() != 0);
      *c.mutable_change_time() =
          ToProto(absl::FromUnixMicros(q.getColumn(4).getInt64()));
    }
    return changes;
  });
}

absl::StatusOr<int64_t> CatalogStore::LatestRevision() {
  return Guarded([&]() -> absl::StatusOr<int64_t> {
    SQLite::Statement q(*db_, "SELECT COALESCE(MAX(revision), 0) FROM changes");
    q.executeStep();
    return q.getColumn(0).getInt64();
  });
}

// ---------------------------------------------------------------- scans

absl::Status CatalogStore::ForEachArtist(
    const std::function<void(const v1::Artist&)>& fn) {
  return Guarded([&]() -> absl::Status {
    SQLite::Statement q(*db_, "SELECT body, id FROM artists");
    v1::Artist artist;
    while (q.executeStep()) {
      if (!ParseBody(q.getColumn(0), artist)) {
        return absl::DataLossError(absl::StrCat("stored artist \"",
                                                q.getColumn(1).getString(),
                                                "\" does not parse"));
      }
      fn(artist);
    }
    return absl::OkStatus();
  });
}

absl::Status CatalogStore::ForEachTrack(
    const std::function<void(const v1::Track&)>& fn) {
  return Guarded([&]() -> absl::Status {
    SQLite::Statement q(*db_, "SELECT body, id FROM tracks");
    v1::Track track;
    while (q.executeStep()) {
      if (!ParseBody(q.getColumn(0), track)) {
        return absl::DataLossError(absl::StrCat("stored track \"",
                                                q.getColumn(1).getString(),
                                                "\" does not parse"));
      }
      fn(track);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<bool> CatalogStore::ArtistExists(const std::string& id) {
  return Guarded([&]() -> absl::StatusOr<bool> {
    return Exists(*db_, "SELECT 1 FROM artists WHERE id = ?", id);
  });
}

absl::StatusOr<bool> CatalogStore::TrackExists(const std::string& id) {
  return Guarded([&]() -> absl::StatusOr<bool> {
    return Exists(*db_, "SELECT 1 FROM tracks WHERE id = ?", id);
  });
}

absl::StatusOr<bool> CatalogStore::ProductionExists(const std::string& id) {
  return Guarded([&]() -> absl::StatusOr<bool> {
    return Exists(*db_, "SELECT 1 FROM productions WHERE id = ?", id);
  });
}

}  // namespace hitclock::catalog
