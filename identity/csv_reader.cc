#include "identity/csv_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "matching/utf8.h"

namespace idr::identity {
namespace {

// Where a field's bytes are: in the input, or in the scratch buffer.
struct FieldSpan {
  bool in_scratch;
  size_t offset;
  size_t length;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::Open(
    const std::string& path) {
  std::unique_ptr<CsvReader> reader(new CsvReader());
  reader->name_ = path;
  if (path == "-") {
    reader->owned_.assign(std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>());
    reader->data_ = reader->owned_.data();
    reader->size_ = reader->owned_.size();
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::string message =
          absl::StrCat("cannot read ", path, ": ", std::strerror(errno));
      if (errno == ENOENT) return absl::NotFoundError(message);
      if (errno == EACCES) return absl::PermissionDeniedError(message);
      return absl::UnavailableError(message);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat(path, " is not a regular file"));
    }
    reader->size_ = static_cast<size_t>(st.st_size);
    if (reader->size_ > 0) {
      void* mapping =
          mmap(nullptr, reader->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapping == MAP_FAILED) {
        ::close(fd);
        return absl::UnavailableError(
            absl::StrCat("cannot map ", path, ": ", std::strerror(errno)));
      }
      madvise(mapping, reader->size_, MADV_SEQUENTIAL);
      reader->mapping_ = mapping;
      reader->data_ = static_cast<const char*>(mapping);
    }
    ::close(fd);
  }
  absl::Status status = reader->Init();
  if (!status.ok()) return status;
  return reader;
}

absl::StatusOr<std::unique_ptr<CsvReader>> CsvReader::FromString(
    std::string contents, std::string name) {
  std::unique_ptr<CsvReader> reader(new CsvReader());
  reader->name_ = std::move(name);
  reader->owned_ = std::move(contents);
  reader->data_ = reader->owned_.data();
  reader->size_ = reader->owned_.size();
  absl::Status status = reader->Init();
  if (!status.ok()) return status;
  return reader;
}

CsvReader::~CsvReader() {
  if (mapping_ != nullptr) munmap(mapping_, size_);
}

absl::Status CsvReader::Error(int64_t line, size_t column,
                              absl::string_view what) const {
  return absl::InvalidArgumentError(
      absl::StrCat(name_, ":", line, ": column ", column, ": ", what));
}

absl::Status CsvReader::Init() {
  if (size_ >= 3 && std::memcmp(data_, "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  if (pos_ >= size_) {
    return absl::InvalidArgumentError(absl::StrCat(name_, " is empty"));
  }
  std::vector<absl::string_view> fields;
  absl::Status status = ParseRecord(&fields);
  if (!status.ok()) return status;
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].empty())
      return Error(1, i + 1, "empty column name in header");
    if (!seen.insert(fields[i]).second) {
      return Error(1, i + 1,
                   absl::StrCat("duplicate column name '", fields[i], "'"));
    }
  }
  for (absl::string_view field : fields) header_.emplace_back(field);
  return absl::OkStatus();
}

int CsvReader::ColumnIndex(absl::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<bool> CsvReader::Next(std::vector<absl::string_view>* fields) {
  // Blank lines at the very end of a file are padding, not rows.
  size_t probe = pos_;
  while (probe < size_ && (data_[probe] == '\n' || data_[probe] == '\r')) {
    ++probe;
  }
  if (probe >= size_) {
    pos_ = size_;
    return false;
  }
  absl::Status status = ParseRecord(fields);
  if (!status.ok()) return status;
  if (fields->size() != header_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(name_, ":", row_line_, ": row has ", fields->size(),
                     " fields, header has ", header_.size()));
  }
  return true;
}

absl::Status CsvReader::ParseRecord(std::vector<absl::string_view>* fields) {
  fields->clear();
  scratch_.clear();
  row_line_ = line_;
  std::vector<FieldSpan> spans;
  spans.reserve(header_.empty() ? 16 : header_.size());
  const char* d = data_;
  for (;;) {
    size_t column = spans.size() + 1;
    if (pos_ < size_ && d[pos_] == '"') {
      // Quoted field: "" is a literal quote; commas and line ends are data.
      size_t start = ++pos_;
      bool needs_copy = false;
      size_t scratch_start = scratch_.size();
      int64_t open_line = line_;
      for (;;) {
        if (pos_ >= size_) {
          return Error(open_line, column, "quoted field is not terminated");
        }
        char c = d[pos_];
        if (c == '"') {
          if (pos_ + 1 < size_ && d[pos_ + 1] == '"') {
            if (!needs_copy) {
              scratch_.append(d + start, pos_ - start);
              needs_copy = true;
            }
            scratch_.push_back('"');
            pos_ += 2;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        if (needs_copy) scratch_.push_back(c);
        ++pos_;
      }
      FieldSpan span = needs_copy ? FieldSpan{true, scratch_start,
                                              scratch_.size() - scratch_start}
                                  : FieldSpan{false, start, pos_ - start};
      ++pos_;  // Closing quote.
      if (pos_ < size_ && d[pos_] != ',' && d[pos_] != '\n' &&
          d[pos_] != '\r') {
        return Error(line_, column, "text after a closing quote");
      }
      spans.push_back(span);
    } else {
      size_t start = pos_;
      while (pos_ < size_) {
        char c = d[pos_];
        if (c == ',' || c == '\n' || c == '\r') break;
        if (c == '"')
          return Error(line_, column, "quote inside an unquoted field");
        ++pos_;
      }
      spans.push_back(FieldSpan{false, start, pos_ - start});
    }
    if (pos_ >= size_) break;
    char c = d[pos_];
    if (c == ',') {
      ++pos_;
      continue;
    }
    // End of record: \n, \r\n (a lone \r also ends it).
    ++pos_;
    if (c == '\r' && pos_ < size_ && d[pos_] == '\n') ++pos_;
    ++line_;
    break;
  }
  fields->reserve(spans.size());
  for (size_t i = 0; i < spans.size(); ++i) {
    const FieldSpan& span = spans[i];
    absl::string_view field(
        span.in_scratch ? scratch_.data() + span.offset : d + span.offset,
        span.length);
    if (!matching::IsValidUtf8(field)) {
      return Error(row_line_, i + 1, "invalid UTF-8");
    }
    fields->push_back(field);
  }
  return absl::OkStatus();
}

}  // namespace idr::identity
