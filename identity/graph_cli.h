// The graph subcommands of the idr binary (graph_commands.h), registered on
// the CLI11 app by cli.cc.

#ifndef IDR_IDENTITY_GRAPH_CLI_H_
#define IDR_IDENTITY_GRAPH_CLI_H_

#include <CLI/CLI.hpp>
#include <memory>

namespace idr::identity {

class GraphCli {
 public:
  // Adds ingest, clusters, resolve, profile, explain, merge, unmerge,
  // forget, reviews, stats and check to `app`.
  explicit GraphCli(CLI::App& app);
  ~GraphCli();
  // The exit code of the parsed graph subcommand, or -1 if none was parsed.
  int Run();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_GRAPH_CLI_H_
