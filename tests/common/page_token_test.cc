#include "common/page_token.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"

namespace hitclock::common {
namespace {

TEST(PageToken, RoundTrips) {
  const std::string scope = PageScope({"ListTracks", "artist-1", "2"});
  for (const std::string& position : std::vector<std::string>{
           "", "track-42", std::string("a\0b\xff", 4), std::string(300, 'x')}) {
    const std::string token = EncodePageToken(scope, position);
    EXPECT_NE(token, "");
    absl::StatusOr<std::string> decoded = DecodePageToken(token, scope);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, position);
  }
}

TEST(PageToken, IsUrlSafeAndOpaque) {
  const std::string token = EncodePageToken("scope", "track-42");
  EXPECT_EQ(token.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                "0123456789-_"),
            std::string::npos);
  EXPECT_EQ(token.find("track-42"), std::string::npos);
}

TEST(PageToken, EmptyTokenIsTheFirstPage) {
  absl::StatusOr<std::string> decoded = DecodePageToken("", "scope");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "");
}

void ExpectNotIssued(const absl::StatusOr<std::string>& decoded) {
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(decoded.status().message(), "page_token: "))
      << decoded.status();
}

TEST(PageToken, RejectsATokenOfAnotherScope) {
  const std::string token =
      EncodePageToken(PageScope({"ListTracks", "artist-1"}), "track-42");
  ExpectNotIssued(
      DecodePageToken(token, PageScope({"ListTracks", "artist-2"})));
  ExpectNotIssued(
      DecodePageToken(token, PageScope({"ListArtists", "artist-1"})));
}

TEST(PageToken, RejectsTamperedTokens) {
  const std::string scope = "scope";
  const std::string token = EncodePageToken(scope, "track-42");
  for (size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    ExpectNotIssued(DecodePageToken(tampered, scope));
  }
  ExpectNotIssued(DecodePageToken(token + "A", scope));
  ExpectNotIssued(DecodePageToken(token.substr(0, token.size() - 1), scope));
  ExpectNotIssued(DecodePageToken("not a token!", scope));
  ExpectNotIssued(DecodePageToken("AAAA", scope));
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
