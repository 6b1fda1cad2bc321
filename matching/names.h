// Person-name normalisation with Chinese support.
//
// One name, however it was written (陳大文先生, 陈大文, CHAN Tai Man,
// Chan Tai-man, Tai Man Chan, "CHAN Tai Man, Peter", Chen Dawen), becomes a
// NameForms: a folded form of the input and a few romanised keys. Two names
// written in different scripts or systems share a key when they are the same
// name: 陳大文 has the Mandarin key "chen dawen" and the Cantonese key
// "chan taiman"; "CHAN Tai Man" has "chan taiman"; "Chen Dawen" has
// "chen dawen". See docs/chinese-names.md for the rules and their limits.
//
// Canonical key form: lower-case ASCII, family name first, then one space,
// then the given name's syllables joined without spaces ("chan taiman",
// "wang xiaoming", "auyeung kalok"). A Western name keeps its given names
// spaced ("smith mary ann").
//
// Thread safety: a NameNormalizer is immutable after Create and Normalize is
// safe to call from any number of threads. It relies on (1) ICU's
// Normalizer2 instances, documented thread-safe; (2) OpenCC's
// SimpleConverter::Convert, a const method that only reads the loaded
// dictionaries (OpenCC documents no locking; idr relies on Convert keeping
// no per-call state in the converter, which holds for OpenCC 1.1); (3) ICU
// Transliterator, which is NOT thread-safe: Han->pinyin goes through a pool
// of clones guarded by an absl::Mutex, one clone per concurrent caller, and
// each character's pinyin is cached (absl::Mutex, reader lock on hits).
// TSan (--config=tsan) runs the concurrent test clean.

#ifndef IDR_MATCHING_NAMES_H_
#define IDR_MATCHING_NAMES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::matching {

struct NameNormalizerOptions {
  // Directory of OpenCC configurations and dictionaries (libopencc-data).
  std::string opencc_dir = "/usr/share/opencc";
  // Traditional -> Simplified, for the canonical folded form.
  std::string to_simplified_config = "t2s.json";
  // Simplified -> Traditional, before the Cantonese lookup (the Jyutping
  // dictionary is keyed by Traditional characters). "s2hk.json" also works.
  std::string to_traditional_config = "s2t.json";
  // Rime Jyutping dictionary (librime-data-jyutping).
  std::string jyutping_dict = "/usr/share/rime-data/jyutping.dict.yaml";
  // Optional extra surnames, ranked after the built-in list: one surname in
  // Han characters per line, or a CSV whose rows look like
  // `locale,surname,gender,value` (cjk_name_seeds/faker_person_names.csv).
  // "" = none. A file that cannot be read is an error.
  std::string extra_surnames_file;
};

struct NameForms {
  // The input folded: NFKC, case-folded, accents stripped from Latin letters,
  // honorifics and punctuation removed, tokens separated by single spaces;
  // Han characters kept (Traditional converted to Simplified).
  // "陳大文先生" -> "陈大文"; "CHAN Tai-man, Peter" -> "chan tai man peter".
  std::string folded;
  // Best guess of the family name: for Han input its pinyin ("chen"); for
  // romanised input as written, lower case ("chan", "auyeung"). May be empty.
  std::string family;
  // The Chinese given name's syllables joined ("dawen", "taiman"); for a
  // Western name its given names spaced ("mary ann").
  std::string given;
  // Western given name(s) found beside a Chinese name ("peter" from
  // "CHAN Tai Man, Peter" or "Peter CHAN Tai Man"), or the given names of a
  // Western name ("tony" from "Tony Li"). Spaced.
  std::string western_given;
  // Canonical keys, no repeats, in this order:
  //   Han input:       [pinyin key, Cantonese key, keys of any romanised
  //                     name written beside it]
  //   romanised input: [the input normalised, its Cantonese key if different]
  // e.g. 陳大文 -> {"chen dawen", "chan taiman"}; "CHAN Tai Man" ->
  // {"chan taiman"}; "CHAN Wai Ji" -> {"chan waiji", "chan waiyi"}.
  std::vector<std::string> romanisations;
  // The Cantonese comparison key: each syllable in HK government spelling
  // (Jyutping spellings in the input are converted) with spelling variants
  // folded by FoldHkSyllable ("chan taiman"; "lee" -> "li", "tsang" ->
  // "chang"). From the Jyutping readings for Han input. Empty for a Western
  // name.
  std::string cantonese_key;
  // Order-insensitive keys, one per romanisation: its syllables sorted and
  // spaced ("chan man tai"), so "Tai Man Chan" and "Chan Tai Man" agree even
  // when the family name cannot be told.
  std::vector<std::string> sorted_keys;
  // The family name's keys: [as in `family`, its Cantonese key], no repeats.
  std::vector<std::string> family_keys;
  // Han input only: the name in HK government romanisation, family name in
  // capitals ("CHAN Tai Man").
  std::string hk_romanisation;
  // The name (beside any Western given name) was written in Han characters.
  bool is_han = false;
};

// Whether two names share a romanisation or an order-insensitive key.
bool ShareNameKey(const NameForms& a, const NameForms& b);

// A readable one-line dump, for tests and debugging.
std::string DebugString(const NameForms& forms);

class NameNormalizer {
 public:
  // Loads OpenCC's two configurations, ICU's Han-Latin transliterator and the
  // Jyutping dictionary (about 0.1 s). Errors: NOT_FOUND for a missing
  // dictionary, OpenCC configuration or surname file; INVALID_ARGUMENT for a
  // malformed dictionary; INTERNAL when ICU or OpenCC fails to initialise.
  static absl::StatusOr<std::unique_ptr<NameNormalizer>> Create(
      const NameNormalizerOptions& options = {});

  NameNormalizer(const NameNormalizer&) = delete;
  NameNormalizer& operator=(const NameNormalizer&) = delete;
  ~NameNormalizer();

  // A full name in any of the supported layouts. Never fails: empty, blank
  // or undecodable input gives empty forms; invalid UTF-8 sequences are
  // dropped; input beyond 512 bytes is ignored.
  NameForms Normalize(absl::string_view full_name) const;

  // A name whose parts are known. Either may be empty: only a given name
  // ("大文", "Tai Man") gives keys without a family part ("dawen",
  // "taiman"); only a family name gives the family's keys.
  NameForms Normalize(absl::string_view given, absl::string_view family) const;

  // Rank of a surname (0 = most common) written in Han characters or romanised
  // (HK, Jyutping or pinyin spelling, one token or two), or -1 if unknown.
  int SurnameRank(absl::string_view surname) const;

 private:
  struct Impl;
  explicit NameNormalizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace idr::matching

#endif  // IDR_MATCHING_NAMES_H_
