// Helpers shared by the normalize*.cc files. Not part of the public API.

#ifndef IDR_MATCHING_NORMALIZE_INTERNAL_H_
#define IDR_MATCHING_NORMALIZE_INTERNAL_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "unicode/unistr.h"

namespace idr::matching::internal {

// Inputs larger than this are treated as missing by every normaliser (ICU
// lengths are int32_t; nothing legitimate is anywhere near this).
inline constexpr size_t kMaxInputBytes = 16 * 1024 * 1024;

bool IsAscii(absl::string_view s);

// ASCII-only lower/upper casing of a copy.
std::string AsciiLower(absl::string_view s);

// Valid UTF-8 to UTF-16, keeping at most 30 combining marks in a row (the
// Unicode Stream-Safe Text Format limit): extra marks are dropped, which
// keeps ICU normalisation linear on hostile input.
icu::UnicodeString ToUnicodeStreamSafe(absl::string_view s);

// NFKC of valid UTF-8 (pure ASCII is returned unchanged, without ICU).
std::string Nfkc(absl::string_view s);

// NFKC_Casefold of valid UTF-8 (pure ASCII is only lower-cased).
std::string NfkcCasefold(absl::string_view s);

// True when `digits` (ASCII digits only) is one repeated digit (length >= 1),
// or, when its length is >= min_run, a run of consecutive ascending or
// descending digits, wrapping 9->0 ("1234567890", "9876543210").
bool IsJunkDigitString(absl::string_view digits, size_t min_run);

}  // namespace idr::matching::internal

#endif  // IDR_MATCHING_NORMALIZE_INTERNAL_H_
