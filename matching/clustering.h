// Clustering of scored pairs into entities, with a guard against chaining.
//
// Plain connected components (what Splink does) let one weak link join two
// large clusters: A~B, B~C, C~D … until a household or a junk value makes one
// giant "customer". The rule here, documented in docs/dedup.md:
//
//   Edges above the threshold are taken strongest first (Kruskal order). Two
//   clusters are joined when
//     - the smaller has a single record, or at least `min_link_fraction` of
//       its records have an edge above the threshold into the larger one,
//     - and those edges reach at least `min_cover_fraction` of the larger
//       cluster's records (a record linked to one member of a large
//       cluster is more often that member's namesake than the cluster's
//       person).
//   Otherwise the edge is left out (counted in
//   ClusterStats::rejected_merges). No cluster grows past `max_cluster_size`.

#ifndef IDR_MATCHING_CLUSTERING_H_
#define IDR_MATCHING_CLUSTERING_H_

#include <cstdint>
#include <vector>

namespace idr::matching {

// A scored candidate pair above the threshold.
struct Edge {
  uint32_t a;
  uint32_t b;
  float weight;  // Match weight (log2 Bayes factor incl. prior).
};

struct ClusterOptions {
  // Share of the smaller cluster's records that must link into the larger
  // one for two multi-record clusters to join. 0 = plain connected
  // components (with min_cover_fraction 0). Default: 1.0, every record (the best F1 on every shared data
  // set, and on idr gen data it stops households chaining together).
  double min_link_fraction = 1.0;
  // Share of the larger cluster's records that the smaller one (a single
  // record too) must link to for the two to join: a record that links to
  // one member of a large cluster may be a namesake of that member, not the
  // cluster's person. 0 = no such check. Default: 0.2.
  double min_cover_fraction = 0.2;
  // A merge that would make a cluster larger than this is refused.
  // Default: 1000.
  int max_cluster_size = 1000;
};

struct ClusterStats {
  int64_t edges = 0;            // Edges given.
  int64_t merges = 0;           // Edges that joined two clusters.
  int64_t rejected_merges = 0;  // Joins refused by the chaining guard.
  int64_t capped_merges = 0;    // Joins refused by max_cluster_size.
};

// Assigns each of `num_records` records a cluster id in [0, num_records):
// the smallest record index in its cluster. `edges` is reordered.
std::vector<uint32_t> ClusterRecords(uint32_t num_records,
                                     std::vector<Edge>& edges,
                                     const ClusterOptions& options,
                                     ClusterStats* stats);

}  // namespace idr::matching

#endif  // IDR_MATCHING_CLUSTERING_H_
