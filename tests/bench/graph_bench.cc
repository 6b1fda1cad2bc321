// Benchmark of the identity graph engine on an existing SQLite graph (built
// by `idr ingest`; tests/bench/graph_bench.sh builds them):
//   - the time the engine takes to build its in-memory indexes (as `idr
//     serve` does before it serves), outside every timing below;
//   - durable ingest: records/s of new records in batches of --batch,
//     each a transaction, into the graph as it is, and the CPU time it took
//     per record; --clients threads send the batches, each waiting for its
//     last to be durable before it sends the next; --stream 1 sends them
//     as one Engine::IngestStream instead (the next batch prepared while
//     one commits);
//   - resolve latency in-process, p50/p99: exact (by an exclusive identifier
//     of a stored record: loyalty id, else login id) and probabilistic (by
//     name and birth date of a stored record, no identifier).
// Reads the records for both from CSV files with the graph's column names.
//
//   graph_bench --db G.db --base base.csv --extra extra.csv [--ingest 20000]
//               [--batch 1000] [--clients 1 | --stream 1] [--resolves 5000]
//               [--answers FILE]
//               [--max-candidate-records N] [--checkpoint-pages N]
// --answers writes every timed resolve's answer, to compare two builds;
// --checkpoint-pages sets the store's option (default: its default);
// --max-candidate-records sets the engine's option (default: its default).

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "identity/csv_reader.h"
#include "identity/engine.h"
#include "matching/names.h"
#include "storage/sqlite_graph_store.h"

namespace idr {
namespace {

using identity::SourceRecord;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string db, base, extra;
  std::string answers;  // Where to write the resolves' answers, if given.
  int64_t ingest = 20000, batch = 1000, clients = 1, resolves = 5000;
  int64_t stream = 0;  // 1: one Engine::IngestStream of the batches.
  int max_candidate_records = identity::EngineOptions().max_candidate_records;
  int checkpoint_pages = storage::SqliteGraphStoreOptions().checkpoint_pages;
};

// Reads up to `limit` rows of a CSV as records keyed by their record_id,
// keeping the columns that are graph fields.
std::vector<SourceRecord> ReadRecords(const std::string& path,
                                      const identity::Engine& engine,
                                      int64_t limit, const std::string& prefix) {
  auto reader = identity::CsvReader::Open(path);
  if (!reader.ok()) {
    std::cerr << reader.status() << "\n";
    std::exit(1);
  }
  const int id = (*reader)->ColumnIndex("record_id");
  const int channel = (*reader)->ColumnIndex("channel");
  std::vector<std::pair<std::string, int>> columns;
  for (const identity::FieldSpec& f : engine.fields()) {
    const int c = (*reader)->ColumnIndex(f.column);
    if (c >= 0) columns.emplace_back(f.column, c);
  }
  std::vector<SourceRecord> out;
  std::vector<absl::string_view> row;
  while (static_cast<int64_t>(out.size()) < limit) {
    absl::StatusOr<bool> more = (*reader)->Next(&row);
    if (!more.ok() || !*more) break;
    SourceRecord r;
    r.source_id = absl::StrCat(prefix, row[id]);
    if (channel >= 0) r.channel = identity::ParseChannel(row[channel]);
    for (const auto& [name, c] : columns) {
      if (!row[c].empty()) r.values.emplace_back(name, std::string(row[c]));
    }
    if (!r.values.empty()) out.push_back(std::move(r));
  }
  return out;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Resolves each probe; returns latencies in microseconds and counts hits.
// Times a resolve of each probe; with `answers`, writes each answer there
// (key, then each candidate's key, weight and best record), one line per
// probe, to compare two builds' answers.
std::vector<double> TimeResolves(identity::Engine& engine,
                                 const std::vector<SourceRecord>& probes,
                                 int64_t* hits, std::ostream* answers) {
  std::vector<double> micros;
  *hits = 0;
  for (const SourceRecord& p : probes) {
    const auto start = Clock::now();
    auto result = engine.Resolve(p, 3);
    const auto end = Clock::now();
    if (!result.ok()) {
      std::cerr << result.status() << "\n";
      std::exit(1);
    }
    *hits += !result->key.empty();
    if (answers != nullptr) {
      *answers << result->key;
      for (const identity::ResolveCandidate& c : result->candidates) {
        *answers << absl::StrFormat(" %s/%.4f/%s", c.key, c.weight,
                                    c.best_record);
      }
      *answers << "\n";
    }
    micros.push_back(
        std::chrono::duration<double, std::micro>(end - start).count());
  }
  return micros;
}

// User and system time of the whole process so far.
double CpuSeconds() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int Run(const Args& args) {
  auto names = matching::NameNormalizer::Create({});
  if (!names.ok()) {
    std::cerr << names.status() << "\n";
    return 1;
  }
  storage::SqliteGraphStoreOptions store_options;
  store_options.create_if_missing = false;
  store_options.checkpoint_pages = args.checkpoint_pages;
  auto store = storage::OpenSqliteGraphStore(args.db, store_options);
  if (!store.ok()) {
    std::cerr << store.status() << "\n";
    return 1;
  }
  identity::EngineOptions options;
  options.names = names->get();
  options.max_candidate_records = args.max_candidate_records;
  auto engine = identity::Engine::Open(std::move(*store), options);
  if (!engine.ok()) {
    std::cerr << engine.status() << "\n";
    return 1;
  }
  auto before = (*engine)->Stats();
  if (!before.ok()) return 1;
  // As `idr serve` does before it serves: nothing timed below builds it.
  const auto open_start = Clock::now();
  absl::Status indexed = (*engine)->BuildIndex();
  if (!indexed.ok()) {
    std::cerr << indexed << "\n";
    return 1;
  }
  const double index_seconds =
      std::chrono::duration<double>(Clock::now() - open_start).count();

  // Probes from stored records.
  std::vector<SourceRecord> base =
      ReadRecords(args.base, **engine, args.resolves * 4, "");
  std::vector<SourceRecord> exact, fuzzy;
  for (const SourceRecord& r : base) {
    std::string loyalty, login, given, family, full, dob;
    for (const auto& [c, v] : r.values) {
      if (c == "loyalty_id") loyalty = v;
      if (c == "login_id") login = v;
      if (c == "given_name") given = v;
      if (c == "family_name") family = v;
      if (c == "full_name") full = v;
      if (c == "birth_date") dob = v;
    }
    if (static_cast<int64_t>(exact.size()) < args.resolves &&
        (!loyalty.empty() || !login.empty())) {
      SourceRecord p;
      p.values.emplace_back(loyalty.empty() ? "login_id" : "loyalty_id",
                            loyalty.empty() ? login : loyalty);
      exact.push_back(std::move(p));
    }
    if (static_cast<int64_t>(fuzzy.size()) < args.resolves && !dob.empty() &&
        ((!given.empty() && !family.empty()) || !full.empty())) {
      SourceRecord p;
      if (!full.empty()) {
        p.values.emplace_back("full_name", full);
      } else {
        p.values.emplace_back("given_name", given);
        p.values.emplace_back("family_name", family);
      }
      p.values.emplace_back("birth_date", dob);
      fuzzy.push_back(std::move(p));
    }
  }
  int64_t exact_hits = 0, fuzzy_hits = 0;
  std::ofstream answers;
  if (!args.answers.empty()) answers.open(args.answers);
  std::ostream* out = args.answers.empty() ? nullptr : &answers;
  // The first round warms the page cache.
  TimeResolves(**engine, exact, &exact_hits, nullptr);
  std::vector<double> exact_us =
      TimeResolves(**engine, exact, &exact_hits, out);
  std::vector<double> fuzzy_us =
      TimeResolves(**engine, fuzzy, &fuzzy_hits, out);

  // Durable ingest of new records.
  std::vector<SourceRecord> extra =
      ReadRecords(args.extra, **engine, args.ingest, "bench-");
  const double cpu_start = CpuSeconds();
  const auto start = Clock::now();
  // Each client takes the next batch not taken yet.
  std::atomic<int64_t> ingested{0};
  std::atomic<size_t> next_batch{0};
  std::atomic<bool> failed{false};
  auto client = [&] {
    for (;;) {
      const size_t i = next_batch.fetch_add(args.batch);
      if (i >= extra.size() || failed.load()) return;
      std::vector<SourceRecord> batch(
          extra.begin() + i,
          extra.begin() + std::min(extra.size(), i + args.batch));
      auto results = (*engine)->IngestBatch(batch);
      if (!results.ok()) {
        std::cerr << results.status() << "\n";
        failed.store(true);
        return;
      }
      for (const auto& r : *results) ingested += r.ok();
    }
  };
  // --stream: one IngestStream instead of the clients' IngestBatch calls.
  auto stream = [&] {
    absl::Status s = (*engine)->IngestStream(
        [&](std::vector<SourceRecord>* batch) {
          const size_t i = next_batch.fetch_add(args.batch);
          if (i >= extra.size()) return absl::OkStatus();
          batch->assign(extra.begin() + i,
                        extra.begin() + std::min(extra.size(), i + args.batch));
          return absl::OkStatus();
        },
        [&](const std::vector<SourceRecord>&, identity::BatchResult results) {
          for (const auto& r : results) ingested += r.ok();
          return absl::OkStatus();
        });
    if (!s.ok()) {
      std::cerr << s << "\n";
      failed.store(true);
    }
  };
  std::vector<std::thread> clients;
  if (args.stream) {
    clients.emplace_back(stream);
  } else {
    for (int64_t c = 0; c < args.clients; ++c) clients.emplace_back(client);
  }
  for (std::thread& t : clients) t.join();
  if (failed.load()) return 1;
  const double seconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  // Every thread's (the normaliser's and the WAL copier's too): less
  // sensitive than the wall clock to what else the machine is doing.
  const double cpu_us_per_record =
      ingested == 0 ? 0 : (CpuSeconds() - cpu_start) * 1e6 / ingested.load();
  auto after = (*engine)->Stats();
  if (!after.ok()) return 1;
  std::cout << absl::StrFormat(
      "graph %d records, %d customers, %.0f bytes/record, index built in "
      "%.1f s | ingest %d new "
      "records in %.2f s: %.0f records/s (batches of %d from %d clients%s, "
      "durable; %.0f us CPU/record) | exact "
      "resolve p50 %.0f us p99 %.0f us (%d of %d found) | probabilistic "
      "resolve p50 %.0f us p99 %.0f us (%d of %d found)\n",
      before->records, before->customers, before->bytes_per_record,
      index_seconds, ingested.load(), seconds, ingested.load() / seconds,
      args.batch, args.stream ? 1 : args.clients,
      args.stream ? " streaming" : "", cpu_us_per_record,
      Percentile(exact_us, 0.5), Percentile(exact_us, 0.99), exact_hits,
      exact.size(), Percentile(fuzzy_us, 0.5), Percentile(fuzzy_us, 0.99),
      fuzzy_hits, fuzzy.size());
  return 0;
}

}  // namespace
}  // namespace idr

int main(int argc, char** argv) {
  idr::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--db") {
      args.db = value;
    } else if (flag == "--base") {
      args.base = value;
    } else if (flag == "--extra") {
      args.extra = value;
    } else if (flag == "--ingest") {
      absl::SimpleAtoi(value, &args.ingest);
    } else if (flag == "--batch") {
      absl::SimpleAtoi(value, &args.batch);
    } else if (flag == "--clients") {
      absl::SimpleAtoi(value, &args.clients);
    } else if (flag == "--stream") {
      absl::SimpleAtoi(value, &args.stream);
    } else if (flag == "--resolves") {
      absl::SimpleAtoi(value, &args.resolves);
    } else if (flag == "--answers") {
      args.answers = value;
    } else if (flag == "--max-candidate-records") {
      absl::SimpleAtoi(value, &args.max_candidate_records);
    } else if (flag == "--checkpoint-pages") {
      absl::SimpleAtoi(value, &args.checkpoint_pages);
    } else {
      std::cerr << "unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (args.db.empty() || args.base.empty() || args.extra.empty() ||
      args.batch < 1 || args.clients < 1) {
    std::cerr
        << "usage: graph_bench --db G.db --base base.csv --extra "
           "extra.csv [--ingest N] [--batch N] [--clients N | --stream 1] "
           "[--resolves N] [--checkpoint-pages N] "
           "[--answers FILE] [--max-candidate-records N]\n";
    return 2;
  }
  return idr::Run(args);
}
