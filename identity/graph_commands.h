// The identity graph from the command line, like the sqlite3 shell for it:
// idr ingest, clusters, resolve, profile, explain, merge, unmerge, forget,
// reviews and stats. Every command opens the SQLite graph at --db; results
// are JSON on stdout, progress and summaries on stderr. Errors: one line on
// stderr and exit 1.

#ifndef IDR_IDENTITY_GRAPH_COMMANDS_H_
#define IDR_IDENTITY_GRAPH_COMMANDS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "identity/engine.h"

namespace idr::identity {

struct IngestCommandOptions {
  std::string db_path;
  std::string input_path;
  std::string id_column = "record_id";
  // Defaults: "channel" and "observed_at" when the file has them.
  std::string channel_column;
  std::string time_column;
  std::vector<std::string> fields;  // "column=type"; empty: guess by name
  std::vector<std::string> ignore_columns;
  std::vector<std::string> attribute_columns;  // kept for the profile
  std::string model_path;  // for a new graph: use it instead of training
  double threshold = -1;   // for a new graph; < 0: the model's or 0.5
  int batch = 1000;        // records per transaction
  int threads = 0;         // for training; 0 = all cores
  std::string phone_region = "ZZ";
  std::string date_order = "dmy";
  bool quiet = false;
  // Print each record's source id and customer key on stdout once its batch
  // is committed (durable), for pipelines that track acknowledgements.
  bool acks = false;
};
// Ingests the rows of a CSV file one by one through the engine. A new graph
// is created with the mapped fields and a model trained on the file (no
// labels) or loaded with --model. Re-running is idempotent.
absl::Status Ingest(const IngestCommandOptions& options);

// Writes record_id,customer_key for every record.
absl::Status WriteClusters(const std::string& db_path,
                           const std::string& output_path);

struct ResolveCommandOptions {
  std::string db_path;
  std::string key;     // resolve an (old) key
  std::string record;  // resolve a source record id
  // (field type name, value): --email, --phone, --name ... go to the first
  // graph field of that type.
  std::vector<std::pair<std::string, std::string>> typed_values;
  std::vector<std::string> values;  // "column=value"
  int max_candidates = 5;
};
absl::Status Resolve(const ResolveCommandOptions& options);

absl::Status PrintProfile(const std::string& db_path, const std::string& key);
// With `values`, each field weight shows the two normalised values compared.
absl::Status PrintExplanation(const std::string& db_path,
                              const std::string& key, bool values);
absl::Status MergeKeys(const std::string& db_path, const std::string& key_a,
                       const std::string& key_b, const Attribution& why);
absl::Status UnmergeRecords(const std::string& db_path, const std::string& key,
                            const std::vector<std::string>& records,
                            const Attribution& why);
absl::Status ForgetKey(const std::string& db_path, const std::string& key,
                       const Attribution& why);
absl::Status PrintReviews(const std::string& db_path, int limit);
absl::Status PrintStats(const std::string& db_path);
// Checks the graph's invariants (Engine::CheckConsistency).
absl::Status CheckGraph(const std::string& db_path);

// Runs `command` and maps its status to an exit code (0, or 1 with
// "idr <name>: message" on stderr).
int ExitCode(const char* name, const absl::Status& status);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_GRAPH_COMMANDS_H_
