#include "services/ingest/core/errors.h"

#include <algorithm>

#include "services/ingest/core/utf8.h"

namespace hitclock::ingest::core {

absl::Status FieldError(std::string_view field, std::string_view problem) {
  std::string message;
  message.reserve(field.size() + 2 + problem.size());
  message.append(field);
  message.append(": ");
  message.append(problem);
  return absl::InvalidArgumentError(message);
}

std::string QuoteValue(std::string_view value) {
  constexpr size_t kMax = 64;
  size_t n = std::min(value.size(), kMax);
  if (n < value.size()) {
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;
  }
  std::string out = "\"";
  out.append(value.substr(0, n));
  if (!IsValidUtf8(std::string_view(out).substr(1))) {
    for (size_t i = 1; i < out.size(); ++i) {
      if (static_cast<unsigned char>(out[i]) >= 0x80) out[i] = '?';
    }
  }
  if (n < value.size()) out += "...";
  out += '"';
  return out;
}

std::string ErrorField(const absl::Status& status) {
  if (status.ok()) return "";
  const absl::string_view message = status.message();
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos) return "";
  return std::string(message.substr(0, colon));
}

}  // namespace hitclock::ingest::core
