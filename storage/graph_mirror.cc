#include "storage/graph_mirror.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace idr::storage {
namespace {

// Inserts `value` into the ascending `list` (at the end, for the usual
// newest record).
void InsertSorted(std::vector<int64_t>& list, int64_t value) {
  if (list.empty() || list.back() < value) {
    list.push_back(value);
    return;
  }
  auto at = std::lower_bound(list.begin(), list.end(), value);
  if (at == list.end() || *at != value) list.insert(at, value);
}

// Makes `v` hold at least `n` elements, growing its capacity by half again
// when it must (ids come in ascending order).
template <typename Vector>
void GrowTo(Vector& v, size_t n) {
  if (n <= v.size()) return;
  if (n > v.capacity()) v.reserve(std::max(n, v.capacity() * 3 / 2));
  v.resize(n);
}

}  // namespace

absl::StatusOr<GraphMirror> GraphMirror::Load(GraphStore* store) {
  GraphMirror mirror;
  absl::Status s =
      store->ForEachRecordCustomer([&](int64_t record, int64_t customer) {
        mirror.InsertRecord(record, customer);
        return true;
      });
  if (!s.ok()) return s;
  s = store->ForEachLinkEdge([&](const LinkRow& link) {
    mirror.PutLink(link);
    return true;
  });
  if (!s.ok()) return s;
  s = store->ForEachCustomer([&](const CustomerRow& row) {
    mirror.InsertCustomer(row);
    return true;
  });
  if (!s.ok()) return s;
  // Room for a quarter more records now: growing the vectors later moves
  // them whole, a stall of about 0.1 s at a million records in the middle
  // of an ingest.
  const size_t room = mirror.customer_of_.size() * 5 / 4 + 1024;
  mirror.customer_of_.reserve(room);
  mirror.edges_from_.reserve(room);
  return mirror;
}

int64_t GraphMirror::CustomerOfRecord(int64_t id) const {
  if (id <= 0 || static_cast<size_t>(id) >= customer_of_.size()) return 0;
  return customer_of_[id];
}

std::vector<int64_t> GraphMirror::RecordIdsOfCustomer(int64_t customer) const {
  auto it = records_of_.find(customer);
  if (it == records_of_.end()) return {};
  return it->second;
}

std::vector<LinkRow> GraphMirror::LinkEdgesFromCustomer(
    int64_t customer) const {
  std::vector<LinkRow> links;
  auto it = records_of_.find(customer);
  if (it == records_of_.end()) return links;
  for (int64_t a : it->second) {
    if (static_cast<size_t>(a) >= edges_from_.size()) continue;
    for (const Edge& e : edges_from_[a]) {
      LinkRow& link = links.emplace_back();
      link.a = a;
      link.b = e.b;
      link.weight = e.weight;
      link.rule = e.rule;
    }
  }
  return links;
}

std::optional<CustomerRow> GraphMirror::GetCustomer(int64_t id) const {
  auto it = customers_.find(id);
  if (it == customers_.end()) return std::nullopt;
  return it->second;
}

std::optional<CustomerRow> GraphMirror::FindCustomer(
    const std::string& key) const {
  auto it = customer_by_key_.find(key);
  if (it == customer_by_key_.end()) return std::nullopt;
  return GetCustomer(it->second);
}

void GraphMirror::InsertCustomer(const CustomerRow& row) {
  customers_[row.id] = row;
  customer_by_key_[row.key] = row.id;
}

void GraphMirror::UpdateCustomer(const CustomerRow& row) {
  auto it = customers_.find(row.id);
  if (it == customers_.end()) return;
  it->second.updated_at = row.updated_at;
  it->second.size = row.size;
}

void GraphMirror::DeleteCustomer(int64_t id) {
  auto it = customers_.find(id);
  if (it == customers_.end()) return;
  customer_by_key_.erase(it->second.key);
  customers_.erase(it);
}

std::string GraphMirror::Difference(const GraphMirror& other) const {
  if (customers_.size() != other.customers_.size()) {
    return absl::StrCat(customers_.size(), " customers, not ",
                        other.customers_.size());
  }
  for (const auto& [id, mine] : customers_) {
    std::optional<CustomerRow> theirs = other.GetCustomer(id);
    if (!theirs || theirs->key != mine.key ||
        theirs->created_at != mine.created_at ||
        theirs->updated_at != mine.updated_at || theirs->size != mine.size) {
      return absl::StrCat("customer ", id);
    }
  }
  if (customer_by_key_ != other.customer_by_key_) return "the customer keys";
  if (records_ != other.records_ || links_ != other.links_) {
    return absl::StrCat(records_, " records and ", links_, " links, not ",
                        other.records_, " and ", other.links_);
  }
  const size_t ids = std::max(customer_of_.size(), other.customer_of_.size());
  for (size_t id = 1; id < ids; ++id) {
    const int64_t mine = CustomerOfRecord(static_cast<int64_t>(id));
    const int64_t theirs = other.CustomerOfRecord(static_cast<int64_t>(id));
    if (mine != theirs) {
      return absl::StrCat("record ", id, " in customer ", mine, ", not ",
                          theirs);
    }
  }
  if (records_of_ != other.records_of_) return "the customers' record lists";
  const size_t ends = std::max(edges_from_.size(), other.edges_from_.size());
  for (size_t a = 1; a < ends; ++a) {
    static const std::vector<Edge> kNone;
    const std::vector<Edge>& mine =
        a < edges_from_.size() ? edges_from_[a] : kNone;
    const std::vector<Edge>& theirs =
        a < other.edges_from_.size() ? other.edges_from_[a] : kNone;
    const bool same = std::equal(
        mine.begin(), mine.end(), theirs.begin(), theirs.end(),
        [](const Edge& x, const Edge& y) {
          return x.b == y.b && x.weight == y.weight && x.rule == y.rule;
        });
    if (!same) return absl::StrCat("the links from record ", a);
  }
  return "";
}

void GraphMirror::InsertRecord(int64_t id, int64_t customer) {
  if (id <= 0) return;
  GrowTo(customer_of_, id + 1);
  if (customer_of_[id] != 0) {
    SetRecordCustomer(id, customer);
    return;
  }
  customer_of_[id] = customer;
  InsertSorted(records_of_[customer], id);
  ++records_;
}

void GraphMirror::Unlist(int64_t id, int64_t customer) {
  auto it = records_of_.find(customer);
  if (it == records_of_.end()) return;
  std::vector<int64_t>& list = it->second;
  auto at = std::lower_bound(list.begin(), list.end(), id);
  if (at != list.end() && *at == id) list.erase(at);
  if (list.empty()) records_of_.erase(it);
}

void GraphMirror::SetRecordCustomer(int64_t id, int64_t customer) {
  const int64_t old = CustomerOfRecord(id);
  if (old == 0 || old == customer) return;
  Unlist(id, old);
  customer_of_[id] = customer;
  InsertSorted(records_of_[customer], id);
}

void GraphMirror::DeleteRecord(int64_t id) {
  const int64_t old = CustomerOfRecord(id);
  if (old == 0) return;
  Unlist(id, old);
  customer_of_[id] = 0;
  --records_;
}

void GraphMirror::PutLink(const LinkRow& link) {
  if (link.a <= 0) return;
  GrowTo(edges_from_, link.a + 1);
  std::vector<Edge>& edges = edges_from_[link.a];
  auto at = std::lower_bound(edges.begin(), edges.end(), link.b,
                             [](const Edge& e, int64_t b) { return e.b < b; });
  const Edge edge{link.b, link.weight, link.rule};
  if (at != edges.end() && at->b == link.b) {
    *at = edge;  // INSERT OR REPLACE.
    return;
  }
  edges.insert(at, edge);
  ++links_;
}

void GraphMirror::DeleteLink(int64_t a, int64_t b) {
  if (a <= 0 || static_cast<size_t>(a) >= edges_from_.size()) return;
  std::vector<Edge>& edges = edges_from_[a];
  auto at = std::lower_bound(edges.begin(), edges.end(), b,
                             [](const Edge& e, int64_t x) { return e.b < x; });
  if (at == edges.end() || at->b != b) return;
  edges.erase(at);
  --links_;
}

}  // namespace idr::storage
