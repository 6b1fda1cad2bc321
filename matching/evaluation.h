// Pairwise evaluation of a clustering against ground truth, as record-linkage
// papers and Splink report it: a pair of records is a true pair when both
// share a truth id, a predicted pair when both share a cluster id.

#ifndef IDR_MATCHING_EVALUATION_H_
#define IDR_MATCHING_EVALUATION_H_

#include <cstdint>
#include <map>
#include <vector>

namespace idr::matching {

struct PairwiseScores {
  int64_t records = 0;
  int64_t true_pairs = 0;       // Pairs sharing a truth id.
  int64_t predicted_pairs = 0;  // Pairs sharing a cluster id.
  int64_t correct_pairs = 0;    // Pairs sharing both.
  double precision = 0;         // correct / predicted (1 when none predicted).
  double recall = 0;            // correct / true (1 when there are none).
  double f1 = 0;                // Harmonic mean of the two.
  int64_t clusters = 0;         // Distinct cluster ids.
  int64_t truth_entities = 0;   // Distinct truth ids.
  // Cluster size -> how many clusters have it, for predicted and truth.
  std::map<int64_t, int64_t> cluster_sizes;
  std::map<int64_t, int64_t> truth_sizes;
};

// Scores `cluster[i]` against `truth[i]` for each record i. Ids are dense or
// sparse non-negative integers (callers intern strings). Both vectors must
// have the same length. O(n log n).
PairwiseScores ScorePairwise(const std::vector<int64_t>& cluster,
                             const std::vector<int64_t>& truth);

}  // namespace idr::matching

#endif  // IDR_MATCHING_EVALUATION_H_
