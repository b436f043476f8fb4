#include "services/ingest/core/snapshot.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/chart_id.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/time_util.h"
#include "services/ingest/core/utf8.h"

namespace hitclock::ingest::core {
namespace {

class Validator {
 public:
  Validator(const Snapshot& snapshot, const ValidationOptions& options)
      : s_(snapshot), o_(options) {}

  absl::Status Run() {
    if (absl::Status st = Chart(); !st.ok()) return st;
    if (absl::Status st = Region(); !st.ok()) return st;
    if (!s_.capture_micros) return Err("capture_time", "required");
    if (absl::Status st = Instant("capture_time", *s_.capture_micros);
        !st.ok()) {
      return st;
    }
    if (s_.source_update_micros) {
      if (absl::Status st =
              Instant("source_update_time", *s_.source_update_micros);
          !st.ok()) {
        return st;
      }
    }
    if (s_.fetch_micros) {
      if (absl::Status st = Instant("fetch_time", *s_.fetch_micros); !st.ok()) {
        return st;
      }
    }
    if (absl::Status st = Text(-1, "source_url", s_.source_url,
                               kMaxSourceUrlBytes, /*required=*/false);
        !st.ok()) {
      return st;
    }
    return Entries();
  }

 private:
  absl::Status Err(std::string_view field, std::string_view problem) const {
    std::string path = o_.field_prefix;
    if (!path.empty()) path += '.';
    path.append(field);
    return FieldError(path, problem);
  }

  absl::Status Chart() const {
    if (s_.chart_provider.empty()) return Err("chart.provider", "required");
    if (s_.chart_list.empty()) return Err("chart.list", "required");
    if (!IsKnownChart(s_.chart_provider, s_.chart_list)) {
      return Err("chart",
                 "unknown chart " +
                     QuoteValue(s_.chart_provider + "/" + s_.chart_list) +
                     " (known: itunes/top-songs, "
                     "apple-music/most-played)");
    }
    return absl::OkStatus();
  }

  absl::Status Region() const {
    if (s_.region_code.empty()) return Err("region.code", "required");
    const std::optional<RegionKind> kind = RegionKindOf(s_.region_code);
    if (!kind) {
      return Err("region.code", QuoteValue(s_.region_code) +
                                    " is not a known storefront code "
                                    "(lowercase, e.g. `us`) nor an aggregate "
                                    "(`ww`, `eu`)");
    }
    if (s_.region_kind != RegionKind::kUnspecified && s_.region_kind != *kind) {
      return Err(
          "region.kind",
          std::string("\"") + s_.region_code + "\" is " +
              (*kind == RegionKind::kCountry ? "a country" : "an aggregate") +
              ", not " +
              (s_.region_kind == RegionKind::kCountry     ? "a country"
               : s_.region_kind == RegionKind::kAggregate ? "an aggregate"
                                                          : "this kind"));
    }
    return absl::OkStatus();
  }

  absl::Status Instant(std::string_view field, int64_t micros) const {
    if (micros < kMinCaptureMicros) {
      return Err(field, FormatMicrosUtc(micros) + " is before " +
                            FormatMicrosUtc(kMinCaptureMicros));
    }
    // Saturating: now + skew never overflows.
    const int64_t skew = std::max<int64_t>(o_.max_skew_micros, 0);
    const int64_t latest =
        o_.now_micros > INT64_MAX - skew ? INT64_MAX : o_.now_micros + skew;
    if (micros > latest) {
      return Err(field, FormatMicrosUtc(micros) +
                            " is in the future (the server's clock says " +
                            FormatMicrosUtc(o_.now_micros) + ", allowed skew " +
                            std::to_string(skew / 1'000'000) + " s)");
    }
    return absl::OkStatus();
  }

  // Checks a string field; `index` >= 0 names `entries[index].<field>`.
  absl::Status Text(int index, std::string_view field, const std::string& value,
                    size_t max_bytes, bool required) const {
    if (required && value.empty()) return Err(Path(index, field), "required");
    if (value.size() > max_bytes) {
      return Err(Path(index, field), std::to_string(value.size()) +
                                         " bytes, more than the limit of " +
                                         std::to_string(max_bytes));
    }
    if (size_t bad = FirstInvalidUtf8(value); bad != std::string::npos) {
      return Err(Path(index, field),
                 "not valid UTF-8 at byte offset " + std::to_string(bad));
    }
    return absl::OkStatus();
  }

  static std::string Path(int index, std::string_view field) {
    std::string path;
    if (index >= 0) path = "entries[" + std::to_string(index) + "].";
    path.append(field);
    return path;
  }

  absl::Status Entries() {
    const size_t k = s_.entries.size();
    if (k == 0) return Err("entries", "at least 1 entry is required");
    if (k > static_cast<size_t>(kMaxSnapshotEntries)) {
      return Err("entries", std::to_string(k) +
                                " entries, more than the limit of " +
                                std::to_string(kMaxSnapshotEntries));
    }
    std::vector<int> owner(k + 1, -1);
    for (size_t i = 0; i < k; ++i) {
      const SnapshotEntry& e = s_.entries[i];
      const int index = static_cast<int>(i);
      if (e.position < 1 || static_cast<size_t>(e.position) > k) {
        return Err(Path(index, "position"),
                   std::to_string(e.position) + " is not in 1.." +
                       std::to_string(k) + " (the positions must be 1..K, " +
                       "K = " + std::to_string(k) + " entries)");
      }
      int& first = owner[static_cast<size_t>(e.position)];
      if (first >= 0) {
        return Err(Path(index, "position"),
                   std::to_string(e.position) +
                       " is already the position of entries[" +
                       std::to_string(first) + "]");
      }
      first = index;
      if (absl::Status st =
              Text(index, "entry.title", e.title, kMaxTitleBytes, true);
          !st.ok()) {
        return st;
      }
      if (absl::Status st = Text(index, "entry.artist_credit", e.artist_credit,
                                 kMaxArtistCreditBytes, true);
          !st.ok()) {
        return st;
      }
      if (absl::Status st =
              Text(index, "entry.provider_track_id", e.provider_track_id,
                   kMaxProviderTrackIdBytes, false);
          !st.ok()) {
        return st;
      }
      if (absl::Status st = Text(index, "link", e.link, kMaxLinkBytes, false);
          !st.ok()) {
        return st;
      }
      if (!e.provider.empty() && e.provider != s_.chart_provider) {
        return Err(Path(index, "entry.provider"),
                   QuoteValue(e.provider) + " is not the chart's provider \"" +
                       s_.chart_provider + "\" (leave it empty)");
      }
    }
    return absl::OkStatus();
  }

  const Snapshot& s_;
  const ValidationOptions& o_;
};

class Fnv1a64 {
 public:
  void Bytes(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h_ ^= c;
      h_ *= 1099511628211ULL;
    }
  }
  void U64(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xFF;
      h_ *= 1099511628211ULL;
    }
  }
  void String(std::string_view s) {
    U64(s.size());
    Bytes(s);
  }
  uint64_t Finish() const {
    uint64_t k = h_;
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
  }

 private:
  uint64_t h_ = 14695981039346656037ULL;
};

}  // namespace

bool IsKnownChart(std::string_view provider, std::string_view list) {
  return (provider == "itunes" && list == "top-songs") ||
         (provider == "apple-music" && list == "most-played");
}

absl::Status ValidateSnapshot(const Snapshot& snapshot,
                              const ValidationOptions& options) {
  return Validator(snapshot, options).Run();
}

uint64_t ContentFingerprint(const Snapshot& snapshot) {
  const std::vector<SnapshotEntry>& entries = snapshot.entries;
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto key = [&](size_t i) {
    const SnapshotEntry& e = entries[i];
    return std::tie(e.position, e.title, e.artist_credit, e.provider_track_id);
  };
  const bool sorted =
      std::is_sorted(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return key(a) < key(b); });
  if (!sorted) {
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return key(a) < key(b); });
  }
  Fnv1a64 h;
  h.String("hitclock.ingest.snapshot.v1");
  h.U64(entries.size());
  for (size_t i : order) {
    const SnapshotEntry& e = entries[i];
    h.U64(static_cast<uint64_t>(static_cast<int64_t>(e.position)));
    h.String(e.title);
    h.String(e.artist_credit);
    h.String(e.provider_track_id);
  }
  return h.Finish();
}

absl::StatusOr<Snapshot> SnapshotFromFeed(const ParsedFeed& feed,
                                          const ImportOptions& options) {
  Snapshot out;
  const std::string& chart = options.chart.empty() ? feed.chart : options.chart;
  if (chart.empty()) {
    return FieldError("chart", "required: the feed does not name its chart");
  }
  common::ChartId chart_id = common::SplitChartName(chart);
  out.chart_provider = std::move(chart_id.provider);
  out.chart_list = std::move(chart_id.list);

  if (!feed.region.empty() && !options.region_code.empty() &&
      feed.region != options.region_code) {
    return FieldError("region", QuoteValue(options.region_code) +
                                    " disagrees with the feed's storefront "
                                    "\"" +
                                    feed.region + "\"");
  }
  out.region_code = feed.region.empty() ? options.region_code : feed.region;
  if (out.region_code.empty()) {
    return FieldError("region",
                      "required: the feed does not name its storefront");
  }

  out.source_update_micros = feed.updated_micros;
  out.fetch_micros = options.fetch_micros;
  out.capture_micros = options.capture_micros ? options.capture_micros
                       : feed.updated_micros  ? feed.updated_micros
                                              : options.fetch_micros;
  if (!out.capture_micros) {
    return FieldError("capture_time",
                      "required: the feed has no `updated` and the request "
                      "no `fetch_time`");
  }
  out.source_url =
      options.source_url.empty() ? feed.source_url : options.source_url;
  out.entries.reserve(feed.entries.size());
  for (const ParsedEntry& e : feed.entries) {
    SnapshotEntry& s = out.entries.emplace_back();
    s.position = e.position;
    s.title = e.title;
    s.artist_credit = e.artist_credit;
    s.provider_track_id = e.provider_track_id;
    s.link = e.link;
  }
  return out;
}

}  // namespace hitclock::ingest::core
