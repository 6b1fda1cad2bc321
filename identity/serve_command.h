// `idr serve`: runs the identity service until SIGINT or SIGTERM.

#ifndef IDR_IDENTITY_SERVE_COMMAND_H_
#define IDR_IDENTITY_SERVE_COMMAND_H_

#include "identity/server.h"

namespace idr::identity {

// Starts the server, prints "idr serving idr.v1 on HOST:PORT (db PATH)" on
// stdout once it accepts calls, and on SIGINT/SIGTERM lets in-flight calls
// finish (up to 10 s), closes the database and returns 0. Returns 1 with one
// line on stderr when the server cannot start.
int RunServe(const ServerOptions& options);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_SERVE_COMMAND_H_
