// Per-value cost of each normaliser. Each iteration normalises ONE value
// (cycling through a small set of realistic inputs, mostly copied from the
// shared data sets), so "Time" is nanoseconds per value.
//
//   bazel run -c opt //matching:normalize_benchmark

#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "matching/normalize.h"

namespace idr::matching {
namespace {

template <typename Fn>
void Cycle(benchmark::State& state, const std::vector<std::string>& inputs,
           Fn fn) {
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fn(inputs[i]));
    if (++i == inputs.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

const std::vector<std::string> kAsciiText = {
    "kowloon tong",     "Tsim Sha Tsui",
    "st james",         "beaconsfield upper",
    "O'Sullivan Beach", "north turramurra",
    "LAI Nga Fong",     "CHAN Wai Ji; Angela",
    "burlei gh heads",  "mitchell"};
const std::vector<std::string> kUnicodeText = {
    "José",         "Érik",         "賴雅芳先生",  "陳大文 CHAN Tai-man",
    "ＡＢＣ１２３", "Łódź Øresund", "約翰·史密斯", "Crème Brûlée",
    "张欣",         "İstanbul"};

void BM_FoldText_Ascii(benchmark::State& state) {
  Cycle(state, kAsciiText, [](const std::string& s) { return FoldText(s); });
}
BENCHMARK(BM_FoldText_Ascii);

void BM_FoldText_Unicode(benchmark::State& state) {
  Cycle(state, kUnicodeText, [](const std::string& s) { return FoldText(s); });
}
BENCHMARK(BM_FoldText_Unicode);

const std::vector<std::string> kEmails = {"robert255@smith.net",
                                          "roberta25@smith.net",
                                          "J.Smith+promo@GoogleMail.com",
                                          "i-sabelles77@flores-sulivan.net",
                                          "t.r@parsons.@com",
                                          "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                                          "chan.taiman@yahoo.com.hk",
                                          "test@test.com"};

void BM_NormalizeEmail(benchmark::State& state) {
  Cycle(state, kEmails, [](const std::string& s) { return NormalizeEmail(s); });
}
BENCHMARK(BM_NormalizeEmail);

void BM_IsLikelyJunkEmail(benchmark::State& state) {
  std::vector<std::string> normalised;
  for (const std::string& e : kEmails) normalised.push_back(NormalizeEmail(e));
  Cycle(state, normalised,
        [](const std::string& s) { return IsLikelyJunkEmail(s); });
}
BENCHMARK(BM_IsLikelyJunkEmail);

void BM_NormalizePhone_AU(benchmark::State& state) {
  PhoneOptions au;
  au.default_region = "AU";
  Cycle(state,
        {"08-24225112", "07-30119605", "03-20262854", "00-00000000",
         "(02) 9876 5432", "0412 345 678"},
        [&](const std::string& s) { return NormalizePhone(s, au); });
}
BENCHMARK(BM_NormalizePhone_AU);

void BM_NormalizePhone_HK(benchmark::State& state) {
  PhoneOptions hk;
  hk.default_region = "HK";
  Cycle(state, {"95803557", "62042853", "9580 3557", "+852 9580 3557"},
        [&](const std::string& s) { return NormalizePhone(s, hk); });
}
BENCHMARK(BM_NormalizePhone_HK);

void BM_NormalizePhone_CN(benchmark::State& state) {
  PhoneOptions cn;
  cn.default_region = "CN";
  Cycle(state,
        {"+86 138 0013 8000", "0086 13800138000", "13800138000",
         "１３８００１３８０００", "010-12345678"},
        [&](const std::string& s) { return NormalizePhone(s, cn); });
}
BENCHMARK(BM_NormalizePhone_CN);

void BM_NormalizePhone_NoRegion(benchmark::State& state) {
  Cycle(state,
        {"+44 20 7946 0958", "08-24225112", "95803557", "0086 13800138000",
         "n/a", "1234567890"},
        [](const std::string& s) { return NormalizePhone(s); });
}
BENCHMARK(BM_NormalizePhone_NoRegion);

void BM_ParseDate_Compact(benchmark::State& state) {
  Cycle(state, {"19560409", "19081209", "19990219", "19551192"},
        [](const std::string& s) { return ParseDate(s).ok(); });
}
BENCHMARK(BM_ParseDate_Compact);

void BM_ParseDate_Iso(benchmark::State& state) {
  Cycle(state, {"1971-06-24", "1971-05-24", "2031-01-01", "1969-12-31"},
        [](const std::string& s) { return ParseDate(s).ok(); });
}
BENCHMARK(BM_ParseDate_Iso);

void BM_ParseDate_Mixed(benchmark::State& state) {
  Cycle(state,
        {"24/06/1971", "06/24/1971", "24-Jun-1971", "June 24, 1971",
         "1971年6月24日", "1971-06-24T00:00:00Z", "n/a"},
        [](const std::string& s) { return ParseDate(s).ok(); });
}
BENCHMARK(BM_ParseDate_Mixed);

void BM_DateFromParts(benchmark::State& state) {
  const std::vector<std::string> years = {"1921", "1907", "", "1950"};
  const std::vector<std::string> months = {"04", "01", "06", "02"};
  const std::vector<std::string> days = {"14", "16", "08", "26"};
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        NormalizedDate::FromParts(years[i], months[i], days[i]));
    if (++i == years.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DateFromParts);

void BM_NormalizePostcode(benchmark::State& state) {
  Cycle(state, {"4011", "2222", "830", "sw1a 1aa", "0000", "１００００１"},
        [](const std::string& s) { return NormalizePostcode(s, "AU"); });
}
BENCHMARK(BM_NormalizePostcode);

void BM_NormalizeGender(benchmark::State& state) {
  Cycle(state, {"M", "female", "男", "女性", "x", "unknown"},
        [](const std::string& s) { return NormalizeGender(s); });
}
BENCHMARK(BM_NormalizeGender);

void BM_NormalizeIdentifier(benchmark::State& state) {
  Cycle(state,
        {"6988048", "ab-123 456", "550e8400-e29b-41d4-a716-446655440000",
         "ＡＢ１２３", "unknown", "會員 12345678"},
        [](const std::string& s) { return NormalizeIdentifier(s); });
}
BENCHMARK(BM_NormalizeIdentifier);

void BM_NormalizeStreet(benchmark::State& state) {
  Cycle(state,
        {"12 Pinkerton Cct", "tullaroop street", "adair st reet",
         "12 St Kilda Rd", "Flat 3, 12 Nathan Rd, Tsim Sha Tsui",
         "o'shanassy street", "彌敦道 12 號"},
        [](const std::string& s) { return NormalizeStreet(s); });
}
BENCHMARK(BM_NormalizeStreet);

}  // namespace
}  // namespace idr::matching
