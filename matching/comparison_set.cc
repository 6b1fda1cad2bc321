#include "matching/comparison_set.h"

#include <algorithm>

namespace idr::matching {
namespace {

bool IsName(FieldType t) {
  return t == FieldType::kGivenName || t == FieldType::kFamilyName ||
         t == FieldType::kFullName;
}

// The fuzzy levels of a field type, as a Comparison whose level 0 is null and
// level 1 exact (both handled before it is consulted).
Comparison FuzzyLevels(const PreparedColumn& column) {
  const std::string& name = column.column;
  switch (column.type) {
    case FieldType::kGivenName:
    case FieldType::kFamilyName:
      return NameComparison(name);
    case FieldType::kFullName:
      return FullNameComparison(name);
    case FieldType::kBirthDate:
      return DateComparison(name);
    case FieldType::kEmail:
      return EmailComparison(name);
    case FieldType::kPhone:
    case FieldType::kPostcode:
    case FieldType::kLoyaltyId:
    case FieldType::kLoginId:
    case FieldType::kDeviceId:
    case FieldType::kNationalId: {
      Comparison c;
      c.name = name;
      c.levels = {MakeLevel(ComparatorKind::kNull),
                  MakeLevel(ComparatorKind::kExact),
                  MakeLevel(ComparatorKind::kDamerauLevenshtein, 1),
                  MakeLevel(ComparatorKind::kElse)};
      return c;
    }
    case FieldType::kStreet: {
      Comparison c;
      c.name = name;
      c.levels = {MakeLevel(ComparatorKind::kNull),
                  MakeLevel(ComparatorKind::kExact),
                  MakeLevel(ComparatorKind::kTokenSetRatio, 0.9),
                  MakeLevel(ComparatorKind::kJaroWinkler, 0.88),
                  MakeLevel(ComparatorKind::kElse)};
      return c;
    }
    case FieldType::kCity:
    case FieldType::kCountry:
    case FieldType::kString: {
      Comparison c;
      c.name = name;
      c.levels = {MakeLevel(ComparatorKind::kNull),
                  MakeLevel(ComparatorKind::kExact),
                  MakeLevel(ComparatorKind::kJaroWinkler, 0.92),
                  MakeLevel(ComparatorKind::kJaroWinkler, 0.8),
                  MakeLevel(ComparatorKind::kElse)};
      return c;
    }
    case FieldType::kGender:
    case FieldType::kExact:
      return ExactComparison(name);
  }
  return ExactComparison(name);
}

bool TermFrequencyAdjusted(FieldType t) {
  switch (t) {
    case FieldType::kGivenName:
    case FieldType::kFamilyName:
    case FieldType::kFullName:
    case FieldType::kCity:
    case FieldType::kPostcode:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kStreet:
    case FieldType::kBirthDate:
      return true;
    default:
      return false;
  }
}

bool ShareKey(const std::vector<int32_t>& x, const std::vector<int32_t>& y) {
  for (int32_t a : x) {
    for (int32_t b : y) {
      if (a == b) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<FieldComparison> DefaultComparisons(
    const PreparedColumns& columns) {
  std::vector<FieldComparison> out;
  int given = -1, family = -1;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].type == FieldType::kGivenName && given < 0) given = i;
    if (columns[i].type == FieldType::kFamilyName && family < 0) family = i;
  }
  for (size_t i = 0; i < columns.size() && out.size() < kMaxComparisons; ++i) {
    const PreparedColumn& column = columns[i];
    FieldComparison c;
    c.name = column.column;
    c.type = column.type;
    c.column = static_cast<int>(i);
    c.tf_adjust = TermFrequencyAdjusted(column.type);
    c.fuzzy = FuzzyLevels(column);
    c.labels = {"null", "exact"};
    if (IsName(column.type)) {
      c.key_level = c.num_levels();
      c.labels.push_back(column.type == FieldType::kFullName
                             ? "same romanisation or token order"
                             : "same romanisation");
    }
    if (static_cast<int>(i) == given && family >= 0) c.partner = family;
    if (static_cast<int>(i) == family && given >= 0) c.partner = given;
    if (c.partner >= 0) {
      c.swap_level = c.num_levels();
      c.labels.push_back("equals the other record's " +
                         columns[c.partner].column);
    }
    c.fuzzy_offset = c.num_levels();
    for (size_t l = 2; l < c.fuzzy.levels.size(); ++l) {
      c.labels.push_back(c.fuzzy.levels[l].label);
    }
    if (c.num_levels() > kMaxLevels) continue;  // Cannot happen with defaults.
    out.push_back(std::move(c));
  }
  return out;
}

int ComparisonLevel(const FieldComparison& c, const PreparedColumns& columns,
                    uint32_t a, uint32_t b) {
  const PreparedColumn& col = columns[c.column];
  int32_t ia = col.ids[a], ib = col.ids[b];
  if (ia < 0 || ib < 0) return 0;
  if (ia == ib) return 1;
  if (c.key_level >= 0 && ShareKey(col.name_keys[ia], col.name_keys[ib])) {
    return c.key_level;
  }
  if (c.swap_level >= 0) {
    const PreparedColumn& other = columns[c.partner];
    absl::string_view pa = other.ValueOf(a), pb = other.ValueOf(b);
    if ((!pb.empty() && col.values[ia] == pb) ||
        (!pa.empty() && col.values[ib] == pa)) {
      return c.swap_level;
    }
  }
  int level = c.fuzzy.LevelOf(col.values[ia], col.values[ib]);
  if (level <= 1) return level;  // Cannot differ from the id checks above.
  return c.fuzzy_offset + level - 2;
}

Pattern ComparePair(const std::vector<FieldComparison>& comparisons,
                    const PreparedColumns& columns, uint32_t a, uint32_t b) {
  Pattern p = 0;
  for (size_t k = 0; k < comparisons.size(); ++k) {
    p = WithLevel(p, static_cast<int>(k),
                  ComparisonLevel(comparisons[k], columns, a, b));
  }
  return p;
}

}  // namespace idr::matching
