// IdentityServer: runs idr.v1.IdentityService on the identity graph in an
// embedded SQLite file, with gRPC health checking (grpc.health.v1.Health) and
// server reflection (grpc.reflection.v1alpha.ServerReflection). A new file
// gets the default schema (default_schema.h).

#ifndef IDR_IDENTITY_SERVER_H_
#define IDR_IDENTITY_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "identity/engine.h"
#include "identity/metrics.h"
#include "identity/service.h"
#include "matching/names.h"

namespace grpc {
class Server;
}

namespace idr::identity {

struct ServerOptions {
  // The SQLite database file; opened, or created (with its schema) if absent.
  // Its directory must exist. Required.
  std::string db_path;
  // HOST:PORT to listen on ([::1]:PORT for IPv6). Port 0 picks a free port,
  // reported by IdentityServer::port(). Default: 127.0.0.1:50051.
  std::string listen = "127.0.0.1:50051";
  // A new database's model (idr dedup --save-model on data with the default
  // fields); empty: the built-in one. Ignored for an existing graph.
  std::string model_path;
  // TLS: the server's certificate chain and private key (PEM files). Both
  // or neither.
  std::string tls_cert_path;
  std::string tls_key_path;
  // The callers and their tokens (auth.h). Required unless `insecure`.
  std::string config_path;
  // Development mode: allows plaintext (no TLS) and no caller tokens, on a
  // loopback address only. Default: false.
  bool insecure = false;
  // Threads serving calls at most (gRPC's resource quota); 0: gRPC's
  // default. Default: 0.
  int threads = 0;
  // HOST:PORT of the Prometheus /metrics endpoint (port 0 picks one); empty:
  // none. Default: none.
  std::string metrics_listen;
};

// A host and port parsed from "HOST:PORT".
struct ListenAddress {
  std::string host;
  int port = 0;
};

// Parses "HOST:PORT" / "[V6]:PORT"; INVALID_ARGUMENT names what is wrong.
absl::StatusOr<ListenAddress> ParseListenAddress(const std::string& text);

class IdentityServer {
 public:
  // Opens (or creates) the graph and starts serving. Errors:
  // INVALID_ARGUMENT for a bad address, model, config or TLS file, or for
  // serving without TLS or tokens outside development mode on loopback;
  // the database's own error
  // (see storage::Database::Open); UNAVAILABLE when the port cannot be bound
  // (e.g. already in use).
  static absl::StatusOr<std::unique_ptr<IdentityServer>> Start(
      const ServerOptions& options);

  ~IdentityServer();

  // The port actually bound (the chosen one when the options said 0).
  int port() const { return port_; }
  // The port of /metrics (0 without metrics).
  int metrics_port() const { return metrics_ ? metrics_->port() : 0; }
  // HOST:PORT as bound, for clients.
  const std::string& address() const { return address_; }

  // Stops accepting calls, lets in-flight calls finish for up to `grace`,
  // cancels the rest, and returns when the server has stopped.
  void Shutdown(absl::Duration grace);

 private:
  IdentityServer() = default;

  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<matching::NameNormalizer> names_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<IdentityServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_SERVER_H_
