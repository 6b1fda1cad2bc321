// Minimal RFC 4180 CSV helpers shared by the generator and its tests.

#ifndef IDR_TOOLS_GEN_CSV_H_
#define IDR_TOOLS_GEN_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::gen {

// Appends `value` to `out` as one CSV field, quoting it (and doubling inner
// quotes) only when it holds a comma, quote, CR or LF.
void AppendCsvField(absl::string_view value, std::string* out);

// Parses a whole CSV document (LF or CRLF line ends, quoted fields may span
// lines). A final line end is optional. Returns InvalidArgumentError on a
// stray quote inside an unquoted field, text after a closing quote, or an
// unterminated quoted field.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(
    absl::string_view text);

}  // namespace idr::gen

#endif  // IDR_TOOLS_GEN_CSV_H_
