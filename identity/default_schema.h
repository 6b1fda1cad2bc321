// The graph a new `idr serve` database starts with: one field per field type
// the API carries (the columns of `idr gen`), and a built-in model trained
// without labels on synthetic customers of those columns.

#ifndef IDR_IDENTITY_DEFAULT_SCHEMA_H_
#define IDR_IDENTITY_DEFAULT_SCHEMA_H_

#include <string>

#include "absl/status/statusor.h"
#include "identity/engine.h"

namespace idr::identity {

// The default schema with the built-in model, or with the model saved at
// `model_path` (idr dedup --save-model on data with the same columns) when it
// is not empty. INVALID_ARGUMENT when that model does not fit the fields.
absl::StatusOr<GraphSchema> DefaultSchema(const std::string& model_path);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_DEFAULT_SCHEMA_H_
