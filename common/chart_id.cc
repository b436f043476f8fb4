#include "common/chart_id.h"

#include <algorithm>
#include <string>

namespace hitclock::common {
namespace {

constexpr size_t kMaxSlugSize = 64;

std::string Field(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  if (!out.empty()) out += '.';
  out += name;
  return out;
}

absl::Status Invalid(std::string_view field, std::string_view problem) {
  std::string message(field);
  message.append(": ").append(problem);
  return absl::InvalidArgumentError(message);
}

absl::Status CheckHalf(std::string_view value, std::string_view field,
                       std::string_view half) {
  if (value.empty()) return Invalid(Field(field, half), "is required");
  if (!IsSlug(value)) {
    return Invalid(Field(field, half),
                   "must be lowercase letters, digits and `-`");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsSlug(std::string_view s) {
  if (s.empty() || s.size() > kMaxSlugSize) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

absl::Status ValidateChartId(std::string_view provider, std::string_view list,
                             std::string_view field) {
  if (absl::Status s = CheckHalf(provider, field, "provider"); !s.ok()) {
    return s;
  }
  return CheckHalf(list, field, "list");
}

absl::Status SetChartName(std::string_view provider, std::string_view list,
                          std::string_view field, std::string* name) {
  if (absl::Status s = ValidateChartId(provider, list, field); !s.ok()) {
    return s;
  }
  name->assign(provider).append("/").append(list);
  return absl::OkStatus();
}

absl::StatusOr<std::string> CheckedChartName(std::string_view provider,
                                             std::string_view list,
                                             std::string_view field) {
  std::string name;
  if (absl::Status s = SetChartName(provider, list, field, &name); !s.ok()) {
    return s;
  }
  return name;
}

std::string ChartName(std::string_view provider, std::string_view list) {
  std::string name(provider);
  name.append("/").append(list);
  return name;
}

ChartId SplitChartName(std::string_view name) {
  ChartId chart;
  const size_t slash = name.find('/');
  chart.provider = std::string(name.substr(0, slash));
  if (slash != std::string_view::npos) {
    chart.list = std::string(name.substr(slash + 1));
  }
  return chart;
}

absl::StatusOr<ChartId> ParseChartName(std::string_view text,
                                       std::string_view field) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 ||
      slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string_view::npos) {
    return Invalid(field, "`" + std::string(text) +
                              "` is not provider/list (e.g. "
                              "itunes/top-songs)");
  }
  ChartId chart = SplitChartName(text);
  if (absl::Status s = ValidateChartId(chart.provider, chart.list, field);
      !s.ok()) {
    return s;
  }
  return chart;
}

}  // namespace hitclock::common
