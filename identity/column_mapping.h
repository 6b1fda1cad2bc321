// Mapping the columns of a CSV file to field types, shared by the commands
// that read CSV (idr dedup, idr ingest): --field COLUMN=TYPE flags, or
// guesses from column names (docs/dedup.md), and a birth date split over
// year, month and day columns.

#ifndef IDR_IDENTITY_COLUMN_MAPPING_H_
#define IDR_IDENTITY_COLUMN_MAPPING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "identity/csv_reader.h"
#include "matching/field_type.h"
#include "matching/names.h"

namespace idr::identity {

struct ColumnMapping {
  int column;
  std::string name;
  matching::FieldType type;
  // A birth date split over year, month and day columns (ePBRN's layout):
  // their indexes, in that order; `column` is then -1.
  std::vector<int> date_parts;
};

// The ISO date that a split date's year, month and day cells make ("" when
// one is missing or the date is impossible).
std::string SplitDate(const ColumnMapping& m,
                      const std::vector<absl::string_view>& fields);

// The value of a mapped column in a row (a split date joined).
std::string MappedValue(const ColumnMapping& m,
                        const std::vector<absl::string_view>& fields);

// Resolves --field flags ("COLUMN=TYPE"), or guesses from column names when
// there are none, skipping `reserved` columns. INVALID_ARGUMENT names the
// bad flag or says that nothing could be mapped.
absl::StatusOr<std::vector<ColumnMapping>> MapColumns(
    const std::vector<std::string>& fields, const std::string& input_path,
    const CsvReader& reader, const absl::flat_hash_set<std::string>& reserved);

// The --threshold (negative = not given, else in (0, 1)) and --date-order
// (dmy or mdy) flags the CSV commands share.
absl::Status CheckMatchingFlags(double threshold,
                                const std::string& date_order);

// "column=type column=type ..." for messages.
std::string DescribeMapping(const std::vector<ColumnMapping>& mappings);

// The Chinese-aware name normaliser when a name column is mapped, else null.
absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> NamesFor(
    const std::vector<ColumnMapping>& mappings);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_COLUMN_MAPPING_H_
