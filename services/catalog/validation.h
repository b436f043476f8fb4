// The catalog's field checks: ids, names, country and language codes, and
// the fields of each resource that need no other resource, each naming the
// offending field.
#ifndef HITCLOCK_SERVICES_CATALOG_VALIDATION_H_
#define HITCLOCK_SERVICES_CATALOG_VALIDATION_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "hitclock/catalog/v1/catalog.pb.h"

namespace hitclock::catalog {

// Longest name, title or free-text string the catalog accepts, in bytes.
inline constexpr size_t kMaxStringBytes = 1024;
// Most elements a repeated field of one resource may hold.
inline constexpr int kMaxRepeated = 200;

// True when `code` (any case) is an ISO 3166-1 alpha-2 country code.
bool IsCountryCode(std::string_view code);
// True when `code` (lowercase) is an ISO 639-1 language code.
bool IsLanguageCode(std::string_view code);
// True when `id` is a valid resource id: `[a-z0-9][a-z0-9-]{0,63}`.
bool IsValidId(std::string_view id);
// A valid id derived from `text` (ASCII letters and digits kept, the rest
// turned into single dashes); empty when nothing is left.
std::string SlugFromText(std::string_view text);

// Checks the fields of an artist that need no other resource. `field` is the
// path of the message in the request (`artist`, `document.artists[3]`).
// `id_required` is false on create, where an empty id is derived. On
// success, normalizes `origin_country` to uppercase.
absl::Status ValidateArtist(v1::Artist& artist, std::string_view field,
                            bool id_required);
// Same for a track (artist and production existence are the store's).
absl::Status ValidateTrack(v1::Track& track, std::string_view field,
                           bool id_required);
// Same for a production.
absl::Status ValidateProduction(v1::Production& production,
                                std::string_view field, bool id_required);

}  // namespace hitclock::catalog

#endif  // HITCLOCK_SERVICES_CATALOG_VALIDATION_H_
