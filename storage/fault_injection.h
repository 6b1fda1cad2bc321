// A GraphStore wrapper that fails on request, to test that the engine's
// failure paths leave the graph as it was.
//
// Armed, it fails the n-th write call (any method that changes the graph,
// counted from the moment of arming) with UNAVAILABLE("injected fault: ...")
// without passing it on: the transaction stays open, as after a real I/O
// error, and the caller must roll it back. A failed Commit ("fsync failed")
// rolls the inner store back and returns UNAVAILABLE, as the contract says a
// failed Commit must. Unarmed, every call goes straight to the inner store.
// Like any GraphStore, one wrapper is one connection: not thread-safe.

#ifndef IDR_STORAGE_FAULT_INJECTION_H_
#define IDR_STORAGE_FAULT_INJECTION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "storage/graph_store.h"

namespace idr::storage {

struct FaultInjectionOptions {
  // Fail the n-th write call (1 = the next one); 0 = never.
  int fail_write = 0;
  // With fail_write: fail every write from the n-th on (a dead disk), not
  // just that one.
  bool writes_stay_failed = false;
  // Fail the n-th Commit (1 = the next one); 0 = never.
  int fail_commit = 0;
};

class FaultInjectingGraphStore : public GraphStore {
 public:
  // Wraps `inner`, which it owns.
  explicit FaultInjectingGraphStore(std::unique_ptr<GraphStore> inner,
                                    const FaultInjectionOptions& options = {});
  // Wraps `inner`, which must outlive the wrapper.
  explicit FaultInjectingGraphStore(GraphStore* inner,
                                    const FaultInjectionOptions& options = {});

  // Arms the write fault: the n-th write call from now fails (and, when
  // `stay_failed`, every later one). 0 disarms it.
  void FailNthWrite(int n, bool stay_failed = false);
  // Arms the commit fault: the n-th Commit from now fails. 0 disarms it.
  void FailNthCommit(int n);
  // Disarms both.
  void Disarm();

  // Write calls seen since construction, failed ones included.
  int64_t writes() const { return writes_; }
  // Commit calls seen since construction, failed ones included.
  int64_t commits() const { return commits_; }
  // Faults injected since construction.
  int64_t faults() const { return faults_; }
  // The wrapped store.
  GraphStore* inner() const { return inner_; }

  // GraphStore. Every call goes to the inner store, except an injected
  // fault (see above). Reads are never failed nor counted.

  // An unarmed wrapper around a reader of the inner store.
  absl::StatusOr<std::unique_ptr<GraphStore>> OpenReader() override;

  absl::Status BeginWrite() override;
  absl::Status Commit() override;
  void Rollback() override;
  absl::Status BeginRead() override;
  void EndRead() override;

  absl::StatusOr<std::optional<std::string>> GetMeta(
      const std::string& key) override;
  absl::Status PutMeta(const std::string& key,
                       const std::string& value) override;

  absl::StatusOr<std::vector<ValueRow>> FindValues(uint64_t hash) override;
  absl::StatusOr<std::optional<ValueRow>> GetValue(int64_t id) override;
  absl::StatusOr<int64_t> InsertValue(const ValueRow& row) override;
  absl::Status AddValueCount(int64_t id, int64_t delta) override;

  absl::StatusOr<std::optional<RecordRow>> GetRecord(int64_t id) override;
  absl::StatusOr<std::optional<RecordRow>> FindRecord(
      const std::string& source_id) override;
  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override;
  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override;
  absl::Status DeleteRecord(int64_t id) override;
  absl::StatusOr<std::vector<RecordRow>> RecordsOfCustomer(
      int64_t customer) override;
  absl::Status ForEachRecord(
      const std::function<bool(const RecordRow&)>& visit) override;
  absl::StatusOr<int64_t> CountRecords() override;

  absl::Status AddBlockingKey(uint64_t key, int64_t record) override;
  absl::StatusOr<std::vector<int64_t>> FindBlock(uint64_t key,
                                                 int limit) override;

  absl::Status PutLink(const LinkRow& row) override;
  absl::StatusOr<std::vector<LinkRow>> LinksOf(int64_t record) override;
  absl::Status DeleteLink(int64_t a, int64_t b) override;

  absl::StatusOr<std::optional<CustomerRow>> GetCustomer(int64_t id) override;
  absl::StatusOr<std::optional<CustomerRow>> FindCustomer(
      const std::string& key) override;
  absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) override;
  absl::Status UpdateCustomer(const CustomerRow& row) override;
  absl::Status DeleteCustomer(int64_t id) override;
  absl::StatusOr<int64_t> CountCustomers() override;

  absl::Status PutRedirect(const std::string& old_key,
                           const std::string& new_key) override;
  absl::StatusOr<std::optional<std::string>> GetRedirect(
      const std::string& old_key) override;
  absl::StatusOr<std::vector<std::string>> RedirectsTo(
      const std::string& new_key) override;
  absl::Status DeleteRedirect(const std::string& old_key) override;

  absl::StatusOr<int64_t> AppendAudit(const AuditRow& row) override;
  absl::StatusOr<std::vector<AuditRow>> ReadAudit(
      int64_t after, int limit, const std::string& key) override;
  absl::Status RedactKey(const std::string& key,
                         const std::string& replacement) override;

  absl::StatusOr<int64_t> AddReview(const ReviewRow& row) override;
  absl::StatusOr<std::vector<ReviewRow>> ListReviews(int limit) override;
  absl::Status DeleteReview(int64_t id) override;
  absl::Status DeleteReviewsOf(const std::string& key) override;
  absl::StatusOr<int64_t> CountReviews() override;

  absl::Status PutSeparation(const std::string& key_a,
                             const std::string& key_b) override;
  absl::StatusOr<bool> IsSeparated(const std::string& key_a,
                                   const std::string& key_b) override;
  absl::StatusOr<std::vector<std::string>> SeparationsOf(
      const std::string& key) override;
  absl::Status DeleteSeparationsOf(const std::string& key) override;

  absl::Status PutTombstone(const std::string& hash) override;
  absl::StatusOr<bool> HasTombstone(const std::string& hash) override;

  absl::StatusOr<int64_t> AppendChange(const ChangeRow& row) override;
  absl::StatusOr<std::vector<ChangeRow>> ReadChanges(int64_t after,
                                                     int limit) override;

  absl::Status Purge() override;
  absl::StatusOr<int64_t> SizeBytes() override;

 private:
  // Counts a write call to `method`; the injected fault when it is due.
  absl::Status Write(const char* method);

  std::unique_ptr<GraphStore> owned_;
  GraphStore* inner_;
  int64_t writes_ = 0;
  int64_t commits_ = 0;
  int64_t faults_ = 0;
  int64_t fail_write_at_ = 0;  // writes_ value that fails; 0 = none.
  bool writes_stay_failed_ = false;
  int64_t fail_commit_at_ = 0;  // commits_ value that fails; 0 = none.
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_FAULT_INJECTION_H_
