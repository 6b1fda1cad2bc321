// The engine's index of stored values by hash, in memory: the XXH3 hash of a
// (field, normalised value) -> the ids of the values with that hash (one,
// but for a collision). The store keeps no such index on disk: a hash's
// place in a B-tree is random, so every new value cost one more random page
// write (30% of the pages an ingest wrote into a million-record graph).
// The engine builds this from GraphStore::ValueHashes when it builds its
// blocking-key index, and keeps it up to date as it writes.
//
// Ids found here are only candidates: a caller reads each one in its own
// snapshot and compares field and value. So an id the writer's open (or
// rolled-back) transaction added, or one deleted since a reader's snapshot
// began, is never mistaken for a stored value.
//
// Thread-safe: any number of readers (Find) with writers (Add, Remove)
// serialised by a reader-writer lock.

#ifndef IDR_IDENTITY_VALUE_HASH_INDEX_H_
#define IDR_IDENTITY_VALUE_HASH_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"

namespace idr::identity {

class ValueHashIndex {
 public:
  using Ids = absl::InlinedVector<int64_t, 1>;

  // The value ids under `hash`, oldest first; empty when none.
  Ids Find(uint64_t hash) const;
  // Adds `id` under `hash` (a repeat is a no-op).
  void Add(uint64_t hash, int64_t id);
  // Adds every (id, hash) of `values` (GraphStore::ValueHashes' order) under
  // one lock; returns the last id, or `none` when `values` is empty.
  int64_t AddAll(const std::vector<std::pair<int64_t, uint64_t>>& values,
                 int64_t none);
  // Removes `id` from under `hash`, if there.
  void Remove(uint64_t hash, int64_t id);
  // Ids held.
  size_t size() const;

 private:
  void AddLocked(uint64_t hash, int64_t id);  // mu_ held.

  mutable std::shared_mutex mu_;
  absl::flat_hash_map<uint64_t, Ids> ids_;  // Guarded by mu_.
  size_t size_ = 0;                          // Guarded by mu_.
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_VALUE_HASH_INDEX_H_
