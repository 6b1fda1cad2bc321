// IdentityServiceImpl: the thin gRPC face of the engine
// (idr.v1.IdentityService).
//
// Each RPC maps its request onto the engine and the engine's absl::Status onto
// a gRPC status through ToGrpcStatus. The engine knows nothing of gRPC.
//
// Status: no RPC of idr.v1 is implemented yet. The generated base class
// answers every RPC with UNIMPLEMENTED, and this class overrides none, so a
// client always gets an honest UNIMPLEMENTED rather than a made-up result.
// Each RPC is overridden here as the engine behind it lands (docs/api.md).

#ifndef IDR_IDENTITY_SERVICE_H_
#define IDR_IDENTITY_SERVICE_H_

#include "idr/v1/identity_service.grpc.pb.h"

namespace idr::identity {

class IdentityServiceImpl final : public idr::v1::IdentityService::Service {
 public:
  // The fully qualified service name, as health checking reports it.
  static constexpr char kServiceName[] = "idr.v1.IdentityService";
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_SERVICE_H_
