// Normalised, interned columns: the form in which records are compared.
//
// Each input column mapped to a field type becomes a PreparedColumn: every
// record holds an integer id of its normalised value (or -1 when missing or
// junk), and each distinct value is normalised once, however many records
// carry it. Equal ids mean equal normalised values, so the commonest
// comparison outcome, exact agreement, is one integer compare.

#ifndef IDR_MATCHING_PREPARE_H_
#define IDR_MATCHING_PREPARE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "matching/comparators.h"
#include "matching/field_type.h"
#include "matching/normalize.h"

namespace idr::matching {

class NameNormalizer;

struct PrepareOptions {
  // Region for phone numbers written without an international prefix
  // ("ZZ" = unknown). Default: "ZZ".
  std::string phone_region = "ZZ";
  // Reading of ambiguous dates such as 03/04/1971. Default: day first.
  DateOrder date_order = DateOrder::kDayMonthYear;
  // Chinese-aware name normalisation; when null, names are only folded.
  const NameNormalizer* names = nullptr;
};

struct PreparedColumn {
  std::string column;
  FieldType type = FieldType::kString;
  // Per record: the id of its value, or -1 when missing or junk.
  std::vector<int32_t> ids;
  // Per id: the normalised value and how many records carry it.
  std::vector<std::string> values;
  std::vector<uint32_t> counts;
  // Per id: log2 of its frequency (see Frequency), for TF adjustments.
  std::vector<float> log2_frequency;
  // Per id, names only: keys of the value's romanisations and token order
  // (interned ids, in the order the normaliser gives them, no repeats); two
  // names agree on a key when they share any.
  std::vector<std::vector<int32_t>> name_keys;
  // Per id: XXH3 of the value, and per name key id: XXH3 of the key. Blocking
  // keys are made of these, so they mean the same in every batch and in the
  // identity graph, where records arrive one by one.
  std::vector<uint64_t> value_hashes;
  std::vector<uint64_t> name_key_hashes;
  // Per id, birth dates only.
  std::vector<CivilDay> dates;
  // Per id, for names, places and e-mails (values that meet the fuzzy
  // comparators, most of them again and again): SketchOf(value). Empty for
  // other types, or when the builder of the column left it out; comparisons
  // then sketch as they go.
  std::vector<CharSketch> sketches;
  int64_t present = 0;  // Records with a value.
  int64_t junk = 0;     // Records whose non-empty value normalised to nothing.

  // Share of the present records that carry value `id` (term frequency).
  double Frequency(int32_t id) const {
    return present == 0 ? 0.0 : static_cast<double>(counts[id]) / present;
  }
  // The value of record `r`, or "" when missing.
  absl::string_view ValueOf(uint32_t r) const {
    return ids[r] < 0 ? absl::string_view() : absl::string_view(values[ids[r]]);
  }
};

using PreparedColumns = std::vector<PreparedColumn>;

// Builds one PreparedColumn from the records' raw values, in record order.
// Add only collects the distinct raw values; Finish normalises each of them
// once, on several threads (normalisation, phones and names above all, costs
// microseconds a value).
class ColumnPreparer {
 public:
  ColumnPreparer(std::string column, FieldType type,
                 const PrepareOptions& options);

  // Appends the next record's raw value ("" = missing).
  void Add(absl::string_view raw);

  // Normalises, on the calling thread, the distinct raw values added since
  // the last call; Finish normalises the rest. A reader that adds rows in
  // batches, one thread per column, can so spread normalisation over the
  // reading. Like Add, not to be called concurrently with other calls.
  void NormalizeAdded();

  // The finished column, its remaining values normalised on `threads`
  // threads; the preparer must not be used afterwards.
  PreparedColumn Finish(int threads = 1);

 private:
  // The normalised form of a raw value ("" = missing/junk); for names also
  // the name keys (romanisations, sorted tokens).
  std::string Normalize(absl::string_view raw,
                        std::vector<std::string>* name_keys) const;
  // The id of a normalised value, adding it (with its name keys) when new.
  int32_t Intern(std::string normalised, std::vector<std::string>& name_keys);

  PreparedColumn out_;
  PrepareOptions options_;
  PhoneOptions phone_;
  // Distinct raw values (a deque: stable addresses for the map's views) and
  // per record the index of its raw value, or -1 when empty.
  std::deque<std::string> raws_;
  absl::flat_hash_map<absl::string_view, int32_t> by_raw_;
  std::vector<int32_t> raw_ids_;
  // Normalised forms (and name keys) of raws_[0, normalized_.size()).
  std::vector<std::string> normalized_;
  std::vector<std::vector<std::string>> normalized_keys_;
  absl::flat_hash_map<std::string, int32_t> by_value_;
  absl::flat_hash_map<std::string, int32_t> name_key_ids_;
};

// The name keys of a folded name when no NameNormalizer is given: its tokens
// sorted, so "isla hall" and "hall isla" share a key.
std::string SortedTokens(absl::string_view folded);

}  // namespace idr::matching

#endif  // IDR_MATCHING_PREPARE_H_
