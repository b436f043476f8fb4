// UTF-8 validity.
#ifndef HITCLOCK_SERVICES_INGEST_CORE_UTF8_H_
#define HITCLOCK_SERVICES_INGEST_CORE_UTF8_H_

#include <cstddef>
#include <string_view>

namespace hitclock::ingest::core {

// Returns whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Returns the byte offset of the first byte of the first ill-formed sequence
// in `text`, or `std::string_view::npos` when `text` is well-formed UTF-8.
size_t FirstInvalidUtf8(std::string_view text);

// The longest prefix of `text` of at most `max_bytes` bytes that does not
// cut a multi-byte sequence: for quoting part of a well-formed value in a
// message that must stay well-formed.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes);

}  // namespace hitclock::ingest::core

#endif  // HITCLOCK_SERVICES_INGEST_CORE_UTF8_H_
