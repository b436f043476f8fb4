#include "services/records/sim/generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <utility>

#include "services/records/sim/catalog_json.h"
#include "services/records/sim/output.h"
#include "services/records/sim/random.h"
#include "services/records/sim/regions.h"

namespace hitclock::records::sim {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr int kMarketCount = 6;

// Salts that keep the hash streams of different purposes apart.
enum Salt : uint64_t {
  kSaltTrack = 0x7472616b,
  kSaltRegion = 0x72656769,
  kSaltPair = 0x70616972,
  kSaltFastNoise = 0x6661736e,
  kSaltSlowNoise = 0x736c6f6e,
  kSaltArtist = 0x61727469,
  kSaltShuffle = 0x73687566,
};

constexpr const char* kTitleWords1[] = {
    "Velvet",  "Paper",    "Neon",     "Silver",  "Midnight", "Golden",
    "Crystal", "Electric", "Quiet",    "Wild",    "Lunar",    "Broken",
    "Summer",  "Winter",   "Ocean",    "Falling", "Burning",  "Hidden",
    "Endless", "Little",   "Cherry",   "Static",  "Amber",    "Scarlet",
    "Hollow",  "Frozen",   "Distant",  "Sweet",   "Runaway",  "Cosmic",
    "Violet",  "Honey",    "Glass",    "Morning", "Shadow",   "Paper-thin",
    "Starlit", "Rainy",    "Northern", "Lost"};
constexpr const char* kTitleWords2[] = {
    "Skyline",   "Letters", "Heart",   "Rain",    "Parade",  "Dreams",
    "Orbit",     "Echoes",  "Tide",    "Lights",  "Season",  "Waves",
    "Roads",     "Fire",    "Bloom",   "Signal",  "Garden",  "Promise",
    "Horizon",   "Stories", "Mirror",  "Motion",  "Sparks",  "Reverie",
    "Harbor",    "Thunder", "Rhythm",  "Silence", "Comets",  "Lanterns",
    "Satellite", "Feather", "Avenue",  "Runaway", "Gravity", "Daylight",
    "Shoreline", "Voices",  "Circles", "Velocity"};
constexpr const char* kFirstNames[] = {
    "Ari",   "Juno", "Kai",  "Lumen",  "Mira", "Niko",   "Odette", "Pax",
    "Quill", "Remy", "Sol",  "Tamsin", "Uma",  "Vesper", "Wren",   "Xan",
    "Yara",  "Zev",  "Ezra", "Ines",   "Leif", "Noor",   "Oren",   "Sage"};
constexpr const char* kLastNames[] = {
    "Moonwell",  "Skylark",   "Vale",     "Ardent",  "Marlow",
    "Quartz",    "Halcyon",   "Rook",     "Ember",   "Frost",
    "Lindqvist", "Okafor",    "Sterling", "Castell", "Nakamura-Reyes",
    "Devereaux", "Blackwood", "Ashgrove", "Winslow", "Thorne"};
constexpr const char* kGroupWords[] = {
    "Comets", "Lanterns", "Satellites", "Foxes",  "Parade", "Tides",
    "Echoes", "Orchids",  "Engines",    "Pilots", "Ghosts", "Rivers"};
constexpr const char* kCountries[] = {"US", "GB", "CA", "AU", "SE", "DE",
                                      "FR", "JP", "BR", "MX", "KR", "NG",
                                      "ES", "IT", "NL", "PH", "ID", "ZA"};

template <typename T, size_t N>
const char* Pick(const T (&words)[N], uint64_t bits) {
  return words[bits % N];
}

double UnitHash(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return UnitFromBits(HashKeys(a, b, c, d));
}

// A standard normal from a hash (Box-Muller on two hashed uniforms).
double NormalHash(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  const uint64_t h = HashKeys(a, b, c, d);
  const double u1 = 1.0 - UnitFromBits(h);
  const double u2 = UnitFromBits(Mix64(h));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// The arrival of one wave of a track in one region.
struct Wave {
  int64_t start_micros;
  int32_t track;
  double intercept;  // score at `start_micros`
};

// A track present in a region's ranking.
struct Active {
  double score;      // at the current capture, noise included
  double intercept;  // deterministic score at `start_micros`
  int64_t start_micros;
  double decay_per_micro;
  int32_t track;
};

struct RegionState {
  std::vector<Wave> waves;  // sorted by (start, track)
  size_t next_wave = 0;
  std::vector<Active> active;  // ranked at the last capture
  std::vector<int32_t> slot;   // track -> index in `active`, or -1
};

}  // namespace

Generator::Generator(GeneratorOptions options) : options_(std::move(options)) {
  const uint64_t seed = options_.seed;
  // Regions, their markets and phases; output order is by phase.
  std::vector<std::string> codes =
      options_.regions.empty() ? ItunesSongChartRegions() : options_.regions;
  if (options_.include_aggregates) {
    for (const std::string& code : AggregateRegions()) codes.push_back(code);
  }
  const int64_t interval_seconds =
      std::max<int64_t>(1, options_.interval_micros / kMicrosPerSecond);
  std::vector<std::pair<int64_t, std::string>> by_phase;
  for (const std::string& code : codes) {
    uint64_t code_key = 0;
    for (char c : code) code_key = code_key * 131 + static_cast<uint8_t>(c);
    const int64_t phase =
        options_.interval_micros >= kMicrosPerSecond
            ? static_cast<int64_t>(HashKeys(seed, kSaltRegion, code_key, 1) %
                                   static_cast<uint64_t>(interval_seconds)) *
                  kMicrosPerSecond
            : 0;
    by_phase.emplace_back(phase, code);
  }
  std::sort(by_phase.begin(), by_phase.end());
  for (auto& [phase, code] : by_phase) {
    uint64_t code_key = 0;
    for (char c : code) code_key = code_key * 131 + static_cast<uint8_t>(c);
    phases_.push_back(phase);
    markets_.push_back(
        IsAggregateRegion(code)
            ? -1
            : static_cast<int>(HashKeys(seed, kSaltRegion, code_key, 2) %
                               kMarketCount));
    regions_.push_back(std::move(code));
  }

  // Artists: about one per four tracks, a fifth of them groups.
  const int artist_count = std::max(1, options_.track_count / 4);
  for (int a = 0; a < artist_count; ++a) {
    Rng rng(HashKeys(seed, kSaltArtist, static_cast<uint64_t>(a)));
    SimArtist artist;
    char id[32];
    std::snprintf(id, sizeof(id), "sim-a%05d", a);
    artist.id = id;
    artist.group = rng.Bernoulli(0.2);
    if (artist.group) {
      artist.name = std::string("The ") + Pick(kTitleWords1, rng.Next()) + " " +
                    Pick(kGroupWords, rng.Next());
    } else {
      artist.name = std::string(Pick(kFirstNames, rng.Next())) + " " +
                    Pick(kLastNames, rng.Next());
    }
    // Names repeat across a large pool; a number keeps them unique.
    artist.name += " " + std::to_string(a);
    artist.origin_country = Pick(kCountries, rng.Next());
    artists_.push_back(std::move(artist));
  }

  // Tracks.
  const int64_t range_micros =
      static_cast<int64_t>(options_.days * static_cast<double>(kMicrosPerDay));
  for (int i = 0; i < options_.track_count; ++i) {
    Rng rng(HashKeys(seed, kSaltTrack, static_cast<uint64_t>(i)));
    SimTrack track;
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "sim-t%06d", i);
    track.id = buffer;
    std::snprintf(buffer, sizeof(buffer), "8%08d", i);
    track.provider_track_id = buffer;
    track.title = std::string(Pick(kTitleWords1, rng.Next())) + " " +
                  Pick(kTitleWords2, rng.Next());
    const int main_artist = static_cast<int>(rng.Below(artist_count));
    track.artist_ids.push_back(artists_[main_artist].id);
    track.artist_credit = artists_[main_artist].name;
    if (artist_count > 1 && rng.Bernoulli(0.15)) {
      int other = static_cast<int>(rng.Below(artist_count - 1));
      if (other >= main_artist) ++other;
      track.artist_ids.push_back(artists_[other].id);
      track.artist_credit += " & " + artists_[other].name;
    }
    // Releases happen on the hour.
    double offset;
    if (rng.Bernoulli(options_.carryover_fraction)) {
      offset = -rng.Uniform(0, 60.0 * kMicrosPerDay);
    } else {
      offset = rng.Uniform(0, static_cast<double>(range_micros));
    }
    int64_t release = options_.start_micros + static_cast<int64_t>(offset);
    release -= ((release % kMicrosPerHour) + kMicrosPerHour) % kMicrosPerHour;
    track.release_micros = release;
    track.popularity = rng.Normal();
    track.home_market = static_cast<int>(rng.Below(kMarketCount));
    track.decay_days = rng.Bernoulli(0.05) ? 60.0  // evergreen
                                           : 2.5 * std::exp(0.5 * rng.Normal());
    if (rng.Bernoulli(0.15)) {
      track.revival_micros =
          release + static_cast<int64_t>(rng.Uniform(4, 25) * kMicrosPerDay);
    }
    tracks_.push_back(std::move(track));
  }
}

GenerateStats Generator::Run(const SnapshotCallback& callback) const {
  if (options_.order == EmitOrder::kTime) return RunInTimeOrder(callback);
  std::vector<SimSnapshot> buffered;
  GenerateStats stats =
      RunInTimeOrder([&buffered](const SimSnapshot& snapshot) {
        buffered.push_back(snapshot);
      });
  EmitInOrder(buffered, options_.order, options_.order_seed, callback);
  return stats;
}

GenerateStats Generator::RunInTimeOrder(
    const SnapshotCallback& callback) const {
  const uint64_t seed = options_.seed;
  const int region_count = static_cast<int>(regions_.size());
  const int track_count = static_cast<int>(tracks_.size());
  const int top_k = std::max(1, options_.top_k);

  // Each track's waves in each region it charts in.
  std::vector<RegionState> states(region_count);
  for (int r = 0; r < region_count; ++r) {
    states[r].slot.assign(track_count, -1);
  }
  for (int i = 0; i < track_count; ++i) {
    const SimTrack& track = tracks_[i];
    const double reach =
        1.0 / (1.0 + std::exp(-(1.6 * track.popularity - 1.0)));
    const double delay_mean_hours = 4.0 * std::exp(-0.6 * track.popularity);
    for (int r = 0; r < region_count; ++r) {
      const uint64_t ui = static_cast<uint64_t>(i);
      const uint64_t ur = static_cast<uint64_t>(r);
      const bool home = markets_[r] == track.home_market;
      const bool aggregate = markets_[r] < 0;
      if (aggregate) {
        if (reach < 0.5) continue;
      } else if (!home && UnitHash(seed, kSaltPair, ui, ur * 4) >= reach) {
        continue;
      }
      const double affinity = (home ? 0.5 : 0.0) +
                              0.5 * NormalHash(seed, kSaltPair, ui, ur * 4 + 1);
      const double delay_hours =
          (home ? 0.5 : delay_mean_hours) *
          -std::log1p(-UnitHash(seed, kSaltPair, ui, ur * 4 + 2));
      const int64_t start =
          track.release_micros +
          static_cast<int64_t>(delay_hours * 3600.0) * kMicrosPerSecond;
      const double intercept = track.popularity + affinity;
      states[r].waves.push_back({start, i, intercept});
      if (track.revival_micros != 0) {
        const double lag_hours =
            -2.0 * std::log1p(-UnitHash(seed, kSaltPair, ui, ur * 4 + 3));
        const int64_t revival =
            track.revival_micros +
            static_cast<int64_t>(lag_hours * 3600.0) * kMicrosPerSecond;
        const double boost = 1.0 + 1.5 * UnitHash(seed, kSaltPair, ui, ~ur);
        const double decayed =
            intercept - static_cast<double>(revival - start) /
                            (track.decay_days * kMicrosPerDay);
        states[r].waves.push_back({revival, i, decayed + boost});
      }
    }
  }
  for (RegionState& state : states) {
    std::sort(state.waves.begin(), state.waves.end(),
              [](const Wave& a, const Wave& b) {
                return a.start_micros != b.start_micros
                           ? a.start_micros < b.start_micros
                           : a.track < b.track;
              });
  }

  GenerateStats stats;
  std::vector<bool> seen(track_count, false);
  SimSnapshot snapshot;
  snapshot.chart = options_.chart;
  snapshot.chart_size = top_k;
  snapshot.entries.resize(top_k);

  const int64_t start = options_.start_micros;
  const int64_t end =
      start +
      static_cast<int64_t>(options_.days * static_cast<double>(kMicrosPerDay));
  const int64_t interval = std::max<int64_t>(1, options_.interval_micros);
  for (int64_t cycle = 0; start + cycle * interval < end; ++cycle) {
    for (int r = 0; r < region_count; ++r) {
      const int64_t t = start + cycle * interval + phases_[r];
      if (t >= end) continue;
      RegionState& state = states[r];
      // Arrivals and revivals up to this capture.
      while (state.next_wave < state.waves.size() &&
             state.waves[state.next_wave].start_micros <= t) {
        const Wave& wave = state.waves[state.next_wave++];
        const double decay =
            1.0 / (tracks_[wave.track].decay_days * kMicrosPerDay);
        const int32_t slot = state.slot[wave.track];
        if (slot >= 0) {
          Active& a = state.active[slot];
          const double now =
              a.intercept -
              static_cast<double>(wave.start_micros - a.start_micros) *
                  a.decay_per_micro;
          if (wave.intercept > now) {
            a.intercept = wave.intercept;
            a.start_micros = wave.start_micros;
          }
        } else {
          state.slot[wave.track] = static_cast<int32_t>(state.active.size());
          state.active.push_back(
              {0.0, wave.intercept, wave.start_micros, decay, wave.track});
        }
      }
      // Scores: deterministic decay plus a fast (per capture) and a slow
      // (per hour) noise term.
      const uint64_t hour = static_cast<uint64_t>((t - start) / kMicrosPerHour);
      for (Active& a : state.active) {
        const uint64_t ut = static_cast<uint64_t>(a.track);
        const double fast = UnitFromBits(
            HashKeys(seed ^ kSaltFastNoise, ut, static_cast<uint64_t>(r),
                     static_cast<uint64_t>(cycle)));
        const double slow = UnitFromBits(HashKeys(
            seed ^ kSaltSlowNoise, ut, static_cast<uint64_t>(r), hour));
        a.score = a.intercept -
                  static_cast<double>(t - a.start_micros) * a.decay_per_micro +
                  0.08 * (fast - 0.5) + 0.4 * (slow - 0.5);
      }
      // Insertion sort: the ranking barely changes between two captures.
      auto better = [](const Active& a, const Active& b) {
        return a.score != b.score ? a.score > b.score : a.track < b.track;
      };
      for (size_t i = 1; i < state.active.size(); ++i) {
        if (!better(state.active[i], state.active[i - 1])) continue;
        Active moving = state.active[i];
        size_t j = i;
        while (j > 0 && better(moving, state.active[j - 1])) {
          state.active[j] = state.active[j - 1];
          --j;
        }
        state.active[j] = moving;
      }
      // Drop tracks far below the chart: they can only come back through a
      // revival wave, which re-adds them.
      if (state.active.size() > static_cast<size_t>(top_k) + 50) {
        const double floor = state.active[top_k - 1].score - 3.0;
        size_t keep = state.active.size();
        while (keep > static_cast<size_t>(top_k) + 50 &&
               state.active[keep - 1].score < floor) {
          state.slot[state.active[keep - 1].track] = -1;
          --keep;
        }
        state.active.resize(keep);
      }
      for (size_t i = 0; i < state.active.size(); ++i) {
        state.slot[state.active[i].track] = static_cast<int32_t>(i);
      }
      // Emit.
      const int count =
          std::min<int>(top_k, static_cast<int>(state.active.size()));
      snapshot.region = regions_[r];
      snapshot.capture_micros = t;
      snapshot.entries.resize(count);
      for (int p = 0; p < count; ++p) {
        const int32_t i = state.active[p].track;
        const SimTrack& track = tracks_[i];
        SimEntry& entry = snapshot.entries[p];
        entry.track_id.assign(track.id);
        entry.position = p + 1;
        entry.title.assign(track.title);
        entry.artist_credit.assign(track.artist_credit);
        entry.provider_track_id.assign(track.provider_track_id);
        entry.track_index = i;
        if (!seen[i]) {
          seen[i] = true;
          ++stats.distinct_tracks;
        }
      }
      ++stats.snapshots;
      stats.entries += count;
      callback(snapshot);
    }
  }
  return stats;
}

std::string Generator::CatalogJson() const {
  std::vector<CatalogArtist> artists;
  for (const SimArtist& a : artists_) {
    artists.push_back({a.id, a.name, a.group, a.origin_country, {}});
  }
  std::vector<CatalogTrack> tracks;
  for (const SimTrack& t : tracks_) {
    CatalogTrack track;
    track.id = t.id;
    track.title = t.title;
    for (const std::string& artist : t.artist_ids) {
      track.artists.push_back({artist, /*featured=*/false});
    }
    track.release_micros = t.release_micros;
    track.release_source = "generated by hitclock-sim (fictional)";
    track.kind = "TRACK_KIND_SINGLE";
    track.provider_ids.push_back({t.provider_track_id, "TRACK_VERSION_SINGLE"});
    tracks.push_back(std::move(track));
  }
  return CatalogDocumentJson(artists, tracks);
}

void EmitInOrder(std::vector<SimSnapshot>& snapshots, EmitOrder order,
                 uint64_t order_seed, const SnapshotCallback& callback) {
  std::vector<size_t> indices(snapshots.size());
  std::iota(indices.begin(), indices.end(), 0);
  if (order == EmitOrder::kShuffled) {
    Rng rng(HashKeys(order_seed, kSaltShuffle, 0));
    for (size_t i = indices.size(); i > 1; --i) {
      std::swap(indices[i - 1], indices[rng.Below(i)]);
    }
  } else if (order == EmitOrder::kBackfill && !snapshots.empty()) {
    const int64_t first = snapshots.front().capture_micros;
    const int64_t last = snapshots.back().capture_micros;
    const int64_t middle = first + (last - first) / 2;
    std::stable_partition(indices.begin(), indices.end(), [&](size_t i) {
      return snapshots[i].capture_micros > middle;
    });
  }
  for (size_t i : indices) callback(snapshots[i]);
}

}  // namespace hitclock::records::sim
