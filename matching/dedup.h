// Batch deduplication: prepared columns in, clusters out.
//
//   1. Blocking (blocking.h) proposes candidate pairs with the default rules
//      for the mapped field types (DefaultBlockingRules).
//   2. u is estimated from random record pairs; m and the prior by EM over
//      the comparison vectors of all candidate pairs (fellegi_sunter.h).
//      No labels are used. A loaded model skips this step.
//   3. Every candidate pair is scored: the match weight of its vector plus
//      the term-frequency adjustment of exact agreements on skewed fields.
//   4. Pairs at or above the threshold are clustered (clustering.h).
//
// No global state: everything lives in the DedupResult, so the same code
// serves batch jobs and, later, the real-time engine.

#ifndef IDR_MATCHING_DEDUP_H_
#define IDR_MATCHING_DEDUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "matching/blocking.h"
#include "matching/clustering.h"
#include "matching/comparison_set.h"
#include "matching/fellegi_sunter.h"
#include "matching/prepare.h"

namespace idr::matching {

// A blocking rule: a name for reports, the columns its keys are made of,
// and each record's key (0 = none).
struct BlockingRule {
  std::string name;
  std::vector<int> columns;
  std::vector<uint64_t> keys;
};

// The default rules for the mapped columns (docs/dedup.md lists them). Rules
// under which no record has a key are left out. Keys are made of value
// hashes, so they are stable across inputs. Name-key rules come one per key
// position up to the most keys any value has, and at least
// `min_name_key_slots` (the identity graph asks for all it may meet).
std::vector<BlockingRule> DefaultBlockingRules(const PreparedColumns& columns,
                                               size_t min_name_key_slots = 0);

// A trained model.
//
// Candidate pairs come from blocking rules, and a rule forces agreement on
// its own fields: a pair found through "family name + birth year" agrees on
// the family name because of the rule, not because it is a match. So, as
// Splink trains one EM session per rule, each pair is trained on and scored
// by the comparisons its rule did not force (the rule's fields are masked),
// and each rule has its own prior, the share of matches among the pairs it
// proposes (rule_lambda): high for an exact e-mail, low for a surname and a
// birth year. m is shared by all rules and learned by EM; u is measured on
// random record pairs, which is what a comparison the rule did not force
// looks like among non-matches. No labels are used.
struct DedupModel {
  std::vector<FieldComparison> comparisons;
  // m and u per comparison level; lambda = the share of matches over all
  // candidate pairs (for reports).
  FsParameters parameters;
  // Per blocking rule (same order as DefaultBlockingRules): its name, the
  // comparisons it leaves to scoring (a bit mask of 4-bit level slots), and
  // its prior.
  std::vector<std::string> rule_names;
  std::vector<Pattern> rule_keep;
  std::vector<double> rule_lambda;
  // Per rule and comparison, the baseline of the term-frequency adjustment:
  // the geometric mean frequency of the agreeing value over the rule's
  // candidate pairs that agree exactly. An exact agreement on a value of
  // frequency f adds log2(baseline / f): rarer than usual counts more,
  // commoner less, and on average over the rule's pairs the adjustment is
  // zero, so the rule's prior and the level weights stay calibrated.
  // 0 = no adjustment.
  std::vector<std::vector<double>> tf_baseline;
  // Derived for scoring speed by Deduplicate: log2(m/u) per comparison and
  // level, log2 of each TF baseline, and each rule's prior match weight
  // log2(λ / (1 - λ)); flat per rule: the weight of each comparison level
  // (0 where the rule forced the comparison), at
  // [(rule * kMaxComparisons + k) * kMaxLevels + level], and a bit per level
  // that takes a TF adjustment, at [rule * kMaxComparisons + k].
  std::vector<std::vector<double>> level_weight;
  std::vector<std::vector<double>> log2_tf_baseline;
  std::vector<double> rule_prior_weight;
  std::vector<double> rule_level_weight;
  std::vector<uint16_t> rule_tf_levels;
};

struct DedupOptions {
  // Pairs with a match probability at or above this are linked.
  // Default: 0.5 (as Splink's tutorials; the best on every shared set).
  double threshold = 0.5;
  // Link records of different sources only (`source` must be given).
  bool link_only = false;
  // Worker threads. Default: 2.
  int threads = 2;
  // Blocks larger than this are skipped and reported. Default: 100: larger
  // blocks are common names and shared values whose pairs are mostly
  // non-matches (on 1M idr gen records, 1000 gave F1 0.54 in 51 s, 100 gave
  // 0.72 in 33 s; no shared data set changes).
  uint32_t max_block_size = 100;
  // Random pairs sampled to estimate u (the starting point of EM).
  // Default: 300,000.
  int64_t u_sample_pairs = 300'000;
  // Candidate pairs EM learns from: a uniform sample of this many (all of
  // them when there are fewer). Default: 1,000,000.
  int64_t em_sample_pairs = 1'000'000;
  // Seed of the random pair samples. Default: 42.
  uint64_t seed = 42;
  EmOptions em;
  ClusterOptions cluster;
  // Keep the scored pairs above the threshold (for --pairs). Default: false.
  bool keep_pairs = false;
  // Ground truth per record, used ONLY to report blocking recall (how many
  // true pairs blocking proposed); never for training or scoring.
  const std::vector<uint32_t>* truth = nullptr;
};

struct ScoredPair {
  uint32_t a;
  uint32_t b;
  float weight;     // Match weight, prior and TF adjustments included.
  int rule;         // The blocking rule that proposed the pair.
  Pattern pattern;  // The comparison vector (all comparisons, unmasked).
};

// Progress of the long phases: phase name, units done, units total.
using DedupProgress =
    std::function<void(const char* phase, int64_t done, int64_t total)>;

struct DedupResult {
  std::vector<uint32_t> cluster;  // Per record: smallest record of its cluster.
  DedupModel model;  // model.rule_names names the entries of `blocking`.
  std::vector<RuleStats> blocking;
  int64_t candidate_pairs = 0;
  int64_t true_candidate_pairs = 0;  // With options.truth: true pairs proposed.
  int64_t linked_pairs = 0;
  int em_iterations = 0;
  bool em_converged = false;
  ClusterStats cluster_stats;
  std::vector<ScoredPair> pairs;  // When keep_pairs.
  // Seconds per phase: blocking, training, scoring, clustering.
  std::vector<std::pair<std::string, double>> timings;
};

// Runs the pipeline over `columns` (all of `num_records` rows). `source` is
// per-record source index (required for link_only, else may be empty).
// `model`, when not null, is used instead of training (its comparisons must
// fit the columns). INVALID_ARGUMENT for inconsistent inputs.
absl::StatusOr<DedupResult> Deduplicate(const PreparedColumns& columns,
                                        uint32_t num_records,
                                        const std::vector<uint32_t>& source,
                                        const DedupOptions& options,
                                        const DedupModel* model,
                                        const DedupProgress& progress);

// Fills a model's derived tables (level_weight, log2_tf_baseline,
// rule_prior_weight, rule_level_weight, rule_tf_levels) from its
// parameters and TF baselines; Deduplicate does it for the models it uses.
void PrepareForScoring(DedupModel& model);

// The comparisons a rule over `rule_columns` leaves to scoring (the rule
// forces agreement on its own columns): the rule_keep entry of such a rule.
Pattern RuleKeepMask(const DedupModel& model,
                     const std::vector<int>& rule_columns);

// The match weight of a pair proposed by `rule`: the rule's prior plus the
// weights of the comparisons the rule left open, TF adjustments included.
double ScorePair(const DedupModel& model, const PreparedColumns& columns,
                 int rule, Pattern pattern, uint32_t a, uint32_t b);

// The contribution of comparison k to such a pair's weight (level weight
// plus its TF adjustment; 0 when the rule forced it), for explanations.
double ComparisonWeight(const DedupModel& model, const PreparedColumns& columns,
                        int rule, Pattern pattern, int k, uint32_t a,
                        uint32_t b);

}  // namespace idr::matching

#endif  // IDR_MATCHING_DEDUP_H_
