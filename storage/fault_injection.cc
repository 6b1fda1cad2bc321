#include "storage/fault_injection.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace idr::storage {

FaultInjectingGraphStore::FaultInjectingGraphStore(
    std::unique_ptr<GraphStore> inner, const FaultInjectionOptions& options)
    : FaultInjectingGraphStore(inner.get(), options) {
  owned_ = std::move(inner);
}

FaultInjectingGraphStore::FaultInjectingGraphStore(
    GraphStore* inner, const FaultInjectionOptions& options)
    : inner_(inner) {
  FailNthWrite(options.fail_write, options.writes_stay_failed);
  FailNthCommit(options.fail_commit);
}

void FaultInjectingGraphStore::FailNthWrite(int n, bool stay_failed) {
  fail_write_at_ = n > 0 ? writes_ + n : 0;
  writes_stay_failed_ = stay_failed;
}

void FaultInjectingGraphStore::FailNthCommit(int n) {
  fail_commit_at_ = n > 0 ? commits_ + n : 0;
}

void FaultInjectingGraphStore::Disarm() {
  FailNthWrite(0);
  FailNthCommit(0);
}

absl::Status FaultInjectingGraphStore::Write(const char* method) {
  ++writes_;
  if (fail_write_at_ == 0 || writes_ < fail_write_at_) return absl::OkStatus();
  if (!writes_stay_failed_) fail_write_at_ = 0;  // One shot.
  ++faults_;
  return absl::UnavailableError(
      absl::StrCat("injected fault: write #", writes_, " (", method, ")"));
}

absl::StatusOr<std::unique_ptr<GraphStore>>
FaultInjectingGraphStore::OpenReader() {
  absl::StatusOr<std::unique_ptr<GraphStore>> reader = inner_->OpenReader();
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<GraphStore>(
      new FaultInjectingGraphStore(*std::move(reader)));
}

absl::Status FaultInjectingGraphStore::BeginWrite() {
  return inner_->BeginWrite();
}

absl::Status FaultInjectingGraphStore::Commit() {
  ++commits_;
  if (fail_commit_at_ == 0 || commits_ != fail_commit_at_) {
    return inner_->Commit();
  }
  // As a real failed commit: nothing of the transaction remains.
  fail_commit_at_ = 0;
  ++faults_;
  inner_->Rollback();
  return absl::UnavailableError(
      absl::StrCat("injected fault: commit #", commits_, " (fsync failed)"));
}

void FaultInjectingGraphStore::Rollback() { inner_->Rollback(); }

absl::StatusOr<std::optional<std::string>> FaultInjectingGraphStore::GetMeta(
    const std::string& key) {
  return inner_->GetMeta(key);
}

absl::Status FaultInjectingGraphStore::BeginRead() {
  return inner_->BeginRead();
}

void FaultInjectingGraphStore::EndRead() { inner_->EndRead(); }

absl::Status FaultInjectingGraphStore::PutMeta(const std::string& key,
                                               const std::string& value) {
  if (absl::Status s = Write("PutMeta"); !s.ok()) return s;
  return inner_->PutMeta(key, value);
}

absl::StatusOr<std::vector<ValueRow>> FaultInjectingGraphStore::FindValues(
    uint64_t hash) {
  return inner_->FindValues(hash);
}

absl::StatusOr<std::optional<ValueRow>> FaultInjectingGraphStore::GetValue(
    int64_t id) {
  return inner_->GetValue(id);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::InsertValue(
    const ValueRow& row) {
  if (absl::Status s = Write("InsertValue"); !s.ok()) return s;
  return inner_->InsertValue(row);
}

absl::Status FaultInjectingGraphStore::AddValueCount(int64_t id,
                                                     int64_t delta) {
  if (absl::Status s = Write("AddValueCount"); !s.ok()) return s;
  return inner_->AddValueCount(id, delta);
}

absl::StatusOr<std::optional<RecordRow>> FaultInjectingGraphStore::GetRecord(
    int64_t id) {
  return inner_->GetRecord(id);
}

absl::StatusOr<std::optional<RecordRow>> FaultInjectingGraphStore::FindRecord(
    const std::string& source_id) {
  return inner_->FindRecord(source_id);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::InsertRecord(
    const RecordRow& row) {
  if (absl::Status s = Write("InsertRecord"); !s.ok()) return s;
  return inner_->InsertRecord(row);
}

absl::Status FaultInjectingGraphStore::SetRecordCustomer(int64_t record,
                                                         int64_t customer) {
  if (absl::Status s = Write("SetRecordCustomer"); !s.ok()) return s;
  return inner_->SetRecordCustomer(record, customer);
}

absl::Status FaultInjectingGraphStore::DeleteRecord(int64_t id) {
  if (absl::Status s = Write("DeleteRecord"); !s.ok()) return s;
  return inner_->DeleteRecord(id);
}

absl::StatusOr<std::vector<RecordRow>>
FaultInjectingGraphStore::RecordsOfCustomer(int64_t customer) {
  return inner_->RecordsOfCustomer(customer);
}

absl::Status FaultInjectingGraphStore::ForEachRecord(
    const std::function<bool(const RecordRow&)>& visit) {
  return inner_->ForEachRecord(visit);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::CountRecords() {
  return inner_->CountRecords();
}

absl::Status FaultInjectingGraphStore::AddBlockingKey(uint64_t key,
                                                      int64_t record) {
  if (absl::Status s = Write("AddBlockingKey"); !s.ok()) return s;
  return inner_->AddBlockingKey(key, record);
}

absl::StatusOr<std::vector<int64_t>> FaultInjectingGraphStore::FindBlock(
    uint64_t key, int limit) {
  return inner_->FindBlock(key, limit);
}

absl::Status FaultInjectingGraphStore::PutLink(const LinkRow& row) {
  if (absl::Status s = Write("PutLink"); !s.ok()) return s;
  return inner_->PutLink(row);
}

absl::StatusOr<std::vector<LinkRow>> FaultInjectingGraphStore::LinksOf(
    int64_t record) {
  return inner_->LinksOf(record);
}

absl::Status FaultInjectingGraphStore::DeleteLink(int64_t a, int64_t b) {
  if (absl::Status s = Write("DeleteLink"); !s.ok()) return s;
  return inner_->DeleteLink(a, b);
}

absl::StatusOr<std::optional<CustomerRow>>
FaultInjectingGraphStore::GetCustomer(int64_t id) {
  return inner_->GetCustomer(id);
}

absl::StatusOr<std::optional<CustomerRow>>
FaultInjectingGraphStore::FindCustomer(const std::string& key) {
  return inner_->FindCustomer(key);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::InsertCustomer(
    const CustomerRow& row) {
  if (absl::Status s = Write("InsertCustomer"); !s.ok()) return s;
  return inner_->InsertCustomer(row);
}

absl::Status FaultInjectingGraphStore::UpdateCustomer(const CustomerRow& row) {
  if (absl::Status s = Write("UpdateCustomer"); !s.ok()) return s;
  return inner_->UpdateCustomer(row);
}

absl::Status FaultInjectingGraphStore::DeleteCustomer(int64_t id) {
  if (absl::Status s = Write("DeleteCustomer"); !s.ok()) return s;
  return inner_->DeleteCustomer(id);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::CountCustomers() {
  return inner_->CountCustomers();
}

absl::Status FaultInjectingGraphStore::PutRedirect(const std::string& old_key,
                                                   const std::string& new_key) {
  if (absl::Status s = Write("PutRedirect"); !s.ok()) return s;
  return inner_->PutRedirect(old_key, new_key);
}

absl::StatusOr<std::optional<std::string>>
FaultInjectingGraphStore::GetRedirect(const std::string& old_key) {
  return inner_->GetRedirect(old_key);
}

absl::StatusOr<std::vector<std::string>> FaultInjectingGraphStore::RedirectsTo(
    const std::string& new_key) {
  return inner_->RedirectsTo(new_key);
}

absl::Status FaultInjectingGraphStore::DeleteRedirect(
    const std::string& old_key) {
  if (absl::Status s = Write("DeleteRedirect"); !s.ok()) return s;
  return inner_->DeleteRedirect(old_key);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::AppendAudit(
    const AuditRow& row) {
  if (absl::Status s = Write("AppendAudit"); !s.ok()) return s;
  return inner_->AppendAudit(row);
}

absl::StatusOr<std::vector<AuditRow>> FaultInjectingGraphStore::ReadAudit(
    int64_t after, int limit, const std::string& key) {
  return inner_->ReadAudit(after, limit, key);
}

absl::Status FaultInjectingGraphStore::RedactKey(
    const std::string& key, const std::string& replacement) {
  if (absl::Status s = Write("RedactKey"); !s.ok()) return s;
  return inner_->RedactKey(key, replacement);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::AddReview(
    const ReviewRow& row) {
  if (absl::Status s = Write("AddReview"); !s.ok()) return s;
  return inner_->AddReview(row);
}

absl::StatusOr<std::vector<ReviewRow>> FaultInjectingGraphStore::ListReviews(
    int limit) {
  return inner_->ListReviews(limit);
}

absl::Status FaultInjectingGraphStore::DeleteReview(int64_t id) {
  if (absl::Status s = Write("DeleteReview"); !s.ok()) return s;
  return inner_->DeleteReview(id);
}

absl::Status FaultInjectingGraphStore::DeleteReviewsOf(const std::string& key) {
  if (absl::Status s = Write("DeleteReviewsOf"); !s.ok()) return s;
  return inner_->DeleteReviewsOf(key);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::CountReviews() {
  return inner_->CountReviews();
}

absl::Status FaultInjectingGraphStore::PutSeparation(const std::string& key_a,
                                                     const std::string& key_b) {
  if (absl::Status s = Write("PutSeparation"); !s.ok()) return s;
  return inner_->PutSeparation(key_a, key_b);
}

absl::StatusOr<bool> FaultInjectingGraphStore::IsSeparated(
    const std::string& key_a, const std::string& key_b) {
  return inner_->IsSeparated(key_a, key_b);
}

absl::StatusOr<std::vector<std::string>>
FaultInjectingGraphStore::SeparationsOf(const std::string& key) {
  return inner_->SeparationsOf(key);
}

absl::Status FaultInjectingGraphStore::DeleteSeparationsOf(
    const std::string& key) {
  if (absl::Status s = Write("DeleteSeparationsOf"); !s.ok()) return s;
  return inner_->DeleteSeparationsOf(key);
}

absl::Status FaultInjectingGraphStore::PutTombstone(const std::string& hash) {
  if (absl::Status s = Write("PutTombstone"); !s.ok()) return s;
  return inner_->PutTombstone(hash);
}

absl::StatusOr<bool> FaultInjectingGraphStore::HasTombstone(
    const std::string& hash) {
  return inner_->HasTombstone(hash);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::AppendChange(
    const ChangeRow& row) {
  if (absl::Status s = Write("AppendChange"); !s.ok()) return s;
  return inner_->AppendChange(row);
}

absl::StatusOr<std::vector<ChangeRow>> FaultInjectingGraphStore::ReadChanges(
    int64_t after, int limit) {
  return inner_->ReadChanges(after, limit);
}

absl::Status FaultInjectingGraphStore::Purge() { return inner_->Purge(); }

absl::StatusOr<int64_t> FaultInjectingGraphStore::SizeBytes() {
  return inner_->SizeBytes();
}

}  // namespace idr::storage
