#include "identity/progress_bar.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

// Runs `body` against a bar writing into a temporary file; returns the text.
template <typename Body>
std::string Capture(ProgressBar::Mode mode, int64_t total, Body body) {
  std::FILE* file = std::tmpfile();
  {
    ProgressBar bar("gen", total, file, mode);
    body(bar);
  }
  std::rewind(file);
  std::string text;
  char buffer[256];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    text.append(buffer, n);
  std::fclose(file);
  return text;
}

TEST(ProgressBarTest, DrawsPercentAndCountsEndingWithNewline) {
  std::string text =
      Capture(ProgressBar::Mode::kAlways, 200, [](ProgressBar& bar) {
        bar.Update(50);
        bar.Update(200);
      });
  EXPECT_NE(text.find("gen ["), std::string::npos) << text;
  EXPECT_NE(text.find("100%  200/200"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(ProgressBarTest, FirstUpdateDrawsImmediately) {
  std::string text = Capture(ProgressBar::Mode::kAlways, 4,
                             [](ProgressBar& bar) { bar.Update(1); });
  EXPECT_NE(text.find(" 25%  1/4"), std::string::npos) << text;
}

TEST(ProgressBarTest, UnknownTotalShowsCountOnly) {
  std::string text = Capture(ProgressBar::Mode::kAlways, 0,
                             [](ProgressBar& bar) { bar.Update(7); });
  EXPECT_EQ(text.find('%'), std::string::npos) << text;
  EXPECT_NE(text.find("gen 7"), std::string::npos) << text;
}

TEST(ProgressBarTest, NeverModeAndNonTerminalDrawNothing) {
  EXPECT_EQ(Capture(ProgressBar::Mode::kNever, 10,
                    [](ProgressBar& bar) { bar.Update(5); }),
            "");
  // A temporary file is not a terminal.
  EXPECT_EQ(Capture(ProgressBar::Mode::kAuto, 10,
                    [](ProgressBar& bar) { bar.Update(5); }),
            "");
}

TEST(ProgressBarTest, FinishIsIdempotent) {
  std::string text =
      Capture(ProgressBar::Mode::kAlways, 1, [](ProgressBar& bar) {
        bar.Update(1);
        bar.Finish();
        bar.Finish();
      });
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

}  // namespace
}  // namespace idr::identity
