#include "identity/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/support/server_interceptor.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "identity/default_schema.h"
#include "storage/sqlite_graph_store.h"

namespace idr::identity {

absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address '", text, "' is not HOST:PORT (e.g. 127.0.0.1:50051)"));
  }
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.front() == '[') {
    if (address.host.size() < 3 || address.host.back() != ']') {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen address '", text, "' has a malformed [IPv6] host"));
    }
  } else if (address.host.find(':') != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address '", text, "': write IPv6 hosts as [ADDR]:PORT"));
  }
  const std::string port = text.substr(colon + 1);
  if (!absl::SimpleAtoi(port, &address.port) || address.port < 0 ||
      address.port > 65535 || port.empty() || port[0] == '+' ||
      port[0] == '-') {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen address '", text, "' has no valid port (0-65535)"));
  }
  return address;
}

namespace {

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "[::1]" ||
         absl::StartsWith(host, "127.");
}

absl::StatusOr<std::string> ReadPem(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << file.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not PEM"));
  }
  return text.str();
}

// TLS from the cert and key files; plaintext only in development mode on
// loopback.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options, const ListenAddress& listen) {
  if (options.tls_cert_path.empty() != options.tls_key_path.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both --tls-cert and --tls-key");
  }
  if (options.tls_cert_path.empty()) {
    if (!options.insecure || !IsLoopback(listen.host)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "serving without TLS on ", options.listen,
          " is refused: give --tls-cert and --tls-key, or --insecure with a "
          "loopback address (development)"));
    }
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> cert = ReadPem(options.tls_cert_path);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(options.tls_key_path);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

// gRPC answers a request it cannot decode (invalid UTF-8 in a string field,
// bytes that are not the message) with INTERNAL and no message before any
// handler runs. That is the caller's mistake, so the caller should hear
// INVALID_ARGUMENT; the service's own INTERNAL errors always carry a message.
class MalformedRequestInterceptor : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::INTERNAL &&
          status.error_message().empty()) {
        methods->ModifySendStatus(grpc::Status(
            grpc::StatusCode::INVALID_ARGUMENT,
            "malformed request: not a valid idr.v1 message (for example, "
            "invalid UTF-8 in a string field)"));
      }
    }
    methods->Proceed();
  }
};

class MalformedRequestInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo*) override {
    return new MalformedRequestInterceptor();
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<IdentityServer>> IdentityServer::Start(
    const ServerOptions& options) {
  absl::StatusOr<ListenAddress> listen = ParseListenAddress(options.listen);
  if (!listen.ok()) return listen.status();

  std::unique_ptr<IdentityServer> server(new IdentityServer());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      Credentials(options, *listen);
  if (!credentials.ok()) return credentials.status();
  if (!options.config_path.empty()) {
    absl::StatusOr<Authenticator> auth =
        Authenticator::Load(options.config_path);
    if (!auth.ok()) return auth.status();
    server->auth_ = std::make_unique<Authenticator>(std::move(*auth));
  } else if (!options.insecure) {
    return absl::InvalidArgumentError(
        "no callers: give --config with caller tokens (docs/api.md), or "
        "--insecure for development on a loopback address");
  }
  absl::StatusOr<std::unique_ptr<storage::GraphStore>> store =
      storage::OpenSqliteGraphStore(options.db_path);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::optional<std::vector<FieldSpec>>> fields =
      Engine::StoredFields(store->get());
  if (!fields.ok()) return fields.status();
  EngineOptions engine_options;
  if (!fields->has_value()) {
    absl::StatusOr<GraphSchema> schema = DefaultSchema(options.model_path);
    if (!schema.ok()) return schema.status();
    *fields = schema->fields;
    engine_options.schema = std::move(*schema);
  }
  for (const FieldSpec& f : **fields) {
    if (f.type == matching::FieldType::kGivenName ||
        f.type == matching::FieldType::kFamilyName ||
        f.type == matching::FieldType::kFullName) {
      absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> names =
          matching::NameNormalizer::Create({});
      if (!names.ok()) return names.status();
      server->names_ = std::move(*names);
      break;
    }
  }
  engine_options.names = server->names_.get();
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(std::move(*store), std::move(engine_options));
  if (!engine.ok()) return engine.status();
  // Before the first call, not during it.
  absl::Status indexed = (*engine)->BuildIndex();
  if (!indexed.ok()) return indexed;
  server->engine_ = std::move(*engine);
  ServiceOptions service_options;
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<ListenAddress> metrics_address =
        ParseListenAddress(options.metrics_listen);
    if (!metrics_address.ok()) return metrics_address.status();
    absl::StatusOr<std::unique_ptr<Metrics>> metrics =
        Metrics::Start(options.metrics_listen, server->engine_.get());
    if (!metrics.ok()) return metrics.status();
    server->metrics_ = std::move(*metrics);
    service_options.metrics = server->metrics_.get();
  }
  server->service_ = std::make_unique<IdentityServiceImpl>(
      server->engine_.get(), service_options, server->auth_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, which would let a second server share
  // a port that is already in use; a busy port must be an error instead.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (options.threads > 0) {
    grpc::ResourceQuota quota("idr-serve");
    quota.SetMaxThreads(options.threads);
    builder.SetResourceQuota(quota);
  }
  int bound_port = 0;
  builder.AddListeningPort(options.listen, *credentials, &bound_port);
  builder.RegisterService(server->service_.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      std::make_unique<MalformedRequestInterceptorFactory>());
  if (server->metrics_ != nullptr) {
    interceptors.push_back(server->metrics_->InterceptorFactory());
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || bound_port == 0) {
    if (server->server_ != nullptr) server->server_->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use, or not an address of this machine)"));
  }
  server->port_ = bound_port;
  server->address_ = absl::StrCat(listen->host, ":", bound_port);
  server->server_->GetHealthCheckService()->SetServingStatus(
      IdentityServiceImpl::kServiceName, true);
  return server;
}

void IdentityServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  service_->StopStreams();  // Change streams never end by themselves.
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  server_.reset();
}

IdentityServer::~IdentityServer() { Shutdown(absl::ZeroDuration()); }

}  // namespace idr::identity
