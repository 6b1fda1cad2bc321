// The engine under injected storage faults: a write or a commit that fails
// at any point of an ingest, merge, unmerge or forget leaves the graph
// exactly as it was, and the next attempt succeeds.

#include <cstdio>
#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "identity/engine.h"
#include "identity/engine_test_util.h"
#include "storage/fault_injection.h"
#include "storage/memory_graph_store.h"
#include "storage/sqlite_graph_store.h"

namespace idr::identity {
namespace {

using testing_util::Rec;

class EngineFaultTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    std::unique_ptr<storage::GraphStore> inner;
    if (std::string(GetParam()) == "memory") {
      inner = storage::NewMemoryGraphStore();
    } else {
      const char* dir = std::getenv("TEST_TMPDIR");
      std::string name =
          ::testing::UnitTest::GetInstance()->current_test_info()->name();
      for (char& c : name) c = c == '/' ? '_' : c;
      const std::string path =
          absl::StrCat(dir ? dir : "/tmp", "/fault-", name, ".db");
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::remove((path + suffix).c_str());
      }
      auto opened = storage::OpenSqliteGraphStore(path);
      ASSERT_TRUE(opened.ok()) << opened.status();
      inner = std::move(*opened);
    }
    auto faulty =
        std::make_unique<storage::FaultInjectingGraphStore>(std::move(inner));
    faults_ = faulty.get();
    EngineOptions options;
    options.schema = testing_util::TestSchema();
    auto engine = Engine::Open(std::move(faulty), options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  // What a failed operation must leave untouched.
  struct Snapshot {
    std::map<std::string, std::string> keys;
    int64_t customers = 0, reviews = 0;
    bool operator==(const Snapshot& o) const {
      return keys == o.keys && customers == o.customers &&
             reviews == o.reviews;
    }
  };
  Snapshot Take() {
    Snapshot s;
    EXPECT_TRUE(engine_
                    ->ForEachRecordKey([&](const std::string& id,
                                           const std::string& key) {
                      s.keys[id] = key;
                    })
                    .ok());
    auto stats = engine_->Stats();
    EXPECT_TRUE(stats.ok());
    s.customers = stats->customers;
    s.reviews = stats->reviews;
    return s;
  }

  // Fails the 1st, 2nd, ... write of `op` until it succeeds; after every
  // failure the graph must be as before and consistent. Returns the number
  // of write points tried.
  int FailEveryWrite(const std::function<absl::Status()>& op) {
    const Snapshot before = Take();
    for (int n = 1; n < 500; ++n) {
      faults_->FailNthWrite(n);
      absl::Status s = op();
      faults_->Disarm();
      if (s.ok()) return n;
      EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
      EXPECT_TRUE(Take() == before) << "write " << n << " left changes";
      absl::Status consistent = engine_->CheckConsistency();
      EXPECT_TRUE(consistent.ok()) << "write " << n << ": " << consistent;
    }
    ADD_FAILURE() << "the operation never succeeded";
    return 0;
  }

  void Ingest(const SourceRecord& r) {
    auto result = engine_->Ingest(r);
    ASSERT_TRUE(result.ok()) << result.status();
  }

  storage::FaultInjectingGraphStore* faults_ = nullptr;
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineFaultTest, IngestThatMergesFailsCleanlyAtEveryWrite) {
  Ingest(Rec("a", Channel::kWeb,
             {{"given_name", "Wei"}, {"family_name", "Zhang"},
              {"email", "wei.zhang@mail.hk"}}));
  Ingest(Rec("b", Channel::kStore,
             {{"given_name", "Wei"}, {"family_name", "Zhang"},
              {"phone", "+8613800138000"}}));
  const SourceRecord bridge =
      Rec("c", Channel::kCallCenter,
          {{"given_name", "Wei"}, {"family_name", "Zhang"},
           {"email", "wei.zhang@mail.hk"}, {"phone", "+8613800138000"}});
  IngestResult result;
  const int points = FailEveryWrite([&]() -> absl::Status {
    auto r = engine_->Ingest(bridge);
    if (r.ok()) result = *r;
    return r.status();
  });
  EXPECT_GT(points, 10) << "a merge writes values, customers, record, keys";
  EXPECT_EQ(result.outcome, Outcome::kMerged);
  EXPECT_TRUE(engine_->CheckConsistency().ok());
}

// Blocks of max_block_size records or more propose no candidates: a record
// whose transaction rolled back must not stay in the in-memory index, where
// it would push its blocks towards that size.
TEST(EngineIndexTest, ARolledBackRecordLeavesTheBlockingIndex) {
  auto faulty = std::make_unique<storage::FaultInjectingGraphStore>(
      storage::NewMemoryGraphStore());
  storage::FaultInjectingGraphStore* faults = faulty.get();
  EngineOptions options;
  options.schema = testing_util::TestSchema();
  options.max_block_size = 3;
  auto engine = Engine::Open(std::move(faulty), options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto mail = [](const char* id) {
    return Rec(id, Channel::kWeb,
               {{"email", "ann.lee@mail.hk"}, {"family_name", "Lee"}});
  };
  ASSERT_TRUE((*engine)->Ingest(mail("a")).ok());
  const absl::StatusOr<IngestResult> b = (*engine)->Ingest(mail("b"));
  ASSERT_TRUE(b.ok()) << b.status();
  faults->FailNthCommit(1);
  EXPECT_EQ((*engine)->Ingest(mail("c")).status().code(),
            absl::StatusCode::kUnavailable);
  faults->Disarm();
  // The block holds a and b only: d still finds them.
  const absl::StatusOr<IngestResult> d = (*engine)->Ingest(mail("d"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->outcome, Outcome::kAttached);
  EXPECT_EQ(d->key, b->key);
}

// A batch large enough for the helper thread to score records ahead of the
// writer: a write failing anywhere in it stops the helper, rolls the whole
// batch back and leaves the graph as it was; the batch then goes in whole.
TEST_P(EngineFaultTest, BatchScoredAheadFailsCleanlyAnywhere) {
  Ingest(Rec("first", Channel::kWeb,
             {{"email", "p0@mail.hk"},
              {"given_name", "Mei"},
              {"family_name", "Chan"}}));
  std::vector<SourceRecord> batch;
  for (int i = 0; i < 100; ++i) {
    const std::vector<std::pair<std::string, std::string>> values = {
        {"email", absl::StrCat("p", i % 30, "@mail.hk")},
        {"given_name", i % 2 ? "Ann" : "Mei"},
        {"family_name", i % 3 ? "Lee" : "Chan"}};
    batch.push_back(Rec(absl::StrCat("r", i), Channel::kApp, values));
  }
  const Snapshot before = Take();
  for (int n : {1, 7, 60, 200, 400}) {
    faults_->FailNthWrite(n);
    absl::StatusOr<BatchResult> failed = engine_->IngestBatch(batch);
    faults_->Disarm();
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable)
        << "write " << n;
    EXPECT_TRUE(Take() == before) << "write " << n << " left changes";
    absl::Status consistent = engine_->CheckConsistency();
    EXPECT_TRUE(consistent.ok()) << "write " << n << ": " << consistent;
  }
  absl::StatusOr<BatchResult> done = engine_->IngestBatch(batch);
  ASSERT_TRUE(done.ok()) << done.status();
  const Snapshot after = Take();
  EXPECT_EQ(after.keys.at("r0"), after.keys.at("first"));
  EXPECT_EQ(after.keys.at("r30"), after.keys.at("first"));
  EXPECT_TRUE(engine_->CheckConsistency().ok());
}

TEST_P(EngineFaultTest, FailedCommitLeavesNothing) {
  Ingest(Rec("a", Channel::kWeb,
             {{"email", "ann.lee@mail.hk"}, {"given_name", "Ann"}}));
  const auto before = Take();
  faults_->FailNthCommit(1);
  auto r = engine_->Ingest(Rec("b", Channel::kApp,
                               {{"email", "ann.lee@mail.hk"},
                                {"given_name", "Ann"}}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(Take() == before);
  EXPECT_TRUE(engine_->CheckConsistency().ok());
  faults_->Disarm();
  Ingest(Rec("b", Channel::kApp,
             {{"email", "ann.lee@mail.hk"}, {"given_name", "Ann"}}));
  EXPECT_EQ(Take().keys.at("a"), Take().keys.at("b"));
}

TEST_P(EngineFaultTest, ForgetMergeAndUnmergeFailCleanlyAtEveryWrite) {
  Ingest(Rec("a", Channel::kWeb,
             {{"given_name", "Lin"}, {"family_name", "Mo"},
              {"email", "lin.mo@mail.hk"}}));
  Ingest(Rec("b", Channel::kApp,
             {{"given_name", "Lin"}, {"family_name", "Mo"},
              {"email", "lin.mo@mail.hk"}}));
  Ingest(Rec("c", Channel::kStore,
             {{"given_name", "Zoe"}, {"family_name", "Fu"},
              {"email", "zoe.fu@mail.hk"}}));
  auto keys = Take().keys;
  ASSERT_EQ(keys.at("a"), keys.at("b"));
  std::string split;
  FailEveryWrite([&]() -> absl::Status {
    auto r = engine_->Unmerge(keys.at("a"), {"b"}, "test");
    if (r.ok()) split = *r;
    return r.status();
  });
  EXPECT_NE(Take().keys.at("b"), keys.at("a"));
  FailEveryWrite([&]() -> absl::Status {
    return engine_->Merge(keys.at("c"), keys.at("a"), "test").status();
  });
  EXPECT_EQ(Take().keys.at("a"), Take().keys.at("c"));
  FailEveryWrite([&]() -> absl::Status {
    return engine_->Forget(keys.at("a"), "test").status();
  });
  EXPECT_EQ(Take().keys.size(), 1u);  // Only b, split off before, is left.
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineFaultTest,
                         ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace idr::identity
