// The one place where engine statuses become gRPC statuses.
//
// The engine reports errors as absl::Status; gRPC's canonical codes have the
// same numbering, so the mapping keeps the code and the message. Keeping it in
// one function means every RPC reports errors the same way.

#ifndef IDR_IDENTITY_GRPC_STATUS_H_
#define IDR_IDENTITY_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace idr::identity {

// Converts an engine status into the status an RPC returns.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_GRPC_STATUS_H_
