// The embedded default GraphStore: one SQLite file (storage/database.h opens
// it, turns on WAL and migrates it).
//
// On-disk schema, version 6 (PRAGMA user_version = 6; version 1 had only the
// meta table; migration 1 -> 2 in database.cc creates the graph's tables,
// 2 -> 3 the request table and drops version 2's block table, 3 -> 4 drops
// the index value_hash, 4 -> 5 adds audit.actor, 5 -> 6 drops the change
// outbox's indexes by key):
//
//   meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID
//       GetMeta/PutMeta, and 'created_at'/'created_by' from version 1. Values
//       written by PutMeta are stored as BLOBs (they may be binary).
//   value (id INTEGER PRIMARY KEY AUTOINCREMENT, hash INTEGER, field INTEGER,
//          count INTEGER, value TEXT, keys BLOB)
//       No index of `hash`: the engine keeps one in memory (ValueHashes), and
//       keeps (hash, field, value) unique itself (versions 2 and 3 had
//       INDEX value_hash, one random B-tree write per new value).
//   record (id INTEGER PRIMARY KEY AUTOINCREMENT, source_id TEXT UNIQUE,
//           customer INTEGER, channel INTEGER, seen_at INTEGER, data BLOB,
//           keys BLOB)
//       UNIQUE autoindex (source_id); INDEX record_customer (customer).
//       `keys` is the record's blocking keys, 8 bytes little-endian each
//       (RecordRow::keys): the engine indexes them in memory, so no table
//       indexes them on disk (version 2 had one, `block`).
//   link (a INTEGER, b INTEGER, weight REAL, rule INTEGER, detail BLOB,
//         PRIMARY KEY (a, b)) WITHOUT ROWID; INDEX link_b (b).
//   customer (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT UNIQUE,
//             created_at INTEGER, updated_at INTEGER, size INTEGER)
//       UNIQUE autoindex (key).
//   redirect (old_key TEXT PRIMARY KEY, new_key TEXT) WITHOUT ROWID;
//       INDEX redirect_new_key (new_key).
//   audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, action TEXT,
//          key TEXT, other_key TEXT, reason TEXT, detail TEXT,
//          actor TEXT (version 5))
//       INDEX audit_key (key); INDEX audit_other_key (other_key) WHERE
//       other_key <> ''.
//   review (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, record INTEGER,
//           key TEXT, other_key TEXT, weight REAL, reason TEXT)
//       INDEX review_key (key); INDEX review_other_key (other_key).
//   separation (a TEXT, b TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID, a < b;
//       INDEX separation_b (b).
//   tombstone (hash BLOB PRIMARY KEY) WITHOUT ROWID.
//   request (id BLOB PRIMARY KEY, at INTEGER, result BLOB) WITHOUT ROWID;
//       INDEX request_at (at). The result of a Merge, Unmerge or Forget
//       given a request_id, under a keyed hash of it (version 3).
//   change (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, kind TEXT,
//           key TEXT, other_key TEXT)
//       No index by key (versions 2 to 5 had change_key and
//       change_other_key, a random B-tree write per ingested record):
//       RedactKey scans the table.
//   sqlite_sequence: SQLite's own, the last id of each AUTOINCREMENT table.
// Every column is NOT NULL. uint64 hashes and keys are stored as int64 bit
// casts. Ids and sequence numbers are never reused.
//
// Connection settings: journal_mode=WAL, secure_delete=ON (deleted rows are
// overwritten with zeros), synchronous=FULL unless options say NORMAL. A
// write transaction is BEGIN IMMEDIATE. Statements are prepared once per
// connection and reused. The writer's WAL is checkpointed by a background
// thread (checkpoint_pages), not inside its commits. Erasure: after a delete,
// Purge() checkpoints and truncates the WAL (PRAGMA wal_checkpoint(TRUNCATE))
// so old page images leave the -wal file too; what remains of a forgotten
// record is only its keyed-hash tombstone. docs/storage.md has the details.

#ifndef IDR_STORAGE_SQLITE_GRAPH_STORE_H_
#define IDR_STORAGE_SQLITE_GRAPH_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "storage/graph_store.h"

namespace idr::storage {

struct SqliteGraphStoreOptions {
  // Create the file when it does not exist (else NOT_FOUND). Default: true.
  bool create_if_missing = true;
  // kFull: a committed transaction survives power loss (fsync per commit).
  // kNormal: it survives a crash of the process; the last commits may be
  // lost on power loss, but the file stays consistent. Faster.
  enum class Sync { kFull, kNormal };
  Sync sync = Sync::kFull;
  // How long a connection waits for another's lock before UNAVAILABLE.
  int busy_timeout_ms = 5000;
  // Page cache per connection, in KiB (SQLite's default is 2000).
  int cache_kib = 32 * 1024;
  // Bytes of the file read through a memory map, in MiB (0 = none). The
  // map is shared by all connections (the OS page cache). Default: 4096.
  int mmap_mib = 4096;
  // A commit that leaves the WAL at this many pages or more wakes a
  // background thread that copies it into the database file (a PASSIVE
  // checkpoint on a connection of its own), so writers do not wait for
  // checkpoints; at 16 times as many (the copy lagging behind) the writer
  // copies itself, so the WAL stays bounded. 0: SQLite's own automatic
  // checkpoint (1000 pages), run by the committing writer. Default: 2000
  // (one batch of 1,000 records into a 1M graph writes about 4,000 pages:
  // the copy then runs every other batch and copies a page written by both
  // once; on the disk +12% durable ingest against 1000, docs/benchmarks.md).
  int checkpoint_pages = 2000;
};

// Opens (creating and migrating as needed) the graph in the SQLite file at
// `path`. Errors are those of Database::Open (database.h).
absl::StatusOr<std::unique_ptr<GraphStore>> OpenSqliteGraphStore(
    const std::string& path, const SqliteGraphStoreOptions& options = {});

}  // namespace idr::storage

#endif  // IDR_STORAGE_SQLITE_GRAPH_STORE_H_
