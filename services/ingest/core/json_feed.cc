// The two JSON feed parsers (simdjson DOM).
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/ingest/core/errors.h"
#include "services/ingest/core/feed.h"
#include "services/ingest/core/time_util.h"
#include "services/ingest/core/utf8.h"
#include "simdjson.h"

namespace hitclock::ingest::core {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// A JSON path built on the stack, formatted only when an error names it:
// `feed.entry[3].im:name.label`.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // Used when index < 0.
  int index = -1;

  Path Key(std::string_view k) const { return Path{this, k, -1}; }
  Path Index(int i) const { return Path{this, {}, i}; }

  std::string ToString() const {
    std::string out = parent == nullptr ? "" : parent->ToString();
    if (index >= 0) {
      out += '[';
      out += std::to_string(index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out.append(key);
    }
    return out;
  }
};

absl::Status Err(const Path& path, std::string_view problem) {
  std::string where = path.ToString();
  where += ": ";
  where.append(problem);
  return FieldError("content", where);
}

std::string_view TypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

absl::Status TypeErr(const Path& path, std::string_view expected, element e) {
  std::string problem = "expected ";
  problem.append(expected);
  problem += ", got ";
  problem.append(TypeName(e.type()));
  return Err(path, problem);
}

absl::Status AsObject(element e, const Path& path, object* out) {
  if (e.get_object().get(*out) != simdjson::SUCCESS) {
    return TypeErr(path, "an object", e);
  }
  return absl::OkStatus();
}

absl::Status AsString(element e, const Path& path, std::string_view* out) {
  if (e.get_string().get(*out) != simdjson::SUCCESS) {
    return TypeErr(path, "a string", e);
  }
  return absl::OkStatus();
}

std::optional<element> Find(object obj, std::string_view key) {
  element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  return e;
}

// Reads the required object `obj[key]` (path `path.key`).
absl::Status RequiredObject(object obj, std::string_view key, const Path& path,
                            object* out) {
  const Path child = path.Key(key);
  std::optional<element> e = Find(obj, key);
  if (!e) return Err(child, "missing");
  return AsObject(*e, child, out);
}

// Reads the required string `obj[key]` into `out`.
absl::Status RequiredString(object obj, std::string_view key, const Path& path,
                            std::string* out) {
  const Path child = path.Key(key);
  std::optional<element> e = Find(obj, key);
  if (!e) return Err(child, "missing");
  std::string_view s;
  if (absl::Status st = AsString(*e, child, &s); !st.ok()) return st;
  out->assign(s);
  return absl::OkStatus();
}

// Reads the optional string `obj[key]`; `*found` tells whether it was there.
absl::Status OptionalString(object obj, std::string_view key, const Path& path,
                            std::string_view* out, bool* found) {
  std::optional<element> e = Find(obj, key);
  *found = e.has_value();
  *out = {};
  if (!e) return absl::OkStatus();
  return AsString(*e, path.Key(key), out);
}

// Reads the legacy feed's `obj[key].label` string.
absl::Status Label(object obj, std::string_view key, const Path& path,
                   std::string* out) {
  const Path child = path.Key(key);
  object labelled;
  if (absl::Status st = RequiredObject(obj, key, path, &labelled); !st.ok()) {
    return st;
  }
  return RequiredString(labelled, "label", child, out);
}

// Calls `f(href, rel)` for each link of a legacy `link` value: an array of
// `{"attributes": {"rel": ..., "href": ...}}` or one such object. Links
// without `attributes` or `href` are skipped; wrong types are errors.
template <typename F>
absl::Status ForEachLink(element link, const Path& path, F&& f) {
  auto one = [&](element item, const Path& item_path) -> absl::Status {
    object item_obj;
    if (absl::Status st = AsObject(item, item_path, &item_obj); !st.ok()) {
      return st;
    }
    std::optional<element> attributes = Find(item_obj, "attributes");
    if (!attributes) return absl::OkStatus();
    const Path attributes_path = item_path.Key("attributes");
    object attributes_obj;
    if (absl::Status st =
            AsObject(*attributes, attributes_path, &attributes_obj);
        !st.ok()) {
      return st;
    }
    std::string_view href;
    bool has_href = false;
    if (absl::Status st = OptionalString(attributes_obj, "href",
                                         attributes_path, &href, &has_href);
        !st.ok() || !has_href) {
      return st;
    }
    std::string_view rel;
    bool has_rel = false;
    if (absl::Status st = OptionalString(attributes_obj, "rel", attributes_path,
                                         &rel, &has_rel);
        !st.ok()) {
      return st;
    }
    f(href, rel);
    return absl::OkStatus();
  };
  array links;
  if (link.get_array().get(links) == simdjson::SUCCESS) {
    int i = 0;
    for (element item : links) {
      if (absl::Status st = one(item, path.Index(i)); !st.ok()) return st;
      ++i;
    }
    return absl::OkStatus();
  }
  if (link.type() == element_type::OBJECT) return one(link, path);
  return TypeErr(path, "an array or an object", link);
}

bool IsAsciiAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string LowerCode(std::string_view two) {
  return {AsciiLower(two[0]), AsciiLower(two[1])};
}

}  // namespace

std::string StorefrontFromUrl(std::string_view url) {
  // A `cc=xx` query parameter (`viewTop?cc=us&id=1`).
  if (size_t q = url.find('?'); q != std::string_view::npos) {
    std::string_view query = url.substr(q + 1);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view param = query.substr(0, amp);
      if (param.size() == 5 && param.substr(0, 3) == "cc=" &&
          IsAsciiAlpha(param[3]) && IsAsciiAlpha(param[4])) {
        return LowerCode(param.substr(3));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  std::string_view path = url.substr(0, url.find('?'));
  // `/{cc}/rss/` (itunes.apple.com/us/rss/topsongs/...).
  if (size_t rss = path.find("/rss/");
      rss != std::string_view::npos && rss >= 3 && path[rss - 3] == '/' &&
      IsAsciiAlpha(path[rss - 2]) && IsAsciiAlpha(path[rss - 1])) {
    return LowerCode(path.substr(rss - 2, 2));
  }
  // `/api/v{n}/{cc}/` (rss.applemarketingtools.com/api/v2/us/music/...).
  if (size_t api = path.find("/api/v"); api != std::string_view::npos) {
    size_t slash = path.find('/', api + 6);
    if (slash != std::string_view::npos && slash + 3 < path.size() &&
        IsAsciiAlpha(path[slash + 1]) && IsAsciiAlpha(path[slash + 2]) &&
        path[slash + 3] == '/') {
      return LowerCode(path.substr(slash + 1, 2));
    }
  }
  return "";
}

namespace {

// A reusable parser and padded input buffer per thread, for inputs up to
// `kReusedParserMaxBytes`; bigger inputs get their own, freed after the
// call, so a thread does not keep a big parser's memory.
constexpr size_t kReusedParserMaxBytes = size_t{4} << 20;

struct ParserSlot {
  ParserSlot() : parser(kMaxFeedBytes) {}
  simdjson::dom::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t buffer_capacity = 0;
};

// Parses `bytes` as a JSON document whose root is an object, and calls
// `f(root)` while the document is alive.
template <typename F>
auto WithJsonRoot(std::string_view bytes, F&& f) -> decltype(f(object())) {
  if (bytes.size() > kMaxFeedBytes) {
    return FieldError("content", std::to_string(bytes.size()) +
                                     " bytes, more than the limit of " +
                                     std::to_string(kMaxFeedBytes));
  }
  if (bytes.empty()) return FieldError("content", "empty");
  thread_local ParserSlot reused;
  std::unique_ptr<ParserSlot> own;
  ParserSlot* slot = &reused;
  if (bytes.size() > kReusedParserMaxBytes) {
    own = std::make_unique<ParserSlot>();
    slot = own.get();
  }
  const size_t needed = bytes.size() + simdjson::SIMDJSON_PADDING;
  if (slot->buffer_capacity < needed) {
    slot->buffer = std::make_unique<char[]>(needed);
    slot->buffer_capacity = needed;
  }
  std::memcpy(slot->buffer.get(), bytes.data(), bytes.size());
  std::memset(slot->buffer.get() + bytes.size(), 0, simdjson::SIMDJSON_PADDING);
  if (slot->parser.max_depth() != kMaxJsonDepth ||
      slot->parser.capacity() < bytes.size()) {
    if (slot->parser.allocate(bytes.size(), kMaxJsonDepth) !=
        simdjson::SUCCESS) {
      return absl::ResourceExhaustedError("content: cannot allocate parser");
    }
  }
  element root;
  const simdjson::error_code error =
      slot->parser.parse(slot->buffer.get(), bytes.size(), false).get(root);
  if (error != simdjson::SUCCESS) {
    switch (error) {
      case simdjson::UTF8_ERROR:
        return FieldError("content",
                          "not valid UTF-8 at byte offset " +
                              std::to_string(FirstInvalidUtf8(bytes)));
      case simdjson::DEPTH_ERROR:
        return FieldError("content", "JSON nested deeper than " +
                                         std::to_string(kMaxJsonDepth) +
                                         " levels");
      case simdjson::EMPTY:
        return FieldError("content", "no JSON value (only whitespace)");
      default:
        return FieldError("content", std::string("not valid JSON: ") +
                                         simdjson::error_message(error));
    }
  }
  object root_obj;
  if (root.get_object().get(root_obj) != simdjson::SUCCESS) {
    return FieldError("content", std::string("expected a JSON object at the "
                                             "top level, got ") +
                                     std::string(TypeName(root.type())));
  }
  return f(root_obj);
}

absl::Status TooManyEntries(const Path& path, size_t n) {
  return Err(path, std::to_string(n) + " entries, more than the limit of " +
                       std::to_string(kMaxFeedEntries));
}

absl::Status ParseLegacyEntry(element e, const Path& path, ParsedEntry* out) {
  object entry;
  if (absl::Status st = AsObject(e, path, &entry); !st.ok()) return st;
  if (absl::Status st = Label(entry, "im:name", path, &out->title); !st.ok()) {
    return st;
  }
  if (absl::Status st = Label(entry, "im:artist", path, &out->artist_credit);
      !st.ok()) {
    return st;
  }
  object id;
  if (absl::Status st = RequiredObject(entry, "id", path, &id); !st.ok()) {
    return st;
  }
  const Path id_path = path.Key("id");
  object attributes;
  if (absl::Status st = RequiredObject(id, "attributes", id_path, &attributes);
      !st.ok()) {
    return st;
  }
  if (absl::Status st =
          RequiredString(attributes, "im:id", id_path.Key("attributes"),
                         &out->provider_track_id);
      !st.ok()) {
    return st;
  }
  if (std::optional<element> link = Find(entry, "link")) {
    std::string_view chosen;
    bool chosen_is_alternate = false;
    if (absl::Status st =
            ForEachLink(*link, path.Key("link"),
                        [&](std::string_view href, std::string_view rel) {
                          if (chosen_is_alternate) return;
                          if (rel == "alternate" || chosen.empty())
                            chosen = href;
                          chosen_is_alternate = rel == "alternate";
                        });
        !st.ok()) {
      return st;
    }
    out->link.assign(chosen);
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedFeed> ParseLegacyRoot(object root) {
  const Path root_path;
  object feed;
  if (absl::Status st = RequiredObject(root, "feed", root_path, &feed);
      !st.ok()) {
    return st;
  }
  const Path feed_path = root_path.Key("feed");
  ParsedFeed out;
  out.chart = kItunesTopSongs;

  if (std::optional<element> entry = Find(feed, "entry")) {
    const Path entry_path = feed_path.Key("entry");
    array entries;
    if (entry->get_array().get(entries) == simdjson::SUCCESS) {
      const size_t n = entries.size();
      if (n > static_cast<size_t>(kMaxFeedEntries)) {
        return TooManyEntries(entry_path, n);
      }
      out.entries.resize(n);
      int i = 0;
      for (element e : entries) {
        ParsedEntry& parsed = out.entries[static_cast<size_t>(i)];
        parsed.position = i + 1;
        if (absl::Status st = ParseLegacyEntry(e, entry_path.Index(i), &parsed);
            !st.ok()) {
          return st;
        }
        ++i;
      }
    } else if (entry->type() == element_type::OBJECT) {
      // One entry: Apple prints it as a bare object.
      ParsedEntry& parsed = out.entries.emplace_back();
      parsed.position = 1;
      if (absl::Status st = ParseLegacyEntry(*entry, entry_path, &parsed);
          !st.ok()) {
        return st;
      }
    } else {
      return TypeErr(entry_path, "an array or an object", *entry);
    }
  }

  if (Find(feed, "updated")) {
    std::string updated;
    if (absl::Status st = Label(feed, "updated", feed_path, &updated);
        !st.ok()) {
      return st;
    }
    out.updated_micros = ParseIso8601Micros(updated);
    if (!out.updated_micros) {
      return Err(feed_path.Key("updated").Key("label"),
                 "expected an ISO 8601 timestamp with a UTC offset, got " +
                     QuoteValue(updated));
    }
  }

  if (Find(feed, "id")) {
    if (absl::Status st = Label(feed, "id", feed_path, &out.source_url);
        !st.ok()) {
      return st;
    }
  }

  if (std::optional<element> link = Find(feed, "link")) {
    if (absl::Status st =
            ForEachLink(*link, feed_path.Key("link"),
                        [&](std::string_view href, std::string_view) {
                          if (out.region.empty())
                            out.region = StorefrontFromUrl(href);
                        });
        !st.ok()) {
      return st;
    }
  }
  if (out.region.empty()) out.region = StorefrontFromUrl(out.source_url);
  return out;
}

absl::StatusOr<ParsedFeed> ParseAppleRssRoot(object root) {
  const Path root_path;
  object feed;
  if (absl::Status st = RequiredObject(root, "feed", root_path, &feed);
      !st.ok()) {
    return st;
  }
  const Path feed_path = root_path.Key("feed");
  ParsedFeed out;

  std::string_view value;
  bool found = false;
  if (absl::Status st = OptionalString(feed, "id", feed_path, &value, &found);
      !st.ok()) {
    return st;
  }
  out.source_url.assign(value);
  out.chart =
      out.source_url.find("/itunes-music/top-songs/") != std::string::npos
          ? kItunesTopSongs
          : kAppleMusicMostPlayed;

  if (absl::Status st =
          OptionalString(feed, "country", feed_path, &value, &found);
      !st.ok()) {
    return st;
  }
  if (found) {
    if (value.size() != 2 || !IsAsciiAlpha(value[0]) ||
        !IsAsciiAlpha(value[1])) {
      return Err(
          feed_path.Key("country"),
          "expected a two-letter storefront code, got " + QuoteValue(value));
    }
    out.region = LowerCode(value);
  } else {
    out.region = StorefrontFromUrl(out.source_url);
  }

  if (absl::Status st =
          OptionalString(feed, "updated", feed_path, &value, &found);
      !st.ok()) {
    return st;
  }
  if (found) {
    out.updated_micros = ParseRfc2822Micros(value);
    if (!out.updated_micros) out.updated_micros = ParseIso8601Micros(value);
    if (!out.updated_micros) {
      return Err(feed_path.Key("updated"),
                 "expected an RFC 2822 or ISO 8601 timestamp, got " +
                     QuoteValue(value));
    }
  }

  if (std::optional<element> results = Find(feed, "results")) {
    const Path results_path = feed_path.Key("results");
    array items;
    if (results->get_array().get(items) != simdjson::SUCCESS) {
      return TypeErr(results_path, "an array", *results);
    }
    const size_t n = items.size();
    if (n > static_cast<size_t>(kMaxFeedEntries)) {
      return TooManyEntries(results_path, n);
    }
    out.entries.resize(n);
    int i = 0;
    for (element e : items) {
      const Path item_path = results_path.Index(i);
      ParsedEntry& parsed = out.entries[static_cast<size_t>(i)];
      parsed.position = i + 1;
      object item;
      if (absl::Status st = AsObject(e, item_path, &item); !st.ok()) return st;
      if (absl::Status st =
              RequiredString(item, "name", item_path, &parsed.title);
          !st.ok()) {
        return st;
      }
      if (absl::Status st = RequiredString(item, "artistName", item_path,
                                           &parsed.artist_credit);
          !st.ok()) {
        return st;
      }
      if (absl::Status st =
              RequiredString(item, "id", item_path, &parsed.provider_track_id);
          !st.ok()) {
        return st;
      }
      if (absl::Status st =
              OptionalString(item, "url", item_path, &value, &found);
          !st.ok()) {
        return st;
      }
      parsed.link.assign(value);
      ++i;
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<ParsedFeed> ParseLegacyItunesJson(std::string_view bytes) {
  return WithJsonRoot(bytes, ParseLegacyRoot);
}

absl::StatusOr<ParsedFeed> ParseAppleRssJson(std::string_view bytes) {
  return WithJsonRoot(bytes, ParseAppleRssRoot);
}

absl::StatusOr<ParsedFeed> ParseFeed(FeedFormat format,
                                     std::string_view bytes) {
  switch (format) {
    case FeedFormat::kLegacyItunesJson:
      return ParseLegacyItunesJson(bytes);
    case FeedFormat::kAppleRssV2Json:
      return ParseAppleRssJson(bytes);
    case FeedFormat::kCsv:
      return ParseCsv(bytes);
  }
  return absl::InvalidArgumentError("format: unknown feed format");
}

}  // namespace hitclock::ingest::core
