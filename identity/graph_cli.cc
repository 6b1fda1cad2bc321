#include "identity/graph_cli.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "identity/graph_commands.h"

namespace idr::identity {

struct GraphCli::State {
  CLI::App *ingest, *clusters, *resolve, *profile, *explain, *merge, *unmerge,
      *forget, *reviews, *stats, *check;
  IngestCommandOptions ingest_options;
  ResolveCommandOptions resolve_options;
  std::string db, key, other_key, output, reason, actor;
  std::vector<std::string> records;
  int limit = 100;
  bool values = false;  // explain --values.
  // --email etc. of resolve, by field type.
  std::vector<std::pair<std::string, std::string>> typed = {
      {"email", ""},      {"phone", ""},      {"full_name", ""},
      {"given_name", ""}, {"family_name", ""}, {"birth_date", ""},
      {"loyalty_id", ""}, {"login_id", ""},    {"device_id", ""},
      {"national_id", ""}, {"postcode", ""}};
};

namespace {

CLI::App* Command(CLI::App& app, const char* name, const char* help,
                  std::string* db) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("--db", *db, "SQLite identity graph file")->required();
  return cmd;
}

// The audit log's who and why of a manual command: --actor, else the
// operating-system user at the command line.
Attribution Why(const std::string& reason, const std::string& actor) {
  if (!actor.empty()) return Attribution(reason, actor);
  const char* user = std::getenv("USER");
  return Attribution(reason, user != nullptr && *user != '\0'
                                 ? std::string("cli:") + user
                                 : std::string("cli"));
}

}  // namespace

GraphCli::GraphCli(CLI::App& app) : state_(std::make_unique<State>()) {
  State& s = *state_;
  IngestCommandOptions& in = s.ingest_options;
  s.ingest = Command(
      app, "ingest",
      "Ingest the rows of a CSV file one by one through the resolution "
      "engine into the identity graph (created on first use, with a model "
      "trained on the file without labels, or --model). Idempotent: records "
      "already ingested are left unchanged. See docs/engine.md.",
      &in.db_path);
  s.ingest->add_option("--input", in.input_path, "input CSV (header row)")
      ->required();
  s.ingest->add_option("--id-column", in.id_column, "unique record id column")
      ->capture_default_str();
  s.ingest->add_option("--channel-column", in.channel_column,
                       "channel column (web, app, store, call_center); "
                       "default: 'channel' if present");
  s.ingest->add_option("--time-column", in.time_column,
                       "when each record was seen (RFC 3339 or Unix seconds); "
                       "default: 'observed_at' if present, else now");
  s.ingest->add_option("--field", in.fields,
                       "COLUMN=TYPE, repeatable (types as idr dedup); without "
                       "--field, columns are mapped by name");
  s.ingest->add_option("--ignore-column", in.ignore_columns,
                       "column never mapped by name (repeatable)");
  s.ingest->add_option("--attribute", in.attribute_columns,
                       "column kept for the profile but not matched on, e.g. "
                       "loyalty_tier (repeatable)");
  s.ingest->add_option("--model", in.model_path,
                       "new graph: use this model (idr dedup --save-model) "
                       "instead of training");
  s.ingest->add_option("--threshold", in.threshold,
                       "new graph: match probability that links (default: the "
                       "model's, 0.5)");
  s.ingest->add_option("--batch", in.batch, "records per transaction")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  s.ingest->add_option("--threads", in.threads,
                       "threads for training (0 = all cores)")
      ->capture_default_str();
  s.ingest->add_option("--phone-region", in.phone_region,
                       "new graph: region for national phone numbers")
      ->capture_default_str();
  s.ingest->add_option("--date-order", in.date_order,
                       "new graph: ambiguous dates, dmy or mdy")
      ->capture_default_str();
  s.ingest->add_flag("--quiet", in.quiet, "print no summary");
  s.ingest->add_flag("--acks", in.acks,
                     "print record_id,customer_key on stdout for each record "
                     "once its batch is committed");

  s.clusters = Command(app, "clusters",
                       "Write record_id,customer_key for every record.", &s.db);
  s.clusters->add_option("--output", s.output, "CSV file to write")
      ->required();

  ResolveCommandOptions& r = s.resolve_options;
  s.resolve = Command(
      app, "resolve",
      "Find the customer of an old key, a source record, or identifiers and "
      "attributes (exactly through an exclusive identifier, else "
      "probabilistically), with candidates and per-field weights. Never "
      "writes.",
      &r.db_path);
  s.resolve->add_option("--key", r.key, "a customer key (old keys redirect)");
  s.resolve->add_option("--record", r.record, "a source record id");
  for (auto& [type, value] : s.typed) {
    std::string flag = "--" + type;
    for (char& c : flag) c = c == '_' ? '-' : c;
    if (type == "full_name") flag = "--name";
    s.resolve->add_option(flag, value,
                          "value for the graph's first " + type + " field");
  }
  s.resolve->add_option("--value", r.values,
                        "COLUMN=VALUE for any field (repeatable)");
  s.resolve->add_option("--candidates", r.max_candidates,
                        "candidates to list")
      ->capture_default_str();

  s.profile = Command(app, "profile",
                      "Print the 360° profile of a customer key (JSON): best "
                      "values, every identifier, per-channel first/last seen.",
                      &s.db);
  s.profile->add_option("key", s.key, "customer key")->required();
  s.explain = Command(app, "explain",
                      "Print why each record belongs to the customer (links "
                      "with per-field weights) and its merge history.",
                      &s.db);
  s.explain->add_option("key", s.key, "customer key")->required();
  s.explain->add_flag("--values", s.values,
                      "also print the two normalised values each field "
                      "compared (personal data)");
  s.merge = Command(app, "merge",
                    "Merge two customers by hand; the older key survives.",
                    &s.db);
  s.merge->add_option("key", s.key, "customer key")->required();
  s.merge->add_option("other_key", s.other_key, "customer key")->required();
  s.merge->add_option("--reason", s.reason, "why (kept in the audit log)");
  s.merge->add_option("--actor", s.actor,
                      "on whose behalf (kept in the audit log; default "
                      "cli:$USER)");
  s.unmerge = Command(app, "unmerge",
                      "Split the named records off a customer into a new "
                      "customer, kept apart from it from then on.",
                      &s.db);
  s.unmerge->add_option("key", s.key, "customer key")->required();
  s.unmerge->add_option("--record", s.records, "source record id (repeatable)")
      ->required();
  s.unmerge->add_option("--reason", s.reason, "why (kept in the audit log)");
  s.unmerge->add_option("--actor", s.actor,
                        "on whose behalf (kept in the audit log; default "
                        "cli:$USER)");
  s.forget = Command(app, "forget",
                     "Erase a customer (GDPR/CCPA): records, values only it "
                     "had, keys; replays of its records stay forgotten.",
                     &s.db);
  s.forget->add_option("key", s.key, "customer key")->required();
  s.forget->add_option("--reason", s.reason, "why (kept in the audit log)");
  s.forget->add_option("--actor", s.actor,
                       "on whose behalf (kept in the audit log; default "
                       "cli:$USER)");
  s.reviews = Command(app, "reviews",
                      "List the merges held for review (JSON).", &s.db);
  s.reviews->add_option("--limit", s.limit, "at most this many")
      ->capture_default_str();
  s.stats = Command(app, "stats",
                    "Records, customers, review queue and bytes per record.",
                    &s.db);
  s.check = Command(app, "check",
                    "Check the graph's invariants (every record in exactly "
                    "one existing customer, sizes, links, value counts); "
                    "exit 1 naming the first broken one.",
                    &s.db);
}

GraphCli::~GraphCli() = default;

int GraphCli::Run() {
  State& s = *state_;
  if (s.ingest->parsed()) return ExitCode("ingest", Ingest(s.ingest_options));
  if (s.clusters->parsed()) {
    return ExitCode("clusters", WriteClusters(s.db, s.output));
  }
  if (s.resolve->parsed()) {
    for (const auto& [type, value] : s.typed) {
      if (!value.empty()) s.resolve_options.typed_values.emplace_back(type, value);
    }
    return ExitCode("resolve", Resolve(s.resolve_options));
  }
  if (s.profile->parsed()) return ExitCode("profile", PrintProfile(s.db, s.key));
  if (s.explain->parsed()) {
    return ExitCode("explain", PrintExplanation(s.db, s.key, s.values));
  }
  if (s.merge->parsed()) {
    return ExitCode(
        "merge", MergeKeys(s.db, s.key, s.other_key, Why(s.reason, s.actor)));
  }
  if (s.unmerge->parsed()) {
    return ExitCode("unmerge", UnmergeRecords(s.db, s.key, s.records,
                                              Why(s.reason, s.actor)));
  }
  if (s.forget->parsed()) {
    return ExitCode("forget", ForgetKey(s.db, s.key, Why(s.reason, s.actor)));
  }
  if (s.reviews->parsed()) return ExitCode("reviews", PrintReviews(s.db, s.limit));
  if (s.stats->parsed()) return ExitCode("stats", PrintStats(s.db));
  if (s.check->parsed()) return ExitCode("check", CheckGraph(s.db));
  return -1;
}

}  // namespace idr::identity
