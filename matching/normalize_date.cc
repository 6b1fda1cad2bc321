// ParseDate, NormalizedDate::FromParts and FormatIsoDate. The accepted forms
// are documented in normalize.h.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "matching/normalize.h"
#include "matching/normalize_internal.h"
#include "matching/utf8.h"

namespace idr::matching {
namespace {

constexpr int kMinYear = 1850;
constexpr int kMaxYear = 2100;
constexpr size_t kMaxDateBytes = 64;

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Days in `month`; with year 0 (unknown) February has 29.
int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && (year == 0 || IsLeapYear(year))) return 29;
  return kDays[month - 1];
}

struct MonthName {
  absl::string_view name;
  int month;
};

constexpr MonthName kMonthNames[] = {
    {"jan", 1},  {"january", 1},   {"feb", 2},    {"february", 2},
    {"mar", 3},  {"march", 3},     {"apr", 4},    {"april", 4},
    {"may", 5},  {"jun", 6},       {"june", 6},   {"jul", 7},
    {"july", 7}, {"aug", 8},       {"august", 8}, {"sep", 9},
    {"sept", 9}, {"september", 9}, {"oct", 10},   {"october", 10},
    {"nov", 11}, {"november", 11}, {"dec", 12},   {"december", 12},
};

constexpr absl::string_view kIgnoredWords[] = {
    "mon",       "monday", "tue",      "tues",  "tuesday",  "wed",
    "wednesday", "thu",    "thur",     "thurs", "thursday", "fri",
    "friday",    "sat",    "saturday", "sun",   "sunday",   "of",
};

int MonthFromWord(absl::string_view word) {
  for (const MonthName& m : kMonthNames) {
    if (m.name == word) return m.month;
  }
  return 0;
}

bool IsIgnoredWord(absl::string_view word) {
  for (absl::string_view w : kIgnoredWords) {
    if (w == word) return true;
  }
  return false;
}

bool IsOrdinalSuffix(absl::string_view word) {
  return word == "st" || word == "nd" || word == "rd" || word == "th";
}

enum class Role { kNone, kYear, kMonth, kDay };

struct Number {
  int value = 0;
  int digits = 0;
  Role role = Role::kNone;
};

// UTF-8 of the CJK date markers.
constexpr absl::string_view kYearMarker = "\xE5\xB9\xB4";   // 年
constexpr absl::string_view kMonthMarker = "\xE6\x9C\x88";  // 月
constexpr absl::string_view kDayMarkers[] = {
    "\xE6\x97\xA5",  // 日
    "\xE5\x8F\xB7",  // 号
    "\xE8\x99\x9F",  // 號
};

// Which marker starts s at i, if any; sets *length.
Role MarkerAt(absl::string_view s, size_t i, size_t* length) {
  const absl::string_view rest = s.substr(i);
  *length = 3;
  if (absl::StartsWith(rest, kYearMarker)) return Role::kYear;
  if (absl::StartsWith(rest, kMonthMarker)) return Role::kMonth;
  for (absl::string_view m : kDayMarkers) {
    if (absl::StartsWith(rest, m)) return Role::kDay;
  }
  *length = 0;
  return Role::kNone;
}

bool IsSeparator(char c) {
  return c == ' ' || c == '-' || c == '/' || c == '.' || c == ',' || c == '\t';
}

absl::Status Invalid(absl::string_view why) {
  return absl::InvalidArgumentError(std::string("date: ") + std::string(why));
}

absl::Status OutOfRange(absl::string_view why) {
  return absl::OutOfRangeError(std::string("date: ") + std::string(why));
}

absl::StatusOr<NormalizedDate> Checked(int year, int month, int day,
                                       bool ambiguous) {
  if (year < kMinYear || year > kMaxYear) {
    return OutOfRange("year outside 1850..2100");
  }
  if (month < 1 || month > 12) return OutOfRange("month outside 1..12");
  if (day < 1 || day > DaysInMonth(year, month)) {
    return OutOfRange("day not in month");
  }
  NormalizedDate date;
  date.year = year;
  date.month = month;
  date.day = day;
  date.ambiguous_day_month = ambiguous && day != month;
  return date;
}

// Year last: a and b are day and month in some order.
absl::StatusOr<NormalizedDate> DayMonthYear(int a, int b, int year,
                                            DateOrder preferred) {
  if (a > 12 && b > 12) return OutOfRange("neither number is a month");
  if (a > 12) return Checked(year, b, a, false);
  if (b > 12) return Checked(year, a, b, false);
  if (preferred == DateOrder::kDayMonthYear) return Checked(year, b, a, true);
  return Checked(year, a, b, true);
}

// Removes a trailing time of day: "1971-06-24T13:05:00Z", "24/06/1971 1:05 pm".
absl::Status StripTime(std::string* s) {
  const size_t colon = s->find(':');
  if (colon == std::string::npos) return absl::OkStatus();
  size_t j = colon;
  while (j > 0 &&
         absl::ascii_isdigit(static_cast<unsigned char>((*s)[j - 1]))) {
    --j;
  }
  if (j == colon || j == 0) return Invalid("unexpected ':'");
  const char before = (*s)[j - 1];
  if (before != ' ' && before != 't' && before != '\t') {
    return Invalid("unexpected ':'");
  }
  s->resize(j - 1);
  return absl::OkStatus();
}

}  // namespace

bool operator==(const NormalizedDate& a, const NormalizedDate& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day &&
         a.ambiguous_day_month == b.ambiguous_day_month;
}

bool operator!=(const NormalizedDate& a, const NormalizedDate& b) {
  return !(a == b);
}

bool IsValidCalendarDate(int year, int month, int day) {
  return year >= kMinYear && year <= kMaxYear && month >= 1 && month <= 12 &&
         day >= 1 && day <= DaysInMonth(year, month);
}

absl::StatusOr<NormalizedDate> ParseDate(absl::string_view raw,
                                         DateOrder preferred) {
  if (raw.size() > kMaxDateBytes) return Invalid("too long");
  if (!IsValidUtf8(raw)) return Invalid("invalid UTF-8");
  std::string s = internal::NfkcCasefold(raw);
  absl::StripAsciiWhitespace(&s);
  if (s.empty()) return Invalid("empty");
  if (absl::Status st = StripTime(&s); !st.ok()) return st;

  std::vector<Number> numbers;
  int month_word = 0;
  int month_words = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (absl::ascii_isdigit(c)) {
      Number n;
      size_t j = i;
      while (j < s.size() &&
             absl::ascii_isdigit(static_cast<unsigned char>(s[j]))) {
        if (j - i >= 8) return Invalid("number too long");
        n.value = n.value * 10 + (s[j] - '0');
        ++j;
      }
      n.digits = static_cast<int>(j - i);
      numbers.push_back(n);
      i = j;
    } else if (absl::ascii_isalpha(c)) {
      size_t j = i;
      while (j < s.size() &&
             absl::ascii_isalpha(static_cast<unsigned char>(s[j]))) {
        ++j;
      }
      const absl::string_view word = absl::string_view(s).substr(i, j - i);
      const bool after_digit =
          i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(s[i - 1]));
      if (const int m = MonthFromWord(word); m != 0) {
        month_word = m;
        ++month_words;
      } else if (!(after_digit && IsOrdinalSuffix(word)) &&
                 !IsIgnoredWord(word)) {
        return Invalid("unrecognised word");
      }
      i = j;
    } else if (IsSeparator(static_cast<char>(c))) {
      ++i;
    } else {
      size_t length = 0;
      const Role role = MarkerAt(s, i, &length);
      if (role == Role::kNone) return Invalid("unexpected character");
      if (numbers.empty() || numbers.back().role != Role::kNone) {
        return Invalid("CJK date marker without a number");
      }
      numbers.back().role = role;
      i += length;
    }
  }

  if (month_words > 1) return Invalid("more than one month name");
  if (month_words == 1) {
    if (numbers.size() != 2)
      return Invalid("expected day and year with a month name");
    const Number& a = numbers[0];
    const Number& b = numbers[1];
    if (a.digits == 4 && b.digits <= 2)
      return Checked(a.value, month_word, b.value, false);
    if (b.digits == 4 && a.digits <= 2)
      return Checked(b.value, month_word, a.value, false);
    if (a.digits <= 2 && b.digits <= 2) return Invalid("two-digit year");
    return Invalid("unrecognised layout");
  }

  if (numbers.size() == 1) {
    const Number& n = numbers[0];
    if (n.digits == 8) {
      const int v = n.value;
      const int y = v / 10000, m = v / 100 % 100, d = v % 100;
      if (IsValidCalendarDate(y, m, d)) return Checked(y, m, d, false);
      // Starts like a year: a broken yyyymmdd (a typo), not ddmmyyyy.
      if (y >= kMinYear && y <= kMaxYear) {
        return OutOfRange("not a valid yyyymmdd date");
      }
      // ddmmyyyy / mmddyyyy
      const int a = v / 1000000, b = v / 10000 % 100, year = v % 10000;
      if (year < kMinYear || year > kMaxYear) {
        return OutOfRange("not a valid yyyymmdd, ddmmyyyy or mmddyyyy date");
      }
      return DayMonthYear(a, b, year, preferred);
    }
    if (n.digits == 6) return Invalid("two-digit year");
    if (n.digits == 4) return Invalid("year only");
    return Invalid("unrecognised layout");
  }
  if (numbers.size() < 3) return Invalid("incomplete date");
  if (numbers.size() > 3) return Invalid("too many numbers");

  // CJK markers: when at least two roles are given (and distinct), they
  // decide, and the remaining number takes the remaining role.
  const Number* by_role[3] = {nullptr, nullptr, nullptr};  // year, month, day
  const Number* unassigned = nullptr;
  int roles = 0;
  for (const Number& n : numbers) {
    if (n.role == Role::kNone) {
      unassigned = &n;
      continue;
    }
    const Number*& slot = by_role[static_cast<int>(n.role) - 1];
    if (slot != nullptr) return Invalid("repeated CJK date marker");
    slot = &n;
    ++roles;
  }
  if (roles >= 2) {
    for (const Number*& slot : by_role) {
      if (slot == nullptr) slot = unassigned;
    }
    const Number& y = *by_role[0];
    const Number& m = *by_role[1];
    const Number& d = *by_role[2];
    if (y.digits != 4) return Invalid("two-digit year");
    if (m.digits > 2 || d.digits > 2) return Invalid("unrecognised layout");
    return Checked(y.value, m.value, d.value, false);
  }

  const Number& a = numbers[0];
  const Number& b = numbers[1];
  const Number& c = numbers[2];
  if (a.digits == 4 && b.digits <= 2 && c.digits <= 2) {
    return Checked(a.value, b.value, c.value, false);
  }
  if (c.digits == 4 && a.digits <= 2 && b.digits <= 2) {
    return DayMonthYear(a.value, b.value, c.value, preferred);
  }
  if (a.digits <= 2 && b.digits <= 2 && c.digits <= 2) {
    return Invalid("two-digit year");
  }
  return Invalid("unrecognised layout");
}

namespace {

// One cell of a split date: the number it holds (month names allowed when
// allow_month_name), or -1 when unusable.
int ParsePart(absl::string_view raw, bool allow_month_name, int* digits) {
  *digits = 0;
  if (raw.size() > kMaxDateBytes || !IsValidUtf8(raw)) return -1;
  std::string s = internal::NfkcCasefold(raw);
  absl::StripAsciiWhitespace(&s);
  absl::string_view v = s;
  // CJK marker suffix: "1971年", "6月", "24日".
  for (absl::string_view marker : {kYearMarker, kMonthMarker, kDayMarkers[0],
                                   kDayMarkers[1], kDayMarkers[2]}) {
    if (absl::ConsumeSuffix(&v, marker)) break;
  }
  v = absl::StripAsciiWhitespace(v);
  // pandas writes integer columns with missing values as floats: "4.0".
  if (const size_t dot = v.find('.'); dot != absl::string_view::npos) {
    const absl::string_view frac = v.substr(dot + 1);
    if (frac.empty() ||
        frac.find_first_not_of('0') != absl::string_view::npos) {
      return -1;
    }
    v = v.substr(0, dot);
  }
  if (v.empty()) return -1;
  if (allow_month_name) {
    if (const int m = MonthFromWord(v); m != 0) return m;
  }
  if (v.size() > 4) return -1;
  int value = 0;
  for (char ch : v) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(ch))) return -1;
    value = value * 10 + (ch - '0');
  }
  *digits = static_cast<int>(v.size());
  return value;
}

}  // namespace

NormalizedDate NormalizedDate::FromParts(absl::string_view year,
                                         absl::string_view month,
                                         absl::string_view day) {
  NormalizedDate date;
  int digits = 0;
  const int y = ParsePart(year, false, &digits);
  if (digits == 4 && y >= kMinYear && y <= kMaxYear) date.year = y;
  const int m = ParsePart(month, true, &digits);
  if (m >= 1 && m <= 12 && digits <= 2) date.month = m;
  const int d = ParsePart(day, false, &digits);
  if (d >= 1 && d <= 31 && digits <= 2) date.day = d;
  if (date.month != 0 && date.day > DaysInMonth(date.year, date.month)) {
    date.day = 0;
  }
  return date;
}

std::string FormatIsoDate(const NormalizedDate& date) {
  if (!IsValidCalendarDate(date.year, date.month, date.day)) return "";
  // Valid dates have a 4-digit year and 2-digit month and day.
  std::string out = "0000-00-00";
  out[0] = static_cast<char>('0' + date.year / 1000);
  out[1] = static_cast<char>('0' + date.year / 100 % 10);
  out[2] = static_cast<char>('0' + date.year / 10 % 10);
  out[3] = static_cast<char>('0' + date.year % 10);
  out[5] = static_cast<char>('0' + date.month / 10);
  out[6] = static_cast<char>('0' + date.month % 10);
  out[8] = static_cast<char>('0' + date.day / 10);
  out[9] = static_cast<char>('0' + date.day % 10);
  return out;
}

}  // namespace idr::matching
