#include "services/records/core/names.h"

#include "absl/strings/string_view.h"

namespace hitclock::records::core {
namespace {

// Debian's abseil has its own string_view: convert explicitly.
absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

uint32_t TrackTable::Intern(std::string_view id) {
  auto [it, inserted] =
      index_.try_emplace(AbslView(id), static_cast<uint32_t>(tracks_.size()));
  if (inserted) tracks_.push_back(TrackInfo{std::string(id), {}, {}});
  return it->second;
}

std::optional<uint32_t> TrackTable::Find(std::string_view id) const {
  auto it = index_.find(AbslView(id));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

uint32_t RegionTable::Intern(std::string_view code) {
  auto [it, inserted] =
      index_.try_emplace(AbslView(code), static_cast<uint32_t>(codes_.size()));
  if (inserted) {
    codes_.emplace_back(code);
    kinds_.push_back(RegionKind::kCountry);
  }
  return it->second;
}

std::optional<uint32_t> RegionTable::Find(std::string_view code) const {
  auto it = index_.find(AbslView(code));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

RegionKind RegionTable::KindOf(std::string_view code) const {
  std::optional<uint32_t> r = Find(code);
  return r.has_value() ? kinds_[*r] : RegionKind::kCountry;
}

}  // namespace hitclock::records::core
