#include "matching/clustering.h"

#include <random>

#include "gtest/gtest.h"

namespace idr::matching {
namespace {

TEST(ClusterRecordsTest, ConnectedPairsShareTheSmallestIndex) {
  std::vector<Edge> edges = {{3, 4, 10}, {0, 1, 5}, {1, 2, 8}};
  ClusterStats stats;
  auto cluster = ClusterRecords(6, edges, {}, &stats);
  EXPECT_EQ(cluster, (std::vector<uint32_t>{0, 0, 0, 3, 3, 5}));
  EXPECT_EQ(stats.merges, 3);
  EXPECT_EQ(stats.rejected_merges, 0);
}

TEST(ClusterRecordsTest, OneWeakLinkDoesNotChainTwoClusters) {
  // Two tight triangles {0,1,2} and {3,4,5}, joined only by 2-3.
  std::vector<Edge> edges = {{0, 1, 20}, {1, 2, 20}, {0, 2, 20}, {3, 4, 20},
                             {4, 5, 20}, {3, 5, 20}, {2, 3, 1}};
  ClusterStats stats;
  auto cluster = ClusterRecords(6, edges, {}, &stats);
  EXPECT_EQ(cluster[2], 0u);
  EXPECT_EQ(cluster[3], 3u);
  EXPECT_EQ(stats.rejected_merges, 1);

  // Plain connected components join them.
  ClusterOptions plain;
  plain.min_link_fraction = 0;
  plain.min_cover_fraction = 0;
  cluster = ClusterRecords(6, edges, plain, &stats);
  EXPECT_EQ(cluster[5], 0u);
}

TEST(ClusterRecordsTest, WellLinkedClustersDoJoin) {
  // {0,1} and {2,3} with links from both 0 and 1 into {2,3}.
  std::vector<Edge> edges = {{0, 1, 20}, {2, 3, 20}, {0, 2, 5}, {1, 3, 5}};
  auto cluster = ClusterRecords(4, edges, {}, nullptr);
  EXPECT_EQ(cluster, (std::vector<uint32_t>{0, 0, 0, 0}));
}

TEST(ClusterRecordsTest, ARefusedPairIsJudgedAgainAfterGrowing) {
  // {0,1} and {2,3}: 0-2 alone does not join them (3 has no link). Then 5
  // joins {0,1} and 3-5 gives 3 its link: now every record of {2,3} links.
  std::vector<Edge> edges = {
      {0, 1, 20}, {2, 3, 20}, {0, 2, 10}, {1, 5, 9}, {3, 5, 8}};
  ClusterStats stats;
  auto cluster = ClusterRecords(6, edges, {}, &stats);
  EXPECT_EQ(cluster, (std::vector<uint32_t>{0, 0, 0, 0, 4, 0}));
  EXPECT_EQ(stats.rejected_merges, 1);
}

TEST(ClusterRecordsTest, ARecordMustLinkToAFifthOfALargeCluster) {
  // A clique {0..5}; record 6 links to one of its six records (a namesake
  // of record 0), record 7 to two of them.
  std::vector<Edge> edges;
  for (uint32_t i = 0; i < 6; ++i) {
    for (uint32_t j = i + 1; j < 6; ++j) edges.push_back({i, j, 20});
  }
  edges.push_back({0, 6, 5});
  edges.push_back({1, 7, 5});
  edges.push_back({2, 7, 4});
  ClusterStats stats;
  auto cluster = ClusterRecords(8, edges, {}, &stats);
  EXPECT_EQ(cluster[6], 6u);
  EXPECT_EQ(cluster[7], 0u);
  EXPECT_EQ(stats.rejected_merges, 1);

  // A small cluster takes a record on one link.
  std::vector<Edge> small = {{0, 1, 20}, {1, 2, 20}, {0, 3, 5}};
  EXPECT_EQ(ClusterRecords(4, small, {}, nullptr),
            (std::vector<uint32_t>{0, 0, 0, 0}));

  ClusterOptions no_cover;
  no_cover.min_cover_fraction = 0;
  cluster = ClusterRecords(8, edges, no_cover, nullptr);
  EXPECT_EQ(cluster[6], 0u);
}

TEST(ClusterRecordsTest, SizeCapRefusesGrowth) {
  std::vector<Edge> edges;
  for (uint32_t i = 1; i < 10; ++i) edges.push_back({0, i, float(20 - i)});
  ClusterOptions options;
  options.max_cluster_size = 4;
  ClusterStats stats;
  auto cluster = ClusterRecords(10, edges, options, &stats);
  int in_zero = 0;
  for (uint32_t c : cluster) in_zero += c == 0;
  EXPECT_EQ(in_zero, 4);
  EXPECT_EQ(stats.capped_merges, 6);
}

TEST(ClusterRecordsTest, PlainModeEqualsConnectedComponents) {
  std::mt19937 rng(1);
  const uint32_t n = 300;
  std::vector<Edge> edges;
  for (int i = 0; i < 250; ++i) {
    edges.push_back(
        {uint32_t(rng() % n), uint32_t(rng() % n), float(rng() % 9)});
  }
  // Reference: label propagation until fixpoint.
  std::vector<uint32_t> label(n);
  for (uint32_t i = 0; i < n; ++i) label[i] = i;
  for (bool changed = true; changed;) {
    changed = false;
    for (const Edge& e : edges) {
      uint32_t m = std::min(label[e.a], label[e.b]);
      if (label[e.a] != m || label[e.b] != m) {
        label[e.a] = label[e.b] = m;
        changed = true;
      }
    }
  }
  ClusterOptions plain;
  plain.min_link_fraction = 0;
  plain.min_cover_fraction = 0;
  plain.max_cluster_size = n;
  EXPECT_EQ(ClusterRecords(n, edges, plain, nullptr), label);
}

}  // namespace
}  // namespace idr::matching
