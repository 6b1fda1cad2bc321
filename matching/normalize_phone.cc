// NormalizePhone: E.164 via libphonenumber, with junk rules and a digits-only
// fallback. The contract is documented in normalize.h.

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "matching/normalize.h"
#include "matching/normalize_internal.h"
#include "matching/utf8.h"
#include "phonenumbers/phonenumber.pb.h"
#include "phonenumbers/phonenumberutil.h"

namespace idr::matching {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxPhoneBytes = 256;
constexpr size_t kMinFallbackDigits = 6;
constexpr size_t kMaxFallbackDigits = 15;  // E.164 maximum
constexpr size_t kMinJunkRun = 6;

// Regions libphonenumber has metadata for (computed once; the set is
// immutable afterwards, so concurrent reads are safe).
const std::set<std::string>& SupportedRegions() {
  static const std::set<std::string>* const regions = [] {
    auto* set = new std::set<std::string>;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(set);
    return set;
  }();
  return *regions;
}

std::string RegionCode(absl::string_view region) {
  std::string r(absl::StripAsciiWhitespace(region));
  absl::AsciiStrToUpper(&r);
  if (r == "UK") r = "GB";
  if (r.empty() || SupportedRegions().count(r) == 0) return "ZZ";
  return r;
}

std::string DigitsOf(absl::string_view s) {
  std::string digits;
  for (char c : s) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  return digits;
}

bool IsJunk(absl::string_view digits) {
  return internal::IsJunkDigitString(digits, kMinJunkRun);
}

struct Candidate {
  bool possible = false;
  bool junk = false;
  int country_code = 0;
  PhoneNumber number;  // without extension; set when possible
  std::string e164;
};

Candidate TryParse(const std::string& text, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  Candidate candidate;
  PhoneNumber& number = candidate.number;
  if (util.Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
    return candidate;
  }
  std::string nsn;
  util.GetNationalSignificantNumber(number, &nsn);
  if (IsJunk(nsn)) {
    candidate.junk = true;
    return candidate;
  }
  if (!util.IsPossibleNumber(number)) return candidate;
  number.clear_extension();
  candidate.country_code = number.country_code();
  util.Format(number, PhoneNumberUtil::E164, &candidate.e164);
  candidate.possible = !candidate.e164.empty();
  return candidate;
}

bool IsPhonePunctuation(char c) {
  return c == ' ' || c == '+' || c == '-' || c == '(' || c == ')' || c == '.' ||
         c == '/' || c == '\t';
}

// "#<digits>" for a number that cannot be put in E.164, or "".
std::string Fallback(absl::string_view text) {
  size_t begin = 0;
  while (begin < text.size() && text[begin] != '+' &&
         !absl::ascii_isdigit(static_cast<unsigned char>(text[begin]))) {
    ++begin;
  }
  std::string digits;
  for (size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (IsPhonePunctuation(c)) {
      continue;
    } else if (c == 'x' || c == 'X' || c == 'e' || c == 'E' || c == '#' ||
               c == ';' || c == ',') {
      break;  // extension ("x12", "ext. 12", "#12", ";ext=12") or a list
    } else {
      return "";  // letters or other symbols inside the number
    }
  }
  if (digits.size() < kMinFallbackDigits ||
      digits.size() > kMaxFallbackDigits || IsJunk(digits)) {
    return "";
  }
  return "#" + digits;
}

}  // namespace

std::string NormalizePhone(absl::string_view raw, const PhoneOptions& options) {
  if (raw.size() > kMaxPhoneBytes || !IsValidUtf8(raw)) return "";
  const std::string text = internal::Nfkc(raw);
  const std::string all_digits = DigitsOf(text);
  if (all_digits.empty()) return "";

  if (IsJunk(all_digits)) return "";

  const std::string region = RegionCode(options.default_region);
  // Without a region libphonenumber reads only numbers that start with a
  // plus sign (NFKC made a full-width one ASCII): skip a parse bound to fail,
  // which costs as much as one that succeeds.
  const bool parsable = region != "ZZ" || text.find('+') != std::string::npos;
  const Candidate in_region = parsable ? TryParse(text, region) : Candidate();
  if (in_region.junk) return "";

  // "00" as international prefix: re-read the text after its second digit,
  // unless the region's reading is a possible number of the region itself
  // (then "00" was part of a national number, however odd).
  Candidate international;
  const absl::string_view stripped = absl::StripAsciiWhitespace(text);
  const bool region_reading_is_national =
      region != "ZZ" && in_region.possible &&
      in_region.country_code ==
          PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(region);
  if (!region_reading_is_national && text.find('+') == std::string::npos &&
      all_digits.size() > 2 && all_digits[0] == '0' && all_digits[1] == '0') {
    size_t pos = 0;
    for (int seen = 0; pos < stripped.size() && seen < 2; ++pos) {
      if (absl::ascii_isdigit(static_cast<unsigned char>(stripped[pos]))) {
        ++seen;
      }
    }
    international = TryParse("+" + std::string(stripped.substr(pos)), "ZZ");
  }

  // Rank: valid beats merely possible; on a tie the region's reading wins.
  // IsValidNumber costs as much as Parse, so it runs only to break a tie.
  const Candidate* best = nullptr;
  if (in_region.possible && international.possible) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    best = !util.IsValidNumber(in_region.number) &&
                   util.IsValidNumber(international.number)
               ? &international
               : &in_region;
  } else if (in_region.possible) {
    best = &in_region;
  } else if (international.possible) {
    best = &international;
  }
  if (best != nullptr) {
    // Junk with the country code glued on: "+1 234 567 8901".
    if (IsJunk(DigitsOf(best->e164.substr(1)))) return "";
    return best->e164;
  }
  if (!options.keep_unparsed_digits) return "";
  return Fallback(stripped);
}

}  // namespace idr::matching
