#include "storage/memory_graph_store.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "storage/visit_in_batches.h"

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace idr::storage {
namespace {

// absl::MutexLock that also tells TSan about the hand-over: Debian's Abseil
// is not built with TSan, so TSan cannot see absl::Mutex synchronise.
class Lock {
 public:
  explicit Lock(absl::Mutex* mu) : mu_(mu) {
    mu_->Lock();
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(mu_);
#endif
  }
  ~Lock() {
#if defined(__SANITIZE_THREAD__)
    __tsan_release(mu_);
#endif
    mu_->Unlock();
  }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  absl::Mutex* mu_;
};

constexpr int64_t kMinId = std::numeric_limits<int64_t>::min();
// ForEach* copies this many rows at a time.
constexpr size_t kBatch = 256;

// A record with the blocking keys filed under it (so DeleteRecord can find
// them, as the SQLite store keeps them in the record row).
struct StoredRecord {
  RecordRow row;
};

// The last id handed out per table; ids are never reused.
struct LastIds {
  int64_t value = 0, record = 0, customer = 0, audit = 0, review = 0,
          change = 0;
};

template <typename Map, typename Key>
std::optional<typename Map::mapped_type> Lookup(const Map& map,
                                                const Key& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

// The graph all connections share. Set* put one row into the state `row`
// says (absent when nullopt) and keep the secondary indexes in step: the
// writers and the undo journal change rows only through them. Callers hold
// `mu`.
struct Graph {
  absl::Mutex mu;
  const void* writer = nullptr;  // The connection in a write transaction.
  LastIds last;

  std::map<std::string, std::string> meta;
  std::map<int64_t, ValueRow> values;
  std::map<int64_t, StoredRecord> records;
  std::map<std::string, int64_t> records_by_source;
  std::set<std::pair<int64_t, int64_t>> records_by_customer;
  std::map<std::pair<int64_t, int64_t>, LinkRow> links;
  std::set<std::pair<int64_t, int64_t>> links_by_b;  // (b, a)
  std::map<int64_t, CustomerRow> customers;
  std::map<std::string, int64_t> customers_by_key;
  std::map<std::string, std::string> redirects;
  std::set<std::pair<std::string, std::string>> redirects_by_new;
  std::map<int64_t, AuditRow> audit;
  std::map<int64_t, ReviewRow> reviews;
  // Both orders of every pair, so SeparationsOf is one range.
  std::set<std::pair<std::string, std::string>> separations;
  std::set<std::string> tombstones;
  // Request id -> (made at, result).
  std::map<std::string, std::pair<int64_t, std::string>> requests;
  std::map<int64_t, ChangeRow> changes;

  void SetMeta(const std::string& key, std::optional<std::string> value) {
    if (value) {
      meta[key] = *std::move(value);
    } else {
      meta.erase(key);
    }
  }

  void SetValue(int64_t id, std::optional<ValueRow> row) {
    values.erase(id);
    if (!row) return;
    values[id] = *std::move(row);
  }

  void SetRecord(int64_t id, std::optional<StoredRecord> record) {
    if (auto it = records.find(id); it != records.end()) {
      records_by_source.erase(it->second.row.source_id);
      records_by_customer.erase({it->second.row.customer, id});
      records.erase(it);
    }
    if (!record) return;
    records_by_source[record->row.source_id] = id;
    records_by_customer.insert({record->row.customer, id});
    records[id] = *std::move(record);
  }

  void SetLink(int64_t a, int64_t b, std::optional<LinkRow> row) {
    links.erase({a, b});
    links_by_b.erase({b, a});
    if (!row) return;
    links_by_b.insert({b, a});
    links[{a, b}] = *std::move(row);
  }

  void SetCustomer(int64_t id, std::optional<CustomerRow> row) {
    if (auto it = customers.find(id); it != customers.end()) {
      customers_by_key.erase(it->second.key);
      customers.erase(it);
    }
    if (!row) return;
    customers_by_key[row->key] = id;
    customers[id] = *std::move(row);
  }

  void SetRedirect(const std::string& old_key,
                   std::optional<std::string> new_key) {
    if (auto it = redirects.find(old_key); it != redirects.end()) {
      redirects_by_new.erase({it->second, old_key});
      redirects.erase(it);
    }
    if (!new_key) return;
    redirects_by_new.insert({*new_key, old_key});
    redirects[old_key] = *std::move(new_key);
  }

  void SetAudit(int64_t seq, std::optional<AuditRow> row) {
    if (row) {
      audit[seq] = *std::move(row);
    } else {
      audit.erase(seq);
    }
  }

  void SetReview(int64_t id, std::optional<ReviewRow> row) {
    if (row) {
      reviews[id] = *std::move(row);
    } else {
      reviews.erase(id);
    }
  }

  void SetSeparation(const std::string& a, const std::string& b, bool present) {
    if (present) {
      separations.insert({a, b});
      separations.insert({b, a});
    } else {
      separations.erase({a, b});
      separations.erase({b, a});
    }
  }

  void SetRequestResult(const std::string& id,
                        std::optional<std::pair<int64_t, std::string>> v) {
    if (v) {
      requests[id] = *std::move(v);
    } else {
      requests.erase(id);
    }
  }

  void SetTombstone(const std::string& hash, bool present) {
    if (present) {
      tombstones.insert(hash);
    } else {
      tombstones.erase(hash);
    }
  }

  void SetChange(int64_t seq, std::optional<ChangeRow> row) {
    if (row) {
      changes[seq] = *std::move(row);
    } else {
      changes.erase(seq);
    }
  }
};

class MemoryGraphStore : public GraphStore {
 public:
  MemoryGraphStore(std::shared_ptr<Graph> graph, bool reader)
      : g_(std::move(graph)), reader_(reader) {}
  ~MemoryGraphStore() override { Rollback(); }

  absl::StatusOr<std::unique_ptr<GraphStore>> OpenReader() override {
    return std::unique_ptr<GraphStore>(new MemoryGraphStore(g_, true));
  }

  absl::Status BeginWrite() override {
    Lock lock(&g_->mu);
    if (reader_) {
      return absl::FailedPreconditionError("a reader connection cannot write");
    }
    if (g_->writer == this) {
      return absl::FailedPreconditionError("a transaction is already open");
    }
    if (g_->writer != nullptr) {
      return absl::UnavailableError(
          "another connection holds the write transaction");
    }
    g_->writer = this;
    undo_.clear();
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    Lock lock(&g_->mu);
    if (g_->writer != this) {
      return absl::FailedPreconditionError("Commit without a transaction");
    }
    undo_.clear();
    g_->writer = nullptr;
    return absl::OkStatus();
  }

  void Rollback() override {
    Lock lock(&g_->mu);
    if (g_->writer != this) return;
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)(*g_);
    undo_.clear();
    g_->writer = nullptr;
  }

  // --- Meta -----------------------------------------------------------------
  absl::StatusOr<std::optional<std::string>> GetMeta(
      const std::string& key) override {
    Lock lock(&g_->mu);
    return Lookup(g_->meta, key);
  }

  absl::Status PutMeta(const std::string& key,
                       const std::string& value) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    Journal(
        [key, old = Lookup(g_->meta, key)](Graph& g) { g.SetMeta(key, old); });
    g_->SetMeta(key, value);
    return absl::OkStatus();
  }

  // --- Values ---------------------------------------------------------------
  // One process: no other connection writes this graph.
  absl::StatusOr<int64_t> DataVersion() override { return 0; }

  absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> ValueHashes(
      int64_t after) override {
    Lock lock(&g_->mu);
    std::vector<std::pair<int64_t, uint64_t>> hashes;
    for (auto it = g_->values.upper_bound(after); it != g_->values.end(); ++it) {
      hashes.emplace_back(it->first, it->second.hash);
    }
    return hashes;
  }

  absl::StatusOr<std::optional<ValueRow>> GetValue(int64_t id) override {
    Lock lock(&g_->mu);
    return Lookup(g_->values, id);
  }

  absl::StatusOr<std::vector<ValueRow>> ValuesAfter(int64_t after,
                                                    int limit) override {
    Lock lock(&g_->mu);
    std::vector<ValueRow> rows;
    for (auto it = g_->values.upper_bound(after);
         it != g_->values.end() && static_cast<int>(rows.size()) < limit;
         ++it) {
      rows.push_back(it->second);
    }
    return rows;
  }

  absl::StatusOr<int64_t> InsertValue(const ValueRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (row.count < 0) return absl::InvalidArgumentError("negative count");
    if (row.id != 0 && row.id <= g_->last.value) {
      return absl::InvalidArgumentError(absl::StrCat(
          "value id ", row.id, " is below the next id ", g_->last.value + 1));
    }
    JournalLastIds();
    ValueRow stored = row;
    stored.id = row.id != 0 ? row.id : g_->last.value + 1;
    g_->last.value = stored.id;
    Journal([id = stored.id](Graph& g) { g.SetValue(id, std::nullopt); });
    g_->SetValue(stored.id, stored);
    return stored.id;
  }

  absl::StatusOr<int64_t> NextValueId() override {
    Lock lock(&g_->mu);
    return g_->last.value + 1;
  }

  absl::Status AddValueCount(int64_t id, int64_t delta) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::optional<ValueRow> old = Lookup(g_->values, id);
    if (!old) return absl::InvalidArgumentError(absl::StrCat("no value ", id));
    if (old->count + delta < 0) {
      return absl::InvalidArgumentError("value count would be negative");
    }
    Journal([id, old](Graph& g) { g.SetValue(id, old); });
    if (old->count + delta == 0) {
      g_->SetValue(id, std::nullopt);
    } else {
      g_->values[id].count += delta;
    }
    return absl::OkStatus();
  }

  // --- Records --------------------------------------------------------------
  absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) override {
    Lock lock(&g_->mu);
    auto it = g_->records.find(id);
    if (it == g_->records.end()) return std::nullopt;
    return it->second.row;
  }

  absl::StatusOr<std::optional<RecordRow>> FindRecord(
      const std::string& source_id) override {
    Lock lock(&g_->mu);
    auto it = g_->records_by_source.find(source_id);
    if (it == g_->records_by_source.end()) return std::nullopt;
    return g_->records.at(it->second).row;
  }

  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (g_->records_by_source.count(row.source_id)) {
      return absl::AlreadyExistsError(
          absl::StrCat("source id '", row.source_id, "' already stored"));
    }
    if (row.id != 0 && row.id <= g_->last.record) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record id ", row.id, " is below the next id ", g_->last.record + 1));
    }
    JournalLastIds();
    StoredRecord stored{row};
    stored.row.id = row.id != 0 ? row.id : g_->last.record + 1;
    g_->last.record = stored.row.id;
    Journal([id = stored.row.id](Graph& g) { g.SetRecord(id, std::nullopt); });
    g_->SetRecord(stored.row.id, stored);
    return stored.row.id;
  }

  absl::StatusOr<int64_t> NextRecordId() override {
    Lock lock(&g_->mu);
    return g_->last.record + 1;
  }

  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::optional<StoredRecord> old = Lookup(g_->records, record);
    if (!old) {
      return absl::InvalidArgumentError(absl::StrCat("no record ", record));
    }
    Journal([record, old](Graph& g) { g.SetRecord(record, old); });
    StoredRecord moved = *old;
    moved.row.customer = customer;
    g_->SetRecord(record, std::move(moved));
    return absl::OkStatus();
  }

  absl::Status DeleteRecord(int64_t id) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::optional<StoredRecord> old = Lookup(g_->records, id);
    if (!old) return absl::OkStatus();
    for (const LinkRow& link : LinksOfLocked(id)) {
      Journal([link](Graph& g) { g.SetLink(link.a, link.b, link); });
      g_->SetLink(link.a, link.b, std::nullopt);
    }
    Journal([id, old](Graph& g) { g.SetRecord(id, old); });
    g_->SetRecord(id, std::nullopt);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<RecordRow>> RecordsOfCustomer(
      int64_t customer) override {
    Lock lock(&g_->mu);
    std::vector<RecordRow> rows;
    for (auto it = g_->records_by_customer.lower_bound({customer, kMinId});
         it != g_->records_by_customer.end() && it->first == customer; ++it) {
      rows.push_back(g_->records.at(it->second).row);
    }
    return rows;
  }

  absl::StatusOr<std::vector<int64_t>> RecordIdsOfCustomer(
      int64_t customer) override {
    Lock lock(&g_->mu);
    std::vector<int64_t> ids;
    for (auto it = g_->records_by_customer.lower_bound({customer, kMinId});
         it != g_->records_by_customer.end() && it->first == customer; ++it) {
      ids.push_back(it->second);
    }
    return ids;
  }

  absl::Status ForEachRecord(
      const std::function<bool(const RecordRow&)>& visit) override {
    // Copies a batch at a time and visits without the lock, so `visit` may
    // call this store.
    return VisitInBatches<RecordRow>(
        kBatch,
        [this](const RecordRow* last) {
          Lock lock(&g_->mu);
          std::vector<RecordRow> rows;
          for (auto it = g_->records.upper_bound(last ? last->id : kMinId);
               it != g_->records.end() && rows.size() < kBatch; ++it) {
            rows.push_back(it->second.row);
          }
          return absl::StatusOr<std::vector<RecordRow>>(std::move(rows));
        },
        visit);
  }

  absl::StatusOr<int64_t> CountRecords() override {
    Lock lock(&g_->mu);
    return static_cast<int64_t>(g_->records.size());
  }

  // --- Links ----------------------------------------------------------------
  absl::Status PutLink(const LinkRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (row.a >= row.b) return absl::InvalidArgumentError("link needs a < b");
    Journal([a = row.a, b = row.b,
             old = Lookup(g_->links, std::make_pair(row.a, row.b))](Graph& g) {
      g.SetLink(a, b, old);
    });
    g_->SetLink(row.a, row.b, row);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<LinkRow>> LinksFromCustomer(
      int64_t customer) override {
    Lock lock(&g_->mu);
    std::vector<LinkRow> rows;
    for (auto r = g_->records_by_customer.lower_bound({customer, kMinId});
         r != g_->records_by_customer.end() && r->first == customer; ++r) {
      for (auto it = g_->links.lower_bound({r->second, kMinId});
           it != g_->links.end() && it->first.first == r->second; ++it) {
        rows.push_back(it->second);
      }
    }
    return rows;
  }

  absl::Status ForEachLinkEdge(
      const std::function<bool(const LinkRow&)>& visit) override {
    // As ForEachRecord.
    return VisitInBatches<LinkRow>(
        kBatch,
        [this](const LinkRow* last) {
          Lock lock(&g_->mu);
          std::vector<LinkRow> rows;
          for (auto it =
                   g_->links.upper_bound(last ? std::make_pair(last->a, last->b)
                                              : std::make_pair(kMinId, kMinId));
               it != g_->links.end() && rows.size() < kBatch; ++it) {
            rows.emplace_back(it->second).detail.clear();
          }
          return absl::StatusOr<std::vector<LinkRow>>(std::move(rows));
        },
        visit);
  }

  absl::StatusOr<std::vector<LinkRow>> LinksOf(int64_t record) override {
    Lock lock(&g_->mu);
    return LinksOfLocked(record);
  }

  absl::Status DeleteLink(int64_t a, int64_t b) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (a >= b) return absl::InvalidArgumentError("link needs a < b");
    std::optional<LinkRow> old = Lookup(g_->links, std::make_pair(a, b));
    if (!old) return absl::OkStatus();
    Journal([a, b, old](Graph& g) { g.SetLink(a, b, old); });
    g_->SetLink(a, b, std::nullopt);
    return absl::OkStatus();
  }

  // --- Customers ------------------------------------------------------------
  absl::StatusOr<std::optional<CustomerRow>> GetCustomer(int64_t id) override {
    Lock lock(&g_->mu);
    return Lookup(g_->customers, id);
  }

  absl::StatusOr<std::optional<CustomerRow>> FindCustomer(
      const std::string& key) override {
    Lock lock(&g_->mu);
    auto it = g_->customers_by_key.find(key);
    if (it == g_->customers_by_key.end()) return std::nullopt;
    return g_->customers.at(it->second);
  }

  absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (g_->customers_by_key.count(row.key)) {
      return absl::AlreadyExistsError(
          absl::StrCat("customer '", row.key, "' already stored"));
    }
    JournalLastIds();
    CustomerRow stored = row;
    stored.id = ++g_->last.customer;
    Journal([id = stored.id](Graph& g) { g.SetCustomer(id, std::nullopt); });
    g_->SetCustomer(stored.id, stored);
    return stored.id;
  }

  absl::Status ForEachCustomer(
      const std::function<bool(const CustomerRow&)>& visit) override {
    // As ForEachRecord.
    return VisitInBatches<CustomerRow>(
        kBatch,
        [this](const CustomerRow* last) {
          Lock lock(&g_->mu);
          std::vector<CustomerRow> rows;
          for (auto it = g_->customers.upper_bound(last ? last->id : kMinId);
               it != g_->customers.end() && rows.size() < kBatch; ++it) {
            rows.push_back(it->second);
          }
          return absl::StatusOr<std::vector<CustomerRow>>(std::move(rows));
        },
        visit);
  }

  absl::Status UpdateCustomer(const CustomerRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::optional<CustomerRow> old = Lookup(g_->customers, row.id);
    if (!old) {
      return absl::InvalidArgumentError(absl::StrCat("no customer ", row.id));
    }
    Journal([id = row.id, old](Graph& g) { g.SetCustomer(id, old); });
    CustomerRow& stored = g_->customers[row.id];
    stored.updated_at = row.updated_at;
    stored.size = row.size;
    return absl::OkStatus();
  }

  absl::Status DeleteCustomer(int64_t id) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::optional<CustomerRow> old = Lookup(g_->customers, id);
    if (!old) return absl::OkStatus();
    Journal([id, old](Graph& g) { g.SetCustomer(id, old); });
    g_->SetCustomer(id, std::nullopt);
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> CountCustomers() override {
    Lock lock(&g_->mu);
    return static_cast<int64_t>(g_->customers.size());
  }

  // --- Redirects ------------------------------------------------------------
  absl::Status PutRedirect(const std::string& old_key,
                           const std::string& new_key) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (old_key == new_key) {
      return absl::InvalidArgumentError("a key cannot redirect to itself");
    }
    JournalRedirect(old_key);
    g_->SetRedirect(old_key, new_key);
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::string>> GetRedirect(
      const std::string& old_key) override {
    Lock lock(&g_->mu);
    return Lookup(g_->redirects, old_key);
  }

  absl::StatusOr<std::vector<std::string>> RedirectsTo(
      const std::string& new_key) override {
    Lock lock(&g_->mu);
    std::vector<std::string> keys;
    for (auto it = g_->redirects_by_new.lower_bound({new_key, ""});
         it != g_->redirects_by_new.end() && it->first == new_key; ++it) {
      keys.push_back(it->second);
    }
    return keys;
  }

  absl::Status DeleteRedirect(const std::string& old_key) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    JournalRedirect(old_key);
    g_->SetRedirect(old_key, std::nullopt);
    return absl::OkStatus();
  }

  // --- Audit ----------------------------------------------------------------
  absl::StatusOr<int64_t> AppendAudit(const AuditRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    JournalLastIds();
    AuditRow stored = row;
    stored.seq = ++g_->last.audit;
    Journal([seq = stored.seq](Graph& g) { g.SetAudit(seq, std::nullopt); });
    g_->SetAudit(stored.seq, stored);
    return stored.seq;
  }

  absl::StatusOr<std::vector<AuditRow>> ReadAudit(
      int64_t after, int limit, const std::string& key) override {
    Lock lock(&g_->mu);
    std::vector<AuditRow> rows;
    for (auto it = g_->audit.upper_bound(after);
         it != g_->audit.end() && static_cast<int>(rows.size()) < limit; ++it) {
      const AuditRow& row = it->second;
      if (key.empty() || row.key == key || row.other_key == key) {
        rows.push_back(row);
      }
    }
    return rows;
  }

  absl::Status RedactKey(const std::string& key,
                         const std::string& replacement) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (key.empty()) return absl::InvalidArgumentError("empty key");
    for (auto& [seq, row] : g_->audit) {
      if (row.key != key && row.other_key != key) continue;
      Journal([seq = seq, old = row](Graph& g) { g.SetAudit(seq, old); });
      if (row.key == key) row.key = replacement;
      if (row.other_key == key) row.other_key = replacement;
    }
    for (auto& [seq, row] : g_->changes) {
      if (row.key != key && row.other_key != key) continue;
      Journal([seq = seq, old = row](Graph& g) { g.SetChange(seq, old); });
      if (row.key == key) row.key = replacement;
      if (row.other_key == key) row.other_key = replacement;
    }
    return absl::OkStatus();
  }

  // --- Reviews --------------------------------------------------------------
  absl::StatusOr<int64_t> AddReview(const ReviewRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    JournalLastIds();
    ReviewRow stored = row;
    stored.id = ++g_->last.review;
    Journal([id = stored.id](Graph& g) { g.SetReview(id, std::nullopt); });
    g_->SetReview(stored.id, stored);
    return stored.id;
  }

  absl::StatusOr<std::vector<ReviewRow>> ListReviews(int limit) override {
    Lock lock(&g_->mu);
    std::vector<ReviewRow> rows;
    for (auto it = g_->reviews.begin();
         it != g_->reviews.end() && static_cast<int>(rows.size()) < limit;
         ++it) {
      rows.push_back(it->second);
    }
    return rows;
  }

  absl::Status DeleteReview(int64_t id) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::optional<ReviewRow> old = Lookup(g_->reviews, id);
    if (!old) return absl::OkStatus();
    Journal([id, old](Graph& g) { g.SetReview(id, old); });
    g_->SetReview(id, std::nullopt);
    return absl::OkStatus();
  }

  absl::Status DeleteReviewsOf(const std::string& key) override {
    return DeleteReviewsIf([&key](const ReviewRow& row) {
      return row.key == key || row.other_key == key;
    });
  }

  absl::Status DeleteReviewsBetween(const std::string& key_a,
                                    const std::string& key_b) override {
    return DeleteReviewsIf([&](const ReviewRow& row) {
      return (row.key == key_a && row.other_key == key_b) ||
             (row.key == key_b && row.other_key == key_a);
    });
  }

  template <typename Pred>
  absl::Status DeleteReviewsIf(Pred doomed_if) {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::vector<ReviewRow> doomed;
    for (const auto& [id, row] : g_->reviews) {
      if (doomed_if(row)) doomed.push_back(row);
    }
    for (const ReviewRow& row : doomed) {
      Journal([row](Graph& g) { g.SetReview(row.id, row); });
      g_->SetReview(row.id, std::nullopt);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> CountReviews() override {
    Lock lock(&g_->mu);
    return static_cast<int64_t>(g_->reviews.size());
  }

  // --- Separations ----------------------------------------------------------
  absl::Status PutSeparation(const std::string& key_a,
                             const std::string& key_b) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (key_a == key_b) {
      return absl::InvalidArgumentError(
          "a key cannot be separated from itself");
    }
    if (g_->separations.count({key_a, key_b})) return absl::OkStatus();
    Journal([key_a, key_b](Graph& g) { g.SetSeparation(key_a, key_b, false); });
    g_->SetSeparation(key_a, key_b, true);
    return absl::OkStatus();
  }

  absl::StatusOr<bool> IsSeparated(const std::string& key_a,
                                   const std::string& key_b) override {
    Lock lock(&g_->mu);
    return g_->separations.count({key_a, key_b}) > 0;
  }

  absl::StatusOr<std::vector<std::string>> SeparationsOf(
      const std::string& key) override {
    Lock lock(&g_->mu);
    return SeparationsOfLocked(key);
  }

  absl::Status DeleteSeparationsOf(const std::string& key) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    for (const std::string& other : SeparationsOfLocked(key)) {
      Journal([key, other](Graph& g) { g.SetSeparation(key, other, true); });
      g_->SetSeparation(key, other, false);
    }
    return absl::OkStatus();
  }

  // --- Tombstones -----------------------------------------------------------
  absl::Status PutTombstone(const std::string& hash) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (g_->tombstones.count(hash)) return absl::OkStatus();
    Journal([hash](Graph& g) { g.SetTombstone(hash, false); });
    g_->SetTombstone(hash, true);
    return absl::OkStatus();
  }

  absl::StatusOr<bool> HasTombstone(const std::string& hash) override {
    Lock lock(&g_->mu);
    return g_->tombstones.count(hash) > 0;
  }

  // --- Request results ------------------------------------------------------
  absl::StatusOr<std::optional<std::string>> GetRequestResult(
      const std::string& id) override {
    Lock lock(&g_->mu);
    auto it = g_->requests.find(id);
    if (it == g_->requests.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second.second);
  }

  absl::Status PutRequestResult(const std::string& id, int64_t at,
                                const std::string& result) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    if (g_->requests.count(id)) {
      return absl::AlreadyExistsError("request result already stored");
    }
    Journal([id](Graph& g) { g.SetRequestResult(id, std::nullopt); });
    g_->SetRequestResult(id, std::make_pair(at, result));
    return absl::OkStatus();
  }

  absl::Status DeleteRequestResultsBefore(int64_t before) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    std::vector<std::string> old;
    for (const auto& [id, value] : g_->requests) {
      if (value.first < before) old.push_back(id);
    }
    for (const std::string& id : old) {
      auto value = g_->requests[id];
      Journal([id, value](Graph& g) { g.SetRequestResult(id, value); });
      g_->SetRequestResult(id, std::nullopt);
    }
    return absl::OkStatus();
  }

  // --- Changes --------------------------------------------------------------
  absl::StatusOr<int64_t> AppendChange(const ChangeRow& row) override {
    Lock lock(&g_->mu);
    if (absl::Status s = CheckWrite(); !s.ok()) return s;
    JournalLastIds();
    ChangeRow stored = row;
    stored.seq = ++g_->last.change;
    Journal([seq = stored.seq](Graph& g) { g.SetChange(seq, std::nullopt); });
    g_->SetChange(stored.seq, stored);
    return stored.seq;
  }

  absl::StatusOr<std::vector<ChangeRow>> ReadChanges(int64_t after,
                                                     int limit) override {
    Lock lock(&g_->mu);
    std::vector<ChangeRow> rows;
    for (auto it = g_->changes.upper_bound(after);
         it != g_->changes.end() && static_cast<int>(rows.size()) < limit;
         ++it) {
      rows.push_back(it->second);
    }
    return rows;
  }

  absl::StatusOr<int64_t> LastChangeSeq() override {
    Lock lock(&g_->mu);
    return g_->changes.empty() ? 0 : g_->changes.rbegin()->first;
  }

  // --- Maintenance ----------------------------------------------------------
  absl::Status Purge() override {
    Lock lock(&g_->mu);
    if (g_->writer == this) {
      return absl::FailedPreconditionError("Purge inside a transaction");
    }
    return absl::OkStatus();  // Deleted rows are already gone from memory.
  }

  absl::StatusOr<int64_t> SizeBytes() override {
    Lock lock(&g_->mu);
    // A rough figure: payload bytes plus a fixed cost per row.
    int64_t bytes = 0;
    for (const auto& [key, value] : g_->meta)
      bytes += key.size() + value.size();
    for (const auto& [id, v] : g_->values)
      bytes += 48 + v.value.size() + v.keys.size();
    for (const auto& [id, r] : g_->records) {
      bytes +=
          48 + r.row.source_id.size() + r.row.data.size() + 8 * r.row.keys.size();
    }
    bytes +=
        64 * g_->links.size() +
        64 * g_->customers.size() + 64 * g_->redirects.size() +
        128 * (g_->audit.size() + g_->reviews.size() + g_->changes.size()) +
        32 * (g_->separations.size() + g_->tombstones.size());
    return bytes;
  }

 private:
  absl::Status CheckWrite() const {
    if (g_->writer != this) {
      return absl::FailedPreconditionError("write outside a transaction");
    }
    return absl::OkStatus();
  }

  void Journal(std::function<void(Graph&)> undo) {
    undo_.push_back(std::move(undo));
  }

  void JournalLastIds() {
    Journal([last = g_->last](Graph& g) { g.last = last; });
  }

  void JournalRedirect(const std::string& old_key) {
    Journal([old_key, old = Lookup(g_->redirects, old_key)](Graph& g) {
      g.SetRedirect(old_key, old);
    });
  }

  std::vector<LinkRow> LinksOfLocked(int64_t record) const {
    std::vector<LinkRow> rows;  // By (a, b): first b == record, then a.
    for (auto it = g_->links_by_b.lower_bound({record, kMinId});
         it != g_->links_by_b.end() && it->first == record; ++it) {
      rows.push_back(g_->links.at({it->second, record}));
    }
    for (auto it = g_->links.lower_bound({record, kMinId});
         it != g_->links.end() && it->first.first == record; ++it) {
      rows.push_back(it->second);
    }
    return rows;
  }

  std::vector<std::string> SeparationsOfLocked(const std::string& key) const {
    std::vector<std::string> keys;
    for (auto it = g_->separations.lower_bound({key, ""});
         it != g_->separations.end() && it->first == key; ++it) {
      keys.push_back(it->second);
    }
    return keys;
  }

  std::shared_ptr<Graph> g_;
  const bool reader_;
  // The open transaction's undo steps, oldest first (guarded by g_->mu).
  std::vector<std::function<void(Graph&)>> undo_;
};

}  // namespace

std::unique_ptr<GraphStore> NewMemoryGraphStore() {
  return std::make_unique<MemoryGraphStore>(std::make_shared<Graph>(), false);
}

}  // namespace idr::storage
