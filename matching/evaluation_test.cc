#include "matching/evaluation.h"

#include <random>

#include "gtest/gtest.h"

namespace idr::matching {
namespace {

TEST(ScorePairwiseTest, PerfectClusteringScoresOne) {
  PairwiseScores s = ScorePairwise({5, 5, 9, 9, 9, 1}, {0, 0, 1, 1, 1, 2});
  EXPECT_EQ(s.true_pairs, 1 + 3);
  EXPECT_EQ(s.predicted_pairs, 4);
  EXPECT_EQ(s.correct_pairs, 4);
  EXPECT_DOUBLE_EQ(s.f1, 1.0);
  EXPECT_EQ(s.clusters, 3);
  EXPECT_EQ(s.truth_entities, 3);
  EXPECT_EQ(s.cluster_sizes.at(3), 1);
  EXPECT_EQ(s.cluster_sizes.at(1), 1);
}

TEST(ScorePairwiseTest, OverMergeLosesPrecisionOnly) {
  // Truth {0,1},{2,3}; one cluster of all four: 6 predicted, 2 correct.
  PairwiseScores s = ScorePairwise({7, 7, 7, 7}, {0, 0, 1, 1});
  EXPECT_EQ(s.predicted_pairs, 6);
  EXPECT_EQ(s.correct_pairs, 2);
  EXPECT_DOUBLE_EQ(s.precision, 2.0 / 6);
  EXPECT_DOUBLE_EQ(s.recall, 1.0);
  EXPECT_DOUBLE_EQ(s.f1, 2 * (1.0 / 3) / (1.0 / 3 + 1));
}

TEST(ScorePairwiseTest, AllSingletonsHaveNoRecall) {
  PairwiseScores s = ScorePairwise({0, 1, 2}, {4, 4, 4});
  EXPECT_EQ(s.true_pairs, 3);
  EXPECT_EQ(s.predicted_pairs, 0);
  EXPECT_DOUBLE_EQ(s.precision, 1.0);
  EXPECT_DOUBLE_EQ(s.recall, 0.0);
  EXPECT_DOUBLE_EQ(s.f1, 0.0);
}

TEST(ScorePairwiseTest, MatchesBruteForceOnRandomClusterings) {
  std::mt19937 rng(3);
  for (int round = 0; round < 20; ++round) {
    int n = 1 + rng() % 60;
    std::vector<int64_t> c(n), t(n);
    for (int i = 0; i < n; ++i) {
      c[i] = rng() % 8;
      t[i] = rng() % 8;
    }
    int64_t tp = 0, pp = 0, cp = 0;
    for (int i = 0; i < n; ++i) {
      for (int j = i + 1; j < n; ++j) {
        tp += t[i] == t[j];
        pp += c[i] == c[j];
        cp += t[i] == t[j] && c[i] == c[j];
      }
    }
    PairwiseScores s = ScorePairwise(c, t);
    EXPECT_EQ(s.true_pairs, tp);
    EXPECT_EQ(s.predicted_pairs, pp);
    EXPECT_EQ(s.correct_pairs, cp);
  }
}

}  // namespace
}  // namespace idr::matching
