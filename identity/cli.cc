#include "identity/cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "identity/dedup_command.h"
#include "identity/eval_command.h"
#include "identity/gen_command.h"
#include "identity/graph_cli.h"
#include "identity/serve_command.h"

namespace idr::identity {

int RunIdr(int argc, char** argv) {
  CLI::App app{
      "idr: unified customer identity resolution.\n"
      "Links the records of one customer across web, app, store and call "
      "center\nand keeps that customer's profile.",
      "idr"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("idr 0.1.0 (API idr.v1)"));

  ServerOptions serve;
  CLI::App* serve_cmd = app.add_subcommand(
      "serve",
      "Run the gRPC identity service (idr.v1.IdentityService, gRPC health "
      "checking and server reflection) on the identity graph in an embedded "
      "SQLite file; a new file gets the default fields and the built-in "
      "model (docs/api.md). Stops cleanly on SIGINT/SIGTERM.");
  serve_cmd
      ->add_option("--db", serve.db_path,
                   "SQLite database file; created with its schema if absent "
                   "(its directory must exist)")
      ->required();
  serve_cmd->add_option("--tls-cert", serve.tls_cert_path,
                        "TLS certificate chain (PEM); with --tls-key");
  serve_cmd->add_option("--tls-key", serve.tls_key_path,
                        "TLS private key (PEM)");
  serve_cmd->add_option("--config", serve.config_path,
                        "callers and their tokens, one per line: NAME "
                        "read|read-write TOKEN [values] (values: may see "
                        "identifier values in clear; docs/api.md)");
  serve_cmd->add_flag("--insecure", serve.insecure,
                      "development: no TLS and no tokens, on a loopback "
                      "address only");
  serve_cmd->add_option("--threads", serve.threads,
                        "threads serving synchronous calls at most (0 = "
                        "gRPC's default); Resolve runs on gRPC's own "
                        "callback threads")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  serve_cmd->add_option("--metrics-listen", serve.metrics_listen,
                        "HOST:PORT of the Prometheus /metrics endpoint "
                        "(port 0 picks one); default: none");
  serve_cmd->add_option("--model", serve.model_path,
                        "a new database's model (idr dedup --save-model on "
                        "data with the default columns); default: built-in");
  serve_cmd
      ->add_option("--listen", serve.listen,
                   "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();

  GenCommandOptions gen;
  CLI::App* gen_cmd = app.add_subcommand(
      "gen",
      "Write synthetic multi-channel customer records with ground truth "
      "(record_id,truth_id,channel,...) as CSV; noise model in "
      "docs/generator.md.");
  gen_cmd->add_option("--records", gen.records, "number of records to write")
      ->required()
      ->check(CLI::PositiveNumber);
  gen_cmd
      ->add_option("--out", gen.out_path,
                   "output CSV file (written to a temporary file, then "
                   "renamed); '-' for stdout")
      ->required();
  gen_cmd->add_option("--seed", gen.seed, "random seed; same seed, same file")
      ->capture_default_str();
  gen_cmd->add_option(
      "--name-seeds", gen.name_seeds_dir,
      "directory with faker_person_names.csv, faker_places.csv; default: "
      "../shared/datasets/cjk_name_seeds if present, else built-in lists");

  DedupCommandOptions dedup;
  CLI::App* dedup_cmd = app.add_subcommand(
      "dedup",
      "Deduplicate (or, with --link-only, link) the records of a CSV file: "
      "blocking, Fellegi-Sunter scoring with m/u learned by EM without labels, "
      "term-frequency adjustment, clustering. Writes record_id,cluster_id for "
      "every record. See docs/dedup.md.");
  dedup_cmd->add_option("--input", dedup.input_path, "input CSV (header row)")
      ->required();
  dedup_cmd->add_option("--output", dedup.output_path, "clusters CSV to write")
      ->required();
  dedup_cmd
      ->add_option("--id-column", dedup.id_column, "unique record id column")
      ->capture_default_str();
  dedup_cmd->add_option(
      "--field", dedup.fields,
      "COLUMN=TYPE, repeatable; TYPE one of given_name family_name full_name "
      "birth_date gender email phone street city postcode country loyalty_id "
      "login_id device_id national_id string exact. Without --field, columns "
      "are mapped by name and the mapping is printed");
  dedup_cmd->add_option("--ignore-column", dedup.ignore_columns,
                        "column never mapped by name (repeatable)");
  dedup_cmd->add_option("--source-column", dedup.source_column,
                        "column naming each record's source");
  dedup_cmd->add_flag("--link-only", dedup.link_only,
                      "link records of different sources only");
  dedup_cmd->add_option("--threshold", dedup.threshold,
                        "match probability at or above which pairs link "
                        "(default 0.5, or the loaded model's)");
  dedup_cmd->add_option("--pairs", dedup.pairs_path,
                        "write the linked pairs with probability and per-field "
                        "levels and weights (the explanation)");
  dedup_cmd->add_option("--save-model", dedup.save_model_path,
                        "write the trained model (JSON)");
  dedup_cmd->add_option("--model", dedup.model_path,
                        "use this model instead of training");
  dedup_cmd
      ->add_option("--threads", dedup.threads, "worker threads (0 = all cores)")
      ->capture_default_str();
  dedup_cmd
      ->add_option("--max-block-size", dedup.max_block_size,
                   "skip blocks with more records (0 = default, 100)")
      ->check(CLI::NonNegativeNumber);
  dedup_cmd->add_option("--truth-column", dedup.truth_column,
                        "ground-truth column: only reported as blocking "
                        "recall, never used to train");
  dedup_cmd
      ->add_option("--phone-region", dedup.phone_region,
                   "region for national phone numbers, e.g. CN, HK, AU")
      ->capture_default_str();
  dedup_cmd
      ->add_option("--date-order", dedup.date_order,
                   "reading of ambiguous dates: dmy or mdy")
      ->capture_default_str();
  dedup_cmd->add_flag("--quiet", dedup.quiet,
                      "print no mapping and no summary");

  EvalCommandOptions eval;
  CLI::App* eval_cmd = app.add_subcommand(
      "eval",
      "Score a clustering against ground truth: pairwise precision, recall, "
      "F1, cluster counts and sizes. Every record must be in both files.");
  eval_cmd
      ->add_option("--clusters", eval.clusters_path,
                   "clusters CSV (idr dedup output: record_id,cluster_id)")
      ->required();
  eval_cmd
      ->add_option("--truth", eval.truth_path,
                   "CSV holding the id column and the truth column")
      ->required();
  eval_cmd->add_option("--truth-column", eval.truth_column, "truth column")
      ->capture_default_str();
  eval_cmd->add_option("--id-column", eval.id_column, "record id column")
      ->capture_default_str();
  eval_cmd
      ->add_option("--cluster-column", eval.cluster_column,
                   "cluster column of the clusters file")
      ->capture_default_str();
  eval_cmd->add_flag("--json", eval.json, "print one JSON object");

  GraphCli graph(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "idr: " << e.what() << " (see idr --help)\n";
    return 2;
  }
  if (serve_cmd->parsed()) return RunServe(serve);
  if (gen_cmd->parsed()) return RunGen(gen);
  if (eval_cmd->parsed()) return RunEval(eval);
  if (dedup_cmd->parsed()) return RunDedup(dedup);
  const int code = graph.Run();
  return code >= 0 ? code : 2;
}

}  // namespace idr::identity
