#include "identity/block_index.h"

#include <thread>

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

std::vector<int64_t> Members(const BlockIndex& index, uint64_t key,
                             bool* oversized) {
  return index.Find(key, oversized);
}

TEST(BlockIndexTest, AddFindRemove) {
  BlockIndex index(100, 3);
  bool oversized = true;
  EXPECT_TRUE(Members(index, 7, &oversized).empty());
  EXPECT_FALSE(oversized);
  index.Add(7, 3);
  index.Add(7, 1);
  index.Add(7, 3);  // A repeat.
  index.Add(~uint64_t{0}, 3);
  EXPECT_EQ(Members(index, 7, &oversized), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(Members(index, ~uint64_t{0}, &oversized),
            (std::vector<int64_t>{3}));
  EXPECT_EQ(index.keys(), 2u);
  index.Remove(7, 3);
  index.Remove(7, 42);  // Not there.
  EXPECT_EQ(Members(index, 7, &oversized), (std::vector<int64_t>{1}));
  index.Remove(7, 1);
  EXPECT_EQ(index.keys(), 1u);  // An emptied block goes.
}

TEST(BlockIndexTest, ABlockOfCapRecordsOrMoreIsOversized) {
  BlockIndex index(4, 3);
  bool oversized = false;
  for (int64_t r = 1; r <= 3; ++r) index.Add(5, r);
  EXPECT_EQ(Members(index, 5, &oversized).size(), 3u);
  EXPECT_FALSE(oversized);
  index.Add(5, 4);  // The fourth record: as many as the cap.
  EXPECT_TRUE(Members(index, 5, &oversized).empty());
  EXPECT_TRUE(oversized);
  EXPECT_EQ(index.oversized(), 1u);
  index.Remove(5, 4);  // Back under the cap (a rolled-back record).
  EXPECT_EQ(Members(index, 5, &oversized).size(), 3u);
  EXPECT_FALSE(oversized);
}

TEST(BlockIndexTest, KeepsEachRecordsValueIds) {
  BlockIndex index(100, 3);
  std::vector<int64_t> ids = {9, 9, 9};
  EXPECT_FALSE(index.GetValues(1, &ids));  // Nothing kept yet.
  index.SetValues(5, {11, 0, 12});
  index.SetValues(1, {1, 2, 3});           // Below an earlier record.
  EXPECT_FALSE(index.GetValues(3, &ids));  // Between kept records.
  EXPECT_FALSE(index.GetValues(6, &ids));  // Past the last.
  EXPECT_FALSE(index.GetValues(-1, &ids));
  ASSERT_TRUE(index.GetValues(5, &ids));
  EXPECT_EQ(ids, (std::vector<int64_t>{11, 0, 12}));
  ASSERT_TRUE(index.GetValues(1, &ids));
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3}));
  index.SetValues(1, {4, 5, 6});  // Replaces.
  ASSERT_TRUE(index.GetValues(1, &ids));
  EXPECT_EQ(ids, (std::vector<int64_t>{4, 5, 6}));
  index.RemoveValues(1);
  EXPECT_FALSE(index.GetValues(1, &ids));
  // Ids past 32 bits, or of another shape, are not kept: the caller reads
  // the record instead.
  index.SetValues(5, {int64_t{1} << 40, 1, 1});
  EXPECT_FALSE(index.GetValues(5, &ids));
  index.SetValues(7, {1, 2});
  EXPECT_FALSE(index.GetValues(7, &ids));
  // A prefetch of ids kept or not (run under ASan: nothing out of bounds)
  // changes nothing.
  index.SetValues(2, {7, 8, 9});
  index.PrefetchValues({2, 5, 6, 7, 1'000'000, -3, 0});
  ASSERT_TRUE(index.GetValues(2, &ids));
  EXPECT_EQ(ids, (std::vector<int64_t>{7, 8, 9}));
}

// Run under TSan: readers while a writer adds.
TEST(BlockIndexTest, ReadersWhileAWriterAdds) {
  BlockIndex index(1000, 3);
  std::thread reader([&] {
    bool oversized = false;
    size_t seen = 0;
    while (seen < 500) {
      const size_t now = index.Find(1, &oversized).size();
      EXPECT_GE(now, seen);
      seen = now;
    }
  });
  std::thread values_reader([&] {
    std::vector<int64_t> ids;
    for (int64_t r = 0; r < 500; ++r) {
      while (!index.GetValues(r, &ids)) {
      }
      EXPECT_EQ(ids, (std::vector<int64_t>{r, 0, r + 1}));
    }
  });
  for (int64_t r = 0; r < 500; ++r) {
    index.Add(1, r);
    index.SetValues(r, {r, 0, r + 1});
  }
  reader.join();
  values_reader.join();
}

}  // namespace
}  // namespace idr::identity
