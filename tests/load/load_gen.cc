// A load generator for `idr serve`: gRPC's async C++ client keeps
// --concurrency calls in flight on one completion queue and reports
// throughput and latency percentiles. Bounded by --seconds and --requests.
//
//   load_gen --address 127.0.0.1:50051 --records base.csv
//            [--mix resolve|mixed] [--concurrency 64] [--seconds 10]
//            [--requests N] [--token T] [--acks acks.csv] [--channels 1]
//
// resolve: every call resolves a stored customer by an exclusive identifier
// (loyalty id, else login id, else e-mail) of a record of --records.
// mixed: 90% such resolves and 10% ingests of new records (the rows of
// --records under new source ids, so they attach to their customers).
// --acks writes source_id,customer_key of every acknowledged ingest, so a
// test can check that none is lost. --channels spreads the calls over that
// many connections (as several client processes would; gRPC otherwise
// shares one connection between channels to one address). Exit status 1
// when any call failed.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "identity/csv_reader.h"
#include "idr/v1/identity_service.grpc.pb.h"

namespace idr::load {
namespace {

namespace v1 = ::idr::v1;

struct Args {
  std::string address = "127.0.0.1:50051";
  std::string records;
  std::string mix = "resolve";
  std::string token;
  std::string acks;
  int concurrency = 64;
  int channels = 1;
  double seconds = 10;
  int64_t requests = 0;  // 0 = no limit
};

// The requests the load is made of.
struct Workload {
  std::vector<v1::ResolveRequest> resolves;
  std::vector<v1::Record> records;  // For ingests (source ids made later).
};

absl::StatusOr<Workload> LoadWorkload(const std::string& path) {
  absl::StatusOr<std::unique_ptr<identity::CsvReader>> reader =
      identity::CsvReader::Open(path);
  if (!reader.ok()) return reader.status();
  identity::CsvReader& csv = **reader;
  auto col = [&](const char* name) { return csv.ColumnIndex(name); };
  const int loyalty = col("loyalty_id"), login = col("login_id"),
            email = col("email"), phone = col("phone"), given = col("given_name"),
            family = col("family_name"), full = col("full_name");
  Workload w;
  std::vector<absl::string_view> row;
  while (w.records.size() < 200000) {
    absl::StatusOr<bool> more = csv.Next(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    auto cell = [&](int c) {
      return c < 0 ? std::string() : std::string(row[c]);
    };
    v1::Record record;
    record.set_channel(v1::CHANNEL_APP);
    auto add_id = [&](v1::IdentifierType type, const std::string& value) {
      if (value.empty()) return;
      v1::Identifier* id = record.add_identifiers();
      id->set_type(type);
      id->set_value(value);
    };
    add_id(v1::IDENTIFIER_TYPE_EMAIL, cell(email));
    add_id(v1::IDENTIFIER_TYPE_PHONE, cell(phone));
    add_id(v1::IDENTIFIER_TYPE_LOYALTY_ID, cell(loyalty));
    add_id(v1::IDENTIFIER_TYPE_LOGIN_ID, cell(login));
    if (!cell(given).empty() || !cell(family).empty() || !cell(full).empty()) {
      v1::PersonName* name = record.add_names();
      name->set_given(cell(given));
      name->set_family(cell(family));
      name->set_full(cell(full));
    }
    if (record.identifiers_size() == 0) continue;
    // Resolve by the strongest identifier the record has.
    v1::ResolveRequest resolve;
    v1::Identifier* probe = resolve.mutable_probe()->add_identifiers();
    if (!cell(loyalty).empty()) {
      probe->set_type(v1::IDENTIFIER_TYPE_LOYALTY_ID);
      probe->set_value(cell(loyalty));
    } else if (!cell(login).empty()) {
      probe->set_type(v1::IDENTIFIER_TYPE_LOGIN_ID);
      probe->set_value(cell(login));
    } else {
      *probe = record.identifiers(0);
    }
    w.resolves.push_back(std::move(resolve));
    w.records.push_back(std::move(record));
  }
  if (w.resolves.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " has no record with an identifier"));
  }
  return w;
}

// One call in flight.
struct Call {
  grpc::ClientContext context;
  bool ingest = false;
  absl::Time start;
  grpc::Status status;
  v1::ResolveResponse resolved;
  v1::IngestResponse ingested;
  std::string source_id;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ResolveResponse>>
      resolve_reader;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::IngestResponse>>
      ingest_reader;
};

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int Run(const Args& args) {
  absl::StatusOr<Workload> workload = LoadWorkload(args.records);
  if (!workload.ok()) {
    std::cerr << "load_gen: " << workload.status().message() << "\n";
    return 2;
  }
  std::vector<std::unique_ptr<v1::IdentityService::Stub>> stubs;
  for (int i = 0; i < args.channels; ++i) {
    grpc::ChannelArguments distinct;  // A connection of its own.
    distinct.SetInt("idr.load_gen.channel", i);
    stubs.push_back(v1::IdentityService::NewStub(grpc::CreateCustomChannel(
        args.address, grpc::InsecureChannelCredentials(), distinct)));
  }
  grpc::CompletionQueue queue;
  std::mt19937_64 random(42);
  const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  int64_t issued = 0, done = 0, errors = 0, ingest_seq = 0;
  std::vector<double> resolve_ms, ingest_ms;
  std::ofstream acks;
  if (!args.acks.empty()) acks.open(args.acks);
  const absl::Time deadline = absl::Now() + absl::Seconds(args.seconds);

  auto issue = [&]() {
    auto* call = new Call();
    v1::IdentityService::Stub* stub = stubs[issued % stubs.size()].get();
    if (!args.token.empty()) {
      call->context.AddMetadata("authorization", "Bearer " + args.token);
    }
    call->context.set_deadline(absl::ToChronoTime(absl::Now() +
                                                  absl::Seconds(30)));
    call->ingest = args.mix == "mixed" && random() % 10 == 0;
    call->start = absl::Now();
    if (call->ingest) {
      const v1::Record& base =
          workload->records[random() % workload->records.size()];
      v1::IngestRequest request;
      v1::Record* record = request.add_records();
      *record = base;
      record->set_source_system("load");
      call->source_id = absl::StrCat(run, "-", ingest_seq++);
      record->set_source_record_id(call->source_id);
      call->ingest_reader =
          stub->PrepareAsyncIngest(&call->context, request, &queue);
      call->ingest_reader->StartCall();
      call->ingest_reader->Finish(&call->ingested, &call->status, call);
    } else {
      const v1::ResolveRequest& request =
          workload->resolves[random() % workload->resolves.size()];
      call->resolve_reader =
          stub->PrepareAsyncResolve(&call->context, request, &queue);
      call->resolve_reader->StartCall();
      call->resolve_reader->Finish(&call->resolved, &call->status, call);
    }
    ++issued;
  };
  auto more = [&]() {
    return absl::Now() < deadline &&
           (args.requests <= 0 || issued < args.requests);
  };

  const absl::Time start = absl::Now();
  for (int i = 0; i < args.concurrency && more(); ++i) issue();
  void* tag = nullptr;
  bool ok = false;
  while (done < issued && queue.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    ++done;
    const double ms = absl::ToDoubleMilliseconds(absl::Now() - call->start);
    bool failed = !ok || !call->status.ok();
    if (!failed && call->ingest) {
      const v1::RecordResult& r = call->ingested.results(0);
      failed = r.outcome() == v1::OUTCOME_FAILED;
      if (!failed && acks.is_open()) {
        acks << "load:" << call->source_id << "," << r.customer_key() << "\n";
      }
    }
    if (failed) {
      if (errors++ < 5) {
        std::cerr << "load_gen: " << (call->ingest ? "Ingest" : "Resolve")
                  << " failed: " << call->status.error_message() << "\n";
      }
    } else {
      (call->ingest ? ingest_ms : resolve_ms).push_back(ms);
    }
    if (more()) issue();
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  std::cout << absl::StrFormat(
      "load_gen: %d calls in %.2f s = %.0f calls/s, concurrency %d, "
      "connections %d, %d errors | Resolve %d: p50 %.3f ms p90 %.3f ms p99 "
      "%.3f ms",
      done, seconds, done / seconds, args.concurrency, args.channels, errors,
      resolve_ms.size(), Percentile(resolve_ms, 0.5),
      Percentile(resolve_ms, 0.9), Percentile(resolve_ms, 0.99));
  if (!ingest_ms.empty()) {
    std::cout << absl::StrFormat(
        " | Ingest %d: p50 %.3f ms p90 %.3f ms p99 %.3f ms", ingest_ms.size(),
        Percentile(ingest_ms, 0.5), Percentile(ingest_ms, 0.9),
        Percentile(ingest_ms, 0.99));
  }
  std::cout << std::endl;
  return errors == 0 ? 0 : 1;
}

}  // namespace
}  // namespace idr::load

int main(int argc, char** argv) {
  // As in `idr serve`: gRPC's locks are absl::Mutex, and Debian's Abseil
  // keeps a global lock graph for deadlock detection on every lock; the
  // client shares the cores with the server it measures.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  idr::load::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    bool good = true;
    if (flag == "--address") {
      args.address = value;
    } else if (flag == "--records") {
      args.records = value;
    } else if (flag == "--mix") {
      args.mix = value;
      good = value == "resolve" || value == "mixed";
    } else if (flag == "--token") {
      args.token = value;
    } else if (flag == "--acks") {
      args.acks = value;
    } else if (flag == "--concurrency") {
      good = absl::SimpleAtoi(value, &args.concurrency) && args.concurrency > 0;
    } else if (flag == "--channels") {
      good = absl::SimpleAtoi(value, &args.channels) && args.channels > 0 &&
             args.channels <= 64;
    } else if (flag == "--seconds") {
      good = absl::SimpleAtod(value, &args.seconds) && args.seconds > 0 &&
             args.seconds <= 3600;
    } else if (flag == "--requests") {
      good = absl::SimpleAtoi(value, &args.requests);
    } else {
      good = false;
    }
    if (!good) {
      std::cerr << "load_gen: bad flag " << flag << " " << value << "\n";
      return 2;
    }
  }
  if (args.records.empty() || argc % 2 == 0) {
    std::cerr << "usage: load_gen --address HOST:PORT --records base.csv "
                 "[--mix resolve|mixed] [--concurrency N] [--seconds S] "
                 "[--requests N] [--token T] [--acks F] [--channels N]\n";
    return 2;
  }
  return idr::load::Run(args);
}
