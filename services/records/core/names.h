// The engine's names: tracks and regions interned as small numbers (every
// other unit speaks numbers), with what is known of each: a track's
// catalog facts and the watched categories they put it in, a region's kind.

#ifndef HITCLOCK_SERVICES_RECORDS_CORE_NAMES_H_
#define HITCLOCK_SERVICES_RECORDS_CORE_NAMES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/records/core/types.h"

namespace hitclock::records::core {

struct TrackInfo {
  std::string id;
  // Unset while the catalog's facts are unknown.
  std::optional<TrackFacts> facts;
  // The watched categories the facts put the track in.
  std::vector<Category> watched_categories;
};

// Track ids <-> track numbers (dense, from 0, never reused).
class TrackTable {
 public:
  uint32_t Intern(std::string_view id);
  std::optional<uint32_t> Find(std::string_view id) const;
  size_t size() const { return tracks_.size(); }
  const TrackInfo& operator[](uint32_t track) const { return tracks_[track]; }
  TrackInfo& operator[](uint32_t track) { return tracks_[track]; }
  const std::string& id(uint32_t track) const { return tracks_[track].id; }
  // The facts of a track with facts; null otherwise.
  const TrackFacts* facts(uint32_t track) const {
    const auto& f = tracks_[track].facts;
    return f.has_value() ? &*f : nullptr;
  }

 private:
  absl::flat_hash_map<std::string, uint32_t> index_;
  std::vector<TrackInfo> tracks_;
};

// Region codes <-> region numbers, with each region's kind (a country
// unless declared an aggregate).
class RegionTable {
 public:
  uint32_t Intern(std::string_view code);
  std::optional<uint32_t> Find(std::string_view code) const;
  const std::string& code(uint32_t region) const { return codes_[region]; }
  RegionKind kind(uint32_t region) const { return kinds_[region]; }
  bool is_country(uint32_t region) const {
    return kinds_[region] == RegionKind::kCountry;
  }
  void set_kind(uint32_t region, RegionKind kind) { kinds_[region] = kind; }
  // The kind of a code (a country when never seen).
  RegionKind KindOf(std::string_view code) const;

 private:
  absl::flat_hash_map<std::string, uint32_t> index_;
  std::vector<std::string> codes_;
  std::vector<RegionKind> kinds_;
};

}  // namespace hitclock::records::core

#endif  // HITCLOCK_SERVICES_RECORDS_CORE_NAMES_H_
