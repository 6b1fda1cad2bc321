// The incremental resolution engine: records in, stable customer keys out.
//
// Records arrive one by one or in batches from the web, app, store and call
// center. Each is normalised, its candidates are found through the
// blocking-key index of the graph (exact identifiers are blocking keys too),
// scored with the same Fellegi-Sunter model as `idr dedup`, and then it
//   - starts a new customer (no candidate links),
//   - attaches to the customer it links to, or
//   - merges the customers it links to, when the over-merge policy allows.
// All of it happens in one storage transaction: a failure leaves nothing.
//
// Over-merge policy (docs/engine.md):
//   1. Shared values stop being evidence: an identifier value (e-mail, phone,
//      device, loyalty, login, national id) carried by more than
//      shared_value_limit records is treated as missing when scoring, and a
//      block larger than max_block_size proposes no candidates.
//   2. Exclusive identifiers (loyalty card, login id, national id): a
//      customer never holds two different values of one. A candidate with a
//      different value is not linked; a merge that would join two is held.
//   3. Bridges: two customers merge through a new record only when the
//      record links to every record of the smaller one (as `idr dedup`'s
//      clustering guard), or links to one of them through an exclusive
//      identifier (the loyalty card is the master key).
//   4. A merge that would make a customer larger than max_customer_records,
//      or join customers a person separated (Unmerge), is held.
// A merge held by rule 2 or 4 goes to the review queue with its reason when
// its link is strong (review_min_probability); weak bridges are not merged
// and not queued. The record attaches to its best customer.
//
// Stable keys: a customer's key is fixed when it is created. When customers
// merge, the oldest (first created) survives and every other key, and every
// key that already redirected to them, redirects to it. Resolve of an old
// key returns the surviving key.
//
// Threads: any number of threads may call the engine. Writes (Ingest, Merge,
// Unmerge, Forget) are serialised on one writer connection; reads (Resolve,
// GetProfile, Explain, Stats) run concurrently on reader connections and see
// committed data (SQLite WAL): everything this engine committed before the
// call, and another process's commits at most 10 ms late (an idle reader
// keeps its snapshot that long while this engine commits nothing).

#ifndef IDR_IDENTITY_ENGINE_H_
#define IDR_IDENTITY_ENGINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "matching/dedup.h"
#include "matching/field_type.h"
#include "matching/names.h"
#include "matching/prepare.h"
#include "storage/graph_store.h"

namespace idr::identity {

// Channels, numbered as idr.v1.Channel.
enum class Channel { kUnknown = 0, kWeb, kApp, kStore, kCallCenter, kOther };

// "web", "app", "store", "call_center", "other", "unknown".
const char* ChannelName(Channel channel);
// Parses a channel name leniently ("Call Center", "call-center", "callcenter"
// all mean kCallCenter); anything unrecognised that is not empty is kOther.
Channel ParseChannel(absl::string_view text);

// A field of the graph: an input column and the field type it is mapped to.
struct FieldSpec {
  std::string column;
  matching::FieldType type = matching::FieldType::kString;
};

// One source record.
struct SourceRecord {
  std::string source_id;  // Required, unique per source record.
  Channel channel = Channel::kUnknown;
  int64_t seen_at = 0;  // Unix seconds; 0 = now.
  // (column, raw value); columns must be fields of the graph. Empty values
  // are missing.
  std::vector<std::pair<std::string, std::string>> values;
  // Descriptive attributes kept for the profile, not matched on (loyalty
  // tier, points ...).
  std::vector<std::pair<std::string, std::string>> attributes;
};

// What the graph is built with. Fixed when the graph is created; stored in it.
struct GraphSchema {
  std::vector<FieldSpec> fields;
  matching::DedupModel model;  // Trained for these fields.
  double threshold = 0.5;      // Match probability that links.
  // Set when the graph is opened: 16 hex digits of XXH3 of the stored
  // model, so explanations say which model scored them.
  std::string model_version;
  // Records the model was trained on: term frequencies count at least this
  // many records, so the first records of a new graph are not scored as if
  // every value were rare.
  int64_t trained_records = 0;
  std::string phone_region = "ZZ";
  matching::DateOrder date_order = matching::DateOrder::kDayMonthYear;
};

struct EngineOptions {
  // Required when the store holds no graph yet; otherwise empty or equal to
  // the stored schema's fields.
  std::optional<GraphSchema> schema;
  // Chinese-aware name normalisation; must outlive the engine. When null,
  // names are only folded (a graph must always be used with the same choice).
  const matching::NameNormalizer* names = nullptr;
  // Blocks with this many records or more propose no candidates.
  // Default: 100 (as `idr dedup`).
  int max_block_size = 100;
  // Candidate records scored per record ingested or resolved, of those its
  // blocks propose: the ones sharing the rarest evidence with it (blocking
  // keys and whole values, weighed by inverse frequency; docs/engine.md).
  // Without a limit a graph's blocks fill up as it grows, and every record
  // costs more to place. 0: no limit. Default: 96.
  int max_candidate_records = 96;
  // An identifier value carried by more records than this is no evidence.
  // Default: 50.
  int64_t shared_value_limit = 50;
  // A merge held back by a rule (other than a weak bridge, which batch
  // clustering leaves out too, or a separation) goes to the review queue
  // when its link is at least this probable or through an exclusive
  // identifier. Default: 0.999.
  double review_min_probability = 0.999;
  // Merges that would make a customer larger are held. Default: 1000.
  int64_t max_customer_records = 1000;
  // Links kept per record (explanations and re-clustering), strongest
  // first. Default: 8.
  int max_links_per_record = 8;
  // While the graph holds at most this many records, the writer keeps every
  // record's customer, every link and every customer in memory
  // (storage/graph_mirror.h, about 240 bytes a record): deciding, re-clustering
  // and the exclusive-identifier check then read no rows. 0: never. Default:
  // 20,000,000.
  int64_t mirror_max_records = 20'000'000;
  // Clock (Unix seconds) for times not given by records. Default: now.
  std::function<int64_t()> now;
};

enum class Outcome {
  kCreated,    // A new customer.
  kAttached,   // Joined one existing customer.
  kMerged,     // Joined and merged several customers.
  kUnchanged,  // Source id already ingested: nothing written.
  kForgotten,  // Source id was forgotten: rejected, nothing written.
};
const char* OutcomeName(Outcome outcome);

struct IngestResult {
  Outcome outcome = Outcome::kCreated;
  std::string key;                       // The record's customer.
  std::vector<std::string> merged_keys;  // Keys that now redirect to key.
  // New customers split off the record's customer when it no longer held
  // together (see ReclusterCustomer in docs/engine.md).
  std::vector<std::string> split_keys;
  int held_for_review = 0;      // Merges held back.
  bool deterministic = false;   // Linked by an exclusive identifier.
  double best_probability = 0;  // Of the strongest link, if any.
};

// Per-record outcome of a batch: a result or the record's own error.
using BatchResult = std::vector<absl::StatusOr<IngestResult>>;

// Engine::IngestStream's source: fills the next batch (an empty batch ends
// the stream; an error stops it).
using StreamSource = std::function<absl::Status(std::vector<SourceRecord>*)>;
// Engine::IngestStream's sink: gets each batch with its results once it is
// committed (an error stops the stream).
using StreamSink = std::function<absl::Status(
    const std::vector<SourceRecord>& batch, BatchResult results)>;

struct PreparedAhead;  // engine.cc.

// A field's contribution to a link or a resolve.
struct FieldWeight {
  std::string column;
  std::string level;  // The comparison level's label ("exact", "jw >= 0.92").
  double weight = 0;  // log2 Bayes factor, TF adjustment included.
  // The compared (normalised) values, only when asked for: of the record
  // explained (a resolve: the candidate's record) and of the other (a
  // resolve: the probe). Empty where a record has none.
  std::string value;
  std::string other_value;
  // The comparison (index into the model's comparisons) and its level, for
  // the model's parameters of it (m, u, the level's weight).
  int comparison = -1;
  int level_index = 0;
};

struct ResolveCandidate {
  std::string key;
  double weight = 0;  // Match weight of the best record.
  double probability = 0;
  bool deterministic = false;  // Shares an exclusive identifier.
  std::string best_record;     // Source id of the best matching record.
  std::string rule;            // Blocking rule that found it.
  int rule_index = -1;         // Its index in the model.
  std::vector<FieldWeight> fields;
};

struct ResolveResult {
  std::string key;  // Empty when nothing links.
  enum class Kind { kNone, kKey, kRedirect, kRecord, kExact, kProbabilistic };
  Kind kind = Kind::kNone;
  std::string redirected_from;
  double probability = 0;
  std::vector<ResolveCandidate> candidates;  // Strongest first.
};

struct ValueSummary {
  std::string value;
  int64_t records = 0;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
  std::vector<Channel> channels;
};

struct ProfileField {
  std::string column;
  matching::FieldType type;
  std::string best;  // By the survivorship rule.
  std::string rule;  // "most frequent", "most recent", "source priority".
  std::vector<ValueSummary> values;  // Every value, most records first.
};

struct ChannelActivity {
  Channel channel;
  int64_t records = 0;
  int64_t first_seen = 0;
  int64_t last_seen = 0;
};

struct MemberRecord {
  std::string source_id;
  Channel channel = Channel::kUnknown;
  int64_t seen_at = 0;  // Unix seconds.
};

struct Profile {
  std::string key;
  std::string redirected_from;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  int64_t records = 0;
  std::vector<ProfileField> fields;
  std::vector<ChannelActivity> channels;
  // Attribute name -> most recent value.
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::string> old_keys;  // Keys that redirect here.
  // Every record of the customer, most recently seen first (ties: by
  // source id).
  std::vector<MemberRecord> members;
};

struct RecordLink {
  std::string other_record;  // Source id.
  double weight = 0;
  double probability = 0;
  std::string reason;  // Blocking rule, "manual", "exclusive identifier".
  // The model rule that scored it; -1 a manual merge, -2 a shared
  // exclusive identifier (its fields then come from the rule that found it).
  int rule = -1;
  std::vector<FieldWeight> fields;
};

struct RecordExplanation {
  std::string source_id;
  Channel channel;
  int64_t seen_at = 0;
  std::vector<RecordLink> links;  // Links inside the customer.
};

struct Explanation {
  std::string key;
  std::vector<RecordExplanation> records;
  std::vector<storage::AuditRow> history;  // Merges, unmerges, reviews.
};

// Why a person or system asked for a manual change (Merge, Unmerge, Forget)
// and on whose behalf: both go into the audit log. A plain string is a
// reason without an actor (the command line's case).
struct Attribution {
  Attribution(const char* why) : reason(why) {}      // NOLINT: implicit.
  Attribution(std::string why, std::string by = "")  // NOLINT: implicit.
      : reason(std::move(why)), actor(std::move(by)) {}
  std::string reason;  // Free text, e.g. "agent verified by phone, #4711".
  std::string actor;   // E.g. "agent:jdoe"; empty when not given.
};

// What a manual change did beside its result (for the API's responses).
struct ManualOutcome {
  bool replayed = false;  // The result is the one a retry's first call kept.
  int64_t audit_seq = 0;  // Its audit entry (a multi-merge's last; an
                          // unmerge into several customers' first).
  int64_t identifiers_erased = 0;  // Forget: identifier values erased.
};

struct GraphStats {
  int64_t records = 0;
  int64_t customers = 0;
  int64_t reviews = 0;
  int64_t bytes = 0;
  double bytes_per_record = 0;
};

class Engine {
 public:
  // Opens the graph in `store`, creating it from options.schema when the
  // store is empty. FAILED_PRECONDITION when the store holds no graph and no
  // schema is given, or a different one.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(
      std::unique_ptr<storage::GraphStore> store, EngineOptions options);

  // The fields of the graph in `store`, or nullopt when it holds none yet
  // (to set up a name normaliser before Open).
  static absl::StatusOr<std::optional<std::vector<FieldSpec>>> StoredFields(
      storage::GraphStore* store);

  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Ingests one record in one transaction. INVALID_ARGUMENT for a bad record
  // (no source id, no value, an unknown column, invalid UTF-8, a value over
  // 1 KiB); the storage's error when it fails (nothing is written).
  absl::StatusOr<IngestResult> Ingest(const SourceRecord& record);

  // Ingests records in order in one transaction (later records see earlier
  // ones). A bad record gets its own error and is skipped; a storage failure
  // fails the whole batch (returned as the status; nothing is written).
  absl::StatusOr<BatchResult> IngestBatch(
      const std::vector<SourceRecord>& records);

  // Ingests the batches `next` gives, each in its own transaction, exactly
  // as IngestBatch would one after another, but faster: while one batch is
  // written and committed, the next one's records are validated and
  // normalised (on the ingest's helper thread, for batches of 64 records or
  // more). `done` gets each batch's results after its commit. Returns the
  // first error of `next` or `done`, or the status of a batch that failed
  // as a whole; the batches before it stay committed (as does the batch
  // `next` gave before it failed: it reads one batch ahead).
  absl::Status IngestStream(const StreamSource& next, const StreamSink& done);

  // The customer of a key: its own or the one it redirects to. NOT_FOUND for
  // an unknown key.
  absl::StatusOr<ResolveResult> ResolveKey(const std::string& key);
  // The customer of an ingested source record. NOT_FOUND if unknown.
  absl::StatusOr<ResolveResult> ResolveRecord(const std::string& source_id);
  // The customer the values point to, exactly (shared exclusive identifier)
  // or probabilistically (best link at or above the threshold), with up to
  // `max_candidates` candidates. Never writes. With `with_values`, each
  // candidate's field weights carry the compared values.
  absl::StatusOr<ResolveResult> Resolve(const SourceRecord& probe,
                                        int max_candidates = 5,
                                        bool with_values = false);

  // The 360° profile of a key (an old key gives the surviving customer's).
  absl::StatusOr<Profile> GetProfile(const std::string& key);
  // Why each record of the customer belongs, and its merge history. With
  // `with_values`, each link's field weights carry the compared values.
  absl::StatusOr<Explanation> Explain(const std::string& key,
                                      bool with_values = false);

  // Merge, Unmerge and Forget take an optional request id: the first call
  // with it stores its result in the same transaction, and a retry with the
  // same id returns that result without acting again (FAILED_PRECONDITION
  // when the retry asks for something else). Results are kept
  // kRequestResultSeconds, at least. Scope ids to their caller (the service
  // prefixes the caller's name); an empty id disables this.
  static constexpr int64_t kRequestResultSeconds = 24 * 3600;

  // Merges two customers by hand (a person decided). The older key survives.
  // INVALID_ARGUMENT when both keys name the same customer;
  // FAILED_PRECONDITION when they hold different values of an exclusive
  // identifier. Returns the surviving key.
  absl::StatusOr<std::string> Merge(const std::string& key_a,
                                    const std::string& key_b,
                                    const Attribution& why);
  // Merges 2 or more customers in one transaction, in order (the first
  // with the second, the result with the third ...); all or none.
  // `*outcome` (if not null) tells whether the result is a stored one, and
  // its audit entry.
  absl::StatusOr<std::string> Merge(const std::vector<std::string>& keys,
                                    const Attribution& why,
                                    const std::string& request_id,
                                    ManualOutcome* outcome = nullptr);
  // Moves the named records of a customer to a new customer, which is kept
  // apart from it from then on. INVALID_ARGUMENT when a record is not the
  // customer's or all of them are named. Returns the new key.
  absl::StatusOr<std::string> Unmerge(const std::string& key,
                                      const std::vector<std::string>& records,
                                      const Attribution& why,
                                      const std::string& request_id = "",
                                      ManualOutcome* outcome = nullptr);
  // As Unmerge, each named record becoming a customer of its own, kept apart
  // from the customer and from the others (at most kMaxUnmergeEach records).
  // Returns the new keys in the order of `records`.
  static constexpr size_t kMaxUnmergeEach = 100;
  absl::StatusOr<std::vector<std::string>> UnmergeEach(
      const std::string& key, const std::vector<std::string>& records,
      const Attribution& why, const std::string& request_id = "",
      ManualOutcome* outcome = nullptr);
  // Erases the customer: every record, link, value only it carried, its key
  // and the keys redirecting to it; keeps a keyed hash of each source id so a
  // replay of those records is rejected. Returns the records erased.
  absl::StatusOr<int64_t> Forget(const std::string& key, const Attribution& why,
                                 const std::string& request_id = "",
                                 ManualOutcome* outcome = nullptr);

  // The change outbox: changes with sequence > `after`, oldest first, at
  // most `limit` (created, updated, merged, unmerged, forgotten).
  absl::StatusOr<std::vector<storage::ChangeRow>> ReadChanges(int64_t after,
                                                              int limit);
  // The newest change's sequence (0 when none).
  absl::StatusOr<int64_t> LastChangeSeq();
  // A counter of committed writes. WaitForCommit blocks until it passes
  // `seen` or `timeout` elapses, and returns it (for change streams that
  // sleep until there is something new).
  int64_t CommitCount();
  int64_t WaitForCommit(int64_t seen, absl::Duration timeout);

  // Pending review items, oldest first.
  absl::StatusOr<std::vector<storage::ReviewRow>> Reviews(int limit);
  absl::StatusOr<GraphStats> Stats();
  // Calls `visit(source_id, key)` for every record.
  absl::Status ForEachRecordKey(
      const std::function<void(const std::string&, const std::string&)>& visit);

  // Checks the graph's invariants: every record's customer exists, each
  // customer's size is its record count and no customer is empty, links join
  // existing records, value counts match the records that carry them, the
  // per-field counts of the term frequencies are right, and the values the
  // engine holds in memory (values, the writer's mirror of the graph's shape)
  // are the stored ones. DATA_LOSS names the first
  // broken one. Reads every record, and holds writes back meanwhile: for
  // tests and `idr check`.
  absl::Status CheckConsistency();

  // Builds the in-memory blocking-key index, value table and the writer's
  // mirror of the graph (EngineOptions::mirror_max_records) now; the first
  // resolve or ingest would otherwise. It reads every record and link:
  // about 3.5 s for a million records. A no-op once built.
  absl::Status BuildIndex();

  // The match probability at or above which records link.
  double threshold() const { return schema_.threshold; }

  // The graph's fields, in order.
  const std::vector<FieldSpec>& fields() const { return schema_.fields; }
  // The graph's fields, model and threshold (read-only; fixed once open).
  const GraphSchema& schema() const { return schema_; }

  struct Internals;  // engine_internal.h: the pieces the .cc files share.

 private:
  Engine(std::unique_ptr<storage::GraphStore> store, EngineOptions options);
  // IngestBatch, with the batch's records prepared ahead in `prepared` (may
  // be empty), and the stream's next batch (may be null) to prepare into
  // `next_prepared` meanwhile.
  absl::StatusOr<BatchResult> IngestGroup(
      const std::vector<SourceRecord>& records, PreparedAhead* prepared,
      const std::vector<SourceRecord>* next, PreparedAhead* next_prepared);

  std::unique_ptr<Internals> in_;
  GraphSchema schema_;
};

}  // namespace idr::identity

#endif  // IDR_IDENTITY_ENGINE_H_
