#include "storage/cached_graph_store.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/memory_graph_store.h"
#include "storage/sqlite_graph_store.h"

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

// Another process deletes a cached record: the next write transaction must
// not be served the old row.
TEST(CachedGraphStoreSharedFileTest, AnotherConnectionsCommitDropsTheCache) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/cached.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  CachedGraphStore mine(*OpenSqliteGraphStore(path));
  std::unique_ptr<GraphStore> theirs = *OpenSqliteGraphStore(path);
  ASSERT_TRUE(mine.BeginWrite().ok());
  RecordRow row;
  row.source_id = "a";
  row.customer = 1;
  const int64_t id = *mine.InsertRecord(row);
  ASSERT_TRUE(mine.Commit().ok());
  ASSERT_TRUE(mine.BeginWrite().ok());  // Its own commit keeps the cache.
  const int64_t hits = mine.hits();
  EXPECT_TRUE((*mine.GetRecord(id)).has_value());
  EXPECT_EQ(mine.hits(), hits + 1);
  mine.Rollback();
  ASSERT_TRUE(mine.BeginWrite().ok());
  EXPECT_TRUE((*mine.GetRecord(id)).has_value());  // Cached again.
  ASSERT_TRUE(mine.Commit().ok());

  ASSERT_TRUE(theirs->BeginWrite().ok());
  ASSERT_TRUE(theirs->DeleteRecord(id).ok());
  ASSERT_TRUE(theirs->Commit().ok());
  ASSERT_TRUE(mine.BeginWrite().ok());
  EXPECT_FALSE((*mine.GetRecord(id)).has_value());
  ASSERT_TRUE(mine.Commit().ok());
}

}  // namespace
}  // namespace idr::storage
