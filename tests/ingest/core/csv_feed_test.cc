// Tests of the CSV feed parser (format in services/ingest/core/CSV.md).
#include <string>

#include "gtest/gtest.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/utf8.h"
#include "tests/ingest/core/test_util.h"

namespace hitclock::ingest::core {
namespace {

using ::hitclock::ingest::core::testing::kKworbSample;
using ::hitclock::ingest::core::testing::Message;
using ::hitclock::ingest::core::testing::ReadSample;

std::string CsvError(std::string_view csv) {
  absl::StatusOr<ParsedFeed> feed = ParseCsv(csv);
  if (feed.ok()) return "OK";
  EXPECT_EQ(feed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(feed.status()), "content");
  return Message(feed.status());
}

TEST(CsvTest, ParsesRequiredAndOptionalColumnsInAnyOrder) {
  absl::StatusOr<ParsedFeed> feed = ParseCsv(
      "link,artist,extra,position,provider_track_id,title\n"
      "https://x/1,HA SUNG WOON & Jimin,ignored,1,1619364935,With You\n"
      "https://x/2,BTS,,2, 1526232931 ,Dynamite\n");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->chart, "");
  EXPECT_EQ(feed->region, "");
  EXPECT_FALSE(feed->updated_micros.has_value());
  ASSERT_EQ(feed->entries.size(), 2u);
  EXPECT_EQ(feed->entries[0],
            (ParsedEntry{1, "With You", "HA SUNG WOON & Jimin", "1619364935",
                         "https://x/1"}));
  EXPECT_EQ(feed->entries[1],
            (ParsedEntry{2, "Dynamite", "BTS", "1526232931", "https://x/2"}));
}

TEST(CsvTest, OptionalColumnsMayBeAbsent) {
  absl::StatusOr<ParsedFeed> feed =
      ParseCsv("Position , TITLE,Artist\r\n1,Yours,Jin\r\n");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 1u);
  EXPECT_EQ(feed->entries[0], (ParsedEntry{1, "Yours", "Jin", "", ""}));
}

TEST(CsvTest, Rfc4180Quoting) {
  absl::StatusOr<ParsedFeed> feed = ParseCsv(
      "position,title,artist\n"
      "1,\"Left and Right (feat. Jung Kook of BTS)\",\"Charlie Puth, Jung "
      "Kook\"\n"
      "2,\"The \"\"Quoted\"\" Song\",\"Line one\nline two\"\n"
      "3,\"\",X\n");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 3u);
  EXPECT_EQ(feed->entries[0].title, "Left and Right (feat. Jung Kook of BTS)");
  EXPECT_EQ(feed->entries[0].artist_credit, "Charlie Puth, Jung Kook");
  EXPECT_EQ(feed->entries[1].title, "The \"Quoted\" Song");
  EXPECT_EQ(feed->entries[1].artist_credit, "Line one\nline two");
  EXPECT_EQ(feed->entries[2].title, "");  // ValidateSnapshot rejects it.
}

TEST(CsvTest, CrlfBomBlankLinesAndNoFinalNewline) {
  absl::StatusOr<ParsedFeed> feed = ParseCsv(
      "\xEF\xBB\xBF\r\nposition,title,artist\r\n\r\n1,A,X\r\n\r\n2,\"B\r\nC\","
      "Y");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 2u);
  EXPECT_EQ(feed->entries[0].artist_credit, "X");
  EXPECT_EQ(feed->entries[1].title, "B\r\nC");
  EXPECT_EQ(feed->entries[1].artist_credit, "Y");
}

TEST(CsvTest, RowsAreSortedByPositionStably) {
  absl::StatusOr<ParsedFeed> feed =
      ParseCsv("position,title,artist\n3,C,X\n1,A,X\n2,B,X\n1,A2,X\n");
  ASSERT_TRUE(feed.ok()) << feed.status();
  ASSERT_EQ(feed->entries.size(), 4u);
  EXPECT_EQ(feed->entries[0].title, "A");
  EXPECT_EQ(feed->entries[1].title, "A2");
  EXPECT_EQ(feed->entries[2].title, "B");
  EXPECT_EQ(feed->entries[3].title, "C");
}

TEST(CsvTest, TheRealKworbSampleIsNotThisFormat) {
  // kworb's totals table has no position / title / artist columns.
  EXPECT_EQ(CsvError(ReadSample(kKworbSample)),
            "content: line 1: the header has no `position` column (required: "
            "position, title, artist; optional: provider_track_id, link)");
}

TEST(CsvTest, HeaderErrors) {
  EXPECT_EQ(CsvError(""), "content: no header row (CSV.md lists the columns)");
  EXPECT_EQ(CsvError("\n\n"),
            "content: no header row (CSV.md lists the columns)");
  EXPECT_EQ(CsvError("position,title\n1,A\n"),
            "content: line 1: the header has no `artist` column (required: "
            "position, title, artist; optional: provider_track_id, link)");
  EXPECT_EQ(CsvError("position,title,artist,Title\n"),
            "content: line 1, column 23: column `title` appears twice in the "
            "header");
  std::string wide = "position,title,artist";
  for (int i = 0; i < 70; ++i) wide += ",c" + std::to_string(i);
  EXPECT_EQ(CsvError(wide + "\n"),
            "content: line 1: more than 64 columns in the header");
}

TEST(CsvTest, HeaderOnlyIsAnEmptyFeed) {
  absl::StatusOr<ParsedFeed> feed = ParseCsv("position,title,artist\n");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_TRUE(feed->entries.empty());
}

TEST(CsvTest, RowErrorsNameLineAndColumn) {
  EXPECT_EQ(CsvError("position,title,artist\n1,A,X\n2,B\n"),
            "content: line 3: 2 fields, but the header has 3");
  EXPECT_EQ(CsvError("position,title,artist\n1,A,X,extra\n"),
            "content: line 2: more than 3 fields, but the header has 3");
  EXPECT_EQ(CsvError("position,title,artist\n1,A,X\none,B,Y\n"),
            "content: line 3, column 1: position: expected a whole number, "
            "got \"one\"");
  EXPECT_EQ(CsvError("position,title,artist\n-1,A,X\n"),
            "content: line 2, column 1: position: expected a whole number, "
            "got \"-1\"");
  EXPECT_EQ(CsvError("position,title,artist\n9999999999,A,X\n"),
            "content: line 2, column 1: position: expected a whole number, "
            "got \"9999999999\"");
  EXPECT_EQ(
      CsvError("position,title,artist\n" + std::string(100, '9') + ",A,X\n"),
      "content: line 2, column 1: position: expected a whole number, "
      "got \"99999999999999999999999999999999...\"");
  // Line numbers count the newlines inside quoted fields.
  EXPECT_EQ(CsvError("position,title,artist\n1,\"A\n\nB\",X\n,C,Y\n"),
            "content: line 5, column 1: position: expected a whole number, "
            "got \"\"");
}

TEST(CsvTest, StrayQuotes) {
  EXPECT_EQ(CsvError("position,title,artist\n1,Hello \"World\",X\n"),
            "content: line 2, column 9: quote inside an unquoted field (a "
            "stray quote? quote the whole field and double the quote)");
  EXPECT_EQ(CsvError("position,title,artist\n1,\"Hello\" World,X\n"),
            "content: line 2, column 10: unexpected character after the "
            "closing quote of a field (a stray quote? double a quote inside a "
            "quoted field)");
  EXPECT_EQ(CsvError("position,title,artist\n1,\"Hello,X\n2,B,Y\n"),
            "content: line 2, column 3: quoted field is never closed (a stray "
            "quote?)");
  EXPECT_EQ(CsvError("position,title,artist\n1,A,\""),
            "content: line 2, column 5: quoted field is never closed (a stray "
            "quote?)");
}

TEST(CsvTest, InvalidUtf8NamesLineAndColumn) {
  EXPECT_EQ(CsvError("position,title,artist\n1,Caf\xe9,X\n"),
            "content: line 2, column 6: not valid UTF-8");
  EXPECT_EQ(CsvError("\xc0\xaf"), "content: line 1, column 1: not valid UTF-8");
}

// A long bad position is quoted shortened, never through the middle of a
// multi-byte character (found by csv_fuzzer: a BOM inside the digits).
TEST(CsvTest, ShortenedBadPositionStaysUtf8) {
  const std::string digits =
      std::string(30, '9') + "\xEF\xBB\xBF" + std::string(20, '9');
  const std::string error =
      CsvError("position,title,artist\n" + digits + ",T,A\n");
  EXPECT_TRUE(IsValidUtf8(error)) << error;
  EXPECT_EQ(error,
            "content: line 2, column 1: position: expected a whole "
            "number, got \"" +
                std::string(30, '9') + "...\"");
  EXPECT_EQ(Utf8Prefix("ab\xC3\xA9", 3), "ab");
  EXPECT_EQ(Utf8Prefix("ab\xC3\xA9", 4), "ab\xC3\xA9");
  EXPECT_EQ(Utf8Prefix("\xF0\x9F\x8E\xB5x", 2), "");
  EXPECT_EQ(Utf8Prefix("abc", 0), "");
}

TEST(CsvTest, MoreThan500RowsIsAnError) {
  std::string csv = "position,title,artist\n";
  for (int i = 1; i <= 500; ++i) csv += std::to_string(i) + ",T,A\n";
  absl::StatusOr<ParsedFeed> feed = ParseCsv(csv);
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries.size(), 500u);
  EXPECT_EQ(CsvError(csv + "501,T,A\n"),
            "content: line 502: more than 500 entries");
}

TEST(CsvTest, TenMegabyteFieldParses) {
  const std::string big(10 << 20, 'x');
  absl::StatusOr<ParsedFeed> feed =
      ParseCsv("position,title,artist\n1,\"" + big + "\",X\n");
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ(feed->entries[0].title.size(), big.size());
}

}  // namespace
}  // namespace hitclock::ingest::core
