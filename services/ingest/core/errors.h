// The shape of the core's errors: INVALID_ARGUMENT "<field>: <problem>".
#ifndef HITCLOCK_SERVICES_INGEST_CORE_ERRORS_H_
#define HITCLOCK_SERVICES_INGEST_CORE_ERRORS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace hitclock::ingest::core {

// Returns INVALID_ARGUMENT with the message "<field>: <problem>", the form of
// `hitclock::common::InvalidField`: `field` is the path of the offending
// request field (`snapshot.entries[3].position`, `content`, `region`).
absl::Status FieldError(std::string_view field, std::string_view problem);

// Returns `value` in double quotes for an error message, cut to its first
// 64 bytes (then followed by `...`) at a character boundary, with bytes
// that are not UTF-8 shown as `?`: a message stays short and valid UTF-8
// whatever the input.
std::string QuoteValue(std::string_view value);

// Returns the field path of an error made by `FieldError` (the message up to
// the first ": "), or "" when the status is OK or has no such prefix. This
// is what `SnapshotError.field` carries.
std::string ErrorField(const absl::Status& status);

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_ERRORS_H_
