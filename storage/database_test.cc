#include "storage/database.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace idr::storage {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

TEST(DatabaseTest, CreatesFileInWalModeAtCurrentSchema) {
  std::string path = TempPath("create.db");
  std::remove(path.c_str());
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*(*db)->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(*(*db)->JournalMode(), "wal");
  auto created = (*db)->GetMeta("created_at");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->size(), 20u);  // 2026-11-25T12:00:00Z
  struct stat st;
  EXPECT_EQ(stat(path.c_str(), &st), 0);
}

TEST(DatabaseTest, ReopenKeepsDataAndDoesNotRemigrate) {
  std::string path = TempPath("reopen.db");
  std::remove(path.c_str());
  std::string created;
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    created = *(*db)->GetMeta("created_at");
    ASSERT_TRUE((*db)->Exec("INSERT INTO meta VALUES ('probe', 'kept')").ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*(*db)->GetMeta("created_at"), created);
  EXPECT_EQ(*(*db)->GetMeta("probe"), "kept");
}

TEST(DatabaseTest, AVersion2GraphGainsTheRequestTableAndLosesBlockAndValueHash) {
  std::string path = TempPath("v2.db");
  std::remove(path.c_str());
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    // As a version-2 file was: no request table, a block table.
    ASSERT_TRUE((*db)->Exec("DROP TABLE request").ok());
    ASSERT_TRUE((*db)->Exec("CREATE TABLE block (key INTEGER NOT NULL, "
                            "record INTEGER NOT NULL, PRIMARY KEY (key, "
                            "record)) WITHOUT ROWID")
                    .ok());
    ASSERT_TRUE((*db)->Exec("CREATE INDEX value_hash ON value(hash)").ok());
    ASSERT_TRUE((*db)->Exec("ALTER TABLE audit DROP COLUMN actor").ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 2").ok());
    ASSERT_TRUE((*db)->Exec("INSERT INTO tombstone VALUES (x'01')").ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*(*db)->SchemaVersion(), kSchemaVersion);
  EXPECT_TRUE((*db)->Exec("INSERT INTO request VALUES (x'02', 1, 'r')").ok());
  EXPECT_TRUE((*db)->Exec("DELETE FROM tombstone WHERE hash = x'01'").ok());
  EXPECT_FALSE((*db)->Exec("SELECT 1 FROM block").ok());
  // Version 4 dropped it: creating it again succeeds.
  EXPECT_TRUE((*db)->Exec("CREATE INDEX value_hash ON value(hash)").ok());
}

TEST(DatabaseTest, AVersion4AuditLogGainsAnEmptyActor) {
  std::string path = TempPath("v4.db");
  std::remove(path.c_str());
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("ALTER TABLE audit DROP COLUMN actor").ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 4").ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO audit (at, action, key, other_key, "
                           "reason, detail) VALUES (1, 'merge', 'k1', 'k2', "
                           "'r', '{}')")
                    .ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*(*db)->SchemaVersion(), kSchemaVersion);
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO meta (key, value) SELECT 'actor', "
                         "'[' || actor || ']' FROM audit WHERE key = 'k1'")
                  .ok());
  EXPECT_EQ(*(*db)->GetMeta("actor"), "[]");
}

TEST(DatabaseTest, AVersion5ChangeOutboxLosesItsIndexesByKey) {
  std::string path = TempPath("v5.db");
  std::remove(path.c_str());
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("CREATE INDEX change_key ON change(key)").ok());
    ASSERT_TRUE((*db)
                    ->Exec("CREATE INDEX change_other_key ON "
                           "change(other_key) WHERE other_key <> ''")
                    .ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 5").ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO change (at, kind, key, other_key) "
                           "VALUES (1, 'created', 'k1', '')")
                    .ok());
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(*(*db)->SchemaVersion(), kSchemaVersion);
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO meta (key, value) SELECT 'indexes', "
                         "count(*) FROM sqlite_schema WHERE type = 'index' "
                         "AND tbl_name = 'change'")
                  .ok());
  EXPECT_EQ(*(*db)->GetMeta("indexes"), "0");
  ASSERT_TRUE((*db)
                  ->Exec("INSERT INTO meta (key, value) SELECT 'kept', key "
                         "FROM change")
                  .ok());
  EXPECT_EQ(*(*db)->GetMeta("kept"), "k1");
}

TEST(DatabaseTest, MissingFileWithoutCreateIsNotFound) {
  DatabaseOptions options;
  options.create_if_missing = false;
  auto db = Database::Open(TempPath("absent.db"), options);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kNotFound);
}

TEST(DatabaseTest, EmptyPathIsInvalid) {
  EXPECT_EQ(Database::Open("").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DatabaseTest, MissingDirectoryIsUnavailable) {
  auto db = Database::Open(TempPath("no/such/dir/x.db"));
  EXPECT_EQ(db.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(db.status().message().find("no/such/dir/x.db"),
            absl::string_view::npos);
}

TEST(DatabaseTest, NonDatabaseFileIsRefused) {
  std::string path = TempPath("text.db");
  std::ofstream(path) << "this is a plain text file, not a database at all, "
                         "long enough to fill a SQLite header page............";
  auto db = Database::Open(path);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition)
      << db.status();
}

TEST(DatabaseTest, NewerSchemaIsRefused) {
  std::string path = TempPath("newer.db");
  std::remove(path.c_str());
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 99").ok());
  }
  auto db = Database::Open(path);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(db.status().message().find("99"), absl::string_view::npos);
}

TEST(DatabaseTest, ReadOnlyOpensWithoutMigratingAndRefusesWrites) {
  std::string path = TempPath("readonly.db");
  std::remove(path.c_str());
  auto writer = Database::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  // The writer holds the write lock: a reader still opens.
  ASSERT_TRUE((*writer)->Exec("BEGIN IMMEDIATE").ok());
  DatabaseOptions options;
  options.read_only = true;
  auto reader = Database::Open(path, options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(*(*reader)->SchemaVersion(), kSchemaVersion);
  EXPECT_EQ(*(*reader)->JournalMode(), "wal");
  ASSERT_TRUE((*writer)->Exec("COMMIT").ok());
  EXPECT_FALSE((*reader)->Exec("INSERT INTO meta VALUES ('x', 'y')").ok());
  EXPECT_EQ((*reader)->GetMeta("x").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DatabaseTest, ReadOnlyNeedsAnExistingCurrentDatabase) {
  DatabaseOptions options;
  options.read_only = true;
  EXPECT_EQ(Database::Open(TempPath("absent-ro.db"), options).status().code(),
            absl::StatusCode::kNotFound);
  std::string path = TempPath("old-ro.db");
  std::remove(path.c_str());
  {
    auto db = Database::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 1").ok());
  }
  auto db = Database::Open(path, options);
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition)
      << db.status();
}

}  // namespace
}  // namespace idr::storage
