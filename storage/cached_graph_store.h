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
//
// With `mirror_max_records` > 0 it also keeps a GraphMirror (each record's
// customer, every link without detail, every customer) and answers
// CustomerOfRecord, RecordIdsOfCustomer, LinkEdgesFromCustomer, GetCustomer
// and FindCustomer from it inside write transactions. The mirror is
// loaded by the first such read of a write transaction, kept equal to the
// store through every write, and dropped (to be loaded again when next
// needed) whenever the record cache is cleared and whenever a write the
// mirror follows fails. A graph of more than `mirror_max_records` records
// is not mirrored: its reads go to the store.

#ifndef IDR_STORAGE_CACHED_GRAPH_STORE_H_
#define IDR_STORAGE_CACHED_GRAPH_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "storage/forwarding_graph_store.h"
#include "storage/graph_mirror.h"

namespace idr::storage {

class CachedGraphStore : public ForwardingGraphStore {
 public:
  // Caches in front of `inner`, which it owns. Default: a million records
  // (a few hundred MB at most).
  static constexpr size_t kDefaultMaxRows = size_t{1} << 20;
  explicit CachedGraphStore(std::unique_ptr<GraphStore> inner,
                            size_t max_rows = kDefaultMaxRows,
                            int64_t mirror_max_records = 0);

  absl::Status BeginWrite() override;
  absl::Status Commit() override;
  void Rollback() override;

  absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) override;
  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override;
  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override;
  absl::Status DeleteRecord(int64_t id) override;
  absl::StatusOr<int64_t> CustomerOfRecord(int64_t id) override;
  absl::StatusOr<std::vector<int64_t>> RecordIdsOfCustomer(
      int64_t customer) override;
  absl::StatusOr<std::vector<LinkRow>> LinkEdgesFromCustomer(
      int64_t customer) override;
  absl::Status PutLink(const LinkRow& row) override;
  absl::StatusOr<std::optional<CustomerRow>> GetCustomer(int64_t id) override;
  absl::StatusOr<std::optional<CustomerRow>> FindCustomer(
      const std::string& key) override;
  absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) override;
  absl::Status UpdateCustomer(const CustomerRow& row) override;
  absl::Status DeleteCustomer(int64_t id) override;
  absl::Status DeleteLink(int64_t a, int64_t b) override;

  // Loads the mirror now, from one read snapshot, rather than in the next
  // write transaction (a store that mirrors nothing, or has its mirror
  // already, is left as it is). Not inside a write transaction.
  absl::Status LoadMirror();

  // DATA_LOSS when the mirror differs from one loaded from `store` (a
  // snapshot holding every commit made through this store). OK without a
  // mirror, and when another connection committed since it was loaded or
  // last followed (the next write transaction drops it). Not inside a write
  // transaction. For Engine::CheckConsistency.
  absl::Status CheckMirror(GraphStore* store);

  // Rows served from the cache since construction (for tests).
  int64_t hits() const { return hits_; }
  // Whether a mirror is loaded now, and how many times one was (for tests).
  bool mirrored() const { return mirror_.has_value(); }
  int64_t mirror_loads() const { return mirror_loads_; }

 private:
  void Clear();
  // The mirror, loaded if need be; null outside a write transaction, for a
  // graph too large, or when loading failed (then the store answers).
  GraphMirror* Mirror();
  // A mirror loaded from the store; none for a graph of more than
  // mirror_max_records_ records.
  absl::StatusOr<std::optional<GraphMirror>> LoadIfSmall();
  // Keeps `loaded` as the mirror; none: no mirror until the next Clear.
  void Keep(std::optional<GraphMirror> loaded);
  // After a write the mirror follows: drops it if the write failed.
  absl::Status Followed(absl::Status s);

  size_t max_rows_;
  int64_t data_version_ = -1;  // Of the last write transaction.
  absl::flat_hash_map<int64_t, RecordRow> records_;
  int64_t hits_ = 0;
  const int64_t mirror_max_records_;
  bool in_write_ = false;
  // No mirror until the next Clear: the graph was too large, or loading
  // failed, at the last try.
  bool unmirrored_ = false;
  std::optional<GraphMirror> mirror_;
  int64_t mirror_loads_ = 0;
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_CACHED_GRAPH_STORE_H_
