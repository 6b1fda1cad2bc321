// A strict, fast RFC 4180 CSV reader for the batch jobs (idr dedup, idr eval,
// idr ingest).
//
// The file is memory-mapped and read row by row; each row's fields are views
// into the file (or, for quoted fields with doubled quotes, into the reader's
// scratch buffer) that stay valid until the next call to Next(). Callers copy
// only the columns they use, so a 1M-row file costs no more than its pages.
//
// Strict means every defect is an error naming the line and column, never a
// silently different table: a row with a different number of fields than the
// header, a quote inside an unquoted field, text after a closing quote, an
// unterminated quoted field, invalid UTF-8, an empty file or header, duplicate
// or empty header names. A UTF-8 byte-order mark is skipped; LF and CRLF line
// ends are both accepted; a final line end is optional; blank lines at the
// end of the file are ignored, blank lines elsewhere are ragged rows.

#ifndef IDR_IDENTITY_CSV_READER_H_
#define IDR_IDENTITY_CSV_READER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::identity {

class CsvReader {
 public:
  // Opens `path` ("-" reads standard input) and reads its header row.
  // Errors: NOT_FOUND / PERMISSION_DENIED / UNAVAILABLE when the file cannot
  // be read; INVALID_ARGUMENT for an empty file or a malformed header.
  static absl::StatusOr<std::unique_ptr<CsvReader>> Open(
      const std::string& path);

  // Reads CSV held in memory (for tests and small inputs). `name` is used in
  // error messages in place of a path.
  static absl::StatusOr<std::unique_ptr<CsvReader>> FromString(
      std::string contents, std::string name = "<memory>");

  ~CsvReader();

  // The header's column names, in order.
  const std::vector<std::string>& header() const { return header_; }

  // The index of the column named `name`, or -1.
  int ColumnIndex(absl::string_view name) const;

  // Reads the next data row into `fields` (one view per header column).
  // Returns false at the end of the file; an error for a malformed row.
  absl::StatusOr<bool> Next(std::vector<absl::string_view>* fields);

  // The 1-based line number where the row last returned by Next() starts
  // (the header is line 1).
  int64_t line() const { return row_line_; }

  // Bytes consumed so far and the input's total size, for progress bars.
  int64_t bytes_read() const { return pos_; }
  int64_t bytes_total() const { return static_cast<int64_t>(size_); }

 private:
  CsvReader() = default;
  absl::Status Init();
  // Parses one record starting at pos_ into fields_ (views), advancing pos_.
  absl::Status ParseRecord(std::vector<absl::string_view>* fields);
  absl::Status Error(int64_t line, size_t column, absl::string_view what) const;

  std::string name_;
  std::string owned_;        // Contents when not memory-mapped.
  void* mapping_ = nullptr;  // mmap'ed file, or null.
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  int64_t line_ = 1;  // Line of the byte at pos_.
  int64_t row_line_ = 0;
  std::vector<std::string> header_;
  std::string scratch_;  // Unescaped quoted fields of the current row.
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_CSV_READER_H_
