#include "common/json_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace hitclock::common {
namespace {

TEST(JsonEscape, EscapesWhatJsonNeeds) {
  EXPECT_EQ(JsonEscape("plain"), "plain");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("line\nnext\ttab\r"), "line\\nnext\\ttab\\r");
  EXPECT_EQ(JsonEscape(std::string("\x01\x1f", 2)), "\\u0001\\u001f");
  EXPECT_EQ(JsonEscape("del\x7f"), "del\\u007f");
  EXPECT_EQ(JsonEscape("지민 – Jimin"), "지민 – Jimin");  // UTF-8 kept
  EXPECT_EQ(JsonEscape("bad\xff"), "bad\\ufffd");
  EXPECT_EQ(JsonEscape("cut\xe2\x80"), "cut\\ufffd\\ufffd");
  EXPECT_EQ(JsonEscape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // surrogate
}

TEST(JsonEscape, AppendsToWhatIsThere) {
  std::string out = "{\"title\":";
  AppendJsonString("Yours \"(feat. X)\"", &out);
  out += ",\"artist\":";
  AppendJsonString("", &out);
  EXPECT_EQ(out, "{\"title\":\"Yours \\\"(feat. X)\\\"\",\"artist\":\"\"");

  std::string body = "x";
  AppendJsonEscaped("a\nb", &body);
  EXPECT_EQ(body, "xa\\nb");
}

}  // namespace
}  // namespace hitclock::common
