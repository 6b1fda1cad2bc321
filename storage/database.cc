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
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create_if_missing) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status =
        (rc == SQLITE_CANTOPEN && !options.create_if_missing)
            ? absl::NotFoundError(absl::StrCat("no database at ", path))
            : SqliteError(nullptr, rc, absl::StrCat("cannot open ", path));
    sqlite3_close(raw);
    return status;
  }
  std::unique_ptr<Database> db(new Database(raw, path));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);

  // The first read of the header tells a non-database file apart.
  absl::StatusOr<std::string> mode = db->QueryText("PRAGMA journal_mode=WAL");
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
