#include "cli/track_lookup.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/catalog/core/normalize.h"

namespace hitclock::client {
namespace {

namespace core = ::hitclock::catalog::core;

bool LooksLikeId(const std::string& s) {
  if (s.empty() || s.size() > 68) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

bool TitleMatches(const catalog::v1::Track& track, const std::string& key) {
  if (key.empty()) return false;
  if (core::ParseTitle(track.title()).key == key) return true;
  for (const auto& alias : track.title_aliases()) {
    if (core::ParseTitle(alias).key == key) return true;
  }
  return false;
}

}  // namespace

const catalog::v1::Artist* TrackLookup::Artist(const std::string& id) {
  auto it = artists_.find(id);
  if (it != artists_.end()) return &it->second;
  catalog::v1::GetArtistRequest request;
  request.set_id(id);
  catalog::v1::GetArtistResponse response;
  grpc::Status status = session_.catalog().GetArtist(
      session_.client().Context().get(), request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return nullptr;
  session_.Check("catalog", status);
  return &artists_.emplace(id, response.artist()).first->second;
}

std::string TrackLookup::ArtistNames(const catalog::v1::Track& track) {
  std::vector<std::string> main, featured;
  for (const auto& credit : track.artists()) {
    const catalog::v1::Artist* artist = Artist(credit.artist_id());
    std::string name = artist ? artist->name() : credit.artist_id();
    (credit.role() == catalog::v1::CREDIT_ROLE_FEATURED ? featured : main)
        .push_back(std::move(name));
  }
  std::string names = absl::StrJoin(main, " & ");
  if (!featured.empty()) {
    absl::StrAppend(&names, " feat. ", absl::StrJoin(featured, " & "));
  }
  return names;
}

std::vector<catalog::v1::Track> TrackLookup::ListTracks(
    const std::string& artist_id) {
  std::vector<catalog::v1::Track> tracks;
  catalog::v1::ListTracksRequest request;
  request.set_page_size(1000);
  request.set_artist_id(artist_id);
  do {
    catalog::v1::ListTracksResponse response;
    session_.Check("catalog",
                   session_.catalog().ListTracks(
                       session_.client().Context().get(), request, &response));
    for (auto& t : *response.mutable_tracks()) tracks.push_back(std::move(t));
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return tracks;
}

std::vector<std::string> TrackLookup::ArtistIdsNamed(const std::string& name) {
  std::vector<std::string> ids;
  catalog::v1::ListArtistsRequest request;
  request.set_page_size(1000);
  request.set_name(name);
  do {
    catalog::v1::ListArtistsResponse response;
    session_.Check("catalog",
                   session_.catalog().ListArtists(
                       session_.client().Context().get(), request, &response));
    for (const auto& a : response.artists()) {
      artists_.emplace(a.id(), a);
      ids.push_back(a.id());
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return ids;
}

std::vector<catalog::v1::Track> TrackLookup::Candidates(
    const std::string& query, const std::string& artist) {
  // (credit, title) readings of the query.
  std::vector<std::pair<std::string, std::string>> readings;
  readings.emplace_back(artist, query);
  if (artist.empty()) {
    for (size_t at = query.find(" - "); at != std::string::npos;
         at = query.find(" - ", at + 1)) {
      readings.emplace_back(query.substr(0, at), query.substr(at + 3));
    }
  }
  std::vector<catalog::v1::Track> all;  // every track, read once if needed
  bool all_read = false;
  std::vector<catalog::v1::Track> found;
  std::set<std::string> seen;
  for (const auto& [credit, title] : readings) {
    const std::string key = core::ParseTitle(title).key;
    if (key.empty()) continue;
    std::vector<catalog::v1::Track> pool;
    std::vector<std::set<std::string>> wanted;  // per credited name: ids
    if (credit.empty()) {
      if (!all_read) {
        all = ListTracks("");
        all_read = true;
      }
      pool = all;
    } else {
      for (const std::string& name : core::SplitCredit(credit)) {
        auto ids = ArtistIdsNamed(name);
        wanted.emplace_back(ids.begin(), ids.end());
      }
      if (wanted.empty() || wanted.front().empty()) continue;
      for (const std::string& id : wanted.front()) {
        auto tracks = ListTracks(id);
        pool.insert(pool.end(), tracks.begin(), tracks.end());
      }
    }
    for (const auto& track : pool) {
      if (seen.count(track.id()) || !TitleMatches(track, key)) continue;
      bool credited = true;
      for (const auto& ids : wanted) {
        bool any = false;
        for (const auto& a : track.artists()) any |= ids.count(a.artist_id());
        credited &= any;
      }
      if (!credited) continue;
      seen.insert(track.id());
      found.push_back(track);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.id() < b.id(); });
  return found;
}

catalog::v1::Track TrackLookup::Find(const std::string& query,
                                     const std::string& artist) {
  if (query.empty()) throw CommandError(kExitUsage, "empty track name");
  if (artist.empty() && LooksLikeId(query)) {
    std::vector<std::string> ids = {query};
    if (absl::StartsWith(query, "trk_")) ids.push_back(query.substr(4));
    for (const auto& id : ids) {
      catalog::v1::GetTrackRequest request;
      request.set_id(id);
      catalog::v1::GetTrackResponse response;
      grpc::Status status = session_.catalog().GetTrack(
          session_.client().Context().get(), request, &response);
      if (status.ok()) return response.track();
      if (status.error_code() != grpc::StatusCode::NOT_FOUND &&
          status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
        session_.Check("catalog", status);
      }
    }
  }
  std::vector<catalog::v1::Track> found = Candidates(query, artist);
  const std::string named =
      artist.empty() ? absl::StrCat("\"", query, "\"")
                     : absl::StrCat("\"", query, "\" by \"", artist, "\"");
  if (found.empty()) {
    throw CommandError(
        kExitFailure,
        absl::StrCat("no catalog track matches ", named,
                     " (by id, title or alias); see `hitclock catalog track "
                     "list`"));
  }
  if (found.size() == 1) return found.front();
  Table table;
  table.columns = {{"id", "ID"},
                   {"title", "TITLE"},
                   {"artists", "ARTISTS"},
                   {"release", "RELEASE"}};
  for (const auto& t : found) {
    table.rows.push_back(
        {t.id(), t.title(), ArtistNames(t), FormatTime(t.release_time())});
  }
  std::ostringstream choices;
  PrintTable(table, Format::kText, choices);
  throw CommandError(
      kExitUsage,
      absl::StrCat(named, " matches ", found.size(),
                   " tracks; name one by id, or narrow it with --artist or "
                   "\"Artist - Title\":\n",
                   choices.str().substr(0, choices.str().size() - 1)));
}

}  // namespace hitclock::client
