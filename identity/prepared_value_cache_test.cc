#include "identity/prepared_value_cache.h"

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
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
  EXPECT_FALSE(cache.Find(1, "張").has_value());
  cache.Add(1, "張", Column("zhang"));
  cache.Add(2, "張", Column("other field"));
  std::optional<matching::PreparedColumn> found = cache.Find(1, "張");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->values, (std::vector<std::string>{"zhang"}));
  ASSERT_TRUE(cache.Find(2, "張").has_value());
  EXPECT_EQ(cache.Find(2, "張")->values[0], "other field");
  EXPECT_FALSE(cache.Find(1, "张").has_value());  // Another raw value.
  EXPECT_FALSE(cache.Find(3, "張").has_value());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(PreparedValueCacheTest, EmptiesWhenFullAndWhenWiped) {
  PreparedValueCache cache(2);
  cache.Add(0, "a", Column("a"));
  cache.Add(0, "b", Column("b"));
  EXPECT_EQ(cache.size(), 2u);
  cache.Add(0, "c", Column("c"));  // Full: starts afresh.
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.Find(0, "a").has_value());
  ASSERT_TRUE(cache.Find(0, "c").has_value());
  cache.Wipe();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find(0, "c").has_value());
  PreparedValueCache none(0);  // Holds nothing.
  none.Add(0, "a", Column("a"));
  EXPECT_FALSE(none.Find(0, "a").has_value());
}

// The writer and the helper thread both prepare records of a batch.
TEST(PreparedValueCacheTest, ThreadsMayShareIt) {
  PreparedValueCache cache(64);  // Small: threads also empty it.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string raw = absl::StrCat("v", (i * 7 + t) % 100);
        std::optional<matching::PreparedColumn> found = cache.Find(0, raw);
        if (found.has_value()) {
          EXPECT_EQ(found->values[0], raw);
        } else {
          cache.Add(0, raw, Column(raw));
        }
        if (i % 500 == 0 && t == 0) cache.Wipe();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(cache.size(), 64u);
}

}  // namespace
}  // namespace idr::identity
