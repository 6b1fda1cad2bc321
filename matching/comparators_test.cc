#include "matching/comparators.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

// Counts heap allocations so a test can check that comparators do not
// allocate for ordinary values.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// These replacements pair malloc with free by design; GCC's
// -Wmismatched-new-delete cannot tell a replacement from a mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace idr::matching {
namespace {

using K = ComparatorKind;

// --- Slow reference implementations on codepoint vectors ---------------------

std::string Utf8(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Full-matrix Levenshtein, or OSA when `osa`.
int RefDistance(const std::u32string& a, const std::u32string& b, bool osa) {
  const size_t la = a.size(), lb = b.size();
  std::vector<std::vector<int>> d(la + 1, std::vector<int>(lb + 1));
  for (size_t i = 0; i <= la; ++i) d[i][0] = i;
  for (size_t j = 0; j <= lb; ++j) d[0][j] = j;
  for (size_t i = 1; i <= la; ++i) {
    for (size_t j = 1; j <= lb; ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1])});
      if (osa && i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
          a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[la][lb];
}

// Two-row Levenshtein for long inputs.
int RefLevenshteinLong(const std::u32string& a, const std::u32string& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min(
          {prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The textbook Jaro loop.
double RefJaro(const std::u32string& a, const std::u32string& b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  const int la = a.size(), lb = b.size();
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  std::vector<bool> fa(la), fb(lb);
  int m = 0;
  for (int i = 0; i < la; ++i) {
    for (int j = std::max(0, i - window); j <= std::min(lb - 1, i + window);
         ++j) {
      if (!fb[j] && a[i] == b[j]) {
        fa[i] = fb[j] = true;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  int t = 0;
  for (int i = 0, j = 0; i < la; ++i) {
    if (!fa[i]) continue;
    while (!fb[j]) ++j;
    t += a[i] != b[j];
    ++j;
  }
  return (1.0 * m / la + 1.0 * m / lb + (m - t / 2) / (1.0 * m)) / 3.0;
}

std::u32string RandomString(std::mt19937& rng, const std::u32string& alphabet,
                            int max_len) {
  const int len = std::uniform_int_distribution<int>(0, max_len)(rng);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  std::u32string s;
  for (int i = 0; i < len; ++i) s += alphabet[pick(rng)];
  return s;
}

// A copy of `s` with a few random edits, so random pairs are also close.
std::u32string Mutate(std::mt19937& rng, std::u32string s,
                      const std::u32string& alphabet) {
  const int edits = std::uniform_int_distribution<int>(0, 4)(rng);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  for (int e = 0; e < edits; ++e) {
    const int op = std::uniform_int_distribution<int>(0, 3)(rng);
    const size_t pos =
        s.empty() ? 0
                  : std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng);
    if (op == 0 || s.empty()) {
      s.insert(s.begin() + pos, alphabet[pick(rng)]);
    } else if (op == 1) {
      s.erase(pos, 1);
    } else if (op == 2) {
      s[pos] = alphabet[pick(rng)];
    } else if (pos + 1 < s.size()) {
      std::swap(s[pos], s[pos + 1]);
    }
  }
  return s;
}

// --- Jaro and Jaro-Winkler ---------------------------------------------------

TEST(JaroWinklerTest, TextbookValues) {
  EXPECT_NEAR(Jaro("MARTHA", "MARHTA"), 0.9444, 1e-4);
  EXPECT_NEAR(JaroWinkler("MARTHA", "MARHTA"), 0.9611, 1e-4);
  EXPECT_NEAR(Jaro("DWAYNE", "DUANE"), 0.8222, 1e-4);
  EXPECT_NEAR(JaroWinkler("DWAYNE", "DUANE"), 0.84, 1e-4);
  EXPECT_NEAR(Jaro("DIXON", "DICKSONX"), 0.7667, 1e-4);
  EXPECT_NEAR(JaroWinkler("DIXON", "DICKSONX"), 0.8133, 1e-4);
}

TEST(JaroWinklerTest, IdentityAndEmpty) {
  EXPECT_EQ(JaroWinkler("chan", "chan"), 1.0);
  EXPECT_EQ(Jaro("陳大文", "陳大文"), 1.0);
  EXPECT_EQ(JaroWinkler("", ""), 1.0);
  EXPECT_EQ(JaroWinkler("a", ""), 0.0);
  EXPECT_EQ(JaroWinkler("", "a"), 0.0);
  EXPECT_EQ(Jaro("", "abc"), 0.0);
  EXPECT_EQ(JaroWinkler("abc", "xyz"), 0.0);
}

TEST(JaroWinklerTest, PrefixBonusOnlyAboveBoostThreshold) {
  // Jaro("ab", "ac") = 2/3 <= 0.7: no prefix bonus despite the common "a".
  EXPECT_NEAR(Jaro("ab", "ac"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(JaroWinkler("ab", "ac"), Jaro("ab", "ac"));
  // The prefix counts at most 4 codepoints.
  const double j = Jaro("abcdefgh", "abcdefgx");
  EXPECT_NEAR(JaroWinkler("abcdefgh", "abcdefgx"), j + 0.4 * (1 - j), 1e-12);
}

TEST(JaroWinklerTest, PrefixScaleIsClamped) {
  EXPECT_LE(JaroWinkler("abcdx", "abcdy", 1.0), 1.0);
  EXPECT_EQ(JaroWinkler("abcdx", "abcdy", 1.0),
            JaroWinkler("abcdx", "abcdy", 0.25));
  EXPECT_EQ(JaroWinkler("abcdx", "abcdy", -1.0), Jaro("abcdx", "abcdy"));
  EXPECT_EQ(JaroWinkler("abcdx", "abcdy", std::nan("")),
            Jaro("abcdx", "abcdy"));
}

TEST(JaroWinklerTest, Cjk) {
  // Window 0 for length 3: 大 and 文 match in place.
  EXPECT_NEAR(Jaro("陳大文", "陈大文"), 7.0 / 9.0, 1e-12);
  EXPECT_NEAR(JaroWinkler("陳大文", "陈大文"), 7.0 / 9.0, 1e-12);
  // Same surname and middle character: prefix 2.
  EXPECT_NEAR(JaroWinkler("陳大文", "陳大民"), 7.0 / 9.0 + 0.2 * (2.0 / 9.0),
              1e-12);
}

// --- Levenshtein and Damerau-Levenshtein -------------------------------------

TEST(EditDistanceTest, TextbookValues) {
  EXPECT_EQ(Levenshtein("kitten", "sitting"), 3);
  EXPECT_EQ(Levenshtein("saturday", "sunday"), 3);
  EXPECT_EQ(Levenshtein("flaw", "lawn"), 2);
  EXPECT_EQ(Levenshtein("ca", "ac"), 2);
  EXPECT_EQ(DamerauLevenshtein("ca", "ac"), 1);
  // Optimal string alignment: no edit of a transposed pair ("ca" -> "abc").
  EXPECT_EQ(DamerauLevenshtein("ca", "abc"), 3);
  EXPECT_EQ(DamerauLevenshtein("martha", "marhta"), 1);
  EXPECT_EQ(DamerauLevenshtein("dwayne", "duane"), 2);
}

TEST(EditDistanceTest, IdentityAndEmpty) {
  EXPECT_EQ(Levenshtein("", ""), 0);
  EXPECT_EQ(Levenshtein("abc", ""), 3);
  EXPECT_EQ(Levenshtein("", "陳大文"), 3);  // Codepoints, not bytes.
  EXPECT_EQ(DamerauLevenshtein("", "abc"), 3);
  EXPECT_EQ(Levenshtein("chan", "chan"), 0);
  EXPECT_EQ(LevenshteinBounded("abc", "", 1), 2);
  EXPECT_EQ(LevenshteinBounded("abc", "abc", 0), 0);
}

TEST(EditDistanceTest, Bounded) {
  EXPECT_EQ(LevenshteinBounded("kitten", "sitting", 1), 2);
  EXPECT_EQ(LevenshteinBounded("kitten", "sitting", 3), 3);
  EXPECT_EQ(LevenshteinBounded("kitten", "sitting", 100), 3);
  EXPECT_EQ(
      LevenshteinBounded("kitten", "sitting", std::numeric_limits<int>::max()),
      3);
  EXPECT_EQ(LevenshteinBounded("kitten", "sitting", -5), 1);  // As max = 0.
  EXPECT_EQ(DamerauLevenshteinBounded("ca", "ac", 0), 1);
  EXPECT_EQ(DamerauLevenshteinBounded("ca", "ac", 1), 1);
  EXPECT_EQ(LevenshteinBounded("ca", "ac", 1), 2);
}

TEST(EditDistanceTest, Cjk) {
  // Traditional vs Simplified surname: one substitution, not three bytes.
  EXPECT_EQ(Levenshtein("陳大文", "陈大文"), 1);
  EXPECT_EQ(DamerauLevenshtein("陳大文", "陈大文"), 1);
  EXPECT_EQ(Levenshtein("陳大文", "陳大民"), 1);
  EXPECT_EQ(DamerauLevenshtein("陳文大", "陳大文"), 1);
  EXPECT_EQ(Levenshtein("陳文大", "陳大文"), 2);
}

TEST(EditDistanceTest, MixedScripts) {
  EXPECT_EQ(Levenshtein("chan 陳大文", "chan 陈大文"), 1);
  EXPECT_EQ(Levenshtein("abc", "陳"), 3);
  EXPECT_EQ(Levenshtein("josé", "jose"), 1);
  EXPECT_EQ(Levenshtein("müller", "muller"), 1);
  EXPECT_EQ(DamerauLevenshtein("陳a", "a陳"), 1);
  EXPECT_EQ(Levenshtein("😀x", "😁x"), 1);  // 4-byte sequences.
  EXPECT_NEAR(JaroWinkler("müller", "mueller"),
              JaroWinkler("mxller", "mueller"), 1e-12);
}

// A string_view over a heap block of exactly its bytes, so ASan reports any
// read past the end.
class ExactBytes {
 public:
  explicit ExactBytes(const std::string& s)
      : size_(s.size()), data_(new char[s.size()]) {
    std::memcpy(data_.get(), s.data(), s.size());
  }
  absl::string_view view() const {
    return absl::string_view(data_.get(), size_);
  }

 private:
  size_t size_;
  std::unique_ptr<char[]> data_;
};

TEST(InvalidUtf8Test, EachBadByteIsItsOwnCodepoint) {
  // Distinct bad bytes differ; equal bad bytes are equal.
  EXPECT_EQ(Levenshtein("\xff", "\xfe"), 1);
  EXPECT_EQ(Levenshtein("a\xff"
                        "b",
                        "a\xff"
                        "b"),
            0);
  EXPECT_EQ(Levenshtein("a\xff"
                        "b",
                        "a\xfe"
                        "b"),
            1);
  // A bad byte is not U+FFFD (EF BF BD), nor any real character.
  EXPECT_EQ(Levenshtein("\xff", "\xef\xbf\xbd"), 1);
  EXPECT_EQ(Levenshtein("\xff", "\xc3\xbf"), 1);  // U+00FF.
  // A truncated 陳 (E9 99 B3) is two bad bytes, and does not eat the 'x'.
  EXPECT_EQ(Levenshtein("\xe9\x99x", "x"), 2);
  EXPECT_EQ(Levenshtein("\xe9\x99", "陳"), 2);
  // Overlong "/" and an encoded surrogate: two and three bad bytes.
  EXPECT_EQ(Levenshtein("\xc0\xaf", "/"), 2);
  EXPECT_EQ(Levenshtein("\xed\xa0\x80", ""), 3);
  // Above U+10FFFF.
  EXPECT_EQ(Levenshtein("\xf4\x90\x80\x80", ""), 4);
  // A stray continuation byte between valid characters.
  EXPECT_EQ(Levenshtein("陳\x80大", "陳大"), 1);
}

TEST(InvalidUtf8Test, TruncatedAtEndDoesNotReadPastIt) {
  for (const char* bad : {"\xe9", "\xe9\x99", "\xf0\x9f\x98", "\xc3",
                          "chan\xe9\x99", "\xf4", "\xed"}) {
    const ExactBytes a(bad);
    const ExactBytes b(std::string("chan 陳大文 ") + bad);
    const std::string text = bad;
    EXPECT_EQ(Levenshtein(a.view(), a.view()), 0);
    EXPECT_GE(Levenshtein(a.view(), "陳"), 1);
    EXPECT_GE(DamerauLevenshtein(b.view(), "陳大文"), 1);
    EXPECT_EQ(LevenshteinBounded(b.view(), a.view(), 2), 3);
    const double jw = JaroWinkler(a.view(), b.view());
    EXPECT_GE(jw, 0.0);
    EXPECT_LE(jw, 1.0);
    EXPECT_GE(JaccardTokens(a.view(), b.view()), 0.0);
    EXPECT_GE(TokenSetRatio(a.view(), b.view()), 0.0);
    EXPECT_EQ(TokenSetRatio(b.view(), a.view()),
              TokenSetRatio(a.view(), b.view()));
  }
}

TEST(LongStringTest, TenThousandCodepoints) {
  std::mt19937 rng(7);
  const std::u32string alphabet = U"abcdefghij陳大文";
  std::u32string a, b;
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 10000; ++i) a += alphabet[pick(rng)];
  for (int i = 0; i < 10000; ++i) b += alphabet[pick(rng)];
  const std::string ua = Utf8(a), ub = Utf8(b);

  EXPECT_EQ(Levenshtein(ua, ua), 0);
  EXPECT_EQ(DamerauLevenshtein(ua, ua), 0);
  EXPECT_EQ(JaroWinkler(ua, ua), 1.0);
  // Unrelated 10k strings: the bounded variants stop after a few rows.
  EXPECT_EQ(LevenshteinBounded(ua, ub, 10), 11);
  EXPECT_EQ(DamerauLevenshteinBounded(ua, ub, 10), 11);
  EXPECT_NEAR(Jaro(ua, ub), RefJaro(a, b), 1e-12);
  EXPECT_EQ(Jaro(ub, ua), Jaro(ua, ub));
  // Full DP, 10k against 1.5k (a full 10k x 10k reference is too slow under
  // the sanitizers).
  const std::u32string b_short = b.substr(0, 1500);
  const std::string ub_short = Utf8(b_short);
  const int lev = Levenshtein(ua, ub_short);
  EXPECT_EQ(lev, RefLevenshteinLong(a, b_short));
  EXPECT_EQ(Levenshtein(ub_short, ua), lev);
  EXPECT_LE(DamerauLevenshtein(ua, ub_short), lev);
  EXPECT_GE(lev, 8500);

  // Close long strings: a few edits in the middle (affixes are stripped, the
  // band keeps the rest cheap).
  std::u32string c = a;
  c[5000] = U'x';
  c.erase(7000, 1);
  std::swap(c[3000], c[3001]);
  const std::string uc = Utf8(c);
  // a and c share their first 2990 and last 2990 codepoints, and a common
  // prefix or suffix never changes an edit distance: the reference need only
  // see the middle.
  const int expected =
      RefLevenshteinLong(a.substr(2990, 4020), c.substr(2990, 4019));
  EXPECT_EQ(Levenshtein(ua, uc), expected);
  EXPECT_LE(expected, 4);
  EXPECT_EQ(LevenshteinBounded(ua, uc, 3), std::min(expected, 4));
  EXPECT_EQ(LevenshteinBounded(ua, uc, 1), std::min(expected, 2));
  EXPECT_LE(DamerauLevenshtein(ua, uc), 3);
  // Jaro's greedy matching drifts after a substitution in a long string, so
  // the score is well below 1 even for 3 edits in 10k; it matches the
  // reference all the same.
  EXPECT_NEAR(Jaro(ua, uc), RefJaro(a, c), 1e-12);
  EXPECT_GT(JaroWinkler(ua, uc), 0.9);

  // Long ASCII vs short: bit-parallel with a long text.
  const std::string ascii(10000, 'a');
  EXPECT_EQ(Levenshtein(ascii, "aaab"), 9997);
  EXPECT_EQ(LevenshteinBounded(ascii, "aaab", 2), 3);
  EXPECT_GT(Jaro(ascii, "aaab"), 0.0);
}

// --- Property tests against the references ----------------------------------

struct Alphabet {
  const char* name;
  std::u32string chars;
  int max_len;
};

// Without it gtest hex-dumps the struct, padding bytes included.
void PrintTo(const Alphabet& alphabet, std::ostream* os) {
  *os << alphabet.name;
}

class PropertyTest : public ::testing::TestWithParam<Alphabet> {};

TEST_P(PropertyTest, MatchesReferencesAndBounds) {
  const Alphabet& alphabet = GetParam();
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 1500; ++trial) {
    const std::u32string a =
        RandomString(rng, alphabet.chars, alphabet.max_len);
    const std::u32string b =
        trial % 2 ? Mutate(rng, a, alphabet.chars)
                  : RandomString(rng, alphabet.chars, alphabet.max_len);
    const std::string ua = Utf8(a), ub = Utf8(b);
    SCOPED_TRACE(::testing::Message() << "a=" << ua << " b=" << ub);

    const int lev = Levenshtein(ua, ub);
    const int dl = DamerauLevenshtein(ua, ub);
    ASSERT_EQ(lev, RefDistance(a, b, false));
    ASSERT_EQ(dl, RefDistance(a, b, true));
    ASSERT_LE(dl, lev);
    ASSERT_GE(lev, static_cast<int>(std::max(a.size(), b.size()) -
                                    std::min(a.size(), b.size())));
    ASSERT_EQ(Levenshtein(ub, ua), lev);
    ASSERT_EQ(DamerauLevenshtein(ub, ua), dl);
    for (int k = 0; k <= 5; ++k) {
      ASSERT_EQ(LevenshteinBounded(ua, ub, k), std::min(lev, k + 1)) << k;
      ASSERT_EQ(DamerauLevenshteinBounded(ua, ub, k), std::min(dl, k + 1)) << k;
    }

    const double jaro = Jaro(ua, ub);
    ASSERT_NEAR(jaro, RefJaro(a, b), 1e-12);
    ASSERT_EQ(Jaro(ub, ua), jaro);
    const double jw = JaroWinkler(ua, ub);
    ASSERT_EQ(JaroWinkler(ub, ua), jw);
    ASSERT_GE(jw, jaro);
    ASSERT_LE(jw, 1.0);
    ASSERT_GE(jaro, 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Alphabets, PropertyTest,
    ::testing::Values(Alphabet{"ab", U"ab", 12},
                      Alphabet{"ascii", U"abcdefgh ", 40},
                      // Crosses the 64-codepoint bit-parallel limit.
                      Alphabet{"ascii_long", U"abcdefghijklmnop", 160},
                      Alphabet{"cjk", U"陳陈大文民明", 20},
                      Alphabet{"mixed", U"ab陳é😀 ", 90}),
    [](const ::testing::TestParamInfo<Alphabet>& info) {
      return std::string(info.param.name);
    });

// --- Tokens ------------------------------------------------------------------

TEST(JaccardTokensTest, OrderAndRepeatsDoNotMatter) {
  EXPECT_EQ(JaccardTokens("chan tai man", "tai man chan"), 1.0);
  EXPECT_EQ(JaccardTokens("chan tai man", "  tai\tman  chan "), 1.0);
  EXPECT_EQ(JaccardTokens("chan chan tai", "tai chan"), 1.0);
  EXPECT_NEAR(JaccardTokens("chan tai man", "chan tai"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(JaccardTokens("chan tai man", "wong tai sin"), 1.0 / 5.0, 1e-12);
  EXPECT_EQ(JaccardTokens("陳 大文", "大文 陳"), 1.0);
  EXPECT_EQ(JaccardTokens("chan", "wong"), 0.0);
  // Tokens sharing their first 8 bytes are told apart by the rest.
  EXPECT_EQ(JaccardTokens("internationalisation internationalization",
                          "internationalization"),
            0.5);
  EXPECT_EQ(JaccardTokens("abcdefgh abcdefghi abcdefg", "abcdefg abcdefghi"),
            2.0 / 3.0);
  EXPECT_EQ(JaccardTokens("a\xff\xfe a\x01", "a\x01 a\xff\xfe"), 1.0);
}

TEST(JaccardTokensTest, Empty) {
  EXPECT_EQ(JaccardTokens("", ""), 1.0);
  EXPECT_EQ(JaccardTokens("   ", ""), 1.0);
  EXPECT_EQ(JaccardTokens("chan", ""), 0.0);
  EXPECT_EQ(JaccardTokens(" ", "chan"), 0.0);
}

TEST(JaccardTokensTest, ManyTokensUseTheHeapFallback) {
  std::string a, b;
  for (int i = 0; i < 100; ++i) {
    a += "t" + std::to_string(i) + " ";
    b = "t" + std::to_string(i) + " " + b;
  }
  EXPECT_EQ(JaccardTokens(a, b), 1.0);
  EXPECT_NEAR(JaccardTokens(a, b + " extra"), 100.0 / 101.0, 1e-12);
}

TEST(TokenSetRatioTest, KnownValues) {
  EXPECT_EQ(TokenSetRatio("chan tai man", "tai man chan"), 1.0);
  // One set inside the other: 1.0, as token_set_ratio's 100.
  EXPECT_EQ(TokenSetRatio("chan tai man", "chan tai man peter"), 1.0);
  EXPECT_EQ(TokenSetRatio("fuzzy wuzzy was a bear", "fuzzy was a bear"), 1.0);
  // sect "chan tai", diffs "man" / "mann": 1 - 1 / (12 + 13) (rapidfuzz 96).
  EXPECT_NEAR(TokenSetRatio("chan tai man", "chan tai mann"), 0.96, 1e-12);
  // Nothing in common: plain normalised indel similarity.
  EXPECT_NEAR(TokenSetRatio("abc", "abd"), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(TokenSetRatio("陳大文", "陳大民"), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(TokenSetRatio("", ""), 1.0);
  EXPECT_EQ(TokenSetRatio("chan", ""), 0.0);
  EXPECT_EQ(TokenSetRatio("chan", "wong"), 0.25);  // LCS "n": 1 - 6/8.
}

TEST(TokenSetRatioTest, SymmetricAndInRange) {
  std::mt19937 rng(3);
  const std::u32string alphabet = U"ab 陳";
  for (int i = 0; i < 500; ++i) {
    const std::string a = Utf8(RandomString(rng, alphabet, 30));
    const std::string b = Utf8(RandomString(rng, alphabet, 30));
    const double r = TokenSetRatio(a, b);
    EXPECT_EQ(r, TokenSetRatio(b, a)) << a << " | " << b;
    EXPECT_GE(r, 0.0);
    EXPECT_LE(r, 1.0);
    EXPECT_GE(r, JaccardTokens(a, b) == 1.0 ? 1.0 : 0.0);
  }
}

// --- Dates -------------------------------------------------------------------

CivilDay Day(int y, int m, int d) {
  CivilDay c;
  c.year = y;
  c.month = m;
  c.day = d;
  return c;
}

TEST(DateTest, Parse) {
  CivilDay d;
  ASSERT_TRUE(ParseCivilDay("1980-03-04", &d));
  EXPECT_EQ(d, Day(1980, 3, 4));
  ASSERT_TRUE(ParseCivilDay("1980-03", &d));
  EXPECT_EQ(d, Day(1980, 3, 0));
  ASSERT_TRUE(ParseCivilDay("1980", &d));
  EXPECT_EQ(d, Day(1980, 0, 0));
  ASSERT_TRUE(ParseCivilDay("0000-02-29", &d));  // Birthday, year unknown.
  EXPECT_EQ(d, Day(0, 2, 29));
  ASSERT_TRUE(ParseCivilDay("2024-02-29", &d));
  EXPECT_TRUE(d.complete());

  const CivilDay before = d;
  for (const char* bad :
       {"", "2023-02-29", "1900-02-29", "1980-13-01", "1980-04-31", "80-03-04",
        "1980/03/04", "1980-3-4", "19800304", "1980-03-04 ", "abcd",
        "1980-0a-01", "陳大文"}) {
    EXPECT_FALSE(ParseCivilDay(bad, &d)) << bad;
    EXPECT_EQ(d, before) << bad;
  }
}

TEST(DateTest, DaysBetween) {
  EXPECT_EQ(DaysSinceEpoch(Day(1970, 1, 1)), 0);
  EXPECT_EQ(DaysSinceEpoch(Day(2000, 1, 1)), 10957);
  EXPECT_EQ(DaysSinceEpoch(Day(1969, 12, 31)), -1);
  EXPECT_EQ(AbsDaysBetween(Day(2000, 3, 1), Day(2000, 2, 28)), 2);
  EXPECT_EQ(AbsDaysBetween(Day(1900, 3, 1), Day(1900, 2, 28)), 1);
  EXPECT_EQ(AbsDaysBetween(Day(1980, 1, 1), Day(1981, 1, 1)), 366);
  EXPECT_EQ(AbsDaysBetween(Day(1981, 1, 1), Day(1980, 1, 1)), 366);
  EXPECT_EQ(AbsDaysBetween(Day(1980, 3, 4), Day(1980, 3, 4)), 0);
  EXPECT_EQ(AbsDaysBetween(Day(1980, 3, 0), Day(1980, 3, 4)), -1);
}

TEST(DateTest, DayMonthSwap) {
  EXPECT_TRUE(IsDayMonthSwap(Day(1980, 3, 4), Day(1980, 4, 3)));
  EXPECT_TRUE(IsDayMonthSwap(Day(1980, 4, 3), Day(1980, 3, 4)));
  EXPECT_FALSE(IsDayMonthSwap(Day(1980, 3, 3), Day(1980, 3, 3)));
  EXPECT_FALSE(IsDayMonthSwap(Day(1980, 3, 4), Day(1981, 4, 3)));
  EXPECT_FALSE(IsDayMonthSwap(Day(1980, 3, 4), Day(1980, 3, 4)));
  EXPECT_FALSE(IsDayMonthSwap(Day(1980, 3, 0), Day(1980, 0, 3)));
}

TEST(DateTest, SameYearMonth) {
  EXPECT_TRUE(SameYearMonth(Day(1980, 3, 4), Day(1980, 3, 28)));
  EXPECT_TRUE(SameYearMonth(Day(1980, 3, 0), Day(1980, 3, 28)));
  EXPECT_FALSE(SameYearMonth(Day(1980, 3, 4), Day(1980, 4, 4)));
  EXPECT_FALSE(SameYearMonth(Day(1980, 0, 4), Day(1980, 0, 4)));
  EXPECT_FALSE(SameYearMonth(Day(0, 3, 4), Day(0, 3, 4)));
}

TEST(DateTest, SingleDigitTypo) {
  EXPECT_TRUE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1980, 3, 17)));
  EXPECT_TRUE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1988, 3, 14)));
  EXPECT_TRUE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1980, 8, 14)));
  EXPECT_TRUE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1980, 3, 24)));
  EXPECT_FALSE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1980, 3, 14)));
  EXPECT_FALSE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1980, 3, 25)));
  EXPECT_FALSE(IsSingleDigitTypo(Day(1980, 3, 14), Day(1981, 3, 15)));
  EXPECT_FALSE(IsSingleDigitTypo(Day(1980, 3, 0), Day(1980, 3, 0)));
}

// --- Numbers -----------------------------------------------------------------

TEST(RelativeDifferenceTest, Values) {
  EXPECT_NEAR(RelativeDifference(100, 90), 0.1, 1e-12);
  EXPECT_NEAR(RelativeDifference(90, 100), 0.1, 1e-12);
  EXPECT_EQ(RelativeDifference(0, 0), 0.0);
  EXPECT_EQ(RelativeDifference(5, 0), 1.0);
  EXPECT_EQ(RelativeDifference(1, -1), 2.0);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(RelativeDifference(std::nan(""), 1), inf);
  EXPECT_EQ(RelativeDifference(inf, 1), inf);
  EXPECT_EQ(RelativeDifference(inf, inf), 0.0);
  EXPECT_EQ(RelativeDifference(inf, -inf), inf);
}

// --- Comparison levels -------------------------------------------------------

std::vector<std::string> Labels(const Comparison& c) {
  std::vector<std::string> out;
  for (const auto& l : c.levels) out.push_back(l.label);
  return out;
}

TEST(ComparisonTest, NameLevels) {
  const Comparison c = NameComparison("first_name");
  ASSERT_TRUE(c.Validate().ok());
  EXPECT_EQ(c.name, "first_name");
  EXPECT_EQ(Labels(c),
            (std::vector<std::string>{"null", "exact", "jaro_winkler >= 0.92",
                                      "jaro_winkler >= 0.88",
                                      "damerau_levenshtein <= 2", "else"}));
  EXPECT_EQ(c.LevelOf("", "martha"), 0);
  EXPECT_EQ(c.LevelOf("martha", ""), 0);
  EXPECT_EQ(c.LevelOf("", ""), 0);
  EXPECT_EQ(c.LevelOf("martha", "martha"), 1);
  EXPECT_EQ(c.LevelOf("martha", "marhta"), 2);  // JW 0.961.
  EXPECT_EQ(c.LevelOf("jonathan", "jonathon"), 2);
  ASSERT_GE(JaroWinkler("dixon", "dicksonx"), 0.8);
  EXPECT_EQ(c.LevelOf("dwayne", "duane"), 4);    // JW 0.84, DL 2.
  EXPECT_EQ(c.LevelOf("dixon", "dicksonx"), 5);  // JW 0.81, DL 4.
  EXPECT_EQ(c.LevelOf("陳大文", "陈大文"), 4);   // JW 0.78, DL 1.
  EXPECT_EQ(c.LevelOf("chan", "wong"), 5);
  // 0.88 <= JW < 0.92.
  ASSERT_GE(JaroWinkler("stephen", "steven"), 0.88);
  ASSERT_LT(JaroWinkler("stephen", "steven"), 0.92);
  EXPECT_EQ(c.LevelOf("stephen", "steven"), 3);      // JW 0.894.
  EXPECT_EQ(c.LevelOf("christina", "kristina"), 3);  // JW 0.884.
}

TEST(ComparisonTest, FullNameLevels) {
  const Comparison c = FullNameComparison("full_name");
  ASSERT_TRUE(c.Validate().ok());
  EXPECT_EQ(c.LevelOf("chan tai man", "chan tai man"), 1);
  EXPECT_EQ(c.LevelOf("chan tai man", "tai man chan"), 2);
  EXPECT_EQ(c.LevelOf("chan tai man", "chan tai mann"), 3);
  // The longer one starts with the shorter: JW 0.93.
  EXPECT_EQ(c.LevelOf("chan tai man", "chan tai man peter"), 3);
  // Reordered and one extra token: JW 0.75, token set ratio 1.
  EXPECT_EQ(c.LevelOf("tai man chan", "chan tai man peter"), 4);
  EXPECT_EQ(c.LevelOf("wong siu ming", "wong kar wai"), 7);
}

TEST(ComparisonTest, EmailLevels) {
  const Comparison c = EmailComparison("email");
  ASSERT_TRUE(c.Validate().ok());
  EXPECT_EQ(Labels(c),
            (std::vector<std::string>{
                "null", "exact", "email_local exact", "jaro_winkler >= 0.88",
                "email_local damerau_levenshtein <= 2", "else"}));
  EXPECT_EQ(c.LevelOf("", "a@b.com"), 0);
  EXPECT_EQ(c.LevelOf("john.smith@gmail.com", "john.smith@gmail.com"), 1);
  EXPECT_EQ(c.LevelOf("john.smith@gmail.com", "john.smith@yahoo.com"), 2);
  EXPECT_EQ(c.LevelOf("john.smith@gmail.com", "john.smyth@gmail.com"), 3);
  ASSERT_LT(JaroWinkler("taiman.chan@gmail.com", "taiman.chan1@hku.hk"), 0.88);
  EXPECT_EQ(c.LevelOf("taiman.chan@gmail.com", "taiman.chan1@hku.hk"), 4);
  // Local parts that share a first name only are not close: "harry.ward" and
  // "harry.f" are two people (Jaro-Winkler would call them 0.9 alike).
  ASSERT_GT(JaroWinkler("harry.ward", "harry.f"), 0.88);
  EXPECT_EQ(c.LevelOf("harry.ward@wall.com", "harry.f@black.info"), 5);
  EXPECT_EQ(c.LevelOf("x@a.com", "qqq@b.org"), 5);
  // Empty local parts are not "the same user".
  EXPECT_EQ(c.LevelOf("@a.com", "@b.org"), 5);
}

TEST(ComparisonTest, DateLevels) {
  const Comparison c = DateComparison("dob");
  ASSERT_TRUE(c.Validate().ok());
  EXPECT_EQ(Labels(c),
            (std::vector<std::string>{
                "null", "exact", "date_day_month_swap",
                "date_single_digit_typo", "abs_date_difference_days <= 31",
                "abs_date_difference_days <= 366",
                "abs_date_difference_days <= 3653", "else"}));
  EXPECT_EQ(c.LevelOf("", "1980-03-14"), 0);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1980-03-14"), 1);
  EXPECT_EQ(c.LevelOf("1980", "1980"), 1);
  EXPECT_EQ(c.LevelOf("1980-03-04", "1980-04-03"), 2);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1980-03-17"), 3);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1988-03-14"), 3);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1980-04-02"), 4);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1980-11-20"), 5);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1985-07-01"), 6);
  EXPECT_EQ(c.LevelOf("1980-03-14", "1990-07-01"), 7);  // Over ten years.
  EXPECT_EQ(c.LevelOf("garbage", "1980-03-14"), 7);
  EXPECT_EQ(c.LevelOf("1980", "1980-03-14"), 7);
}

TEST(ComparisonTest, CustomLevelsAndLabels) {
  const Comparison lev{"code",
                       {MakeLevel(K::kNull), MakeLevel(K::kLevenshtein, 1),
                        MakeLevel(K::kLevenshtein, 3), MakeLevel(K::kElse)}};
  ASSERT_TRUE(lev.Validate().ok());
  EXPECT_EQ(lev.levels[1].label, "levenshtein <= 1");
  EXPECT_EQ(lev.LevelOf("abcdef", "abcdef"), 1);
  EXPECT_EQ(lev.LevelOf("abcdef", "abcdxx"), 2);
  EXPECT_EQ(lev.LevelOf("abcdef", "abxxxx"), 3);

  const Comparison num{"amount",
                       {MakeLevel(K::kNull), MakeLevel(K::kNumeric, 0.01),
                        MakeLevel(K::kNumeric, 0.1), MakeLevel(K::kElse)}};
  EXPECT_EQ(num.levels[2].label, "relative_difference <= 0.1");
  EXPECT_EQ(num.LevelOf("100", "100.5"), 1);
  EXPECT_EQ(num.LevelOf("100", "95"), 2);
  EXPECT_EQ(num.LevelOf("100", "50"), 3);
  EXPECT_EQ(num.LevelOf("100", "abc"), 3);

  const Comparison dates{"dob",
                         {MakeLevel(K::kNull), MakeLevel(K::kDateSameYearMonth),
                          MakeLevel(K::kElse)}};
  EXPECT_EQ(dates.LevelOf("1980-03-04", "1980-03-30"), 1);
  EXPECT_EQ(dates.LevelOf("1980-03-04", "1980-04-30"), 2);

  const Comparison domain{
      "email",
      {MakeLevel(K::kNull), MakeLevel(K::kExact, 0, ValuePart::kEmailDomain),
       MakeLevel(K::kElse)}};
  EXPECT_EQ(domain.levels[1].label, "email_domain exact");
  EXPECT_EQ(domain.LevelOf("a@gmail.com", "b@gmail.com"), 1);
  EXPECT_EQ(domain.LevelOf("a@gmail.com", "b@yahoo.com"), 2);
  EXPECT_EQ(domain.LevelOf("nodomain", "nodomain"), 2);

  // Hand-written labels are kept as given.
  const Comparison custom{"x",
                          {{K::kNull, 0, "missing"},
                           {K::kJaroWinkler, 0.9, "close"},
                           {K::kElse, 0, "different"}}};
  EXPECT_TRUE(custom.Validate().ok());
  EXPECT_EQ(custom.levels[custom.LevelOf("martha", "marhta")].label, "close");
  EXPECT_EQ(LevelLabel(K::kJaccardTokens, 0.5), "jaccard_tokens >= 0.5");
  EXPECT_EQ(LevelLabel(K::kTokenSetRatio, 0.85), "token_set_ratio >= 0.85");
  EXPECT_EQ(LevelLabel(K::kDamerauLevenshtein, 1), "damerau_levenshtein <= 1");
}

TEST(ComparisonTest, ValidateRejectsMalformed) {
  auto valid = [](std::vector<ComparisonLevelSpec> levels) {
    return Comparison{"x", std::move(levels)}.Validate().ok();
  };
  EXPECT_TRUE(valid({MakeLevel(K::kNull), MakeLevel(K::kElse)}));
  EXPECT_FALSE(valid({}));
  EXPECT_FALSE(valid({MakeLevel(K::kNull)}));
  EXPECT_FALSE(valid({MakeLevel(K::kExact), MakeLevel(K::kElse)}));
  EXPECT_FALSE(valid({MakeLevel(K::kNull), MakeLevel(K::kExact)}));
  EXPECT_FALSE(
      valid({MakeLevel(K::kNull), MakeLevel(K::kElse), MakeLevel(K::kElse)}));
  EXPECT_FALSE(
      valid({MakeLevel(K::kNull), MakeLevel(K::kNull), MakeLevel(K::kElse)}));
  EXPECT_FALSE(valid({MakeLevel(K::kNull), MakeLevel(K::kLevenshtein, -1),
                      MakeLevel(K::kElse)}));
  EXPECT_FALSE(
      valid({MakeLevel(K::kNull), MakeLevel(K::kJaroWinkler, std::nan("")),
             MakeLevel(K::kElse)}));
  const absl::Status s = Comparison{"first_name", {}}.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("first_name"), absl::string_view::npos);
}

TEST(ComparisonTest, WithoutElseReturnsLastLevel) {
  const Comparison c{"x", {MakeLevel(K::kNull), MakeLevel(K::kExact)}};
  EXPECT_EQ(c.LevelOf("a", "a"), 1);
  EXPECT_EQ(c.LevelOf("a", "b"), 1);
  EXPECT_EQ(Comparison{}.LevelOf("a", "b"), -1);
}

TEST(AllocationTest, NoHeapAllocationForOrdinaryValues) {
  const Comparison name = NameComparison("n");
  const Comparison full = FullNameComparison("f");
  const Comparison email = EmailComparison("e");
  const Comparison date = DateComparison("d");
  // Up to 256 bytes and 32 tokens stay on the stack.
  const std::string long_name(250, 'x');
  const std::string many_tokens =
      "a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6";
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"martha", "marhta"},
      {"陳大文", "陈大文"},
      {"chan tai man", "tai man chan"},
      {"chan tai man", "chan tai mann"},
      {"\xff\xfe", "\xe9\x99"},
      {long_name, long_name + "y"},
      {many_tokens, "z y x"},
      {"taiman.chan@gmail.com", "taiman.chan1@hku.hk"},
      {"1980-03-04", "1980-04-03"},
  };
  double sink = 0;
  const long before = g_allocations.load();
  for (const auto& [a, b] : pairs) {
    sink += Jaro(a, b) + JaroWinkler(a, b) + Levenshtein(a, b) +
            LevenshteinBounded(a, b, 2) + DamerauLevenshtein(a, b) +
            DamerauLevenshteinBounded(a, b, 1) + JaccardTokens(a, b) +
            TokenSetRatio(a, b) + name.LevelOf(a, b) + full.LevelOf(a, b) +
            email.LevelOf(a, b) + date.LevelOf(a, b) +
            static_cast<int>(SketchOf(a).length);
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_GT(sink, 0);

  // The counter works: past the inline capacity the DP rows go to the heap.
  const std::string very_long(300, 'x');
  const long before_long = g_allocations.load();
  EXPECT_EQ(Levenshtein(very_long, "y" + very_long.substr(2) + "y"), 2);
  EXPECT_GT(g_allocations.load() - before_long, 0);
}

// NameComparison's level of (a, b) by its definition, level by level.
int NameLevelByDefinition(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return 0;
  if (a == b) return 1;
  if (JaroWinkler(a, b) >= 0.92) return 2;
  if (JaroWinkler(a, b) >= 0.88) return 3;
  if (DamerauLevenshtein(a, b) <= 2) return 4;
  return 5;
}

// LevelOf caches comparator results across levels; it must agree with the
// plain definition evaluated level by level.
TEST(ComparisonTest, LevelOfMatchesDefinition) {
  const Comparison name = NameComparison("n");
  const Comparison full = FullNameComparison("f");
  std::mt19937 rng(99);
  const std::u32string alphabet = U"aeinrst 陳大";
  for (int i = 0; i < 2000; ++i) {
    const std::u32string a32 = RandomString(rng, alphabet, 12);
    const std::string a = Utf8(a32);
    const std::string b = Utf8(i % 2 ? Mutate(rng, a32, alphabet)
                                     : RandomString(rng, alphabet, 12));
    auto expected_name = [&] { return NameLevelByDefinition(a, b); };
    auto expected_full = [&] {
      if (a.empty() || b.empty()) return 0;
      if (a == b) return 1;
      if (JaccardTokens(a, b) >= 1) return 2;
      if (JaroWinkler(a, b) >= 0.92) return 3;
      if (TokenSetRatio(a, b) >= 0.85) return 4;
      if (DamerauLevenshtein(a, b) <= 2) return 5;
      if (JaccardTokens(a, b) >= 0.5) return 6;
      return 7;
    };
    ASSERT_EQ(name.LevelOf(a, b), expected_name()) << a << " | " << b;
    ASSERT_EQ(name.LevelOf(b, a), expected_name()) << a << " | " << b;
    ASSERT_EQ(full.LevelOf(a, b), expected_full()) << a << " | " << b;
    // Sketches computed beforehand (as a batch keeps them) prune the fuzzy
    // comparators without changing the answer.
    const CharSketch sa = SketchOf(a), sb = SketchOf(b);
    ASSERT_EQ(name.LevelOf(a, b, sa, sb), expected_name()) << a << " | " << b;
    ASSERT_EQ(full.LevelOf(a, b, sa, sb), expected_full()) << a << " | " << b;
  }
}

// The number of codepoints two strings share as multisets, counted plainly.
int SharedCodepoints(const std::u32string& a, const std::u32string& b) {
  std::u32string x = a, y = b;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  std::u32string common;
  std::set_intersection(x.begin(), x.end(), y.begin(), y.end(),
                        std::back_inserter(common));
  return static_cast<int>(common.size());
}

// The sketch bound never under-counts, whatever the codepoints (U+9673 and
// 's' share a bucket; long strings repeat codepoints many times), and is
// exact when no two codepoints share a bucket.
TEST(CharSketchTest, BoundsSharedCodepoints) {
  std::mt19937 rng(7);
  const std::u32string alphabets[] = {U"abcdefghijklmnopqrstuvwxyz",
                                      U"aeinrst 陳大s", U"ab"};
  int exact = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::u32string& alphabet = alphabets[i % 3];
    const int max_length = i % 5 == 0 ? 120 : 14;
    const std::u32string a = RandomString(rng, alphabet, max_length);
    const std::u32string b = i % 2 ? Mutate(rng, a, alphabet)
                                   : RandomString(rng, alphabet, max_length);
    const int truth = SharedCodepoints(a, b);
    const int bound = SharedCodepointsBound(SketchOf(Utf8(a)), SketchOf(Utf8(b)));
    ASSERT_GE(bound, truth) << Utf8(a) << " | " << Utf8(b);
    ASSERT_LE(bound, static_cast<int>(std::min(a.size(), b.size())));
    if (i % 3 == 0 && bound == truth) ++exact;
  }
  // Lower-case Latin letters each have a bucket: up to two occurrences a
  // letter the bound is exact, and above it the count of extras is close.
  EXPECT_GT(exact, 800);
  EXPECT_EQ(SketchOf("").length, 0u);
  EXPECT_EQ(SketchOf("陳大文").length, 3u);
  EXPECT_EQ(SharedCodepointsBound(SketchOf("oliver"), SketchOf("amelia")), 3);
  EXPECT_EQ(SharedCodepointsBound(SketchOf("anna"), SketchOf("hannah")), 4);
}

// Emails and long values (past the 64-codepoint bit-parallel limit) through
// the same pruning, against the definition.
TEST(ComparisonTest, PrunedLevelsMatchDefinitionForEmailsAndLongValues) {
  const Comparison email = EmailComparison("e");
  const Comparison name = NameComparison("n");
  std::mt19937 rng(5);
  const std::u32string alphabet = U"abehmnrs.@陳";
  for (int i = 0; i < 2000; ++i) {
    const int max_length = i % 4 == 0 ? 90 : 20;
    const std::u32string a32 = RandomString(rng, alphabet, max_length);
    const std::string a = Utf8(a32);
    const std::string b = Utf8(i % 2 ? Mutate(rng, a32, alphabet)
                                     : RandomString(rng, alphabet, max_length));
    auto local = [](const std::string& v) { return v.substr(0, v.find('@')); };
    auto expected_email = [&] {
      if (a.empty() || b.empty()) return 0;
      if (a == b) return 1;
      if (!local(a).empty() && local(a) == local(b)) return 2;
      if (JaroWinkler(a, b) >= 0.88) return 3;
      if (!local(a).empty() && !local(b).empty() &&
          DamerauLevenshtein(local(a), local(b)) <= 2) {
        return 4;
      }
      return 5;
    };
    auto expected_name = [&] { return NameLevelByDefinition(a, b); };
    const CharSketch sa = SketchOf(a), sb = SketchOf(b);
    ASSERT_EQ(email.LevelOf(a, b), expected_email()) << a << " | " << b;
    ASSERT_EQ(email.LevelOf(a, b, sa, sb), expected_email()) << a << " | " << b;
    ASSERT_EQ(name.LevelOf(a, b), expected_name()) << a << " | " << b;
    ASSERT_EQ(name.LevelOf(a, b, sa, sb), expected_name()) << a << " | " << b;
  }
}

TEST(ParseLevelLabelTest, ReadsBackEveryLabel) {
  using K = ComparatorKind;
  const ComparisonLevelSpec levels[] = {
      MakeLevel(K::kNull),
      MakeLevel(K::kElse),
      MakeLevel(K::kExact),
      MakeLevel(K::kExact, 0, ValuePart::kEmailLocal),
      MakeLevel(K::kJaroWinkler, 0.88, ValuePart::kEmailLocal),
      MakeLevel(K::kJaroWinkler, 0.92),
      MakeLevel(K::kLevenshtein, 3),
      MakeLevel(K::kDamerauLevenshtein, 2, ValuePart::kEmailDomain),
      MakeLevel(K::kJaccardTokens, 0.5),
      MakeLevel(K::kTokenSetRatio, 0.85),
      MakeLevel(K::kDate, 366),
      MakeLevel(K::kDateDayMonthSwap),
      MakeLevel(K::kDateSingleDigitTypo),
      MakeLevel(K::kDateSameYearMonth),
      MakeLevel(K::kNumeric, 0.05)};
  for (const ComparisonLevelSpec& level : levels) {
    absl::StatusOr<ComparisonLevelSpec> parsed = ParseLevelLabel(level.label);
    ASSERT_TRUE(parsed.ok()) << level.label << ": " << parsed.status();
    EXPECT_EQ(parsed->kind, level.kind) << level.label;
    EXPECT_EQ(parsed->threshold, level.threshold) << level.label;
    EXPECT_EQ(parsed->part, level.part) << level.label;
    EXPECT_EQ(parsed->label, level.label);
  }
}

TEST(ParseLevelLabelTest, RejectsWhatNoLevelIsCalled) {
  for (const char* label :
       {"", "exact ", "jaro_winkler", "jaro_winkler >= ", "jaro_winkler >= x",
        "jaro_winkler <= 0.9", "levenshtein >= 1", "email_local",
        "phone_local exact", "jaro_winkler >= 0.9000", "jaro_winkler >= nan",
        "soundex"}) {
    EXPECT_EQ(ParseLevelLabel(label).status().code(),
              absl::StatusCode::kInvalidArgument)
        << "'" << label << "'";
  }
}

}  // namespace
}  // namespace idr::matching
