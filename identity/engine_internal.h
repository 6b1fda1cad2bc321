// What engine.cc, engine_admin.cc and engine_profile.cc share. Not a public
// API: include only from the engine's own files.

#ifndef IDR_IDENTITY_ENGINE_INTERNAL_H_
#define IDR_IDENTITY_ENGINE_INTERNAL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "identity/block_index.h"
#include "identity/engine.h"
#include "identity/prepared_value_cache.h"
#include "identity/record_codec.h"
#include "identity/value_cache.h"
#include "identity/value_hash_index.h"
#include "identity/value_table.h"
#include "storage/cached_graph_store.h"
#include "storage/graph_store.h"

namespace idr::identity {

// A record as stored, with its blob decoded.
struct StoredRecord {
  storage::RecordRow row;
  std::vector<int64_t> value_ids;  // Per field; 0 = missing.
  Attributes attributes;
  // False for a candidate known by the index only: value_ids, row.id and
  // (once placed) row.customer are set, the rest of the row is not read.
  bool row_read = true;
};

// The engine's own locks are std::mutex (not absl::Mutex, as the style
// guide prefers) because ThreadSanitizer cannot see Debian's uninstrumented
// Abseil synchronise: with std::mutex the TSan test pass checks the engine's
// threading for real. "Guarded by" notes say what each lock protects.
using Lock = std::lock_guard<std::mutex>;

struct Engine::Internals {
  EngineOptions options;
  const GraphSchema* schema = nullptr;
  // Serialises writes (and opening readers) on the writer connection.
  std::mutex write_mu;
  std::unique_ptr<storage::CachedGraphStore> writer;  // Guarded by write_mu.
  // Values the writer has read (created once the writer exists).
  // "Guarded by write_mu" here and below: used by the thread holding it, or
  // by the ingest's helper thread, to which the writer holding it leaves
  // this cache, prepared_values, the uncommitted_* state, unwritten_counts
  // and the index's writes while the helper stages a batch (engine.md,
  // "The ingest pipeline").
  std::unique_ptr<ValueCache> writer_values;  // Guarded by write_mu.
  // Raw values the ingest has normalised (prepared_value_cache.h); wiped by
  // Forget.
  PreparedValueCache prepared_values{1 << 16};  // Guarded by write_mu.
  // The blocking-key index, built on first use from the records' keys,
  // read through `store` (the caller's connection: the writer's with
  // write_mu held, or a reader's). Opening a graph to read a profile or
  // forget a customer so does not read every record. Written by the writer,
  // read by everyone.
  absl::StatusOr<BlockIndex*> Blocks(storage::GraphStore* store);
  std::mutex blocks_mu;  // Serialises building; taken after write_mu.
  std::unique_ptr<BlockIndex> blocks;           // Set once, under blocks_mu.
  std::atomic<BlockIndex*> built_blocks{nullptr};  // blocks, once built.
  // The stored values by hash, built with `blocks` (read it once Blocks()
  // has returned), and the last value id the build read.
  std::unique_ptr<ValueHashIndex> value_hashes;
  int64_t built_value_id = 0;
  // At the start of every write transaction: when another process wrote the
  // graph since, reloads the per-field record counts it left, and adds to
  // the value index the values it stored, so that no value is ever stored
  // twice (the store does not check). One look at the store's DataVersion
  // when nobody else wrote. write_mu held, inside the write transaction.
  absl::Status CatchUpForeignWrites();
  int64_t seen_data_version = -1;  // Guarded by write_mu.
  int64_t synced_value_id = -1;    // Likewise; -1: from built_value_id.
  // The entries the writer's open transaction added (taken out again if it
  // rolls back). Guarded by write_mu.
  std::vector<std::pair<uint64_t, int64_t>> uncommitted_blocks;
  // The (hash, id) of the values it inserted, likewise.
  std::vector<std::pair<uint64_t, int64_t>> uncommitted_values;
  // The committed values in memory (value_table.h). Loaded by the writer
  // (LoadValueTable), and given what each transaction changed in them once
  // it commits: the values it inserted and the count changes (value id ->
  // change), kept meanwhile below. Unloaded for good when another process
  // writes the graph: its count changes cannot be known without reading
  // every value again, and the store has them right.
  ValueTable value_table;
  std::vector<StoredValue> uncommitted_inserts;              // write_mu.
  absl::flat_hash_map<int64_t, int64_t> uncommitted_counts;  // write_mu.
  bool value_table_given_up = false;                         // write_mu.
  int64_t value_table_version = -1;  // DataVersion it was loaded at.
  // Count increments an ingest has not written to the store yet (value id
  // -> increment): each value's are written once, in id order, just before
  // the commit (FlushUnwrittenCounts), not once per record that carries it.
  // The writer's value cache adds them to what it reads from the store.
  // Cleared by a rollback. Guarded by write_mu.
  absl::flat_hash_map<int64_t, int64_t> unwritten_counts;
  absl::Status FlushUnwrittenCounts();
  // Loads the table when it is not loaded (a no-op once loaded, or given
  // up), reading through `from`: the writer at the start of its transaction
  // (before it writes), or a reader in a snapshot begun after write_mu was
  // taken (BuildIndex: the reader that built the index has mapped most of
  // the file already). write_mu held.
  absl::Status LoadValueTable(storage::GraphStore* from);
  // After a commit: hands the transaction's value changes to the table.
  void ApplyCommittedValues();
  // Takes (key, record) entries out of the index, if it is built (after a
  // rollback, or once Forget's deletions committed). write_mu held.
  void Unindex(const std::vector<std::pair<uint64_t, int64_t>>& entries);
  // Takes (hash, value id) entries out of the value index, if it is built.
  void UnindexValues(const std::vector<std::pair<uint64_t, int64_t>>& entries);
  // Rolls the writer's transaction back, with the cached values and the
  // index entries it made. write_mu held.
  void RollbackWrite();
  std::string secret;                           // Keys and tombstones.
  // FAILED_PRECONDITION when the graph's values were normalised by another
  // normalisation version (ingest and resolve by values refuse to run: their
  // lookups would miss stored records); OK otherwise.
  absl::Status normalization = absl::OkStatus();
  double min_weight = 0;                        // Of the threshold.
  double review_min_weight = 0;  // Of options.review_min_probability.
  // Per field: the typical frequency of an agreeing value (the geometric
  // mean of the model's TF baselines; 0 without TF adjustment).
  std::vector<double> typical_frequency;
  absl::flat_hash_map<std::string, int> column_index;
  absl::flat_hash_map<std::string, int> rule_index;  // Model rule names.

  // Reader connections not in use. One keeps its read transaction (its
  // snapshot) open for the next caller while nothing has been committed
  // since it began, for at most kSnapshotReuse: a resolve then starts no
  // transaction of its own (SQLite takes and drops a lock on the WAL index
  // for each, and a page cache it must check). Every commit ends the idle
  // snapshots, so none outlives a Forget's purge; kSnapshotReuse bounds what
  // a reader misses of another process's commits.
  struct IdleReader {
    std::unique_ptr<storage::GraphStore> store;
    bool open = false;   // Its snapshot is still open.
    int64_t commits = 0;  // `commits` when that snapshot began.
    std::chrono::steady_clock::time_point began;
  };
  static constexpr std::chrono::milliseconds kSnapshotReuse{10};
  // Whether a snapshot begun at `began`, when `commits` was the count, may
  // still serve a read.
  bool SnapshotStillCurrent(int64_t commits,
                            std::chrono::steady_clock::time_point began) const {
    return commits == CommitCount() &&
           std::chrono::steady_clock::now() - began < kSnapshotReuse;
  }
  std::mutex pool_mu;  // Taken after commit_mu.
  std::vector<IdleReader> idle_readers;  // Guarded by pool_mu.

  // Records with a value, per field (for term frequencies).
  mutable std::mutex state_mu;
  std::vector<int64_t> present;  // Guarded by state_mu.

  std::vector<int64_t> Present() const {
    Lock lock(state_mu);
    return present;
  }
  int64_t Now() const;

  // Group commit of IngestBatch calls (engine.cc).
  struct PendingBatch {
    const std::vector<SourceRecord>* records = nullptr;
    // Its records prepared ahead (IngestGroup), by whichever group wrote
    // before it: empty, or one per record.
    PreparedAhead* prepared = nullptr;
    // The stream's next batch (IngestStream), to prepare into
    // `next_prepared` while this one is written; null if none.
    const std::vector<SourceRecord>* next = nullptr;
    PreparedAhead* next_prepared = nullptr;
    absl::StatusOr<BatchResult> result;
    bool done = false;
  };
  std::mutex group_mu;
  std::condition_variable group_cv;    // A group was written.
  std::deque<PendingBatch*> pending;   // Guarded by group_mu.
  bool group_writing = false;          // Guarded by group_mu.

  // Committed writes, for WaitForCommit.
  mutable std::mutex commit_mu;
  std::condition_variable commit_cv;
  int64_t commits = 0;  // Guarded by commit_mu.
  void Committed();
  int64_t CommitCount() const {
    Lock lock(commit_mu);
    return commits;
  }

  // A reader connection inside a read transaction (one snapshot), returned
  // to the pool when the holder goes.
  struct ReaderDeleter {
    Internals* in;
    int64_t commits = 0;  // Of its snapshot, as IdleReader.
    std::chrono::steady_clock::time_point began;
    void operator()(storage::GraphStore* store) const;
  };
  using Reader = std::unique_ptr<storage::GraphStore, ReaderDeleter>;
  absl::StatusOr<Reader> AcquireReader();
};

// Reads a record and decodes it; nullopt when absent.
absl::StatusOr<std::optional<StoredRecord>> LoadRecord(
    storage::GraphStore* store, int64_t id, size_t num_fields);
absl::StatusOr<std::vector<StoredRecord>> LoadCustomerRecords(
    storage::GraphStore* store, int64_t customer, size_t num_fields);
absl::StatusOr<StoredRecord> DecodeRecord(storage::RecordRow row,
                                          size_t num_fields);

// The customer a key names, following a redirect; *redirected_from is set
// to `key` when it was an old key. NOT_FOUND for an unknown key.
absl::StatusOr<storage::CustomerRow> FindCustomerByKey(
    storage::GraphStore* store, const std::string& key,
    std::string* redirected_from);

// HMAC-SHA256 of `text` under the graph's secret (raw 32 bytes).
std::string KeyedHash(const std::string& secret, const std::string& text);
// Customer keys are "C", kKeyTimeChars base-32 characters of the creation
// time (Unix seconds, big-endian), then kKeyRandomChars derived from the
// secret and the seed. Keys made until 2026-12-03 are "C" + 16 derived
// characters; both kinds stay valid forever.
inline constexpr int kKeyTimeChars = 7;    // 35 bits: seconds until 3058.
inline constexpr int kKeyRandomChars = 9;  // 45 bits.

// A new customer key for `seed` created at `created_at` (attempt > 0 after a
// collision).
std::string CustomerKeyFor(const std::string& secret, const std::string& seed,
                           int64_t created_at, int attempt);

// A customer key for a new customer founded by `seed` (a source id, or a
// tagged one for splits) at `created_at` that no customer and no redirect
// uses yet.
absl::StatusOr<std::string> FreshCustomerKey(storage::GraphStore* store,
                                             const std::string& secret,
                                             const std::string& seed,
                                             int64_t created_at);

// Moves every record, redirect and separation of `from` to `into`, deletes
// `from`, and logs the merge; `detail` is the audit entry's JSON, `actor`
// who asked for it (empty when the engine merged on its own). Returns the
// audit entry's sequence.
absl::StatusOr<int64_t> MergeCustomers(storage::GraphStore* store,
                                       const storage::CustomerRow& into,
                                       const storage::CustomerRow& from,
                                       int64_t now, const std::string& reason,
                                       const std::string& detail,
                                       const std::string& actor);

// Re-clusters a customer's records over their stored links with the rule of
// `idr dedup` (strongest links first; two parts join only when every record
// of the smaller links into the larger). Parts that do not hold together
// become new customers; the part holding the oldest record keeps the key.
// Customers joined by a person (a manual link) are left as they are.
// Returns the keys created.
absl::StatusOr<std::vector<std::string>> ReclusterCustomer(
    storage::GraphStore* store, const std::string& secret,
    const storage::CustomerRow& customer, int64_t now);

// The exclusive-identifier values of a set of records, per field (0 = none
// seen, -1 = several).
std::vector<int64_t> ExclusiveValues(const std::vector<StoredRecord>& records,
                                     const std::vector<FieldSpec>& fields);
// Whether two such summaries disagree on any field.
bool ExclusiveConflict(const std::vector<int64_t>& a,
                       const std::vector<int64_t>& b);

// JSON string literal of `text`.
std::string JsonQuote(absl::string_view text);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_ENGINE_INTERNAL_H_
