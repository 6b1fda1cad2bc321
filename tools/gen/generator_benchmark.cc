// Times GenerateCsv: bazel run -c opt //tools/gen:generator_benchmark
//   [-- ROWS [OUTPUT_FILE [SEEDS_DIR]]]
// ROWS defaults to 1,000,000; without OUTPUT_FILE the CSV goes to a null
// stream (counted, not stored), so only generation is timed.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <streambuf>
#include <string>

#include "absl/strings/numbers.h"
#include "tools/gen/generator.h"

namespace {

// Discards everything written, counting bytes.
class CountingBuf : public std::streambuf {
 public:
  int64_t bytes() const { return bytes_; }

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes_ += n;
    return n;
  }
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) ++bytes_;
    return traits_type::not_eof(c);
  }

 private:
  int64_t bytes_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  idr::gen::GenOptions options;
  options.records = 1000000;
  if (argc > 1 && !absl::SimpleAtoi(argv[1], &options.records)) {
    std::fprintf(stderr, "usage: %s [ROWS [OUTPUT_FILE [SEEDS_DIR]]]\n",
                 argv[0]);
    return 2;
  }
  const std::string path = argc > 2 ? argv[2] : "";
  options.name_seeds_dir = argc > 3 ? argv[3] : "";

  CountingBuf null_buf;
  std::ostream null_out(&null_buf);
  std::ofstream file;
  if (!path.empty()) {
    file.open(path, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "cannot open %s\n", path.c_str());
      return 1;
    }
  }
  std::ostream& out = path.empty() ? null_out : file;

  const auto start = std::chrono::steady_clock::now();
  const absl::Status status = idr::gen::GenerateCsv(options, out);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  if (!status.ok()) {
    std::cerr << "GenerateCsv failed: " << status << "\n";
    return 1;
  }
  const int64_t bytes =
      path.empty() ? null_buf.bytes() : static_cast<int64_t>(file.tellp());
  std::printf(
      "rows=%lld seconds=%.3f rows_per_second=%.0f bytes=%lld "
      "output=%s seeds=%s\n",
      static_cast<long long>(options.records), secs, options.records / secs,
      static_cast<long long>(bytes), path.empty() ? "null" : path.c_str(),
      options.name_seeds_dir.empty() ? "built-in"
                                     : options.name_seeds_dir.c_str());
  return 0;
}
