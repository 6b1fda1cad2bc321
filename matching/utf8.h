// UTF-8 validation shared by the readers and normalisers.
//
// Valid means well-formed per RFC 3629: no overlong forms, no encoded
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated or stray
// continuation bytes.

#ifndef IDR_MATCHING_UTF8_H_
#define IDR_MATCHING_UTF8_H_

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"

namespace idr::matching {

// The length (1-4) of the well-formed UTF-8 sequence that starts `text`, or
// 0 when it is ill-formed or `text` is empty.
size_t Utf8SequenceLength(absl::string_view text);

// The offset of the first byte of `text` that starts no well-formed
// sequence, or absl::string_view::npos when all of `text` is valid.
size_t FirstInvalidUtf8(absl::string_view text);

// Splits `text` into its characters (code points), as views. Lenient: a
// lead byte whose sequence is cut short by the end of `text` takes the rest,
// and a stray byte is a character of its own, so no byte is lost.
std::vector<absl::string_view> Utf8Chars(absl::string_view text);

// True when all of `text` is well-formed UTF-8.
inline bool IsValidUtf8(absl::string_view text) {
  return FirstInvalidUtf8(text) == absl::string_view::npos;
}

}  // namespace idr::matching

#endif  // IDR_MATCHING_UTF8_H_
