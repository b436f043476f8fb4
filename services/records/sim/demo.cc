#include "services/records/sim/demo.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include "services/records/sim/catalog_json.h"
#include "services/records/sim/generator.h"
#include "services/records/sim/output.h"
#include "services/records/sim/random.h"
#include "services/records/sim/regions.h"

namespace hitclock::records::sim {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kInterval = 5 * kMinute;
constexpr int kFillerCount = 20;
constexpr uint64_t kDemoSeed = 20220424;

int64_t At(const char* rfc3339) {
  int64_t micros = 0;
  ParseTimestamp(rfc3339, &micros);
  return micros;
}

// Item indices into `DemoItems()`.
enum Item : int {
  kWithYou,
  kDynamite,
  kDynamiteAlbum,
  kYours,
  kVelvetSkyline,
  kStarlightParade,
  kPaperLanterns,
  kTwoMoons,
  kGlassOrbit,
  kFirstFiller,
};

struct FictionalArtist {
  const char* id;
  const char* name;
  bool group;
  const char* country;
};

constexpr FictionalArtist kArtists[] = {
    {"nova-ardent", "Nova Ardent", false, "US"},
    {"the-paper-comets", "The Paper Comets", true, "GB"},
    {"ari-moonwell", "Ari Moonwell", false, "KR"},
    {"jun-skylark", "Jun Skylark", false, "KR"},
    {"lumen-vale", "Lumen Vale", false, "CA"},
    {"harbor-static", "Harbor Static", true, "AU"},
    {"mira-quartz", "Mira Quartz", false, "SE"},
    {"the-velvet-foxes", "The Velvet Foxes", true, "US"},
    {"odette-rook", "Odette Rook", false, "FR"},
    {"kai-halcyon", "Kai Halcyon", false, "NZ"},
    {"sol-and-the-tides", "Sol & The Tides", true, "BR"},
    {"wren-castell", "Wren Castell", false, "IE"},
    {"neon-orchids", "Neon Orchids", true, "DE"},
    {"pax-winslow", "Pax Winslow", false, "GB"},
    {"yara-ember", "Yara Ember", false, "MX"},
};
constexpr int kFillerArtistBase = 5;  // fillers use kArtists[5..14]

constexpr const char* kFillerTitles[kFillerCount] = {
    "Lighthouse Radio", "Paper Airplanes",     "Satellite Hearts",
    "Cold Brew Sunday", "Glass Harbor",        "Northbound Avenue",
    "Honey Static",     "Runaway Cartography", "Velvet Thunder",
    "Amber Signal",     "Quiet Fireworks",     "Tidal Letters",
    "Lemon Tree Motel", "Orbiting You",        "Midnight Laundromat",
    "Copper Skies",     "Second Sunrise",      "Polaroid Summer",
    "Marble Hearts",    "Slow Dance Robot"};

const std::vector<DemoItem>* BuildItems() {
  auto* items = new std::vector<DemoItem>{
      {"with-you", "With You", "HA SUNG WOON & Jimin", "900000101", true},
      {"dynamite", "Dynamite", "BTS", "900000201", true},
      {"dynamite", "Dynamite", "BTS", "900000202", true},
      {"yours", "Yours", "Jin", "900000301", true},
      {"velvet-skyline", "Velvet Skyline", "Nova Ardent", "990000101", false},
      {"starlight-parade", "Starlight Parade", "The Paper Comets", "990000201",
       false},
      {"paper-lanterns", "Paper Lanterns", "Ari Moonwell", "990000301", false},
      {"two-moons", "Two Moons", "Ari Moonwell & Jun Skylark", "990000401",
       false},
      {"glass-orbit", "Glass Orbit (feat. Lumen Vale)", "Jun Skylark",
       "990000501", false},
  };
  for (int i = 0; i < kFillerCount; ++i) {
    char id[32], provider_id[16];
    std::snprintf(id, sizeof(id), "sim-filler-%02d", i + 1);
    std::snprintf(provider_id, sizeof(provider_id), "9910%05d", i + 1);
    items->push_back({id, kFillerTitles[i],
                      kArtists[kFillerArtistBase + i % 10].name, provider_id,
                      false});
  }
  return items;
}

// The desired position of one item in one region over time: steps at
// capture instants; 0 = not in the chart.
struct Schedule {
  int item;
  std::vector<std::pair<int64_t, int>> steps;

  int PositionAt(int64_t t) const {
    int position = 0;
    for (const auto& [from, p] : steps) {
      if (from > t) break;
      position = p;
    }
    return position;
  }
};

// How one track spreads in one episode.
struct Spread {
  int item;
  int64_t release;
  // Region code -> offset from the release of the instant from which its
  // first #1 capture is taken (the first capture at or after it).
  std::map<std::string, int64_t> number_one;
  // Regions charting it without ever reaching #1 (peak 2..6); every region
  // not in `number_one` when empty is taken to be all other regions.
  bool others_chart = true;
};

struct Episode {
  int64_t start;
  int64_t end;
  std::vector<std::vector<Schedule>> schedules;  // per region
};

class DemoBuilder {
 public:
  DemoBuilder() : rng_(kDemoSeed) {
    for (const std::string& code : ItunesSongChartRegions()) {
      regions_.push_back(code);
    }
    for (const std::string& code : AggregateRegions()) {
      regions_.push_back(code);
    }
    for (size_t r = 0; r < regions_.size(); ++r) {
      const std::string& code = regions_[r];
      int64_t phase = static_cast<int64_t>(
                          HashKeys(kDemoSeed, static_cast<uint64_t>(code[0]),
                                   static_cast<uint64_t>(code[1])) %
                          300) *
                      kSecond;
      // The completing regions of the two exact records: their captures
      // fall on the minute of the record (19:44:00Z and 11:58:00Z).
      if (code == "pe") phase = 4 * kMinute;
      if (code == "nl") phase = 3 * kMinute;
      phases_.push_back(phase);
      index_[code] = static_cast<int>(r);
    }
  }

  int RegionIndex(const std::string& code) const { return index_.at(code); }
  const std::vector<std::string>& regions() const { return regions_; }
  Rng& rng() { return rng_; }

  // The first capture of region `r` at or after `t`.
  int64_t CaptureAtOrAfter(int r, int64_t t) const {
    const int64_t phase = phases_[r];
    int64_t k = (t - phase) / kInterval;
    if (phase + k * kInterval < t) ++k;
    while (phase + (k - 1) * kInterval >= t) --k;
    return phase + k * kInterval;
  }

  Episode NewEpisode(int64_t start, int64_t end) const {
    Episode episode;
    episode.start = start;
    episode.end = end;
    episode.schedules.resize(regions_.size());
    return episode;
  }

  // Adds the schedules of `spread` to `episode`: in each #1 region the
  // track enters at #2 one capture before its first #1 (so the previous
  // capture of the crossing is a recorded snapshot), holds #1 for hours,
  // slips to #2 (sometimes taking #1 back later: a re-entry), then drifts
  // down; elsewhere it peaks between #2 and #6.
  void AddSpread(Episode& episode, const Spread& spread) {
    const int64_t first_capture_after_release = spread.release + kMinute;
    for (size_t r = 0; r < regions_.size(); ++r) {
      const int ri = static_cast<int>(r);
      Schedule schedule{spread.item, {}};
      auto it = spread.number_one.find(regions_[r]);
      if (it != spread.number_one.end()) {
        const int64_t crossing =
            CaptureAtOrAfter(ri, spread.release + it->second);
        int climb = 1;
        while (climb > 0 &&
               crossing - climb * kInterval <
                   CaptureAtOrAfter(ri, first_capture_after_release)) {
          --climb;
        }
        for (int i = climb; i >= 1; --i) {
          schedule.steps.push_back({crossing - i * kInterval, 1 + i});
        }
        schedule.steps.push_back({crossing, 1});
        const int64_t slip = CaptureAtOrAfter(
            ri, crossing + 2 * kHour +
                    static_cast<int64_t>(rng_.Uniform(0, 10)) * kHour);
        schedule.steps.push_back({slip, 2});
        int64_t next = slip;
        if (rng_.Bernoulli(0.3)) {  // re-entry at #1
          const int64_t back = CaptureAtOrAfter(
              ri, slip + kHour + static_cast<int64_t>(rng_.Below(4)) * kHour);
          schedule.steps.push_back({back, 1});
          next = CaptureAtOrAfter(ri, back + 3 * kHour);
          schedule.steps.push_back({next, 2});
        }
        const int64_t drift = CaptureAtOrAfter(
            ri,
            next + 6 * kHour + static_cast<int64_t>(rng_.Below(12)) * kHour);
        schedule.steps.push_back({drift, 3 + static_cast<int>(rng_.Below(3))});
      } else if (spread.others_chart) {
        const int64_t entry = CaptureAtOrAfter(
            ri, spread.release + kMinute +
                    static_cast<int64_t>(rng_.Exponential(2.0) * 60) * kMinute);
        const int peak = 2 + static_cast<int>(rng_.Below(5));
        schedule.steps.push_back({entry, peak});
        const int64_t drift = CaptureAtOrAfter(
            ri,
            entry + 8 * kHour + static_cast<int64_t>(rng_.Below(10)) * kHour);
        schedule.steps.push_back({drift, std::min(peak + 3, kDemoChartSize)});
      } else {
        continue;
      }
      episode.schedules[r].push_back(std::move(schedule));
    }
  }

  // Emits the polls of `episode` into `out`, as configured.
  void Capture(const Episode& episode, int rotation, bool only_changed,
               std::vector<SimSnapshot>* out) const {
    const auto& items = DemoItems();
    for (size_t r = 0; r < regions_.size(); ++r) {
      const int ri = static_cast<int>(r);
      std::vector<int> last;
      for (int64_t t = CaptureAtOrAfter(ri, episode.start); t < episode.end;
           t += kInterval) {
        // Desired positions, made unique in (position, item) order.
        std::vector<std::pair<int, int>> wanted;  // (position, item)
        for (const Schedule& schedule : episode.schedules[r]) {
          const int p = schedule.PositionAt(t);
          if (p > 0) wanted.push_back({p, schedule.item});
        }
        std::sort(wanted.begin(), wanted.end());
        std::vector<int> chart(kDemoChartSize, -1);
        int previous = 0;
        for (const auto& [p, item] : wanted) {
          const int position = std::max(p, previous + 1);
          if (position > kDemoChartSize) break;
          chart[position - 1] = item;
          previous = position;
        }
        int filler = static_cast<int>((r * 7 + rotation) % kFillerCount);
        for (int& slot : chart) {
          if (slot >= 0) continue;
          slot = kFirstFiller + filler;
          filler = (filler + 1) % kFillerCount;
        }
        if (only_changed && chart == last) continue;
        last = chart;
        SimSnapshot snapshot;
        snapshot.chart = "itunes/top-songs";
        snapshot.region = regions_[r];
        snapshot.capture_micros = t;
        snapshot.chart_size = kDemoChartSize;
        for (int p = 0; p < kDemoChartSize; ++p) {
          const DemoItem& item = items[chart[p]];
          snapshot.entries.push_back({item.track_id, p + 1, item.title,
                                      item.artist_credit,
                                      item.provider_track_id, chart[p]});
        }
        out->push_back(std::move(snapshot));
      }
    }
  }

  // Picks `count` regions, `required` first, then others in a seeded
  // order, skipping `exclude` and the aggregates.
  std::vector<std::string> PickCountries(
      const std::vector<std::string>& required, size_t count,
      const std::vector<std::string>& exclude) {
    std::vector<std::string> picked = required;
    std::vector<std::string> pool;
    for (const std::string& code : ItunesSongChartRegions()) {
      if (std::find(picked.begin(), picked.end(), code) != picked.end() ||
          std::find(exclude.begin(), exclude.end(), code) != exclude.end()) {
        continue;
      }
      pool.push_back(code);
    }
    for (size_t i = pool.size(); i > 1; --i) {
      std::swap(pool[i - 1], pool[rng_.Below(i)]);
    }
    for (size_t i = 0; picked.size() < count && i < pool.size(); ++i) {
      picked.push_back(pool[i]);
    }
    return picked;
  }

  // Offsets for `count` first-#1 instants in [lo, hi), dense early (most
  // storefronts flip quickly, the last ones slowly), unsorted.
  std::vector<int64_t> Offsets(size_t count, int64_t lo, int64_t hi) {
    std::vector<int64_t> offsets;
    for (size_t i = 0; i < count; ++i) {
      const double u = rng_.Uniform();
      offsets.push_back(
          lo + static_cast<int64_t>(u * u * static_cast<double>(hi - lo)));
    }
    return offsets;
  }

 private:
  Rng rng_;
  std::vector<std::string> regions_;
  std::vector<int64_t> phases_;
  std::map<std::string, int> index_;
};

// A track reaching #1 in `fast` countries (the last at `last_offset`, from
// region `completing`), then `late` more between `late_lo` and `late_hi`.
Spread MakeRecordSpread(DemoBuilder& builder, int item, int64_t release,
                        const std::vector<std::string>& required,
                        const std::string& completing, size_t fast,
                        int64_t fast_lo, int64_t fast_hi, int64_t last_offset,
                        size_t late, int64_t late_lo, int64_t late_hi) {
  Spread spread{item, release, {}, true};
  std::vector<std::string> countries =
      builder.PickCountries(required, fast - 1 + late, {completing});
  std::vector<int64_t> offsets = builder.Offsets(fast - 1, fast_lo, fast_hi);
  std::sort(offsets.begin(), offsets.end());
  for (size_t i = 0; i + 1 < fast; ++i) {
    spread.number_one[countries[i]] = offsets[i];
  }
  spread.number_one[completing] = last_offset;
  std::vector<int64_t> late_offsets = builder.Offsets(late, late_lo, late_hi);
  for (size_t i = 0; i < late; ++i) {
    spread.number_one[countries[fast - 1 + i]] = late_offsets[i];
  }
  return spread;
}

// A track reaching #1 in `total` countries, `required` among them, by
// `hi` after its release.
Spread MakeTotalSpread(DemoBuilder& builder, int item, int64_t release,
                       const std::vector<std::string>& required, size_t total,
                       int64_t lo, int64_t hi) {
  Spread spread{item, release, {}, true};
  std::vector<std::string> countries =
      builder.PickCountries(required, total, {});
  std::vector<int64_t> offsets = builder.Offsets(total, lo, hi);
  std::sort(offsets.begin(), offsets.end());
  for (size_t i = 0; i < total; ++i)
    spread.number_one[countries[i]] = offsets[i];
  return spread;
}

std::vector<SimSnapshot> BuildDemo(bool only_changed) {
  DemoBuilder builder;
  std::vector<SimSnapshot> snapshots;
  int rotation = 0;
  auto run = [&](Episode& episode) {
    builder.Capture(episode, rotation, only_changed, &snapshots);
    rotation += 3;
  };

  {  // Velvet Skyline: the fastest to 100 before Dynamite (~15h10m).
    const int64_t release = At("2019-11-08T05:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 30 * kHour);
    Spread spread =
        MakeRecordSpread(builder, kVelvetSkyline, release, {"us", "ca", "gb"},
                         "au", 100, 20 * kMinute, 14 * kHour + 50 * kMinute,
                         15 * kHour + 10 * kMinute, 3, 16 * kHour, 26 * kHour);
    spread.number_one["ww"] = 3 * kHour;
    builder.AddSpread(episode, spread);
    run(episode);
  }
  {  // Dynamite: 100 countries at exactly +7h58m (`nl`, 11:58:00Z).
    const int64_t release = At("2020-08-21T04:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 20 * kHour);
    Spread spread = MakeRecordSpread(
        builder, kDynamite, release, {"us", "gb", "jp", "ph", "id"}, "nl", 100,
        10 * kMinute, 7 * kHour + 40 * kMinute, 7 * kHour + 58 * kMinute, 8,
        8 * kHour + 15 * kMinute, 18 * kHour);
    spread.number_one["ww"] = 40 * kMinute;
    spread.number_one["eu"] = 2 * kHour;
    builder.AddSpread(episode, spread);
    // The album version charts too, below the single.
    Spread album{kDynamiteAlbum, release + kHour, {}, true};
    builder.AddSpread(episode, album);
    run(episode);
  }
  {  // Paper Lanterns: a KR solo track, 57 countries.
    const int64_t release = At("2021-03-12T09:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 30 * kHour);
    builder.AddSpread(episode,
                      MakeTotalSpread(builder, kPaperLanterns, release, {}, 57,
                                      15 * kMinute, 24 * kHour));
    run(episode);
  }
  {  // Starlight Parade: 100 countries after ~11h20m, slower than Dynamite.
    const int64_t release = At("2021-06-04T04:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 24 * kHour);
    Spread spread =
        MakeRecordSpread(builder, kStarlightParade, release, {"gb", "us"}, "ie",
                         100, 20 * kMinute, 11 * kHour,
                         11 * kHour + 20 * kMinute, 1, 13 * kHour, 20 * kHour);
    builder.AddSpread(episode, spread);
    run(episode);
  }
  {  // Two Moons: a duet of two KR soloists, 88 countries.
    const int64_t release = At("2021-08-20T09:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 30 * kHour);
    builder.AddSpread(episode, MakeTotalSpread(builder, kTwoMoons, release, {},
                                               88, 10 * kMinute, 24 * kHour));
    run(episode);
  }
  {  // Glass Orbit: a KR solo track with a featured artist, 64 countries.
    const int64_t release = At("2021-09-03T09:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 30 * kHour);
    builder.AddSpread(episode,
                      MakeTotalSpread(builder, kGlassOrbit, release, {}, 64,
                                      10 * kMinute, 24 * kHour));
    run(episode);
  }
  {  // Yours: 82 countries in total, the 18 the articles name among them.
    const int64_t release = At("2021-11-07T09:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 40 * kHour);
    Spread spread =
        MakeTotalSpread(builder, kYours, release,
                        {"us", "gb", "jp", "fr", "de", "au", "br", "ca", "id",
                         "my", "it", "mx", "no", "ru", "th", "se", "ae", "ph"},
                        82, 10 * kMinute, 30 * kHour);
    spread.number_one["ww"] = 2 * kHour;
    builder.AddSpread(episode, spread);
    run(episode);
  }
  {  // With You: 100 countries at exactly +4h44m (`pe`, 19:44:00Z), 117 in
     // all; #1 on `ww` and `eu` early.
    const int64_t release = At("2022-04-24T15:00:00Z");
    Episode episode =
        builder.NewEpisode(release - 15 * kMinute, release + 14 * kHour);
    Spread spread = MakeRecordSpread(
        builder, kWithYou, release, {"us", "es", "gb", "jp", "sg", "tw"}, "pe",
        100, 8 * kMinute, 4 * kHour + 30 * kMinute, 4 * kHour + 44 * kMinute,
        17, 5 * kHour, 11 * kHour);
    spread.number_one["ww"] = 25 * kMinute;
    spread.number_one["eu"] = 50 * kMinute;
    builder.AddSpread(episode, spread);
    run(episode);
  }

  std::stable_sort(snapshots.begin(), snapshots.end(),
                   [](const SimSnapshot& a, const SimSnapshot& b) {
                     return a.capture_micros != b.capture_micros
                                ? a.capture_micros < b.capture_micros
                                : a.region < b.region;
                   });
  return snapshots;
}

}  // namespace

const std::vector<DemoItem>& DemoItems() {
  static const std::vector<DemoItem>* const kItems = BuildItems();
  return *kItems;
}

DemoStats GenerateDemo(const DemoOptions& options,
                       const SnapshotCallback& callback) {
  std::vector<SimSnapshot> snapshots = BuildDemo(options.only_changed);
  DemoStats stats;
  for (const SimSnapshot& snapshot : snapshots) {
    ++stats.snapshots;
    stats.entries += static_cast<int64_t>(snapshot.entries.size());
  }
  EmitInOrder(snapshots, options.order, options.order_seed, callback);
  return stats;
}

std::string DemoCompanionCatalogJson() {
  std::vector<CatalogArtist> artists;
  for (const FictionalArtist& a : kArtists) {
    artists.push_back({a.id, a.name, a.group, a.country, {}});
  }
  const char* kSource = "fictional demo track (hitclock-sim)";
  std::vector<CatalogTrack> tracks = {
      {"velvet-skyline",
       "Velvet Skyline",
       {},
       {{"nova-ardent", false}},
       At("2019-11-08T05:00:00Z"),
       kSource,
       "TRACK_KIND_SINGLE",
       {"en"},
       {{"990000101", "TRACK_VERSION_SINGLE"}}},
      {"starlight-parade",
       "Starlight Parade",
       {},
       {{"the-paper-comets", false}},
       At("2021-06-04T04:00:00Z"),
       kSource,
       "TRACK_KIND_SINGLE",
       {"en"},
       {{"990000201", "TRACK_VERSION_SINGLE"}}},
      {"paper-lanterns",
       "Paper Lanterns",
       {},
       {{"ari-moonwell", false}},
       At("2021-03-12T09:00:00Z"),
       kSource,
       "TRACK_KIND_SINGLE",
       {"ko"},
       {{"990000301", "TRACK_VERSION_SINGLE"}}},
      {"two-moons",
       "Two Moons",
       {},
       {{"ari-moonwell", false}, {"jun-skylark", false}},
       At("2021-08-20T09:00:00Z"),
       kSource,
       "TRACK_KIND_SINGLE",
       {"ko", "en"},
       {{"990000401", "TRACK_VERSION_SINGLE"}}},
      {"glass-orbit",
       "Glass Orbit",
       {},
       {{"jun-skylark", false}, {"lumen-vale", true}},
       At("2021-09-03T09:00:00Z"),
       kSource,
       "TRACK_KIND_SINGLE",
       {"ko", "en"},
       {{"990000501", "TRACK_VERSION_SINGLE"}}},
  };
  for (int i = 0; i < kFillerCount; ++i) {
    const DemoItem& item = DemoItems()[kFirstFiller + i];
    // Fillers come out weekly from 2019-01-11, before every episode.
    const int64_t micros =
        At("2019-01-11T05:00:00Z") + static_cast<int64_t>(i) * 7 * 24 * kHour;
    tracks.push_back({item.track_id,
                      item.title,
                      {},
                      {{kArtists[kFillerArtistBase + i % 10].id, false}},
                      micros,
                      kSource,
                      "TRACK_KIND_SINGLE",
                      {"en"},
                      {{item.provider_track_id, "TRACK_VERSION_SINGLE"}}});
  }
  return CatalogDocumentJson(artists, tracks);
}

}  // namespace hitclock::records::sim
