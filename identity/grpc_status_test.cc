#include "identity/grpc_status.h"

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

TEST(GrpcStatusTest, OkStaysOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

TEST(GrpcStatusTest, EveryCanonicalCodeKeepsItsMeaningAndMessage) {
  struct Case {
    absl::Status in;
    grpc::StatusCode out;
  };
  const Case cases[] = {
      {absl::CancelledError("c"), grpc::StatusCode::CANCELLED},
      {absl::UnknownError("u"), grpc::StatusCode::UNKNOWN},
      {absl::InvalidArgumentError("bad email"),
       grpc::StatusCode::INVALID_ARGUMENT},
      {absl::DeadlineExceededError("d"), grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::NotFoundError("no key"), grpc::StatusCode::NOT_FOUND},
      {absl::AlreadyExistsError("a"), grpc::StatusCode::ALREADY_EXISTS},
      {absl::PermissionDeniedError("p"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::ResourceExhaustedError("r"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::FailedPreconditionError("f"),
       grpc::StatusCode::FAILED_PRECONDITION},
      {absl::AbortedError("ab"), grpc::StatusCode::ABORTED},
      {absl::OutOfRangeError("o"), grpc::StatusCode::OUT_OF_RANGE},
      {absl::UnimplementedError("not yet"), grpc::StatusCode::UNIMPLEMENTED},
      {absl::InternalError("i"), grpc::StatusCode::INTERNAL},
      {absl::UnavailableError("un"), grpc::StatusCode::UNAVAILABLE},
      {absl::DataLossError("dl"), grpc::StatusCode::DATA_LOSS},
      {absl::UnauthenticatedError("ua"), grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const Case& c : cases) {
    grpc::Status out = ToGrpcStatus(c.in);
    EXPECT_EQ(out.error_code(), c.out) << c.in;
    EXPECT_EQ(out.error_message(), std::string(c.in.message()));
  }
}

}  // namespace
}  // namespace idr::identity
