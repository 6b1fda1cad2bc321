#include "identity/graph_commands.h"

#include <unistd.h>

#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "identity/column_mapping.h"
#include "identity/csv_reader.h"
#include "identity/engine.h"
#include "identity/progress_bar.h"
#include "matching/dedup.h"
#include "matching/model_file.h"
#include "matching/prepare.h"
#include "storage/sqlite_graph_store.h"
#include "tools/gen/csv.h"

namespace idr::identity {
namespace {

using matching::FieldType;

std::string Q(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", static_cast<int>(c));
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string Time(int64_t unix_seconds) {
  if (unix_seconds <= 0) return "null";
  return Q(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                            absl::FromUnixSeconds(unix_seconds),
                            absl::UTCTimeZone()));
}

// A graph engine on the SQLite file, with the name normaliser its fields
// need. `schema` creates the graph when the file holds none.
struct OpenGraph {
  std::unique_ptr<matching::NameNormalizer> names;
  std::unique_ptr<Engine> engine;
};

bool HasNameField(const std::vector<FieldSpec>& fields) {
  for (const FieldSpec& f : fields) {
    if (f.type == FieldType::kGivenName || f.type == FieldType::kFamilyName ||
        f.type == FieldType::kFullName) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<OpenGraph> OpenExisting(const std::string& db_path) {
  storage::SqliteGraphStoreOptions store_options;
  store_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<storage::GraphStore>> store =
      storage::OpenSqliteGraphStore(db_path, store_options);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::optional<std::vector<FieldSpec>>> fields =
      Engine::StoredFields(store->get());
  if (!fields.ok()) return fields.status();
  if (!fields->has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        db_path, " holds no identity graph yet (create it with idr ingest)"));
  }
  OpenGraph graph;
  if (HasNameField(**fields)) {
    absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> names =
        matching::NameNormalizer::Create({});
    if (!names.ok()) return names.status();
    graph.names = std::move(*names);
  }
  EngineOptions options;
  options.names = graph.names.get();
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(std::move(*store), std::move(options));
  if (!engine.ok()) return engine.status();
  graph.engine = std::move(*engine);
  return graph;
}

// Parses an observed-at cell: RFC 3339 or Unix seconds; 0 when empty.
absl::StatusOr<int64_t> ParseSeenAt(absl::string_view text) {
  if (text.empty()) return 0;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(text, &seconds)) return seconds;
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) {
    return absl::ToUnixSeconds(t);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is neither RFC 3339 nor Unix seconds"));
}

// Trains a model on every row of the file (no labels) or loads --model.
absl::StatusOr<GraphSchema> TrainSchema(
    const IngestCommandOptions& options,
    const std::vector<ColumnMapping>& mappings,
    const matching::NameNormalizer* names) {
  absl::StatusOr<std::unique_ptr<CsvReader>> reader =
      CsvReader::Open(options.input_path);
  if (!reader.ok()) return reader.status();
  GraphSchema schema;
  schema.phone_region = options.phone_region;
  schema.date_order = options.date_order == "mdy"
                          ? matching::DateOrder::kMonthDayYear
                          : matching::DateOrder::kDayMonthYear;
  matching::PrepareOptions prepare;
  prepare.phone_region = schema.phone_region;
  prepare.date_order = schema.date_order;
  prepare.names = names;
  std::vector<matching::ColumnPreparer> preparers;
  for (const ColumnMapping& m : mappings) {
    preparers.emplace_back(m.name, m.type, prepare);
    schema.fields.push_back({m.name, m.type});
  }
  std::vector<absl::string_view> row;
  uint32_t n = 0;
  {
    ProgressBar bar("reading", (*reader)->bytes_total());
    for (;;) {
      absl::StatusOr<bool> more = (*reader)->Next(&row);
      if (!more.ok()) return more.status();
      if (!*more) break;
      for (size_t i = 0; i < mappings.size(); ++i) {
        preparers[i].Add(MappedValue(mappings[i], row));
      }
      if ((++n & 0x3FFF) == 0) bar.Update((*reader)->bytes_read());
    }
    bar.Update((*reader)->bytes_total());
  }
  if (n == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.input_path, " has no records"));
  }
  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1u, std::thread::hardware_concurrency());
  matching::PreparedColumns columns;
  for (matching::ColumnPreparer& p : preparers) {
    columns.push_back(p.Finish(threads));
  }
  schema.trained_records = n;
  if (!options.model_path.empty()) {
    absl::StatusOr<matching::DedupModel> model =
        matching::LoadModel(options.model_path, columns, &schema.threshold);
    if (!model.ok()) return model.status();
    schema.model = std::move(*model);
  } else {
    matching::DedupOptions dedup;
    dedup.threads = threads;
    PhaseProgress progress;
    absl::StatusOr<matching::DedupResult> result =
        matching::Deduplicate(columns, n, {}, dedup, nullptr, std::ref(progress));
    progress.Finish();
    if (!result.ok()) return result.status();
    schema.model = std::move(result->model);
    schema.threshold = dedup.threshold;
  }
  if (options.threshold > 0) schema.threshold = options.threshold;
  return schema;
}

}  // namespace

absl::Status Ingest(const IngestCommandOptions& options) {
  const absl::Time start = absl::Now();
  if (options.batch < 1) return absl::InvalidArgumentError("--batch must be >= 1");
  if (absl::Status s = CheckMatchingFlags(options.threshold, options.date_order);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<CsvReader>> opened =
      CsvReader::Open(options.input_path);
  if (!opened.ok()) return opened.status();
  CsvReader& reader = **opened;
  auto column = [&](const std::string& name, const char* flag,
                    const char* fallback) -> absl::StatusOr<int> {
    if (name.empty()) return fallback ? reader.ColumnIndex(fallback) : -1;
    const int index = reader.ColumnIndex(name);
    if (index < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(flag, " '", name, "' is not a column of ",
                       options.input_path, " (columns: ",
                       absl::StrJoin(reader.header(), ","), ")"));
    }
    return index;
  };
  absl::StatusOr<int> id_column =
      column(options.id_column, "--id-column", nullptr);
  if (!id_column.ok()) return id_column.status();
  absl::StatusOr<int> channel_column =
      column(options.channel_column, "--channel-column", "channel");
  if (!channel_column.ok()) return channel_column.status();
  absl::StatusOr<int> time_column =
      column(options.time_column, "--time-column", "observed_at");
  if (!time_column.ok()) return time_column.status();
  absl::flat_hash_set<std::string> reserved = {options.id_column, "truth_id",
                                               "record_id", "source"};
  if (*channel_column >= 0) reserved.insert(reader.header()[*channel_column]);
  if (*time_column >= 0) reserved.insert(reader.header()[*time_column]);
  std::vector<std::pair<std::string, int>> attributes;
  for (const std::string& a : options.attribute_columns) {
    absl::StatusOr<int> index = column(a, "--attribute", nullptr);
    if (!index.ok()) return index.status();
    attributes.emplace_back(a, *index);
    reserved.insert(a);
  }
  for (const std::string& c : options.ignore_columns) {
    absl::StatusOr<int> index = column(c, "--ignore-column", nullptr);
    if (!index.ok()) return index.status();
    reserved.insert(c);
  }
  absl::StatusOr<std::vector<ColumnMapping>> mappings =
      MapColumns(options.fields, options.input_path, reader, reserved);
  if (!mappings.ok()) return mappings.status();
  for (const ColumnMapping& m : *mappings) {
    if (m.column == *id_column) {
      return absl::InvalidArgumentError(
          absl::StrCat("the id column '", m.name, "' cannot be a field"));
    }
  }

  absl::StatusOr<std::unique_ptr<storage::GraphStore>> store =
      storage::OpenSqliteGraphStore(options.db_path);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::optional<std::vector<FieldSpec>>> stored =
      Engine::StoredFields(store->get());
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> names =
      NamesFor(*mappings);
  if (!names.ok()) return names.status();
  EngineOptions engine_options;
  if (!stored->has_value()) {
    if (!options.quiet) {
      std::cerr << "idr ingest: new graph, fields "
                << DescribeMapping(*mappings) << "; "
                << (options.model_path.empty()
                        ? "training the model on the input (no labels)"
                        : "model " + options.model_path)
                << "\n";
    }
    absl::StatusOr<GraphSchema> schema =
        TrainSchema(options, *mappings, names->get());
    if (!schema.ok()) return schema.status();
    engine_options.schema = std::move(*schema);
  } else {
    // The graph's own fields: the file's columns must map onto them.
    for (const ColumnMapping& m : *mappings) {
      bool known = false;
      for (const FieldSpec& f : **stored) known |= f.column == m.name;
      if (!known && !options.quiet) {
        std::cerr << "idr ingest: column '" << m.name
                  << "' is not a field of the graph; ignored\n";
      }
    }
    if (!HasNameField(**stored)) names->reset();
    else if (!*names) {
      absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> created =
          matching::NameNormalizer::Create({});
      if (!created.ok()) return created.status();
      *names = std::move(*created);
    }
  }
  engine_options.names = names->get();
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Open(std::move(*store), std::move(engine_options));
  if (!engine.ok()) return engine.status();
  absl::flat_hash_set<std::string> graph_columns;
  for (const FieldSpec& f : (*engine)->fields()) graph_columns.insert(f.column);

  const absl::Time ingest_start = absl::Now();
  int64_t counts[5] = {0, 0, 0, 0, 0};
  int64_t rejected = 0, held = 0, total = 0, empty = 0;
  // The input's line of each record of the batches read and not yet
  // written (IngestStream reads one batch ahead).
  std::deque<std::vector<int64_t>> lines;
  ProgressBar bar("ingesting", reader.bytes_total());
  std::vector<absl::string_view> row;
  auto read_batch = [&](std::vector<SourceRecord>* batch) -> absl::Status {
    std::vector<int64_t> batch_lines;
    while (static_cast<int>(batch->size()) < options.batch) {
      absl::StatusOr<bool> more = reader.Next(&row);
      if (!more.ok()) return more.status();
      if (!*more) break;
      ++total;
      SourceRecord record;
      record.source_id = std::string(row[*id_column]);
      if (*channel_column >= 0) {
        record.channel = ParseChannel(row[*channel_column]);
      }
      if (*time_column >= 0) {
        absl::StatusOr<int64_t> seen = ParseSeenAt(row[*time_column]);
        if (!seen.ok()) {
          if (rejected++ < 5) {
            std::cerr << "idr ingest: " << options.input_path << ":"
                      << reader.line() << ": " << seen.status().message()
                      << "\n";
          }
          continue;
        }
        record.seen_at = *seen;
      }
      for (const ColumnMapping& m : *mappings) {
        if (!graph_columns.contains(m.name)) continue;
        std::string value = MappedValue(m, row);
        if (value.empty()) continue;
        record.values.emplace_back(m.name, std::move(value));
      }
      for (const auto& [name, index] : attributes) {
        if (!row[index].empty()) {
          record.attributes.emplace_back(name, std::string(row[index]));
        }
      }
      // A row without a value to match on (an anonymous visit) is not an
      // error of the file: it is skipped and counted.
      bool any = false;
      for (const auto& [column, value] : record.values) {
        any |= !absl::StripAsciiWhitespace(value).empty();
      }
      if (!any) {
        ++empty;
        continue;
      }
      batch->push_back(std::move(record));
      batch_lines.push_back(reader.line());
    }
    if (!batch->empty()) lines.push_back(std::move(batch_lines));
    return absl::OkStatus();
  };
  auto write_results = [&](const std::vector<SourceRecord>& batch,
                           BatchResult results) -> absl::Status {
    const std::vector<int64_t> batch_lines = std::move(lines.front());
    lines.pop_front();
    for (size_t i = 0; i < results.size(); ++i) {
      const absl::StatusOr<IngestResult>& r = results[i];
      if (!r.ok()) {
        if (rejected++ < 5) {
          std::cerr << "idr ingest: " << options.input_path << ":"
                    << batch_lines[i] << ": " << r.status().message() << "\n";
        }
        continue;
      }
      ++counts[static_cast<int>(r->outcome)];
      held += r->held_for_review;
      if (options.acks) {
        std::cout << batch[i].source_id << "," << r->key << "\n";
      }
    }
    if (options.acks) std::cout.flush();
    bar.Update(reader.bytes_read());
    return absl::OkStatus();
  };
  absl::Status streamed = (*engine)->IngestStream(read_batch, write_results);
  if (!streamed.ok()) return streamed;
  bar.Update(reader.bytes_total());
  bar.Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - ingest_start);
  if (!options.quiet) {
    absl::StatusOr<GraphStats> stats = (*engine)->Stats();
    if (!stats.ok()) return stats.status();
    std::cerr << absl::StrFormat(
        "idr ingest: %d records: %d created, %d attached, %d merged, %d "
        "unchanged, %d forgotten, %d without values (skipped), %d rejected; "
        "%d merges held for review; %.2fs (%.0f records/s), total %.2fs\n"
        "idr ingest: graph %d records, %d customers, %d reviews, %.0f bytes "
        "per record\n",
        total, counts[0], counts[1], counts[2], counts[3], counts[4], empty,
        rejected,
        held, seconds, seconds > 0 ? total / seconds : 0.0,
        absl::ToDoubleSeconds(absl::Now() - start), stats->records,
        stats->customers, stats->reviews, stats->bytes_per_record);
  }
  if (rejected > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(rejected, " records were rejected (the first are listed "
                               "above); the others are in the graph"));
  }
  return absl::OkStatus();
}

absl::Status WriteClusters(const std::string& db_path,
                           const std::string& output_path) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  const std::string temp = absl::StrCat(output_path, ".tmp-", getpid());
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) {
    return absl::UnavailableError(absl::StrCat("cannot write ", output_path));
  }
  out << "record_id,customer_key\n";
  std::string line;
  absl::Status s = graph->engine->ForEachRecordKey(
      [&](const std::string& id, const std::string& key) {
        line.clear();
        gen::AppendCsvField(id, &line);
        line.push_back(',');
        line.append(key);
        line.push_back('\n');
        out << line;
      });
  out.close();
  if (s.ok() && !out) {
    s = absl::DataLossError(absl::StrCat("writing ", output_path, " failed"));
  }
  if (s.ok() && std::rename(temp.c_str(), output_path.c_str()) != 0) {
    s = absl::UnavailableError(absl::StrCat("cannot write ", output_path));
  }
  if (!s.ok()) std::remove(temp.c_str());
  return s;
}

namespace {

// The field weights as JSON; with `values`, the compared values too.
std::string FieldWeightsJson(const std::vector<FieldWeight>& fields,
                             bool values = false) {
  std::vector<std::string> parts;
  for (const FieldWeight& f : fields) {
    parts.push_back(absl::StrFormat(
        "{\"field\":%s,\"level\":%s,\"weight\":%.3f%s}", Q(f.column),
        Q(f.level), f.weight,
        values ? absl::StrCat(",\"value\":", Q(f.value),
                              ",\"other_value\":", Q(f.other_value))
               : ""));
  }
  return absl::StrCat("[", absl::StrJoin(parts, ","), "]");
}

const char* KindName(ResolveResult::Kind kind) {
  switch (kind) {
    case ResolveResult::Kind::kNone:
      return "none";
    case ResolveResult::Kind::kKey:
      return "key";
    case ResolveResult::Kind::kRedirect:
      return "key_redirect";
    case ResolveResult::Kind::kRecord:
      return "record";
    case ResolveResult::Kind::kExact:
      return "exact_identifier";
    case ResolveResult::Kind::kProbabilistic:
      return "probabilistic";
  }
  return "";
}

}  // namespace

absl::Status Resolve(const ResolveCommandOptions& options) {
  const int queries = !options.key.empty() + !options.record.empty() +
                      !(options.values.empty() && options.typed_values.empty());
  if (queries != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of --key, --record, or values (--email, --phone, "
        "--name ..., --value COLUMN=VALUE)");
  }
  absl::StatusOr<OpenGraph> graph = OpenExisting(options.db_path);
  if (!graph.ok()) return graph.status();
  Engine& engine = *graph->engine;
  absl::StatusOr<ResolveResult> result;
  if (!options.key.empty()) {
    result = engine.ResolveKey(options.key);
  } else if (!options.record.empty()) {
    result = engine.ResolveRecord(options.record);
  } else {
    SourceRecord probe;
    for (const auto& [type_name, value] : options.typed_values) {
      absl::StatusOr<FieldType> type = matching::ParseFieldType(type_name);
      if (!type.ok()) return type.status();
      const FieldSpec* field = nullptr;
      for (const FieldSpec& f : engine.fields()) {
        if (f.type == *type && field == nullptr) field = &f;
      }
      if (field == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "the graph has no ", type_name, " field; use --value COLUMN=VALUE"));
      }
      probe.values.emplace_back(field->column, value);
    }
    for (const std::string& v : options.values) {
      std::vector<std::string> kv = absl::StrSplit(v, absl::MaxSplits('=', 1));
      if (kv.size() != 2 || kv[0].empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--value '", v, "' is not COLUMN=VALUE"));
      }
      probe.values.emplace_back(kv[0], kv[1]);
    }
    result = engine.Resolve(probe, options.max_candidates);
  }
  if (!result.ok()) return result.status();
  std::vector<std::string> candidates;
  for (const ResolveCandidate& c : result->candidates) {
    candidates.push_back(absl::StrFormat(
        "    {\"customer_key\":%s,\"match_probability\":%.6f,"
        "\"match_weight\":%.3f,\"exact_identifier\":%s,\"best_record\":%s,"
        "\"blocking_rule\":%s,\"fields\":%s}",
        Q(c.key), c.probability, c.weight, c.deterministic ? "true" : "false",
        Q(c.best_record), Q(c.rule), FieldWeightsJson(c.fields)));
  }
  std::cout << absl::StrFormat(
      "{\n  \"customer_key\": %s,\n  \"match_kind\": %s,\n"
      "  \"match_probability\": %.6f,\n  \"redirected_from\": %s,\n"
      "  \"candidates\": [%s%s%s]\n}\n",
      result->key.empty() ? "null" : Q(result->key), Q(KindName(result->kind)),
      result->probability,
      result->redirected_from.empty() ? "null" : Q(result->redirected_from),
      candidates.empty() ? "" : "\n", absl::StrJoin(candidates, ",\n"),
      candidates.empty() ? "" : "\n  ");
  return absl::OkStatus();
}

absl::Status PrintProfile(const std::string& db_path, const std::string& key) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<Profile> p = graph->engine->GetProfile(key);
  if (!p.ok()) return p.status();
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  std::string out = absl::StrFormat(
      "{\n  \"customer_key\": %s,\n  \"redirected_from\": %s,\n"
      "  \"created_at\": %s,\n  \"updated_at\": %s,\n  \"records\": %d,\n",
      Q(p->key), p->redirected_from.empty() ? "null" : Q(p->redirected_from),
      Time(p->created_at), Time(p->updated_at), p->records);
  std::vector<std::string> fields;
  for (const ProfileField& f : p->fields) {
    std::vector<std::string> values;
    for (const ValueSummary& v : f.values) {
      std::vector<std::string> channels;
      for (Channel c : v.channels) channels.push_back(Q(ChannelName(c)));
      values.push_back(absl::StrFormat(
          "{\"value\":%s,\"records\":%d,\"first_seen\":%s,\"last_seen\":%s,"
          "\"channels\":[%s]}",
          Q(v.value), v.records, Time(v.first_seen), Time(v.last_seen),
          absl::StrJoin(channels, ",")));
    }
    fields.push_back(absl::StrFormat(
        "    %s: {\"type\":%s,\"best\":%s,\"rule\":%s,\"values\":[%s]}",
        Q(f.column), Q(matching::FieldTypeName(f.type)), Q(f.best), Q(f.rule),
        absl::StrJoin(values, ",")));
  }
  absl::StrAppend(&out, "  \"fields\": {\n", absl::StrJoin(fields, ",\n"),
                  "\n  },\n");
  std::vector<std::string> channels;
  for (const ChannelActivity& c : p->channels) {
    channels.push_back(absl::StrFormat(
        "    {\"channel\":%s,\"records\":%d,\"first_seen\":%s,"
        "\"last_seen\":%s,\"days_since_last_seen\":%d}",
        Q(ChannelName(c.channel)), c.records, Time(c.first_seen),
        Time(c.last_seen), c.last_seen > 0 ? (now - c.last_seen) / 86400 : -1));
  }
  absl::StrAppend(&out, "  \"channels\": [\n", absl::StrJoin(channels, ",\n"),
                  "\n  ],\n");
  std::vector<std::string> attributes;
  for (const auto& [name, value] : p->attributes) {
    attributes.push_back(absl::StrCat(Q(name), ":", Q(value)));
  }
  std::vector<std::string> old_keys;
  for (const std::string& k : p->old_keys) old_keys.push_back(Q(k));
  absl::StrAppend(&out, "  \"attributes\": {", absl::StrJoin(attributes, ","),
                  "},\n  \"old_keys\": [", absl::StrJoin(old_keys, ","),
                  "]\n}\n");
  std::cout << out;
  return absl::OkStatus();
}

absl::Status PrintExplanation(const std::string& db_path,
                              const std::string& key, bool values) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<Explanation> e = graph->engine->Explain(key, values);
  if (!e.ok()) return e.status();
  std::vector<std::string> records;
  for (const RecordExplanation& r : e->records) {
    std::vector<std::string> links;
    for (const RecordLink& l : r.links) {
      links.push_back(absl::StrFormat(
          "{\"record\":%s,\"match_probability\":%.6f,\"match_weight\":%.3f,"
          "\"reason\":%s,\"fields\":%s}",
          Q(l.other_record), l.probability, l.weight, Q(l.reason),
          FieldWeightsJson(l.fields, values)));
    }
    records.push_back(absl::StrFormat(
        "    {\"record\":%s,\"channel\":%s,\"seen_at\":%s,\"links\":[%s]}",
        Q(r.source_id), Q(ChannelName(r.channel)), Time(r.seen_at),
        absl::StrJoin(links, ",")));
  }
  std::vector<std::string> history;
  for (const storage::AuditRow& a : e->history) {
    history.push_back(absl::StrFormat(
        "    {\"at\":%s,\"action\":%s,\"key\":%s,\"other_key\":%s,"
        "\"reason\":%s,\"actor\":%s,\"detail\":%s}",
        Time(a.at), Q(a.action), Q(a.key), Q(a.other_key), Q(a.reason),
        Q(a.actor), a.detail.empty() ? "null" : a.detail));
  }
  std::cout << "{\n  \"customer_key\": " << Q(e->key)
            << ",\n  \"records\": [\n" << absl::StrJoin(records, ",\n")
            << "\n  ],\n  \"history\": [\n" << absl::StrJoin(history, ",\n")
            << "\n  ]\n}\n";
  return absl::OkStatus();
}

absl::Status MergeKeys(const std::string& db_path, const std::string& key_a,
                       const std::string& key_b, const Attribution& why) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<std::string> key = graph->engine->Merge(key_a, key_b, why);
  if (!key.ok()) return key.status();
  std::cout << "{\"customer_key\": " << Q(*key) << "}\n";
  return absl::OkStatus();
}

absl::Status UnmergeRecords(const std::string& db_path, const std::string& key,
                            const std::vector<std::string>& records,
                            const Attribution& why) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<std::string> split = graph->engine->Unmerge(key, records, why);
  if (!split.ok()) return split.status();
  std::cout << "{\"customer_key\": " << Q(key)
            << ", \"new_customer_key\": " << Q(*split) << "}\n";
  return absl::OkStatus();
}

absl::Status ForgetKey(const std::string& db_path, const std::string& key,
                       const Attribution& why) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<int64_t> erased = graph->engine->Forget(key, why);
  if (!erased.ok()) return erased.status();
  std::cout << "{\"forgotten\": " << Q(key)
            << ", \"records_erased\": " << *erased << "}\n";
  return absl::OkStatus();
}

absl::Status PrintReviews(const std::string& db_path, int limit) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<std::vector<storage::ReviewRow>> reviews =
      graph->engine->Reviews(limit);
  if (!reviews.ok()) return reviews.status();
  std::vector<std::string> rows;
  for (const storage::ReviewRow& r : *reviews) {
    rows.push_back(absl::StrFormat(
        "  {\"id\":%d,\"at\":%s,\"customer_key\":%s,\"other_key\":%s,"
        "\"match_weight\":%.3f,\"reason\":%s}",
        r.id, Time(r.at), Q(r.key), Q(r.other_key), r.weight, Q(r.reason)));
  }
  std::cout << "[\n" << absl::StrJoin(rows, ",\n") << "\n]\n";
  return absl::OkStatus();
}

absl::Status PrintStats(const std::string& db_path) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<GraphStats> s = graph->engine->Stats();
  if (!s.ok()) return s.status();
  std::cout << absl::StrFormat(
      "{\n  \"records\": %d,\n  \"customers\": %d,\n  \"reviews\": %d,\n"
      "  \"bytes\": %d,\n  \"bytes_per_record\": %.1f\n}\n",
      s->records, s->customers, s->reviews, s->bytes, s->bytes_per_record);
  return absl::OkStatus();
}

absl::Status CheckGraph(const std::string& db_path) {
  absl::StatusOr<OpenGraph> graph = OpenExisting(db_path);
  if (!graph.ok()) return graph.status();
  absl::Status s = graph->engine->CheckConsistency();
  if (!s.ok()) return s;
  std::cout << "{\"consistent\": true}\n";
  return absl::OkStatus();
}

int ExitCode(const char* name, const absl::Status& status) {
  if (status.ok()) return 0;
  std::cerr << "idr " << name << ": " << status.message() << "\n";
  return 1;
}

}  // namespace idr::identity
