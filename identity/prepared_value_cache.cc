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

std::optional<matching::PreparedColumn> PreparedValueCache::Find(
    size_t field, absl::string_view raw) const {
  const std::pair<size_t, uint64_t> key = Key(field, raw);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.raw != raw) return std::nullopt;
  return it->second.column;
}

void PreparedValueCache::Add(size_t field, absl::string_view raw,
                             const matching::PreparedColumn& column) {
  if (max_values_ == 0) return;
  const std::pair<size_t, uint64_t> key = Key(field, raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= max_values_) WipeLocked();
  Entry& entry = entries_[key];  // A colliding value replaces.
  entry.raw.assign(raw.data(), raw.size());
  entry.column = column;
}

size_t PreparedValueCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

void PreparedValueCache::Wipe() {
  std::lock_guard<std::mutex> lock(mu_);
  WipeLocked();
}

void PreparedValueCache::WipeLocked() {
  for (auto& [key, entry] : entries_) {
    Overwrite(entry.raw);
    for (std::string& value : entry.column.values) Overwrite(value);
    std::fill(entry.column.dates.begin(), entry.column.dates.end(),
              matching::CivilDay());
  }
  entries_.clear();
}

}  // namespace idr::identity
