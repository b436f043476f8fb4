// libFuzzer target: `ParseAppleRssJson` on any bytes. Seeds:
// fuzz/corpus/apple_rss_json/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "services/ingest/core/feed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hitclock::ingest::core::fuzz::CheckParse(
      hitclock::ingest::core::ParseAppleRssJson(bytes),
      /*positions_are_indexes=*/true);
  return 0;
}
