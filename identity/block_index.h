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
// Thread-safe: any number of readers (Find) with writers (Add, Remove)
// serialised by a reader-writer lock.

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
  // `cap`: block size at which a block is oversized (at least 2).
  explicit BlockIndex(int cap) : cap_(cap < 2 ? 2 : cap) {}

  // The records under `key`, in id order; empty for an unknown key. Sets *oversized (and returns none) for an oversized block.
  std::vector<int64_t> Find(uint64_t key, bool* oversized) const;

  // Adds `record` under `key` (a repeat is a no-op).
  void Add(uint64_t key, int64_t record);
  // Removes `record` from under `key`, if there.
  void Remove(uint64_t key, int64_t record);

  // Distinct keys, and keys whose block is oversized.
  size_t keys() const;
  size_t oversized() const;

 private:
  using Block = absl::InlinedVector<int64_t, 1>;

  const size_t cap_;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<uint64_t, Block> blocks_;  // Guarded by mu_.
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_BLOCK_INDEX_H_
