#include "tools/gen/csv.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace idr::gen {

void AppendCsvField(absl::string_view value, std::string* out) {
  if (value.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out->append(value.data(), value.size());
    return;
  }
  out->push_back('"');
  for (char c : value) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(
    absl::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t i = 0;
  int64_t line = 1;
  const size_t n = text.size();
  while (i < n) {
    // One field starts at i.
    field.clear();
    if (text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        const char c = text[i++];
        if (c == '"') {
          if (i < n && text[i] == '"') {
            field.push_back('"');
            ++i;
          } else {
            closed = true;
            break;
          }
        } else {
          if (c == '\n') ++line;
          field.push_back(c);
        }
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            absl::StrCat("unterminated quoted field at line ", line));
      }
      if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        return absl::InvalidArgumentError(
            absl::StrCat("text after closing quote at line ", line));
      }
    } else {
      while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
        if (text[i] == '"') {
          return absl::InvalidArgumentError(
              absl::StrCat("quote inside unquoted field at line ", line));
        }
        field.push_back(text[i++]);
      }
    }
    row.push_back(std::move(field));
    field = std::string();
    if (i >= n) break;
    if (text[i] == ',') {
      ++i;
      if (i == n) row.emplace_back();  // "a," ends with an empty field.
      continue;
    }
    // Line end: CRLF or LF (a lone CR is taken as a line end too).
    if (text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    ++line;
    rows.push_back(std::move(row));
    row.clear();
  }
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}


}  // namespace idr::gen
