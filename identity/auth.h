// Token authentication of callers, per tenant or service, with two scopes.
//
// The server's --config file lists the callers, one per line:
//
//   # name      scope        token                              permissions
//   crm-sync    read-write   2f9c…   (at least 16 characters)   values
//   web-shop    read         a81e…
//
// Blank lines and lines starting with '#' are ignored. A call carries its
// token in the `authorization` metadata as `Bearer <token>`. `read` allows
// Resolve, GetProfile, Explain and WatchChanges; `read-write` allows every
// RPC. The optional `values` permission lets the caller see identifier
// values in clear (GetProfile's include_identifier_values); without it
// they are masked or refused. Tokens are compared in constant time (over
// their SHA-256, so neither the content nor the length of a token leaks
// through timing), and only their hashes are kept in memory.

#ifndef IDR_IDENTITY_AUTH_H_
#define IDR_IDENTITY_AUTH_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::identity {

enum class Scope { kRead, kReadWrite };

// What an authenticated caller is.
struct Grant {
  std::string name;     // For logs and to scope request ids.
  bool values = false;  // May see identifier values in clear.
};

class Authenticator {
 public:
  // Reads the callers from `path`. INVALID_ARGUMENT names the line of a
  // malformed entry (unknown scope, short token, duplicate name or token);
  // NOT_FOUND when the file cannot be read; INVALID_ARGUMENT when it lists
  // nobody.
  static absl::StatusOr<Authenticator> Load(const std::string& path);
  // The same from text (for tests).
  static absl::StatusOr<Authenticator> Parse(absl::string_view text,
                                             absl::string_view origin);

  // Checks the `authorization` metadata value of a call (empty when the
  // call has none) against the scope the RPC needs. UNAUTHENTICATED without
  // a valid token; PERMISSION_DENIED when the caller's scope is too small.
  // On success `*grant` (if not null) is the caller's name and permissions.
  absl::Status Check(absl::string_view authorization, Scope needed,
                     Grant* grant) const;

  size_t callers() const { return callers_.size(); }

 private:
  struct Caller {
    Grant grant;
    Scope scope;
    std::string token_sha256;  // 32 raw bytes.
  };
  std::vector<Caller> callers_;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_AUTH_H_
