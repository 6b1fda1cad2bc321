// The graph's shape in memory: which records each customer holds, the
// links between records (without their detail), and the customers' rows.
//
// Ingest re-clusters a customer after most records it attaches, and checks
// its exclusive identifiers: each reads the customer's record ids and links.
// In a large graph those rows are cold, a B-tree descent and a page miss
// each; held here they cost a few memory reads. CachedGraphStore loads a
// mirror from its store and keeps it equal to it through every write (see
// there for when it drops it).
//
// Memory: a 1M-record graph with 2.4M links and 297k customers takes about
// 240 MB (links and records 160, customers 80, by graph_bench's peak RSS),
// and loads in about a second. Not thread-safe.

#ifndef IDR_STORAGE_GRAPH_MIRROR_H_
#define IDR_STORAGE_GRAPH_MIRROR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "storage/graph_store.h"

namespace idr::storage {

class GraphMirror {
 public:
  // Reads every record's customer, every link and every customer of
  // `store`.
  static absl::StatusOr<GraphMirror> Load(GraphStore* store);

  // What the store answers to CustomerOfRecord: 0 for no record `id`.
  int64_t CustomerOfRecord(int64_t id) const;
  // What the store answers to RecordIdsOfCustomer: ids ascending.
  std::vector<int64_t> RecordIdsOfCustomer(int64_t customer) const;
  // What the store answers to LinkEdgesFromCustomer: by (a, b), no detail.
  std::vector<LinkRow> LinkEdgesFromCustomer(int64_t customer) const;

  // What the store answers to GetCustomer and FindCustomer.
  std::optional<CustomerRow> GetCustomer(int64_t id) const;
  std::optional<CustomerRow> FindCustomer(const std::string& key) const;

  // The store's writes, applied after it accepted them.
  void InsertRecord(int64_t id, int64_t customer);
  void SetRecordCustomer(int64_t id, int64_t customer);
  // Drops the record; its links (which the store deletes with it) are
  // dropped by DeleteLink.
  void DeleteRecord(int64_t id);
  void PutLink(const LinkRow& link);
  void DeleteLink(int64_t a, int64_t b);
  void InsertCustomer(const CustomerRow& row);  // With its id.
  void UpdateCustomer(const CustomerRow& row);  // updated_at and size.
  void DeleteCustomer(int64_t id);

  // The first difference from `other` ("" when they hold the same graph
  // shape): for checking a mirror against one loaded afresh.
  std::string Difference(const GraphMirror& other) const;

  int64_t records() const { return records_; }
  int64_t links() const { return links_; }

 private:
  struct Edge {
    int64_t b;
    double weight;
    int32_t rule;
  };
  // Takes `id` off the list of `customer`.
  void Unlist(int64_t id, int64_t customer);

  // Indexed by record id (ids are dense: AUTOINCREMENT).
  std::vector<int64_t> customer_of_;
  std::vector<std::vector<Edge>> edges_from_;  // Sorted by b.
  absl::flat_hash_map<int64_t, std::vector<int64_t>> records_of_;  // Sorted.
  absl::flat_hash_map<int64_t, CustomerRow> customers_;
  absl::flat_hash_map<std::string, int64_t> customer_by_key_;
  int64_t records_ = 0;
  int64_t links_ = 0;
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_GRAPH_MIRROR_H_
