#include "storage/cached_graph_store.h"

#include "gtest/gtest.h"
#include "storage/memory_graph_store.h"

namespace idr::storage {
namespace {

class CachedGraphStoreTest : public ::testing::Test {
 protected:
  CachedGraphStoreTest() : store_(NewMemoryGraphStore()) {}

  int64_t AddRecord(const std::string& source_id, int64_t customer) {
    EXPECT_TRUE(store_.BeginWrite().ok());
    RecordRow row;
    row.source_id = source_id;
    row.customer = customer;
    absl::StatusOr<int64_t> id = store_.InsertRecord(row);
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(store_.Commit().ok());
    return id.ok() ? *id : 0;
  }

  CachedGraphStore store_;
};

TEST_F(CachedGraphStoreTest, ServesRepeatedReadsAndFollowsWrites) {
  const int64_t id = AddRecord("a", 1);
  ASSERT_EQ((*store_.GetRecord(id))->customer, 1);
  const int64_t hits = store_.hits();
  ASSERT_EQ((*store_.GetRecord(id))->source_id, "a");
  EXPECT_EQ(store_.hits(), hits + 1);
  ASSERT_TRUE(store_.BeginWrite().ok());
  ASSERT_TRUE(store_.SetRecordCustomer(id, 7).ok());
  EXPECT_EQ((*store_.GetRecord(id))->customer, 7);
  ASSERT_TRUE(store_.Commit().ok());
  // The store below agrees.
  EXPECT_EQ((*store_.inner()->GetRecord(id))->customer, 7);
  ASSERT_TRUE(store_.BeginWrite().ok());
  ASSERT_TRUE(store_.DeleteRecord(id).ok());
  EXPECT_FALSE(store_.GetRecord(id)->has_value());
  ASSERT_TRUE(store_.Commit().ok());
}

TEST_F(CachedGraphStoreTest, RollbackForgetsTheTransactionsRows) {
  const int64_t id = AddRecord("a", 1);
  ASSERT_TRUE(store_.GetRecord(id).ok());
  ASSERT_TRUE(store_.BeginWrite().ok());
  ASSERT_TRUE(store_.SetRecordCustomer(id, 9).ok());
  RecordRow row;
  row.source_id = "b";
  row.customer = 9;
  absl::StatusOr<int64_t> added = store_.InsertRecord(row);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ((*store_.GetRecord(id))->customer, 9);
  store_.Rollback();
  EXPECT_EQ((*store_.GetRecord(id))->customer, 1);
  EXPECT_FALSE(store_.GetRecord(*added)->has_value());
}

TEST(CachedGraphStoreBoundTest, StartsAfreshWhenFull) {
  CachedGraphStore store(NewMemoryGraphStore(), /*max_rows=*/2);
  ASSERT_TRUE(store.BeginWrite().ok());
  std::vector<int64_t> ids;
  for (const char* s : {"a", "b", "c"}) {
    RecordRow row;
    row.source_id = s;
    row.customer = 1;
    ids.push_back(*store.InsertRecord(row));
  }
  ASSERT_TRUE(store.Commit().ok());
  for (int64_t id : ids) EXPECT_TRUE(store.GetRecord(id)->has_value());
}

}  // namespace
}  // namespace idr::storage
