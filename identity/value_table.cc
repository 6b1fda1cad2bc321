#include "identity/value_table.h"

#include <cstring>
#include <limits>
#include <mutex>

namespace idr::identity {

bool ValueTable::loaded() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return loaded_;
}

bool ValueTable::Get(int64_t id, StoredValue* out) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (!loaded_ || id <= 0 || static_cast<uint64_t>(id) >= slots_.size()) {
    return false;
  }
  const Slot& slot = slots_[id];
  if (!slot.held) return false;
  out->id = id;
  out->field = slot.field;
  out->count = slot.count;
  out->value.assign(text_, slot.text_at, slot.text_size);
  out->keys.assign(keys_.begin() + slot.keys_at,
                   keys_.begin() + slot.keys_at + slot.key_count);
  return true;
}

void ValueTable::Prefetch(const std::vector<int64_t>& ids) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (!loaded_) return;
  auto in_range = [&](int64_t id) {
    return id > 0 && static_cast<uint64_t>(id) < slots_.size();
  };
  for (int64_t id : ids) {
    if (in_range(id)) __builtin_prefetch(&slots_[id]);
  }
  // The slots of the first ids have arrived by now, mostly.
  for (int64_t id : ids) {
    if (!in_range(id) || !slots_[id].held) continue;
    const Slot& slot = slots_[id];
    __builtin_prefetch(text_.data() + slot.text_at);
    if (slot.key_count > 0) __builtin_prefetch(keys_.data() + slot.keys_at);
  }
}

void ValueTable::Put(const StoredValue& value) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (value.id <= 0 || value.count < 1) return;
  if (static_cast<uint64_t>(value.id) >= slots_.size()) {
    slots_.resize(value.id + 1);
  }
  Slot& slot = slots_[value.id];
  if (slot.held) EraseLocked(slot);
  // What does not fit a slot stays out: Get misses it, and the caller reads
  // the store.
  if (value.value.size() > std::numeric_limits<uint16_t>::max() ||
      value.keys.size() > std::numeric_limits<uint8_t>::max() ||
      value.count > std::numeric_limits<int32_t>::max() ||
      text_.size() + value.value.size() >
          std::numeric_limits<uint32_t>::max() ||
      keys_.size() + value.keys.size() > std::numeric_limits<uint32_t>::max()) {
    return;
  }
  slot.text_at = static_cast<uint32_t>(text_.size());
  slot.text_size = static_cast<uint16_t>(value.value.size());
  text_.append(value.value);
  slot.keys_at = static_cast<uint32_t>(keys_.size());
  slot.key_count = static_cast<uint8_t>(value.keys.size());
  keys_.insert(keys_.end(), value.keys.begin(), value.keys.end());
  slot.field = value.field;
  slot.count = static_cast<int32_t>(value.count);
  slot.held = true;
  ++size_;
}

void ValueTable::AddCount(int64_t id, int64_t delta) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (id <= 0 || static_cast<uint64_t>(id) >= slots_.size()) return;
  Slot& slot = slots_[id];
  if (!slot.held) return;
  const int64_t count = int64_t{slot.count} + delta;
  if (count <= 0 || count > std::numeric_limits<int32_t>::max()) {
    EraseLocked(slot);  // Gone; or too common to hold: read from the store.
    return;
  }
  slot.count = static_cast<int32_t>(count);
}

void ValueTable::Erase(int64_t id) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  if (id <= 0 || static_cast<uint64_t>(id) >= slots_.size()) return;
  if (slots_[id].held) EraseLocked(slots_[id]);
}

void ValueTable::EraseLocked(Slot& slot) {
  // An erased value leaves no trace in memory either.
  std::memset(text_.data() + slot.text_at, 0, slot.text_size);
  std::fill(keys_.begin() + slot.keys_at,
            keys_.begin() + slot.keys_at + slot.key_count, 0);
  slot = Slot();
  --size_;
}

void ValueTable::MarkLoaded() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  loaded_ = true;
}

void ValueTable::Unload() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  loaded_ = false;
  std::vector<Slot>().swap(slots_);
  std::string().swap(text_);
  std::vector<uint64_t>().swap(keys_);
  size_ = 0;
}

size_t ValueTable::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return size_;
}

}  // namespace idr::identity
