// String and value comparators for pair scoring, and Splink-style comparison
// levels built on them.
//
// These run in the hot loop of the matcher (millions of pairs per second, a
// handful of comparisons each), so:
//   - Inputs are absl::string_view of already-normalised UTF-8; nothing is
//     copied into std::string.
//   - No heap allocation in the common case: decoded codepoints, DP rows and
//     token arrays live in stack buffers; only values longer than 256 bytes
//     or with more than 32 tokens may fall back to the heap (a test counts
//     operator new calls to keep it so).
//   - Pure-ASCII pairs are compared byte by byte; anything else is decoded to
//     char32_t first, so 陳大文 vs 陈大文 is one substitution, not three.
//   - Edit distances use bit-parallel algorithms (Myers/Hyyrö) when the
//     shorter string has at most 64 codepoints, and a (banded) DP otherwise.
//
// Invalid UTF-8: every byte that is not part of a well-formed sequence (stray
// continuation bytes, truncated or overlong sequences, encoded surrogates,
// values above U+10FFFF) decodes to its own "escape" codepoint U+DC80..U+DCFF
// (Python's surrogateescape). So a bad byte counts as one character, two
// different bad bytes stay different, and none of them equals any real
// character (valid UTF-8 never decodes to a surrogate). Nothing reads past
// the end of the input.
//
// All functions are thread-safe (no shared mutable state).

#ifndef IDR_MATCHING_COMPARATORS_H_
#define IDR_MATCHING_COMPARATORS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::matching {

// ---------------------------------------------------------------------------
// String similarity and distance. Lengths and distances count codepoints.
// ---------------------------------------------------------------------------

// Jaro similarity in [0, 1]. 1.0 for equal strings (including two empty
// strings); 0.0 when exactly one is empty or nothing matches. Symmetric.
double Jaro(absl::string_view a, absl::string_view b);

// Jaro-Winkler similarity in [0, 1]: Jaro plus a bonus for a common prefix of
// up to 4 codepoints, jw = j + l * prefix_scale * (1 - j). As in Winkler's
// definition (and Splink's backends), the bonus applies only when j > 0.7.
// `prefix_scale` is clamped to [0, 0.25] so the result stays <= 1. Empty
// handling as Jaro: 1.0 for two empty strings, 0.0 when exactly one is empty.
double JaroWinkler(absl::string_view a, absl::string_view b,
                   double prefix_scale = 0.1);

// Levenshtein distance: insertions, deletions, substitutions cost 1.
int Levenshtein(absl::string_view a, absl::string_view b);

// Levenshtein distance capped at max + 1: returns min(Levenshtein(a, b),
// max + 1), stopping early once the distance is known to exceed `max` (for
// levels such as "levenshtein <= 2"). A negative `max` is treated as 0.
int LevenshteinBounded(absl::string_view a, absl::string_view b, int max);

// Damerau-Levenshtein distance, optimal string alignment variant: as
// Levenshtein, plus a transposition of two adjacent codepoints costs 1 (no
// substring is edited twice, so "ca" -> "abc" is 3, not 2). DL <= Levenshtein.
int DamerauLevenshtein(absl::string_view a, absl::string_view b);

// DamerauLevenshtein capped at max + 1, like LevenshteinBounded.
int DamerauLevenshteinBounded(absl::string_view a, absl::string_view b,
                              int max);

// ---------------------------------------------------------------------------
// Token similarity: tokens are the runs between ASCII whitespace, compared
// byte for byte, as sets (order and repeats do not matter).
// ---------------------------------------------------------------------------

// Jaccard index of the two token sets, |A ∩ B| / |A ∪ B|, in [0, 1].
// "chan tai man" vs "tai man chan" is 1.0. 1.0 when neither has a token,
// 0.0 when exactly one has none.
double JaccardTokens(absl::string_view a, absl::string_view b);

// Token-set ratio in [0, 1], as fuzzywuzzy/rapidfuzz token_set_ratio / 100:
// with I the sorted common tokens and Da, Db the sorted tokens of each side
// not in the other (each joined by single spaces), the best normalised indel
// similarity among (I, I+Da), (I, I+Db) and (I+Da, I+Db). So one token set
// contained in the other scores 1.0 ("chan tai man" vs "chan tai man peter"),
// and a typo inside a token costs little. Empty handling as JaccardTokens.
double TokenSetRatio(absl::string_view a, absl::string_view b);

// ---------------------------------------------------------------------------
// Dates.
// ---------------------------------------------------------------------------

// A calendar date whose parts may be unknown (0), e.g. a date of birth given
// as year only. Distinct from absl::CivilDay, which has no unknown parts.
struct CivilDay {
  int16_t year = 0;  // 1..9999, 0 = unknown.
  int8_t month = 0;  // 1..12, 0 = unknown.
  int8_t day = 0;    // 1..31, 0 = unknown.

  // True when year, month and day are all known.
  bool complete() const { return year > 0 && month > 0 && day > 0; }
  friend bool operator==(const CivilDay& x, const CivilDay& y) {
    return x.year == y.year && x.month == y.month && x.day == y.day;
  }
  friend bool operator!=(const CivilDay& x, const CivilDay& y) {
    return !(x == y);
  }
};

// Parses a normalised date: "YYYY-MM-DD", "YYYY-MM" or "YYYY" (exactly those
// digit counts), where "00"/"0000" marks an unknown part. Rejects anything
// else, months > 12 and days past the end of the month (Feb 29 only in leap
// years). On failure returns false and leaves *out unchanged.
bool ParseCivilDay(absl::string_view s, CivilDay* out);

// Days since 1970-01-01 (proleptic Gregorian) of a complete date.
int32_t DaysSinceEpoch(const CivilDay& d);

// |days between a and b| when both dates are complete, else -1 (unknown).
int AbsDaysBetween(const CivilDay& a, const CivilDay& b);

// True when both are complete, in the same year, and day and month are
// swapped (1980-03-04 vs 1980-04-03): the US/European order mix-up. False for
// equal dates (a day equal to its month is no evidence of a swap).
bool IsDayMonthSwap(const CivilDay& a, const CivilDay& b);

// True when both have a known, equal year and a known, equal month.
bool SameYearMonth(const CivilDay& a, const CivilDay& b);

// True when both are complete and their YYYYMMDD digits differ in exactly one
// position (1980-03-14 vs 1980-03-17, 1980 vs 1988): a keying typo in one
// component.
bool IsSingleDigitTypo(const CivilDay& a, const CivilDay& b);

// ---------------------------------------------------------------------------
// Numbers.
// ---------------------------------------------------------------------------

// |a - b| / max(|a|, |b|), in [0, 2] (2 for opposite signs); 0 when a == b
// (including 0 vs 0). +infinity when either is NaN, or when they differ and
// either is infinite, so no "<= threshold" level ever holds for them.
double RelativeDifference(double a, double b);

// ---------------------------------------------------------------------------
// Comparison levels (Splink's comparisons): a comparison maps a pair of
// values to a level index; the Fellegi-Sunter model learns m and u per level.
// ---------------------------------------------------------------------------

// The condition a level tests. The threshold's meaning is given per kind.
enum class ComparatorKind : uint8_t {
  kNull,                 // Either value is empty (level 0 by convention).
  kExact,                // Byte-identical.
  kJaroWinkler,          // JaroWinkler (prefix scale 0.1) >= threshold.
  kLevenshtein,          // Levenshtein <= threshold.
  kDamerauLevenshtein,   // DamerauLevenshtein <= threshold.
  kJaccardTokens,        // JaccardTokens >= threshold.
  kTokenSetRatio,        // TokenSetRatio >= threshold.
  kDate,                 // Both parse, complete: AbsDaysBetween <= threshold.
  kDateDayMonthSwap,     // Both parse and IsDayMonthSwap.
  kDateSingleDigitTypo,  // Both parse and IsSingleDigitTypo.
  kDateSameYearMonth,    // Both parse and SameYearMonth.
  kNumeric,              // Both parse (absl::SimpleAtod): RelativeDifference
                         // <= threshold.
  kElse,                 // Always holds (the last level).
};

// Which part of each value a level looks at. Every condition except kNull
// and kElse is false when either side's part is empty (two addresses with no
// local part are not "the same user").
enum class ValuePart : uint8_t {
  kWhole,
  kEmailLocal,   // Before the first '@' (the whole value if there is none).
  kEmailDomain,  // After the last '@' (empty if there is none).
};

// One level of a comparison.
struct ComparisonLevelSpec {
  ComparatorKind kind = ComparatorKind::kElse;
  double threshold = 0;  // See ComparatorKind; ignored by kinds without one.
  std::string label;     // Human-readable, as Splink: "jaro_winkler >= 0.92".
  ValuePart part = ValuePart::kWhole;
};

// A level with its default label (LevelLabel).
ComparisonLevelSpec MakeLevel(ComparatorKind kind, double threshold = 0,
                              ValuePart part = ValuePart::kWhole);

// Splink-style label of a level: "null", "exact", "jaro_winkler >= 0.92",
// "damerau_levenshtein <= 1", "abs_date_difference_days <= 31",
// "email_local exact", "else", ...
std::string LevelLabel(ComparatorKind kind, double threshold = 0,
                       ValuePart part = ValuePart::kWhole);

// The level a LevelLabel describes (its inverse, for models saved with
// levels other than today's defaults); INVALID_ARGUMENT for any other text.
absl::StatusOr<ComparisonLevelSpec> ParseLevelLabel(absl::string_view label);

// A string's codepoints summarised so that two summaries bound how many
// codepoints the strings share as multisets (each codepoint counted
// min(times in a, times in b)). Codepoints fall in 64 buckets (c mod 64:
// Latin letters and digits each get their own); buckets only ever
// over-count, so the bound holds for any text. Comparison::LevelOf uses it
// to skip the fuzzy comparators for unrelated pairs: Jaro needs shared
// codepoints, and an edit distance is at least max(la, lb) - shared.
struct CharSketch {
  uint64_t once = 0;    // Buckets holding at least one codepoint.
  uint64_t twice = 0;   // Buckets holding at least two.
  uint32_t more = 0;    // Codepoints past their bucket's second.
  uint32_t length = 0;  // Codepoints (invalid UTF-8 bytes count one each).
};

// The sketch of a UTF-8 string, decoded as the comparators decode it.
CharSketch SketchOf(absl::string_view utf8);

// At most how many codepoints two sketched strings share.
inline int SharedCodepointsBound(const CharSketch& a, const CharSketch& b) {
  // Bits counted without a call: the default x86-64 target has no popcnt
  // instruction, and __builtin_popcountll becomes a libgcc call there.
  auto bits = [](uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return static_cast<int>((x * 0x0101010101010101ull) >> 56);
  };
  const int shared = bits(a.once & b.once) + bits(a.twice & b.twice) +
                     static_cast<int>(a.more < b.more ? a.more : b.more);
  const uint32_t shorter = a.length < b.length ? a.length : b.length;
  return shared < static_cast<int>(shorter) ? shared
                                            : static_cast<int>(shorter);
}

// A field's comparison: an ordered list of levels. By convention levels[0] is
// kNull and the last level is kElse (Validate checks this).
struct Comparison {
  std::string name;  // The field, e.g. "first_name".
  std::vector<ComparisonLevelSpec> levels;

  // The index of the first level whose condition holds for (a, b): 0 when
  // either value is empty, the kElse level when nothing closer holds. Each
  // comparator runs at most once per call whatever the number of levels using
  // it, and only if an earlier level did not already hold. If no level holds
  // (a comparison without kElse), returns the last index.
  int LevelOf(absl::string_view a, absl::string_view b) const;
  // The same, given SketchOf(a) and SketchOf(b) computed beforehand (a
  // batch keeps one per distinct value); the answer does not change.
  int LevelOf(absl::string_view a, absl::string_view b, const CharSketch& sa,
              const CharSketch& sb) const;

  // Number of levels, including null and else.
  int num_levels() const { return static_cast<int>(levels.size()); }

  // OK when there are >= 2 levels, levels[0] is kNull, the last is kElse and
  // neither kind appears elsewhere, thresholds are finite, and edit-distance
  // thresholds are >= 0; INVALID_ARGUMENT naming the problem otherwise.
  absl::Status Validate() const;
};

// Default comparisons. Values are expected normalised (case-folded, trimmed;
// empty = missing).

// Single-token names (first name, surname), Splink-style:
//   0 null, 1 exact, 2 jaro_winkler >= 0.92, 3 jaro_winkler >= 0.88,
//   4 damerau_levenshtein <= 2, 5 else.
Comparison NameComparison(std::string field_name);

// Multi-token full names ("chan tai man"), where order varies by culture:
//   0 null, 1 exact, 2 jaccard_tokens >= 1 (same tokens, other order),
//   3 jaro_winkler >= 0.92, 4 token_set_ratio >= 0.85, 5 damerau_levenshtein
//   <= 2, 6 jaccard_tokens >= 0.5, 7 else.
Comparison FullNameComparison(std::string field_name);

// Email addresses, as Splink's email comparison:
//   0 null, 1 exact, 2 email_local exact (same user, other domain),
//   3 jaro_winkler >= 0.88, 4 email_local damerau_levenshtein <= 2, 5 else.
// (Models saved before used email_local jaro_winkler >= 0.88 as level 4,
// which calls "harry.ward" and "harry.f" alike; they still load.)
Comparison EmailComparison(std::string field_name);

// Dates ("YYYY-MM-DD", see ParseCivilDay), e.g. date of birth:
//   0 null, 1 exact, 2 date_day_month_swap, 3 date_single_digit_typo,
//   4 abs_date_difference_days <= 31, 5 abs_date_difference_days <= 366,
//   6 else. An unparseable or incomplete date only reaches exact or else.
Comparison DateComparison(std::string field_name);

// Identifiers that match exactly or not at all (national id, customer number):
//   0 null, 1 exact, 2 else.
Comparison ExactComparison(std::string field_name);

}  // namespace idr::matching

#endif  // IDR_MATCHING_COMPARATORS_H_
