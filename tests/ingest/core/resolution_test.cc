#include "services/ingest/core/resolution.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace hitclock::ingest::core {
namespace {

TEST(ResolvedEntries, RoundTripInTheirOrder) {
  const std::vector<ResolvedEntry> entries = {
      {3, "trk-3"}, {1, "trk_with_a_longer_id"}, {200, std::string(300, 'x')}};
  const std::string bytes = EncodeResolvedEntries(entries);
  EXPECT_EQ(bytes[0], '\x01');
  EXPECT_EQ(DecodeResolvedEntries(bytes), entries);
  EXPECT_EQ(EncodeResolvedEntries(entries), bytes);  // equal lists, bytes
}

TEST(ResolvedEntries, NoneIsTheFormatByteAndEmptyIsNone) {
  EXPECT_EQ(EncodeResolvedEntries({}), std::string("\x01", 1));
  EXPECT_EQ(DecodeResolvedEntries(std::string("\x01", 1)),
            std::vector<ResolvedEntry>());
  EXPECT_EQ(DecodeResolvedEntries(""), std::vector<ResolvedEntry>());
}

TEST(ResolvedEntries, AnotherFormatOrATruncatedEntryDoesNotDecode) {
  // records.v1.ResolvedSnapshot's wire form starts with its field-5 tag.
  EXPECT_EQ(DecodeResolvedEntries("\x2a\x03\x0a\x01x"), std::nullopt);
  const std::vector<ResolvedEntry> one = {{1, "trk-1"}};
  std::string bytes = EncodeResolvedEntries(one);
  bytes.pop_back();
  EXPECT_EQ(DecodeResolvedEntries(bytes), std::nullopt);
  EXPECT_EQ(DecodeResolvedEntries(std::string("\x01\x81", 2)), std::nullopt);
}

}  // namespace
}  // namespace hitclock::ingest::core
