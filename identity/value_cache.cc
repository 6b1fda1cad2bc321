#include "identity/value_cache.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "identity/record_codec.h"

namespace idr::identity {

void ValueCache::AddCount(int64_t id, int64_t delta) {
  auto it = values_.find(id);
  if (it == values_.end()) return;
  it->second->count += delta;
  if (it->second->count <= 0) values_.erase(it);
}

void ValueCache::Prefetch(const std::vector<int64_t>& ids) {
  if (table_ == nullptr) return;
  std::vector<int64_t> missing;
  for (int64_t id : ids) {
    if (!values_.contains(id)) missing.push_back(id);
  }
  table_->Prefetch(missing);
}

void ValueCache::Clear() {
  values_.clear();
  used_ = 0;
  // A cache that once held millions of values (the writer before the value
  // table is loaded) does not keep their memory.
  if (pool_.size() > kPooledValues) pool_.clear();
}

void ValueCache::Wipe() {
  for (StoredValue& value : pool_) {
    std::fill(value.value.begin(), value.value.end(), '\0');
    std::fill(value.keys.begin(), value.keys.end(), 0);
  }
  Clear();
}

absl::StatusOr<const StoredValue*> ValueCache::Get(int64_t id) {
  absl::StatusOr<const StoredValue*> value = Lookup(id);
  if (value.ok() && *value == nullptr) {
    return absl::DataLossError(
        absl::StrCat("a record names value ", id, ", which is missing"));
  }
  return value;
}

absl::StatusOr<const StoredValue*> ValueCache::Lookup(int64_t id) {
  auto it = values_.find(id);
  if (it != values_.end()) return it->second;
  // The next pooled entry: its string and vector keep their buffers from
  // before the last Clear, so a lookup allocates nothing once warm. Handed
  // back (used_ undone) when the value is not kept.
  if (used_ == pool_.size()) pool_.emplace_back();
  StoredValue* value = &pool_[used_++];
  if (table_ != nullptr && table_->Get(id, value)) {
    if (pending_ != nullptr) {
      auto change = pending_->find(id);
      if (change != pending_->end()) value->count += change->second;
      // Erased by the open transaction (a Forget).
      if (value->count <= 0) {
        --used_;
        return nullptr;
      }
    }
    values_.emplace(id, value);
    return value;
  }
  auto add_unwritten = [&] {
    if (unwritten_ == nullptr) return;
    auto change = unwritten_->find(id);
    if (change != unwritten_->end()) value->count += change->second;
  };
  if (inserted_ != nullptr) {
    auto it = std::lower_bound(
        inserted_->begin(), inserted_->end(), id,
        [](const StoredValue& v, int64_t wanted) { return v.id < wanted; });
    if (it != inserted_->end() && it->id == id) {
      // As the store holds it: the count it was inserted with.
      value->id = id;
      value->field = it->field;
      value->value.assign(it->value);
      value->keys.assign(it->keys.begin(), it->keys.end());
      value->count = it->count;
      add_unwritten();
      values_.emplace(id, value);
      return value;
    }
  }
  absl::StatusOr<std::optional<storage::ValueRow>> row = store_->GetValue(id);
  if (!row.ok() || !row->has_value()) {
    --used_;
    if (!row.ok()) return row.status();
    return nullptr;
  }
  value->id = id;
  value->value = std::move((*row)->value);
  value->field = (*row)->field;
  value->count = (*row)->count;
  add_unwritten();
  absl::Status s = DecodeKeyHashes((*row)->keys, &value->keys);
  if (!s.ok()) {
    --used_;
    return s;
  }
  values_.emplace(id, value);
  return value;
}

absl::StatusOr<std::string> ValueCache::ValueOfField(
    const std::vector<int64_t>& ids, int field) {
  if (field < 0 || static_cast<size_t>(field) >= ids.size() ||
      ids[field] == 0) {
    return std::string();
  }
  absl::StatusOr<const StoredValue*> v = Get(ids[field]);
  if (!v.ok()) return v.status();
  return (*v)->value;
}

}  // namespace idr::identity
