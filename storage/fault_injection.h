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

#include "storage/forwarding_graph_store.h"
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

class FaultInjectingGraphStore : public ForwardingGraphStore {
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

  // GraphStore. Every call goes to the inner store (ForwardingGraphStore),
  // except an injected fault: the write calls below count and may fail.
  // Reads are never failed nor counted.

  // An unarmed wrapper around a reader of the inner store.
  absl::StatusOr<std::unique_ptr<GraphStore>> OpenReader() override;

  absl::Status Commit() override;

  absl::Status PutMeta(const std::string& key,
                       const std::string& value) override;

  absl::StatusOr<int64_t> InsertValue(const ValueRow& row) override;
  absl::Status AddValueCount(int64_t id, int64_t delta) override;

  absl::StatusOr<int64_t> InsertRecord(const RecordRow& row) override;
  absl::Status SetRecordCustomer(int64_t record, int64_t customer) override;
  absl::Status DeleteRecord(int64_t id) override;

  absl::Status PutLink(const LinkRow& row) override;
  absl::Status DeleteLink(int64_t a, int64_t b) override;

  absl::StatusOr<int64_t> InsertCustomer(const CustomerRow& row) override;
  absl::Status UpdateCustomer(const CustomerRow& row) override;
  absl::Status DeleteCustomer(int64_t id) override;

  absl::Status PutRedirect(const std::string& old_key,
                           const std::string& new_key) override;
  absl::Status DeleteRedirect(const std::string& old_key) override;

  absl::StatusOr<int64_t> AppendAudit(const AuditRow& row) override;
  absl::Status RedactKey(const std::string& key,
                         const std::string& replacement) override;

  absl::StatusOr<int64_t> AddReview(const ReviewRow& row) override;
  absl::Status DeleteReview(int64_t id) override;
  absl::Status DeleteReviewsOf(const std::string& key) override;
  absl::Status DeleteReviewsBetween(const std::string& key_a,
                                    const std::string& key_b) override;

  absl::Status PutSeparation(const std::string& key_a,
                             const std::string& key_b) override;
  absl::Status DeleteSeparationsOf(const std::string& key) override;

  absl::Status PutTombstone(const std::string& hash) override;
  absl::Status PutRequestResult(const std::string& id, int64_t at,
                                const std::string& result) override;
  absl::Status DeleteRequestResultsBefore(int64_t before) override;

  absl::StatusOr<int64_t> AppendChange(const ChangeRow& row) override;

 private:
  // Counts a write call to `method`; the injected fault when it is due.
  absl::Status Write(const char* method);

  int64_t writes_ = 0;
  int64_t commits_ = 0;
  int64_t faults_ = 0;
  int64_t fail_write_at_ = 0;  // writes_ value that fails; 0 = none.
  bool writes_stay_failed_ = false;
  int64_t fail_commit_at_ = 0;  // commits_ value that fails; 0 = none.
};

}  // namespace idr::storage

#endif  // IDR_STORAGE_FAULT_INJECTION_H_
