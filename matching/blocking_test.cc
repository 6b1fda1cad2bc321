#include "matching/blocking.h"

#include <mutex>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace idr::matching {
namespace {

using PairSet = std::set<std::pair<uint32_t, uint32_t>>;

PairSet Collect(const std::vector<std::vector<uint64_t>>& keys,
                const BlockingOptions& options, std::vector<RuleStats>* stats,
                int64_t* visits) {
  PairSet pairs;
  std::mutex mu;
  *visits = 0;
  *stats = ForEachCandidatePair(keys, options,
                                [&](int, int, uint32_t a, uint32_t b) {
                                  std::lock_guard<std::mutex> lock(mu);
                                  EXPECT_LT(a, b);
                                  pairs.insert({a, b});
                                  ++*visits;
                                });
  return pairs;
}

TEST(BlockingKeyTest, SeparatesPartsAndIsNeverZero) {
  EXPECT_NE(BlockingKey({"ab", "c"}), BlockingKey({"a", "bc"}));
  EXPECT_EQ(BlockingKey({"chan", "1980"}), BlockingKey({"chan", "1980"}));
  EXPECT_NE(BlockingKey({"chan"}), 0u);
}

TEST(ForEachCandidatePairTest, UnionOfRulesEachPairOnce) {
  // Rule 0 blocks {0,1,2}; rule 1 blocks {1,2,3}; 0 = no key.
  std::vector<std::vector<uint64_t>> keys = {{7, 7, 7, 0, 9}, {0, 5, 5, 5, 0}};
  std::vector<RuleStats> stats;
  int64_t visits;
  PairSet pairs = Collect(keys, {}, &stats, &visits);
  EXPECT_EQ(pairs, (PairSet{{0, 1}, {0, 2}, {1, 2}, {1, 3}, {2, 3}}));
  EXPECT_EQ(visits, 5);
  EXPECT_EQ(stats[0].pairs, 3);
  EXPECT_EQ(stats[1].pairs, 2);  // {1,2} was rule 0's.
}

TEST(ForEachCandidatePairTest, OversizedBlocksAreSkippedAndReported) {
  std::vector<std::vector<uint64_t>> keys = {{1, 1, 1, 1, 2, 2},
                                             {0, 0, 3, 3, 0, 0}};
  BlockingOptions options;
  options.max_block_size = 3;
  std::vector<RuleStats> stats;
  int64_t visits;
  PairSet pairs = Collect(keys, options, &stats, &visits);
  // The block of four under rule 0 is skipped; rule 1 still pairs 2 and 3.
  EXPECT_EQ(pairs, (PairSet{{2, 3}, {4, 5}}));
  EXPECT_EQ(stats[0].skipped_blocks, 1);
  EXPECT_EQ(stats[0].skipped_records, 4);
  EXPECT_EQ(stats[1].pairs, 1);
}

TEST(ForEachCandidatePairTest, LinkOnlyPairsAcrossSourcesOnly) {
  std::vector<std::vector<uint64_t>> keys = {{4, 4, 4, 4}};
  std::vector<uint32_t> source = {0, 0, 1, 1};
  BlockingOptions options;
  options.source = &source;
  std::vector<RuleStats> stats;
  int64_t visits;
  EXPECT_EQ(Collect(keys, options, &stats, &visits),
            (PairSet{{0, 2}, {0, 3}, {1, 2}, {1, 3}}));
}

TEST(ForEachCandidatePairTest, ThreadsVisitTheSamePairsOnce) {
  std::mt19937 rng(5);
  std::vector<std::vector<uint64_t>> keys(3, std::vector<uint64_t>(2000));
  for (auto& rule : keys) {
    for (auto& k : rule) k = rng() % 300;  // 0 = missing sometimes.
  }
  std::vector<RuleStats> stats;
  int64_t one_visits, two_visits;
  PairSet one = Collect(keys, {}, &stats, &one_visits);
  BlockingOptions options;
  options.threads = 2;
  PairSet two = Collect(keys, options, &stats, &two_visits);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one_visits, static_cast<int64_t>(one.size()));
  EXPECT_EQ(two_visits, static_cast<int64_t>(two.size()));
  // Brute force: pairs sharing any non-zero key.
  PairSet brute;
  for (uint32_t a = 0; a < 2000; ++a) {
    for (uint32_t b = a + 1; b < 2000; ++b) {
      for (const auto& rule : keys) {
        if (rule[a] != 0 && rule[a] == rule[b]) brute.insert({a, b});
      }
    }
  }
  EXPECT_EQ(one, brute);
}

TEST(CandidatePairsTest, SameBlockIgnoresSkippedBlocks) {
  std::vector<std::vector<uint64_t>> keys = {{1, 1, 1, 1, 2, 2, 0},
                                             {5, 5, 0, 0, 6, 7, 0}};
  BlockingOptions options;
  options.max_block_size = 3;
  CandidatePairs candidates(keys, options);
  EXPECT_FALSE(candidates.SameBlock(0, 0, 1));  // Its block of four: skipped.
  EXPECT_TRUE(candidates.SameBlock(0, 4, 5));
  EXPECT_TRUE(candidates.SameBlock(1, 0, 1));
  EXPECT_FALSE(candidates.SameBlock(1, 4, 5));
  EXPECT_FALSE(candidates.SameBlock(0, 6, 6));  // No key.
  // Kept blocks: {4,5} under rule 0, {0,1} under rule 1.
  EXPECT_EQ(candidates.block_pairs(), 2);
  EXPECT_EQ(candidates.stats()[0].skipped_blocks, 1);
}

TEST(CandidatePairsTest, VisitsAgainAndFiltersBeforeCounting) {
  std::vector<std::vector<uint64_t>> keys = {{3, 3, 3, 3}, {0, 8, 8, 8}};
  CandidatePairs candidates(keys, {});
  PairSet first, second, odd;
  candidates.ForEach([&](int, int, uint32_t a, uint32_t b) {
    first.insert({a, b});
  });
  candidates.ForEach([&](int, int, uint32_t a, uint32_t b) {
    second.insert({a, b});
  });
  EXPECT_EQ(first.size(), 6u);
  EXPECT_EQ(first, second);
  std::vector<RuleStats> stats = candidates.ForEach(
      [&](int, int, uint32_t a, uint32_t b) { odd.insert({a, b}); },
      [](int, uint32_t a, uint32_t) { return a % 2 == 1; });
  EXPECT_EQ(odd, (PairSet{{1, 2}, {1, 3}}));
  EXPECT_EQ(stats[0].pairs, 2);
  EXPECT_EQ(stats[1].pairs, 0);  // Rule 0 had them all.
}

}  // namespace
}  // namespace idr::matching
