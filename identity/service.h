// IdentityServiceImpl: the thin gRPC face of the engine
// (idr.v1.IdentityService).
//
// Each RPC converts its request (convert.h), calls the engine and maps the
// engine's absl::Status onto a gRPC status in one place (ToGrpcStatus). The
// engine knows nothing of gRPC. docs/api.md documents every RPC.

#ifndef IDR_IDENTITY_SERVICE_H_
#define IDR_IDENTITY_SERVICE_H_

#include <atomic>

#include "identity/auth.h"
#include "identity/engine.h"
#include "identity/metrics.h"
#include "idr/v1/identity_service.grpc.pb.h"

namespace idr::identity {

struct ServiceOptions {
  // Records per Ingest request at most. Default: 1000.
  int max_batch_records = 1000;
  // Candidates a Resolve returns at most (docs/api.md: Limits). Default: 50.
  int max_candidates = 50;
  // How long a WatchChanges stream sleeps between looks when nothing new
  // has been committed (commits wake it at once). Default: 1 s.
  absl::Duration watch_poll = absl::Seconds(1);
  // Where merges are counted; null: nowhere. Must outlive the service.
  Metrics* metrics = nullptr;
};

// Resolve, the hot read path, uses gRPC's callback API (handled on gRPC's
// own threads, no hand-off to a synchronous worker pool); the other RPCs are
// synchronous.
class IdentityServiceImpl final
    : public idr::v1::IdentityService::WithCallbackMethod_Resolve<
          idr::v1::IdentityService::Service> {
 public:
  // The fully qualified service name, as health checking reports it.
  static constexpr char kServiceName[] = "idr.v1.IdentityService";

  // Serves `engine`, which must outlive the service. With `auth` (which
  // must outlive it too) every call needs a token of the RPC's scope;
  // without, calls are not authenticated (development only).
  explicit IdentityServiceImpl(Engine* engine, ServiceOptions options = {},
                               const Authenticator* auth = nullptr)
      : engine_(engine), options_(options), auth_(auth) {}

  // Ends WatchChanges streams (at server shutdown: they never end alone).
  void StopStreams() { stopping_ = true; }

  grpc::Status Ingest(grpc::ServerContext* context,
                      const idr::v1::IngestRequest* request,
                      idr::v1::IngestResponse* response) override;
  grpc::Status IngestStream(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<idr::v1::IngestResponse,
                               idr::v1::IngestRequest>* stream) override;
  grpc::ServerUnaryReactor* Resolve(
      grpc::CallbackServerContext* context,
      const idr::v1::ResolveRequest* request,
      idr::v1::ResolveResponse* response) override;
  grpc::Status GetProfile(grpc::ServerContext* context,
                          const idr::v1::GetProfileRequest* request,
                          idr::v1::GetProfileResponse* response) override;
  grpc::Status Merge(grpc::ServerContext* context,
                     const idr::v1::MergeRequest* request,
                     idr::v1::MergeResponse* response) override;
  grpc::Status Unmerge(grpc::ServerContext* context,
                       const idr::v1::UnmergeRequest* request,
                       idr::v1::UnmergeResponse* response) override;
  grpc::Status Explain(grpc::ServerContext* context,
                       const idr::v1::ExplainRequest* request,
                       idr::v1::ExplainResponse* response) override;
  grpc::Status Forget(grpc::ServerContext* context,
                      const idr::v1::ForgetRequest* request,
                      idr::v1::ForgetResponse* response) override;
  grpc::Status WatchChanges(
      grpc::ServerContext* context,
      const idr::v1::WatchChangesRequest* request,
      grpc::ServerWriter<idr::v1::ChangeEvent>* writer) override;

 private:
  // OK when the call may use an RPC of `scope`; `*grant` (if not null) is
  // then the caller's (without authentication: no name, every permission).
  grpc::Status Authorize(grpc::ServerContextBase* context, Scope scope,
                         Grant* grant = nullptr) const;
  // Authorize for a manual write (Merge, Unmerge, Forget) that carries an
  // optional request_id, a reason and an actor: *scoped_request_id is then
  // the engine's id for it and *why the audit log's attribution.
  // INVALID_ARGUMENT when reason or actor is missing or too long.
  grpc::Status AuthorizeWrite(grpc::ServerContextBase* context,
                              const std::string& request_id,
                              const std::string& reason,
                              const std::string& actor,
                              std::string* scoped_request_id,
                              Attribution* why) const;
  // The engine's request id for a write's optional request_id, scoped to
  // its caller ("" when the request has none). INVALID_ARGUMENT for an id
  // over 128 bytes or not UTF-8.
  static absl::StatusOr<std::string> ScopedRequestId(
      const std::string& caller, const std::string& request_id);
  grpc::Status DoResolve(grpc::ServerContextBase* context,
                         const idr::v1::ResolveRequest* request,
                         idr::v1::ResolveResponse* response);
  // One batch: converts, ingests, maps the results.
  absl::Status IngestBatch(const idr::v1::IngestRequest& request,
                           idr::v1::IngestResponse* response);

  Engine* engine_;
  ServiceOptions options_;
  const Authenticator* auth_;
  std::atomic<bool> stopping_{false};
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_SERVICE_H_
