#include "services/catalog/core/resolver.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hitclock::catalog::core {
namespace {

// Longest run of credit parts that is tried as one artist name.
constexpr size_t kMaxJoinedParts = 8;

template <typename List, typename T>
bool Contains(const List& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

template <typename List, typename T>
void EraseOne(List& list, const T& value) {
  auto it = std::find(list.begin(), list.end(), value);
  if (it != list.end()) list.erase(it);
}

// Adds `key` to `keys` unless empty or already there.
void AddDistinct(std::string key, std::vector<std::string>* keys) {
  if (!key.empty() && !Contains(*keys, key)) keys->push_back(std::move(key));
}

// Per-thread buffers of `Resolve`, so that the common path does not allocate.
struct Scratch {
  std::string title_key;
  internal::TitleScan scan;
  internal::CreditTokens tokens;
  // End index in `tokens` of each group of tokens (the credit, then each
  // featured credit of the title); names are never joined across groups.
  absl::InlinedVector<size_t, 4> group_ends;
  // Keys of the tokens and of their separators, as [begin, end) in `keys`.
  std::string keys;
  absl::InlinedVector<std::pair<uint32_t, uint32_t>, 8> token_keys;
  absl::InlinedVector<std::pair<uint32_t, uint32_t>, 8> separator_keys;
  std::string span;
  std::string stripped;

  void Clear() {
    title_key.clear();
    scan.kept.clear();
    scan.featured_credits.clear();
    scan.had_decoration = false;
    tokens.clear();
    group_ends.clear();
    keys.clear();
    token_keys.clear();
    separator_keys.clear();
  }
};

std::pair<uint32_t, uint32_t> AppendKey(std::string_view text,
                                        std::string* keys) {
  const auto begin = static_cast<uint32_t>(keys->size());
  AppendNameKey(text, keys);
  return {begin, static_cast<uint32_t>(keys->size())};
}

// Debian's abseil has its own `absl::string_view`: the key type for
// heterogeneous lookups in the hash maps.
absl::string_view AsKey(std::string_view s) { return {s.data(), s.size()}; }

// Appends the key of `tracks_by_title_artist_`.
void AppendTitleArtistKey(std::string_view title_key, uint32_t artist,
                          std::string* out) {
  out->append(title_key);
  out->push_back('\0');
  char bytes[sizeof(artist)];
  std::memcpy(bytes, &artist, sizeof(artist));
  out->append(bytes, sizeof(bytes));
}

std::string Quoted(std::string_view s) {
  std::string quoted;
  quoted.reserve(s.size() + 2);
  quoted.append("'").append(s).append("'");
  return quoted;
}

}  // namespace

Resolver::Slot Resolver::ArtistSlotFor(std::string_view id) {
  if (auto it = artist_by_id_.find(AsKey(id)); it != artist_by_id_.end()) {
    return it->second;
  }
  Slot slot;
  if (!free_artists_.empty()) {
    slot = free_artists_.back();
    free_artists_.pop_back();
  } else {
    slot = static_cast<Slot>(artists_.size());
    artists_.emplace_back();
  }
  artists_[slot].id = std::string(id);
  artist_by_id_.emplace(std::string(id), slot);
  return slot;
}

void Resolver::MaybeFreeArtist(Slot slot) {
  ArtistSlot& artist = artists_[slot];
  if (artist.present || artist.track_refs > 0) return;
  artist_by_id_.erase(artist.id);
  artist = ArtistSlot();
  free_artists_.push_back(slot);
}

void Resolver::UpsertArtist(const ResolverArtist& artist) {
  const Slot slot = ArtistSlotFor(artist.id);
  ArtistSlot& a = artists_[slot];
  for (const std::string& key : a.keys) {
    auto it = artists_by_key_.find(key);
    EraseOne(it->second, slot);
    if (it->second.empty()) artists_by_key_.erase(it);
  }
  a.keys.clear();
  if (!a.present) {
    a.present = true;
    ++artist_count_;
  }
  AddDistinct(NameKey(artist.name), &a.keys);
  for (const std::string& alias : artist.aliases) {
    AddDistinct(NameKey(alias), &a.keys);
  }
  for (const std::string& key : a.keys) {
    artists_by_key_[key].push_back(slot);
    max_artist_key_size_ = std::max(max_artist_key_size_, key.size());
  }
}

void Resolver::RemoveArtist(std::string_view id) {
  auto it = artist_by_id_.find(AsKey(id));
  if (it == artist_by_id_.end()) return;
  const Slot slot = it->second;
  ArtistSlot& a = artists_[slot];
  if (!a.present) return;
  for (const std::string& key : a.keys) {
    auto k = artists_by_key_.find(key);
    EraseOne(k->second, slot);
    if (k->second.empty()) artists_by_key_.erase(k);
  }
  a.keys.clear();
  a.present = false;
  --artist_count_;
  MaybeFreeArtist(slot);
}

absl::InlinedVector<Resolver::Slot, 4> Resolver::Credited(
    const TrackSlot& track) {
  absl::InlinedVector<Slot, 4> credited(track.main_artists.begin(),
                                        track.main_artists.end());
  credited.insert(credited.end(), track.featured_artists.begin(),
                  track.featured_artists.end());
  return credited;
}

void Resolver::UnindexTrack(Slot slot) {
  TrackSlot& t = tracks_[slot];
  std::string key;
  for (const std::string& title_key : t.title_keys) {
    for (const Slot artist : Credited(t)) {
      key.clear();
      AppendTitleArtistKey(title_key, artist, &key);
      auto it = tracks_by_title_artist_.find(key);
      EraseOne(it->second, slot);
      if (it->second.empty()) tracks_by_title_artist_.erase(it);
    }
  }
  for (const std::string& key : t.title_keys) {
    auto it = tracks_by_title_.find(key);
    EraseOne(it->second, slot);
    if (it->second.empty()) tracks_by_title_.erase(it);
  }
  t.title_keys.clear();
  for (const auto& [provider, provider_track_id] : t.provider_ids) {
    auto p = tracks_by_provider_id_.find(provider);
    auto it = p->second.find(provider_track_id);
    EraseOne(it->second, slot);
    if (it->second.empty()) p->second.erase(it);
    if (p->second.empty()) tracks_by_provider_id_.erase(p);
  }
  t.provider_ids.clear();
  for (const auto* list : {&t.main_artists, &t.featured_artists}) {
    for (const Slot artist : *list) {
      --artists_[artist].track_refs;
      MaybeFreeArtist(artist);
    }
  }
  t.main_artists.clear();
  t.featured_artists.clear();
}

void Resolver::UpsertTrack(const ResolverTrack& track) {
  Slot slot;
  if (auto it = track_by_id_.find(track.id); it != track_by_id_.end()) {
    slot = it->second;
    UnindexTrack(slot);
  } else {
    if (!free_tracks_.empty()) {
      slot = free_tracks_.back();
      free_tracks_.pop_back();
    } else {
      slot = static_cast<Slot>(tracks_.size());
      tracks_.emplace_back();
    }
    track_by_id_.emplace(track.id, slot);
    ++track_count_;
  }
  TrackSlot& t = tracks_[slot];
  t.id = track.id;
  t.present = true;
  AddDistinct(ParseTitle(track.title).key, &t.title_keys);
  for (const std::string& alias : track.title_aliases) {
    AddDistinct(ParseTitle(alias).key, &t.title_keys);
  }
  for (const std::string& key : t.title_keys) {
    tracks_by_title_[key].push_back(slot);
  }
  for (const std::string& id : track.main_artist_ids) {
    const Slot artist = ArtistSlotFor(id);
    if (Contains(t.main_artists, artist)) continue;
    ++artists_[artist].track_refs;
    t.main_artists.push_back(artist);
  }
  for (const std::string& id : track.featured_artist_ids) {
    const Slot artist = ArtistSlotFor(id);
    if (Contains(t.main_artists, artist) ||
        Contains(t.featured_artists, artist)) {
      continue;
    }
    ++artists_[artist].track_refs;
    t.featured_artists.push_back(artist);
  }
  std::string key;
  for (const std::string& title_key : t.title_keys) {
    for (const Slot artist : Credited(t)) {
      key.clear();
      AppendTitleArtistKey(title_key, artist, &key);
      tracks_by_title_artist_[key].push_back(slot);
    }
  }
  for (const auto& provider_id : track.provider_ids) {
    if (provider_id.first.empty() || provider_id.second.empty() ||
        Contains(t.provider_ids, provider_id)) {
      continue;
    }
    t.provider_ids.push_back(provider_id);
    tracks_by_provider_id_[provider_id.first][provider_id.second].push_back(
        slot);
  }
}

void Resolver::RemoveTrack(std::string_view id) {
  auto it = track_by_id_.find(AsKey(id));
  if (it == track_by_id_.end()) return;
  const Slot slot = it->second;
  UnindexTrack(slot);
  track_by_id_.erase(it);
  tracks_[slot] = TrackSlot();
  free_tracks_.push_back(slot);
  --track_count_;
}

bool Resolver::Fits(const TrackSlot& track, const NamedArtists& named) {
  for (const SlotList* options : named) {
    bool credited = false;
    for (const Slot artist : *options) {
      if (Contains(track.main_artists, artist) ||
          Contains(track.featured_artists, artist)) {
        credited = true;
        break;
      }
    }
    if (!credited) return false;
  }
  for (const Slot artist : track.main_artists) {
    bool is_named = false;
    for (const SlotList* options : named) {
      if (Contains(*options, artist)) {
        is_named = true;
        break;
      }
    }
    if (!is_named) return false;
  }
  return true;
}

bool Resolver::CreditsOnlyNamed(const TrackSlot& track,
                                const NamedArtists& named) {
  for (const auto* list : {&track.main_artists, &track.featured_artists}) {
    for (const Slot artist : *list) {
      bool is_named = false;
      for (const SlotList* options : named) {
        if (Contains(*options, artist)) {
          is_named = true;
          break;
        }
      }
      if (!is_named) return false;
    }
  }
  return true;
}

template <typename Slots>
std::vector<std::string> Resolver::SortedIds(const Slots& slots,
                                             size_t limit) const {
  std::vector<std::string> ids;
  ids.reserve(slots.size());
  for (const Slot slot : slots) ids.push_back(tracks_[slot].id);
  std::sort(ids.begin(), ids.end());
  if (ids.size() > limit) ids.resize(limit);
  return ids;
}

Resolution Resolver::Resolve(const EntryQuery& entry) const {
  Resolution resolution;

  // 1. Provider id.
  if (!entry.provider.empty() && !entry.provider_track_id.empty()) {
    if (auto p = tracks_by_provider_id_.find(AsKey(entry.provider));
        p != tracks_by_provider_id_.end()) {
      if (auto it = p->second.find(AsKey(entry.provider_track_id));
          it != p->second.end()) {
        if (it->second.size() == 1) {
          resolution.kind = MatchKind::kProviderId;
          resolution.track_id = tracks_[it->second.front()].id;
          resolution.detail = "provider id";
        } else {
          resolution.detail = absl::StrCat("ambiguous: ", it->second.size(),
                                           " tracks have provider id ") +
                              Quoted(std::string(entry.provider) + ":" +
                                     std::string(entry.provider_track_id));
          resolution.candidate_track_ids =
              SortedIds(it->second, it->second.size());
        }
        return resolution;
      }
    }
  }

  // 2. Title and artists.
  thread_local Scratch scratch;
  scratch.Clear();
  internal::ScanTitle(entry.title, &scratch.scan);
  internal::AppendTitleKey(entry.title, scratch.scan, &scratch.title_key);
  if (scratch.title_key.empty()) {
    resolution.detail = "title is empty";
    return resolution;
  }
  const auto titled = tracks_by_title_.find(scratch.title_key);
  if (titled == tracks_by_title_.end()) {
    resolution.detail = "no track titled " + Quoted(entry.title);
    return resolution;
  }
  const SlotList& titled_tracks = titled->second;

  internal::TokenizeCredit(entry.artist_credit, &scratch.tokens);
  scratch.group_ends.push_back(scratch.tokens.size());
  for (std::string_view credit : scratch.scan.featured_credits) {
    internal::TokenizeCredit(credit, &scratch.tokens);
    scratch.group_ends.push_back(scratch.tokens.size());
  }
  for (const internal::CreditToken& token : scratch.tokens) {
    scratch.token_keys.push_back(AppendKey(token.text, &scratch.keys));
    scratch.separator_keys.push_back(AppendKey(token.separator, &scratch.keys));
  }

  NamedArtists named;
  absl::InlinedVector<std::string_view, 2> unknown;
  size_t group_begin = 0;
  for (const size_t group_end : scratch.group_ends) {
    size_t i = group_begin;
    while (i < group_end) {
      if (scratch.tokens[i].text.empty()) {
        ++i;
        continue;
      }
      // The longest run of parts from `i` that names a known artist.
      bool found = false;
      const size_t last = std::min(group_end, i + kMaxJoinedParts) - 1;
      for (size_t j = last + 1; j-- > i;) {
        scratch.span.clear();
        for (size_t k = i; k <= j; ++k) {
          if (k > i) {
            const auto [sb, se] = scratch.separator_keys[k];
            scratch.span.append(scratch.keys, sb, se - sb);
          }
          const auto [tb, te] = scratch.token_keys[k];
          scratch.span.append(scratch.keys, tb, te - tb);
          if (scratch.span.size() > max_artist_key_size_) break;
        }
        if (scratch.span.empty() ||
            scratch.span.size() > max_artist_key_size_) {
          continue;
        }
        if (auto it = artists_by_key_.find(scratch.span);
            it != artists_by_key_.end()) {
          named.push_back(&it->second);
          i = j + 1;
          found = true;
          break;
        }
      }
      if (found) continue;
      // "Jung Kook of BTS": the name without its group.
      const std::string_view text = scratch.tokens[i].text;
      const std::string_view without_group = internal::StripOfGroup(text);
      if (without_group.size() != text.size()) {
        scratch.stripped.clear();
        AppendNameKey(without_group, &scratch.stripped);
        if (auto it = artists_by_key_.find(scratch.stripped);
            it != artists_by_key_.end()) {
          named.push_back(&it->second);
          ++i;
          continue;
        }
      }
      unknown.push_back(text);
      ++i;
    }
    group_begin = group_end;
  }

  if (!unknown.empty()) {
    std::vector<std::string> names;
    names.reserve(unknown.size());
    for (std::string_view name : unknown) names.push_back(Quoted(name));
    resolution.detail =
        absl::StrCat(unknown.size() == 1 ? "artist " : "artists ",
                     absl::StrJoin(names, ", "), " unknown");
    resolution.candidate_track_ids = SortedIds(titled_tracks, kMaxNearMisses);
    return resolution;
  }
  if (named.empty()) {
    resolution.detail = "artist credit names no artist";
    resolution.candidate_track_ids = SortedIds(titled_tracks, kMaxNearMisses);
    return resolution;
  }

  // A fitting track credits an artist of the first name, so the tracks with
  // this title crediting one of them are the only candidates.
  absl::InlinedVector<Slot, 4> matches;
  for (const Slot artist : *named.front()) {
    scratch.span.clear();
    AppendTitleArtistKey(scratch.title_key, artist, &scratch.span);
    const auto it = tracks_by_title_artist_.find(scratch.span);
    if (it == tracks_by_title_artist_.end()) continue;
    for (const Slot slot : it->second) {
      if (!Contains(matches, slot) && Fits(tracks_[slot], named)) {
        matches.push_back(slot);
      }
    }
  }
  if (matches.size() == 1) {
    resolution.kind = MatchKind::kTitleAndArtists;
    resolution.track_id = tracks_[matches.front()].id;
    resolution.detail = "title and artists";
    return resolution;
  }
  if (matches.empty()) {
    resolution.detail = "no track titled " + Quoted(entry.title) +
                        " fits the artists " + Quoted(entry.artist_credit);
    // Near misses: the tracks with this title crediting a named artist.
    absl::InlinedVector<Slot, 4> near;
    for (const SlotList* options : named) {
      for (const Slot artist : *options) {
        scratch.span.clear();
        AppendTitleArtistKey(scratch.title_key, artist, &scratch.span);
        const auto it = tracks_by_title_artist_.find(scratch.span);
        if (it == tracks_by_title_artist_.end()) continue;
        for (const Slot slot : it->second) {
          if (!Contains(near, slot)) near.push_back(slot);
        }
      }
    }
    resolution.candidate_track_ids =
        near.empty() ? SortedIds(titled_tracks, kMaxNearMisses)
                     : SortedIds(near, kMaxNearMisses);
    return resolution;
  }
  // Several tracks fit; one that credits no artist beyond those named is a
  // better fit than tracks with extra featured artists ("Butter" by "BTS" is
  // not "Butter (feat. Megan Thee Stallion)").
  absl::InlinedVector<Slot, 4> exact;
  for (const Slot slot : matches) {
    if (CreditsOnlyNamed(tracks_[slot], named)) exact.push_back(slot);
  }
  if (exact.size() == 1) {
    resolution.kind = MatchKind::kTitleAndArtists;
    resolution.track_id = tracks_[exact.front()].id;
    resolution.detail = "title and exact artist credit";
    return resolution;
  }
  resolution.detail = absl::StrCat("ambiguous: ", matches.size(), " tracks");
  resolution.candidate_track_ids = SortedIds(matches, matches.size());
  return resolution;
}

}  // namespace hitclock::catalog::core
