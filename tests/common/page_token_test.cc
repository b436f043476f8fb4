#include "common/page_token.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace hitclock::common {
namespace {

const PageTokens& Tokens() {
  static const PageTokens* tokens =
      new PageTokens(std::string(32, '\x5a') + "store-a");
  return *tokens;
}

void ExpectNotIssued(const absl::StatusOr<std::string>& decoded) {
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(decoded.status().message(), "page_token: "))
      << decoded.status();
}

TEST(PageTokens, RoundTrips) {
  const std::string scope = PageScope({"ListTracks", "artist-1", "2"});
  for (const std::string& position : std::vector<std::string>{
           "", "track-42", std::string("a\0b\xff", 4), std::string(300, 'x')}) {
    const std::string token = Tokens().Encode(scope, position);
    EXPECT_NE(token, "");
    absl::StatusOr<std::string> decoded = Tokens().Decode(token, scope);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, position);
  }
}

TEST(PageTokens, AreTheSameForTheSameKeyAndAnotherCopy) {
  const PageTokens copy = Tokens();
  const PageTokens same(std::string(32, '\x5a') + "store-a");
  EXPECT_EQ(copy.Encode("scope", "42"), Tokens().Encode("scope", "42"));
  EXPECT_EQ(*same.Decode(Tokens().Encode("scope", "42"), "scope"), "42");
}

TEST(PageTokens, AreUrlSafe) {
  const std::string token = Tokens().Encode("scope", "track-42");
  EXPECT_EQ(token.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789-_"),
            std::string::npos);
  EXPECT_EQ(token.find("track-42"), std::string::npos);
}

TEST(PageTokens, EmptyTokenIsTheFirstPage) {
  absl::StatusOr<std::string> decoded = Tokens().Decode("", "scope");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "");
}

TEST(PageTokens, AnotherKeyRefusesTheToken) {
  const std::string token = Tokens().Encode("scope", "track-42");
  ExpectNotIssued(
      PageTokens(std::string(32, '\x5a') + "store-b").Decode(token, "scope"));
  ExpectNotIssued(PageTokens("").Decode(token, "scope"));
}

TEST(PageTokens, RejectsATokenOfAnotherScope) {
  const std::string token =
      Tokens().Encode(PageScope({"ListTracks", "artist-1"}), "track-42");
  ExpectNotIssued(
      Tokens().Decode(token, PageScope({"ListTracks", "artist-2"})));
  ExpectNotIssued(
      Tokens().Decode(token, PageScope({"ListArtists", "artist-1"})));
}

TEST(PageTokens, RejectsAnyAlteredByte) {
  const std::string scope = "scope";
  std::string raw;
  ASSERT_TRUE(
      absl::WebSafeBase64Unescape(Tokens().Encode(scope, "track-42"), &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string altered = raw;
      altered[i] = static_cast<char>(altered[i] ^ (1 << bit));
      ExpectNotIssued(
          Tokens().Decode(absl::WebSafeBase64Escape(altered), scope));
    }
  }
  // A position changed to another one the client would rather have.
  std::string forged = raw;
  forged.replace(forged.size() - 2, 2, "99");
  ExpectNotIssued(Tokens().Decode(absl::WebSafeBase64Escape(forged), scope));
}

TEST(PageTokens, RejectsTamperedText) {
  const std::string scope = "scope";
  const std::string token = Tokens().Encode(scope, "track-42");
  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    ExpectNotIssued(Tokens().Decode(tampered, scope));
  }
  ExpectNotIssued(Tokens().Decode(token + "A", scope));
  ExpectNotIssued(Tokens().Decode(token.substr(0, token.size() - 1), scope));
  ExpectNotIssued(Tokens().Decode(token + "=", scope));
  ExpectNotIssued(Tokens().Decode("not a token!", scope));
  ExpectNotIssued(Tokens().Decode("AAAA", scope));
}

TEST(PageTokens, RefusesTokensOfTheUnkeyedVersion) {
  // Version 1: 0x01, an 8-byte checksum anyone could compute, the position.
  ExpectNotIssued(Tokens().Decode(
      absl::WebSafeBase64Escape(std::string("\x01", 1) + std::string(8, 'c') +
                                "track-42"),
      "scope"));
}

TEST(PageScope, IsUnambiguous) {
  EXPECT_NE(PageScope({"a", "bc"}), PageScope({"ab", "c"}));
  EXPECT_NE(PageScope({"a;", ""}), PageScope({"a", ";"}));
  EXPECT_EQ(PageScope({"a", "b"}), PageScope({"a", "b"}));
}

TEST(PageSize, AppliesDefaultAndMaximum) {
  EXPECT_EQ(*PageSize(0), kDefaultPageSize);
  EXPECT_EQ(kDefaultPageSize, 50);
  EXPECT_EQ(*PageSize(1), 1);
  EXPECT_EQ(*PageSize(1000), 1000);
  EXPECT_EQ(*PageSize(1001), kMaxPageSize);
  EXPECT_EQ(*PageSize(2'000'000'000), 1000);
}

TEST(PageSize, RejectsNegative) {
  absl::StatusOr<int> size = PageSize(-1);
  ASSERT_FALSE(size.ok());
  EXPECT_EQ(size.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(size.status().message(), "page_size: "));
}

}  // namespace
}  // namespace hitclock::common
