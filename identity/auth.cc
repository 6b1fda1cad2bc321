#include "identity/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace idr::identity {
namespace {

constexpr size_t kMinTokenLength = 16;

std::string Sha256(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

}  // namespace

absl::StatusOr<Authenticator> Authenticator::Load(const std::string& path) {
  std::ifstream file(path);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << file.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<Authenticator> Authenticator::Parse(absl::string_view text,
                                                   absl::string_view origin) {
  Authenticator auth;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ":", line_number, ": ", why,
                       " (expected: NAME read|read-write TOKEN [values])"));
    };
    if (parts.size() != 3 && parts.size() != 4) {
      return bad("three or four words per caller");
    }
    Caller caller;
    caller.grant.name = std::string(parts[0]);
    if (parts.size() == 4) {
      if (parts[3] != "values") {
        return bad(absl::StrCat("unknown permission '", parts[3], "'"));
      }
      caller.grant.values = true;
    }
    if (parts[1] == "read") {
      caller.scope = Scope::kRead;
    } else if (parts[1] == "read-write") {
      caller.scope = Scope::kReadWrite;
    } else {
      return bad(absl::StrCat("unknown scope '", parts[1], "'"));
    }
    if (parts[2].size() < kMinTokenLength) {
      return bad(absl::StrCat("token shorter than ", kMinTokenLength,
                              " characters"));
    }
    caller.token_sha256 = Sha256(parts[2]);
    for (const Caller& other : auth.callers_) {
      if (other.grant.name == caller.grant.name) {
        return bad("name listed twice");
      }
      if (other.token_sha256 == caller.token_sha256) {
        return bad("token listed twice");
      }
    }
    auth.callers_.push_back(std::move(caller));
  }
  if (auth.callers_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, " lists no callers"));
  }
  return auth;
}

absl::Status Authenticator::Check(absl::string_view authorization,
                                  Scope needed, Grant* grant) const {
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(authorization, kBearer)) {
    return absl::UnauthenticatedError(
        "missing token: send metadata 'authorization: Bearer <token>'");
  }
  const std::string presented =
      Sha256(absl::StripAsciiWhitespace(authorization.substr(kBearer.size())));
  // Every configured token is compared, so the time does not tell which
  // one (if any) matched.
  const Caller* match = nullptr;
  for (const Caller& c : callers_) {
    if (CRYPTO_memcmp(c.token_sha256.data(), presented.data(),
                      presented.size()) == 0) {
      match = &c;
    }
  }
  if (match == nullptr) return absl::UnauthenticatedError("unknown token");
  if (needed == Scope::kReadWrite && match->scope != Scope::kReadWrite) {
    return absl::PermissionDeniedError(absl::StrCat(
        "caller '", match->grant.name, "' may only read (scope read)"));
  }
  if (grant != nullptr) *grant = match->grant;
  return absl::OkStatus();
}

}  // namespace idr::identity
