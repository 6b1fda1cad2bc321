// `idr eval`: pairwise precision, recall and F1 of a clustering against a
// truth column.

#ifndef IDR_IDENTITY_EVAL_COMMAND_H_
#define IDR_IDENTITY_EVAL_COMMAND_H_

#include <string>

#include "absl/status/statusor.h"
#include "matching/evaluation.h"

namespace idr::identity {

struct EvalCommandOptions {
  std::string clusters_path;  // CSV: <id column>,cluster_id (idr dedup output).
  std::string truth_path;     // CSV with the id column and the truth column.
  std::string id_column = "record_id";
  std::string truth_column = "truth_id";
  std::string cluster_column = "cluster_id";
  bool json = false;  // One JSON object instead of the text report.
};

// Reads both files and scores them. Every record must appear exactly once in
// each file (INVALID_ARGUMENT naming the first offending id and line
// otherwise); files and columns that cannot be read are errors too.
absl::StatusOr<matching::PairwiseScores> EvaluateFiles(
    const EvalCommandOptions& options);

// Formats scores as the text report or, with `json`, one JSON line.
std::string FormatScores(const matching::PairwiseScores& scores, bool json);

// Runs the command: prints the report on stdout; returns 0, or 1 with one
// line on stderr.
int RunEval(const EvalCommandOptions& options);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_EVAL_COMMAND_H_
