#include "identity/progress_bar.h"

#include <unistd.h>

#include <algorithm>

#include "absl/time/clock.h"

namespace idr::identity {

ProgressBar::ProgressBar(std::string label, int64_t total, std::FILE* out,
                         Mode mode)
    : label_(std::move(label)),
      total_(total),
      out_(out),
      enabled_(mode == Mode::kAlways ||
               (mode == Mode::kAuto && isatty(fileno(out)))),
      start_(absl::Now()) {}

void ProgressBar::Update(int64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  absl::Time now = absl::Now();
  if (now - last_draw_ < absl::Milliseconds(100)) return;
  last_draw_ = now;
  Draw();
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  Draw();
  std::fputc('\n', out_);
  std::fflush(out_);
}

void ProgressBar::Draw() {
  constexpr int kWidth = 30;
  double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
  if (total_ > 0) {
    double fraction = std::clamp(
        static_cast<double>(done_) / static_cast<double>(total_), 0.0, 1.0);
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.append(kWidth - filled, '.');
    std::fprintf(out_, "\r%s [%s] %3d%%  %lld/%lld  %.1f s", label_.c_str(),
                 bar.c_str(), static_cast<int>(fraction * 100),
                 static_cast<long long>(done_), static_cast<long long>(total_),
                 seconds);
  } else {
    std::fprintf(out_, "\r%s %lld  %.1f s", label_.c_str(),
                 static_cast<long long>(done_), seconds);
  }
  std::fflush(out_);
}

}  // namespace idr::identity
