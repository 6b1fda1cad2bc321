// A write-through cache of records in front of a writer's connection.
//
// Ingest reads the same records again and again: every new member of a block
// of fifty records reads the other forty-nine. This decorator keeps the
// records it has read or written; every write that changes a cached record
// updates or drops it, and a rollback or a failed commit drops everything
// (the store below is then as before the transaction, and so is the cache:
// empty), and so does a write transaction that begins after another
// connection committed (DataVersion). Readers it opens are not cached. When
// it holds more than `max_rows` records it starts afresh. (Values are cached
// one level up, decoded, by the engine's writer.)

#ifndef IDR_STORAGE_CACHED_GRAPH_STORE_H_
#define IDR_STORAGE_CACHED_GRAPH_STORE_H_

#include <cstdint>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "storage/forwarding_graph_store.h"

namespace idr::storage {

class CachedGraphStore : public ForwardingGraphStore {
 public:
  // Caches in front of `inner`, which it owns. Default: a million records
  // (a few hundred MB at most).
  explicit CachedGraphStore(std::unique_ptr<GraphStore> inner,
                            size_t max_rows = size_t{1} << 20);

  absl::Status BeginWrite() override;
  absl::Status Commit() override;
  void Rollback() override;

  absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) override;
  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override;
  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override;
  absl::Status DeleteRecord(int64_t id) override;

  // Rows served from the cache since construction (for tests).
  int64_t hits() const { return hits_; }

 private:
  void Clear();

  size_t max_rows_;
  int64_t data_version_ = -1;  // Of the last write transaction.
  absl::flat_hash_map<int64_t, RecordRow> records_;
  int64_t hits_ = 0;
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_CACHED_GRAPH_STORE_H_
