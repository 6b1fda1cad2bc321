// A GraphStore that passes every call to another one: the base of stores
// that change a few calls and keep the rest (CachedGraphStore, ...).

#ifndef IDR_STORAGE_FORWARDING_GRAPH_STORE_H_
#define IDR_STORAGE_FORWARDING_GRAPH_STORE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "storage/graph_store.h"

namespace idr::storage {

class ForwardingGraphStore : public GraphStore {
 public:
  // Forwards to `inner`, which it owns.
  explicit ForwardingGraphStore(std::unique_ptr<GraphStore> inner)
      : owned_(std::move(inner)), inner_(owned_.get()) {}

  // Forwards to `inner`, which must outlive this store.
  explicit ForwardingGraphStore(GraphStore* inner) : inner_(inner) {}

  // The wrapped store.
  GraphStore* inner() const { return inner_; }

  absl::StatusOr<std::unique_ptr<GraphStore>> OpenReader() override {
    return inner_->OpenReader();
  }
  absl::Status BeginWrite() override { return inner_->BeginWrite(); }
  absl::Status Commit() override { return inner_->Commit(); }
  void Rollback() override { inner_->Rollback(); }
  absl::Status BeginRead() override { return inner_->BeginRead(); }
  void EndRead() override { inner_->EndRead(); }
  absl::StatusOr<std::optional<std::string>> GetMeta(
      const std::string& key) override {
    return inner_->GetMeta(key);
  }
  absl::Status PutMeta(const std::string& key,
                       const std::string& value) override {
    return inner_->PutMeta(key, value);
  }
  absl::StatusOr<int64_t> DataVersion() override {
    return inner_->DataVersion();
  }
  absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> ValueHashes(
      int64_t after) override {
    return inner_->ValueHashes(after);
  }
  absl::StatusOr<std::optional<ValueRow>> GetValue(int64_t id) override {
    return inner_->GetValue(id);
  }
  absl::StatusOr<std::vector<ValueRow>> ValuesAfter(int64_t after,
                                                    int limit) override {
    return inner_->ValuesAfter(after, limit);
  }
  absl::StatusOr<int64_t> InsertValue(const ValueRow& row) override {
    return inner_->InsertValue(row);
  }
  absl::StatusOr<int64_t> NextValueId() override {
    return inner_->NextValueId();
  }
  absl::Status AddValueCount(int64_t id, int64_t delta) override {
    return inner_->AddValueCount(id, delta);
  }
  absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) override {
    return inner_->GetRecord(id);
  }
  absl::StatusOr<std::optional<RecordRow>> FindRecord(
      const std::string& source_id) override {
    return inner_->FindRecord(source_id);
  }
  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override {
    return inner_->InsertRecord(row);
  }
  absl::StatusOr<int64_t> NextRecordId() override {
    return inner_->NextRecordId();
  }
  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override {
    return inner_->SetRecordCustomer(record, customer);
  }
  absl::Status DeleteRecord(int64_t id) override {
    return inner_->DeleteRecord(id);
  }
  absl::StatusOr<std::vector<RecordRow>> RecordsOfCustomer(
      int64_t customer) override {
    return inner_->RecordsOfCustomer(customer);
  }
  absl::StatusOr<std::vector<int64_t>> RecordIdsOfCustomer(
      int64_t customer) override {
    return inner_->RecordIdsOfCustomer(customer);
  }
  absl::Status ForEachRecord(
      const std::function<bool(const RecordRow&)>& visit) override {
    return inner_->ForEachRecord(visit);
  }
  absl::Status ForEachRecordCustomer(
      const std::function<bool(int64_t, int64_t)>& visit) override {
    return inner_->ForEachRecordCustomer(visit);
  }
  absl::StatusOr<int64_t> CountRecords() override {
    return inner_->CountRecords();
  }
  absl::Status PutLink(const LinkRow& row) override {
    return inner_->PutLink(row);
  }
  absl::StatusOr<std::vector<LinkRow>> LinksFromCustomer(
      int64_t customer) override {
    return inner_->LinksFromCustomer(customer);
  }
  absl::Status ForEachCustomer(
      const std::function<bool(const CustomerRow&)>& visit) override {
    return inner_->ForEachCustomer(visit);
  }
  absl::StatusOr<int64_t> CustomerOfRecord(int64_t id) override {
    return inner_->CustomerOfRecord(id);
  }
  absl::StatusOr<std::vector<LinkRow>> LinkEdgesFromCustomer(
      int64_t customer) override {
    return inner_->LinkEdgesFromCustomer(customer);
  }
  absl::Status ForEachLinkEdge(
      const std::function<bool(const LinkRow&)>& visit) override {
    return inner_->ForEachLinkEdge(visit);
  }
  absl::StatusOr<std::vector<LinkRow>> LinksOf(int64_t record) override {
    return inner_->LinksOf(record);
  }
  absl::Status DeleteLink(int64_t a, int64_t b) override {
    return inner_->DeleteLink(a, b);
  }
  absl::StatusOr<std::optional<CustomerRow>> GetCustomer(int64_t id) override {
    return inner_->GetCustomer(id);
  }
  absl::StatusOr<std::optional<CustomerRow>> FindCustomer(
      const std::string& key) override {
    return inner_->FindCustomer(key);
  }
  absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) override {
    return inner_->InsertCustomer(row);
  }
  absl::Status UpdateCustomer(const CustomerRow& row) override {
    return inner_->UpdateCustomer(row);
  }
  absl::Status DeleteCustomer(int64_t id) override {
    return inner_->DeleteCustomer(id);
  }
  absl::StatusOr<int64_t> CountCustomers() override {
    return inner_->CountCustomers();
  }
  absl::Status PutRedirect(const std::string& old_key,
                           const std::string& new_key) override {
    return inner_->PutRedirect(old_key, new_key);
  }
  absl::StatusOr<std::optional<std::string>> GetRedirect(
      const std::string& old_key) override {
    return inner_->GetRedirect(old_key);
  }
  absl::StatusOr<std::vector<std::string>> RedirectsTo(
      const std::string& new_key) override {
    return inner_->RedirectsTo(new_key);
  }
  absl::Status DeleteRedirect(const std::string& old_key) override {
    return inner_->DeleteRedirect(old_key);
  }
  absl::StatusOr<int64_t> AppendAudit(const AuditRow& row) override {
    return inner_->AppendAudit(row);
  }
  absl::StatusOr<std::vector<AuditRow>> ReadAudit(
      int64_t after, int limit, const std::string& key) override {
    return inner_->ReadAudit(after, limit, key);
  }
  absl::Status RedactKey(const std::string& key,
                         const std::string& replacement) override {
    return inner_->RedactKey(key, replacement);
  }
  absl::StatusOr<int64_t> AddReview(const ReviewRow& row) override {
    return inner_->AddReview(row);
  }
  absl::StatusOr<std::vector<ReviewRow>> ListReviews(int limit) override {
    return inner_->ListReviews(limit);
  }
  absl::Status DeleteReview(int64_t id) override {
    return inner_->DeleteReview(id);
  }
  absl::Status DeleteReviewsOf(const std::string& key) override {
    return inner_->DeleteReviewsOf(key);
  }
  absl::Status DeleteReviewsBetween(const std::string& key_a,
                                    const std::string& key_b) override {
    return inner_->DeleteReviewsBetween(key_a, key_b);
  }
  absl::StatusOr<int64_t> CountReviews() override {
    return inner_->CountReviews();
  }
  absl::Status PutSeparation(const std::string& key_a,
                             const std::string& key_b) override {
    return inner_->PutSeparation(key_a, key_b);
  }
  absl::StatusOr<bool> IsSeparated(const std::string& key_a,
                                   const std::string& key_b) override {
    return inner_->IsSeparated(key_a, key_b);
  }
  absl::StatusOr<std::vector<std::string>> SeparationsOf(
      const std::string& key) override {
    return inner_->SeparationsOf(key);
  }
  absl::Status DeleteSeparationsOf(const std::string& key) override {
    return inner_->DeleteSeparationsOf(key);
  }
  absl::Status PutTombstone(const std::string& hash) override {
    return inner_->PutTombstone(hash);
  }
  absl::StatusOr<bool> HasTombstone(const std::string& hash) override {
    return inner_->HasTombstone(hash);
  }
  absl::StatusOr<std::optional<std::string>> GetRequestResult(
      const std::string& id) override {
    return inner_->GetRequestResult(id);
  }
  absl::Status PutRequestResult(const std::string& id, int64_t at,
                                const std::string& result) override {
    return inner_->PutRequestResult(id, at, result);
  }
  absl::Status DeleteRequestResultsBefore(int64_t before) override {
    return inner_->DeleteRequestResultsBefore(before);
  }
  absl::StatusOr<int64_t> AppendChange(const ChangeRow& row) override {
    return inner_->AppendChange(row);
  }
  absl::StatusOr<std::vector<ChangeRow>> ReadChanges(int64_t after,
                                                     int limit) override {
    return inner_->ReadChanges(after, limit);
  }
  absl::StatusOr<int64_t> LastChangeSeq() override {
    return inner_->LastChangeSeq();
  }
  absl::Status Purge() override { return inner_->Purge(); }
  absl::StatusOr<int64_t> SizeBytes() override { return inner_->SizeBytes(); }

 private:
  std::unique_ptr<GraphStore> owned_;

 protected:
  GraphStore* inner_;
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_FORWARDING_GRAPH_STORE_H_
