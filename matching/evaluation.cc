#include "matching/evaluation.h"

#include <algorithm>
#include <utility>

namespace idr::matching {
namespace {

int64_t Pairs(int64_t n) { return n * (n - 1) / 2; }

// Sums n(n-1)/2 over the runs of equal keys in sorted `keys`, recording run
// lengths in `sizes` when it is not null; returns {pairs, distinct keys}.
template <typename Key>
std::pair<int64_t, int64_t> PairsOfRuns(std::vector<Key>& keys,
                                        std::map<int64_t, int64_t>* sizes) {
  std::sort(keys.begin(), keys.end());
  int64_t pairs = 0, runs = 0;
  for (size_t i = 0; i < keys.size();) {
    size_t j = i;
    while (j < keys.size() && keys[j] == keys[i]) ++j;
    int64_t n = static_cast<int64_t>(j - i);
    pairs += Pairs(n);
    ++runs;
    if (sizes != nullptr) ++(*sizes)[n];
    i = j;
  }
  return {pairs, runs};
}

}  // namespace

PairwiseScores ScorePairwise(const std::vector<int64_t>& cluster,
                             const std::vector<int64_t>& truth) {
  PairwiseScores s;
  s.records = static_cast<int64_t>(cluster.size());
  std::vector<int64_t> c = cluster, t = truth;
  std::tie(s.predicted_pairs, s.clusters) = PairsOfRuns(c, &s.cluster_sizes);
  std::tie(s.true_pairs, s.truth_entities) = PairsOfRuns(t, &s.truth_sizes);
  std::vector<std::pair<int64_t, int64_t>> both;
  both.reserve(cluster.size());
  for (size_t i = 0; i < cluster.size() && i < truth.size(); ++i) {
    both.emplace_back(cluster[i], truth[i]);
  }
  s.correct_pairs = PairsOfRuns(both, nullptr).first;
  s.precision = s.predicted_pairs == 0
                    ? 1.0
                    : static_cast<double>(s.correct_pairs) / s.predicted_pairs;
  s.recall = s.true_pairs == 0
                 ? 1.0
                 : static_cast<double>(s.correct_pairs) / s.true_pairs;
  s.f1 = s.precision + s.recall == 0
             ? 0.0
             : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

}  // namespace idr::matching
