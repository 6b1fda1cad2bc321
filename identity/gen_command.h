// `idr gen`: writes synthetic customer records with ground truth.

#ifndef IDR_IDENTITY_GEN_COMMAND_H_
#define IDR_IDENTITY_GEN_COMMAND_H_

#include <cstdint>
#include <string>

namespace idr::identity {

struct GenCommandOptions {
  int64_t records = 0;         // Required, > 0.
  std::string out_path;        // Required; "-" writes to stdout.
  uint64_t seed = 42;          // Same seed and count: byte-identical file.
  std::string name_seeds_dir;  // Empty: ../shared/datasets/cjk_name_seeds if
                               // present, else the built-in lists.
};

// Generates the file: into a temporary file beside `out_path` that is renamed
// over it only when complete, so a crash or an error never leaves a partial
// CSV. Shows a progress bar on a terminal and a one-line summary on stderr.
// Returns 0, or 1 with one line on stderr.
int RunGen(const GenCommandOptions& options);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_GEN_COMMAND_H_
