#include "services/catalog/core/normalize.h"

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace hitclock::catalog::core {
namespace {

// ---------------------------------------------------------------- NameKey

struct NameKeyCase {
  std::string_view name;
  std::string_view key;
};

// Readable test names in ctest: the case's input, not its bytes.
void PrintTo(const NameKeyCase& c, std::ostream* os) { *os << c.name; }

class NameKeyTest : public ::testing::TestWithParam<NameKeyCase> {};

TEST_P(NameKeyTest, GivesKey) {
  const NameKeyCase& c = GetParam();
  EXPECT_EQ(NameKey(c.name), c.key) << "name: " << c.name;
}

TEST_P(NameKeyTest, IsIdempotent) {
  const std::string key = NameKey(GetParam().name);
  EXPECT_EQ(NameKey(key), key);
}

TEST_P(NameKeyTest, UnicodePathAgrees) {
  const NameKeyCase& c = GetParam();
  EXPECT_EQ(internal::NameKeyUnicode(c.name), c.key) << "name: " << c.name;
}

TEST_P(NameKeyTest, AppendsAfterExistingText) {
  const NameKeyCase& c = GetParam();
  std::string out = "prefix:";
  AppendNameKey(c.name, &out);
  EXPECT_EQ(out, "prefix:" + std::string(c.key));
}

INSTANTIATE_TEST_SUITE_P(
    Names, NameKeyTest,
    ::testing::Values(
        // Spacing, hyphens and case.
        NameKeyCase{"Ha Sung-woon", "hasungwoon"},
        NameKeyCase{"HA SUNG WOON", "hasungwoon"},
        NameKeyCase{"Ha Sungwoon", "hasungwoon"},
        NameKeyCase{"  Ha\tSung \n Woon  ", "hasungwoon"},
        NameKeyCase{"Kim Seok-jin", "kimseokjin"},
        NameKeyCase{"j-hope", "jhope"}, NameKeyCase{"J-Hope", "jhope"},
        // Unicode hyphen U+2010, en dash, middle dot.
        NameKeyCase{"Ha Sung\u2010woon", "hasungwoon"},
        NameKeyCase{"Ha Sung\u2013woon", "hasungwoon"},
        NameKeyCase{"Ha Sung\u00B7woon", "hasungwoon"},
        // Punctuation and symbols.
        NameKeyCase{"P!nk", "pnk"}, NameKeyCase{"Ke$ha", "keha"},
        NameKeyCase{"Guns N' Roses", "gunsnroses"},
        NameKeyCase{"Guns N\u2019 Roses", "gunsnroses"},
        NameKeyCase{"Earth, Wind & Fire", "earthwindfire"},
        NameKeyCase{"(G)I-DLE", "gidle"},
        // Hangul is kept, with spaces removed; decomposed jamo compose.
        NameKeyCase{"하성운", "하성운"},
        NameKeyCase{"방탄 소년단", "방탄소년단"},
        NameKeyCase{"\u1112\u1161\u11AB", "\uD55C"},
        // Fullwidth and halfwidth forms (NFKC).
        NameKeyCase{"ＢＴＳ", "bts"}, NameKeyCase{"Ｊｉｍｉｎ", "jimin"},
        NameKeyCase{"ｶﾞ", "ガ"},
        // Japanese voicing marks are not accents.
        NameKeyCase{"ガ", "ガ"}, NameKeyCase{"\u30AB\u3099", "ガ"},
        // Accents of Latin, Greek and Cyrillic letters fold; case folds.
        NameKeyCase{"Beyoncé", "beyonce"}, NameKeyCase{"BEYONCÉ", "beyonce"},
        NameKeyCase{"Beyonce\u0301", "beyonce"},
        NameKeyCase{"Straße", "strasse"}, NameKeyCase{"Sigur Rós", "sigurros"},
        NameKeyCase{"ΣΊΣΥΦΟΣ", "σισυφοσ"}, NameKeyCase{"Ёлка", "елка"},
        // Compatibility digits and letters.
        NameKeyCase{"①", "1"}, NameKeyCase{"Ⅻ", "xii"},
        NameKeyCase{"ﬁre", "fire"},
        // Invisible characters.
        NameKeyCase{"Ji\u00ADmin", "jimin"},
        NameKeyCase{"Ji\u200Bmin", "jimin"},
        NameKeyCase{"\uFEFFJimin", "jimin"},
        // Nothing left.
        NameKeyCase{"", ""}, NameKeyCase{" - & , ", ""},
        NameKeyCase{"\u00B7\u2010", ""}));

TEST(NameKey, DropsInvalidUtf8Bytes) {
  EXPECT_EQ(NameKey("Jim\xFFin"), "jimin");
  EXPECT_EQ(NameKey("\xC3"), "");
  EXPECT_EQ(NameKey("\xED\xA0\x80 하성운"), "하성운");
}

TEST(NameKey, AsciiFastPathAgreesWithUtf8procOnEveryAsciiCharacter) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string s = {'a', static_cast<char>(c), 'B'};
    EXPECT_EQ(NameKey(s), internal::NameKeyUnicode(s)) << "character " << c;
  }
}

// ------------------------------------------------------------- IsValidUtf8

struct Utf8Case {
  std::string_view text;
  bool valid;
};

void PrintTo(const Utf8Case& c, std::ostream* os) {
  *os << (c.valid ? "valid" : "invalid") << " of " << c.text.size() << " bytes";
}

class IsValidUtf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(IsValidUtf8Test, Classifies) {
  EXPECT_EQ(IsValidUtf8(GetParam().text), GetParam().valid);
}

INSTANTIATE_TEST_SUITE_P(
    Strings, IsValidUtf8Test,
    ::testing::Values(Utf8Case{"", true}, Utf8Case{"With You", true},
                      Utf8Case{"하성운", true}, Utf8Case{"\U0001F3B5", true},
                      Utf8Case{"\xFF", false},
                      Utf8Case{"\xC0\x80", false},          // overlong NUL
                      Utf8Case{"\xE0\x80\xAF", false},      // overlong '/'
                      Utf8Case{"\xED\xA0\x80", false},      // surrogate
                      Utf8Case{"\xF4\x90\x80\x80", false},  // > U+10FFFF
                      Utf8Case{"\xE2\x82", false},          // truncated
                      Utf8Case{"ok\x80", false}));

// -------------------------------------------------------------- ParseTitle

struct TitleCase {
  std::string_view title;
  std::string_view key;
  std::vector<std::string> featured;
  bool had_decoration;
};

void PrintTo(const TitleCase& c, std::ostream* os) { *os << c.title; }

class ParseTitleTest : public ::testing::TestWithParam<TitleCase> {};

TEST_P(ParseTitleTest, SetsAsideDecorations) {
  const TitleCase& c = GetParam();
  const ParsedTitle parsed = ParseTitle(c.title);
  EXPECT_EQ(parsed.key, c.key) << "title: " << c.title;
  EXPECT_EQ(parsed.featured_artists, c.featured) << "title: " << c.title;
  EXPECT_EQ(parsed.had_decoration, c.had_decoration) << "title: " << c.title;
}

INSTANTIATE_TEST_SUITE_P(
    Titles, ParseTitleTest,
    ::testing::Values(
        TitleCase{"With You", "withyou", {}, false},
        TitleCase{"WITH YOU", "withyou", {}, false},
        // Featured artists.
        TitleCase{"Butter (feat. Megan Thee Stallion)",
                  "butter",
                  {"Megan Thee Stallion"},
                  true},
        TitleCase{"Song [feat. A & B]", "song", {"A", "B"}, true},
        TitleCase{"Song (ft. A, B)", "song", {"A", "B"}, true},
        TitleCase{"Song (Featuring A)", "song", {"A"}, true},
        TitleCase{"Song (with Jimin)", "song", {"Jimin"}, true},
        TitleCase{"Left and Right (feat. Jung Kook of BTS)",
                  "leftandright",
                  {"Jung Kook"},
                  true},
        TitleCase{"Song feat. X", "song", {"X"}, true},
        TitleCase{"Song ft. X & Y", "song", {"X", "Y"}, true},
        TitleCase{"Song （feat. Ｘ）", "song", {"Ｘ"}, true},
        // Version markers.
        TitleCase{"Seven (Explicit)", "seven", {}, true},
        TitleCase{"Seven [Explicit Ver.]", "seven", {}, true},
        TitleCase{"Seven (Clean)", "seven", {}, true},
        TitleCase{"Seven [Clean Ver.]", "seven", {}, true},
        TitleCase{"Seven (Clean Version)", "seven", {}, true},
        TitleCase{"Yours - Single", "yours", {}, true},
        TitleCase{"Yours - EP", "yours", {}, true},
        TitleCase{"Let It Be (Remastered)", "letitbe", {}, true},
        TitleCase{"Let It Be (2009 Remaster)", "letitbe", {}, true},
        TitleCase{"Let It Be - Remastered 2009", "letitbe", {}, true},
        TitleCase{"Song (Radio Edit)", "song", {}, true},
        TitleCase{"Seven (feat. Latto) [Explicit Ver.] - Single",
                  "seven",
                  {"Latto"},
                  true},
        TitleCase{"Seven - feat. Latto", "seven", {"Latto"}, true},
        TitleCase{"Seven - Single (feat. Latto)", "seven", {"Latto"}, true},
        TitleCase{"Seven - Single (Live)", "sevensinglelive", {}, false},
        // Soundtrack markers.
        TitleCase{"Yours (Jirisan OST)", "yours", {}, true},
        TitleCase{"With You (Our Blues OST)", "withyou", {}, true},
        TitleCase{"With You (Our Blues OST Part.11)", "withyou", {}, true},
        TitleCase{"Yours (From \"Jirisan\")", "yours", {}, true},
        TitleCase{"Yours - From \u201CJirisan\u201D", "yours", {}, true},
        TitleCase{"Song (From the Netflix Series Arcane)", "song", {}, true},
        TitleCase{"Song (Original Soundtrack)", "song", {}, true},
        TitleCase{"Song (O.S.T.)", "song", {}, true},
        TitleCase{"그대라는 시 (호텔 델루나 OST)", "그대라는시", {}, true},
        // Parts of the song's name are kept.
        TitleCase{"(I Can't Get No) Satisfaction",
                  "icantgetnosatisfaction",
                  {},
                  false},
        TitleCase{"Song (From Me to You)", "songfrommetoyou", {}, false},
        TitleCase{"Butter (Hotter Remix)", "butterhotterremix", {}, false},
        TitleCase{"Dynamite (Acoustic)", "dynamiteacoustic", {}, false},
        TitleCase{"Dynamite (EP)", "dynamiteep", {}, false},
        TitleCase{"Ghost (Live)", "ghostlive", {}, false},
        TitleCase{"Hey Jude - Take 2", "heyjudetake2", {}, false},
        TitleCase{"Dancing with Myself", "dancingwithmyself", {}, false},
        TitleCase{"Loser (Clean) Heart", "loserheart", {}, true},
        TitleCase{"Song (feat. X) (Remix)", "songremix", {"X"}, true},
        // Unbalanced brackets are text.
        TitleCase{"Song (feat. X", "songfeatx", {}, false},
        TitleCase{"Song) (Clean)", "song", {}, true},
        // A title that is only decoration keeps its whole key.
        TitleCase{"(Explicit)", "explicit", {}, true},
        TitleCase{"", "", {}, false}));

// ------------------------------------------------------------- SplitCredit

struct CreditCase {
  std::string_view credit;
  std::vector<std::string> names;
};

void PrintTo(const CreditCase& c, std::ostream* os) { *os << c.credit; }

class SplitCreditTest : public ::testing::TestWithParam<CreditCase> {};

TEST_P(SplitCreditTest, Splits) {
  const CreditCase& c = GetParam();
  EXPECT_EQ(SplitCredit(c.credit), c.names) << "credit: " << c.credit;
}

INSTANTIATE_TEST_SUITE_P(
    Credits, SplitCreditTest,
    ::testing::Values(
        CreditCase{"HA SUNG WOON & Jimin", {"HA SUNG WOON", "Jimin"}},
        CreditCase{"Jimin & Ha Sung Woon", {"Jimin", "Ha Sung Woon"}},
        CreditCase{"Jimin, Ha Sungwoon", {"Jimin", "Ha Sungwoon"}},
        CreditCase{"Jin", {"Jin"}}, CreditCase{"A x B", {"A", "B"}},
        CreditCase{"A X B", {"A", "B"}}, CreditCase{"A and B", {"A", "B"}},
        CreditCase{"A AND B", {"A", "B"}}, CreditCase{"A vs. B", {"A", "B"}},
        CreditCase{"A + B", {"A", "B"}}, CreditCase{"A feat. B", {"A", "B"}},
        CreditCase{"A Feat. B", {"A", "B"}}, CreditCase{"A ft. B", {"A", "B"}},
        CreditCase{"A featuring B", {"A", "B"}},
        CreditCase{"A with B", {"A", "B"}},
        CreditCase{"A (feat. B)", {"A", "B"}},
        CreditCase{"A (feat.B)", {"A", "B"}},
        CreditCase{"A & B feat. C, D", {"A", "B", "C", "D"}},
        CreditCase{"A、B", {"A", "B"}}, CreditCase{"A / B", {"A", "B"}},
        CreditCase{"A×B", {"A", "B"}}, CreditCase{"A; B", {"A", "B"}},
        CreditCase{"A＆B", {"A", "B"}},
        CreditCase{"BTS (방탄소년단)", {"BTS", "방탄소년단"}},
        CreditCase{"지민 & 하성운", {"지민", "하성운"}},
        // " of <group>".
        CreditCase{"Jung Kook of BTS", {"Jung Kook"}},
        CreditCase{"PSY & Suga of BTS", {"PSY", "Suga"}},
        // Separator words inside names are not separators.
        CreditCase{"Lil Nas X", {"Lil Nas X"}},
        CreditCase{"Xavier Rudd", {"Xavier Rudd"}},
        CreditCase{"Andy Grammer", {"Andy Grammer"}},
        CreditCase{"Featherstone", {"Featherstone"}},
        CreditCase{"Withered Hand", {"Withered Hand"}},
        CreditCase{"Maxwell", {"Maxwell"}},
        CreditCase{"Of Monsters", {"Of Monsters"}},
        // The splitter does not know the catalog.
        CreditCase{"Earth, Wind & Fire", {"Earth", "Wind", "Fire"}},
        CreditCase{"Lil Nas X & Billy Ray Cyrus",
                   {"Lil Nas", "Billy Ray Cyrus"}},
        // Nothing to name.
        CreditCase{"", {}}, CreditCase{" & , ", {}}));

TEST(TokenizeCredit, KeepsSeparatorsForRejoining) {
  internal::CreditTokens tokens;
  internal::TokenizeCredit("Earth, Wind & Fire", &tokens);
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0].text, "Earth");
  EXPECT_EQ(tokens[0].separator, "");
  EXPECT_EQ(tokens[1].text, "Wind");
  EXPECT_EQ(tokens[1].separator, ",");
  EXPECT_EQ(tokens[2].text, "Fire");
  EXPECT_EQ(tokens[2].separator, "&");
}

}  // namespace
}  // namespace hitclock::catalog::core
