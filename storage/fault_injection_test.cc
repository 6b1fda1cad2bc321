// Injected faults leave the graph exactly as it was, on memory and SQLite.

#include "storage/fault_injection.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/status_testing.h"
#include "storage/memory_graph_store.h"
#include "storage/sqlite_graph_store.h"

namespace idr::storage {
namespace {

using status_testing::StatusOf;



bool IsInjected(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable &&
         s.message().find("injected fault") != absl::string_view::npos;
}

RecordRow Record(const std::string& source_id, int64_t customer) {
  RecordRow row;
  row.source_id = source_id;
  row.customer = customer;
  row.data = "d" + source_id;
  return row;
}

// The whole graph as these tests fill it, as text.
std::string Dump(GraphStore& s) {
  std::string out;
  std::vector<RecordRow> records;
  EXPECT_TRUE(s.ForEachRecord([&](const RecordRow& r) {
                 records.push_back(r);
                 return true;
               }).ok());
  for (const RecordRow& r : records) {
    absl::StrAppend(&out, "R", r.id, r.source_id, "/", r.customer, "\n");
    std::vector<LinkRow> links = *s.LinksOf(r.id);
    for (const LinkRow& l : links) {
      absl::StrAppend(&out, " L", l.a, "-", l.b, "/", l.weight, "\n");
    }
  }
  for (int64_t id = 1; id <= 5; ++id) {
    if (std::optional<ValueRow> v = *s.GetValue(id)) {
      absl::StrAppend(&out, "V", id, v->value, v->count, "\n");
    }
    if (std::optional<CustomerRow> c = *s.GetCustomer(id)) {
      absl::StrAppend(&out, "C", id, c->key, c->size, "\n");
    }
  }
  absl::Status visited = s.ForEachRecord([&](const RecordRow& r) {
    absl::StrAppend(&out, "R", r.id, r.source_id, r.customer, "/",
                    r.keys.size(), "\n");
    return true;
  });
  absl::StrAppend(&out, visited.ToString(), "\n");
  absl::StrAppend(&out, "meta ", s.GetMeta("m")->value_or("-"), "\n",
                  "redirect ", s.GetRedirect("C2")->value_or("-"), "\n",
                  "separated ", *s.IsSeparated("C1", "C3") ? "y" : "n", "\n",
                  "tombstone ", *s.HasTombstone("t") ? "y" : "n", "\n",
                  "audit ", s.ReadAudit(0, 100, "")->size(), "\n", "reviews ",
                  *s.CountReviews(), "\n", "changes ",
                  s.ReadChanges(0, 100)->size(), "\n");
  return out;
}

struct Inner {
  std::string name;
  std::function<std::unique_ptr<GraphStore>(const std::string& path)> open;
};

void PrintTo(const Inner& inner, std::ostream* os) { *os << inner.name; }

class FaultInjectionTest : public testing::TestWithParam<Inner> {
 protected:
  void SetUp() override {
    std::string name =
        testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    const char* dir = std::getenv("TEST_TMPDIR");
    path_ = absl::StrCat(dir ? dir : "/tmp", "/", name, ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((path_ + suffix).c_str());
    }
    std::unique_ptr<GraphStore> inner = GetParam().open(path_);
    ASSERT_NE(inner, nullptr);
    store_ = std::make_unique<FaultInjectingGraphStore>(std::move(inner));

    // A committed graph to return to.
    GraphStore& s = *store_;
    ASSERT_OK(s.BeginWrite());
    ASSERT_OK(s.PutMeta("m", "v1"));
    int64_t c1 = *s.InsertCustomer({0, "C1", 1, 1, 2});
    ASSERT_OK(s.InsertCustomer({0, "C2", 1, 1, 1}));
    RecordRow keyed = Record("s1", c1);
    keyed.keys = {7};
    r1_ = *s.InsertRecord(keyed);
    keyed.source_id = "s2";
    r2_ = *s.InsertRecord(keyed);
    ASSERT_OK(s.PutLink({r1_, r2_, 3.5, 1, "x"}));
    ASSERT_OK(s.InsertValue({0, 11, 1, "anna", "", 2}));
    ASSERT_OK(s.Commit());
    baseline_ = Dump(s);
  }

  // One call of every write method, in an order where each one applies.
  std::vector<std::function<absl::Status()>> EveryWrite() {
    GraphStore* s = store_.get();
    auto status = [](auto result) { return StatusOf(result); };
    return {
        [s, this] { return s->PutMeta("m", "v2"); },
        [s, this, status] {
          return status(s->InsertValue({0, 12, 1, "bo", "", 1}));
        },
        [s, this] { return s->AddValueCount(1, -2); },
        [s, this, status] { return status(s->InsertRecord(Record("s3", 1))); },
        [s, this] { return s->SetRecordCustomer(r1_, 2); },
        [s, this] {
          return s->PutLink({r1_, r1_ + 2, 1, 1, ""});
        },
        [s, this] { return s->DeleteLink(r1_, r2_); },
        [s, this] { return s->DeleteRecord(r2_); },
        [s, this, status] {
          return status(s->InsertCustomer({0, "C3", 1, 1, 1}));
        },
        [s, this] {
          return s->UpdateCustomer({1, "C1", 1, 9, 9});
        },
        [s, this] { return s->DeleteCustomer(2); },
        [s, this] { return s->PutRedirect("C2", "C1"); },
        [s, this] { return s->DeleteRedirect("C2"); },
        [s, this, status] {
          return status(s->AppendAudit({0, 1, "merge", "C1", "C2", "", ""}));
        },
        [s, this] { return s->RedactKey("C2", "gone"); },
        [s, this, status] {
          return status(s->AddReview({0, 1, r1_, "C1", "C3", 1, "guard"}));
        },
        [s, this] { return s->DeleteReview(1); },
        [s, this] { return s->DeleteReviewsOf("C1"); },
        [s, this] { return s->DeleteReviewsBetween("C1", "C2"); },
        [s, this] { return s->PutSeparation("C1", "C3"); },
        [s, this] { return s->DeleteSeparationsOf("C3"); },
        [s, this] { return s->PutTombstone("t"); },
        [s, this, status] {
          return status(s->AppendChange({0, 1, "merged", "C1", "C2"}));
        },
    };
  }

  std::string path_;
  std::unique_ptr<FaultInjectingGraphStore> store_;
  int64_t r1_ = 0, r2_ = 0;
  std::string baseline_;
};

TEST_P(FaultInjectionTest, AFailedWriteLeavesTheTransactionRollbackable) {
  const int n = static_cast<int>(EveryWrite().size());
  // Fail each write in turn, after all the ones before it succeeded.
  for (int fail = 1; fail <= n; ++fail) {
    SCOPED_TRACE(fail);
    store_->FailNthWrite(fail);
    ASSERT_OK(store_->BeginWrite());
    int k = 0;
    for (const auto& write : EveryWrite()) {
      absl::Status s = write();
      if (++k == fail) {
        EXPECT_TRUE(IsInjected(s)) << s;
        break;
      }
      ASSERT_OK(s);
    }
    store_->Rollback();
    EXPECT_EQ(Dump(*store_), baseline_);
  }
  EXPECT_EQ(store_->faults(), n);
  // Unarmed, the same writes all apply and commit.
  ASSERT_OK(store_->BeginWrite());
  for (const auto& write : EveryWrite()) ASSERT_OK(write());
  ASSERT_OK(store_->Commit());
  EXPECT_NE(Dump(*store_), baseline_);
}

TEST_P(FaultInjectionTest, OnlyTheNthWriteFailsUnlessFailuresStay) {
  store_->FailNthWrite(2);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutMeta("m", "a"));
  EXPECT_TRUE(IsInjected(store_->PutMeta("m", "b")));
  EXPECT_EQ(*store_->GetMeta("m"), "a");  // Not passed on.
  ASSERT_OK(store_->PutMeta("m", "c"));
  store_->Rollback();

  store_->FailNthWrite(1, /*stay_failed=*/true);
  ASSERT_OK(store_->BeginWrite());
  EXPECT_TRUE(IsInjected(store_->PutTombstone("t")));
  EXPECT_TRUE(IsInjected(StatusOf(store_->InsertRecord(Record("s9", 1)))));
  store_->Rollback();
  store_->Disarm();
  EXPECT_EQ(Dump(*store_), baseline_);
  EXPECT_EQ(store_->faults(), 3);
}

TEST_P(FaultInjectionTest, AFailedCommitLeavesNothing) {
  store_->FailNthCommit(2);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutMeta("m", "kept"));
  ASSERT_OK(store_->Commit());  // The first commit is fine.
  const std::string committed = Dump(*store_);

  ASSERT_OK(store_->BeginWrite());
  for (const auto& write : EveryWrite()) ASSERT_OK(write());
  absl::Status s = store_->Commit();
  EXPECT_TRUE(IsInjected(s)) << s;
  EXPECT_NE(s.message().find("fsync failed"), absl::string_view::npos);
  EXPECT_EQ(Dump(*store_), committed);
  // The transaction is over: a new one starts and commits.
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutTombstone("t"));
  ASSERT_OK(store_->Commit());
  EXPECT_TRUE(*store_->HasTombstone("t"));
  EXPECT_EQ(store_->commits(), 4);  // SetUp's and these three.
  EXPECT_EQ(store_->faults(), 1);
}

TEST_P(FaultInjectionTest, AFailedCommitLeavesNothingOnDiskEither) {
  if (GetParam().name != "sqlite") GTEST_SKIP() << "no file";
  store_->FailNthCommit(1);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->InsertRecord(Record("lost", 1)));
  EXPECT_FALSE(store_->Commit().ok());
  store_.reset();
  std::unique_ptr<GraphStore> reopened = GetParam().open(path_);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(Dump(*reopened), baseline_);
}

TEST_P(FaultInjectionTest, CountsWritesAndCommitsButNotReads) {
  const int64_t writes = store_->writes();
  const int64_t commits = store_->commits();
  EXPECT_EQ(commits, 1);  // SetUp's.
  EXPECT_EQ(writes, 7);
  Dump(*store_);
  EXPECT_EQ(store_->writes(), writes);
  ASSERT_OK(store_->BeginWrite());
  EXPECT_EQ(store_->AddValueCount(99, 1).code(),
            absl::StatusCode::kInvalidArgument);  // Failed calls count too.
  ASSERT_OK(store_->PutMeta("m", "x"));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(store_->writes(), writes + 2);
  EXPECT_EQ(store_->commits(), commits + 1);
  EXPECT_EQ(store_->faults(), 0);
}

TEST_P(FaultInjectionTest, ArmedByOptionsAndAroundABorrowedStore) {
  FaultInjectionOptions options;
  options.fail_write = 1;
  FaultInjectingGraphStore borrowed(store_->inner(), options);
  ASSERT_OK(borrowed.BeginWrite());
  EXPECT_TRUE(IsInjected(borrowed.PutMeta("m", "x")));
  borrowed.Rollback();
  EXPECT_EQ(Dump(borrowed), baseline_);
  // Readers of a wrapper are not armed.
  absl::StatusOr<std::unique_ptr<GraphStore>> reader = borrowed.OpenReader();
  ASSERT_OK(reader);
  EXPECT_EQ(Dump(**reader), baseline_);
}

INSTANTIATE_TEST_SUITE_P(
    All, FaultInjectionTest,
    testing::Values(
        Inner{"memory",
              [](const std::string&) { return NewMemoryGraphStore(); }},
        Inner{"sqlite",
              [](const std::string& path) -> std::unique_ptr<GraphStore> {
                auto store = OpenSqliteGraphStore(path);
                EXPECT_TRUE(store.ok()) << store.status();
                return store.ok() ? *std::move(store) : nullptr;
              }}),
    [](const testing::TestParamInfo<Inner>& info) { return info.param.name; });

}  // namespace
}  // namespace idr::storage
