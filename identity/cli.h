// The `idr` command line: subcommands, flags and their --help.

#ifndef IDR_IDENTITY_CLI_H_
#define IDR_IDENTITY_CLI_H_

namespace idr::identity {

// Parses argv, runs the chosen subcommand and returns the process exit code:
// 0 on success, 1 when the command failed (one line on stderr says why), 2 for
// a usage error (unknown flag, missing or invalid value).
int RunIdr(int argc, char** argv);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_CLI_H_
