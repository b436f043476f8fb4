// JSON string escaping: the one escaper for every JSON text hitclock writes
// by hand (log lines, the simulator's feeds and catalogs). Pure (library
// `hitclock_domain`): the STL only.
#ifndef HITCLOCK_COMMON_JSON_ESCAPE_H_
#define HITCLOCK_COMMON_JSON_ESCAPE_H_

#include <string>
#include <string_view>

namespace hitclock::common {

// Appends `s` to `*out` as the body of a JSON string, without the quotes:
// `"` and `\` escaped, `\n` `\r` `\t` by name, other control characters
// and DEL as `\u00XX`, well-formed UTF-8 copied as is and each byte of an
// ill-formed sequence replaced by `\ufffd`.
void AppendJsonEscaped(std::string_view s, std::string* out);

// `AppendJsonEscaped` into a new string.
std::string JsonEscape(std::string_view s);

// Appends `s` as a whole JSON string, quotes included.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_JSON_ESCAPE_H_
