// Saving and loading trained dedup models as JSON (matching/model.proto).

#ifndef IDR_MATCHING_MODEL_FILE_H_
#define IDR_MATCHING_MODEL_FILE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "matching/dedup.h"

namespace idr::matching {

// 2: per-rule priors and TF baselines (format 1 had one prior and
// per-comparison baselines).
inline constexpr int kModelFormatVersion = 2;

// Writes `model` to `path` as JSON (atomically: a temporary file renamed).
absl::Status SaveModel(const DedupModel& model, double threshold,
                       const std::string& path);

// Reads a model written by SaveModel and binds it to `columns`: every
// comparison must name a mapped column of the same field type with the same
// levels. INVALID_ARGUMENT otherwise, naming the mismatch. Rule priors are
// matched by rule name when the pipeline runs (a rule the model does not
// know gets the model's overall lambda).
absl::StatusOr<DedupModel> LoadModel(const std::string& path,
                                     const PreparedColumns& columns,
                                     double* threshold);

// The JSON SaveModel writes, as a string (the identity graph keeps its model
// in the database).
absl::StatusOr<std::string> ModelToJson(const DedupModel& model,
                                        double threshold);

// LoadModel's parsing and binding of JSON text; `origin` names the text in
// error messages (a path, "the database").
absl::StatusOr<DedupModel> ModelFromJson(const std::string& json,
                                         const std::string& origin,
                                         const PreparedColumns& columns,
                                         double* threshold);

}  // namespace idr::matching

#endif  // IDR_MATCHING_MODEL_FILE_H_
