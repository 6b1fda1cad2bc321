#include "matching/clustering.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include "absl/container/flat_hash_set.h"

namespace idr::matching {
namespace {

class DisjointSets {
 public:
  explicit DisjointSets(uint32_t n) : parent_(n), size_(n, 1), members_(n) {
    std::iota(parent_.begin(), parent_.end(), 0);
  }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  uint32_t Size(uint32_t root) const { return size_[root]; }
  // Members of a root's set; singletons' lists stay empty to save memory.
  void AppendMembers(uint32_t root, std::vector<uint32_t>* out) const {
    if (members_[root].empty()) {
      out->push_back(root);
    } else {
      out->insert(out->end(), members_[root].begin(), members_[root].end());
    }
  }
  void Union(uint32_t big, uint32_t small) {
    if (members_[big].empty()) members_[big].push_back(big);
    AppendMembers(small, &members_[big]);
    members_[small].clear();
    members_[small].shrink_to_fit();
    parent_[small] = big;
    size_[big] += size_[small];
  }

 private:
  std::vector<uint32_t> parent_;
  std::vector<uint32_t> size_;
  std::vector<std::vector<uint32_t>> members_;
};

}  // namespace

std::vector<uint32_t> ClusterRecords(uint32_t num_records,
                                     std::vector<Edge>& edges,
                                     const ClusterOptions& options,
                                     ClusterStats* stats) {
  ClusterStats local;
  local.edges = static_cast<int64_t>(edges.size());
  // Adjacency (CSR) of all edges, for the link-fraction test.
  std::vector<uint32_t> offsets(num_records + 1, 0);
  for (const Edge& e : edges) {
    ++offsets[e.a + 1];
    ++offsets[e.b + 1];
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  std::vector<uint32_t> neighbours(offsets.back());
  {
    std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1);
    for (const Edge& e : edges) {
      neighbours[next[e.a]++] = e.b;
      neighbours[next[e.b]++] = e.a;
    }
  }
  std::sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    if (x.weight != y.weight) return x.weight > y.weight;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });

  DisjointSets sets(num_records);
  std::vector<uint32_t> members;
  absl::flat_hash_set<uint32_t> reached;  // Records of the larger cluster.
  // Cluster pairs refused by the guard, as (larger root, smaller root, their
  // sizes): a root that grows keeps its index but not its size, so a pair
  // that changed since is judged again.
  absl::flat_hash_set<std::tuple<uint32_t, uint32_t, uint32_t, uint32_t>>
      refused;
  for (const Edge& e : edges) {
    uint32_t ra = sets.Find(e.a), rb = sets.Find(e.b);
    if (ra == rb) continue;
    if (sets.Size(ra) < sets.Size(rb)) std::swap(ra, rb);  // ra: larger.
    uint32_t small = sets.Size(rb);
    if (static_cast<int64_t>(sets.Size(ra)) + small >
        options.max_cluster_size) {
      ++local.capped_merges;
      continue;
    }
    const bool check_small = small > 1 && options.min_link_fraction > 0;
    const bool check_cover = options.min_cover_fraction > 0 && sets.Size(ra) > 1;
    if (check_small || check_cover) {
      // The same two clusters, unchanged, were judged before (they share
      // many edges): the answer still stands.
      const auto pair = std::make_tuple(ra, rb, sets.Size(ra), small);
      if (refused.contains(pair)) {
        ++local.rejected_merges;
        continue;
      }
      members.clear();
      sets.AppendMembers(rb, &members);
      const double needed =
          check_small ? options.min_link_fraction * small : 0;
      const double cover_needed =
          check_cover ? options.min_cover_fraction * sets.Size(ra) : 0;
      uint32_t linked = 0, unlinked = 0;
      reached.clear();
      for (uint32_t m : members) {
        bool has_link = false;
        for (uint32_t k = offsets[m]; k < offsets[m + 1]; ++k) {
          if (sets.Find(neighbours[k]) != ra) continue;
          has_link = true;
          if (!check_cover) break;
          reached.insert(neighbours[k]);
        }
        has_link ? ++linked : ++unlinked;
        if (small - unlinked < needed) break;  // Cannot reach it any more.
      }
      if (linked < needed || reached.size() < cover_needed) {
        refused.insert(pair);
        ++local.rejected_merges;
        continue;
      }
    }
    sets.Union(ra, rb);
    ++local.merges;
  }

  std::vector<uint32_t> cluster(num_records);
  std::vector<uint32_t> smallest(num_records, UINT32_MAX);
  for (uint32_t i = 0; i < num_records; ++i) {
    uint32_t root = sets.Find(i);
    smallest[root] = std::min(smallest[root], i);
  }
  for (uint32_t i = 0; i < num_records; ++i)
    cluster[i] = smallest[sets.Find(i)];
  if (stats != nullptr) *stats = local;
  return cluster;
}

}  // namespace idr::matching
