#include "storage/cached_graph_store.h"

#include <utility>

namespace idr::storage {

CachedGraphStore::CachedGraphStore(std::unique_ptr<GraphStore> inner,
                                   size_t max_rows)
    : ForwardingGraphStore(std::move(inner)), max_rows_(max_rows) {}

void CachedGraphStore::Clear() { records_.clear(); }

absl::Status CachedGraphStore::BeginWrite() {
  absl::Status s = inner_->BeginWrite();
  if (!s.ok()) return s;
  // Another connection's commits may have moved or deleted cached records.
  absl::StatusOr<int64_t> version = inner_->DataVersion();
  if (!version.ok()) {
    inner_->Rollback();
    return version.status();
  }
  if (*version != data_version_) Clear();
  data_version_ = *version;
  return absl::OkStatus();
}

absl::Status CachedGraphStore::Commit() {
  absl::Status s = inner_->Commit();
  if (!s.ok()) Clear();  // The transaction is gone; so are its rows.
  return s;
}

void CachedGraphStore::Rollback() {
  inner_->Rollback();
  Clear();
}

absl::StatusOr<std::optional<RecordRow>> CachedGraphStore::GetRecord(
    int64_t id) {
  auto it = records_.find(id);
  if (it != records_.end()) {
    ++hits_;
    return std::optional<RecordRow>(it->second);
  }
  absl::StatusOr<std::optional<RecordRow>> row = inner_->GetRecord(id);
  if (row.ok() && row->has_value()) {
    if (records_.size() >= max_rows_) records_.clear();
    records_.emplace(id, **row);
  }
  return row;
}

absl::StatusOr<int64_t> CachedGraphStore::InsertRecord(const RecordRow& row) {
  absl::StatusOr<int64_t> id = inner_->InsertRecord(row);
  if (id.ok()) {
    if (records_.size() >= max_rows_) records_.clear();
    RecordRow& cached = records_[*id] = row;
    cached.id = *id;
  }
  return id;
}

absl::Status CachedGraphStore::SetRecordCustomer(int64_t record,
                                                 int64_t customer) {
  absl::Status s = inner_->SetRecordCustomer(record, customer);
  auto it = records_.find(record);
  if (it == records_.end()) return s;
  if (s.ok()) {
    it->second.customer = customer;
  } else {
    records_.erase(it);
  }
  return s;
}

absl::Status CachedGraphStore::DeleteRecord(int64_t id) {
  records_.erase(id);
  return inner_->DeleteRecord(id);
}

}  // namespace idr::storage
