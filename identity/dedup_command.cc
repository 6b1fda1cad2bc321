#include "identity/dedup_command.h"

#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "identity/column_mapping.h"
#include "identity/csv_reader.h"
#include "identity/progress_bar.h"
#include "matching/dedup.h"
#include "matching/fellegi_sunter.h"
#include "matching/model_file.h"
#include "matching/names.h"
#include "matching/normalize.h"
#include "matching/prepare.h"
#include "tools/gen/csv.h"

namespace idr::identity {
namespace {

using matching::FieldType;
using Mapping = ColumnMapping;

// Writes `lines` produced by `write` to `path` atomically.
template <typename WriteFn>
absl::Status WriteFileAtomically(const std::string& path, WriteFn write) {
  const std::string temp = absl::StrCat(path, ".tmp-", getpid());
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  write(out);
  out.close();
  if (!out) {
    std::remove(temp.c_str());
    return absl::DataLossError(absl::StrCat("writing ", path, " failed"));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Dedup(const DedupCommandOptions& options) {
  const absl::Time start = absl::Now();
  if (options.link_only && options.source_column.empty()) {
    return absl::InvalidArgumentError("--link-only needs --source-column");
  }
  if (absl::Status s = CheckMatchingFlags(options.threshold, options.date_order);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<CsvReader>> opened =
      CsvReader::Open(options.input_path);
  if (!opened.ok()) return opened.status();
  CsvReader& reader = **opened;

  int id_column = reader.ColumnIndex(options.id_column);
  if (id_column < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.input_path, " has no id column '", options.id_column,
        "' (columns: ", absl::StrJoin(reader.header(), ","),
        "); set --id-column"));
  }
  auto optional_column = [&](const std::string& name,
                             const char* flag) -> absl::StatusOr<int> {
    if (name.empty()) return -1;
    int index = reader.ColumnIndex(name);
    if (index < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, " '", name, "' is not a column of ", options.input_path));
    }
    return index;
  };
  absl::StatusOr<int> source_column =
      optional_column(options.source_column, "--source-column");
  if (!source_column.ok()) return source_column.status();
  absl::StatusOr<int> truth_column =
      optional_column(options.truth_column, "--truth-column");
  if (!truth_column.ok()) return truth_column.status();

  absl::flat_hash_set<std::string> reserved = {
      options.id_column, "truth_id", "record_id", "source", "channel"};
  for (const std::string& c : options.ignore_columns) {
    if (reader.ColumnIndex(c) < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--ignore-column '", c, "' is not a column of ", options.input_path));
    }
    reserved.insert(c);
  }
  if (!options.source_column.empty()) reserved.insert(options.source_column);
  if (!options.truth_column.empty()) reserved.insert(options.truth_column);
  absl::StatusOr<std::vector<Mapping>> mappings =
      MapColumns(options.fields, options.input_path, reader, reserved);
  if (!mappings.ok()) return mappings.status();
  for (const Mapping& m : *mappings) {
    if (m.column == id_column) {
      return absl::InvalidArgumentError(
          absl::StrCat("the id column '", m.name, "' cannot be compared"));
    }
  }
  // Names need the Chinese-aware normaliser only when a name column is mapped.
  absl::StatusOr<std::unique_ptr<matching::NameNormalizer>> names =
      NamesFor(*mappings);
  if (!names.ok()) return names.status();
  matching::PrepareOptions prepare;
  prepare.phone_region = options.phone_region;
  prepare.date_order = options.date_order == "mdy"
                           ? matching::DateOrder::kMonthDayYear
                           : matching::DateOrder::kDayMonthYear;
  prepare.names = names->get();
  std::vector<matching::ColumnPreparer> preparers;
  for (const Mapping& m : *mappings)
    preparers.emplace_back(m.name, m.type, prepare);

  const int threads = options.threads > 0
                          ? options.threads
                          : std::max(1u, std::thread::hardware_concurrency());
  // Read rows one at a time into batches. While the next batch is read, the
  // last one's values are added to their columns and the new distinct values
  // normalised, one column at a time on every thread (adding is hash
  // lookups, normalising phones and names costs microseconds a value: on
  // one thread, reading would leave a core idle).
  constexpr size_t kBatchRows = 8192;
  const size_t num_mapped = mappings->size();
  std::vector<std::string> batches[2] = {
      std::vector<std::string>(kBatchRows * num_mapped),
      std::vector<std::string>(kBatchRows * num_mapped)};
  int filling = 0;  // The batch being read into.
  size_t batch_rows = 0;
  std::atomic<size_t> next_column{0};
  std::vector<std::thread> adders;
  auto finish_adding = [&] {
    for (std::thread& t : adders) t.join();
    adders.clear();
  };
  auto add_batch = [&] {
    finish_adding();
    next_column = 0;
    const std::vector<std::string>* batch = &batches[filling];
    const size_t rows = batch_rows;
    for (int t = 0; t < threads; ++t) {
      adders.emplace_back([&preparers, &next_column, batch, rows, num_mapped] {
        for (size_t c; (c = next_column.fetch_add(1)) < num_mapped;) {
          for (size_t r = 0; r < rows; ++r) {
            preparers[c].Add((*batch)[r * num_mapped + c]);
          }
          preparers[c].NormalizeAdded();
        }
      });
    }
    filling = 1 - filling;
    batch_rows = 0;
  };
  // Adders must not outlive the data they use, whichever way we leave.
  struct JoinAtExit {
    std::function<void()> join;
    ~JoinAtExit() { join(); }
  } join_adders{finish_adding};
  std::vector<std::string> ids;
  absl::flat_hash_map<std::string, int64_t> id_lines;
  absl::flat_hash_map<std::string, uint32_t> sources, truths;
  std::vector<uint32_t> source, truth;
  std::vector<absl::string_view> fields;
  {
    ProgressBar bar("reading", reader.bytes_total());
    for (;;) {
      absl::StatusOr<bool> more = reader.Next(&fields);
      if (!more.ok()) return more.status();
      if (!*more) break;
      absl::string_view id = fields[id_column];
      if (id.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(options.input_path, ":", reader.line(), ": empty ",
                         options.id_column));
      }
      auto [it, inserted] = id_lines.emplace(std::string(id), reader.line());
      if (!inserted) {
        return absl::InvalidArgumentError(absl::StrCat(
            options.input_path, ":", reader.line(), ": ", options.id_column,
            " '", id, "' already appeared on line ", it->second));
      }
      if (ids.size() >= UINT32_MAX - 1) {
        return absl::InvalidArgumentError("more than 4 billion records");
      }
      ids.emplace_back(id);
      if (*source_column >= 0) {
        source.push_back(sources.emplace(fields[*source_column], sources.size())
                             .first->second);
      }
      if (*truth_column >= 0) {
        truth.push_back(
            truths.emplace(fields[*truth_column], truths.size()).first->second);
      }
      std::vector<std::string>& batch = batches[filling];
      for (size_t i = 0; i < num_mapped; ++i) {
        batch[batch_rows * num_mapped + i] = MappedValue((*mappings)[i], fields);
      }
      if (++batch_rows == kBatchRows) {
        add_batch();
        bar.Update(reader.bytes_read());
      }
    }
    add_batch();
    finish_adding();
    bar.Update(reader.bytes_total());
  }
  absl::flat_hash_map<std::string, int64_t>().swap(id_lines);
  if (ids.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.input_path, " has no records"));
  }
  if (options.link_only && sources.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--link-only: column '", options.source_column,
                     "' has fewer than two sources"));
  }
  for (std::vector<std::string>& batch : batches) {
    std::vector<std::string>().swap(batch);
  }
  // Every value is normalised by now: what is left is interning, one column
  // per thread.
  matching::PreparedColumns columns(num_mapped);
  {
    std::atomic<size_t> next{0};
    auto finish = [&] {
      for (size_t c; (c = next.fetch_add(1)) < num_mapped;) {
        columns[c] = preparers[c].Finish(1);
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(finish);
    finish();
    for (std::thread& t : pool) t.join();
  }
#ifdef __GLIBC__
  // Reading freed a third of a gigabyte of small blocks (raw values, lookup
  // maps) that glibc keeps mapped: hand them back before pairing starts, or
  // they count in the peak memory of a million-record run.
  malloc_trim(0);
#endif
  if (!options.quiet) {
    // After reading, so that a bad input fails with one line only.
    std::cerr << "idr dedup: fields " << DescribeMapping(*mappings) << "\n";
  }
  const double read_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // Model.
  matching::DedupOptions dedup;
  dedup.link_only = options.link_only;
  dedup.threads = threads;
  if (options.max_block_size > 0) dedup.max_block_size = options.max_block_size;
  dedup.keep_pairs = !options.pairs_path.empty();
  dedup.truth = truth.empty() ? nullptr : &truth;
  std::unique_ptr<matching::DedupModel> loaded;
  if (!options.model_path.empty()) {
    double model_threshold = 0;
    absl::StatusOr<matching::DedupModel> model =
        matching::LoadModel(options.model_path, columns, &model_threshold);
    if (!model.ok()) return model.status();
    loaded = std::make_unique<matching::DedupModel>(std::move(*model));
    if (model_threshold > 0 && model_threshold < 1)
      dedup.threshold = model_threshold;
  }
  if (options.threshold > 0) dedup.threshold = options.threshold;

  PhaseProgress progress;
  absl::StatusOr<matching::DedupResult> result =
      matching::Deduplicate(columns, static_cast<uint32_t>(ids.size()), source,
                            dedup, loaded.get(), std::ref(progress));
  progress.Finish();
  if (!result.ok()) return result.status();

  absl::Status written =
      WriteFileAtomically(options.output_path, [&](std::ofstream& out) {
        std::string line;
        out << options.id_column << ",cluster_id\n";
        for (size_t r = 0; r < ids.size(); ++r) {
          line.clear();
          gen::AppendCsvField(ids[r], &line);
          line.push_back(',');
          gen::AppendCsvField(ids[result->cluster[r]], &line);
          line.push_back('\n');
          out << line;
        }
      });
  if (!written.ok()) return written;
  const matching::DedupModel& model = result->model;
  if (!options.pairs_path.empty()) {
    written = WriteFileAtomically(options.pairs_path, [&](std::ofstream& out) {
      out << options.id_column << "_l," << options.id_column
          << "_r,match_probability,match_weight,blocking_rule";
      for (const auto& c : model.comparisons)
        out << ",gamma_" << c.name << ",bf_" << c.name;
      out << "\n";
      std::string line;
      for (const matching::ScoredPair& p : result->pairs) {
        line.clear();
        gen::AppendCsvField(ids[p.a], &line);
        line.push_back(',');
        gen::AppendCsvField(ids[p.b], &line);
        absl::StrAppendFormat(&line, ",%.6f,%.3f,",
                              matching::MatchProbability(p.weight), p.weight);
        gen::AppendCsvField(model.rule_names[p.rule], &line);
        for (size_t k = 0; k < model.comparisons.size(); ++k) {
          absl::StrAppendFormat(
              &line, ",%s,%.3f",
              model.comparisons[k].labels[matching::LevelOf(p.pattern, k)],
              matching::ComparisonWeight(model, columns, p.rule, p.pattern,
                                         static_cast<int>(k), p.a, p.b));
        }
        line.push_back('\n');
        out << line;
      }
    });
    if (!written.ok()) return written;
  }
  if (!options.save_model_path.empty()) {
    absl::Status saved =
        matching::SaveModel(model, dedup.threshold, options.save_model_path);
    if (!saved.ok()) return saved;
  }

  if (!options.quiet) {
    absl::flat_hash_set<uint32_t> clusters(result->cluster.begin(),
                                           result->cluster.end());
    std::string recall;
    if (!truth.empty()) {
      absl::flat_hash_map<uint32_t, int64_t> sizes;
      for (size_t r = 0; r < truth.size(); ++r) {
        if (!options.link_only) ++sizes[truth[r]];
      }
      int64_t true_pairs = 0;
      if (options.link_only) {
        // True pairs across sources: Σ over entities of pairs in different
        // sources.
        absl::flat_hash_map<std::pair<uint32_t, uint32_t>, int64_t> per_source;
        for (size_t r = 0; r < truth.size(); ++r)
          ++per_source[{truth[r], source[r]}];
        absl::flat_hash_map<uint32_t, std::pair<int64_t, int64_t>> per_entity;
        for (const auto& [key, n] : per_source) {
          auto& [sum, sum_sq] = per_entity[key.first];
          sum += n;
          sum_sq += n * n;
        }
        for (const auto& [entity, s] : per_entity)
          true_pairs += (s.first * s.first - s.second) / 2;
      } else {
        for (const auto& [entity, n] : sizes) true_pairs += n * (n - 1) / 2;
      }
      recall = absl::StrFormat(
          ", blocking recall %.4f (%d of %d true pairs)",
          true_pairs ? double(result->true_candidate_pairs) / true_pairs : 1.0,
          result->true_candidate_pairs, true_pairs);
    }
    std::string timings = absl::StrFormat("read %.2fs", read_seconds);
    for (const auto& [name, seconds] : result->timings) {
      absl::StrAppendFormat(&timings, " %s %.2fs", name, seconds);
    }
    std::cerr << absl::StrFormat(
        "idr dedup: %d records, %d candidate pairs%s, %d linked at p >= %g, %d "
        "clusters; "
        "%s; total %.2fs\n",
        ids.size(), result->candidate_pairs, recall, result->linked_pairs,
        dedup.threshold, clusters.size(), timings,
        absl::ToDoubleSeconds(absl::Now() - start));
    std::vector<std::string> per_rule;
    for (size_t i = 0; i < result->blocking.size(); ++i) {
      per_rule.push_back(absl::StrFormat("%s %d", model.rule_names[i],
                                         result->blocking[i].pairs));
    }
    std::cerr << "idr dedup: candidate pairs by rule: "
              << absl::StrJoin(per_rule, ", ") << "\n";
    int64_t skipped = 0;
    for (const auto& s : result->blocking) skipped += s.skipped_blocks;
    if (skipped > 0) {
      std::vector<std::string> parts;
      for (size_t i = 0; i < result->blocking.size(); ++i) {
        if (result->blocking[i].skipped_blocks == 0) continue;
        parts.push_back(absl::StrFormat("%s: %d blocks (%d records)",
                                        model.rule_names[i],
                                        result->blocking[i].skipped_blocks,
                                        result->blocking[i].skipped_records));
      }
      std::cerr << "idr dedup: skipped oversized blocks (> "
                << dedup.max_block_size
                << " records): " << absl::StrJoin(parts, "; ") << "\n";
    }
  }
  return absl::OkStatus();
}

int RunDedup(const DedupCommandOptions& options) {
  absl::Status status = Dedup(options);
  if (!status.ok()) {
    std::cerr << "idr dedup: " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace idr::identity
