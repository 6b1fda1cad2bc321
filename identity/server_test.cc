#include "identity/server.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "idr/v1/identity_service.grpc.pb.h"

namespace idr::identity {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/" + name;
}

ServerOptions LoopbackOptions(const std::string& db_name) {
  ServerOptions options;
  options.db_path = TempPath(db_name);
  options.listen = "127.0.0.1:0";
  options.insecure = true;  // Development mode: plaintext on loopback.
  return options;
}

TEST(ParseListenAddressTest, AcceptsHostPortAndBracketedIpv6) {
  auto v4 = ParseListenAddress("127.0.0.1:50051");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 50051);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "[::1]");
  EXPECT_EQ(v6->port, 0);
}

TEST(ParseListenAddressTest, RejectsMalformedAddresses) {
  for (const char* bad :
       {"", "localhost", ":80", "host:", "host:65536", "host:-1", "host:+5",
        "host:12ab", "::1:80", "[::1:80", "[]:80"}) {
    EXPECT_EQ(ParseListenAddress(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(IdentityServerTest, ServesTheEngineOnAFreePort) {
  auto server = IdentityServer::Start(LoopbackOptions("serve.db"));
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_GT((*server)->port(), 0);
  EXPECT_EQ((*server)->address(),
            "127.0.0.1:" + std::to_string((*server)->port()));

  auto channel = grpc::CreateChannel((*server)->address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = idr::v1::IdentityService::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  // A record goes in through the default schema; its key comes back.
  idr::v1::IngestRequest request;
  idr::v1::Record* record = request.add_records();
  record->set_source_record_id("r1");
  record->set_channel(idr::v1::CHANNEL_WEB);
  idr::v1::Identifier* email = record->add_identifiers();
  email->set_type(idr::v1::IDENTIFIER_TYPE_EMAIL);
  email->set_value("wang.fang@163.com");
  idr::v1::IngestResponse response;
  grpc::Status status = stub->Ingest(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).outcome(), idr::v1::OUTCOME_CREATED);
  const std::string key = response.results(0).customer_key();

  grpc::ClientContext resolve_context;
  idr::v1::ResolveRequest resolve;
  resolve.set_customer_key(key);
  idr::v1::ResolveResponse resolved;
  status = stub->Resolve(&resolve_context, resolve, &resolved);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(resolved.customer_key(), key);
  (*server)->Shutdown(absl::Seconds(1));
}

TEST(IdentityServerTest, PortInUseIsUnavailable) {
  auto first = IdentityServer::Start(LoopbackOptions("first.db"));
  ASSERT_TRUE(first.ok()) << first.status();
  ServerOptions options = LoopbackOptions("second.db");
  options.listen = (*first)->address();
  auto second = IdentityServer::Start(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable)
      << second.status();
  EXPECT_NE(second.status().message().find(options.listen),
            absl::string_view::npos);
}

TEST(IdentityServerTest, BadAddressOrDatabaseFailsBeforeServing) {
  ServerOptions options = LoopbackOptions("bad.db");
  options.listen = "nonsense";
  EXPECT_EQ(IdentityServer::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = LoopbackOptions("no/such/dir/x.db");
  EXPECT_EQ(IdentityServer::Start(options).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace idr::identity
