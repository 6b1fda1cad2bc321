// Opening the graph, ingesting records and resolving them.

#include "identity/engine.h"

#include <openssl/rand.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <random>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "identity/engine_internal.h"
#include "matching/comparison_set.h"
#include "matching/model_file.h"
#include "matching/normalize.h"
#include "matching/utf8.h"
#include "storage/cached_graph_store.h"

namespace idr::identity {
namespace {

using matching::FieldType;
using matching::Pattern;
using matching::PreparedColumn;
using matching::PreparedColumns;

constexpr size_t kMaxSourceIdBytes = 256;
constexpr size_t kMaxValueBytes = 1024;
// Weight, in records, of the model's typical frequency in the term
// frequencies of a young graph.
constexpr double kFrequencyPriorRecords = 1000;
// Customers up to this size are re-clustered when a record links only
// partly into them (engine.md, step 8).
constexpr int64_t kMaxReclusterRecords = 100;
// Records one group commit writes at most.
constexpr size_t kMaxGroupRecords = 4096;
// Batches from this size on are staged (validated, normalised, scored and
// published in memory) on a second thread, ahead of the writer (a few
// records are not worth a thread).
constexpr size_t kPreparedAheadRecords = 64;
// Name-key positions the blocking rules are computed for (names rarely have
// more than four romanisations and orders).
constexpr size_t kNameKeySlots = 8;

// Meta keys of the graph.
constexpr char kMetaFields[] = "engine.fields";
constexpr char kMetaModel[] = "engine.model";
constexpr char kMetaTrained[] = "engine.trained_records";
constexpr char kMetaPhoneRegion[] = "engine.phone_region";
constexpr char kMetaDateOrder[] = "engine.date_order";
constexpr char kMetaSecret[] = "engine.secret";
constexpr char kMetaPresent[] = "engine.present";
constexpr char kMetaNormalization[] = "engine.normalization_version";

bool IsNameType(FieldType t) {
  return t == FieldType::kGivenName || t == FieldType::kFamilyName ||
         t == FieldType::kFullName;
}

uint64_t ValueHash(int field, absl::string_view value) {
  return XXH3_64bits_withSeed(value.data(), value.size(),
                              static_cast<uint64_t>(field) + 1);
}

std::string EncodeFields(const std::vector<FieldSpec>& fields) {
  std::vector<std::string> parts;
  for (const FieldSpec& f : fields) {
    parts.push_back(absl::StrCat(f.column, "=", FieldTypeName(f.type)));
  }
  return absl::StrJoin(parts, "\n");
}

absl::StatusOr<std::vector<FieldSpec>> DecodeFields(const std::string& text) {
  std::vector<FieldSpec> fields;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(line, '=');
    absl::StatusOr<FieldType> type = matching::ParseFieldType(kv.second);
    if (!type.ok()) {
      return absl::DataLossError(
          absl::StrCat("damaged field list in the graph: ", line));
    }
    fields.push_back({kv.first, *type});
  }
  return fields;
}

std::string EncodeCounts(const std::vector<int64_t>& counts) {
  return absl::StrJoin(counts, ",");
}

std::vector<int64_t> DecodeCounts(const std::string& text, size_t n) {
  std::vector<int64_t> counts(n, 0);
  size_t i = 0;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    if (i < n) absl::SimpleAtoi(part, &counts[i]);
    ++i;
  }
  return counts;
}

std::string RandomSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device rd;  // OpenSSL's RNG failing is near impossible.
    for (unsigned char& b : bytes) b = static_cast<unsigned char>(rd());
  }
  return std::string(reinterpret_cast<char*>(bytes), sizeof bytes);
}

std::string Hex(absl::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(absl::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int v = 0;
    absl::SimpleHexAtoi(hex.substr(i, 2), &v);
    out.push_back(static_cast<char>(v));
  }
  return out;
}

// A record (or resolve probe) normalised with the graph's fields.
struct Probe {
  PreparedColumns columns;                // One row.
  std::vector<int64_t> value_ids;         // Stored id per field, 0 = none.
  std::vector<int64_t> counts;            // Stored count per field.
  std::vector<uint64_t> hashes;           // Value hash per field.
  struct Key {
    int rule;      // Model rule index.
    uint64_t key;  // The stored blocking key.
  };
  std::vector<Key> keys;
  bool Has(int f) const { return columns[f].ids[0] >= 0; }
  const std::string& Value(int f) const { return columns[f].values[0]; }
  // The name keys of field f's value (none for a field that is no name).
  std::vector<uint64_t> NameKeys(int f) const {
    std::vector<uint64_t> keys;
    const PreparedColumn& pc = columns[f];
    if (pc.name_keys.empty()) return keys;
    for (int32_t k : pc.name_keys[0]) keys.push_back(pc.name_key_hashes[k]);
    return keys;
  }
};

// A scored candidate record.
struct Scored {
  const StoredRecord* record = nullptr;
  int rule = 0;
  Pattern pattern = 0;
  double weight = 0;
  bool exact = false;   // Shares an exclusive identifier with the probe.
  bool vetoed = false;  // Holds another value of an exclusive identifier.
  // A resolve did not read it: its customer cannot be among the best
  // (EngineCore::ReadBestCandidates).
  bool unread = false;
};

}  // namespace

const char* ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kWeb:
      return "web";
    case Channel::kApp:
      return "app";
    case Channel::kStore:
      return "store";
    case Channel::kCallCenter:
      return "call_center";
    case Channel::kOther:
      return "other";
    case Channel::kUnknown:
      break;
  }
  return "unknown";
}

Channel ParseChannel(absl::string_view text) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  t.erase(std::remove_if(t.begin(), t.end(),
                         [](char c) { return c == ' ' || c == '-' || c == '_'; }),
          t.end());
  if (t.empty()) return Channel::kUnknown;
  if (t == "web" || t == "website" || t == "online") return Channel::kWeb;
  if (t == "app" || t == "mobile" || t == "mobileapp") return Channel::kApp;
  if (t == "store" || t == "pos" || t == "shop" || t == "retail") {
    return Channel::kStore;
  }
  if (t == "callcenter" || t == "callcentre" || t == "call" ||
      t == "phone") {
    return Channel::kCallCenter;
  }
  return Channel::kOther;
}

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kCreated:
      return "created";
    case Outcome::kAttached:
      return "attached";
    case Outcome::kMerged:
      return "merged";
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kForgotten:
      return "forgotten";
  }
  return "";
}

int64_t Engine::Internals::Now() const {
  return options.now ? options.now() : absl::ToUnixSeconds(absl::Now());
}

void Engine::Internals::ReaderDeleter::operator()(
    storage::GraphStore* store) const {
  IdleReader idle;
  idle.store.reset(store);
  idle.commits = commits;
  idle.began = began;
  idle.open = in->SnapshotStillCurrent(commits, began);
  if (!idle.open) store->EndRead();
  Lock lock(in->pool_mu);
  in->idle_readers.push_back(std::move(idle));
}

void Engine::Internals::Committed() {
  {
    Lock lock(commit_mu);
    ++commits;
  }
  commit_cv.notify_all();
  // The idle snapshots are out of date now.
  Lock lock(pool_mu);
  for (IdleReader& idle : idle_readers) {
    if (idle.open) idle.store->EndRead();
    idle.open = false;
  }
}

void Engine::Internals::RollbackWrite() {
  writer->Rollback();
  writer_values->Clear();
  Unindex(uncommitted_blocks);
  uncommitted_blocks.clear();
  UnindexValues(uncommitted_values);
  uncommitted_values.clear();
  uncommitted_inserts.clear();
  uncommitted_counts.clear();
  unwritten_counts.clear();
}

absl::Status Engine::Internals::FlushUnwrittenCounts() {
  // In id order: neighbouring values share B-tree pages.
  std::vector<std::pair<int64_t, int64_t>> counts(unwritten_counts.begin(),
                                                  unwritten_counts.end());
  std::sort(counts.begin(), counts.end());
  for (const auto& [id, delta] : counts) {
    absl::Status s = writer->AddValueCount(id, delta);
    if (!s.ok()) return s;
  }
  unwritten_counts.clear();
  return absl::OkStatus();
}

absl::Status Engine::Internals::LoadValueTable(storage::GraphStore* from) {
  if (value_table.loaded() || value_table_given_up) return absl::OkStatus();
  // Read before `from`'s snapshot began: another process's commit in
  // between gives the table up at the next write, never goes unseen.
  absl::StatusOr<int64_t> version = writer->DataVersion();
  if (!version.ok()) return version.status();
  if (from != writer.get()) {
    from->EndRead();
    absl::Status s = from->BeginRead();
    if (!s.ok()) return s;
  }
  constexpr int kBatch = 4096;
  int64_t after = 0;
  for (;;) {
    absl::StatusOr<std::vector<storage::ValueRow>> rows =
        from->ValuesAfter(after, kBatch);
    if (!rows.ok()) {
      value_table.Unload();
      return rows.status();
    }
    for (storage::ValueRow& row : *rows) {
      StoredValue value;
      value.id = row.id;
      value.field = row.field;
      value.value = std::move(row.value);
      value.count = row.count;
      absl::Status s = DecodeKeyHashes(row.keys, &value.keys);
      if (!s.ok()) {
        value_table.Unload();
        return s;
      }
      value_table.Put(value);
      after = row.id;
    }
    if (rows->size() < static_cast<size_t>(kBatch)) break;
  }
  value_table_version = *version;
  value_table.MarkLoaded();
  return absl::OkStatus();
}

void Engine::Internals::ApplyCommittedValues() {
  for (const StoredValue& value : uncommitted_inserts) value_table.Put(value);
  for (const auto& [id, change] : uncommitted_counts) {
    value_table.AddCount(id, change);
  }
  uncommitted_inserts.clear();
  uncommitted_counts.clear();
}

void Engine::Internals::UnindexValues(
    const std::vector<std::pair<uint64_t, int64_t>>& entries) {
  Lock building(blocks_mu);  // As Unindex.
  if (built_blocks.load(std::memory_order_acquire) != nullptr) {
    for (const auto& [hash, id] : entries) value_hashes->Remove(hash, id);
  }
}

void Engine::Internals::Unindex(
    const std::vector<std::pair<uint64_t, int64_t>>& entries) {
  // An index being built now reads the graph without these records; one
  // not built yet will never see them.
  Lock building(blocks_mu);
  if (BlockIndex* index = built_blocks.load(std::memory_order_acquire)) {
    for (const auto& [key, record] : entries) {
      index->Remove(key, record);
      index->RemoveValues(record);
    }
  }
}

absl::StatusOr<BlockIndex*> Engine::Internals::Blocks(
    storage::GraphStore* store) {
  if (BlockIndex* index = built_blocks.load(std::memory_order_acquire)) {
    return index;
  }
  Lock lock(blocks_mu);
  if (blocks == nullptr) {
    const size_t fields = schema->fields.size();
    auto index = std::make_unique<BlockIndex>(options.max_block_size, fields);
    std::vector<int64_t> value_ids;
    Attributes attributes;
    absl::Status damaged;
    absl::Status s = store->ForEachRecord([&](const storage::RecordRow& row) {
      if (row.keys.empty()) return true;  // Never anyone's candidate.
      damaged = DecodeRecordData(row.data, fields, &value_ids, &attributes);
      if (!damaged.ok()) return false;
      for (uint64_t key : row.keys) index->Add(key, row.id);
      index->SetValues(row.id, value_ids);
      return true;
    });
    if (!s.ok()) return s;
    if (!damaged.ok()) return damaged;
    absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> hashes =
        store->ValueHashes(0);
    if (!hashes.ok()) return hashes.status();
    value_hashes = std::make_unique<ValueHashIndex>();
    built_value_id = value_hashes->AddAll(*hashes, 0);
    blocks = std::move(index);
    built_blocks.store(blocks.get(), std::memory_order_release);
  }
  return blocks.get();
}

absl::Status Engine::Internals::CatchUpForeignWrites() {
  absl::StatusOr<int64_t> version = writer->DataVersion();
  if (!version.ok()) return version.status();
  if (*version == seen_data_version) return absl::OkStatus();
  if (value_table.loaded() && *version != value_table_version) {
    // Another process wrote: its count changes are unknown here. Values
    // are read from the store from now on, as before the table.
    value_table.Unload();
    value_table_given_up = true;
  }
  // The writer's cached values: the other process may have changed their
  // counts, or deleted them.
  writer_values->Clear();
  // The per-field record counts, as the other process left them.
  absl::StatusOr<std::optional<std::string>> text =
      writer->GetMeta(kMetaPresent);
  if (!text.ok()) return text.status();
  if (text->has_value()) {
    Lock lock(state_mu);
    present = DecodeCounts(**text, schema->fields.size());
  }
  // The values (once the index is built: a build reads them all). Also
  // right after the build, which may have read an older snapshot (a
  // reader's); values this engine stored since are added again: a no-op.
  if (built_blocks.load(std::memory_order_acquire) != nullptr) {
    if (synced_value_id < 0) synced_value_id = built_value_id;
    absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> hashes =
        writer->ValueHashes(synced_value_id);
    if (!hashes.ok()) return hashes.status();
    synced_value_id = value_hashes->AddAll(*hashes, synced_value_id);
  }
  seen_data_version = *version;
  return absl::OkStatus();
}

absl::StatusOr<Engine::Internals::Reader> Engine::Internals::AcquireReader() {
  // Read before the snapshot begins: a commit in between makes the snapshot
  // look older than it is, never newer.
  const int64_t committed = CommitCount();
  const auto now = std::chrono::steady_clock::now();
  IdleReader idle;
  {
    Lock lock(pool_mu);
    if (!idle_readers.empty()) {
      idle = std::move(idle_readers.back());
      idle_readers.pop_back();
    }
  }
  if (idle.store != nullptr && idle.open &&
      SnapshotStillCurrent(idle.commits, idle.began)) {
    return Reader(idle.store.release(),
                  ReaderDeleter{this, idle.commits, idle.began});
  }
  if (idle.store == nullptr) {
    absl::StatusOr<std::unique_ptr<storage::GraphStore>> opened;
    {
      // The writer connection opens readers; no write may use it meanwhile.
      Lock lock(write_mu);
      opened = writer->OpenReader();
    }
    if (!opened.ok()) return opened.status();
    idle.store = std::move(*opened);
  } else if (idle.open) {
    idle.store->EndRead();
  }
  Reader reader(idle.store.release(), ReaderDeleter{this, committed, now});
  absl::Status s = reader->BeginRead();
  if (!s.ok()) {
    reader.get_deleter().commits = -1;  // No snapshot to keep.
    return s;
  }
  return reader;
}

absl::StatusOr<StoredRecord> DecodeRecord(storage::RecordRow row,
                                          size_t num_fields) {
  StoredRecord record;
  absl::Status s = DecodeRecordData(row.data, num_fields, &record.value_ids,
                                    &record.attributes);
  if (!s.ok()) return s;
  record.row = std::move(row);
  return record;
}

absl::StatusOr<std::optional<StoredRecord>> LoadRecord(
    storage::GraphStore* store, int64_t id, size_t num_fields) {
  absl::StatusOr<std::optional<storage::RecordRow>> row = store->GetRecord(id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return std::optional<StoredRecord>();
  absl::StatusOr<StoredRecord> record =
      DecodeRecord(std::move(**row), num_fields);
  if (!record.ok()) return record.status();
  return std::optional<StoredRecord>(std::move(*record));
}

absl::StatusOr<std::vector<StoredRecord>> LoadCustomerRecords(
    storage::GraphStore* store, int64_t customer, size_t num_fields) {
  absl::StatusOr<std::vector<storage::RecordRow>> rows =
      store->RecordsOfCustomer(customer);
  if (!rows.ok()) return rows.status();
  std::vector<StoredRecord> records;
  for (storage::RecordRow& row : *rows) {
    absl::StatusOr<StoredRecord> record = DecodeRecord(std::move(row), num_fields);
    if (!record.ok()) return record.status();
    records.push_back(std::move(*record));
  }
  return records;
}

absl::StatusOr<storage::CustomerRow> FindCustomerByKey(
    storage::GraphStore* store, const std::string& key,
    std::string* redirected_from) {
  if (key.empty()) return absl::InvalidArgumentError("customer key is empty");
  absl::StatusOr<std::optional<storage::CustomerRow>> row =
      store->FindCustomer(key);
  if (!row.ok()) return row.status();
  if (row->has_value()) return **row;
  absl::StatusOr<std::optional<std::string>> target = store->GetRedirect(key);
  if (!target.ok()) return target.status();
  if (target->has_value()) {
    row = store->FindCustomer(**target);
    if (!row.ok()) return row.status();
    if (row->has_value()) {
      if (redirected_from != nullptr) *redirected_from = key;
      return **row;
    }
  }
  return absl::NotFoundError(absl::StrCat("no customer with key '", key, "'"));
}

std::vector<int64_t> ExclusiveValues(const std::vector<StoredRecord>& records,
                                     const std::vector<FieldSpec>& fields) {
  std::vector<int64_t> out(fields.size(), 0);
  for (size_t f = 0; f < fields.size(); ++f) {
    if (!matching::IsExclusiveIdentifier(fields[f].type)) continue;
    for (const StoredRecord& r : records) {
      const int64_t v = r.value_ids[f];
      if (v == 0 || v == out[f]) continue;
      out[f] = out[f] == 0 ? v : -1;
    }
  }
  return out;
}

bool ExclusiveConflict(const std::vector<int64_t>& a,
                       const std::vector<int64_t>& b) {
  for (size_t f = 0; f < a.size() && f < b.size(); ++f) {
    if (a[f] == 0 || b[f] == 0) continue;
    if (a[f] != b[f] || a[f] < 0) return true;
  }
  return false;
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppend(&out, "\\u00", Hex(absl::string_view(&c, 1)));
        } else {
          out.push_back(c);
        }
    }
  }
  out += "\"";
  return out;
}

// ---------------------------------------------------------------------------

// The private steps of ingest and resolve.
class EngineCore {
 public:
  EngineCore(Engine::Internals* in, const GraphSchema& schema)
      : in_(*in), schema_(schema) {}

  // Checks a record's values and returns the raw value per field.
  absl::StatusOr<std::vector<std::string>> Validate(
      const SourceRecord& record, bool need_source_id) const {
    if (need_source_id) {
      if (record.source_id.empty()) {
        return absl::InvalidArgumentError("record has no source id");
      }
      if (record.source_id.size() > kMaxSourceIdBytes ||
          !matching::IsValidUtf8(record.source_id)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "source id must be valid UTF-8 of at most ", kMaxSourceIdBytes,
            " bytes"));
      }
    }
    std::vector<std::string> raw(schema_.fields.size());
    bool any = false;
    for (const auto& [column, value] : record.values) {
      auto it = in_.column_index.find(column);
      if (it == in_.column_index.end()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown field '", column, "' (the graph's fields: ",
            FieldList(), ")"));
      }
      CheckText(column, value);
      if (!text_error_.ok()) return std::exchange(text_error_, {});
      raw[it->second] = value;
      any |= !absl::StripAsciiWhitespace(value).empty();
    }
    for (const auto& [name, value] : record.attributes) {
      if (name.empty()) {
        return absl::InvalidArgumentError("attribute with an empty name");
      }
      CheckText(name, name);
      CheckText(name, value);
      if (!text_error_.ok()) return std::exchange(text_error_, {});
    }
    if (!any) {
      return absl::InvalidArgumentError(
          absl::StrCat("record ", record.source_id, " has no values"));
    }
    return raw;
  }

  // Normalises the raw values, finds them among the stored values (read
  // through `values`, the caller's snapshot), and derives the blocking keys.
  absl::StatusOr<Probe> MakeProbe(const std::vector<std::string>& raw,
                                  storage::GraphStore* store,
                                  ValueCache& values) const {
    Probe probe = Prepare(raw);
    absl::Status s = FindStoredValues(store, values, &probe);
    if (!s.ok()) return s;
    return probe;
  }

  // The part of MakeProbe that reads nothing: normalised values, their
  // hashes and the blocking keys. Thread-safe. `cache`, if given, keeps each
  // field's raw value normalised (Internals::prepared_values).
  Probe Prepare(const std::vector<std::string>& raw,
                PreparedValueCache* cache = nullptr) const {
    Probe probe;
    matching::PrepareOptions prepare;
    prepare.phone_region = schema_.phone_region;
    prepare.date_order = schema_.date_order;
    prepare.names = in_.options.names;
    const size_t n = schema_.fields.size();
    probe.columns.reserve(n);
    probe.value_ids.assign(n, 0);
    probe.counts.assign(n, 0);
    probe.hashes.assign(n, 0);
    for (size_t f = 0; f < n; ++f) {
      if (raw[f].empty()) {  // Most fields of most records: no preparer.
        PreparedColumn& missing = probe.columns.emplace_back();
        missing.column = schema_.fields[f].column;
        missing.type = schema_.fields[f].type;
        missing.ids.push_back(-1);
        continue;
      }
      if (cache != nullptr) {
        if (std::optional<PreparedColumn> known = cache->Find(f, raw[f])) {
          probe.columns.push_back(std::move(*known));
          if (probe.Has(f)) probe.hashes[f] = ValueHash(f, probe.Value(f));
          continue;
        }
      }
      matching::ColumnPreparer preparer(schema_.fields[f].column,
                                        schema_.fields[f].type, prepare);
      preparer.Add(raw[f]);
      probe.columns.push_back(preparer.Finish(1));
      if (cache != nullptr) cache->Add(f, raw[f], probe.columns.back());
      if (probe.Has(f)) probe.hashes[f] = ValueHash(f, probe.Value(f));
    }
    for (matching::BlockingRule& rule :
         matching::DefaultBlockingRules(probe.columns, kNameKeySlots)) {
      auto it = in_.rule_index.find(rule.name);
      if (it == in_.rule_index.end() || rule.keys[0] == 0) continue;
      bool repeated = false;
      for (const Probe::Key& k : probe.keys) repeated |= k.key == rule.keys[0];
      if (!repeated) probe.keys.push_back({it->second, rule.keys[0]});
    }
    return probe;
  }

  // The part of MakeProbe that reads: each value's id and count among the
  // stored values, through `values` (the caller's snapshot).
  absl::Status FindStoredValues(storage::GraphStore* store, ValueCache& values,
                                Probe* probe) const {
    absl::StatusOr<BlockIndex*> built = in_.Blocks(store);
    if (!built.ok()) return built.status();
    const ValueHashIndex& by_hash = *in_.value_hashes;
    for (size_t f = 0; f < schema_.fields.size(); ++f) {
      if (!probe->Has(f)) continue;
      for (int64_t id : by_hash.Find(probe->hashes[f])) {
        absl::StatusOr<const StoredValue*> stored = values.Lookup(id);
        if (!stored.ok()) return stored.status();
        // Absent: a value of a write this snapshot does not see.
        if (*stored != nullptr && (*stored)->field == static_cast<int32_t>(f) &&
            (*stored)->value == probe->Value(f)) {
          probe->value_ids[f] = id;
          probe->counts[f] = (*stored)->count;
        }
      }
    }
    return absl::OkStatus();
  }

  // Candidate records through the blocking keys, each with the first model
  // rule that found it (as batch blocking attributes pairs). Oversized
  // blocks propose none. Of more than max_candidate_records, those that
  // share the most telling evidence with the probe are kept, by an inverse
  // frequency (as in TF-IDF) the index answers without reading a value:
  //   - each blocking key shared: log2(records / block size);
  //   - each field whose whole value is the probe's: log2(records holding
  //     the field / records holding the value), so that among the thirty
  //     records of a birth date (a common name's own keys are oversized)
  //     the one with the probe's name comes first, and sharing a gender
  //     says almost nothing.
  // Ties go to the newest records. `present`: records holding each field.
  std::vector<std::pair<int64_t, int>> Candidates(
      const Probe& probe, const BlockIndex& index,
      const std::vector<int64_t>& present) const {
    struct Found {
      int rule;
      float rank;
    };
    auto inverse_frequency = [](int64_t of, int64_t holding) {
      return std::log2(static_cast<float>(std::max<int64_t>(of, 1) + 1) /
                       static_cast<float>(std::max<int64_t>(holding, 1)));
    };
    const int64_t records =
        present.empty() ? 0 : *std::max_element(present.begin(), present.end());
    absl::flat_hash_map<int64_t, Found> found;
    for (const Probe::Key& key : probe.keys) {
      bool oversized = false;
      const std::vector<int64_t> block = index.Find(key.key, &oversized);
      if (oversized) continue;
      const float rank = inverse_frequency(records, block.size());
      for (int64_t id : block) {
        auto [it, added] = found.emplace(id, Found{key.rule, rank});
        if (added) continue;
        it->second.rule = std::min(it->second.rule, key.rule);
        it->second.rank += rank;
      }
    }
    const size_t limit = in_.options.max_candidate_records;
    std::vector<std::pair<int64_t, int>> out;
    out.reserve(limit == 0 ? found.size() : std::min(found.size(), limit));
    if (limit == 0 || found.size() <= limit) {
      for (const auto& [id, f] : found) out.emplace_back(id, f.rule);
    } else {
      std::vector<float> same_value(probe.value_ids.size(), 0);
      for (size_t f = 0; f < same_value.size() && f < present.size(); ++f) {
        if (probe.value_ids[f] == 0) continue;
        same_value[f] = inverse_frequency(present[f], probe.counts[f]);
      }
      std::vector<std::pair<float, int64_t>> ranked;
      ranked.reserve(found.size());
      std::vector<int64_t> value_ids;
      std::vector<int64_t> ids;
      ids.reserve(found.size());
      for (const auto& [id, f] : found) ids.push_back(id);
      index.PrefetchValues(ids);
      for (const auto& [id, f] : found) {
        float rank = f.rank;
        if (index.GetValues(id, &value_ids)) {
          for (size_t v = 0; v < value_ids.size(); ++v) {
            if (value_ids[v] != 0 && value_ids[v] == probe.value_ids[v]) {
              rank += same_value[v];
            }
          }
        }
        ranked.emplace_back(rank, id);
      }
      std::nth_element(ranked.begin(), ranked.begin() + (limit - 1),
                       ranked.end(), std::greater<>());
      for (size_t i = 0; i < limit; ++i) {
        out.emplace_back(ranked[i].second, found[ranked[i].second].rule);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Scores the candidates against the probe. `ingesting`: the probe's values
  // count in the term frequencies (it is about to be stored). `partial`:
  // per candidate, whether its value ids come from the index rather than
  // its record (a value missing then means the record is not in this
  // snapshot, written after it or deleted by another process: it is vetoed;
  // for a record read in this snapshot it is damage).
  absl::StatusOr<std::vector<Scored>> Score(
      const Probe& probe, const std::vector<StoredRecord>& records,
      const std::vector<int>& rules, ValueCache& values,
      const std::vector<int64_t>& present, bool ingesting,
      const std::vector<bool>& partial) const {
    const size_t n = schema_.fields.size();
    std::vector<bool> gone(records.size() + 1, false);
    const uint32_t rows = static_cast<uint32_t>(records.size()) + 1;
    PreparedColumns columns(n);
    std::vector<bool> exact_field(n, false);
    // A comparison with the probe's side missing is level 0, whatever the
    // candidate holds: only the fields the probe has (and the name columns
    // they may be swapped with) need the candidates' values. A resolve by a
    // loyalty number so loads one value per candidate, not one per field.
    std::vector<bool> needed(n, false);
    for (const matching::FieldComparison& c : schema_.model.comparisons) {
      if (!probe.Has(c.column)) continue;
      needed[c.column] = true;
      if (c.partner >= 0) needed[c.partner] = true;
    }
    {
      // The values read below, fetched into the CPU's cache all at once.
      std::vector<int64_t> wanted;
      for (size_t f = 0; f < n; ++f) {
        if (!needed[f]) continue;
        for (const StoredRecord& record : records) {
          const int64_t id = record.value_ids[f];
          if (id != 0 && id != probe.value_ids[f]) wanted.push_back(id);
        }
      }
      values.Prefetch(wanted);
    }
    for (size_t f = 0; f < n; ++f) {
      PreparedColumn& col = columns[f];
      col.column = schema_.fields[f].column;
      col.type = schema_.fields[f].type;
      col.ids.assign(rows, -1);
      const bool probe_has = probe.Has(f);
      col.present = present[f] + (ingesting && probe_has ? 1 : 0);
      // Term frequency, shrunk towards the model's typical frequency while
      // the graph is young: count / present alone would call every value of
      // the first records common (and later, early on, rare).
      const double prior = in_.typical_frequency[f];
      auto log2_frequency = [&](int64_t count) {
        return std::log2((count + kFrequencyPriorRecords * prior) /
                         (col.present + kFrequencyPriorRecords));
      };
      absl::flat_hash_map<absl::string_view, int32_t> local;
      absl::flat_hash_map<uint64_t, int32_t> local_keys;
      auto intern = [&](const std::string& value,
                        const std::vector<uint64_t>& keys,
                        int64_t count) -> int32_t {
        if (matching::IsIdentifier(col.type) &&
            count > in_.options.shared_value_limit) {
          return -1;  // Shared by too many records: no evidence.
        }
        auto [it, added] =
            local.emplace(value, static_cast<int32_t>(col.values.size()));
        if (!added) return it->second;
        col.values.push_back(value);
        col.counts.push_back(static_cast<uint32_t>(std::max<int64_t>(count, 1)));
        col.log2_frequency.push_back(
            static_cast<float>(log2_frequency(col.counts.back())));
        if (col.type == FieldType::kBirthDate) {
          matching::CivilDay day;
          matching::ParseCivilDay(value, &day);
          col.dates.push_back(day);
        }
        if (IsNameType(col.type)) {
          std::vector<int32_t> ids;
          for (uint64_t h : keys) {
            auto [k, fresh] = local_keys.emplace(
                h, static_cast<int32_t>(col.name_key_hashes.size()));
            if (fresh) col.name_key_hashes.push_back(h);
            ids.push_back(k->second);
          }
          col.name_keys.push_back(std::move(ids));
        }
        return it->second;
      };
      if (probe_has) {
        col.ids[0] = intern(probe.Value(f), probe.NameKeys(f),
                            probe.counts[f] + (ingesting ? 1 : 0));
      }
      for (uint32_t r = 1; r < rows && needed[f]; ++r) {
        const int64_t id = records[r - 1].value_ids[f];
        if (id == 0) continue;
        // The probe's own value (the one whose block found the candidate,
        // often): already interned, and with the same count, so the same
        // local id (or the same -1 for a shared junk value). Nothing to read.
        if (probe_has && id == probe.value_ids[f]) {
          col.ids[r] = col.ids[0];
          continue;
        }
        absl::StatusOr<const StoredValue*> v =
            partial[r - 1] ? values.Lookup(id) : values.Get(id);
        if (!v.ok()) return v.status();
        if (*v == nullptr) {
          gone[r] = true;
          continue;
        }
        col.ids[r] = intern((*v)->value, (*v)->keys, (*v)->count);
      }
      exact_field[f] = matching::IsExclusiveIdentifier(col.type);
    }
    const matching::DedupModel& model = schema_.model;
    std::vector<Scored> out;
    for (uint32_t r = 1; r < rows; ++r) {
      Scored s;
      s.record = &records[r - 1];
      s.rule = rules[r - 1];
      s.pattern = matching::ComparePair(model.comparisons, columns, 0, r);
      s.weight = matching::ScorePair(model, columns, s.rule, s.pattern, 0, r);
      s.vetoed = gone[r];
      for (size_t f = 0; f < n; ++f) {
        if (!exact_field[f] || !probe.Has(f)) continue;
        const int64_t theirs = s.record->value_ids[f];
        if (theirs == 0) continue;
        if (theirs != probe.value_ids[f]) {
          s.vetoed = true;
        } else if (columns[f].ids[0] >= 0) {  // Not a shared junk value.
          s.exact = true;
        }
      }
      if (s.vetoed) s.exact = false;
      out.push_back(s);
    }
    scratch_columns_ = std::move(columns);
    return out;
  }

  // The per-field weights of a scored pair (for links and explanations).
  std::vector<LinkTerm> Terms(const Scored& s, uint32_t row) const {
    std::vector<LinkTerm> terms;
    const matching::DedupModel& model = schema_.model;
    for (size_t k = 0; k < model.comparisons.size(); ++k) {
      const int level = matching::LevelOf(s.pattern, static_cast<int>(k));
      if (level == 0) continue;
      const double w = matching::ComparisonWeight(
          model, scratch_columns_, s.rule, s.pattern, static_cast<int>(k), 0,
          row);
      terms.push_back({static_cast<int>(k), level, static_cast<float>(w)});
    }
    return terms;
  }

  // The columns of the last Score (which Terms reads), handed out; and
  // handed in, from the core of the thread that scored.
  PreparedColumns TakeColumns() { return std::move(scratch_columns_); }
  void SetColumns(PreparedColumns columns) {
    scratch_columns_ = std::move(columns);
  }

  // A resolve's candidates, loaded and scored; it needs the customers of
  // its best `best_customers` only. (An ingest scores with ScoreCandidates
  // and reads with ReadLinkingRecords, on two threads.)
  absl::Status LoadAndScore(const Probe& probe, storage::GraphStore* store,
                            const std::vector<int64_t>& present,
                            std::vector<StoredRecord>* records,
                            std::vector<Scored>* scored, ValueCache& values,
                            int best_customers = 0) {
    absl::Status s =
        ScoreCandidates(probe, store, present, false, records, scored, values);
    if (!s.ok()) return s;
    // A resolve with one of the probe's identifier values stored groups
    // the candidates by it (ReadCandidateCustomers); one by attributes
    // alone reads the best candidates only (ReadBestCandidates).
    bool grouped = false;
    for (size_t f = 0; f < schema_.fields.size() && !grouped; ++f) {
      grouped = probe.value_ids[f] != 0 &&
                matching::IsIdentifier(schema_.fields[f].type);
    }
    return grouped ? ReadCandidateCustomers(probe, store, records, scored)
                   : ReadBestCandidates(store, best_customers, records, scored);
  }

  // LoadAndScore's first part: the candidates, scored, with no row read
  // but a candidate's the index lacks.
  absl::Status ScoreCandidates(const Probe& probe, storage::GraphStore* store,
                               const std::vector<int64_t>& present,
                               bool ingesting,
                               std::vector<StoredRecord>* records,
                               std::vector<Scored>* scored,
                               ValueCache& values) {
    absl::StatusOr<BlockIndex*> index = in_.Blocks(store);
    if (!index.ok()) return index.status();
    std::vector<int> rules;
    records->clear();
    // Candidates are scored by the value ids the index keeps (a record's
    // values never change), and their rows read afterwards: by the writer
    // only for those that link (for their customer); by a reader for those
    // whose customer it needs, in its own snapshot, which may lag the index.
    std::vector<bool> partial;
    const std::vector<std::pair<int64_t, int>> candidates =
        Candidates(probe, **index, present);
    {
      std::vector<int64_t> ids;
      ids.reserve(candidates.size());
      for (const auto& [id, rule] : candidates) ids.push_back(id);
      (*index)->PrefetchValues(ids);
    }
    for (const auto& [id, rule] : candidates) {
      StoredRecord kept;
      if ((*index)->GetValues(id, &kept.value_ids)) {
        kept.row.id = id;
        kept.row_read = false;
        records->push_back(std::move(kept));
        rules.push_back(rule);
        partial.push_back(true);
        continue;
      }
      absl::StatusOr<std::optional<StoredRecord>> record =
          LoadRecord(store, id, schema_.fields.size());
      if (!record.ok()) return record.status();
      // The index runs ahead of a reader's snapshot: a record another
      // transaction is writing, or has just deleted.
      if (!record->has_value()) continue;
      records->push_back(std::move(**record));
      rules.push_back(rule);
      partial.push_back(false);
    }
    absl::StatusOr<std::vector<Scored>> s =
        Score(probe, *records, rules, values, present, ingesting, partial);
    if (!s.ok()) return s.status();
    *scored = std::move(*s);
    return absl::OkStatus();
  }

  bool Links(const Scored& s) const {
    return !s.vetoed && !s.unread && (s.exact || s.weight >= in_.min_weight);
  }

  // The writer's step after scoring: reads the rows of the candidates that
  // link. One the store does not hold is vetoed: an index built from a
  // reader's snapshot taken before a Forget committed can hold a record the
  // Forget deleted.
  // Only their customers are read (deciding and linking need no more):
  // rows not read keep row_read false.
  absl::Status ReadLinkingRecords(storage::GraphStore* store,
                                  std::vector<StoredRecord>* records,
                                  std::vector<Scored>* scored) const {
    for (size_t i = 0; i < records->size(); ++i) {
      StoredRecord& record = (*records)[i];
      if (record.row_read || !Links((*scored)[i])) continue;
      absl::StatusOr<int64_t> customer = store->CustomerOfRecord(record.row.id);
      if (!customer.ok()) return customer.status();
      if (*customer == 0) {
        Veto(&(*scored)[i]);  // Gone since it was scored.
        continue;
      }
      record.row.customer = *customer;
    }
    return absl::OkStatus();
  }

 private:
  // A reader's step after scoring: each candidate's customer in the
  // reader's snapshot; a candidate the snapshot does not hold is vetoed.
  // Candidates found by one of the probe's identifier values are often many
  // records of one customer (a loyalty number on every visit): when a record
  // read holds such a value with two or more candidates still unread, its
  // customer's record ids are listed at once (one index range, which costs
  // about one record read) and those candidates take its customer without a
  // read of their own. Rows so placed keep row_read false (only id and
  // customer are set).
  absl::Status ReadCandidateCustomers(const Probe& probe,
                                      storage::GraphStore* store,
                                      std::vector<StoredRecord>* records,
                                      std::vector<Scored>* scored) const {
    // Per field: the probe's value that groups candidates (0 for none, and
    // for a field that is not an identifier), and how many unread
    // candidates hold it.
    const size_t n = schema_.fields.size();
    std::vector<int64_t> grouping(n, 0);
    for (size_t f = 0; f < n; ++f) {
      if (matching::IsIdentifier(schema_.fields[f].type)) {
        grouping[f] = probe.value_ids[f];
      }
    }
    std::vector<int> unread_holders(n, 0);
    auto holds = [&](const StoredRecord& r, size_t f) {
      return grouping[f] != 0 && r.value_ids[f] == grouping[f];
    };
    auto count_holder = [&](const StoredRecord& r, int delta) {
      for (size_t f = 0; f < n; ++f) {
        if (holds(r, f)) unread_holders[f] += delta;
      }
    };
    for (const StoredRecord& r : *records) {
      if (!r.row_read) count_holder(r, 1);
    }
    absl::flat_hash_map<int64_t, int64_t> customer_of;
    for (size_t i = 0; i < records->size(); ++i) {
      StoredRecord& record = (*records)[i];
      if (record.row_read) continue;
      count_holder(record, -1);
      if (auto it = customer_of.find(record.row.id); it != customer_of.end()) {
        record.row.customer = it->second;
        continue;
      }
      absl::StatusOr<bool> read = ReadRow(store, &record, &(*scored)[i]);
      if (!read.ok()) return read.status();
      if (!*read) continue;
      bool shared = false;
      for (size_t f = 0; f < n; ++f) {
        shared |= holds(record, f) && unread_holders[f] >= 2;
      }
      if (!shared) continue;
      absl::StatusOr<std::vector<int64_t>> same =
          store->RecordIdsOfCustomer(record.row.customer);
      if (!same.ok()) return same.status();
      for (int64_t id : *same) customer_of.emplace(id, record.row.customer);
    }
    return absl::OkStatus();
  }

  // A resolve's step after scoring when no identifier value groups the
  // candidates (a probe of name and birth date): rows are read best first
  // (exact, then by weight) until `best_customers` customers are found,
  // and on through any candidates scoring as the last one found, so the
  // answer is the one reading them all would give; the rest stay unread.
  // With best_customers 0, all are read. A block at a million records holds
  // up to max_block_size candidates per key: reading each was most of such
  // a resolve's time.
  absl::Status ReadBestCandidates(storage::GraphStore* store,
                                  int best_customers,
                                  std::vector<StoredRecord>* records,
                                  std::vector<Scored>* scored) const {
    std::vector<size_t> order;
    for (size_t i = 0; i < records->size(); ++i) {
      if (!(*records)[i].row_read) order.push_back(i);
    }
    auto better = [&](size_t a, size_t b) {
      const Scored& x = (*scored)[a];
      const Scored& y = (*scored)[b];
      if (x.exact != y.exact) return x.exact;
      if (x.weight != y.weight) return x.weight > y.weight;
      return a < b;
    };
    std::sort(order.begin(), order.end(), better);
    absl::flat_hash_set<int64_t> customers;
    const Scored* last = nullptr;  // The last candidate that added one.
    for (size_t i : order) {
      Scored& s = (*scored)[i];
      if (s.vetoed) continue;  // Never an answer: no need to place it.
      const bool enough = best_customers > 0 &&
                          static_cast<int>(customers.size()) >= best_customers;
      if (enough && (s.exact != last->exact || s.weight != last->weight)) {
        s.unread = true;
        continue;
      }
      absl::StatusOr<bool> read = ReadRow(store, &(*records)[i], &s);
      if (!read.ok()) return read.status();
      if (!*read) continue;
      if (customers.insert((*records)[i].row.customer).second) last = &s;
    }
    return absl::OkStatus();
  }

  // Reads the row of `record` (known by the index) in `store`'s snapshot.
  // A record the snapshot does not hold is vetoed: false.
  absl::StatusOr<bool> ReadRow(storage::GraphStore* store, StoredRecord* record,
                               Scored* scored) const {
    absl::StatusOr<std::optional<StoredRecord>> full =
        LoadRecord(store, record->row.id, schema_.fields.size());
    if (!full.ok()) return full.status();
    if (!full->has_value()) {
      Veto(scored);
      return false;
    }
    *record = std::move(**full);
    return true;
  }

  static void Veto(Scored* s) {
    s->vetoed = true;
    s->exact = false;
  }

  std::string FieldList() const {
    std::vector<std::string> names;
    for (const FieldSpec& f : schema_.fields) names.push_back(f.column);
    return absl::StrJoin(names, ", ");
  }

  void CheckText(absl::string_view what, absl::string_view text) const {
    if (!text_error_.ok()) return;
    if (text.size() > kMaxValueBytes) {
      text_error_ = absl::InvalidArgumentError(
          absl::StrCat("value of '", what, "' is ", text.size(),
                       " bytes; at most ", kMaxValueBytes, " are accepted"));
    } else if (!matching::IsValidUtf8(text)) {
      text_error_ = absl::InvalidArgumentError(absl::StrCat(
          "value of '", what, "' is not valid UTF-8 (byte ",
          matching::FirstInvalidUtf8(text), ")"));
    }
  }

  Engine::Internals& in_;
  const GraphSchema& schema_;
  mutable absl::Status text_error_;
  mutable PreparedColumns scratch_columns_;  // Of the last Score.
};

// ---------------------------------------------------------------------------

Engine::Engine(std::unique_ptr<storage::GraphStore> store,
               EngineOptions options)
    : in_(std::make_unique<Internals>()) {
  // The writer reads the same candidate records and values again and again.
  in_->writer = std::make_unique<storage::CachedGraphStore>(
      std::move(store), storage::CachedGraphStore::kDefaultMaxRows,
      options.mirror_max_records);
  in_->writer_values = std::make_unique<ValueCache>(
      in_->writer.get(), &in_->value_table, &in_->uncommitted_counts,
      &in_->unwritten_counts, &in_->uncommitted_inserts);
  in_->options = std::move(options);
  in_->schema = &schema_;
}

Engine::~Engine() {
  Lock lock(in_->pool_mu);
  in_->idle_readers.clear();
}

absl::StatusOr<std::optional<std::vector<FieldSpec>>> Engine::StoredFields(
    storage::GraphStore* store) {
  absl::StatusOr<std::optional<std::string>> text = store->GetMeta(kMetaFields);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<std::vector<FieldSpec>>();
  absl::StatusOr<std::vector<FieldSpec>> fields = DecodeFields(**text);
  if (!fields.ok()) return fields.status();
  return std::optional<std::vector<FieldSpec>>(std::move(*fields));
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(
    std::unique_ptr<storage::GraphStore> store, EngineOptions options) {
  if (store == nullptr) return absl::InvalidArgumentError("no store");
  if (options.max_block_size < 2) {
    return absl::InvalidArgumentError("max_block_size must be at least 2");
  }
  if (options.max_candidate_records < 0) {
    return absl::InvalidArgumentError(
        "max_candidate_records must not be negative");
  }
  absl::StatusOr<std::optional<std::string>> stored_fields =
      store->GetMeta(kMetaFields);
  if (!stored_fields.ok()) return stored_fields.status();
  if (!stored_fields->has_value()) {
    if (!options.schema.has_value()) {
      return absl::FailedPreconditionError(
          "the database holds no identity graph yet; create it with fields "
          "and a model (idr ingest does)");
    }
    const GraphSchema& s = *options.schema;
    if (s.fields.empty()) return absl::InvalidArgumentError("no fields");
    absl::StatusOr<std::string> model =
        matching::ModelToJson(s.model, s.threshold);
    if (!model.ok()) return model.status();
    absl::Status st = store->BeginWrite();
    auto put = [&](const char* key, const std::string& value) {
      if (st.ok()) st = store->PutMeta(key, value);
    };
    put(kMetaFields, EncodeFields(s.fields));
    put(kMetaModel, *model);
    put(kMetaTrained, absl::StrCat(s.trained_records));
    put(kMetaPhoneRegion, s.phone_region);
    put(kMetaDateOrder,
        s.date_order == matching::DateOrder::kDayMonthYear ? "dmy" : "mdy");
    put(kMetaSecret, Hex(RandomSecret()));
    put(kMetaPresent, EncodeCounts(std::vector<int64_t>(s.fields.size(), 0)));
    put(kMetaNormalization, absl::StrCat(matching::kNormalizationVersion));
    if (st.ok()) st = store->Commit();
    if (!st.ok()) {
      store->Rollback();
      return st;
    }
  }
  storage::GraphStore* raw = store.get();  // The engine will own it.
  auto get = [raw](const char* key) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::optional<std::string>> v = raw->GetMeta(key);
    if (!v.ok()) return v.status();
    if (!v->has_value()) {
      return absl::DataLossError(
          absl::StrCat("the graph lacks its '", key, "' setting"));
    }
    return **v;
  };
  std::unique_ptr<Engine> engine(new Engine(std::move(store), options));
  GraphSchema& schema = engine->schema_;
  Internals& in = *engine->in_;
  absl::StatusOr<std::string> text = get(kMetaFields);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<FieldSpec>> fields = DecodeFields(*text);
  if (!fields.ok()) return fields.status();
  schema.fields = std::move(*fields);
  if (options.schema.has_value() &&
      EncodeFields(options.schema->fields) != EncodeFields(schema.fields)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the database's graph has the fields [",
        absl::StrReplaceAll(EncodeFields(schema.fields), {{"\n", ", "}}),
        "], not the ones given"));
  }
  PreparedColumns shape(schema.fields.size());
  for (size_t f = 0; f < schema.fields.size(); ++f) {
    shape[f].column = schema.fields[f].column;
    shape[f].type = schema.fields[f].type;
    in.column_index[schema.fields[f].column] = static_cast<int>(f);
  }
  if (!(text = get(kMetaModel)).ok()) return text.status();
  schema.model_version =
      absl::StrFormat("%016x", XXH3_64bits(text->data(), text->size()));
  absl::StatusOr<matching::DedupModel> model =
      matching::ModelFromJson(*text, "the graph's model", shape,
                              &schema.threshold);
  if (!model.ok()) return model.status();
  schema.model = std::move(*model);
  matching::PrepareForScoring(schema.model);
  for (size_t r = 0; r < schema.model.rule_names.size(); ++r) {
    in.rule_index[schema.model.rule_names[r]] = static_cast<int>(r);
  }
  in.min_weight = matching::MatchWeightOf(schema.threshold);
  in.review_min_weight =
      matching::MatchWeightOf(in.options.review_min_probability);
  // Per field, the geometric mean of the model's TF baselines on it.
  in.typical_frequency.assign(schema.fields.size(), 0);
  for (size_t k = 0; k < schema.model.comparisons.size(); ++k) {
    double log_sum = 0;
    int n = 0;
    for (const std::vector<double>& rule : schema.model.tf_baseline) {
      if (k < rule.size() && rule[k] > 0) log_sum += std::log2(rule[k]), ++n;
    }
    const int f = schema.model.comparisons[k].column;
    if (n > 0 && f >= 0 && f < static_cast<int>(schema.fields.size())) {
      in.typical_frequency[f] = std::exp2(log_sum / n);
    }
  }
  if (!(text = get(kMetaTrained)).ok()) return text.status();
  absl::SimpleAtoi(*text, &schema.trained_records);
  if (!(text = get(kMetaPhoneRegion)).ok()) return text.status();
  schema.phone_region = *text;
  if (!(text = get(kMetaDateOrder)).ok()) return text.status();
  schema.date_order = *text == "mdy" ? matching::DateOrder::kMonthDayYear
                                     : matching::DateOrder::kDayMonthYear;
  if (!(text = get(kMetaSecret)).ok()) return text.status();
  in.secret = Unhex(*text);
  if (!(text = get(kMetaPresent)).ok()) return text.status();
  {
    Lock lock(in.state_mu);
    in.present = DecodeCounts(*text, schema.fields.size());
  }
  // A graph without the setting predates it: version 1. Another version's
  // graph still opens, so that keys, profiles, merges and forget keep
  // working on it; ingest and resolve by values refuse (see Internals).
  absl::StatusOr<std::optional<std::string>> version =
      raw->GetMeta(kMetaNormalization);
  if (!version.ok()) return version.status();
  const std::string stored = version->value_or("1");
  if (stored != absl::StrCat(matching::kNormalizationVersion)) {
    in.normalization = absl::FailedPreconditionError(absl::StrCat(
        "the graph's values were normalised by normalisation version ",
        stored, " and this idr normalises by version ",
        matching::kNormalizationVersion,
        ": lookups by value would miss stored records; rebuild the graph "
        "from the source records (idr ingest into a new file). Keys, "
        "profiles, merges and forget still work on it"));
  }
  return engine;
}

namespace {

// A record on its way through an ingest transaction: what its first stage
// (StageRecord) found and made of it, for the second (IngestStep), which
// writes it.
struct StagedRecord {
  enum class Kind { kInvalid, kForgotten, kReplayed, kNew };
  Kind kind = Kind::kNew;
  absl::Status invalid;  // kInvalid: why (the record fails alone).
  Probe probe;           // The normalised record, its stored values found.
  std::vector<StoredRecord> records;  // Its candidates,
  std::vector<Scored> scored;         // scored (pointing into `records`),
  PreparedColumns columns;            // with these columns (for Terms).
  // Published, for kNew: the value id per field (0 = missing), the values
  // to insert (with the ids taken for them), the record id taken for it,
  // and its blocking keys.
  std::vector<int64_t> ids;
  std::vector<storage::ValueRow> new_values;
  int64_t record_id = 0;
  std::vector<uint64_t> keys;
};

}  // namespace

// Records of a batch prepared (validated and normalised: StagedRecord's
// `kind`, `invalid` and `probe`) before their transaction began, while an
// earlier one was written. Empty, or one entry per record.
struct PreparedAhead {
  std::vector<StagedRecord> staged;
  std::vector<char> prepared;  // Whether staged[i] is.
};

namespace {

// What the first stages of one transaction's records share: the per-field
// record counts, the ids taken ahead, and the source ids staged.
struct StagingState {
  std::vector<int64_t> present;
  int64_t next_record_id = 0;
  int64_t next_value_id = 0;
  absl::flat_hash_set<std::string> source_ids;
};

// Bounds the writer's value cache: a long-running writer starts afresh now
// and then; with the value table loaded, every 4,096 values (the table has
// them all: the cache only spares a copy out of it, and would double its
// memory).
void BoundWriterValues(Engine::Internals& in) {
  ValueCache& values = *in.writer_values;
  if (values.size() > (in.value_table.loaded() ? 4096u : (1u << 21))) {
    values.Clear();
  }
}

// The first stage of a record's ingest, in the open write transaction:
// tells a replay or a forgotten record, finds the record's stored values
// and scores its candidates, then publishes it in the graph's memory (its
// values, counts and index entries, under ids taken ahead; a rollback takes
// them out again), so that the next record is scored as if this one were
// written. Reads through `store`: the writer, or a reader whose snapshot
// began after the write transaction did (it sees what the transaction has
// not written only through the memory, which holds all of it that scoring
// needs). Writes nothing to the store.
absl::Status StageRecord(Engine::Internals& in, EngineCore& core,
                         storage::GraphStore* store, StagingState& state,
                         const SourceRecord& record, StagedRecord* staged) {
  using Kind = StagedRecord::Kind;
  if (staged->kind == Kind::kInvalid) return absl::OkStatus();
  if (state.source_ids.contains(record.source_id)) {
    staged->kind = Kind::kReplayed;  // Earlier in this transaction.
    return absl::OkStatus();
  }
  absl::StatusOr<bool> forgotten =
      store->HasTombstone(KeyedHash(in.secret, record.source_id));
  if (!forgotten.ok()) return forgotten.status();
  if (*forgotten) {
    staged->kind = Kind::kForgotten;
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<storage::RecordRow>> existing =
      store->FindRecord(record.source_id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    staged->kind = Kind::kReplayed;
    return absl::OkStatus();
  }

  BoundWriterValues(in);
  ValueCache& values = *in.writer_values;
  Probe& probe = staged->probe;
  absl::Status s = core.FindStoredValues(store, values, &probe);
  if (!s.ok()) return s;
  s = core.ScoreCandidates(probe, store, state.present, true, &staged->records,
                           &staged->scored, values);
  if (!s.ok()) return s;
  staged->columns = core.TakeColumns();

  // Published: values and counts.
  const size_t n = probe.value_ids.size();
  staged->ids.assign(n, 0);
  for (size_t f = 0; f < n; ++f) {
    if (!probe.Has(f)) continue;
    ++state.present[f];
    const int64_t found = probe.value_ids[f];
    if (found != 0) {
      staged->ids[f] = found;
      ++in.unwritten_counts[found];
      values.AddCount(found, 1);
      ++in.uncommitted_counts[found];
      continue;
    }
    storage::ValueRow& row = staged->new_values.emplace_back();
    row.id = state.next_value_id++;
    row.hash = probe.hashes[f];
    row.field = static_cast<int32_t>(f);
    row.value = probe.Value(f);
    std::vector<uint64_t> keys = probe.NameKeys(f);
    if (!keys.empty()) row.keys = EncodeKeyHashes(keys);
    row.count = 1;
    staged->ids[f] = row.id;
    in.value_hashes->Add(row.hash, row.id);
    in.uncommitted_values.emplace_back(row.hash, row.id);
    StoredValue& added = in.uncommitted_inserts.emplace_back();
    added.id = row.id;
    added.field = row.field;
    added.value = row.value;
    added.count = 1;
    added.keys = std::move(keys);
  }
  // And the record's index entries.
  staged->record_id = state.next_record_id++;
  for (const Probe::Key& key : probe.keys) staged->keys.push_back(key.key);
  absl::StatusOr<BlockIndex*> index = in.Blocks(store);
  if (!index.ok()) return index.status();
  for (uint64_t key : staged->keys) {
    (*index)->Add(key, staged->record_id);
    in.uncommitted_blocks.emplace_back(key, staged->record_id);
  }
  if (!staged->keys.empty()) {
    (*index)->SetValues(staged->record_id, staged->ids);
  }
  state.source_ids.insert(record.source_id);
  return absl::OkStatus();
}

// The second stage of a record's ingest, in the open write transaction, on
// the writer: decides and writes what StageRecord found.
class IngestStep {
 public:
  IngestStep(Engine::Internals& in, const GraphSchema& schema)
      : in_(in), schema_(schema), core_(&in, schema) {}

  absl::StatusOr<IngestResult> Run(const SourceRecord& record,
                                   StagedRecord staged);

 private:
  struct Group {
    storage::CustomerRow customer;
    std::vector<const Scored*> links;
    double best = -1e300;
    bool exact = false;
  };
  absl::StatusOr<std::vector<Group>> GroupLinks(
      const std::vector<Scored>& scored);
  absl::StatusOr<std::vector<int64_t>> CustomerExclusive(int64_t customer);
  absl::Status Hold(const Group& target, const Group& held, int64_t record,
                    const std::string& reason);

  Engine::Internals& in_;
  const GraphSchema& schema_;
  EngineCore core_;
  storage::GraphStore* store() { return in_.writer.get(); }
  int64_t now_ = 0;
  absl::flat_hash_map<int64_t, std::vector<int64_t>> exclusive_;
  struct HeldMerge {
    std::string key, other_key;
    double weight;
    std::string reason;
  };
  std::vector<HeldMerge> held_;
};

absl::StatusOr<std::vector<IngestStep::Group>> IngestStep::GroupLinks(
    const std::vector<Scored>& scored) {
  absl::flat_hash_map<int64_t, size_t> index;
  std::vector<Group> groups;
  for (const Scored& s : scored) {
    if (!core_.Links(s)) continue;
    const int64_t c = s.record->row.customer;
    auto [it, added] = index.emplace(c, groups.size());
    if (added) {
      absl::StatusOr<std::optional<storage::CustomerRow>> row =
          store()->GetCustomer(c);
      if (!row.ok()) return row.status();
      if (!row->has_value()) {
        return absl::DataLossError(absl::StrCat("record ", s.record->row.id,
                                                " names missing customer ", c));
      }
      groups.push_back({**row, {}, -1e300, false});
    }
    Group& g = groups[it->second];
    g.links.push_back(&s);
    g.best = std::max(g.best, s.weight);
    g.exact |= s.exact;
  }
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    if (a.exact != b.exact) return a.exact;
    return a.best > b.best;
  });
  return groups;
}

absl::StatusOr<std::vector<int64_t>> IngestStep::CustomerExclusive(
    int64_t customer) {
  auto it = exclusive_.find(customer);
  if (it != exclusive_.end()) return it->second;
  // The value ids the index keeps serve; only records it does not keep
  // (no blocking keys) are read.
  absl::StatusOr<std::vector<int64_t>> ids =
      store()->RecordIdsOfCustomer(customer);
  if (!ids.ok()) return ids.status();
  absl::StatusOr<BlockIndex*> index = in_.Blocks(store());
  if (!index.ok()) return index.status();
  (*index)->PrefetchValues(*ids);
  std::vector<StoredRecord> records(ids->size());
  for (size_t i = 0; i < ids->size(); ++i) {
    if ((*index)->GetValues((*ids)[i], &records[i].value_ids)) continue;
    absl::StatusOr<std::optional<StoredRecord>> record =
        LoadRecord(store(), (*ids)[i], schema_.fields.size());
    if (!record.ok()) return record.status();
    if (!record->has_value()) {
      return absl::DataLossError(
          absl::StrCat("record ", (*ids)[i], " of customer ", customer,
                       " cannot be read"));
    }
    records[i] = std::move(**record);
  }
  std::vector<int64_t> values = ExclusiveValues(records, schema_.fields);
  exclusive_[customer] = values;
  return values;
}

absl::StatusOr<IngestResult> IngestStep::Run(const SourceRecord& record,
                                             StagedRecord staged) {
  using Kind = StagedRecord::Kind;
  now_ = in_.Now();
  const int64_t seen_at = record.seen_at > 0 ? record.seen_at : now_;
  IngestResult result;
  if (staged.kind == Kind::kForgotten) {
    result.outcome = Outcome::kForgotten;
    return result;
  }
  if (staged.kind == Kind::kReplayed) {
    // Its customer as of now (this transaction may have merged it).
    absl::StatusOr<std::optional<storage::RecordRow>> existing =
        store()->FindRecord(record.source_id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) {
      return absl::InternalError(absl::StrCat(
          "record ", record.source_id, " was found stored, then missing"));
    }
    absl::StatusOr<std::optional<storage::CustomerRow>> c =
        store()->GetCustomer((*existing)->customer);
    if (!c.ok()) return c.status();
    result.outcome = Outcome::kUnchanged;
    if (c->has_value()) result.key = (*c)->key;
    return result;
  }
  const Probe& probe = staged.probe;
  std::vector<StoredRecord>& records = staged.records;
  std::vector<Scored>& scored = staged.scored;
  const std::vector<int64_t>& ids = staged.ids;
  const int64_t rid = staged.record_id;
  const size_t n = schema_.fields.size();
  core_.SetColumns(std::move(staged.columns));
  for (const storage::ValueRow& value : staged.new_values) {
    absl::StatusOr<int64_t> id = store()->InsertValue(value);
    if (!id.ok()) return id.status();
  }

  absl::Status s = core_.ReadLinkingRecords(store(), &records, &scored);
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<Group>> groups = GroupLinks(scored);
  if (!groups.ok()) return groups.status();

  // The probe's own exclusive values.
  std::vector<int64_t> mine(n, 0);
  bool has_exclusive = false;
  for (size_t f = 0; f < n; ++f) {
    if (!matching::IsExclusiveIdentifier(schema_.fields[f].type) ||
        !probe.Has(f)) {
      continue;
    }
    // A value not stored yet differs from every stored one.
    mine[f] = probe.value_ids[f] != 0 ? probe.value_ids[f] : -2 - f;
    has_exclusive = true;
  }

  // The target: the best customer the probe can join without conflict.
  std::vector<Group*> joined;
  std::vector<int64_t> joined_exclusive = mine;
  int64_t joined_size = 1;
  int64_t joined_linked = 1;
  for (Group& g : *groups) {
    if (!joined.empty()) break;
    // The target's own exclusive values matter when the probe has some, or
    // when another customer may merge into it.
    if (has_exclusive || groups->size() > 1) {
      absl::StatusOr<std::vector<int64_t>> theirs =
          CustomerExclusive(g.customer.id);
      if (!theirs.ok()) return theirs.status();
      if (ExclusiveConflict(mine, *theirs)) continue;
      for (size_t f = 0; f < n; ++f) {
        if (joined_exclusive[f] == 0) joined_exclusive[f] = (*theirs)[f];
      }
    }
    joined.push_back(&g);
    joined_size += g.customer.size;
    joined_linked += static_cast<int64_t>(g.links.size());
  }
  // Further customers merge when the policy allows, else are held.
  for (Group& g : *groups) {
    if (joined.empty() || &g == joined[0]) continue;
    const Group& target = *joined[0];
    std::string reason;
    bool weak_bridge = false;
    absl::StatusOr<bool> separated =
        store()->IsSeparated(target.customer.key, g.customer.key);
    if (!separated.ok()) return separated.status();
    absl::StatusOr<std::vector<int64_t>> theirs =
        CustomerExclusive(g.customer.id);
    if (!theirs.ok()) return theirs.status();
    const int64_t g_linked = static_cast<int64_t>(g.links.size());
    const bool full_bridge = g.customer.size <= joined_size
                                 ? g_linked == g.customer.size
                                 : joined_linked == joined_size;
    if (*separated) {
      reason = "kept apart by an unmerge";
    } else if (ExclusiveConflict(joined_exclusive, *theirs)) {
      reason = "different values of an exclusive identifier";
    } else if (joined_size + g.customer.size >
               in_.options.max_customer_records) {
      reason = "customer size cap";
    } else if (!g.exact && !full_bridge) {
      weak_bridge = true;
      reason = absl::StrCat("weak bridge: the record links to ", g_linked,
                            " of ", g.customer.size, " records");
    }
    if (!reason.empty()) {
      // A person looks only at strong links that a rule held back. Weak
      // bridges are what batch clustering leaves out too (households, common
      // names: at 1M idr gen records 40% of records made one), and a
      // separation was a person's decision already.
      if (!*separated && !weak_bridge &&
          (g.exact || g.best >= in_.review_min_weight)) {
        held_.push_back({target.customer.key, g.customer.key, g.best, reason});
      }
      continue;
    }
    for (size_t f = 0; f < n; ++f) {
      if (joined_exclusive[f] == 0) joined_exclusive[f] = (*theirs)[f];
    }
    joined.push_back(&g);
    joined_size += g.customer.size;
    joined_linked += g_linked;
  }
  for (const Group& g : *groups) {
    result.best_probability = std::max(
        result.best_probability, matching::MatchProbability(g.best));
  }

  // Writes: customer(s), record, links, log.
  storage::CustomerRow customer;
  if (joined.empty()) {
    customer.created_at = customer.updated_at = now_;
    customer.size = 0;
    absl::StatusOr<std::string> key =
        FreshCustomerKey(store(), in_.secret, record.source_id, now_);
    if (!key.ok()) return key.status();
    customer.key = std::move(*key);
    absl::StatusOr<int64_t> id = store()->InsertCustomer(customer);
    if (!id.ok()) return id.status();
    customer.id = *id;
    result.outcome = Outcome::kCreated;
    absl::StatusOr<int64_t> change =
        store()->AppendChange({0, now_, "created", customer.key, ""});
    if (!change.ok()) return change.status();
  } else {
    // The oldest customer survives.
    const Group* survivor = joined[0];
    for (const Group* g : joined) {
      if (std::make_pair(g->customer.created_at, g->customer.id) <
          std::make_pair(survivor->customer.created_at,
                         survivor->customer.id)) {
        survivor = g;
      }
    }
    customer = survivor->customer;
    for (const Group* g : joined) {
      if (g == survivor) continue;
      const std::string detail = absl::StrCat(
          "{\"record\":", JsonQuote(record.source_id),
          ",\"weight\":", g->best, ",\"records_moved\":", g->customer.size,
          "}");
      absl::StatusOr<int64_t> merged = MergeCustomers(
          store(), customer, g->customer, now_,
          absl::StrCat("record ", record.source_id, " links both customers"),
          detail, /*actor=*/"");
      if (!merged.ok()) return merged.status();
      customer.size += g->customer.size;
      result.merged_keys.push_back(g->customer.key);
    }
    result.outcome =
        joined.size() > 1 ? Outcome::kMerged : Outcome::kAttached;
    result.deterministic = joined[0]->exact;
  }
  customer.size += 1;
  customer.updated_at = now_;
  s = store()->UpdateCustomer(customer);
  if (!s.ok()) return s;
  if (result.outcome != Outcome::kCreated) {
    absl::StatusOr<int64_t> change =
        store()->AppendChange({0, now_, "updated", customer.key, ""});
    if (!change.ok()) return change.status();
  }
  result.key = customer.key;

  storage::RecordRow row;
  row.id = rid;
  row.source_id = record.source_id;
  row.customer = customer.id;
  row.channel = static_cast<int32_t>(record.channel);
  row.seen_at = seen_at;
  row.data = EncodeRecordData(ids, record.attributes);
  row.keys = std::move(staged.keys);
  absl::StatusOr<int64_t> inserted = store()->InsertRecord(row);
  if (!inserted.ok()) return inserted.status();
  // Links to the records of the joined customers, strongest first.
  std::vector<std::pair<const Scored*, uint32_t>> kept;
  for (size_t i = 0; i < scored.size(); ++i) {
    const Scored& sc = scored[i];
    if (!core_.Links(sc)) continue;
    for (const Group* g : joined) {
      if (g->customer.id == sc.record->row.customer) {
        kept.emplace_back(&sc, static_cast<uint32_t>(i + 1));
      }
    }
  }
  std::sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
    return a.first->weight > b.first->weight;
  });
  // Every record of its customer the record links to, kept or not.
  const int64_t linked_here = static_cast<int64_t>(kept.size());
  if (kept.size() > static_cast<size_t>(in_.options.max_links_per_record)) {
    kept.resize(in_.options.max_links_per_record);
  }
  for (const auto& [sc, row_index] : kept) {
    storage::LinkRow link;
    link.a = std::min(rid, sc->record->row.id);
    link.b = std::max(rid, sc->record->row.id);
    link.weight = sc->weight;
    link.rule = sc->exact ? -2 : sc->rule;
    link.detail = EncodeLinkDetail(core_.Terms(*sc, row_index));
    s = store()->PutLink(link);
    if (!s.ok()) return s;
  }
  // A record that links to only part of its customer may show that the
  // customer does not hold together (an early record attached to the wrong
  // person): re-cluster it as `idr dedup` would.
  // Customers larger than kMaxReclusterRecords are left alone: reading
  // them on every ingest would cost more than it saves.
  if (customer.size >= 3 && customer.size <= kMaxReclusterRecords &&
      linked_here < customer.size - 1) {
    absl::StatusOr<std::vector<std::string>> split =
        ReclusterCustomer(store(), in_.secret, customer, now_);
    if (!split.ok()) return split.status();
    if (!split->empty()) {
      result.split_keys = *split;
      absl::StatusOr<std::optional<storage::RecordRow>> mine_now =
          store()->GetRecord(rid);
      if (!mine_now.ok()) return mine_now.status();
      absl::StatusOr<std::optional<storage::CustomerRow>> c =
          store()->GetCustomer((*mine_now)->customer);
      if (!c.ok()) return c.status();
      customer = **c;
      result.key = customer.key;
    }
  }
  for (const HeldMerge& h : held_) {
    storage::ReviewRow review;
    review.at = now_;
    review.record = rid;
    review.key = customer.key;
    review.other_key = h.other_key;
    review.weight = h.weight;
    review.reason = h.reason;
    absl::StatusOr<int64_t> id = store()->AddReview(review);
    if (!id.ok()) return id.status();
    ++result.held_for_review;
  }
  return result;
}

}  // namespace

absl::StatusOr<IngestResult> Engine::Ingest(const SourceRecord& record) {
  absl::StatusOr<BatchResult> batch = IngestBatch({record});
  if (!batch.ok()) return batch.status();
  return std::move((*batch)[0]);
}

namespace {

// Records to prepare while a transaction is written (IngestGroup).
struct Lookahead {
  std::vector<const SourceRecord*> records;
  PreparedAhead* into = nullptr;  // Null: none; else sized to match.
};

// Ingests `records` in one transaction on the writer (its lock held).
// `reader`: a reader connection for the helper thread of a batch of
// kPreparedAheadRecords or more, else null. `given`: records prepared
// ahead (may be null). With a helper, once it has staged every record it
// asks `lookahead` for the next transaction's records and prepares them
// until the commit ends.
absl::StatusOr<BatchResult> IngestInOneTransaction(
    Engine::Internals& in, const GraphSchema& schema,
    const std::vector<const SourceRecord*>& records,
    storage::GraphStore* reader, PreparedAhead* given,
    const std::function<Lookahead()>& lookahead) {
  EngineCore core(&in, schema);
  BatchResult results;
  results.reserve(records.size());
  absl::Status s = in.writer->BeginWrite();
  if (!s.ok()) return s;
  s = in.CatchUpForeignWrites();
  if (s.ok()) s = in.LoadValueTable(in.writer.get());
  if (s.ok()) s = in.Blocks(in.writer.get()).status();
  StagingState state;
  state.present = in.Present();
  if (s.ok()) {
    absl::StatusOr<int64_t> next = in.writer->NextRecordId();
    s = next.status();
    if (s.ok()) state.next_record_id = *next;
  }
  if (s.ok()) {
    absl::StatusOr<int64_t> next = in.writer->NextValueId();
    s = next.status();
    if (s.ok()) state.next_value_id = *next;
  }
  if (s.ok() && reader != nullptr) {
    // A snapshot that begins now, inside the write transaction, sees
    // everything committed before it: with what the transaction publishes
    // in memory, all the first stage needs.
    reader->EndRead();
    s = reader->BeginRead();
  }
  if (!s.ok()) {
    in.RollbackWrite();
    return s;
  }
  // Two stages per record (StageRecord, then IngestStep). For a large
  // batch the helper thread runs the first stage of every record, as far
  // ahead of the writer as it gets, on its own reader connection and the
  // graph's memory, which the writer leaves to it until it is done; the
  // writer runs the second stage behind it. Each record is so staged in
  // exactly the state it would be alone (the memory holds all of every
  // earlier record that scoring reads), and decided and written likewise.
  const size_t count = records.size();
  const bool has_given = given != nullptr && given->staged.size() == count;
  std::vector<StagedRecord> staged =
      has_given ? std::move(given->staged) : std::vector<StagedRecord>(count);
  std::vector<absl::Status> failed(count);  // A stage error fails the batch.
  std::atomic<size_t> ready{0};   // Records the first stage is done with.
  std::atomic<bool> stop{false};  // The writer gave up, or committed.
  // Preparing a record (validating and normalising it) reads nothing of the
  // graph, so either thread does it: each takes the next record nobody took,
  // the helper when it needs one, the writer instead of waiting for the
  // helper. The rest of the first stage stays in record order.
  std::unique_ptr<std::atomic<bool>[]> prepared(new std::atomic<bool>[count]);
  for (size_t i = 0; i < count; ++i) {
    prepared[i].store(has_given && given->prepared[i]);
  }
  std::atomic<size_t> next_to_prepare{0};
  auto prepare = [&](EngineCore& c, const SourceRecord& record,
                     StagedRecord& into) {
    absl::StatusOr<std::vector<std::string>> raw = c.Validate(record, true);
    if (raw.ok()) {
      into.probe = c.Prepare(*raw, &in.prepared_values);
    } else {
      into.kind = StagedRecord::Kind::kInvalid;
      into.invalid = raw.status();
    }
  };
  auto prepare_next = [&](EngineCore& c) {
    for (;;) {
      const size_t i = next_to_prepare.fetch_add(1, std::memory_order_relaxed);
      if (i >= count) return false;
      if (prepared[i].load(std::memory_order_acquire)) continue;  // Ahead.
      prepare(c, *records[i], staged[i]);
      prepared[i].store(true, std::memory_order_release);
      return true;
    }
  };
  auto stage = [&](EngineCore& c, storage::GraphStore* store, size_t i) {
    // Prepared by this thread now, or by the other, which took it first.
    while (!prepared[i].load(std::memory_order_acquire)) {
      if (!prepare_next(c)) std::this_thread::yield();
    }
    failed[i] = StageRecord(in, c, store, state, *records[i], &staged[i]);
  };
  std::thread helper;
  if (reader != nullptr) {
    in.writer_values->SetStore(reader);
    helper = std::thread([&] {
      pthread_setname_np(pthread_self(), "idr-ingest");  // For top, perf.
      EngineCore own(&in, schema);  // Validate keeps state: one per thread.
      for (size_t i = 0; i < count && !stop.load(std::memory_order_acquire);
           ++i) {
        stage(own, reader, i);
        ready.store(i + 1, std::memory_order_release);
        if (!failed[i].ok()) return;
      }
      // Staged: from here on it uses nothing of the writer's (so the
      // writer may commit), and prepares the next transaction's records
      // while it writes and commits this one.
      const Lookahead next = lookahead();
      if (next.into == nullptr) return;
      for (size_t j = 0;
           j < next.records.size() && !stop.load(std::memory_order_acquire);
           ++j) {
        prepare(own, *next.records[j], next.into->staged[j]);
        next.into->prepared[j] = 1;
      }
    });
  }
  // Once every record is staged (the writer has run them all) or the
  // helper has stopped: the writer's value cache reads through the writer
  // again, and the helper's snapshot ends before the commit, which may then
  // checkpoint past it.
  bool staging_ended = false;
  auto end_staging = [&] {
    if (staging_ended) return;
    staging_ended = true;
    in.writer_values->SetStore(in.writer.get());
    if (reader != nullptr) reader->EndRead();
  };
  // The helper uses the writer's state: it stops before a rollback changes
  // it, and on every way out (it writes into this frame).
  auto stop_helper = [&] {
    stop.store(true, std::memory_order_release);
    if (helper.joinable()) helper.join();
    end_staging();
  };
  struct Stopper {
    decltype(stop_helper)& stop;
    ~Stopper() { stop(); }
  } stopper{stop_helper};
  for (size_t i = 0; i < count; ++i) {
    if (reader == nullptr) {
      stage(core, in.writer.get(), i);
    } else {
      int spins = 0;
      while (ready.load(std::memory_order_acquire) <= i) {
        if (prepare_next(core)) continue;  // Work for the helper, taken.
        if (++spins > 64) std::this_thread::yield();
      }
    }
    if (failed[i].ok() && staged[i].kind == StagedRecord::Kind::kInvalid) {
      results.push_back(staged[i].invalid);
      continue;
    }
    absl::StatusOr<IngestResult> result =
        failed[i].ok()
            ? IngestStep(in, schema).Run(*records[i], std::move(staged[i]))
            : absl::StatusOr<IngestResult>(failed[i]);
    if (!result.ok()) {
      stop_helper();
      in.RollbackWrite();
      return result.status();
    }
    results.push_back(std::move(*result));
  }
  // The helper is done with this transaction (the writer ran every record
  // it staged), perhaps not with preparing the next.
  end_staging();
  s = in.FlushUnwrittenCounts();
  if (s.ok()) s = in.writer->PutMeta(kMetaPresent, EncodeCounts(state.present));
  if (s.ok()) s = in.writer->Commit();
  stop_helper();
  if (!s.ok()) {
    in.RollbackWrite();
    return s;
  }
  in.uncommitted_blocks.clear();
  in.uncommitted_values.clear();
  in.ApplyCommittedValues();
  {
    Lock lock(in.state_mu);
    in.present = std::move(state.present);
  }
  in.Committed();
  return results;
}

}  // namespace

absl::StatusOr<BatchResult> Engine::IngestBatch(
    const std::vector<SourceRecord>& records) {
  PreparedAhead none;
  return IngestGroup(records, &none, nullptr, nullptr);
}

absl::Status Engine::IngestStream(const StreamSource& next,
                                  const StreamSink& done) {
  std::vector<SourceRecord> batch, following;
  PreparedAhead prepared, prepared_following;
  absl::Status s = next(&batch);
  while (s.ok() && !batch.empty()) {
    // Read ahead; a source that fails there still gets the batch it gave.
    following.clear();
    const absl::Status read = next(&following);
    if (!read.ok()) following.clear();
    prepared_following = PreparedAhead();
    absl::StatusOr<BatchResult> results =
        IngestGroup(batch, &prepared, following.empty() ? nullptr : &following,
                    &prepared_following);
    if (!results.ok()) return results.status();
    s = done(batch, *std::move(results));
    if (s.ok()) s = read;
    std::swap(batch, following);
    std::swap(prepared, prepared_following);
  }
  return s;
}

absl::StatusOr<BatchResult> Engine::IngestGroup(
    const std::vector<SourceRecord>& records, PreparedAhead* prepared,
    const std::vector<SourceRecord>* next, PreparedAhead* next_prepared) {
  if (!in_->normalization.ok()) return in_->normalization;
  // Group commit: batches that arrive while another commits wait, and the
  // first of them writes them all in one transaction (one fsync), so many
  // concurrent one-record calls cost about as much as one batch.
  Internals::PendingBatch mine;
  mine.records = &records;
  mine.prepared = prepared;
  mine.next = next;
  mine.next_prepared = next_prepared;
  std::vector<Internals::PendingBatch*> group;
  {
    std::unique_lock<std::mutex> lock(in_->group_mu);
    in_->pending.push_back(&mine);
    in_->group_cv.wait(lock, [this, &mine] {
      return mine.done ||
             (!in_->group_writing && in_->pending.front() == &mine);
    });
    if (mine.done) return std::move(mine.result);
    in_->group_writing = true;
    size_t records_in_group = 0;
    while (!in_->pending.empty() &&
           (group.empty() ||
            records_in_group + in_->pending.front()->records->size() <=
                kMaxGroupRecords)) {
      group.push_back(in_->pending.front());
      records_in_group += in_->pending.front()->records->size();
      in_->pending.pop_front();
    }
  }
  std::vector<const SourceRecord*> all;
  PreparedAhead given;  // What the group's batches bring prepared.
  for (const Internals::PendingBatch* batch : group) {
    const size_t n = batch->records->size();
    for (const SourceRecord& r : *batch->records) all.push_back(&r);
    const bool has = batch->prepared->staged.size() == n;
    for (size_t i = 0; i < n; ++i) {
      given.staged.push_back(has ? std::move(batch->prepared->staged[i])
                                 : StagedRecord());
      given.prepared.push_back(has && batch->prepared->prepared[i]);
    }
  }
  // The records to prepare once this group is staged: the next stream
  // batch of its last batch, else the batch that waits first by then (its
  // caller is blocked until this group is done, and no other group is
  // written meanwhile), unless it was prepared already.
  auto lookahead = [&]() {
    Lookahead next;
    const std::vector<SourceRecord>* records = group.back()->next;
    next.into = group.back()->next_prepared;
    if (records == nullptr) {
      std::unique_lock<std::mutex> lock(in_->group_mu);
      if (in_->pending.empty() ||
          !in_->pending.front()->prepared->staged.empty()) {
        return Lookahead();
      }
      records = in_->pending.front()->records;
      next.into = in_->pending.front()->prepared;
    }
    for (const SourceRecord& r : *records) next.records.push_back(&r);
    next.into->staged.assign(records->size(), StagedRecord());
    next.into->prepared.assign(records->size(), 0);
    return next;
  };
  absl::StatusOr<BatchResult> results;
  {
    // The helper thread's reader, taken before the writer's lock (opening
    // one takes it).
    absl::StatusOr<Internals::Reader> reader(nullptr);
    if (all.size() >= kPreparedAheadRecords) {
      reader = in_->AcquireReader();
      // Its snapshot is begun again inside the write transaction: not one
      // to keep for others.
      if (reader.ok()) reader->get_deleter().commits = -1;
    }
    Lock lock(in_->write_mu);
    if (reader.ok()) {
      results = IngestInOneTransaction(*in_, schema_, all, reader->get(),
                                       &given, lookahead);
    } else {
      results = reader.status();
    }
  }
  std::unique_lock<std::mutex> lock(in_->group_mu);
  size_t next_result = 0;
  for (Internals::PendingBatch* batch : group) {
    if (!results.ok()) {
      batch->result = results.status();
    } else {
      BatchResult part;
      for (size_t i = 0; i < batch->records->size(); ++i) {
        part.push_back(std::move((*results)[next_result++]));
      }
      batch->result = std::move(part);
    }
    batch->done = true;
  }
  in_->group_writing = false;
  lock.unlock();
  in_->group_cv.notify_all();
  return std::move(mine.result);
}

// ---------------------------------------------------------------------------

absl::Status Engine::BuildIndex() {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  absl::Status built = in_->Blocks(reader->get()).status();
  if (!built.ok()) return built;
  Lock lock(in_->write_mu);
  // Through the reader: its snapshot starts afresh (later than the pool
  // thinks, which is safe).
  absl::Status loaded = in_->LoadValueTable(reader->get());
  if (!loaded.ok()) return loaded;
  return in_->writer->LoadMirror();
}

absl::StatusOr<ResolveResult> Engine::ResolveKey(const std::string& key) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  ResolveResult result;
  absl::StatusOr<storage::CustomerRow> customer =
      FindCustomerByKey(reader->get(), key, &result.redirected_from);
  if (!customer.ok()) return customer.status();
  result.key = customer->key;
  result.kind = result.redirected_from.empty() ? ResolveResult::Kind::kKey
                                               : ResolveResult::Kind::kRedirect;
  result.probability = 1;
  return result;
}

absl::StatusOr<ResolveResult> Engine::ResolveRecord(
    const std::string& source_id) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  absl::StatusOr<std::optional<storage::RecordRow>> row =
      (*reader)->FindRecord(source_id);
  if (!row.ok()) return row.status();
  if (!row->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no record with source id '", source_id, "'"));
  }
  absl::StatusOr<std::optional<storage::CustomerRow>> c =
      (*reader)->GetCustomer((*row)->customer);
  if (!c.ok()) return c.status();
  if (!c->has_value()) return absl::DataLossError("record without customer");
  ResolveResult result;
  result.key = (*c)->key;
  result.kind = ResolveResult::Kind::kRecord;
  result.probability = 1;
  return result;
}

absl::StatusOr<ResolveResult> Engine::Resolve(const SourceRecord& probe_record,
                                              int max_candidates,
                                              bool with_values) {
  if (!in_->normalization.ok()) return in_->normalization;
  EngineCore core(in_.get(), schema_);
  absl::StatusOr<std::vector<std::string>> raw =
      core.Validate(probe_record, false);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  storage::GraphStore* store = reader->get();
  ValueCache values(store, &in_->value_table);
  absl::StatusOr<Probe> probe = core.MakeProbe(*raw, store, values);
  if (!probe.ok()) return probe.status();
  std::vector<StoredRecord> records;
  std::vector<Scored> scored;
  absl::Status s = core.LoadAndScore(*probe, store, in_->Present(), &records,
                                     &scored, values, max_candidates);
  if (!s.ok()) return s;
  // Best record per customer.
  absl::flat_hash_map<int64_t, size_t> best;
  for (size_t i = 0; i < scored.size(); ++i) {
    const Scored& sc = scored[i];
    if (sc.vetoed || sc.unread) continue;
    auto [it, added] = best.emplace(sc.record->row.customer, i);
    const Scored& old = scored[it->second];
    if (!added && (sc.exact > old.exact ||
                   (sc.exact == old.exact && sc.weight > old.weight))) {
      it->second = i;
    }
  }
  std::vector<size_t> order;
  for (const auto& [customer, i] : best) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (scored[a].exact != scored[b].exact) return scored[a].exact;
    if (scored[a].weight != scored[b].weight) {
      return scored[a].weight > scored[b].weight;
    }
    return scored[a].record->row.customer < scored[b].record->row.customer;
  });
  ResolveResult result;
  for (size_t i : order) {
    if (static_cast<int>(result.candidates.size()) >= max_candidates) break;
    const Scored& sc = scored[i];
    absl::StatusOr<std::optional<storage::CustomerRow>> c =
        store->GetCustomer(sc.record->row.customer);
    if (!c.ok()) return c.status();
    if (!c->has_value()) continue;
    ResolveCandidate candidate;
    candidate.key = (*c)->key;
    candidate.weight = sc.weight;
    candidate.probability =
        sc.exact ? 1.0 : matching::MatchProbability(sc.weight);
    candidate.deterministic = sc.exact;
    candidate.best_record = sc.record->row.source_id;
    if (!sc.record->row_read) {  // Placed by its customer, not read.
      absl::StatusOr<std::optional<storage::RecordRow>> row =
          store->GetRecord(sc.record->row.id);
      if (!row.ok()) return row.status();
      if (!row->has_value()) {
        return absl::DataLossError(absl::StrCat(
            "record ", sc.record->row.id, " of customer ", candidate.key,
            " is listed with it but missing"));
      }
      candidate.best_record = (*row)->source_id;
    }
    candidate.rule = schema_.model.rule_names[sc.rule];
    candidate.rule_index = sc.rule;
    for (const LinkTerm& t :
         core.Terms(sc, static_cast<uint32_t>(&sc - scored.data()) + 1)) {
      const matching::FieldComparison& c2 =
          schema_.model.comparisons[t.comparison];
      FieldWeight field{c2.name, c2.labels[t.level], t.weight, "",
                        "",      t.comparison,       t.level};
      if (with_values) {
        absl::StatusOr<std::string> value =
            values.ValueOfField(sc.record->value_ids, c2.column);
        if (!value.ok()) return value.status();
        field.value = *std::move(value);
        if (probe->Has(c2.column)) field.other_value = probe->Value(c2.column);
      }
      candidate.fields.push_back(std::move(field));
    }
    result.candidates.push_back(std::move(candidate));
  }
  if (!result.candidates.empty() && core.Links(scored[order[0]])) {
    result.key = result.candidates[0].key;
    result.kind = result.candidates[0].deterministic
                      ? ResolveResult::Kind::kExact
                      : ResolveResult::Kind::kProbabilistic;
    result.probability = result.candidates[0].probability;
  }
  return result;
}

}  // namespace idr::identity
