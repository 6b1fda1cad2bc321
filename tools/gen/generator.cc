#include "tools/gen/generator.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "matching/utf8.h"
#include "tools/gen/csv.h"
#include "tools/gen/rng.h"
#include "tools/gen/seeds.h"

namespace idr::gen {
namespace {

using internal::ChineseSeeds;
using internal::FeistelPermutation;
using internal::HanPool;
using internal::HanStreet;
using internal::HanText;
using internal::HashOf;
using internal::Rng;
using internal::Seeds;

// ===========================================================================
// The fixed part of the model (docs/generator.md lists every number here).

constexpr char kHeader[] =
    "record_id,truth_id,channel,observed_at,given_name,family_name,full_name,"
    "birth_date,gender,email,phone,loyalty_id,login_id,device_id,street,city,"
    "postcode,country";
constexpr char kDebugHeader[] = ",household_id,noise";

// Observation window: 2019-01-01T00:00:00Z .. 2025-01-01T00:00:00Z.
constexpr int64_t kWindowStart = 1546300800;
constexpr int64_t kWindowEnd = 1735689600;
constexpr int64_t kDay = 86400;

// Household sizes 1..4.
constexpr double kHouseholdSizeWeights[] = {0.62, 0.22, 0.10, 0.06};

// Records per customer: {min, max, probability}, uniform inside a bucket.
struct CountBucket {
  int lo, hi;
  double p;
};
constexpr CountBucket kRecordsPerCustomer[] = {
    {1, 1, 0.34}, {2, 2, 0.22}, {3, 3, 0.14},   {4, 4, 0.09},
    {5, 5, 0.06}, {6, 9, 0.10}, {10, 19, 0.04}, {20, 50, 0.01}};

enum Country { kCN = 0, kTW, kUS, kGB, kAU, kNumCountries };
// Chinese households: CN 75%, TW 25%. Others: US 40%, GB 35%, AU 25%.
constexpr double kChineseTwShare = 0.25;
constexpr double kWesternCountryWeights[] = {0.40, 0.35, 0.25};

enum Channel { kWeb = 0, kApp, kStore, kCallCenter, kNumChannels };
// Probability that a record of the channel carries each field. loyalty_id
// and login_id also need the customer to hold a card / an account.
struct ChannelProfile {
  const char* name;
  double weight, name_p, dob, gender, email, phone, loyalty, login, device,
      address;
};
constexpr ChannelProfile kChannels[kNumChannels] = {
    {"web", 0.35, 0.75, 0.25, 0.30, 0.95, 0.40, 0.15, 0.60, 0.85, 0.30},
    {"app", 0.25, 0.60, 0.35, 0.40, 0.60, 0.50, 0.35, 0.95, 0.98, 0.20},
    {"store", 0.25, 0.90, 0.30, 0.50, 0.30, 0.85, 0.75, 0.00, 0.00, 0.40},
    {"call_center", 0.15, 0.98, 0.80, 0.60, 0.25, 0.95, 0.30, 0.05, 0.00,
     0.55}};
// Within a record that has an address: street always, city / postcode /
// country with these probabilities.
constexpr double kCityPresent = 0.95;
constexpr double kPostcodePresent = 0.85;
constexpr double kCountryPresent = 0.90;
constexpr double kUnitRate = 0.25;  // addresses with a flat / unit

// Name layout: split (given + family), full_name only, all three.
constexpr double kLayoutWeights[] = {0.55, 0.30, 0.15};
// Romanised Chinese styles: "Chen Dawen", "Dawen Chen", "CHEN Da Wen",
// "Chen Da-wen".
constexpr double kRomanStyleWeights[] = {0.40, 0.30, 0.15, 0.15};
// Western full_name: "Robert Smith", "Smith, Robert", "Robert J. Smith".
constexpr double kWesternFullWeights[] = {0.85, 0.10, 0.05};
// Birth date formats: ISO, local slash, compact, alternative, long.
constexpr double kDateFormatWeights[] = {0.45, 0.30, 0.10, 0.05, 0.10};
// Gender: M/F, Male/Female, 男/女 (Chinese) or m/f.
constexpr double kGenderFormatWeights[] = {0.60, 0.25, 0.15};
// Country: ISO code, English name, alternative (中国, 台灣, USA, UK, AUS).
constexpr double kCountryFormatWeights[] = {0.70, 0.20, 0.10};
constexpr double kLoyaltyNoPrefixRate = 0.10;  // typed without "LC"
constexpr double kLoginIsEmailRate = 0.40;     // account login is the email

constexpr const char* kJunkEmails[] = {"test@test.com", "noemail@none.com",
                                       "none@none.com", "no@email.com",
                                       "a@a.com",       "xxx@xxx.com"};
constexpr const char* kJunkPhones[] = {"0000000000", "1234567890", "1111111111",
                                       "9999999999", "0123456789"};
constexpr int kStoresPerCountry = 12;
constexpr int kAgents = 20;
constexpr char kAgentDomain[] = "callcentre.idr-retail.example";

// Noise tags reported in the debug column.
enum Tag : uint32_t {
  kTagTypo = 1u << 0,
  kTagSwap = 1u << 1,
  kTagNickname = 1u << 2,
  kTagHonorific = 1u << 3,
  kTagNameCase = 1u << 4,
  kTagRomanised = 1u << 5,
  kTagOtherScript = 1u << 6,
  kTagEmailCase = 1u << 7,
  kTagGmailDots = 1u << 8,
  kTagPlusTag = 1u << 9,
  kTagEmailTypo = 1u << 10,
  kTagJunkEmail = 1u << 11,
  kTagAgentEmail = 1u << 12,
  kTagJunkPhone = 1u << 13,
  kTagStorePhone = 1u << 14,
  kTagHomePhone = 1u << 15,
  kTagSharedDevice = 1u << 16,
  kTagDobSwap = 1u << 17,
  kTagDobTypo = 1u << 18,
  kTagAddrFormat = 1u << 19,
  kTagAddrTypo = 1u << 20,
  kTagAddrRomanised = 1u << 21,
  kTagNewAddress = 1u << 22,
  kTagNewPhone = 1u << 23,
  kTagNewEmail = 1u << 24,
};
constexpr const char* kTagNames[] = {
    "typo",       "swap",           "nickname",    "honorific",  "name_case",
    "romanised",  "other_script",   "email_case",  "gmail_dots", "plus_tag",
    "email_typo", "junk_email",     "agent_email", "junk_phone", "store_phone",
    "home_phone", "shared_device",  "dob_swap",    "dob_typo",   "addr_format",
    "addr_typo",  "addr_romanised", "new_address", "new_phone",  "new_email"};

// --- Western names -------------------------------------------------------

struct GivenName {
  const char* name;
  const char* nicknames;  // '|'-separated
};
constexpr GivenName kMaleNames[] = {{"James", "Jim|Jimmy|Jamie"},
                                    {"John", "Jack|Johnny"},
                                    {"Robert", "Bob|Rob|Bobby"},
                                    {"Michael", "Mike|Mick"},
                                    {"William", "Bill|Will|Billy"},
                                    {"David", "Dave"},
                                    {"Richard", "Rick|Rich|Dick"},
                                    {"Joseph", "Joe|Joey"},
                                    {"Thomas", "Tom|Tommy"},
                                    {"Charles", "Charlie|Chuck"},
                                    {"Christopher", "Chris"},
                                    {"Daniel", "Dan|Danny"},
                                    {"Matthew", "Matt"},
                                    {"Anthony", "Tony"},
                                    {"Mark", ""},
                                    {"Donald", "Don"},
                                    {"Steven", "Steve"},
                                    {"Andrew", "Andy|Drew"},
                                    {"Paul", ""},
                                    {"Joshua", "Josh"},
                                    {"Kenneth", "Ken|Kenny"},
                                    {"Kevin", ""},
                                    {"Brian", ""},
                                    {"George", ""},
                                    {"Timothy", "Tim"},
                                    {"Ronald", "Ron"},
                                    {"Edward", "Ed|Eddie|Ted"},
                                    {"Jason", ""},
                                    {"Jeffrey", "Jeff"},
                                    {"Ryan", ""},
                                    {"Jacob", "Jake"},
                                    {"Gary", ""},
                                    {"Nicholas", "Nick"},
                                    {"Eric", ""},
                                    {"Jonathan", "Jon"},
                                    {"Stephen", "Steve"},
                                    {"Lawrence", "Larry"},
                                    {"Justin", ""},
                                    {"Scott", ""},
                                    {"Benjamin", "Ben"},
                                    {"Samuel", "Sam"},
                                    {"Gregory", "Greg"},
                                    {"Alexander", "Alex"},
                                    {"Patrick", "Pat"},
                                    {"Frank", ""},
                                    {"Raymond", "Ray"},
                                    {"Henry", "Harry|Hank"},
                                    {"Peter", "Pete"},
                                    {"Oliver", "Ollie"},
                                    {"Liam", ""},
                                    {"Noah", ""},
                                    {"Ethan", ""},
                                    {"José", ""},
                                    {"Luis", ""}};
constexpr GivenName kFemaleNames[] = {{"Mary", "Molly"},
                                      {"Patricia", "Pat|Patty|Trish"},
                                      {"Jennifer", "Jen|Jenny"},
                                      {"Linda", ""},
                                      {"Elizabeth", "Liz|Beth|Betty"},
                                      {"Barbara", "Barb"},
                                      {"Susan", "Sue|Susie"},
                                      {"Jessica", "Jess"},
                                      {"Sarah", ""},
                                      {"Karen", ""},
                                      {"Nancy", ""},
                                      {"Lisa", ""},
                                      {"Margaret", "Maggie|Peggy|Meg"},
                                      {"Sandra", "Sandy"},
                                      {"Ashley", ""},
                                      {"Kimberly", "Kim"},
                                      {"Emily", "Em"},
                                      {"Donna", ""},
                                      {"Michelle", "Shelly"},
                                      {"Dorothy", "Dot"},
                                      {"Carol", ""},
                                      {"Amanda", "Mandy"},
                                      {"Melissa", "Mel"},
                                      {"Deborah", "Deb|Debbie"},
                                      {"Stephanie", "Steph"},
                                      {"Rebecca", "Becky|Becca"},
                                      {"Sharon", ""},
                                      {"Laura", ""},
                                      {"Cynthia", "Cindy"},
                                      {"Kathleen", "Kathy"},
                                      {"Amy", ""},
                                      {"Angela", "Angie"},
                                      {"Helen", ""},
                                      {"Anna", ""},
                                      {"Katherine", "Kate|Kathy|Katie"},
                                      {"Samantha", "Sam"},
                                      {"Christine", "Chris|Chrissy"},
                                      {"Victoria", "Vicky|Tori"},
                                      {"Alexandra", "Alex|Lexi"},
                                      {"Olivia", "Liv"},
                                      {"Charlotte", "Charlie|Lottie"},
                                      {"Sophie", ""},
                                      {"Emma", ""},
                                      {"Grace", ""},
                                      {"Chloe", ""},
                                      {"Jane", ""},
                                      {"Lucy", ""},
                                      {"Abigail", "Abby"},
                                      {"Isabella", "Bella|Izzy"},
                                      {"Natalie", "Nat"},
                                      {"Joanne", "Jo"},
                                      {"Judith", "Judy"},
                                      {"Zoë", ""},
                                      {"Renée", ""}};
// Rough frequency order (Zipf-weighted like the Chinese surnames).
constexpr const char* kWesternSurnames[] = {
    "Smith",    "Johnson",  "Williams", "Brown",      "Jones",      "Miller",
    "Davis",    "Wilson",   "Taylor",   "Anderson",   "Thomas",     "Moore",
    "Martin",   "Jackson",  "Thompson", "White",      "Harris",     "Clark",
    "Lewis",    "Robinson", "Walker",   "Young",      "Allen",      "King",
    "Wright",   "Scott",    "Hill",     "Green",      "Adams",      "Baker",
    "Hall",     "Nelson",   "Carter",   "Mitchell",   "Roberts",    "Turner",
    "Phillips", "Campbell", "Parker",   "Evans",      "Edwards",    "Collins",
    "Stewart",  "Morris",   "Murphy",   "Cook",       "Rogers",     "Morgan",
    "Cooper",   "Peterson", "Reed",     "Bailey",     "Bell",       "Kelly",
    "Howard",   "Ward",     "Cox",      "Richardson", "Wood",       "Watson",
    "Brooks",   "Bennett",  "Gray",     "Hughes",     "Price",      "Sanders",
    "Patel",    "Myers",    "Long",     "Ross",       "Foster",     "Jenkins",
    "Powell",   "Russell",  "Sullivan", "Fisher",     "Henderson",  "Coleman",
    "Graham",   "Wallace",  "O'Brien",  "MacDonald",  "Fitzgerald", "Nguyen",
    "Singh",    "Kowalski", "García",   "Müller",     "Hernández",  "Andersen"};

// Phonetic slips of a call-centre agent typing a heard name (lower case).
constexpr std::pair<const char*, const char*> kWesternDictation[] = {
    {"ph", "f"},    {"f", "ph"}, {"ck", "k"},  {"c", "k"},  {"k", "c"},
    {"y", "i"},     {"i", "y"},  {"ll", "l"},  {"l", "ll"}, {"tt", "t"},
    {"t", "tt"},    {"nn", "n"}, {"ie", "y"},  {"ey", "y"}, {"sen", "son"},
    {"son", "sen"}, {"th", "t"}, {"ou", "ow"}, {"ss", "s"}, {"s", "z"},
    {"ine", "yne"}, {"ph", "v"}, {"mm", "m"},  {"ew", "u"}};
// Pinyin heard and written in older or regional spellings (Wade-Giles and
// the like). Rules only shorten or respell whole sounds, so none of them
// turns "ming" into "mingg".
constexpr std::pair<const char*, const char*> kPinyinDictation[] = {
    {"zh", "ch"},    {"zh", "j"},     {"x", "hs"},        {"q", "ch"},
    {"ong", "ung"},  {"ui", "uei"},   {"ian", "ien"},     {"ie", "ieh"},
    {"ou", "ow"},    {"ao", "au"},    {"eng", "en"},      {"ing", "in"},
    {"ang", "an"},   {"cai", "tsai"}, {"cao", "tsao"},    {"zeng", "tseng"},
    {"zou", "tsou"}, {"guo", "kuo"},  {"gao", "kao"},     {"jiang", "chiang"},
    {"li", "lee"},   {"wu", "woo"},   {"huang", "hwang"}, {"yu", "yi"}};

// --- Places --------------------------------------------------------------

struct WesternCity {
  const char* name;
  const char* postcode;  // US: ZIP prefix; GB: outward area; AU: "lo-hi"
  const char* area;      // phone area code (national, without trunk 0)
};
constexpr WesternCity kUsCities[] = {
    {"New York", "100", "212"},    {"Los Angeles", "900", "213"},
    {"Chicago", "606", "312"},     {"Houston", "770", "713"},
    {"Phoenix", "850", "602"},     {"Philadelphia", "191", "215"},
    {"San Antonio", "782", "210"}, {"San Diego", "921", "619"},
    {"Dallas", "752", "214"},      {"San Jose", "951", "408"},
    {"Austin", "787", "512"},      {"Seattle", "981", "206"},
    {"Boston", "021", "617"},      {"Denver", "802", "303"},
    {"Portland", "972", "503"}};
constexpr WesternCity kGbCities[] = {
    {"London", "SW", "20"},     {"Manchester", "M", "161"},
    {"Birmingham", "B", "121"}, {"Leeds", "LS", "113"},
    {"Glasgow", "G", "141"},    {"Liverpool", "L", "151"},
    {"Bristol", "BS", "117"},   {"Sheffield", "S", "114"},
    {"Edinburgh", "EH", "131"}, {"Cardiff", "CF", "29"}};
constexpr WesternCity kAuCities[] = {
    {"Sydney", "2000-2234", "2"},   {"Melbourne", "3000-3207", "3"},
    {"Brisbane", "4000-4179", "7"}, {"Perth", "6000-6199", "8"},
    {"Adelaide", "5000-5173", "8"}, {"Canberra", "2600-2620", "2"},
    {"Hobart", "7000-7055", "3"}};
constexpr const char* kWesternStreets[] = {
    "Oak",      "Maple",      "Cedar",   "Pine",      "Elm",      "Main",
    "High",     "Church",     "Park",    "Victoria",  "King",     "Queen",
    "George",   "Station",    "Mill",    "Chapel",    "Hill",     "Lake",
    "River",    "Washington", "Lincoln", "Jefferson", "Franklin", "Sunset",
    "Highland", "Cherry",     "Willow",  "Forest",    "Meadow",   "Spring",
    "Albert",   "Elizabeth",  "Grove",   "Bridge",    "Green",    "Manor"};
struct StreetType {
  const char* full;
  const char* abbrev;
};
constexpr StreetType kStreetTypes[] = {
    {"Street", "St"}, {"Road", "Rd"},     {"Avenue", "Ave"},
    {"Lane", "Ln"},   {"Drive", "Dr"},    {"Crescent", "Cres"},
    {"Place", "Pl"},  {"Court", "Ct"},    {"Boulevard", "Blvd"},
    {"Close", "Cl"},  {"Terrace", "Tce"}, {"Way", "Wy"}};

// Known Chinese city codes: {city, phone area code, postcode prefix}.
struct HanCityCode {
  const char* city;
  const char* area;
  const char* postcode;
};
constexpr HanCityCode kCnCityCodes[] = {
    {"北京", "10", "10"},  {"上海", "21", "20"},  {"天津", "22", "30"},
    {"重庆", "23", "40"},  {"广州", "20", "51"},  {"深圳", "755", "51"},
    {"成都", "28", "61"},  {"杭州", "571", "31"}, {"南京", "25", "21"},
    {"武汉", "27", "43"},  {"西安", "29", "71"},  {"苏州", "512", "21"},
    {"青岛", "532", "26"}, {"宁波", "574", "31"}, {"郑州", "371", "45"},
    {"长沙", "731", "41"}};
constexpr HanCityCode kTwCityCodes[] = {
    {"臺北市", "2", "100"}, {"新北市", "2", "220"}, {"桃園市", "3", "330"},
    {"臺中市", "4", "400"}, {"臺南市", "6", "700"}, {"高雄市", "7", "800"},
    {"基隆市", "2", "200"}, {"新竹市", "3", "300"}, {"嘉義市", "5", "600"}};

constexpr const char* kCnMobilePrefixes[] = {
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
    "151", "152", "155", "156", "157", "158", "159", "166", "176", "177",
    "180", "181", "182", "185", "186", "187", "188", "189", "191", "199"};

// --- Email domains per country: {domain, weight} ---
struct Domain {
  const char* name;
  double weight;
};
constexpr Domain kCnDomains[] = {{"qq.com", 0.35},     {"163.com", 0.25},
                                 {"126.com", 0.10},    {"sina.com", 0.05},
                                 {"gmail.com", 0.10},  {"outlook.com", 0.10},
                                 {"foxmail.com", 0.05}};
constexpr Domain kTwDomains[] = {{"gmail.com", 0.45},
                                 {"yahoo.com.tw", 0.30},
                                 {"hotmail.com", 0.15},
                                 {"outlook.com", 0.10}};
constexpr Domain kUsDomains[] = {{"gmail.com", 0.45},   {"yahoo.com", 0.18},
                                 {"outlook.com", 0.10}, {"hotmail.com", 0.10},
                                 {"icloud.com", 0.10},  {"aol.com", 0.07}};
constexpr Domain kGbDomains[] = {
    {"gmail.com", 0.40},   {"hotmail.co.uk", 0.18},  {"yahoo.co.uk", 0.12},
    {"outlook.com", 0.12}, {"btinternet.com", 0.08}, {"icloud.com", 0.10}};
constexpr Domain kAuDomains[] = {{"gmail.com", 0.45},    {"bigpond.com", 0.15},
                                 {"outlook.com", 0.12},  {"hotmail.com", 0.13},
                                 {"yahoo.com.au", 0.10}, {"icloud.com", 0.05}};
constexpr const char* kPlusTags[] = {"shop",  "news", "promo",
                                     "deals", "2024", "idr"};

// Country renderings: ISO code, English, alternative.
constexpr const char* kCountryNames[kNumCountries][3] = {
    {"CN", "China", "中国"},
    {"TW", "Taiwan", "台灣"},
    {"US", "United States", "USA"},
    {"GB", "United Kingdom", "UK"},
    {"AU", "Australia", "AUS"}};
constexpr const char* kCallingCodes[kNumCountries] = {"86", "886", "1", "44",
                                                      "61"};

// ===========================================================================
// Small helpers.

// Stable string hash (std::hash differs between standard libraries).
uint64_t Fnv1a(absl::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

template <size_t N>
std::vector<double> Cumulative(const double (&w)[N]) {
  std::vector<double> c;
  double total = 0;
  for (double x : w) c.push_back(total += x);
  return c;
}

// Days since 1970-01-01 <-> civil date (H. Hinnant's algorithms).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
struct Civil {
  int y, m, d;
};
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m),
          static_cast<int>(d)};
}
int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

void AppendPadded(int64_t v, int width, std::string* out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  for (int i = n; i < width; ++i) out->push_back('0');
  while (n > 0) out->push_back(buf[--n]);
}
std::string Padded(int64_t v, int width) {
  std::string s;
  AppendPadded(v, width, &s);
  return s;
}

void AppendTimestamp(int64_t t, std::string* out) {
  const int64_t days = t / kDay;
  const int64_t secs = t % kDay;
  const Civil c = CivilFromDays(days);
  AppendPadded(c.y, 4, out);
  out->push_back('-');
  AppendPadded(c.m, 2, out);
  out->push_back('-');
  AppendPadded(c.d, 2, out);
  out->push_back('T');
  AppendPadded(secs / 3600, 2, out);
  out->push_back(':');
  AppendPadded(secs / 60 % 60, 2, out);
  out->push_back(':');
  AppendPadded(secs % 60, 2, out);
  out->push_back('Z');
}

void AppendHex(uint64_t v, int digits, bool upper, std::string* out) {
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i)
    out->push_back(hex[(v >> (4 * i)) & 15]);
}

// Case mapping for ASCII and Latin-1 letters (names such as García).
std::string ChangeCase(absl::string_view s, bool upper) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(out[i]);
    if (c < 0x80) {
      out[i] = upper ? absl::ascii_toupper(c) : absl::ascii_tolower(c);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      unsigned char& n = reinterpret_cast<unsigned char&>(out[i + 1]);
      if (upper && n >= 0xA0 && n <= 0xBE && n != 0xB7) n -= 0x20;
      if (!upper && n >= 0x80 && n <= 0x9E && n != 0x97) n += 0x20;
      ++i;
    }
  }
  return out;
}

// Lower-case ASCII form for email local parts (García -> garcia).
std::string AsciiFold(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (absl::ascii_isalnum(c)) out.push_back(absl::ascii_tolower(c));
    } else if (c == 0xC3 && i + 1 < s.size()) {
      const unsigned char n = static_cast<unsigned char>(s[++i]) | 0x20;
      static constexpr char kMap[] =
          "aaaaaaaceeeeiiii"
          "dnooooo ouuuuy  ";
      const int idx = n - 0xA0;
      if (idx >= 0 && idx < 32 && kMap[idx] != ' ') out.push_back(kMap[idx]);
    }
  }
  return out;
}

// QWERTY neighbours, for substitution and insertion typos.
constexpr const char* kKeyNeighbours[26] = {
    "qwsz",   "vghn", "xdfv",   "serfcx", "wsdr",   "drtgvc", "ftyhbv",
    "gyujnb", "ujko", "huikmn", "jiolm",  "kop",    "njk",    "bhjm",
    "iklp",   "ol",   "wa",     "edft",   "awedxz", "rfgy",   "yhji",
    "cfgb",   "qase", "zsdc",   "tghu",   "asx"};

char NeighbourOf(char c, Rng& r) {
  const bool upper = absl::ascii_isupper(static_cast<unsigned char>(c));
  const char lower = absl::ascii_tolower(static_cast<unsigned char>(c));
  if (lower < 'a' || lower > 'z') return upper ? 'E' : 'e';
  const char* n = kKeyNeighbours[lower - 'a'];
  const char pick = n[r.Below(std::strlen(n))];
  return upper ? absl::ascii_toupper(static_cast<unsigned char>(pick)) : pick;
}

// One keyboard typo (substitute / delete / insert / transpose) in Latin text.
std::string LatinTypo(absl::string_view s, Rng& r) {
  std::vector<absl::string_view> ch = matching::Utf8Chars(s);
  // Letter positions only: never break "O'Brien" into invalid UTF-8 or
  // touch spaces.
  std::vector<size_t> letters;
  for (size_t i = 0; i < ch.size(); ++i) {
    if (ch[i].size() > 1 ||
        absl::ascii_isalpha(static_cast<unsigned char>(ch[i][0]))) {
      letters.push_back(i);
    }
  }
  if (letters.empty()) return absl::StrCat(s, "x");
  for (int attempt = 0; attempt < 4; ++attempt) {
    const size_t pos = letters[r.Below(letters.size())];
    int op = static_cast<int>(r.Below(4));
    if (letters.size() < 3 && op == 1) op = 0;  // keep short names readable
    std::string out;
    for (size_t i = 0; i < ch.size(); ++i) {
      if (i != pos) {
        out.append(ch[i].data(), ch[i].size());
        continue;
      }
      const char base = ch[i].size() == 1 ? ch[i][0] : 'e';
      switch (op) {
        case 0:  // substitute
          out.push_back(NeighbourOf(base, r));
          break;
        case 1:  // delete
          break;
        case 2:  // insert a neighbour or a double letter
          out.append(ch[i].data(), ch[i].size());
          if (r.Chance(0.5)) {
            out.append(ch[i].data(), ch[i].size());
          } else {
            out.push_back(NeighbourOf(base, r));
          }
          break;
        default:  // transpose with the next letter
          if (i + 1 < ch.size() &&
              (ch[i + 1].size() > 1 ||
               absl::ascii_isalpha(static_cast<unsigned char>(ch[i + 1][0])))) {
            out.append(ch[i + 1].data(), ch[i + 1].size());
            out.append(ch[i].data(), ch[i].size());
            ++i;
          } else {
            out.push_back(NeighbourOf(base, r));
          }
          break;
      }
    }
    if (out != s && !out.empty()) return out;
  }
  return absl::StrCat(s, s.substr(s.size() - 1));
}

// A phonetic respelling if a rule applies, else a keyboard typo.
std::string DictationTypo(absl::string_view s, bool pinyin, Rng& r) {
  const std::string lower = ChangeCase(s, false);
  std::vector<std::pair<size_t, size_t>> hits;  // (rule, position)
  const auto* rules = pinyin ? kPinyinDictation : kWesternDictation;
  const size_t n_rules =
      pinyin ? std::size(kPinyinDictation) : std::size(kWesternDictation);
  for (size_t k = 0; k < n_rules; ++k) {
    const size_t pos = lower.find(rules[k].first);
    if (pos != std::string::npos) hits.emplace_back(k, pos);
  }
  if (hits.empty()) return LatinTypo(s, r);
  const auto [k, pos] = hits[r.Below(hits.size())];
  std::string out = lower;
  out.replace(pos, std::strlen(rules[k].first), rules[k].second);
  // Restore each word's casing (UPPER, Capitalised or lower); the rules
  // never add or remove spaces or hyphens, so words line up by index.
  const std::vector<absl::string_view> before =
      absl::StrSplit(s, absl::ByAnyChar(" -'"));
  size_t word = 0, start = 0;
  for (size_t i = 0; i <= out.size(); ++i) {
    if (i < out.size() && out[i] != ' ' && out[i] != '-' && out[i] != '\'') {
      continue;
    }
    if (word < before.size() && !before[word].empty() && i > start) {
      const absl::string_view w = before[word];
      const bool upper = std::none_of(w.begin(), w.end(), [](char c) {
        return absl::ascii_islower(static_cast<unsigned char>(c));
      });
      if (upper) {
        for (size_t j = start; j < i; ++j) {
          out[j] = absl::ascii_toupper(static_cast<unsigned char>(out[j]));
        }
      } else if (absl::ascii_isupper(static_cast<unsigned char>(w[0]))) {
        out[start] =
            absl::ascii_toupper(static_cast<unsigned char>(out[start]));
      }
    }
    ++word;
    start = i + 1;
  }
  return out == s ? LatinTypo(s, r) : out;
}

// ===========================================================================
// Phones. A number is its national significant number (NSN, no trunk 0 or
// country code); formats are applied per record.

enum PhoneKind { kMobile = 0, kLandline = 1 };
enum PhoneStyle {
  kIntlSpaced,   // +86 138 0013 8000
  kIntlCompact,  // +8613800138000
  kIntl00,       // 0086-13800138000 / 0044 7700 900123
  kNatCompact,   // 13800138000 / 0212345678
  kNatSpaced,    // 138 0013 8000 / 07700 900123
  kNatDashed,    // 138-0013-8000 / 0912-345-678 / 021-62345678
  kNatParen,     // (021) 6234 5678 / (415) 555-0123
  kNatDotted,    // 415.555.0123
};
struct StyleWeight {
  PhoneStyle style;
  double weight;
};
struct PhoneFormatSpec {
  std::vector<StyleWeight> styles;
  std::vector<double> cumulative;
};

// Splits the NSN into display groups.
std::vector<int> PhoneGroups(Country c, PhoneKind kind, absl::string_view nsn) {
  const int n = static_cast<int>(nsn.size());
  switch (c) {
    case kCN:
      if (kind == kMobile) return {3, 4, 4};
      // Two-digit area codes are 10 and 2x; the rest have three.
      if (nsn[0] == '1' || nsn[0] == '2') return {2, 4, n - 6};
      return {3, 4, n - 7};
    case kTW:
      if (kind == kMobile) return {3, 3, 3};
      return {1, 4, n - 5};
    case kUS:
      return {3, 3, 4};
    case kGB:
      if (kind == kMobile) return {4, 6};
      if (nsn[0] == '2') return {2, 4, 4};
      return {3, 3, 4};
    case kAU:
      if (kind == kMobile) return {3, 3, 3};
      return {1, 4, 4};
    default:
      return {n};
  }
}

std::string FormatPhone(Country c, PhoneKind kind, absl::string_view nsn,
                        PhoneStyle style) {
  const bool trunk = !(c == kUS || (c == kCN && kind == kMobile));
  std::vector<absl::string_view> g;
  size_t pos = 0;
  for (int len : PhoneGroups(c, kind, nsn)) {
    if (len <= 0 || pos >= nsn.size()) continue;
    g.push_back(nsn.substr(pos, len));
    pos += len;
  }
  if (pos < nsn.size()) g.push_back(nsn.substr(pos));
  auto join = [&](size_t from, absl::string_view sep) {
    std::string out;
    for (size_t i = from; i < g.size(); ++i) {
      if (i > from) out.append(sep.data(), sep.size());
      out.append(g[i].data(), g[i].size());
    }
    return out;
  };
  const char* cc = kCallingCodes[c];
  const absl::string_view t = trunk ? "0" : "";
  switch (style) {
    case kIntlSpaced:
      return absl::StrCat("+", cc, " ", join(0, " "));
    case kIntlCompact:
      return absl::StrCat("+", cc, nsn);
    case kIntl00:
      return c == kCN ? absl::StrCat("00", cc, "-", nsn)
                      : absl::StrCat("00", cc, " ", join(0, " "));
    case kNatCompact:
      return absl::StrCat(t, nsn);
    case kNatSpaced:
      return absl::StrCat(t, join(0, " "));
    case kNatDashed:
      // Chinese landlines keep the local number whole: 021-62345678.
      if (c == kCN && kind == kLandline && g.size() > 1) {
        return absl::StrCat(t, g[0], "-", join(1, ""));
      }
      return absl::StrCat(t, join(0, "-"));
    case kNatParen:
      if (c == kUS) {
        return absl::StrCat("(", g[0], ") ", g.size() > 1 ? g[1] : "", "-",
                            join(2, ""));
      }
      return absl::StrCat("(", t, g[0], ") ", join(1, c == kTW ? "-" : " "));
    case kNatDotted:
      return join(0, ".");
  }
  return std::string(nsn);
}

// ===========================================================================
// The generation plan: which customer each row belongs to.

struct Plan {
  std::vector<int64_t> customer_end;     // rows up to and including customer c
  std::vector<int64_t> household_first;  // first customer; + sentinel
  int64_t num_customers() const { return customer_end.size(); }
  int64_t num_households() const { return household_first.size() - 1; }
};

Plan MakePlan(int64_t records, uint64_t seed) {
  Plan plan;
  Rng r(HashOf(seed, 0x706c616eULL));  // "plan"
  const std::vector<double> size_cum = Cumulative(kHouseholdSizeWeights);
  std::vector<double> count_cum;
  double total = 0;
  for (const CountBucket& b : kRecordsPerCustomer)
    count_cum.push_back(total += b.p);
  int64_t rows = 0;
  plan.customer_end.reserve(records / 3 + 16);
  while (rows < records) {
    plan.household_first.push_back(plan.num_customers());
    const int size = static_cast<int>(r.Pick(size_cum)) + 1;
    for (int m = 0; m < size && rows < records; ++m) {
      const CountBucket& b = kRecordsPerCustomer[r.Pick(count_cum)];
      int64_t n = r.Range(b.lo, b.hi);
      n = std::min(n, records - rows);
      rows += n;
      plan.customer_end.push_back(rows);
    }
  }
  plan.household_first.push_back(plan.num_customers());
  return plan;
}

// ===========================================================================
// Entities.

struct City {
  std::string native, other, romanised;
  std::string area;      // phone area code
  std::string postcode;  // prefix (CN/TW/US/GB) or "lo-hi" (AU)
};

struct Address {
  int city = 0;
  int street = 0;
  int street_type = 0;  // Western only
  int number = 1;
  int unit = 0;      // 0: none
  int building = 0;  // CN building (栋)
  std::string postcode;
};

struct Household {
  int64_t index = 0;
  int64_t first_customer = 0;
  int size = 1;
  Country country = kUS;
  bool chinese = false;
  int zh = 0;  // ChineseLocale when chinese
  int surname = 0;
  int spouse_surname = 0;
  int64_t head_birth_days = 0;
  Address addr[2];
  int64_t move_time = std::numeric_limits<int64_t>::max();
  bool has_home_phone = false;
  std::string home_phone;  // NSN
  bool has_shared_device = false;
  uint64_t shared_device = 0;
};

struct Customer {
  int64_t index = 0;
  int member = 0;
  int n_records = 1;
  bool female = false;
  int given = 0;
  int surname = 0;
  char middle_initial = 'A';
  int64_t birth_days = 0;
  std::string mobile[2];  // NSN
  int64_t phone_change_time = std::numeric_limits<int64_t>::max();
  int email_style = 0;
  int email_domain[2] = {0, 0};
  int64_t email_change_time = std::numeric_limits<int64_t>::max();
  bool loyalty = false;
  bool account = false;
  bool login_is_email = false;
  int n_app = 1;
  uint64_t app_device[2] = {0, 0};
  int n_cookie = 1;
  uint64_t cookie[4] = {0, 0, 0, 0};
  int64_t first_seen = kWindowStart;
  int64_t span = 0;
};

enum Field {
  kRecordId = 0,
  kTruthId,
  kChannel,
  kObservedAt,
  kGiven,
  kFamily,
  kFull,
  kBirthDate,
  kGender,
  kEmail,
  kPhone,
  kLoyalty,
  kLogin,
  kDevice,
  kStreet,
  kCity,
  kPostcode,
  kCountry,
  kNumFields
};

// ===========================================================================

class Generator {
 public:
  Generator(const GenOptions& o, std::shared_ptr<const Seeds> seeds)
      : o_(o), seeds_(std::move(seeds)) {}

  void Init();
  absl::Status Run(std::ostream& out);

 private:
  Household MakeHousehold(int64_t h) const;
  Customer MakeCustomer(int64_t c, const Household& hh) const;
  void RenderRecord(const Household& hh, const Customer& cu, int64_t k,
                    int64_t row);
  void RenderName(const Household& hh, const Customer& cu, Channel ch, Rng& r);
  void RenderBirthDate(const Household& hh, const Customer& cu, Rng& r);
  void RenderEmail(const Household& hh, const Customer& cu, Channel ch,
                   int64_t t, Rng& r);
  void RenderPhone(const Household& hh, const Customer& cu, Channel ch,
                   int64_t t, Rng& r);
  void RenderAddress(const Household& hh, int64_t t, Rng& r);
  std::string HanTypo(absl::string_view s, bool traditional, Rng& r) const;
  std::string EmailLocal(const Household& hh, const Customer& cu,
                         int version) const;
  std::string CanonicalEmail(const Household& hh, const Customer& cu,
                             int version) const;
  const std::vector<City>& Cities(Country c) const { return cities_[c]; }
  const Domain* Domains(Country c, size_t* n) const;
  std::string PhoneNumber(Country c, PhoneKind kind, uint64_t index,
                          const std::string& area, uint64_t salt) const;

  const GenOptions& o_;
  std::shared_ptr<const Seeds> seeds_;
  Plan plan_;
  uint64_t seed_ = 0;

  std::vector<double> western_surname_cum_;
  std::vector<std::vector<std::string>> nicknames_[2];  // [female][given]
  std::vector<std::string> western_given_ascii_[2];
  std::vector<std::string> western_surname_ascii_;
  std::vector<City> cities_[kNumCountries];
  std::vector<std::string> store_phones_[kNumCountries];  // NSN
  std::vector<std::string> agent_emails_;
  PhoneFormatSpec phone_formats_[kNumCountries][2];
  std::vector<double> channel_cum_, layout_cum_, roman_cum_, western_full_cum_,
      date_cum_, gender_cum_, country_fmt_cum_, western_country_cum_;
  std::vector<double> domain_cum_[kNumCountries];
  std::unique_ptr<FeistelPermutation> row_perm_, phone_perm_[kNumCountries],
      email_perm_, loyalty_perm_, login_perm_;
  int record_id_width_ = 7;

  // Current row.
  std::array<std::string, kNumFields> f_;
  uint32_t tags_ = 0;
};

void Generator::Init() {
  seed_ = HashOf(o_.seed, 0x6964722067656eULL);  // "idr gen"
  plan_ = MakePlan(o_.records, seed_);
  const uint64_t customers = plan_.num_customers();
  const uint64_t households = plan_.num_households();

  record_id_width_ = std::max<int>(7, absl::StrCat(o_.records).size());
  row_perm_ =
      std::make_unique<FeistelPermutation>(o_.records, HashOf(seed_, 1));
  // Phone suffix spaces per country; indices: mobiles 2c+v, then household
  // landlines, then store phones, so all are distinct within a country.
  const uint64_t phone_space[kNumCountries] = {90000000, 90000000, 8000000,
                                               8000000, 90000000};
  for (int c = 0; c < kNumCountries; ++c) {
    phone_perm_[c] = std::make_unique<FeistelPermutation>(phone_space[c],
                                                          HashOf(seed_, 2, c));
  }
  uint64_t email_space = 100000;
  while (email_space < 4 * customers + 16) email_space *= 10;
  email_perm_ =
      std::make_unique<FeistelPermutation>(email_space, HashOf(seed_, 3));
  loyalty_perm_ =
      std::make_unique<FeistelPermutation>(10000000000ULL, HashOf(seed_, 4));
  login_perm_ =
      std::make_unique<FeistelPermutation>(100000000ULL, HashOf(seed_, 5));

  double total = 0;
  for (const ChannelProfile& p : kChannels)
    channel_cum_.push_back(total += p.weight);
  layout_cum_ = Cumulative(kLayoutWeights);
  roman_cum_ = Cumulative(kRomanStyleWeights);
  western_full_cum_ = Cumulative(kWesternFullWeights);
  date_cum_ = Cumulative(kDateFormatWeights);
  gender_cum_ = Cumulative(kGenderFormatWeights);
  country_fmt_cum_ = Cumulative(kCountryFormatWeights);
  western_country_cum_ = Cumulative(kWesternCountryWeights);

  total = 0;
  for (size_t i = 0; i < std::size(kWesternSurnames); ++i) {
    western_surname_cum_.push_back(total += 1.0 / (i + 3.0));
    western_surname_ascii_.push_back(AsciiFold(kWesternSurnames[i]));
  }
  for (int female = 0; female < 2; ++female) {
    const GivenName* names = female ? kFemaleNames : kMaleNames;
    const size_t n = female ? std::size(kFemaleNames) : std::size(kMaleNames);
    for (size_t i = 0; i < n; ++i) {
      std::vector<std::string> nicks =
          absl::StrSplit(names[i].nicknames, '|', absl::SkipEmpty());
      nicknames_[female].push_back(std::move(nicks));
      western_given_ascii_[female].push_back(AsciiFold(names[i].name));
    }
  }

  // Cities with phone area codes and postcode prefixes.
  for (int loc = 0; loc < internal::kNumChineseLocales; ++loc) {
    const Country country = loc == internal::kZhCN ? kCN : kTW;
    const auto* codes = loc == internal::kZhCN ? kCnCityCodes : kTwCityCodes;
    const size_t n_codes = loc == internal::kZhCN ? std::size(kCnCityCodes)
                                                  : std::size(kTwCityCodes);
    for (const HanText& t : seeds_->zh[loc].cities) {
      City city;
      city.native = t.native;
      city.other = t.other;
      city.romanised = t.pinyin_joined;
      const uint64_t h = HashOf(seed_, 6, Fnv1a(t.native));
      // Unknown cities get a stable made-up code.
      if (country == kCN) {
        city.area = absl::StrCat(Rng(h).Range(310, 939));
        city.postcode = absl::StrCat(Rng(h + 1).Range(11, 86));
      } else {
        city.area = absl::StrCat(Rng(h).Range(3, 8));
        city.postcode =
            absl::StrCat(Rng(h + 1).Range(2, 9), Rng(h + 2).Range(0, 9), "0");
      }
      for (size_t i = 0; i < n_codes; ++i) {
        if (t.native == codes[i].city) {
          city.area = codes[i].area;
          city.postcode = codes[i].postcode;
        }
      }
      cities_[country].push_back(std::move(city));
    }
  }
  for (Country c : {kUS, kGB, kAU}) {
    const WesternCity* list = c == kUS   ? kUsCities
                              : c == kGB ? kGbCities
                                         : kAuCities;
    const size_t n = c == kUS   ? std::size(kUsCities)
                     : c == kGB ? std::size(kGbCities)
                                : std::size(kAuCities);
    for (size_t i = 0; i < n; ++i) {
      City city;
      city.native = list[i].name;
      city.romanised = list[i].name;
      city.area = list[i].area;
      city.postcode = list[i].postcode;
      cities_[c].push_back(std::move(city));
    }
  }

  // Store phones (landlines) and call-centre agents.
  for (int c = 0; c < kNumCountries; ++c) {
    for (int s = 0; s < kStoresPerCountry; ++s) {
      const City& city = cities_[c][s % cities_[c].size()];
      store_phones_[c].push_back(PhoneNumber(static_cast<Country>(c), kLandline,
                                             2 * customers + households + s,
                                             city.area, s));
    }
  }
  Rng ar(HashOf(seed_, 7));
  for (int a = 0; a < kAgents; ++a) {
    const bool female = ar.Chance(0.5);
    const auto& given = western_given_ascii_[female];
    agent_emails_.push_back(absl::StrCat(
        given[ar.Below(given.size())], ".",
        western_surname_ascii_[ar.Below(western_surname_ascii_.size())], "@",
        kAgentDomain));
  }

  // Phone display formats: {style, weight} per country and kind.
  auto spec = [](std::vector<StyleWeight> s) {
    PhoneFormatSpec f;
    double t = 0;
    for (const StyleWeight& w : s) f.cumulative.push_back(t += w.weight);
    f.styles = std::move(s);
    return f;
  };
  phone_formats_[kCN][kMobile] = spec({{kIntlSpaced, 0.25},
                                       {kNatCompact, 0.40},
                                       {kIntlCompact, 0.15},
                                       {kIntl00, 0.05},
                                       {kNatDashed, 0.10},
                                       {kNatSpaced, 0.05}});
  phone_formats_[kCN][kLandline] = spec({{kNatDashed, 0.45},
                                         {kNatParen, 0.15},
                                         {kIntlSpaced, 0.20},
                                         {kNatCompact, 0.20}});
  phone_formats_[kTW][kMobile] = spec({{kNatDashed, 0.40},
                                       {kNatCompact, 0.30},
                                       {kIntlSpaced, 0.20},
                                       {kIntlCompact, 0.10}});
  phone_formats_[kTW][kLandline] = spec({{kNatDashed, 0.45},
                                         {kNatParen, 0.25},
                                         {kIntlSpaced, 0.20},
                                         {kNatCompact, 0.10}});
  for (int kind = 0; kind < 2; ++kind) {
    phone_formats_[kUS][kind] = spec({{kNatParen, 0.35},
                                      {kNatDashed, 0.25},
                                      {kNatCompact, 0.20},
                                      {kIntlSpaced, 0.15},
                                      {kNatDotted, 0.05}});
  }
  phone_formats_[kGB][kMobile] = spec({{kNatSpaced, 0.40},
                                       {kNatCompact, 0.30},
                                       {kIntlSpaced, 0.25},
                                       {kIntl00, 0.05}});
  phone_formats_[kGB][kLandline] =
      spec({{kNatSpaced, 0.45}, {kNatCompact, 0.25}, {kIntlSpaced, 0.30}});
  phone_formats_[kAU][kMobile] = spec({{kNatSpaced, 0.40},
                                       {kNatCompact, 0.30},
                                       {kIntlSpaced, 0.25},
                                       {kIntlCompact, 0.05}});
  phone_formats_[kAU][kLandline] = spec({{kNatParen, 0.35},
                                         {kNatSpaced, 0.35},
                                         {kIntlSpaced, 0.20},
                                         {kNatCompact, 0.10}});

  for (int c = 0; c < kNumCountries; ++c) {
    size_t n;
    const Domain* d = Domains(static_cast<Country>(c), &n);
    double t = 0;
    for (size_t i = 0; i < n; ++i) domain_cum_[c].push_back(t += d[i].weight);
  }
}

const Domain* Generator::Domains(Country c, size_t* n) const {
  switch (c) {
    case kCN:
      *n = std::size(kCnDomains);
      return kCnDomains;
    case kTW:
      *n = std::size(kTwDomains);
      return kTwDomains;
    case kUS:
      *n = std::size(kUsDomains);
      return kUsDomains;
    case kGB:
      *n = std::size(kGbDomains);
      return kGbDomains;
    default:
      *n = std::size(kAuDomains);
      return kAuDomains;
  }
}

// A number unique within its country for distinct `index` values.
std::string Generator::PhoneNumber(Country c, PhoneKind kind, uint64_t index,
                                   const std::string& area,
                                   uint64_t salt) const {
  const uint64_t x = phone_perm_[c]->Map(index);
  Rng r(HashOf(seed_, 8, index, salt));
  switch (c) {
    case kCN:  // suffix 8 digits
      if (kind == kMobile) {
        return absl::StrCat(
            kCnMobilePrefixes[r.Below(std::size(kCnMobilePrefixes))],
            10000000 + x % 90000000);
      }
      return absl::StrCat(area, 10000000 + x % 90000000);
    case kTW:
      if (kind == kMobile) return absl::StrCat("9", 10000000 + x % 90000000);
      return absl::StrCat(area, 10000000 + x % 90000000);
    case kUS:  // area + 7 digits starting 2-9
      return absl::StrCat(area, 2000000 + x % 8000000);
    case kGB:
      if (kind == kMobile) {
        return absl::StrCat("7", r.Range(40, 99), 2000000 + x % 8000000);
      }
      if (area.size() == 2) {  // London 020 3xxx / 7xxx
        return absl::StrCat(area, r.Chance(0.5) ? "7" : "3",
                            2000000 + x % 8000000);
      }
      return absl::StrCat(area, 2000000 + x % 8000000);
    default:  // AU: mobile 4 + 8 digits, landline area + 8 digits
      if (kind == kMobile) return absl::StrCat("4", 10000000 + x % 90000000);
      return absl::StrCat(area, 10000000 + x % 90000000);
  }
}

Household Generator::MakeHousehold(int64_t h) const {
  Household hh;
  Rng r(HashOf(seed_, 0x6868ULL, h));  // "hh"
  hh.index = h;
  hh.first_customer = plan_.household_first[h];
  hh.size = static_cast<int>(plan_.household_first[h + 1] - hh.first_customer);
  hh.chinese = r.Chance(o_.chinese_share);
  if (hh.chinese) {
    hh.zh = r.Chance(kChineseTwShare) ? internal::kZhTW : internal::kZhCN;
    hh.country = hh.zh == internal::kZhCN ? kCN : kTW;
    const HanPool& sur = seeds_->zh[hh.zh].surnames;
    hh.surname = static_cast<int>(r.Pick(sur.cumulative));
    do {
      hh.spouse_surname = static_cast<int>(r.Pick(sur.cumulative));
    } while (hh.spouse_surname == hh.surname && sur.items.size() > 1);
  } else {
    hh.country = static_cast<Country>(kUS + r.Pick(western_country_cum_));
    hh.surname = static_cast<int>(r.Pick(western_surname_cum_));
    hh.spouse_surname = r.Chance(0.7)
                            ? hh.surname
                            : static_cast<int>(r.Pick(western_surname_cum_));
  }
  hh.head_birth_days = DaysFromCivil(1950, 1, 1) + r.Below(46 * 365);

  const std::vector<City>& cities = Cities(hh.country);
  const bool unit = r.Chance(kUnitRate);
  for (Address& a : hh.addr) {
    a.city = static_cast<int>(r.Below(cities.size()));
    const City& city = cities[a.city];
    if (hh.chinese) {
      a.street = static_cast<int>(r.Below(seeds_->zh[hh.zh].streets.size()));
      a.number = static_cast<int>(r.Range(1, 999));
      a.building = static_cast<int>(r.Range(1, 30));
      a.unit =
          unit ? static_cast<int>(r.Range(1, 32) * 100 + r.Range(1, 6)) : 0;
    } else {
      a.street = static_cast<int>(r.Below(std::size(kWesternStreets)));
      a.street_type = static_cast<int>(r.Below(std::size(kStreetTypes)));
      a.number = static_cast<int>(r.Range(1, 2500));
      a.unit = unit ? static_cast<int>(r.Range(1, 40)) : 0;
    }
    switch (hh.country) {
      case kCN:
        a.postcode = absl::StrCat(city.postcode, Padded(r.Below(10000), 4));
        break;
      case kTW:
        a.postcode =
            absl::StrCat(city.postcode.substr(0, 3), Padded(r.Below(100), 2));
        break;
      case kUS:
        a.postcode = absl::StrCat(city.postcode, Padded(r.Below(100), 2));
        break;
      case kGB: {
        static constexpr char kLetters[] = "ABDEFGHJLNPQRSTUWXYZ";
        a.postcode =
            absl::StrCat(city.postcode, r.Range(1, 20), " ", r.Range(1, 9));
        a.postcode.push_back(kLetters[r.Below(20)]);
        a.postcode.push_back(kLetters[r.Below(20)]);
        break;
      }
      default: {
        int64_t lo = 2000, hi = 2000;
        std::pair<std::string, std::string> range =
            absl::StrSplit(city.postcode, '-');
        if (!absl::SimpleAtoi(range.first, &lo) ||
            !absl::SimpleAtoi(range.second, &hi)) {
          hi = lo;
        }
        a.postcode = Padded(r.Range(lo, hi), 4);
        break;
      }
    }
  }
  const bool moves = r.Chance(o_.move_rate);
  const int64_t move_at = kWindowStart + r.Below(kWindowEnd - kWindowStart);
  if (moves) hh.move_time = move_at;

  const bool home = r.Chance(o_.household_phone_rate);
  const bool device = r.Chance(o_.household_device_rate);
  const uint64_t device_id = r.Next();
  if (hh.size > 1 && home) {
    hh.has_home_phone = true;
    hh.home_phone =
        PhoneNumber(hh.country, kLandline, 2 * plan_.num_customers() + h,
                    cities[hh.addr[0].city].area, 0);
  }
  if (hh.size > 1 && device) {
    hh.has_shared_device = true;
    hh.shared_device = device_id;
  }
  return hh;
}

Customer Generator::MakeCustomer(int64_t c, const Household& hh) const {
  Customer cu;
  Rng r(HashOf(seed_, 0x6375ULL, c));  // "cu"
  cu.index = c;
  cu.member = static_cast<int>(c - hh.first_customer);
  const int64_t start = c == 0 ? 0 : plan_.customer_end[c - 1];
  cu.n_records = static_cast<int>(plan_.customer_end[c] - start);

  // Member 0 heads the household, member 1 is the partner, others children.
  Rng hr(HashOf(seed_, 0x6867ULL, hh.index));  // household gender draw
  const bool head_female = hr.Chance(0.5);
  const bool partner_female = hr.Chance(0.9) ? !head_female : head_female;
  cu.female = cu.member == 0   ? head_female
              : cu.member == 1 ? partner_female
                               : r.Chance(0.5);
  cu.surname = cu.member == 1 ? hh.spouse_surname : hh.surname;
  if (hh.chinese) {
    const ChineseSeeds& z = seeds_->zh[hh.zh];
    const HanPool& pool = cu.female ? z.given_female : z.given_male;
    cu.given = static_cast<int>(r.Pick(pool.cumulative));
  } else {
    cu.given = static_cast<int>(r.Below(nicknames_[cu.female].size()));
  }
  cu.middle_initial = static_cast<char>('A' + r.Below(26));

  const int64_t latest_birth = DaysFromCivil(2006, 12, 31);
  if (cu.member == 0) {
    cu.birth_days = hh.head_birth_days;
  } else if (cu.member == 1) {
    cu.birth_days = hh.head_birth_days + r.Range(-6 * 365, 6 * 365);
  } else {
    cu.birth_days = hh.head_birth_days + r.Range(20 * 365, 35 * 365);
  }
  cu.birth_days = std::min(cu.birth_days, latest_birth);

  // Timeline of this customer's records.
  const int64_t window = kWindowEnd - kWindowStart - 1;
  if (cu.n_records > 1) {
    cu.span = std::min<int64_t>(window,
                                r.Range(30 * kDay, cu.n_records * 120 * kDay));
  }
  cu.first_seen = kWindowStart + r.Below(window - cu.span + 1);
  const int64_t change_a = cu.first_seen + r.Below(cu.span + 1);
  const int64_t change_b = cu.first_seen + r.Below(cu.span + 1);

  const std::vector<City>& cities = Cities(hh.country);
  const std::string& area = cities[hh.addr[0].city].area;
  cu.mobile[0] = PhoneNumber(hh.country, kMobile, 2 * c, area, 1);
  cu.mobile[1] = PhoneNumber(hh.country, kMobile, 2 * c + 1, area, 1);
  if (r.Chance(o_.phone_change_rate)) cu.phone_change_time = change_a;

  cu.email_style = static_cast<int>(r.Below(5));
  cu.email_domain[0] = static_cast<int>(r.Pick(domain_cum_[hh.country]));
  cu.email_domain[1] = static_cast<int>(r.Pick(domain_cum_[hh.country]));
  if (r.Chance(o_.email_change_rate)) cu.email_change_time = change_b;

  cu.loyalty = r.Chance(o_.loyalty_member_rate);
  cu.account = r.Chance(o_.account_rate);
  cu.login_is_email = r.Chance(kLoginIsEmailRate);
  cu.n_app = r.Chance(0.8) ? 1 : 2;
  for (uint64_t& d : cu.app_device) d = r.Next();
  cu.n_cookie = static_cast<int>(r.Range(1, 4));
  for (uint64_t& d : cu.cookie) d = r.Next();
  return cu;
}

// The name-based part of an email address (no number, no domain).
std::string Generator::EmailLocal(const Household& hh, const Customer& cu,
                                  int version) const {
  std::string given, family, initials;
  if (hh.chinese) {
    const ChineseSeeds& z = seeds_->zh[hh.zh];
    const HanText& g =
        (cu.female ? z.given_female : z.given_male).items[cu.given];
    const HanText& s = z.surnames.items[cu.surname];
    given = AsciiFold(g.pinyin_joined);
    family = AsciiFold(s.pinyin_joined);
    initials.push_back(family.empty() ? 'x' : family[0]);
    for (absl::string_view syl : absl::StrSplit(g.pinyin_spaced, ' ')) {
      if (!syl.empty()) initials.push_back(absl::ascii_tolower(syl[0]));
    }
  } else {
    given = western_given_ascii_[cu.female][cu.given];
    family = western_surname_ascii_[cu.surname];
    initials = given.substr(0, 1) + family;
  }
  switch ((cu.email_style + version) % 5) {
    case 0:
      return absl::StrCat(given, ".", family);
    case 1:
      return absl::StrCat(family, given);
    case 2:
      return initials;
    case 3:
      return absl::StrCat(family, ".", given);
    default:
      return absl::StrCat(given, "_", family);
  }
}

std::string Generator::CanonicalEmail(const Household& hh, const Customer& cu,
                                      int version) const {
  size_t n;
  const Domain* domains = Domains(hh.country, &n);
  const absl::string_view domain = domains[cu.email_domain[version]].name;
  // A globally unique number keeps addresses unique per customer.
  const uint64_t number = email_perm_->Map(2 * cu.index + version);
  if (domain == "qq.com") return absl::StrCat(number + 10000, "@", domain);
  return absl::StrCat(EmailLocal(hh, cu, version), number, "@", domain);
}

std::string Generator::HanTypo(absl::string_view s, bool traditional,
                               Rng& r) const {
  std::vector<absl::string_view> ch = matching::Utf8Chars(s);
  std::vector<size_t> candidates;
  const std::string script = traditional ? "T" : "S";
  for (size_t i = 0; i < ch.size(); ++i) {
    if (seeds_->homophones.contains(absl::StrCat(script, ch[i]))) {
      candidates.push_back(i);
    }
  }
  std::string out;
  if (!candidates.empty()) {
    // IME slip: a character with the same (toneless) pinyin.
    const size_t pos = candidates[r.Below(candidates.size())];
    const std::vector<std::string>& alts =
        seeds_->homophones.at(absl::StrCat(script, ch[pos]));
    for (size_t i = 0; i < ch.size(); ++i) {
      if (i == pos) {
        out += alts[r.Below(alts.size())];
      } else {
        out.append(ch[i].data(), ch[i].size());
      }
    }
    return out;
  }
  // No homophone known: drop a character, or double one in a 1-char value.
  const size_t pos = r.Below(ch.size());
  for (size_t i = 0; i < ch.size(); ++i) {
    if (i != pos || ch.size() == 1) out.append(ch[i].data(), ch[i].size());
    if (i == pos && ch.size() == 1) out.append(ch[i].data(), ch[i].size());
  }
  return out;
}

void Generator::RenderName(const Household& hh, const Customer& cu, Channel ch,
                           Rng& r) {
  const int layout =
      static_cast<int>(r.Pick(layout_cum_));  // 0 split, 1 full, 2 both
  const bool has_split = layout != 1, has_full = layout != 0;
  std::string given, family, full;
  bool latin = true, traditional = false, pinyin = false;
  const char* title = nullptr;

  if (hh.chinese) {
    const ChineseSeeds& z = seeds_->zh[hh.zh];
    const HanText& g =
        (cu.female ? z.given_female : z.given_male).items[cu.given];
    const HanText& s = z.surnames.items[cu.surname];
    if (r.Chance(o_.romanised_rate)) {
      tags_ |= kTagRomanised;
      pinyin = true;
      switch (r.Pick(roman_cum_)) {
        case 0:
          given = g.pinyin_joined;
          family = s.pinyin_joined;
          full = absl::StrCat(family, " ", given);
          break;
        case 1:
          given = g.pinyin_joined;
          family = s.pinyin_joined;
          full = absl::StrCat(given, " ", family);
          break;
        case 2:
          given = g.pinyin_spaced;
          family = ChangeCase(s.pinyin_joined, true);
          full = absl::StrCat(family, " ", given);
          break;
        default:
          given = g.pinyin_hyphen;
          family = s.pinyin_joined;
          full = absl::StrCat(family, " ", given);
          break;
      }
      if (r.Chance(o_.honorific_rate) && has_full) {
        tags_ |= kTagHonorific;
        title = cu.female ? (r.Chance(0.5) ? "Ms" : "Mrs") : "Mr";
        full = r.Chance(0.5) ? absl::StrCat(title, " ", full)
                             : absl::StrCat(title, " ", family);
      }
    } else {
      latin = false;
      const bool other = r.Chance(o_.other_script_rate);
      if (other) tags_ |= kTagOtherScript;
      traditional = (hh.zh == internal::kZhTW) != other;
      given = other ? g.other : g.native;
      family = other ? s.other : s.native;
      full = absl::StrCat(family, given);
      if (r.Chance(o_.honorific_rate) && has_full) {
        tags_ |= kTagHonorific;
        const char* t = !cu.female ? "先生" : (r.Chance(0.5) ? "女士" : "小姐");
        // Often just the surname and title, as a call-centre agent notes it.
        full = r.Chance(0.5) ? absl::StrCat(full, t) : absl::StrCat(family, t);
      }
    }
  } else {
    const GivenName& gn = (cu.female ? kFemaleNames : kMaleNames)[cu.given];
    const std::vector<std::string>& nicks = nicknames_[cu.female][cu.given];
    given = gn.name;
    if (!nicks.empty() && r.Chance(o_.nickname_rate)) {
      tags_ |= kTagNickname;
      given = nicks[r.Below(nicks.size())];
    }
    family = kWesternSurnames[cu.surname];
    switch (r.Pick(western_full_cum_)) {
      case 0:
        full = absl::StrCat(given, " ", family);
        break;
      case 1:
        full = absl::StrCat(family, ", ", given);
        break;
      default:
        full = absl::StrCat(given, " ", std::string(1, cu.middle_initial), ". ",
                            family);
        break;
    }
    if (r.Chance(o_.honorific_rate) && has_full) {
      tags_ |= kTagHonorific;
      title = cu.female ? (r.Chance(0.5) ? "Ms" : "Mrs") : "Mr";
      full = r.Chance(0.7)
                 ? absl::StrCat(title, r.Chance(0.5) ? ". " : " ", full)
                 : absl::StrCat(title, " ", family);
    }
  }

  if (has_split && r.Chance(o_.name_swap_rate)) {
    tags_ |= kTagSwap;
    std::swap(given, family);
  }
  if (latin && r.Chance(o_.name_case_rate)) {
    tags_ |= kTagNameCase;
    const bool upper = r.Chance(0.6);
    given = ChangeCase(given, upper);
    family = ChangeCase(family, upper);
    full = ChangeCase(full, upper);
  }
  const double typo =
      ch == kCallCenter ? o_.call_center_typo_rate : o_.typo_rate;
  if (r.Chance(typo)) {
    tags_ |= kTagTypo;
    std::string* targets[3];
    int n = 0;
    if (has_split) {
      targets[n++] = &given;
      targets[n++] = &family;
    }
    if (has_full) targets[n++] = &full;
    std::string* t = targets[r.Below(n)];
    if (!latin) {
      *t = HanTypo(*t, traditional, r);
    } else if (ch == kCallCenter) {
      *t = DictationTypo(*t, pinyin, r);
    } else {
      *t = LatinTypo(*t, r);
    }
  }
  if (has_split) {
    f_[kGiven] = std::move(given);
    f_[kFamily] = std::move(family);
  }
  if (has_full) f_[kFull] = std::move(full);
}

void Generator::RenderBirthDate(const Household& hh, const Customer& cu,
                                Rng& r) {
  Civil d = CivilFromDays(cu.birth_days);
  if (r.Chance(o_.dob_swap_rate) && d.d <= 12 && d.d != d.m) {
    tags_ |= kTagDobSwap;
    std::swap(d.d, d.m);
  }
  if (r.Chance(o_.dob_typo_rate)) {
    tags_ |= kTagDobTypo;
    const int delta = r.Chance(0.5) ? 1 : -1;
    if (r.Chance(0.5)) {
      d.y += delta;
      d.d = std::min(d.d, DaysInMonth(d.y, d.m));  // 29 Feb
    } else {
      d.d += delta;
      if (d.d < 1 || d.d > DaysInMonth(d.y, d.m)) d.d -= 2 * delta;
    }
  }
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  std::string& out = f_[kBirthDate];
  const std::string y = Padded(d.y, 4), m = Padded(d.m, 2), dd = Padded(d.d, 2);
  const bool chinese = hh.country == kCN || hh.country == kTW;
  switch (r.Pick(date_cum_)) {
    case 0:
      out = absl::StrCat(y, "-", m, "-", dd);
      break;
    case 1:
      if (chinese) {
        out = absl::StrCat(y, "/", m, "/", dd);
      } else if (hh.country == kUS) {
        out = absl::StrCat(m, "/", dd, "/", y);
      } else {
        out = absl::StrCat(dd, "/", m, "/", y);
      }
      break;
    case 2:
      out = absl::StrCat(y, m, dd);
      break;
    case 3:
      out = chinese ? absl::StrCat(y, ".", m, ".", dd)
                    : absl::StrCat(y, "/", m, "/", dd);
      break;
    default:
      if (chinese) {
        out = absl::StrCat(d.y, "年", d.m, "月", d.d, "日");
      } else if (hh.country == kUS) {
        out = absl::StrCat(kMonths[d.m - 1], " ", d.d, ", ", d.y);
      } else {
        out = absl::StrCat(d.d, " ", kMonths[d.m - 1], " ", d.y);
      }
      break;
  }
}

void Generator::RenderEmail(const Household& hh, const Customer& cu, Channel ch,
                            int64_t t, Rng& r) {
  std::string& out = f_[kEmail];
  if (r.Chance(o_.junk_email_rate)) {
    tags_ |= kTagJunkEmail;
    out = r.OneOf(kJunkEmails);
    return;
  }
  if (ch == kCallCenter && r.Chance(o_.agent_email_rate)) {
    tags_ |= kTagAgentEmail;
    out = agent_emails_[r.Below(agent_emails_.size())];
    return;
  }
  const int version = t >= cu.email_change_time ? 1 : 0;
  if (version == 1) tags_ |= kTagNewEmail;
  out = CanonicalEmail(hh, cu, version);
  const size_t at = out.find('@');
  std::string local = out.substr(0, at);
  std::string domain = out.substr(at + 1);
  if (domain == "gmail.com" && r.Chance(o_.gmail_dot_rate)) {
    // Gmail ignores dots: drop them, or add one inside the name part.
    std::string moved;
    if (local.find('.') != std::string::npos && r.Chance(0.5)) {
      for (char c : local) {
        if (c != '.') moved.push_back(c);
      }
    } else {
      const size_t letters = local.find_first_of("0123456789");
      const size_t limit =
          letters == std::string::npos ? local.size() : letters;
      moved = local;
      if (limit >= 2) moved.insert(1 + r.Below(limit - 1), ".");
    }
    if (moved != local && moved.find("..") == std::string::npos) {
      tags_ |= kTagGmailDots;
      local = std::move(moved);
    }
  }
  if ((domain == "gmail.com" || domain == "outlook.com" ||
       domain == "icloud.com" || domain == "hotmail.com") &&
      r.Chance(o_.plus_tag_rate)) {
    tags_ |= kTagPlusTag;
    absl::StrAppend(&local, "+", r.OneOf(kPlusTags));
  }
  if (r.Chance(o_.email_domain_typo_rate)) {
    tags_ |= kTagEmailTypo;
    const size_t dot = domain.find('.');
    if (r.Chance(0.3) || dot < 3) {
      domain = absl::StrCat(domain.substr(0, domain.size() - 1),
                            domain.back() == 'm' ? "n" : "m");
    } else {
      const size_t i = r.Below(dot - 1);  // swap two adjacent letters
      if (domain[i] == domain[i + 1]) {
        domain.erase(i, 1);
      } else {
        std::swap(domain[i], domain[i + 1]);
      }
    }
  }
  out = absl::StrCat(local, "@", domain);
  if (r.Chance(o_.email_case_rate)) {
    tags_ |= kTagEmailCase;
    if (r.Chance(0.3)) {
      out = ChangeCase(out, true);
    } else {
      bool start = true;
      for (char& c : out) {
        if (start) c = absl::ascii_toupper(static_cast<unsigned char>(c));
        start = c == '.' || c == '@' || c == '_';
      }
    }
  }
}

void Generator::RenderPhone(const Household& hh, const Customer& cu, Channel ch,
                            int64_t t, Rng& r) {
  std::string& out = f_[kPhone];
  if (r.Chance(o_.junk_phone_rate)) {
    tags_ |= kTagJunkPhone;
    out = r.OneOf(kJunkPhones);
    return;
  }
  PhoneKind kind = kMobile;
  const std::string* nsn;
  if (ch == kStore && r.Chance(o_.store_phone_rate)) {
    tags_ |= kTagStorePhone;
    kind = kLandline;
    nsn = &store_phones_[hh.country][r.Below(kStoresPerCountry)];
  } else if (hh.has_home_phone && r.Chance(o_.household_phone_use_rate)) {
    tags_ |= kTagHomePhone;
    kind = kLandline;
    nsn = &hh.home_phone;
  } else {
    const int version = t >= cu.phone_change_time ? 1 : 0;
    if (version == 1) tags_ |= kTagNewPhone;
    nsn = &cu.mobile[version];
  }
  const PhoneFormatSpec& spec = phone_formats_[hh.country][kind];
  out = FormatPhone(hh.country, kind, *nsn,
                    spec.styles[r.Pick(spec.cumulative)].style);
}

void Generator::RenderAddress(const Household& hh, int64_t t, Rng& r) {
  const bool moved = t >= hh.move_time;
  if (moved) tags_ |= kTagNewAddress;
  const Address& a = hh.addr[moved ? 1 : 0];
  const City& city = Cities(hh.country)[a.city];
  std::string& street = f_[kStreet];
  // A format variant: the unit left out, an abbreviation, full-width digits
  // or upper case, whichever fits the address.
  const bool fmt = r.Chance(o_.address_format_rate);
  if (fmt) tags_ |= kTagAddrFormat;
  const bool drop_unit = fmt && a.unit != 0 && r.Chance(0.5);
  bool latin = true;
  if (hh.chinese) {
    const HanStreet& s = seeds_->zh[hh.zh].streets[a.street];
    const bool cn = hh.country == kCN;
    if (r.Chance(o_.romanised_address_rate)) {
      tags_ |= kTagAddrRomanised;
      const bool english = r.Chance(0.6);
      if (english) {
        street = absl::StrCat(fmt && !drop_unit ? "" : "No. ", a.number, " ",
                              s.english);
      } else {
        street = absl::StrCat(s.pinyin, " ", a.number, " Hao");
        if (fmt && !drop_unit) street = ChangeCase(street, true);
      }
      if (a.unit != 0 && !drop_unit) {
        absl::StrAppend(&street, cn ? absl::StrCat(", Room ", a.unit,
                                                   ", Building ", a.building)
                                    : absl::StrCat(", ", a.unit / 100, "F"));
      }
      f_[kCity] = city.romanised;
    } else {
      latin = false;
      std::string number = absl::StrCat(a.number);
      if (fmt && !drop_unit) {
        // Full-width digits (U+FF10..) typed on a CJK keyboard.
        std::string wide;
        for (char c : number) {
          wide.append("\xEF\xBC");
          wide.push_back(static_cast<char>(0x90 + (c - '0')));
        }
        number = std::move(wide);
      }
      street = absl::StrCat(s.native, number, cn ? "号" : "號");
      if (a.unit != 0 && !drop_unit) {
        if (cn) {
          absl::StrAppend(&street, a.building, "栋", a.unit, "室");
        } else {
          absl::StrAppend(&street, a.unit / 100, "樓");
        }
      }
      f_[kCity] =
          cn && r.Chance(0.3) ? absl::StrCat(city.native, "市") : city.native;
    }
  } else {
    const StreetType& type = kStreetTypes[a.street_type];
    const bool abbrev = fmt && !drop_unit && r.Chance(0.7);
    std::string line = absl::StrCat(a.number, " ", kWesternStreets[a.street],
                                    " ", abbrev ? type.abbrev : type.full);
    if (a.unit != 0 && !drop_unit) {
      if (hh.country == kUS) {
        line = absl::StrCat(line, ", Apt ", a.unit);
      } else if (hh.country == kGB) {
        line = absl::StrCat("Flat ", a.unit, ", ", line);
      } else {
        line = absl::StrCat(a.unit, "/", line);
      }
    }
    if (fmt && !drop_unit && !abbrev) line = ChangeCase(line, true);
    street = std::move(line);
    f_[kCity] = city.native;
  }
  if (r.Chance(o_.address_typo_rate)) {
    tags_ |= kTagAddrTypo;
    street =
        latin ? LatinTypo(street, r) : HanTypo(street, hh.country == kTW, r);
  }
  if (!r.Chance(kCityPresent)) f_[kCity].clear();
  if (r.Chance(kPostcodePresent)) f_[kPostcode] = a.postcode;
  if (r.Chance(kCountryPresent)) {
    f_[kCountry] = kCountryNames[hh.country][r.Pick(country_fmt_cum_)];
  }
}

void Generator::RenderRecord(const Household& hh, const Customer& cu, int64_t k,
                             int64_t row) {
  for (std::string& s : f_) s.clear();
  tags_ = 0;
  Rng r(HashOf(seed_, 0x7265ULL, cu.index, k));  // "re"
  // Stratified times keep a customer's k-th record after its (k-1)-th.
  const int64_t t = cu.first_seen +
                    static_cast<int64_t>(
                        static_cast<double>(cu.span) *
                        (static_cast<double>(k) + r.Uniform()) / cu.n_records);
  const Channel ch = static_cast<Channel>(r.Pick(channel_cum_));
  const ChannelProfile& p = kChannels[ch];

  f_[kRecordId].push_back('r');
  AppendPadded(row + 1, record_id_width_, &f_[kRecordId]);
  absl::StrAppend(&f_[kTruthId], cu.index);
  f_[kChannel] = p.name;
  AppendTimestamp(t, &f_[kObservedAt]);

  if (r.Chance(p.name_p)) RenderName(hh, cu, ch, r);
  if (r.Chance(p.dob)) RenderBirthDate(hh, cu, r);
  if (r.Chance(p.gender)) {
    const size_t style = r.Pick(gender_cum_);
    const bool f = cu.female;
    if (style == 0) {
      f_[kGender] = f ? "F" : "M";
    } else if (style == 1) {
      f_[kGender] = f ? "Female" : "Male";
    } else if (hh.chinese) {
      f_[kGender] = f ? "女" : "男";
    } else {
      f_[kGender] = f ? "f" : "m";
    }
  }
  if (r.Chance(p.email)) RenderEmail(hh, cu, ch, t, r);
  if (r.Chance(p.phone)) RenderPhone(hh, cu, ch, t, r);
  if (cu.loyalty && r.Chance(p.loyalty)) {
    const uint64_t id = loyalty_perm_->Map(cu.index);
    f_[kLoyalty] = r.Chance(kLoyaltyNoPrefixRate)
                       ? Padded(id, 10)
                       : absl::StrCat("LC", Padded(id, 10));
  }
  if (cu.account && r.Chance(p.login)) {
    f_[kLogin] = cu.login_is_email
                     ? CanonicalEmail(hh, cu, 0)
                     : absl::StrCat("u", Padded(login_perm_->Map(cu.index), 8));
  }
  if (r.Chance(p.device)) {
    std::string& d = f_[kDevice];
    if (hh.has_shared_device && r.Chance(o_.household_device_use_rate)) {
      tags_ |= kTagSharedDevice;
      d = "dv-";
      AppendHex(hh.shared_device, 16, true, &d);
    } else if (ch == kApp) {
      d = "dv-";
      AppendHex(cu.app_device[r.Below(cu.n_app)], 16, true, &d);
    } else {
      d = "ck_";
      AppendHex(cu.cookie[r.Below(cu.n_cookie)], 16, false, &d);
    }
  }
  if (r.Chance(p.address)) RenderAddress(hh, t, r);
}

absl::Status Generator::Run(std::ostream& out) {
  std::string buf;
  constexpr size_t kFlushAt = 1 << 20;
  buf.reserve(kFlushAt + 4096);
  buf.append(kHeader);
  if (o_.debug_columns) buf.append(kDebugHeader);
  buf.push_back('\n');
  auto flush = [&]() -> bool {
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.clear();
    return static_cast<bool>(out);
  };
  const std::vector<int64_t>& ends = plan_.customer_end;
  const std::vector<int64_t>& firsts = plan_.household_first;
  for (int64_t row = 0; row < o_.records; ++row) {
    const int64_t slot = static_cast<int64_t>(row_perm_->Map(row));
    const int64_t c =
        std::upper_bound(ends.begin(), ends.end(), slot) - ends.begin();
    const int64_t k = slot - (c == 0 ? 0 : ends[c - 1]);
    const int64_t h =
        std::upper_bound(firsts.begin(), firsts.end(), c) - firsts.begin() - 1;
    const Household hh = MakeHousehold(h);
    const Customer cu = MakeCustomer(c, hh);
    RenderRecord(hh, cu, k, row);
    for (int i = 0; i < kNumFields; ++i) {
      if (i > 0) buf.push_back(',');
      AppendCsvField(f_[i], &buf);
    }
    if (o_.debug_columns) {
      absl::StrAppend(&buf, ",h", h, ",");
      bool first = true;
      for (size_t b = 0; b < std::size(kTagNames); ++b) {
        if (tags_ & (1u << b)) {
          if (!first) buf.push_back(';');
          buf.append(kTagNames[b]);
          first = false;
        }
      }
    }
    buf.push_back('\n');
    if (buf.size() >= kFlushAt && !flush()) {
      return absl::DataLossError("failed writing CSV output");
    }
    if (o_.progress && (row + 1) % 65536 == 0) o_.progress(row + 1);
  }
  if (!flush()) return absl::DataLossError("failed writing CSV output");
  out.flush();
  if (!out) return absl::DataLossError("failed flushing CSV output");
  if (o_.progress) o_.progress(o_.records);
  return absl::OkStatus();
}

absl::Status Validate(const GenOptions& o) {
  if (o.records <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("records must be > 0, got ", o.records));
  }
  // Row positions, customer indices and phone spaces are sized for this.
  constexpr int64_t kMaxRecords = int64_t{1} << 32;
  if (o.records > kMaxRecords) {
    return absl::InvalidArgumentError(
        absl::StrCat("records must be <= ", kMaxRecords, ", got ", o.records));
  }
  const std::pair<const char*, double> rates[] = {
      {"chinese_share", o.chinese_share},
      {"loyalty_member_rate", o.loyalty_member_rate},
      {"account_rate", o.account_rate},
      {"move_rate", o.move_rate},
      {"phone_change_rate", o.phone_change_rate},
      {"email_change_rate", o.email_change_rate},
      {"household_phone_rate", o.household_phone_rate},
      {"household_phone_use_rate", o.household_phone_use_rate},
      {"household_device_rate", o.household_device_rate},
      {"household_device_use_rate", o.household_device_use_rate},
      {"typo_rate", o.typo_rate},
      {"call_center_typo_rate", o.call_center_typo_rate},
      {"name_swap_rate", o.name_swap_rate},
      {"nickname_rate", o.nickname_rate},
      {"honorific_rate", o.honorific_rate},
      {"name_case_rate", o.name_case_rate},
      {"romanised_rate", o.romanised_rate},
      {"other_script_rate", o.other_script_rate},
      {"email_case_rate", o.email_case_rate},
      {"gmail_dot_rate", o.gmail_dot_rate},
      {"plus_tag_rate", o.plus_tag_rate},
      {"email_domain_typo_rate", o.email_domain_typo_rate},
      {"dob_swap_rate", o.dob_swap_rate},
      {"dob_typo_rate", o.dob_typo_rate},
      {"address_format_rate", o.address_format_rate},
      {"address_typo_rate", o.address_typo_rate},
      {"romanised_address_rate", o.romanised_address_rate},
      {"junk_email_rate", o.junk_email_rate},
      {"agent_email_rate", o.agent_email_rate},
      {"junk_phone_rate", o.junk_phone_rate},
      {"store_phone_rate", o.store_phone_rate},
  };
  for (const auto& [name, v] : rates) {
    // Written so that NaN fails too.
    if (!(v >= 0.0 && v <= 1.0)) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be in [0, 1], got ", v));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GenerateCsv(const GenOptions& options, std::ostream& out) {
  if (absl::Status s = Validate(options); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const Seeds>> seeds =
      internal::LoadSeeds(options.name_seeds_dir);
  if (!seeds.ok()) return seeds.status();
  Generator gen(options, *std::move(seeds));
  gen.Init();
  return gen.Run(out);
}

}  // namespace idr::gen
