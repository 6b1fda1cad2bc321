#include "identity/serve_command.h"

#include <grpc/support/log.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace idr::identity {
namespace {

// gRPC logs its own view of a failed bind on stderr; while starting we report
// failures ourselves, in one line, so its messages are dropped until then.
std::atomic<bool> g_grpc_log_enabled{false};

void GrpcLog(gpr_log_func_args* args) {
  if (!g_grpc_log_enabled.load(std::memory_order_relaxed)) return;
  std::fprintf(stderr, "idr: grpc %s: %s\n",
               gpr_log_severity_string(args->severity), args->message);
}

}  // namespace

int RunServe(const ServerOptions& options) {
  // gRPC's locks are absl::Mutex, and Debian builds Abseil with deadlock
  // detection on: every lock then updates a global lock graph. Our own locks
  // are std::mutex; the graph only costs time on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  gpr_set_log_function(GrpcLog);
  gpr_set_log_verbosity(GPR_LOG_SEVERITY_ERROR);

  // Block the stop signals before gRPC starts its threads, so that they all
  // inherit the mask and only sigwait below sees the signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::unique_ptr<IdentityServer>> server =
      IdentityServer::Start(options);
  if (!server.ok()) {
    std::cerr << "idr serve: " << server.status().message() << "\n";
    return 1;
  }
  g_grpc_log_enabled = true;
  std::cout << "idr serving idr.v1 on " << (*server)->address() << " (db "
            << options.db_path << ")";
  if ((*server)->metrics_port() > 0) {
    std::cout << ", metrics on http://"
              << ParseListenAddress(options.metrics_listen)->host << ":"
              << (*server)->metrics_port() << "/metrics";
  }
  std::cout << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "idr serve: "
            << (signal_number == SIGTERM ? "SIGTERM" : "SIGINT")
            << ", finishing in-flight calls\n";
  (*server)->Shutdown(absl::Seconds(10));
  server->reset();  // Closes the database.
  std::cerr << "idr serve: stopped\n";
  return 0;
}

}  // namespace idr::identity
