#include "identity/value_hash_index.h"

#include <algorithm>
#include <mutex>

namespace idr::identity {

ValueHashIndex::Ids ValueHashIndex::Find(uint64_t hash) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = ids_.find(hash);
  return it == ids_.end() ? Ids() : it->second;
}

void ValueHashIndex::Add(uint64_t hash, int64_t id) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  AddLocked(hash, id);
}

int64_t ValueHashIndex::AddAll(
    const std::vector<std::pair<int64_t, uint64_t>>& values, int64_t none) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  for (const auto& [id, hash] : values) AddLocked(hash, id);
  return values.empty() ? none : values.back().first;
}

void ValueHashIndex::AddLocked(uint64_t hash, int64_t id) {
  Ids& ids = ids_[hash];
  auto at = std::lower_bound(ids.begin(), ids.end(), id);
  if (at != ids.end() && *at == id) return;
  ids.insert(at, id);
  ++size_;
}

void ValueHashIndex::Remove(uint64_t hash, int64_t id) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = ids_.find(hash);
  if (it == ids_.end()) return;
  Ids& ids = it->second;
  auto at = std::find(ids.begin(), ids.end(), id);
  if (at == ids.end()) return;
  ids.erase(at);
  --size_;
  if (ids.empty()) ids_.erase(it);
}

size_t ValueHashIndex::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return size_;
}

}  // namespace idr::identity
