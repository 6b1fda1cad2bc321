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

namespace {

// The level of c for two different present value ids, apart from the swapped
// columns level (which depends on the records, not only on their values).
int IdPairLevel(const FieldComparison& c, const PreparedColumn& col, int32_t ia,
                int32_t ib) {
  if (c.key_level >= 0 && ShareKey(col.name_keys[ia], col.name_keys[ib])) {
    return c.key_level;
  }
  const int level =
      col.sketches.empty()
          ? c.fuzzy.LevelOf(col.values[ia], col.values[ib])
          : c.fuzzy.LevelOf(col.values[ia], col.values[ib], col.sketches[ia],
                            col.sketches[ib]);
  if (level <= 1) return level;  // Cannot differ from the id checks.
  return c.fuzzy_offset + level - 2;
}

// Whether record a's value of c equals record b's value of c's partner
// column, or the other way round.
bool Swapped(const FieldComparison& c, const PreparedColumns& columns,
             int32_t ia, int32_t ib, uint32_t a, uint32_t b) {
  const PreparedColumn& col = columns[c.column];
  const PreparedColumn& other = columns[c.partner];
  absl::string_view pa = other.ValueOf(a), pb = other.ValueOf(b);
  const bool a_across = !pb.empty() && col.values[ia] == pb;
  const bool b_across = !pa.empty() && col.values[ib] == pa;
  // One agreement across the columns is one piece of evidence, not two:
  // the given-name comparison takes it, and the family-name comparison
  // counts only a full swap (both names agree across).
  if (c.type == FieldType::kFamilyName) return a_across && b_across;
  return a_across || b_across;
}

// `level`, IdPairLevel's answer, unless the pair's names are swapped: the
// swap level comes before the fuzzy ones (not before a shared name key).
int WithSwap(const FieldComparison& c, const PreparedColumns& columns,
             int level, int32_t ia, int32_t ib, uint32_t a, uint32_t b) {
  if (level != c.key_level && c.swap_level >= 0 &&
      Swapped(c, columns, ia, ib, a, b)) {
    return c.swap_level;
  }
  return level;
}

}  // namespace

int ComparisonLevel(const FieldComparison& c, const PreparedColumns& columns,
                    uint32_t a, uint32_t b) {
  const PreparedColumn& col = columns[c.column];
  int32_t ia = col.ids[a], ib = col.ids[b];
  if (ia < 0 || ib < 0) return 0;
  if (ia == ib) return 1;
  return WithSwap(c, columns, IdPairLevel(c, col, ia, ib), ia, ib, a, b);
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

ComparedIds::ComparedIds(const std::vector<FieldComparison>& comparisons,
                         const PreparedColumns& columns)
    : width_(comparisons.size()) {
  const size_t records = columns.empty() ? 0 : columns[0].ids.size();
  ids_.resize(records * width_);
  for (size_t k = 0; k < width_; ++k) {
    const std::vector<int32_t>& column = columns[comparisons[k].column].ids;
    for (size_t r = 0; r < records; ++r) ids_[r * width_ + k] = column[r];
  }
}

PairComparer::PairComparer(const std::vector<FieldComparison>& comparisons,
                           const PreparedColumns& columns,
                           const ComparedIds& ids)
    : comparisons_(comparisons),
      columns_(columns),
      ids_(ids),
      slots_(comparisons.size() << kSlotBits, 0),
      stats_(comparisons.size()) {
  for (size_t k = 0; k < comparisons.size(); ++k) {
    // Exact-only comparisons have nothing worth remembering.
    const FieldComparison& c = comparisons[k];
    stats_[k].enabled = c.key_level >= 0 || c.fuzzy.levels.size() > 3;
  }
}

int PairComparer::Level(int k, uint32_t a, uint32_t b) {
  const int32_t ia = ids_.Get(a, k), ib = ids_.Get(b, k);
  if (ia < 0 || ib < 0) return 0;
  if (ia == ib) return 1;
  const FieldComparison& c = comparisons_[k];
  const PreparedColumn& col = columns_[c.column];
  Stats& stats = stats_[k];
  // An entry packs the smaller id (30 bits), the larger (30) and the level
  // (4): every comparator is symmetric, so (x, y) and (y, x) share it.
  constexpr int32_t kMaxId = (1 << 30) - 1;
  int level;
  if (!stats.enabled || ia > kMaxId || ib > kMaxId) {
    level = IdPairLevel(c, col, ia, ib);
  } else {
    const uint64_t lo = static_cast<uint32_t>(std::min(ia, ib));
    const uint64_t hi = static_cast<uint32_t>(std::max(ia, ib));
    const uint64_t key = lo << 34 | hi << 4;
    const uint64_t slot =
        ((lo * 0x9E3779B97F4A7C15ull) ^ (hi * 0xC2B2AE3D27D4EB4Full)) >>
        (64 - kSlotBits);
    uint64_t& entry = slots_[(static_cast<uint64_t>(k) << kSlotBits) | slot];
    ++stats.lookups;
    if ((entry & ~uint64_t{15}) == key) {
      ++stats.hits;
      level = static_cast<int>(entry & 15);
    } else {
      level = IdPairLevel(c, col, ia, ib);
      static_assert(kMaxLevels <= 16, "a level must fit in 4 bits");
      entry = key | static_cast<uint64_t>(level);
    }
    if (stats.lookups == kProbation && stats.hits * 8 < stats.lookups) {
      stats.enabled = false;
    }
  }
  return WithSwap(c, columns_, level, ia, ib, a, b);
}

Pattern PairComparer::Compare(uint32_t a, uint32_t b) {
  Pattern p = 0;
  for (size_t k = 0; k < comparisons_.size(); ++k) {
    p = WithLevel(p, static_cast<int>(k), Level(static_cast<int>(k), a, b));
  }
  return p;
}

}  // namespace idr::matching
