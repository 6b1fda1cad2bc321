#include "identity/prepared_value_cache.h"

#include <xxhash.h>

#include <algorithm>

namespace idr::identity {
namespace {

void Overwrite(std::string& text) { std::fill(text.begin(), text.end(), '\0'); }

}  // namespace

std::pair<size_t, uint64_t> PreparedValueCache::Key(size_t field,
                                                    absl::string_view raw) {
  return {field, XXH3_64bits(raw.data(), raw.size())};
}

const matching::PreparedColumn* PreparedValueCache::Find(
    size_t field, absl::string_view raw) const {
  auto it = entries_.find(Key(field, raw));
  if (it == entries_.end() || it->second.raw != raw) return nullptr;
  return &it->second.column;
}

void PreparedValueCache::Add(size_t field, absl::string_view raw,
                             const matching::PreparedColumn& column) {
  if (max_values_ == 0) return;
  if (entries_.size() >= max_values_) Wipe();
  Entry& entry = entries_[Key(field, raw)];  // A colliding value replaces.
  entry.raw.assign(raw.data(), raw.size());
  entry.column = column;
}

void PreparedValueCache::Wipe() {
  for (auto& [key, entry] : entries_) {
    Overwrite(entry.raw);
    for (std::string& value : entry.column.values) Overwrite(value);
    std::fill(entry.column.dates.begin(), entry.column.dates.end(),
              matching::CivilDay());
  }
  entries_.clear();
}

}  // namespace idr::identity
