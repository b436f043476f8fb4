#include "common/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace hitclock::common {
namespace {

// Structured lines travel through spdlog as one payload:
//   msg US key RS value US key RS value ...
// and the formatter below renders them as text or JSON. A plain spdlog call
// (no separators) is just a message.
constexpr char kFieldSep = '\x1f';
constexpr char kValueSep = '\x1e';

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v) {
    if (c == ' ' || c == '"' || c == '=' ||
        static_cast<unsigned char>(c) < 0x20)
      return true;
  }
  return false;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t begin = 0;
  while (true) {
    const size_t at = s.find(sep, begin);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(begin));
      return parts;
    }
    parts.push_back(s.substr(begin, at - begin));
    begin = at + 1;
  }
}

std::pair<std::string_view, std::string_view> SplitField(std::string_view f) {
  const size_t at = f.find(kValueSep);
  if (at == std::string_view::npos) return {f, std::string_view()};
  return {f.substr(0, at), f.substr(at + 1)};
}

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    const std::vector<std::string_view> parts = Split(payload, kFieldSep);
    const std::string ts =
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromChrono(msg.time),
                         absl::UTCTimeZone());
    const auto level_name = spdlog::level::to_string_view(msg.level);
    const std::string level(level_name.data(), level_name.size());
    std::string line;
    if (format_ == LogFormat::kJson) {
      line += "{\"ts\":\"" + ts + "\",\"level\":\"" + level + "\",\"msg\":\"" +
              JsonEscape(parts[0]) + "\"";
      for (size_t i = 1; i < parts.size(); ++i) {
        const auto [key, value] = SplitField(parts[i]);
        line += ",\"" + JsonEscape(key) + "\":\"" + JsonEscape(value) + "\"";
      }
      line += "}\n";
    } else {
      line += ts + " " + level + " ";
      line.append(parts[0]);
      for (size_t i = 1; i < parts.size(); ++i) {
        const auto [key, value] = SplitField(parts[i]);
        line += " ";
        line.append(key);
        if (NeedsQuotes(value)) {
          line += "=\"" + JsonEscape(value) + "\"";
        } else {
          line += "=";
          line.append(value);
        }
      }
      line += "\n";
    }
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  LogFormat format_;
};

// Whether the default logger has our formatter; before `InitLogging` (e.g. in
// tests) structured lines are rendered as plain "msg key=value" text.
std::atomic<bool> formatter_installed{false};

std::string Render(std::string_view msg, const LogFields& fields) {
  std::string out(msg);
  if (!formatter_installed.load(std::memory_order_relaxed)) {
    for (const auto& [key, value] : fields) {
      out += " " + key + "=" + value;
    }
    return out;
  }
  for (const auto& [key, value] : fields) {
    out += kFieldSep + key + kValueSep + value;
  }
  return out;
}

}  // namespace

absl::Status InitLogging(const ServiceOptions& options) {
  const spdlog::level::level_enum level =
      spdlog::level::from_str(options.log_level);
  if (level == spdlog::level::off && options.log_level != "off") {
    return absl::InvalidArgumentError(
        absl::StrCat("log level: unknown \"", options.log_level, "\""));
  }
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("hitclock", std::move(sink));
  logger->set_formatter(std::make_unique<LineFormatter>(options.log_format));
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  formatter_installed.store(true, std::memory_order_relaxed);
  return absl::OkStatus();
}

void LogInfo(std::string_view msg, const LogFields& fields) {
  spdlog::info("{}", Render(msg, fields));
}
void LogWarn(std::string_view msg, const LogFields& fields) {
  spdlog::warn("{}", Render(msg, fields));
}
void LogError(std::string_view msg, const LogFields& fields) {
  spdlog::error("{}", Render(msg, fields));
}

}  // namespace hitclock::common
