#include "matching/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace idr::matching {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (const char* ok : {"", "abc", "陳大文", "José", "\xF0\x9F\x98\x80",
                         "\xEF\xBF\xBD", "\xF4\x8F\xBF\xBF"}) {
    EXPECT_TRUE(IsValidUtf8(ok)) << ok;
  }
  EXPECT_EQ(Utf8SequenceLength("a"), 1u);
  EXPECT_EQ(Utf8SequenceLength("é"), 2u);
  EXPECT_EQ(Utf8SequenceLength("陳"), 3u);
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80"), 4u);
  EXPECT_EQ(Utf8SequenceLength(""), 0u);
}

TEST(Utf8Test, RejectsEveryKindOfIllFormedSequence) {
  struct Case {
    std::string text;
    size_t first_bad;
  };
  const Case cases[] = {
      {"ab\x80", 2},            // Stray continuation byte.
      {"\xC0\xAF", 0},          // Overlong '/'.
      {"a\xE0\x80\xAF", 1},     // Overlong three-byte form.
      {"\xED\xA0\x80", 0},      // Encoded surrogate U+D800.
      {"\xF4\x90\x80\x80", 0},  // Above U+10FFFF.
      {"\xF5\x80\x80\x80", 0},  // Lead byte beyond F4.
      {"陳\xE5\xA4", 3},        // Truncated at the end.
      {"\xE5\x41\x42", 0},      // Missing continuation.
      {"ok\xFF", 2},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsValidUtf8(c.text));
    EXPECT_EQ(FirstInvalidUtf8(c.text), c.first_bad);
  }
}

}  // namespace
}  // namespace idr::matching
