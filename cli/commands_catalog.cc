// `hitclock catalog ...`: artists, tracks and productions; catalog
// documents; how a chart credit resolves.
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/track_lookup.h"
#include "google/protobuf/util/json_util.h"
#include "services/catalog/core/normalize.h"

namespace hitclock::client {
namespace {

template <typename T>
T Need(absl::StatusOr<T> v) {
  if (!v.ok())
    throw CommandError(kExitUsage, std::string(v.status().message()));
  return *std::move(v);
}

// Prints `message` as the format asks: its proto JSON, a one-row table
// (csv) or `text`.
void PrintOne(Session& s, const google::protobuf::Message& message,
              const Table& row, const std::string& text) {
  if (s.format() == Format::kJson) {
    s.out() << DumpJson(ProtoToJson(message)) << "\n";
  } else if (s.format() == Format::kCsv) {
    PrintTable(row, Format::kCsv, s.out());
  } else {
    s.out() << text;
  }
}

// Prints a list: proto JSON array, or the table.
template <typename T>
void PrintList(Session& s, const std::vector<T>& items, const Table& table) {
  if (s.format() == Format::kJson) {
    Json array = Json::array();
    for (const auto& item : items) array.push_back(ProtoToJson(item));
    s.out() << DumpJson(array) << "\n";
  } else {
    PrintTable(table, s.format(), s.out());
  }
}

// "key      value" lines, keys padded; empty values left out.
std::string Fields(const std::vector<std::pair<std::string, std::string>>& f) {
  size_t width = 0;
  for (const auto& [k, v] : f) width = std::max(width, k.size());
  std::string out;
  for (const auto& [k, v] : f) {
    if (v.empty()) continue;
    absl::StrAppend(&out, k, std::string(width - k.size() + 2, ' '), v, "\n");
  }
  return out;
}

// ---- artists ----

Table ArtistTable(const std::vector<catalog::v1::Artist>& artists) {
  Table t;
  t.columns = {{"id", "ID"},           {"name", "NAME"},
               {"kind", "KIND"},       {"origin_country", "ORIGIN"},
               {"aliases", "ALIASES"}, {"groups", "GROUPS"}};
  for (const auto& a : artists) {
    std::vector<std::string> groups;
    for (const auto& m : a.memberships()) {
      groups.push_back(m.has_end_time() ? m.group_id() + " (former)"
                                        : m.group_id());
    }
    t.rows.push_back({a.id(), a.name(), ArtistKindName(a.kind()),
                      a.origin_country(), absl::StrJoin(a.aliases(), "; "),
                      absl::StrJoin(groups, "; ")});
  }
  return t;
}

void ShowArtist(Session& s, const catalog::v1::Artist& a) {
  std::vector<std::string> groups;
  for (const auto& m : a.memberships()) {
    std::string g = m.group_id();
    if (m.has_start_time() || m.has_end_time()) {
      absl::StrAppend(&g, " (", FormatTime(m.start_time()), " – ",
                      m.has_end_time() ? FormatTime(m.end_time()) : "now", ")");
    }
    groups.push_back(g);
  }
  PrintOne(s, a, ArtistTable({a}),
           Fields({{"id", a.id()},
                   {"name", a.name()},
                   {"kind", ArtistKindName(a.kind())},
                   {"origin", a.origin_country()},
                   {"aliases", absl::StrJoin(a.aliases(), "; ")},
                   {"groups", absl::StrJoin(groups, "; ")},
                   {"created", FormatTime(a.create_time())},
                   {"updated", FormatTime(a.update_time())}}));
}

struct ArtistAdd {
  std::string name, id, kind, origin;
  std::vector<std::string> aliases, groups;
};

int RunArtistAdd(Session& s, const ArtistAdd& o) {
  catalog::v1::CreateArtistRequest request;
  auto* a = request.mutable_artist();
  a->set_name(o.name);
  a->set_id(o.id);
  a->set_kind(Need(ParseArtistKind(o.kind)));
  a->set_origin_country(o.origin);
  for (const auto& alias : o.aliases) a->add_aliases(alias);
  for (const auto& g : o.groups) a->add_memberships()->set_group_id(g);
  catalog::v1::CreateArtistResponse response;
  s.Check("catalog", s.catalog().CreateArtist(s.client().Context().get(),
                                              request, &response));
  ShowArtist(s, response.artist());
  return 0;
}

struct ArtistList {
  std::string kind, origin, group, name;
  int limit = 0;
};

int RunArtistList(Session& s, const ArtistList& o) {
  catalog::v1::ListArtistsRequest request;
  if (!o.kind.empty()) request.set_kind(Need(ParseArtistKind(o.kind)));
  request.set_origin_country(o.origin);
  request.set_group_id(o.group);
  request.set_name(o.name);
  request.set_page_size(o.limit > 0 ? std::min(o.limit, 1000) : 1000);
  std::vector<catalog::v1::Artist> artists;
  do {
    catalog::v1::ListArtistsResponse response;
    s.Check("catalog", s.catalog().ListArtists(s.client().Context().get(),
                                               request, &response));
    for (const auto& a : response.artists()) artists.push_back(a);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty() &&
           (o.limit <= 0 || static_cast<int>(artists.size()) < o.limit));
  if (o.limit > 0 && static_cast<int>(artists.size()) > o.limit) {
    artists.resize(o.limit);
  }
  PrintList(s, artists, ArtistTable(artists));
  return 0;
}

int RunArtistShow(Session& s, const std::string& id) {
  catalog::v1::GetArtistRequest request;
  request.set_id(id);
  catalog::v1::GetArtistResponse response;
  grpc::Status status =
      s.catalog().GetArtist(s.client().Context().get(), request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND ||
      status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    // Not an id: try it as a name or alias.
    catalog::v1::ListArtistsRequest by_name;
    by_name.set_name(id);
    catalog::v1::ListArtistsResponse found;
    s.Check("catalog", s.catalog().ListArtists(s.client().Context().get(),
                                               by_name, &found));
    if (found.artists_size() == 1) {
      ShowArtist(s, found.artists(0));
      return 0;
    }
    if (found.artists_size() > 1) {
      std::ostringstream choices;
      PrintTable(ArtistTable({found.artists().begin(), found.artists().end()}),
                 Format::kText, choices);
      throw CommandError(
          kExitUsage,
          absl::StrCat("\"", id, "\" names ", found.artists_size(),
                       " artists; name one by id:\n", choices.str()));
    }
  }
  s.Check("catalog", status);
  ShowArtist(s, response.artist());
  return 0;
}

// ---- tracks ----

Table TrackTable(TrackLookup& lookup,
                 const std::vector<catalog::v1::Track>& tracks) {
  Table t;
  t.columns = {{"id", "ID"},
               {"title", "TITLE"},
               {"artists", "ARTISTS"},
               {"kind", "KIND"},
               {"release_time", "RELEASE"},
               {"production_id", "PRODUCTION"},
               {"provider_ids", "PROVIDER IDS", false}};
  for (const auto& tr : tracks) {
    std::vector<std::string> ids;
    for (const auto& p : tr.provider_ids()) {
      ids.push_back(absl::StrCat(p.provider(), ":", p.id()));
    }
    t.rows.push_back({tr.id(), tr.title(), lookup.ArtistNames(tr),
                      TrackKindName(tr.kind()), FormatTime(tr.release_time()),
                      tr.production_id(), absl::StrJoin(ids, "; ")});
  }
  return t;
}

void ShowTrack(Session& s, TrackLookup& lookup, const catalog::v1::Track& t) {
  std::vector<std::string> credits, ids, contributors;
  for (const auto& a : t.artists()) {
    credits.push_back(absl::StrCat(
        a.artist_id(),
        a.role() == catalog::v1::CREDIT_ROLE_FEATURED ? " (featured)" : ""));
  }
  for (const auto& p : t.provider_ids()) {
    std::string v = absl::StrCat(p.provider(), ":", p.id());
    if (p.version() != common::v1::TRACK_VERSION_UNSPECIFIED) {
      absl::StrAppend(
          &v, " ",
          absl::AsciiStrToLower(
              common::v1::TrackVersion_Name(p.version()).substr(14)));
    }
    if (!p.storefront().empty()) absl::StrAppend(&v, " @", p.storefront());
    ids.push_back(v);
  }
  for (const auto& c : t.contributors()) {
    contributors.push_back(absl::StrCat(
        c.name(), " (",
        absl::AsciiStrToLower(
            catalog::v1::ContributorRole_Name(c.role()).substr(17)),
        ")"));
  }
  std::string release = FormatTime(t.release_time());
  if (!t.release_time_source().empty()) {
    absl::StrAppend(&release, " (", t.release_time_source(), ")");
  }
  PrintOne(s, t, TrackTable(lookup, {t}),
           Fields({{"id", t.id()},
                   {"title", t.title()},
                   {"aliases", absl::StrJoin(t.title_aliases(), "; ")},
                   {"artists", lookup.ArtistNames(t)},
                   {"credits", absl::StrJoin(credits, ", ")},
                   {"release", release},
                   {"kind", TrackKindName(t.kind())},
                   {"languages", absl::StrJoin(t.languages(), ", ")},
                   {"production", t.production_id()},
                   {"provider ids", absl::StrJoin(ids, "; ")},
                   {"contributors", absl::StrJoin(contributors, "; ")},
                   {"created", FormatTime(t.create_time())},
                   {"updated", FormatTime(t.update_time())}}));
}

struct TrackAdd {
  std::string title, id, release, release_source, kind, production;
  std::vector<std::string> artists, featuring, aliases, languages, provider_ids;
};

int RunTrackAdd(Session& s, const TrackAdd& o) {
  catalog::v1::CreateTrackRequest request;
  auto* t = request.mutable_track();
  t->set_title(o.title);
  t->set_id(o.id);
  auto release = ParseTime(o.release);
  if (!release) {
    throw CommandError(kExitUsage, absl::StrCat("--release: \"", o.release,
                                                "\" is not RFC 3339 "
                                                "(2022-04-24T15:00:00Z)"));
  }
  *t->mutable_release_time() = *release;
  t->set_release_time_source(o.release_source);
  if (!o.kind.empty()) t->set_kind(Need(ParseTrackKind(o.kind)));
  t->set_production_id(o.production);
  for (const auto& a : o.artists) {
    auto* c = t->add_artists();
    c->set_artist_id(a);
    c->set_role(catalog::v1::CREDIT_ROLE_MAIN);
  }
  for (const auto& a : o.featuring) {
    auto* c = t->add_artists();
    c->set_artist_id(a);
    c->set_role(catalog::v1::CREDIT_ROLE_FEATURED);
  }
  for (const auto& a : o.aliases) t->add_title_aliases(a);
  for (const auto& l : o.languages) t->add_languages(l);
  for (const auto& p : o.provider_ids) {
    *t->add_provider_ids() = Need(ParseProviderId(p));
  }
  catalog::v1::CreateTrackResponse response;
  s.Check("catalog", s.catalog().CreateTrack(s.client().Context().get(),
                                             request, &response));
  TrackLookup lookup(s);
  ShowTrack(s, lookup, response.track());
  return 0;
}

struct TrackList {
  std::string artist, production, kind;
  bool group_tracks = false;
  int year = 0;
  int limit = 0;
};

int RunTrackList(Session& s, const TrackList& o) {
  catalog::v1::ListTracksRequest request;
  request.set_artist_id(o.artist);
  request.set_include_group_tracks(o.group_tracks);
  request.set_production_id(o.production);
  if (!o.kind.empty()) request.set_kind(Need(ParseTrackKind(o.kind)));
  request.set_release_year(o.year);
  request.set_page_size(o.limit > 0 ? std::min(o.limit, 1000) : 1000);
  std::vector<catalog::v1::Track> tracks;
  do {
    catalog::v1::ListTracksResponse response;
    s.Check("catalog", s.catalog().ListTracks(s.client().Context().get(),
                                              request, &response));
    for (const auto& t : response.tracks()) tracks.push_back(t);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty() &&
           (o.limit <= 0 || static_cast<int>(tracks.size()) < o.limit));
  if (o.limit > 0 && static_cast<int>(tracks.size()) > o.limit) {
    tracks.resize(o.limit);
  }
  TrackLookup lookup(s);
  PrintList(s, tracks, TrackTable(lookup, tracks));
  return 0;
}

// ---- productions ----

Table ProductionTable(const std::vector<catalog::v1::Production>& ps) {
  Table t;
  t.columns = {{"id", "ID"},
               {"title", "TITLE"},
               {"kind", "KIND"},
               {"network", "NETWORK"},
               {"premiere_date", "PREMIERE"}};
  for (const auto& p : ps) {
    t.rows.push_back({p.id(), p.title(), ProductionKindName(p.kind()),
                      p.network(), p.premiere_date()});
  }
  return t;
}

void ShowProduction(Session& s, const catalog::v1::Production& p) {
  PrintOne(s, p, ProductionTable({p}),
           Fields({{"id", p.id()},
                   {"title", p.title()},
                   {"kind", ProductionKindName(p.kind())},
                   {"network", p.network()},
                   {"premiere", p.premiere_date()},
                   {"cast", absl::StrJoin(p.cast(), ", ")},
                   {"writers", absl::StrJoin(p.writers(), ", ")},
                   {"production co.", p.production_company()},
                   {"OST production", p.ost_production_company()},
                   {"streaming", absl::StrJoin(p.streaming_platforms(), ", ")},
                   {"description", p.description()},
                   {"created", FormatTime(p.create_time())},
                   {"updated", FormatTime(p.update_time())}}));
}

struct ProductionAdd {
  std::string title, id, kind, network, premiere, company, ost_company,
      description;
  std::vector<std::string> cast, writers, platforms;
};

int RunProductionAdd(Session& s, const ProductionAdd& o) {
  catalog::v1::CreateProductionRequest request;
  auto* p = request.mutable_production();
  p->set_title(o.title);
  p->set_id(o.id);
  p->set_kind(Need(ParseProductionKind(o.kind)));
  p->set_network(o.network);
  p->set_premiere_date(o.premiere);
  p->set_production_company(o.company);
  p->set_ost_production_company(o.ost_company);
  p->set_description(o.description);
  for (const auto& c : o.cast) p->add_cast(c);
  for (const auto& w : o.writers) p->add_writers(w);
  for (const auto& sp : o.platforms) p->add_streaming_platforms(sp);
  catalog::v1::CreateProductionResponse response;
  s.Check("catalog", s.catalog().CreateProduction(s.client().Context().get(),
                                                  request, &response));
  ShowProduction(s, response.production());
  return 0;
}

int RunProductionList(Session& s, const std::string& kind) {
  catalog::v1::ListProductionsRequest request;
  if (!kind.empty()) request.set_kind(Need(ParseProductionKind(kind)));
  request.set_page_size(1000);
  std::vector<catalog::v1::Production> ps;
  do {
    catalog::v1::ListProductionsResponse response;
    s.Check("catalog", s.catalog().ListProductions(s.client().Context().get(),
                                                   request, &response));
    for (const auto& p : response.productions()) ps.push_back(p);
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  PrintList(s, ps, ProductionTable(ps));
  return 0;
}

int RunProductionShow(Session& s, const std::string& id) {
  catalog::v1::GetProductionRequest request;
  request.set_id(id);
  catalog::v1::GetProductionResponse response;
  s.Check("catalog", s.catalog().GetProduction(s.client().Context().get(),
                                               request, &response));
  ShowProduction(s, response.production());
  return 0;
}

// ---- import, resolve ----

std::string Counts(const catalog::v1::ImportCounts& c) {
  return absl::StrFormat("%d created, %d updated, %d unchanged", c.created(),
                         c.updated(), c.unchanged());
}

int RunCatalogImport(Session& s, const std::vector<std::string>& files) {
  std::vector<catalog::v1::ImportCatalogRequest> requests;
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw CommandError(kExitUsage, absl::StrCat("cannot read ", file));
    std::stringstream text;
    text << in.rdbuf();
    catalog::v1::ImportCatalogRequest request;
    auto parsed =
        google::protobuf::util::JsonStringToMessage(text.str(), &request);
    if (!parsed.ok()) {
      throw CommandError(
          kExitUsage,
          absl::StrCat(file, ": not a catalog document ",
                       "({\"document\": {...}}): ", parsed.ToString()));
    }
    requests.push_back(std::move(request));
  }
  Table table;
  table.columns = {{"file", "FILE"},
                   {"artists_created", "ARTISTS +"},
                   {"artists_updated", "ARTISTS ~"},
                   {"artists_unchanged", "ARTISTS ="},
                   {"productions_created", "PRODUCTIONS +"},
                   {"productions_updated", "PRODUCTIONS ~"},
                   {"productions_unchanged", "PRODUCTIONS ="},
                   {"tracks_created", "TRACKS +"},
                   {"tracks_updated", "TRACKS ~"},
                   {"tracks_unchanged", "TRACKS ="}};
  for (size_t i = 0; i < files.size(); ++i) {
    catalog::v1::ImportCatalogResponse r;
    grpc::Status status =
        s.catalog().ImportCatalog(s.client().Context().get(), requests[i], &r);
    if (!status.ok()) {
      try {
        s.Check("catalog", status);
      } catch (const CommandError& e) {
        throw CommandError(e.exit_code(),
                           absl::StrCat(files[i], ": ", e.what()));
      }
    }
    table.rows.push_back({files[i], r.artists().created(),
                          r.artists().updated(), r.artists().unchanged(),
                          r.productions().created(), r.productions().updated(),
                          r.productions().unchanged(), r.tracks().created(),
                          r.tracks().updated(), r.tracks().unchanged()});
    if (s.format() == Format::kText) {
      s.out() << files[i] << ": artists " << Counts(r.artists())
              << "; productions " << Counts(r.productions()) << "; tracks "
              << Counts(r.tracks()) << "\n";
    }
  }
  if (s.format() != Format::kText) PrintTable(table, s.format(), s.out());
  return 0;
}

struct Resolve {
  std::string credit, title, provider = "itunes", provider_id;
};

int RunResolve(Session& s, const Resolve& o) {
  Table table;
  table.columns = {{"part", "PART"},
                   {"text", "AS PRINTED"},
                   {"id", "MATCHES"},
                   {"name", "NAME"},
                   {"detail", "DETAIL"}};
  Json names = Json::array();
  const std::vector<std::string> parts = catalog::core::SplitCredit(o.credit);
  for (const std::string& name : parts) {
    catalog::v1::ListArtistsRequest request;
    request.set_name(name);
    catalog::v1::ListArtistsResponse response;
    s.Check("catalog", s.catalog().ListArtists(s.client().Context().get(),
                                               request, &response));
    Json ids = Json::array();
    if (response.artists().empty()) {
      table.rows.push_back(
          {"artist", name, Json(), Json(), "no artist has this name or alias"});
    }
    for (const auto& a : response.artists()) {
      ids.push_back(a.id());
      table.rows.push_back({"artist", name, a.id(), a.name(),
                            absl::StrCat(ArtistKindName(a.kind()),
                                         a.origin_country().empty() ? "" : ", ",
                                         a.origin_country())});
    }
    names.push_back(Json{{"name", name}, {"artist_ids", ids}});
  }
  Json resolution;
  if (!o.title.empty() || !o.provider_id.empty()) {
    catalog::v1::ResolveTracksRequest request;
    auto* e = request.add_entries();
    e->set_title(o.title);
    e->set_artist_credit(o.credit);
    e->set_provider(o.provider);
    e->set_provider_track_id(o.provider_id);
    catalog::v1::ResolveTracksResponse response;
    s.Check("catalog", s.catalog().ResolveTracks(s.client().Context().get(),
                                                 request, &response));
    const auto& r = response.resolutions(0);
    std::string detail = r.detail();
    if (!r.candidate_track_ids().empty()) {
      absl::StrAppend(&detail, "; candidates: ",
                      absl::StrJoin(r.candidate_track_ids(), ", "));
    }
    table.rows.push_back({"track", o.title,
                          r.track_id().empty() ? Json() : Json(r.track_id()),
                          Json(), detail});
    resolution = ProtoToJson(r);
  }
  if (s.format() == Format::kJson) {
    Json j = Json::object();
    j["credit"] = o.credit;
    j["names"] = names;
    if (!o.title.empty()) j["title"] = o.title;
    if (!resolution.is_null()) j["resolution"] = resolution;
    s.out() << DumpJson(j) << "\n";
    return 0;
  }
  if (s.format() == Format::kText) {
    s.out() << "credit \"" << o.credit << "\" splits into " << parts.size()
            << (parts.size() == 1 ? " name" : " names") << "\n";
  }
  PrintTable(table, s.format(), s.out());
  return 0;
}

}  // namespace

void AddCatalogCommands(CLI::App& parent, CommandList& commands) {
  CLI::App* catalog =
      parent.add_subcommand("catalog", "artists, tracks and productions");
  Describe(catalog,
           "Reads and writes the catalog: the facts records depend on "
           "(artists and their aliases, tracks with their credits, release "
           "instants and provider ids, productions with their OSTs). Writes "
           "need the suite's token when it has one (--token).",
           {"hitclock catalog import demo/catalog.json",
            "hitclock catalog track list --artist jimin",
            "hitclock catalog resolve \"HA SUNG WOON & Jimin\" \"With You\""});
  catalog->require_subcommand(1);

  // artist
  CLI::App* artist = catalog->add_subcommand("artist", "soloists and groups");
  Describe(artist, "Adds, lists and shows artists.",
           {"hitclock catalog artist list --origin KR --kind solo",
            "hitclock catalog artist show jimin"});
  artist->require_subcommand(1);
  {
    auto o = std::make_shared<ArtistAdd>();
    CLI::App* c = artist->add_subcommand("add", "create an artist");
    Describe(c,
             "Creates an artist. The id is derived from the name when not "
             "given. Fails with ALREADY_EXISTS when the id is taken or the "
             "name or an alias already names another artist.",
             {"hitclock catalog artist add \"Ha Sung-woon\" --kind solo "
              "--origin KR --alias \"HA SUNG WOON\" --member-of wanna-one"});
    c->add_option("NAME", o->name, "the name charts print most often")
        ->required();
    c->add_option("--id", o->id, "stable id (lowercase, digits, -)");
    c->add_option("--kind", o->kind, "solo or group")->required();
    c->add_option("--origin", o->origin,
                  "origin country, ISO 3166-1 alpha-2 (KR)");
    c->add_option("--alias", o->aliases, "another spelling (repeatable)");
    c->add_option("--member-of", o->groups, "a group's id (repeatable)");
    commands.push_back({c, [o](Session& s) { return RunArtistAdd(s, *o); }});
  }
  {
    auto o = std::make_shared<ArtistList>();
    CLI::App* c = artist->add_subcommand("list", "list artists");
    Describe(c,
             "Lists artists ordered by id, every page, filtered: the filters "
             "AND together.",
             {"hitclock catalog artist list",
              "hitclock catalog artist list --group bts",
              "hitclock catalog artist list --name \"HA SUNG WOON\""});
    c->add_option("--kind", o->kind, "solo or group");
    c->add_option("--origin", o->origin, "origin country (KR)");
    c->add_option("--group", o->group,
                  "members (present or former) of this group");
    c->add_option("--name", o->name,
                  "whose name or an alias matches after normalization");
    c->add_option("--limit", o->limit, "at most this many")->check(Positive());
    commands.push_back({c, [o](Session& s) { return RunArtistList(s, *o); }});
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* c = artist->add_subcommand("show", "show one artist");
    Describe(c, "Shows an artist by id, or by a name or alias.",
             {"hitclock catalog artist show jimin",
              "hitclock catalog artist show \"HA SUNG WOON\""});
    c->add_option("ARTIST", *id, "id, name or alias")->required();
    commands.push_back({c, [id](Session& s) { return RunArtistShow(s, *id); }});
  }

  // track
  CLI::App* track = catalog->add_subcommand("track", "songs");
  Describe(track, "Adds, lists and shows tracks.",
           {"hitclock catalog track list --kind ost",
            "hitclock catalog track show \"With You\""});
  track->require_subcommand(1);
  {
    auto o = std::make_shared<TrackAdd>();
    CLI::App* c = track->add_subcommand("add", "create a track");
    Describe(c,
             "Creates a track. --artist (main) and --featuring take artist "
             "ids, in credit order; --release is the release instant in "
             "UTC, where time-to-threshold clocks start.",
             {"hitclock catalog track add \"With You\" --artist jimin "
              "--artist ha-sung-woon --release 2022-04-24T15:00:00Z --kind ost "
              "--production our-blues --provider-id itunes:1619364935"});
    c->add_option("TITLE", o->title, "the title without decorations")
        ->required();
    c->add_option("--id", o->id, "stable id (lowercase, digits, -)");
    c->add_option("--artist", o->artists, "a main artist's id (repeatable)")
        ->required();
    c->add_option("--featuring", o->featuring,
                  "a featured artist's id (repeatable)");
    c->add_option("--release", o->release,
                  "release instant, RFC 3339 (2022-04-24T15:00:00Z)")
        ->required();
    c->add_option("--release-source", o->release_source,
                  "where the release instant comes from");
    c->add_option("--kind", o->kind, "single, ost or album-track");
    c->add_option("--production", o->production,
                  "the production this is an OST of");
    c->add_option("--alias", o->aliases, "another title (repeatable)");
    c->add_option("--language", o->languages, "ISO 639-1 code (repeatable)");
    c->add_option("--provider-id", o->provider_ids,
                  "provider:id[:version] (repeatable), e.g. itunes:1619364935");
    commands.push_back({c, [o](Session& s) { return RunTrackAdd(s, *o); }});
  }
  {
    auto o = std::make_shared<TrackList>();
    CLI::App* c = track->add_subcommand("list", "list tracks");
    Describe(
        c,
        "Lists tracks ordered by id, every page, filtered: the filters "
        "AND together.",
        {"hitclock catalog track list --artist jimin --group-tracks",
         "hitclock catalog track list --kind ost --year 2022 --output csv"});
    c->add_option("--artist", o->artist, "crediting this artist id");
    c->add_flag("--group-tracks", o->group_tracks,
                "with --artist: also the tracks of the artist's groups");
    c->add_option("--production", o->production, "OSTs of this production");
    c->add_option("--kind", o->kind, "single, ost or album-track");
    c->add_option("--year", o->year, "released in this year (UTC)");
    c->add_option("--limit", o->limit, "at most this many")->check(Positive());
    commands.push_back({c, [o](Session& s) { return RunTrackList(s, *o); }});
  }
  {
    auto name = std::make_shared<std::string>();
    auto artist_name = std::make_shared<std::string>();
    CLI::App* c = track->add_subcommand("show", "show one track");
    Describe(c,
             "Shows a track named by id, title or \"Artist - Title\" (as "
             "`hitclock ttt` finds it).",
             {"hitclock catalog track show with-you",
              "hitclock catalog track show \"Jimin - With You\""});
    c->add_option("TRACK", *name, "id, title, or \"Artist - Title\"")
        ->required();
    c->add_option("-a,--artist", *artist_name, "narrow a title by artist");
    commands.push_back({c, [name, artist_name](Session& s) {
                          TrackLookup lookup(s);
                          ShowTrack(s, lookup,
                                    lookup.Find(*name, *artist_name));
                          return 0;
                        }});
  }

  // production
  CLI::App* production =
      catalog->add_subcommand("production", "dramas and films");
  Describe(production, "Adds, lists and shows productions.",
           {"hitclock catalog production list --kind drama"});
  production->require_subcommand(1);
  {
    auto o = std::make_shared<ProductionAdd>();
    CLI::App* c = production->add_subcommand("add", "create a production");
    Describe(c, "Creates a production (a drama, a film, another show).",
             {"hitclock catalog production add \"Our Blues\" --kind drama "
              "--network tvN --premiere 2022-04-09"});
    c->add_option("TITLE", o->title, "the title")->required();
    c->add_option("--id", o->id, "stable id");
    c->add_option("--kind", o->kind, "drama, film or other")->required();
    c->add_option("--network", o->network, "broadcasting network");
    c->add_option("--premiere", o->premiere, "premiere date, YYYY-MM-DD");
    c->add_option("--cast", o->cast, "a cast member (repeatable)");
    c->add_option("--writer", o->writers, "a writer (repeatable)");
    c->add_option("--company", o->company, "production company");
    c->add_option("--ost-company", o->ost_company, "OST production company");
    c->add_option("--platform", o->platforms,
                  "a streaming platform (repeatable)");
    c->add_option("--description", o->description, "free text");
    commands.push_back(
        {c, [o](Session& s) { return RunProductionAdd(s, *o); }});
  }
  {
    auto kind = std::make_shared<std::string>();
    CLI::App* c = production->add_subcommand("list", "list productions");
    Describe(c, "Lists productions ordered by id, every page.",
             {"hitclock catalog production list"});
    c->add_option("--kind", *kind, "drama, film or other");
    commands.push_back(
        {c, [kind](Session& s) { return RunProductionList(s, *kind); }});
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* c = production->add_subcommand("show", "show one production");
    Describe(c, "Shows a production by id.",
             {"hitclock catalog production show our-blues"});
    c->add_option("ID", *id, "the production's id")->required();
    commands.push_back(
        {c, [id](Session& s) { return RunProductionShow(s, *id); }});
  }

  // import
  {
    auto files = std::make_shared<std::vector<std::string>>();
    CLI::App* c = catalog->add_subcommand(
        "import", "load catalog documents (idempotent)");
    Describe(c,
             "Loads catalog documents: the proto3 JSON of an "
             "ImportCatalogRequest ({\"document\": {\"artists\": [...], "
             "\"productions\": [...], \"tracks\": [...]}}), e.g. "
             "demo/catalog.json. Each document is one transaction: each "
             "resource is created, replaced when it differs, or left alone. "
             "Loading a document twice changes nothing.",
             {"hitclock catalog import demo/catalog.json",
              "hitclock catalog import demo/catalog.json "
              "demo/demo-catalog-extra.json --output json"});
    c->add_option("FILES", *files, "catalog documents")
        ->required()
        ->check(CLI::ExistingFile);
    commands.push_back(
        {c, [files](Session& s) { return RunCatalogImport(s, *files); }});
  }

  // resolve
  {
    auto o = std::make_shared<Resolve>();
    CLI::App* c = catalog->add_subcommand(
        "resolve", "show how a chart credit (and title) matches the catalog");
    Describe(
        c,
        "Splits an artist credit string as the catalog does (&, ',', x, "
        "feat., ...), shows which artist each name matches (by name or "
        "alias, after normalization), and with TITLE (or "
        "--provider-id) asks the catalog's resolver which track the "
        "chart entry is, how it matched, or why not.",
        {"hitclock catalog resolve \"HA SUNG WOON & Jimin\" \"With You\"",
         "hitclock catalog resolve \"Kim Seok-jin\" \"Yours (Jirisan OST)\"",
         "hitclock catalog resolve BTS Dynamite --provider-id 900000201"});
    c->add_option("CREDIT", o->credit, "the artist credit as printed")
        ->required();
    c->add_option("TITLE", o->title, "the title as printed");
    c->add_option("--provider", o->provider, "the chart's provider")
        ->capture_default_str();
    c->add_option("--provider-id", o->provider_id, "the provider's item id");
    commands.push_back({c, [o](Session& s) { return RunResolve(s, *o); }});
  }
}

}  // namespace hitclock::client
