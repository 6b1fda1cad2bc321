// Value normalisers: raw attribute values in, canonical comparable values out.
//
// Every normaliser takes the raw value as absl::string_view (any bytes) and
// returns the normalised value. An empty std::string means "missing": the
// input was empty, junk (a placeholder such as "n/a" or "0000000000") or
// invalid. ParseDate returns absl::StatusOr because its callers want to know
// why a date was rejected.
//
// Common contract
//   - Never throws, never crashes, whatever the bytes. Input that is not
//     well-formed UTF-8 (stray continuation bytes, truncated or overlong
//     sequences, encoded surrogates, code points above U+10FFFF) is treated as
//     missing: "" (ParseDate: INVALID_ARGUMENT). No attempt is made to guess a
//     legacy encoding (GBK/Big5/Latin-1): the loader decides encodings.
//   - Outputs are UTF-8 and deterministic: the same input always gives the
//     same output, whatever the thread, locale or environment.
//   - Callers cache by distinct raw value, so these favour correctness over
//     speed; all are linear in the input size (pure-ASCII input takes a fast
//     path that gives byte-identical results to the Unicode path). To keep
//     Unicode normalisation linear on hostile input, a run of more than 30
//     combining marks in a row is cut to 30 (the Unicode Stream-Safe Text
//     Format limit, UAX #15); no real text comes near it. Inputs over 16 MiB
//     are treated as missing.
//
// Thread safety: every function here may be called concurrently from any
// number of threads. Unicode work uses ICU Normalizer2 instances (NFKC,
// NFKC_Casefold, NFD, NFC), which are immutable process-wide singletons and
// documented thread-safe. No icu::Transliterator is used (it is not
// thread-safe): accent stripping is done by decomposing (NFD), dropping
// nonspacing marks that follow a Latin letter, and recomposing (NFC), which is
// what the "NFD; [:Nonspacing Mark:] Remove; NFC" transliterator does, minus
// its damage to non-Latin scripts (see FoldText). Phone parsing uses
// libphonenumber's PhoneNumberUtil singleton, whose Parse/Format/
// IsPossibleNumber are const and thread-safe.

#ifndef IDR_MATCHING_NORMALIZE_H_
#define IDR_MATCHING_NORMALIZE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::matching {

// ---------------------------------------------------------------------------
// Generic text
// ---------------------------------------------------------------------------

// Generic fuzzy-text folding, for free text, cities, suburbs, districts and as
// the first step of the other text normalisers:
//   1. Unicode NFKC + full case folding (ICU NFKC_Casefold): full-width forms
//      become ASCII ("ＡＢＣ１２３" -> "abc123"), ligatures and compatibility
//      characters are expanded, "ß" -> "ss", default-ignorable characters
//      (zero-width space, BOM, soft hyphen) are removed.
//   2. Accents are stripped from LATIN letters only ("José" -> "jose",
//      "İstanbul" -> "istanbul"): a nonspacing mark is dropped when the letter
//      it sits on is in the Latin script. Marks on other scripts are kept on
//      purpose: stripping them would turn Japanese が into か, Russian й into и
//      or break Indic scripts. A few Latin letters that have no decomposition
//      are mapped too: ø->o, đ->d, ð->d, ł->l, ħ->h, ŧ->t, ı->i, æ->ae, œ->oe,
//      þ->th.
//   3. Apostrophes (' ’ ‘ ` ʼ) are DELETED ("O'Brien" -> "obrien", "St Mary's"
//      -> "st marys"): the variants seen in practice are with and without the
//      apostrophe, rarely with a space.
//   4. All other punctuation and symbols (Unicode P* and S*: - , . / & · ・ …),
//      controls and whitespace become a space; runs of spaces collapse to one;
//      the result is trimmed.
// CJK text is otherwise left as it is (no Traditional/Simplified conversion,
// no romanisation: that is the name normalisers' job). Invalid UTF-8 -> "".
std::string FoldText(absl::string_view raw);

// ---------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------

// Normalises an email address, or returns "" when it is not one.
//   - NFKC + case fold (full-width "＠" becomes "@"), trim. A leading
//     "mailto:" and one pair of enclosing "<...>" are removed.
//   - Shape check, else "": exactly one '@'; non-empty local part; the domain
//     contains a '.', has no empty label (no leading, trailing or doubled
//     dots, after one trailing root dot is dropped) and only letters, digits,
//     '-' and '.' (non-ASCII letters allowed for IDNs); no whitespace or
//     control characters anywhere; at most 254 bytes. The local part is
//     otherwise accepted as is (no RFC 5322 quoting rules).
//   - Provider rules. gmail.com and googlemail.com: the domain becomes
//     gmail.com, dots in the local part are removed and "+tag" is dropped
//     (Gmail ignores both). Every other domain: only "+tag" is dropped. This
//     is a CHOICE: sub-addressing with '+' is near universal (Outlook, iCloud,
//     Fastmail, Proton, most corporate servers) and a tagged address almost
//     always reaches the same person, while dots are only known to be ignored
//     by Gmail. Other providers' separators (Yahoo's '-') are not handled. A
//     local part that is empty after the rules ("+tag@x.com") -> "".
// The local part is lower-cased although RFC 5321 lets servers treat it case
// sensitively: no mainstream provider does.
std::string NormalizeEmail(absl::string_view raw);

// Static junk list, for an address already returned by NormalizeEmail. True
// for "" and for placeholders that identify nobody:
//   - local parts such as test, noemail, no.email, none, na, n/a, null, nil,
//     unknown, nobody, noreply / no-reply / donotreply, email, mail, asdf,
//     qwerty, abc, dummy, fake, sample, example, xxx, 123 ...;
//   - local parts made of one repeated character, at least 3 long ("xxx",
//     "aaaa", "0000"), or an ascending/descending digit run of length >= 3
//     starting from 0/1 or ending at 0/1 ("123", "1234", "4321");
//   - domains reserved for examples and tests (example.com/.org/.net and any
//     example.*, test.com/.org/.net, any *.test, *.example, *.invalid,
//     *.localhost), placeholder domains (noemail.com, nomail.com, none.com,
//     no.com, domain.com, invalid.com, fake.com, dummy.com, unknown.com ...)
//     and domains whose first label is one repeated character, at least 3
//     long ("xxx.com", "aaa.net").
// Frequency-based junk detection (one address on hundreds of records) is done
// elsewhere, on the whole data set.
bool IsLikelyJunkEmail(absl::string_view normalised);

// ---------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------

struct PhoneOptions {
  // ISO 3166-1 alpha-2 region for numbers written without an international
  // prefix ("02-98765432" needs "AU"). "ZZ" (or "") = unknown.
  // Case-insensitive; "UK" is accepted for "GB". A region libphonenumber does
  // not know is treated as "ZZ".
  std::string default_region = "ZZ";
  // When the number cannot be turned into E.164 (no region and no
  // international prefix, or not a possible number for the region), return
  // '#' followed by its digits instead of "" (see NormalizePhone).
  bool keep_unparsed_digits = true;
};

// Normalises a phone number to E.164 ("+8613800138000") with libphonenumber.
//   - Input is NFKC-normalised first (full-width digits and '＋'), then parsed
//     with PhoneNumberUtil::Parse in options.default_region. An international
//     prefix ('+', or the region's own, e.g. "0011" in AU, "00" in CN) wins
//     over the region. Extensions ("ext. 12", "x12", ";ext=12") are dropped.
//   - "00" heuristic: when the digits start with "00" and no '+' is present,
//     "+<rest>" is tried too, because "00" is the international prefix in most
//     of the world (CN, HK, UK, EU) and exports keep it even when the default
//     region is unknown or uses another prefix ("0086 13800138000" with region
//     ZZ or AU, or with HK, whose "008" carrier prefix libphonenumber would
//     otherwise read as IDD and give +61...). It is not tried when the
//     region's reading is already a possible number of that region itself
//     (ePBRN's "00-95457718" with AU stays +61095457718). The two readings are
//     ranked: a valid number beats a merely possible one; on a tie the
//     region's reading wins.
//   - Acceptance uses IsPossibleNumber (length rules for the country), NOT
//     IsValidNumber (the number-range plan): test and synthetic data sets
//     (ePBRN's "08-24225112", made-up numbers in Splink/Faker data) are full
//     of well-formed but unallocated numbers that still must match each other,
//     and numbering plans change faster than the metadata we ship.
//   - Junk -> "": no digit ("n/a"), all the same digit ("0000000000",
//     "+852 8888 8888"), or a run of consecutive ascending or descending
//     digits (wrapping 9->0: "1234567890", "9876543210", "012345678") of
//     length >= 6. Checked on all the digits typed and on the national
//     significant number, so "+1 123-456-7890" is junk too.
//   - Fallback when no E.164 form is possible and keep_unparsed_digits is
//     true: "#" + the digits (6 to 15 of them, not junk), taken from the first
//     digit (or '+') up to an extension marker (e.g. "x", "ext", '#', ';',
//     ','); the part taken may hold only digits, spaces and + - ( ) . /
//     (no letters). E.g. "08-24225112" with region ZZ -> "#0824225112" and
//     "9580 3557" -> "#95803557". The '#' marks a value that is comparable
//     only for exact equality with values normalised under the same (unknown)
//     region: "08-24225112" gives "#0824225112" without a region but
//     "+61824225112" with region AU, so a data set with national numbers
//     needs --phone-region (the ePBRN sets: AU; hk_cjk_dev: HK).
//   - Inputs over 256 bytes -> "".
std::string NormalizePhone(absl::string_view raw,
                           const PhoneOptions& options = PhoneOptions());

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

// Which of two numbers <= 12 is the day when a date is written with the year
// last and both are possible ("03/04/1971").
enum class DateOrder {
  kDayMonthYear,  // 03/04/1971 = 3 April (AU, UK, HK, CN, most of the world)
  kMonthDayYear,  // 03/04/1971 = 4 March (US)
};

// A calendar date; 0 in a field means unknown (only NormalizedDate::FromParts
// produces partial dates; ParseDate only complete ones).
struct NormalizedDate {
  int year = 0;   // 1850..2100, or 0
  int month = 0;  // 1..12, or 0
  int day = 0;    // 1..31 (valid for month/year), or 0
  // True when the input had the year last and both other numbers were <= 12
  // and different, so day and month could be swapped: the preferred order
  // decided. ISO (year first), month names and CJK markers are never
  // ambiguous; neither is a day equal to its month.
  bool ambiguous_day_month = false;

  // Builds a date from separate year/month/day cells (the ePBRN layout).
  // Each part is judged on its own and an unusable part becomes 0, so partial
  // dates survive: year "1921", month "04", day "" -> {1921, 4, 0}.
  //   - NFKC (full-width digits), trimmed; a pandas-style ".0" suffix
  //     ("4.0") is accepted; the month may also be an English name ("Jun",
  //     "june") or carry a CJK marker ("6月").
  //   - year: 4 digits within 1850..2100 (two-digit years are rejected: the
  //     century is a guess); month: 1..12; day: 1..31 and valid for the month
  //     (Feb 29 only in leap years; when the year is unknown Feb 29 is
  //     allowed). A day impossible for its month becomes 0 (month and year
  //     are kept). Day and month are never swapped: the columns are labelled.
  //   - ambiguous_day_month is always false.
  static NormalizedDate FromParts(absl::string_view year,
                                  absl::string_view month,
                                  absl::string_view day);
};

bool operator==(const NormalizedDate& a, const NormalizedDate& b);
bool operator!=(const NormalizedDate& a, const NormalizedDate& b);

// Gregorian calendar check with the year range 1850..2100.
bool IsValidCalendarDate(int year, int month, int day);

// Parses one date cell. Accepted forms (after NFKC and lower-casing; any of
// the separators - / . space , may be used between numbers):
//   - compact yyyymmdd ("19560409", FEBRL). When that is not a valid date
//     and the first four digits cannot be a year (outside 1850..2100), the 8
//     digits are read as ddmmyyyy / mmddyyyy like the year-last form below
//     ("24061971", "01021990"). A value that starts like a year is only ever
//     yyyymmdd: "19052001" is a typo'd yyyymmdd (FEBRL/Zingg have such), not
//     19 May 2001, so it is OUT_OF_RANGE. The price: compact ddmmyyyy with
//     day 19 or 20 ("20061971") is rejected too;
//   - year first: "1971-06-24", "1971/6/24", "1971.06.24", always Y-M-D;
//   - year last: "24/06/1971", "06/24/1971", "24-06-1971": a number > 12
//     fixes the day; if both are <= 12, `preferred` decides and
//     ambiguous_day_month is set (unless they are equal);
//   - English month names, full or 3-4 letter ("24-Jun-1971", "24 June 1971",
//     "June 24, 1971", "1971-jun-24", "24th of June 1971", "Sept"), with an
//     optional weekday name ("Thu, 24 Jun 1971");
//   - CJK: "1971年6月24日", "1971年06月24号", "1971年6月24號", full-width
//   digits;
//   - a trailing time is ignored: "1971-06-24T00:00:00Z", "24/06/1971 13:05".
// Errors: INVALID_ARGUMENT for an empty, unreadable or incomplete value
// (invalid UTF-8, unknown words, two-digit years, year and month only, more
// than 64 bytes); OUT_OF_RANGE for a well-formed but impossible date (month
// 13, 30 February, 29 February 1900, year outside 1850..2100, "0000-00-00").
absl::StatusOr<NormalizedDate> ParseDate(
    absl::string_view raw, DateOrder preferred = DateOrder::kDayMonthYear);

// "1971-06-24" for a complete valid date; "" when any part is unknown or the
// date is invalid.
std::string FormatIsoDate(const NormalizedDate& date);

// ---------------------------------------------------------------------------
// Postcode, gender, identifiers, street
// ---------------------------------------------------------------------------

// Normalises a postcode / ZIP code: NFKC, upper-case, every character that is
// not a letter or digit removed ("sw1a 1aa" -> "SW1A1AA", "150-0001" ->
// "1500001"). Junk -> "": nothing left, all zeros ("0000"), all nines of
// length >= 4 ("9999", a common filler), all 'X', placeholder words (NA, N/A,
// NONE, NULL, NIL, UNKNOWN, TBA, TBC), HK's pseudo-code "999077", or more than
// 12 characters. `country` (ISO 3166-1 alpha-2, case-insensitive, "UK" = GB)
// adds repairs, never rejections:
//   - AU: a 3-digit code gets its lost leading zero back ("800" -> "0800",
//     NT postcodes after a trip through a spreadsheet);
//   - US: ZIP+4 is cut to the 5-digit ZIP ("02134-1234" -> "02134"; one
//     source often lacks the +4) and 3-4 digit codes are zero-padded to 5;
//   - HK: Hong Kong has no postcodes, so every value is a placeholder -> "".
// Values that do not fit the country's shape are still returned (a typo'd
// postcode is still evidence for fuzzy comparison).
std::string NormalizePostcode(absl::string_view raw,
                              absl::string_view country = "");

// Normalises a gender / sex value to "m", "f", "x" (non-binary, other,
// diverse, intersex) or "" (unknown, not stated, anything else). Input is
// folded with FoldText first. Recognised: m, male, man, boy, masculine, 男,
// 男性, 男士; f, female, woman, girl, feminine, 女, 女性, 女士; x, nonbinary /
// non-binary / nb, other, o, diverse, d, intersex, 其他; and the ISO/IEC 5218
// codes 1 -> "m", 2 -> "f" (0 and 9, "not known" / "not applicable" -> "").
// A value of several words counts only when every word agrees ("男 Male" ->
// "m", "M/F" -> ""). Titles (Mr, 先生) are deliberately not read: the
// hk_cjk_dev data set puts 先生 on women too. Inputs over 256 bytes -> "".
std::string NormalizeGender(absl::string_view raw);

// Normalises an opaque identifier (loyalty card, login id, device id,
// national id, passport number): NFKC, trimmed, upper-cased (Unicode, root
// locale), and every whitespace character and dash (Unicode Pd, plus U+2212
// minus) removed, because the same id is typed "1234 5678-90" and
// "1234567890". Other punctuation (. / _ @ :) is KEPT: it can be significant
// in login ids and e-mail-like ids. Junk -> "": nothing left; one repeated
// character, whatever the length ("0", "0000", "XXXX", the all-zero UUID);
// placeholder words (UNKNOWN, NULL, N/A, NA, NONE, NIL, NAN, #N/A, TBA, TBD,
// TEST, DEFAULT, UNDEFINED, NOTAPPLICABLE, NOTAVAILABLE, ?) ; all-digit
// ascending or descending runs of length >= 5 ("12345", "0123456789",
// "987654"); more than 1024 bytes.
std::string NormalizeIdentifier(absl::string_view raw);

// The version of what the normalisers return: it changes whenever some input
// normalises to another value than before. A graph stores normalised values,
// so one built with another version would miss matches (docs/engine.md,
// "Upgrades"). 1: before loyalty numbers dropped a program prefix; 2: since.
inline constexpr int kNormalizationVersion = 2;

// A loyalty card number: NormalizeIdentifier, then a program prefix of one
// to four letters before at least six digits is dropped, because the number
// printed as "LC 0012 3456 78" is typed "0012345678" at the till and both
// must be one card (an exclusive identifier: two spellings of one card would
// otherwise look like two cards of one person). "LC0012345678" ->
// "0012345678"; "AB12" and "GOLD-MEMBER" keep their letters.
std::string NormalizeLoyaltyId(absl::string_view raw);

// Normalises a street line: FoldText, then the street-TYPE word is expanded
// from a small table of Australian/UK/US/HK abbreviations (st->street,
// rd->road, ave/av->avenue, cres/cr->crescent, pl->place, dr->drive,
// cct->circuit, ct/crt->court, cl->close, hwy->highway, pde->parade,
// tce->terrace, ln->lane, gr/gve->grove, sq->square, blvd/bvd->boulevard,
// pkwy->parkway, esp->esplanade, ...; see kStreetTypes in normalize.cc), so
// "12 Pinkerton Cct" -> "12 pinkerton circuit". A token is expanded only when
// the token before it is a word (not a number and not the start) that was not
// itself just expanded, which is where the type sits: "12 St Kilda Rd" ->
// "12 st kilda road" (the "St" of a saint's name after the house number is
// left alone), "12 Smith St St Kilda" -> "12 smith street st kilda". An
// abbreviation whose next token completes the full word is joined instead
// ("adair st reet" -> "adair street", "cr escent" -> "crescent": FEBRL's
// inserted-space error), never expanded to "street reet". There is no library
// for this; the table is deliberately small and does not touch directions,
// unit words or place names.
std::string NormalizeStreet(absl::string_view raw);

}  // namespace idr::matching

#endif  // IDR_MATCHING_NORMALIZE_H_
