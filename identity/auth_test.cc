#include "identity/auth.h"

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

constexpr char kConfig[] =
    "# callers\n"
    "crm-sync   read-write  crm-0123456789abcdef  values\n"
    "\n"
    "web-shop   read        web-0123456789abcdef\n";

TEST(AuthenticatorTest, ScopesAndTokens) {
  absl::StatusOr<Authenticator> auth = Authenticator::Parse(kConfig, "cfg");
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->callers(), 2u);
  Grant who;
  EXPECT_TRUE(auth->Check("Bearer crm-0123456789abcdef", Scope::kReadWrite,
                          &who)
                  .ok());
  EXPECT_EQ(who.name, "crm-sync");
  EXPECT_TRUE(who.values);
  EXPECT_TRUE(
      auth->Check("Bearer web-0123456789abcdef", Scope::kRead, &who).ok());
  EXPECT_EQ(who.name, "web-shop");
  EXPECT_FALSE(who.values);
  EXPECT_EQ(auth->Check("Bearer web-0123456789abcdef", Scope::kReadWrite,
                        nullptr)
                .code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(auth->Check("Bearer nope-0123456789abcdef", Scope::kRead, nullptr)
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Check("", Scope::kRead, nullptr).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(auth->Check("crm-0123456789abcdef", Scope::kRead, nullptr).code(),
            absl::StatusCode::kUnauthenticated)
      << "the Bearer prefix is required";
  // A prefix of a valid token is not valid.
  EXPECT_EQ(auth->Check("Bearer crm-0123456789", Scope::kRead, nullptr).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(AuthenticatorTest, BadConfigNamesTheLine) {
  auto code_and_message = [](absl::string_view text) {
    return Authenticator::Parse(text, "cfg").status();
  };
  absl::Status s = code_and_message("a admin tok-0123456789abcdef\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cfg:1"), absl::string_view::npos) << s;
  EXPECT_NE(s.message().find("admin"), absl::string_view::npos) << s;
  s = code_and_message("# x\na read short\n");
  EXPECT_NE(s.message().find("cfg:2"), absl::string_view::npos) << s;
  s = code_and_message(
      "a read tok-0123456789abcdef\na read tok-fedcba9876543210\n");
  EXPECT_NE(s.message().find("name listed twice"), absl::string_view::npos);
  s = code_and_message(
      "a read tok-0123456789abcdef\nb read tok-0123456789abcdef\n");
  EXPECT_NE(s.message().find("token listed twice"), absl::string_view::npos);
  EXPECT_EQ(code_and_message("# nobody\n").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code_and_message("a read\n").code(),
            absl::StatusCode::kInvalidArgument);
  s = code_and_message("a read tok-0123456789abcdef admin\n");
  EXPECT_NE(s.message().find("unknown permission 'admin'"),
            absl::string_view::npos)
      << s;
  EXPECT_EQ(Authenticator::Load("/nonexistent/idr.conf").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace idr::identity
