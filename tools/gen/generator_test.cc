#include "tools/gen/generator.h"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "matching/utf8.h"
#include "tools/gen/csv.h"

namespace idr::gen {
namespace {

constexpr char kHeader[] =
    "record_id,truth_id,channel,observed_at,given_name,family_name,full_name,"
    "birth_date,gender,email,phone,loyalty_id,login_id,device_id,street,city,"
    "postcode,country";
constexpr int kColumns = 18;

// Documented junk values (docs/generator.md).
const std::set<std::string>& JunkEmails() {
  static const auto* const kSet = new std::set<std::string>{
      "test@test.com", "noemail@none.com", "none@none.com",
      "no@email.com",  "a@a.com",          "xxx@xxx.com"};
  return *kSet;
}
const std::set<std::string>& JunkPhones() {
  static const auto* const kSet = new std::set<std::string>{
      "0000000000", "1234567890", "1111111111", "9999999999", "0123456789"};
  return *kSet;
}

// Documented records-per-customer model: {lo, hi, p}.
struct Bucket {
  int lo, hi;
  double p;
};
constexpr Bucket kRecordsPerCustomer[] = {
    {1, 1, 0.34}, {2, 2, 0.22}, {3, 3, 0.14},   {4, 4, 0.09},
    {5, 5, 0.06}, {6, 9, 0.10}, {10, 19, 0.04}, {20, 50, 0.01}};

std::string Generate(const GenOptions& o) {
  std::ostringstream out;
  const absl::Status s = GenerateCsv(o, out);
  EXPECT_TRUE(s.ok()) << s;
  return out.str();
}

// A parsed output with named columns.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::map<std::string, int> col;
  const std::string& Get(const std::vector<std::string>& row,
                         const std::string& name) const {
    return row[col.at(name)];
  }
};

Table Parse(const std::string& csv) {
  Table t;
  absl::StatusOr<std::vector<std::vector<std::string>>> parsed = ParseCsv(csv);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok() || parsed->empty()) return t;
  t.header = (*parsed)[0];
  t.rows.assign(parsed->begin() + 1, parsed->end());
  for (size_t i = 0; i < t.header.size(); ++i) t.col[t.header[i]] = i;
  return t;
}

bool HasTag(const std::string& noise, absl::string_view tag) {
  for (absl::string_view t : absl::StrSplit(noise, ';')) {
    if (t == tag) return true;
  }
  return false;
}

bool HasCjk(absl::string_view s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xE4 && c <= 0xE9) return true;  // U+4000..U+9FFF
  }
  return false;
}

std::string NormEmail(const std::string& e) {
  std::string lower = absl::AsciiStrToLower(e);
  const size_t at = lower.find('@');
  if (at == std::string::npos) return lower;
  std::string local = lower.substr(0, at);
  const std::string domain = lower.substr(at + 1);
  local = local.substr(0, local.find('+'));
  if (domain == "gmail.com")
    local.erase(std::remove(local.begin(), local.end(), '.'), local.end());
  return local + "@" + domain;
}

// National significant number: no country code, no trunk 0, digits only.
std::string NormPhone(const std::string& p) {
  std::string d;
  for (char c : p) {
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) d.push_back(c);
  }
  bool intl = !p.empty() && p[0] == '+';
  if (absl::StartsWith(d, "00")) {
    d = d.substr(2);
    intl = true;
  }
  if (intl) {
    for (const char* cc : {"886", "86", "44", "61", "1"}) {
      if (absl::StartsWith(d, cc)) return d.substr(std::string(cc).size());
    }
    return d;
  }
  if (absl::StartsWith(d, "0")) return d.substr(1);
  return d;
}

std::string NormCountry(const std::string& c) {
  static const auto* const kMap = new std::map<std::string, std::string>{
      {"CN", "CN"}, {"China", "CN"},          {"中国", "CN"},
      {"TW", "TW"}, {"Taiwan", "TW"},         {"台灣", "TW"},
      {"US", "US"}, {"United States", "US"},  {"USA", "US"},
      {"GB", "GB"}, {"United Kingdom", "GB"}, {"UK", "GB"},
      {"AU", "AU"}, {"Australia", "AU"},      {"AUS", "AU"}};
  auto it = kMap->find(c);
  return it == kMap->end() ? "?" + c : it->second;
}

struct Ymd {
  int y = 0, m = 0, d = 0;
  bool operator==(const Ymd& o) const {
    return y == o.y && m == o.m && d == o.d;
  }
  bool operator!=(const Ymd& o) const { return !(*this == o); }
  bool operator<(const Ymd& o) const {
    return std::tie(y, m, d) < std::tie(o.y, o.m, o.d);
  }
};

// Parses every documented birth_date format; the slash form with the year
// last is M/D/Y in the US and D/M/Y elsewhere, so it needs the country.
bool ParseDate(const std::string& s, const std::string& country, Ymd* out) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
  auto month_of = [](absl::string_view name) {
    for (int i = 0; i < 12; ++i) {
      if (name == kMonths[i]) return i + 1;
    }
    return 0;
  };
  auto num = [](absl::string_view v, int* x) { return absl::SimpleAtoi(v, x); };
  std::vector<std::string> p;
  if (absl::StrContains(s, "年")) {
    std::string t = s;
    for (const char* mark : {"年", "月", "日"}) {
      size_t pos;
      while ((pos = t.find(mark)) != std::string::npos) t.replace(pos, 3, " ");
    }
    p = absl::StrSplit(t, ' ', absl::SkipEmpty());
    return p.size() == 3 && num(p[0], &out->y) && num(p[1], &out->m) &&
           num(p[2], &out->d);
  }
  if (s.size() == 8 && std::all_of(s.begin(), s.end(), ::isdigit)) {
    return num(s.substr(0, 4), &out->y) && num(s.substr(4, 2), &out->m) &&
           num(s.substr(6, 2), &out->d);
  }
  p = absl::StrSplit(s, absl::ByAnyChar("-/. ,"), absl::SkipEmpty());
  if (p.size() != 3) return false;
  if (p[0].size() == 4) {
    return num(p[0], &out->y) && num(p[1], &out->m) && num(p[2], &out->d);
  }
  if (month_of(p[0]) > 0) {  // "Mar 7, 1985"
    out->m = month_of(p[0]);
    return num(p[1], &out->d) && num(p[2], &out->y);
  }
  if (month_of(p[1]) > 0) {  // "7 Mar 1985"
    out->m = month_of(p[1]);
    return num(p[0], &out->d) && num(p[2], &out->y);
  }
  if (country.empty()) return false;
  if (country == "US") {
    return num(p[0], &out->m) && num(p[1], &out->d) && num(p[2], &out->y);
  }
  return num(p[0], &out->d) && num(p[1], &out->m) && num(p[2], &out->y);
}

// |measured - expected| within 4 binomial standard deviations (+ slack for
// the clustering of records in customers and households).
void ExpectRate(const std::string& what, int64_t hits, int64_t n,
                double expected, double slack = 0.003) {
  ASSERT_GT(n, 0) << what;
  const double measured = static_cast<double>(hits) / n;
  const double tol = 4 * std::sqrt(expected * (1 - expected) / n) + slack;
  EXPECT_NEAR(measured, expected, tol) << what << ": " << hits << " of " << n;
}

// The source tree's root, found through this file's runfile symlink (the
// test lists itself in `data`); empty if that does not resolve.
std::string SourceRoot() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  if (srcdir == nullptr) return "";
  const char* ws = std::getenv("TEST_WORKSPACE");
  const std::string runfile = absl::StrCat(srcdir, "/", ws ? ws : "idr",
                                           "/tools/gen/generator_test.cc");
  char* real = realpath(runfile.c_str(), nullptr);
  if (real == nullptr) return "";
  std::string root(real);
  free(real);
  const size_t pos = root.rfind("/tools/gen/generator_test.cc");
  return pos == std::string::npos ? "" : root.substr(0, pos);
}

// Seeds: $IDR_SHARED_DATASETS[/cjk_name_seeds], then ../shared beside the
// source tree, then /work/shared.
std::string FindSeedsDir() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("IDR_SHARED_DATASETS"); env && *env) {
    candidates.push_back(absl::StrCat(env, "/cjk_name_seeds"));
    candidates.push_back(env);
  }
  if (const std::string root = SourceRoot(); !root.empty()) {
    candidates.push_back(root + "/../shared/datasets/cjk_name_seeds");
  }
  candidates.push_back("/work/shared/datasets/cjk_name_seeds");
  for (const std::string& dir : candidates) {
    if (std::ifstream(dir + "/faker_person_names.csv").good()) return dir;
  }
  return "";
}

// ---------------------------------------------------------------------------

TEST(GeneratorTest, WritesHeaderAndExactRowCountAsValidCsv) {
  for (int64_t n : {1, 7, 2500}) {
    GenOptions o;
    o.records = n;
    o.seed = 11;
    const std::string csv = Generate(o);
    ASSERT_TRUE(matching::IsValidUtf8(csv));
    ASSERT_TRUE(absl::EndsWith(csv, "\n"));
    EXPECT_FALSE(absl::StrContains(csv, "\r")) << "LF line ends only";
    const Table t = Parse(csv);
    EXPECT_EQ(absl::StrJoin(t.header, ","), kHeader);
    ASSERT_EQ(t.rows.size(), static_cast<size_t>(n));
    std::set<std::string> ids;
    for (const auto& row : t.rows) {
      ASSERT_EQ(row.size(), static_cast<size_t>(kColumns));
      const std::string& id = t.Get(row, "record_id");
      EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
      ASSERT_GE(id.size(), 8u);
      EXPECT_EQ(id[0], 'r');
      EXPECT_TRUE(std::all_of(id.begin() + 1, id.end(), ::isdigit)) << id;
      EXPECT_FALSE(t.Get(row, "truth_id").empty());
      EXPECT_TRUE(std::set<std::string>({"web", "app", "store", "call_center"})
                      .count(t.Get(row, "channel")))
          << t.Get(row, "channel");
      const std::string& ts = t.Get(row, "observed_at");
      ASSERT_EQ(ts.size(), 20u) << ts;
      EXPECT_EQ(ts[10], 'T');
      EXPECT_EQ(ts.back(), 'Z');
      EXPECT_GE(ts, "2019-01-01T00:00:00Z");
      EXPECT_LT(ts, "2025-01-01T00:00:00Z");
    }
  }
}

TEST(GeneratorTest, QuotedFieldsRoundTrip) {
  // "Smith, Robert" and "Flat 3, 12 High Street" need quoting.
  GenOptions o;
  o.records = 3000;
  const std::string csv = Generate(o);
  EXPECT_TRUE(absl::StrContains(csv, "\"")) << "expected some quoted fields";
  const Table t = Parse(csv);
  int commas = 0;
  for (const auto& row : t.rows) {
    ASSERT_EQ(row.size(), static_cast<size_t>(kColumns));
    for (const std::string& f : row) commas += absl::StrContains(f, ",");
  }
  EXPECT_GT(commas, 0);
}

TEST(GeneratorTest, SameSeedSameBytesDifferentSeedDifferentOutput) {
  GenOptions o;
  o.records = 4000;
  o.seed = 7;
  const std::string a = Generate(o);
  const std::string b = Generate(o);
  EXPECT_EQ(a, b);
  o.seed = 8;
  const std::string c = Generate(o);
  EXPECT_NE(a, c);
  // The debug columns are purely additive.
  o.seed = 7;
  o.debug_columns = true;
  const Table with = Parse(Generate(o));
  const Table without = Parse(a);
  ASSERT_EQ(with.rows.size(), without.rows.size());
  EXPECT_EQ(with.header.size(), static_cast<size_t>(kColumns + 2));
  for (size_t i = 0; i < with.rows.size(); ++i) {
    ASSERT_EQ(std::vector<std::string>(with.rows[i].begin(),
                                       with.rows[i].begin() + kColumns),
              without.rows[i]);
  }
}

TEST(GeneratorTest, RejectsBadOptions) {
  std::ostringstream out;
  GenOptions o;
  o.records = 0;
  EXPECT_EQ(GenerateCsv(o, out).code(), absl::StatusCode::kInvalidArgument);
  o.records = -5;
  EXPECT_EQ(GenerateCsv(o, out).code(), absl::StatusCode::kInvalidArgument);
  o.records = 10;
  o.typo_rate = 1.5;
  EXPECT_EQ(GenerateCsv(o, out).code(), absl::StatusCode::kInvalidArgument);
  o.typo_rate = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(GenerateCsv(o, out).code(), absl::StatusCode::kInvalidArgument);
  o = GenOptions();
  o.name_seeds_dir = "/nonexistent/idr/seeds";
  EXPECT_EQ(GenerateCsv(o, out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.str().empty()) << "nothing is written on bad options";

  // Malformed seed files.
  const std::string base = ::testing::TempDir() + "/idr_gen_seeds";
  struct Case {
    const char* name;
    const char* content;
  };
  const Case cases[] = {
      {"bad_header", "loc,kind,gender,value\nzh_CN,surname,generic,王\n"},
      {"short_row", "locale,kind,gender,value\nzh_CN,surname,王\n"},
      {"latin_value", "locale,kind,gender,value\nzh_CN,surname,generic,Wang\n"},
      {"empty_value", "locale,kind,gender,value\nzh_CN,surname,generic,\n"},
      {"bad_quote", "locale,kind,gender,value\nzh_CN,surname,generic,\"王\n"},
      {"bad_utf8",
       "locale,kind,gender,value\nzh_CN,surname,generic,\xE7\x8E\n"},
      {"empty", ""},
  };
  for (const Case& c : cases) {
    const std::string dir = absl::StrCat(base, "_", c.name);
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/faker_person_names.csv") << c.content;
    o.name_seeds_dir = dir;
    const absl::Status s = GenerateCsv(o, out);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument)
        << c.name << " " << s;
  }
  // A well-formed minimal file is accepted, and its names are used.
  const std::string dir = base + "_ok";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/faker_person_names.csv")
      << "locale,kind,gender,value\r\nzh_CN,given_name,male,鑫磊\r\n"
         "zh_CN,given_name,female,鑫磊\r\nen_HK,surname,generic,Chan\r\n";
  o.name_seeds_dir = dir;
  o.records = 20000;
  o.chinese_share = 1.0;
  o.romanised_rate = 0.0;
  o.other_script_rate = 0.0;
  o.typo_rate = o.call_center_typo_rate = o.name_swap_rate = 0.0;
  std::ostringstream ok_out;
  ASSERT_TRUE(GenerateCsv(o, ok_out).ok());
  EXPECT_TRUE(absl::StrContains(ok_out.str(), "鑫磊"));
}

TEST(GeneratorTest, RowsAreNotGroupedByCustomer) {
  GenOptions o;
  o.records = 20000;
  const Table t = Parse(Generate(o));
  std::map<std::string, std::vector<size_t>> positions;
  int adjacent_same = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const std::string& truth = t.Get(t.rows[i], "truth_id");
    positions[truth].push_back(i);
    if (i > 0 && truth == t.Get(t.rows[i - 1], "truth_id")) ++adjacent_same;
  }
  EXPECT_LT(adjacent_same, 40) << "consecutive rows of one customer";
  // Customers with many records are spread over the file.
  double spread = 0;
  int big = 0;
  for (const auto& [truth, pos] : positions) {
    if (pos.size() < 5) continue;
    spread += static_cast<double>(pos.back() - pos.front()) / t.rows.size();
    ++big;
  }
  ASSERT_GT(big, 100);
  EXPECT_GT(spread / big, 0.5);
  // record_id follows row order, so it says nothing about the customer.
  EXPECT_EQ(t.Get(t.rows[0], "record_id"), "r0000001");
}

TEST(GeneratorTest, ProgressIsReported) {
  GenOptions o;
  o.records = 70000;
  std::vector<int64_t> calls;
  o.progress = [&calls](int64_t done) { calls.push_back(done); };
  std::ostringstream out;
  ASSERT_TRUE(GenerateCsv(o, out).ok());
  EXPECT_EQ(calls, (std::vector<int64_t>{65536, 70000}));
}

// One large debug-annotated data set shared by the statistical tests.
class GeneratedData : public ::testing::Test {
 protected:
  static constexpr int64_t kRecords = 60000;

  static void SetUpTestSuite() {
    options_ = new GenOptions();
    options_->records = kRecords;
    options_->seed = 2024;
    options_->debug_columns = true;
    table_ = new Table(Parse(Generate(*options_)));
    ASSERT_EQ(table_->rows.size(), static_cast<size_t>(kRecords));
    // Each customer's country, from any record that names it.
    truth_country_ = new std::map<std::string, std::string>();
    for (const auto& row : table_->rows) {
      const std::string& c = table_->Get(row, "country");
      if (!c.empty())
        (*truth_country_)[table_->Get(row, "truth_id")] = NormCountry(c);
    }
  }
  static void TearDownTestSuite() {
    delete options_;
    delete table_;
    delete truth_country_;
  }

  const Table& t() const { return *table_; }
  const GenOptions& o() const { return *options_; }
  std::string Col(const std::vector<std::string>& row, const char* name) const {
    return table_->Get(row, name);
  }
  bool Tag(const std::vector<std::string>& row, const char* tag) const {
    return HasTag(table_->Get(row, "noise"), tag);
  }
  std::string CountryOf(const std::string& truth) const {
    auto it = truth_country_->find(truth);
    return it == truth_country_->end() ? "" : it->second;
  }

  static GenOptions* options_;
  static Table* table_;
  static std::map<std::string, std::string>* truth_country_;
};
GenOptions* GeneratedData::options_ = nullptr;
Table* GeneratedData::table_ = nullptr;
std::map<std::string, std::string>* GeneratedData::truth_country_ = nullptr;

TEST_F(GeneratedData, MasterKeysBelongToOneCustomer) {
  // loyalty_id, login_id and (normalised, non-junk) email identify one
  // customer; a customer's household never changes.
  std::map<std::string, std::set<std::string>> by_loyalty, by_login, by_email;
  std::map<std::string, std::set<std::string>> household_of;
  int loyalty_cells = 0;
  for (const auto& row : t().rows) {
    const std::string truth = Col(row, "truth_id");
    household_of[truth].insert(Col(row, "household_id"));
    std::string loyalty = Col(row, "loyalty_id");
    if (!loyalty.empty()) {
      ++loyalty_cells;
      if (absl::StartsWith(loyalty, "LC")) loyalty = loyalty.substr(2);
      by_loyalty[loyalty].insert(truth);
    }
    if (!Col(row, "login_id").empty())
      by_login[Col(row, "login_id")].insert(truth);
    const std::string email = Col(row, "email");
    if (!email.empty() && !Tag(row, "junk_email") && !Tag(row, "agent_email")) {
      EXPECT_EQ(JunkEmails().count(email), 0u) << email;
      by_email[NormEmail(email)].insert(truth);
    }
  }
  EXPECT_GT(loyalty_cells, 1000);
  for (const auto& [k, truths] : by_loyalty) EXPECT_EQ(truths.size(), 1u) << k;
  for (const auto& [k, truths] : by_login) EXPECT_EQ(truths.size(), 1u) << k;
  for (const auto& [k, truths] : by_email) EXPECT_EQ(truths.size(), 1u) << k;
  for (const auto& [k, hh] : household_of) EXPECT_EQ(hh.size(), 1u) << k;
}

TEST_F(GeneratedData, SharedPhonesAndDevicesStayInsideAHousehold) {
  std::map<std::string, std::set<std::string>> phone_truths, phone_households;
  std::map<std::string, std::set<std::string>> device_truths, device_households;
  std::map<std::string, std::set<std::string>> store_phone_truths;
  for (const auto& row : t().rows) {
    const std::string truth = Col(row, "truth_id");
    const std::string hh = Col(row, "household_id");
    const std::string phone = Col(row, "phone");
    if (!phone.empty()) {
      if (Tag(row, "junk_phone")) {
        EXPECT_EQ(JunkPhones().count(phone), 1u) << phone;
      } else if (Tag(row, "store_phone")) {
        store_phone_truths[NormPhone(phone)].insert(truth);
      } else {
        phone_truths[NormPhone(phone)].insert(truth);
        phone_households[NormPhone(phone)].insert(hh);
      }
    }
    const std::string device = Col(row, "device_id");
    if (!device.empty()) {
      device_truths[device].insert(truth);
      device_households[device].insert(hh);
    }
  }
  int shared_phones = 0, shared_devices = 0;
  for (const auto& [p, hhs] : phone_households) {
    EXPECT_EQ(hhs.size(), 1u) << "phone " << p << " spans households";
    shared_phones += phone_truths[p].size() > 1;
  }
  for (const auto& [d, hhs] : device_households) {
    EXPECT_EQ(hhs.size(), 1u) << "device " << d << " spans households";
    shared_devices += device_truths[d].size() > 1;
  }
  EXPECT_GT(shared_phones, 100) << "household phones shared by members";
  EXPECT_GT(shared_devices, 50) << "household devices shared by members";
  // A store's default phone collects many unrelated customers.
  size_t max_store_truths = 0;
  for (const auto& [p, truths] : store_phone_truths) {
    max_store_truths = std::max(max_store_truths, truths.size());
    EXPECT_EQ(phone_truths.count(p), 0u) << "store phone reused by a customer";
  }
  EXPECT_GE(max_store_truths, 5u);
}

TEST_F(GeneratedData, IdentityIsStableUpToDocumentedNoise) {
  // Per customer: birth date, gender, untouched names, mobile, email and
  // postcode agree, except where the debug tags name the noise.
  std::map<std::string, std::set<std::string>> given, family, gender;
  std::map<std::string, std::vector<std::pair<Ymd, std::string>>> dates;
  int checked_dates = 0;
  for (const auto& row : t().rows) {
    const std::string truth = Col(row, "truth_id");
    const bool name_clean = !Tag(row, "typo") && !Tag(row, "swap") &&
                            !Tag(row, "nickname") && !Tag(row, "name_case") &&
                            !Tag(row, "romanised") && !Tag(row, "other_script");
    if (name_clean && !Col(row, "given_name").empty()) {
      given[truth].insert(Col(row, "given_name"));
      family[truth].insert(Col(row, "family_name"));
    }
    std::string g = Col(row, "gender");
    if (!g.empty()) {
      const std::string norm =
          (g == "F" || g == "Female" || g == "f" || g == "女") ? "F"
          : (g == "M" || g == "Male" || g == "m" || g == "男") ? "M"
                                                               : "?" + g;
      gender[truth].insert(norm);
    }
    const std::string& bd = Col(row, "birth_date");
    if (!bd.empty()) {
      std::string country = NormCountry(Col(row, "country"));
      if (Col(row, "country").empty()) country = CountryOf(truth);
      Ymd d;
      if (ParseDate(bd, country, &d)) {
        dates[truth].emplace_back(d, Col(row, "noise"));
      } else {
        EXPECT_TRUE(country.empty()) << "unparseable birth_date " << bd;
      }
    }
  }
  for (const auto& [truth, v] : given) EXPECT_EQ(v.size(), 1u) << truth;
  for (const auto& [truth, v] : family) EXPECT_EQ(v.size(), 1u) << truth;
  for (const auto& [truth, v] : gender) {
    EXPECT_EQ(v.size(), 1u) << truth;
    EXPECT_NE((*v.begin())[0], '?') << *v.begin();
  }
  for (const auto& [truth, v] : dates) {
    std::set<Ymd> clean;
    for (const auto& [d, noise] : v) {
      if (!HasTag(noise, "dob_swap") && !HasTag(noise, "dob_typo"))
        clean.insert(d);
    }
    ASSERT_LE(clean.size(), 1u)
        << "customer " << truth << " has two birth dates";
    if (clean.empty()) continue;
    const Ymd truth_date = *clean.begin();
    for (const auto& [d, noise] : v) {
      const bool swap = HasTag(noise, "dob_swap"),
                 typo = HasTag(noise, "dob_typo");
      if (swap && !typo) {
        EXPECT_EQ(d, (Ymd{truth_date.y, truth_date.d, truth_date.m})) << truth;
        EXPECT_NE(d, truth_date);
        ++checked_dates;
      } else if (typo && !swap) {
        const bool year_off = std::abs(d.y - truth_date.y) == 1 &&
                              d.m == truth_date.m &&
                              std::abs(d.d - truth_date.d) <= 1;
        const bool day_off = d.y == truth_date.y && d.m == truth_date.m &&
                             std::abs(d.d - truth_date.d) == 1;
        EXPECT_TRUE(year_off || day_off) << truth;
        ++checked_dates;
      }
    }
  }
  EXPECT_GT(checked_dates, 100);
}

TEST_F(GeneratedData, LaterRecordsUseTheNewAddressPhoneAndEmail) {
  struct Timeline {
    std::string last_old, first_new;
    std::set<std::string> old_values, new_values;
  };
  std::map<std::string, Timeline> address, phone, email;
  std::map<std::string, std::set<std::string>> household_postcodes;
  auto note = [](Timeline& tl, bool is_new, const std::string& ts,
                 const std::string& value) {
    if (is_new) {
      if (tl.first_new.empty() || ts < tl.first_new) tl.first_new = ts;
      tl.new_values.insert(value);
    } else {
      tl.last_old = std::max(tl.last_old, ts);
      tl.old_values.insert(value);
    }
  };
  int moved = 0;
  for (const auto& row : t().rows) {
    const std::string truth = Col(row, "truth_id");
    const std::string ts = Col(row, "observed_at");
    if (!Col(row, "street").empty() && !Col(row, "postcode").empty()) {
      const bool is_new = Tag(row, "new_address");
      moved += is_new;
      note(address[truth], is_new, ts, Col(row, "postcode"));
      household_postcodes[Col(row, "household_id") + (is_new ? "/new" : "/old")]
          .insert(Col(row, "postcode"));
    }
    if (!Col(row, "phone").empty() && !Tag(row, "junk_phone") &&
        !Tag(row, "store_phone") && !Tag(row, "home_phone")) {
      note(phone[truth], Tag(row, "new_phone"), ts,
           NormPhone(Col(row, "phone")));
    }
    if (!Col(row, "email").empty() && !Tag(row, "junk_email") &&
        !Tag(row, "agent_email") && !Tag(row, "email_typo")) {
      note(email[truth], Tag(row, "new_email"), ts,
           NormEmail(Col(row, "email")));
    }
  }
  EXPECT_GT(moved, 100);
  for (auto* m : {&address, &phone, &email}) {
    int both = 0, differ = 0;
    for (const auto& [truth, tl] : *m) {
      EXPECT_LE(tl.old_values.size(), 1u) << truth;
      EXPECT_LE(tl.new_values.size(), 1u) << truth;
      if (!tl.first_new.empty() && !tl.last_old.empty()) {
        EXPECT_LT(tl.last_old, tl.first_new) << "customer " << truth;
        ++both;
        differ += tl.old_values != tl.new_values;
      }
    }
    EXPECT_GT(both, 20);
    // New values are new (a move may rarely keep the postcode).
    EXPECT_GE(differ, 0.9 * both);
  }
  // A household lives at one address (per side of its move).
  for (const auto& [hh, postcodes] : household_postcodes) {
    EXPECT_EQ(postcodes.size(), 1u) << hh;
  }
}

TEST_F(GeneratedData, RecordsPerCustomerFollowTheModel) {
  std::map<std::string, int> count;
  for (const auto& row : t().rows) ++count[Col(row, "truth_id")];
  double expected_mean = 0, p_one = 0, p_ten_plus = 0;
  for (const Bucket& b : kRecordsPerCustomer) {
    expected_mean += b.p * (b.lo + b.hi) / 2.0;
    if (b.lo == 1) p_one += b.p;
    if (b.lo >= 10) p_ten_plus += b.p;
  }
  const double mean = static_cast<double>(t().rows.size()) / count.size();
  EXPECT_NEAR(mean, expected_mean, 0.15);
  int ones = 0, ten_plus = 0, max_count = 0;
  for (const auto& [truth, n] : count) {
    ones += n == 1;
    ten_plus += n >= 10;
    max_count = std::max(max_count, n);
  }
  ExpectRate("customers with 1 record", ones, count.size(), p_one);
  ExpectRate("customers with 10+ records", ten_plus, count.size(), p_ten_plus);
  EXPECT_LE(max_count, 50);
}

TEST_F(GeneratedData, ChannelMixAndChineseShareMatchTheModel) {
  std::map<std::string, int> channel;
  int with_country = 0, chinese_country = 0, with_name = 0, cjk_name = 0;
  for (const auto& row : t().rows) {
    ++channel[Col(row, "channel")];
    if (!Col(row, "country").empty()) {
      ++with_country;
      const std::string c = NormCountry(Col(row, "country"));
      EXPECT_NE(c[0], '?') << Col(row, "country");
      chinese_country += c == "CN" || c == "TW";
    }
    const std::string name = Col(row, "given_name") + Col(row, "family_name") +
                             Col(row, "full_name");
    if (!name.empty()) {
      ++with_name;
      cjk_name += HasCjk(name);
    }
  }
  const int64_t n = t().rows.size();
  ExpectRate("web", channel["web"], n, 0.35);
  ExpectRate("app", channel["app"], n, 0.25);
  ExpectRate("store", channel["store"], n, 0.25);
  ExpectRate("call_center", channel["call_center"], n, 0.15);
  // Households are the unit, so allow for clustering.
  ExpectRate("Chinese country", chinese_country, with_country,
             o().chinese_share, 0.03);
  ExpectRate("Chinese-character names", cjk_name, with_name,
             o().chinese_share * (1 - o().romanised_rate), 0.03);
}

TEST_F(GeneratedData, JunkRatesMatchTheModel) {
  int emails = 0, junk_emails = 0, cc_emails = 0, agent = 0;
  int phones = 0, junk_phones = 0, store_phones = 0, store_phone_cells = 0;
  for (const auto& row : t().rows) {
    const std::string& e = Col(row, "email");
    if (!e.empty()) {
      ++emails;
      junk_emails += JunkEmails().count(e);
      if (Col(row, "channel") == "call_center" && !JunkEmails().count(e)) {
        ++cc_emails;
        agent += Tag(row, "agent_email");
      }
    }
    const std::string& p = Col(row, "phone");
    if (!p.empty()) {
      ++phones;
      junk_phones += JunkPhones().count(p);
      if (Col(row, "channel") == "store" && !JunkPhones().count(p)) {
        ++store_phone_cells;
        store_phones += Tag(row, "store_phone");
      }
    }
  }
  ExpectRate("junk email", junk_emails, emails, o().junk_email_rate);
  ExpectRate("agent email", agent, cc_emails, o().agent_email_rate);
  ExpectRate("junk phone", junk_phones, phones, o().junk_phone_rate);
  ExpectRate("store phone", store_phones, store_phone_cells,
             o().store_phone_rate);
}

TEST_F(GeneratedData, NoiseRatesMatchTheModel) {
  int64_t names = 0, typo = 0, cc_names = 0, cc_typo = 0, split = 0, swap = 0;
  int64_t full = 0, honorific = 0, chinese_names = 0, romanised = 0;
  int64_t hanzi_names = 0, other_script = 0, dob_eligible = 0, dob_swap = 0;
  int64_t dobs = 0, dob_typo = 0, streets = 0, addr_fmt = 0, addr_typo = 0;
  int64_t gmail = 0, gmail_dots = 0, nicknames = 0;
  std::set<std::string> chinese_truths;
  for (const auto& row : t().rows) {
    if (Tag(row, "romanised") ||
        HasCjk(Col(row, "given_name") + Col(row, "full_name"))) {
      chinese_truths.insert(Col(row, "truth_id"));
    }
  }
  // The true birth date: the common value of a customer's untagged dates.
  std::map<std::string, Ymd> true_dob;
  for (const auto& row : t().rows) {
    Ymd d;
    if (!Tag(row, "dob_swap") && !Tag(row, "dob_typo") &&
        ParseDate(Col(row, "birth_date"), CountryOf(Col(row, "truth_id")),
                  &d)) {
      true_dob[Col(row, "truth_id")] = d;
    }
  }
  for (const auto& row : t().rows) {
    const bool has_split = !Col(row, "given_name").empty();
    const bool has_full = !Col(row, "full_name").empty();
    if (has_split || has_full) {
      const bool cc = Col(row, "channel") == "call_center";
      (cc ? cc_names : names)++;
      (cc ? cc_typo : typo) += Tag(row, "typo");
      split += has_split;
      swap += has_split && Tag(row, "swap");
      full += has_full;
      honorific += has_full && Tag(row, "honorific");
      nicknames += Tag(row, "nickname");
      if (chinese_truths.count(Col(row, "truth_id"))) {
        ++chinese_names;
        romanised += Tag(row, "romanised");
        if (!Tag(row, "romanised")) {
          ++hanzi_names;
          other_script += Tag(row, "other_script");
        }
      }
    }
    if (!Col(row, "birth_date").empty()) {
      ++dobs;
      dob_typo += Tag(row, "dob_typo");
      auto it = true_dob.find(Col(row, "truth_id"));
      if (it != true_dob.end() && it->second.d <= 12 &&
          it->second.d != it->second.m) {
        ++dob_eligible;
        dob_swap += Tag(row, "dob_swap");
      }
    }
    if (!Col(row, "street").empty()) {
      ++streets;
      addr_fmt += Tag(row, "addr_format");
      addr_typo += Tag(row, "addr_typo");
    }
    if (absl::EndsWith(absl::AsciiStrToLower(Col(row, "email")),
                       "@gmail.com")) {
      ++gmail;
      gmail_dots += Tag(row, "gmail_dots");
    }
  }
  ExpectRate("typo", typo, names, o().typo_rate);
  ExpectRate("call-centre typo", cc_typo, cc_names, o().call_center_typo_rate);
  ExpectRate("swap", swap, split, o().name_swap_rate);
  ExpectRate("honorific", honorific, full, o().honorific_rate);
  ExpectRate("romanised", romanised, chinese_names, o().romanised_rate, 0.01);
  ExpectRate("other script", other_script, hanzi_names, o().other_script_rate);
  ExpectRate("dob swap", dob_swap, dob_eligible, o().dob_swap_rate);
  ExpectRate("dob typo", dob_typo, dobs, o().dob_typo_rate);
  ExpectRate("address format", addr_fmt, streets, o().address_format_rate);
  ExpectRate("address typo", addr_typo, streets, o().address_typo_rate);
  // A few dot moves are no-ops and are not applied, hence the extra slack.
  ExpectRate("gmail dots", gmail_dots, gmail, o().gmail_dot_rate, 0.02);
  EXPECT_GT(nicknames, 500);
}

TEST_F(GeneratedData, NoisyValuesReallyDiffer) {
  // A typo'd, re-cased or swapped given/family name differs from the
  // customer's clean one.
  std::map<std::string, std::pair<std::string, std::string>> clean;
  for (const auto& row : t().rows) {
    if (Col(row, "noise").empty() && !Col(row, "given_name").empty()) {
      clean[Col(row, "truth_id")] = {Col(row, "given_name"),
                                     Col(row, "family_name")};
    }
  }
  int checked = 0;
  for (const auto& row : t().rows) {
    auto it = clean.find(Col(row, "truth_id"));
    if (it == clean.end() || Col(row, "given_name").empty()) continue;
    const std::string noise = Col(row, "noise");
    const std::pair<std::string, std::string> seen = {Col(row, "given_name"),
                                                      Col(row, "family_name")};
    if (noise == "swap") {
      EXPECT_EQ(seen, std::make_pair(it->second.second, it->second.first));
      ++checked;
    } else if ((noise == "typo" && Col(row, "full_name").empty()) ||
               noise == "name_case") {
      // (A typo may hit full_name instead when it is present.)
      EXPECT_NE(seen, it->second) << noise;
      ++checked;
    }
  }
  EXPECT_GT(checked, 200);
}

TEST(GeneratorSeedsTest, UsesTheSeedLists) {
  const std::string dir = FindSeedsDir();
  if (dir.empty()) {
    GTEST_SKIP() << "cjk_name_seeds not found (set IDR_SHARED_DATASETS)";
  }
  std::cout << "seeds: " << dir << "\n";
  // The seed surnames (zh_CN) appear in the output; built-ins alone give
  // fewer distinct Chinese surnames.
  std::set<std::string> seed_surnames;
  {
    std::ifstream in(dir + "/faker_person_names.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    absl::StatusOr<std::vector<std::vector<std::string>>> rows =
        ParseCsv(ss.str());
    ASSERT_TRUE(rows.ok());
    for (const auto& r : *rows) {
      if (r.size() == 4 && r[0] == "zh_CN" && r[1] == "surname")
        seed_surnames.insert(r[3]);
    }
  }
  ASSERT_GT(seed_surnames.size(), 50u);
  GenOptions o;
  o.records = 40000;
  o.chinese_share = 1.0;
  o.romanised_rate = 0.0;
  o.other_script_rate = 0.0;
  auto distinct_surnames = [&](const std::string& seeds) {
    o.name_seeds_dir = seeds;
    const Table t = Parse(Generate(o));
    std::set<std::string> out;
    for (const auto& row : t.rows) {
      const std::string& f = t.Get(row, "family_name");
      if (!f.empty()) out.insert(f);
    }
    return out;
  };
  const std::set<std::string> with_seeds = distinct_surnames(dir);
  const std::set<std::string> builtin = distinct_surnames("");
  EXPECT_GT(with_seeds.size(), builtin.size() + 50);
  int found = 0;
  for (const std::string& s : seed_surnames) found += with_seeds.count(s);
  EXPECT_GT(found, static_cast<int>(seed_surnames.size()) / 2);
}

TEST(GeneratorDocTest, DocumentedDefaultsAreTheCodeDefaults) {
  // docs/generator.md lists every knob as "| `name` | default | ...".
  const std::string root = SourceRoot();
  std::ifstream in(root + "/docs/generator.md");
  if (root.empty() || !in.good()) {
    GTEST_SKIP() << "docs/generator.md not reachable from the sandbox";
  }
  const GenOptions d;
  const std::map<std::string, double> defaults = {
      {"chinese_share", d.chinese_share},
      {"loyalty_member_rate", d.loyalty_member_rate},
      {"account_rate", d.account_rate},
      {"move_rate", d.move_rate},
      {"phone_change_rate", d.phone_change_rate},
      {"email_change_rate", d.email_change_rate},
      {"household_phone_rate", d.household_phone_rate},
      {"household_phone_use_rate", d.household_phone_use_rate},
      {"household_device_rate", d.household_device_rate},
      {"household_device_use_rate", d.household_device_use_rate},
      {"typo_rate", d.typo_rate},
      {"call_center_typo_rate", d.call_center_typo_rate},
      {"name_swap_rate", d.name_swap_rate},
      {"nickname_rate", d.nickname_rate},
      {"honorific_rate", d.honorific_rate},
      {"name_case_rate", d.name_case_rate},
      {"romanised_rate", d.romanised_rate},
      {"other_script_rate", d.other_script_rate},
      {"email_case_rate", d.email_case_rate},
      {"gmail_dot_rate", d.gmail_dot_rate},
      {"plus_tag_rate", d.plus_tag_rate},
      {"email_domain_typo_rate", d.email_domain_typo_rate},
      {"dob_swap_rate", d.dob_swap_rate},
      {"dob_typo_rate", d.dob_typo_rate},
      {"address_format_rate", d.address_format_rate},
      {"address_typo_rate", d.address_typo_rate},
      {"romanised_address_rate", d.romanised_address_rate},
      {"junk_email_rate", d.junk_email_rate},
      {"agent_email_rate", d.agent_email_rate},
      {"junk_phone_rate", d.junk_phone_rate},
      {"store_phone_rate", d.store_phone_rate},
  };
  std::map<std::string, double> documented;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = absl::StrSplit(line, '|');
    if (cells.size() < 4) continue;
    std::string name(absl::StripAsciiWhitespace(cells[1]));
    if (name.size() < 3 || name.front() != '`' || name.back() != '`') continue;
    name = name.substr(1, name.size() - 2);
    double value;
    if (defaults.count(name) &&
        absl::SimpleAtod(absl::StripAsciiWhitespace(cells[2]), &value)) {
      documented[name] = value;
    }
  }
  for (const auto& [name, value] : defaults) {
    ASSERT_TRUE(documented.count(name)) << name << " is not documented";
    EXPECT_DOUBLE_EQ(documented[name], value) << name;
  }
}

}  // namespace
}  // namespace idr::gen
