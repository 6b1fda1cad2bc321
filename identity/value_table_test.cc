#include "identity/value_table.h"

#include <thread>

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

StoredValue Value(int64_t id, int32_t field, std::string text,
                  std::vector<uint64_t> keys, int64_t count) {
  StoredValue v;
  v.id = id;
  v.field = field;
  v.value = std::move(text);
  v.keys = std::move(keys);
  v.count = count;
  return v;
}

TEST(ValueTableTest, AnswersNothingUntilLoaded) {
  ValueTable table;
  table.Put(Value(1, 0, "ana", {}, 1));
  StoredValue out;
  EXPECT_FALSE(table.loaded());
  EXPECT_FALSE(table.Get(1, &out));
  table.MarkLoaded();
  EXPECT_TRUE(table.loaded());
  ASSERT_TRUE(table.Get(1, &out));
  EXPECT_EQ(out.value, "ana");
}

TEST(ValueTableTest, GetCopiesWhatWasPut) {
  ValueTable table;
  table.Put(Value(3, 2, "王小明", {7, 8, 9}, 4));
  table.Put(Value(1, 1, "lee@example.com", {}, 1));
  table.MarkLoaded();
  StoredValue out;
  ASSERT_TRUE(table.Get(3, &out));
  EXPECT_EQ(out.id, 3);
  EXPECT_EQ(out.field, 2);
  EXPECT_EQ(out.value, "王小明");
  EXPECT_EQ(out.keys, (std::vector<uint64_t>{7, 8, 9}));
  EXPECT_EQ(out.count, 4);
  ASSERT_TRUE(table.Get(1, &out));
  EXPECT_EQ(out.value, "lee@example.com");
  EXPECT_TRUE(out.keys.empty());     // Not the previous value's keys.
  EXPECT_FALSE(table.Get(2, &out));  // A hole between ids.
  EXPECT_FALSE(table.Get(4, &out));  // Past the end.
  EXPECT_FALSE(table.Get(0, &out));
  EXPECT_FALSE(table.Get(-1, &out));
  EXPECT_EQ(table.size(), 2u);
  // A prefetch of ids held or not (run under ASan: nothing out of bounds)
  // changes nothing.
  table.Prefetch({3, 2, 4, 0, -1, 1'000'000, 1});
  ASSERT_TRUE(table.Get(3, &out));
  EXPECT_EQ(out.value, "王小明");
  EXPECT_EQ(table.size(), 2u);
}

TEST(ValueTableTest, CountsChangeAndAValueReachingZeroIsErased) {
  ValueTable table;
  table.Put(Value(5, 0, "x", {1}, 2));
  table.MarkLoaded();
  table.AddCount(5, 3);
  StoredValue out;
  ASSERT_TRUE(table.Get(5, &out));
  EXPECT_EQ(out.count, 5);
  table.AddCount(5, -5);
  EXPECT_FALSE(table.Get(5, &out));
  EXPECT_EQ(table.size(), 0u);
  table.AddCount(5, 1);  // Not held: stays out.
  table.AddCount(99, 1);
  EXPECT_FALSE(table.Get(5, &out));
}

TEST(ValueTableTest, PutReplacesAndEraseRemoves) {
  ValueTable table;
  table.Put(Value(2, 0, "old", {1, 2}, 1));
  table.Put(Value(2, 1, "new", {3}, 6));
  table.MarkLoaded();
  StoredValue out;
  ASSERT_TRUE(table.Get(2, &out));
  EXPECT_EQ(out.value, "new");
  EXPECT_EQ(out.keys, (std::vector<uint64_t>{3}));
  EXPECT_EQ(out.count, 6);
  EXPECT_EQ(table.size(), 1u);
  table.Erase(2);
  EXPECT_FALSE(table.Get(2, &out));
  EXPECT_EQ(table.size(), 0u);
}

TEST(ValueTableTest, WhatDoesNotFitASlotIsLeftToTheStore) {
  ValueTable table;
  table.Put(Value(1, 0, std::string(70000, 'a'), {}, 1));
  table.Put(Value(2, 0, "many keys", std::vector<uint64_t>(300, 1), 1));
  table.Put(Value(3, 0, "zero count", {}, 0));
  table.MarkLoaded();
  StoredValue out;
  EXPECT_FALSE(table.Get(1, &out));
  EXPECT_FALSE(table.Get(2, &out));
  EXPECT_FALSE(table.Get(3, &out));
  EXPECT_EQ(table.size(), 0u);
}

TEST(ValueTableTest, UnloadEmptiesIt) {
  ValueTable table;
  table.Put(Value(1, 0, "ana", {}, 1));
  table.MarkLoaded();
  table.Unload();
  StoredValue out;
  EXPECT_FALSE(table.loaded());
  EXPECT_FALSE(table.Get(1, &out));
  EXPECT_EQ(table.size(), 0u);
}

TEST(ValueTableTest, ReadersRunBesideAWriter) {
  ValueTable table;
  table.Put(Value(1, 0, "steady", {4}, 1));
  table.MarkLoaded();
  std::thread writer([&] {
    for (int i = 2; i < 2000; ++i) {
      table.Put(Value(i, 0, "v" + std::to_string(i), {1, 2}, 1));
      table.AddCount(1, 1);
    }
  });
  int64_t last = 0;
  for (int i = 0; i < 2000; ++i) {
    StoredValue out;
    ASSERT_TRUE(table.Get(1, &out));
    EXPECT_EQ(out.value, "steady");
    EXPECT_GE(out.count, last);  // Counts only grow here.
    last = out.count;
  }
  writer.join();
  StoredValue out;
  ASSERT_TRUE(table.Get(1, &out));
  EXPECT_EQ(out.count, 1999);  // 1 + one per Put.
  ASSERT_TRUE(table.Get(1999, &out));
  EXPECT_EQ(out.value, "v1999");
}

}  // namespace
}  // namespace idr::identity
