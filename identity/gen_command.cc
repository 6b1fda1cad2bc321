#include "identity/gen_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "identity/progress_bar.h"
#include "tools/gen/generator.h"

namespace idr::identity {
namespace {

constexpr char kDefaultNameSeeds[] = "../shared/datasets/cjk_name_seeds";

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int Fail(const std::string& message) {
  std::cerr << "idr gen: " << message << "\n";
  return 1;
}

}  // namespace

int RunGen(const GenCommandOptions& options) {
  gen::GenOptions gen_options;
  gen_options.records = options.records;
  gen_options.seed = options.seed;
  gen_options.name_seeds_dir = options.name_seeds_dir;
  if (gen_options.name_seeds_dir.empty() && IsDirectory(kDefaultNameSeeds)) {
    gen_options.name_seeds_dir = kDefaultNameSeeds;
  }

  const bool to_stdout = options.out_path == "-";
  const std::string temp_path =
      to_stdout ? "" : absl::StrCat(options.out_path, ".tmp-", getpid());
  std::ofstream file;
  // A large buffer: the generator writes many small pieces.
  std::unique_ptr<char[]> buffer(new char[1 << 20]);
  if (!to_stdout) {
    file.rdbuf()->pubsetbuf(buffer.get(), 1 << 20);
    file.open(temp_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail(absl::StrCat("cannot write ", options.out_path, ": ",
                               std::strerror(errno)));
    }
  }
  std::ostream& out = to_stdout ? std::cout : file;

  ProgressBar progress("gen", options.records);
  gen_options.progress = [&progress](int64_t done) { progress.Update(done); };
  absl::Time start = absl::Now();
  absl::Status status = gen::GenerateCsv(gen_options, out);
  progress.Update(options.records);
  progress.Finish();
  out.flush();
  if (status.ok() && !out) {
    status = absl::DataLossError(
        absl::StrCat("write to ", options.out_path, " failed"));
  }
  if (!to_stdout) {
    file.close();
    if (status.ok() && !file) {
      status = absl::DataLossError(
          absl::StrCat("closing ", options.out_path, " failed"));
    }
    if (status.ok() &&
        std::rename(temp_path.c_str(), options.out_path.c_str()) != 0) {
      status = absl::DataLossError(absl::StrCat(
          "cannot rename into ", options.out_path, ": ", std::strerror(errno)));
    }
    if (!status.ok()) std::remove(temp_path.c_str());
  }
  if (!status.ok()) return Fail(std::string(status.message()));

  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::cerr << "idr gen: " << options.records << " records in "
            << absl::StrFormat("%.2f", seconds) << " s ("
            << (gen_options.name_seeds_dir.empty()
                    ? std::string("built-in name lists")
                    : absl::StrCat("names from ", gen_options.name_seeds_dir))
            << ") -> " << options.out_path << "\n";
  return 0;
}

}  // namespace idr::identity
