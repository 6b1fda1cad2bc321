// Prometheus metrics of `idr serve` (prometheus-cpp), served as text on
// /metrics at --metrics-listen:
//
//   idr_requests_total{method,code}         RPCs answered, by gRPC code
//   idr_request_duration_seconds{method}    latency histogram
//   idr_merges_total{kind}                  automatic / manual merges
//   idr_graph_records, idr_graph_customers  the graph, read at scrape time
//   idr_review_queue                        merges held for review
//   idr_database_bytes                      file plus WAL
//
// A gRPC server interceptor feeds the request metrics, so the service code
// stays free of them; it also writes one JSON line to stderr per failed call
// (time, method, code, milliseconds: never a request's values).

#ifndef IDR_IDENTITY_METRICS_H_
#define IDR_IDENTITY_METRICS_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "identity/engine.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace idr::identity {

class Metrics {
 public:
  // Serves /metrics on `listen` (HOST:PORT) for `engine`, which must
  // outlive the metrics. UNAVAILABLE when the port cannot be bound.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(
      const std::string& listen, Engine* engine);
  ~Metrics();

  // One answered RPC.
  void RecordRequest(const std::string& method, int code,
                     absl::Duration duration);
  // Customers merged: by ingest ("automatic") or by a person ("manual").
  void RecordMerges(const char* kind, int64_t count);

  // The port /metrics is served on.
  int port() const { return port_; }

  // The interceptor factory to register with the gRPC server builder.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory();

  struct Impl;

 private:
  explicit Metrics(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_METRICS_H_
