#include "identity/grpc_status.h"

#include <string>

namespace idr::identity {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl::StatusCode and grpc::StatusCode share the canonical numbering
  // (google.rpc.Code), checked in grpc_status_test.cc.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace idr::identity
