#include "identity/eval_command.h"

#include <iostream>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "identity/csv_reader.h"

namespace idr::identity {
namespace {

// Reads `key_column` -> `value_column` from a CSV, interning values to
// integers. Fails on a missing column or a repeated key.
absl::Status ReadAssignment(const std::string& path,
                            const std::string& key_column,
                            const std::string& value_column,
                            absl::flat_hash_map<std::string, int64_t>* out) {
  absl::StatusOr<std::unique_ptr<CsvReader>> reader = CsvReader::Open(path);
  if (!reader.ok()) return reader.status();
  int key = (*reader)->ColumnIndex(key_column);
  int value = (*reader)->ColumnIndex(value_column);
  for (const auto& [index, name] :
       {std::pair(key, key_column), std::pair(value, value_column)}) {
    if (index < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " has no column '", name,
          "' (columns: ", absl::StrJoin((*reader)->header(), ","), ")"));
    }
  }
  absl::flat_hash_map<std::string, int64_t> interned;
  std::vector<absl::string_view> fields;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    int64_t id = interned.emplace(fields[value], interned.size()).first->second;
    if (!out->emplace(fields[key], id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", (*reader)->line(), ": ", key_column, " '",
                       fields[key], "' appears more than once"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<matching::PairwiseScores> EvaluateFiles(
    const EvalCommandOptions& options) {
  absl::flat_hash_map<std::string, int64_t> clusters, truth;
  absl::Status s = ReadAssignment(options.clusters_path, options.id_column,
                                  options.cluster_column, &clusters);
  if (!s.ok()) return s;
  s = ReadAssignment(options.truth_path, options.id_column,
                     options.truth_column, &truth);
  if (!s.ok()) return s;
  std::vector<int64_t> cluster_ids, truth_ids;
  cluster_ids.reserve(truth.size());
  truth_ids.reserve(truth.size());
  for (const auto& [id, truth_id] : truth) {
    auto it = clusters.find(id);
    if (it == clusters.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.id_column, " '", id, "' of ", options.truth_path,
                       " is missing from ", options.clusters_path));
    }
    cluster_ids.push_back(it->second);
    truth_ids.push_back(truth_id);
  }
  if (clusters.size() != truth.size()) {
    for (const auto& [id, unused] : clusters) {
      if (!truth.contains(id)) {
        return absl::InvalidArgumentError(absl::StrCat(
            options.id_column, " '", id, "' of ", options.clusters_path,
            " is not in ", options.truth_path));
      }
    }
  }
  return matching::ScorePairwise(cluster_ids, truth_ids);
}

std::string FormatScores(const matching::PairwiseScores& s, bool json) {
  auto sizes = [json](const std::map<int64_t, int64_t>& histogram) {
    std::vector<std::string> parts;
    for (const auto& [size, count] : histogram) {
      parts.push_back(json ? absl::StrCat("\"", size, "\":", count)
                           : absl::StrCat(size, ":", count));
    }
    return absl::StrJoin(parts, json ? "," : " ");
  };
  if (json) {
    return absl::StrFormat(
        "{\"records\":%d,\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,"
        "\"true_pairs\":%d,\"predicted_pairs\":%d,\"correct_pairs\":%d,"
        "\"clusters\":%d,\"truth_entities\":%d,\"cluster_sizes\":{%s},"
        "\"truth_sizes\":{%s}}\n",
        s.records, s.precision, s.recall, s.f1, s.true_pairs, s.predicted_pairs,
        s.correct_pairs, s.clusters, s.truth_entities, sizes(s.cluster_sizes),
        sizes(s.truth_sizes));
  }
  return absl::StrFormat(
      "records          %d\n"
      "precision        %.4f  (%d of %d predicted pairs are true)\n"
      "recall           %.4f  (%d of %d true pairs found)\n"
      "F1               %.4f\n"
      "clusters         %d  (truth: %d entities)\n"
      "cluster sizes    %s\n"
      "truth sizes      %s\n",
      s.records, s.precision, s.correct_pairs, s.predicted_pairs, s.recall,
      s.correct_pairs, s.true_pairs, s.f1, s.clusters, s.truth_entities,
      sizes(s.cluster_sizes), sizes(s.truth_sizes));
}

int RunEval(const EvalCommandOptions& options) {
  absl::StatusOr<matching::PairwiseScores> scores = EvaluateFiles(options);
  if (!scores.ok()) {
    std::cerr << "idr eval: " << scores.status().message() << "\n";
    return 1;
  }
  std::cout << FormatScores(*scores, options.json);
  return 0;
}

}  // namespace idr::identity
