#include "tools/gen/seeds.h"

#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <cctype>
#include <exception>
#include <fstream>
#include <initializer_list>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "matching/utf8.h"
#include "opencc/opencc.h"
#include "tools/gen/csv.h"

namespace idr::gen::internal {
namespace {

// ---------------------------------------------------------------------------
// Built-in lists: used alone without name_seeds_dir, and merged (first, so
// they keep the top Zipf ranks) with the seed lists when it is given.

// Most common mainland surnames, in frequency order.
constexpr const char* kCnSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄",   "赵",  "吴", "周", "徐",
    "孙", "马", "朱", "胡", "郭", "何", "高",   "林",  "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓",   "曹",  "彭", "曾", "肖",
    "田", "董", "袁", "潘", "于", "蒋", "蔡",   "余",  "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "沈", "欧阳", "上官"};
// Most common Taiwanese surnames, in frequency order.
constexpr const char* kTwSurnames[] = {
    "陳", "林", "黃", "張", "李", "王", "吳", "劉", "蔡", "楊",
    "許", "鄭", "謝", "郭", "洪", "曾", "邱", "廖", "賴", "周",
    "徐", "蘇", "葉", "莊", "呂", "江", "何", "蕭", "羅", "高"};
constexpr const char* kCnGivenMale[] = {
    "伟",   "强",   "磊",   "军",   "洋",   "勇",   "杰",   "涛",
    "明",   "超",   "俊",   "浩",   "建华", "志强", "文博", "子轩",
    "浩然", "宇航", "俊杰", "建国", "家豪", "思远", "大文", "国庆",
    "晓东", "海涛", "天佑", "博文", "志明", "永康"};
constexpr const char* kCnGivenFemale[] = {
    "芳",   "娜",   "敏",   "静",   "丽",   "艳",   "娟",   "霞",
    "婷",   "雪",   "秀英", "桂英", "玉兰", "丽娟", "欣怡", "梓涵",
    "诗涵", "雨桐", "晓燕", "雪梅", "佳怡", "思琪", "美玲", "慧敏",
    "晓红", "海燕", "婉婷", "雅琴", "淑华", "春梅"};
constexpr const char* kTwGivenMale[] = {
    "志明", "家豪", "冠宇", "承恩", "柏翰", "宗翰", "俊傑", "建宏",
    "志偉", "文傑", "彥廷", "冠廷", "宇軒", "家銘", "俊宏", "大文"};
constexpr const char* kTwGivenFemale[] = {
    "淑芬", "美玲", "雅婷", "怡君", "欣怡", "佳穎", "詩涵", "宜蓁",
    "雅雯", "惠如", "淑惠", "佩君", "郁婷", "心怡", "婉婷", "麗華"};
constexpr const char* kCnCities[] = {
    "北京", "上海", "广州", "深圳", "天津", "重庆", "成都", "杭州",
    "南京", "武汉", "西安", "苏州", "青岛", "宁波", "郑州", "长沙"};
constexpr const char* kCnStreets[] = {
    "人民路",   "解放路", "中山路",   "建设路",   "和平街",   "胜利路",
    "新华路",   "朝阳路", "长江路",   "黄河路",   "南京路",   "北京路",
    "文化路",   "青年街", "光明路",   "幸福街",   "友谊路",   "东风路",
    "工业大道", "学府路", "淮海中路", "延安西路", "滨江大道", "中山北路"};
// Taiwanese cities that are 市; the other seed prefixes are 縣.
constexpr const char* kTwCities[] = {"臺北", "新北", "桃園", "臺中", "臺南",
                                     "高雄", "基隆", "新竹", "嘉義"};
constexpr const char* kTwStreetStems[] = {
    "中山", "中正", "民生", "民權", "民族", "忠孝", "仁愛",
    "信義", "和平", "復興", "光復", "建國", "成功", "自由",
    "博愛", "中華", "文化", "三民", "四維", "大同"};
constexpr const char* kTwStreetSuffixes[] = {"路",   "街",   "北路",
                                             "南路", "東路", "西路"};

// Street types (Simplified) with their usual English form, longest first.
constexpr std::pair<const char*, const char*> kStreetTypes[] = {
    {"中路", "Middle Road"}, {"东路", "East Road"},  {"西路", "West Road"},
    {"南路", "South Road"},  {"北路", "North Road"}, {"大道", "Avenue"},
    {"大街", "Street"},      {"路", "Road"},         {"街", "Street"},
    {"巷", "Lane"},          {"道", "Road"},         {"桥", "Bridge"}};

// ---------------------------------------------------------------------------

// Wraps ICU and OpenCC; used only while the pools are built.
class Converters {
 public:
  absl::Status Init() {
    UErrorCode status = U_ZERO_ERROR;
    // Han-Latin/Names knows surname readings (曾 Zeng, 单 Shan, 解 Xie).
    surname_.reset(icu::Transliterator::createInstance(
        "Han-Latin/Names; Latin-ASCII", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || surname_ == nullptr) {
      return absl::InternalError(
          absl::StrCat("ICU Han-Latin/Names: ", u_errorName(status)));
    }
    status = U_ZERO_ERROR;
    general_.reset(icu::Transliterator::createInstance("Han-Latin; Latin-ASCII",
                                                       UTRANS_FORWARD, status));
    if (U_FAILURE(status) || general_ == nullptr) {
      return absl::InternalError(
          absl::StrCat("ICU Han-Latin: ", u_errorName(status)));
    }
    // OpenCC throws on a missing config; keep exceptions inside this file.
    try {
      s2t_ = std::make_unique<opencc::SimpleConverter>("s2t.json");
      t2s_ = std::make_unique<opencc::SimpleConverter>("t2s.json");
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("OpenCC: ", e.what()));
    } catch (...) {
      return absl::InternalError("OpenCC: unknown error loading s2t/t2s");
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ToTraditional(const std::string& s) {
    return Convert(*s2t_, s);
  }
  absl::StatusOr<std::string> ToSimplified(const std::string& s) {
    return Convert(*t2s_, s);
  }

  // Lower-case toneless pinyin syllables of a Simplified string.
  std::vector<std::string> Pinyin(const std::string& simplified, bool surname) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(simplified);
    (surname ? surname_ : general_)->transliterate(u);
    std::string out;
    u.toUTF8String(out);
    std::vector<std::string> syllables;
    for (absl::string_view part :
         absl::StrSplit(out, absl::ByAnyChar(" '-"), absl::SkipEmpty())) {
      std::string word;
      for (char c : part) {
        if (absl::ascii_isalpha(static_cast<unsigned char>(c))) {
          word.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
        }
      }
      if (!word.empty()) syllables.push_back(std::move(word));
    }
    return syllables;
  }

 private:
  static absl::StatusOr<std::string> Convert(opencc::SimpleConverter& c,
                                             const std::string& s) {
    try {
      return c.Convert(s);
    } catch (const std::exception& e) {
      return absl::InternalError(absl::StrCat("OpenCC: ", e.what()));
    } catch (...) {
      return absl::InternalError("OpenCC: conversion failed");
    }
  }

  std::unique_ptr<icu::Transliterator> surname_;
  std::unique_ptr<icu::Transliterator> general_;
  std::unique_ptr<opencc::SimpleConverter> s2t_;
  std::unique_ptr<opencc::SimpleConverter> t2s_;
};

std::string Capitalize(absl::string_view s) {
  std::string out(s);
  if (!out.empty())
    out[0] = absl::ascii_toupper(static_cast<unsigned char>(out[0]));
  return out;
}

// The characters (code points) of UTF-8 text, as strings.
std::vector<std::string> Utf8Chars(absl::string_view s) {
  std::vector<std::string> out;
  for (absl::string_view ch : matching::Utf8Chars(s)) out.emplace_back(ch);
  return out;
}

// Raw seed values by (locale, kind[, gender]).
struct SeedLists {
  std::map<std::string, std::vector<std::string>> values;
  void Add(const std::string& key, const std::string& value) {
    values[key].push_back(value);
  }
  const std::vector<std::string>& Get(const std::string& key) const {
    static const std::vector<std::string>* const kEmpty =
        new std::vector<std::string>();
    auto it = values.find(key);
    return it == values.end() ? *kEmpty : it->second;
  }
};

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("name_seeds_dir: cannot read ", path));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    return absl::InvalidArgumentError(
        absl::StrCat("name_seeds_dir: error reading ", path));
  }
  return ss.str();
}

// True for a value made only of CJK ideographs (what the pools expect).
bool IsHanOnly(absl::string_view s) {
  if (s.empty()) return false;
  for (const std::string& ch : Utf8Chars(s)) {
    if (ch.size() != 3) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(ch.data());
    const uint32_t cp =
        ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    if (cp < 0x3400 || cp > 0x9FFF) return false;
  }
  return true;
}

// Reads one seed CSV, checking its header and rows. Each zh_CN/zh_TW row is
// filed under its leading columns joined by ',' ("zh_CN,surname,generic");
// the last column is the value.
absl::Status ReadSeedCsv(const std::string& path,
                         const std::vector<std::string>& header,
                         SeedLists* lists) {
  absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  if (!matching::IsValidUtf8(*text)) {
    return absl::InvalidArgumentError(
        absl::StrCat("name_seeds_dir: ", path, " is not valid UTF-8"));
  }
  absl::StatusOr<std::vector<std::vector<std::string>>> rows = ParseCsv(*text);
  if (!rows.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("name_seeds_dir: ", path, ": ", rows.status().message()));
  }
  if (rows->empty() || (*rows)[0] != header) {
    return absl::InvalidArgumentError(absl::StrCat("name_seeds_dir: ", path,
                                                   ": header must be ",
                                                   absl::StrJoin(header, ",")));
  }
  for (size_t r = 1; r < rows->size(); ++r) {
    const std::vector<std::string>& row = (*rows)[r];
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    if (row.size() != header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("name_seeds_dir: ", path, ": row ", r + 1, " has ",
                       row.size(), " fields, expected ", header.size()));
    }
    const std::string& value = row.back();
    const std::string& locale = row[0];
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "name_seeds_dir: ", path, ": row ", r + 1, " has an empty value"));
    }
    // Only the Chinese-script lists are used; en_HK rows are skipped.
    if (locale != "zh_CN" && locale != "zh_TW") continue;
    if (!IsHanOnly(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("name_seeds_dir: ", path, ": row ", r + 1,
                       ": expected Chinese characters, got '", value, "'"));
    }
    std::string key = absl::StrJoin(row.begin(), row.end() - 1, ",");
    lists->Add(key, value);
  }
  return absl::OkStatus();
}

// Builds the pools for one locale.
class PoolBuilder {
 public:
  PoolBuilder(Converters* conv, ChineseLocale locale)
      : conv_(conv), locale_(locale) {}

  // Fills `t` from a native-script value.
  absl::Status MakeText(const std::string& native, bool surname, HanText* t) {
    t->native = native;
    absl::StatusOr<std::string> simplified =
        locale_ == kZhCN ? native : conv_->ToSimplified(native);
    if (!simplified.ok()) return simplified.status();
    if (locale_ == kZhCN) {
      absl::StatusOr<std::string> trad = conv_->ToTraditional(native);
      if (!trad.ok()) return trad.status();
      t->other = *trad;
    } else {
      t->other = *simplified;
    }
    std::vector<std::string> syl = conv_->Pinyin(*simplified, surname);
    if (syl.empty()) syl.push_back("x");  // ICU left it untouched; keep going
    std::vector<std::string> caps;
    for (const std::string& s : syl) caps.push_back(Capitalize(s));
    t->pinyin_joined = Capitalize(absl::StrJoin(syl, ""));
    t->pinyin_spaced = absl::StrJoin(caps, " ");
    t->pinyin_hyphen = Capitalize(absl::StrJoin(syl, "-"));
    return absl::OkStatus();
  }

  absl::Status BuildPool(const std::vector<std::string>& values, bool surname,
                         bool zipf, HanPool* pool) {
    absl::flat_hash_set<std::string> seen;
    double total = 0;
    for (const std::string& v : values) {
      if (!seen.insert(v).second) continue;
      HanText t;
      if (absl::Status s = MakeText(v, surname, &t); !s.ok()) return s;
      const double rank = static_cast<double>(pool->items.size());
      total += zipf ? 1.0 / (rank + 3.0) : 1.0;
      pool->items.push_back(std::move(t));
      pool->cumulative.push_back(total);
    }
    return absl::OkStatus();
  }

  absl::Status BuildCities(const std::vector<std::string>& values,
                           std::vector<HanText>* out) {
    absl::flat_hash_set<std::string> seen;
    for (const std::string& v : values) {
      if (!seen.insert(v).second) continue;
      HanText t;
      if (absl::Status s = MakeText(v, false, &t); !s.ok()) return s;
      // Romanise without the administrative suffix: "Tainan", not
      // "Tainanshi".
      for (absl::string_view suffix : {"市", "縣", "县"}) {
        absl::string_view sv(v);
        if (sv.size() > suffix.size() && absl::EndsWith(sv, suffix)) {
          HanText stem;
          absl::Status s =
              MakeText(std::string(sv.substr(0, sv.size() - suffix.size())),
                       false, &stem);
          if (!s.ok()) return s;
          t.pinyin_joined = stem.pinyin_joined;
          t.pinyin_spaced = stem.pinyin_spaced;
          t.pinyin_hyphen = stem.pinyin_hyphen;
          break;
        }
      }
      out->push_back(std::move(t));
    }
    return absl::OkStatus();
  }

  absl::Status BuildStreets(const std::vector<std::string>& values,
                            std::vector<HanStreet>* out) {
    absl::flat_hash_set<std::string> seen;
    for (const std::string& v : values) {
      if (!seen.insert(v).second) continue;
      HanText t;
      if (absl::Status s = MakeText(v, false, &t); !s.ok()) return s;
      const std::string& simplified = locale_ == kZhCN ? t.native : t.other;
      HanStreet street;
      street.native = t.native;
      street.other = t.other;
      // Split the street type off so it can be translated ("Renmin Road").
      std::string stem = simplified, type_pinyin, type_english;
      for (const auto& [type, english] : kStreetTypes) {
        absl::string_view sv(simplified);
        absl::string_view ty(type);
        if (sv.size() > ty.size() && absl::EndsWith(sv, ty)) {
          stem = std::string(sv.substr(0, sv.size() - ty.size()));
          type_english = english;
          std::vector<std::string> tp = conv_->Pinyin(std::string(ty), false);
          type_pinyin = Capitalize(absl::StrJoin(tp, ""));
          break;
        }
      }
      std::string stem_pinyin =
          Capitalize(absl::StrJoin(conv_->Pinyin(stem, false), ""));
      if (stem_pinyin.empty()) stem_pinyin = t.pinyin_joined;
      if (type_english.empty()) {
        street.pinyin = t.pinyin_joined;
        street.english = t.pinyin_joined;
      } else {
        street.pinyin = absl::StrCat(stem_pinyin, " ", type_pinyin);
        street.english = absl::StrCat(stem_pinyin, " ", type_english);
      }
      out->push_back(std::move(street));
    }
    return absl::OkStatus();
  }

 private:
  Converters* conv_;
  ChineseLocale locale_;
};

std::vector<std::string> Concat(
    std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

template <size_t N>
std::vector<std::string> ToVec(const char* const (&items)[N]) {
  return std::vector<std::string>(items, items + N);
}

absl::StatusOr<std::shared_ptr<const Seeds>> BuildSeeds(
    const std::string& dir) {
  SeedLists lists;
  if (!dir.empty()) {
    if (absl::Status s =
            ReadSeedCsv(absl::StrCat(dir, "/faker_person_names.csv"),
                        {"locale", "kind", "gender", "value"}, &lists);
        !s.ok()) {
      return s;
    }
    const std::string places = absl::StrCat(dir, "/faker_places.csv");
    if (std::ifstream(places).good()) {
      if (absl::Status s =
              ReadSeedCsv(places, {"locale", "kind", "value"}, &lists);
          !s.ok()) {
        return s;
      }
    }
  }

  Converters conv;
  if (absl::Status s = conv.Init(); !s.ok()) return s;

  auto seeds = std::make_shared<Seeds>();
  for (int loc = 0; loc < kNumChineseLocales; ++loc) {
    const bool cn = loc == kZhCN;
    const std::string prefix = cn ? "zh_CN," : "zh_TW,";
    PoolBuilder b(&conv, static_cast<ChineseLocale>(loc));
    ChineseSeeds& z = seeds->zh[loc];

    std::vector<std::string> surnames =
        Concat({cn ? ToVec(kCnSurnames) : ToVec(kTwSurnames),
                lists.Get(prefix + "surname,generic")});
    std::vector<std::string> unisex = lists.Get(prefix + "given_name,generic");
    std::vector<std::string> male =
        Concat({cn ? ToVec(kCnGivenMale) : ToVec(kTwGivenMale),
                lists.Get(prefix + "given_name,male"), unisex});
    std::vector<std::string> female =
        Concat({cn ? ToVec(kCnGivenFemale) : ToVec(kTwGivenFemale),
                lists.Get(prefix + "given_name,female"), unisex});
    absl::Status s = b.BuildPool(surnames, true, true, &z.surnames);
    if (s.ok()) s = b.BuildPool(male, false, false, &z.given_male);
    if (s.ok()) s = b.BuildPool(female, false, false, &z.given_female);
    if (!s.ok()) return s;

    std::vector<std::string> cities, streets;
    if (cn) {
      cities = Concat({ToVec(kCnCities), lists.Get("zh_CN,city_name")});
      streets = Concat({ToVec(kCnStreets), lists.Get("zh_CN,street_name")});
    } else {
      // Seed prefixes (臺北, 宜蘭) become cities; built-in ones are 市.
      absl::flat_hash_set<std::string> shi(std::begin(kTwCities),
                                           std::end(kTwCities));
      for (const std::string& p :
           Concat({ToVec(kTwCities), lists.Get("zh_TW,city_prefix")})) {
        cities.push_back(p + (shi.contains(p) ? "市" : "縣"));
      }
      std::vector<std::string> suffixes =
          Concat({ToVec(kTwStreetSuffixes), lists.Get("zh_TW,street_suffix")});
      absl::flat_hash_set<std::string> seen_suffix;
      for (const std::string& suffix : suffixes) {
        if (!seen_suffix.insert(suffix).second) continue;
        for (const char* stem : kTwStreetStems) {
          streets.push_back(std::string(stem) + suffix);
        }
      }
    }
    s = b.BuildCities(cities, &z.cities);
    if (s.ok()) s = b.BuildStreets(streets, &z.streets);
    if (!s.ok()) return s;
  }

  // Homophones: group every name character by toneless pinyin, per script,
  // so an IME slip never mixes Simplified and Traditional.
  std::map<std::string, std::vector<std::string>> by_sound;  // "S:wei" -> 伟
  absl::flat_hash_set<std::string> seen;
  for (int loc = 0; loc < kNumChineseLocales; ++loc) {
    const ChineseSeeds& z = seeds->zh[loc];
    for (const HanPool* pool : {&z.surnames, &z.given_male, &z.given_female}) {
      for (const HanText& t : pool->items) {
        const std::string& simp = loc == kZhCN ? t.native : t.other;
        const std::string& trad = loc == kZhCN ? t.other : t.native;
        const std::vector<std::string> s_chars = Utf8Chars(simp);
        const std::vector<std::string> t_chars = Utf8Chars(trad);
        for (size_t i = 0; i < s_chars.size(); ++i) {
          std::vector<std::string> syl = conv.Pinyin(s_chars[i], false);
          if (syl.size() != 1) continue;
          if (seen.insert("S" + s_chars[i]).second) {
            by_sound["S:" + syl[0]].push_back(s_chars[i]);
          }
          if (i < t_chars.size() && seen.insert("T" + t_chars[i]).second) {
            by_sound["T:" + syl[0]].push_back(t_chars[i]);
          }
        }
      }
    }
  }
  for (const auto& [key, chars] : by_sound) {
    if (chars.size() < 2) continue;
    const std::string script = key.substr(0, 1);
    for (const std::string& c : chars) {
      std::vector<std::string>& alts = seeds->homophones[script + c];
      for (const std::string& other : chars) {
        if (other != c) alts.push_back(other);
      }
    }
  }
  return std::shared_ptr<const Seeds>(std::move(seeds));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Seeds>> LoadSeeds(const std::string& dir) {
  static absl::Mutex* const mu = new absl::Mutex();
  static auto* const cache =
      new std::map<std::string, std::shared_ptr<const Seeds>>();
  absl::MutexLock lock(mu);
  auto it = cache->find(dir);
  if (it != cache->end()) return it->second;
  absl::StatusOr<std::shared_ptr<const Seeds>> seeds = BuildSeeds(dir);
  if (seeds.ok()) (*cache)[dir] = *seeds;
  return seeds;
}

}  // namespace idr::gen::internal
