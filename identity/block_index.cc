#include "identity/block_index.h"

#include <algorithm>
#include <mutex>

namespace idr::identity {

std::vector<int64_t> BlockIndex::Find(uint64_t key, bool* oversized) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  *oversized = false;
  auto it = blocks_.find(key);
  if (it == blocks_.end()) return {};
  if (it->second.size() >= cap_) {
    *oversized = true;
    return {};
  }
  return std::vector<int64_t>(it->second.begin(), it->second.end());
}

void BlockIndex::Add(uint64_t key, int64_t record) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  Block& block = blocks_[key];
  // Kept in id order. Records mostly arrive in id order (ids only grow):
  // then this is an append, not a search.
  if (block.empty() || block.back() < record) {
    block.push_back(record);
    return;
  }
  auto at = std::lower_bound(block.begin(), block.end(), record);
  if (at == block.end() || *at != record) block.insert(at, record);
}

void BlockIndex::Remove(uint64_t key, int64_t record) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = blocks_.find(key);
  if (it == blocks_.end()) return;
  Block& block = it->second;
  auto at = std::lower_bound(block.begin(), block.end(), record);
  if (at != block.end() && *at == record) block.erase(at);
  if (block.empty()) blocks_.erase(it);
}

size_t BlockIndex::keys() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return blocks_.size();
}

size_t BlockIndex::oversized() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [key, block] : blocks_) n += block.size() >= cap_;
  return n;
}

}  // namespace idr::identity
