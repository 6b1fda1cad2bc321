// Comparator and level-mapping costs on realistic name pairs.
//   bazel run -c opt //matching:comparators_benchmark
// Each iteration compares one pair, cycling through the list, so ns/op is the
// cost of one comparison on a typical pair.

#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "matching/comparators.h"

namespace idr::matching {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Given names and surnames as the normaliser leaves them (folded): exact
// matches, typos, transpositions, nicknames, romanisation variants, misses.
const Pairs& LatinNames() {
  static const Pairs* pairs = new Pairs{
      {"martha", "marhta"},     {"dwayne", "duane"},
      {"dixon", "dicksonx"},    {"jonathan", "jonathon"},
      {"stephen", "stephanie"}, {"catherine", "katherine"},
      {"chan", "chen"},         {"wong", "wang"},
      {"cheung", "chung"},      {"elizabeth", "elisabeth"},
      {"mohammed", "muhammad"}, {"christopher", "christopher"},
      {"smith", "smyth"},       {"tai man", "taiman"},
      {"alexander", "sasha"},   {"li", "lee"},
  };
  return *pairs;
}

const Pairs& ChineseNames() {
  static const Pairs* pairs = new Pairs{
      {"陳大文", "陈大文"}, {"陳大文", "陳大民"}, {"李小龍", "李小龙"},
      {"張偉", "张伟"},     {"黃志明", "黃志明"}, {"歐陽娜娜", "欧阳娜娜"},
      {"王芳", "汪芳"},     {"劉德華", "刘德华"},
  };
  return *pairs;
}

const Pairs& FullNames() {
  static const Pairs* pairs = new Pairs{
      {"chan tai man", "tai man chan"},
      {"chan tai man", "chan tai mann"},
      {"wong siu ming", "wong siu ming"},
      {"lee ka yan", "li ka yan"},
      {"cheung hok yau jacky", "jacky cheung"},
      {"mary ann smith", "maryann smith"},
      {"chan tai man", "wong kar wai"},
      {"john paul jones", "john jones"},
  };
  return *pairs;
}

const Pairs& Emails() {
  static const Pairs* pairs = new Pairs{
      {"john.smith@gmail.com", "john.smith@gmail.com"},
      {"john.smith@gmail.com", "john.smith@yahoo.com"},
      {"john.smith@gmail.com", "john.smyth@gmail.com"},
      {"taiman.chan@gmail.com", "taiman.chan1@hku.hk"},
      {"x@a.com", "qqq@b.org"},
      {"mary.lee88@outlook.com", "marylee88@outlook.com"},
  };
  return *pairs;
}

const Pairs& Dates() {
  static const Pairs* pairs = new Pairs{
      {"1980-03-14", "1980-03-14"}, {"1980-03-04", "1980-04-03"},
      {"1980-03-14", "1980-03-17"}, {"1980-03-14", "1980-04-02"},
      {"1980-03-14", "1990-07-01"}, {"1975-12-01", "1975-12-01"},
  };
  return *pairs;
}

template <typename F>
void RunPairs(benchmark::State& state, const Pairs& pairs, F&& f) {
  size_t i = 0;
  for (auto _ : state) {
    const auto& p = pairs[i];
    benchmark::DoNotOptimize(f(p.first, p.second));
    if (++i == pairs.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_JaroWinkler_Latin(benchmark::State& state) {
  RunPairs(state, LatinNames(), [](const std::string& a, const std::string& b) {
    return JaroWinkler(a, b);
  });
}
BENCHMARK(BM_JaroWinkler_Latin);

void BM_JaroWinkler_Chinese(benchmark::State& state) {
  RunPairs(state, ChineseNames(),
           [](const std::string& a, const std::string& b) {
             return JaroWinkler(a, b);
           });
}
BENCHMARK(BM_JaroWinkler_Chinese);

void BM_Levenshtein_Latin(benchmark::State& state) {
  RunPairs(state, LatinNames(), [](const std::string& a, const std::string& b) {
    return Levenshtein(a, b);
  });
}
BENCHMARK(BM_Levenshtein_Latin);

void BM_LevenshteinBounded2_Latin(benchmark::State& state) {
  RunPairs(state, LatinNames(), [](const std::string& a, const std::string& b) {
    return LevenshteinBounded(a, b, 2);
  });
}
BENCHMARK(BM_LevenshteinBounded2_Latin);

void BM_DamerauLevenshtein_Latin(benchmark::State& state) {
  RunPairs(state, LatinNames(), [](const std::string& a, const std::string& b) {
    return DamerauLevenshtein(a, b);
  });
}
BENCHMARK(BM_DamerauLevenshtein_Latin);

void BM_DamerauLevenshtein_Chinese(benchmark::State& state) {
  RunPairs(state, ChineseNames(),
           [](const std::string& a, const std::string& b) {
             return DamerauLevenshtein(a, b);
           });
}
BENCHMARK(BM_DamerauLevenshtein_Chinese);

void BM_JaccardTokens_FullName(benchmark::State& state) {
  RunPairs(state, FullNames(), [](const std::string& a, const std::string& b) {
    return JaccardTokens(a, b);
  });
}
BENCHMARK(BM_JaccardTokens_FullName);

void BM_TokenSetRatio_FullName(benchmark::State& state) {
  RunPairs(state, FullNames(), [](const std::string& a, const std::string& b) {
    return TokenSetRatio(a, b);
  });
}
BENCHMARK(BM_TokenSetRatio_FullName);

void BM_LevelOf_Name_Latin(benchmark::State& state) {
  const Comparison c = NameComparison("first_name");
  RunPairs(state, LatinNames(),
           [&c](const std::string& a, const std::string& b) {
             return c.LevelOf(a, b);
           });
}
BENCHMARK(BM_LevelOf_Name_Latin);

// Equal values stop at the exact level: the cheapest non-null path.
void BM_LevelOf_Name_Exact(benchmark::State& state) {
  const Comparison c = NameComparison("first_name");
  Pairs same;
  for (const auto& p : LatinNames()) same.emplace_back(p.first, p.first);
  RunPairs(state, same, [&c](const std::string& a, const std::string& b) {
    return c.LevelOf(a, b);
  });
}
BENCHMARK(BM_LevelOf_Name_Exact);

void BM_LevelOf_Name_Chinese(benchmark::State& state) {
  const Comparison c = NameComparison("name_zh");
  RunPairs(state, ChineseNames(),
           [&c](const std::string& a, const std::string& b) {
             return c.LevelOf(a, b);
           });
}
BENCHMARK(BM_LevelOf_Name_Chinese);

void BM_LevelOf_FullName(benchmark::State& state) {
  const Comparison c = FullNameComparison("full_name");
  RunPairs(state, FullNames(),
           [&c](const std::string& a, const std::string& b) {
             return c.LevelOf(a, b);
           });
}
BENCHMARK(BM_LevelOf_FullName);

void BM_LevelOf_Email(benchmark::State& state) {
  const Comparison c = EmailComparison("email");
  RunPairs(state, Emails(), [&c](const std::string& a, const std::string& b) {
    return c.LevelOf(a, b);
  });
}
BENCHMARK(BM_LevelOf_Email);

void BM_LevelOf_Date(benchmark::State& state) {
  const Comparison c = DateComparison("dob");
  RunPairs(state, Dates(), [&c](const std::string& a, const std::string& b) {
    return c.LevelOf(a, b);
  });
}
BENCHMARK(BM_LevelOf_Date);

// One fully scored pair's comparison vector: given name, surname, full name,
// Chinese name, email, date of birth (six LevelOf calls).
void BM_ScorePair_SixComparisons(benchmark::State& state) {
  const Comparison given = NameComparison("given_name");
  const Comparison family = NameComparison("family_name");
  const Comparison full = FullNameComparison("full_name");
  const Comparison zh = NameComparison("name_zh");
  const Comparison email = EmailComparison("email");
  const Comparison dob = DateComparison("dob");
  const Pairs& latin = LatinNames();
  const Pairs& chinese = ChineseNames();
  const Pairs& fulls = FullNames();
  const Pairs& emails = Emails();
  const Pairs& dates = Dates();
  size_t i = 0;
  for (auto _ : state) {
    const auto& g = latin[i % latin.size()];
    const auto& f = latin[(i + 5) % latin.size()];
    const auto& n = fulls[i % fulls.size()];
    const auto& z = chinese[i % chinese.size()];
    const auto& e = emails[i % emails.size()];
    const auto& d = dates[i % dates.size()];
    int levels = given.LevelOf(g.first, g.second);
    levels += family.LevelOf(f.first, f.second);
    levels += full.LevelOf(n.first, n.second);
    levels += zh.LevelOf(z.first, z.second);
    levels += email.LevelOf(e.first, e.second);
    levels += dob.LevelOf(d.first, d.second);
    benchmark::DoNotOptimize(levels);
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScorePair_SixComparisons);

}  // namespace
}  // namespace idr::matching
