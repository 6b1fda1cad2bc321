#include "storage/graph_mirror.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/memory_graph_store.h"

namespace idr::storage {
namespace {

std::string Str(const std::vector<LinkRow>& links) {
  std::string out;
  for (const LinkRow& l : links) {
    absl::StrAppend(&out, l.a, "-", l.b, ":", l.weight, "/", l.rule, " ");
  }
  return out;
}

// The mirror must answer as the store does, customer by customer.
std::string Str(const std::optional<CustomerRow>& c) {
  if (!c) return "none";
  return absl::StrCat(c->id, " ", c->key, " ", c->created_at, " ",
                      c->updated_at, " ", c->size);
}

void ExpectSameAnswers(GraphStore* store, const GraphMirror& mirror,
                       int64_t customers) {
  for (int64_t c = 1; c <= customers + 3; ++c) {
    EXPECT_EQ(Str(mirror.GetCustomer(c)), Str(*store->GetCustomer(c)));
    const std::string key = absl::StrCat("K", c);
    EXPECT_EQ(Str(mirror.FindCustomer(key)), Str(*store->FindCustomer(key)));
  }
  const int64_t last = *store->NextRecordId();
  for (int64_t id = 0; id <= last; ++id) {
    EXPECT_EQ(mirror.CustomerOfRecord(id), *store->CustomerOfRecord(id))
        << "record " << id;
  }
  for (int64_t c = 1; c <= customers; ++c) {
    EXPECT_EQ(mirror.RecordIdsOfCustomer(c), *store->RecordIdsOfCustomer(c))
        << "customer " << c;
    EXPECT_EQ(Str(mirror.LinkEdgesFromCustomer(c)),
              Str(*store->LinkEdgesFromCustomer(c)))
        << "customer " << c;
  }
}

TEST(GraphMirrorTest, FollowsEveryWriteAsTheStoreDoes) {
  std::unique_ptr<GraphStore> store = NewMemoryGraphStore();
  ASSERT_TRUE(store->BeginWrite().ok());
  GraphMirror mirror = *GraphMirror::Load(store.get());
  constexpr int64_t kCustomers = 6;
  std::mt19937 rng(7);
  std::vector<int64_t> ids;
  auto any_id = [&] { return ids[rng() % ids.size()]; };
  int64_t customer_rows = 0;
  for (int step = 0; step < 600; ++step) {
    if (step % 7 == 0) {  // Customers' rows: inserted, updated, deleted.
      const int64_t c = 1 + static_cast<int64_t>(rng() % (kCustomers + 3));
      std::optional<CustomerRow> old = *store->GetCustomer(c);
      if (!old.has_value() && customer_rows < kCustomers + 3) {
        CustomerRow row;
        row.key = absl::StrCat("K", ++customer_rows);
        row.created_at = step;
        row.id = *store->InsertCustomer(row);
        mirror.InsertCustomer(row);
      } else if (old.has_value() && rng() % 3 == 0) {
        ASSERT_TRUE(store->DeleteCustomer(c).ok());
        mirror.DeleteCustomer(c);
      } else if (old.has_value()) {
        old->updated_at = step;
        old->size = step % 5;
        old->created_at = -1;  // Not a column UpdateCustomer writes.
        ASSERT_TRUE(store->UpdateCustomer(*old).ok());
        mirror.UpdateCustomer(*old);
      }
    }
    const int op = ids.size() < 4 ? 0 : static_cast<int>(rng() % 6);
    if (op == 0) {
      RecordRow row;
      row.source_id = absl::StrCat("s", step);
      row.customer = 1 + static_cast<int64_t>(rng() % kCustomers);
      const int64_t id = *store->InsertRecord(row);
      mirror.InsertRecord(id, row.customer);
      ids.push_back(id);
    } else if (op == 1) {
      const int64_t id = any_id();
      const int64_t c = 1 + static_cast<int64_t>(rng() % kCustomers);
      if (!store->GetRecord(id)->has_value()) continue;
      ASSERT_TRUE(store->SetRecordCustomer(id, c).ok());
      mirror.SetRecordCustomer(id, c);
    } else if (op == 2 || op == 3) {  // Links: new ones and replacements.
      LinkRow link;
      link.a = any_id();
      link.b = any_id();
      if (link.a == link.b) continue;
      if (link.a > link.b) std::swap(link.a, link.b);
      if (!store->GetRecord(link.a)->has_value() ||
          !store->GetRecord(link.b)->has_value()) {
        continue;
      }
      link.weight = static_cast<double>(rng() % 1000) / 7;
      link.rule = static_cast<int32_t>(rng() % 5) - 2;
      link.detail = "d";
      ASSERT_TRUE(store->PutLink(link).ok());
      mirror.PutLink(link);
    } else if (op == 4) {
      std::vector<LinkRow> of = *store->LinksOf(any_id());
      if (of.empty()) continue;
      ASSERT_TRUE(store->DeleteLink(of[0].a, of[0].b).ok());
      mirror.DeleteLink(of[0].a, of[0].b);
    } else if (step % 5 == 0) {  // Record deletes, fewer.
      const int64_t id = any_id();
      std::vector<LinkRow> of = *store->LinksOf(id);
      ASSERT_TRUE(store->DeleteRecord(id).ok());
      for (const LinkRow& l : of) mirror.DeleteLink(l.a, l.b);
      mirror.DeleteRecord(id);
    }
    if (step % 50 == 0) ExpectSameAnswers(store.get(), mirror, kCustomers);
  }
  ExpectSameAnswers(store.get(), mirror, kCustomers);
  EXPECT_EQ(mirror.records(), *store->CountRecords());
  EXPECT_GT(mirror.links(), 0);
  // A mirror loaded now is the same.
  GraphMirror loaded = *GraphMirror::Load(store.get());
  ExpectSameAnswers(store.get(), loaded, kCustomers);
  EXPECT_EQ(loaded.records(), mirror.records());
  EXPECT_EQ(loaded.links(), mirror.links());
  store->Rollback();
}

TEST(GraphMirrorTest, DifferenceNamesWhatDiffers) {
  GraphMirror a, b;
  for (GraphMirror* m : {&a, &b}) {
    m->InsertRecord(1, 10);
    m->InsertRecord(2, 10);
    m->PutLink({1, 2, 3.5, 1, ""});
    m->InsertCustomer({10, "C10", 1, 1, 2});
  }
  EXPECT_EQ(a.Difference(b), "");
  b.UpdateCustomer({10, "C10", 1, 2, 2});
  EXPECT_EQ(a.Difference(b), "customer 10");
  b.UpdateCustomer({10, "C10", 1, 1, 2});
  b.PutLink({1, 2, 4.0, 1, ""});  // Replaced: another weight.
  EXPECT_EQ(a.Difference(b), "the links from record 1");
  b.PutLink({1, 2, 3.5, 1, ""});
  b.SetRecordCustomer(2, 11);
  EXPECT_EQ(a.Difference(b), "record 2 in customer 10, not 11");
  b.SetRecordCustomer(2, 10);
  b.DeleteLink(1, 2);
  EXPECT_EQ(a.Difference(b), "2 records and 1 links, not 2 and 0");
}

TEST(GraphMirrorTest, AnUnknownCustomerOrRecordIsEmpty) {
  GraphMirror mirror;
  EXPECT_TRUE(mirror.RecordIdsOfCustomer(3).empty());
  EXPECT_TRUE(mirror.LinkEdgesFromCustomer(3).empty());
  mirror.SetRecordCustomer(9, 3);  // No record 9: nothing to move.
  mirror.DeleteRecord(9);
  mirror.DeleteLink(9, 10);
  EXPECT_TRUE(mirror.RecordIdsOfCustomer(3).empty());
  EXPECT_EQ(mirror.records(), 0);
  EXPECT_EQ(mirror.links(), 0);
}

}  // namespace
}  // namespace idr::storage
