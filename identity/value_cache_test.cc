#include "identity/value_cache.h"

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"
#include "identity/record_codec.h"
#include "identity/value_table.h"
#include "storage/memory_graph_store.h"

namespace idr::identity {
namespace {

class ValueCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = storage::NewMemoryGraphStore();
    ASSERT_TRUE(store_->BeginWrite().ok());
  }

  // Stores a value and returns its id.
  int64_t Store(const std::string& text, int64_t count,
                const std::vector<uint64_t>& keys = {}) {
    storage::ValueRow row;
    row.hash = std::hash<std::string>()(text);
    row.field = 3;
    row.value = text;
    row.keys = EncodeKeyHashes(keys);
    row.count = count;
    absl::StatusOr<int64_t> id = store_->InsertValue(row);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }

  std::unique_ptr<storage::GraphStore> store_;
  ValueTable table_;  // Not loaded unless a test loads it.
};

TEST_F(ValueCacheTest, ReadsTheStoreOnceAndAnswersFromMemory) {
  const int64_t id = Store("wang.fang@163.com", 2, {7, 9});
  ValueCache cache(store_.get(), &table_);
  absl::StatusOr<const StoredValue*> first = cache.Get(id);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->value, "wang.fang@163.com");
  EXPECT_EQ((*first)->field, 3);
  EXPECT_EQ((*first)->count, 2);
  EXPECT_EQ((*first)->keys, (std::vector<uint64_t>{7, 9}));
  // Changed in the store behind its back: the cache still answers.
  ASSERT_TRUE(store_->AddValueCount(id, 5).ok());
  absl::StatusOr<const StoredValue*> again = cache.Get(id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ((*again)->count, 2);
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(ValueCacheTest, InsertedValuesAreReadFromMemoryTheRestFromTheStoreSet) {
  // The transaction's own inserts, as the engine keeps them (by id).
  std::vector<StoredValue> inserted(2);
  inserted[0].id = Store("li.na@qq.com", 1, {4});
  inserted[0].field = 3;
  inserted[0].value = "li.na@qq.com";
  inserted[0].keys = {4};
  inserted[0].count = 1;
  inserted[1].id = Store("+8613800138000", 1);
  inserted[1].field = 3;
  inserted[1].value = "+8613800138000";
  inserted[1].count = 1;
  const int64_t elsewhere = Store("zhou.jie@126.com", 3);
  absl::flat_hash_map<int64_t, int64_t> unwritten = {{inserted[1].id, 2}};
  // Reading through another connection (a reader's, which does not see
  // the open transaction): the inserted values still come from memory.
  std::unique_ptr<storage::GraphStore> empty = storage::NewMemoryGraphStore();
  ValueCache cache(empty.get(), &table_, nullptr, &unwritten, &inserted);
  // The store is changed behind the cache: what it answers came from memory.
  ASSERT_TRUE(store_->AddValueCount(inserted[0].id, 10).ok());
  absl::StatusOr<const StoredValue*> first = cache.Get(inserted[0].id);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->value, "li.na@qq.com");
  EXPECT_EQ((*first)->keys, (std::vector<uint64_t>{4}));
  EXPECT_EQ((*first)->count, 1);
  absl::StatusOr<const StoredValue*> second = cache.Lookup(inserted[1].id);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->count, 3);  // Inserted with 1, then 2 unwritten.
  // Not in memory, nor in the store read: none.
  absl::StatusOr<const StoredValue*> not_read = cache.Lookup(elsewhere);
  ASSERT_TRUE(not_read.ok()) << not_read.status();
  EXPECT_EQ(*not_read, nullptr);
  EXPECT_EQ(cache.size(), 2u);
  cache.SetStore(store_.get());
  absl::StatusOr<const StoredValue*> read = cache.Lookup(elsewhere);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ((*read)->value, "zhou.jie@126.com");
}

TEST_F(ValueCacheTest, WipeOverwritesTheTextItsEntriesHeld) {
  const int64_t id = Store("chen.jie@qq.com", 1, {5});
  ValueCache cache(store_.get(), &table_);
  absl::StatusOr<const StoredValue*> value = cache.Get(id);
  ASSERT_TRUE(value.ok()) << value.status();
  // The entry stays in the cache's pool for reuse (a pointer handed out is
  // no longer valid to callers, but the memory is still the cache's).
  const StoredValue* entry = *value;
  const size_t length = entry->value.size();
  cache.Wipe();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(entry->value, std::string(length, '\0'));
  EXPECT_EQ(entry->keys, (std::vector<uint64_t>{0}));
  absl::StatusOr<const StoredValue*> again = cache.Get(id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->value, "chen.jie@qq.com");  // Read afresh.
}

TEST_F(ValueCacheTest, MissingValueIsNullForLookupAndDataLossForGet) {
  ValueCache cache(store_.get(), &table_);
  absl::StatusOr<const StoredValue*> looked = cache.Lookup(42);
  ASSERT_TRUE(looked.ok());
  EXPECT_EQ(*looked, nullptr);
  EXPECT_EQ(cache.Get(42).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(ValueCacheTest,
       TableValuesSeeThePendingChangesAndStoreValuesTheUnwritten) {
  const int64_t in_table = Store("138 0013 8000", 4);
  const int64_t in_store = Store("+86 10 6552 9988", 1);
  StoredValue held;
  held.id = in_table;
  held.field = 3;
  held.value = "138 0013 8000";
  held.count = 4;
  table_.Put(held);
  table_.MarkLoaded();
  // The open transaction: +2 on the table's value (already written to the
  // store, so not unwritten), +3 on the store's (not written yet).
  absl::flat_hash_map<int64_t, int64_t> pending = {{in_table, 2},
                                                   {in_store, 3}};
  absl::flat_hash_map<int64_t, int64_t> unwritten = {{in_store, 3}};
  ValueCache cache(store_.get(), &table_, &pending, &unwritten);
  EXPECT_EQ((*cache.Get(in_table))->count, 6);
  EXPECT_EQ((*cache.Get(in_store))->count, 4);
  // A Forget in the transaction took the table's value to 0: gone.
  absl::flat_hash_map<int64_t, int64_t> erased = {{in_table, -4}};
  ValueCache after_forget(store_.get(), &table_, &erased);
  EXPECT_EQ(*after_forget.Lookup(in_table), nullptr);
}

TEST_F(ValueCacheTest, AddCountKeepsEntriesRightAndClearStartsAfresh) {
  const int64_t id = Store("Zhang Wei", 1);
  ValueCache cache(store_.get(), &table_);
  ASSERT_TRUE(cache.Get(id).ok());
  cache.AddCount(id, 2);
  EXPECT_EQ((*cache.Get(id))->count, 3);
  cache.AddCount(id, -3);  // Gone: read again from the store.
  EXPECT_EQ((*cache.Get(id))->count, 1);
  ASSERT_TRUE(store_->AddValueCount(id, 1).ok());
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ((*cache.Get(id))->count, 2);
}

// Entries are pooled: after Clear a new value reuses an old entry, and none
// of the old one's text or keys shows through.
TEST_F(ValueCacheTest, ReusedEntriesHoldOnlyTheirOwnValue) {
  const int64_t long_name = Store("Ouyang Xiuying of Guangzhou", 1, {1, 2, 3});
  const int64_t short_name = Store("Li", 1);
  ValueCache cache(store_.get(), &table_);
  ASSERT_TRUE(cache.Get(long_name).ok());
  cache.Clear();
  absl::StatusOr<const StoredValue*> reused = cache.Get(short_name);
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ((*reused)->id, short_name);
  EXPECT_EQ((*reused)->value, "Li");
  EXPECT_TRUE((*reused)->keys.empty());
  // A miss hands its entry back: the next value does not skip a slot's
  // contents either.
  EXPECT_EQ(*cache.Lookup(999), nullptr);
  absl::StatusOr<const StoredValue*> next = cache.Get(long_name);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)->value, "Ouyang Xiuying of Guangzhou");
  EXPECT_EQ((*next)->keys, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ((*cache.Get(short_name))->value, "Li");
}

}  // namespace
}  // namespace idr::identity
