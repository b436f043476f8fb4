// Resolution of chart entries (title, artist credit, provider track id) to
// catalog tracks, as DOMAIN.md describes it: provider id first, then the
// normalized title and the set of credited artists.

#ifndef HITCLOCK_SERVICES_CATALOG_CORE_RESOLVER_H_
#define HITCLOCK_SERVICES_CATALOG_CORE_RESOLVER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "services/catalog/core/normalize.h"

namespace hitclock::catalog::core {

// An artist as the resolver needs it: the names a credit may use.
struct ResolverArtist {
  std::string id;
  std::string name;
  std::vector<std::string> aliases;
};

// A track as the resolver needs it.
struct ResolverTrack {
  std::string id;
  std::string title;
  std::vector<std::string> title_aliases;
  std::vector<std::string> main_artist_ids;
  std::vector<std::string> featured_artist_ids;
  // (provider, provider track id) pairs, one per charting version.
  std::vector<std::pair<std::string, std::string>> provider_ids;
};

// One chart entry to resolve. The views must outlive the `Resolve` call.
struct EntryQuery {
  std::string_view title = {};
  std::string_view artist_credit = {};
  // Empty when the entry has no provider id.
  std::string_view provider = {};
  std::string_view provider_track_id = {};
};

// How an entry was matched.
enum class MatchKind {
  kUnresolved,
  // (provider, provider track id) named exactly one track.
  kProviderId,
  // The title key and the artist set named exactly one track.
  kTitleAndArtists,
};

// The most near misses a `Resolution` lists.
inline constexpr size_t kMaxNearMisses = 20;

// The outcome of resolving one entry.
struct Resolution {
  MatchKind kind = MatchKind::kUnresolved;
  // The matched track; empty when unresolved.
  std::string track_id;
  // How the entry matched, or why it did not, for people to read:
  // "no track titled 'X'", "artist 'X' unknown", "ambiguous: 2 tracks", ...
  std::string detail;
  // When unresolved: the tracks that matched ambiguously (all of them), or
  // the tracks with the entry's title when its artists did not fit (near
  // misses: those crediting one of the named artists if any, else any with
  // the title; at most `kMaxNearMisses`). Sorted.
  std::vector<std::string> candidate_track_ids;
};

// An in-memory index of the catalog's names that resolves chart entries.
//
// Rules, in order:
//  1. Provider id: when the entry has a provider and a provider track id and
//     exactly one track lists that pair, that track (`kProviderId`). When
//     several tracks list it, the entry is unresolved as ambiguous.
//  2. Title and artists: the entry's title key (`ParseTitle`) must equal the
//     key of a track's title or of one of its title aliases, and the entry's
//     artists must fit the track: the credit is split (`SplitCredit`; parts
//     are rejoined when the catalog knows the joined name, "Earth, Wind &
//     Fire"; " of <group>" is dropped only when the whole part is unknown),
//     featured artists named in the title count as credited, and each name
//     maps through the `NameKey` of artist names and aliases. Every named
//     artist must be credited on the track (main or featured) and every main
//     artist of the track must be named. A name that maps to no artist
//     prevents this rule, and the detail names it. A name that maps to several
//     artists fits a track crediting any of them.
//  3. When several tracks fit and exactly one of them credits no artist
//     beyond the named ones, that one ("Butter" by "BTS" is the track without
//     the featured Megan Thee Stallion, when the catalog has both).
//  4. Anything else is unresolved; when several tracks fit, the entry is
//     unresolved as ambiguous and they are listed: the resolver never guesses.
//
// Artists and tracks may be upserted in any order; a track may name artists
// not (yet) known. Every change takes effect on the next `Resolve`: nothing
// derived from a previous state is kept.
//
// Thread safety: const methods may run concurrently with each other; any
// non-const call needs exclusive access.
class Resolver {
 public:
  Resolver() = default;
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;
  Resolver(Resolver&&) = default;
  Resolver& operator=(Resolver&&) = default;

  // Adds `artist`, or replaces the artist with its id.
  void UpsertArtist(const ResolverArtist& artist);
  // Removes the artist with `id`, if present. Tracks crediting it stay, but
  // no credit can name it any more.
  void RemoveArtist(std::string_view id);

  // Adds `track`, or replaces the track with its id.
  void UpsertTrack(const ResolverTrack& track);
  // Removes the track with `id`, if present.
  void RemoveTrack(std::string_view id);

  // Resolves one chart entry.
  Resolution Resolve(const EntryQuery& entry) const;

  // Number of tracks present.
  size_t track_count() const { return track_count_; }
  // Number of artists present.
  size_t artist_count() const { return artist_count_; }

 private:
  using Slot = uint32_t;
  using SlotList = absl::InlinedVector<Slot, 1>;

  struct ArtistSlot {
    std::string id;
    bool present = false;
    // Distinct keys of the name and aliases, indexed in `artists_by_key_`.
    std::vector<std::string> keys;
    // Number of track slots that credit this artist.
    uint32_t track_refs = 0;
  };

  struct TrackSlot {
    std::string id;
    bool present = false;
    // Distinct title keys (title and aliases), indexed in `tracks_by_title_`.
    std::vector<std::string> title_keys;
    absl::InlinedVector<Slot, 2> main_artists;
    absl::InlinedVector<Slot, 2> featured_artists;
    std::vector<std::pair<std::string, std::string>> provider_ids;
  };

  // The artists a credit names: for each name, the artists it may mean.
  using NamedArtists = absl::InlinedVector<const SlotList*, 4>;

  // Whether every named artist is credited on `track` and every main artist
  // of `track` is named.
  static bool Fits(const TrackSlot& track, const NamedArtists& named);
  // Whether every artist credited on `track` (main or featured) is named.
  static bool CreditsOnlyNamed(const TrackSlot& track,
                               const NamedArtists& named);
  // The ids of the tracks in `slots`, sorted, at most `limit` of them.
  template <typename Slots>
  std::vector<std::string> SortedIds(const Slots& slots, size_t limit) const;
  // All credited artists of `track`, main then featured.
  static absl::InlinedVector<Slot, 4> Credited(const TrackSlot& track);

  // The artist slot for `id`, created when new.
  Slot ArtistSlotFor(std::string_view id);
  // Frees the artist slot when nothing refers to it any more.
  void MaybeFreeArtist(Slot slot);
  void UnindexTrack(Slot slot);

  std::vector<ArtistSlot> artists_;
  std::vector<Slot> free_artists_;
  absl::flat_hash_map<std::string, Slot> artist_by_id_;
  absl::flat_hash_map<std::string, SlotList> artists_by_key_;

  std::vector<TrackSlot> tracks_;
  std::vector<Slot> free_tracks_;
  absl::flat_hash_map<std::string, Slot> track_by_id_;
  absl::flat_hash_map<std::string, SlotList> tracks_by_title_;
  // Title key + '\0' + credited artist slot -> tracks with that title key
  // crediting that artist (main or featured).
  absl::flat_hash_map<std::string, SlotList> tracks_by_title_artist_;
  // provider -> provider track id -> tracks.
  absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, SlotList>>
      tracks_by_provider_id_;

  // Size of the longest artist key ever indexed: longer joined names are not
  // looked up.
  size_t max_artist_key_size_ = 0;
  size_t track_count_ = 0;
  size_t artist_count_ = 0;
};

}  // namespace hitclock::catalog::core

#endif  // HITCLOCK_SERVICES_CATALOG_CORE_RESOLVER_H_
