// The embedded SQLite database that holds the identity graph.
//
// This is the foundation layer: it opens or creates the database file, puts it
// in WAL mode and brings its schema up to date by running the migrations in
// order. Version 2 adds the identity graph's tables, version 3 the request
// results, version 4 drops the value hash index and version 5 adds the
// audit log's actor, documented with the GraphStore that uses them
// (sqlite_graph_store.h, docs/storage.md).
//
// On-disk schema, version 1:
//   PRAGMA user_version = 1            -- the schema version
//   PRAGMA journal_mode = WAL          -- readers never block the writer
//   CREATE TABLE meta (                -- facts about the database itself
//     key   TEXT PRIMARY KEY,          -- 'created_at', 'created_by'
//     value TEXT NOT NULL
//   ) WITHOUT ROWID;
//
// Migrations are code (database.cc, kMigrations): migration i takes the schema
// from version i to i + 1 inside one transaction, so a crash mid-migration
// leaves the previous version intact. A database written by a newer idr (a
// higher user_version than this build knows) is refused rather than guessed at.

#ifndef IDR_STORAGE_DATABASE_H_
#define IDR_STORAGE_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;

namespace idr::storage {

// The schema version this build writes and reads.
inline constexpr int kSchemaVersion = 6;

struct DatabaseOptions {
  // Create the file when it does not exist. When false, a missing file is
  // NOT_FOUND. Default: true.
  bool create_if_missing = true;
  // How long a statement waits for another connection's lock before failing
  // with SQLITE_BUSY. Default: 5 s.
  int busy_timeout_ms = 5000;
  // Open an existing database for reading only: no migration (the file must
  // already be at kSchemaVersion, else FAILED_PRECONDITION) and
  // PRAGMA query_only, so writes fail. Opening never takes the write lock,
  // so it works while another connection is writing. Default: false.
  bool read_only = false;
};

// One open connection to an idr database file. Not thread-safe: use one
// Database per thread (SQLite's WAL mode lets them read concurrently).
class Database {
 public:
  // Opens `path`, creating it if allowed, and migrates it to kSchemaVersion.
  // Errors: INVALID_ARGUMENT for an empty path; NOT_FOUND when the file is
  // missing and create_if_missing is false; FAILED_PRECONDITION for a file
  // that is not an idr/SQLite database or has a newer schema; UNAVAILABLE when
  // the file cannot be opened or written (permissions, missing directory).
  static absl::StatusOr<std::unique_ptr<Database>> Open(
      const std::string& path, const DatabaseOptions& options = {});

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // The schema version stored in the file (kSchemaVersion after Open).
  absl::StatusOr<int> SchemaVersion();

  // The journal mode SQLite reports ("wal" after Open).
  absl::StatusOr<std::string> JournalMode();

  // The value stored under `key` in the meta table; NOT_FOUND if absent.
  absl::StatusOr<std::string> GetMeta(const std::string& key);

  // Runs SQL that returns no rows (DDL, PRAGMAs). For migrations and tests.
  absl::Status Exec(const std::string& sql);

  // The path the database was opened with.
  const std::string& path() const { return path_; }

  // The SQLite connection, for the stores built on this database. Owned by
  // this object; valid until it is destroyed.
  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  absl::Status Migrate();
  absl::StatusOr<std::string> QueryText(const std::string& sql);

  sqlite3* db_;
  std::string path_;
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_DATABASE_H_
