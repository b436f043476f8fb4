// How a command finds the catalog track a user names: by id, by title, by
// "Artist - Title", or by title with `--artist`, compared the way the
// catalog compares names (catalog core's NameKey and ParseTitle). Never a
// guess: several matches are an error listing them.
#ifndef HITCLOCK_CLI_TRACK_LOOKUP_H_
#define HITCLOCK_CLI_TRACK_LOOKUP_H_

#include <map>
#include <string>
#include <vector>

#include "cli/session.h"
#include "hitclock/catalog/v1/catalog.pb.h"

namespace hitclock::client {

// Finds tracks and the names of their artists, caching what it read.
class TrackLookup {
 public:
  explicit TrackLookup(Session& session) : session_(session) {}

  // The one track `query` names, narrowed by `artist` (a credit string,
  // "Jimin" or "HA SUNG WOON & Jimin") when not empty. `query` is a track id
  // (`with-you`, also with a `trk_` prefix), a title or title alias
  // (decorations such as "(feat. X)" set aside, case and punctuation
  // ignored), or "Artist - Title". Throws CommandError: exit 1 when nothing
  // matches, exit 2 listing the candidates (id, title, artists, release)
  // when several do.
  catalog::v1::Track Find(const std::string& query, const std::string& artist);

  // Every track whose title matches `query` (and `artist`), without the
  // id lookup; what Find chooses from.
  std::vector<catalog::v1::Track> Candidates(const std::string& query,
                                             const std::string& artist);

  // The credited artists' names in credit order: "Ha Sung-woon & Jimin".
  std::string ArtistNames(const catalog::v1::Track& track);

 private:
  const catalog::v1::Artist* Artist(const std::string& id);
  std::vector<catalog::v1::Track> ListTracks(const std::string& artist_id);
  std::vector<std::string> ArtistIdsNamed(const std::string& name);

  Session& session_;
  std::map<std::string, catalog::v1::Artist> artists_;
};

}  // namespace hitclock::client

#endif  // HITCLOCK_CLI_TRACK_LOOKUP_H_
