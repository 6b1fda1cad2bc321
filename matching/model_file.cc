#include "matching/model_file.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "matching/model.pb.h"

namespace idr::matching {

absl::StatusOr<std::string> ModelToJson(const DedupModel& model,
                                        double threshold) {
  ModelProto proto;
  proto.set_format_version(kModelFormatVersion);
  proto.set_written_by("idr 0.1.0");
  proto.set_lambda(model.parameters.lambda);
  proto.set_threshold(threshold);
  for (size_t r = 0; r < model.rule_names.size(); ++r) {
    BlockingRuleProto* rule = proto.add_rules();
    rule->set_name(model.rule_names[r]);
    rule->set_lambda(model.rule_lambda[r]);
    if (r < model.rule_keep.size()) rule->set_keep_mask(model.rule_keep[r]);
    if (r < model.tf_baseline.size()) {
      for (double b : model.tf_baseline[r]) rule->add_tf_baseline(b);
    }
  }
  for (size_t k = 0; k < model.comparisons.size(); ++k) {
    const FieldComparison& c = model.comparisons[k];
    ComparisonProto* out = proto.add_comparisons();
    out->set_column(c.name);
    out->set_field_type(std::string(FieldTypeName(c.type)));
    out->set_tf_adjustment(c.tf_adjust);
    for (int l = 1; l < c.num_levels(); ++l) {
      ComparisonLevelProto* level = out->add_levels();
      level->set_label(c.labels[l]);
      level->set_m_probability(model.parameters.m[k][l]);
      level->set_u_probability(model.parameters.u[k][l]);
    }
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.add_whitespace = true;
  print.preserve_proto_field_names = true;
  auto status =
      google::protobuf::util::MessageToJsonString(proto, &json, print);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot encode model: ", status.ToString()));
  }
  return json;
}

absl::Status SaveModel(const DedupModel& model, double threshold,
                       const std::string& path) {
  absl::StatusOr<std::string> json = ModelToJson(model, threshold);
  if (!json.ok()) return json.status();
  const std::string temp = path + ".tmp";
  {
    std::ofstream file(temp, std::ios::trunc);
    file << *json;
    file.close();
    if (!file) {
      std::remove(temp.c_str());
      return absl::UnavailableError(
          absl::StrCat("cannot write model to ", path));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write model to ", path));
  }
  return absl::OkStatus();
}

absl::StatusOr<DedupModel> LoadModel(const std::string& path,
                                     const PreparedColumns& columns,
                                     double* threshold) {
  std::ifstream file(path);
  if (!file)
    return absl::NotFoundError(absl::StrCat("cannot read model ", path));
  std::stringstream text;
  text << file.rdbuf();
  return ModelFromJson(text.str(), path, columns, threshold);
}

absl::StatusOr<DedupModel> ModelFromJson(const std::string& json,
                                         const std::string& path,
                                         const PreparedColumns& columns,
                                         double* threshold) {
  ModelProto proto;
  auto status = google::protobuf::util::JsonStringToMessage(json, &proto);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, " is not an idr model: ", status.message().as_string()));
  }
  if (proto.format_version() != kModelFormatVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " has model format ", proto.format_version(),
                     "; this idr reads format ", kModelFormatVersion));
  }
  if (!(proto.lambda() > 0 && proto.lambda() < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": lambda must be in (0, 1)"));
  }
  std::vector<FieldComparison> defaults = DefaultComparisons(columns);
  DedupModel model;
  model.parameters.lambda = proto.lambda();
  for (const ComparisonProto& c : proto.comparisons()) {
    const FieldComparison* match = nullptr;
    for (const FieldComparison& d : defaults) {
      if (d.name == c.column()) match = &d;
    }
    if (match == nullptr || FieldTypeName(match->type) != c.field_type()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": the model compares column '", c.column(), "' as ",
          c.field_type(), ", which this input does not map"));
    }
    // The levels before the fuzzy ones (exact, shared name key, swapped
    // names) must be this idr's; the fuzzy levels are rebuilt from their
    // labels, so a model saved with other fuzzy levels (an older idr's)
    // scores as it was trained.
    FieldComparison bound = *match;
    const int fixed = match->fuzzy_offset;
    if (c.levels_size() < fixed) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": column '", c.column(), "' has ", c.levels_size(),
          " levels, this idr expects at least ", fixed));
    }
    bound.labels.resize(fixed);
    bound.fuzzy.levels.resize(2);  // Null and exact, tested before.
    std::vector<double> m = {0}, u = {0};
    for (int l = 0; l < c.levels_size(); ++l) {
      const ComparisonLevelProto& level = c.levels(l);
      if (l + 1 < fixed && level.label() != match->labels[l + 1]) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": column '", c.column(), "' level ", l + 1, " is '",
            level.label(), "', expected '", match->labels[l + 1], "'"));
      }
      if (l + 1 >= fixed) {
        absl::StatusOr<ComparisonLevelSpec> spec =
            ParseLevelLabel(level.label());
        if (!spec.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(path, ": column '", c.column(), "' level ", l + 1,
                           ": ", spec.status().message()));
        }
        bound.fuzzy.levels.push_back(*std::move(spec));
        bound.labels.push_back(level.label());
      }
      if (!(level.m_probability() > 0 && level.m_probability() <= 1 &&
            level.u_probability() > 0 && level.u_probability() <= 1)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": column '", c.column(), "' level ", l + 1,
                         " needs m and u in (0, 1]"));
      }
      m.push_back(level.m_probability());
      u.push_back(level.u_probability());
    }
    if (absl::Status valid = bound.fuzzy.Validate(); !valid.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": column '", c.column(), "': ", valid.message()));
    }
    if (bound.num_levels() > kMaxLevels) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": column '", c.column(), "' has more than ",
                       kMaxLevels, " levels"));
    }
    bound.tf_adjust = c.tf_adjustment();
    model.comparisons.push_back(std::move(bound));
    model.parameters.m.push_back(std::move(m));
    model.parameters.u.push_back(std::move(u));
  }
  for (const BlockingRuleProto& rule : proto.rules()) {
    if (!(rule.lambda() > 0 && rule.lambda() < 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": rule '", rule.name(), "' needs lambda in (0, 1)"));
    }
    if (rule.tf_baseline_size() != proto.comparisons_size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": rule '", rule.name(),
                       "' needs one tf_baseline per comparison"));
    }
    std::vector<double> baselines;
    for (double b : rule.tf_baseline()) {
      if (!(b >= 0 && b <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": rule '", rule.name(), "' needs tf_baseline in [0, 1]"));
      }
      baselines.push_back(b);
    }
    model.rule_names.push_back(rule.name());
    model.rule_lambda.push_back(rule.lambda());
    model.rule_keep.push_back(rule.keep_mask() == 0 ? ~Pattern{0}
                                                    : rule.keep_mask());
    model.tf_baseline.push_back(std::move(baselines));
  }
  if (model.comparisons.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " has no comparisons"));
  }
  if (threshold != nullptr) *threshold = proto.threshold();
  return model;
}

}  // namespace idr::matching
