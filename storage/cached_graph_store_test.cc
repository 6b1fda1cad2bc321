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

std::string Str(const std::vector<LinkRow>& links) {
  std::string out;
  for (const LinkRow& l : links) absl::StrAppend(&out, l.a, "-", l.b, " ");
  return out;
}

// The mirror's answers against the store's own, for customers 1..n.
void ExpectMirrorAgrees(CachedGraphStore& store, int64_t customers) {
  for (int64_t id = 0; id < 10; ++id) {
    EXPECT_EQ(*store.CustomerOfRecord(id),
              *store.inner()->CustomerOfRecord(id));
  }
  for (int64_t c = 1; c <= customers; ++c) {
    EXPECT_EQ(*store.RecordIdsOfCustomer(c),
              *store.inner()->RecordIdsOfCustomer(c));
    EXPECT_EQ(Str(*store.LinkEdgesFromCustomer(c)),
              Str(*store.inner()->LinkEdgesFromCustomer(c)));
  }
}

TEST(CachedGraphStoreMirrorTest, AnswersInsideWritesAndFollowsThem) {
  CachedGraphStore store(NewMemoryGraphStore(),
                         CachedGraphStore::kDefaultMaxRows,
                         /*mirror_max_records=*/100);
  ASSERT_TRUE(store.BeginWrite().ok());
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    RecordRow row;
    row.source_id = absl::StrCat("r", i);
    row.customer = 1 + i % 2;
    ids.push_back(*store.InsertRecord(row));
  }
  ASSERT_TRUE(store.PutLink({ids[0], ids[2], 5.0, 1, "x"}).ok());
  ASSERT_TRUE(store.PutLink({ids[2], ids[4], 6.0, 1, "x"}).ok());
  ASSERT_TRUE(store.PutLink({ids[1], ids[3], 7.0, 1, "x"}).ok());
  ASSERT_TRUE(store.Commit().ok());
  EXPECT_FALSE(store.mirrored());  // Not outside a write transaction.
  EXPECT_EQ(*store.RecordIdsOfCustomer(1),
            (std::vector<int64_t>{ids[0], ids[2], ids[4]}));
  EXPECT_EQ(store.mirror_loads(), 0);

  ASSERT_TRUE(store.BeginWrite().ok());
  EXPECT_EQ(*store.RecordIdsOfCustomer(1),
            (std::vector<int64_t>{ids[0], ids[2], ids[4]}));
  EXPECT_EQ(store.mirror_loads(), 1);
  EXPECT_EQ(Str(*store.LinkEdgesFromCustomer(1)),
            absl::StrCat(ids[0], "-", ids[2], " ", ids[2], "-", ids[4], " "));
  // Every write it follows.
  ASSERT_TRUE(store.SetRecordCustomer(ids[2], 2).ok());
  ASSERT_TRUE(store.PutLink({ids[0], ids[4], 9.0, -2, "y"}).ok());
  ASSERT_TRUE(store.PutLink({ids[1], ids[3], 8.0, 1, "z"}).ok());  // Replaced.
  ASSERT_TRUE(store.DeleteLink(ids[2], ids[4]).ok());
  ASSERT_TRUE(store.DeleteRecord(ids[3]).ok());  // And its link to ids[1].
  ExpectMirrorAgrees(store, 3);
  EXPECT_EQ(*store.RecordIdsOfCustomer(2),
            (std::vector<int64_t>{ids[1], ids[2], ids[5]}));
  ASSERT_TRUE(store.Commit().ok());
  // Its own commit keeps the mirror.
  ASSERT_TRUE(store.BeginWrite().ok());
  ExpectMirrorAgrees(store, 3);
  EXPECT_EQ(store.mirror_loads(), 1);
  // A rollback drops it: the next read loads the store's state again.
  ASSERT_TRUE(store.SetRecordCustomer(ids[0], 3).ok());
  EXPECT_EQ(*store.RecordIdsOfCustomer(3), (std::vector<int64_t>{ids[0]}));
  store.Rollback();
  EXPECT_FALSE(store.mirrored());
  ASSERT_TRUE(store.BeginWrite().ok());
  EXPECT_TRUE(store.RecordIdsOfCustomer(3)->empty());
  ExpectMirrorAgrees(store, 3);
  EXPECT_EQ(store.mirror_loads(), 2);
  store.Rollback();
}

TEST(CachedGraphStoreMirrorTest, LoadsAheadOfTheFirstWrite) {
  CachedGraphStore store(NewMemoryGraphStore(),
                         CachedGraphStore::kDefaultMaxRows,
                         /*mirror_max_records=*/100);
  ASSERT_TRUE(store.BeginWrite().ok());
  RecordRow row;
  row.source_id = "a";
  row.customer = 3;
  const int64_t id = *store.InsertRecord(row);
  EXPECT_EQ(store.LoadMirror().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store.Commit().ok());
  ASSERT_TRUE(store.LoadMirror().ok());
  EXPECT_TRUE(store.mirrored());
  EXPECT_EQ(store.mirror_loads(), 1);
  ASSERT_TRUE(store.BeginWrite().ok());
  EXPECT_EQ(*store.RecordIdsOfCustomer(3), std::vector<int64_t>{id});
  EXPECT_EQ(store.mirror_loads(), 1);  // Served by the one loaded ahead.
  ASSERT_TRUE(store.Commit().ok());
  ASSERT_TRUE(store.LoadMirror().ok());  // Loaded already: kept.
  EXPECT_EQ(store.mirror_loads(), 1);
}

TEST(CachedGraphStoreMirrorTest, AnswersCustomersAndFollowsTheirWrites) {
  CachedGraphStore store(NewMemoryGraphStore(),
                         CachedGraphStore::kDefaultMaxRows,
                         /*mirror_max_records=*/100);
  ASSERT_TRUE(store.BeginWrite().ok());
  const int64_t a = *store.InsertCustomer({0, "CA", 5, 5, 1});
  ASSERT_TRUE(store.LoadMirror().code() ==
              absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store.Commit().ok());
  ASSERT_TRUE(store.LoadMirror().ok());
  ASSERT_TRUE(store.BeginWrite().ok());
  EXPECT_EQ((*store.FindCustomer("CA"))->id, a);
  const int64_t b = *store.InsertCustomer({0, "CB", 6, 6, 2});
  EXPECT_EQ((*store.GetCustomer(b))->key, "CB");
  ASSERT_TRUE(store.UpdateCustomer({a, "", 0, 9, 3}).ok());
  EXPECT_EQ((*store.GetCustomer(a))->size, 3);
  EXPECT_EQ((*store.GetCustomer(a))->created_at, 5);  // Not updated.
  ASSERT_TRUE(store.DeleteCustomer(b).ok());
  EXPECT_FALSE(store.FindCustomer("CB")->has_value());
  // A failed write drops the mirror; the store answers meanwhile.
  EXPECT_FALSE(store.InsertCustomer({0, "CA", 7, 7, 1}).ok());
  EXPECT_FALSE(store.mirrored());
  EXPECT_EQ((*store.FindCustomer("CA"))->size, 3);
  EXPECT_EQ(store.mirror_loads(), 2);  // Loaded again by that read.
  ASSERT_TRUE(store.Commit().ok());
}

TEST(CachedGraphStoreMirrorTest, AGraphTooLargeIsReadFromTheStore) {
  CachedGraphStore store(NewMemoryGraphStore(),
                         CachedGraphStore::kDefaultMaxRows,
                         /*mirror_max_records=*/1);
  ASSERT_TRUE(store.BeginWrite().ok());
  for (const char* s : {"a", "b"}) {
    RecordRow row;
    row.source_id = s;
    row.customer = 4;
    ASSERT_TRUE(store.InsertRecord(row).ok());
  }
  EXPECT_EQ(store.RecordIdsOfCustomer(4)->size(), 2u);
  EXPECT_FALSE(store.mirrored());
  EXPECT_EQ(store.mirror_loads(), 0);
  ASSERT_TRUE(store.Commit().ok());
}

// Another process deletes a cached record: the next write transaction must
// not be served the old row.
TEST(CachedGraphStoreSharedFileTest, AnotherConnectionsCommitDropsTheCache) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/cached.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  CachedGraphStore mine(*OpenSqliteGraphStore(path),
                        CachedGraphStore::kDefaultMaxRows,
                        /*mirror_max_records=*/100);
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

  // So is the mirror of the graph's shape, loaded in a write transaction
  // or ahead of one.
  ASSERT_TRUE(mine.LoadMirror().ok());
  ASSERT_TRUE(theirs->BeginWrite().ok());
  ASSERT_TRUE(theirs->InsertRecord(RecordRow{0, "t", 5}).ok());
  ASSERT_TRUE(theirs->Commit().ok());
  ASSERT_TRUE(mine.BeginWrite().ok());
  EXPECT_EQ(mine.RecordIdsOfCustomer(5)->size(), 1u);
  ASSERT_TRUE(mine.Commit().ok());
  ASSERT_TRUE(mine.BeginWrite().ok());
  row.source_id = "b";
  const int64_t b = *mine.InsertRecord(row);
  EXPECT_EQ(*mine.RecordIdsOfCustomer(1), std::vector<int64_t>{b});
  ASSERT_TRUE(mine.Commit().ok());
  const int64_t loads = mine.mirror_loads();
  ASSERT_TRUE(theirs->BeginWrite().ok());
  ASSERT_TRUE(theirs->SetRecordCustomer(b, 2).ok());
  ASSERT_TRUE(theirs->Commit().ok());
  ASSERT_TRUE(mine.BeginWrite().ok());
  EXPECT_TRUE(mine.RecordIdsOfCustomer(1)->empty());
  EXPECT_EQ(*mine.RecordIdsOfCustomer(2), std::vector<int64_t>{b});
  EXPECT_EQ(mine.mirror_loads(), loads + 1);
  ASSERT_TRUE(mine.Commit().ok());
}

}  // namespace
}  // namespace idr::storage
