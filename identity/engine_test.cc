#include "identity/engine.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "identity/engine_test_util.h"
#include "storage/memory_graph_store.h"
#include "storage/sqlite_graph_store.h"

namespace idr::identity {
namespace {

using testing_util::Rec;
using testing_util::TestSchema;

// Every engine test runs on the in-memory store and on SQLite, and ends by
// checking the graph's invariants.
class EngineTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { Reopen(TestOptions()); }
  void TearDown() override {
    if (engine_ != nullptr) {
      absl::Status s = engine_->CheckConsistency();
      EXPECT_TRUE(s.ok()) << s;
    }
  }

  std::unique_ptr<storage::GraphStore> NewStore() {
    if (std::string(GetParam()) == "memory") {
      return storage::NewMemoryGraphStore();
    }
    std::string name =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = c == '/' ? '_' : c;
    const char* dir = std::getenv("TEST_TMPDIR");
    const std::string path = absl::StrCat(dir ? dir : "/tmp", "/engine-", name,
                                          "-", ++opened_, ".db");
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((path + suffix).c_str());
    }
    auto store = storage::OpenSqliteGraphStore(path);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  EngineOptions TestOptions() {
    EngineOptions options;
    options.schema = TestSchema();
    options.now = [this] { return clock_; };
    return options;
  }

  void Reopen(EngineOptions options) {
    engine_.reset();
    auto engine = Engine::Open(NewStore(), options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
  }

  IngestResult MustIngest(const SourceRecord& r) {
    absl::StatusOr<IngestResult> result = engine_->Ingest(r);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : IngestResult{};
  }

  // Every record of the graph with its key.
  std::map<std::string, std::string> Keys() {
    std::map<std::string, std::string> keys;
    EXPECT_TRUE(engine_
                    ->ForEachRecordKey([&](const std::string& id,
                                           const std::string& key) {
                      keys[id] = key;
                    })
                    .ok());
    return keys;
  }

  int opened_ = 0;
  int64_t clock_ = 1'700'000'000;
  std::unique_ptr<Engine> engine_;
};

TEST_P(EngineTest, FirstRecordCreatesAndMatchingRecordAttaches) {
  IngestResult a = MustIngest(Rec("web-1", Channel::kWeb,
                                  {{"given_name", "Isla"},
                                   {"family_name", "Hall"},
                                   {"birth_date", "1990-04-03"},
                                   {"email", "isla.hall@mail.hk"}}));
  EXPECT_EQ(a.outcome, Outcome::kCreated);
  EXPECT_EQ(a.key.size(), 17u);
  EXPECT_EQ(a.key[0], 'C');

  // Same person in store, a typo in the family name, same birth date.
  IngestResult b = MustIngest(Rec("store-7", Channel::kStore,
                                  {{"given_name", "isla"},
                                   {"family_name", "Hal"},
                                   {"birth_date", "03/04/1990"}}));
  EXPECT_EQ(b.outcome, Outcome::kAttached);
  EXPECT_EQ(b.key, a.key);
  EXPECT_GT(b.best_probability, 0.5);

  // A different person sharing only the city starts a new customer.
  IngestResult c = MustIngest(Rec("web-2", Channel::kWeb,
                                  {{"given_name", "Tom"},
                                   {"family_name", "Baker"},
                                   {"birth_date", "1971-01-09"}}));
  EXPECT_EQ(c.outcome, Outcome::kCreated);
  EXPECT_NE(c.key, a.key);
}

TEST_P(EngineTest, NewKeysSortByCreationTime) {
  // Keys made in one second share their time prefix; later ones sort after
  // (so a batch's keys share the customer key index's last pages).
  std::vector<std::string> keys;
  const std::vector<int64_t> steps = {0, 0, 1, 86'400 * 365};
  for (size_t i = 0; i < steps.size(); ++i) {
    clock_ += steps[i];
    keys.push_back(MustIngest(Rec(absl::StrCat("k", i), Channel::kWeb,
                                  {{"email", absl::StrCat("u", i, "@x.cn")}}))
                       .key);
    ASSERT_EQ(keys.back().size(), 17u);
  }
  EXPECT_NE(keys[0], keys[1]);
  EXPECT_EQ(keys[0].substr(0, 8), keys[1].substr(0, 8));
  EXPECT_NE(keys[1].substr(0, 8), keys[2].substr(0, 8));
  EXPECT_LT(std::max(keys[0], keys[1]), keys[2]);
  EXPECT_LT(keys[2], keys[3]);
}

TEST_P(EngineTest, ReplayIsIdempotent) {
  std::vector<SourceRecord> batch = {
      Rec("a", Channel::kWeb, {{"email", "li.wei@mail.hk"}, {"given_name", "Li"}}),
      Rec("b", Channel::kApp, {{"email", "li.wei@mail.hk"}, {"given_name", "Li"}}),
      Rec("c", Channel::kApp, {{"email", "wu.fang@mail.hk"}, {"given_name", "Wu"}}),
  };
  ASSERT_TRUE(engine_->IngestBatch(batch).ok());
  const auto before = Keys();
  auto stats = engine_->Stats();
  ASSERT_TRUE(stats.ok());
  absl::StatusOr<BatchResult> again = engine_->IngestBatch(batch);
  ASSERT_TRUE(again.ok());
  for (const auto& r : *again) {
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->outcome, Outcome::kUnchanged);
  }
  EXPECT_EQ(Keys(), before);
  EXPECT_EQ(engine_->Stats()->records, 3);
  EXPECT_EQ(before.at("a"), before.at("b"));
  EXPECT_NE(before.at("a"), before.at("c"));
}

TEST_P(EngineTest, BridgingRecordMergesAndOldKeyRedirects) {
  // Two single-record customers that a third record links to both.
  IngestResult a = MustIngest(Rec("a", Channel::kWeb,
                                  {{"given_name", "Wei"},
                                   {"family_name", "Zhang"},
                                   {"email", "wei.zhang@mail.hk"}}));
  clock_ += 10;
  IngestResult b = MustIngest(Rec("b", Channel::kStore,
                                  {{"given_name", "Wei"},
                                   {"family_name", "Zhang"},
                                   {"phone", "+86 138 0013 8000"}}));
  // Names alone do not outweigh the rule's prior: a and b stay apart.
  ASSERT_NE(a.key, b.key);
  IngestResult c = MustIngest(Rec("c", Channel::kCallCenter,
                                  {{"given_name", "Wei"},
                                   {"family_name", "Zhang"},
                                   {"email", "wei.zhang@mail.hk"},
                                   {"phone", "+8613800138000"},
                                   {"birth_date", "1985-06-01"}}));
  EXPECT_EQ(c.outcome, Outcome::kMerged);
  EXPECT_EQ(c.key, a.key) << "the oldest customer survives";
  ASSERT_EQ(c.merged_keys.size(), 1u);
  EXPECT_EQ(c.merged_keys[0], b.key);

  absl::StatusOr<ResolveResult> old = engine_->ResolveKey(b.key);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->key, a.key);
  EXPECT_EQ(old->kind, ResolveResult::Kind::kRedirect);
  EXPECT_EQ(old->redirected_from, b.key);

  absl::StatusOr<Explanation> why = engine_->Explain(b.key);
  ASSERT_TRUE(why.ok()) << why.status();
  ASSERT_EQ(why->records.size(), 3u);
  bool merge_logged = false;
  for (const auto& row : why->history) {
    merge_logged |= row.action == "merge" && row.other_key == b.key;
  }
  EXPECT_TRUE(merge_logged);
}

TEST_P(EngineTest, ResolveByAttributesAnswersAsIfEveryCandidateWereRead) {
  // Two records of one person, then split: the split-off record (the older
  // one) gets the newer customer. Both score the same against a probe.
  for (const char* id : {"t1", "t2"}) {
    MustIngest(Rec(id, Channel::kWeb,
                   {{"given_name", "Hoi Yan"},
                    {"family_name", "Cheung"},
                    {"birth_date", "1990-02-03"},
                    {"email", "hy.cheung@mail.hk"}}));
  }
  const std::string key = Keys().at("t1");
  ASSERT_EQ(Keys().at("t2"), key);
  absl::StatusOr<std::string> split = engine_->Unmerge(key, {"t1"}, "twins");
  ASSERT_TRUE(split.ok()) << split.status();
  SourceRecord probe = Rec("", Channel::kUnknown,
                           {{"given_name", "Hoi Yan"},
                            {"family_name", "Cheung"},
                            {"birth_date", "1990-02-03"}});
  absl::StatusOr<ResolveResult> all = engine_->Resolve(probe, 50);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->candidates.size(), 2u);
  EXPECT_EQ(all->candidates[0].weight, all->candidates[1].weight);
  // A tie goes to the older customer, though its record is the newer one.
  EXPECT_EQ(all->candidates[0].key, key);
  EXPECT_EQ(all->candidates[0].best_record, "t2");
  absl::StatusOr<ResolveResult> one = engine_->Resolve(probe, 1);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_EQ(one->candidates.size(), 1u);
  EXPECT_EQ(one->candidates[0].key, key);
  EXPECT_EQ(one->candidates[0].best_record, "t2");
  EXPECT_EQ(one->key, all->key);
}

TEST_P(EngineTest, ExplainAndResolveShowTheComparedValuesOnlyWhenAsked) {
  IngestResult a = MustIngest(Rec("v1", Channel::kWeb,
                                  {{"given_name", "Wei"},
                                   {"family_name", "Zhang"},
                                   {"email", "Wei.Zhang@Mail.hk"},
                                   {"phone", "+86 138 0013 8000"}}));
  IngestResult b = MustIngest(Rec("v2", Channel::kStore,
                                  {{"given_name", "Wei"},
                                   {"family_name", "Zhang"},
                                   {"email", "wei.zhang@mail.hk"},
                                   {"phone", "+8613800138000"}}));
  ASSERT_EQ(a.key, b.key);
  auto email_of = [](const std::vector<FieldWeight>& fields) {
    for (const FieldWeight& f : fields) {
      if (f.column == "email") return f;
    }
    return FieldWeight{};
  };
  absl::StatusOr<Explanation> plain = engine_->Explain(a.key);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_FALSE(plain->records[0].links.empty());
  FieldWeight email = email_of(plain->records[0].links[0].fields);
  EXPECT_EQ(email.column, "email");
  EXPECT_EQ(email.value, "");
  EXPECT_EQ(email.other_value, "");

  absl::StatusOr<Explanation> shown = engine_->Explain(a.key, true);
  ASSERT_TRUE(shown.ok()) << shown.status();
  email = email_of(shown->records[0].links[0].fields);
  EXPECT_EQ(email.value, "wei.zhang@mail.hk");  // Normalised, as compared.
  EXPECT_EQ(email.other_value, "wei.zhang@mail.hk");

  SourceRecord probe = Rec("", Channel::kUnknown,
                           {{"given_name", "Wei"},
                            {"family_name", "Zhang"},
                            {"phone", "+86 138 0013 8000"}});
  absl::StatusOr<ResolveResult> found = engine_->Resolve(probe, 5, true);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_FALSE(found->candidates.empty());
  bool phone_shown = false;
  for (const FieldWeight& f : found->candidates[0].fields) {
    if (f.column != "phone") continue;
    phone_shown = true;
    EXPECT_EQ(f.value, "+8613800138000");        // The candidate's.
    EXPECT_EQ(f.other_value, "+8613800138000");  // The probe's.
  }
  EXPECT_TRUE(phone_shown);
  found = engine_->Resolve(probe, 5);
  ASSERT_TRUE(found.ok());
  for (const FieldWeight& f : found->candidates[0].fields) {
    EXPECT_EQ(f.value, "");
    EXPECT_EQ(f.other_value, "");
  }
}

TEST_P(EngineTest, ExclusiveIdentifierLinksExactlyAndNeverJoinsTwoValues) {
  IngestResult a = MustIngest(Rec("store-1", Channel::kStore,
                                  {{"loyalty_id", "LC-0001"},
                                   {"given_name", "Mei"},
                                   {"family_name", "Chen"}}));
  // Same loyalty card, nothing else in common: attached deterministically.
  IngestResult b = MustIngest(
      Rec("app-1", Channel::kApp,
          {{"loyalty_id", "lc0001"}, {"email", "m.chen@mail.hk"}}));
  EXPECT_EQ(b.key, a.key);
  EXPECT_TRUE(b.deterministic);

  // Another card with the same name and e-mail: never the same customer.
  IngestResult c = MustIngest(Rec("app-2", Channel::kApp,
                                  {{"loyalty_id", "LC-0002"},
                                   {"given_name", "Mei"},
                                   {"family_name", "Chen"},
                                   {"email", "m.chen@mail.hk"}}));
  EXPECT_NE(c.key, a.key);
  absl::StatusOr<Profile> profile = engine_->GetProfile(a.key);
  ASSERT_TRUE(profile.ok());
  for (const ProfileField& f : profile->fields) {
    if (f.column == "loyalty_id") {
      EXPECT_EQ(f.values.size(), 1u);
    }
  }
  // A person cannot merge them either.
  EXPECT_EQ(engine_->Merge(a.key, c.key, "test").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(EngineTest, SharedJunkValueIsNoEvidence) {
  EngineOptions options = TestOptions();
  options.shared_value_limit = 3;
  Reopen(options);
  // A store's default phone on many unrelated customers.
  const char* names[] = {"Ann", "Bob", "Cai", "Dee", "Eve", "Fei"};
  std::set<std::string> keys;
  for (int i = 0; i < 6; ++i) {
    IngestResult r = MustIngest(Rec(absl::StrCat("s", i), Channel::kStore,
                                    {{"given_name", names[i]},
                                     {"family_name", absl::StrCat("Fam", i)},
                                     {"phone", "+852 2111 1111"},
                                     {"email", "test@test.com"}}));
    keys.insert(r.key);
  }
  EXPECT_EQ(keys.size(), 6u);
}

TEST_P(EngineTest, WeakBridgeDoesNotMerge) {
  // Two customers of two records each (same name, different birth dates)
  // and a record that links to one record of each: no merge, and no review
  // (batch clustering leaves such bridges out too).
  MustIngest(Rec("f1", Channel::kWeb,
                 {{"given_name", "Jun"}, {"family_name", "Lam"},
                  {"birth_date", "1979-02-02"},
                  {"email", "jun.lam@mail.hk"}}));
  MustIngest(Rec("f2", Channel::kStore,
                 {{"given_name", "Jun"}, {"family_name", "Lam"},
                  {"birth_date", "1979-02-02"}, {"phone", "+85291111111"}}));
  MustIngest(Rec("g1", Channel::kApp,
                 {{"given_name", "Jun"}, {"family_name", "Lam"},
                  {"birth_date", "1991-07-15"}, {"phone", "+85292222222"}}));
  MustIngest(Rec("g2", Channel::kApp,
                 {{"given_name", "Jun"}, {"family_name", "Lam"},
                  {"birth_date", "1991-07-15"}, {"city", "Macau"}}));
  auto keys = Keys();
  ASSERT_EQ(keys.at("f1"), keys.at("f2"));
  ASSERT_EQ(keys.at("g1"), keys.at("g2"));
  ASSERT_NE(keys.at("f1"), keys.at("g1"));
  IngestResult bridge = MustIngest(Rec("h1", Channel::kCallCenter,
                                       {{"given_name", "Jun"},
                                        {"family_name", "Lam"},
                                        {"email", "jun.lam@mail.hk"},
                                        {"phone", "+85292222222"}}));
  keys = Keys();
  EXPECT_NE(keys.at("f1"), keys.at("g1"));
  EXPECT_EQ(bridge.outcome, Outcome::kAttached);
  EXPECT_EQ(bridge.held_for_review, 0);
  EXPECT_EQ(engine_->Reviews(10)->size(), 0u);
  // A person may still merge them.
  ASSERT_TRUE(engine_->Merge(keys.at("f1"), keys.at("g1"), "checked").ok());
  EXPECT_EQ(Keys().at("f1"), Keys().at("g2"));
}

TEST_P(EngineTest, StrongMergeAcrossExclusiveIdentifiersIsQueued) {
  IngestResult a = MustIngest(Rec("a", Channel::kStore,
                                  {{"given_name", "Ka"},
                                   {"family_name", "Yip"},
                                   {"email", "ka.yip@mail.hk"},
                                   {"loyalty_id", "LC-7"}}));
  IngestResult b = MustIngest(Rec("b", Channel::kApp,
                                  {{"given_name", "Ka"},
                                   {"family_name", "Yip"},
                                   {"phone", "+85261234567"},
                                   {"loyalty_id", "LC-8"}}));
  ASSERT_NE(a.key, b.key);
  // Links strongly to both; they hold two loyalty cards: held, queued.
  IngestResult c = MustIngest(Rec("c", Channel::kCallCenter,
                                  {{"given_name", "Ka"},
                                   {"family_name", "Yip"},
                                   {"email", "ka.yip@mail.hk"},
                                   {"phone", "+85261234567"}}));
  EXPECT_EQ(c.outcome, Outcome::kAttached);
  EXPECT_EQ(c.held_for_review, 1);
  absl::StatusOr<std::vector<storage::ReviewRow>> reviews =
      engine_->Reviews(10);
  ASSERT_TRUE(reviews.ok());
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_NE((*reviews)[0].reason.find("exclusive identifier"),
            std::string::npos);
  EXPECT_NE(Keys().at("a"), Keys().at("b"));
}

TEST_P(EngineTest, UnmergeSplitsAndKeepsApart) {
  for (const char* id : {"u1", "u2"}) {
    MustIngest(Rec(id, Channel::kWeb,
                   {{"given_name", "Yan"},
                    {"family_name", "Ho"},
                    {"email", "yan.ho@mail.hk"}}));
  }
  const std::string key = Keys().at("u1");
  ASSERT_EQ(Keys().at("u2"), key);
  absl::StatusOr<std::string> split = engine_->Unmerge(key, {"u2"}, "twins");
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_NE(*split, key);
  EXPECT_EQ(Keys().at("u1"), key);
  EXPECT_EQ(Keys().at("u2"), *split);
  // A new record like both joins one of them and does not re-merge them.
  IngestResult again = MustIngest(Rec("u3", Channel::kApp,
                                      {{"given_name", "Yan"},
                                       {"family_name", "Ho"},
                                       {"email", "yan.ho@mail.hk"}}));
  EXPECT_NE(Keys().at("u1"), Keys().at("u2"));
  EXPECT_EQ(again.held_for_review, 0) << "a person decided: not queued again";

  // Bad unmerges.
  std::vector<std::string> all;
  for (const auto& [id, k] : Keys()) {
    if (k == key) all.push_back(id);
  }
  EXPECT_EQ(engine_->Unmerge(key, all, "").status().code(),
            absl::StatusCode::kInvalidArgument);  // Would empty it.
  EXPECT_EQ(engine_->Unmerge(key, {"nope"}, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Unmerge("Cnothere", {"u1"}, "").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_P(EngineTest, UnmergeEachGivesEveryRecordItsOwnCustomer) {
  for (const char* id : {"e1", "e2", "e3", "e4"}) {
    MustIngest(Rec(id, Channel::kWeb,
                   {{"given_name", "Yan"},
                    {"family_name", "Ho"},
                    {"email", "yan.ho@mail.hk"}}));
  }
  const std::string key = Keys().at("e1");
  ASSERT_EQ(Keys().at("e4"), key);
  EXPECT_EQ(engine_->UnmergeEach(key, {"e2", "e2"}, "").status().code(),
            absl::StatusCode::kInvalidArgument);  // Named twice.
  EXPECT_EQ(engine_->UnmergeEach(key, {"e1", "e2", "e3", "e4"}, "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);  // Would empty it.
  absl::StatusOr<std::vector<std::string>> split =
      engine_->UnmergeEach(key, {"e3", "e2"}, "three people", "x1");
  ASSERT_TRUE(split.ok()) << split.status();
  ASSERT_EQ(split->size(), 2u);
  EXPECT_EQ(Keys().at("e3"), (*split)[0]);
  EXPECT_EQ(Keys().at("e2"), (*split)[1]);
  EXPECT_EQ(Keys().at("e1"), key);
  EXPECT_EQ(Keys().at("e4"), key);
  EXPECT_EQ(engine_->UnmergeEach(key, {"e3", "e2"}, "three people", "x1")
                .value_or(std::vector<std::string>{}),
            *split);  // A retry.
  // A record like all of them joins one and merges none of them again.
  MustIngest(Rec("e5", Channel::kApp,
                 {{"given_name", "Yan"},
                  {"family_name", "Ho"},
                  {"email", "yan.ho@mail.hk"}}));
  std::set<std::string> customers;
  for (const char* id : {"e1", "e2", "e3"}) customers.insert(Keys().at(id));
  EXPECT_EQ(customers.size(), 3u);
}

TEST_P(EngineTest, ManualMergeRedirectsTheYoungerKey) {
  IngestResult a = MustIngest(
      Rec("m1", Channel::kWeb, {{"given_name", "Ada"}, {"family_name", "Ng"}}));
  clock_ += 5;
  IngestResult b = MustIngest(Rec("m2", Channel::kStore,
                                  {{"given_name", "Zed"},
                                   {"family_name", "Orr"},
                                   {"email", "zed@mail.hk"}}));
  ASSERT_NE(a.key, b.key);
  EXPECT_EQ(engine_->Merge(a.key, a.key, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> merged =
      engine_->Merge(b.key, a.key, Attribution("same", "agent:jdoe"));
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(*merged, a.key);
  EXPECT_EQ(engine_->ResolveKey(b.key)->key, a.key);
  EXPECT_EQ(engine_->Merge(a.key, b.key, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Explanation> why = engine_->Explain(a.key);
  ASSERT_TRUE(why.ok());
  bool manual = false;
  for (const auto& r : why->records) {
    for (const auto& l : r.links) manual |= l.reason == "manual merge";
  }
  EXPECT_TRUE(manual);
  // The audit log says who asked, and why.
  ASSERT_EQ(why->history.size(), 1u);
  EXPECT_EQ(why->history[0].action, "merge");
  EXPECT_EQ(why->history[0].reason, "manual: same");
  EXPECT_EQ(why->history[0].actor, "agent:jdoe");
}

TEST_P(EngineTest, RequestIdsMakeManualWritesSafeToRetry) {
  const std::string a =
      MustIngest(Rec("q1", Channel::kWeb,
                     {{"given_name", "Ada"}, {"family_name", "Ng"}}))
          .key;
  const std::string b =
      MustIngest(Rec("q2", Channel::kApp,
                     {{"given_name", "Zed"}, {"family_name", "Po"}}))
          .key;
  const std::string c =
      MustIngest(Rec("q3", Channel::kStore,
                     {{"given_name", "Kai"}, {"family_name", "Wu"}}))
          .key;
  // A merge of three that fails on its last key leaves the first two apart.
  EXPECT_EQ(engine_->Merge({a, b, "Cnothere"}, "", "m0").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_NE(Keys().at("q1"), Keys().at("q2"));

  ManualOutcome first;
  absl::StatusOr<std::string> merged =
      engine_->Merge({a, b, c}, "one", "m1", &first);
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(Keys().at("q2"), *merged);
  EXPECT_EQ(Keys().at("q3"), *merged);
  EXPECT_FALSE(first.replayed);
  // Its audit entry: the last of the two merges.
  absl::StatusOr<Explanation> why = engine_->Explain(*merged);
  ASSERT_TRUE(why.ok());
  ASSERT_EQ(why->history.size(), 2u);
  EXPECT_EQ(first.audit_seq, why->history[1].seq);
  // The retry answers as the first call did; without the id it would be a
  // merge of a customer with itself.
  ManualOutcome again;
  absl::StatusOr<std::string> retried =
      engine_->Merge({a, b, c}, "one", "m1", &again);
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(*retried, *merged);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.audit_seq, first.audit_seq);
  EXPECT_EQ(engine_->Merge({a, b}, "", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  // The same id for another request is refused.
  EXPECT_EQ(engine_->Merge({a, c}, "", "m1").status().code(),
            absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<std::string> split =
      engine_->Unmerge(*merged, {"q3"}, "not her", "u1");
  ASSERT_TRUE(split.ok()) << split.status();
  absl::StatusOr<std::string> split_again =
      engine_->Unmerge(*merged, {"q3"}, "not her", "u1");
  ASSERT_TRUE(split_again.ok()) << split_again.status();
  EXPECT_EQ(*split_again, *split);
  EXPECT_EQ(Keys().at("q3"), *split);

  absl::StatusOr<int64_t> erased = engine_->Forget(*split, "GDPR", "f1");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 1);
  absl::StatusOr<int64_t> erased_again = engine_->Forget(*split, "GDPR", "f1");
  ASSERT_TRUE(erased_again.ok()) << erased_again.status();
  EXPECT_EQ(*erased_again, 1);
  EXPECT_EQ(engine_->Forget(*split, "GDPR").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Keys().count("q3"), 0u);

  // Results outlive a day, then go.
  clock_ += Engine::kRequestResultSeconds + 1;
  EXPECT_TRUE(engine_->Forget("Cnothere", "", "f2").status().code() ==
              absl::StatusCode::kNotFound);  // Failed calls keep nothing.
  ASSERT_TRUE(engine_->Merge({*merged, *merged + "x"}, "", "m2")
                  .status()
                  .code() == absl::StatusCode::kNotFound);
  const std::string d =
      MustIngest(Rec("q4", Channel::kWeb,
                     {{"given_name", "Lu"}, {"family_name", "Ma"}}))
          .key;
  ASSERT_TRUE(engine_->Merge({*merged, d}, "", "m3").ok());
  // m1's result was pruned when m3's was kept: a retry of m1 acts again.
  EXPECT_EQ(engine_->Merge({a, b, c}, "one", "m1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(EngineTest, ForgetErasesAndReplayStaysForgotten) {
  const SourceRecord r1 = Rec("f-1", Channel::kWeb,
                              {{"given_name", "Sofia"},
                               {"family_name", "Lopez"},
                               {"email", "sofia.lopez@mail.hk"}});
  const SourceRecord r2 = Rec("f-2", Channel::kApp,
                              {{"given_name", "Sofia"},
                               {"family_name", "Lopez"},
                               {"email", "sofia.lopez@mail.hk"},
                               {"phone", "+1 415 555 0100"}});
  IngestResult a = MustIngest(r1);
  IngestResult b = MustIngest(r2);
  ASSERT_EQ(a.key, b.key);
  MustIngest(Rec("other", Channel::kWeb, {{"given_name", "Sofia"},
                                          {"family_name", "Stone"}}));
  absl::StatusOr<int64_t> erased = engine_->Forget(a.key, "GDPR request");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 2);
  EXPECT_EQ(engine_->GetProfile(a.key).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->Stats()->records, 1);
  // Nothing resolves to the erased e-mail any more.
  absl::StatusOr<ResolveResult> probe = engine_->Resolve(
      Rec("", Channel::kWeb, {{"email", "sofia.lopez@mail.hk"}}));
  ASSERT_TRUE(probe.ok());
  EXPECT_TRUE(probe->key.empty());
  // Replaying the same source records does not bring them back.
  EXPECT_EQ(MustIngest(r1).outcome, Outcome::kForgotten);
  EXPECT_EQ(MustIngest(r2).outcome, Outcome::kForgotten);
  EXPECT_EQ(engine_->Stats()->records, 1);
  EXPECT_EQ(engine_->Forget(a.key, "").status().code(),
            absl::StatusCode::kNotFound);
  // The same e-mail from a new source is a new customer, its value stored
  // once again (TearDown checks that no value is stored twice).
  SourceRecord r3 = r1, r4 = r2;
  r3.source_id = "f-3";
  r4.source_id = "f-4";
  IngestResult again = MustIngest(r3);
  EXPECT_EQ(again.outcome, Outcome::kCreated);
  EXPECT_NE(again.key, a.key);
  EXPECT_EQ(MustIngest(r4).key, again.key);
}

TEST_P(EngineTest, ProfileSurvivorshipChannelsAndAttributes) {
  SourceRecord r1 = Rec("p1", Channel::kWeb,
                        {{"given_name", "Hui"},
                         {"family_name", "Lin"},
                         {"email", "hui.lin@mail.hk"},
                         {"city", "Shenzhen"}});
  r1.seen_at = 1'600'000'000;
  r1.attributes = {{"loyalty_tier", "silver"}};
  SourceRecord r2 = Rec("p2", Channel::kStore,
                        {{"given_name", "Hui"},
                         {"family_name", "Lin"},
                         {"email", "hui.lin@mail.hk"},
                         {"city", "Guangzhou"}});
  r2.seen_at = 1'650'000'000;
  r2.attributes = {{"loyalty_tier", "gold"}, {"points", "1200"}};
  SourceRecord r3 = Rec("p3", Channel::kWeb,
                        {{"given_name", "Hui"},
                         {"family_name", "Lin"},
                         {"email", "hui.lin@mail.hk"},
                         {"city", "Shenzhen"}});
  r3.seen_at = 1'610'000'000;
  IngestResult a = MustIngest(r1);
  ASSERT_EQ(MustIngest(r2).key, a.key);
  ASSERT_EQ(MustIngest(r3).key, a.key);
  absl::StatusOr<Profile> p = engine_->GetProfile(a.key);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->records, 3);
  const ProfileField* city = nullptr;
  for (const ProfileField& f : p->fields) {
    if (f.column == "city") city = &f;
  }
  ASSERT_NE(city, nullptr);
  EXPECT_EQ(city->best, "shenzhen");  // Two records against one.
  EXPECT_EQ(city->rule, "most frequent");
  ASSERT_EQ(city->values.size(), 2u);
  EXPECT_EQ(city->values[0].first_seen, 1'600'000'000);
  EXPECT_EQ(city->values[0].last_seen, 1'610'000'000);
  ASSERT_EQ(p->channels.size(), 2u);
  EXPECT_EQ(p->channels[0].channel, Channel::kWeb);
  EXPECT_EQ(p->channels[0].records, 2);
  EXPECT_EQ(p->channels[0].first_seen, 1'600'000'000);
  EXPECT_EQ(p->channels[0].last_seen, 1'610'000'000);
  EXPECT_EQ(p->channels[1].channel, Channel::kStore);
  EXPECT_EQ(p->channels[1].last_seen, 1'650'000'000);
  // The most recent record's tier wins.
  ASSERT_EQ(p->attributes.size(), 2u);
  EXPECT_EQ(p->attributes[0],
            (std::pair<std::string, std::string>("loyalty_tier", "gold")));
  EXPECT_EQ(p->attributes[1].second, "1200");
  // Member records, most recently seen first.
  ASSERT_EQ(p->members.size(), 3u);
  EXPECT_EQ(p->members[0].source_id, "p2");
  EXPECT_EQ(p->members[0].channel, Channel::kStore);
  EXPECT_EQ(p->members[0].seen_at, 1'650'000'000);
  EXPECT_EQ(p->members[1].source_id, "p3");
  EXPECT_EQ(p->members[2].source_id, "p1");
}

TEST_P(EngineTest, TieGoesToMostRecentValue) {
  SourceRecord r1 = Rec("t1", Channel::kWeb,
                        {{"given_name", "Kai"},
                         {"family_name", "Sun"},
                         {"email", "kai.sun@mail.hk"},
                         {"city", "Taipei"}});
  r1.seen_at = 100;
  SourceRecord r2 = r1;
  r2.source_id = "t2";
  r2.values.back().second = "Tainan";
  r2.seen_at = 200;
  ASSERT_EQ(MustIngest(r1).key, MustIngest(r2).key);
  absl::StatusOr<Profile> p = engine_->GetProfile(MustIngest(r1).key);
  ASSERT_TRUE(p.ok());
  for (const ProfileField& f : p->fields) {
    if (f.column != "city") continue;
    EXPECT_EQ(f.best, "tainan");
    EXPECT_EQ(f.rule, "most recent");
  }
}

TEST_P(EngineTest, ResolveFindsExactAndProbabilisticAndNeverWrites) {
  IngestResult a = MustIngest(Rec("r1", Channel::kWeb,
                                  {{"given_name", "Omar"},
                                   {"family_name", "Haddad"},
                                   {"birth_date", "1988-08-08"},
                                   {"email", "omar@mail.hk"},
                                   {"loyalty_id", "L-77"}}));
  absl::StatusOr<ResolveResult> exact =
      engine_->Resolve(Rec("", Channel::kApp, {{"loyalty_id", "l77"}}));
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(exact->key, a.key);
  EXPECT_EQ(exact->kind, ResolveResult::Kind::kExact);

  absl::StatusOr<ResolveResult> fuzzy = engine_->Resolve(
      Rec("", Channel::kApp,
          {{"given_name", "Omar"}, {"family_name", "Hadad"},
           {"birth_date", "1988-08-08"}}));
  ASSERT_TRUE(fuzzy.ok());
  EXPECT_EQ(fuzzy->key, a.key);
  EXPECT_EQ(fuzzy->kind, ResolveResult::Kind::kProbabilistic);
  ASSERT_FALSE(fuzzy->candidates.empty());
  EXPECT_FALSE(fuzzy->candidates[0].fields.empty());

  absl::StatusOr<ResolveResult> none = engine_->Resolve(
      Rec("", Channel::kApp, {{"email", "nobody@mail.hk"}}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->key.empty());
  EXPECT_EQ(none->kind, ResolveResult::Kind::kNone);
  EXPECT_EQ(engine_->Stats()->records, 1);

  EXPECT_EQ(engine_->ResolveRecord("r1")->key, a.key);
  EXPECT_EQ(engine_->ResolveRecord("zz").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->ResolveKey("Cunknown").status().code(),
            absl::StatusCode::kNotFound);
}

// A resolve places candidates found by one value under their customers
// without reading each (ReadCandidateCustomers): many records of a customer
// share its loyalty card and phone, and a second customer shares the phone.
TEST_P(EngineTest, ResolvePlacesEachCandidateUnderItsOwnCustomer) {
  std::map<std::string, std::set<std::string>> records_of;  // Key -> sources.
  // Interleaved, so neither customer's records are consecutive ids.
  for (int i = 0; i < 5; ++i) {
    const std::string visit = absl::StrCat("visit-", i);
    SourceRecord record = Rec(visit, Channel::kStore,
                              {{"loyalty_id", "LC-5001"},
                               {"phone", "+86 138 0013 8000"}});
    if (i == 4) record.values.emplace_back("email", "mei.lin@mail.cn");
    IngestResult r = MustIngest(record);
    records_of[r.key].insert(visit);
    if (i >= 3) continue;
    const std::string spouse = absl::StrCat("spouse-", i);
    r = MustIngest(Rec(spouse, Channel::kApp,
                       {{"loyalty_id", "LC-5002"},
                        {"phone", "+86 138 0013 8000"}}));
    records_of[r.key].insert(spouse);
  }
  ASSERT_EQ(records_of.size(), 2u);  // Two cards: never one customer.

  absl::StatusOr<ResolveResult> by_phone = engine_->Resolve(
      Rec("", Channel::kApp, {{"phone", "+8613800138000"}}), 5);
  ASSERT_TRUE(by_phone.ok()) << by_phone.status();
  ASSERT_EQ(by_phone->candidates.size(), 2u);
  for (const ResolveCandidate& c : by_phone->candidates) {
    ASSERT_TRUE(records_of.count(c.key)) << c.key;
    EXPECT_TRUE(records_of[c.key].count(c.best_record))
        << c.best_record << " is not a record of " << c.key;
  }
  EXPECT_NE(by_phone->candidates[0].key, by_phone->candidates[1].key);

  // The best record of a customer need not be the one read to place it.
  absl::StatusOr<ResolveResult> by_both = engine_->Resolve(
      Rec("", Channel::kApp,
          {{"phone", "+8613800138000"}, {"email", "mei.lin@mail.cn"}}),
      5);
  ASSERT_TRUE(by_both.ok()) << by_both.status();
  ASSERT_FALSE(by_both->candidates.empty());
  EXPECT_EQ(by_both->candidates[0].best_record, "visit-4");

  absl::StatusOr<ResolveResult> by_card = engine_->Resolve(
      Rec("", Channel::kApp, {{"loyalty_id", "LC-5002"}}), 5);
  ASSERT_TRUE(by_card.ok()) << by_card.status();
  ASSERT_EQ(by_card->candidates.size(), 1u);
  EXPECT_EQ(by_card->kind, ResolveResult::Kind::kExact);
  EXPECT_TRUE(records_of[by_card->key].count("spouse-0"));
  // Equal candidates: the first stored record stands for its customer.
  EXPECT_EQ(by_card->candidates[0].best_record, "spouse-0");
}

// Readers keep their snapshot between calls while nothing is committed:
// each commit must still be seen by the very next read, and a Forget's purge
// must not find an idle snapshot in its way.
TEST_P(EngineTest, ReadsSeeEveryCommitAtOnceThoughReadersKeepSnapshots) {
  for (int i = 0; i < 20; ++i) {
    const std::string loyalty = absl::StrCat("L-", 100 + i);
    IngestResult added = MustIngest(Rec(absl::StrCat("s", i), Channel::kStore,
                                        {{"loyalty_id", loyalty}}));
    // Several readers, all idle with a snapshot from before the next ingest.
    std::vector<absl::StatusOr<ResolveResult>> found;
    for (int j = 0; j < 3; ++j) {
      found.push_back(
          engine_->Resolve(Rec("", Channel::kApp, {{"loyalty_id", loyalty}})));
    }
    for (const auto& f : found) {
      ASSERT_TRUE(f.ok()) << f.status();
      EXPECT_EQ(f->key, added.key) << loyalty;
    }
    EXPECT_EQ(engine_->Stats()->records, i + 1);
  }
  absl::StatusOr<ResolveResult> first =
      engine_->Resolve(Rec("", Channel::kApp, {{"loyalty_id", "L-100"}}));
  ASSERT_TRUE(first.ok());
  absl::StatusOr<int64_t> erased = engine_->Forget(first->key, "test");
  ASSERT_TRUE(erased.ok()) << erased.status();
  absl::StatusOr<ResolveResult> gone =
      engine_->Resolve(Rec("", Channel::kApp, {{"loyalty_id", "L-100"}}));
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->key.empty());
}

// A large batch is validated and normalised on a second thread ahead of the
// writer: it must decide exactly as the same records ingested one by one.
// People for the ingest pipeline's tests: a few names and e-mails, shared;
// every tenth comes twice in a row with an e-mail of their own (the second
// record's only match is the one just before it), every seventh with a
// phone that is not one, and a bad record (an unknown field) before person
// `bad` (or last, for `people`; none for -1).
std::vector<SourceRecord> PipelinePeople(int people, int bad) {
  const char* given[] = {"Wei", "Mei", "Ann", "Li"};
  const char* family[] = {"Zhang", "Chan", "Lee", "Wong", "Ng"};
  std::vector<SourceRecord> records;
  for (int i = 0; i < people; ++i) {
    if (i == bad) {
      records.push_back(Rec("bad", Channel::kWeb, {{"no_such_field", "x"}}));
    }
    const bool twice = i % 10 == 0;
    std::vector<std::pair<std::string, std::string>> values = {
        {"given_name", given[i % 4]},
        {"family_name", family[i % 5]},
        {"email", twice ? absl::StrCat("solo", i, "@mail.hk")
                        : absl::StrCat("p", i % 23, "@mail.hk")}};
    if (i % 7 == 0) values.push_back({"phone", "not a phone"});
    records.push_back(Rec(absl::StrCat("r", i), Channel::kWeb, values));
    if (twice) {
      records.push_back(Rec(absl::StrCat("r", i, "b"), Channel::kApp, values));
    }
  }
  if (bad == people) {
    records.push_back(Rec("bad", Channel::kWeb, {{"no_such_field", "x"}}));
  }
  return records;
}

// Expects the two graphs' records (source id -> key) to be partitioned into
// customers alike: keys differ between graphs (each has its own secret).
void ExpectSamePartition(const std::map<std::string, std::string>& a,
                         const std::map<std::string, std::string>& b) {
  ASSERT_EQ(a.size(), b.size());
  std::map<std::string, std::string> a_to_b;
  for (const auto& [id, key] : a) {
    auto [it, added] = a_to_b.emplace(key, b.at(id));
    EXPECT_EQ(it->second, b.at(id)) << id;
  }
  std::set<std::string> distinct;
  for (const auto& [from, to] : a_to_b) distinct.insert(to);
  EXPECT_EQ(distinct.size(), a_to_b.size());
  EXPECT_GT(a_to_b.size(), 1u);
  EXPECT_LT(a_to_b.size(), a.size());
}

TEST_P(EngineTest, ABatchPreparedAheadDecidesAsOneByOne) {
  // The second of each pair's only match is the one just before it, which
  // the writer may not have written yet when the helper thread scores the
  // second (it finds it published in memory).
  std::vector<SourceRecord> batch = PipelinePeople(150, 150);
  absl::StatusOr<BatchResult> at_once = engine_->IngestBatch(batch);
  ASSERT_TRUE(at_once.ok()) << at_once.status();
  ASSERT_EQ(at_once->size(), batch.size());
  EXPECT_EQ(at_once->back().status().code(),
            absl::StatusCode::kInvalidArgument);
  std::map<std::string, std::string> batched = Keys();
  for (int i = 0; i < 150; i += 10) {
    EXPECT_EQ(batched.at(absl::StrCat("r", i)),
              batched.at(absl::StrCat("r", i, "b")))
        << i;
  }

  Reopen(TestOptions());  // A new, empty graph.
  for (const SourceRecord& r : batch) {
    absl::StatusOr<IngestResult> one = engine_->Ingest(r);
    EXPECT_EQ(one.ok(), r.source_id != "bad") << r.source_id;
  }
  ExpectSamePartition(batched, Keys());
}

// A stream decides as its batches one after another: each batch's records
// prepared while the one before commits, a pair split across two batches,
// a bad record and a replay of an earlier batch's record among them.
TEST_P(EngineTest, AStreamDecidesAsItsBatchesOneByOne) {
  std::vector<SourceRecord> records = PipelinePeople(300, 120);
  records.push_back(records[5]);  // A replay, in the last batch.
  std::vector<std::vector<SourceRecord>> batches;
  for (size_t i = 0; i < records.size(); i += 67) {  // >= 64: the helper.
    batches.emplace_back(records.begin() + i,
                         records.begin() + std::min(records.size(), i + 67));
  }
  // r60b, twin of r60, starts the second batch.
  ASSERT_EQ(batches[0].back().source_id, "r60");
  ASSERT_EQ(batches[1][0].source_id, "r60b");

  std::vector<absl::StatusOr<IngestResult>> streamed;
  size_t next = 0, done = 0;
  absl::Status s = engine_->IngestStream(
      [&](std::vector<SourceRecord>* batch) {
        if (next < batches.size()) *batch = batches[next++];
        return absl::OkStatus();
      },
      [&](const std::vector<SourceRecord>& batch, BatchResult results) {
        EXPECT_EQ(batch.front().source_id, batches[done].front().source_id);
        EXPECT_EQ(results.size(), batches[done].size());
        ++done;
        for (auto& r : results) streamed.push_back(std::move(r));
        return absl::OkStatus();
      });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(done, batches.size());
  ASSERT_EQ(streamed.size(), records.size());
  const std::map<std::string, std::string> keys = Keys();
  EXPECT_EQ(keys.at("r60"), keys.at("r60b"));

  Reopen(TestOptions());  // A new, empty graph.
  std::vector<absl::StatusOr<IngestResult>> one_by_one;
  for (const auto& batch : batches) {
    absl::StatusOr<BatchResult> results = engine_->IngestBatch(batch);
    ASSERT_TRUE(results.ok()) << results.status();
    for (auto& r : *results) one_by_one.push_back(std::move(r));
  }
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(streamed[i].ok(), one_by_one[i].ok()) << records[i].source_id;
    if (!streamed[i].ok()) {
      EXPECT_EQ(records[i].source_id, "bad");
      EXPECT_EQ(streamed[i].status(), one_by_one[i].status());
      continue;
    }
    EXPECT_EQ(streamed[i]->outcome, one_by_one[i]->outcome)
        << records[i].source_id;
  }
  EXPECT_EQ(streamed.back()->outcome, Outcome::kUnchanged);
  ExpectSamePartition(keys, Keys());
}

// A stream stops at the first error of its source or sink; what was
// committed before stays.
TEST_P(EngineTest, AStreamStopsAtItsFirstError) {
  std::vector<SourceRecord> records = PipelinePeople(200, -1);
  int batches = 0;
  absl::Status s = engine_->IngestStream(
      [&](std::vector<SourceRecord>* batch) {
        const size_t from = 70 * batches++;
        if (from < records.size()) {
          batch->assign(records.begin() + from,
                        records.begin() + std::min(records.size(), from + 70));
        }
        return absl::OkStatus();
      },
      [&](const std::vector<SourceRecord>&, BatchResult) {
        return absl::CancelledError("enough");
      });
  EXPECT_EQ(s, absl::CancelledError("enough"));
  EXPECT_EQ(Keys().size(), 70u);  // The first batch only.

  // A source that fails after a batch: that batch is still written.
  int reads = 0, written = 0;
  s = engine_->IngestStream(
      [&](std::vector<SourceRecord>* batch) {
        if (reads++ > 0) return absl::DataLossError("bad input file");
        batch->assign(records.begin() + 70, records.begin() + 140);
        return absl::OkStatus();
      },
      [&](const std::vector<SourceRecord>& batch, BatchResult) {
        written += static_cast<int>(batch.size());
        return absl::OkStatus();
      });
  EXPECT_EQ(s, absl::DataLossError("bad input file"));
  EXPECT_EQ(written, 70);
  EXPECT_EQ(Keys().size(), 140u);

  s = engine_->IngestStream(
      [&](std::vector<SourceRecord>*) {
        return absl::DataLossError("bad input file");
      },
      [&](const std::vector<SourceRecord>&, BatchResult) {
        ADD_FAILURE() << "nothing to write";
        return absl::OkStatus();
      });
  EXPECT_EQ(s, absl::DataLossError("bad input file"));
  EXPECT_EQ(Keys().size(), 140u);
}

// A batch staged ahead tells what is not new as one by one does: a record
// stored before (unchanged, its customer's key), a forgotten one, one that
// comes twice in the batch, and a bad one, none of them counted or indexed.
TEST_P(EngineTest, ABatchStagedAheadTellsReplaysForgottenAndRepeats) {
  const std::string kept_key =
      MustIngest(Rec("kept", Channel::kStore,
                     {{"email", "kept@mail.hk"}, {"given_name", "Fang"}}))
          .key;
  const std::string gone_key =
      MustIngest(Rec("gone", Channel::kStore,
                     {{"email", "gone@mail.hk"}, {"given_name", "Jie"}}))
          .key;
  ASSERT_TRUE(engine_->Forget(gone_key, "GDPR").ok());
  std::vector<SourceRecord> batch;
  for (int i = 0; i < 80; ++i) {
    batch.push_back(Rec(absl::StrCat("r", i), Channel::kWeb,
                        {{"email", absl::StrCat("p", i % 30, "@mail.hk")},
                         {"given_name", i % 2 ? "Ann" : "Mei"}}));
    if (i == 10) {
      batch.push_back(Rec("kept", Channel::kWeb, {{"email", "new@mail.hk"}}));
      batch.push_back(Rec("gone", Channel::kWeb, {{"email", "gone@mail.hk"}}));
      batch.push_back(Rec("bad", Channel::kWeb, {{"no_such_field", "x"}}));
    }
  }
  batch.push_back(batch[3]);  // r3 again.
  absl::StatusOr<BatchResult> results = engine_->IngestBatch(batch);
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), batch.size());
  std::map<std::string, std::string> keys = Keys();
  for (size_t i = 0; i < batch.size(); ++i) {
    const std::string& id = batch[i].source_id;
    const absl::StatusOr<IngestResult>& r = (*results)[i];
    if (id == "bad") {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
      continue;
    }
    ASSERT_TRUE(r.ok()) << id << ": " << r.status();
    if (id == "kept") {
      EXPECT_EQ(r->outcome, Outcome::kUnchanged);
      EXPECT_EQ(r->key, kept_key);
    } else if (id == "gone") {
      EXPECT_EQ(r->outcome, Outcome::kForgotten);
    } else if (i == batch.size() - 1) {
      EXPECT_EQ(r->outcome, Outcome::kUnchanged) << id;
      EXPECT_EQ(r->key, keys.at("r3"));
    } else {
      EXPECT_NE(r->outcome, Outcome::kUnchanged) << id;
    }
  }
  EXPECT_EQ(keys.count("gone"), 0u);
  EXPECT_EQ(keys.count("bad"), 0u);
  EXPECT_EQ(keys.size(), 81u);  // kept and r0..r79, each once.
  // A repeat staged as new fails the batch (the store keeps source ids
  // unique); the consistency check (TearDown) recounts every value and
  // field, which a record counted but not stored would fail.
}

// Of more candidates than max_candidate_records, those sharing the rarest
// evidence with the record are scored: nine people born on one day, and
// the one whose names a resolve gives is found among the first two.
TEST_P(EngineTest, CandidateLimitKeepsTheCandidatesSharingTheRarestEvidence) {
  // She comes first: the oldest record, which a tie would leave out.
  const std::vector<std::pair<std::string, std::string>> people = {
      {"Xiuying", "Wang"}, {"Na", "Li"},    {"Fang", "Wang"},
      {"Wei", "Zhang"},    {"Yang", "Liu"}, {"Jie", "Chen"},
      {"Lei", "Yang"},     {"Min", "Zhao"}, {"Li", "Huang"}};
  auto person = [](const std::pair<std::string, std::string>& p,
                   const std::string& id) {
    return Rec(id, Channel::kStore,
               {{"given_name", p.first},
                {"family_name", p.second},
                {"birth_date", "1990-01-01"}});
  };
  auto probe = Rec("", Channel::kApp,
                   {{"given_name", "Xiuying"},
                    {"family_name", "Wang"},
                    {"birth_date", "1990-01-01"}});
  for (int limit : {0, 2}) {
    SCOPED_TRACE(limit);
    EngineOptions options = TestOptions();
    options.max_candidate_records = limit;
    Reopen(options);
    std::vector<std::string> keys;
    for (size_t i = 0; i < people.size(); ++i) {
      keys.push_back(MustIngest(person(people[i], absl::StrCat("p", i))).key);
    }
    const std::string& wang_xiuying = keys[0];
    ASSERT_EQ(engine_->Stats()->customers, 9);
    absl::StatusOr<ResolveResult> found = engine_->Resolve(probe);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->key, wang_xiuying);
    // Every candidate is a customer of its own; a resolve lists five.
    EXPECT_EQ(found->candidates.size(), limit == 0 ? 5u : 2u);
    // Her next visit, with the limit too, joins her.
    EXPECT_EQ(MustIngest(person(people[0], "visit")).key, wang_xiuying);
  }
  EngineOptions negative = TestOptions();
  negative.max_candidate_records = -1;
  EXPECT_EQ(Engine::Open(NewStore(), negative).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(EngineTest, BadInputIsRejectedWithNothingWritten) {
  auto code = [&](const SourceRecord& r) {
    return engine_->Ingest(r).status().code();
  };
  EXPECT_EQ(code(Rec("", Channel::kWeb, {{"email", "a@b.com"}})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Rec("x", Channel::kWeb, {})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Rec("x", Channel::kWeb, {{"email", "  "}})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Rec("x", Channel::kWeb, {{"shoe_size", "9"}})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Rec("x", Channel::kWeb, {{"email", "a\xff@b.com"}})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Rec("x", Channel::kWeb,
                     {{"given_name", std::string(2000, 'a')}})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code(Rec(std::string(300, 'x'), Channel::kWeb,
                     {{"email", "a@b.com"}})),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Stats()->records, 0);
  EXPECT_EQ(engine_->Stats()->customers, 0);
  // In a batch, a bad record fails alone.
  absl::StatusOr<BatchResult> batch = engine_->IngestBatch(
      {Rec("ok", Channel::kWeb, {{"email", "ok@mail.hk"}}),
       Rec("bad", Channel::kWeb, {{"nope", "1"}})});
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE((*batch)[0].ok());
  EXPECT_EQ((*batch)[1].status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(engine_->Stats()->records, 1);
}

TEST_P(EngineTest, OpenRequiresSchemaForNewGraphAndMatchingFields) {
  EngineOptions none;
  EXPECT_EQ(Engine::Open(NewStore(), none).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EngineOptions other = TestOptions();
  other.schema->fields.pop_back();
  EXPECT_EQ(Engine::Open(NewStore(), other).status().code(),
            absl::StatusCode::kInvalidArgument)
      << "a model comparing a column that is not a field";
}

TEST(EngineReopenTest, SqliteGraphSurvivesReopen) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/reopen.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  std::string key;
  {
    EngineOptions options;
    options.schema = TestSchema();
    auto engine = Engine::Open(*storage::OpenSqliteGraphStore(path), options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    auto r = (*engine)->Ingest(Rec("a", Channel::kWeb,
                                   {{"given_name", "Ning"},
                                    {"family_name", "Gao"},
                                    {"email", "ning.gao@mail.hk"}}));
    ASSERT_TRUE(r.ok());
    key = r->key;
  }
  // Reopened without a schema: the graph carries its own, and its blocking
  // keys (the index is built from the stored records).
  auto engine = Engine::Open(*storage::OpenSqliteGraphStore(path), {});
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_TRUE((*engine)->BuildIndex().ok());
  EXPECT_TRUE((*engine)->BuildIndex().ok());  // Once built, a no-op.
  auto r = (*engine)->Ingest(Rec("b", Channel::kApp,
                                 {{"given_name", "Ning"},
                                  {"family_name", "Gao"},
                                  {"email", "ning.gao@mail.hk"}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->key, key);
  EXPECT_TRUE((*engine)->CheckConsistency().ok());
  // Different fields for an existing graph are refused.
  EngineOptions other;
  other.schema = TestSchema();
  other.schema->fields[0].column = "first";
  EXPECT_EQ(Engine::Open(*storage::OpenSqliteGraphStore(path), other)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

// The store does not keep values unique; each engine's in-memory value
// index does. A value another process stored must still be found, not
// stored a second time, by an engine whose index was built before.
TEST(EngineReopenTest, TwoEnginesOnOneFileStoreEachValueOnce) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/two-engines.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  EngineOptions options;
  options.schema = TestSchema();
  auto first = Engine::Open(*storage::OpenSqliteGraphStore(path), options);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = Engine::Open(*storage::OpenSqliteGraphStore(path), {});
  ASSERT_TRUE(second.ok()) << second.status();
  auto ingest = [](Engine& engine, const char* id, const char* email) {
    auto r = engine.Ingest(Rec(id, Channel::kWeb,
                               {{"given_name", "Mei"},
                                {"family_name", "Chan"},
                                {"email", email}}));
    EXPECT_TRUE(r.ok()) << r.status();
  };
  // Both indexes are built, then each engine stores values the other has
  // not seen, turn by turn.
  ingest(**first, "a1", "mei.chan@mail.hk");
  ingest(**second, "b1", "mei.chan@mail.hk");
  ingest(**first, "a2", "mei@work.hk");
  ingest(**second, "b2", "mei@work.hk");
  ingest(**second, "b3", "chan.mei@mail.cn");
  ingest(**first, "a3", "chan.mei@mail.cn");
  // The first stores a value and reads it back (its writer caches it); the
  // second forgets that customer, which deletes the value; the first then
  // stores it afresh.
  ingest(**first, "a4", "mei.only@mail.cn");
  ingest(**first, "a5", "mei.only@mail.cn");
  auto key = (*second)->ResolveRecord("a5");
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_TRUE((*second)->Forget(key->key, "test").ok());
  ingest(**first, "a6", "mei.only@mail.cn");
  for (auto* engine : {&*first, &*second}) {
    absl::Status s = (*engine)->CheckConsistency();
    EXPECT_TRUE(s.ok()) << s;
  }
}

TEST(EngineReopenTest, GraphOfAnotherNormalizationRefusesValueLookups) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = absl::StrCat(dir ? dir : "/tmp", "/normal.db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
  const SourceRecord record = Rec(
      "a", Channel::kStore, {{"given_name", "Ning"}, {"loyalty_id", "LC48213976"}});
  const SourceRecord probe = Rec("", Channel::kWeb, {{"loyalty_id", "LC48213976"}});
  std::string key;
  {
    EngineOptions options;
    options.schema = TestSchema();
    auto engine = Engine::Open(*storage::OpenSqliteGraphStore(path), options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    auto r = (*engine)->Ingest(record);
    ASSERT_TRUE(r.ok()) << r.status();
    key = r->key;
    // This idr's graph resolves by value.
    auto found = (*engine)->Resolve(probe, 3);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(found->key, key);
  }
  {
    // As a graph from before the setting existed: normalisation version 1.
    auto store = storage::OpenSqliteGraphStore(path);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->BeginWrite().ok());
    ASSERT_TRUE((*store)->PutMeta("engine.normalization_version", "1").ok());
    ASSERT_TRUE((*store)->Commit().ok());
  }
  auto engine = Engine::Open(*storage::OpenSqliteGraphStore(path), {});
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto ingest = (*engine)->Ingest(Rec("b", Channel::kWeb, {{"given_name", "Ning"}}));
  EXPECT_EQ(ingest.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(ingest.status().message().find("normalisation version 1"),
            std::string::npos)
      << ingest.status();
  EXPECT_EQ((*engine)->Resolve(probe, 3).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // What needs no normalising still works: keys, profiles, forget.
  auto by_key = (*engine)->ResolveKey(key);
  ASSERT_TRUE(by_key.ok()) << by_key.status();
  EXPECT_EQ(by_key->key, key);
  EXPECT_TRUE((*engine)->GetProfile(key).ok());
  EXPECT_TRUE((*engine)->Forget(key, "test").ok());
}

TEST_P(EngineTest, ChangeOutboxAndCommitWakeups) {
  EXPECT_EQ(*engine_->LastChangeSeq(), 0);
  const int64_t seen = engine_->CommitCount();
  std::thread writer([&] {
    MustIngest(Rec("c1", Channel::kWeb,
                   {{"given_name", "Yu"}, {"email", "yu.li@mail.hk"}}));
  });
  // Wakes up when the ingest commits (the timeout is only a safety net).
  EXPECT_GT(engine_->WaitForCommit(seen, absl::Seconds(30)), seen);
  writer.join();
  MustIngest(Rec("c2", Channel::kApp,
                 {{"given_name", "Yu"}, {"email", "yu.li@mail.hk"}}));
  absl::StatusOr<std::vector<storage::ChangeRow>> changes =
      engine_->ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok()) << changes.status();
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].kind, "created");
  EXPECT_EQ((*changes)[1].kind, "updated");
  EXPECT_EQ((*changes)[1].key, (*changes)[0].key);
  EXPECT_EQ(*engine_->LastChangeSeq(), (*changes)[1].seq);
  EXPECT_TRUE(engine_->ReadChanges((*changes)[1].seq, 10)->empty());
  // Nothing new: the wait times out and reports the same count.
  const int64_t now = engine_->CommitCount();
  EXPECT_EQ(engine_->WaitForCommit(now, absl::Milliseconds(10)), now);
}

TEST_P(EngineTest, ConcurrentIngestsAreGroupCommittedAndAllKept) {
  // Eight writers and a reader at once: every record is ingested once, in
  // one customer per person, and reads never fail.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const std::string person = absl::StrCat("p", i);
        absl::StatusOr<IngestResult> r = engine_->Ingest(
            Rec(absl::StrCat("t", t, "-", i), Channel::kApp,
                {{"given_name", absl::StrCat("Given", i)},
                 {"family_name", "Chan"},
                 {"email", absl::StrCat(person, ".chan@mail.hk")}}));
        if (!r.ok()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) {
      if (!engine_->Resolve(Rec("", Channel::kWeb,
                                {{"email", "p3.chan@mail.hk"}}))
               .ok()) {
        ++failures;
      }
    }
  });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto keys = Keys();
  EXPECT_EQ(keys.size(), 160u);
  for (int i = 0; i < 20; ++i) {
    for (int t = 1; t < 8; ++t) {
      EXPECT_EQ(keys.at(absl::StrCat("t", t, "-", i)),
                keys.at(absl::StrCat("t0-", i)));
    }
  }
  EXPECT_EQ(engine_->Stats()->customers, 20);
}

TEST_P(EngineTest, ConcurrentBatchesArePreparedAheadAndAllKept) {
  // Four callers of three batches each: a batch that waits while a group
  // is written is prepared by that group's helper thread meanwhile.
  const std::vector<SourceRecord> records = PipelinePeople(800, -1);
  ASSERT_EQ(records.size(), 880u);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t from = 220 * t; from < 220 * (t + 1); from += 74) {
        std::vector<SourceRecord> batch(
            records.begin() + from,
            records.begin() + std::min(220 * (t + 1), from + 74));
        absl::StatusOr<BatchResult> results = engine_->IngestBatch(batch);
        if (!results.ok() || results->size() != batch.size()) {
          ++failures;
          continue;
        }
        for (const auto& r : *results) failures += !r.ok();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto keys = Keys();
  EXPECT_EQ(keys.size(), records.size());
  for (int i = 0; i < 800; i += 10) {
    EXPECT_EQ(keys.at(absl::StrCat("r", i)), keys.at(absl::StrCat("r", i, "b")))
        << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, EngineTest,
                         ::testing::Values("memory", "sqlite"),
                         [](const auto& info) { return info.param; });

TEST(ChannelTest, ParsesLeniently) {
  EXPECT_EQ(ParseChannel("Call Center"), Channel::kCallCenter);
  EXPECT_EQ(ParseChannel("call-centre"), Channel::kCallCenter);
  EXPECT_EQ(ParseChannel("WEB"), Channel::kWeb);
  EXPECT_EQ(ParseChannel("kiosk"), Channel::kOther);
  EXPECT_EQ(ParseChannel(""), Channel::kUnknown);
}

}  // namespace
}  // namespace idr::identity
