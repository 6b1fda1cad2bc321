#include "matching/dedup.h"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace idr::matching {
namespace {

// Hash of a rule tag and up to two 64-bit parts; never 0.
uint64_t MixKey(uint64_t tag, uint64_t x, uint64_t y = 0) {
  uint64_t buffer[3] = {tag, x, y};
  uint64_t key = XXH3_64bits(buffer, sizeof buffer);
  return key == 0 ? 1 : key;
}

uint64_t HashText(absl::string_view text) {
  return XXH3_64bits(text.data(), text.size());
}

int FindColumn(const PreparedColumns& columns, FieldType type) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].type == type) return static_cast<int>(i);
  }
  return -1;
}

// Adds a rule whose key is computed per record by `key` (0 = none). The
// name (which tags the keys) is built only for a rule some record has a key
// under: a probe of one identifier meets most rules with no key at all.
template <typename NameFn, typename KeyFn>
void AddRule(std::vector<BlockingRule>* rules, NameFn name,
             std::initializer_list<int> columns, uint32_t n, KeyFn key) {
  BlockingRule rule;
  rule.keys.resize(n);
  bool any = false;
  for (uint32_t r = 0; r < n; ++r) {
    rule.keys[r] = key(r);
    any |= rule.keys[r] != 0;
  }
  if (!any) return;
  rule.name = name();
  rule.columns = columns;
  const uint64_t tag = HashText(rule.name);
  for (uint64_t& k : rule.keys) k = k == 0 ? 0 : MixKey(tag, k);
  rules->push_back(std::move(rule));
}

class Timer {
 public:
  explicit Timer(std::vector<std::pair<std::string, double>>* out)
      : out_(out) {}
  void Lap(const std::string& phase) {
    absl::Time now = absl::Now();
    out_->emplace_back(phase, absl::ToDoubleSeconds(now - last_));
    last_ = now;
  }

 private:
  std::vector<std::pair<std::string, double>>* out_;
  absl::Time last_ = absl::Now();
};

// u per comparison level among random pairs (link-only: across sources).
std::vector<std::vector<double>> EstimateU(
    const std::vector<FieldComparison>& comparisons,
    const PreparedColumns& columns, uint32_t n,
    const std::vector<uint32_t>& source, const DedupOptions& options) {
  std::vector<std::vector<double>> counts(comparisons.size());
  for (size_t k = 0; k < comparisons.size(); ++k) {
    counts[k].assign(comparisons[k].num_levels(), 0);
  }
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<uint32_t> pick(0, n - 1);
  int64_t samples = std::min<int64_t>(options.u_sample_pairs,
                                      static_cast<int64_t>(n) * (n - 1) / 2);
  for (int64_t i = 0, tries = 0; i < samples && tries < 20 * samples; ++tries) {
    uint32_t a = pick(rng), b = pick(rng);
    if (a == b) continue;
    if (options.link_only && source[a] == source[b]) continue;
    ++i;
    for (size_t k = 0; k < comparisons.size(); ++k) {
      counts[k][ComparisonLevel(comparisons[k], columns, a, b)] += 1;
    }
  }
  std::vector<std::vector<double>> u(comparisons.size());
  for (size_t k = 0; k < comparisons.size(); ++k) {
    const int levels = comparisons[k].num_levels();
    double present = 0;
    for (int l = 1; l < levels; ++l) present += counts[k][l];
    u[k].assign(levels, 0);
    // Add-half smoothing: a level never seen among random pairs is rare, not
    // impossible.
    for (int l = 1; l < levels; ++l) {
      u[k][l] = (counts[k][l] + 0.5) / (present + 0.5 * (levels - 1));
    }
  }
  return u;
}

// Starting m: most mass on exact agreement, little on disagreement.
std::vector<double> StartingM(int levels) {
  std::vector<double> m(levels, 0);
  if (levels == 3) return {0, 0.9, 0.1};
  m[1] = 0.7;
  m[levels - 1] = 0.05;
  for (int l = 2; l < levels - 1; ++l) m[l] = 0.25 / (levels - 3);
  return m;
}

// Exact agreement, and swapped names (an exact agreement across columns),
// are adjusted for how common the agreeing value is.
bool IsTfAdjusted(const FieldComparison& c, int level) {
  return c.tf_adjust && (level == 1 || level == c.swap_level);
}

// A well-mixed hash of a record pair, for uniform pair sampling.
uint64_t PairHash(uint32_t a, uint32_t b, uint64_t seed) {
  uint64_t x =
      (static_cast<uint64_t>(a) << 32 | b) ^ (seed * 0x9E3779B97F4A7C15ULL);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

double TfAdjustment(const DedupModel& model, const PreparedColumns& columns,
                    int rule, int k, uint32_t a) {
  if (model.tf_baseline[rule][k] <= 0) return 0;
  const PreparedColumn& col = columns[model.comparisons[k].column];
  return model.log2_tf_baseline[rule][k] - col.log2_frequency[col.ids[a]];
}

// Decides whether candidate pairs reach the threshold, comparing the fields
// with the most weight to gain first and stopping as soon as the fields left
// could not lift the pair's weight to the threshold: most candidate pairs
// are not matches, and their remaining (often fuzzy) comparisons are skipped.
// A pair that does reach it gets its full comparison vector and the weight
// ScorePair gives.
class ThresholdScorer {
 public:
  ThresholdScorer(const DedupModel& model, const PreparedColumns& columns,
                  const ComparedIds& ids, double min_weight)
      : model_(model),
        columns_(columns),
        comparer_(model.comparisons, columns, ids),
        min_weight_(min_weight) {
    const size_t num = model.comparisons.size();
    const size_t rules = model.rule_keep.size();
    // Per rule and comparison, the most a comparison can add to the weight.
    std::vector<std::vector<double>> gain(rules, std::vector<double>(num, 0));
    std::vector<double> most(num, 0);
    for (size_t r = 0; r < rules; ++r) {
      for (size_t k = 0; k < num; ++k) {
        // PrepareForScoring's flat tables: 0 weight and no TF level where
        // the rule forced the comparison.
        const size_t slot = r * kMaxComparisons + k;
        const FieldComparison& c = model.comparisons[k];
        const PreparedColumn& col = columns[c.column];
        // TF adjustments add most for the rarest value.
        double tf = 0;
        if (model.tf_baseline[r][k] > 0 && !col.log2_frequency.empty()) {
          tf = model.log2_tf_baseline[r][k] -
               *std::min_element(col.log2_frequency.begin(),
                                 col.log2_frequency.end());
        }
        double g = 0;  // The null level adds nothing.
        for (int l = 1; l < c.num_levels(); ++l) {
          const bool tf_level = model.rule_tf_levels[slot] >> l & 1;
          g = std::max(g, model.rule_level_weight[slot * kMaxLevels + l] +
                              (tf_level ? std::max(tf, 0.0) : 0));
        }
        gain[r][k] = g;
        most[k] = std::max(most[k], g);
      }
    }
    for (size_t k = 0; k < num; ++k) order_.push_back(static_cast<int>(k));
    std::stable_sort(order_.begin(), order_.end(),
                     [&](int x, int y) { return most[x] > most[y]; });
    rest_.assign(rules, std::vector<double>(num + 1, 0));
    for (size_t r = 0; r < rules; ++r) {
      for (size_t i = num; i-- > 0;) {
        rest_[r][i] = rest_[r][i + 1] + gain[r][order_[i]];
      }
    }
  }

  // True, with the pair's comparison vector and weight, when records a and
  // b (found by `rule`) reach the threshold.
  bool Reaches(int rule, uint32_t a, uint32_t b, Pattern* pattern,
               double* weight) {
    // The margin keeps rounding in these partial sums from rejecting a pair
    // whose exact weight sits on the threshold.
    constexpr double kMargin = 1e-6;
    const std::vector<double>& rest = rest_[rule];
    double w = model_.rule_prior_weight[rule];
    Pattern p = 0;
    for (size_t i = 0; i < order_.size(); ++i) {
      const int k = order_[i];
      const int level = comparer_.Level(k, a, b);
      p = WithLevel(p, k, level);
      if (level != 0) {
        w += ComparisonWeight(model_, columns_, rule, p, k, a, b);
      }
      if (w + rest[i + 1] < min_weight_ - kMargin) return false;
    }
    *pattern = p;
    *weight = ScorePair(model_, columns_, rule, p, a, b);
    return *weight >= min_weight_;
  }

 private:
  const DedupModel& model_;
  const PreparedColumns& columns_;
  PairComparer comparer_;
  const double min_weight_;
  std::vector<int> order_;                 // Comparisons, most to gain first.
  std::vector<std::vector<double>> rest_;  // Per rule: gain of order_[i..].
};

}  // namespace

void PrepareForScoring(DedupModel& model) {
  const size_t num = model.comparisons.size();
  model.level_weight.assign(num, {});
  for (size_t k = 0; k < num; ++k) {
    for (int l = 0; l < model.comparisons[k].num_levels(); ++l) {
      model.level_weight[k].push_back(
          model.parameters.LevelWeight(static_cast<int>(k), l));
    }
  }
  model.log2_tf_baseline = model.tf_baseline;
  for (std::vector<double>& rule : model.log2_tf_baseline) {
    for (double& b : rule) b = b > 0 ? std::log2(b) : 0;
  }
  model.rule_prior_weight.clear();
  for (double lambda : model.rule_lambda) {
    model.rule_prior_weight.push_back(std::log2(lambda / (1 - lambda)));
  }
  const size_t rules = model.rule_keep.size();
  model.rule_level_weight.assign(rules * kMaxComparisons * kMaxLevels, 0);
  model.rule_tf_levels.assign(rules * kMaxComparisons, 0);
  for (size_t r = 0; r < rules; ++r) {
    for (size_t k = 0; k < num; ++k) {
      if (((model.rule_keep[r] >> (4 * k)) & 0xF) == 0) continue;
      const size_t slot = r * kMaxComparisons + k;
      const FieldComparison& c = model.comparisons[k];
      for (int l = 0; l < c.num_levels(); ++l) {
        model.rule_level_weight[slot * kMaxLevels + l] =
            model.level_weight[k][l];
        if (IsTfAdjusted(c, l)) model.rule_tf_levels[slot] |= 1u << l;
      }
    }
  }
}

Pattern RuleKeepMask(const DedupModel& model,
                     const std::vector<int>& rule_columns) {
  Pattern keep = ~Pattern{0};
  for (size_t k = 0; k < model.comparisons.size(); ++k) {
    if (std::find(rule_columns.begin(), rule_columns.end(),
                  model.comparisons[k].column) != rule_columns.end()) {
      keep &= ~(Pattern{0xF} << (4 * k));
    }
  }
  return keep;
}

std::vector<BlockingRule> DefaultBlockingRules(const PreparedColumns& columns,
                                               size_t min_name_key_slots) {
  std::vector<BlockingRule> rules;
  if (columns.empty()) return rules;
  const uint32_t n = static_cast<uint32_t>(columns[0].ids.size());
  auto id_key = [](const PreparedColumn& c, uint32_t r) -> uint64_t {
    return c.ids[r] < 0 ? 0 : c.value_hashes[c.ids[r]];
  };
  // Exact identifiers.
  for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
    const PreparedColumn& c = columns[i];
    if (!IsIdentifier(c.type)) continue;
    AddRule(
        &rules, [&] { return "exact " + c.column; }, {i}, n,
        [&](uint32_t r) { return id_key(c, r); });
  }
  for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
    const PreparedColumn& c = columns[i];
    if (c.type != FieldType::kEmail) continue;
    AddRule(
        &rules, [&] { return "email user " + c.column; }, {i}, n,
        [&](uint32_t r) -> uint64_t {
          absl::string_view v = c.ValueOf(r);
          size_t at = v.find('@');
          return at == absl::string_view::npos || at == 0
                     ? 0
                     : HashText(v.substr(0, at));
        });
  }
  const int dob = FindColumn(columns, FieldType::kBirthDate);
  if (dob >= 0) {
    AddRule(
        &rules, [&] { return "exact " + columns[dob].column; }, {dob}, n,
        [&](uint32_t r) { return id_key(columns[dob], r); });
  }
  // Given and family name together, in either order.
  const int given = FindColumn(columns, FieldType::kGivenName);
  const int family = FindColumn(columns, FieldType::kFamilyName);
  if (given >= 0 && family >= 0) {
    AddRule(
        &rules, [] { return std::string("given+family name (any order)"); },
        {given, family}, n,
        [&](uint32_t r) -> uint64_t {
          absl::string_view g = columns[given].ValueOf(r),
                            f = columns[family].ValueOf(r);
          if (g.empty() || f.empty()) return 0;
          if (f < g) std::swap(g, f);
          return MixKey(HashText(g), HashText(f));
        });
  }
  // A name with the birth year.
  for (int name : {family, given}) {
    if (name < 0 || dob < 0) continue;
    AddRule(
        &rules, [&] { return columns[name].column + "+birth year"; },
        {name, dob}, n,
        [&](uint32_t r) -> uint64_t {
          int32_t id = columns[name].ids[r], d = columns[dob].ids[r];
          if (id < 0 || d < 0 || columns[dob].dates[d].year <= 0) return 0;
          return MixKey(columns[name].value_hashes[id],
                        columns[dob].dates[d].year);
        });
  }
  // Name keys by position: a romanised name's key meets the same key of a
  // Han name, whichever position (pinyin, Cantonese, token order) it has.
  auto key_at = [](const PreparedColumn& c, uint32_t r,
                   size_t slot) -> uint64_t {
    if (c.ids[r] < 0) return 0;
    const std::vector<int32_t>& keys = c.name_keys[c.ids[r]];
    if (keys.empty()) return 0;
    return c.name_key_hashes[keys[std::min(slot, keys.size() - 1)]];
  };
  auto slots_of = [min_name_key_slots](const PreparedColumn& c) {
    size_t slots = min_name_key_slots;
    for (const auto& keys : c.name_keys) slots = std::max(slots, keys.size());
    return slots;
  };
  for (int i = 0; i < static_cast<int>(columns.size()); ++i) {
    const PreparedColumn& c = columns[i];
    if (c.type != FieldType::kFullName) continue;
    for (size_t slot = 0; slot < slots_of(c); ++slot) {
      AddRule(
          &rules,
          [&] { return absl::StrCat(c.column, " name key ", slot + 1); }, {i},
          n, [&](uint32_t r) { return key_at(c, r, slot); });
    }
  }
  if (given >= 0 && family >= 0) {
    const size_t slots =
        std::max(slots_of(columns[given]), slots_of(columns[family]));
    for (size_t slot = 0; slot < slots; ++slot) {
      AddRule(
          &rules,
          [&] { return absl::StrCat("given+family name key ", slot + 1); },
          {given, family}, n,
          [&](uint32_t r) -> uint64_t {
            uint64_t g = key_at(columns[given], r, slot);
            uint64_t f = key_at(columns[family], r, slot);
            return g == 0 || f == 0 ? 0 : MixKey(g, f);
          });
    }
  }
  // Place and name: the postcode (else the city) with the family name, and
  // with the given name.
  int place = FindColumn(columns, FieldType::kPostcode);
  if (place < 0) place = FindColumn(columns, FieldType::kCity);
  const int place_name =
      family >= 0 ? family : FindColumn(columns, FieldType::kFullName);
  for (int name : {place_name, given}) {
    if (place < 0 || name < 0) continue;
    AddRule(
        &rules,
        [&] { return columns[place].column + "+" + columns[name].column; },
        {place, name}, n,
        [&, name](uint32_t r) -> uint64_t {
          int32_t x = columns[place].ids[r], y = columns[name].ids[r];
          return x < 0 || y < 0 ? 0
                                : MixKey(columns[place].value_hashes[x],
                                         columns[name].value_hashes[y]);
        });
  }
  const int street = FindColumn(columns, FieldType::kStreet);
  if (street >= 0) {
    AddRule(
        &rules, [&] { return "exact " + columns[street].column; }, {street}, n,
        [&](uint32_t r) { return id_key(columns[street], r); });
  }
  return rules;
}

double ComparisonWeight(const DedupModel& model, const PreparedColumns& columns,
                        int rule, Pattern pattern, int k, uint32_t a,
                        uint32_t b) {
  // A field the rule forced carries no weight: the rule's prior holds it.
  // (Adding its TF adjustment helped the small shared sets but cost 0.06 of
  // F1 on 1M idr gen records, where common names dominate.) PrepareForScoring
  // put those rules into the flat tables.
  const size_t slot = static_cast<size_t>(rule) * kMaxComparisons + k;
  const int level = LevelOf(pattern, k);
  const double w = model.rule_level_weight[slot * kMaxLevels + level];
  if (!(model.rule_tf_levels[slot] >> level & 1)) return w;
  return w + TfAdjustment(model, columns, rule, k, a);
}

double ScorePair(const DedupModel& model, const PreparedColumns& columns,
                 int rule, Pattern pattern, uint32_t a, uint32_t b) {
  double w = model.rule_prior_weight[rule];
  for (size_t k = 0; k < model.comparisons.size(); ++k) {
    if (LevelOf(pattern, k) != 0) {
      w += ComparisonWeight(model, columns, rule, pattern, static_cast<int>(k),
                            a, b);
    }
  }
  return w;
}

absl::StatusOr<DedupResult> Deduplicate(const PreparedColumns& columns,
                                        uint32_t num_records,
                                        const std::vector<uint32_t>& source,
                                        const DedupOptions& options,
                                        const DedupModel* model,
                                        const DedupProgress& progress) {
  if (columns.empty()) {
    return absl::InvalidArgumentError("no columns to compare");
  }
  for (const PreparedColumn& c : columns) {
    if (c.ids.size() != num_records) {
      return absl::InvalidArgumentError(
          absl::StrCat("column ", c.column, " has ", c.ids.size(),
                       " records, expected ", num_records));
    }
  }
  if (options.link_only && source.size() != num_records) {
    return absl::InvalidArgumentError("link-only needs a source per record");
  }
  if (options.threshold <= 0 || options.threshold >= 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold ", options.threshold,
                     " is not a match probability in (0, 1)"));
  }
  auto report = [&](const char* phase, int64_t done, int64_t total) {
    if (progress) progress(phase, done, total);
  };
  DedupResult result;
  Timer timer(&result.timings);

  // Blocking keys.
  std::vector<BlockingRule> rules = DefaultBlockingRules(columns);
  std::vector<std::vector<uint64_t>> keys;
  std::vector<std::vector<int>> rule_columns;
  std::vector<std::string> rule_names;
  for (BlockingRule& rule : rules) {
    rule_names.push_back(rule.name);
    keys.push_back(std::move(rule.keys));
    rule_columns.push_back(std::move(rule.columns));
  }
  BlockingOptions blocking;
  blocking.max_block_size = options.max_block_size;
  blocking.threads = std::max(1, options.threads);
  blocking.source = options.link_only ? &source : nullptr;
  const CandidatePairs candidates(std::move(keys), blocking);
  timer.Lap("blocking");

  // Model: the given one, or trained without labels.
  if (model != nullptr) {
    result.model = *model;
    if (result.model.comparisons.size() > kMaxComparisons) {
      return absl::InvalidArgumentError("model has too many comparisons");
    }
  } else {
    result.model.comparisons = DefaultComparisons(columns);
  }
  DedupModel& m = result.model;
  for (const FieldComparison& c : m.comparisons) {
    if (c.column < 0 || c.column >= static_cast<int>(columns.size()) ||
        columns[c.column].column != c.name) {
      return absl::InvalidArgumentError(
          absl::StrCat("model compares column '", c.name,
                       "', which is not mapped in this input"));
    }
  }
  // Per rule, the comparisons it did not force.
  const size_t num_rules = rule_columns.size();
  // A loaded model's prior and TF baselines per rule, matched by rule name;
  // a rule it does not know gets its overall lambda and no TF adjustment.
  std::vector<double> rule_lambda(num_rules, m.parameters.lambda);
  std::vector<std::vector<double>> tf_baseline(
      num_rules, std::vector<double>(m.comparisons.size(), 0));
  for (size_t r = 0; r < num_rules; ++r) {
    for (size_t i = 0; i < m.rule_names.size(); ++i) {
      if (m.rule_names[i] != rule_names[r]) continue;
      if (i < m.rule_lambda.size()) rule_lambda[r] = m.rule_lambda[i];
      if (i < m.tf_baseline.size() &&
          m.tf_baseline[i].size() == m.comparisons.size()) {
        tf_baseline[r] = m.tf_baseline[i];
      }
    }
  }
  m.rule_names = std::move(rule_names);
  m.rule_lambda = std::move(rule_lambda);
  m.tf_baseline = std::move(tf_baseline);
  m.rule_keep.clear();
  for (size_t r = 0; r < num_rules; ++r) {
    m.rule_keep.push_back(RuleKeepMask(m, rule_columns[r]));
  }

  const int threads = blocking.threads;
  std::atomic<int64_t> visited{0};
  const std::vector<uint32_t>* truth = options.truth;
  // The compared value ids, record-major: built once for training and
  // scoring.
  const ComparedIds ids(m.comparisons, columns);
  if (model == nullptr) {
    report("training", 0, 0);
    // Training learns from a uniform sample of the candidate pairs: the
    // `em_sample_pairs` pairs with the smallest pair hashes. While visiting,
    // a thread that keeps twice that many drops its larger half and lowers a
    // shared threshold; at least that many pairs lie under any threshold set
    // so, so the smallest ones are all kept, whatever the interleaving, and
    // the sample (and the model) is the same on every run.
    struct Sample {
      uint64_t hash;
      Pattern full;    // All comparisons, unmasked.
      uint64_t rules;  // Bit r: the pair satisfies rule r (first 64 rules).
      uint32_t a;
      uint32_t rule;  // The rule that found it.
    };
    const size_t target =
        static_cast<size_t>(std::max<int64_t>(1, options.em_sample_pairs));
    // Pairs hashing above the threshold are dropped before the costly check
    // against earlier rules. It starts where about four times the target
    // would remain if every block pair were a distinct candidate (they are
    // fewer: a pair in the blocks of several rules is one candidate), so the
    // sample still fills up to the target; it is only lowered from there.
    const double block_pairs = static_cast<double>(candidates.block_pairs());
    const double share = 4.0 * static_cast<double>(target) / block_pairs;
    std::atomic<uint64_t> threshold{
        share >= 1 ? ~uint64_t{0}
                   : static_cast<uint64_t>(share * 18446744073709551616.0)};
    std::vector<std::vector<Sample>> kept(threads);
    std::vector<PairComparer> comparers(
        threads, PairComparer(m.comparisons, columns, ids));
    auto under_threshold = [&](int t, uint32_t a, uint32_t b) {
      if (t == 0 && (++visited & 0xFFFFF) == 0) {
        report("training", visited.load(), 0);
      }
      return PairHash(a, b, options.seed) <
             threshold.load(std::memory_order_relaxed);
    };
    candidates.ForEach(
        [&](int t, int rule, uint32_t a, uint32_t b) {
          const uint64_t hash = PairHash(a, b, options.seed);
          if (hash >= threshold.load(std::memory_order_relaxed)) return;
          // Each rule learns from every pair it matches, not only the pairs
          // it found first: otherwise a rule's population would lack, say,
          // phone agreements (found first by the phone rule) and the m of
          // phone agreement could never be learned.
          uint64_t rules = 0;
          for (size_t r = rule; r < num_rules && r < 64; ++r) {
            if (r == static_cast<size_t>(rule) ||
                candidates.SameBlock(static_cast<int>(r), a, b)) {
              rules |= uint64_t{1} << r;
            }
          }
          std::vector<Sample>& mine = kept[t];
          mine.push_back({hash, comparers[t].Compare(a, b),
                          rules, a, static_cast<uint32_t>(rule)});
          if (mine.size() >= 2 * target) {
            std::nth_element(mine.begin(), mine.begin() + target, mine.end(),
                             [](const Sample& x, const Sample& y) {
                               return x.hash < y.hash;
                             });
            uint64_t median = mine[target].hash;
            uint64_t current = threshold.load();
            while (median < current &&
                   !threshold.compare_exchange_weak(current, median)) {
            }
            mine.resize(target);
          }
        },
        under_threshold);
    const uint64_t final_threshold = threshold.load();
    std::vector<Sample> sample;
    for (std::vector<Sample>& part : kept) {
      for (const Sample& s : part) {
        if (s.hash < final_threshold) sample.push_back(s);
      }
      std::vector<Sample>().swap(part);
    }
    if (sample.size() > target) {
      std::nth_element(
          sample.begin(), sample.begin() + target, sample.end(),
          [](const Sample& x, const Sample& y) { return x.hash < y.hash; });
      sample.resize(target);
    }
    const size_t num = m.comparisons.size();
    std::vector<PatternCounts> counts(num_rules);
    // Σ log2(frequency) and count of TF-adjusted agreements per rule and
    // comparison, over each rule's sampled pairs.
    std::vector<std::vector<double>> log_sum(num_rules,
                                             std::vector<double>(num, 0));
    std::vector<std::vector<int64_t>> agreeing(num_rules,
                                               std::vector<int64_t>(num, 0));
    for (const Sample& one : sample) {
      for (size_t r = 0; r < num_rules && r < 64; ++r) {
        if (!(one.rules >> r & 1)) continue;
        ++counts[r][one.full & m.rule_keep[r]];
        for (size_t k = 0; k < num; ++k) {
          if (!IsTfAdjusted(m.comparisons[k], LevelOf(one.full, k))) continue;
          const PreparedColumn& col = columns[m.comparisons[k].column];
          log_sum[r][k] += col.log2_frequency[col.ids[one.a]];
          ++agreeing[r][k];
        }
      }
    }
    std::vector<Sample>().swap(sample);
    for (size_t r = 0; r < num_rules; ++r) {
      for (size_t k = 0; k < num; ++k) {
        m.tf_baseline[r][k] =
            agreeing[r][k] > 0 ? std::exp2(log_sum[r][k] / agreeing[r][k]) : 0;
      }
    }

    FsParameters start;
    start.u = EstimateU(m.comparisons, columns, num_records, source, options);
    for (const FieldComparison& c : m.comparisons) {
      start.m.push_back(StartingM(c.num_levels()));
    }
    start.lambda = 0.1;
    std::vector<int> levels;
    for (const FieldComparison& c : m.comparisons)
      levels.push_back(c.num_levels());
    EmOptions em_options = options.em;
    em_options.fix_u = true;  // u is what random pairs show.
    EmResult em = EstimateGroupedParameters(counts, levels, start, em_options);
    m.parameters = em.parameters;
    for (size_t r = 0; r < num_rules; ++r) {
      // A rule that proposed no pair keeps the overall share.
      m.rule_lambda[r] =
          counts[r].empty() ? em.parameters.lambda : em.group_lambda[r];
    }
    result.em_iterations = em.iterations;
    result.em_converged = em.converged;
    timer.Lap("training");
  }

  // Scoring.
  PrepareForScoring(m);
  const double min_weight = MatchWeightOf(options.threshold);
  // Linked pairs per thread: whole ScoredPairs only when the caller keeps
  // them, else just the edges clustering needs (half the bytes; a million
  // records link about five million pairs).
  std::vector<std::vector<ScoredPair>> linked(threads);
  std::vector<std::vector<Edge>> linked_edges(threads);
  std::vector<int64_t> scored(threads, 0);
  std::vector<int64_t> true_pairs(threads, 0);
  visited = 0;
  const int64_t expected = candidates.block_pairs();  // For progress only.
  std::vector<ThresholdScorer> scorers(
      threads, ThresholdScorer(m, columns, ids, min_weight));
  std::vector<RuleStats> scoring_stats = candidates.ForEach(
      [&](int t, int rule, uint32_t a, uint32_t b) {
        Pattern p;
        double w;
        ++scored[t];
        if (truth != nullptr && (*truth)[a] == (*truth)[b]) ++true_pairs[t];
        if (scorers[t].Reaches(rule, a, b, &p, &w)) {
          if (options.keep_pairs) {
            linked[t].push_back({a, b, static_cast<float>(w), rule, p});
          } else {
            linked_edges[t].push_back({a, b, static_cast<float>(w)});
          }
        }
        if (t == 0 && (++visited & 0xFFFFF) == 0) {
          report("scoring", visited.load() * threads, expected);
        }
      });
  result.blocking = scoring_stats;
  for (int64_t s : scored) result.candidate_pairs += s;
  for (int64_t t : true_pairs) result.true_candidate_pairs += t;
  std::vector<Edge> edges = std::move(linked_edges[0]);
  for (int t = 1; t < threads; ++t) {
    edges.insert(edges.end(), linked_edges[t].begin(), linked_edges[t].end());
    std::vector<Edge>().swap(linked_edges[t]);
  }
  for (auto& part : linked) {
    for (const ScoredPair& p : part) edges.push_back({p.a, p.b, p.weight});
    result.pairs.insert(result.pairs.end(), part.begin(), part.end());
    std::vector<ScoredPair>().swap(part);
  }
  result.linked_pairs = static_cast<int64_t>(edges.size());
  timer.Lap("scoring");

  report("clustering", 0, 0);
  result.cluster = ClusterRecords(num_records, edges, options.cluster,
                                  &result.cluster_stats);
  timer.Lap("clustering");
  return result;
}

}  // namespace idr::matching
