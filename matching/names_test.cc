#include "matching/names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "matching/jyutping.h"

namespace idr::matching {
namespace {

namespace fs = std::filesystem;

// One normaliser for the whole binary: Create loads ~4 MB of dictionaries.
const NameNormalizer& Normalizer() {
  static const NameNormalizer* normalizer = [] {
    absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
        NameNormalizer::Create();
    if (!n.ok()) {
      std::fprintf(stderr, "NameNormalizer::Create: %s\n",
                   n.status().ToString().c_str());
      std::abort();
    }
    return n->release();
  }();
  return *normalizer;
}

NameForms N(absl::string_view s) { return Normalizer().Normalize(s); }

bool HasKey(const NameForms& f, absl::string_view key) {
  return std::find(f.romanisations.begin(), f.romanisations.end(), key) !=
         f.romanisations.end();
}

// The shared data sets: $IDR_SHARED_DATASETS, else /work/shared/datasets,
// else ../shared/datasets next to the workspace ("" when none exists).
std::string SharedDatasetsDir() {
  std::error_code ec;
  if (const char* env = std::getenv("IDR_SHARED_DATASETS");
      env != nullptr && *env != '\0') {
    return env;
  }
  if (fs::is_directory("/work/shared/datasets", ec)) {
    return "/work/shared/datasets";
  }
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    // This source file is a data dependency: its runfile resolves into the
    // workspace.
    fs::path self = fs::path(srcdir) / workspace / "matching" / "names_test.cc";
    fs::path real = fs::canonical(self, ec);
    if (!ec) {
      fs::path dir = real.parent_path().parent_path().parent_path() / "shared" /
                     "datasets";
      if (fs::is_directory(dir, ec)) return dir.string();
    }
  }
  return "";
}

// RFC 4180 rows (quoted fields, CRLF line ends).
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

size_t Levenshtein(absl::string_view a, absl::string_view b) {
  std::vector<size_t> d(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t prev = d[0];
    d[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cur = d[j];
      d[j] = std::min({d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1])});
      prev = cur;
    }
  }
  return d[b.size()];
}

// --- Creation ---------------------------------------------------------------

TEST(NameNormalizerCreate, MissingDictionaryIsNotFound) {
  NameNormalizerOptions options;
  options.jyutping_dict = "/nonexistent/jyutping.dict.yaml";
  absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
      NameNormalizer::Create(options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(n.status().message().find("/nonexistent/jyutping.dict.yaml"),
            absl::string_view::npos);
  EXPECT_NE(n.status().message().find("librime-data-jyutping"),
            absl::string_view::npos);
}

TEST(NameNormalizerCreate, MissingOpenCCIsNotFound) {
  NameNormalizerOptions options;
  options.opencc_dir = "/nonexistent/opencc";
  absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
      NameNormalizer::Create(options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(n.status().message().find("t2s.json"), absl::string_view::npos);
}

TEST(NameNormalizerCreate, MissingSurnameFileIsNotFound) {
  NameNormalizerOptions options;
  options.extra_surnames_file = "/nonexistent/surnames.txt";
  absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
      NameNormalizer::Create(options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kNotFound);
}

TEST(NameNormalizerCreate, MalformedDictionaryIsInvalid) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(tmp ? tmp : "/tmp", "/bad.dict.yaml");
  std::ofstream(path) << "name: jyutping\nno header end\n";
  NameNormalizerOptions options;
  options.jyutping_dict = path;
  absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
      NameNormalizer::Create(options);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NameNormalizerCreate, ExtraSurnamesFromFakerSeeds) {
  std::string dir = SharedDatasetsDir();
  std::string path = dir + "/cjk_name_seeds/faker_person_names.csv";
  std::error_code ec;
  if (dir.empty() || !fs::is_regular_file(path, ec)) {
    GTEST_SKIP() << "no cjk_name_seeds/faker_person_names.csv";
  }
  NameNormalizerOptions options;
  options.extra_surnames_file = path;
  absl::StatusOr<std::unique_ptr<NameNormalizer>> n =
      NameNormalizer::Create(options);
  ASSERT_TRUE(n.ok()) << n.status();
  // 闫 (Yan) is in Faker's zh_CN list, not in the built-in one.
  EXPECT_EQ(Normalizer().SurnameRank("闫"), -1);
  EXPECT_GE((*n)->SurnameRank("闫"), 0);
  EXPECT_EQ((*n)->SurnameRank("陳"), 0);
}

// --- Jyutping and HK romanisation ------------------------------------------

TEST(Jyutping, ToHkRules) {
  const std::map<std::string, std::string> cases = {
      {"can", "chan"},     {"wong", "wong"},   {"lei", "lee"},
      {"zoeng", "cheung"}, {"ng", "ng"},       {"cau", "chau"},
      {"zau", "chau"},     {"hoeng", "heung"}, {"jyu", "yu"},
      {"jau", "yau"},      {"loeng", "leung"}, {"taai", "tai"},
      {"man", "man"},      {"si", "sze"},      {"gwok", "kwok"},
      {"bou", "po"},       {"gaa", "ka"},      {"ze", "tse"},
      {"ceoi", "tsui"},    {"zi", "chi"},      {"ji", "yi"},
      {"sing", "shing"},   {"syut", "suet"},   {"jyun", "yuen"},
      {"pun", "poon"},     {"gun", "kwun"},    {"waa", "wah"},
      {"zeon", "chun"},    {"heoi", "hui"},    {"koeng", "keung"},
      {"daat", "tat"},     {"ngaa", "nga"},    {"juk", "yuk"},
      {"jip", "yip"},      {"sek", "shek"},    {"hou", "ho"},
  };
  for (const auto& [j, hk] : cases) EXPECT_EQ(JyutpingToHk(j), hk) << j;
  EXPECT_EQ(JyutpingToHk("xyz"), "xyz");  // not Jyutping: unchanged
}

TEST(Jyutping, FoldMergesSpellingVariants) {
  EXPECT_EQ(FoldHkSyllable("chow"), FoldHkSyllable("chau"));
  EXPECT_EQ(FoldHkSyllable("lee"), FoldHkSyllable("li"));
  EXPECT_EQ(FoldHkSyllable("lei"), FoldHkSyllable("li"));
  EXPECT_EQ(FoldHkSyllable("tsang"), FoldHkSyllable("chang"));
  EXPECT_EQ(FoldHkSyllable("poon"), FoldHkSyllable("pun"));
  EXPECT_EQ(FoldHkSyllable("sze"), FoldHkSyllable("si"));
  EXPECT_EQ(FoldHkSyllable("yip"), FoldHkSyllable("ip"));
  EXPECT_EQ(FoldHkSyllable("law"), FoldHkSyllable("lo"));
  EXPECT_EQ(FoldHkSyllable("choy"), FoldHkSyllable("tsoi"));
  EXPECT_EQ(FoldHkSyllable("tsz"), FoldHkSyllable("chi"));
  EXPECT_NE(FoldHkSyllable("chan"), FoldHkSyllable("chen"));
  EXPECT_NE(FoldHkSyllable("wong"), FoldHkSyllable("wang"));
}

TEST(Jyutping, DictionaryReadings) {
  absl::StatusOr<std::unique_ptr<JyutpingDictionary>> d =
      JyutpingDictionary::Load("/usr/share/rime-data/jyutping.dict.yaml");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_GT((*d)->size(), 20000u);
  EXPECT_GT((*d)->syllables().size(), 600u);
  EXPECT_EQ((*d)->Reading(U'陳'), "can");   // not "zan 0%"
  EXPECT_EQ((*d)->Reading(U'曾'), "zang");  // word use beats alphabetical cang
  EXPECT_EQ((*d)->Reading(U'石'), "sek");   // not daam
  EXPECT_EQ((*d)->Reading(U'樂'), "lok");
  EXPECT_EQ((*d)->Reading(U'陈'), "");  // Simplified: not a key
  EXPECT_TRUE((*d)->IsSyllable("zoeng"));
  EXPECT_FALSE((*d)->IsSyllable("cheung"));
}

// --- The examples of the brief ----------------------------------------------

TEST(NameNormalizer, ChanTaiManInEveryForm) {
  const std::vector<std::string> forms = {
      "陳大文",        "陈大文",           "CHAN Tai Man",
      "Chan Tai-man",  "Tai Man Chan",     "陳大文先生",
      "Chan, Tai Man", "Mr. CHAN Tai Man", "ＣＨＡＮ　Ｔａｉ　Ｍａｎ",
      "CHAN TAI MAN",  "chan taiman",      "Tai-man Chan",
      "陳 大文"};
  for (const std::string& s : forms) {
    NameForms f = N(s);
    EXPECT_TRUE(HasKey(f, "chan taiman")) << s << " " << DebugString(f);
    EXPECT_EQ(f.cantonese_key, "chan taiman") << s;
    EXPECT_TRUE(ShareNameKey(f, N("陳大文"))) << s;
  }
  NameForms han = N("陳大文先生");
  EXPECT_TRUE(han.is_han);
  EXPECT_EQ(han.folded, "陈大文");
  EXPECT_EQ(han.family, "chen");
  EXPECT_EQ(han.given, "dawen");
  EXPECT_EQ(han.romanisations,
            (std::vector<std::string>{"chen dawen", "chan taiman"}));
  EXPECT_EQ(han.sorted_keys,
            (std::vector<std::string>{"chen da wen", "chan man tai"}));
  EXPECT_EQ(han.family_keys, (std::vector<std::string>{"chen", "chan"}));
  EXPECT_EQ(han.hk_romanisation, "CHAN Tai Man");
  NameForms rom = N("Chan Tai-man");
  EXPECT_FALSE(rom.is_han);
  EXPECT_EQ(rom.folded, "chan tai man");
  EXPECT_EQ(rom.family, "chan");
  EXPECT_EQ(rom.given, "taiman");
}

TEST(NameNormalizer, WangXiaomingPinyinAndCantonese) {
  NameForms han = N("王小明");
  EXPECT_TRUE(HasKey(han, "wang xiaoming")) << DebugString(han);
  EXPECT_TRUE(HasKey(han, "wong siuming")) << DebugString(han);
  EXPECT_TRUE(ShareNameKey(han, N("Wang Xiaoming")));
  EXPECT_TRUE(ShareNameKey(han, N("Xiaoming Wang")));
  EXPECT_TRUE(ShareNameKey(han, N("WONG Siu Ming")));
  EXPECT_TRUE(ShareNameKey(han, N("Siu Ming Wong")));
  EXPECT_FALSE(ShareNameKey(han, N("CHAN Tai Man")));
  EXPECT_EQ(N("Xiaoming Wang").family, "wang");
  EXPECT_EQ(N("Dawen Chen").family, "chen");
  EXPECT_TRUE(ShareNameKey(N("陳大文"), N("Dawen Chen")));
}

TEST(NameNormalizer, WesternGivenNameBesideChineseName) {
  for (const char* s :
       {"CHAN Tai Man, Peter", "Peter CHAN Tai Man", "CHAN Tai Man; Peter",
        "Chan Tai Man, Peter", "陳大文 Peter", "Peter 陳大文"}) {
    NameForms f = N(s);
    EXPECT_EQ(f.western_given, "peter") << s << " " << DebugString(f);
    EXPECT_EQ(f.cantonese_key, "chan taiman") << s;
  }
  NameForms f = N("CHAN Wai Ji; Angela");
  EXPECT_EQ(f.family, "chan");
  EXPECT_EQ(f.given, "waiji");
  EXPECT_EQ(f.western_given, "angela");
  // Jyutping spellings ("Ji") meet the HK ones ("Yi", "Yee").
  EXPECT_EQ(f.cantonese_key, "chan waiyi");
  EXPECT_EQ(N("陳慧儀").cantonese_key, "chan waiyi");
  EXPECT_EQ(N("CHAN Wai Yee").cantonese_key, "chan waiyi");
  // Both the Chinese and the romanised name beside it give keys.
  NameForms both = N("陳大文 CHAN Tai Man, Peter");
  EXPECT_TRUE(both.is_han);
  EXPECT_TRUE(HasKey(both, "chan taiman"));
  EXPECT_EQ(both.western_given, "peter");
}

TEST(NameNormalizer, NameOrder) {
  EXPECT_EQ(N("Chan, Tai Man").family, "chan");
  EXPECT_EQ(N("Tai Man CHAN").family, "chan");
  EXPECT_EQ(N("Tai Man Chan").family, "chan");
  EXPECT_EQ(N("Siu Ming Wong").family, "wong");
  EXPECT_EQ(N("Wong Siu Ming").family, "wong");
  EXPECT_EQ(N("AU YEUNG Man").family, "auyeung");
  EXPECT_EQ(N("Au Yeung Man").family, "auyeung");
  EXPECT_EQ(N("Man Au Yeung").family, "auyeung");
  EXPECT_EQ(N("SZETO Mei Chan").family, "szeto");
  EXPECT_EQ(N("Ouyang Xiu").family, "ouyang");
  // Sorted keys agree whatever the order.
  EXPECT_EQ(N("Ka Ho Chan").sorted_keys[0], N("Chan Ka Ho").sorted_keys[0]);
}

TEST(NameNormalizer, CompoundHanSurnames) {
  NameForms f = N("歐陽家樂先生");
  EXPECT_EQ(f.family, "ouyang");
  EXPECT_EQ(f.given, "jiale");
  EXPECT_EQ(f.cantonese_key, "auyeung kalok");
  EXPECT_EQ(f.hk_romanisation, "AU YEUNG Ka Lok");
  EXPECT_EQ(N("AU YEUNG Ka Lok; Patrick").cantonese_key, "auyeung kalok");
  EXPECT_EQ(N("司徒美珍").cantonese_key, N("SZETO Mei Chan").cantonese_key);
  EXPECT_EQ(N("欧阳明").family, "ouyang");
}

TEST(NameNormalizer, HeteronymSurnames) {
  EXPECT_EQ(N("曾志偉").family, "zeng");  // not ceng
  EXPECT_EQ(N("曾志偉").cantonese_key, N("TSANG Chi Wai").cantonese_key);
  EXPECT_EQ(N("區家明").family_keys.back(), "au");
  EXPECT_EQ(N("單志明").family, "shan");
}

TEST(NameNormalizer, Honorifics) {
  for (const char* s :
       {"Mr Chan Tai Man", "MRS. CHAN TAI MAN", "Dr Chan Tai Man",
        "Chan Tai Man, Sir", "Miss Chan Tai Man", "Ms Chan Tai Man",
        "Mdm Chan Tai Man", "Madam Chan Tai Man"}) {
    NameForms f = N(s);
    EXPECT_EQ(f.folded, "chan tai man") << s;
    EXPECT_EQ(f.cantonese_key, "chan taiman") << s;
  }
  for (const char* s : {"陳大文先生", "陳大文小姐", "陳大文女士", "陳大文太太",
                        "陳大文夫人", "陳大文博士", "陳大文 先生"}) {
    EXPECT_EQ(N(s).folded, "陈大文") << s;
  }
  EXPECT_EQ(N("陳太太").folded, "陈");
  EXPECT_EQ(N("陳太太").family, "chen");
  EXPECT_TRUE(N("先生").romanisations.empty());
}

TEST(NameNormalizer, WesternNames) {
  NameForms f = N("John Smith");
  EXPECT_EQ(f.family, "smith");
  EXPECT_EQ(f.given, "john");
  EXPECT_EQ(f.western_given, "john");
  EXPECT_EQ(f.cantonese_key, "");
  EXPECT_EQ(f.romanisations, std::vector<std::string>{"smith john"});
  EXPECT_TRUE(ShareNameKey(f, N("Smith, John")));
  EXPECT_EQ(N("Smith, John").family, "smith");
  NameForms accents = N("José García");
  EXPECT_EQ(accents.folded, "jose garcia");
  EXPECT_EQ(accents.family, "garcia");
  NameForms hyphen = N("Mary-Ann O'Brien-Smith");
  EXPECT_EQ(hyphen.folded, "mary ann obrien smith");
  EXPECT_EQ(hyphen.family, "obrien smith");
  EXPECT_EQ(hyphen.given, "mary ann");
  EXPECT_EQ(N("Ｊｏｈｎ　ＳＭＩＴＨ").family, "smith");
  EXPECT_EQ(N("Søren Kierkegaard").folded, "soren kierkegaard");
  EXPECT_EQ(N("STRAßE").folded, "strasse");
  NameForms tony = N("Tony Li");
  EXPECT_EQ(tony.family, "li");
  EXPECT_EQ(tony.western_given, "tony");
}

TEST(NameNormalizer, StructuredParts) {
  NameForms f = Normalizer().Normalize("大文", "陳");
  EXPECT_EQ(f.romanisations,
            (std::vector<std::string>{"chen dawen", "chan taiman"}));
  NameForms r = Normalizer().Normalize("Tai Man", "Chan");
  EXPECT_EQ(r.cantonese_key, "chan taiman");
  EXPECT_EQ(r.family, "chan");
  // A given name alone: keys without a family part.
  EXPECT_EQ(Normalizer().Normalize("大文", "").cantonese_key, "taiman");
  EXPECT_EQ(Normalizer().Normalize("Tai-man", "").cantonese_key, "taiman");
  EXPECT_TRUE(HasKey(Normalizer().Normalize("大文", ""), "dawen"));
  EXPECT_EQ(Normalizer().Normalize("", "陳").family, "chen");
  EXPECT_EQ(Normalizer().Normalize("Peter Tai Man", "CHAN").western_given,
            "peter");
  EXPECT_EQ(Normalizer().Normalize("John", "Smith").family, "smith");
  EXPECT_TRUE(Normalizer().Normalize("", "").romanisations.empty());
}

TEST(NameNormalizer, SurnameRank) {
  EXPECT_EQ(Normalizer().SurnameRank("陳"), 0);
  EXPECT_EQ(Normalizer().SurnameRank("陈"), 0);
  EXPECT_EQ(Normalizer().SurnameRank("Chan"), 0);
  EXPECT_EQ(Normalizer().SurnameRank("CHEN"), 0);
  EXPECT_GE(Normalizer().SurnameRank("Au Yeung"), 0);
  EXPECT_GE(Normalizer().SurnameRank("Szeto"), 0);
  EXPECT_LT(Normalizer().SurnameRank("Chan"), Normalizer().SurnameRank("Tai"));
  EXPECT_EQ(Normalizer().SurnameRank("Peter"), -1);
  EXPECT_EQ(Normalizer().SurnameRank(""), -1);
}

// --- Awkward input ----------------------------------------------------------

TEST(NameNormalizer, EmptyAndBlank) {
  for (const char* s : {"", " ", "\t\n ", "　", ",;-", "123", "Mr."}) {
    NameForms f = N(s);
    EXPECT_EQ(f.folded, "") << s;
    EXPECT_TRUE(f.romanisations.empty()) << s;
    EXPECT_FALSE(f.is_han) << s;
  }
}

TEST(NameNormalizer, InvalidUtf8IsDropped) {
  NameForms f =
      N("\xff\xfe\xe9\x99\xb3\xe5\xa4\xa7\xe6\x96\x87\xc3");  // ..陳大文..
  EXPECT_EQ(f.folded, "陈大文");
  EXPECT_EQ(f.cantonese_key, "chan taiman");
  NameForms g = N("CHAN\x80 Tai\xc0 Man");
  EXPECT_EQ(g.cantonese_key, "chan taiman");
  EXPECT_TRUE(N("\xff\xff\xff").romanisations.empty());
  EXPECT_TRUE(N(std::string("\0\0", 2)).romanisations.empty());
}

TEST(NameNormalizer, LongInputIsBounded) {
  std::string latin(10 * 1024, 'a');
  NameForms f = N(latin);
  EXPECT_LE(f.folded.size(), 512u);
  std::string han;
  while (han.size() < 10 * 1024) han += "陳大文";
  NameForms h = N(han);
  EXPECT_TRUE(h.is_han);
  EXPECT_LE(h.folded.size(), 512u);
  EXPECT_EQ(h.family, "chen");
  std::string words;
  while (words.size() < 10 * 1024) words += "Chan Tai Man ";
  EXPECT_FALSE(N(words).romanisations.empty());
}

TEST(NameNormalizer, MixedScripts) {
  NameForms inline_han = N("CHAN Hiu 軒");  // a character not romanised
  EXPECT_FALSE(inline_han.is_han);
  EXPECT_EQ(inline_han.cantonese_key, N("陳曉軒").cantonese_key);
  EXPECT_EQ(inline_han.folded, "chan hiu 轩");
  NameForms glued = N("陳大文Peter");
  EXPECT_TRUE(glued.is_han);
  EXPECT_EQ(glued.western_given, "peter");
  EXPECT_EQ(glued.cantonese_key, "chan taiman");
  NameForms cyrillic = N("Иван Петров");
  EXPECT_EQ(cyrillic.folded, "иван петров");
  EXPECT_EQ(cyrillic.family, "петров");
  NameForms kana = N("山田 太郎");  // Japanese: read as Han, no crash
  EXPECT_TRUE(kana.is_han);
  EXPECT_FALSE(N("李 Ka Yan 😀").romanisations.empty());
}

TEST(NameNormalizer, ThreadSafe) {
  const std::vector<std::string> inputs = {
      "陳大文",   "王小明",     "CHAN Tai Man, Peter",
      "歐陽家樂", "John Smith", "Tai Man Chan",
      "李曉穎",   "张欣",       "Wang Xiaoming"};
  std::vector<std::string> expected;
  for (const std::string& s : inputs) expected.push_back(DebugString(N(s)));
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          if (DebugString(N(inputs[i])) != expected[i]) ++failures[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

// --- hk_cjk_dev: Han names against their Cantonese romanisations -----------

// Measured: 465 of 492 pairs (94.5%) exact, 100% within edit distance 2.
constexpr double kExactFloor = 0.93;
constexpr double kNearFloor = 0.99;

TEST(NameNormalizer, HkCjkDevAgreement) {
  std::string dir = SharedDatasetsDir();
  std::string path = dir + "/hk_cjk_dev.csv";
  std::error_code ec;
  if (dir.empty() || !fs::is_regular_file(path, ec)) {
    GTEST_SKIP() << "hk_cjk_dev.csv not found (set IDR_SHARED_DATASETS)";
  }
  std::vector<std::vector<std::string>> rows = ReadCsv(path);
  ASSERT_GT(rows.size(), 1u);
  const std::vector<std::string>& header = rows[0];
  auto col = [&](absl::string_view name) {
    return std::find(header.begin(), header.end(), name) - header.begin();
  };
  const size_t truth = col("truth_id"), source = col("source"),
               name = col("name");
  ASSERT_LT(name, header.size());
  std::map<std::string, std::vector<NameForms>> romanised, english;
  // Han names with their source (crm: Traditional, legacy: Simplified).
  std::map<std::string, std::vector<std::pair<std::string, NameForms>>> han;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() <= name || rows[r][name].empty()) continue;
    NameForms f = N(rows[r][name]);
    const std::string& src = rows[r][source];
    if (src == "crm" || src == "legacy") {
      EXPECT_TRUE(f.is_han) << rows[r][name];
      han[rows[r][truth]].emplace_back(src, std::move(f));
    } else if (src == "billing") {
      romanised[rows[r][truth]].push_back(std::move(f));
    } else if (src == "english_system") {
      english[rows[r][truth]].push_back(std::move(f));
    }
  }
  int pairs = 0, exact = 0, near = 0, shared = 0;
  std::map<std::string, std::pair<int, int>> by_source;  // pairs, exact
  std::vector<std::string> misses;
  for (const auto& [id, hs] : han) {
    for (const auto& [src, h] : hs) {
      for (const NameForms& b : romanised[id]) {
        ++pairs;
        ++by_source[src].first;
        if (ShareNameKey(h, b)) ++shared;
        if (h.cantonese_key == b.cantonese_key) {
          ++exact;
          ++by_source[src].second;
          continue;
        }
        if (Levenshtein(h.cantonese_key, b.cantonese_key) <= 2) ++near;
        misses.push_back(absl::StrCat(h.folded, " ", h.cantonese_key, " <> ",
                                      b.folded, " ", b.cantonese_key));
      }
    }
  }
  // English-system names ("Tony Li") carry a Western given name and the
  // family name: compare family keys and the Western given name.
  int english_pairs = 0, english_family = 0, english_western = 0;
  for (const auto& [id, es] : english) {
    for (const NameForms& e : es) {
      for (const auto& [src, h] : han[id]) {
        ++english_pairs;
        for (const std::string& k : e.family_keys) {
          if (std::find(h.family_keys.begin(), h.family_keys.end(), k) !=
              h.family_keys.end()) {
            ++english_family;
            break;
          }
        }
      }
      for (const NameForms& b : romanised[id]) {
        if (!b.western_given.empty() && b.western_given == e.western_given) {
          ++english_western;
        }
      }
    }
  }
  ASSERT_GT(pairs, 400);
  const double exact_share = static_cast<double>(exact) / pairs;
  const double near_share = static_cast<double>(exact + near) / pairs;
  std::printf(
      "hk_cjk_dev: %d Han/romanised pairs; Cantonese key exact %d (%.1f%%), "
      "within edit distance 2: %d (%.1f%%); share a key: %d (%.1f%%)\n",
      pairs, exact, 100.0 * exact_share, exact + near, 100.0 * near_share,
      shared, 100.0 * shared / pairs);
  std::printf(
      "hk_cjk_dev: english_system/Han pairs %d, family key agrees %d; "
      "Western given name agrees with billing: %d\n",
      english_pairs, english_family, english_western);
  for (const auto& [src, counts] : by_source) {
    std::printf("hk_cjk_dev: %s (Han) vs billing: %d pairs, %d exact\n",
                src.c_str(), counts.first, counts.second);
  }
  for (const std::string& m : misses) std::printf("  miss: %s\n", m.c_str());
  EXPECT_GE(exact_share, kExactFloor);
  EXPECT_GE(near_share, kNearFloor);
}

}  // namespace
}  // namespace idr::matching
