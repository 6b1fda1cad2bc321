// Conformance suite: every GraphStore implementation must pass every test.

#include "storage/graph_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/fault_injection.h"
#include "storage/memory_graph_store.h"
#include "storage/sqlite_graph_store.h"
#include "storage/status_testing.h"

namespace idr::storage {
namespace {

using status_testing::StatusOf;



// The value of `s`; a test failure (and T{}) when it is an error.
template <typename T>
T Get(absl::StatusOr<T> s) {
  if (!s.ok()) {
    ADD_FAILURE() << s.status();
    return T{};
  }
  return *std::move(s);
}

// How to open an implementation on a fresh file path (unused by memory).
struct Impl {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<GraphStore>>(
      const std::string& path)>
      open;
};

void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

std::vector<Impl> Impls() {
  return {
      {"memory",
       [](const std::string&) -> absl::StatusOr<std::unique_ptr<GraphStore>> {
         return NewMemoryGraphStore();
       }},
      {"sqlite",
       [](const std::string& path) { return OpenSqliteGraphStore(path); }},
      // Unarmed wrappers must be invisible.
      {"faults_over_memory",
       [](const std::string&) -> absl::StatusOr<std::unique_ptr<GraphStore>> {
         return std::make_unique<FaultInjectingGraphStore>(
             NewMemoryGraphStore());
       }},
      {"faults_over_sqlite",
       [](const std::string& path)
           -> absl::StatusOr<std::unique_ptr<GraphStore>> {
         absl::StatusOr<std::unique_ptr<GraphStore>> inner =
             OpenSqliteGraphStore(path);
         if (!inner.ok()) return inner.status();
         return std::make_unique<FaultInjectingGraphStore>(*std::move(inner));
       }},
  };
}

// High-bit hashes and keys check the uint64 <-> int64 round trip.
constexpr uint64_t kHashA = 0xfedcba9876543210ull;
constexpr uint64_t kHashB = 0x0123456789abcdefull;
constexpr uint64_t kKeyA = 0x8000000000000001ull;
constexpr uint64_t kKeyB = 42;

ValueRow Value(uint64_t hash, int32_t field, const std::string& value,
               int64_t count = 1) {
  ValueRow row;
  row.hash = hash;
  row.field = field;
  row.value = value;
  row.keys = std::string("k\0y", 3);
  row.count = count;
  return row;
}

RecordRow Record(const std::string& source_id, int64_t customer,
                 std::vector<uint64_t> keys = {}) {
  RecordRow row;
  row.keys = std::move(keys);
  row.source_id = source_id;
  row.customer = customer;
  row.channel = 3;
  row.seen_at = 1700000000;
  row.data = std::string("\x01\x00\xff", 3) + source_id;
  return row;
}

CustomerRow Customer(const std::string& key) {
  CustomerRow row;
  row.key = key;
  row.created_at = 100;
  row.updated_at = 200;
  row.size = 1;
  return row;
}

LinkRow Link(int64_t a, int64_t b, double weight = 12.5) {
  LinkRow row;
  row.a = a;
  row.b = b;
  row.weight = weight;
  row.rule = 7;
  row.detail = std::string("w\0", 2) + std::to_string(a);
  return row;
}

AuditRow Audit(const std::string& action, const std::string& key,
               const std::string& other_key = "") {
  AuditRow row;
  row.at = 1000;
  row.action = action;
  row.key = key;
  row.other_key = other_key;
  row.reason = "why " + action;
  row.detail = "{\"w\":1}";
  row.actor = action == "review" ? "" : "agent:" + key;
  return row;
}

ReviewRow Review(int64_t record, const std::string& key,
                 const std::string& other_key) {
  ReviewRow row;
  row.at = 2000;
  row.record = record;
  row.key = key;
  row.other_key = other_key;
  row.weight = 3.25;
  row.reason = "size guard";
  return row;
}

ChangeRow Change(const std::string& kind, const std::string& key,
                 const std::string& other_key = "") {
  ChangeRow row;
  row.at = 3000;
  row.kind = kind;
  row.key = key;
  row.other_key = other_key;
  return row;
}

std::string Str(const std::string& s) { return absl::CHexEscape(s); }
std::string Str(bool b) { return b ? "T" : "F"; }
std::string Str(const ValueRow& r) {
  return absl::StrCat("V", r.id, "/", r.hash, "/", r.field, "/",
                      absl::CHexEscape(r.value), "/", absl::CHexEscape(r.keys),
                      "/", r.count);
}
std::string Str(const RecordRow& r) {
  return absl::StrCat("R", r.id, "/", r.source_id, "/", r.customer, "/",
                      r.channel, "/", r.seen_at, "/", absl::CHexEscape(r.data),
                      "/", absl::StrJoin(r.keys, ","));
}
std::string Str(const CustomerRow& r) {
  return absl::StrCat("C", r.id, "/", r.key, "/", r.created_at, "/",
                      r.updated_at, "/", r.size);
}
std::string Str(const LinkRow& r) {
  return absl::StrCat("L", r.a, "-", r.b, "/", r.weight, "/", r.rule, "/",
                      absl::CHexEscape(r.detail));
}
std::string Str(const AuditRow& r) {
  return absl::StrCat("A", r.seq, "/", r.at, "/", r.action, "/", r.key, "/",
                      r.other_key, "/", r.reason, "/", r.detail, "/", r.actor);
}
std::string Str(const ReviewRow& r) {
  return absl::StrCat("Q", r.id, "/", r.at, "/", r.record, "/", r.key, "/",
                      r.other_key, "/", r.weight, "/", r.reason);
}
std::string Str(const ChangeRow& r) {
  return absl::StrCat("X", r.seq, "/", r.at, "/", r.kind, "/", r.key, "/",
                      r.other_key);
}
template <typename T>
std::string Str(const std::optional<T>& r) {
  return r ? Str(*r) : "-";
}
template <typename T>
std::string Str(const std::vector<T>& rows) {
  std::string out = "[";
  for (const T& row : rows) absl::StrAppend(&out, Str(row), " ");
  return out + "]";
}

// Everything the store holds that the tests' names can reach, as text: two
// equal dumps mean two equal graphs as far as these tests can tell.
std::string Dump(GraphStore& s) {
  const std::vector<std::string> keys = {"c1", "c2", "c3", "c4", "x", ""};
  std::string out;
  for (const char* m : {"m1", "m2"}) {
    absl::StrAppend(&out, "meta ", Str(Get(s.GetMeta(m))), "\n");
  }
  for (int64_t id = 1; id <= 12; ++id) {
    absl::StrAppend(&out, Str(Get(s.GetValue(id))), " ",
                    Str(Get(s.GetRecord(id))), " ", Str(Get(s.GetCustomer(id))),
                    " ", Str(Get(s.RecordsOfCustomer(id))), " ",
                    Str(Get(s.LinksOf(id))), "\n");
  }
  for (const auto& [id, hash] : Get(s.ValueHashes(0))) {
    absl::StrAppend(&out, "value ", id, " ", hash, "\n");
  }
  std::vector<RecordRow> all;
  EXPECT_OK(s.ForEachRecord([&](const RecordRow& r) {
    all.push_back(r);
    return true;
  }));
  absl::StrAppend(&out, Str(all), "\n");
  for (const char* src : {"s1", "s2", "s3", "s4"}) {
    absl::StrAppend(&out, Str(Get(s.FindRecord(src))), "\n");
  }
  absl::StrAppend(&out, "records ", Get(s.CountRecords()), " customers ",
                  Get(s.CountCustomers()), " reviews ", Get(s.CountReviews()),
                  "\n");
  for (const std::string& k : keys) {
    absl::StrAppend(&out, k, ": ", Str(Get(s.FindCustomer(k))), " ",
                    Str(Get(s.GetRedirect(k))), " ", Str(Get(s.RedirectsTo(k))),
                    " ", Str(Get(s.SeparationsOf(k))), " ",
                    Str(Get(s.HasTombstone(k))), "\n");
  }
  absl::StrAppend(&out, Str(Get(s.ReadAudit(0, 1000, ""))), "\n",
                  Str(Get(s.ListReviews(1000))), "\n",
                  Str(Get(s.ReadChanges(0, 1000))), "\n");
  return out;
}

// Ids of the rows Populate writes.
struct Ids {
  int64_t v1 = 0, v2 = 0, c1 = 0, c2 = 0, r1 = 0, r2 = 0, r3 = 0, review = 0;
};

class GraphStoreTest : public testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    // "Name/impl": one file per test and implementation.
    std::string name =
        testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    const char* dir = std::getenv("TEST_TMPDIR");
    path_ = absl::StrCat(dir ? dir : "/tmp", "/", name, ".db");
    for (const std::string& p : {path_, path_ + ".empty"}) {
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::remove((p + suffix).c_str());
      }
    }
    store_ = Get(GetParam().open(path_));
    ASSERT_NE(store_, nullptr);
  }

  // One of every kind of row, committed.
  Ids Populate() {
    Ids ids;
    EXPECT_OK(store_->BeginWrite());
    EXPECT_OK(store_->PutMeta("m1", "one"));
    ids.v1 = Get(store_->InsertValue(Value(kHashA, 1, "anna", 2)));
    ids.v2 = Get(store_->InsertValue(Value(kHashB, 2, "lee", 1)));
    ids.c1 = Get(store_->InsertCustomer(Customer("c1")));
    ids.c2 = Get(store_->InsertCustomer(Customer("c2")));
    ids.r1 = Get(store_->InsertRecord(Record("s1", ids.c1, {kKeyA})));
    ids.r2 = Get(store_->InsertRecord(Record("s2", ids.c1, {kKeyA, kKeyB})));
    ids.r3 = Get(store_->InsertRecord(Record("s3", ids.c2)));
    EXPECT_OK(store_->PutLink(Link(ids.r1, ids.r2)));
    EXPECT_OK(store_->PutRedirect("c3", "c1"));
    EXPECT_OK(store_->AppendAudit(Audit("merge", "c1", "c3")));
    ids.review = Get(store_->AddReview(Review(ids.r3, "c1", "c2")));
    Get(store_->AddReview(Review(ids.r3, "c3", "c1")));
    EXPECT_OK(store_->PutSeparation("c1", "c4"));
    EXPECT_OK(store_->PutTombstone("x"));
    EXPECT_OK(store_->AppendChange(Change("merged", "c1", "c3")));
    EXPECT_OK(store_->Commit());
    return ids;
  }

  std::string path_;
  std::unique_ptr<GraphStore> store_;
};

TEST_P(GraphStoreTest, WritesOutsideATransactionAreRefused) {
  GraphStore& s = *store_;
  EXPECT_CODE(s.PutMeta("m1", "v"), kFailedPrecondition);
  EXPECT_CODE(s.InsertValue(Value(kHashA, 1, "a")), kFailedPrecondition);
  EXPECT_CODE(s.AddValueCount(1, 1), kFailedPrecondition);
  EXPECT_CODE(s.InsertRecord(Record("s1", 1)), kFailedPrecondition);
  EXPECT_CODE(s.SetRecordCustomer(1, 2), kFailedPrecondition);
  EXPECT_CODE(s.DeleteRecord(1), kFailedPrecondition);
  EXPECT_CODE(s.PutLink(Link(1, 2)), kFailedPrecondition);
  EXPECT_CODE(s.DeleteLink(1, 2), kFailedPrecondition);
  EXPECT_CODE(s.InsertCustomer(Customer("c1")), kFailedPrecondition);
  EXPECT_CODE(s.UpdateCustomer(Customer("c1")), kFailedPrecondition);
  EXPECT_CODE(s.DeleteCustomer(1), kFailedPrecondition);
  EXPECT_CODE(s.PutRedirect("a", "b"), kFailedPrecondition);
  EXPECT_CODE(s.DeleteRedirect("a"), kFailedPrecondition);
  EXPECT_CODE(s.AppendAudit(Audit("merge", "a")), kFailedPrecondition);
  EXPECT_CODE(s.RedactKey("a", "b"), kFailedPrecondition);
  EXPECT_CODE(s.AddReview(Review(1, "a", "b")), kFailedPrecondition);
  EXPECT_CODE(s.DeleteReview(1), kFailedPrecondition);
  EXPECT_CODE(s.DeleteReviewsOf("a"), kFailedPrecondition);
  EXPECT_CODE(s.DeleteReviewsBetween("a", "b"), kFailedPrecondition);
  EXPECT_CODE(s.PutSeparation("a", "b"), kFailedPrecondition);
  EXPECT_CODE(s.DeleteSeparationsOf("a"), kFailedPrecondition);
  EXPECT_CODE(s.PutTombstone("a"), kFailedPrecondition);
  EXPECT_CODE(s.AppendChange(Change("created", "a")), kFailedPrecondition);
  EXPECT_CODE(s.Commit(), kFailedPrecondition);
  s.Rollback();  // A no-op without a transaction.
  EXPECT_EQ(Get(s.CountRecords()), 0);
}

TEST_P(GraphStoreTest, TransactionsDoNotNest) {
  ASSERT_OK(store_->BeginWrite());
  EXPECT_CODE(store_->BeginWrite(), kFailedPrecondition);
  EXPECT_CODE(store_->Purge(), kFailedPrecondition);
  ASSERT_OK(store_->Commit());
  ASSERT_OK(store_->BeginWrite());  // A new one after Commit.
  store_->Rollback();
  EXPECT_CODE(store_->Commit(), kFailedPrecondition);
}

TEST_P(GraphStoreTest, RequestResultsAreStoredOnceRolledBackAndPruned) {
  const std::string binary_id("\x01\0\xfe", 3);
  EXPECT_CODE(store_->PutRequestResult("r1", 100, "x"), kFailedPrecondition);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutRequestResult(binary_id, 100, "first"));
  EXPECT_CODE(store_->PutRequestResult(binary_id, 100, "second"),
              kAlreadyExists);
  ASSERT_OK(store_->PutRequestResult("r2", 200, "z"));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRequestResult(binary_id)), "first");
  EXPECT_EQ(Get(store_->GetRequestResult("r3")), std::nullopt);

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutRequestResult("r3", 300, "gone"));
  ASSERT_OK(store_->DeleteRequestResultsBefore(300));
  store_->Rollback();
  EXPECT_EQ(Get(store_->GetRequestResult("r3")), std::nullopt);
  EXPECT_EQ(Get(store_->GetRequestResult("r2")), "z");

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteRequestResultsBefore(150));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRequestResult(binary_id)), std::nullopt);
  EXPECT_EQ(Get(store_->GetRequestResult("r2")), "z");
}

TEST_P(GraphStoreTest, Meta) {
  EXPECT_EQ(Get(store_->GetMeta("m1")), std::nullopt);
  const std::string binary("a\0b\xff", 4);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutMeta("m1", "one"));
  ASSERT_OK(store_->PutMeta("m2", binary));
  EXPECT_EQ(Get(store_->GetMeta("m1")), "one");  // Seen before Commit.
  ASSERT_OK(store_->PutMeta("m1", "uno"));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetMeta("m1")), "uno");
  EXPECT_EQ(Get(store_->GetMeta("m2")), binary);
}

TEST_P(GraphStoreTest, ValuesAreReadByIdAndListedWithTheirHashes) {
  ASSERT_OK(store_->BeginWrite());
  int64_t anna = Get(store_->InsertValue(Value(kHashA, 1, "anna", 3)));
  // A hash collision: same hash, another value; and the same value in
  // another field. Both are distinct rows.
  int64_t ana = Get(store_->InsertValue(Value(kHashA, 1, "ana")));
  int64_t anna2 = Get(store_->InsertValue(Value(kHashA, 2, "anna")));
  int64_t lee = Get(store_->InsertValue(Value(kHashB, 1, "lee")));
  EXPECT_GT(anna, 0);
  EXPECT_GT(ana, anna);
  EXPECT_GT(anna2, ana);
  EXPECT_CODE(store_->InsertValue(Value(kHashA, 1, "x", -1)), kInvalidArgument);
  ASSERT_OK(store_->Commit());

  using IdHash = std::pair<int64_t, uint64_t>;
  EXPECT_EQ(Get(store_->ValueHashes(0)),  // By id.
            (std::vector<IdHash>{
                {anna, kHashA}, {ana, kHashA}, {anna2, kHashA}, {lee, kHashB}}));
  EXPECT_EQ(Get(store_->ValueHashes(ana)),  // Only the newer ones.
            (std::vector<IdHash>{{anna2, kHashA}, {lee, kHashB}}));
  EXPECT_TRUE(Get(store_->ValueHashes(lee)).empty());
  std::optional<ValueRow> row = Get(store_->GetValue(anna));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->hash, kHashA);
  EXPECT_EQ(row->field, 1);
  EXPECT_EQ(row->value, "anna");
  EXPECT_EQ(row->keys, std::string("k\0y", 3));
  EXPECT_EQ(row->count, 3);
  EXPECT_EQ(Get(store_->GetValue(anna2 + 100)), std::nullopt);

  // Whole rows, a batch at a time.
  std::vector<ValueRow> first = Get(store_->ValuesAfter(0, 2));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, anna);
  EXPECT_EQ(first[0].value, "anna");
  EXPECT_EQ(first[0].keys, std::string("k\0y", 3));
  EXPECT_EQ(first[0].count, 3);
  EXPECT_EQ(first[1].id, ana);
  std::vector<ValueRow> rest = Get(store_->ValuesAfter(first[1].id, 2));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].id, anna2);
  EXPECT_EQ(rest[0].field, 2);
  EXPECT_EQ(rest[1].id, lee);
  EXPECT_EQ(rest[1].hash, kHashB);
  EXPECT_TRUE(Get(store_->ValuesAfter(lee, 2)).empty());
}

TEST_P(GraphStoreTest, ValueCountReachingZeroDeletesTheValue) {
  ASSERT_OK(store_->BeginWrite());
  int64_t id = Get(store_->InsertValue(Value(kHashB, 1, "lee", 1)));
  ASSERT_OK(store_->AddValueCount(id, 2));
  EXPECT_EQ(Get(store_->GetValue(id))->count, 3);
  EXPECT_CODE(store_->AddValueCount(id, -4), kInvalidArgument);
  EXPECT_EQ(Get(store_->GetValue(id))->count, 3);
  EXPECT_CODE(store_->AddValueCount(id + 1, 1), kInvalidArgument);
  ASSERT_OK(store_->AddValueCount(id, -3));
  EXPECT_EQ(Get(store_->GetValue(id)), std::nullopt);
  EXPECT_TRUE(Get(store_->ValueHashes(0)).empty());
  EXPECT_CODE(store_->AddValueCount(id, 1), kInvalidArgument);
  // The value can be stored again, under a new id.
  int64_t again = Get(store_->InsertValue(Value(kHashB, 1, "lee", 1)));
  EXPECT_NE(again, id);
  ASSERT_OK(store_->Commit());
  using IdHash = std::pair<int64_t, uint64_t>;
  EXPECT_EQ(Get(store_->ValueHashes(0)), (std::vector<IdHash>{{again, kHashB}}));
}

TEST_P(GraphStoreTest, ValueIdsTakenAheadAreNeverReused) {
  EXPECT_EQ(Get(store_->NextValueId()), 1);
  ASSERT_OK(store_->BeginWrite());
  const int64_t v1 = Get(store_->InsertValue(Value(kHashA, 1, "wang", 1)));
  EXPECT_EQ(Get(store_->NextValueId()), v1 + 1);
  ValueRow ahead = Value(kHashB, 1, "lee", 1);
  ahead.id = v1 + 1;
  EXPECT_EQ(Get(store_->InsertValue(ahead)), v1 + 1);
  ValueRow below = Value(kHashB, 2, "chan", 1);
  below.id = v1;
  EXPECT_CODE(store_->InsertValue(below), kInvalidArgument);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetValue(v1 + 1))->value, "lee");
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->AddValueCount(v1 + 1, -1));  // Deletes it.
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->NextValueId()), v1 + 2);
}

TEST_P(GraphStoreTest, RecordIdsTakenAheadAreNeverReused) {
  EXPECT_EQ(Get(store_->NextRecordId()), 1);
  ASSERT_OK(store_->BeginWrite());
  const int64_t r1 = Get(store_->InsertRecord(Record("s1", 10)));
  EXPECT_EQ(r1, 1);
  const int64_t next = Get(store_->NextRecordId());
  EXPECT_EQ(next, r1 + 1);
  // Taken ahead: the writer's ids, one after the other.
  RecordRow ahead = Record("s2", 10);
  ahead.id = next + 1;  // Leaving a gap is allowed.
  EXPECT_EQ(Get(store_->InsertRecord(ahead)), next + 1);
  EXPECT_EQ(Get(store_->NextRecordId()), next + 2);
  RecordRow below = Record("s3", 10);
  below.id = next;  // Below the next id, though never used.
  EXPECT_CODE(store_->InsertRecord(below), kInvalidArgument);
  below.id = 0;
  EXPECT_EQ(Get(store_->InsertRecord(below)), next + 2);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRecord(next + 1))->source_id, "s2");

  // The largest id is not given again once its record is deleted.
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteRecord(next + 2));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->NextRecordId()), next + 3);
  ASSERT_OK(store_->BeginWrite());
  EXPECT_EQ(Get(store_->InsertRecord(Record("s4", 10))), next + 3);
  store_->Rollback();
}

TEST_P(GraphStoreTest, Records) {
  ASSERT_OK(store_->BeginWrite());
  int64_t r1 = Get(store_->InsertRecord(Record("s1", 10)));
  int64_t r2 = Get(store_->InsertRecord(Record("s2", 10)));
  int64_t r3 = Get(store_->InsertRecord(Record("s3", 11)));
  EXPECT_GT(r1, 0);
  EXPECT_LT(r1, r2);
  EXPECT_LT(r2, r3);
  EXPECT_CODE(store_->InsertRecord(Record("s2", 12)), kAlreadyExists);
  EXPECT_EQ(Get(store_->CountRecords()), 3);
  ASSERT_OK(store_->Commit());

  std::optional<RecordRow> row = Get(store_->GetRecord(r2));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->id, r2);
  EXPECT_EQ(row->source_id, "s2");
  EXPECT_EQ(row->customer, 10);
  EXPECT_EQ(row->channel, 3);
  EXPECT_EQ(row->seen_at, 1700000000);
  EXPECT_EQ(row->data, std::string("\x01\x00\xff", 3) + "s2");
  EXPECT_EQ(Str(Get(store_->FindRecord("s2"))), Str(row));
  EXPECT_EQ(Get(store_->FindRecord("s9")), std::nullopt);
  EXPECT_EQ(Get(store_->GetRecord(r3 + 1)), std::nullopt);
  EXPECT_EQ(Get(store_->CustomerOfRecord(r2)), 10);
  EXPECT_EQ(Get(store_->CustomerOfRecord(r3)), 11);
  EXPECT_EQ(Get(store_->CustomerOfRecord(r3 + 1)), 0);

  std::vector<RecordRow> of10 = Get(store_->RecordsOfCustomer(10));
  ASSERT_EQ(of10.size(), 2u);
  EXPECT_EQ(of10[0].id, r1);
  EXPECT_EQ(of10[1].id, r2);
  EXPECT_EQ(Get(store_->RecordIdsOfCustomer(10)),
            (std::vector<int64_t>{r1, r2}));
  EXPECT_TRUE(Get(store_->RecordIdsOfCustomer(12)).empty());

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->SetRecordCustomer(r1, 11));
  EXPECT_CODE(store_->SetRecordCustomer(r3 + 1, 11), kInvalidArgument);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRecord(r1))->customer, 11);
  EXPECT_EQ(Get(store_->CustomerOfRecord(r1)), 11);
  EXPECT_EQ(Get(store_->RecordsOfCustomer(10)).size(), 1u);
  std::vector<RecordRow> of11 = Get(store_->RecordsOfCustomer(11));
  ASSERT_EQ(of11.size(), 2u);
  EXPECT_EQ(of11[0].id, r1);
  EXPECT_EQ(of11[1].id, r3);
  EXPECT_EQ(Get(store_->RecordIdsOfCustomer(11)),
            (std::vector<int64_t>{r1, r3}));
  EXPECT_EQ(Get(store_->RecordIdsOfCustomer(10)), (std::vector<int64_t>{r2}));
}

TEST_P(GraphStoreTest, DeleteRecordRemovesItAndItsLinks) {
  ASSERT_OK(store_->BeginWrite());
  int64_t r1 = Get(store_->InsertRecord(Record("s1", 1, {kKeyA})));
  int64_t r2 = Get(store_->InsertRecord(Record("s2", 1, {kKeyA, kKeyB})));
  int64_t r3 = Get(store_->InsertRecord(Record("s3", 1, {kKeyA})));
  ASSERT_OK(store_->PutLink(Link(r1, r2)));
  ASSERT_OK(store_->PutLink(Link(r2, r3)));
  ASSERT_OK(store_->PutLink(Link(r1, r3)));
  ASSERT_OK(store_->Commit());

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteRecord(r2));
  ASSERT_OK(store_->DeleteRecord(r3 + 100));  // Unknown: a no-op.
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRecord(r2)), std::nullopt);
  EXPECT_EQ(Get(store_->FindRecord("s2")), std::nullopt);
  EXPECT_TRUE(Get(store_->LinksOf(r2)).empty());
  EXPECT_EQ(Str(Get(store_->LinksOf(r1))), Str(std::vector{Link(r1, r3)}));
  EXPECT_EQ(Str(Get(store_->LinksOf(r3))), Str(std::vector{Link(r1, r3)}));
  EXPECT_EQ(Get(store_->RecordsOfCustomer(1)).size(), 2u);
  EXPECT_EQ(Get(store_->CountRecords()), 2);

  // The source id is free again.
  ASSERT_OK(store_->BeginWrite());
  int64_t again = Get(store_->InsertRecord(Record("s2", 1)));
  EXPECT_GT(again, r3);
  ASSERT_OK(store_->Commit());
  EXPECT_TRUE(Get(store_->GetRecord(again))->keys.empty());
}

TEST_P(GraphStoreTest, ForEachRecordVisitsInIdOrderAndStopsEarly) {
  constexpr int kRecords = 700;  // More than one batch of any implementation.
  ASSERT_OK(store_->BeginWrite());
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_OK(store_->InsertRecord(Record(absl::StrCat("s", i), i % 7)));
  }
  ASSERT_OK(store_->Commit());

  std::vector<int64_t> seen;
  ASSERT_OK(store_->ForEachRecord([&](const RecordRow& r) {
    // The visitor may use the store.
    EXPECT_EQ(Get(store_->GetRecord(r.id))->source_id, r.source_id);
    seen.push_back(r.id);
    return true;
  }));
  ASSERT_EQ(seen.size(), size_t{kRecords});
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1], seen[i]);

  int visits = 0;
  ASSERT_OK(store_->ForEachRecord([&](const RecordRow& r) {
    EXPECT_EQ(r.id, seen[visits]);
    return ++visits < 10;
  }));
  EXPECT_EQ(visits, 10);

  visits = 0;
  auto empty = GetParam().open(path_ + ".empty");
  ASSERT_OK(empty);
  ASSERT_OK((*empty)->ForEachRecord([&](const RecordRow&) {
    ++visits;
    return true;
  }));
  EXPECT_EQ(visits, 0);
}

TEST_P(GraphStoreTest, ForEachRecordCustomerVisitsByCustomerAndStopsEarly) {
  constexpr int kRecords = 5000;  // More than one batch of any implementation.
  ASSERT_OK(store_->BeginWrite());
  std::set<std::pair<int64_t, int64_t>> stored;  // (customer, record).
  for (int i = 0; i < kRecords; ++i) {
    const int64_t customer = (i * 7919) % 13 + 1;
    int64_t id =
        Get(store_->InsertRecord(Record(absl::StrCat("s", i), customer)));
    stored.emplace(customer, id);
  }
  ASSERT_OK(store_->Commit());
  using Pairs = std::vector<std::pair<int64_t, int64_t>>;
  Pairs seen;
  ASSERT_OK(
      store_->ForEachRecordCustomer([&](int64_t record, int64_t customer) {
        seen.emplace_back(customer, record);
        return true;
      }));
  EXPECT_EQ(seen, Pairs(stored.begin(), stored.end()));
  int visits = 0;
  ASSERT_OK(store_->ForEachRecordCustomer(
      [&](int64_t, int64_t) { return ++visits < 10; }));
  EXPECT_EQ(visits, 10);
}

TEST_P(GraphStoreTest, ARecordKeepsItsBlockingKeys) {
  const std::vector<uint64_t> keys = {kKeyB, ~uint64_t{0}, kKeyA, 0};
  ASSERT_OK(store_->BeginWrite());
  int64_t id = Get(store_->InsertRecord(Record("s1", 1, keys)));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRecord(id))->keys, keys);  // In their order.
  EXPECT_EQ(Get(store_->FindRecord("s1"))->keys, keys);
  EXPECT_EQ(Get(store_->RecordsOfCustomer(1))[0].keys, keys);
  std::vector<uint64_t> visited;
  ASSERT_OK(store_->ForEachRecord([&](const RecordRow& r) {
    visited = r.keys;
    return true;
  }));
  EXPECT_EQ(visited, keys);
}

TEST_P(GraphStoreTest, Links) {
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutLink(Link(2, 5)));
  ASSERT_OK(store_->PutLink(Link(5, 9)));
  ASSERT_OK(store_->PutLink(Link(1, 5)));
  ASSERT_OK(store_->PutLink(Link(3, 4)));
  EXPECT_CODE(store_->PutLink(Link(5, 5)), kInvalidArgument);
  EXPECT_CODE(store_->PutLink(Link(6, 5)), kInvalidArgument);
  ASSERT_OK(store_->PutLink(Link(2, 5, -1.75)));  // Replaces.
  ASSERT_OK(store_->Commit());

  EXPECT_EQ(Str(Get(store_->LinksOf(5))),
            Str(std::vector{Link(1, 5), Link(2, 5, -1.75), Link(5, 9)}));
  EXPECT_EQ(Str(Get(store_->LinksOf(3))), Str(std::vector{Link(3, 4)}));
  EXPECT_TRUE(Get(store_->LinksOf(7)).empty());

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteLink(2, 5));
  ASSERT_OK(store_->DeleteLink(2, 6));  // Absent: a no-op.
  EXPECT_CODE(store_->DeleteLink(5, 2), kInvalidArgument);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Str(Get(store_->LinksOf(5))),
            Str(std::vector{Link(1, 5), Link(5, 9)}));
  EXPECT_TRUE(Get(store_->LinksOf(2)).empty());
}

TEST_P(GraphStoreTest, LinksFromCustomerListsEachLinkOfItsRecordsOnce) {
  ASSERT_OK(store_->BeginWrite());
  const int64_t r1 = Get(store_->InsertRecord(Record("s1", 7)));
  const int64_t r2 = Get(store_->InsertRecord(Record("s2", 8)));
  const int64_t r3 = Get(store_->InsertRecord(Record("s3", 7)));
  const int64_t r4 = Get(store_->InsertRecord(Record("s4", 7)));
  ASSERT_OK(store_->PutLink(Link(r3, r4, 2.5)));
  ASSERT_OK(store_->PutLink(Link(r1, r4)));
  ASSERT_OK(store_->PutLink(Link(r1, r3)));
  ASSERT_OK(store_->PutLink(Link(r1, r2)));  // Into another customer.
  ASSERT_OK(store_->PutLink(Link(r2, r3)));  // From another: r2 is its a.
  ASSERT_OK(store_->Commit());

  EXPECT_EQ(Str(Get(store_->LinksFromCustomer(7))),
            Str(std::vector{Link(r1, r2), Link(r1, r3), Link(r1, r4),
                            Link(r3, r4, 2.5)}));
  EXPECT_EQ(Str(Get(store_->LinksFromCustomer(8))),
            Str(std::vector{Link(r2, r3)}));
  EXPECT_TRUE(Get(store_->LinksFromCustomer(9)).empty());

  // The same links without their detail, from both readers of the shape.
  std::vector<LinkRow> edges;
  for (LinkRow link :
       {Link(r1, r2), Link(r1, r3), Link(r1, r4), Link(r3, r4, 2.5)}) {
    link.detail.clear();
    edges.push_back(link);
  }
  EXPECT_EQ(Str(Get(store_->LinkEdgesFromCustomer(7))), Str(edges));
  LinkRow r2_r3 = Link(r2, r3);
  r2_r3.detail.clear();
  edges.insert(edges.begin() + 3, r2_r3);  // All links, by (a, b).
  std::vector<LinkRow> all;
  ASSERT_OK(store_->ForEachLinkEdge([&](const LinkRow& link) {
    all.push_back(link);
    return true;
  }));
  EXPECT_EQ(Str(all), Str(edges));
  all.clear();
  ASSERT_OK(store_->ForEachLinkEdge([&](const LinkRow& link) {
    all.push_back(link);
    return all.size() < 2;  // Stops when asked.
  }));
  EXPECT_EQ(all.size(), 2u);
}

TEST_P(GraphStoreTest, ForEachLinkEdgeVisitsManyBatchesInOrder) {
  ASSERT_OK(store_->BeginWrite());
  std::vector<int64_t> ids;
  for (int i = 0; i < 150; ++i) {  // 7,400 links: SQLite's batches too.
    ids.push_back(Get(store_->InsertRecord(Record(absl::StrCat("s", i), 1))));
  }
  int64_t links = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = i + 1; j < ids.size(); j += 1 + i % 2) {
      ASSERT_OK(store_->PutLink(Link(ids[i], ids[j])));
      ++links;
    }
  }
  ASSERT_OK(store_->Commit());
  int64_t seen = 0;
  std::pair<int64_t, int64_t> last{0, 0};
  ASSERT_OK(store_->ForEachLinkEdge([&](const LinkRow& link) {
    EXPECT_LT(last, std::make_pair(link.a, link.b));
    last = {link.a, link.b};
    ++seen;
    return true;
  }));
  EXPECT_EQ(seen, links);
}

TEST_P(GraphStoreTest, Customers) {
  ASSERT_OK(store_->BeginWrite());
  int64_t c1 = Get(store_->InsertCustomer(Customer("c1")));
  int64_t c2 = Get(store_->InsertCustomer(Customer("c2")));
  EXPECT_GT(c1, 0);
  EXPECT_GT(c2, c1);
  EXPECT_CODE(store_->InsertCustomer(Customer("c1")), kAlreadyExists);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->CountCustomers()), 2);
  CustomerRow expected = Customer("c2");
  expected.id = c2;
  EXPECT_EQ(Str(Get(store_->GetCustomer(c2))), Str(expected));
  EXPECT_EQ(Str(Get(store_->FindCustomer("c2"))), Str(expected));
  EXPECT_EQ(Get(store_->FindCustomer("c9")), std::nullopt);

  // Update changes updated_at and size only.
  CustomerRow update;
  update.id = c2;
  update.key = "ignored";
  update.created_at = 1;
  update.updated_at = 555;
  update.size = 4;
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->UpdateCustomer(update));
  update.id = c2 + 100;
  EXPECT_CODE(store_->UpdateCustomer(update), kInvalidArgument);
  ASSERT_OK(store_->Commit());
  expected.updated_at = 555;
  expected.size = 4;
  EXPECT_EQ(Str(Get(store_->GetCustomer(c2))), Str(expected));
  EXPECT_EQ(Get(store_->FindCustomer("ignored")), std::nullopt);
  std::vector<std::string> all;
  ASSERT_OK(store_->ForEachCustomer([&](const CustomerRow& row) {
    all.push_back(Str(row));
    return true;
  }));
  CustomerRow first = Customer("c1");
  first.id = c1;
  EXPECT_EQ(all, (std::vector<std::string>{Str(first), Str(expected)}));
  all.clear();
  ASSERT_OK(store_->ForEachCustomer([&](const CustomerRow& row) {
    all.push_back(Str(row));
    return false;  // Stops when asked.
  }));
  EXPECT_EQ(all.size(), 1u);

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteCustomer(c1));
  ASSERT_OK(store_->DeleteCustomer(c2 + 100));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetCustomer(c1)), std::nullopt);
  EXPECT_EQ(Get(store_->FindCustomer("c1")), std::nullopt);
  EXPECT_EQ(Get(store_->CountCustomers()), 1);
}

TEST_P(GraphStoreTest, Redirects) {
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutRedirect("old1", "new"));
  ASSERT_OK(store_->PutRedirect("old2", "new"));
  ASSERT_OK(store_->PutRedirect("old0", "other"));
  EXPECT_CODE(store_->PutRedirect("same", "same"), kInvalidArgument);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRedirect("old1")), "new");
  EXPECT_EQ(Get(store_->GetRedirect("new")), std::nullopt);
  EXPECT_EQ(Get(store_->RedirectsTo("new")),
            (std::vector<std::string>{"old1", "old2"}));

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutRedirect("old1", "other"));  // Replaces.
  ASSERT_OK(store_->DeleteRedirect("old2"));
  ASSERT_OK(store_->DeleteRedirect("absent"));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->GetRedirect("old1")), "other");
  EXPECT_EQ(Get(store_->GetRedirect("old2")), std::nullopt);
  EXPECT_TRUE(Get(store_->RedirectsTo("new")).empty());
  EXPECT_EQ(Get(store_->RedirectsTo("other")),
            (std::vector<std::string>{"old0", "old1"}));
}

TEST_P(GraphStoreTest, AuditReadsAfterWithLimitAndKeyFilter) {
  ASSERT_OK(store_->BeginWrite());
  std::vector<int64_t> seqs;
  seqs.push_back(Get(store_->AppendAudit(Audit("merge", "a", "b"))));
  seqs.push_back(Get(store_->AppendAudit(Audit("review", "c"))));
  seqs.push_back(Get(store_->AppendAudit(Audit("unmerge", "b", "a"))));
  seqs.push_back(Get(store_->AppendAudit(Audit("forget", "d"))));
  ASSERT_OK(store_->Commit());
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
  EXPECT_GT(seqs[0], 0);

  std::vector<AuditRow> all = Get(store_->ReadAudit(0, 100, ""));
  ASSERT_EQ(all.size(), 4u);
  AuditRow expected = Audit("unmerge", "b", "a");
  expected.seq = seqs[2];
  EXPECT_EQ(Str(all[2]), Str(expected));
  std::vector<AuditRow> page = Get(store_->ReadAudit(seqs[0], 2, ""));
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].seq, seqs[1]);
  EXPECT_EQ(page[1].seq, seqs[2]);
  EXPECT_TRUE(Get(store_->ReadAudit(seqs[3], 100, "")).empty());
  EXPECT_TRUE(Get(store_->ReadAudit(0, 0, "")).empty());

  std::vector<AuditRow> of_a = Get(store_->ReadAudit(0, 100, "a"));
  ASSERT_EQ(of_a.size(), 2u);  // As key and as other_key.
  EXPECT_EQ(of_a[0].seq, seqs[0]);
  EXPECT_EQ(of_a[1].seq, seqs[2]);
  std::vector<AuditRow> of_a_later = Get(store_->ReadAudit(seqs[0], 1, "a"));
  ASSERT_EQ(of_a_later.size(), 1u);
  EXPECT_EQ(of_a_later[0].seq, seqs[2]);
  EXPECT_TRUE(Get(store_->ReadAudit(0, 100, "zz")).empty());
}

TEST_P(GraphStoreTest, RedactKeyRewritesAuditAndChangesOnly) {
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->AppendAudit(Audit("merge", "gone", "kept")));
  ASSERT_OK(store_->AppendAudit(Audit("merge", "kept", "gone")));
  ASSERT_OK(store_->AppendAudit(Audit("review", "kept")));
  ASSERT_OK(store_->AppendChange(Change("created", "gone")));
  ASSERT_OK(store_->AppendChange(Change("merged", "kept", "gone")));
  ASSERT_OK(store_->AppendChange(Change("updated", "kept")));
  ASSERT_OK(store_->PutRedirect("gone", "kept"));
  ASSERT_OK(store_->RedactKey("gone", "forgotten-1"));
  EXPECT_CODE(store_->RedactKey("", "x"), kInvalidArgument);
  ASSERT_OK(store_->Commit());

  std::vector<AuditRow> audit = Get(store_->ReadAudit(0, 100, ""));
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].key, "forgotten-1");
  EXPECT_EQ(audit[0].other_key, "kept");
  EXPECT_EQ(audit[1].key, "kept");
  EXPECT_EQ(audit[1].other_key, "forgotten-1");
  EXPECT_EQ(audit[2].key, "kept");
  EXPECT_EQ(audit[2].other_key, "");
  EXPECT_EQ(audit[0].reason, "why merge");
  EXPECT_TRUE(Get(store_->ReadAudit(0, 100, "gone")).empty());
  std::vector<ChangeRow> changes = Get(store_->ReadChanges(0, 100));
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].key, "forgotten-1");
  EXPECT_EQ(changes[0].kind, "created");
  EXPECT_EQ(changes[1].key, "kept");
  EXPECT_EQ(changes[1].other_key, "forgotten-1");
  EXPECT_EQ(changes[2].key, "kept");  // Another customer's: as it was.
  EXPECT_EQ(changes[2].other_key, "");
  EXPECT_EQ(Get(store_->GetRedirect("gone")), "kept");  // Not audit/changes.
}

TEST_P(GraphStoreTest, Reviews) {
  ASSERT_OK(store_->BeginWrite());
  int64_t q1 = Get(store_->AddReview(Review(1, "a", "b")));
  int64_t q2 = Get(store_->AddReview(Review(2, "c", "a")));
  int64_t q3 = Get(store_->AddReview(Review(3, "c", "d")));
  int64_t q4 = Get(store_->AddReview(Review(4, "e", "f")));
  EXPECT_GT(q1, 0);
  EXPECT_LT(q1, q2);
  EXPECT_LT(q2, q3);
  EXPECT_LT(q3, q4);
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->CountReviews()), 4);
  std::vector<ReviewRow> list = Get(store_->ListReviews(2));
  ASSERT_EQ(list.size(), 2u);
  ReviewRow expected = Review(1, "a", "b");
  expected.id = q1;
  EXPECT_EQ(Str(list[0]), Str(expected));
  EXPECT_EQ(list[1].id, q2);
  EXPECT_TRUE(Get(store_->ListReviews(0)).empty());

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteReviewsBetween("d", "c"));  // Either order.
  ASSERT_OK(store_->DeleteReviewsBetween("a", "d"));  // No such pair.
  ASSERT_OK(store_->Commit());
  list = Get(store_->ListReviews(100));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, q1);
  EXPECT_EQ(list[1].id, q2);
  EXPECT_EQ(list[2].id, q4);

  ASSERT_OK(store_->BeginWrite());
  q3 = Get(store_->AddReview(Review(3, "c", "d")));
  ASSERT_OK(store_->DeleteReviewsOf("a"));  // Either side.
  ASSERT_OK(store_->DeleteReview(q4));
  ASSERT_OK(store_->DeleteReview(q4 + 100));
  ASSERT_OK(store_->Commit());
  list = Get(store_->ListReviews(100));
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].id, q3);
  EXPECT_EQ(Get(store_->CountReviews()), 1);
}

TEST_P(GraphStoreTest, SeparationsAreOrderInsensitive) {
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutSeparation("m", "a"));
  ASSERT_OK(store_->PutSeparation("m", "z"));
  ASSERT_OK(store_->PutSeparation("b", "m"));
  ASSERT_OK(store_->PutSeparation("a", "m"));  // The same pair: a no-op.
  ASSERT_OK(store_->PutSeparation("a", "z"));
  EXPECT_CODE(store_->PutSeparation("q", "q"), kInvalidArgument);
  ASSERT_OK(store_->Commit());
  EXPECT_TRUE(Get(store_->IsSeparated("a", "m")));
  EXPECT_TRUE(Get(store_->IsSeparated("m", "a")));
  EXPECT_FALSE(Get(store_->IsSeparated("a", "b")));
  EXPECT_EQ(Get(store_->SeparationsOf("m")),
            (std::vector<std::string>{"a", "b", "z"}));
  EXPECT_EQ(Get(store_->SeparationsOf("a")),
            (std::vector<std::string>{"m", "z"}));
  EXPECT_TRUE(Get(store_->SeparationsOf("q")).empty());

  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->DeleteSeparationsOf("m"));
  ASSERT_OK(store_->Commit());
  EXPECT_FALSE(Get(store_->IsSeparated("z", "m")));
  EXPECT_TRUE(Get(store_->SeparationsOf("m")).empty());
  EXPECT_EQ(Get(store_->SeparationsOf("a")), std::vector<std::string>{"z"});
  EXPECT_TRUE(Get(store_->IsSeparated("z", "a")));
}

TEST_P(GraphStoreTest, Tombstones) {
  const std::string hash("\x00\x9f\xff hash", 8);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->PutTombstone(hash));
  ASSERT_OK(store_->PutTombstone(hash));  // Again: a no-op.
  ASSERT_OK(store_->Commit());
  EXPECT_TRUE(Get(store_->HasTombstone(hash)));
  EXPECT_FALSE(Get(store_->HasTombstone(hash.substr(1))));
  EXPECT_FALSE(Get(store_->HasTombstone("")));
}

TEST_P(GraphStoreTest, ChangesReadAfterWithLimit) {
  ASSERT_OK(store_->BeginWrite());
  std::vector<int64_t> seqs;
  for (const char* kind : {"created", "updated", "merged", "unmerged"}) {
    seqs.push_back(Get(store_->AppendChange(Change(kind, "k", "o"))));
  }
  ASSERT_OK(store_->Commit());
  EXPECT_GT(seqs[0], 0);
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_LT(seqs[i - 1], seqs[i]);
  std::vector<ChangeRow> all = Get(store_->ReadChanges(0, 100));
  ASSERT_EQ(all.size(), 4u);
  ChangeRow expected = Change("merged", "k", "o");
  expected.seq = seqs[2];
  EXPECT_EQ(Str(all[2]), Str(expected));
  std::vector<ChangeRow> page = Get(store_->ReadChanges(seqs[1], 1));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].seq, seqs[2]);
  EXPECT_TRUE(Get(store_->ReadChanges(seqs[3], 100)).empty());
  EXPECT_EQ(Get(store_->LastChangeSeq()), seqs.back());
  EXPECT_TRUE(Get(store_->ReadChanges(0, 0)).empty());
}

// One kind of write, to show Rollback undoes it.
struct Write {
  const char* name;
  std::function<absl::Status(GraphStore&, const Ids&)> apply;
};

std::vector<Write> EveryKindOfWrite() {
  using S = GraphStore;
  return {
      {"PutMeta new", [](S& s, const Ids&) { return s.PutMeta("m2", "x"); }},
      {"PutMeta replace",
       [](S& s, const Ids&) { return s.PutMeta("m1", "changed"); }},
      {"InsertValue",
       [](S& s, const Ids&) {
         return StatusOf(s.InsertValue(Value(kHashA, 1, "ann")));
       }},
      {"AddValueCount",
       [](S& s, const Ids& i) { return s.AddValueCount(i.v1, 5); }},
      {"AddValueCount to zero",
       [](S& s, const Ids& i) { return s.AddValueCount(i.v1, -2); }},
      {"InsertRecord",
       [](S& s, const Ids& i) {
         return StatusOf(s.InsertRecord(Record("s4", i.c2)));
       }},
      {"SetRecordCustomer",
       [](S& s, const Ids& i) { return s.SetRecordCustomer(i.r1, i.c2); }},
      {"DeleteRecord", [](S& s, const Ids& i) { return s.DeleteRecord(i.r2); }},
      {"PutLink new",
       [](S& s, const Ids& i) { return s.PutLink(Link(i.r2, i.r3)); }},
      {"PutLink replace",
       [](S& s, const Ids& i) { return s.PutLink(Link(i.r1, i.r2, 99)); }},
      {"DeleteLink",
       [](S& s, const Ids& i) { return s.DeleteLink(i.r1, i.r2); }},
      {"InsertCustomer",
       [](S& s, const Ids&) {
         return StatusOf(s.InsertCustomer(Customer("c4")));
       }},
      {"UpdateCustomer",
       [](S& s, const Ids& i) {
         CustomerRow row = Customer("c1");
         row.id = i.c1;
         row.size = 9;
         return s.UpdateCustomer(row);
       }},
      {"DeleteCustomer",
       [](S& s, const Ids& i) { return s.DeleteCustomer(i.c2); }},
      {"PutRedirect new",
       [](S& s, const Ids&) { return s.PutRedirect("c4", "c2"); }},
      {"PutRedirect replace",
       [](S& s, const Ids&) { return s.PutRedirect("c3", "c2"); }},
      {"DeleteRedirect",
       [](S& s, const Ids&) { return s.DeleteRedirect("c3"); }},
      {"AppendAudit",
       [](S& s, const Ids&) {
         return StatusOf(s.AppendAudit(Audit("forget", "c2")));
       }},
      {"RedactKey", [](S& s, const Ids&) { return s.RedactKey("c3", "x"); }},
      {"AddReview",
       [](S& s, const Ids& i) {
         return StatusOf(s.AddReview(Review(i.r1, "c2", "c4")));
       }},
      {"DeleteReview",
       [](S& s, const Ids& i) { return s.DeleteReview(i.review); }},
      {"DeleteReviewsOf",
       [](S& s, const Ids&) { return s.DeleteReviewsOf("c2"); }},
      {"DeleteReviewsBetween",
       [](S& s, const Ids&) { return s.DeleteReviewsBetween("c1", "c3"); }},
      {"PutSeparation",
       [](S& s, const Ids&) { return s.PutSeparation("c2", "c3"); }},
      {"DeleteSeparationsOf",
       [](S& s, const Ids&) { return s.DeleteSeparationsOf("c4"); }},
      {"PutTombstone", [](S& s, const Ids&) { return s.PutTombstone("c2"); }},
      {"AppendChange",
       [](S& s, const Ids&) {
         return StatusOf(s.AppendChange(Change("created", "c2")));
       }},
  };
}

TEST_P(GraphStoreTest, RollbackUndoesEachKindOfWrite) {
  Ids ids = Populate();
  const std::string before = Dump(*store_);
  for (const Write& write : EveryKindOfWrite()) {
    SCOPED_TRACE(write.name);
    ASSERT_OK(store_->BeginWrite());
    ASSERT_OK(write.apply(*store_, ids));
    // Reads inside the transaction see its write.
    EXPECT_NE(Dump(*store_), before);
    store_->Rollback();
    EXPECT_EQ(Dump(*store_), before);
  }
}

TEST_P(GraphStoreTest, RollbackUndoesAllWritesTogether) {
  Ids ids = Populate();
  const std::string before = Dump(*store_);
  ASSERT_OK(store_->BeginWrite());
  for (const Write& write : EveryKindOfWrite()) {
    SCOPED_TRACE(write.name);
    ASSERT_OK(write.apply(*store_, ids));
  }
  store_->Rollback();
  EXPECT_EQ(Dump(*store_), before);
  // And the store takes new writes afterwards.
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->InsertRecord(Record("s4", ids.c1)));
  ASSERT_OK(store_->Commit());
  EXPECT_EQ(Get(store_->CountRecords()), 4);
}

TEST_P(GraphStoreTest, CommitKeepsEachKindOfWrite) {
  Ids ids = Populate();
  std::string last = Dump(*store_);
  for (const Write& write : EveryKindOfWrite()) {
    SCOPED_TRACE(write.name);
    ASSERT_OK(store_->BeginWrite());
    ASSERT_OK(write.apply(*store_, ids));
    const std::string inside = Dump(*store_);
    EXPECT_NE(inside, last);
    ASSERT_OK(store_->Commit());
    EXPECT_EQ(Dump(*store_), inside);
    last = inside;
  }
}

TEST_P(GraphStoreTest, ReaderSeesCommittedWritesAndCannotWrite) {
  std::unique_ptr<GraphStore> reader = Get(store_->OpenReader());
  ASSERT_NE(reader, nullptr);
  EXPECT_CODE(reader->BeginWrite(), kFailedPrecondition);
  EXPECT_CODE(reader->PutMeta("m1", "x"), kFailedPrecondition);
  Populate();
  EXPECT_EQ(Dump(*reader), Dump(*store_));
  EXPECT_EQ(Get(reader->CountRecords()), 3);
  std::unique_ptr<GraphStore> second = Get(reader->OpenReader());
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(Get(second->CountCustomers()), 2);
}

TEST_P(GraphStoreTest, DestroyingTheWriterRollsBack) {
  Populate();
  std::unique_ptr<GraphStore> reader = Get(store_->OpenReader());
  ASSERT_NE(reader, nullptr);
  const std::string before = Dump(*reader);
  ASSERT_OK(store_->BeginWrite());
  ASSERT_OK(store_->InsertRecord(Record("s4", 1)));
  ASSERT_OK(store_->PutMeta("m1", "lost"));
  store_.reset();
  EXPECT_EQ(Dump(*reader), before);
}

TEST_P(GraphStoreTest, PurgeAndSize) {
  ASSERT_OK(store_->Purge());  // The schema's pages out of the WAL.
  int64_t empty = Get(store_->SizeBytes());
  EXPECT_GE(empty, 0);
  ASSERT_OK(store_->BeginWrite());
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(store_->InsertRecord(Record(absl::StrCat("s", i), 1,
                                            {static_cast<uint64_t>(i)}))
                    .ok());
  }
  ASSERT_OK(store_->Commit());
  ASSERT_OK(store_->Purge());
  EXPECT_GT(Get(store_->SizeBytes()), empty);
  EXPECT_EQ(Get(store_->CountRecords()), 500);
}

// Run under TSan: a reader thread reads while the writer writes.
TEST_P(GraphStoreTest, ReaderOnAnotherThread) {
  std::unique_ptr<GraphStore> reader = Get(store_->OpenReader());
  ASSERT_NE(reader, nullptr);
  constexpr int kRecords = 200;
  std::thread read([&] {
    int64_t seen = 0;
    while (seen < kRecords) {
      absl::StatusOr<int64_t> n = reader->CountRecords();
      ASSERT_TRUE(n.ok()) << n.status();
      EXPECT_GE(*n, seen);  // Committed records do not disappear.
      seen = *n;
      EXPECT_OK(reader->FindRecord("s0"));
      EXPECT_OK(reader->ForEachRecord([](const RecordRow&) { return true; }));
    }
  });
  for (int i = 0; i < kRecords; i += 10) {
    ASSERT_OK(store_->BeginWrite());
    for (int j = i; j < i + 10; ++j) {
      ASSERT_TRUE(
          store_->InsertRecord(Record(absl::StrCat("s", j), 1, {kKeyA})).ok());
    }
    ASSERT_OK(store_->Commit());
  }
  read.join();
  EXPECT_EQ(Get(reader->CountRecords()), kRecords);
}

INSTANTIATE_TEST_SUITE_P(All, GraphStoreTest, testing::ValuesIn(Impls()),
                         [](const testing::TestParamInfo<Impl>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace idr::storage
