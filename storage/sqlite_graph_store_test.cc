// SQLite-only behaviour: files, migration, erasure, connections, size. The
// GraphStore contract itself is tested for every store in graph_store_test.

#include "storage/sqlite_graph_store.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/status_testing.h"

namespace idr::storage {
namespace {



// A fresh path (no file, WAL or shared memory left from an earlier run).
std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  return path;
}

std::unique_ptr<GraphStore> MustOpen(
    const std::string& path, const SqliteGraphStoreOptions& options = {}) {
  absl::StatusOr<std::unique_ptr<GraphStore>> store =
      OpenSqliteGraphStore(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

std::string FileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One text result of `sql` on a separate raw connection.
std::string QueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const unsigned char* text = sqlite3_column_text(stmt, i);
        absl::StrAppend(&out, i ? "|" : "",
                        text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      out += "\n";
    }
  } else {
    ADD_FAILURE() << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

RecordRow Record(const std::string& source_id, int64_t customer) {
  RecordRow row;
  row.source_id = source_id;
  row.customer = customer;
  row.channel = 1;
  row.seen_at = 1700000000;
  row.data = "data-" + source_id;
  return row;
}

ValueRow Value(uint64_t hash, const std::string& value) {
  ValueRow row;
  row.hash = hash;
  row.field = 1;
  row.value = value;
  row.count = 1;
  return row;
}

TEST(SqliteGraphStoreTest, DataSurvivesCloseAndReopen) {
  const std::string path = TempPath("reopen.db");
  int64_t record = 0;
  {
    std::unique_ptr<GraphStore> store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->BeginWrite());
    int64_t customer = *store->InsertCustomer({0, "C1", 1, 2, 1});
    RecordRow row = Record("s1", customer);
    row.keys = {~0ull, 7};
    record = *store->InsertRecord(row);
    ASSERT_OK(store->InsertValue(Value(1ull << 63, "anna")));
    ASSERT_OK(store->PutMeta("model", std::string("\0bin", 4)));
    ASSERT_OK(store->AppendChange({0, 5, "created", "C1", ""}));
    ASSERT_OK(store->Commit());
  }
  std::unique_ptr<GraphStore> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->FindRecord("s1")->value().id, record);
  EXPECT_EQ(store->FindCustomer("C1")->value().size, 1);
  EXPECT_EQ(store->GetRecord(record)->value().keys,
            (std::vector<uint64_t>{~0ull, 7}));
  ASSERT_EQ(store->ValueHashes(0)->size(), 1u);
  EXPECT_EQ(store->ValueHashes(0)->at(0).second, 1ull << 63);
  EXPECT_EQ(store->GetValue(store->ValueHashes(0)->at(0).first)->value().value,
            "anna");
  EXPECT_EQ(store->GetMeta("model")->value(), std::string("\0bin", 4));
  EXPECT_EQ(store->ReadChanges(0, 10)->size(), 1u);
  // Version 1's meta rows are still there, beside the graph's.
  EXPECT_EQ(store->GetMeta("created_by")->value(), "idr");
  // Ids keep growing after reopening.
  ASSERT_OK(store->BeginWrite());
  EXPECT_GT(*store->InsertRecord(Record("s2", 1)), record);
  ASSERT_OK(store->Commit());
}

// A writer tells another process's commits from its own.
TEST(SqliteGraphStoreTest, DataVersionChangesForAnotherConnectionsCommits) {
  const std::string path = TempPath("data-version.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  std::unique_ptr<GraphStore> mine = MustOpen(path);
  std::unique_ptr<GraphStore> theirs = MustOpen(path);
  ASSERT_NE(mine, nullptr);
  ASSERT_NE(theirs, nullptr);
  const int64_t start = *mine->DataVersion();
  ASSERT_OK(mine->BeginWrite());
  ASSERT_OK(mine->InsertValue(Value(1, "mine")).status());
  ASSERT_OK(mine->Commit());
  EXPECT_EQ(*mine->DataVersion(), start);
  ASSERT_OK(theirs->BeginWrite());
  ASSERT_OK(theirs->InsertValue(Value(2, "theirs")).status());
  ASSERT_OK(theirs->Commit());
  EXPECT_NE(*mine->DataVersion(), start);
}

TEST(SqliteGraphStoreTest, MigratesAVersion1File) {
  const std::string path = TempPath("v1.db");
  {
    // What the first idr wrote: the meta table only, user_version 1.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "PRAGMA journal_mode=WAL;"
                           "CREATE TABLE meta (key TEXT PRIMARY KEY, value "
                           "TEXT NOT NULL) WITHOUT ROWID;"
                           "INSERT INTO meta VALUES ('created_at', "
                           "'2025-01-01T00:00:00Z'), ('created_by', 'idr');"
                           "PRAGMA user_version=1;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  std::unique_ptr<GraphStore> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(QueryText(path, "PRAGMA user_version"), "6\n");
  // Migration 3 -> 4 dropped the index of value hashes 2 -> 3 had.
  EXPECT_EQ(QueryText(path, "SELECT count(*) FROM sqlite_schema WHERE name = "
                            "'value_hash'"),
            "0\n");
  EXPECT_EQ(store->GetMeta("created_at")->value(), "2025-01-01T00:00:00Z");
  ASSERT_OK(store->BeginWrite());
  ASSERT_TRUE(store->InsertRecord(Record("s1", 1)).ok());
  ASSERT_OK(store->Commit());
  EXPECT_EQ(*store->CountRecords(), 1);
}

// Bytes of the main database file (not the WAL).
int64_t MainFileBytes(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// Commits 400 records of 1 KiB in 20 transactions: about 100 WAL pages,
// under SQLite's own checkpoint threshold of 1000.
void CommitKilobyteRecords(GraphStore& store) {
  for (int t = 0; t < 20; ++t) {
    ASSERT_OK(store.BeginWrite());
    for (int i = 0; i < 20; ++i) {
      RecordRow row = Record(absl::StrCat("k", t, "-", i), 1);
      row.data = std::string(1024, static_cast<char>('a' + i));
      ASSERT_TRUE(store.InsertRecord(row).ok());
    }
    ASSERT_OK(store.Commit());
  }
}

// A new graph at `path` with the given checkpoint_pages, after
// CommitKilobyteRecords.
std::unique_ptr<GraphStore> WithKilobyteRecords(const std::string& path,
                                                int checkpoint_pages) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  SqliteGraphStoreOptions options;
  options.checkpoint_pages = checkpoint_pages;
  std::unique_ptr<GraphStore> store = MustOpen(path, options);
  if (store != nullptr) CommitKilobyteRecords(*store);
  return store;
}

TEST(SqliteGraphStoreTest, TheWalIsCheckpointedInTheBackground) {
  const std::string path = TempPath("checkpoint.db");
  std::unique_ptr<GraphStore> store = WithKilobyteRecords(path, 8);
  ASSERT_NE(store, nullptr);
  // The records reach the database file itself without another commit.
  int64_t bytes = 0;
  for (int wait = 0; wait < 200 && bytes < 400 * 1024; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    bytes = MainFileBytes(path);
  }
  EXPECT_GE(bytes, 400 * 1024);
  EXPECT_EQ(*store->CountRecords(), 400);
}

// A writer committing back to back leaves the background copy no moment in
// which the WAL could start over (it does only when a write begins with
// every page copied): the writer copies itself once the WAL reaches 4 x
// checkpoint_pages, so the WAL stays bounded instead of holding every page
// ever written. (Tried: copying at the next BeginWrite instead, after the
// background copy; a batch's BeginWrite follows the last commit at once, so
// the writer only waited as long as it used to copy.)
TEST(SqliteGraphStoreTest, TheWalStaysBoundedUnderBackToBackCommits) {
  const std::string path = TempPath("bounded-wal.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  SqliteGraphStoreOptions options;
  options.checkpoint_pages = 8;
  std::unique_ptr<GraphStore> store = MustOpen(path, options);
  ASSERT_NE(store, nullptr);
  int64_t largest_wal = 0;
  for (int t = 0; t < 200; ++t) {  // 200 x 5 pages: about 4 MB written.
    ASSERT_OK(store->BeginWrite());
    for (int i = 0; i < 5; ++i) {
      RecordRow row = Record(absl::StrCat("w", t, "-", i), 1);
      row.data = std::string(3000, static_cast<char>('a' + i));
      ASSERT_TRUE(store->InsertRecord(row).ok());
    }
    ASSERT_OK(store->Commit());
    largest_wal = std::max(largest_wal, MainFileBytes(path + "-wal"));
  }
  EXPECT_LT(largest_wal, 1024 * 1024);
  EXPECT_EQ(*store->CountRecords(), 1000);
}

// SQLite runs one checkpoint at a time: Purge's must wait for a background
// one, not fail (Forget purges right after its commit woke the thread).
TEST(SqliteGraphStoreTest, PurgeWaitsForTheBackgroundCheckpoint) {
  const std::string path = TempPath("purge-race.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  SqliteGraphStoreOptions options;
  options.checkpoint_pages = 1;  // Every commit wakes the checkpointer.
  std::unique_ptr<GraphStore> store = MustOpen(path, options);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(store->BeginWrite());
    for (int j = 0; j < 100; ++j) {  // 400 KB: a checkpoint that takes time.
      RecordRow row = Record(absl::StrCat("p", i, "-", j), 1);
      row.data = std::string(4096, static_cast<char>('a' + j % 26));
      ASSERT_TRUE(store->InsertRecord(row).ok());
    }
    ASSERT_OK(store->Commit());
    // Let the background copy start (a Purge that got there first would
    // simply do the work itself).
    std::this_thread::sleep_for(std::chrono::microseconds(200 * (i % 10)));
    ASSERT_OK(store->Purge());
  }
}

TEST(SqliteGraphStoreTest, WithoutTheCheckpointerSqliteWaitsFor1000Pages) {
  const std::string path = TempPath("no-checkpointer.db");
  std::unique_ptr<GraphStore> store = WithKilobyteRecords(path, 0);
  ASSERT_NE(store, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_LT(MainFileBytes(path), 200 * 1024);
}

// The tables and indexes sqlite_graph_store.h documents, and no others.
TEST(SqliteGraphStoreTest, SchemaIsAsDocumented) {
  const std::string path = TempPath("schema.db");
  ASSERT_NE(MustOpen(path), nullptr);
  EXPECT_EQ(QueryText(path,
                      "SELECT type, name, tbl_name FROM sqlite_schema "
                      "ORDER BY tbl_name, type DESC, name"),
            "table|audit|audit\n"
            "index|audit_key|audit\n"
            "index|audit_other_key|audit\n"
            "table|change|change\n"
            "table|customer|customer\n"
            "index|sqlite_autoindex_customer_1|customer\n"
            "table|link|link\n"
            "index|link_b|link\n"
            "table|meta|meta\n"
            "table|record|record\n"
            "index|record_customer|record\n"
            "index|sqlite_autoindex_record_1|record\n"
            "table|redirect|redirect\n"
            "index|redirect_new_key|redirect\n"
            "table|request|request\n"
            "index|request_at|request\n"
            "table|review|review\n"
            "index|review_key|review\n"
            "index|review_other_key|review\n"
            "table|separation|separation\n"
            "index|separation_b|separation\n"
            "table|sqlite_sequence|sqlite_sequence\n"
            "table|tombstone|tombstone\n"
            "table|value|value\n");
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal\n");
}

// Erasure: once deleted and purged, a value's bytes are nowhere in the
// files, even though the pages that held them are still in use.
TEST(SqliteGraphStoreTest, DeletedRowsLeaveNoBytesAfterPurge) {
  const std::string path = TempPath("erase.db");
  const std::string secret_value = "Zanzibar-Quux-4417@example.org";
  const std::string secret_source = "source-Xyzzy-90210";
  std::unique_ptr<GraphStore> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->BeginWrite());
  for (int i = 0; i < 40; ++i) {  // Neighbours on the same pages.
    ASSERT_OK(store->InsertValue(Value(i, absl::StrCat("neighbour-", i))));
    ASSERT_OK(store->InsertRecord(Record(absl::StrCat("n", i), 1)));
  }
  int64_t value = *store->InsertValue(Value(1000, secret_value));
  RecordRow secret_row = Record(secret_source, 1);
  secret_row.keys = {99};
  int64_t record = *store->InsertRecord(secret_row);
  for (int i = 40; i < 80; ++i) {
    ASSERT_OK(store->InsertValue(Value(i, absl::StrCat("neighbour-", i))));
    ASSERT_OK(store->InsertRecord(Record(absl::StrCat("n", i), 1)));
  }
  ASSERT_OK(store->Commit());
  ASSERT_OK(store->Purge());  // Now in the main file, not only the WAL.
  std::string bytes = FileBytes(path);
  ASSERT_NE(bytes.find(secret_value), std::string::npos);  // The probe works.
  ASSERT_NE(bytes.find(secret_source), std::string::npos);

  ASSERT_OK(store->BeginWrite());
  ASSERT_OK(store->AddValueCount(value, -1));
  ASSERT_OK(store->DeleteRecord(record));
  ASSERT_OK(store->Commit());
  // Before Purge the WAL still holds the old pages (that is why Purge is).
  ASSERT_OK(store->Purge());
  for (const std::string& file : {path, path + "-wal"}) {
    bytes = FileBytes(file);
    EXPECT_EQ(bytes.find(secret_value), std::string::npos) << file;
    EXPECT_EQ(bytes.find(secret_source), std::string::npos) << file;
  }
  EXPECT_EQ(FileBytes(path + "-wal").size(), 0u);
  EXPECT_EQ(*store->CountRecords(), 80);
  EXPECT_EQ(store->ValueHashes(0)->size(), 80u);
  EXPECT_EQ(*store->GetValue(value), std::nullopt);
}

TEST(SqliteGraphStoreTest, UncommittedTransactionIsGoneWithTheConnection) {
  const std::string path = TempPath("uncommitted.db");
  {
    std::unique_ptr<GraphStore> store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    ASSERT_OK(store->BeginWrite());
    ASSERT_OK(store->InsertRecord(Record("kept", 1)));
    ASSERT_OK(store->Commit());
    ASSERT_OK(store->BeginWrite());
    ASSERT_OK(store->InsertRecord(Record("lost", 1)));
    ASSERT_OK(store->PutMeta("lost", "x"));
  }
  std::unique_ptr<GraphStore> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->FindRecord("kept")->has_value());
  EXPECT_FALSE(store->FindRecord("lost")->has_value());
  EXPECT_FALSE(store->GetMeta("lost")->has_value());
  EXPECT_EQ(*store->CountRecords(), 1);
}

TEST(SqliteGraphStoreTest, ReaderSeesCommittedDataOnly) {
  const std::string path = TempPath("reader.db");
  std::unique_ptr<GraphStore> writer = MustOpen(path);
  ASSERT_NE(writer, nullptr);
  ASSERT_OK(writer->BeginWrite());
  ASSERT_OK(writer->InsertRecord(Record("s1", 1)));
  // A reader opens while the writer holds the write lock.
  absl::StatusOr<std::unique_ptr<GraphStore>> reader = writer->OpenReader();
  ASSERT_OK(reader);
  EXPECT_FALSE((*reader)->FindRecord("s1")->has_value());
  EXPECT_EQ(*(*reader)->CountRecords(), 0);
  ASSERT_OK(writer->Commit());
  EXPECT_TRUE((*reader)->FindRecord("s1")->has_value());
  EXPECT_EQ((*reader)->BeginWrite().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SqliteGraphStoreTest, SecondWriterIsUnavailableWhileOneWrites) {
  const std::string path = TempPath("busy.db");
  SqliteGraphStoreOptions options;
  options.busy_timeout_ms = 50;
  std::unique_ptr<GraphStore> first = MustOpen(path, options);
  std::unique_ptr<GraphStore> second = MustOpen(path, options);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_OK(first->BeginWrite());
  EXPECT_EQ(second->BeginWrite().code(), absl::StatusCode::kUnavailable);
  ASSERT_OK(first->Commit());
  ASSERT_OK(second->BeginWrite());  // Free again.
  second->Rollback();
}

TEST(SqliteGraphStoreTest, OpenErrors) {
  EXPECT_EQ(OpenSqliteGraphStore(TempPath("no/such/dir/x.db")).status().code(),
            absl::StatusCode::kUnavailable);
  SqliteGraphStoreOptions options;
  options.create_if_missing = false;
  EXPECT_EQ(
      OpenSqliteGraphStore(TempPath("absent.db"), options).status().code(),
      absl::StatusCode::kNotFound);
}

TEST(SqliteGraphStoreTest, NormalSyncWorksToo) {
  const std::string path = TempPath("normal.db");
  SqliteGraphStoreOptions options;
  options.sync = SqliteGraphStoreOptions::Sync::kNormal;
  std::unique_ptr<GraphStore> store = MustOpen(path, options);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->BeginWrite());
  ASSERT_OK(store->InsertRecord(Record("s1", 1)));
  ASSERT_OK(store->Commit());
  EXPECT_EQ(*store->CountRecords(), 1);
}

// A synthetic population shaped like real customer records: ~10 values per
// record (names, dates, cities shared; e-mail, phone, address, loyalty
// number unique), 12 blocking keys, 1-2 links, ~0.8 customers and one
// change per record. Reports bytes per record and the insert rate.
struct SizeResult {
  double bytes_per_record = 0;
  double records_per_second = 0;
};

SizeResult Populate(GraphStore& store, int records) {
  std::mt19937_64 rng(42);
  auto pick = [&](uint64_t n) { return rng() % n; };
  std::vector<std::pair<int64_t, std::string>> customers;  // (id, key)
  std::vector<int64_t> record_ids;
  std::map<uint64_t, int64_t> value_ids;  // hash -> id
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < records; ++i) {
    if (i % 1000 == 0) {
      EXPECT_TRUE(store.BeginWrite().ok());
    }
    const uint64_t given = pick(2000), family = pick(5000);
    const std::vector<std::pair<int, std::string>> fields = {
        {0, absl::StrCat("given", given)},
        {1, absl::StrCat("family", family)},
        {2,
         absl::StrCat("19", 40 + pick(60), "-0", 1 + pick(9), "-1", pick(10))},
        {3, absl::StrCat("given", given, ".family", family, ".", i,
                         "@example.com")},
        {4, absl::StrCat("+4479", 10000000 + i)},
        {5, absl::StrCat(1 + pick(300), " Street ", pick(20000))},
        {6, absl::StrCat("City", pick(300))},
        {7, absl::StrCat("PC", pick(20000))},
        {8, pick(2) ? "F" : "M"},
        {9, absl::StrCat(5000000000 + i)},
    };
    std::string data;
    for (const auto& [field, text] : fields) {
      uint64_t hash = std::hash<std::string>()(text) * 31 + field;
      auto it = value_ids.find(hash);
      int64_t id;
      if (it != value_ids.end()) {
        id = it->second;
        EXPECT_TRUE(store.AddValueCount(id, 1).ok());
      } else {
        ValueRow v;
        v.hash = hash;
        v.field = field;
        v.value = text;
        v.keys = field < 2 ? std::string(8, 'k') : "";
        v.count = 1;
        id = *store.InsertValue(v);
        value_ids[hash] = id;
      }
      for (uint64_t n = id;; n >>= 7) {  // Varint, as the engine packs ids.
        data += static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
        if (n < 0x80) break;
      }
    }
    data += std::string(16, 'a');  // Attributes.
    int64_t customer;
    std::string key;
    if (customers.empty() || pick(5) != 0) {
      key = absl::StrCat("C", 1000000000000000 + i);
      customer = *store.InsertCustomer({0, key, 1700000000, 1700000000, 1});
      customers.push_back({customer, key});
    } else {
      const auto& c = customers[pick(customers.size())];
      customer = c.first;
      key = c.second;
      EXPECT_TRUE(store.UpdateCustomer({customer, key, 0, 1700000001, 2}).ok());
    }
    RecordRow row;
    row.source_id = absl::StrCat("crm-", 10000000 + i);
    row.customer = customer;
    row.channel = static_cast<int32_t>(pick(4));
    row.seen_at = 1700000000 + i;
    row.data = data;
    for (int k = 0; k < 12; ++k) {
      // Keys shared by records with the same values, like real blocks.
      const std::string& basis = fields[k % 10].second;
      row.keys.push_back(std::hash<std::string>()(basis + char('a' + k)));
    }
    int64_t id = *store.InsertRecord(row);
    for (int l = 0; l < 1 + i % 2 && !record_ids.empty(); ++l) {
      LinkRow link;
      link.a = record_ids[pick(record_ids.size())];
      link.b = id;
      link.weight = 12.5;
      link.rule = 3;
      link.detail = std::string(12, 'w');
      EXPECT_TRUE(store.PutLink(link).ok());
    }
    record_ids.push_back(id);
    EXPECT_TRUE(
        store.AppendChange({0, 1700000000 + i, "created", key, ""}).ok());
    if (i % 1000 == 999 || i == records - 1) {
      EXPECT_TRUE(store.Commit().ok());
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_TRUE(store.Purge().ok());
  SizeResult result;
  result.bytes_per_record = double(*store.SizeBytes()) / records;
  result.records_per_second = records / seconds;
  return result;
}

// A regression guard at a small scale. The budget is 1 KB per record; at
// 100k records (DISABLED_ test below) it is ~910 bytes. 5000 records share
// fewer values (names, dates, cities), so each brings more new ones.
TEST(SqliteGraphStoreTest, TypicalRecordTakesLessThanAKilobyte) {
  const std::string path = TempPath("size.db");
  std::unique_ptr<GraphStore> store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  SizeResult r = Populate(*store, 5000);
  EXPECT_LT(r.bytes_per_record, 1100);
  std::printf("5000 records: %.0f bytes/record, %.0f records/s\n",
              r.bytes_per_record, r.records_per_second);
}

// The full experiment: bazel test //storage:sqlite_graph_store_test
//   --test_arg=--gtest_also_run_disabled_tests --test_output=all
TEST(SqliteGraphStoreTest, DISABLED_SizeAndRateAt100kRecords) {
  const std::string path = TempPath("size100k.db");
  for (auto sync : {SqliteGraphStoreOptions::Sync::kFull,
                    SqliteGraphStoreOptions::Sync::kNormal}) {
    TempPath("size100k.db");
    SqliteGraphStoreOptions options;
    options.sync = sync;
    std::unique_ptr<GraphStore> store = MustOpen(path, options);
    ASSERT_NE(store, nullptr);
    SizeResult r = Populate(*store, 100000);
    std::printf(
        "100k records, synchronous=%s: %.0f bytes/record, %.0f records/s\n",
        sync == SqliteGraphStoreOptions::Sync::kFull ? "FULL" : "NORMAL",
        r.bytes_per_record, r.records_per_second);
    store.reset();
    std::printf(
        "%s",
        QueryText(path,
                  "SELECT name, sum(pgsize)/100000, "
                  "printf('%.0f%%', 100.0*sum(pgsize-unused)/sum(pgsize)) "
                  "FROM dbstat GROUP BY name ORDER BY 2 DESC")
            .c_str());
  }
}

}  // namespace
}  // namespace idr::storage
