// An in-memory GraphStore, for tests.
//
// All connections from one NewMemoryGraphStore (the first and those from
// OpenReader) share one graph behind an absl::Mutex, so every method may run
// on its own thread. Unlike SQLite there is no snapshot isolation: a reader
// sees the writer's uncommitted writes as soon as they are made, and sees
// them vanish on Rollback.
//
// One connection at a time may hold the write transaction: BeginWrite on
// another is UNAVAILABLE while it is open (SQLite's SQLITE_BUSY), and on a
// reader connection it is FAILED_PRECONDITION. Rollback replays an undo
// journal, so the graph (ids handed out included) is exactly as it was at
// BeginWrite. Ids are never reused. Destroying a connection with an open
// transaction rolls it back. Purge does nothing; SizeBytes is an estimate.

#ifndef IDR_STORAGE_MEMORY_GRAPH_STORE_H_
#define IDR_STORAGE_MEMORY_GRAPH_STORE_H_

#include <memory>

#include "storage/graph_store.h"

namespace idr::storage {

// A new, empty in-memory graph and its first (read-write) connection.
std::unique_ptr<GraphStore> NewMemoryGraphStore();

}  // namespace idr::storage

#endif  // IDR_STORAGE_MEMORY_GRAPH_STORE_H_
