#include "identity/record_codec.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace idr::identity {
namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(absl::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

void PutBytes(std::string* out, absl::string_view bytes) {
  PutVarint(out, bytes.size());
  out->append(bytes.data(), bytes.size());
}

bool GetBytes(absl::string_view* in, std::string* bytes) {
  uint64_t size = 0;
  if (!GetVarint(in, &size) || size > in->size()) return false;
  bytes->assign(in->data(), size);
  in->remove_prefix(size);
  return true;
}

absl::Status Damaged(const char* what) {
  return absl::DataLossError(absl::StrCat("damaged ", what, " in the graph"));
}

}  // namespace

std::string EncodeRecordData(const std::vector<int64_t>& value_ids,
                             const Attributes& attributes) {
  std::string out;
  PutVarint(&out, value_ids.size());
  for (int64_t id : value_ids) PutVarint(&out, static_cast<uint64_t>(id));
  PutVarint(&out, attributes.size());
  for (const auto& [name, value] : attributes) {
    PutBytes(&out, name);
    PutBytes(&out, value);
  }
  return out;
}

absl::Status DecodeRecordData(absl::string_view data, size_t num_fields,
                              std::vector<int64_t>* value_ids,
                              Attributes* attributes) {
  uint64_t n = 0;
  if (!GetVarint(&data, &n) || n != num_fields) return Damaged("record");
  value_ids->assign(n, 0);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t id = 0;
    if (!GetVarint(&data, &id)) return Damaged("record");
    (*value_ids)[i] = static_cast<int64_t>(id);
  }
  if (!GetVarint(&data, &n) || n > data.size()) return Damaged("record");
  attributes->clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string name, value;
    if (!GetBytes(&data, &name) || !GetBytes(&data, &value)) {
      return Damaged("record");
    }
    attributes->emplace_back(std::move(name), std::move(value));
  }
  return data.empty() ? absl::OkStatus() : Damaged("record");
}

std::string EncodeKeyHashes(const std::vector<uint64_t>& hashes) {
  std::string out(hashes.size() * 8, '\0');
  for (size_t i = 0; i < hashes.size(); ++i) {
    for (int b = 0; b < 8; ++b) {
      out[i * 8 + b] = static_cast<char>((hashes[i] >> (8 * b)) & 0xFF);
    }
  }
  return out;
}

absl::Status DecodeKeyHashes(absl::string_view data,
                             std::vector<uint64_t>* hashes) {
  if (data.size() % 8 != 0) return Damaged("name keys");
  hashes->assign(data.size() / 8, 0);
  for (size_t i = 0; i < hashes->size(); ++i) {
    uint64_t h = 0;
    for (int b = 0; b < 8; ++b) {
      h |= static_cast<uint64_t>(static_cast<uint8_t>(data[i * 8 + b]))
           << (8 * b);
    }
    (*hashes)[i] = h;
  }
  return absl::OkStatus();
}

std::string EncodeLinkDetail(const std::vector<LinkTerm>& terms) {
  std::string out;
  for (const LinkTerm& t : terms) {
    out.push_back(static_cast<char>(t.comparison));
    out.push_back(static_cast<char>(t.level));
    char bytes[4];
    std::memcpy(bytes, &t.weight, 4);
    out.append(bytes, 4);
  }
  return out;
}

absl::Status DecodeLinkDetail(absl::string_view data,
                              std::vector<LinkTerm>* terms) {
  if (data.size() % 6 != 0) return Damaged("link");
  terms->clear();
  for (size_t i = 0; i < data.size(); i += 6) {
    LinkTerm t;
    t.comparison = static_cast<uint8_t>(data[i]);
    t.level = static_cast<uint8_t>(data[i + 1]);
    std::memcpy(&t.weight, data.data() + i + 2, 4);
    terms->push_back(t);
  }
  return absl::OkStatus();
}

}  // namespace idr::identity
