#include "identity/prepared_value_cache.h"

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

matching::PreparedColumn Column(const std::string& value) {
  matching::PreparedColumn column;
  column.column = "family_name";
  column.ids = {0};
  column.values = {value};
  column.counts = {1};
  return column;
}

TEST(PreparedValueCacheTest, FindsWhatWasAddedByFieldAndRawValue) {
  PreparedValueCache cache(10);
  EXPECT_EQ(cache.Find(1, "張"), nullptr);
  cache.Add(1, "張", Column("zhang"));
  cache.Add(2, "張", Column("other field"));
  const matching::PreparedColumn* found = cache.Find(1, "張");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->values, (std::vector<std::string>{"zhang"}));
  ASSERT_NE(cache.Find(2, "張"), nullptr);
  EXPECT_EQ(cache.Find(2, "張")->values[0], "other field");
  EXPECT_EQ(cache.Find(1, "张"), nullptr);  // Another raw value.
  EXPECT_EQ(cache.Find(3, "張"), nullptr);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(PreparedValueCacheTest, EmptiesWhenFullAndWhenWiped) {
  PreparedValueCache cache(2);
  cache.Add(0, "a", Column("a"));
  cache.Add(0, "b", Column("b"));
  EXPECT_EQ(cache.size(), 2u);
  cache.Add(0, "c", Column("c"));  // Full: starts afresh.
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find(0, "a"), nullptr);
  ASSERT_NE(cache.Find(0, "c"), nullptr);
  cache.Wipe();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.Find(0, "c"), nullptr);
  PreparedValueCache none(0);  // Holds nothing.
  none.Add(0, "a", Column("a"));
  EXPECT_EQ(none.Find(0, "a"), nullptr);
}

}  // namespace
}  // namespace idr::identity
