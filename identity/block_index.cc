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

void BlockIndex::SetValues(int64_t record,
                           const std::vector<int64_t>& value_ids) {
  if (record < 0 || value_ids.size() != fields_ || fields_ == 0) return;
  const bool fits = std::all_of(value_ids.begin(), value_ids.end(),
                                [](int64_t id) { return id >= 0 && id < kUnknown; });
  std::unique_lock<std::shared_mutex> lock(mu_);
  const size_t at = static_cast<size_t>(record) * fields_;
  if (!fits) {
    if (at < values_.size()) values_[at] = kUnknown;
    return;
  }
  if (at + fields_ > values_.size()) values_.resize(at + fields_, kUnknown);
  for (size_t f = 0; f < fields_; ++f) {
    values_[at + f] = static_cast<uint32_t>(value_ids[f]);
  }
}

bool BlockIndex::GetValues(int64_t record,
                           std::vector<int64_t>* value_ids) const {
  if (record < 0 || fields_ == 0) return false;
  std::shared_lock<std::shared_mutex> lock(mu_);
  const size_t at = static_cast<size_t>(record) * fields_;
  if (at + fields_ > values_.size() || values_[at] == kUnknown) return false;
  value_ids->resize(fields_);
  for (size_t f = 0; f < fields_; ++f) (*value_ids)[f] = values_[at + f];
  return true;
}

void BlockIndex::PrefetchValues(const std::vector<int64_t>& records) const {
  if (fields_ == 0) return;
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (int64_t record : records) {
    if (record < 0) continue;
    const size_t at = static_cast<size_t>(record) * fields_;
    if (at + fields_ > values_.size()) continue;
    __builtin_prefetch(&values_[at]);
    __builtin_prefetch(&values_[at + fields_ - 1]);  // May be the next line.
  }
}

void BlockIndex::RemoveValues(int64_t record) {
  if (record < 0) return;
  std::unique_lock<std::shared_mutex> lock(mu_);
  const size_t at = static_cast<size_t>(record) * fields_;
  if (at < values_.size()) values_[at] = kUnknown;
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
