// Throughput of chart-entry resolution on a synthetic catalog of 50,000
// tracks and 20,000 artists, with chart entries as the feeds give them:
// provider-id hits, title+artist hits with decorated titles and varied credit
// spellings, and misses.
//
// Run: resolve_benchmark [--benchmark_filter=...]; "items_per_second" is the
// number of entries resolved per second on one thread.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <vector>

#include "services/catalog/core/normalize.h"
#include "services/catalog/core/resolver.h"

namespace hitclock::catalog::core {
namespace {

constexpr int kArtists = 20'000;
constexpr int kTracks = 50'000;
constexpr int kEntries = 100'000;

// Deterministic, platform-independent random numbers (SplitMix64).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  // True with probability `percent` / 100.
  bool Percent(int percent) {
    return Below(100) < static_cast<size_t>(percent);
  }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

const std::vector<std::string> kSyllables = {
    "ha",   "sung", "woon", "ji",   "min", "seok", "jin",  "tae",  "hyung",
    "yoon", "gi",   "nam",  "joon", "ho",  "seok", "jung", "kook", "ri",
    "sa",   "lis",  "jen",  "nie",  "ro",  "se",   "ka",   "mi",   "la",
    "do",   "ne",   "vi",   "an",   "na",  "bel",  "mar",  "co",   "lu",
    "ca",   "en",   "zo",   "ty",   "ler", "son",  "ver",  "da",   "fi",
    "ra",   "mo",   "ki",   "yu",   "so"};

const std::vector<std::string> kWords = {
    "love",     "home",      "summer",    "night",     "dream",    "heart",
    "fire",     "blue",      "butter",    "dynamite",  "yours",    "with",
    "you",      "me",        "stay",      "gold",      "light",    "run",
    "forever",  "young",     "rain",      "moon",      "star",     "sky",
    "ocean",    "city",      "road",      "back",      "again",    "alone",
    "together", "tonight",   "tomorrow",  "yesterday", "lost",     "found",
    "wild",     "sweet",     "bitter",    "dance",     "fly",      "fall",
    "rise",     "spring",    "winter",    "autumn",    "day",      "life",
    "goes",     "on",        "magic",     "shop",      "paradise", "euphoria",
    "save",     "my",        "name",      "boy",       "girl",     "world",
    "way",      "crazy",     "beautiful", "memory",    "letter",   "flower",
    "tree",     "christmas", "snow",      "closer",    "higher",   "faster",
    "slow",     "echo",      "silence",   "voice",     "promise",  "secret",
    "shadow",   "mirror",    "runaway",   "butterfly", "storm",    "angel",
    "devil",    "river",     "island",    "blues",     "our",      "seven",
    "left",     "right",     "cold",      "hot",       "zero",     "one",
    "first",    "last",      "time",      "place",     "story",    "song",
    "melody",   "rhythm"};

const std::vector<std::string> kCommonTitles = {
    "Intro", "Outro", "Love", "Home", "Stay", "Forever", "Dream", "Butterfly"};

std::string Capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = s[0] - 'a' + 'A';
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = c - 'a' + 'A';
  }
  return s;
}

std::string HangulName(Rng& rng) {
  std::string name;
  const size_t syllables = 2 + rng.Below(2);
  for (size_t i = 0; i < syllables; ++i) {
    const uint32_t cp = 0xAC00 + static_cast<uint32_t>(rng.Below(11172));
    name.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    name.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    name.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return name;
}

std::string LatinName(Rng& rng, bool hyphenate) {
  const size_t words = 1 + rng.Below(3);
  std::string name;
  for (size_t w = 0; w < words; ++w) {
    if (w > 0) name += ' ';
    std::string word;
    const size_t syllables = 1 + rng.Below(2);
    for (size_t s = 0; s < syllables; ++s) {
      if (s > 0 && hyphenate && w == words - 1) word += '-';
      word += rng.Pick(kSyllables);
    }
    name += Capitalize(word);
  }
  return name;
}

struct Catalog {
  std::vector<ResolverArtist> artists;
  std::vector<ResolverTrack> tracks;
};

struct Entry {
  std::string title;
  std::string credit;
  std::string provider;
  std::string provider_track_id;
  // The track the entry should resolve to; empty for an intended miss.
  std::string expected;
};

Catalog MakeCatalog() {
  Rng rng(20220425);
  Catalog catalog;
  std::unordered_set<std::string> keys;
  auto unique = [&keys](const std::string& name) {
    const std::string key = NameKey(name);
    return !key.empty() && keys.insert(key).second;
  };
  for (int i = 0; i < kArtists; ++i) {
    ResolverArtist artist;
    artist.id = "artist-" + std::to_string(i);
    do {
      artist.name = rng.Percent(8)
                        ? HangulName(rng)
                        : LatinName(rng, /*hyphenate=*/rng.Percent(30));
    } while (!unique(artist.name));
    if (rng.Percent(35)) {
      std::string alias;
      do {
        alias = rng.Percent(50) ? HangulName(rng) : LatinName(rng, false);
      } while (!unique(alias));
      artist.aliases.push_back(alias);
      artist.aliases.push_back(Upper(artist.name));
    }
    catalog.artists.push_back(std::move(artist));
  }
  for (int i = 0; i < kTracks; ++i) {
    ResolverTrack track;
    track.id = "track-" + std::to_string(i);
    if (rng.Percent(3)) {
      track.title = rng.Pick(kCommonTitles);
    } else if (rng.Percent(5)) {
      track.title = HangulName(rng) + " " + HangulName(rng);
    } else {
      const size_t words = 1 + rng.Below(4);
      for (size_t w = 0; w < words; ++w) {
        if (w > 0) track.title += ' ';
        track.title += Capitalize(rng.Pick(kWords));
      }
    }
    if (rng.Percent(5)) track.title_aliases.push_back(HangulName(rng));
    const size_t mains = rng.Percent(75) ? 1 : (rng.Percent(80) ? 2 : 3);
    while (track.main_artist_ids.size() < mains) {
      std::string id = rng.Pick(catalog.artists).id;
      bool seen = false;
      for (const auto& m : track.main_artist_ids) seen = seen || m == id;
      if (!seen) track.main_artist_ids.push_back(std::move(id));
    }
    if (rng.Percent(15)) {
      std::string id = rng.Pick(catalog.artists).id;
      bool seen = false;
      for (const auto& m : track.main_artist_ids) seen = seen || m == id;
      if (!seen) track.featured_artist_ids.push_back(std::move(id));
    }
    const size_t versions = 1 + rng.Below(3);
    for (size_t v = 0; v < versions; ++v) {
      track.provider_ids.push_back(
          {"itunes", std::to_string(1'000'000'000 + i * 4 + v)});
    }
    catalog.tracks.push_back(std::move(track));
  }
  return catalog;
}

const ResolverArtist& ArtistById(const Catalog& catalog,
                                 const std::string& id) {
  return catalog.artists[std::stoul(id.substr(7))];
}

// One way a chart spells an artist's name.
std::string Spelling(const ResolverArtist& artist, Rng& rng) {
  if (!artist.aliases.empty() && rng.Percent(40))
    return rng.Pick(artist.aliases);
  if (rng.Percent(10)) return Upper(artist.name);
  return artist.name;
}

std::vector<Entry> MakeEntries(const Catalog& catalog, bool with_provider_ids) {
  Rng rng(with_provider_ids ? 1 : 2);
  const std::vector<std::string> separators = {" & ", ", ", " x ", " and ",
                                               " X "};
  std::vector<Entry> entries;
  entries.reserve(kEntries);
  for (int i = 0; i < kEntries; ++i) {
    const ResolverTrack& track = rng.Pick(catalog.tracks);
    Entry entry;
    const size_t roll = rng.Below(100);
    if (with_provider_ids && roll < 45) {
      // A version the catalog knows: the provider id decides.
      entry.title = track.title;
      entry.credit = ArtistById(catalog, track.main_artist_ids[0]).name;
      entry.provider = "itunes";
      entry.provider_track_id = rng.Pick(track.provider_ids).second;
      entry.expected = track.id;
    } else if (roll < 88) {
      // A version the catalog does not know: title and artists decide.
      entry.title = track.title;
      if (rng.Percent(30)) {
        static const std::vector<std::string> decorations = {
            " - Single",     " [Explicit Ver.]", " (Clean)",
            " (Remastered)", " (Drama OST)",     " - EP"};
        entry.title += rng.Pick(decorations);
      }
      std::vector<std::string> names;
      for (const auto& id : track.main_artist_ids) {
        names.push_back(Spelling(ArtistById(catalog, id), rng));
      }
      if (names.size() > 1 && rng.Percent(50)) std::swap(names[0], names[1]);
      for (size_t n = 0; n < names.size(); ++n) {
        if (n > 0) entry.credit += rng.Pick(separators);
        entry.credit += names[n];
      }
      if (!track.featured_artist_ids.empty()) {
        const std::string featured =
            Spelling(ArtistById(catalog, track.featured_artist_ids[0]), rng);
        if (rng.Percent(50)) {
          entry.title += " (feat. " + featured + ")";
        } else if (rng.Percent(50)) {
          entry.credit += " feat. " + featured;
        }
      }
      if (with_provider_ids) {
        entry.provider = "itunes";
        entry.provider_track_id = std::to_string(2'000'000'000 + i);
      }
      entry.expected = track.id;
    } else if (roll < 93) {
      // A song the catalog does not have.
      entry.title = Capitalize(rng.Pick(kWords)) + " " +
                    Capitalize(rng.Pick(kSyllables)) + "zz";
      entry.credit = ArtistById(catalog, track.main_artist_ids[0]).name;
    } else if (roll < 97) {
      // A known title by someone else.
      entry.title = track.title;
      entry.credit = rng.Pick(catalog.artists).name;
    } else {
      // A known title with an artist the catalog does not know.
      entry.title = track.title;
      entry.credit = ArtistById(catalog, track.main_artist_ids[0]).name +
                     " & Unknown Newcomer";
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

struct Fixture {
  Catalog catalog;
  Resolver resolver;
  std::vector<Entry> mixed;
  std::vector<Entry> title_only;

  Fixture() : catalog(MakeCatalog()) {
    for (const auto& artist : catalog.artists) resolver.UpsertArtist(artist);
    for (const auto& track : catalog.tracks) resolver.UpsertTrack(track);
    mixed = MakeEntries(catalog, /*with_provider_ids=*/true);
    title_only = MakeEntries(catalog, /*with_provider_ids=*/false);
  }
};

const Fixture& GetFixture() {
  static const Fixture* fixture = new Fixture();
  return *fixture;
}

void RunResolve(benchmark::State& state, const std::vector<Entry>& entries) {
  const Resolver& resolver = GetFixture().resolver;
  std::vector<EntryQuery> queries;
  queries.reserve(entries.size());
  for (const Entry& e : entries) {
    queries.push_back({e.title, e.credit, e.provider, e.provider_track_id});
  }
  // How many entries resolve as generated, outside the timed loop.
  size_t resolved = 0;
  size_t as_expected = 0;
  size_t expected = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const Resolution r = resolver.Resolve(queries[i]);
    resolved += r.kind != MatchKind::kUnresolved;
    expected += !entries[i].expected.empty();
    as_expected +=
        !entries[i].expected.empty() && r.track_id == entries[i].expected;
  }
  size_t i = 0;
  for (auto _ : state) {
    Resolution r = resolver.Resolve(queries[i]);
    benchmark::DoNotOptimize(r);
    if (++i == queries.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["tracks"] = static_cast<double>(resolver.track_count());
  state.counters["artists"] = static_cast<double>(resolver.artist_count());
  state.counters["resolved_pct"] = 100.0 * static_cast<double>(resolved) /
                                   static_cast<double>(queries.size());
  state.counters["expected_hits_found_pct"] =
      100.0 * static_cast<double>(as_expected) / static_cast<double>(expected);
}

// Feed-like mix: 45% provider-id hits, 43% title+artist hits (unknown
// versions), 12% misses.
void BM_ResolveMixed(benchmark::State& state) {
  RunResolve(state, GetFixture().mixed);
}
BENCHMARK(BM_ResolveMixed);

// Worst case: no provider ids, 88% title+artist hits, 12% misses.
void BM_ResolveTitleAndArtistsOnly(benchmark::State& state) {
  RunResolve(state, GetFixture().title_only);
}
BENCHMARK(BM_ResolveTitleAndArtistsOnly);

void BM_NameKeyAscii(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(NameKey("HA SUNG WOON & Jimin"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NameKeyAscii);

void BM_NameKeyHangul(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(NameKey("하성운 & 지민"));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NameKeyHangul);

}  // namespace
}  // namespace hitclock::catalog::core

BENCHMARK_MAIN();
