// A progress bar for long phases of command-line jobs, drawn on stderr.

#ifndef IDR_IDENTITY_PROGRESS_BAR_H_
#define IDR_IDENTITY_PROGRESS_BAR_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/time/time.h"

namespace idr::identity {

// Draws "label [#####.....]  42%  420000/1000000  1.2 s" on one line,
// redrawn in place at most every 100 ms. Drawing is off when `out` is not a
// terminal (logs and pipes get no control characters) unless forced on.
// Not thread-safe: call from one thread.
class ProgressBar {
 public:
  enum class Mode { kAuto, kAlways, kNever };

  // `total` is the expected count (0 when unknown: no percentage is shown).
  ProgressBar(std::string label, int64_t total, std::FILE* out = stderr,
              Mode mode = Mode::kAuto);
  ~ProgressBar() { Finish(); }

  // Reports that `done` units are complete; redraws if due.
  void Update(int64_t done);

  // Draws the final state and ends the line. Idempotent.
  void Finish();

  // Whether anything is drawn.
  bool enabled() const { return enabled_; }

 private:
  void Draw();

  std::string label_;
  int64_t total_;
  std::FILE* out_;
  bool enabled_;
  bool finished_ = false;
  int64_t done_ = 0;
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
};

// One bar per phase of a job that reports (phase, done, total), as
// matching::Deduplicate does: a new phase name finishes the last bar. Pass
// it as std::ref(progress): it owns its bar.
class PhaseProgress {
 public:
  void operator()(const char* phase, int64_t done, int64_t total) {
    if (phase_ != phase) {
      if (bar_) bar_->Finish();
      phase_ = phase;
      bar_ = std::make_unique<ProgressBar>(phase_, total);
    }
    bar_->Update(done);
  }
  void Finish() {
    if (bar_) bar_->Finish();
  }

 private:
  std::unique_ptr<ProgressBar> bar_;
  std::string phase_;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_PROGRESS_BAR_H_
