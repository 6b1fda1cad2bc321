#include "identity/column_mapping.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "matching/fellegi_sunter.h"
#include "matching/normalize.h"

namespace idr::identity {

using matching::FieldType;

std::string SplitDate(const ColumnMapping& m,
                      const std::vector<absl::string_view>& fields) {
  return matching::FormatIsoDate(matching::NormalizedDate::FromParts(
      fields[m.date_parts[0]], fields[m.date_parts[1]],
      fields[m.date_parts[2]]));
}

absl::StatusOr<std::vector<ColumnMapping>> MapColumns(
    const std::vector<std::string>& fields, const std::string& input_path,
    const CsvReader& reader, const absl::flat_hash_set<std::string>& reserved) {
  std::vector<ColumnMapping> mappings;
  absl::flat_hash_set<std::string> seen;
  for (const std::string& field : fields) {
    std::vector<std::string> parts =
        absl::StrSplit(field, absl::MaxSplits('=', 1));
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--field '", field, "' is not COLUMN=TYPE"));
    }
    int index = reader.ColumnIndex(parts[0]);
    if (index < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--field names column '", parts[0], "', which ", input_path,
          " does not have (columns: ", absl::StrJoin(reader.header(), ","),
          ")"));
    }
    absl::StatusOr<FieldType> type = matching::ParseFieldType(parts[1]);
    if (!type.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--field ", field, ": ", type.status().message()));
    }
    if (!seen.insert(parts[0]).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("column '", parts[0], "' is mapped twice"));
    }
    mappings.push_back({index, parts[0], *type, {}});
  }
  if (fields.empty()) {
    for (size_t i = 0; i < reader.header().size(); ++i) {
      const std::string& name = reader.header()[i];
      FieldType type;
      if (reserved.contains(name) || !matching::GuessFieldType(name, &type))
        continue;
      mappings.push_back({static_cast<int>(i), name, type, {}});
    }
    // A birth date split over year, month and day columns, when no column
    // holds a whole one.
    bool has_date = false;
    for (const ColumnMapping& m : mappings)
      has_date |= m.type == FieldType::kBirthDate;
    std::vector<int> parts;
    for (const char* part : {"year", "month", "day"}) {
      for (size_t i = 0; i < reader.header().size(); ++i) {
        if (absl::AsciiStrToLower(reader.header()[i]) == part &&
            !reserved.contains(reader.header()[i])) {
          parts.push_back(static_cast<int>(i));
          break;
        }
      }
    }
    if (!has_date && parts.size() == 3) {
      mappings.push_back({-1,
                          absl::StrCat(reader.header()[parts[0]], "+",
                                       reader.header()[parts[1]], "+",
                                       reader.header()[parts[2]]),
                          FieldType::kBirthDate, parts});
    }
    if (mappings.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "no column of ", input_path,
          " has a recognised name; map them with --field COLUMN=TYPE"));
    }
  }
  if (mappings.size() > static_cast<size_t>(matching::kMaxComparisons)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", matching::kMaxComparisons, " fields can be compared"));
  }
  return mappings;
}

std::string MappedValue(const ColumnMapping& m,
                        const std::vector<absl::string_view>& fields) {
  return m.date_parts.empty() ? std::string(fields[m.column])
                              : SplitDate(m, fields);
}

absl::Status CheckMatchingFlags(double threshold,
                                const std::string& date_order) {
  if (threshold >= 0 && !(threshold > 0 && threshold < 1)) {
    return absl::InvalidArgumentError("--threshold must be in (0, 1)");
  }
  if (date_order != "dmy" && date_order != "mdy") {
    return absl::InvalidArgumentError("--date-order must be dmy or mdy");
  }
  return absl::OkStatus();
}

std::string DescribeMapping(const std::vector<ColumnMapping>& mappings) {
  std::vector<std::string> shown;
  for (const ColumnMapping& m : mappings) {
    shown.push_back(absl::StrCat(m.name, "=", matching::FieldTypeName(m.type)));
  }
  return absl::StrJoin(shown, " ");
}

absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> NamesFor(
    const std::vector<ColumnMapping>& mappings) {
  for (const ColumnMapping& m : mappings) {
    if (m.type == FieldType::kGivenName || m.type == FieldType::kFamilyName ||
        m.type == FieldType::kFullName) {
      return matching::NameNormalizer::Create({});
    }
  }
  return std::unique_ptr<matching::NameNormalizer>();
}

}  // namespace idr::identity
