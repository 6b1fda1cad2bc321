// The engine's blocking-key index, in memory: blocking key -> the records
// that carry it. The durable truth is each stored record's own list of keys
// (storage::RecordRow::keys); the engine builds this index from them when it
// opens and keeps it up to date as it writes, so that no index table has to
// be written on disk for every ingested record (version 2 of the schema had
// one: a dozen random B-tree inserts per record, most of an ingest's I/O).
//
// A block of `cap` records or more is oversized: it proposes no candidates
// (as a block of max_block_size records or more never did).
//
// Beside the keys it keeps each indexed record's value ids (the ids of its
// fields' values in the store, which never change once the record is
// written), so that the writer scores candidates without reading their
// records: at a million records a block of candidates is a hundred random
// reads from a file much larger than the page cache the engine gives it.
//
// Thread-safe: any number of readers (Find, GetValues) with writers (Add,
// Remove, SetValues, RemoveValues) serialised by a reader-writer lock.

#ifndef IDR_IDENTITY_BLOCK_INDEX_H_
#define IDR_IDENTITY_BLOCK_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"

namespace idr::identity {

class BlockIndex {
 public:
  // `cap`: block size at which a block is oversized (at least 2);
  // `fields`: value ids a record has (the graph's field count).
  BlockIndex(int cap, size_t fields)
      : cap_(cap < 2 ? 2 : cap), fields_(fields) {}

  // The records under `key`, in id order; empty for an unknown key. Sets *oversized (and returns none) for an oversized block.
  std::vector<int64_t> Find(uint64_t key, bool* oversized) const;

  // Adds `record` under `key` (a repeat is a no-op).
  void Add(uint64_t key, int64_t record);
  // Removes `record` from under `key`, if there.
  void Remove(uint64_t key, int64_t record);

  // Remembers `record`'s value ids (one per field; 0 = missing), replacing
  // any it had. Ids that do not fit in 32 bits are not kept.
  void SetValues(int64_t record, const std::vector<int64_t>& value_ids);
  // Copies `record`'s value ids into *value_ids; false when not kept.
  bool GetValues(int64_t record, std::vector<int64_t>* value_ids) const;
  // Forgets `record`'s value ids.
  void RemoveValues(int64_t record);
  // Asks the CPU to fetch these records' value ids into its cache, ahead of
  // GetValues on each: every one is a random read from main memory (about
  // 60 MB at a million records), which the CPU then makes in parallel
  // rather than one after the other.
  void PrefetchValues(const std::vector<int64_t>& records) const;

  // Distinct keys, and keys whose block is oversized.
  size_t keys() const;
  size_t oversized() const;

 private:
  using Block = absl::InlinedVector<int64_t, 1>;

  const size_t cap_;
  const size_t fields_;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<uint64_t, Block> blocks_;  // Guarded by mu_.
  // Record ids are the store's dense row ids: value ids are kept in one
  // array, `fields_` a record at record * fields_, 32 bits each (a value id
  // of 0 marks "missing", kUnknown "not kept"). Guarded by mu_.
  static constexpr uint32_t kUnknown = 0xFFFFFFFFu;
  std::vector<uint32_t> values_;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_BLOCK_INDEX_H_
