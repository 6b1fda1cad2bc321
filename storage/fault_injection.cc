#include "storage/fault_injection.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace idr::storage {

FaultInjectingGraphStore::FaultInjectingGraphStore(
    std::unique_ptr<GraphStore> inner, const FaultInjectionOptions& options)
    : ForwardingGraphStore(std::move(inner)) {
  FailNthWrite(options.fail_write, options.writes_stay_failed);
  FailNthCommit(options.fail_commit);
}

FaultInjectingGraphStore::FaultInjectingGraphStore(
    GraphStore* inner, const FaultInjectionOptions& options)
    : ForwardingGraphStore(inner) {
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

absl::Status FaultInjectingGraphStore::PutMeta(const std::string& key,
                                               const std::string& value) {
  if (absl::Status s = Write("PutMeta"); !s.ok()) return s;
  return inner_->PutMeta(key, value);
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

absl::Status FaultInjectingGraphStore::PutLink(const LinkRow& row) {
  if (absl::Status s = Write("PutLink"); !s.ok()) return s;
  return inner_->PutLink(row);
}

absl::Status FaultInjectingGraphStore::DeleteLink(int64_t a, int64_t b) {
  if (absl::Status s = Write("DeleteLink"); !s.ok()) return s;
  return inner_->DeleteLink(a, b);
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

absl::Status FaultInjectingGraphStore::PutRedirect(const std::string& old_key,
                                                   const std::string& new_key) {
  if (absl::Status s = Write("PutRedirect"); !s.ok()) return s;
  return inner_->PutRedirect(old_key, new_key);
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

absl::Status FaultInjectingGraphStore::DeleteReview(int64_t id) {
  if (absl::Status s = Write("DeleteReview"); !s.ok()) return s;
  return inner_->DeleteReview(id);
}

absl::Status FaultInjectingGraphStore::DeleteReviewsOf(const std::string& key) {
  if (absl::Status s = Write("DeleteReviewsOf"); !s.ok()) return s;
  return inner_->DeleteReviewsOf(key);
}

absl::Status FaultInjectingGraphStore::DeleteReviewsBetween(
    const std::string& key_a, const std::string& key_b) {
  if (absl::Status s = Write("DeleteReviewsBetween"); !s.ok()) return s;
  return inner_->DeleteReviewsBetween(key_a, key_b);
}

absl::Status FaultInjectingGraphStore::PutSeparation(const std::string& key_a,
                                                     const std::string& key_b) {
  if (absl::Status s = Write("PutSeparation"); !s.ok()) return s;
  return inner_->PutSeparation(key_a, key_b);
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

absl::Status FaultInjectingGraphStore::PutRequestResult(
    const std::string& id, int64_t at, const std::string& result) {
  if (absl::Status s = Write("PutRequestResult"); !s.ok()) return s;
  return inner_->PutRequestResult(id, at, result);
}

absl::Status FaultInjectingGraphStore::DeleteRequestResultsBefore(
    int64_t before) {
  if (absl::Status s = Write("DeleteRequestResultsBefore"); !s.ok()) return s;
  return inner_->DeleteRequestResultsBefore(before);
}

absl::StatusOr<int64_t> FaultInjectingGraphStore::AppendChange(
    const ChangeRow& row) {
  if (absl::Status s = Write("AppendChange"); !s.ok()) return s;
  return inner_->AppendChange(row);
}

}  // namespace idr::storage
