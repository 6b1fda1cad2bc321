#include "identity/default_schema.h"

#include "matching/model_file.h"

namespace idr::identity {

extern const char kDefaultModelJson[];  // default_model.cc (generated).

absl::StatusOr<GraphSchema> DefaultSchema(const std::string& model_path) {
  using matching::FieldType;
  GraphSchema schema;
  schema.fields = {{"given_name", FieldType::kGivenName},
                   {"family_name", FieldType::kFamilyName},
                   {"full_name", FieldType::kFullName},
                   {"birth_date", FieldType::kBirthDate},
                   {"gender", FieldType::kGender},
                   {"email", FieldType::kEmail},
                   {"phone", FieldType::kPhone},
                   {"loyalty_id", FieldType::kLoyaltyId},
                   {"login_id", FieldType::kLoginId},
                   {"device_id", FieldType::kDeviceId},
                   {"street", FieldType::kStreet},
                   {"city", FieldType::kCity},
                   {"postcode", FieldType::kPostcode},
                   {"country", FieldType::kCountry}};
  matching::PreparedColumns shape(schema.fields.size());
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    shape[f].column = schema.fields[f].column;
    shape[f].type = schema.fields[f].type;
  }
  absl::StatusOr<matching::DedupModel> model =
      model_path.empty()
          ? matching::ModelFromJson(kDefaultModelJson, "the built-in model",
                                    shape, &schema.threshold)
          : matching::LoadModel(model_path, shape, &schema.threshold);
  if (!model.ok()) return model.status();
  schema.model = std::move(*model);
  if (!(schema.threshold > 0 && schema.threshold < 1)) schema.threshold = 0.5;
  // The built-in model's training set; term frequencies of a young graph
  // lean on its typical frequencies (engine.md).
  schema.trained_records = 100'000;
  return schema;
}

}  // namespace idr::identity
