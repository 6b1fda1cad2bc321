#include "storage/database.h"

#include <sqlite3.h>

#include <functional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace idr::storage {
namespace {

// The identity graph's tables (schema version 2). Hashes and blocking keys
// are uint64 stored as int64 bit casts. AUTOINCREMENT: ids and sequence
// numbers are never reused, even after the newest row is deleted.
constexpr char kGraphSchema[] = R"sql(
CREATE TABLE value (
  id    INTEGER PRIMARY KEY AUTOINCREMENT,
  hash  INTEGER NOT NULL,
  field INTEGER NOT NULL,
  count INTEGER NOT NULL,
  value TEXT NOT NULL,
  keys  BLOB NOT NULL
);
CREATE INDEX value_hash ON value(hash);

CREATE TABLE record (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id TEXT NOT NULL UNIQUE,
  customer  INTEGER NOT NULL,
  channel   INTEGER NOT NULL,
  seen_at   INTEGER NOT NULL,
  data      BLOB NOT NULL,
  keys      BLOB NOT NULL DEFAULT x''
);
CREATE INDEX record_customer ON record(customer);

CREATE TABLE block (
  key    INTEGER NOT NULL,
  record INTEGER NOT NULL,
  PRIMARY KEY (key, record)
) WITHOUT ROWID;

CREATE TABLE link (
  a      INTEGER NOT NULL,
  b      INTEGER NOT NULL,
  weight REAL NOT NULL,
  rule   INTEGER NOT NULL,
  detail BLOB NOT NULL,
  PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX link_b ON link(b);

CREATE TABLE customer (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  key        TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  size       INTEGER NOT NULL
);

CREATE TABLE redirect (
  old_key TEXT PRIMARY KEY,
  new_key TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX redirect_new_key ON redirect(new_key);

CREATE TABLE audit (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  action    TEXT NOT NULL,
  key       TEXT NOT NULL,
  other_key TEXT NOT NULL,
  reason    TEXT NOT NULL,
  detail    TEXT NOT NULL
);
CREATE INDEX audit_key ON audit(key);
CREATE INDEX audit_other_key ON audit(other_key) WHERE other_key <> '';

CREATE TABLE review (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  record    INTEGER NOT NULL,
  key       TEXT NOT NULL,
  other_key TEXT NOT NULL,
  weight    REAL NOT NULL,
  reason    TEXT NOT NULL
);
CREATE INDEX review_key ON review(key);
CREATE INDEX review_other_key ON review(other_key);

CREATE TABLE separation (
  a TEXT NOT NULL,
  b TEXT NOT NULL,
  PRIMARY KEY (a, b)
) WITHOUT ROWID;
CREATE INDEX separation_b ON separation(b);

CREATE TABLE tombstone (
  hash BLOB PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE change (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  key       TEXT NOT NULL,
  other_key TEXT NOT NULL
);
CREATE INDEX change_key ON change(key);
CREATE INDEX change_other_key ON change(other_key) WHERE other_key <> '';
)sql";

// Migration i takes the schema from version i to version i + 1.
using Migration = std::function<absl::Status(Database&)>;

const std::vector<Migration>& Migrations() {
  static const auto* migrations = new std::vector<Migration>{
      // 0 -> 1: the meta table.
      [](Database& db) -> absl::Status {
        absl::Status s = db.Exec(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) "
            "WITHOUT ROWID");
        if (!s.ok()) return s;
        return db.Exec(
            absl::StrCat("INSERT INTO meta(key, value) VALUES ('created_at', '",
                         absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now(),
                                          absl::UTCTimeZone()),
                         "'), ('created_by', 'idr')"));
      },
      // 1 -> 2: the identity graph (sqlite_graph_store.h documents it).
      [](Database& db) -> absl::Status { return db.Exec(kGraphSchema); },
      // 2 -> 3: results of requests with a request_id (idempotent retries);
      // the block table goes: the engine indexes blocking keys in memory,
      // from the keys each record row keeps.
      [](Database& db) -> absl::Status {
        return db.Exec(
            "CREATE TABLE request (id BLOB PRIMARY KEY, at INTEGER NOT NULL, "
            "result BLOB NOT NULL) WITHOUT ROWID;"
            "CREATE INDEX request_at ON request (at);"
            "DROP TABLE block;");
      },
      // 3 -> 4: the index of value hashes goes: the engine keeps its own in
      // memory (a new value was a random B-tree insert into it, 30% of the
      // pages an ingest wrote at a million records).
      [](Database& db) -> absl::Status {
        return db.Exec("DROP INDEX IF EXISTS value_hash;");
      },
      // 4 -> 5: who asked for a manual merge, unmerge or forget (the API's
      // `actor`); empty for what the engine did on its own. Kept request
      // results go: the engine now keeps each with its audit entry, and a
      // retry within their 24 hours gets a fresh answer.
      [](Database& db) -> absl::Status {
        return db.Exec(
            "ALTER TABLE audit ADD COLUMN actor TEXT NOT NULL DEFAULT '';"
            "DELETE FROM request;");
      },
      // 5 -> 6: the change outbox loses its indexes by key. Every ingested
      // record appends a change, and its key's place in the index is random:
      // 1,250 of the 5,400 pages a batch of 1,000 records dirtied in a 1M
      // graph, and 47 bytes per record. Only Forget looked changes up by
      // key; it scans the outbox instead (0.2 s at 1.3M changes).
      [](Database& db) -> absl::Status {
        return db.Exec(
            "DROP INDEX IF EXISTS change_key;"
            "DROP INDEX IF EXISTS change_other_key;");
      },
  };
  return *migrations;
}

absl::Status SqliteError(sqlite3* db, int rc, const std::string& what) {
  std::string message =
      absl::StrCat(what, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return absl::FailedPreconditionError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> Database::Open(
    const std::string& path, const DatabaseOptions& options) {
  if (path.empty()) {
    return absl::InvalidArgumentError("database path is empty");
  }
  const bool create = options.create_if_missing && !options.read_only;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        (rc == SQLITE_CANTOPEN && !create)
            ? absl::NotFoundError(absl::StrCat("no database at ", path))
            : SqliteError(nullptr, rc, absl::StrCat("cannot open ", path));
    sqlite3_close(raw);
    return status;
  }
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);

  // The first read of the header tells a non-database file apart. A reader
  // only checks the mode (setting it may need the write lock).
  absl::StatusOr<std::string> mode = db->QueryText(
      options.read_only ? "PRAGMA journal_mode" : "PRAGMA journal_mode=WAL");
  if (!mode.ok()) {
    return absl::Status(
        mode.status().code(),
        absl::StrCat(path, " is not usable as an idr database (",
                     mode.status().message(), ")"));
  }
  if (*mode != "wal") {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": cannot enable WAL mode (got ", *mode, ")"));
  }
  if (options.read_only) {
    absl::StatusOr<int> version = db->SchemaVersion();
    if (!version.ok()) return version.status();
    if (*version != kSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, " has schema version ", *version, "; a reader needs ",
          kSchemaVersion, " (open it for writing first)"));
    }
    absl::Status s = db->Exec("PRAGMA query_only=1");
    if (!s.ok()) return s;
    return db;
  }
  absl::Status s = db->Exec("PRAGMA synchronous=NORMAL");
  if (!s.ok()) return s;
  s = db->Migrate();
  if (!s.ok()) return s;
  return db;
}

Database::~Database() { sqlite3_close(db_); }

absl::Status Database::Exec(const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  absl::Status status = SqliteError(db_, rc, path_);
  sqlite3_free(error);
  return status;
}

absl::StatusOr<std::string> Database::QueryText(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, path_);
  std::string value;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    if (text != nullptr) value = reinterpret_cast<const char*>(text);
    rc = sqlite3_step(stmt);
  } else if (rc == SQLITE_DONE) {
    sqlite3_finalize(stmt);
    return absl::NotFoundError("no row");
  }
  absl::Status status =
      rc == SQLITE_DONE ? absl::OkStatus() : SqliteError(db_, rc, path_);
  sqlite3_finalize(stmt);
  if (!status.ok()) return status;
  return value;
}

absl::StatusOr<int> Database::SchemaVersion() {
  absl::StatusOr<std::string> text = QueryText("PRAGMA user_version");
  if (!text.ok()) return text.status();
  int version = 0;
  if (!absl::SimpleAtoi(*text, &version)) {
    return absl::InternalError(absl::StrCat("bad user_version: ", *text));
  }
  return version;
}

absl::StatusOr<std::string> Database::JournalMode() {
  return QueryText("PRAGMA journal_mode");
}

absl::StatusOr<std::string> Database::GetMeta(const std::string& key) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = ?", -1,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, path_);
  sqlite3_bind_text(stmt, 1, key.data(), static_cast<int>(key.size()),
                    SQLITE_TRANSIENT);
  rc = sqlite3_step(stmt);
  absl::StatusOr<std::string> result;
  if (rc == SQLITE_ROW) {
    result = std::string(
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
  } else if (rc == SQLITE_DONE) {
    result = absl::NotFoundError(absl::StrCat("no meta value '", key, "'"));
  } else {
    result = SqliteError(db_, rc, path_);
  }
  sqlite3_finalize(stmt);
  return result;
}

absl::Status Database::Migrate() {
  const std::vector<Migration>& migrations = Migrations();
  static_assert(kSchemaVersion >= 1);
  if (static_cast<int>(migrations.size()) != kSchemaVersion) {
    return absl::InternalError("migration list does not match kSchemaVersion");
  }
  // One migration per transaction. IMMEDIATE takes the write lock before the
  // version is read, so two processes opening a new file cannot both run it.
  for (;;) {
    absl::Status s = Exec("BEGIN IMMEDIATE");
    if (!s.ok()) return s;
    absl::StatusOr<int> version = SchemaVersion();
    if (!version.ok()) s = version.status();
    if (s.ok() && *version > kSchemaVersion) {
      s = absl::FailedPreconditionError(absl::StrCat(
          path_, " has schema version ", *version, "; this idr reads up to ",
          kSchemaVersion, " (upgrade idr)"));
    }
    if (s.ok() && *version == kSchemaVersion) return Exec("COMMIT");
    if (s.ok()) s = migrations[*version](*this);
    if (s.ok()) s = Exec(absl::StrCat("PRAGMA user_version = ", *version + 1));
    if (s.ok()) s = Exec("COMMIT");
    if (!s.ok()) {
      Exec("ROLLBACK").IgnoreError();
      return s;
    }
  }
}

}  // namespace idr::storage
