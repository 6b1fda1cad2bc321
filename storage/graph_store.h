// The identity graph's storage seam (in the spirit of leveldb's Env).
//
// The resolution engine (identity/engine.h) keeps all of its state behind
// this interface, so the same engine runs on
//   - SQLite, the embedded default (OpenSqliteGraphStore, sqlite_graph_store.h),
//   - memory, for tests (NewMemoryGraphStore, memory_graph_store.h),
//   - a fault-injecting wrapper around either (fault_injection.h),
// and, later, PostgreSQL. A GraphStore is one connection: not thread-safe.
// OpenReader gives another connection to the same graph for another thread.
//
// The store knows nothing of matching. The engine decides what `field`,
// `keys` and `data` mean; the store keeps them and finds rows by them.
//
// Rows (the SQLite schema, version 3, is documented in sqlite_graph_store.h
// and docs/storage.md):
//   value     a distinct normalised value of one field (a name, an e-mail, a
//             loyalty number...) stored once however many records carry it,
//             found by a 64-bit hash (XXH3 of field + value; the caller
//             checks `value` to rule out collisions), with how many records
//             carry it (for term frequencies and over-merge guards).
//   record    one source record: its source id (unique, the idempotency key),
//             its customer, channel, time seen, an opaque blob (the value
//             ids of its fields and its attributes) and its blocking keys
//             (the engine indexes them in memory to find candidates).
//   link      an edge between two records of one customer with the match
//             weight that justified it and an opaque explanation blob.
//   customer  a customer with its stable key.
//   redirect  old key -> surviving key, written when customers merge.
//   audit     append-only log of merges, unmerges, forgets and reviews.
//   review    merges held back by a guard, for a person to decide.
//   separation  two customers a person split apart: never merged again
//             automatically.
//   tombstone keyed hashes of forgotten source ids: a replay stays forgotten.
//   change    the outbox of customer changes (created, updated, merged,
//             unmerged, forgotten) that WatchChanges streams, by sequence.
//   request   the result of a Merge, Unmerge or Forget given a request id,
//             under a keyed hash of it, for idempotent retries.
//
// Transactions: every write happens between BeginWrite and Commit; reads on
// the same connection see the transaction's own writes. Rollback undoes all
// of them. Writes outside a transaction are FAILED_PRECONDITION.
//
// Errors: NOT_FOUND is never used for "no such row" (those return
// std::nullopt or an empty vector); it is reserved for real failures the
// caller must see. I/O failures are UNAVAILABLE; constraint violations
// (a duplicate source id, key or value hash+value) are ALREADY_EXISTS.

#ifndef IDR_STORAGE_GRAPH_STORE_H_
#define IDR_STORAGE_GRAPH_STORE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace idr::storage {

struct ValueRow {
  int64_t id = 0;        // > 0; InsertValue assigns it, or takes it.
  uint64_t hash = 0;     // XXH3 of field + value, computed by the caller.
  int32_t field = 0;     // The engine's field number.
  std::string value;     // The normalised value.
  std::string keys;      // Opaque (the engine's name keys, date...).
  int64_t count = 0;     // Records carrying the value.
};

struct RecordRow {
  int64_t id = 0;          // > 0; InsertRecord assigns it, or takes it.
  std::string source_id;   // Unique: the caller's record id.
  int64_t customer = 0;    // CustomerRow::id.
  int32_t channel = 0;     // The engine's channel number.
  int64_t seen_at = 0;     // Unix seconds.
  std::string data;        // Opaque.
  // The record's blocking keys, kept with it: the engine builds its
  // blocking-key index from them when it opens (no index table on disk).
  std::vector<uint64_t> keys;
};

struct CustomerRow {
  int64_t id = 0;         // Assigned by InsertCustomer (> 0).
  std::string key;        // Unique, stable.
  int64_t created_at = 0;  // Unix seconds.
  int64_t updated_at = 0;
  int64_t size = 0;       // Records.
};

struct LinkRow {
  int64_t a = 0;  // Record ids, a < b.
  int64_t b = 0;
  double weight = 0;     // Match weight (log2 odds).
  int32_t rule = 0;      // The engine's reason number (blocking rule...).
  std::string detail;    // Opaque explanation (per-field weights).
};

struct AuditRow {
  int64_t seq = 0;        // Assigned by AppendAudit, increasing.
  int64_t at = 0;         // Unix seconds.
  std::string action;     // "merge", "unmerge", "forget", "review", ...
  std::string key;        // The customer key acted on.
  std::string other_key;  // The other customer, if any.
  std::string reason;     // Human-readable.
  std::string detail;     // JSON: weights, record counts (never raw PII).
  std::string actor;      // Who asked (a manual change); empty: the engine.
};

struct ReviewRow {
  int64_t id = 0;          // Assigned by AddReview.
  int64_t at = 0;
  int64_t record = 0;      // The record whose ingest proposed the merge.
  std::string key;         // The customers the merge would have joined.
  std::string other_key;
  double weight = 0;
  std::string reason;      // Which guard held it.
};

struct ChangeRow {
  int64_t seq = 0;        // Assigned by AppendChange, increasing.
  int64_t at = 0;
  std::string kind;       // "created", "updated", "merged", "unmerged",
                          // "forgotten".
  std::string key;
  std::string other_key;  // merged: the key that now redirects to `key`.
};

class GraphStore {
 public:
  virtual ~GraphStore() = default;

  // Another connection to the same graph, for reading on another thread. It
  // sees committed data (SQLite: a snapshot per statement, WAL lets it read
  // while a writer writes).
  virtual absl::StatusOr<std::unique_ptr<GraphStore>> OpenReader() = 0;

  // --- Transactions ---------------------------------------------------------
  // Starts the write transaction (SQLite: BEGIN IMMEDIATE). FAILED_PRECONDITION
  // when one is already open.
  virtual absl::Status BeginWrite() = 0;
  // Makes the transaction's writes durable. On error the transaction is
  // rolled back and nothing of it remains.
  virtual absl::Status Commit() = 0;
  // Undoes the open transaction's writes (no-op without one).
  virtual void Rollback() = 0;
  // Reads between BeginRead and EndRead see one snapshot of the graph
  // (SQLite: a read transaction, which also takes the file lock once instead
  // of once per statement). Not inside a write transaction. The default does
  // nothing: stores without snapshots need not care.
  virtual absl::Status BeginRead() { return absl::OkStatus(); }
  virtual void EndRead() {}

  // --- Meta: small named facts (model, field map, secrets, counters) --------
  virtual absl::StatusOr<std::optional<std::string>> GetMeta(
      const std::string& key) = 0;
  virtual absl::Status PutMeta(const std::string& key,
                               const std::string& value) = 0;

  // --- Values ---------------------------------------------------------------
  // The (id, hash) of every value with an id above `after`, in id order.
  // Stores keep no index of values by hash (a hash's place in a B-tree is
  // random: one more page written per new value); the engine builds its own
  // in memory from this.
  virtual absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>>
  ValueHashes(int64_t after) = 0;
  virtual absl::StatusOr<std::optional<ValueRow>> GetValue(int64_t id) = 0;
  // Up to `limit` values with an id above `after`, in id order (the engine
  // loads them into memory a batch at a time).
  virtual absl::StatusOr<std::vector<ValueRow>> ValuesAfter(int64_t after,
                                                            int limit) = 0;
  // Inserts a value and returns its id: row.id when it is > 0 (not below
  // NextValueId(), else INVALID_ARGUMENT), else the next id. The caller
  // keeps (hash, field, value) unique: stores do not check.
  virtual absl::StatusOr<int64_t> InsertValue(const ValueRow& row) = 0;
  // The id the next InsertValue assigns, as NextRecordId.
  virtual absl::StatusOr<int64_t> NextValueId() = 0;
  // Adds `delta` to the value's count; a count reaching 0 deletes the value.
  // NOT_FOUND-free: an unknown id is INVALID_ARGUMENT.
  virtual absl::Status AddValueCount(int64_t id, int64_t delta) = 0;

  // --- Records --------------------------------------------------------------
  virtual absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) = 0;
  virtual absl::StatusOr<std::optional<RecordRow>> FindRecord(
      const std::string& source_id) = 0;
  // Inserts a record and returns its id: row.id when it is > 0, else the
  // next id. ALREADY_EXISTS for a known source id; INVALID_ARGUMENT for a
  // row.id below NextRecordId() (ids are never reused).
  virtual absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) = 0;
  // The id the next InsertRecord assigns: above every record id the graph
  // has held. A writer may take ids ahead (this one, then the next ...) to
  // use a record's id before it writes the record, in the same transaction.
  virtual absl::StatusOr<int64_t> NextRecordId() = 0;
  // Moves a record to another customer. INVALID_ARGUMENT for an unknown id.
  virtual absl::Status SetRecordCustomer(int64_t record, int64_t customer) = 0;
  // The customer of record `id`, 0 when there is no such record: GetRecord
  // without reading the rest of the row.
  virtual absl::StatusOr<int64_t> CustomerOfRecord(int64_t id) {
    absl::StatusOr<std::optional<RecordRow>> row = GetRecord(id);
    if (!row.ok()) return row.status();
    return row->has_value() ? (*row)->customer : 0;
  }
  // Deletes a record (its keys with it) and its links; an unknown id is a
  // no-op.
  virtual absl::Status DeleteRecord(int64_t id) = 0;
  // The records of a customer, by record id.
  virtual absl::StatusOr<std::vector<RecordRow>> RecordsOfCustomer(
      int64_t customer) = 0;
  // The ids of a customer's records, ascending: RecordsOfCustomer without
  // reading the records themselves (SQLite answers from its customer index).
  virtual absl::StatusOr<std::vector<int64_t>> RecordIdsOfCustomer(
      int64_t customer) = 0;
  // Calls `visit` for every record in record-id order; stops early when it
  // returns false.
  virtual absl::Status ForEachRecord(
      const std::function<bool(const RecordRow&)>& visit) = 0;
  // Calls `visit` with every record's id and customer, by customer and then
  // id (SQLite reads its customer index, not the records); stops early when
  // it returns false. By default through ForEachRecord.
  virtual absl::Status ForEachRecordCustomer(
      const std::function<bool(int64_t record, int64_t customer)>& visit) {
    std::vector<std::pair<int64_t, int64_t>> all;  // (customer, record).
    absl::Status s = ForEachRecord([&](const RecordRow& row) {
      all.emplace_back(row.customer, row.id);
      return true;
    });
    if (!s.ok()) return s;
    std::sort(all.begin(), all.end());
    for (const auto& [customer, record] : all) {
      if (!visit(record, customer)) break;
    }
    return absl::OkStatus();
  }
  virtual absl::StatusOr<int64_t> CountRecords() = 0;

  // --- Links ----------------------------------------------------------------
  // Inserts or replaces the link (a, b); a < b is required.
  virtual absl::Status PutLink(const LinkRow& row) = 0;
  // The links with `record` at either end.
  virtual absl::StatusOr<std::vector<LinkRow>> LinksOf(int64_t record) = 0;
  // The links whose smaller end `a` is a record of `customer`, by (a, b):
  // every link between two of its records once, in one read (re-clustering
  // a customer read LinksOf for each of its records).
  virtual absl::StatusOr<std::vector<LinkRow>> LinksFromCustomer(
      int64_t customer) = 0;
  // LinksFromCustomer with each link's detail left empty: all that
  // re-clustering reads.
  virtual absl::StatusOr<std::vector<LinkRow>> LinkEdgesFromCustomer(
      int64_t customer) {
    absl::StatusOr<std::vector<LinkRow>> links = LinksFromCustomer(customer);
    if (links.ok()) {
      for (LinkRow& link : *links) link.detail.clear();
    }
    return links;
  }
  // Calls `visit` for every link in (a, b) order, detail left empty; stops
  // early when it returns false.
  virtual absl::Status ForEachLinkEdge(
      const std::function<bool(const LinkRow&)>& visit) = 0;
  virtual absl::Status DeleteLink(int64_t a, int64_t b) = 0;

  // --- Customers ------------------------------------------------------------
  virtual absl::StatusOr<std::optional<CustomerRow>> GetCustomer(
      int64_t id) = 0;
  virtual absl::StatusOr<std::optional<CustomerRow>> FindCustomer(
      const std::string& key) = 0;
  // Inserts a customer (row.id ignored); ALREADY_EXISTS for a known key.
  virtual absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) = 0;
  // Calls `visit` for every customer in id order; stops early when it
  // returns false.
  virtual absl::Status ForEachCustomer(
      const std::function<bool(const CustomerRow&)>& visit) = 0;
  // Replaces updated_at and size of an existing customer.
  virtual absl::Status UpdateCustomer(const CustomerRow& row) = 0;
  virtual absl::Status DeleteCustomer(int64_t id) = 0;
  virtual absl::StatusOr<int64_t> CountCustomers() = 0;

  // --- Redirects ------------------------------------------------------------
  // old_key now means new_key (replaces an earlier redirect of old_key).
  virtual absl::Status PutRedirect(const std::string& old_key,
                                   const std::string& new_key) = 0;
  virtual absl::StatusOr<std::optional<std::string>> GetRedirect(
      const std::string& old_key) = 0;
  // The old keys that redirect to `new_key`.
  virtual absl::StatusOr<std::vector<std::string>> RedirectsTo(
      const std::string& new_key) = 0;
  virtual absl::Status DeleteRedirect(const std::string& old_key) = 0;

  // --- Audit log ------------------------------------------------------------
  virtual absl::StatusOr<int64_t> AppendAudit(const AuditRow& row) = 0;
  // Entries with seq > after, oldest first, at most `limit`; when `key` is
  // not empty only those whose key or other_key is `key`.
  virtual absl::StatusOr<std::vector<AuditRow>> ReadAudit(
      int64_t after, int limit, const std::string& key) = 0;
  // Replaces `key` by `replacement` wherever the audit log and the change
  // outbox name it (used by Forget so no key of a forgotten customer stays).
  virtual absl::Status RedactKey(const std::string& key,
                                 const std::string& replacement) = 0;

  // --- Review queue ---------------------------------------------------------
  virtual absl::StatusOr<int64_t> AddReview(const ReviewRow& row) = 0;
  // Oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<ReviewRow>> ListReviews(int limit) = 0;
  virtual absl::Status DeleteReview(int64_t id) = 0;
  // Deletes the reviews naming `key` (either side).
  virtual absl::Status DeleteReviewsOf(const std::string& key) = 0;
  // Deletes the reviews of exactly the pair `key_a`, `key_b` (either order).
  virtual absl::Status DeleteReviewsBetween(const std::string& key_a,
                                            const std::string& key_b) = 0;
  virtual absl::StatusOr<int64_t> CountReviews() = 0;

  // --- Separations (customers a person split: never auto-merged) -----------
  // Order-insensitive pair of customer keys (distinct; a repeat is a no-op).
  virtual absl::Status PutSeparation(const std::string& key_a,
                                     const std::string& key_b) = 0;
  virtual absl::StatusOr<bool> IsSeparated(const std::string& key_a,
                                           const std::string& key_b) = 0;
  // Every key separated from `key`.
  virtual absl::StatusOr<std::vector<std::string>> SeparationsOf(
      const std::string& key) = 0;
  // Deletes the separations naming `key`.
  virtual absl::Status DeleteSeparationsOf(const std::string& key) = 0;

  // --- Tombstones -----------------------------------------------------------
  virtual absl::Status PutTombstone(const std::string& hash) = 0;
  virtual absl::StatusOr<bool> HasTombstone(const std::string& hash) = 0;

  // --- Request results (idempotent retries of manual writes) ---------------
  // The result stored for request `id` (a keyed hash), or nullopt.
  virtual absl::StatusOr<std::optional<std::string>> GetRequestResult(
      const std::string& id) = 0;
  // Stores the result of request `id`, made at `at` (Unix seconds).
  // ALREADY_EXISTS when one is stored.
  virtual absl::Status PutRequestResult(const std::string& id, int64_t at,
                                        const std::string& result) = 0;
  // Deletes the results made before `before`.
  virtual absl::Status DeleteRequestResultsBefore(int64_t before) = 0;

  // --- Change outbox --------------------------------------------------------
  virtual absl::StatusOr<int64_t> AppendChange(const ChangeRow& row) = 0;
  // Changes with seq > after, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<ChangeRow>> ReadChanges(int64_t after,
                                                             int limit) = 0;
  // The newest change's seq (0 when there is none): "now" for a watcher.
  virtual absl::StatusOr<int64_t> LastChangeSeq() = 0;

  // --- Maintenance ----------------------------------------------------------
  // Makes deleted data unrecoverable from the files (SQLite: secure_delete is
  // always on; this checkpoints and truncates the WAL). Outside transactions.
  virtual absl::Status Purge() = 0;
  // Bytes the graph occupies (SQLite: the database file plus its WAL).
  virtual absl::StatusOr<int64_t> SizeBytes() = 0;
  // A number that changes when another connection (another process) has
  // committed to the graph since this connection's last transaction began,
  // and never for this connection's own commits (SQLite: PRAGMA
  // data_version). Stores that no other connection writes return 0.
  virtual absl::StatusOr<int64_t> DataVersion() = 0;
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_GRAPH_STORE_H_
