#include "identity/value_hash_index.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

using Ids = ValueHashIndex::Ids;

TEST(ValueHashIndexTest, FindsIdsByHashInIdOrderAndForgetsRemovedOnes) {
  ValueHashIndex index;
  EXPECT_TRUE(index.Find(7).empty());
  index.Add(7, 30);
  index.Add(7, 10);  // A collision: two values, one hash.
  index.Add(7, 30);  // A repeat.
  index.Add(~0ull, 20);
  EXPECT_EQ(index.Find(7), (Ids{10, 30}));
  EXPECT_EQ(index.Find(~0ull), (Ids{20}));
  EXPECT_EQ(index.size(), 3u);
  index.Remove(7, 10);
  index.Remove(7, 99);  // Not there.
  index.Remove(8, 30);  // Not under this hash.
  EXPECT_EQ(index.Find(7), (Ids{30}));
  index.Remove(7, 30);
  EXPECT_TRUE(index.Find(7).empty());
  EXPECT_EQ(index.size(), 1u);
}

TEST(ValueHashIndexTest, AddAllAddsEveryPairAndReturnsTheLastId) {
  ValueHashIndex index;
  EXPECT_EQ(index.AddAll({}, 7), 7);
  EXPECT_EQ(index.AddAll({{3, 50}, {4, 50}, {9, 60}}, 0), 9);
  EXPECT_EQ(index.AddAll({{4, 50}}, 0), 4);  // A repeat.
  EXPECT_EQ(index.Find(50), (Ids{3, 4}));
  EXPECT_EQ(index.Find(60), (Ids{9}));
  EXPECT_EQ(index.size(), 3u);
}

// One writer with readers (run under TSan too).
TEST(ValueHashIndexTest, ReadersSeeWholeEntriesWhileAWriterAdds) {
  ValueHashIndex index;
  std::thread writer([&] {
    for (int64_t id = 1; id <= 20000; ++id) index.Add(id % 100, id);
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        for (int64_t id : index.Find(i % 100)) {
          ASSERT_EQ(id % 100, i % 100);
        }
      }
    });
  }
  writer.join();
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(index.size(), 20000u);
  EXPECT_EQ(index.Find(5).size(), 200u);
}

}  // namespace
}  // namespace idr::identity
