// Text, email, postcode, gender, identifier and street normalisers, and the
// helpers shared with normalize_phone.cc and normalize_date.cc.

#include "matching/normalize.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "matching/normalize_internal.h"
#include "unicode/locid.h"
#include "unicode/normalizer2.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"
#include "unicode/uscript.h"
#include "unicode/utf16.h"
#include "matching/utf8.h"
#include "unicode/utf8.h"

namespace idr::matching {
namespace internal {

bool IsAscii(absl::string_view s) {
  for (char ch : s) {
    if (static_cast<unsigned char>(ch) >= 0x80) return false;
  }
  return true;
}

std::string AsciiLower(absl::string_view s) {
  std::string out(s);
  absl::AsciiStrToLower(&out);
  return out;
}

namespace {

// The most combining marks (code points with a non-zero canonical combining
// class) kept in a row: the Unicode Stream-Safe Text Format limit (UAX #15).
// Normalisation reorders each run of marks by insertion sort, so an
// unbounded run (100 KB of alternating accents) would take quadratic time.
constexpr int kMaxCombiningRun = 30;

}  // namespace

icu::UnicodeString ToUnicodeStreamSafe(absl::string_view s) {
  icu::UnicodeString out;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  int run = 0;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) c = 0xFFFD;  // callers validate first; never reached
    if (c >= 0x300 && u_getCombiningClass(c) != 0) {
      if (++run > kMaxCombiningRun) continue;
    } else {
      run = 0;
    }
    out.append(c);
  }
  return out;
}

namespace {

std::string NormalizeWith(const icu::Normalizer2* normalizer,
                          absl::string_view s) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString text = ToUnicodeStreamSafe(s);
  icu::UnicodeString normalized = normalizer->normalize(text, status);
  if (U_FAILURE(status)) return "";
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

}  // namespace

std::string Nfkc(absl::string_view s) {
  if (IsAscii(s)) return std::string(s);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return "";
  return NormalizeWith(nfkc, s);
}

std::string NfkcCasefold(absl::string_view s) {
  if (IsAscii(s)) return AsciiLower(s);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* cf =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) return "";
  return NormalizeWith(cf, s);
}

bool IsJunkDigitString(absl::string_view digits, size_t min_run) {
  if (digits.empty()) return false;
  bool same = true, up = true, down = true;
  for (size_t i = 1; i < digits.size(); ++i) {
    const int prev = digits[i - 1] - '0';
    const int cur = digits[i] - '0';
    if (cur != prev) same = false;
    if (cur != (prev + 1) % 10) up = false;
    if (cur != (prev + 9) % 10) down = false;
  }
  if (same) return true;
  return digits.size() >= min_run && (up || down);
}

}  // namespace internal

using internal::AsciiLower;
using internal::IsAscii;
using internal::kMaxInputBytes;

// ---------------------------------------------------------------------------
// FoldText
// ---------------------------------------------------------------------------
namespace {

bool IsApostrophe(UChar32 c) {
  return c == 0x27 || c == 0x60 || c == 0x2018 || c == 0x2019 || c == 0x02BC;
}

// Letters of the Latin script that have no canonical decomposition, as they
// appear after case folding.
const char* LatinWithoutDecomposition(UChar32 c) {
  switch (c) {
    case 0x00F8:
      return "o";  // ø
    case 0x0111:
      return "d";  // đ
    case 0x00F0:
      return "d";  // ð
    case 0x0142:
      return "l";  // ł
    case 0x0127:
      return "h";  // ħ
    case 0x0167:
      return "t";  // ŧ
    case 0x0131:
      return "i";  // ı
    case 0x00E6:
      return "ae";  // æ
    case 0x0153:
      return "oe";  // œ
    case 0x00FE:
      return "th";  // þ
    default:
      return nullptr;
  }
}

bool IsSeparatorType(int8_t type) {
  switch (type) {
    case U_CONTROL_CHAR:
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
      return true;
    default:
      return false;
  }
}

// The pure-ASCII path. For ASCII, NFKC_Casefold is A-Z -> a-z and nothing
// else, there are no marks, and every ASCII character other than a letter or
// digit is punctuation, a symbol, a control or a space.
std::string FoldAscii(absl::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  bool space_pending = false;
  for (char ch : raw) {
    const unsigned char c = absl::ascii_tolower(static_cast<unsigned char>(ch));
    if (c == '\'' || c == '`') continue;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (space_pending) out.push_back(' ');
      space_pending = false;
      out.push_back(static_cast<char>(c));
    } else {
      space_pending = !out.empty();
    }
  }
  return out;
}

std::string FoldUnicode(absl::string_view raw) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* casefold =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return "";
  const icu::UnicodeString text = internal::ToUnicodeStreamSafe(raw);
  const icu::UnicodeString folded = casefold->normalize(text, status);
  const icu::UnicodeString decomposed = nfd->normalize(folded, status);
  if (U_FAILURE(status)) return "";

  icu::UnicodeString out;
  bool space_pending = false;
  // What a following nonspacing mark sits on.
  bool base_is_latin = false;
  bool base_is_separator = true;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    const int8_t type = u_charType(c);
    if (type == U_NON_SPACING_MARK) {
      if (!base_is_latin && !base_is_separator) out.append(c);
      continue;
    }
    if (IsApostrophe(c)) continue;
    if (IsSeparatorType(type) || u_isUWhiteSpace(c)) {
      space_pending = !out.isEmpty();
      base_is_latin = false;
      base_is_separator = true;
      continue;
    }
    if (type == U_FORMAT_CHAR) continue;  // the few NFKC_CF leaves
    if (space_pending) out.append(static_cast<UChar>(0x20));
    space_pending = false;
    if (const char* ascii = LatinWithoutDecomposition(c)) {
      out.append(icu::UnicodeString::fromUTF8(ascii));
      base_is_latin = true;
    } else {
      out.append(c);
      UErrorCode script_status = U_ZERO_ERROR;
      base_is_latin = uscript_getScript(c, &script_status) == USCRIPT_LATIN;
    }
    base_is_separator = false;
  }
  const icu::UnicodeString composed = nfc->normalize(out, status);
  if (U_FAILURE(status)) return "";
  std::string result;
  composed.toUTF8String(result);
  return result;
}

}  // namespace

std::string FoldText(absl::string_view raw) {
  if (raw.size() > kMaxInputBytes || !IsValidUtf8(raw)) return "";
  if (IsAscii(raw)) return FoldAscii(raw);
  return FoldUnicode(raw);
}

// ---------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------
namespace {

// No whitespace, control or format character anywhere (checked on valid
// UTF-8).
bool HasNoSpaceOrControl(absl::string_view s) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
    if (c <= 0x20 || c == 0x7F) return false;
    if (c >= 0x80) {
      const int8_t type = u_charType(c);
      if (u_isUWhiteSpace(c) || type == U_CONTROL_CHAR ||
          type == U_FORMAT_CHAR || type == U_LINE_SEPARATOR ||
          type == U_PARAGRAPH_SEPARATOR) {
        return false;
      }
    }
  }
  return true;
}

bool IsValidDomain(absl::string_view domain) {
  if (domain.empty() || domain.front() == '.' || domain.back() == '.') {
    return false;
  }
  if (domain.find('.') == absl::string_view::npos) return false;
  if (domain.find("..") != absl::string_view::npos) return false;
  for (char ch : domain) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80) continue;  // IDN letters (already NFKC-casefolded)
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::string NormalizeEmail(absl::string_view raw) {
  if (raw.size() > 4096 || !IsValidUtf8(raw)) return "";
  const std::string folded = internal::NfkcCasefold(raw);
  absl::string_view v = absl::StripAsciiWhitespace(folded);
  if (absl::ConsumePrefix(&v, "mailto:")) v = absl::StripAsciiWhitespace(v);
  if (v.size() >= 2 && v.front() == '<' && v.back() == '>') {
    v.remove_prefix(1);
    v.remove_suffix(1);
    v = absl::StripAsciiWhitespace(v);
  }
  if (v.empty() || v.size() > 254) return "";
  if (!HasNoSpaceOrControl(v)) return "";
  const size_t at = v.find('@');
  if (at == absl::string_view::npos ||
      v.find('@', at + 1) != absl::string_view::npos) {
    return "";
  }
  absl::string_view local = v.substr(0, at);
  absl::string_view domain = v.substr(at + 1);
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
  if (local.empty() || !IsValidDomain(domain)) return "";

  std::string out_domain(domain);
  if (out_domain == "googlemail.com") out_domain = "gmail.com";
  const size_t plus = local.find('+');
  if (plus != absl::string_view::npos) local = local.substr(0, plus);
  std::string out_local(local);
  if (out_domain == "gmail.com") {
    out_local.erase(std::remove(out_local.begin(), out_local.end(), '.'),
                    out_local.end());
  }
  if (out_local.empty()) return "";
  return out_local + "@" + out_domain;
}

namespace {

constexpr absl::string_view kJunkEmailLocals[] = {
    "test",
    "testing",
    "tester",
    "test1",
    "test123",
    "noemail",
    "no.email",
    "no-email",
    "no_email",
    "nomail",
    "no.mail",
    "none",
    "noone",
    "no.one",
    "nobody",
    "na",
    "n.a",
    "n/a",
    "nil",
    "null",
    "unknown",
    "notknown",
    "not.known",
    "notavailable",
    "not.available",
    "noreply",
    "no-reply",
    "no.reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do.not.reply",
    "dontreply",
    "email",
    "e-mail",
    "mail",
    "asdf",
    "asdfgh",
    "asdfasdf",
    "qwerty",
    "abc",
    "abcd",
    "abc123",
    "dummy",
    "fake",
    "sample",
    "example",
    "invalid",
    "xx",
    "x",
    "none.none",
    "no",
    "nope",
    "blank",
    "declined",
    "refused",
    "noaddress",
    "no.address",
    "customer",
    "guest",
    "anonymous",
    "anon",
};

constexpr absl::string_view kJunkEmailDomains[] = {
    "example.com", "example.org", "example.net", "test.com",    "test.org",
    "test.net",    "noemail.com", "nomail.com",  "none.com",    "no.com",
    "domain.com",  "invalid.com", "fake.com",    "dummy.com",   "asdf.com",
    "na.com",      "null.com",    "unknown.com", "noreply.com", "no-reply.com",
};

constexpr absl::string_view kReservedTlds[] = {".test", ".example", ".invalid",
                                               ".localhost"};

bool OneRepeatedChar(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [&](char c) { return c == s[0]; });
}

template <size_t N>
bool InList(const absl::string_view (&list)[N], absl::string_view value) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

}  // namespace

bool IsLikelyJunkEmail(absl::string_view normalised) {
  const size_t at = normalised.rfind('@');
  if (at == absl::string_view::npos) return true;
  const absl::string_view local = normalised.substr(0, at);
  const absl::string_view domain = normalised.substr(at + 1);
  if (local.empty() || domain.empty()) return true;

  if (InList(kJunkEmailLocals, local)) return true;
  if (local.size() >= 3 && OneRepeatedChar(local)) return true;
  if (local.size() >= 3 &&
      std::all_of(local.begin(), local.end(),
                  [](char c) { return absl::ascii_isdigit(c); }) &&
      internal::IsJunkDigitString(local, 3) &&
      (local.front() <= '1' || local.back() <= '1')) {
    return true;
  }

  if (InList(kJunkEmailDomains, domain)) return true;
  if (absl::StartsWith(domain, "example.")) return true;
  for (absl::string_view tld : kReservedTlds) {
    if (absl::EndsWith(domain, tld) || domain == tld.substr(1)) return true;
  }
  const size_t dot = domain.find('.');
  const absl::string_view name = domain.substr(0, dot);
  if (name.size() >= 3 && OneRepeatedChar(name)) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Postcode
// ---------------------------------------------------------------------------
namespace {

constexpr absl::string_view kJunkPostcodes[] = {
    "NA",  "NONE", "NULL", "NIL",        "UNKNOWN",       "TBA",
    "TBC", "TBD",  "NAN",  "NOPOSTCODE", "NOTAPPLICABLE", "999077",
};

std::string CountryCode(absl::string_view country) {
  std::string c(absl::StripAsciiWhitespace(country));
  absl::AsciiStrToUpper(&c);
  if (c == "UK") c = "GB";
  return c;
}

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

}  // namespace

std::string NormalizePostcode(absl::string_view raw,
                              absl::string_view country) {
  if (raw.size() > kMaxInputBytes || !IsValidUtf8(raw)) return "";
  const std::string text = internal::Nfkc(raw);
  std::string out;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t n = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return "";
    if (c < 0x80) {
      if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
        out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
      }
    } else if (u_isalnum(c)) {
      const UChar32 upper = u_toupper(c);
      if (upper == c) {
        out.append(text, start, i - start);
      } else {
        char buf[U8_MAX_LENGTH];
        int32_t len = 0;
        UBool error = false;
        U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, U8_MAX_LENGTH, upper,
                  error);
        if (!error) out.append(buf, len);
      }
    }
    if (out.size() > 12) return "";
  }
  const std::string cc = CountryCode(country);
  if (cc == "HK") return "";
  if (cc == "AU" && out.size() == 3 && AllDigits(out)) out = "0" + out;
  if (cc == "US" && AllDigits(out)) {
    if (out.size() == 9) out.resize(5);
    if (out.size() == 3 || out.size() == 4) {
      out.insert(0, 5 - out.size(), '0');
    }
  }
  if (out.empty()) return "";
  if (OneRepeatedChar(out) &&
      (out[0] == '0' || out[0] == 'X' || (out[0] == '9' && out.size() >= 4))) {
    return "";
  }
  if (InList(kJunkPostcodes, out)) return "";
  return out;
}

// ---------------------------------------------------------------------------
// Gender
// ---------------------------------------------------------------------------
namespace {

struct GenderWord {
  absl::string_view word;
  absl::string_view value;
};

constexpr GenderWord kGenderWords[] = {
    {"m", "m"},    {"male", "m"},      {"man", "m"},
    {"boy", "m"},  {"masculine", "m"}, {"男", "m"},
    {"男性", "m"}, {"男士", "m"},      {"1", "m"},
    {"f", "f"},    {"female", "f"},    {"woman", "f"},
    {"girl", "f"}, {"feminine", "f"},  {"女", "f"},
    {"女性", "f"}, {"女士", "f"},      {"2", "f"},
    {"x", "x"},    {"nonbinary", "x"}, {"non binary", "x"},
    {"nb", "x"},   {"enby", "x"},      {"other", "x"},
    {"o", "x"},    {"diverse", "x"},   {"divers", "x"},
    {"d", "x"},    {"intersex", "x"},  {"genderqueer", "x"},
    {"其他", "x"}, {"其它", "x"},
};

absl::string_view LookupGender(absl::string_view word) {
  for (const GenderWord& g : kGenderWords) {
    if (g.word == word) return g.value;
  }
  return "";
}

}  // namespace

std::string NormalizeGender(absl::string_view raw) {
  if (raw.size() > 256) return "";
  const std::string folded = FoldText(raw);
  if (folded.empty()) return "";
  absl::string_view whole = LookupGender(folded);
  if (!whole.empty()) return std::string(whole);
  // "男 male", "F (female)": every word must agree.
  absl::string_view agreed;
  for (absl::string_view word : absl::StrSplit(folded, ' ')) {
    const absl::string_view v = LookupGender(word);
    if (v.empty() || (!agreed.empty() && v != agreed)) return "";
    agreed = v;
  }
  return std::string(agreed);
}

// ---------------------------------------------------------------------------
// Identifier
// ---------------------------------------------------------------------------
namespace {

constexpr absl::string_view kJunkIdentifiers[] = {
    "UNKNOWN",   "NULL",          "N/A",          "NA",   "NONE",  "NIL",
    "NAN",       "#N/A",          "TBA",          "TBD",  "TEST",  "DEFAULT",
    "UNDEFINED", "NOTAPPLICABLE", "NOTAVAILABLE", "N.A.", "N.A",   "?",
    "BLANK",     "NOTKNOWN",      "NOID",         "NO",   "EMPTY",
};

bool IsDashOrSpace(UChar32 c) {
  if (c == 0x2212) return true;  // minus sign
  const int8_t type = u_charType(c);
  return type == U_DASH_PUNCTUATION || type == U_CONTROL_CHAR ||
         type == U_FORMAT_CHAR || type == U_SPACE_SEPARATOR ||
         type == U_LINE_SEPARATOR || type == U_PARAGRAPH_SEPARATOR ||
         u_isUWhiteSpace(c);
}

bool OneRepeatedCodePoint(absl::string_view s) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  UChar32 first;
  U8_NEXT(p, i, n, first);
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c != first) return false;
  }
  return true;
}

}  // namespace

std::string NormalizeLoyaltyId(absl::string_view raw) {
  std::string id = NormalizeIdentifier(raw);
  size_t letters = 0;
  while (letters < id.size() && absl::ascii_isalpha(id[letters])) ++letters;
  const absl::string_view digits = absl::string_view(id).substr(letters);
  if (letters >= 1 && letters <= 4 && digits.size() >= 6 &&
      std::all_of(digits.begin(), digits.end(),
                  [](char c) { return absl::ascii_isdigit(c); })) {
    return NormalizeIdentifier(digits);  // "LC0000000000" is junk too.
  }
  return id;
}

std::string NormalizeIdentifier(absl::string_view raw) {
  if (raw.size() > kMaxInputBytes || !IsValidUtf8(raw)) return "";
  std::string out;
  if (IsAscii(raw)) {
    out.reserve(raw.size());
    for (char ch : raw) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (c <= 0x20 || c == 0x7F || c == '-') continue;
      out.push_back(absl::ascii_toupper(c));
    }
  } else {
    const std::string text = internal::Nfkc(raw);
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::UnicodeString kept;
    for (int32_t i = 0; i < u.length();) {
      const UChar32 c = u.char32At(i);
      i += U16_LENGTH(c);
      if (!IsDashOrSpace(c)) kept.append(c);
    }
    kept.toUpper(icu::Locale::getRoot());
    kept.toUTF8String(out);
  }
  if (out.empty() || out.size() > 1024) return "";
  if (OneRepeatedCodePoint(out)) return "";
  if (InList(kJunkIdentifiers, out)) return "";
  if (AllDigits(out) && internal::IsJunkDigitString(out, 5)) return "";
  return out;
}

// ---------------------------------------------------------------------------
// Street
// ---------------------------------------------------------------------------
namespace {

struct StreetType {
  absl::string_view abbreviation;
  absl::string_view expansion;
};

// Australia Post / Royal Mail / USPS / HK abbreviations of street types.
// Entries whose abbreviation is also a common word or name are left out
// ("al", "mt", "tr").
constexpr StreetType kStreetTypes[] = {
    {"st", "street"},       {"str", "street"},     {"rd", "road"},
    {"ave", "avenue"},      {"av", "avenue"},      {"avn", "avenue"},
    {"cres", "crescent"},   {"cr", "crescent"},    {"cresc", "crescent"},
    {"crs", "crescent"},    {"pl", "place"},       {"dr", "drive"},
    {"drv", "drive"},       {"dve", "drive"},      {"cct", "circuit"},
    {"crct", "circuit"},    {"cir", "circle"},     {"ct", "court"},
    {"crt", "court"},       {"cl", "close"},       {"hwy", "highway"},
    {"pde", "parade"},      {"tce", "terrace"},    {"terr", "terrace"},
    {"ter", "terrace"},     {"ln", "lane"},        {"gr", "grove"},
    {"gve", "grove"},       {"sq", "square"},      {"blvd", "boulevard"},
    {"bvd", "boulevard"},   {"bvde", "boulevard"}, {"pkwy", "parkway"},
    {"pwy", "parkway"},     {"esp", "esplanade"},  {"app", "approach"},
    {"arc", "arcade"},      {"cv", "cove"},        {"fwy", "freeway"},
    {"gdn", "garden"},      {"gdns", "gardens"},   {"lp", "loop"},
    {"mwy", "motorway"},    {"pk", "park"},        {"plz", "plaza"},
    {"prom", "promenade"},  {"qy", "quay"},        {"rdg", "ridge"},
    {"rse", "rise"},        {"rtt", "retreat"},    {"wy", "way"},
    {"wk", "walk"},         {"wlk", "walk"},       {"vw", "view"},
    {"vlge", "village"},    {"vlg", "village"},    {"ctr", "centre"},
    {"cswy", "causeway"},   {"hts", "heights"},    {"trl", "trail"},
    {"expy", "expressway"},
};

absl::string_view ExpandStreetType(absl::string_view token) {
  for (const StreetType& t : kStreetTypes) {
    if (t.abbreviation == token) return t.expansion;
  }
  return "";
}

}  // namespace

std::string NormalizeStreet(absl::string_view raw) {
  const std::string folded = FoldText(raw);
  if (folded.empty()) return "";
  std::vector<absl::string_view> tokens = absl::StrSplit(folded, ' ');
  std::vector<std::string> out;
  out.reserve(tokens.size());
  bool prev_is_word = false;       // the previous token is not a number
  bool prev_was_expanded = false;  // ... and was itself expanded
  for (size_t i = 0; i < tokens.size(); ++i) {
    const absl::string_view token = tokens[i];
    const absl::string_view expansion = ExpandStreetType(token);
    // A space typed inside the type word ("st reet", "cr escent", FEBRL's
    // favourite error): join rather than expand to "street reet".
    if (!expansion.empty() && i + 1 < tokens.size() &&
        absl::StrCat(token, tokens[i + 1]) == expansion) {
      out.emplace_back(expansion);
      ++i;
      prev_was_expanded = true;
      prev_is_word = true;
      continue;
    }
    if (!expansion.empty() && prev_is_word && !prev_was_expanded) {
      out.emplace_back(expansion);
      prev_was_expanded = true;
    } else {
      out.emplace_back(token);
      prev_was_expanded = false;
    }
    prev_is_word = !absl::ascii_isdigit(static_cast<unsigned char>(token[0]));
  }
  return absl::StrJoin(out, " ");
}

}  // namespace idr::matching
