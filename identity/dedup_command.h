// `idr dedup`: deduplicate (or link) the records of a CSV file.

#ifndef IDR_IDENTITY_DEDUP_COMMAND_H_
#define IDR_IDENTITY_DEDUP_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace idr::identity {

struct DedupCommandOptions {
  std::string input_path;
  std::string output_path;  // record_id,cluster_id
  std::string id_column = "record_id";
  std::vector<std::string> fields;          // "column=type"; empty: guess
  std::vector<std::string> ignore_columns;  // never guessed as fields
  std::string source_column;                // for --link-only
  bool link_only = false;
  double threshold = -1;   // < 0: the model's or the default
  std::string pairs_path;  // scored pairs above threshold
  std::string save_model_path;
  std::string model_path;
  int threads = 0;           // 0: all cores
  int max_block_size = 0;    // 0: the pipeline's default (100)
  std::string truth_column;  // reporting only (blocking recall)
  std::string phone_region = "ZZ";
  std::string date_order = "dmy";  // dmy or mdy
  bool quiet = false;              // no mapping, no summary
};

// Runs the job; returns the process exit code (0, or 1 with one line on
// stderr naming the problem).
int RunDedup(const DedupCommandOptions& options);

// The job itself, for tests: errors as statuses.
absl::Status Dedup(const DedupCommandOptions& options);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_DEDUP_COMMAND_H_
