#include "identity/engine_test_util.h"

#include "matching/comparison_set.h"
#include "matching/prepare.h"

namespace idr::identity::testing_util {

using matching::FieldType;

GraphSchema TestSchema() {
  GraphSchema schema;
  schema.fields = {{"given_name", FieldType::kGivenName},
                   {"family_name", FieldType::kFamilyName},
                   {"birth_date", FieldType::kBirthDate},
                   {"email", FieldType::kEmail},
                   {"phone", FieldType::kPhone},
                   {"loyalty_id", FieldType::kLoyaltyId},
                   {"city", FieldType::kCity}};
  // One record with every field, so every blocking rule shows up.
  const std::vector<std::string> sample = {
      "Ann", "Lee", "1990-01-02", "ann@mail.hk", "+85291234567", "L1",
      "Hong Kong"};
  matching::PreparedColumns columns;
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    matching::PrepareOptions options;
    matching::ColumnPreparer preparer(schema.fields[f].column,
                                      schema.fields[f].type, options);
    preparer.Add(sample[f]);
    columns.push_back(preparer.Finish(1));
  }
  matching::DedupModel& model = schema.model;
  model.comparisons = matching::DefaultComparisons(columns);
  model.parameters.lambda = 0.01;
  for (const matching::FieldComparison& c : model.comparisons) {
    std::vector<double> m = {0}, u = {0};
    const int levels = c.num_levels();
    for (int l = 1; l < levels; ++l) {
      if (l == 1) {
        m.push_back(0.9), u.push_back(0.001);  // Exact.
      } else if (l == levels - 1) {
        m.push_back(0.02), u.push_back(0.97);  // Disagreement.
      } else {
        m.push_back(0.08 / (levels - 2)), u.push_back(0.029 / (levels - 2));
      }
    }
    model.parameters.m.push_back(m);
    model.parameters.u.push_back(u);
  }
  for (const matching::BlockingRule& rule :
       matching::DefaultBlockingRules(columns, 8)) {
    model.rule_names.push_back(rule.name);
    model.rule_lambda.push_back(0.01);
    model.rule_keep.push_back(matching::RuleKeepMask(model, rule.columns));
    model.tf_baseline.push_back(std::vector<double>(model.comparisons.size(), 0));
  }
  schema.threshold = 0.5;
  schema.trained_records = 1000;
  return schema;
}

SourceRecord Rec(std::string source_id, Channel channel,
                 std::vector<std::pair<std::string, std::string>> values) {
  SourceRecord r;
  r.source_id = std::move(source_id);
  r.channel = channel;
  r.values = std::move(values);
  return r;
}

}  // namespace idr::identity::testing_util
