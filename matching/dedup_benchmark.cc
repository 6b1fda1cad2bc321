// Pair scoring throughput: the hot loop of `idr dedup` (compare every field
// of a candidate pair, then weigh the vector with the model).
//   bazel run -c opt //matching:dedup_benchmark
// Data: records shaped like splink_fake (5 name/date/city/email fields) with
// typos; candidate pairs from the default blocking rules; model trained on
// them by the pipeline itself. The *_Fake20000 variants score the real
// splink_fake_20000 set instead (read from ../shared/datasets, or the path
// in IDR_FAKE_20000; skipped when absent): real names repeat as real names
// do, the synthetic surnames ("surname0".."surname4999") do not.
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "matching/dedup.h"

namespace idr::matching {
namespace {

struct Fixture {
  PreparedColumns columns;
  DedupModel model;
  std::vector<ScoredPair> pairs;  // Candidate pairs with their rule.
};

std::string Typo(std::string s, std::mt19937_64& rng) {
  if (s.size() > 2 && rng() % 4 == 0)
    std::swap(s[1 + rng() % (s.size() - 2)], s[1]);
  return s;
}

// Candidate pairs of the columns, in the order blocking visits them, and
// the model the pipeline trains on them.
void Pair(Fixture* f) {
  DedupOptions options;
  options.threshold = 1e-9;  // Keep every candidate pair.
  options.keep_pairs = true;
  options.threads = 1;  // Pairs in the order blocking visits them, each run.
  absl::StatusOr<DedupResult> result =
      Deduplicate(f->columns, static_cast<uint32_t>(f->columns[0].ids.size()),
                  {}, options, nullptr, nullptr);
  f->model = result->model;
  f->pairs = std::move(result->pairs);
}

// splink_fake_20000's five fields, or null when the file is not there.
const Fixture* Fake20000() {
  static const Fixture* fixture = []() -> Fixture* {
    const char* env = std::getenv("IDR_FAKE_20000");
    std::ifstream in(env != nullptr
                         ? env
                         : "/work/shared/datasets/splink_fake_20000.csv");
    if (!in) return nullptr;
    ColumnPreparer g("first_name", FieldType::kGivenName, {});
    ColumnPreparer s("surname", FieldType::kFamilyName, {});
    ColumnPreparer d("dob", FieldType::kBirthDate, {});
    ColumnPreparer c("city", FieldType::kCity, {});
    ColumnPreparer e("email", FieldType::kEmail, {});
    ColumnPreparer* by_column[] = {nullptr, nullptr, &g, &s, &d, &c, &e};
    std::string line;
    std::getline(in, line);  // record_id,truth_id,first_name,surname,...
    while (std::getline(in, line)) {
      size_t column = 0, begin = 0;
      for (size_t i = 0; i <= line.size(); ++i) {
        if (i < line.size() && line[i] != ',') continue;
        if (column < 7 && by_column[column] != nullptr) {
          by_column[column]->Add(line.substr(begin, i - begin));
        }
        ++column;
        begin = i + 1;
      }
    }
    auto* f = new Fixture();
    for (ColumnPreparer* p : {&g, &s, &d, &c, &e})
      f->columns.push_back(p->Finish());
    Pair(f);
    return f;
  }();
  return fixture;
}

const Fixture& Data() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture();
    std::mt19937_64 rng(1);
    const char* given[] = {"oliver", "amelia", "harry", "isla", "jack",
                           "ava",    "george", "mia",   "noah", "grace",
                           "leo",    "freya",  "oscar", "lily"};
    const char* city[] = {"london",  "leeds",   "bristol",
                          "glasgow", "cardiff", "york"};
    ColumnPreparer g("first_name", FieldType::kGivenName, {});
    ColumnPreparer s("surname", FieldType::kFamilyName, {});
    ColumnPreparer d("dob", FieldType::kBirthDate, {});
    ColumnPreparer c("city", FieldType::kCity, {});
    ColumnPreparer e("email", FieldType::kEmail, {});
    const int people = 20000;
    for (int p = 0; p < people; ++p) {
      std::string first = given[rng() % 14];
      std::string last = "surname" + std::to_string(rng() % 5000);
      std::string dob = std::to_string(1950 + rng() % 60) + "-0" +
                        std::to_string(1 + rng() % 9) + "-1" +
                        std::to_string(rng() % 9);
      std::string town = city[rng() % 6];
      std::string mail = first + std::to_string(p) + "@mail.com";
      for (int copy = 0; copy < 3; ++copy) {
        g.Add(Typo(first, rng));
        s.Add(Typo(last, rng));
        d.Add(rng() % 5 == 0 ? "" : dob);
        c.Add(rng() % 3 == 0 ? "" : town);
        e.Add(rng() % 4 == 0 ? "" : Typo(mail, rng));
      }
    }
    for (ColumnPreparer* p : {&g, &s, &d, &c, &e})
      f->columns.push_back(p->Finish());
    Pair(f);
    return f;
  }();
  return *fixture;
}

// Share of the fuzzy comparisons a PairComparer answered from its memory.
void ReportHitRate(const PairComparer& comparer, size_t comparisons,
                   benchmark::State& state) {
  int64_t lookups = 0, hits = 0;
  for (size_t k = 0; k < comparisons; ++k) {
    lookups += comparer.lookups(static_cast<int>(k));
    hits += comparer.hits(static_cast<int>(k));
  }
  state.counters["hit_rate"] =
      lookups == 0 ? 0.0 : static_cast<double>(hits) / lookups;
}

// Comparison vector only (every field's level), nothing remembered.
void BM_ComparePair(benchmark::State& state) {
  const Fixture& f = Data();
  size_t i = 0;
  for (auto _ : state) {
    const ScoredPair& p = f.pairs[i++ % f.pairs.size()];
    benchmark::DoNotOptimize(
        ComparePair(f.model.comparisons, f.columns, p.a, p.b));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ComparePair);

// The same through a PairComparer, as `idr dedup` compares: value pairs seen
// before are remembered.
void BM_ComparePairRemembered(benchmark::State& state) {
  const Fixture& f = Data();
  const ComparedIds ids(f.model.comparisons, f.columns);
  PairComparer comparer(f.model.comparisons, f.columns, ids);
  size_t i = 0;
  for (auto _ : state) {
    const ScoredPair& p = f.pairs[i++ % f.pairs.size()];
    benchmark::DoNotOptimize(comparer.Compare(p.a, p.b));
  }
  state.SetItemsProcessed(state.iterations());
  ReportHitRate(comparer, f.model.comparisons.size(), state);
}
BENCHMARK(BM_ComparePairRemembered);

// Full scoring as `idr dedup` scores: comparison vector (remembered), level
// weights, TF adjustments, over the fixture's pairs in turn.
void ScorePairs(const Fixture& f, benchmark::State& state) {
  const ComparedIds ids(f.model.comparisons, f.columns);
  PairComparer comparer(f.model.comparisons, f.columns, ids);
  size_t i = 0;
  for (auto _ : state) {
    const ScoredPair& p = f.pairs[i++ % f.pairs.size()];
    Pattern pattern = comparer.Compare(p.a, p.b);
    benchmark::DoNotOptimize(
        ScorePair(f.model, f.columns, p.rule, pattern, p.a, p.b));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pairs"] = static_cast<double>(f.pairs.size());
  ReportHitRate(comparer, f.model.comparisons.size(), state);
}

void BM_ScorePair(benchmark::State& state) { ScorePairs(Data(), state); }
BENCHMARK(BM_ScorePair);

// The same on splink_fake_20000's candidate pairs.
void BM_ScorePair_Fake20000(benchmark::State& state) {
  const Fixture* f = Fake20000();
  if (f == nullptr) {
    state.SkipWithError("splink_fake_20000.csv not found (IDR_FAKE_20000)");
    return;
  }
  ScorePairs(*f, state);
}
BENCHMARK(BM_ScorePair_Fake20000);

}  // namespace
}  // namespace idr::matching
