// bazel run -c opt //matching:names_benchmark
//
// Time per name for the common layouts, a mix of hk_cjk_dev-like names, and
// the one-off cost of NameNormalizer::Create.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "matching/names.h"

namespace idr::matching {
namespace {

const NameNormalizer& Normalizer() {
  static const NameNormalizer* n = [] {
    absl::StatusOr<std::unique_ptr<NameNormalizer>> created =
        NameNormalizer::Create();
    if (!created.ok()) std::abort();
    return created->release();
  }();
  return *n;
}

void BM_Create(benchmark::State& state) {
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
        NameNormalizer::Create();
    benchmark::DoNotOptimize(n);
  }
}
BENCHMARK(BM_Create)->Unit(benchmark::kMillisecond)->Iterations(5);

void Run(benchmark::State& state, const std::string& name) {
  const NameNormalizer& n = Normalizer();
  for (auto _ : state) {
    NameForms f = n.Normalize(name);
    benchmark::DoNotOptimize(f);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_HanTraditional(benchmark::State& s) { Run(s, "陳大文先生"); }
void BM_HanSimplified(benchmark::State& s) { Run(s, "陈大文"); }
void BM_HanCompound(benchmark::State& s) { Run(s, "歐陽家樂"); }
void BM_HkRomanised(benchmark::State& s) { Run(s, "CHAN Tai Man, Peter"); }
void BM_HkGivenFirst(benchmark::State& s) { Run(s, "Tai Man Chan"); }
void BM_Pinyin(benchmark::State& s) { Run(s, "Wang Xiaoming"); }
void BM_Western(benchmark::State& s) { Run(s, "Jose Garcia"); }
BENCHMARK(BM_HanTraditional)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HanTraditional)->Unit(benchmark::kMicrosecond)->Threads(2);
BENCHMARK(BM_HanSimplified)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HanCompound)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HkRomanised)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_HkRomanised)->Unit(benchmark::kMicrosecond)->Threads(2);
BENCHMARK(BM_HkGivenFirst)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Pinyin)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Western)->Unit(benchmark::kMicrosecond);

// A mix shaped like hk_cjk_dev: Traditional with honorific, Simplified,
// HK romanisation with a Western name, English-system names.
void BM_Mix(benchmark::State& state) {
  const std::vector<std::string> names = {
      "賴雅芳先生",   "LAI Nga Fong",
      "陳慧儀先生",   "CHAN Wai Ji; Angela",
      "张欣",         "CHEUNG Yan",
      "歐陽家樂先生", "OUYEUNG Ka Lok; Patrick",
      "Tony Li",      "SHEUNG KWUN Si Fong; Helen",
      "陈乐轩",       "CHAN Lok 軒; John"};
  const NameNormalizer& n = Normalizer();
  size_t i = 0;
  for (auto _ : state) {
    NameForms f = n.Normalize(names[i]);
    benchmark::DoNotOptimize(f);
    if (++i == names.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Mix)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace idr::matching
