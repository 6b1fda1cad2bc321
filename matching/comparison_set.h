// The comparisons of a dedup model: one per mapped column, each mapping a
// record pair to a comparison level (Splink's vocabulary).
//
// Levels are evaluated cheapest first: missing (level 0), then exact
// agreement (equal interned ids: one integer compare), then the name-key
// level (a shared romanisation or token order: 陳大文 ~ CHAN Tai Man,
// "isla hall" ~ "hall isla"), then the swapped-columns level (given name
// equal to the other record's family name), and only then the fuzzy string
// levels of the column's Comparison (comparators.h).

#ifndef IDR_MATCHING_COMPARISON_SET_H_
#define IDR_MATCHING_COMPARISON_SET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "matching/comparators.h"
#include "matching/fellegi_sunter.h"
#include "matching/prepare.h"

namespace idr::matching {

struct FieldComparison {
  std::string name;  // The column it compares.
  FieldType type = FieldType::kString;
  int column = -1;         // Index into the prepared columns.
  int partner = -1;        // Name column it may be swapped with, or -1.
  int key_level = -1;      // Level "name keys shared", or -1.
  int swap_level = -1;     // Level "equals the partner column", or -1.
  int fuzzy_offset = 0;    // Our level of the Comparison's level 2.
  bool tf_adjust = false;  // Term-frequency adjustment of exact agreement.
  Comparison fuzzy;        // Fuzzy levels (its null and exact are ours).
  std::vector<std::string> labels;  // Per level; labels[0] = "null".

  int num_levels() const { return static_cast<int>(labels.size()); }
};

// The comparisons for the given columns, by their field types (see
// docs/dedup.md for the levels of each type). At most kMaxComparisons.
std::vector<FieldComparison> DefaultComparisons(const PreparedColumns& columns);

// The level of comparison `c` for records a and b.
int ComparisonLevel(const FieldComparison& c, const PreparedColumns& columns,
                    uint32_t a, uint32_t b);

// The packed comparison vector of a pair.
Pattern ComparePair(const std::vector<FieldComparison>& comparisons,
                    const PreparedColumns& columns, uint32_t a, uint32_t b);

// The value ids of each comparison's column, record-major: the ids of one
// record's compared values sit in one cache line, where the columns hold
// them in one array per column (a candidate pair of a million-record file
// would otherwise cost a cache miss per comparison). 4 bytes per record and
// comparison.
class ComparedIds {
 public:
  ComparedIds(const std::vector<FieldComparison>& comparisons,
              const PreparedColumns& columns);

  // Record r's value id of comparison k (-1 = missing).
  int32_t Get(uint32_t r, int k) const { return ids_[r * width_ + k]; }

 private:
  size_t width_;
  std::vector<int32_t> ids_;
};

// ComparePair with a memory: remembers the id-pair part of each
// comparison's level (shared name key, else the fuzzy levels) for recently
// seen pairs of value ids, so a pair of values compared once is not compared
// again. Real data repeats values heavily (a city, a common given name and
// its usual misspellings meet in thousands of candidate pairs), and the fuzzy
// comparators are most of the cost of scoring a pair.
//
// Each comparison has a direct-mapped table of 2^kSlotBits packed entries
// (32 KB); a comparison whose values rarely repeat (hit rate under 1/8 after
// its first kProbation lookups) stops consulting its table. Results equal
// ComparePair's exactly. Not thread-safe: one per thread.
class PairComparer {
 public:
  // All three must outlive the comparer and not change while it is used;
  // `ids` must be built from the same comparisons and columns.
  PairComparer(const std::vector<FieldComparison>& comparisons,
               const PreparedColumns& columns, const ComparedIds& ids);

  // The packed comparison vector of records a and b (= ComparePair).
  Pattern Compare(uint32_t a, uint32_t b);

  // The level of comparison k for records a and b (= ComparisonLevel).
  int Level(int k, uint32_t a, uint32_t b);

  // Lookups and hits of comparison k's table, for benchmarks and tests.
  int64_t lookups(int k) const { return stats_[k].lookups; }
  int64_t hits(int k) const { return stats_[k].hits; }

  static constexpr int kSlotBits = 12;
  static constexpr int kProbation = 1 << 14;

 private:
  struct Stats {
    int64_t lookups = 0;
    int64_t hits = 0;
    bool enabled = true;
  };

  const std::vector<FieldComparison>& comparisons_;
  const PreparedColumns& columns_;
  const ComparedIds& ids_;
  std::vector<uint64_t> slots_;  // comparisons × 2^kSlotBits; 0 = empty.
  std::vector<Stats> stats_;
};

}  // namespace idr::matching

#endif  // IDR_MATCHING_COMPARISON_SET_H_
