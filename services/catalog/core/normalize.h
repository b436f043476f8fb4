// Name normalization for matching chart entries to catalog records: the keys
// under which artist names, aliases and track titles are compared, the parsing
// of title decorations and the splitting of artist credit strings.
//
// Everything here is a pure function of its input: no locale, no global state.

#ifndef HITCLOCK_SERVICES_CATALOG_CORE_NORMALIZE_H_
#define HITCLOCK_SERVICES_CATALOG_CORE_NORMALIZE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"

namespace hitclock::catalog::core {

// Returns the canonical key under which two names compare equal: Unicode NFKC
// with case folding (so fullwidth "ＢＴＳ", "BTS" and "bts" agree), accents
// removed from Latin, Greek and Cyrillic letters ("Beyoncé" = "Beyonce"; marks
// of other scripts, e.g. Japanese voicing marks, are kept), and every
// character that is not a letter or a digit removed (punctuation, hyphens,
// symbols, whitespace, controls): "Ha Sung-woon", "HA SUNG WOON" and
// "Ha Sungwoon" all give "hasungwoon". Hangul and other scripts are kept.
// Invalid UTF-8 bytes are dropped. Returns an empty string when nothing is
// left. `NameKey(NameKey(x)) == NameKey(x)`.
std::string NameKey(std::string_view name);

// Appends `NameKey(name)` to `*out`. Does not allocate when `name` is ASCII
// and `*out` has room.
void AppendNameKey(std::string_view name, std::string* out);

// A track title with its decorations set aside.
struct ParsedTitle {
  // `NameKey` of the title without its decorations; the `NameKey` of the whole
  // title when the title is nothing but decorations.
  std::string key;
  // Artist names credited by the title itself, as written: "(feat. A & B)"
  // gives {"A", "B"}; also "[feat. X]", "(ft. X)", "(featuring X)",
  // "(with X)" and a bare " feat. X" at the end of the title.
  std::vector<std::string> featured_artists;
  // True when anything was set aside.
  bool had_decoration = false;
};

// Splits `title` into the song's name and the decorations stores add to it.
// Set aside, in parentheses or brackets (ASCII or fullwidth) anywhere in the
// title, or after a final " - ":
//   - featured credits: "feat.", "feat", "ft.", "ft", "featuring", "with";
//   - version markers: "Explicit", "Explicit Ver.", "Clean", "Clean Version",
//     "Remastered", "2011 Remaster", "Radio Edit", "Single Version",
//     "Album Version", and after " - " also "Single" and "EP";
//   - soundtrack markers: anything naming an "OST", "O.S.T." or "Soundtrack"
//     ("(Jirisan OST)", "(Our Blues OST Part.3)"), and "From" followed by a
//     quoted name or by words like series/film/drama ("(From \"Jirisan\")").
// Everything else is part of the song's name and kept: "(I Can't Get No)
// Satisfaction", "(Remix)", "(Live)", "(Acoustic)", "(English Ver.)" — these
// are different recordings, which the catalog names as tracks or aliases.
ParsedTitle ParseTitle(std::string_view title);

// Splits an artist credit string into artist names, trimmed, in order, empty
// names dropped. Separators: "&", ",", ";", "/", "、", "×", "＆", "，",
// parentheses and brackets; and, as whole words between spaces, "x", "X",
// "and", "vs", "vs.", "+", "with", "feat.", "feat", "ft.", "ft",
// "featuring" (the last five also at the start of a name). A trailing
// " of <group>" is removed from each name: "Jung Kook of BTS" gives
// "Jung Kook". The split does not know the catalog, so a band whose name
// contains a separator is split too ("Earth, Wind & Fire"); `Resolver`
// rejoins such parts when the catalog knows the whole name.
std::vector<std::string> SplitCredit(std::string_view credit);

// Returns true when `s` is well-formed UTF-8 (no overlong forms, surrogates
// or code points above U+10FFFF).
bool IsValidUtf8(std::string_view s);

namespace internal {

// One name of a credit string as cut by the separators, before trimming of
// " of <group>". Views into the credit string.
struct CreditToken {
  // The name, trimmed of whitespace; may be empty (two adjacent separators).
  std::string_view text;
  // The separator that precedes `text`, as written; empty for the first.
  std::string_view separator;
};
using CreditTokens = absl::InlinedVector<CreditToken, 6>;

// Appends the tokens of `credit` to `*tokens`, cut as `SplitCredit` does.
void TokenizeCredit(std::string_view credit, CreditTokens* tokens);

// Returns `name` without a trailing " of <group>" (case-insensitive "of"
// between spaces, with something on both sides); `name` otherwise.
std::string_view StripOfGroup(std::string_view name);

// The decorations of a title, found without allocating. Views into the title.
struct TitleScan {
  // The pieces of the title that form the song's name, in order.
  absl::InlinedVector<std::string_view, 4> kept;
  // The credit text of each featured-artist decoration ("A & B").
  absl::InlinedVector<std::string_view, 2> featured_credits;
  bool had_decoration = false;
};

// Scans `title` as `ParseTitle` does.
void ScanTitle(std::string_view title, TitleScan* scan);

// Appends the title key of a scanned title to `*out` (see `ParsedTitle::key`).
void AppendTitleKey(std::string_view title, const TitleScan& scan,
                    std::string* out);

// `NameKey` computed by utf8proc even for ASCII input; the fast ASCII path
// must agree with it.
std::string NameKeyUnicode(std::string_view name);

}  // namespace internal
}  // namespace hitclock::catalog::core

#endif  // HITCLOCK_SERVICES_CATALOG_CORE_NORMALIZE_H_
