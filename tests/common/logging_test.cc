#include "common/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace hitclock::common {
namespace {

TEST(Logging, JsonLinesAreValidObjects) {
  ServiceOptions options;
  options.log_format = LogFormat::kJson;
  options.log_level = "info";
  ASSERT_TRUE(InitLogging(options).ok());
  testing::internal::CaptureStdout();
  LogInfo("hello \"world\"", {{"peer", "ipv4:127.0.0.1:5"}, {"k", "v\n2"}});
  spdlog::info("plain {} with \"quotes\"", 42);
  spdlog::debug("not shown at info");
  const std::string out = testing::internal::GetCapturedStdout();
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << out;
  EXPECT_TRUE(absl::StartsWith(lines[0], "{\"ts\":\"")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "\"level\":\"info\"")) << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "\"msg\":\"hello \\\"world\\\"\""))
      << lines[0];
  EXPECT_TRUE(absl::StrContains(lines[0], "\"peer\":\"ipv4:127.0.0.1:5\""));
  EXPECT_TRUE(absl::StrContains(lines[0], "\"k\":\"v\\n2\"}")) << lines[0];
  EXPECT_TRUE(
      absl::StrContains(lines[1], "\"msg\":\"plain 42 with \\\"quotes\\\"\"}"))
      << lines[1];

  options.log_format = LogFormat::kText;
  ASSERT_TRUE(InitLogging(options).ok());
  testing::internal::CaptureStdout();
  LogInfo("rpc", {{"method", "/a.B/C"}, {"error", "two words"}});
  const std::string text = testing::internal::GetCapturedStdout();
  EXPECT_TRUE(absl::StrContains(text,
                                " info rpc method=/a.B/C "
                                "error=\"two words\"\n"))
      << text;
}

TEST(Logging, RejectsAnUnknownLevel) {
  ServiceOptions options;
  options.log_level = "loud";
  EXPECT_FALSE(InitLogging(options).ok());
}

}  // namespace
}  // namespace hitclock::common
