#include "matching/names.h"

#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <opencc/Exception.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "matching/jyutping.h"

namespace idr::matching {
namespace {

// Input beyond this many bytes is ignored (no real name is this long).
constexpr size_t kMaxInputBytes = 512;
// Tokens longer than this are never split into syllables.
constexpr size_t kMaxSegmentedToken = 24;
// Longest romanised syllable considered ("cheung", "chuang", "kwaang").
constexpr size_t kMaxSyllableLength = 6;

// ---------------------------------------------------------------------------
// Surnames.
//
// Common surnames in Traditional characters, most frequent first (Hong Kong
// frequency first, then mainland China). The rank decides which end of a
// romanised name is the family name when nothing else tells ("Tai Man Chan":
// CHAN outranks TAI). `hk` is the conventional HK spelling where the name is
// a heteronym or has a fixed spelling (the surname exceptions of the
// Jyutping->HK table; "" = derive from the Jyutping reading by rule);
// `pinyin` overrides ICU for heteronym surnames (曾 zeng, not ceng).
struct SurnameEntry {
  const char* han;
  const char* hk;      // syllables spaced
  const char* pinyin;  // syllables spaced
};

// clang-format off
constexpr SurnameEntry kSurnames[] = {
    {"陳", "chan", ""}, {"李", "lee", ""}, {"張", "cheung", ""}, {"黃", "wong", ""},
    {"何", "ho", ""}, {"林", "lam", ""}, {"梁", "leung", ""}, {"吳", "ng", ""},
    {"劉", "lau", ""}, {"王", "wong", ""}, {"鄭", "cheng", ""}, {"楊", "yeung", ""},
    {"蔡", "choi", ""}, {"郭", "kwok", ""}, {"周", "chow", ""}, {"謝", "tse", ""},
    {"曾", "tsang", "zeng"}, {"鄧", "tang", ""}, {"羅", "law", ""}, {"馮", "fung", ""},
    {"蘇", "so", ""}, {"許", "hui", "xu"}, {"麥", "mak", ""}, {"葉", "yip", "ye"},
    {"朱", "chu", ""}, {"潘", "poon", ""}, {"馬", "ma", ""}, {"胡", "wu", ""},
    {"盧", "lo", ""}, {"余", "yu", ""}, {"袁", "yuen", ""}, {"譚", "tam", ""},
    {"彭", "pang", ""}, {"莫", "mok", ""}, {"徐", "tsui", ""}, {"關", "kwan", ""},
    {"鍾", "chung", ""}, {"高", "ko", ""}, {"蕭", "siu", ""}, {"趙", "chiu", ""},
    {"孫", "suen", ""}, {"江", "kong", ""}, {"石", "shek", "shi"}, {"陸", "luk", "lu"},
    {"呂", "lui", ""}, {"廖", "liu", ""}, {"溫", "wan", ""}, {"湯", "tong", ""},
    {"方", "fong", ""}, {"侯", "hau", ""}, {"姚", "yiu", ""}, {"唐", "tong", ""},
    {"韓", "hon", ""}, {"邱", "yau", ""}, {"戴", "tai", ""}, {"文", "man", ""},
    {"區", "au", "ou"}, {"杜", "to", ""}, {"宋", "sung", ""}, {"魏", "ngai", ""},
    {"龍", "lung", ""}, {"范", "fan", ""}, {"施", "sze", ""}, {"丁", "ting", ""},
    {"甘", "kam", ""}, {"岑", "shum", ""}, {"嚴", "yim", ""}, {"顏", "ngan", ""},
    {"伍", "ng", ""}, {"賴", "lai", ""}, {"黎", "lai", ""}, {"簡", "kan", ""},
    {"崔", "tsui", ""}, {"翁", "yung", ""}, {"凌", "ling", ""}, {"卓", "cheuk", ""},
    {"程", "ching", ""}, {"董", "tung", ""}, {"沈", "shum", "shen"}, {"傅", "fu", ""},
    {"金", "kam", ""}, {"孔", "hung", ""}, {"白", "pak", ""}, {"姜", "keung", ""},
    {"任", "yam", "ren"}, {"夏", "ha", ""}, {"尹", "wan", ""}, {"游", "yau", ""},
    {"蔣", "cheung", ""}, {"曹", "tso", ""}, {"田", "tin", ""}, {"薛", "sit", ""},
    {"雷", "lui", ""}, {"賀", "ho", ""}, {"毛", "mo", ""}, {"龔", "kung", ""},
    {"邵", "shiu", ""}, {"萬", "man", ""}, {"錢", "chin", ""}, {"易", "yik", "yi"},
    {"常", "sheung", ""}, {"武", "mo", ""}, {"喬", "kiu", ""}, {"秦", "chun", ""},
    {"史", "sze", ""}, {"陶", "to", ""}, {"顧", "ku", ""}, {"郝", "kok", ""},
    {"段", "tuen", ""}, {"熊", "hung", ""}, {"孟", "mang", ""}, {"鄒", "chau", ""},
    {"閻", "yim", ""}, {"汪", "wong", ""}, {"于", "yu", ""}, {"祝", "chuk", ""},
    {"阮", "yuen", ""}, {"韋", "wai", ""}, {"裴", "pui", ""}, {"巫", "mo", ""},
    {"勞", "lo", ""}, {"洪", "hung", ""}, {"冼", "sin", ""}, {"植", "chik", ""},
    {"容", "yung", ""}, {"車", "che", "che"}, {"鮑", "pau", ""}, {"駱", "lok", ""},
    {"倪", "ngai", ""}, {"包", "pau", ""}, {"鄔", "wu", ""}, {"戚", "chik", ""},
    {"湛", "cham", ""}, {"單", "sin", "shan"}, {"仇", "kau", "qiu"}, {"解", "hai", "xie"},
    {"覃", "tam", "qin"}, {"查", "cha", "zha"}, {"繆", "miu", "miao"}, {"樂", "lok", "yue"},
    {"翟", "chak", "zhai"}, {"蓋", "koi", "ge"}, {"祁", "kei", ""}, {"柯", "o", ""},
    {"官", "kwun", ""}, {"尤", "yau", ""}, {"殷", "yan", ""}, {"甄", "yan", ""},
    {"蒙", "mung", ""}, {"聶", "nip", ""}, {"歐", "au", "ou"}, {"柳", "lau", ""},
    {"齊", "chai", ""}, {"時", "sze", ""}, {"畢", "pat", ""}, {"邢", "ying", ""},
    {"章", "cheung", ""}, {"蘭", "lan", ""}, {"鄺", "kwong", ""},
    {"霍", "fok", ""},
    // Compound surnames.
    {"歐陽", "au yeung", "ou yang"}, {"司徒", "sze to", "si tu"},
    {"上官", "sheung kwun", "shang guan"}, {"諸葛", "chu kot", "zhu ge"},
    {"司馬", "sze ma", "si ma"}, {"夏侯", "ha hau", "xia hou"},
    {"令狐", "ling wu", "ling hu"}, {"慕容", "mo yung", "mu rong"},
    {"皇甫", "wong po", "huang fu"}, {"長孫", "cheung suen", "zhang sun"},
    {"公孫", "kung suen", "gong sun"}, {"東方", "tung fong", "dong fang"},
    {"端木", "tuen muk", "duan mu"}, {"鍾離", "chung lei", "zhong li"},
    {"尉遲", "wat chi", "yu chi"}, {"申屠", "san to", "shen tu"},
    {"宇文", "yu man", "yu wen"}, {"澹臺", "tam toi", "tan tai"},
    {"西門", "sai mun", "xi men"}, {"萬俟", "mak kei", "mo qi"},
};
// clang-format on

// Honorifics removed wherever they stand as a token (Latin, after case
// folding and with any trailing "." dropped) or end a Han token.
const absl::flat_hash_set<std::string>& LatinHonorifics() {
  static const auto* set = new absl::flat_hash_set<std::string>{
      "mr", "mrs", "ms", "miss", "dr", "mdm", "madam", "sir"};
  return *set;
}
constexpr const char* kHanHonorifics[] = {"先生", "小姐", "女士",
                                          "太太", "夫人", "博士"};

// ---------------------------------------------------------------------------
// Pinyin syllable inventory, by initial/final rules (over-generates a few
// syllables that do not occur; harmless for recognising romanised names).
absl::flat_hash_set<std::string> PinyinSyllables() {
  absl::flat_hash_set<std::string> out;
  auto add = [&out](std::initializer_list<const char*> initials,
                    std::initializer_list<const char*> finals) {
    for (const char* i : initials) {
      for (const char* f : finals) out.insert(absl::StrCat(i, f));
    }
  };
  add({""},
      {"a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "er"});
  add({"y"}, {"a", "o", "e", "ao", "ou", "an", "in", "ang", "ing", "ong", "i",
              "u", "ue", "uan", "un"});
  add({"w"}, {"a", "o", "ai", "ei", "an", "en", "ang", "eng", "u"});
  add({"b", "p", "m"}, {"a", "o", "ai", "ei", "ao", "an", "en", "ang", "eng",
                        "u", "i", "ie", "iao", "ian", "in", "ing"});
  add({"m"}, {"ou", "iu", "e"});
  add({"p"}, {"ou"});
  add({"f"}, {"a", "o", "ei", "an", "en", "ang", "eng", "u", "ou"});
  add({"d", "t", "n", "l"},
      {"a", "e",  "ai",  "ei", "ao",  "ou",  "an", "en", "ang", "eng", "ong",
       "i", "ie", "iao", "iu", "ian", "ing", "u",  "uo", "ui",  "uan", "un"});
  add({"d", "l"}, {"ia"});
  add({"n", "l"}, {"in", "iang", "v", "ve", "ue", "o"});
  add({"g", "k", "h"},
      {"a", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "u",
       "ua", "uo", "uai", "ui", "uan", "un", "uang"});
  add({"zh", "ch", "sh", "r"},
      {"a",   "e", "ai", "ei", "ao", "ou",  "an", "en",  "ang", "eng",
       "ong", "i", "u",  "ua", "uo", "uai", "ui", "uan", "un",  "uang"});
  add({"z", "c", "s"}, {"a", "e", "ai", "ei", "ao", "ou", "an", "en", "ang",
                        "eng", "ong", "i", "u", "uo", "ui", "uan", "un"});
  add({"j", "q", "x"}, {"i", "ia", "ie", "iao", "iu", "ian", "in", "iang",
                        "ing", "iong", "u", "ue", "uan", "un"});
  return out;
}

// ---------------------------------------------------------------------------
// Small string helpers.

std::string ToUtf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

// The code points of a valid UTF-8 string, each as its own UTF-8 string.
std::vector<std::string> SplitChars(absl::string_view s) {
  std::vector<std::string> out;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) continue;
    out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

char32_t FirstCodePoint(absl::string_view s) {
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), i,
          static_cast<int32_t>(s.size()), c);
  return c < 0 ? 0 : static_cast<char32_t>(c);
}

bool IsHan(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(c, &status) == USCRIPT_HAN && U_SUCCESS(status);
}

bool IsLowerAscii(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

std::string JoinKey(absl::string_view family, absl::string_view given) {
  if (family.empty()) return std::string(given);
  if (given.empty()) return std::string(family);
  return absl::StrCat(family, " ", given);
}

std::string SortedJoin(std::vector<std::string> parts) {
  parts.erase(std::remove(parts.begin(), parts.end(), std::string()),
              parts.end());
  std::sort(parts.begin(), parts.end());
  return absl::StrJoin(parts, " ");
}

std::string Capitalised(absl::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = absl::ascii_toupper(out[0]);
  return out;
}

// Adds a key and its order-insensitive companion unless already present.
void AddKey(NameForms* out, std::string key, std::string sorted) {
  if (key.empty()) return;
  if (std::find(out->romanisations.begin(), out->romanisations.end(), key) !=
      out->romanisations.end()) {
    return;
  }
  out->romanisations.push_back(std::move(key));
  out->sorted_keys.push_back(std::move(sorted));
}

void AddFamilyKey(NameForms* out, const std::string& key) {
  if (key.empty()) return;
  if (std::find(out->family_keys.begin(), out->family_keys.end(), key) ==
      out->family_keys.end()) {
    out->family_keys.push_back(key);
  }
}

// Latin letters that NFD does not decompose into base + mark.
const char* SpecialLatin(UChar32 c) {
  switch (c) {
    case 0x00F8:
      return "o";  // ø
    case 0x00E6:
      return "ae";  // æ
    case 0x0153:
      return "oe";  // œ
    case 0x0142:
      return "l";  // ł
    case 0x0111:
      return "d";  // đ
    case 0x00F0:
      return "d";  // ð
    case 0x00FE:
      return "th";  // þ
    case 0x0131:
      return "i";  // dotless i
    case 0x00DF:
      return "ss";  // ß
    case 0x0127:
      return "h";  // ħ
    case 0x014B:
      return "ng";  // ŋ
    default:
      return nullptr;
  }
}

// ---------------------------------------------------------------------------
// ICU transliterators are not thread-safe: a pool hands each caller its own
// clone of the prototype and takes it back afterwards.
class TransliteratorPool {
 public:
  explicit TransliteratorPool(std::unique_ptr<icu::Transliterator> prototype)
      : prototype_(std::move(prototype)) {}

  std::unique_ptr<icu::Transliterator> Acquire() {
    absl::MutexLock lock(&mu_);
    if (!free_.empty()) {
      std::unique_ptr<icu::Transliterator> t = std::move(free_.back());
      free_.pop_back();
      return t;
    }
    return std::unique_ptr<icu::Transliterator>(prototype_->clone());
  }

  void Release(std::unique_ptr<icu::Transliterator> t) {
    if (t == nullptr) return;
    absl::MutexLock lock(&mu_);
    if (free_.size() < kMaxPooled) free_.push_back(std::move(t));
  }

 private:
  static constexpr size_t kMaxPooled = 64;
  absl::Mutex mu_;
  std::unique_ptr<icu::Transliterator> prototype_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<icu::Transliterator>> free_ ABSL_GUARDED_BY(mu_);
};

// OpenCC: SimpleConverter throws std::runtime_error and opencc::Exception
// (which does not derive from std::exception).
absl::StatusOr<std::unique_ptr<opencc::SimpleConverter>> LoadOpenCC(
    const std::string& dir, const std::string& config) {
  std::string path =
      absl::StrContains(config, '/') ? config : absl::StrCat(dir, "/", config);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("OpenCC configuration not found: ", path,
                     " (install Debian package libopencc-data, or set "
                     "NameNormalizerOptions::opencc_dir)"));
  }
  try {
    return std::make_unique<opencc::SimpleConverter>(path);
  } catch (const opencc::Exception& e) {
    return absl::InternalError(
        absl::StrCat("OpenCC cannot load ", path, ": ", e.what()));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("OpenCC cannot load ", path, ": ", e.what()));
  } catch (...) {
    return absl::InternalError(absl::StrCat("OpenCC cannot load ", path));
  }
}

std::string Convert(const opencc::SimpleConverter& converter,
                    const std::string& text) {
  if (text.empty()) return text;
  try {
    return converter.Convert(text);
  } catch (const opencc::Exception&) {
  } catch (const std::exception&) {
  } catch (...) {
  }
  return text;  // unconverted rather than nothing
}

enum class Script { kLatin, kHan, kOther };
enum class Role { kUnknown, kFamily, kGiven };

// One token of the input, after NFKC and folding.
struct Token {
  std::string text;  // Latin: case-folded, accents stripped; Han: as typed
  Script script = Script::kLatin;
  bool caps = false;  // written in capitals (two letters or more)
  int group = -1;     // tokens of one hyphenated word share a group
  int part = 0;       // 0 before the first ',' or ';', 1 after
  Role role = Role::kUnknown;
};

// A token of a romanised name. Han characters inside a romanised name
// ("CHAN Hiu 軒") become one token each, romanised in HK style.
struct RToken {
  std::string roman;  // lower-case romanisation used in keys
  bool caps = false;
  bool syllabic = false;  // looks like a Chinese romanised syllable (or two)
  bool han = false;
  std::string han_char;                // the character, for han tokens
  std::vector<std::string> syllables;  // roman split into syllables
  std::vector<std::string> cantonese;  // their Cantonese comparison keys
  int group = -1;
  int part = 0;
  Role role = Role::kUnknown;
};

enum class Slot { kFamily, kGiven, kWestern };

}  // namespace

// ---------------------------------------------------------------------------

struct NameNormalizer::Impl {
  const icu::Normalizer2* nfkc = nullptr;
  const icu::Normalizer2* nfd = nullptr;
  std::unique_ptr<opencc::SimpleConverter> t2s;
  std::unique_ptr<opencc::SimpleConverter> s2t;
  std::unique_ptr<JyutpingDictionary> jyutping;
  mutable std::unique_ptr<TransliteratorPool> pinyin_pool;
  // Pinyin per character, filled as characters are met (bounded).
  static constexpr size_t kMaxPinyinCache = 1 << 17;
  mutable absl::Mutex pinyin_cache_mu;
  mutable absl::flat_hash_map<std::string, std::string> pinyin_cache
      ABSL_GUARDED_BY(pinyin_cache_mu);
  absl::flat_hash_set<std::string> pinyin_syllables;
  // FoldHkSyllable(JyutpingToHk(j)) for every Jyutping syllable j.
  absl::flat_hash_set<std::string> hk_keys;

  struct HanSurname {
    std::vector<std::string> hk;      // syllables
    std::vector<std::string> pinyin;  // syllables; empty = from ICU
  };
  // Traditional (and Simplified) spelling -> rank; and overrides.
  absl::flat_hash_map<std::string, int> han_surname_rank;
  absl::flat_hash_map<std::string, HanSurname> han_surnames;  // Traditional
  // Romanised keys (Cantonese key, pinyin) -> rank; compounds separately.
  absl::flat_hash_map<std::string, int> roman_surname_rank;
  absl::flat_hash_map<std::string, int> roman_compound_rank;

  // --- Text ----------------------------------------------------------------

  std::string FoldLatin(const icu::UnicodeString& token) const {
    icu::UnicodeString s(token);
    s.foldCase();
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString d = nfd->normalize(s, status);
    if (U_FAILURE(status)) d = s;
    std::string out;
    for (int32_t i = 0; i < d.length();) {
      UChar32 c = d.char32At(i);
      i += U16_LENGTH(c);
      int8_t type = u_charType(c);
      if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK ||
          type == U_COMBINING_SPACING_MARK) {
        continue;
      }
      if (const char* special = SpecialLatin(c)) {
        out += special;
        continue;
      }
      icu::UnicodeString one(c);
      one.toUTF8String(out);
    }
    return out;
  }

  // Pinyin syllables (lower-case ASCII, no tones) of each character, from
  // ICU Han-Latin; "" where ICU has no reading. Characters are read one by
  // one (no word context), so readings are cached per character.
  std::vector<std::string> Pinyin(const std::vector<std::string>& chars) const {
    std::vector<std::string> out(chars.size());
    std::vector<size_t> missing;
    {
      absl::ReaderMutexLock lock(&pinyin_cache_mu);
      for (size_t i = 0; i < chars.size(); ++i) {
        auto it = pinyin_cache.find(chars[i]);
        if (it != pinyin_cache.end()) {
          out[i] = it->second;
        } else {
          missing.push_back(i);
        }
      }
    }
    if (missing.empty()) return out;
    std::vector<std::string> todo;
    for (size_t i : missing) todo.push_back(chars[i]);
    std::vector<std::string> read = TransliteratePinyin(todo);
    absl::MutexLock lock(&pinyin_cache_mu);
    for (size_t k = 0; k < missing.size(); ++k) {
      out[missing[k]] = read[k];
      if (pinyin_cache.size() < kMaxPinyinCache) {
        pinyin_cache.emplace(todo[k], read[k]);
      }
    }
    return out;
  }

  std::vector<std::string> TransliteratePinyin(
      const std::vector<std::string>& chars) const {
    std::vector<std::string> out(chars.size());
    if (chars.empty()) return out;
    std::unique_ptr<icu::Transliterator> t = pinyin_pool->Acquire();
    auto run = [&](const std::string& text) {
      icu::UnicodeString u = icu::UnicodeString::fromUTF8(
          icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
      t->transliterate(u);
      return u;
    };
    auto ascii = [&](const icu::UnicodeString& u) {
      std::string s = FoldLatin(u);
      return IsLowerAscii(s) ? s : std::string();
    };
    // One call for all, the characters spaced so that ICU keeps one syllable
    // per character.
    icu::UnicodeString all = run(absl::StrJoin(chars, " "));
    std::vector<std::string> parts =
        absl::StrSplit(ToUtf8(all), ' ', absl::SkipEmpty());
    if (parts.size() == chars.size()) {
      for (size_t i = 0; i < parts.size(); ++i) {
        out[i] = ascii(icu::UnicodeString::fromUTF8(parts[i]));
      }
    } else {
      for (size_t i = 0; i < chars.size(); ++i) out[i] = ascii(run(chars[i]));
    }
    pinyin_pool->Release(std::move(t));
    return out;
  }

  // Traditional form of each character (aligned with `chars`).
  std::vector<std::string> Traditional(
      const std::vector<std::string>& chars) const {
    std::string joined = absl::StrJoin(chars, "");
    std::vector<std::string> trad = SplitChars(Convert(*s2t, joined));
    if (trad.size() == chars.size()) return trad;
    trad.clear();
    for (const std::string& c : chars) {
      std::string t = Convert(*s2t, c);
      trad.push_back(SplitChars(t).size() == 1 ? t : c);
    }
    return trad;
  }

  // Jyutping reading of a character as typed or in Traditional form.
  absl::string_view Reading(const std::string& orig,
                            const std::string& trad) const {
    absl::string_view r = jyutping->Reading(FirstCodePoint(orig));
    if (r.empty() && trad != orig) r = jyutping->Reading(FirstCodePoint(trad));
    return r;
  }

  // --- Syllables -----------------------------------------------------------

  // Syllable systems, for SegmentIn.
  static constexpr int kCantonese = 1;  // Jyutping or HK spelling
  static constexpr int kMandarin = 2;   // pinyin
  static constexpr int kAny = kCantonese | kMandarin;

  bool IsSyllable(absl::string_view s, int systems = kAny) const {
    if ((systems & kMandarin) && pinyin_syllables.contains(s)) return true;
    return (systems & kCantonese) &&
           (jyutping->IsSyllable(s) || hk_keys.contains(FoldHkSyllable(s)));
  }

  // Splits `token` into the fewest syllables of the given systems (at most
  // `max_syllables`), preferring syllables that start with a consonant
  // ("hoyan" = ho+yan, not hoy+an). False when impossible.
  bool SegmentIn(absl::string_view token, size_t max_syllables, int systems,
                 std::vector<std::string>* out) const {
    out->clear();
    const size_t n = token.size();
    if (n == 0 || n > kMaxSegmentedToken || !IsLowerAscii(token)) return false;
    constexpr int kInf = 1 << 20;
    // cost[i] = (syllables, vowel-initial syllables) to cover token[i..n).
    std::vector<std::pair<int, int>> cost(n + 1, {kInf, kInf});
    std::vector<size_t> next(n + 1, 0);
    cost[n] = {0, 0};
    auto is_vowel = [](char c) {
      return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
    };
    for (size_t i = n; i-- > 0;) {
      for (size_t len = std::min(kMaxSyllableLength, n - i); len >= 1; --len) {
        if (cost[i + len].first >= kInf) continue;
        if (!IsSyllable(token.substr(i, len), systems)) continue;
        std::pair<int, int> c = {
            cost[i + len].first + 1,
            cost[i + len].second + (is_vowel(token[i]) ? 1 : 0)};
        if (c < cost[i]) {
          cost[i] = c;
          next[i] = i + len;
        }
      }
    }
    if (cost[0].first >= kInf ||
        static_cast<size_t>(cost[0].first) > max_syllables) {
      return false;
    }
    for (size_t i = 0; i < n; i = next[i]) {
      out->emplace_back(token.substr(i, next[i] - i));
    }
    return true;
  }

  // A lone romanised syllable's Cantonese comparison key: HK spellings are
  // folded; Jyutping spellings ("ji", "gin", "cung") are first converted.
  std::string CantoneseSyllable(absl::string_view s) const {
    std::string folded = FoldHkSyllable(s);
    if (hk_keys.contains(folded)) return folded;
    if (jyutping->IsSyllable(s)) return FoldHkSyllable(JyutpingToHk(s));
    return folded;
  }

  // Splits a Latin token into syllables (Cantonese first, then pinyin,
  // then the two mixed) and says whether it looks like a Chinese given or
  // family name: one or two syllables of one system ("man", "taiman",
  // "xiaoming"; not "peter", which only splits as Jyutping pet + pinyin er).
  bool SplitToken(absl::string_view token,
                  std::vector<std::string>* syllables) const {
    if (token.size() < 2) {  // single letters are initials
      *syllables = {std::string(token)};
      return false;
    }
    if (SegmentIn(token, 4, kCantonese, syllables))
      return syllables->size() <= 2;
    if (SegmentIn(token, 4, kMandarin, syllables))
      return syllables->size() <= 2;
    if (!SegmentIn(token, 4, kAny, syllables))
      *syllables = {std::string(token)};
    return false;
  }

  // Fills syllables and Cantonese keys of a token (kept as it is when it
  // does not split into syllables).
  void Romanise(RToken* t) const {
    if (t->han) {
      t->syllables = {t->roman};
      t->cantonese = {IsLowerAscii(t->roman) ? FoldHkSyllable(t->roman)
                                             : t->roman};
      return;
    }
    t->cantonese.clear();
    if (t->syllables.size() == 1 && t->syllables[0] == t->roman &&
        !IsSyllable(t->roman)) {
      t->cantonese.push_back(t->roman);
      return;
    }
    for (const std::string& syl : t->syllables) {
      t->cantonese.push_back(CantoneseSyllable(syl));
    }
  }

  // --- Surnames ------------------------------------------------------------

  int RomanRank(absl::string_view joined_raw, absl::string_view cantonese_key,
                bool compound_only) const {
    const auto& map = compound_only ? roman_compound_rank : roman_surname_rank;
    int rank = -1;
    for (absl::string_view k : {joined_raw, cantonese_key}) {
      auto it = map.find(k);
      if (it != map.end() && (rank < 0 || it->second < rank)) rank = it->second;
    }
    return rank;
  }

  // Rank of tokens [begin, end) read as a surname, or -1.
  int TokensRank(const std::vector<RToken>& t, const std::vector<size_t>& idx,
                 size_t begin, size_t end) const {
    if (begin >= end) return -1;
    if (end - begin == 1 && t[idx[begin]].han) {
      auto it = han_surname_rank.find(t[idx[begin]].han_char);
      return it == han_surname_rank.end() ? -1 : it->second;
    }
    std::string raw, ck;
    for (size_t i = begin; i < end; ++i) {
      const RToken& k = t[idx[i]];
      if (!k.syllabic && !k.han) return -1;
      raw += k.roman;
      ck += absl::StrJoin(k.cantonese, "");
    }
    return RomanRank(raw, ck, /*compound_only=*/end - begin > 1);
  }

  // --- Analysis ------------------------------------------------------------

  void AddSurname(const std::string& han, absl::string_view hk,
                  absl::string_view pinyin, int rank);
  std::vector<RToken> MakeRTokens(const std::vector<Token>& tokens) const;
  std::vector<Token> Tokenize(absl::string_view input) const;
  static void RemoveHonorifics(std::vector<Token>* tokens);
  NameForms Analyse(std::vector<Token> tokens) const;
  void AnalyseHan(const std::vector<Token>& tokens, NameForms* out) const;
  void AnalyseRomanised(const std::vector<Token>& tokens, NameForms* out) const;
  std::vector<Slot> Assign(const std::vector<RToken>& t) const;
  void DetectFamily(const std::vector<RToken>& t,
                    const std::vector<size_t>& idx,
                    std::vector<Slot>* slot) const;
  size_t CompoundLength(const std::vector<RToken>& t,
                        const std::vector<size_t>& idx, size_t begin,
                        size_t end, bool at_end) const;
};

// ---------------------------------------------------------------------------
// Tokenising.

std::vector<Token> NameNormalizer::Impl::Tokenize(
    absl::string_view input) const {
  std::vector<Token> out;
  if (input.size() > kMaxInputBytes) input = input.substr(0, kMaxInputBytes);
  // Invalid UTF-8 becomes U+FFFD, dropped below.
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(input.data(), static_cast<int32_t>(input.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString n = nfkc->normalize(u, status);  // full width -> ASCII
  if (U_FAILURE(status)) n = u;

  icu::UnicodeString cur;
  Script cur_script = Script::kLatin;
  int upper = 0, lower = 0, part = 0, groups = 0;
  bool cur_hyphen = false;      // current token follows a hyphen
  bool hyphen_pending = false;  // a hyphen right after the last token
  auto flush = [&]() {
    if (cur.isEmpty()) return;
    Token t;
    t.script = cur_script;
    t.part = part;
    t.caps = cur_script != Script::kHan && upper >= 2 && lower == 0;
    t.text = cur_script == Script::kHan ? ToUtf8(cur) : FoldLatin(cur);
    if (cur_hyphen && !out.empty() && out.back().script == t.script &&
        out.back().part == t.part) {
      if (out.back().group < 0) out.back().group = groups++;
      t.group = out.back().group;
    }
    cur.remove();
    upper = lower = 0;
    cur_hyphen = false;
    if (!t.text.empty()) out.push_back(std::move(t));
  };
  for (int32_t i = 0; i < n.length();) {
    UChar32 c = n.char32At(i);
    i += U16_LENGTH(c);
    if (c == 0xFFFD || u_iscntrl(c) || u_isUWhiteSpace(c)) {
      flush();
      hyphen_pending = false;
      continue;
    }
    if (c == ',' || c == ';' || c == 0x3001 /* 、 */) {
      flush();
      hyphen_pending = false;
      if (!out.empty()) part = 1;
      continue;
    }
    const int8_t type = u_charType(c);
    if (type == U_DASH_PUNCTUATION) {
      const bool after_token = !cur.isEmpty();
      flush();
      hyphen_pending = after_token;
      continue;
    }
    if (c == '\'' || c == 0x2018 || c == 0x2019 || c == 0x02BC) continue;
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK ||
        type == U_COMBINING_SPACING_MARK) {
      if (!cur.isEmpty()) cur.append(c);
      continue;
    }
    const bool han = IsHan(c);
    if (!han && !u_isalpha(c)) {  // digits, punctuation, symbols
      flush();
      hyphen_pending = false;
      continue;
    }
    UErrorCode script_status = U_ZERO_ERROR;
    const Script script =
        han ? Script::kHan
            : (uscript_getScript(c, &script_status) == USCRIPT_LATIN
                   ? Script::kLatin
                   : Script::kOther);
    if (!cur.isEmpty() && script != cur_script) {
      flush();
      hyphen_pending = false;
    }
    if (cur.isEmpty()) {
      cur_script = script;
      cur_hyphen = hyphen_pending;
      hyphen_pending = false;
    }
    cur.append(c);
    if (u_isupper(c)) {
      ++upper;
    } else if (u_islower(c)) {
      ++lower;
    }
  }
  flush();
  return out;
}

void NameNormalizer::Impl::RemoveHonorifics(std::vector<Token>* tokens) {
  std::vector<Token> kept;
  kept.reserve(tokens->size());
  for (Token& t : *tokens) {
    if (t.script == Script::kLatin && LatinHonorifics().contains(t.text)) {
      continue;
    }
    if (t.script == Script::kHan) {
      for (bool changed = true; changed;) {
        changed = false;
        for (absl::string_view h : kHanHonorifics) {
          if (absl::EndsWith(t.text, h)) {
            t.text.resize(t.text.size() - h.size());
            changed = true;
          }
        }
      }
      if (t.text.empty()) continue;
    }
    kept.push_back(std::move(t));
  }
  *tokens = std::move(kept);
}

// ---------------------------------------------------------------------------
// Analysis.

NameForms NameNormalizer::Impl::Analyse(std::vector<Token> tokens) const {
  NameForms out;
  RemoveHonorifics(&tokens);
  if (tokens.empty()) return out;
  bool any_han = false, han_multi = false, any_other = false;
  std::vector<absl::string_view> texts;
  for (const Token& t : tokens) {
    texts.push_back(t.text);
    if (t.script == Script::kHan) {
      any_han = true;
      if (SplitChars(t.text).size() >= 2) han_multi = true;
    } else {
      any_other = true;
    }
  }
  out.folded = absl::StrJoin(texts, " ");
  if (any_han) out.folded = Convert(*t2s, out.folded);
  // A Han name: a Han token of two characters or more, or Han only. Single
  // characters inside a romanised name ("CHAN Hiu 軒") are read inline.
  if (any_han && (han_multi || !any_other)) {
    AnalyseHan(tokens, &out);
  } else {
    AnalyseRomanised(tokens, &out);
  }
  return out;
}

void NameNormalizer::Impl::AnalyseHan(const std::vector<Token>& tokens,
                                      NameForms* out) const {
  std::vector<const Token*> han;
  std::vector<Token> latin;
  const bool forced =
      std::any_of(tokens.begin(), tokens.end(),
                  [](const Token& t) { return t.role != Role::kUnknown; });
  for (const Token& t : tokens) {
    if (t.script == Script::kHan) {
      han.push_back(&t);
    } else {
      latin.push_back(t);
    }
  }
  // Characters in order and where the family name ends.
  std::vector<std::string> chars;
  size_t fam_len = 0;
  if (forced) {
    for (const Token* h : han) {  // family tokens come first
      std::vector<std::string> cs = SplitChars(h->text);
      if (h->role == Role::kFamily) fam_len += cs.size();
      chars.insert(chars.end(), cs.begin(), cs.end());
    }
  } else {
    for (const Token* h : han) {
      std::vector<std::string> cs = SplitChars(h->text);
      chars.insert(chars.end(), cs.begin(), cs.end());
    }
    // "陳 大文": a space after a short first token marks the family name.
    const size_t first = SplitChars(han[0]->text).size();
    fam_len = han.size() >= 2 && first <= 2 ? first
                                            : std::min<size_t>(1, chars.size());
  }
  const std::vector<std::string> trad = Traditional(chars);
  if (!forced && fam_len == 1 && chars.size() >= 2) {
    std::string two = trad[0] + trad[1];
    auto it = han_surnames.find(two);
    if (it != han_surnames.end()) fam_len = 2;  // 歐陽, 司徒, 上官 ...
  }
  const size_t n = chars.size();
  std::vector<std::string> py = Pinyin(chars);
  std::vector<std::string> hk(n);
  for (size_t i = 0; i < n; ++i) {
    absl::string_view r = Reading(chars[i], trad[i]);
    if (!r.empty()) hk[i] = JyutpingToHk(r);
  }
  if (fam_len > 0) {
    std::string fam_trad;
    for (size_t i = 0; i < fam_len; ++i) fam_trad += trad[i];
    auto it = han_surnames.find(fam_trad);
    if (it != han_surnames.end()) {
      for (size_t i = 0; i < it->second.hk.size() && i < fam_len; ++i) {
        hk[i] = it->second.hk[i];
      }
      for (size_t i = 0; i < it->second.pinyin.size() && i < fam_len; ++i) {
        py[i] = it->second.pinyin[i];
      }
    }
  }
  std::vector<std::string> ck(n);
  for (size_t i = 0; i < n; ++i) {
    if (py[i].empty()) py[i] = trad[i];  // no reading: keep the character
    if (hk[i].empty()) hk[i] = trad[i];
    ck[i] = IsLowerAscii(hk[i]) ? FoldHkSyllable(hk[i]) : hk[i];
  }
  auto join = [](const std::vector<std::string>& v, size_t b, size_t e,
                 absl::string_view sep) {
    return absl::StrJoin(v.begin() + b, v.begin() + e, sep);
  };
  const std::string py_fam = join(py, 0, fam_len, "");
  const std::string py_giv = join(py, fam_len, n, "");
  const std::string ck_fam = join(ck, 0, fam_len, "");
  const std::string ck_giv = join(ck, fam_len, n, "");
  out->is_han = true;
  out->family = py_fam;
  out->given = py_giv;
  out->cantonese_key = JoinKey(ck_fam, ck_giv);
  AddKey(out, JoinKey(py_fam, py_giv), SortedJoin(py));
  AddKey(out, out->cantonese_key, SortedJoin(ck));
  AddFamilyKey(out, py_fam);
  AddFamilyKey(out, ck_fam);
  std::vector<std::string> fam_disp, giv_disp;
  for (size_t i = 0; i < n; ++i) {
    if (i < fam_len) {
      fam_disp.push_back(absl::AsciiStrToUpper(hk[i]));
    } else {
      giv_disp.push_back(Capitalised(hk[i]));
    }
  }
  out->hk_romanisation =
      JoinKey(absl::StrJoin(fam_disp, " "), absl::StrJoin(giv_disp, " "));

  // Latin tokens beside the Han name: a Western given name ("陳大文 Peter"),
  // or the same name romanised ("陳大文 CHAN Tai Man, Peter").
  if (!latin.empty()) {
    NameForms extra;
    AnalyseRomanised(latin, &extra);
    if (!extra.cantonese_key.empty()) {
      for (size_t i = 0; i < extra.romanisations.size(); ++i) {
        AddKey(out, extra.romanisations[i], extra.sorted_keys[i]);
      }
      out->western_given = extra.western_given;
    } else {
      std::vector<std::string> western;
      for (const Token& t : latin) {
        if (std::find(out->family_keys.begin(), out->family_keys.end(),
                      t.text) == out->family_keys.end()) {
          western.push_back(t.text);
        }
      }
      out->western_given = absl::StrJoin(western, " ");
    }
  }
}

std::vector<RToken> NameNormalizer::Impl::MakeRTokens(
    const std::vector<Token>& tokens) const {
  std::vector<RToken> t;
  for (const Token& k : tokens) {
    if (k.script == Script::kHan) {
      const std::vector<std::string> chars = SplitChars(k.text);
      const std::vector<std::string> trad = Traditional(chars);
      for (size_t i = 0; i < chars.size(); ++i) {
        RToken r;
        r.han = true;
        r.syllabic = true;
        r.han_char = trad[i];
        r.part = k.part;
        r.role = k.role;
        absl::string_view j = Reading(chars[i], trad[i]);
        r.roman = j.empty() ? trad[i] : JyutpingToHk(j);
        t.push_back(std::move(r));
      }
      continue;
    }
    RToken r;
    r.roman = k.text;
    r.caps = k.caps;
    r.group = k.group;
    r.part = k.part;
    r.role = k.role;
    // Single letters are initials, not syllables.
    if (k.script == Script::kLatin) {
      r.syllabic = SplitToken(k.text, &r.syllables);
    } else {
      r.syllables = {k.text};
    }
    t.push_back(std::move(r));
  }
  // A hyphenated word with one Chinese syllable is a Chinese given name
  // (Wade-Giles "Hsiao-ming"); "Mary-Ann" and "Jean-Pierre" stay Western.
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].group < 0 || !t[i].syllabic) continue;
    for (RToken& k : t) {
      if (k.group == t[i].group) k.syllabic = true;
    }
  }
  for (RToken& k : t) Romanise(&k);
  return t;
}

void NameNormalizer::Impl::AnalyseRomanised(const std::vector<Token>& tokens,
                                            NameForms* out) const {
  const std::vector<RToken> t = MakeRTokens(tokens);
  if (t.empty()) return;
  const std::vector<Slot> slot = Assign(t);
  std::vector<const RToken*> fam, giv, west;
  for (size_t i = 0; i < t.size(); ++i) {
    switch (slot[i]) {
      case Slot::kFamily:
        fam.push_back(&t[i]);
        break;
      case Slot::kGiven:
        giv.push_back(&t[i]);
        break;
      case Slot::kWestern:
        west.push_back(&t[i]);
        break;
    }
  }
  const bool chinese_family =
      !fam.empty() && std::all_of(fam.begin(), fam.end(), [](const RToken* k) {
        return k->syllabic || k->han;
      });
  // Beside a Western family name, given names are Western ("van der Berg,
  // Jan": not a Cantonese syllable).
  if (!fam.empty() && !chinese_family && !giv.empty()) {
    std::vector<const RToken*> merged;
    for (size_t i = 0; i < t.size(); ++i) {
      if (slot[i] != Slot::kFamily) merged.push_back(&t[i]);
    }
    west = std::move(merged);
    giv.clear();
  }
  auto romans = [](const std::vector<const RToken*>& v) {
    std::vector<absl::string_view> r;
    for (const RToken* k : v) r.push_back(k->roman);
    return r;
  };
  out->family = absl::StrJoin(romans(fam), chinese_family ? "" : " ");
  const std::string given_cn = absl::StrJoin(romans(giv), "");
  out->western_given = absl::StrJoin(romans(west), " ");
  out->given = given_cn.empty() ? out->western_given : given_cn;
  // A Chinese name: a Chinese given name, or a lone Chinese family name.
  const bool chinese = !giv.empty() || (chinese_family && west.empty());

  std::vector<std::string> raw_syllables;
  if (chinese) {
    for (const auto* part : {&fam, &giv}) {
      for (const RToken* k : *part) {
        raw_syllables.insert(raw_syllables.end(), k->syllables.begin(),
                             k->syllables.end());
      }
    }
  } else {
    for (const auto* part : {&fam, &west}) {
      for (const RToken* k : *part) raw_syllables.push_back(k->roman);
    }
  }
  AddKey(out, JoinKey(out->family, out->given), SortedJoin(raw_syllables));
  AddFamilyKey(out, out->family);
  if (chinese_family || chinese) {
    std::vector<std::string> ck_syllables;
    std::string ck_fam, ck_giv;
    for (const RToken* k : fam) {
      for (const std::string& c : k->cantonese) {
        ck_fam += c;
        ck_syllables.push_back(c);
      }
    }
    for (const RToken* k : giv) {
      for (const std::string& c : k->cantonese) {
        ck_giv += c;
        ck_syllables.push_back(c);
      }
    }
    if (chinese_family) AddFamilyKey(out, ck_fam);
    if (chinese) {
      out->cantonese_key = JoinKey(ck_fam, ck_giv);
      AddKey(out, out->cantonese_key, SortedJoin(ck_syllables));
    }
  }
}

size_t NameNormalizer::Impl::CompoundLength(const std::vector<RToken>& t,
                                            const std::vector<size_t>& idx,
                                            size_t begin, size_t end,
                                            bool at_end) const {
  if (end - begin < 2) return 1;
  const size_t b = at_end ? end - 2 : begin;
  return TokensRank(t, idx, b, b + 2) >= 0 ? 2 : 1;
}

std::vector<Slot> NameNormalizer::Impl::Assign(
    const std::vector<RToken>& t) const {
  const size_t n = t.size();
  std::vector<Slot> slot(n, Slot::kWestern);
  auto rest = [&](size_t i) {
    slot[i] = (t[i].syllabic || t[i].han) ? Slot::kGiven : Slot::kWestern;
  };
  if (std::any_of(t.begin(), t.end(),
                  [](const RToken& k) { return k.role != Role::kUnknown; })) {
    for (size_t i = 0; i < n; ++i) {
      if (t[i].role == Role::kFamily) {
        slot[i] = Slot::kFamily;
      } else {
        rest(i);
      }
    }
    return slot;
  }
  std::vector<size_t> a, b;
  for (size_t i = 0; i < n; ++i) (t[i].part == 0 ? a : b).push_back(i);
  if (!a.empty() && !b.empty()) {
    auto all_caps = [&](const std::vector<size_t>& v) {
      return std::all_of(v.begin(), v.end(),
                         [&](size_t i) { return t[i].caps; });
    };
    const bool none_chinese = std::none_of(a.begin(), a.end(), [&](size_t i) {
      return t[i].syllabic || t[i].han;
    });
    // "Chan, Tai Man", "AU YEUNG, Man", "Smith, John": family, given.
    const bool last_first =
        a.size() == 1 ||
        (a.size() == 2 && CompoundLength(t, a, 0, 2, false) == 2) ||
        (all_caps(a) && !all_caps(b)) || none_chinese;
    if (last_first) {
      for (size_t i : a) slot[i] = Slot::kFamily;
      for (size_t i : b) rest(i);
      return slot;
    }
    // "CHAN Tai Man, Peter": a full name, then Western given names.
    DetectFamily(t, a, &slot);
    for (size_t i : b) slot[i] = Slot::kWestern;
    return slot;
  }
  DetectFamily(t, a.empty() ? b : a, &slot);
  return slot;
}

void NameNormalizer::Impl::DetectFamily(const std::vector<RToken>& t,
                                        const std::vector<size_t>& idx,
                                        std::vector<Slot>* slot) const {
  std::vector<Slot>& s = *slot;
  const size_t n = idx.size();
  auto chinese = [&](size_t k) { return t[idx[k]].syllabic || t[idx[k]].han; };
  auto rest = [&](size_t k) {
    s[idx[k]] = chinese(k) ? Slot::kGiven : Slot::kWestern;
  };

  // 1. HK style: the family name in capitals beside mixed-case given names
  //    ("CHAN Tai Man", "Peter CHAN Tai Man", "Tai Man CHAN").
  bool any_caps = false, any_mixed = false;
  for (size_t k = 0; k < n; ++k) {
    const RToken& r = t[idx[k]];
    if (r.caps) {
      any_caps = true;
    } else if (!r.han && r.roman.size() >= 2) {
      any_mixed = true;
    }
  }
  if (any_caps && any_mixed) {
    size_t b = 0;
    while (!t[idx[b]].caps) ++b;
    size_t e = b;
    while (e < n && t[idx[e]].caps) ++e;
    // Before the family name: given names when nothing follows it
    // ("Tai Man CHAN"), else Western given names ("Peter CHAN Tai Man").
    for (size_t k = 0; k < n; ++k) {
      if (k >= b && k < e) {
        s[idx[k]] = Slot::kFamily;
      } else if (k < b && e < n) {
        s[idx[k]] = Slot::kWestern;
      } else {
        rest(k);
      }
    }
    return;
  }

  // Western order: the last token (with its hyphenated partners) is the
  // family name, the others Western given names.
  auto western_order = [&]() {
    size_t b = n - 1;
    while (b > 0 && t[idx[b]].group >= 0 &&
           t[idx[b - 1]].group == t[idx[b]].group) {
      --b;
    }
    for (size_t k = 0; k < n; ++k) {
      s[idx[k]] = k >= b ? Slot::kFamily : Slot::kWestern;
    }
  };

  // 2. Western-looking tokens at either end are Western given names
  //    ("Peter Chan Tai Man", "Chan Tai Man Peter").
  size_t lo = 0, hi = n;
  while (lo < hi && !chinese(lo)) ++lo;
  while (hi > lo && !chinese(hi - 1)) --hi;
  if (lo == hi) {
    western_order();
    return;
  }
  auto finish = [&](size_t b, size_t e) {
    for (size_t k = 0; k < n; ++k) {
      if (k >= b && k < e) {
        s[idx[k]] = Slot::kFamily;
      } else if (k < lo || k >= hi) {
        s[idx[k]] = Slot::kWestern;
      } else {
        rest(k);
      }
    }
  };
  const size_t start_len = CompoundLength(t, idx, lo, hi, /*at_end=*/false);
  const size_t end_len = CompoundLength(t, idx, lo, hi, /*at_end=*/true);

  // 3. A hyphenated given name at one end: the family name is at the other
  //    ("Chan Tai-man", "Tai-man Chan").
  if (hi - lo >= 2) {
    const int g_first = t[idx[lo]].group, g_last = t[idx[hi - 1]].group;
    const bool first_grouped = g_first >= 0 && t[idx[lo + 1]].group == g_first;
    const bool last_grouped = g_last >= 0 && t[idx[hi - 2]].group == g_last;
    if (last_grouped && !first_grouped) {
      finish(lo, lo + start_len);
      return;
    }
    if (first_grouped && !last_grouped) {
      finish(hi - end_len, hi);
      return;
    }
  }

  // 4. A compound surname at one end ("Au Yeung Man", "Man Au Yeung"): two
  //    syllables that spell one are rarely a coincidence.
  if (hi - lo >= 3 && (start_len == 2) != (end_len == 2)) {
    if (start_len == 2) {
      finish(lo, lo + 2);
    } else {
      finish(hi - 2, hi);
    }
    return;
  }

  // 5. The better-ranked known surname at either end ("Tai Man Chan": CHAN
  //    outranks TAI; "Dawen Chen": only CHEN is a surname). Ties go to the
  //    front, the Chinese order.
  const int rank_start = TokensRank(t, idx, lo, lo + start_len);
  const int rank_end = hi - lo > 1 ? TokensRank(t, idx, hi - end_len, hi) : -1;
  if (rank_start >= 0 && (rank_end < 0 || rank_start <= rank_end)) {
    finish(lo, lo + start_len);
    return;
  }
  if (rank_end >= 0) {
    finish(hi - end_len, hi);
    return;
  }
  // 6. No known surname: Chinese order when every token looks Chinese,
  //    Western order otherwise ("Jose Garcia").
  //    In Chinese order a lone syllable is likelier the family name than a
  //    two-syllable token ("Jinping Xi").
  if (lo == 0 && hi == n) {
    if (hi - lo >= 2 && start_len == 1 && end_len == 1 &&
        t[idx[lo]].syllables.size() >= 2 &&
        t[idx[hi - 1]].syllables.size() == 1) {
      finish(hi - 1, hi);
    } else {
      finish(lo, lo + start_len);
    }
    return;
  }
  western_order();
}

// ---------------------------------------------------------------------------
// Set-up.

void NameNormalizer::Impl::AddSurname(const std::string& han,
                                      absl::string_view hk_spec,
                                      absl::string_view pinyin_spec, int rank) {
  const std::vector<std::string> chars = SplitChars(han);
  if (chars.empty() || chars.size() > 2) return;
  for (const std::string& c : chars) {
    if (!IsHan(static_cast<UChar32>(FirstCodePoint(c)))) return;
  }
  if (han_surname_rank.contains(han)) return;  // the better rank stays
  HanSurname info;
  info.hk = absl::StrSplit(hk_spec, ' ', absl::SkipEmpty());
  if (info.hk.size() != chars.size()) info.hk.clear();
  info.pinyin = absl::StrSplit(pinyin_spec, ' ', absl::SkipEmpty());
  if (info.pinyin.size() != chars.size()) info.pinyin.clear();

  han_surname_rank.emplace(han, rank);
  han_surname_rank.emplace(Convert(*t2s, han), rank);

  std::vector<std::string> hk = info.hk;
  if (hk.empty()) {
    for (const std::string& c : chars) {
      absl::string_view r = jyutping->Reading(FirstCodePoint(c));
      if (r.empty()) {
        hk.clear();
        break;
      }
      hk.push_back(JyutpingToHk(r));
    }
  }
  std::vector<std::string> py = info.pinyin;
  if (py.empty()) {
    py = Pinyin(chars);
    if (std::any_of(py.begin(), py.end(),
                    [](const std::string& p) { return p.empty(); })) {
      py.clear();
    }
  }
  std::string cantonese;
  for (const std::string& h : hk) cantonese += FoldHkSyllable(h);
  const std::string pinyin = absl::StrJoin(py, "");
  auto put = [rank](absl::flat_hash_map<std::string, int>& map,
                    const std::string& key) {
    if (key.empty()) return;
    auto [it, inserted] = map.emplace(key, rank);
    if (!inserted) it->second = std::min(it->second, rank);
  };
  put(roman_surname_rank, cantonese);
  put(roman_surname_rank, pinyin);
  if (chars.size() == 2) {
    put(roman_compound_rank, cantonese);
    put(roman_compound_rank, pinyin);
  }
  han_surnames.emplace(han, std::move(info));
}

NameNormalizer::NameNormalizer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

NameNormalizer::~NameNormalizer() = default;

absl::StatusOr<std::unique_ptr<NameNormalizer>> NameNormalizer::Create(
    const NameNormalizerOptions& options) {
  auto impl = std::make_unique<Impl>();
  UErrorCode status = U_ZERO_ERROR;
  impl->nfkc = icu::Normalizer2::getNFKCInstance(status);
  impl->nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) {
    return absl::InternalError(
        absl::StrCat("ICU normalizers unavailable: ", u_errorName(status)));
  }
  std::unique_ptr<icu::Transliterator> han_latin(
      icu::Transliterator::createInstance("Han-Latin", UTRANS_FORWARD, status));
  if (U_FAILURE(status) || han_latin == nullptr) {
    return absl::InternalError(absl::StrCat(
        "ICU Han-Latin transliterator unavailable: ", u_errorName(status)));
  }
  impl->pinyin_pool =
      std::make_unique<TransliteratorPool>(std::move(han_latin));

  absl::StatusOr<std::unique_ptr<opencc::SimpleConverter>> t2s =
      LoadOpenCC(options.opencc_dir, options.to_simplified_config);
  if (!t2s.ok()) return t2s.status();
  impl->t2s = *std::move(t2s);
  absl::StatusOr<std::unique_ptr<opencc::SimpleConverter>> s2t =
      LoadOpenCC(options.opencc_dir, options.to_traditional_config);
  if (!s2t.ok()) return s2t.status();
  impl->s2t = *std::move(s2t);

  absl::StatusOr<std::unique_ptr<JyutpingDictionary>> dict =
      JyutpingDictionary::Load(options.jyutping_dict);
  if (!dict.ok()) return dict.status();
  impl->jyutping = *std::move(dict);

  impl->pinyin_syllables = PinyinSyllables();
  for (const std::string& j : impl->jyutping->syllables()) {
    impl->hk_keys.insert(FoldHkSyllable(JyutpingToHk(j)));
  }

  int rank = 0;
  for (const SurnameEntry& e : kSurnames) {
    impl->AddSurname(e.han, e.hk, e.pinyin, rank++);
  }
  if (!options.extra_surnames_file.empty()) {
    std::ifstream in(options.extra_surnames_file, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("surname file not found or unreadable: ",
                       options.extra_surnames_file));
    }
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view l = absl::StripAsciiWhitespace(line);
      std::vector<absl::string_view> cols = absl::StrSplit(l, ',');
      absl::string_view name = l;
      if (cols.size() >= 4) {
        if (cols[1] != "surname") continue;
        name = cols[3];
      }
      name = absl::StripAsciiWhitespace(name);
      if (name.empty()) continue;
      impl->AddSurname(Convert(*impl->s2t, std::string(name)), "", "", rank++);
    }
  }
  return std::unique_ptr<NameNormalizer>(new NameNormalizer(std::move(impl)));
}

// ---------------------------------------------------------------------------
// Public API.

NameForms NameNormalizer::Normalize(absl::string_view full_name) const {
  return impl_->Analyse(impl_->Tokenize(full_name));
}

NameForms NameNormalizer::Normalize(absl::string_view given,
                                    absl::string_view family) const {
  std::vector<Token> tokens = impl_->Tokenize(family);
  for (Token& t : tokens) {
    t.role = Role::kFamily;
    t.part = 0;
    t.group = -1;
  }
  std::vector<Token> given_tokens = impl_->Tokenize(given);
  for (Token& t : given_tokens) {
    t.role = Role::kGiven;
    t.part = 0;
    t.group = -1;
    tokens.push_back(std::move(t));
  }
  return impl_->Analyse(std::move(tokens));
}

int NameNormalizer::SurnameRank(absl::string_view surname) const {
  std::vector<Token> tokens = impl_->Tokenize(surname);
  if (tokens.empty()) return -1;
  if (tokens.size() == 1 && tokens[0].script == Script::kHan) {
    auto it = impl_->han_surname_rank.find(tokens[0].text);
    if (it != impl_->han_surname_rank.end()) return it->second;
    it = impl_->han_surname_rank.find(Convert(*impl_->s2t, tokens[0].text));
    return it == impl_->han_surname_rank.end() ? -1 : it->second;
  }
  const std::vector<RToken> t = impl_->MakeRTokens(tokens);
  if (t.empty() || t.size() > 2) return -1;
  std::vector<size_t> idx(t.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  return impl_->TokensRank(t, idx, 0, t.size());
}

bool ShareNameKey(const NameForms& a, const NameForms& b) {
  for (const auto* keys : {&a.romanisations, &a.sorted_keys}) {
    const auto& other =
        keys == &a.romanisations ? b.romanisations : b.sorted_keys;
    for (const std::string& k : *keys) {
      if (!k.empty() &&
          std::find(other.begin(), other.end(), k) != other.end()) {
        return true;
      }
    }
  }
  return false;
}

std::string DebugString(const NameForms& f) {
  return absl::StrCat(
      "{folded=\"", f.folded, "\" family=\"", f.family, "\" given=\"", f.given,
      "\" western_given=\"", f.western_given, "\" romanisations=[",
      absl::StrJoin(f.romanisations, "|"), "] cantonese_key=\"",
      f.cantonese_key, "\" sorted_keys=[", absl::StrJoin(f.sorted_keys, "|"),
      "] family_keys=[", absl::StrJoin(f.family_keys, "|"), "] hk=\"",
      f.hk_romanisation, "\" is_han=", f.is_han ? "true" : "false", "}");
}

}  // namespace idr::matching
