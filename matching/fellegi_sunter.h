// Fellegi-Sunter parameters and their unsupervised estimation by EM.
//
// A pair of records is summarised by its comparison vector: one level per
// comparison (level 0 = a value is missing, which carries no evidence; 1 = the
// strongest agreement; the last = disagreement). For each comparison k and
// level l the model holds
//   m[k][l] = P(level l | the records are the same entity)
//   u[k][l] = P(level l | they are not),
// and lambda, the share of matches among the candidate pairs. The match
// weight of a vector is log2(lambda / (1 - lambda)) + Σ log2(m/u) and its
// match probability 2^w / (1 + 2^w) (Splink's vocabulary).
//
// EM runs over the distinct comparison vectors with their counts, not over
// pairs: a million pairs typically have a few thousand distinct vectors, so
// each iteration costs microseconds. No labels are used.

#ifndef IDR_MATCHING_FELLEGI_SUNTER_H_
#define IDR_MATCHING_FELLEGI_SUNTER_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace idr::matching {

// Up to 16 comparisons of up to 16 levels, 4 bits each.
inline constexpr int kMaxComparisons = 16;
inline constexpr int kMaxLevels = 16;

using Pattern = uint64_t;

// The level of comparison `k` in a packed pattern.
inline int LevelOf(Pattern p, int k) {
  return static_cast<int>((p >> (4 * k)) & 0xF);
}
// Sets the level of comparison `k` (which must be 0 before).
inline Pattern WithLevel(Pattern p, int k, int level) {
  return p | (static_cast<Pattern>(level) << (4 * k));
}

// Count of candidate pairs per distinct comparison vector.
using PatternCounts = absl::flat_hash_map<Pattern, int64_t>;

struct FsParameters {
  double lambda = 0.1;
  // m[k][l], u[k][l]; index 0 (missing) is unused.
  std::vector<std::vector<double>> m;
  std::vector<std::vector<double>> u;

  // log2 Bayes factor of level l of comparison k (0 for level 0).
  double LevelWeight(int k, int l) const;
  // Match weight of a pattern, prior included.
  double MatchWeight(Pattern p) const;
};

// Converts a match weight into a match probability.
double MatchProbability(double match_weight);
// And back: the weight whose probability is p (p in (0, 1)).
double MatchWeightOf(double probability);

struct EmOptions {
  // Iterations at most. Default: 200.
  int max_iterations = 200;
  // Stop when no parameter moves more than this. Default: 1e-7.
  double tolerance = 1e-7;
  // Floor for every m and u, so no level becomes infinitely decisive.
  // Default: 1e-6.
  double min_probability = 1e-6;
  // Keep u fixed at its starting values (Splink's default when u comes from
  // random sampling); when false u is re-estimated too. Default: false.
  bool fix_u = false;
};

struct EmResult {
  FsParameters parameters;
  // Per group (EstimateGroupedParameters): the share of matches in it.
  std::vector<double> group_lambda;
  int iterations = 0;
  bool converged = false;
};

// Runs EM from `start` (whose shape, levels per comparison, is kept) over
// `counts`. `levels[k]` is the number of levels of comparison k, level 0
// included.
EmResult EstimateParameters(const PatternCounts& counts,
                            const std::vector<int>& levels,
                            const FsParameters& start,
                            const EmOptions& options);

// EM over several groups of pairs that share m and u but each have their own
// share of matches (e.g. the pairs each blocking rule proposes: a rule on an
// exact e-mail finds mostly matches, one on surname and birth year few).
// Starts every group at start.lambda; parameters.lambda of the result is the
// overall share.
EmResult EstimateGroupedParameters(const std::vector<PatternCounts>& groups,
                                   const std::vector<int>& levels,
                                   const FsParameters& start,
                                   const EmOptions& options);

}  // namespace idr::matching

#endif  // IDR_MATCHING_FELLEGI_SUNTER_H_
