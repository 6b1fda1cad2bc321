#include "matching/fellegi_sunter.h"

#include <cmath>
#include <functional>

#include "gtest/gtest.h"

namespace idr::matching {
namespace {

TEST(PatternTest, PacksFourBitsPerComparison) {
  Pattern p = 0;
  p = WithLevel(p, 0, 3);
  p = WithLevel(p, 5, 15);
  EXPECT_EQ(LevelOf(p, 0), 3);
  EXPECT_EQ(LevelOf(p, 1), 0);
  EXPECT_EQ(LevelOf(p, 5), 15);
}

TEST(FsParametersTest, WeightsAndProbabilities) {
  FsParameters p;
  p.lambda = 0.5;
  p.m = {{0, 0.9, 0.1}};
  p.u = {{0, 0.1, 0.9}};
  EXPECT_NEAR(p.MatchWeight(WithLevel(0, 0, 1)), std::log2(9.0), 1e-12);
  EXPECT_NEAR(p.MatchWeight(WithLevel(0, 0, 2)), -std::log2(9.0), 1e-12);
  EXPECT_DOUBLE_EQ(p.MatchWeight(0), 0.0);  // Missing: no evidence.
  EXPECT_NEAR(MatchProbability(std::log2(9.0)), 0.9, 1e-12);
  EXPECT_NEAR(MatchWeightOf(0.9), std::log2(9.0), 1e-12);
  EXPECT_DOUBLE_EQ(MatchProbability(2000), 1.0);
}

// Exact expected counts of `n` pairs drawn from the model `truth`, with
// level 0 (missing) at rate `missing` for every comparison.
PatternCounts ExpectedCounts(const FsParameters& truth,
                             const std::vector<int>& levels, double n,
                             double missing) {
  PatternCounts counts;
  std::function<void(size_t, Pattern, double, double)> walk =
      [&](size_t k, Pattern p, double pm, double pu) {
        if (k == levels.size()) {
          counts[p] = static_cast<int64_t>(
              std::llround(n * (truth.lambda * pm + (1 - truth.lambda) * pu)));
          return;
        }
        walk(k + 1, p, pm * missing, pu * missing);
        for (int l = 1; l < levels[k]; ++l) {
          walk(k + 1, WithLevel(p, k, l), pm * (1 - missing) * truth.m[k][l],
               pu * (1 - missing) * truth.u[k][l]);
        }
      };
  walk(0, 0, 1, 1);
  return counts;
}

TEST(EstimateParametersTest, RecoversTheGeneratingModelWithoutLabels) {
  FsParameters truth;
  truth.lambda = 0.2;
  truth.m = {
      {0, 0.85, 0.1, 0.05}, {0, 0.9, 0.1}, {0, 0.7, 0.2, 0.1}, {0, 0.95, 0.05}};
  truth.u = {{0, 0.02, 0.08, 0.9},
             {0, 0.1, 0.9},
             {0, 0.05, 0.15, 0.8},
             {0, 0.01, 0.99}};
  std::vector<int> levels = {4, 3, 4, 3};
  PatternCounts counts = ExpectedCounts(truth, levels, 1e9, 0.1);

  FsParameters start;
  start.lambda = 0.05;
  start.m = {
      {0, 0.6, 0.3, 0.1}, {0, 0.6, 0.4}, {0, 0.6, 0.3, 0.1}, {0, 0.6, 0.4}};
  start.u = {
      {0, 0.1, 0.2, 0.7}, {0, 0.3, 0.7}, {0, 0.1, 0.2, 0.7}, {0, 0.1, 0.9}};
  EmResult result = EstimateParameters(counts, levels, start, EmOptions());
  EXPECT_TRUE(result.converged) << result.iterations;
  EXPECT_NEAR(result.parameters.lambda, truth.lambda, 1e-3);
  for (size_t k = 0; k < levels.size(); ++k) {
    for (int l = 1; l < levels[k]; ++l) {
      EXPECT_NEAR(result.parameters.m[k][l], truth.m[k][l], 2e-3)
          << k << "," << l;
      EXPECT_NEAR(result.parameters.u[k][l], truth.u[k][l], 2e-3)
          << k << "," << l;
    }
  }
}

TEST(EstimateGroupedParametersTest, RecoversEachGroupsShareOfMatches) {
  FsParameters truth;
  truth.m = {
      {0, 0.85, 0.1, 0.05}, {0, 0.9, 0.1}, {0, 0.7, 0.2, 0.1}, {0, 0.95, 0.05}};
  truth.u = {{0, 0.02, 0.08, 0.9},
             {0, 0.1, 0.9},
             {0, 0.05, 0.15, 0.8},
             {0, 0.01, 0.99}};
  std::vector<int> levels = {4, 3, 4, 3};
  truth.lambda = 0.6;
  PatternCounts mostly_matches = ExpectedCounts(truth, levels, 1e9, 0.1);
  truth.lambda = 0.02;
  PatternCounts few_matches = ExpectedCounts(truth, levels, 1e9, 0.1);

  FsParameters start = truth;
  start.lambda = 0.3;
  start.m = {
      {0, 0.6, 0.3, 0.1}, {0, 0.6, 0.4}, {0, 0.6, 0.3, 0.1}, {0, 0.6, 0.4}};
  EmOptions options;
  options.fix_u = true;  // u known, as when measured on random pairs.
  EmResult result = EstimateGroupedParameters({mostly_matches, few_matches},
                                              levels, start, options);
  ASSERT_EQ(result.group_lambda.size(), 2u);
  EXPECT_NEAR(result.group_lambda[0], 0.6, 1e-3);
  EXPECT_NEAR(result.group_lambda[1], 0.02, 1e-3);
  EXPECT_NEAR(result.parameters.lambda, 0.31, 1e-3);
  EXPECT_NEAR(result.parameters.m[0][1], 0.85, 2e-3);
  EXPECT_NEAR(result.parameters.m[2][2], 0.2, 2e-3);
}

TEST(EstimateParametersTest, FixedUStaysFixedAndFloorsApply) {
  FsParameters start;
  start.lambda = 0.5;
  start.m = {{0, 0.5, 0.5}};
  start.u = {{0, 0.3, 0.7}};
  PatternCounts counts = {{WithLevel(0, 0, 1), 100}};  // Only agreement seen.
  EmOptions options;
  options.fix_u = true;
  EmResult result = EstimateParameters(counts, {3}, start, options);
  EXPECT_DOUBLE_EQ(result.parameters.u[0][1], 0.3);
  EXPECT_GE(result.parameters.m[0][2], options.min_probability);
}

}  // namespace
}  // namespace idr::matching
