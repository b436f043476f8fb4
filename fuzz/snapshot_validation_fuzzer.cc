// libFuzzer target: `ValidateSnapshot` and `ContentFingerprint` on snapshots
// decoded from the input bytes, checked against a plain restatement of the
// rules. Seeds: fuzz/corpus/snapshot_validation/.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "services/ingest/core/snapshot.h"
#include "services/ingest/core/storefronts.h"

namespace hitclock::ingest::core::fuzz {
namespace {

std::string PickString(FuzzedDataProvider& in, size_t max_bytes) {
  switch (in.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      return "";
    case 1:  // Around a bound: max_bytes +- 1.
      return std::string(
          max_bytes + in.ConsumeIntegralInRange<size_t>(0, 2) - 1, 'a');
    default:
      return in.ConsumeRandomLengthString(max_bytes + 8);
  }
}

// Returns whether `s` obeys the rules, restated plainly.
bool ObeysTheRules(const Snapshot& s, const ValidationOptions& o) {
  if (!IsKnownChart(s.chart_provider, s.chart_list)) return false;
  const std::optional<RegionKind> kind = RegionKindOf(s.region_code);
  if (!kind) return false;
  if (s.region_kind != RegionKind::kUnspecified && s.region_kind != *kind) {
    return false;
  }
  const __int128 latest = static_cast<__int128>(o.now_micros) +
                          std::max<int64_t>(o.max_skew_micros, 0);
  for (const std::optional<int64_t>& t :
       {s.capture_micros, s.source_update_micros, s.fetch_micros}) {
    if (t && (*t < kMinCaptureMicros || *t > latest)) return false;
  }
  if (!s.capture_micros) return false;
  if (s.source_url.size() > kMaxSourceUrlBytes || !IsValidUtf8(s.source_url)) {
    return false;
  }
  const size_t k = s.entries.size();
  if (k < 1 || k > static_cast<size_t>(kMaxSnapshotEntries)) return false;
  std::vector<int> positions;
  for (const SnapshotEntry& e : s.entries) {
    positions.push_back(e.position);
    if (e.title.empty() || e.title.size() > kMaxTitleBytes ||
        !IsValidUtf8(e.title) || e.artist_credit.empty() ||
        e.artist_credit.size() > kMaxArtistCreditBytes ||
        !IsValidUtf8(e.artist_credit) ||
        e.provider_track_id.size() > kMaxProviderTrackIdBytes ||
        !IsValidUtf8(e.provider_track_id) || e.link.size() > kMaxLinkBytes ||
        !IsValidUtf8(e.link) ||
        (!e.provider.empty() && e.provider != s.chart_provider)) {
      return false;
    }
  }
  std::sort(positions.begin(), positions.end());
  for (size_t i = 0; i < k; ++i) {
    if (positions[i] != static_cast<int>(i) + 1) return false;
  }
  return true;
}

void Run(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Snapshot s;
  static constexpr const char* kProviders[] = {"itunes", "apple-music", "",
                                               "spotify"};
  static constexpr const char* kLists[] = {"top-songs", "most-played", ""};
  s.chart_provider = in.ConsumeBool() ? in.PickValueInArray(kProviders)
                                      : in.ConsumeRandomLengthString(16);
  s.chart_list = in.ConsumeBool() ? in.PickValueInArray(kLists)
                                  : in.ConsumeRandomLengthString(16);
  if (in.ConsumeBool()) {
    const auto storefronts = Storefronts();
    s.region_code = std::string(storefronts[in.ConsumeIntegralInRange<size_t>(
                                                0, storefronts.size() - 1)]
                                    .code);
  } else {
    s.region_code = in.ConsumeRandomLengthString(4);
  }
  s.region_kind = static_cast<RegionKind>(in.ConsumeIntegralInRange<int>(0, 2));
  ValidationOptions options;
  options.now_micros = in.ConsumeIntegral<int64_t>();
  options.max_skew_micros = in.ConsumeIntegral<int64_t>();
  if (in.ConsumeBool()) s.capture_micros = in.ConsumeIntegral<int64_t>();
  if (in.ConsumeBool()) s.source_update_micros = in.ConsumeIntegral<int64_t>();
  if (in.ConsumeBool()) s.fetch_micros = in.ConsumeIntegral<int64_t>();
  if (in.ConsumeBool()) s.source_url = in.ConsumeRandomLengthString(64);
  const size_t k = in.ConsumeIntegralInRange<size_t>(0, 502);
  for (size_t i = 0; i < k && in.remaining_bytes() > 0; ++i) {
    SnapshotEntry& e = s.entries.emplace_back();
    e.position = in.ConsumeBool() ? static_cast<int>(i) + 1
                                  : in.ConsumeIntegralInRange<int>(
                                        -2, static_cast<int>(k) + 2);
    e.title = in.ConsumeBool() ? "T" : PickString(in, kMaxTitleBytes);
    e.artist_credit =
        in.ConsumeBool() ? "A" : PickString(in, kMaxArtistCreditBytes);
    e.provider_track_id =
        in.ConsumeBool() ? "1" : PickString(in, kMaxProviderTrackIdBytes);
    e.link = in.ConsumeBool() ? "" : PickString(in, kMaxLinkBytes);
    if (in.ConsumeBool()) e.provider = in.ConsumeRandomLengthString(12);
  }

  const absl::Status status = ValidateSnapshot(s, options);
  Check(status.ok() == ObeysTheRules(s, options),
        "ValidateSnapshot agrees with the rules");
  if (!status.ok()) {
    Check(status.code() == absl::StatusCode::kInvalidArgument,
          "a validation error is INVALID_ARGUMENT");
    const std::string field = ErrorField(status);
    Check(field.rfind("snapshot.", 0) == 0, "the error names a snapshot field");
    const std::string message(status.message());
    Check(message.size() < 1024, "a validation message is short");
    Check(IsValidUtf8(message), "a validation message is UTF-8");
  }

  // The fingerprint ignores entry order.
  const uint64_t fingerprint = ContentFingerprint(s);
  Snapshot reversed = s;
  std::reverse(reversed.entries.begin(), reversed.entries.end());
  Check(ContentFingerprint(reversed) == fingerprint,
        "the fingerprint ignores entry order");
}

}  // namespace
}  // namespace hitclock::ingest::core::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hitclock::ingest::core::fuzz::Run(data, size);
  return 0;
}
