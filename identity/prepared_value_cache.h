// Raw values the ingest has normalised, by field (identity/engine.cc).

#ifndef IDR_IDENTITY_PREPARED_VALUE_CACHE_H_
#define IDR_IDENTITY_PREPARED_VALUE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "matching/prepare.h"

namespace idr::identity {

// Each field's raw value with the column of one row it normalised to. The
// same family names, cities and a customer's e-mail come again and again,
// and a name's normalisation (ICU transliteration, romanisations) is most
// of a record's. Holding raw values, it is wiped (its text overwritten) when
// a customer is forgotten, as the value table's erased values are.
//
// Thread-safe: the writer and the ingest's helper thread share it.
class PreparedValueCache {
 public:
  // Holds at most `max_values` values: one more empties it first.
  explicit PreparedValueCache(size_t max_values) : max_values_(max_values) {}

  // What `raw` in field `field` normalised to (a copy); none when not held.
  std::optional<matching::PreparedColumn> Find(size_t field,
                                               absl::string_view raw) const;
  // Holds `column` as what `raw` in field `field` normalises to.
  void Add(size_t field, absl::string_view raw,
           const matching::PreparedColumn& column);
  // Empties it, overwriting the raw and normalised text and the dates it
  // held first.
  void Wipe();
  size_t size() const;

 private:
  struct Entry {
    std::string raw;  // Compared on a hit: keys are hashes.
    matching::PreparedColumn column;
  };
  static std::pair<size_t, uint64_t> Key(size_t field, absl::string_view raw);

  // Empties it, overwriting what it held (mu_ held).
  void WipeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_values_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::pair<size_t, uint64_t>, Entry> entries_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_PREPARED_VALUE_CACHE_H_
