// Process logging on stdout: text or JSON lines.
#ifndef HITCLOCK_COMMON_LOGGING_H_
#define HITCLOCK_COMMON_LOGGING_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/json_escape.h"  // JsonEscape, for log fields
#include "common/options.h"

namespace hitclock::common {

// Makes the default spdlog logger write to stdout at `options.log_level`, as
// text ("2024-01-01T00:00:00.000Z info  message key=value") or as one JSON
// object per line ({"ts":..., "level":..., "msg":..., key: value...}).
// Call once from main before any thread logs.
absl::Status InitLogging(const ServiceOptions& options);

// A structured log line: `msg` plus key/value fields, rendered for the format
// chosen by `InitLogging` (JSON fields are escaped properly).
using LogFields = std::vector<std::pair<std::string, std::string>>;
void LogInfo(std::string_view msg, const LogFields& fields = {});
void LogWarn(std::string_view msg, const LogFields& fields = {});
void LogError(std::string_view msg, const LogFields& fields = {});

}  // namespace hitclock::common

#endif  // HITCLOCK_COMMON_LOGGING_H_
