#include "matching/jyutping.h"

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace idr::matching {
namespace {

// Decodes a whole UTF-8 string into code points; false on invalid UTF-8.
bool DecodeUtf8(absl::string_view s, std::vector<char32_t>* out) {
  out->clear();
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
    out->push_back(static_cast<char32_t>(c));
  }
  return true;
}

bool IsJyutpingText(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || c == ' ')) return false;
  }
  return true;
}

// Weight column: "" = normal (100), "N%" = N, a bare number = normal.
double ParseWeight(absl::string_view w) {
  w = absl::StripAsciiWhitespace(w);
  if (w.empty()) return 100.0;
  if (absl::ConsumeSuffix(&w, "%")) {
    double v = 0;
    if (absl::SimpleAtod(w, &v)) return v;
  }
  return 100.0;
}

struct Candidate {
  uint16_t syllable;
  double weight;  // max over the lines of this reading
  int order;      // first line of this reading
};

}  // namespace

absl::StatusOr<std::unique_ptr<JyutpingDictionary>> JyutpingDictionary::Load(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("jyutping dictionary not found or unreadable: ", path,
                     " (install Debian package librime-data-jyutping, or set "
                     "NameNormalizerOptions::jyutping_dict)"));
  }
  std::unique_ptr<JyutpingDictionary> dict(new JyutpingDictionary());
  absl::flat_hash_map<std::string, uint16_t> syllable_ids;
  auto intern = [&](absl::string_view syl) -> uint16_t {
    auto it = syllable_ids.find(syl);
    if (it != syllable_ids.end()) return it->second;
    uint16_t id = static_cast<uint16_t>(dict->syllables_.size());
    dict->syllables_.emplace_back(syl);
    syllable_ids.emplace(std::string(syl), id);
    return id;
  };
  std::vector<bool> single_syllable;  // by id: used by a single character
  absl::flat_hash_map<char32_t, std::vector<Candidate>> candidates;
  // (character << 16 | syllable id) -> uses inside multi-character words.
  absl::flat_hash_map<uint64_t, int> word_uses;
  std::vector<char32_t> chars;
  std::vector<absl::string_view> syls;
  bool body = false;
  int line_no = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!body) {
      if (line == "...") body = true;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 2 || !IsJyutpingText(cols[1])) continue;
    if (!DecodeUtf8(cols[0], &chars) || chars.empty()) continue;
    syls = absl::StrSplit(cols[1], ' ', absl::SkipEmpty());
    if (syls.size() != chars.size()) continue;
    if (chars.size() == 1) {
      // Syllable ids must fit 16 bits (Jyutping has fewer than 1,000).
      if (syllable_ids.size() >= 0xFFFF && !syllable_ids.contains(syls[0])) {
        continue;
      }
      uint16_t id = intern(syls[0]);
      if (single_syllable.size() <= id) single_syllable.resize(id + 1, false);
      single_syllable[id] = true;
      double weight = ParseWeight(cols.size() > 2 ? cols[2] : "");
      std::vector<Candidate>& cands = candidates[chars[0]];
      auto it =
          std::find_if(cands.begin(), cands.end(),
                       [&](const Candidate& c) { return c.syllable == id; });
      if (it == cands.end()) {
        cands.push_back({id, weight, line_no});
      } else {
        it->weight = std::max(it->weight, weight);
      }
    } else {
      if (syllable_ids.size() >= 0xFF00) continue;  // malformed: too many
      for (size_t i = 0; i < chars.size(); ++i) {
        ++word_uses[(static_cast<uint64_t>(chars[i]) << 16) | intern(syls[i])];
      }
    }
  }
  if (!body) {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a Rime dictionary (no \"...\" line ending the header): ", path));
  }
  if (candidates.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no single-character readings in ", path));
  }
  dict->readings_.reserve(candidates.size());
  for (auto& [c, cands] : candidates) {
    const Candidate* best = nullptr;
    auto key = [&](const Candidate& k) {
      auto it = word_uses.find((static_cast<uint64_t>(c) << 16) | k.syllable);
      int uses = it == word_uses.end() ? 0 : it->second;
      return std::make_tuple(k.weight >= 10.0, uses, k.weight, -k.order);
    };
    for (const Candidate& k : cands) {
      if (best == nullptr || key(k) > key(*best)) best = &k;
    }
    dict->readings_.emplace(c, best->syllable);
  }
  // The public inventory: syllables of single-character readings only.
  for (size_t id = 0; id < single_syllable.size(); ++id) {
    if (single_syllable[id]) dict->inventory_.push_back(dict->syllables_[id]);
  }
  std::sort(dict->inventory_.begin(), dict->inventory_.end());
  dict->syllable_set_.insert(dict->inventory_.begin(), dict->inventory_.end());
  return dict;
}

absl::string_view JyutpingDictionary::Reading(char32_t c) const {
  auto it = readings_.find(c);
  if (it == readings_.end()) return absl::string_view();
  return syllables_[it->second];
}

std::string JyutpingToHk(absl::string_view j) {
  if (j == "m" || j == "ng" || j == "hm" || j == "hng") return std::string(j);
  // Initials, longest first.
  static constexpr absl::string_view kInitials[] = {
      "ng", "gw", "kw", "b", "p", "m", "f", "d", "t", "n",
      "l",  "g",  "k",  "h", "w", "z", "c", "s", "j"};
  absl::string_view ini, fin = j;
  for (absl::string_view i : kInitials) {
    if (j.size() > i.size() && absl::StartsWith(j, i)) {
      ini = i;
      fin = j.substr(i.size());
      break;
    }
  }
  // Initial: voiced-looking Jyutping letters are unaspirated stops, which HK
  // spelling writes as the voiceless letter; z/c are both "ch"; j is "y".
  std::string hi;
  if (ini == "b")
    hi = "p";
  else if (ini == "d")
    hi = "t";
  else if (ini == "g")
    hi = "k";
  else if (ini == "gw")
    hi = "kw";
  else if (ini == "z" || ini == "c")
    hi = "ch";
  else if (ini == "j")
    hi = "y";
  else
    hi = std::string(ini);

  // Finals.
  static const auto* kFinals =
      new absl::flat_hash_map<std::string, std::string>{
          {"aa", "a"},      {"aai", "ai"},   {"aau", "au"},  {"aam", "am"},
          {"aan", "an"},    {"aang", "ang"}, {"aap", "ap"},  {"aat", "at"},
          {"aak", "ak"},    {"a", "a"},      {"ai", "ai"},   {"au", "au"},
          {"am", "am"},     {"an", "an"},    {"ang", "ang"}, {"ap", "ap"},
          {"at", "at"},     {"ak", "ak"},    {"e", "e"},     {"ei", "ei"},
          {"eu", "eu"},     {"em", "em"},    {"eng", "eng"}, {"ep", "ep"},
          {"ek", "ek"},     {"et", "et"},    {"i", "i"},     {"iu", "iu"},
          {"im", "im"},     {"in", "in"},    {"ing", "ing"}, {"ip", "ip"},
          {"it", "it"},     {"ik", "ik"},    {"o", "o"},     {"oi", "oi"},
          {"ou", "o"},      {"on", "on"},    {"ong", "ong"}, {"ot", "ot"},
          {"ok", "ok"},     {"u", "u"},      {"ui", "ui"},   {"un", "oon"},
          {"ung", "ung"},   {"ut", "ut"},    {"uk", "uk"},   {"oe", "eu"},
          {"oeng", "eung"}, {"oek", "euk"},  {"oet", "eut"}, {"eoi", "ui"},
          {"eon", "un"},    {"eot", "ut"},   {"yu", "u"},    {"yun", "uen"},
          {"yut", "uet"},   {"m", "m"},      {"ng", "ng"},
      };
  auto it = kFinals->find(std::string(fin));
  if (it == kFinals->end()) return std::string(j);  // not Jyutping
  std::string hf = it->second;

  // Rules that depend on initial and final together.
  if ((ini == "z" || ini == "c") && (fin == "e" || fin == "eoi")) hi = "ts";
  if ((ini == "z" || ini == "c") && fin == "i") return "chi";
  if (ini == "s" && fin == "i") return "sze";
  if (ini == "s" &&
      (fin == "ing" || fin == "aan" || fin == "eon" || fin == "oeng" ||
       fin == "ek" || fin == "yu" || fin == "eoi" || fin == "eot")) {
    hi = "sh";
  }
  if (ini == "w" && fin == "aa") hf = "ah";  // 華 WAH
  if (ini == "l" && fin == "ei") hf = "ee";  // 李 LEE, 利 LEE
  if ((ini == "g" || ini == "k") && fin == "un") return "kwun";  // 官 KWUN
  if (ini.empty() && fin == "un") hf = "oon";
  return hi + hf;
}

std::string FoldHkSyllable(absl::string_view syllable) {
  std::string s(syllable);
  if (s == "sze" || s == "sz") return "si";
  if (s == "tsz" || s == "tsze" || s == "tze" || s == "chi") return "chi";
  auto replace_prefix = [&s](absl::string_view from, absl::string_view to) {
    if (s.size() > from.size() && absl::StartsWith(s, from)) {
      s = absl::StrCat(to, absl::string_view(s).substr(from.size()));
    }
  };
  auto replace_suffix = [&s](absl::string_view from, absl::string_view to) {
    if (s.size() > from.size() && absl::EndsWith(s, from)) {
      s = absl::StrCat(absl::string_view(s).substr(0, s.size() - from.size()),
                       to);
      return true;
    }
    return false;
  };
  auto replace_all = [&s](absl::string_view from, absl::string_view to) {
    size_t pos = 0;
    while ((pos = s.find(from.data(), pos, from.size())) != std::string::npos) {
      s.replace(pos, from.size(), to.data(), to.size());
      pos += to.size();
    }
  };
  replace_prefix("ts", "ch");  // TSANG = CHANG, TSE = CHE, TSUI = CHUI
  replace_prefix("sh", "s");   // SHING = SING, SHEK = SEK
  replace_all("oo", "u");      // POON = PUN, FOOK = FUK
  replace_all("oy", "oi");     // CHOY = CHOI
  replace_all("eui", "ui");    // TSEUI = TSUI
  if (!replace_suffix("ee", "i")) replace_suffix("ei", "i");  // LEE = LEI = LI
  replace_suffix("ow", "au");                                 // CHOW = CHAU
  replace_suffix("aw", "o");                                  // LAW = LO
  replace_suffix("ah", "a");                                  // WAH = WA
  replace_suffix("um", "am");                                 // SUM = SAM
  if (s.size() > 2 && absl::StartsWith(s, "yi")) s.erase(0, 1);  // YIP = IP
  return s;
}

}  // namespace idr::matching
