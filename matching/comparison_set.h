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

}  // namespace idr::matching

#endif  // IDR_MATCHING_COMPARISON_SET_H_
