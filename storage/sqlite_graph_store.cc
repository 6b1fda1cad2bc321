#include "storage/sqlite_graph_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/base/casts.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/database.h"
#include "storage/visit_in_batches.h"

namespace idr::storage {
namespace {

#define IDR_RETURN_IF_ERROR(expr)      \
  do {                                 \
    absl::Status status_ = (expr);     \
    if (!status_.ok()) return status_; \
  } while (0)

#define IDR_CONCAT_INNER(a, b) a##b
#define IDR_CONCAT(a, b) IDR_CONCAT_INNER(a, b)
#define IDR_ASSIGN_OR_RETURN(lhs, expr) \
  IDR_ASSIGN_OR_RETURN_IMPL(IDR_CONCAT(statusor_, __LINE__), lhs, expr)
#define IDR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = *std::move(tmp)

// ForEachRecord and ForEachCustomer read this many rows per statement, so no
// statement stays open while the visitor runs.
constexpr int kRecordBatch = 256;

int64_t ToInt(uint64_t u) { return absl::bit_cast<int64_t>(u); }
uint64_t ToUint(int64_t i) { return absl::bit_cast<uint64_t>(i); }

// A blocking key as it is appended to record.keys.
std::string KeyBytes(uint64_t key) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(key >> (8 * i));
  return bytes;
}

std::vector<uint64_t> ParseKeys(const std::string& bytes) {
  std::vector<uint64_t> keys;
  for (size_t at = 0; at + 8 <= bytes.size(); at += 8) {
    uint64_t key = 0;
    for (int i = 7; i >= 0; --i) {
      key = (key << 8) | static_cast<unsigned char>(bytes[at + i]);
    }
    keys.push_back(key);
  }
  return keys;
}

// The status for SQLite result code `rc` (see graph_store.h, Errors).
absl::Status SqliteStatus(sqlite3* db, int rc, const char* what) {
  std::string message = absl::StrCat(what, ": ", sqlite3_errmsg(db));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_PROTOCOL:
      return absl::UnavailableError(message);
    case SQLITE_NOMEM:
      return absl::ResourceExhaustedError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    default:
      return absl::InternalError(message);
  }
}

// The connection's prepared statements, by the address of their SQL text
// (a string literal at each call site): each is prepared once.
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache() {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
  }

  absl::StatusOr<sqlite3_stmt*> Get(const char* sql) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
                                nullptr);
    if (rc != SQLITE_OK) return SqliteStatus(db_, rc, sql);
    stmts_.emplace(sql, stmt);
    return stmt;
  }

  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

// One use of a cached statement: binds parameters in order, steps, reads
// columns, and resets the statement when it goes out of scope. Errors stick:
// the first one is what Step/Run return.
class Query {
 public:
  Query(StatementCache& cache, const char* sql) : db_(cache.db()), sql_(sql) {
    absl::StatusOr<sqlite3_stmt*> stmt = cache.Get(sql);
    if (stmt.ok()) {
      stmt_ = *stmt;
    } else {
      status_ = stmt.status();
    }
  }
  ~Query() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& Int(int64_t v) {
    return Check(stmt_ ? sqlite3_bind_int64(stmt_, next_++, v) : SQLITE_OK);
  }
  Query& Real(double v) {
    return Check(stmt_ ? sqlite3_bind_double(stmt_, next_++, v) : SQLITE_OK);
  }
  Query& Text(const std::string& v) {
    return Check(stmt_ ? sqlite3_bind_text64(stmt_, next_++, v.data(), v.size(),
                                             SQLITE_STATIC, SQLITE_UTF8)
                       : SQLITE_OK);
  }
  Query& Blob(const std::string& v) {
    return Check(stmt_ ? sqlite3_bind_blob64(stmt_, next_++, v.data(), v.size(),
                                             SQLITE_STATIC)
                       : SQLITE_OK);
  }

  // True when a row is ready, false when the statement is done.
  absl::StatusOr<bool> Step() {
    if (!status_.ok()) return status_;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    status_ = SqliteStatus(db_, rc, sql_);
    return status_;
  }
  // Steps to the end (a statement that returns no rows).
  absl::Status Run() {
    for (;;) {
      absl::StatusOr<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return absl::OkStatus();
    }
  }

  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  double ColumnReal(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string ColumnString(int i) const {
    const void* data = sqlite3_column_blob(stmt_, i);
    int size = sqlite3_column_bytes(stmt_, i);
    return data ? std::string(static_cast<const char*>(data), size) : "";
  }

 private:
  Query& Check(int rc) {
    if (rc != SQLITE_OK && status_.ok()) status_ = SqliteStatus(db_, rc, sql_);
    return *this;
  }

  sqlite3* db_;
  const char* sql_;
  sqlite3_stmt* stmt_ = nullptr;
  absl::Status status_;
  int next_ = 1;
};

// Runs `q` and turns each row into a T with `read`.
template <typename T, typename Read>
absl::StatusOr<std::vector<T>> Collect(Query& q, Read read) {
  std::vector<T> rows;
  for (;;) {
    IDR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return rows;
    rows.push_back(read(q));
  }
}

// Runs `q` and reads its first row with `read`, if any.
template <typename T, typename Read>
absl::StatusOr<std::optional<T>> First(Query& q, Read read) {
  IDR_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return std::optional<T>();
  return std::optional<T>(read(q));
}

// Column lists and readers, one per row type.
#define VALUE_COLUMNS "id, hash, field, value, keys, count"
ValueRow ToValueRow(const Query& q) {
  ValueRow row;
  row.id = q.ColumnInt(0);
  row.hash = ToUint(q.ColumnInt(1));
  row.field = static_cast<int32_t>(q.ColumnInt(2));
  row.value = q.ColumnString(3);
  row.keys = q.ColumnString(4);
  row.count = q.ColumnInt(5);
  return row;
}

#define RECORD_COLUMNS "id, source_id, customer, channel, seen_at, data, keys"
RecordRow ToRecordRow(const Query& q) {
  RecordRow row;
  row.id = q.ColumnInt(0);
  row.source_id = q.ColumnString(1);
  row.customer = q.ColumnInt(2);
  row.channel = static_cast<int32_t>(q.ColumnInt(3));
  row.seen_at = q.ColumnInt(4);
  row.data = q.ColumnString(5);
  row.keys = ParseKeys(q.ColumnString(6));
  return row;
}

#define CUSTOMER_COLUMNS "id, key, created_at, updated_at, size"
CustomerRow ToCustomerRow(const Query& q) {
  CustomerRow row;
  row.id = q.ColumnInt(0);
  row.key = q.ColumnString(1);
  row.created_at = q.ColumnInt(2);
  row.updated_at = q.ColumnInt(3);
  row.size = q.ColumnInt(4);
  return row;
}

#define LINK_COLUMNS "a, b, weight, rule, detail"
// A link's first four columns: all but its detail.
LinkRow ToLinkEdge(const Query& q) {
  LinkRow row;
  row.a = q.ColumnInt(0);
  row.b = q.ColumnInt(1);
  row.weight = q.ColumnReal(2);
  row.rule = static_cast<int32_t>(q.ColumnInt(3));
  return row;
}
LinkRow ToLinkRow(const Query& q) {
  LinkRow row = ToLinkEdge(q);
  row.detail = q.ColumnString(4);
  return row;
}

#define AUDIT_COLUMNS "seq, at, action, key, other_key, reason, detail, actor"
AuditRow ToAuditRow(const Query& q) {
  AuditRow row;
  row.seq = q.ColumnInt(0);
  row.at = q.ColumnInt(1);
  row.action = q.ColumnString(2);
  row.key = q.ColumnString(3);
  row.other_key = q.ColumnString(4);
  row.reason = q.ColumnString(5);
  row.detail = q.ColumnString(6);
  row.actor = q.ColumnString(7);
  return row;
}

#define REVIEW_COLUMNS "id, at, record, key, other_key, weight, reason"
ReviewRow ToReviewRow(const Query& q) {
  ReviewRow row;
  row.id = q.ColumnInt(0);
  row.at = q.ColumnInt(1);
  row.record = q.ColumnInt(2);
  row.key = q.ColumnString(3);
  row.other_key = q.ColumnString(4);
  row.weight = q.ColumnReal(5);
  row.reason = q.ColumnString(6);
  return row;
}

#define CHANGE_COLUMNS "seq, at, kind, key, other_key"
ChangeRow ToChangeRow(const Query& q) {
  ChangeRow row;
  row.seq = q.ColumnInt(0);
  row.at = q.ColumnInt(1);
  row.kind = q.ColumnString(2);
  row.key = q.ColumnString(3);
  row.other_key = q.ColumnString(4);
  return row;
}

std::string ReadString(const Query& q) { return q.ColumnString(0); }
int64_t ReadInt(const Query& q) { return q.ColumnInt(0); }

absl::StatusOr<int64_t> FileSize(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return static_cast<int64_t>(st.st_size);
  if (errno == ENOENT) return 0;
  return absl::UnavailableError(
      absl::StrCat("cannot stat ", path, ": ", std::strerror(errno)));
}

// Copies the WAL back into the database file on a thread of its own, with a
// connection of its own, so that the writer never waits for it: SQLite's
// automatic checkpoint would run inside the COMMIT that crosses its page
// count. PASSIVE: it never blocks a reader or the writer, and stops at the
// oldest snapshot a reader still holds.
class WalCheckpointer {
 public:
  explicit WalCheckpointer(std::string path) : path_(std::move(path)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~WalCheckpointer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

  // While the returned lock is held, no background checkpoint runs: SQLite
  // runs one checkpoint at a time and answers a second with SQLITE_BUSY.
  std::unique_lock<std::mutex> Hold() {
    return std::unique_lock<std::mutex>(running_mu_);
  }
  std::unique_lock<std::mutex> TryHold() {
    return std::unique_lock<std::mutex>(running_mu_, std::try_to_lock);
  }

  // Asks for a checkpoint (from the writer's commit; never blocks).
  void Request() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      wanted_ = true;
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_ptr<Database> db;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stop_ || wanted_; });
      if (stop_) return;
      wanted_ = false;
      lock.unlock();
      if (db == nullptr) {
        absl::StatusOr<std::unique_ptr<Database>> opened =
            Database::Open(path_, DatabaseOptions());
        if (opened.ok()) db = std::move(*opened);
      }
      // A busy or failed checkpoint is retried at the next request; the WAL
      // keeps every committed page meanwhile.
      if (db != nullptr) {
        std::lock_guard<std::mutex> running(running_mu_);
        sqlite3_wal_checkpoint_v2(db->handle(), nullptr,
                                  SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      }
      lock.lock();
    }
  }

  const std::string path_;
  std::mutex running_mu_;  // Held while a checkpoint runs.
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;  // Guarded by mu_.
  bool stop_ = false;    // Guarded by mu_.
  std::thread thread_;
};

class SqliteGraphStore : public GraphStore {
 public:
  SqliteGraphStore(std::unique_ptr<Database> db,
                   const SqliteGraphStoreOptions& options, bool reader)
      : db_(std::move(db)),
        h_(db_->handle()),
        stmts_(std::make_unique<StatementCache>(h_)),
        options_(options),
        reader_(reader) {}

  ~SqliteGraphStore() override {
    Rollback();
    stmts_.reset();  // Finalized before db_ closes the connection.
    checkpointer_.reset();  // Before the last connection closes.
  }

  // Applies the per-connection settings.
  absl::Status Configure() {
    IDR_RETURN_IF_ERROR(db_->Exec("PRAGMA secure_delete=ON"));
    IDR_RETURN_IF_ERROR(db_->Exec(absl::StrCat(
        "PRAGMA synchronous=",
        options_.sync == SqliteGraphStoreOptions::Sync::kFull ? "FULL"
                                                              : "NORMAL")));
    IDR_RETURN_IF_ERROR(
        db_->Exec(absl::StrCat("PRAGMA cache_size=-", options_.cache_kib)));
    // Reads through a memory map: no read() call and no copy per page.
    IDR_RETURN_IF_ERROR(db_->Exec(absl::StrCat(
        "PRAGMA mmap_size=", int64_t{options_.mmap_mib} << 20)));
    sqlite3_busy_timeout(h_, options_.busy_timeout_ms);
    if (!reader_ && options_.checkpoint_pages > 0) {
      // A WAL that grew while checkpoints lagged is cut back when it starts
      // over.
      IDR_RETURN_IF_ERROR(db_->Exec(absl::StrCat(
          "PRAGMA journal_size_limit=",
          int64_t{kWalPagesBeforeWaiting} * options_.checkpoint_pages * 4096)));
      // Replaces SQLite's automatic checkpoint on this connection.
      checkpointer_ = std::make_unique<WalCheckpointer>(db_->path());
      sqlite3_wal_hook(h_, &SqliteGraphStore::OnWalCommit, this);
    }
    return absl::OkStatus();
  }

  // SQLite's WAL hook: after each commit, with the WAL's size in pages.
  static int OnWalCommit(void* self, sqlite3* db, const char*, int pages) {
    auto* store = static_cast<SqliteGraphStore*>(self);
    const int wake = store->options_.checkpoint_pages;
    if (pages >= kWalPagesBeforeWaiting * wake) {
      // The background copy cannot keep up with this writer (the WAL only
      // starts over once a checkpoint has caught up before a write begins):
      // copy here, as SQLite's own automatic checkpoint would, so the WAL
      // stays bounded. Unless the background copy is running right now.
      // By then the background has copied all but the last commits' pages,
      // so this copy is short.
      std::unique_lock<std::mutex> idle = store->checkpointer_->TryHold();
      if (idle.owns_lock()) {
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                  nullptr, nullptr);
      }
    } else if (pages >= wake) {
      store->checkpointer_->Request();
    }
    return SQLITE_OK;
  }
  // 16: a 1,000-record batch into a 1M graph writes about 6,000 pages, so
  // at 4 the writer copied after every commit, 19% of its time; at 16 it
  // copies every third commit, and only what the background has not yet
  // (durable ingest +9-25%, docs/benchmarks.md). The WAL stays under 16
  // times checkpoint_pages (128 MB by default).
  static constexpr int kWalPagesBeforeWaiting = 16;

  absl::StatusOr<std::unique_ptr<GraphStore>> OpenReader() override {
    DatabaseOptions db_options;
    db_options.read_only = true;
    db_options.busy_timeout_ms = options_.busy_timeout_ms;
    IDR_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                         Database::Open(db_->path(), db_options));
    auto reader =
        std::make_unique<SqliteGraphStore>(std::move(db), options_, true);
    IDR_RETURN_IF_ERROR(reader->Configure());
    return std::unique_ptr<GraphStore>(std::move(reader));
  }

  // --- Transactions ---------------------------------------------------------
  absl::Status BeginWrite() override {
    if (reader_) {
      return absl::FailedPreconditionError("a reader connection cannot write");
    }
    if (in_tx_ || in_read_) {
      return absl::FailedPreconditionError("a transaction is already open");
    }
    Query q(*stmts_, "BEGIN IMMEDIATE");
    IDR_RETURN_IF_ERROR(q.Run());
    in_tx_ = true;
    next_ids_.clear();  // Another connection may have inserted since.
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    if (!in_tx_) {
      return absl::FailedPreconditionError("Commit without a transaction");
    }
    absl::Status s = CheckWrite();
    if (s.ok()) {
      Query q(*stmts_, "COMMIT");
      s = q.Run();
    }
    if (!s.ok()) {
      Rollback();
      return s;
    }
    in_tx_ = false;
    return absl::OkStatus();
  }

  void Rollback() override {
    if (!in_tx_) return;
    in_tx_ = false;
    // SQLite may already have rolled back after an I/O error.
    if (sqlite3_get_autocommit(h_)) return;
    Query q(*stmts_, "ROLLBACK");
    q.Run().IgnoreError();  // The connection's close rolls back at the latest.
  }

  absl::Status BeginRead() override {
    if (in_tx_ || in_read_) {
      return absl::FailedPreconditionError("a transaction is already open");
    }
    Query q(*stmts_, "BEGIN");
    IDR_RETURN_IF_ERROR(q.Run());
    in_read_ = true;
    return absl::OkStatus();
  }

  void EndRead() override {
    if (!in_read_) return;
    in_read_ = false;
    if (sqlite3_get_autocommit(h_)) return;
    Query q(*stmts_, "COMMIT");
    q.Run().IgnoreError();  // A read-only transaction has nothing to lose.
  }

  // --- Meta -----------------------------------------------------------------
  absl::StatusOr<std::optional<std::string>> GetMeta(
      const std::string& key) override {
    Query q(*stmts_, "SELECT value FROM meta WHERE key = ?");
    q.Text(key);
    return First<std::string>(q, ReadString);
  }

  absl::Status PutMeta(const std::string& key,
                       const std::string& value) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    q.Text(key).Blob(value);
    return q.Run();
  }

  // --- Values ---------------------------------------------------------------
  absl::StatusOr<int64_t> DataVersion() override {
    Query q(*stmts_, "PRAGMA data_version");
    IDR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return absl::InternalError("PRAGMA data_version gave no row");
    return q.ColumnInt(0);
  }

  absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> ValueHashes(
      int64_t after) override {
    Query q(*stmts_, "SELECT id, hash FROM value WHERE id > ? ORDER BY id");
    q.Int(after);
    std::vector<std::pair<int64_t, uint64_t>> hashes;
    for (;;) {
      IDR_ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) return hashes;
      hashes.emplace_back(q.ColumnInt(0), ToUint(q.ColumnInt(1)));
    }
  }

  absl::StatusOr<std::optional<ValueRow>> GetValue(int64_t id) override {
    Query q(*stmts_, "SELECT " VALUE_COLUMNS " FROM value WHERE id = ?");
    q.Int(id);
    return First<ValueRow>(q, ToValueRow);
  }

  absl::StatusOr<std::vector<ValueRow>> ValuesAfter(int64_t after,
                                                    int limit) override {
    Query q(*stmts_, "SELECT " VALUE_COLUMNS
                     " FROM value WHERE id > ? ORDER BY id LIMIT ?");
    q.Int(after).Int(limit);
    return Collect<ValueRow>(q, ToValueRow);
  }

  absl::StatusOr<int64_t> InsertValue(const ValueRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (row.count < 0) return absl::InvalidArgumentError("negative count");
    IDR_RETURN_IF_ERROR(CheckIdAhead("value", row.id));
    // A NULL id: SQLite assigns the next one.
    Query q(*stmts_,
            "INSERT INTO value (id, hash, field, count, value, keys) "
            "VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?)");
    q.Int(row.id).Int(ToInt(row.hash)).Int(row.field).Int(row.count);
    q.Text(row.value).Blob(row.keys);
    IDR_RETURN_IF_ERROR(q.Run());
    return Inserted("value");
  }

  absl::Status AddValueCount(int64_t id, int64_t delta) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (delta > 0) {  // An ingest's case: one statement, no read first.
      Query q(*stmts_, "UPDATE value SET count = count + ? WHERE id = ?");
      q.Int(delta).Int(id);
      return UpdateExisting(q, "value", id);
    }
    Query get(*stmts_, "SELECT count FROM value WHERE id = ?");
    get.Int(id);
    IDR_ASSIGN_OR_RETURN(std::optional<int64_t> count,
                         First<int64_t>(get, ReadInt));
    if (!count)
      return absl::InvalidArgumentError(absl::StrCat("no value ", id));
    if (*count + delta < 0) {
      return absl::InvalidArgumentError("value count would be negative");
    }
    if (*count + delta == 0) {
      Query q(*stmts_, "DELETE FROM value WHERE id = ?");
      q.Int(id);
      return q.Run();
    }
    Query q(*stmts_, "UPDATE value SET count = ? WHERE id = ?");
    q.Int(*count + delta).Int(id);
    return q.Run();
  }

  // --- Records --------------------------------------------------------------
  absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) override {
    Query q(*stmts_, "SELECT " RECORD_COLUMNS " FROM record WHERE id = ?");
    q.Int(id);
    return First<RecordRow>(q, ToRecordRow);
  }

  absl::StatusOr<std::optional<RecordRow>> FindRecord(
      const std::string& source_id) override {
    Query q(*stmts_,
            "SELECT " RECORD_COLUMNS " FROM record WHERE source_id = ?");
    q.Text(source_id);
    return First<RecordRow>(q, ToRecordRow);
  }

  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    IDR_RETURN_IF_ERROR(CheckIdAhead("record", row.id));
    // A NULL id: SQLite assigns the next one.
    Query q(*stmts_,
            "INSERT INTO record (id, source_id, customer, channel, seen_at, "
            "data, keys) VALUES (NULLIF(?, 0), ?, ?, ?, ?, ?, ?)");
    q.Int(row.id).Text(row.source_id).Int(row.customer).Int(row.channel);
    q.Int(row.seen_at);
    std::string keys;
    for (uint64_t key : row.keys) keys += KeyBytes(key);
    q.Blob(row.data).Blob(keys);
    IDR_RETURN_IF_ERROR(q.Run());
    return Inserted("record");
  }

  absl::StatusOr<int64_t> NextRecordId() override { return NextId("record"); }
  absl::StatusOr<int64_t> NextValueId() override { return NextId("value"); }

  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "UPDATE record SET customer = ? WHERE id = ?");
    q.Int(customer).Int(record);
    return UpdateExisting(q, "record", record);
  }

  absl::Status DeleteRecord(int64_t id) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    for (const char* sql :
         {"DELETE FROM link WHERE a = ?", "DELETE FROM link WHERE b = ?",
          "DELETE FROM record WHERE id = ?"}) {
      Query q(*stmts_, sql);
      q.Int(id);
      IDR_RETURN_IF_ERROR(q.Run());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<RecordRow>> RecordsOfCustomer(
      int64_t customer) override {
    Query q(*stmts_, "SELECT " RECORD_COLUMNS
                     " FROM record WHERE customer = ? ORDER BY id");
    q.Int(customer);
    return Collect<RecordRow>(q, ToRecordRow);
  }

  absl::StatusOr<int64_t> CustomerOfRecord(int64_t id) override {
    Query q(*stmts_, "SELECT customer FROM record WHERE id = ?");
    q.Int(id);
    absl::StatusOr<std::optional<int64_t>> customer =
        First<int64_t>(q, ReadInt);
    if (!customer.ok()) return customer.status();
    return customer->value_or(0);
  }

  absl::StatusOr<std::vector<int64_t>> RecordIdsOfCustomer(
      int64_t customer) override {
    Query q(*stmts_, "SELECT id FROM record WHERE customer = ? ORDER BY id");
    q.Int(customer);
    return Collect<int64_t>(q, [](const Query& r) { return r.ColumnInt(0); });
  }

  absl::Status ForEachRecord(
      const std::function<bool(const RecordRow&)>& visit) override {
    return VisitInBatches<RecordRow>(
        kRecordBatch,
        [this](const RecordRow* last) {
          Query q(*stmts_, "SELECT " RECORD_COLUMNS
                           " FROM record WHERE id > ? ORDER BY id LIMIT ?");
          q.Int(last ? last->id : 0).Int(kRecordBatch);
          return Collect<RecordRow>(q, ToRecordRow);
        },
        visit);
  }

  absl::Status ForEachRecordCustomer(
      const std::function<bool(int64_t, int64_t)>& visit) override {
    constexpr int kBatch = 4096;
    using Pair = std::pair<int64_t, int64_t>;  // (customer, record).
    return VisitInBatches<Pair>(
        kBatch,
        [this](const Pair* last) {
          // The index record_customer alone: (customer, rowid).
          Query q(*stmts_,
                  "SELECT customer, id FROM record WHERE (customer, id) > "
                  "(?, ?) ORDER BY customer, id LIMIT ?");
          q.Int(last ? last->first : std::numeric_limits<int64_t>::min())
              .Int(last ? last->second : 0)
              .Int(kBatch);
          return Collect<Pair>(q, [](const Query& r) {
            return Pair(r.ColumnInt(0), r.ColumnInt(1));
          });
        },
        [&](const Pair& p) { return visit(p.second, p.first); });
  }

  absl::StatusOr<int64_t> CountRecords() override {
    return Count("SELECT count(*) FROM record");
  }

  // --- Links ----------------------------------------------------------------
  absl::Status PutLink(const LinkRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (row.a >= row.b) return absl::InvalidArgumentError("link needs a < b");
    Query q(*stmts_, "INSERT OR REPLACE INTO link (" LINK_COLUMNS
                     ") VALUES (?, ?, ?, ?, ?)");
    q.Int(row.a).Int(row.b).Real(row.weight).Int(row.rule).Blob(row.detail);
    return q.Run();
  }

  absl::StatusOr<std::vector<LinkRow>> LinksOf(int64_t record) override {
    Query q(*stmts_, "SELECT " LINK_COLUMNS
                     " FROM link WHERE b = ?1 "
                     "UNION ALL SELECT " LINK_COLUMNS
                     " FROM link WHERE a = ?1 "
                     "ORDER BY 1, 2");
    q.Int(record);
    return Collect<LinkRow>(q, ToLinkRow);
  }

  absl::StatusOr<std::vector<LinkRow>> LinksFromCustomer(
      int64_t customer) override {
    Query q(*stmts_,
            "SELECT link.a, link.b, link.weight, link.rule, link.detail "
            "FROM record JOIN link ON link.a = record.id "
            // By record.id rather than link.a (the same): SQLite then sees
            // that its record_customer index already gives this order and
            // builds no temporary B-tree to sort (EXPLAIN QUERY PLAN).
            "WHERE record.customer = ? ORDER BY record.id, link.b");
    q.Int(customer);
    return Collect<LinkRow>(q, ToLinkRow);
  }

  absl::StatusOr<std::vector<LinkRow>> LinkEdgesFromCustomer(
      int64_t customer) override {
    Query q(*stmts_,
            "SELECT link.a, link.b, link.weight, link.rule "
            "FROM record JOIN link ON link.a = record.id "
            "WHERE record.customer = ? ORDER BY record.id, link.b");
    q.Int(customer);
    return Collect<LinkRow>(q, ToLinkEdge);
  }

  absl::Status ForEachLinkEdge(
      const std::function<bool(const LinkRow&)>& visit) override {
    constexpr int kLinkBatch = 4096;
    return VisitInBatches<LinkRow>(
        kLinkBatch,
        [this](const LinkRow* last) {
          Query q(*stmts_,
                  "SELECT a, b, weight, rule FROM link WHERE (a, b) > (?, ?) "
                  "ORDER BY a, b LIMIT ?");
          q.Int(last ? last->a : 0).Int(last ? last->b : 0).Int(kLinkBatch);
          return Collect<LinkRow>(q, ToLinkEdge);
        },
        visit);
  }

  absl::Status DeleteLink(int64_t a, int64_t b) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (a >= b) return absl::InvalidArgumentError("link needs a < b");
    Query q(*stmts_, "DELETE FROM link WHERE a = ? AND b = ?");
    q.Int(a).Int(b);
    return q.Run();
  }

  // --- Customers ------------------------------------------------------------
  absl::StatusOr<std::optional<CustomerRow>> GetCustomer(int64_t id) override {
    Query q(*stmts_, "SELECT " CUSTOMER_COLUMNS " FROM customer WHERE id = ?");
    q.Int(id);
    return First<CustomerRow>(q, ToCustomerRow);
  }

  absl::StatusOr<std::optional<CustomerRow>> FindCustomer(
      const std::string& key) override {
    Query q(*stmts_, "SELECT " CUSTOMER_COLUMNS " FROM customer WHERE key = ?");
    q.Text(key);
    return First<CustomerRow>(q, ToCustomerRow);
  }

  absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_,
            "INSERT INTO customer (key, created_at, updated_at, size) "
            "VALUES (?, ?, ?, ?)");
    q.Text(row.key).Int(row.created_at).Int(row.updated_at).Int(row.size);
    IDR_RETURN_IF_ERROR(q.Run());
    return sqlite3_last_insert_rowid(h_);
  }

  absl::Status ForEachCustomer(
      const std::function<bool(const CustomerRow&)>& visit) override {
    return VisitInBatches<CustomerRow>(
        kRecordBatch,
        [this](const CustomerRow* last) {
          Query q(*stmts_, "SELECT " CUSTOMER_COLUMNS
                           " FROM customer WHERE id > ? ORDER BY id LIMIT ?");
          q.Int(last ? last->id : 0).Int(kRecordBatch);
          return Collect<CustomerRow>(q, ToCustomerRow);
        },
        visit);
  }

  absl::Status UpdateCustomer(const CustomerRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_,
            "UPDATE customer SET updated_at = ?, size = ? WHERE id = ?");
    q.Int(row.updated_at).Int(row.size).Int(row.id);
    return UpdateExisting(q, "customer", row.id);
  }

  absl::Status DeleteCustomer(int64_t id) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "DELETE FROM customer WHERE id = ?");
    q.Int(id);
    return q.Run();
  }

  absl::StatusOr<int64_t> CountCustomers() override {
    return Count("SELECT count(*) FROM customer");
  }

  // --- Redirects ------------------------------------------------------------
  absl::Status PutRedirect(const std::string& old_key,
                           const std::string& new_key) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (old_key == new_key) {
      return absl::InvalidArgumentError("a key cannot redirect to itself");
    }
    Query q(*stmts_,
            "INSERT OR REPLACE INTO redirect (old_key, new_key) VALUES (?, ?)");
    q.Text(old_key).Text(new_key);
    return q.Run();
  }

  absl::StatusOr<std::optional<std::string>> GetRedirect(
      const std::string& old_key) override {
    Query q(*stmts_, "SELECT new_key FROM redirect WHERE old_key = ?");
    q.Text(old_key);
    return First<std::string>(q, ReadString);
  }

  absl::StatusOr<std::vector<std::string>> RedirectsTo(
      const std::string& new_key) override {
    Query q(*stmts_,
            "SELECT old_key FROM redirect WHERE new_key = ? ORDER BY old_key");
    q.Text(new_key);
    return Collect<std::string>(q, ReadString);
  }

  absl::Status DeleteRedirect(const std::string& old_key) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "DELETE FROM redirect WHERE old_key = ?");
    q.Text(old_key);
    return q.Run();
  }

  // --- Audit ----------------------------------------------------------------
  absl::StatusOr<int64_t> AppendAudit(const AuditRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_,
            "INSERT INTO audit (at, action, key, other_key, reason, detail, "
            "actor) VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.Int(row.at).Text(row.action).Text(row.key).Text(row.other_key);
    q.Text(row.reason).Text(row.detail).Text(row.actor);
    IDR_RETURN_IF_ERROR(q.Run());
    return sqlite3_last_insert_rowid(h_);
  }

  absl::StatusOr<std::vector<AuditRow>> ReadAudit(
      int64_t after, int limit, const std::string& key) override {
    if (limit <= 0) return std::vector<AuditRow>();
    if (key.empty()) {
      Query q(*stmts_, "SELECT " AUDIT_COLUMNS
                       " FROM audit WHERE seq > ? ORDER BY seq LIMIT ?");
      q.Int(after).Int(limit);
      return Collect<AuditRow>(q, ToAuditRow);
    }
    // One indexed search per column (the partial index needs its WHERE).
    Query q(*stmts_, "SELECT " AUDIT_COLUMNS
                     " FROM audit WHERE key = ?2 AND seq > ?1 "
                     "UNION SELECT " AUDIT_COLUMNS
                     " FROM audit "
                     "WHERE other_key = ?2 AND other_key <> '' AND seq > ?1 "
                     "ORDER BY 1 LIMIT ?3");
    q.Int(after).Text(key).Int(limit);
    return Collect<AuditRow>(q, ToAuditRow);
  }

  absl::Status RedactKey(const std::string& key,
                         const std::string& replacement) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (key.empty()) return absl::InvalidArgumentError("empty key");
    for (const char* sql :
         {"UPDATE audit SET key = ?2 WHERE key = ?1",
          "UPDATE audit SET other_key = ?2 WHERE other_key = ?1 AND "
          "other_key <> ''",
          // No index by key (schema version 6): one scan for both columns.
          "UPDATE change SET key = iif(key = ?1, ?2, key), "
          "other_key = iif(other_key = ?1, ?2, other_key) "
          "WHERE key = ?1 OR other_key = ?1"}) {
      Query q(*stmts_, sql);
      q.Text(key).Text(replacement);
      IDR_RETURN_IF_ERROR(q.Run());
    }
    return absl::OkStatus();
  }

  // --- Reviews --------------------------------------------------------------
  absl::StatusOr<int64_t> AddReview(const ReviewRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_,
            "INSERT INTO review (at, record, key, other_key, weight, reason) "
            "VALUES (?, ?, ?, ?, ?, ?)");
    q.Int(row.at).Int(row.record).Text(row.key).Text(row.other_key);
    q.Real(row.weight).Text(row.reason);
    IDR_RETURN_IF_ERROR(q.Run());
    return sqlite3_last_insert_rowid(h_);
  }

  absl::StatusOr<std::vector<ReviewRow>> ListReviews(int limit) override {
    if (limit <= 0) return std::vector<ReviewRow>();
    Query q(*stmts_,
            "SELECT " REVIEW_COLUMNS " FROM review ORDER BY id LIMIT ?");
    q.Int(limit);
    return Collect<ReviewRow>(q, ToReviewRow);
  }

  absl::Status DeleteReview(int64_t id) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "DELETE FROM review WHERE id = ?");
    q.Int(id);
    return q.Run();
  }

  absl::Status DeleteReviewsOf(const std::string& key) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    for (const char* sql : {"DELETE FROM review WHERE key = ?",
                            "DELETE FROM review WHERE other_key = ?"}) {
      Query q(*stmts_, sql);
      q.Text(key);
      IDR_RETURN_IF_ERROR(q.Run());
    }
    return absl::OkStatus();
  }

  absl::Status DeleteReviewsBetween(const std::string& key_a,
                                    const std::string& key_b) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    // By the index of `key`, once for each order.
    for (const auto& [key, other] :
         {std::pair(&key_a, &key_b), std::pair(&key_b, &key_a)}) {
      Query q(*stmts_, "DELETE FROM review WHERE key = ? AND other_key = ?");
      q.Text(*key).Text(*other);
      IDR_RETURN_IF_ERROR(q.Run());
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> CountReviews() override {
    return Count("SELECT count(*) FROM review");
  }

  // --- Separations ----------------------------------------------------------
  absl::Status PutSeparation(const std::string& key_a,
                             const std::string& key_b) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    if (key_a == key_b) {
      return absl::InvalidArgumentError(
          "a key cannot be separated from itself");
    }
    Query q(*stmts_, "INSERT OR IGNORE INTO separation (a, b) VALUES (?, ?)");
    q.Text(std::min(key_a, key_b)).Text(std::max(key_a, key_b));
    return q.Run();
  }

  absl::StatusOr<bool> IsSeparated(const std::string& key_a,
                                   const std::string& key_b) override {
    Query q(*stmts_, "SELECT 1 FROM separation WHERE a = ? AND b = ?");
    q.Text(std::min(key_a, key_b)).Text(std::max(key_a, key_b));
    return q.Step();
  }

  absl::StatusOr<std::vector<std::string>> SeparationsOf(
      const std::string& key) override {
    Query q(*stmts_,
            "SELECT b FROM separation WHERE a = ?1 "
            "UNION SELECT a FROM separation WHERE b = ?1 ORDER BY 1");
    q.Text(key);
    return Collect<std::string>(q, ReadString);
  }

  absl::Status DeleteSeparationsOf(const std::string& key) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    for (const char* sql : {"DELETE FROM separation WHERE a = ?",
                            "DELETE FROM separation WHERE b = ?"}) {
      Query q(*stmts_, sql);
      q.Text(key);
      IDR_RETURN_IF_ERROR(q.Run());
    }
    return absl::OkStatus();
  }

  // --- Tombstones -----------------------------------------------------------
  absl::Status PutTombstone(const std::string& hash) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "INSERT OR IGNORE INTO tombstone (hash) VALUES (?)");
    q.Blob(hash);
    return q.Run();
  }

  absl::StatusOr<bool> HasTombstone(const std::string& hash) override {
    Query q(*stmts_, "SELECT 1 FROM tombstone WHERE hash = ?");
    q.Blob(hash);
    return q.Step();
  }

  // --- Request results ------------------------------------------------------
  absl::StatusOr<std::optional<std::string>> GetRequestResult(
      const std::string& id) override {
    Query q(*stmts_, "SELECT result FROM request WHERE id = ?");
    q.Blob(id);
    return First<std::string>(q, ReadString);
  }

  absl::Status PutRequestResult(const std::string& id, int64_t at,
                                const std::string& result) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_,
            "INSERT OR IGNORE INTO request (id, at, result) VALUES (?, ?, ?)");
    q.Blob(id).Int(at).Blob(result);
    IDR_RETURN_IF_ERROR(q.Run());
    if (sqlite3_changes(h_) == 0) {
      return absl::AlreadyExistsError("request result already stored");
    }
    return absl::OkStatus();
  }

  absl::Status DeleteRequestResultsBefore(int64_t before) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(*stmts_, "DELETE FROM request WHERE at < ?");
    q.Int(before);
    return q.Run();
  }

  // --- Changes --------------------------------------------------------------
  absl::StatusOr<int64_t> AppendChange(const ChangeRow& row) override {
    IDR_RETURN_IF_ERROR(CheckWrite());
    Query q(
        *stmts_,
        "INSERT INTO change (at, kind, key, other_key) VALUES (?, ?, ?, ?)");
    q.Int(row.at).Text(row.kind).Text(row.key).Text(row.other_key);
    IDR_RETURN_IF_ERROR(q.Run());
    return sqlite3_last_insert_rowid(h_);
  }

  absl::StatusOr<std::vector<ChangeRow>> ReadChanges(int64_t after,
                                                     int limit) override {
    if (limit <= 0) return std::vector<ChangeRow>();
    Query q(*stmts_, "SELECT " CHANGE_COLUMNS
                     " FROM change WHERE seq > ? ORDER BY seq LIMIT ?");
    q.Int(after).Int(limit);
    return Collect<ChangeRow>(q, ToChangeRow);
  }

  absl::StatusOr<int64_t> LastChangeSeq() override {
    Query q(*stmts_, "SELECT coalesce(max(seq), 0) FROM change");
    absl::StatusOr<std::optional<int64_t>> seq = First<int64_t>(q, ReadInt);
    if (!seq.ok()) return seq.status();
    return seq->value_or(0);
  }

  // --- Maintenance ----------------------------------------------------------
  absl::Status Purge() override {
    if (in_tx_) {
      return absl::FailedPreconditionError("Purge inside a transaction");
    }
    // Copies the WAL into the file (whose deleted rows secure_delete zeroed)
    // and truncates it, so no old page image stays in the -wal file. The
    // background checkpointer waits meanwhile.
    std::unique_lock<std::mutex> exclusive;
    if (checkpointer_ != nullptr) exclusive = checkpointer_->Hold();
    Query q(*stmts_, "PRAGMA wal_checkpoint(TRUNCATE)");
    IDR_ASSIGN_OR_RETURN(bool row, q.Step());
    if (row && q.ColumnInt(0) != 0) {
      return absl::UnavailableError(
          "checkpoint blocked by another connection; Purge again");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> SizeBytes() override {
    IDR_ASSIGN_OR_RETURN(int64_t db, FileSize(db_->path()));
    IDR_ASSIGN_OR_RETURN(int64_t wal, FileSize(db_->path() + "-wal"));
    return db + wal;
  }

 private:
  // Runs an UPDATE of the row `id` of `table`: INVALID_ARGUMENT when there
  // is no such row.
  absl::Status UpdateExisting(Query& update, absl::string_view table,
                              int64_t id) {
    IDR_RETURN_IF_ERROR(update.Run());
    if (sqlite3_changes(h_) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("no ", table, " ", id));
    }
    return absl::OkStatus();
  }

  // The next id of an AUTOINCREMENT table: SQLite keeps the largest id
  // ever used there, deleted or not.
  // In a write transaction only this connection inserts: once read, the
  // next id is kept (next_ids_) until the transaction ends, so that rows
  // inserted under ids taken ahead cost no read each.
  absl::StatusOr<int64_t> NextId(const char* table) {
    const std::string name = table;  // Bound without a copy: outlives q.
    if (in_tx_) {
      auto known = next_ids_.find(name);
      if (known != next_ids_.end()) return known->second;
    }
    Query q(*stmts_, "SELECT seq FROM sqlite_sequence WHERE name = ?");
    q.Text(name);
    absl::StatusOr<std::optional<int64_t>> last = First<int64_t>(q, ReadInt);
    if (!last.ok()) return last.status();
    const int64_t next = last->value_or(0) + 1;
    if (in_tx_) next_ids_[name] = next;
    return next;
  }
  // After an insert into `table`: its id, which was the next one or one
  // taken ahead above it, so the next is one more.
  int64_t Inserted(const char* table) {
    const int64_t id = sqlite3_last_insert_rowid(h_);
    if (in_tx_) next_ids_[table] = id + 1;
    return id;
  }
  // OK for an id of 0 (assigned by SQLite) or one taken ahead.
  absl::Status CheckIdAhead(const char* table, int64_t id) {
    if (id == 0) return absl::OkStatus();
    absl::StatusOr<int64_t> next = NextId(table);
    if (!next.ok()) return next.status();
    if (id < *next) {
      return absl::InvalidArgumentError(absl::StrCat(
          table, " id ", id, " is below the next id ", *next));
    }
    return absl::OkStatus();
  }

  absl::Status CheckWrite() const {
    if (!in_tx_) {
      return absl::FailedPreconditionError("write outside a transaction");
    }
    // After some I/O errors SQLite rolls the transaction back itself; a
    // write now would run outside it.
    if (sqlite3_get_autocommit(h_)) {
      return absl::UnavailableError(
          "the transaction was rolled back after an error");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<int64_t> Count(const char* sql) {
    Query q(*stmts_, sql);
    IDR_ASSIGN_OR_RETURN(std::optional<int64_t> n, First<int64_t>(q, ReadInt));
    return n.value_or(0);
  }

  std::unique_ptr<Database> db_;
  sqlite3* h_;
  std::unique_ptr<StatementCache> stmts_;
  const SqliteGraphStoreOptions options_;
  const bool reader_;
  std::unique_ptr<WalCheckpointer> checkpointer_;  // Writer only.
  bool in_tx_ = false;
  bool in_read_ = false;  // Between BeginRead and EndRead.
  // Table -> its next id, known in the open write transaction (NextId).
  absl::flat_hash_map<std::string, int64_t> next_ids_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<GraphStore>> OpenSqliteGraphStore(
    const std::string& path, const SqliteGraphStoreOptions& options) {
  DatabaseOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.busy_timeout_ms = options.busy_timeout_ms;
  IDR_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                       Database::Open(path, db_options));
  auto store =
      std::make_unique<SqliteGraphStore>(std::move(db), options, false);
  IDR_RETURN_IF_ERROR(store->Configure());
  return std::unique_ptr<GraphStore>(std::move(store));
}

}  // namespace idr::storage
