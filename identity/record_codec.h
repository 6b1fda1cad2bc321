// The engine's compact encodings of the storage's opaque blobs.
//
//   record data   per field the id of its value (0 = missing), then the
//                 attributes (name, value); varints and length-prefixed bytes.
//   value keys    a name's key hashes, 8 bytes each, little-endian.
//   link detail   per comparison that carried weight: comparison index,
//                 level, and the weight as a float (6 bytes each).
//
// Decoders reject truncated or trailing bytes with DATA_LOSS: a blob that
// does not decode is a damaged database, never silently half-read.

#ifndef IDR_IDENTITY_RECORD_CODEC_H_
#define IDR_IDENTITY_RECORD_CODEC_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace idr::identity {

using Attributes = std::vector<std::pair<std::string, std::string>>;

std::string EncodeRecordData(const std::vector<int64_t>& value_ids,
                             const Attributes& attributes);
// `num_fields` is the graph's field count: a blob of another shape is
// DATA_LOSS.
absl::Status DecodeRecordData(absl::string_view data, size_t num_fields,
                              std::vector<int64_t>* value_ids,
                              Attributes* attributes);

std::string EncodeKeyHashes(const std::vector<uint64_t>& hashes);
absl::Status DecodeKeyHashes(absl::string_view data,
                             std::vector<uint64_t>* hashes);

struct LinkTerm {
  int comparison = 0;
  int level = 0;
  float weight = 0;
};
std::string EncodeLinkDetail(const std::vector<LinkTerm>& terms);
absl::Status DecodeLinkDetail(absl::string_view data,
                              std::vector<LinkTerm>* terms);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_RECORD_CODEC_H_
