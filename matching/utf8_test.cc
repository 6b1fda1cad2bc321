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

TEST(Utf8Test, SplitsIntoCharactersWithoutLosingBytes) {
  std::vector<absl::string_view> chars = Utf8Chars("a陳é\xF0\x9F\x98\x80");
  ASSERT_EQ(chars.size(), 4u);
  EXPECT_EQ(chars[1], "陳");
  EXPECT_EQ(chars[2], "é");
  EXPECT_EQ(chars[3].size(), 4u);
  // A stray continuation byte is its own piece; a cut sequence keeps the rest.
  EXPECT_EQ(Utf8Chars("\x80" "a").size(), 2u);
  std::vector<absl::string_view> cut = Utf8Chars("a\xE5\xA4");
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[1], "\xE5\xA4");
  EXPECT_TRUE(Utf8Chars("").empty());
}

}  // namespace
}  // namespace idr::matching
