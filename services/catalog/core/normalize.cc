#include "services/catalog/core/normalize.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hitclock::catalog::core {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (AsciiLower(s[i]) != AsciiLower(prefix[i])) return false;
  }
  return true;
}

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0.
size_t Utf8SequenceLength(std::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  size_t len;
  uint32_t min;
  uint32_t cp;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Whether combining marks on `base` are accents to fold away: Latin, IPA,
// Greek, Cyrillic and Armenian letters and their extended blocks.
bool FoldsMarks(int32_t base) {
  return base < 0x0530 || (base >= 0x1E00 && base < 0x2000);
}

// Whether a code point of category `category` belongs in a key.
bool IsKeyCharacter(int32_t cp, utf8proc_category_t category) {
  switch (category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    case UTF8PROC_CATEGORY_LM:
      // Spacing modifier letters are apostrophes and accents in practice.
      return cp < 0x02B0 || cp >= 0x0300;
    default:
      return false;
  }
}

bool IsMark(utf8proc_category_t category) {
  return category == UTF8PROC_CATEGORY_MN || category == UTF8PROC_CATEGORY_MC ||
         category == UTF8PROC_CATEGORY_ME;
}

void AppendNameKeyUnicode(std::string_view name, std::string* out) {
  std::string sanitized;
  if (!IsValidUtf8(name)) {
    sanitized.reserve(name.size());
    while (!name.empty()) {
      const size_t len = Utf8SequenceLength(name);
      if (len == 0) {
        name.remove_prefix(1);
        continue;
      }
      sanitized.append(name.substr(0, len));
      name.remove_prefix(len);
    }
    name = sanitized;
  }
  if (name.empty()) return;

  thread_local std::vector<utf8proc_int32_t> buffer(256);
  constexpr auto kDecompose = static_cast<utf8proc_option_t>(
      UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE |
      UTF8PROC_CASEFOLD);
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(name.data());
  const auto size = static_cast<utf8proc_ssize_t>(name.size());
  utf8proc_ssize_t count = utf8proc_decompose(
      bytes, size, buffer.data(), static_cast<utf8proc_ssize_t>(buffer.size()),
      kDecompose);
  if (count >= static_cast<utf8proc_ssize_t>(buffer.size())) {
    buffer.resize(static_cast<size_t>(count) + 1);
    count = utf8proc_decompose(bytes, size, buffer.data(),
                               static_cast<utf8proc_ssize_t>(buffer.size()),
                               kDecompose);
  }
  if (count <= 0) return;

  // Keep letters and digits, and the marks of kept letters of scripts whose
  // marks are not accents.
  size_t kept = 0;
  bool base_kept = false;
  bool base_folds_marks = true;
  for (utf8proc_ssize_t i = 0; i < count; ++i) {
    const utf8proc_int32_t cp = buffer[i];
    const utf8proc_category_t category = utf8proc_category(cp);
    if (IsMark(category)) {
      if (base_kept && !base_folds_marks) buffer[kept++] = cp;
      continue;
    }
    base_kept = IsKeyCharacter(cp, category);
    base_folds_marks = FoldsMarks(cp);
    if (base_kept) buffer[kept++] = cp;
  }
  if (kept == 0) return;
  constexpr auto kCompose =
      static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  const utf8proc_ssize_t length = utf8proc_reencode(
      buffer.data(), static_cast<utf8proc_ssize_t>(kept), kCompose);
  if (length <= 0) return;
  out->append(reinterpret_cast<const char*>(buffer.data()),
              static_cast<size_t>(length));
}

// Opening and closing brackets around title decorations.
struct BracketPair {
  std::string_view open;
  std::string_view close;
};
constexpr std::array<BracketPair, 5> kBrackets = {{
    {"(", ")"},
    {"[", "]"},
    {"\xEF\xBC\x88", "\xEF\xBC\x89"},  // （ ）
    {"\xEF\xBC\xBB", "\xEF\xBC\xBD"},  // ［ ］
    {"\xE3\x80\x90", "\xE3\x80\x91"},  // 【 】
}};

// Title decoration words that introduce featured artists.
constexpr std::array<std::string_view, 7> kFeaturingPrefixes = {
    "feat.", "ft.", "featuring ", "feat ", "ft ", "with ", "w/"};

// Title key of a whole decoration that marks a version of the same song.
constexpr std::array<std::string_view, 14> kVersionKeys = {
    "explicit",        "explicitver",
    "explicitversion", "clean",
    "cleanver",        "cleanversion",
    "radioedit",       "singleversion",
    "albumversion",    "ost",
    "soundtrack",      "originalsoundtrack",
    "explicitlyrics",  "originaltelevisionsoundtrack",
};

// Words after "From" that mark a soundtrack ("From the Netflix Series ...").
constexpr std::array<std::string_view, 11> kSoundtrackWords = {
    "soundtrack", "series",  "film", "movie",   "drama", "motion",
    "picture",    "netflix", "show", "musical", "anime"};

bool IsQuoteAt(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == '"' || s[0] == '\'') return true;
  for (std::string_view quote :
       {"\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99",
        "\xE3\x80\x8C", "\xE3\x80\x8E"}) {
    if (s.substr(0, quote.size()) == quote) return true;
  }
  return false;
}

// Returns whether `content` (a bracketed part of a title, or what follows a
// final " - ") is a decoration. Sets `*featured` to the credit of a featured
// artist decoration, empty otherwise.
bool IsDecoration(std::string_view content, bool after_dash,
                  std::string_view* featured) {
  *featured = {};
  content = Trim(content);
  if (content.empty()) return false;
  for (std::string_view prefix : kFeaturingPrefixes) {
    if (StartsWithIgnoreCase(content, prefix)) {
      *featured = Trim(content.substr(prefix.size()));
      return true;
    }
  }
  std::string key;
  AppendNameKey(content, &key);
  for (std::string_view version : kVersionKeys) {
    if (key == version) return true;
  }
  if (after_dash && (key == "single" || key == "ep")) return true;
  if (key.find("remaster") != std::string::npos) return true;

  // Word-level checks on the ASCII words of the decoration.
  bool first = true;
  bool starts_with_from = false;
  bool names_soundtrack_word = false;
  size_t i = 0;
  while (i < content.size()) {
    if (!IsAsciiAlnum(content[i])) {
      // "O.S.T." spelled with dots.
      ++i;
      continue;
    }
    const size_t begin = i;
    while (i < content.size() && IsAsciiAlnum(content[i])) ++i;
    std::string_view word = content.substr(begin, i - begin);
    auto is = [&](std::string_view w) {
      return word.size() == w.size() && StartsWithIgnoreCase(word, w);
    };
    if (is("ost") || is("soundtrack")) return true;
    if (is("o") && StartsWithIgnoreCase(content.substr(begin), "o.s.t")) {
      return true;
    }
    if (first && is("from")) {
      starts_with_from = true;
      if (IsQuoteAt(Trim(content.substr(i)))) return true;
    }
    for (std::string_view w : kSoundtrackWords) {
      if (is(w)) names_soundtrack_word = true;
    }
    first = false;
  }
  return starts_with_from && names_soundtrack_word;
}

// A top-level bracketed group of a title: [begin, end) covers the brackets.
struct Group {
  size_t begin;
  size_t content_begin;
  size_t content_end;
  size_t end;
};

// Returns the index into `kBrackets` of a bracket opening at `s`, or -1.
int OpeningAt(std::string_view s) {
  if (s[0] == '(') return 0;
  if (s[0] == '[') return 1;
  if (s[0] != '\xEF' && s[0] != '\xE3') return -1;
  for (size_t k = 2; k < kBrackets.size(); ++k) {
    if (s.substr(0, kBrackets[k].open.size()) == kBrackets[k].open) {
      return static_cast<int>(k);
    }
  }
  return -1;
}

int ClosingAt(std::string_view s) {
  if (s[0] == ')') return 0;
  if (s[0] == ']') return 1;
  if (s[0] != '\xEF' && s[0] != '\xE3') return -1;
  for (size_t k = 2; k < kBrackets.size(); ++k) {
    if (s.substr(0, kBrackets[k].close.size()) == kBrackets[k].close) {
      return static_cast<int>(k);
    }
  }
  return -1;
}

// Finds the balanced top-level bracket groups of `title`.
void FindGroups(std::string_view title, absl::InlinedVector<Group, 4>* groups) {
  absl::InlinedVector<int, 4> stack;
  size_t open_at = 0;
  size_t i = 0;
  while (i < title.size()) {
    const std::string_view rest = title.substr(i);
    if (const int open = OpeningAt(rest); open >= 0) {
      if (stack.empty()) open_at = i;
      stack.push_back(open);
      i += kBrackets[open].open.size();
      continue;
    }
    if (const int close = ClosingAt(rest); close >= 0) {
      const size_t close_size = kBrackets[close].close.size();
      if (!stack.empty() && stack.back() == close) {
        stack.pop_back();
        if (stack.empty()) {
          groups->push_back({open_at, open_at + kBrackets[close].open.size(), i,
                             i + close_size});
        }
      }
      i += close_size;
      continue;
    }
    ++i;
  }
}

bool InsideGroup(const absl::InlinedVector<Group, 4>& groups, size_t pos) {
  for (const Group& g : groups) {
    if (pos >= g.begin && pos < g.end) return true;
  }
  return false;
}

// Finds the last " - " (or en/em dash between spaces) that starts before
// `end` and outside every group; returns its [begin, end) or false.
bool FindLastDash(std::string_view title,
                  const absl::InlinedVector<Group, 4>& groups, size_t end,
                  size_t* dash_begin, size_t* dash_end) {
  for (size_t i = end; i-- > 0;) {
    if (title[i] != ' ' || InsideGroup(groups, i)) continue;
    for (std::string_view dash : {" - ", " \xE2\x80\x93 ", " \xE2\x80\x94 "}) {
      if (i + dash.size() <= end && title.substr(i, dash.size()) == dash) {
        *dash_begin = i;
        *dash_end = i + dash.size();
        return true;
      }
    }
  }
  return false;
}

// Bare featuring markers in a title, preceded by a space.
constexpr std::array<std::string_view, 5> kBareFeaturing = {
    "feat. ", "ft. ", "featuring ", "feat ", "ft "};

// Separators cut anywhere in a credit.
constexpr std::array<std::string_view, 20> kSymbolSeparators = {
    "&",
    ",",
    ";",
    "/",
    "(",
    ")",
    "[",
    "]",
    "\xE3\x80\x81",  // 、
    "\xC3\x97",      // ×
    "\xEF\xBC\x86",  // ＆
    "\xEF\xBC\x8C",  // ，
    "\xEF\xBC\x8F",  // ／
    "\xEF\xBC\x9B",  // ；
    "\xEF\xBC\x88",  // （
    "\xEF\xBC\x89",  // ）
    "\xEF\xBC\xBB",  // ［
    "\xEF\xBC\xBD",  // ］
    "\xE3\x80\x90",  // 【
    "\xE3\x80\x91",  // 】
};

// Separator words between two names, with spaces on both sides.
constexpr std::array<std::string_view, 11> kInfixWords = {
    "featuring", "feat.", "feat", "ft.", "ft", "with",
    "and",       "vs.",   "vs",   "x",   "+"};

// Separator words that may also start a name: "(feat. B)".
constexpr std::array<std::string_view, 5> kPrefixWords = {"featuring", "feat.",
                                                          "feat", "ft.", "ft"};

}  // namespace

bool IsValidUtf8(std::string_view s) {
  while (!s.empty()) {
    if (static_cast<unsigned char>(s[0]) < 0x80) {
      s.remove_prefix(1);
      continue;
    }
    const size_t len = Utf8SequenceLength(s);
    if (len == 0) return false;
    s.remove_prefix(len);
  }
  return true;
}

void AppendNameKey(std::string_view name, std::string* out) {
  const size_t start = out->size();
  for (const char c : name) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      out->resize(start);
      AppendNameKeyUnicode(name, out);
      return;
    }
    if (IsAsciiAlnum(c)) out->push_back(AsciiLower(c));
  }
}

std::string NameKey(std::string_view name) {
  std::string key;
  AppendNameKey(name, &key);
  return key;
}

namespace internal {

std::string NameKeyUnicode(std::string_view name) {
  std::string key;
  AppendNameKeyUnicode(name, &key);
  return key;
}

void TokenizeCredit(std::string_view credit, CreditTokens* tokens) {
  size_t part_begin = 0;
  std::string_view separator;
  bool name_has_text = false;
  auto emit = [&](size_t end, std::string_view next_separator,
                  size_t next_begin) {
    tokens->push_back(
        {Trim(credit.substr(part_begin, end - part_begin)), separator});
    separator = next_separator;
    part_begin = next_begin;
    name_has_text = false;
  };
  size_t i = 0;
  while (i < credit.size()) {
    const char c = credit[i];
    const std::string_view rest = credit.substr(i);
    size_t symbol_size = 0;
    if (static_cast<unsigned char>(c) < 0x80) {
      switch (c) {
        case '&':
        case ',':
        case ';':
        case '/':
        case '(':
        case ')':
        case '[':
        case ']':
          symbol_size = 1;
          break;
        default:
          break;
      }
    } else {
      for (std::string_view symbol : kSymbolSeparators) {
        if (symbol.size() > 1 && rest.substr(0, symbol.size()) == symbol) {
          symbol_size = symbol.size();
          break;
        }
      }
    }
    if (symbol_size > 0) {
      emit(i, rest.substr(0, symbol_size), i + symbol_size);
      i += symbol_size;
      continue;
    }
    const bool after_space = i > 0 && IsAsciiSpace(credit[i - 1]);
    const char lower = AsciiLower(c);
    // Every separator word starts with one of these.
    const bool may_start_word = lower == 'f' || lower == 'w' || lower == 'a' ||
                                lower == 'v' || lower == 'x' || lower == '+';
    if (may_start_word && (after_space || !name_has_text)) {
      auto try_word = [&](std::string_view word) {
        if (!StartsWithIgnoreCase(rest, word)) return false;
        const size_t end = i + word.size();
        const bool space_after =
            end < credit.size() && IsAsciiSpace(credit[end]);
        // Only "feat." and "ft." may touch the following name: "(feat.B)".
        if (!space_after && !(!name_has_text && word.back() == '.')) {
          return false;
        }
        emit(i, rest.substr(0, word.size()), end);
        i = end;
        return true;
      };
      bool cut = false;
      if (!name_has_text) {
        for (std::string_view word : kPrefixWords) {
          if ((cut = try_word(word))) break;
        }
      } else {
        for (std::string_view word : kInfixWords) {
          if ((cut = try_word(word))) break;
        }
      }
      if (cut) continue;
    }
    if (!IsAsciiSpace(c)) name_has_text = true;
    ++i;
  }
  emit(credit.size(), {}, credit.size());
}

std::string_view StripOfGroup(std::string_view name) {
  name = Trim(name);
  for (size_t i = 1; i + 4 < name.size(); ++i) {
    if (IsAsciiSpace(name[i - 1]) &&
        StartsWithIgnoreCase(name.substr(i), "of") &&
        IsAsciiSpace(name[i + 2])) {
      const std::string_view before = Trim(name.substr(0, i));
      const std::string_view after = Trim(name.substr(i + 2));
      if (!before.empty() && !after.empty()) return before;
    }
  }
  return name;
}

void ScanTitle(std::string_view title, TitleScan* scan) {
  absl::InlinedVector<Group, 4> groups;
  FindGroups(title, &groups);

  // Ranges of the title set aside, as [begin, end).
  absl::InlinedVector<std::pair<size_t, size_t>, 4> removed;
  std::string_view featured;
  for (const Group& g : groups) {
    const std::string_view content =
        title.substr(g.content_begin, g.content_end - g.content_begin);
    if (IsDecoration(content, /*after_dash=*/false, &featured)) {
      removed.push_back({g.begin, g.end});
      if (!featured.empty()) scan->featured_credits.push_back(featured);
    }
  }

  // Decorations after a final " - ", repeatedly: "X - From "Y" - Single".
  size_t end = title.size();
  size_t dash_begin;
  size_t dash_end;
  while (FindLastDash(title, groups, end, &dash_begin, &dash_end)) {
    // Decorated groups at the end of the suffix are already set aside:
    // "X - Single (feat. Y)".
    size_t suffix_end = end;
    for (bool moved = true; moved;) {
      moved = false;
      while (suffix_end > dash_end && IsAsciiSpace(title[suffix_end - 1])) {
        --suffix_end;
      }
      for (const auto& [begin, stop] : removed) {
        if (stop == suffix_end && begin >= dash_end) {
          suffix_end = begin;
          moved = true;
        }
      }
    }
    const std::string_view suffix =
        title.substr(dash_end, suffix_end - dash_end);
    if (!IsDecoration(suffix, /*after_dash=*/true, &featured)) break;
    if (!featured.empty()) scan->featured_credits.push_back(featured);
    removed.push_back({dash_begin, suffix_end});
    end = dash_begin;
  }

  // A bare " feat. X" outside the groups runs to the next group or the end.
  for (size_t i = 1; i < end; ++i) {
    if (!IsAsciiSpace(title[i - 1]) || InsideGroup(groups, i)) continue;
    bool found = false;
    for (std::string_view marker : kBareFeaturing) {
      if (i + marker.size() <= end &&
          StartsWithIgnoreCase(title.substr(i), marker)) {
        size_t stop = end;
        for (const Group& g : groups) {
          if (g.begin > i && g.begin < stop) stop = g.begin;
        }
        const std::string_view credit =
            Trim(title.substr(i + marker.size(), stop - i - marker.size()));
        if (credit.empty()) continue;
        scan->featured_credits.push_back(credit);
        removed.push_back({i, stop});
        found = true;
        break;
      }
    }
    if (found) break;
  }

  scan->had_decoration = !removed.empty();
  // The kept pieces are the complement of the removed ranges.
  std::sort(removed.begin(), removed.end());
  size_t pos = 0;
  for (const auto& [begin, stop] : removed) {
    if (begin > pos) scan->kept.push_back(title.substr(pos, begin - pos));
    pos = std::max(pos, stop);
  }
  if (pos < title.size()) scan->kept.push_back(title.substr(pos));
}

void AppendTitleKey(std::string_view title, const TitleScan& scan,
                    std::string* out) {
  const size_t start = out->size();
  for (std::string_view piece : scan.kept) AppendNameKey(piece, out);
  if (out->size() == start) AppendNameKey(title, out);
}

}  // namespace internal

ParsedTitle ParseTitle(std::string_view title) {
  internal::TitleScan scan;
  internal::ScanTitle(title, &scan);
  ParsedTitle parsed;
  internal::AppendTitleKey(title, scan, &parsed.key);
  parsed.had_decoration = scan.had_decoration;
  for (std::string_view credit : scan.featured_credits) {
    for (std::string& name : SplitCredit(credit)) {
      parsed.featured_artists.push_back(std::move(name));
    }
  }
  return parsed;
}

std::vector<std::string> SplitCredit(std::string_view credit) {
  internal::CreditTokens tokens;
  internal::TokenizeCredit(credit, &tokens);
  std::vector<std::string> names;
  for (const internal::CreditToken& token : tokens) {
    const std::string_view name = internal::StripOfGroup(token.text);
    if (!name.empty()) names.emplace_back(name);
  }
  return names;
}

}  // namespace hitclock::catalog::core
