// The graph's committed values in memory, by id: what scoring reads of each
// candidate's values (the normalised text, name keys and record count)
// without a store read. At a million records an ingest read a few hundred
// values from SQLite per record (12% of its time), and a resolve by name
// and birth date a quarter of its time.
//
// The engine loads the table from the store once (Put for each value, then
// MarkLoaded), under its write lock so no commit of its own runs meanwhile,
// and then applies what each of its commits changed (Put, AddCount) after
// the commit: the table never holds what a transaction has not committed.
// A reader may so see a count one commit newer than its snapshot; a value
// the table lacks (not loaded yet, or committed but not applied yet) is read
// from the store.
//
// Compact: a slot of 20 bytes per value id (ids are the store's dense row
// ids) beside one arena of text and one of name keys. The 1.5 million
// values of a million `idr gen` records (24 MB of text) take 30 MB of
// slots; loading them grew the process's heap by 29 MB (RssAnon). An erased
// value's text is overwritten in the arena (its bytes are not reused until
// the engine restarts).
//
// Thread-safe: any number of readers (Get) with writers serialised by a
// reader-writer lock.

#ifndef IDR_IDENTITY_VALUE_TABLE_H_
#define IDR_IDENTITY_VALUE_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <vector>

namespace idr::identity {

// A value as stored, with its name keys decoded.
struct StoredValue {
  int64_t id = 0;
  int32_t field = 0;
  std::string value;
  std::vector<uint64_t> keys;
  int64_t count = 0;
};

class ValueTable {
 public:
  // Whether the table holds the graph's values: set by MarkLoaded, cleared
  // by Unload.
  bool loaded() const;
  // Copies value `id` into *out; false when the table does not hold it (or
  // is not loaded).
  bool Get(int64_t id, StoredValue* out) const;
  // Asks the CPU to fetch these values into its cache, ahead of Get on
  // each: their slots first, then their text and keys (each a random read
  // from main memory, which the CPU then makes in parallel).
  void Prefetch(const std::vector<int64_t>& ids) const;

  // Adds (or replaces) a value. `value.count` must be at least 1.
  void Put(const StoredValue& value);
  // Adds `delta` to a held value's count; a count reaching 0 erases it. A
  // value the table does not hold is left alone.
  void AddCount(int64_t id, int64_t delta);
  // Erases a value: its text is overwritten.
  void Erase(int64_t id);
  // After the values were Put: the table now answers Get.
  void MarkLoaded();
  // Empties the table and frees its memory; Get answers false until the
  // next MarkLoaded.
  void Unload();

  // Values held.
  size_t size() const;

 private:
  struct Slot {
    uint32_t text_at = 0;
    uint32_t keys_at = 0;
    uint16_t text_size = 0;
    uint8_t key_count = 0;
    bool held = false;
    int32_t field = 0;
    int32_t count = 0;
  };
  void EraseLocked(Slot& slot);  // mu_ held exclusively.

  mutable std::shared_mutex mu_;
  bool loaded_ = false;         // Guarded by mu_.
  std::vector<Slot> slots_;     // By id. Guarded by mu_.
  std::string text_;            // Guarded by mu_.
  std::vector<uint64_t> keys_;  // Guarded by mu_.
  size_t size_ = 0;             // Guarded by mu_.
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_VALUE_TABLE_H_
