#include "matching/normalize.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace idr::matching {
namespace {

// Inputs every normaliser must survive without crashing.
std::vector<std::string> HostileInputs() {
  std::vector<std::string> inputs = {
      "",
      " ",
      "\t\r\n \xE3\x80\x80",               // ideographic space
      std::string("\0\0\0", 3),            // NUL bytes
      "\xFF\xFE",                          // not UTF-8 at all
      "abc\xC3",                           // truncated sequence
      "\xC0\xAF",                          // overlong '/'
      "\xED\xA0\x80",                      // encoded surrogate
      "\xF4\x90\x80\x80",                  // above U+10FFFF
      "\x80\x80\x80",                      // stray continuation bytes
      "\xE2\x80\xAE\xE2\x80\x8B",          // RLO + zero-width space
      "e\xCC\x81\xCC\x81\xCC\x81",         // stacked combining marks
      "\xF0\x9F\x98\x80\xF0\x9F\x98\x80",  // emoji
      "\xEF\xBC\xA1\xEF\xBC\xA2",          // full-width AB
      "陳大文 Chan Tai Man Иван 😀 ١٢٣",
      "%s%n%d{}[]()<>\\\"'",
      "++++----....////",
      "@@@@",
      "0",
      "9999-99-99",
  };
  inputs.push_back(std::string(100 * 1024, 'a'));
  inputs.push_back(std::string(100 * 1024, '1'));
  std::string long_mixed;
  while (long_mixed.size() < 100 * 1024)
    long_mixed += "José 陳 +86-138 \xC3\x28 ";
  inputs.push_back(long_mixed);
  std::string long_cjk;
  while (long_cjk.size() < 100 * 1024) long_cjk += "陳大文";
  inputs.push_back(long_cjk);
  return inputs;
}

TEST(NormalizeRobustness, NoCrashOnHostileInput) {
  for (const std::string& in : HostileInputs()) {
    FoldText(in);
    NormalizeEmail(in);
    IsLikelyJunkEmail(in);
    NormalizePhone(in, PhoneOptions());
    PhoneOptions cn;
    cn.default_region = "CN";
    NormalizePhone(in, cn);
    ParseDate(in).ok();
    ParseDate(in, DateOrder::kMonthDayYear).ok();
    NormalizedDate::FromParts(in, in, in);
    NormalizePostcode(in, "AU");
    NormalizePostcode(in);
    NormalizeGender(in);
    NormalizeIdentifier(in);
    NormalizeStreet(in);
  }
}

// Normalisation reorders runs of combining marks by insertion sort; without
// the stream-safe cut, 1 MB of alternating accents would take minutes.
TEST(NormalizeRobustness, LongCombiningRunsStayLinear) {
  std::string marks = "a";
  while (marks.size() < 1024 * 1024)
    marks += "\xCC\x81\xCC\x96";  // ccc 230, 220
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(FoldText(marks), "a");  // all Mn on a Latin letter
  NormalizeIdentifier(marks);
  NormalizePostcode(marks);
  NormalizeStreet(marks);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

// Every normaliser may be called from many threads at once (ICU and
// libphonenumber singletons are shared); results must not depend on it.
TEST(NormalizeRobustness, ConcurrentCallsAgree) {
  const std::vector<std::string> inputs = {
      "José Ｏ'Brien",     "陳大文 CHAN Tai-man",
      "+86 138 0013 8000", "95803557",
      "1971年6月24日",     "john.smith+x@googlemail.com",
      "sw1a 1aa",          "女",
      "12 Pinkerton Cct",  "ab-12 34"};
  PhoneOptions hk;
  hk.default_region = "HK";
  auto run = [&](const std::string& in) {
    absl::StatusOr<NormalizedDate> d = ParseDate(in);
    return FoldText(in) + "|" + NormalizeEmail(in) + "|" +
           NormalizePhone(in, hk) + "|" + (d.ok() ? FormatIsoDate(*d) : "") +
           "|" + NormalizePostcode(in, "GB") + "|" + NormalizeGender(in) + "|" +
           NormalizeIdentifier(in) + "|" + NormalizeStreet(in);
  };
  std::vector<std::string> expected;
  for (const std::string& in : inputs) expected.push_back(run(in));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          if (run(inputs[i]) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(NormalizeRobustness, InvalidUtf8IsMissing) {
  for (const char* bad : {"abc\xC3", "\xFF", "\xC0\xAF", "\xED\xA0\x80",
                          "jos\xE9", "\xF4\x90\x80\x80", "\x80"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(FoldText(bad), "");
    EXPECT_EQ(NormalizeEmail(std::string("a") + bad + "@x.com"), "");
    EXPECT_EQ(NormalizePhone(std::string("+8613800138000") + bad), "");
    EXPECT_EQ(NormalizePostcode(std::string("2000") + bad), "");
    EXPECT_EQ(NormalizeGender(std::string("m") + bad), "");
    EXPECT_EQ(NormalizeIdentifier(std::string("AB12") + bad), "");
    EXPECT_EQ(NormalizeStreet(std::string("1 main st") + bad), "");
    absl::StatusOr<NormalizedDate> d =
        ParseDate(std::string("1971-06-24") + bad);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// ---------------------------------------------------------------------------
// FoldText
// ---------------------------------------------------------------------------

TEST(FoldText, Basics) {
  EXPECT_EQ(FoldText("José"), "jose");
  EXPECT_EQ(FoldText("ＡＢＣ"), "abc");
  EXPECT_EQ(FoldText("ＡＢＣ１２３"), "abc123");
  EXPECT_EQ(FoldText("  Hello,   World!  "), "hello world");
  EXPECT_EQ(FoldText("Straße"), "strasse");
  EXPECT_EQ(FoldText("Łódź"), "lodz");
  EXPECT_EQ(FoldText("Øresund Ærø"), "oresund aero");
  EXPECT_EQ(FoldText("İstanbul"), "istanbul");
  EXPECT_EQ(FoldText("Crème Brûlée"), "creme brulee");
  EXPECT_EQ(FoldText("e\xCC\x81"), "e");  // decomposed é
  EXPECT_EQ(FoldText("ﬁne"), "fine");     // ligature
}

TEST(FoldText, Apostrophes) {
  EXPECT_EQ(FoldText("O'Brien"), "obrien");
  EXPECT_EQ(FoldText("O’Brien"), "obrien");
  EXPECT_EQ(FoldText("o'shanassy street"), "oshanassy street");  // febrl4
  EXPECT_EQ(FoldText("St Mary's Rd"), "st marys rd");
}

TEST(FoldText, PunctuationAndWhitespace) {
  EXPECT_EQ(FoldText("a-b_c.d/e&f"), "a b c d e f");
  EXPECT_EQ(FoldText("約翰·史密斯"), "約翰 史密斯");  // middle dot
  EXPECT_EQ(FoldText("a\xE3\x80\x80"
                     "b"),
            "a b");  // ideographic space
  EXPECT_EQ(FoldText("a\xC2\xA0"
                     "b"),
            "a b");  // no-break space
  EXPECT_EQ(FoldText("a\xE2\x80\x8B"
                     "b"),
            "ab");  // zero-width space removed
  EXPECT_EQ(FoldText("\t\n\r"), "");
  EXPECT_EQ(FoldText("..."), "");
  EXPECT_EQ(FoldText(std::string("a\0b", 3)), "a b");
}

TEST(FoldText, EmptyAndWhitespace) {
  EXPECT_EQ(FoldText(""), "");
  EXPECT_EQ(FoldText("   "), "");
  EXPECT_EQ(FoldText("\xE3\x80\x80\xE3\x80\x80"), "");
}

TEST(FoldText, CjkAndOtherScriptsKept) {
  EXPECT_EQ(FoldText("陳大文"), "陳大文");
  EXPECT_EQ(FoldText("陈大文"), "陈大文");  // no Traditional/Simplified mapping
  EXPECT_EQ(FoldText("陳大文 CHAN Tai-man"), "陳大文 chan tai man");
  // Marks on non-Latin scripts are kept: が stays が, й stays й.
  EXPECT_EQ(FoldText("が"), "が");
  EXPECT_EQ(FoldText("Й"), "й");
  EXPECT_EQ(FoldText("ΆΛΦΑ"), "άλφα");
  EXPECT_EQ(FoldText("１３８００１３８０００"), "13800138000");
  EXPECT_EQ(FoldText("ｶﾀｶﾅ"), "カタカナ");  // half-width katakana -> full
}

TEST(FoldText, DatasetValues) {
  EXPECT_EQ(FoldText("Érik"), "erik");  // zingg_febrl_test
  EXPECT_EQ(FoldText("burlei gh heads"), "burlei gh heads");
  EXPECT_EQ(FoldText("CHAN Wai Ji; Angela"),
            "chan wai ji angela");  // hk_cjk_dev
  EXPECT_EQ(FoldText("Kowloon Tong"), "kowloon tong");
  EXPECT_EQ(FoldText("賴雅芳先生"), "賴雅芳先生");
}

TEST(FoldText, LongInput) {
  std::string in;
  for (int i = 0; i < 10000; ++i) in += "José, ";
  std::string out = FoldText(in);
  EXPECT_EQ(out.size(), 10000u * 5 - 1);
  EXPECT_EQ(out.substr(0, 10), "jose jose ");
  EXPECT_EQ(FoldText(std::string(100 * 1024, 'A')),
            std::string(100 * 1024, 'a'));
}

// The ASCII fast path gives the same result as the ICU path: appending a
// non-ASCII word forces the ICU path for the whole string.
TEST(FoldText, AsciiFastPathMatchesUnicodePath) {
  std::vector<std::string> samples = {"Hello, World!",
                                      "O'Brien",
                                      "a`b",
                                      "  x--y  ",
                                      "A_B\x7F"
                                      "C",
                                      "tab\there",
                                      "#1 (Main) St.",
                                      "~!@$%^&*+=|\\{}[]:;\"<>?,./"};
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  samples.push_back(all);
  for (const std::string& s : samples) {
    SCOPED_TRACE(s);
    const std::string fast = FoldText(s);
    const std::string slow = FoldText(s + " \xC3\xA9");  // " é"
    EXPECT_EQ(slow, fast.empty() ? "e" : fast + " e");
  }
}

// ---------------------------------------------------------------------------
// Email
// ---------------------------------------------------------------------------

TEST(NormalizeEmail, Basics) {
  EXPECT_EQ(NormalizeEmail("  John.Smith@Example.COM "),
            "john.smith@example.com");
  EXPECT_EQ(NormalizeEmail("robert255@smith.net"),
            "robert255@smith.net");  // splink
  EXPECT_EQ(NormalizeEmail("roberta25@smith.net"), "roberta25@smith.net");
  EXPECT_EQ(NormalizeEmail("i-sabelles77@flores-sulivan.net"),
            "i-sabelles77@flores-sulivan.net");
  EXPECT_EQ(NormalizeEmail("mailto:Ann@Shop.com.au"), "ann@shop.com.au");
  EXPECT_EQ(NormalizeEmail("<ann@shop.hk>"), "ann@shop.hk");
  EXPECT_EQ(NormalizeEmail("ann@shop.com."), "ann@shop.com");
}

TEST(NormalizeEmail, ProviderRules) {
  EXPECT_EQ(NormalizeEmail("John.Smith+promo@gmail.com"),
            "johnsmith@gmail.com");
  EXPECT_EQ(NormalizeEmail("j.o.h.n@googlemail.com"), "john@gmail.com");
  EXPECT_EQ(NormalizeEmail("JOHN@GoogleMail.com"), "john@gmail.com");
  EXPECT_EQ(NormalizeEmail("john.smith+news@outlook.com"),
            "john.smith@outlook.com");
  EXPECT_EQ(NormalizeEmail("john.smith@qq.com"), "john.smith@qq.com");
  EXPECT_EQ(NormalizeEmail("+tag@example.com"), "");
  EXPECT_EQ(NormalizeEmail("...@gmail.com"), "");
}

TEST(NormalizeEmail, FullWidthAndCjk) {
  EXPECT_EQ(NormalizeEmail("ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
            "john@example.com");
  EXPECT_EQ(NormalizeEmail("陳大文@例子.香港"), "陳大文@例子.香港");
  EXPECT_EQ(NormalizeEmail("JOSÉ@Café.fr"), "josé@café.fr");
}

TEST(NormalizeEmail, InvalidShapes) {
  for (const char* bad :
       {"", "   ", "no-at-sign", "@example.com", "john@", "john@localhost",
        "a@b@c.com", "john smith@example.com", "john@exa mple.com",
        "john@.example.com", "john@example..com", "john@-", "john@exa_mple.com",
        "john\t@example.com",
        // splink_fake_20000 typos
        "t.r@parsons.@com", "leo.t1sreeve6.covm", "lt@kiomrg",
        "hugo.pearson.9@miller8com", "lewis.h77@vsaq@uez.org",
        "viole..r@phillips-wardtcom", "erinlzerickson.bi@",
        "d.yung@brwon.c@om"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(NormalizeEmail(bad), "");
  }
  EXPECT_EQ(NormalizeEmail(std::string(300, 'a') + "@example.com"), "");
  EXPECT_EQ(NormalizeEmail(std::string(100 * 1024, 'a')), "");
  // Splink typo that still has a valid shape is kept: fuzzy matching decides.
  EXPECT_EQ(NormalizeEmail("d.young@bownmco."), "");  // "bownmco" has no dot
  EXPECT_EQ(NormalizeEmail("james.thompson55@broks.ne5t"),
            "james.thompson55@broks.ne5t");
}

TEST(IsLikelyJunkEmail, StaticList) {
  for (const char* junk : {"test@test.com",
                           "noemail@gmail.com",
                           "none@none.com",
                           "na@shop.com",
                           "n/a@shop.com",
                           "123@qq.com",
                           "1234@163.com",
                           "xxx@yahoo.com",
                           "asdf@hotmail.com",
                           "aaaa@gmail.com",
                           "john@example.com",
                           "john@example.org",
                           "mary@example.co.uk",
                           "john@shop.test",
                           "noreply@company.com",
                           "donotreply@company.com",
                           "null@x.com",
                           "unknown@x.com",
                           "john@xxx.com",
                           "john@noemail.com",
                           ""}) {
    SCOPED_TRACE(junk);
    EXPECT_TRUE(IsLikelyJunkEmail(junk));
  }
  for (const char* real :
       {"robert255@smith.net", "chantaiman@gmail.com", "jd@smith.com",
        "aa@smith.com", "test.pilot@airline.com", "testa@x.com",
        "384729156@qq.com", "a1@163.com", "陳大文@例子.香港"}) {
    SCOPED_TRACE(real);
    EXPECT_FALSE(IsLikelyJunkEmail(real));
  }
  EXPECT_TRUE(IsLikelyJunkEmail(NormalizeEmail("Test@Test.com")));
  EXPECT_TRUE(IsLikelyJunkEmail(NormalizeEmail("")));
}

// ---------------------------------------------------------------------------
// Phone
// ---------------------------------------------------------------------------

PhoneOptions Region(const char* region) {
  PhoneOptions options;
  options.default_region = region;
  return options;
}

TEST(NormalizePhone, China) {
  EXPECT_EQ(NormalizePhone("+86 138 0013 8000"), "+8613800138000");
  EXPECT_EQ(NormalizePhone("+86 138 0013 8000", Region("AU")),
            "+8613800138000");
  EXPECT_EQ(NormalizePhone("0086 13800138000", Region("CN")), "+8613800138000");
  EXPECT_EQ(NormalizePhone("0086 13800138000"), "+8613800138000");  // ZZ
  EXPECT_EQ(NormalizePhone("0086 13800138000", Region("HK")), "+8613800138000");
  EXPECT_EQ(NormalizePhone("0086 13800138000", Region("AU")), "+8613800138000");
  EXPECT_EQ(NormalizePhone("13800138000", Region("CN")), "+8613800138000");
  EXPECT_EQ(NormalizePhone("138-0013-8000", Region("cn")), "+8613800138000");
  EXPECT_EQ(NormalizePhone("１３８００１３８０００", Region("CN")),
            "+8613800138000");
  EXPECT_EQ(NormalizePhone("＋８６ １３８ ００１３ ８０００"),
            "+8613800138000");
  EXPECT_EQ(NormalizePhone("010-12345678", Region("CN")), "+861012345678");
}

TEST(NormalizePhone, Australia) {
  EXPECT_EQ(NormalizePhone("(02) 9876 5432", Region("AU")), "+61298765432");
  EXPECT_EQ(NormalizePhone("02-98765432", Region("AU")), "+61298765432");
  EXPECT_EQ(NormalizePhone("+61 2 9876 5432"), "+61298765432");
  EXPECT_EQ(NormalizePhone("0412 345 678", Region("AU")), "+61412345678");
  EXPECT_EQ(NormalizePhone("0011 86 138 0013 8000", Region("AU")),
            "+8613800138000");
  // ePBRN values (made-up numbers: possible, not valid).
  EXPECT_EQ(NormalizePhone("08-24225112", Region("AU")), "+61824225112");
  EXPECT_EQ(NormalizePhone("07-30119605", Region("AU")), "+61730119605");
  EXPECT_EQ(NormalizePhone("03-20262854", Region("AU")), "+61320262854");
  EXPECT_EQ(NormalizePhone("00-00000000", Region("AU")), "");
  EXPECT_EQ(NormalizePhone("00-95457718", Region("AU")), "+61095457718");
}

TEST(NormalizePhone, HongKong) {
  EXPECT_EQ(NormalizePhone("9580 3557", Region("HK")), "+85295803557");
  EXPECT_EQ(NormalizePhone("95803557", Region("HK")),
            "+85295803557");  // hk_cjk_dev
  EXPECT_EQ(NormalizePhone("62042853", Region("HK")), "+85262042853");
  EXPECT_EQ(NormalizePhone("+852 9580 3557"), "+85295803557");
  EXPECT_EQ(NormalizePhone("電話：9580 3557", Region("HK")), "+85295803557");
  EXPECT_EQ(NormalizePhone("8888 8888", Region("HK")), "");
}

TEST(NormalizePhone, UkAndUs) {
  EXPECT_EQ(NormalizePhone("+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(NormalizePhone("020 7946 0958", Region("GB")), "+442079460958");
  EXPECT_EQ(NormalizePhone("020 7946 0958", Region("uk")), "+442079460958");
  EXPECT_EQ(NormalizePhone("(650) 253-0000", Region("US")), "+16502530000");
  EXPECT_EQ(NormalizePhone("650.253.0000", Region("US")), "+16502530000");
  EXPECT_EQ(NormalizePhone("1-650-253-0000", Region("US")), "+16502530000");
  EXPECT_EQ(NormalizePhone("+1 (650) 253-0000"), "+16502530000");
  EXPECT_EQ(NormalizePhone("tel:+1-650-253-0000"), "+16502530000");
}

TEST(NormalizePhone, ExtensionsStripped) {
  EXPECT_EQ(NormalizePhone("1-650-253-0000 ext. 123", Region("US")),
            "+16502530000");
  EXPECT_EQ(NormalizePhone("650-253-0000 x12", Region("US")), "+16502530000");
  EXPECT_EQ(NormalizePhone("+44 20 7946 0958 ext 7"), "+442079460958");
  EXPECT_EQ(NormalizePhone("95803557 x 12"), "#95803557");  // fallback too
  EXPECT_EQ(NormalizePhone("95803557 ext. 12"), "#95803557");
}

TEST(NormalizePhone, Junk) {
  for (const char* junk :
       {"", "   ", "n/a", "N/A", "none", "unknown", "-", "0", "0000000000",
        "1234567890", "0123456789", "9876543210", "111-111-1111",
        "+1 111 111 1111", "+1 234 567 8901", "12345678", "+852 8888 8888"}) {
    SCOPED_TRACE(junk);
    EXPECT_EQ(NormalizePhone(junk), "");
    EXPECT_EQ(NormalizePhone(junk, Region("US")), "");
    EXPECT_EQ(NormalizePhone(junk, Region("AU")), "");
  }
}

TEST(NormalizePhone, FallbackWithoutRegion) {
  EXPECT_EQ(NormalizePhone("08-24225112"), "#0824225112");  // ePBRN, no region
  EXPECT_EQ(NormalizePhone("95803557"), "#95803557");       // hk_cjk_dev
  EXPECT_EQ(NormalizePhone("9580 3557"), "#95803557");
  EXPECT_EQ(NormalizePhone("(650) 253-0000"), "#6502530000");
  EXPECT_EQ(NormalizePhone("12345"), "");             // too short
  EXPECT_EQ(NormalizePhone("1234567890123456"), "");  // too long
  EXPECT_EQ(NormalizePhone("1-800-FLOWERS"), "");     // letters
  PhoneOptions strict;
  strict.keep_unparsed_digits = false;
  EXPECT_EQ(NormalizePhone("08-24225112", strict), "");
  EXPECT_EQ(NormalizePhone("+86 138 0013 8000", strict), "+8613800138000");
}

TEST(NormalizePhone, UnknownRegionIsZZ) {
  EXPECT_EQ(NormalizePhone("+86 138 0013 8000", Region("XX")),
            "+8613800138000");
  EXPECT_EQ(NormalizePhone("08-24225112", Region("")), "#0824225112");
  EXPECT_EQ(NormalizePhone("08-24225112", Region("Australia")), "#0824225112");
}

TEST(NormalizePhone, LongAndMixed) {
  EXPECT_EQ(NormalizePhone(std::string(100 * 1024, '1')), "");
  EXPECT_EQ(NormalizePhone("+86 138 0013 8000 / +852 9580 3557"), "");
  EXPECT_EQ(NormalizePhone("Tel +86 138 0013 8000"), "+8613800138000");
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

NormalizedDate Date(int y, int m, int d, bool ambiguous = false) {
  NormalizedDate date;
  date.year = y;
  date.month = m;
  date.day = d;
  date.ambiguous_day_month = ambiguous;
  return date;
}

void ExpectDate(absl::string_view in, NormalizedDate want,
                DateOrder order = DateOrder::kDayMonthYear) {
  SCOPED_TRACE(std::string(in));
  absl::StatusOr<NormalizedDate> got = ParseDate(in, order);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->year, want.year);
  EXPECT_EQ(got->month, want.month);
  EXPECT_EQ(got->day, want.day);
  EXPECT_EQ(got->ambiguous_day_month, want.ambiguous_day_month);
}

void ExpectDateError(absl::string_view in, absl::StatusCode code) {
  SCOPED_TRACE(std::string(in));
  absl::StatusOr<NormalizedDate> got = ParseDate(in);
  EXPECT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), code) << got.status();
}

TEST(ParseDate, DatasetFormats) {
  ExpectDate("19560409", Date(1956, 4, 9));   // febrl3
  ExpectDate("19081209", Date(1908, 12, 9));  // febrl1
  ExpectDate("19990219", Date(1999, 2, 19));
  ExpectDate("1971-06-24", Date(1971, 6, 24));  // splink
  ExpectDate("2031-01-01", Date(2031, 1, 1));   // splink has future years
  // febrl invalid dates (typos)
  ExpectDateError("19551192", absl::StatusCode::kOutOfRange);
  ExpectDateError("19404502", absl::StatusCode::kOutOfRange);
  ExpectDateError("19600086", absl::StatusCode::kOutOfRange);
}

TEST(ParseDate, SeparatedNumeric) {
  ExpectDate("24/06/1971", Date(1971, 6, 24));
  ExpectDate("06/24/1971", Date(1971, 6, 24));  // day > 12 decides
  ExpectDate("06/24/1971", Date(1971, 6, 24), DateOrder::kMonthDayYear);
  ExpectDate("1971/6/24", Date(1971, 6, 24));
  ExpectDate("1971.06.24", Date(1971, 6, 24));
  ExpectDate("24-06-1971", Date(1971, 6, 24));
  ExpectDate("24.6.1971", Date(1971, 6, 24));
  ExpectDate(" 24 / 06 / 1971 ", Date(1971, 6, 24));
}

TEST(ParseDate, AmbiguousDayMonth) {
  ExpectDate("03/04/1971", Date(1971, 4, 3, true));
  ExpectDate("03/04/1971", Date(1971, 3, 4, true), DateOrder::kMonthDayYear);
  ExpectDate("04/04/1971", Date(1971, 4, 4, false));  // same either way
  ExpectDate("1971-03-04", Date(1971, 3, 4, false));  // ISO never ambiguous
  ExpectDate("01021990", Date(1990, 2, 1, true));     // ddmmyyyy fallback
  ExpectDate("01021990", Date(1990, 1, 2, true), DateOrder::kMonthDayYear);
  ExpectDate("24061971", Date(1971, 6, 24, false));
  // Starts like a year: only yyyymmdd (zingg's typo'd "19052001" is not
  // 19 May 2001); the price is compact ddmmyyyy with day 19/20.
  ExpectDateError("19052001", absl::StatusCode::kOutOfRange);
  ExpectDateError("20061971", absl::StatusCode::kOutOfRange);
  ExpectDateError("13131971", absl::StatusCode::kOutOfRange);
}

TEST(ParseDate, MonthNames) {
  ExpectDate("24-Jun-1971", Date(1971, 6, 24));
  ExpectDate("24 June 1971", Date(1971, 6, 24));
  ExpectDate("June 24, 1971", Date(1971, 6, 24));
  ExpectDate("JUN 24 1971", Date(1971, 6, 24));
  ExpectDate("1971-jun-24", Date(1971, 6, 24));
  ExpectDate("24th of June 1971", Date(1971, 6, 24));
  ExpectDate("Thu, 24 Jun 1971", Date(1971, 6, 24));
  ExpectDate("3 Sept 1971", Date(1971, 9, 3));
  ExpectDate("1 May 2000", Date(2000, 5, 1));
  ExpectDateError("24 Foo 1971", absl::StatusCode::kInvalidArgument);
  ExpectDateError("24 Jun 71", absl::StatusCode::kInvalidArgument);
  ExpectDateError("Jun 1971", absl::StatusCode::kInvalidArgument);
}

TEST(ParseDate, Chinese) {
  ExpectDate("1971年6月24日", Date(1971, 6, 24));
  ExpectDate("1971年06月24日", Date(1971, 6, 24));
  ExpectDate("1971年6月24号", Date(1971, 6, 24));
  ExpectDate("1971年6月24號", Date(1971, 6, 24));
  ExpectDate("１９７１年６月２４日", Date(1971, 6, 24));
  ExpectDate("1971年6月24", Date(1971, 6, 24));
  ExpectDate("6月24日1971年", Date(1971, 6, 24));
  ExpectDate("1971年 6月 24日", Date(1971, 6, 24));
  ExpectDateError("71年6月24日", absl::StatusCode::kInvalidArgument);
  ExpectDateError("1971年6月", absl::StatusCode::kInvalidArgument);
  ExpectDateError("1971年2月30日", absl::StatusCode::kOutOfRange);
  ExpectDateError("年月日", absl::StatusCode::kInvalidArgument);
}

TEST(ParseDate, TimesIgnored) {
  ExpectDate("1971-06-24T00:00:00Z", Date(1971, 6, 24));
  ExpectDate("1971-06-24 13:05:00.000", Date(1971, 6, 24));
  ExpectDate("24/06/1971 1:05 pm", Date(1971, 6, 24));
  ExpectDateError("12:30", absl::StatusCode::kInvalidArgument);
}

TEST(ParseDate, Validation) {
  ExpectDate("2000-02-29", Date(2000, 2, 29));  // leap (divisible by 400)
  ExpectDate("1996-02-29", Date(1996, 2, 29));
  ExpectDateError("1900-02-29", absl::StatusCode::kOutOfRange);  // not leap
  ExpectDateError("1971-02-30", absl::StatusCode::kOutOfRange);
  ExpectDateError("1971-04-31", absl::StatusCode::kOutOfRange);
  ExpectDateError("1971-13-01", absl::StatusCode::kOutOfRange);
  ExpectDateError("1971-00-10", absl::StatusCode::kOutOfRange);
  ExpectDateError("1971-01-00", absl::StatusCode::kOutOfRange);
  ExpectDateError("0000-00-00", absl::StatusCode::kOutOfRange);
  ExpectDateError("1849-12-31", absl::StatusCode::kOutOfRange);
  ExpectDateError("2101-01-01", absl::StatusCode::kOutOfRange);
  ExpectDateError("9999-12-31", absl::StatusCode::kOutOfRange);
  ExpectDateError("13/13/1971", absl::StatusCode::kOutOfRange);
  ExpectDate("1850-01-01", Date(1850, 1, 1));
  ExpectDate("2100-12-31", Date(2100, 12, 31));
}

TEST(ParseDate, Rejected) {
  for (const char* bad :
       {"", "   ", "n/a", "unknown", "1971", "197106", "710624", "24/06/71",
        "1971-06", "1971-06-24-01", "1971--", "19710624123", "+1971-06-24",
        "1971-6-24x", "24/06/19710", "1971-006-24", "١٩٧١-٠٦-٢٤"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<NormalizedDate> got = ParseDate(bad);
    EXPECT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument)
        << got.status();
  }
  ExpectDateError(std::string(100 * 1024, '1'),
                  absl::StatusCode::kInvalidArgument);
}

TEST(ParseDate, FullWidth) {
  ExpectDate("１９７１－０６－２４", Date(1971, 6, 24));
  ExpectDate("２４／０６／１９７１", Date(1971, 6, 24));
}

TEST(FormatIsoDate, Formats) {
  EXPECT_EQ(FormatIsoDate(Date(1971, 6, 24)), "1971-06-24");
  EXPECT_EQ(FormatIsoDate(Date(1900, 1, 1)), "1900-01-01");
  EXPECT_EQ(FormatIsoDate(Date(1971, 6, 0)), "");
  EXPECT_EQ(FormatIsoDate(Date(0, 6, 24)), "");
  EXPECT_EQ(FormatIsoDate(Date(1971, 2, 30)), "");
  EXPECT_EQ(FormatIsoDate(NormalizedDate()), "");
  EXPECT_EQ(FormatIsoDate(*ParseDate("19560409")), "1956-04-09");
  EXPECT_EQ(FormatIsoDate(*ParseDate("1971年6月24日")), "1971-06-24");
}

TEST(FromParts, EpbrnColumns) {
  // epbrn_d: day 14, month 04, year 1921
  EXPECT_EQ(NormalizedDate::FromParts("1921", "04", "14"), Date(1921, 4, 14));
  EXPECT_EQ(NormalizedDate::FromParts("1907", "01", "16"), Date(1907, 1, 16));
  EXPECT_EQ(NormalizedDate::FromParts("", "", ""), Date(0, 0, 0));
  // Partial rows present in epbrn_d: (day empty) and (year empty).
  EXPECT_EQ(NormalizedDate::FromParts("1960", "01", ""), Date(1960, 1, 0));
  EXPECT_EQ(NormalizedDate::FromParts("", "06", "08"), Date(0, 6, 8));
  EXPECT_EQ(FormatIsoDate(NormalizedDate::FromParts("1921", "04", "14")),
            "1921-04-14");
}

TEST(FromParts, Variants) {
  EXPECT_EQ(NormalizedDate::FromParts("1971.0", "6.0", "24.0"),
            Date(1971, 6, 24));
  EXPECT_EQ(NormalizedDate::FromParts(" 1971 ", " Jun ", " 24 "),
            Date(1971, 6, 24));
  EXPECT_EQ(NormalizedDate::FromParts("1971年", "6月", "24日"),
            Date(1971, 6, 24));
  EXPECT_EQ(NormalizedDate::FromParts("１９７１", "０６", "２４"),
            Date(1971, 6, 24));
  EXPECT_EQ(NormalizedDate::FromParts("71", "6", "24"), Date(0, 6, 24));
  EXPECT_EQ(NormalizedDate::FromParts("1971", "13", "24"), Date(1971, 0, 24));
  EXPECT_EQ(NormalizedDate::FromParts("1971", "2", "30"), Date(1971, 2, 0));
  EXPECT_EQ(NormalizedDate::FromParts("1971", "2", "29"), Date(1971, 2, 0));
  EXPECT_EQ(NormalizedDate::FromParts("1972", "2", "29"), Date(1972, 2, 29));
  EXPECT_EQ(NormalizedDate::FromParts("", "2", "29"), Date(0, 2, 29));
  EXPECT_EQ(NormalizedDate::FromParts("1971", "6", "32"), Date(1971, 6, 0));
  EXPECT_EQ(NormalizedDate::FromParts("1971", "6", "0"), Date(1971, 6, 0));
  EXPECT_EQ(NormalizedDate::FromParts("1800", "6", "1"), Date(0, 6, 1));
  EXPECT_EQ(NormalizedDate::FromParts("NaT", "NaN", "n/a"), Date(0, 0, 0));
  EXPECT_EQ(NormalizedDate::FromParts("1971.5", "6.1", "24x"), Date(0, 0, 0));
}

// ---------------------------------------------------------------------------
// Postcode
// ---------------------------------------------------------------------------

TEST(NormalizePostcode, Basics) {
  EXPECT_EQ(NormalizePostcode("sw1a 1aa"), "SW1A1AA");
  EXPECT_EQ(NormalizePostcode("SW1A-1AA", "GB"), "SW1A1AA");
  EXPECT_EQ(NormalizePostcode("ec1a 1bb", "uk"), "EC1A1BB");
  EXPECT_EQ(NormalizePostcode("4011"), "4011");  // febrl1
  EXPECT_EQ(NormalizePostcode("2222"), "2222");  // a real AU postcode
  EXPECT_EQ(NormalizePostcode(" 2000 ", "AU"), "2000");
  EXPECT_EQ(NormalizePostcode("150-0001", "JP"), "1500001");
  EXPECT_EQ(NormalizePostcode("１００００１"), "100001");  // full-width, CN
  EXPECT_EQ(NormalizePostcode("K1A 0B1", "CA"), "K1A0B1");
}

TEST(NormalizePostcode, CountryRepairs) {
  EXPECT_EQ(NormalizePostcode("830", "AU"), "0830");  // epbrn_f (NT)
  EXPECT_EQ(NormalizePostcode("830"), "830");
  EXPECT_EQ(NormalizePostcode("02134-1234", "US"), "02134");
  EXPECT_EQ(NormalizePostcode("2134", "us"), "02134");
  EXPECT_EQ(NormalizePostcode("999077", "HK"), "");
  EXPECT_EQ(NormalizePostcode("anything", "HK"), "");
  EXPECT_EQ(NormalizePostcode("12", "AU"), "12");  // kept: still evidence
}

TEST(NormalizePostcode, Junk) {
  for (const char* junk :
       {"", "   ", "0000", "00000", "000", "9999", "99999", "XXXX", "n/a",
        "N.A.", "none", "Unknown", "null", "999077", "--", "ABCDEFGHIJKLM"}) {
    SCOPED_TRACE(junk);
    EXPECT_EQ(NormalizePostcode(junk), "");
  }
  EXPECT_EQ(NormalizePostcode("000", "AU"), "");
  EXPECT_EQ(NormalizePostcode(std::string(100 * 1024, '1')), "");
}

// ---------------------------------------------------------------------------
// Gender
// ---------------------------------------------------------------------------

TEST(NormalizeGender, Values) {
  for (const char* m : {"m", "M", "male", "MALE", " Male ", "man", "Boy", "男",
                        "男性", "1", "M.", "男 Male", "Ｍ"}) {
    SCOPED_TRACE(m);
    EXPECT_EQ(NormalizeGender(m), "m");
  }
  for (const char* f : {"f", "F", "female", "Woman", "girl", "女", "女性",
                        "女士", "2", "F (female)"}) {
    SCOPED_TRACE(f);
    EXPECT_EQ(NormalizeGender(f), "f");
  }
  for (const char* x :
       {"x", "X", "non-binary", "Nonbinary", "other", "diverse", "其他"}) {
    SCOPED_TRACE(x);
    EXPECT_EQ(NormalizeGender(x), "x");
  }
  for (const char* unknown :
       {"", " ", "u", "unknown", "0", "9", "n/a", "M/F", "男女", "先生", "Mr",
        "prefer not to say", "mf", "male female"}) {
    SCOPED_TRACE(unknown);
    EXPECT_EQ(NormalizeGender(unknown), "");
  }
}

// ---------------------------------------------------------------------------
// Identifier
// ---------------------------------------------------------------------------

TEST(NormalizeIdentifier, Values) {
  EXPECT_EQ(NormalizeIdentifier("  ab-123 456 "), "AB123456");
  EXPECT_EQ(NormalizeIdentifier("6988048"), "6988048");  // febrl soc_sec_id
  EXPECT_EQ(NormalizeIdentifier("a123456(7)"), "A123456(7)");  // HKID, () kept
  EXPECT_EQ(NormalizeIdentifier("ＡＢ１２３"), "AB123");
  EXPECT_EQ(NormalizeIdentifier("ab\xE2\x80\x94"
                                "12\xE2\x88\x92"
                                "34"),
            "AB1234");
  EXPECT_EQ(NormalizeIdentifier("user.name@shop"), "USER.NAME@SHOP");
  EXPECT_EQ(NormalizeIdentifier("550e8400-e29b-41d4-a716-446655440000"),
            "550E8400E29B41D4A716446655440000");
  EXPECT_EQ(NormalizeIdentifier("straße"), "STRASSE");
  EXPECT_EQ(NormalizeIdentifier("會員 12345678"), "會員12345678");
  EXPECT_EQ(NormalizeIdentifier("110101199003074514"), "110101199003074514");
}

TEST(NormalizeLoyaltyId, ProgramPrefixIsDropped) {
  EXPECT_EQ(NormalizeLoyaltyId("LC0012345678"), "0012345678");
  EXPECT_EQ(NormalizeLoyaltyId("lc 0012 3456 78"), "0012345678");
  EXPECT_EQ(NormalizeLoyaltyId("0012345678"), "0012345678");
  EXPECT_EQ(NormalizeLoyaltyId("AB12"), "AB12");  // Too few digits.
  EXPECT_EQ(NormalizeLoyaltyId("GOLDEN123456"), "GOLDEN123456");  // 6 letters.
  EXPECT_EQ(NormalizeLoyaltyId("LC12345X78"), "LC12345X78");
  EXPECT_EQ(NormalizeLoyaltyId("0000000"), "");  // Junk stays junk.
  EXPECT_EQ(NormalizeLoyaltyId("LC0000000000"), "");
  EXPECT_EQ(NormalizeLoyaltyId(""), "");
}

TEST(NormalizeIdentifier, Junk) {
  for (const char* junk :
       {"",           "  ",        "-",
        "0",          "0000",      "000-000",
        "XXXX",       "aaaa",      "unknown",
        "NULL",       "n/a",       "N/A",
        "none",       "nil",       "#N/A",
        "?",          "12345",     "123456789",
        "0123456789", "987654321", "00000000-0000-0000-0000-000000000000",
        "TBD",        "test",      "１１１１"}) {
    SCOPED_TRACE(junk);
    EXPECT_EQ(NormalizeIdentifier(junk), "");
  }
  EXPECT_EQ(NormalizeIdentifier("1234"), "1234");  // short runs are kept
  EXPECT_EQ(NormalizeIdentifier(std::string(2000, 'A') + "B"), "");
}

// ---------------------------------------------------------------------------
// Street
// ---------------------------------------------------------------------------

TEST(NormalizeStreet, Expansion) {
  EXPECT_EQ(NormalizeStreet("12 Pinkerton Cct"), "12 pinkerton circuit");
  EXPECT_EQ(NormalizeStreet("12 pinkerton circuit"),
            "12 pinkerton circuit");                                   // febrl4
  EXPECT_EQ(NormalizeStreet("tullaroop street"), "tullaroop street");  // febrl1
  EXPECT_EQ(NormalizeStreet("5 Limestone Ave."), "5 limestone avenue");
  EXPECT_EQ(NormalizeStreet("49 Fortescue Pl"), "49 fortescue place");
  EXPECT_EQ(NormalizeStreet("37 Lindrum Cres"), "37 lindrum crescent");
  EXPECT_EQ(NormalizeStreet("1 Smith Rd"), "1 smith road");
  EXPECT_EQ(NormalizeStreet("1 Smith Dr"), "1 smith drive");
  EXPECT_EQ(NormalizeStreet("12 Park St"), "12 park street");
  EXPECT_EQ(NormalizeStreet("Flat 3, 12 Nathan Rd, Tsim Sha Tsui"),
            "flat 3 12 nathan road tsim sha tsui");
  EXPECT_EQ(NormalizeStreet("O'Shanassy St"), "oshanassy street");
}

TEST(NormalizeStreet, OnlyTheTypeWord) {
  EXPECT_EQ(NormalizeStreet("12 St Kilda Rd"), "12 st kilda road");
  EXPECT_EQ(NormalizeStreet("St Georges Tce"), "st georges terrace");
  EXPECT_EQ(NormalizeStreet("12 Smith St St Kilda"),
            "12 smith street st kilda");
  EXPECT_EQ(NormalizeStreet("Dr"), "dr");
  EXPECT_EQ(NormalizeStreet("pridhamstreet"), "pridhamstreet");
}

TEST(NormalizeStreet, FebrlSplitTypeWord) {
  EXPECT_EQ(NormalizeStreet("adair st reet"), "adair street");  // febrl3
  EXPECT_EQ(NormalizeStreet("bimbiang cr escent"), "bimbiang crescent");
  EXPECT_EQ(NormalizeStreet("oxley str eet"), "oxley street");
  EXPECT_EQ(NormalizeStreet("brentwot d vlge"), "brentwot d village");
  EXPECT_EQ(NormalizeStreet("tenison-woods circuit"), "tenison woods circuit");
  EXPECT_EQ(NormalizeStreet("a'beckett street"), "abeckett street");
  EXPECT_EQ(NormalizeStreet("12 park way"), "12 park way");
}

TEST(NormalizeStreet, EdgeCases) {
  EXPECT_EQ(NormalizeStreet(""), "");
  EXPECT_EQ(NormalizeStreet("  ,, "), "");
  EXPECT_EQ(NormalizeStreet("彌敦道 12 號"), "彌敦道 12 號");
  EXPECT_EQ(NormalizeStreet("１２ Ｐｉｎｋｅｒｔｏｎ Ｃｃｔ"),
            "12 pinkerton circuit");
  std::string long_street;
  for (int i = 0; i < 20000; ++i) long_street += "ab st ";
  EXPECT_FALSE(NormalizeStreet(long_street).empty());
}

}  // namespace
}  // namespace idr::matching
