#include "identity/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdio>
#include <exception>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace idr::identity {
namespace {

// The graph's gauges, read from the engine when Prometheus scrapes.
class GraphCollectable : public prometheus::Collectable {
 public:
  explicit GraphCollectable(Engine* engine) : engine_(engine) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::StatusOr<GraphStats> stats = engine_->Stats();
    if (!stats.ok()) return {};
    auto gauge = [](const char* name, const char* help, double value) {
      prometheus::MetricFamily family;
      family.name = name;
      family.help = help;
      family.type = prometheus::MetricType::Gauge;
      prometheus::ClientMetric metric;
      metric.gauge.value = value;
      family.metric.push_back(metric);
      return family;
    };
    return {
        gauge("idr_graph_records", "Records in the identity graph.",
              static_cast<double>(stats->records)),
        gauge("idr_graph_customers", "Customers in the identity graph.",
              static_cast<double>(stats->customers)),
        gauge("idr_review_queue", "Merges held for review.",
              static_cast<double>(stats->reviews)),
        gauge("idr_database_bytes", "Database file plus WAL, bytes.",
              static_cast<double>(stats->bytes)),
    };
  }

 private:
  Engine* engine_;
};

const char* CodeName(int code) {
  static const char* const kNames[] = {
      "OK",           "CANCELLED",          "UNKNOWN",
      "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",    "OUT_OF_RANGE",
      "UNIMPLEMENTED", "INTERNAL",         "UNAVAILABLE",
      "DATA_LOSS",    "UNAUTHENTICATED"};
  return code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
}

// Times each call and reports it when its status is sent.
class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(grpc::experimental::ServerRpcInfo* info,
                     Metrics* metrics)
      : method_(info->method()), metrics_(metrics), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      metrics_->RecordRequest(method_, methods->GetSendStatus().error_code(),
                              absl::Now() - start_);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  Metrics* metrics_;
  absl::Time start_;
};

class MetricsInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(Metrics* metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(info, metrics_);
  }

 private:
  Metrics* metrics_;
};

}  // namespace

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry =
      std::make_shared<prometheus::Registry>();
  std::shared_ptr<GraphCollectable> graph;
  std::unique_ptr<prometheus::Exposer> exposer;
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Histogram>* durations = nullptr;
  prometheus::Family<prometheus::Counter>* merges = nullptr;
};

Metrics::Metrics(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Metrics::~Metrics() = default;

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(
    const std::string& listen, Engine* engine) {
  auto impl = std::make_unique<Impl>();
  try {  // prometheus-cpp (civetweb) throws when it cannot listen.
    impl->exposer = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
  impl->requests = &prometheus::BuildCounter()
                        .Name("idr_requests_total")
                        .Help("idr.v1 RPCs answered, by method and code.")
                        .Register(*impl->registry);
  impl->durations = &prometheus::BuildHistogram()
                         .Name("idr_request_duration_seconds")
                         .Help("idr.v1 RPC latency, by method.")
                         .Register(*impl->registry);
  impl->merges = &prometheus::BuildCounter()
                      .Name("idr_merges_total")
                      .Help("Customers merged into another.")
                      .Register(*impl->registry);
  impl->graph = std::make_shared<GraphCollectable>(engine);
  impl->exposer->RegisterCollectable(impl->registry);
  impl->exposer->RegisterCollectable(impl->graph);
  std::vector<int> ports = impl->exposer->GetListeningPorts();
  std::unique_ptr<Metrics> metrics(new Metrics(std::move(impl)));
  metrics->port_ = ports.empty() ? 0 : ports[0];
  return metrics;
}

void Metrics::RecordRequest(const std::string& method, int code,
                            absl::Duration duration) {
  // "/idr.v1.IdentityService/Resolve" -> "Resolve".
  const std::string name = method.substr(method.rfind('/') + 1);
  impl_->requests->Add({{"method", name}, {"code", CodeName(code)}})
      .Increment();
  impl_->durations
      ->Add({{"method", name}},
            prometheus::Histogram::BucketBoundaries{
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                0.05, 0.1, 0.25, 0.5, 1, 2.5})
      .Observe(absl::ToDoubleSeconds(duration));
  if (code != 0) {
    // One JSON line per failed call: never a request's values.
    std::fprintf(stderr,
                 "{\"ts\":\"%s\",\"event\":\"rpc_failed\",\"method\":\"%s\","
                 "\"code\":\"%s\",\"ms\":%.3f}\n",
                 absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                  absl::UTCTimeZone())
                     .c_str(),
                 name.c_str(), CodeName(code),
                 absl::ToDoubleMilliseconds(duration));
  }
}

void Metrics::RecordMerges(const char* kind, int64_t count) {
  if (count > 0) {
    impl_->merges->Add({{"kind", kind}}).Increment(static_cast<double>(count));
  }
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(this);
}

}  // namespace idr::identity
