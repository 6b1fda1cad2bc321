#include "storage/cached_graph_store.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace idr::storage {

CachedGraphStore::CachedGraphStore(std::unique_ptr<GraphStore> inner,
                                   size_t max_rows, int64_t mirror_max_records)
    : ForwardingGraphStore(std::move(inner)),
      max_rows_(max_rows),
      mirror_max_records_(mirror_max_records) {}

void CachedGraphStore::Clear() {
  records_.clear();
  mirror_.reset();
  unmirrored_ = false;
}

absl::StatusOr<std::optional<GraphMirror>> CachedGraphStore::LoadIfSmall() {
  absl::StatusOr<int64_t> count = inner_->CountRecords();
  if (!count.ok()) return count.status();
  if (*count > mirror_max_records_) return std::nullopt;
  absl::StatusOr<GraphMirror> loaded = GraphMirror::Load(inner_);
  if (!loaded.ok()) return loaded.status();
  return std::optional<GraphMirror>(*std::move(loaded));
}

void CachedGraphStore::Keep(std::optional<GraphMirror> loaded) {
  unmirrored_ = !loaded.has_value();
  if (unmirrored_) return;
  mirror_ = std::move(loaded);
  ++mirror_loads_;
}

GraphMirror* CachedGraphStore::Mirror() {
  if (!in_write_ || mirror_max_records_ <= 0) return nullptr;
  if (!mirror_.has_value() && !unmirrored_) {
    // A failure to load leaves the reads to the store until the next Clear.
    absl::StatusOr<std::optional<GraphMirror>> loaded = LoadIfSmall();
    Keep(loaded.ok() ? *std::move(loaded) : std::nullopt);
  }
  return mirror_.has_value() ? &*mirror_ : nullptr;
}

absl::Status CachedGraphStore::LoadMirror() {
  if (in_write_) {
    return absl::FailedPreconditionError("LoadMirror in a write transaction");
  }
  if (mirror_max_records_ <= 0 || mirror_.has_value()) {
    return absl::OkStatus();
  }
  absl::Status s = inner_->BeginRead();
  if (!s.ok()) return s;
  // The version of the snapshot loaded: the next write transaction drops the
  // mirror if another connection committed since.
  absl::StatusOr<int64_t> version = inner_->DataVersion();
  absl::StatusOr<std::optional<GraphMirror>> loaded =
      version.ok() ? LoadIfSmall() : version.status();
  inner_->EndRead();
  if (!loaded.ok()) return loaded.status();
  Clear();  // The record cache too starts at this version.
  data_version_ = *version;
  Keep(*std::move(loaded));
  return absl::OkStatus();
}

absl::Status CachedGraphStore::CheckMirror(GraphStore* store) {
  if (!mirror_.has_value()) return absl::OkStatus();
  absl::StatusOr<int64_t> version = inner_->DataVersion();
  if (!version.ok()) return version.status();
  if (*version != data_version_) return absl::OkStatus();
  absl::StatusOr<GraphMirror> fresh = GraphMirror::Load(store);
  if (!fresh.ok()) return fresh.status();
  const std::string difference = mirror_->Difference(*fresh);
  if (difference.empty()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "the writer's mirror of the graph is not the store's: ", difference));
}

absl::Status CachedGraphStore::Followed(absl::Status s) {
  if (!s.ok()) mirror_.reset();
  return s;
}

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
  in_write_ = true;
  return absl::OkStatus();
}

absl::Status CachedGraphStore::Commit() {
  in_write_ = false;
  absl::Status s = inner_->Commit();
  if (!s.ok()) Clear();  // The transaction is gone; so are its rows.
  return s;
}

void CachedGraphStore::Rollback() {
  in_write_ = false;
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
    if (mirror_.has_value()) mirror_->InsertRecord(*id, row.customer);
  } else {
    mirror_.reset();
  }
  return id;
}

absl::Status CachedGraphStore::SetRecordCustomer(int64_t record,
                                                 int64_t customer) {
  absl::Status s = Followed(inner_->SetRecordCustomer(record, customer));
  if (s.ok() && mirror_.has_value()) {
    mirror_->SetRecordCustomer(record, customer);
  }
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
  // The store deletes the record's links with it: the mirror needs their
  // other ends.
  std::vector<LinkRow> links;
  if (mirror_.has_value()) {
    absl::StatusOr<std::vector<LinkRow>> of = inner_->LinksOf(id);
    if (of.ok()) {
      links = std::move(*of);
    } else {
      mirror_.reset();
    }
  }
  absl::Status s = Followed(inner_->DeleteRecord(id));
  if (s.ok() && mirror_.has_value()) {
    for (const LinkRow& link : links) mirror_->DeleteLink(link.a, link.b);
    mirror_->DeleteRecord(id);
  }
  return s;
}

absl::StatusOr<int64_t> CachedGraphStore::CustomerOfRecord(int64_t id) {
  auto it = records_.find(id);
  if (it != records_.end()) {
    ++hits_;
    return it->second.customer;
  }
  if (GraphMirror* mirror = Mirror()) return mirror->CustomerOfRecord(id);
  return inner_->CustomerOfRecord(id);
}

absl::StatusOr<std::vector<int64_t>> CachedGraphStore::RecordIdsOfCustomer(
    int64_t customer) {
  if (GraphMirror* mirror = Mirror()) {
    return mirror->RecordIdsOfCustomer(customer);
  }
  return inner_->RecordIdsOfCustomer(customer);
}

absl::StatusOr<std::vector<LinkRow>> CachedGraphStore::LinkEdgesFromCustomer(
    int64_t customer) {
  if (GraphMirror* mirror = Mirror()) {
    return mirror->LinkEdgesFromCustomer(customer);
  }
  return inner_->LinkEdgesFromCustomer(customer);
}

absl::StatusOr<std::optional<CustomerRow>> CachedGraphStore::GetCustomer(
    int64_t id) {
  if (GraphMirror* mirror = Mirror()) return mirror->GetCustomer(id);
  return inner_->GetCustomer(id);
}

absl::StatusOr<std::optional<CustomerRow>> CachedGraphStore::FindCustomer(
    const std::string& key) {
  if (GraphMirror* mirror = Mirror()) return mirror->FindCustomer(key);
  return inner_->FindCustomer(key);
}

absl::StatusOr<int64_t> CachedGraphStore::InsertCustomer(
    const CustomerRow& row) {
  absl::StatusOr<int64_t> id = inner_->InsertCustomer(row);
  if (!id.ok()) {
    mirror_.reset();
  } else if (mirror_.has_value()) {
    CustomerRow stored = row;
    stored.id = *id;
    mirror_->InsertCustomer(stored);
  }
  return id;
}

absl::Status CachedGraphStore::UpdateCustomer(const CustomerRow& row) {
  absl::Status s = Followed(inner_->UpdateCustomer(row));
  if (s.ok() && mirror_.has_value()) mirror_->UpdateCustomer(row);
  return s;
}

absl::Status CachedGraphStore::DeleteCustomer(int64_t id) {
  absl::Status s = Followed(inner_->DeleteCustomer(id));
  if (s.ok() && mirror_.has_value()) mirror_->DeleteCustomer(id);
  return s;
}

absl::Status CachedGraphStore::PutLink(const LinkRow& row) {
  absl::Status s = Followed(inner_->PutLink(row));
  if (s.ok() && mirror_.has_value()) mirror_->PutLink(row);
  return s;
}

absl::Status CachedGraphStore::DeleteLink(int64_t a, int64_t b) {
  absl::Status s = Followed(inner_->DeleteLink(a, b));
  if (s.ok() && mirror_.has_value()) mirror_->DeleteLink(a, b);
  return s;
}

}  // namespace idr::storage
