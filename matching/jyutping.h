// Cantonese readings (Jyutping) of Chinese characters, and their Hong Kong
// government style romanisation ("CHAN Tai Man").
//
// The readings come from Rime's jyutping.dict.yaml (Debian package
// librime-data-jyutping, /usr/share/rime-data/jyutping.dict.yaml): a YAML
// header ending with a line "...", then lines `text<TAB>jyutping<TAB>weight`
// keyed by Traditional characters, syllables without tone digits. For each
// single character the dictionary keeps one reading, the most likely one:
//   1. readings whose every line carries a percentage below 10% ("陳 zan 0%")
//      lose to any other reading;
//   2. then the reading used most often for that character inside the
//      dictionary's multi-character words (曾 zang over cang, 石 sek over
//      daam, 思 si over soi);
//   3. then the higher weight (no weight = 100%), then dictionary order.
//
// JyutpingToHk maps one Jyutping syllable to the HK government spelling by
// initial/final rules (see docs/chinese-names.md); FoldHkSyllable folds the
// spelling variants of that system (CHOW/CHAU, LEE/LI, TSANG/CHANG,
// POON/PUN, SZE/SI, YIP/IP, LAW/LO, ...) onto one comparison key.
//
// Thread safety: a loaded JyutpingDictionary is immutable; all const methods
// may be called concurrently. The free functions are pure.

#ifndef IDR_MATCHING_JYUTPING_H_
#define IDR_MATCHING_JYUTPING_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::matching {

class JyutpingDictionary {
 public:
  // Reads a Rime jyutping dictionary. Errors: NOT_FOUND when the file cannot
  // be opened; INVALID_ARGUMENT when it has no "..." header end or no
  // single-character entries.
  static absl::StatusOr<std::unique_ptr<JyutpingDictionary>> Load(
      const std::string& path);

  JyutpingDictionary(const JyutpingDictionary&) = delete;
  JyutpingDictionary& operator=(const JyutpingDictionary&) = delete;

  // The most likely reading of code point `c` (e.g. "can" for 陳), or ""
  // when the dictionary has none (Simplified-only characters such as 陈:
  // convert to Traditional first).
  absl::string_view Reading(char32_t c) const;

  // Whether `s` is a syllable of some single-character reading.
  bool IsSyllable(absl::string_view s) const {
    return syllable_set_.contains(s);
  }

  // Every distinct syllable of the single-character readings, sorted.
  const std::vector<std::string>& syllables() const { return inventory_; }

  // Number of characters with a reading.
  size_t size() const { return readings_.size(); }

 private:
  JyutpingDictionary() = default;

  std::vector<std::string> syllables_;  // by id, incl. word-only syllables
  std::vector<std::string> inventory_;  // single-character syllables
  absl::flat_hash_set<std::string> syllable_set_;
  absl::flat_hash_map<char32_t, uint16_t> readings_;  // -> index in syllables_
};

// One Jyutping syllable (lower case, no tone digit) in Hong Kong government
// romanisation, lower case: "can" -> "chan", "zoeng" -> "cheung", "lei" ->
// "lee", "jyu" -> "yu", "gwok" -> "kwok", "bou" -> "po". Input that does not
// parse as Jyutping is returned unchanged.
std::string JyutpingToHk(absl::string_view jyutping);

// The comparison key of one lower-case romanised syllable in HK style:
// spelling variants of one sound fold together ("chow"/"chau" -> "chau",
// "lee"/"li"/"lei" -> "li", "tsang" -> "chang", "poon" -> "pun",
// "sze"/"si" -> "si", "yip"/"ip" -> "ip", "law"/"lo" -> "lo",
// "wah" -> "wa", "shing" -> "sing", "mei" -> "mi"). Keys are for comparison,
// not display.
std::string FoldHkSyllable(absl::string_view syllable);

}  // namespace idr::matching

#endif  // IDR_MATCHING_JYUTPING_H_
