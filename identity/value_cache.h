// The engine's per-operation cache of stored values (identity/engine.cc).

#ifndef IDR_IDENTITY_VALUE_CACHE_H_
#define IDR_IDENTITY_VALUE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "identity/value_table.h"
#include "storage/graph_store.h"

namespace idr::identity {

// Values read from the engine's value table or, for those it does not hold,
// from a store, each fetched once. A reader's cache lives for one operation;
// the writer's lives as long as the engine (values are read far more often
// than written), kept right by the writes it makes (AddCount) and dropped
// whole when a transaction rolls back (Clear). The writer's also sees its
// open transaction's count changes, which the table does not hold yet
// (`pending`: value id -> change, added to what the table holds), and the
// count increments it has not written to the store yet (`unwritten`: value
// id -> increment, added to what the store holds), and reads the values its
// open transaction inserted from memory (`inserted`, by ascending id, with
// the counts they were stored with).
//
// Not thread-safe: one per reader operation, or the writer's under its lock
// (used by the ingest's helper thread while the writer leaves it to it).
class ValueCache {
 public:
  ValueCache(storage::GraphStore* store, const ValueTable* table,
             const absl::flat_hash_map<int64_t, int64_t>* pending = nullptr,
             const absl::flat_hash_map<int64_t, int64_t>* unwritten = nullptr,
             const std::vector<StoredValue>* inserted = nullptr)
      : store_(store),
        table_(table),
        pending_(pending),
        unwritten_(unwritten),
        inserted_(inserted) {}
  // Value `id` (valid until Clear); DATA_LOSS when the store does not hold
  // it (a record names it), a store error as it came.
  absl::StatusOr<const StoredValue*> Get(int64_t id);
  // As Get, but nullptr for a value the store does not hold.
  absl::StatusOr<const StoredValue*> Lookup(int64_t id);
  // The value a record with value ids `ids` holds in field `field` (for an
  // explanation with values); "" when it holds none.
  absl::StatusOr<std::string> ValueOfField(const std::vector<int64_t>& ids,
                                           int field);
  // Prefetches (ValueTable::Prefetch) those of `ids` not cached here.
  void Prefetch(const std::vector<int64_t>& ids);
  // After a count change the writer made in the store.
  void AddCount(int64_t id, int64_t delta);
  // Forgets every value (pointers handed out before are invalid).
  void Clear();
  // Clear, after overwriting the text and keys its entries held (their
  // buffers are kept for reuse): for a Forget.
  void Wipe();
  // Reads the values found nowhere in memory from `store` from now on (the
  // writer's cache reads through a reader connection while the ingest's
  // helper thread uses it).
  void SetStore(storage::GraphStore* store) { store_ = store; }
  size_t size() const { return values_.size(); }

 private:
  // Entries kept for reuse across Clear; more are freed.
  static constexpr size_t kPooledValues = 1 << 16;

  storage::GraphStore* store_;
  const ValueTable* table_;
  const absl::flat_hash_map<int64_t, int64_t>* pending_;
  const absl::flat_hash_map<int64_t, int64_t>* unwritten_;
  const std::vector<StoredValue>* inserted_;
  absl::flat_hash_map<int64_t, StoredValue*> values_;  // Into pool_.
  // Entries by first use; those from used_ on are free (a deque never moves
  // its elements as it grows).
  std::deque<StoredValue> pool_;
  size_t used_ = 0;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_VALUE_CACHE_H_
