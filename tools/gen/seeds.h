// Name and place pools for the synthetic generator, with every script and
// romanisation variant computed once per distinct seed value (ICU and OpenCC
// are far too slow to call per generated row).

#ifndef IDR_TOOLS_GEN_SEEDS_H_
#define IDR_TOOLS_GEN_SEEDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace idr::gen::internal {

// Chinese locales modelled. CN writes Simplified, TW Traditional.
enum ChineseLocale { kZhCN = 0, kZhTW = 1, kNumChineseLocales = 2 };

// One Chinese name part (surname or given name) or place word with its
// precomputed renderings.
struct HanText {
  std::string native;         // in the locale's own script
  std::string other;          // the other script (Simplified <-> Traditional)
  std::string pinyin_joined;  // "Dawen", "Shangguan"
  std::string pinyin_spaced;  // "Da Wen"
  std::string pinyin_hyphen;  // "Da-wen"
};

// A weighted list: `cumulative` is the running sum of weights.
struct HanPool {
  std::vector<HanText> items;
  std::vector<double> cumulative;
};

// A whole street name such as 人民路.
struct HanStreet {
  std::string native;   // 人民路 (TW: Traditional)
  std::string other;    // the other script
  std::string pinyin;   // "Renmin Lu"
  std::string english;  // "Renmin Road" (pinyin stem + English street type)
};

struct ChineseSeeds {
  HanPool surnames;      // Zipf-weighted, most common first
  HanPool given_male;    // male + unisex given names, uniform
  HanPool given_female;  // female + unisex given names, uniform
  std::vector<HanText> cities;
  std::vector<HanStreet> streets;
};

struct Seeds {
  ChineseSeeds zh[kNumChineseLocales];
  // Same-toneless-pinyin characters (IME slips) for the characters of the
  // name pools, keyed by "S" or "T" (script) + the UTF-8 character.
  absl::flat_hash_map<std::string, std::vector<std::string>> homophones;
};

// Builds the pools from the built-in lists plus, when `dir` is not empty,
// faker_person_names.csv (required) and faker_places.csv (optional) in `dir`.
// Returns InvalidArgumentError for an unreadable or malformed file, and
// InternalError when ICU or OpenCC cannot be initialised. Results are cached
// per directory for the life of the process (they are immutable).
absl::StatusOr<std::shared_ptr<const Seeds>> LoadSeeds(const std::string& dir);

}  // namespace idr::gen::internal

#endif  // IDR_TOOLS_GEN_SEEDS_H_
