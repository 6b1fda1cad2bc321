// Manual merge, unmerge, forget and the graph's statistics.

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <xxhash.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "identity/engine.h"
#include "identity/engine_internal.h"
#include "matching/clustering.h"

namespace idr::identity {
namespace {

// Runs `body` in a write transaction: commits when it succeeds, rolls back
// (leaving nothing) when it or the commit fails.
template <typename T, typename Body>
absl::StatusOr<T> InTransaction(Engine::Internals& in, Body body) {
  storage::GraphStore* store = in.writer.get();
  absl::Status s = store->BeginWrite();
  if (!s.ok()) return s;
  s = in.CatchUpForeignWrites();
  if (!s.ok()) {
    store->Rollback();
    return s;
  }
  absl::StatusOr<T> result = body();
  if (result.ok()) s = store->Commit();
  if (!result.ok() || !s.ok()) {
    store->Rollback();
    in.uncommitted_counts.clear();
    return result.ok() ? s : result.status();
  }
  in.ApplyCommittedValues();
  in.Committed();
  return result;
}

// The request id of a manual write, if it has one: where its result is kept
// (a keyed hash of the id) and what the request asked for (a keyed hash of
// its parameters, so that a retry asking for something else is refused).
class RequestRecord {
 public:
  RequestRecord(const Engine::Internals& in, absl::string_view method,
                const std::string& request_id, absl::string_view request) {
    if (request_id.empty()) return;  // id_ stays empty: nothing is kept.
    id_ = KeyedHash(in.secret,
                    absl::StrCat("request\n", method, "\n", request_id));
    fingerprint_ = absl::BytesToHexString(
        KeyedHash(in.secret, absl::StrCat(method, "\n", request))
            .substr(0, 16));
  }

  // In the transaction, first: the result an earlier call with this id
  // stored, or nullopt when there is none. `*outcome` starts afresh (a
  // transaction may run again), and is then what that call did, replayed.
  absl::StatusOr<std::optional<std::string>> Recall(
      storage::GraphStore* store, ManualOutcome* outcome) const {
    *outcome = ManualOutcome();
    if (id_.empty()) return std::optional<std::string>();
    absl::StatusOr<std::optional<std::string>> stored =
        store->GetRequestResult(id_);
    if (!stored.ok() || !stored->has_value()) return stored;
    // Fingerprint, then "audit_seq,identifiers_erased", then the result.
    const std::vector<absl::string_view> parts =
        absl::StrSplit(**stored, absl::MaxSplits('\n', 2));
    if (parts[0] != fingerprint_) {
      return absl::FailedPreconditionError(
          "request_id was used before for a different request");
    }
    ManualOutcome done;
    done.replayed = true;
    const std::pair<absl::string_view, absl::string_view> numbers =
        parts.size() == 3 ? absl::StrSplit(parts[1], ',')
                          : std::pair<absl::string_view, absl::string_view>();
    if (!absl::SimpleAtoi(numbers.first, &done.audit_seq) ||
        !absl::SimpleAtoi(numbers.second, &done.identifiers_erased)) {
      return absl::DataLossError("unreadable stored request result");
    }
    *outcome = done;
    return std::optional<std::string>(std::string(parts[2]));
  }

  // In the transaction: keeps `result` and `outcome` under the id, and lets
  // results older than Engine::kRequestResultSeconds go.
  absl::Status Remember(storage::GraphStore* store, int64_t now,
                        const std::string& result,
                        const ManualOutcome& outcome) const {
    if (id_.empty()) return absl::OkStatus();
    absl::Status s =
        store->DeleteRequestResultsBefore(now - Engine::kRequestResultSeconds);
    if (!s.ok()) return s;
    return store->PutRequestResult(
        id_, now,
        absl::StrCat(fingerprint_, "\n", outcome.audit_seq, ",",
                     outcome.identifiers_erased, "\n", result));
  }

 private:
  std::string id_;  // Empty without a request id.
  std::string fingerprint_;
};

}  // namespace

std::string KeyedHash(const std::string& secret, const std::string& text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), out,
       &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::string CustomerKeyFor(const std::string& secret, const std::string& seed,
                           int64_t created_at, int attempt) {
  // Crockford's base 32 (no I, L, O or U to misread), in ASCII order, so the
  // big-endian time prefix sorts keys by creation: a batch's new keys land
  // together at the end of the customer key index instead of on hundreds of
  // random pages.
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const uint64_t seconds =
      static_cast<uint64_t>(std::max<int64_t>(created_at, 0)) &
      ((uint64_t{1} << (5 * kKeyTimeChars)) - 1);
  std::string key = "C";
  for (int i = kKeyTimeChars - 1; i >= 0; --i) {
    key.push_back(kAlphabet[(seconds >> (5 * i)) & 31]);
  }
  const std::string mac =
      KeyedHash(secret, absl::StrCat("customer-key\n", attempt, "\n", seed));
  XXH128_hash_t h = XXH3_128bits(mac.data(), mac.size());
  uint64_t bits = h.low64;
  for (int i = 0; i < kKeyRandomChars; ++i, bits >>= 5) {
    key.push_back(kAlphabet[bits & 31]);
  }
  return key;
}

absl::StatusOr<std::string> FreshCustomerKey(storage::GraphStore* store,
                                             const std::string& secret,
                                             const std::string& seed,
                                             int64_t created_at) {
  for (int attempt = 0;; ++attempt) {
    std::string key = CustomerKeyFor(secret, seed, created_at, attempt);
    absl::StatusOr<std::optional<storage::CustomerRow>> taken =
        store->FindCustomer(key);
    if (!taken.ok()) return taken.status();
    absl::StatusOr<std::optional<std::string>> redirected =
        store->GetRedirect(key);
    if (!redirected.ok()) return redirected.status();
    if (!taken->has_value() && !redirected->has_value()) return key;
  }
}

absl::StatusOr<int64_t> MergeCustomers(storage::GraphStore* store,
                                       const storage::CustomerRow& into,
                                       const storage::CustomerRow& from,
                                       int64_t now, const std::string& reason,
                                       const std::string& detail,
                                       const std::string& actor) {
  // Ids only (the writer's mirror has them; rows would be read).
  absl::StatusOr<std::vector<int64_t>> records =
      store->RecordIdsOfCustomer(from.id);
  if (!records.ok()) return records.status();
  for (int64_t id : *records) {
    absl::Status s = store->SetRecordCustomer(id, into.id);
    if (!s.ok()) return s;
  }
  absl::StatusOr<std::vector<std::string>> old = store->RedirectsTo(from.key);
  if (!old.ok()) return old.status();
  for (const std::string& k : *old) {
    absl::Status s = store->PutRedirect(k, into.key);
    if (!s.ok()) return s;
  }
  absl::Status s = store->PutRedirect(from.key, into.key);
  if (!s.ok()) return s;
  absl::StatusOr<std::vector<std::string>> apart =
      store->SeparationsOf(from.key);
  if (!apart.ok()) return apart.status();
  for (const std::string& k : *apart) {
    if (k == into.key) continue;
    s = store->PutSeparation(into.key, k);
    if (!s.ok()) return s;
  }
  s = store->DeleteSeparationsOf(from.key);
  if (s.ok()) s = store->DeleteCustomer(from.id);
  if (!s.ok()) return s;
  absl::StatusOr<int64_t> seq = store->AppendAudit(
      {0, now, "merge", into.key, from.key, reason, detail, actor});
  if (!seq.ok()) return seq.status();
  absl::StatusOr<int64_t> change =
      store->AppendChange({0, now, "merged", into.key, from.key});
  if (!change.ok()) return change.status();
  return seq;
}

absl::StatusOr<std::vector<std::string>> ReclusterCustomer(
    storage::GraphStore* store, const std::string& secret,
    const storage::CustomerRow& customer, int64_t now) {
  // Ids only: a customer is re-clustered over its links, and its records'
  // contents matter only for the founders of parts that split off.
  absl::StatusOr<std::vector<int64_t>> ids =
      store->RecordIdsOfCustomer(customer.id);
  if (!ids.ok()) return ids.status();
  absl::flat_hash_map<int64_t, uint32_t> index;
  for (size_t i = 0; i < ids->size(); ++i) index[(*ids)[i]] = i;
  // A link inside the customer has its smaller end here too. (A manual
  // link never leaves its customer: Unmerge deletes those that would.)
  absl::StatusOr<std::vector<storage::LinkRow>> links =
      store->LinkEdgesFromCustomer(customer.id);
  if (!links.ok()) return links.status();
  std::vector<matching::Edge> edges;
  for (const storage::LinkRow& l : *links) {
    if (l.rule == -1) return std::vector<std::string>();  // A person's call.
    auto from = index.find(l.a);
    auto to = index.find(l.b);
    if (from == index.end() || to == index.end()) continue;
    // A shared exclusive identifier is as strong as links get.
    const float weight = l.rule == -2 ? 1e9f : static_cast<float>(l.weight);
    edges.push_back({from->second, to->second, weight});
  }
  matching::ClusterOptions options;
  options.max_cluster_size = static_cast<int>(ids->size());
  std::vector<uint32_t> cluster = matching::ClusterRecords(
      static_cast<uint32_t>(ids->size()), edges, options, nullptr);
  // Cluster 0 (the oldest record's) keeps the customer.
  absl::flat_hash_map<uint32_t, std::vector<size_t>> parts;
  for (size_t i = 0; i < cluster.size(); ++i) {
    if (cluster[i] != cluster[0]) parts[cluster[i]].push_back(i);
  }
  std::vector<std::string> created;
  if (parts.empty()) return created;
  storage::CustomerRow kept = customer;
  std::vector<std::pair<uint32_t, std::vector<size_t>>> ordered(parts.begin(),
                                                                parts.end());
  std::sort(ordered.begin(), ordered.end());
  for (const auto& [id, members] : ordered) {
    storage::CustomerRow split;
    split.created_at = split.updated_at = now;
    split.size = static_cast<int64_t>(members.size());
    absl::StatusOr<std::optional<storage::RecordRow>> founder =
        store->GetRecord((*ids)[members[0]]);
    if (!founder.ok()) return founder.status();
    if (!founder->has_value()) {
      return absl::DataLossError(absl::StrCat(
          "record ", (*ids)[members[0]], " of customer ", customer.key,
          " cannot be read"));
    }
    absl::StatusOr<std::string> key = FreshCustomerKey(
        store, secret, absl::StrCat("split\n", (*founder)->source_id), now);
    if (!key.ok()) return key.status();
    split.key = std::move(*key);
    absl::StatusOr<int64_t> new_id = store->InsertCustomer(split);
    if (!new_id.ok()) return new_id.status();
    for (size_t m : members) {
      absl::Status s = store->SetRecordCustomer((*ids)[m], *new_id);
      if (!s.ok()) return s;
    }
    kept.size -= split.size;
    absl::StatusOr<int64_t> seq = store->AppendAudit(
        {0, now, "split", customer.key, split.key,
         "records that do not hold together with the rest",
         absl::StrCat("{\"records_moved\":", split.size, "}")});
    if (!seq.ok()) return seq.status();
    seq = store->AppendChange({0, now, "unmerged", customer.key, split.key});
    if (!seq.ok()) return seq.status();
    created.push_back(split.key);
  }
  kept.updated_at = now;
  absl::Status s = store->UpdateCustomer(kept);
  if (!s.ok()) return s;
  return created;
}

absl::StatusOr<std::string> Engine::Merge(const std::string& key_a,
                                          const std::string& key_b,
                                          const Attribution& why) {
  return Merge(std::vector<std::string>{key_a, key_b}, why, "");
}

absl::StatusOr<std::string> Engine::Merge(const std::vector<std::string>& keys,
                                          const Attribution& why,
                                          const std::string& request_id,
                                          ManualOutcome* outcome) {
  if (keys.size() < 2) {
    return absl::InvalidArgumentError("a merge takes at least two keys");
  }
  Lock lock(in_->write_mu);
  storage::GraphStore* store = in_->writer.get();
  const size_t n = schema_.fields.size();
  const RequestRecord request(*in_, "merge", request_id,
                              absl::StrJoin(keys, "\n"));
  ManualOutcome done;  // Of this call, or of the first with its id.
  auto merge_two =
      [&](const std::string& key_a,
          const std::string& key_b) -> absl::StatusOr<std::string> {
    absl::StatusOr<storage::CustomerRow> a =
        FindCustomerByKey(store, key_a, nullptr);
    if (!a.ok()) return a.status();
    absl::StatusOr<storage::CustomerRow> b =
        FindCustomerByKey(store, key_b, nullptr);
    if (!b.ok()) return b.status();
    if (a->id == b->id) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", key_a, "' and '", key_b, "' are the same customer"));
    }
    absl::StatusOr<std::vector<StoredRecord>> ra =
        LoadCustomerRecords(store, a->id, n);
    if (!ra.ok()) return ra.status();
    absl::StatusOr<std::vector<StoredRecord>> rb =
        LoadCustomerRecords(store, b->id, n);
    if (!rb.ok()) return rb.status();
    if (ExclusiveConflict(ExclusiveValues(*ra, schema_.fields),
                          ExclusiveValues(*rb, schema_.fields))) {
      return absl::FailedPreconditionError(
          "the customers hold different values of an exclusive "
          "identifier (loyalty card, login or national id)");
    }
    const bool a_older = std::make_pair(a->created_at, a->id) <
                         std::make_pair(b->created_at, b->id);
    storage::CustomerRow into = a_older ? *a : *b;
    const storage::CustomerRow from = a_older ? *b : *a;
    const int64_t now = in_->Now();
    absl::StatusOr<int64_t> seq = MergeCustomers(
        store, into, from, now,
        why.reason.empty() ? "manual merge"
                           : absl::StrCat("manual: ", why.reason),
        absl::StrCat("{\"records_moved\":", from.size, "}"), why.actor);
    if (!seq.ok()) return seq.status();
    done.audit_seq = *seq;
    absl::Status s;
    // A manual link between the two oldest records explains the join.
    if (!ra->empty() && !rb->empty()) {
      storage::LinkRow link;
      link.a = std::min(ra->front().row.id, rb->front().row.id);
      link.b = std::max(ra->front().row.id, rb->front().row.id);
      link.rule = -1;
      s = store->PutLink(link);
      if (!s.ok()) return s;
    }
    into.size += from.size;
    into.updated_at = now;
    s = store->UpdateCustomer(into);
    if (!s.ok()) return s;
    // Reviews of exactly this pair are settled.
    s = store->DeleteReviewsBetween(a->key, b->key);
    if (!s.ok()) return s;
    return into.key;
  };
  absl::StatusOr<std::string> survivor =
      InTransaction<std::string>(*in_, [&]() -> absl::StatusOr<std::string> {
        absl::StatusOr<std::optional<std::string>> stored =
            request.Recall(store, &done);
        if (!stored.ok()) return stored.status();
        if (stored->has_value()) return **stored;
        std::string survivor = keys[0];
        for (size_t i = 1; i < keys.size(); ++i) {
          absl::StatusOr<std::string> merged = merge_two(survivor, keys[i]);
          if (!merged.ok()) return merged.status();
          survivor = *std::move(merged);
        }
        absl::Status s = request.Remember(store, in_->Now(), survivor, done);
        if (!s.ok()) return s;
        return survivor;
      });
  if (survivor.ok() && outcome != nullptr) *outcome = done;
  return survivor;
}

namespace {

// Splits each group of the customer's records off into a new customer, in
// one transaction; the new customers are kept apart from the customer and
// from each other. Returns their keys in the order of `groups`.
absl::StatusOr<std::vector<std::string>> SplitOff(
    Engine::Internals& in, const std::string& key,
    const std::vector<std::vector<std::string>>& groups, const Attribution& why,
    const std::string& request_id, ManualOutcome* outcome) {
  if (groups.empty() || std::any_of(groups.begin(), groups.end(),
                                    [](const std::vector<std::string>& g) {
                                      return g.empty();
                                    })) {
    return absl::InvalidArgumentError("name the records to split off");
  }
  Lock lock(in.write_mu);
  storage::GraphStore* store = in.writer.get();
  std::vector<std::string> parts;
  for (const std::vector<std::string>& group : groups) {
    parts.push_back(absl::StrJoin(group, "\n"));
  }
  const RequestRecord request(
      in, "unmerge", request_id,
      absl::StrCat(key, "\n\n", absl::StrJoin(parts, "\n\n")));
  using Keys = std::vector<std::string>;
  ManualOutcome done;  // Of this call, or of the first with its id.
  absl::StatusOr<Keys> split = InTransaction<
      Keys>(in, [&]() -> absl::StatusOr<Keys> {
    absl::StatusOr<std::optional<std::string>> stored =
        request.Recall(store, &done);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) return Keys(absl::StrSplit(**stored, '\n'));
    absl::StatusOr<storage::CustomerRow> customer =
        FindCustomerByKey(store, key, nullptr);
    if (!customer.ok()) return customer.status();
    std::vector<absl::flat_hash_set<int64_t>> moving(groups.size());
    absl::flat_hash_set<int64_t> all;
    for (size_t g = 0; g < groups.size(); ++g) {
      for (const std::string& source_id : groups[g]) {
        absl::StatusOr<std::optional<storage::RecordRow>> row =
            store->FindRecord(source_id);
        if (!row.ok()) return row.status();
        if (!row->has_value() || (*row)->customer != customer->id) {
          return absl::InvalidArgumentError(
              absl::StrCat("record '", source_id, "' is not one of ",
                           customer->key, "'s records"));
        }
        if (!all.insert((*row)->id).second && groups.size() > 1) {
          return absl::InvalidArgumentError(
              absl::StrCat("record '", source_id, "' is named twice"));
        }
        moving[g].insert((*row)->id);
      }
    }
    if (static_cast<int64_t>(all.size()) >= customer->size) {
      return absl::InvalidArgumentError(
          "an unmerge must leave the customer at least one record");
    }
    const int64_t now = in.Now();
    storage::CustomerRow kept = *customer;
    kept.updated_at = now;
    Keys created;
    for (size_t g = 0; g < groups.size(); ++g) {
      storage::CustomerRow split;
      split.created_at = split.updated_at = now;
      split.size = static_cast<int64_t>(moving[g].size());
      absl::StatusOr<std::string> new_key = FreshCustomerKey(
          store, in.secret, absl::StrCat("unmerge\n", groups[g][0]), now);
      if (!new_key.ok()) return new_key.status();
      split.key = std::move(*new_key);
      absl::StatusOr<int64_t> id = store->InsertCustomer(split);
      if (!id.ok()) return id.status();
      for (int64_t r : moving[g]) {
        absl::Status s = store->SetRecordCustomer(r, *id);
        if (!s.ok()) return s;
        absl::StatusOr<std::vector<storage::LinkRow>> links = store->LinksOf(r);
        if (!links.ok()) return links.status();
        for (const storage::LinkRow& link : *links) {
          const int64_t other = link.a == r ? link.b : link.a;
          if (moving[g].contains(other)) continue;
          s = store->DeleteLink(link.a, link.b);
          if (!s.ok()) return s;
        }
      }
      kept.size -= split.size;
      absl::Status s = store->PutSeparation(kept.key, split.key);
      for (size_t earlier = 0; s.ok() && earlier < created.size(); ++earlier) {
        s = store->PutSeparation(created[earlier], split.key);
      }
      if (!s.ok()) return s;
      absl::StatusOr<int64_t> seq = store->AppendAudit(
          {0, now, "unmerge", kept.key, split.key,
           why.reason.empty() ? "manual unmerge"
                              : absl::StrCat("manual: ", why.reason),
           absl::StrCat("{\"records_moved\":", split.size, "}"), why.actor});
      if (!seq.ok()) return seq.status();
      if (done.audit_seq == 0) done.audit_seq = *seq;
      seq = store->AppendChange({0, now, "unmerged", kept.key, split.key});
      if (!seq.ok()) return seq.status();
      created.push_back(split.key);
    }
    absl::Status s = store->UpdateCustomer(kept);
    if (s.ok()) {
      s = request.Remember(store, now, absl::StrJoin(created, "\n"), done);
    }
    if (!s.ok()) return s;
    return created;
  });
  if (split.ok() && outcome != nullptr) *outcome = done;
  return split;
}

}  // namespace

absl::StatusOr<std::string> Engine::Unmerge(
    const std::string& key, const std::vector<std::string>& records,
    const Attribution& why, const std::string& request_id,
    ManualOutcome* outcome) {
  absl::StatusOr<std::vector<std::string>> keys =
      SplitOff(*in_, key, {records}, why, request_id, outcome);
  if (!keys.ok()) return keys.status();
  return std::move(keys->front());
}

absl::StatusOr<std::vector<std::string>> Engine::UnmergeEach(
    const std::string& key, const std::vector<std::string>& records,
    const Attribution& why, const std::string& request_id,
    ManualOutcome* outcome) {
  if (records.size() > kMaxUnmergeEach) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at most ", kMaxUnmergeEach, " records split off one by one"));
  }
  std::vector<std::vector<std::string>> groups;
  for (const std::string& record : records) groups.push_back({record});
  return SplitOff(*in_, key, groups, why, request_id, outcome);
}

absl::StatusOr<int64_t> Engine::Forget(const std::string& key,
                                       const Attribution& why,
                                       const std::string& request_id,
                                       ManualOutcome* outcome) {
  Lock lock(in_->write_mu);
  storage::GraphStore* store = in_->writer.get();
  const size_t n = schema_.fields.size();
  std::vector<int64_t> present;  // Read in the transaction.
  const RequestRecord request(*in_, "forget", request_id, key);
  std::vector<std::pair<uint64_t, int64_t>> unindexed;  // Once committed.
  std::vector<std::pair<uint64_t, int64_t>> erased_values;  // Likewise.
  ManualOutcome done;  // Of this call, or of the first with its id.
  absl::StatusOr<int64_t> erased =
      InTransaction<int64_t>(*in_, [&]() -> absl::StatusOr<int64_t> {
        present = in_->Present();
        absl::StatusOr<std::optional<std::string>> stored =
            request.Recall(store, &done);
        if (!stored.ok()) return stored.status();
        int64_t count = 0;
        if (stored->has_value()) {
          if (!absl::SimpleAtoi(**stored, &count)) {
            return absl::DataLossError("unreadable stored forget result");
          }
          return count;
        }
        absl::StatusOr<storage::CustomerRow> customer =
            FindCustomerByKey(store, key, nullptr);
        if (!customer.ok()) return customer.status();
        absl::StatusOr<std::vector<StoredRecord>> records =
            LoadCustomerRecords(store, customer->id, n);
        if (!records.ok()) return records.status();
        absl::Status s;
        // Per value: its hash, and the uses left once these records go (a
        // value none uses any more is deleted, and leaves the index).
        absl::flat_hash_map<int64_t, std::pair<uint64_t, int64_t>> uses;
        for (const StoredRecord& r : *records) {
          s = store->PutTombstone(KeyedHash(in_->secret, r.row.source_id));
          if (!s.ok()) return s;
          for (size_t f = 0; f < n; ++f) {
            const int64_t id = r.value_ids[f];
            if (id == 0) continue;
            --present[f];
            auto [it, first] = uses.try_emplace(id);
            if (first) {
              absl::StatusOr<std::optional<storage::ValueRow>> row =
                  store->GetValue(id);
              if (!row.ok()) return row.status();
              if (!row->has_value()) {
                return absl::DataLossError(absl::StrCat(
                    "record ", r.row.source_id, " names missing value ", id));
              }
              it->second = {(*row)->hash, (*row)->count};
            }
            if (--it->second.second == 0) {
              erased_values.emplace_back(it->second.first, id);
              if (matching::IsIdentifier(schema_.fields[f].type)) {
                ++done.identifiers_erased;
              }
            }
            s = store->AddValueCount(id, -1);
            if (!s.ok()) return s;
            --in_->uncommitted_counts[id];
          }
          s = store->DeleteRecord(r.row.id);
          if (!s.ok()) return s;
          for (uint64_t k : r.row.keys) unindexed.emplace_back(k, r.row.id);
        }
        absl::StatusOr<std::vector<std::string>> old =
            store->RedirectsTo(customer->key);
        if (!old.ok()) return old.status();
        std::vector<std::string> keys = *old;
        keys.push_back(customer->key);
        const std::string pseudonym = absl::StrCat(
            "forgotten:",
            absl::BytesToHexString(
                KeyedHash(in_->secret, customer->key).substr(0, 8)));
        for (const std::string& k : keys) {
          if (k != customer->key && !(s = store->DeleteRedirect(k)).ok()) {
            return s;
          }
          s = store->DeleteReviewsOf(k);
          if (s.ok()) s = store->DeleteSeparationsOf(k);
          if (s.ok()) s = store->RedactKey(k, pseudonym);
          if (!s.ok()) return s;
        }
        s = store->DeleteCustomer(customer->id);
        if (!s.ok()) return s;
        const int64_t now = in_->Now();
        absl::StatusOr<int64_t> seq = store->AppendAudit(
            {0, now, "forget", pseudonym, "",
             why.reason.empty() ? "erasure request" : why.reason,
             absl::StrCat("{\"records\":", records->size(), "}"), why.actor});
        if (!seq.ok()) return seq.status();
        done.audit_seq = *seq;
        // Downstream systems need the key to erase their copies.
        seq = store->AppendChange({0, now, "forgotten", customer->key, ""});
        if (!seq.ok()) return seq.status();
        s = store->PutMeta("engine.present", absl::StrJoin(present, ","));
        if (!s.ok()) return s;
        count = static_cast<int64_t>(records->size());
        s = request.Remember(store, now, absl::StrCat(count), done);
        if (!s.ok()) return s;
        return count;
      });
  // Forget changed value counts: the writer's cached ones are stale. And
  // both caches may hold the customer's values: their text is overwritten.
  in_->writer_values->Wipe();
  in_->prepared_values.Wipe();
  if (!erased.ok()) return erased.status();
  in_->Unindex(unindexed);
  in_->UnindexValues(erased_values);
  {
    Lock state(in_->state_mu);
    in_->present = present;
  }
  // Overwrites what the transaction freed in the database's files.
  absl::Status s = store->Purge();
  if (!s.ok()) return s;
  if (outcome != nullptr) *outcome = done;
  return erased;
}

absl::Status Engine::CheckConsistency() {
  // A snapshot holding every commit of this engine, and no commit while it
  // is read: the engine's value table is compared with it.
  absl::StatusOr<Internals::Reader> reader;
  std::unique_lock<std::mutex> writing;
  for (;;) {
    reader = in_->AcquireReader();
    if (!reader.ok()) return reader.status();
    writing = std::unique_lock<std::mutex>(in_->write_mu);
    if (reader->get_deleter().commits == in_->CommitCount()) break;
    writing.unlock();  // A commit came between: again.
  }
  storage::GraphStore* store = reader->get();
  const size_t n = schema_.fields.size();
  std::vector<storage::RecordRow> rows;
  absl::Status s = store->ForEachRecord([&](const storage::RecordRow& row) {
    rows.push_back(row);
    return true;
  });
  if (!s.ok()) return s;
  absl::flat_hash_map<int64_t, int64_t> sizes, uses;
  std::vector<int64_t> present(n, 0);
  absl::flat_hash_set<int64_t> ids;
  for (const storage::RecordRow& row : rows) ids.insert(row.id);
  auto broken = [](auto&&... parts) {
    return absl::DataLossError(absl::StrCat("inconsistent graph: ", parts...));
  };
  for (storage::RecordRow& row : rows) {
    ++sizes[row.customer];
    const int64_t id = row.id;
    const std::string source_id = row.source_id;
    absl::StatusOr<StoredRecord> record = DecodeRecord(std::move(row), n);
    if (!record.ok()) return record.status();
    for (size_t f = 0; f < n; ++f) {
      if (record->value_ids[f] == 0) continue;
      ++uses[record->value_ids[f]];
      ++present[f];
    }
    absl::StatusOr<std::vector<storage::LinkRow>> links = store->LinksOf(id);
    if (!links.ok()) return links.status();
    for (const storage::LinkRow& l : *links) {
      if (!ids.contains(l.a) || !ids.contains(l.b)) {
        return broken("record ", source_id, " links to a missing record");
      }
    }
  }
  for (const auto& [customer, size] : sizes) {
    absl::StatusOr<std::optional<storage::CustomerRow>> c =
        store->GetCustomer(customer);
    if (!c.ok()) return c.status();
    if (!c->has_value()) return broken("customer ", customer, " is missing");
    if ((*c)->size != size) {
      return broken("customer ", (*c)->key, " says ", (*c)->size,
                    " records, holds ", size);
    }
  }
  absl::StatusOr<int64_t> customers = store->CountCustomers();
  if (!customers.ok()) return customers.status();
  if (*customers != static_cast<int64_t>(sizes.size())) {
    return broken(*customers - static_cast<int64_t>(sizes.size()),
                  " customers have no records");
  }
  // The value table holds what the store holds (unless another process
  // wrote since it was loaded: the writer gives it up then).
  absl::StatusOr<int64_t> version = in_->writer->DataVersion();
  if (!version.ok()) return version.status();
  const bool check_table =
      in_->value_table.loaded() && *version == in_->value_table_version;
  if (check_table && in_->value_table.size() != uses.size()) {
    return broken("the value table holds ", in_->value_table.size(),
                  " values, the store ", uses.size());
  }
  // So does the writer's mirror of the graph's shape (given up likewise).
  s = in_->writer->CheckMirror(store);
  if (!s.ok()) return s;
  for (const auto& [value, count] : uses) {
    absl::StatusOr<std::optional<storage::ValueRow>> v = store->GetValue(value);
    if (!v.ok()) return v.status();
    if (!v->has_value()) return broken("value ", value, " is missing");
    if ((*v)->count != count) {
      return broken("value ", value, " counts ", (*v)->count, ", used ", count);
    }
    if (!check_table) continue;
    StoredValue held;
    std::vector<uint64_t> keys;
    s = DecodeKeyHashes((*v)->keys, &keys);
    if (!s.ok()) return s;
    if (!in_->value_table.Get(value, &held) || held.count != count ||
        held.field != (*v)->field || held.value != (*v)->value ||
        held.keys != keys) {
      return broken("the value table's value ", value, " is not the store's");
    }
  }
  // Every stored value is used, and stored once (the store does not check:
  // the engine's value index must find a value before it is stored again).
  absl::StatusOr<std::vector<std::pair<int64_t, uint64_t>>> hashes =
      store->ValueHashes(0);
  if (!hashes.ok()) return hashes.status();
  if (hashes->size() != uses.size()) {
    return broken(static_cast<int64_t>(hashes->size() - uses.size()),
                  " values are stored that no record uses");
  }
  absl::flat_hash_map<uint64_t, std::vector<int64_t>> by_hash;
  for (const auto& [id, hash] : *hashes) by_hash[hash].push_back(id);
  for (const auto& [hash, ids] : by_hash) {
    absl::flat_hash_set<std::pair<int32_t, std::string>> seen;
    for (int64_t id : ids) {
      absl::StatusOr<std::optional<storage::ValueRow>> v = store->GetValue(id);
      if (!v.ok()) return v.status();
      if (!v->has_value() || !seen.emplace((*v)->field, (*v)->value).second) {
        return broken("value ", id, " is stored twice");
      }
    }
  }
  // As committed (another process may have written since this engine last
  // did).
  absl::StatusOr<std::optional<std::string>> stored =
      store->GetMeta("engine.present");
  if (!stored.ok()) return stored.status();
  if (!stored->has_value() || **stored != absl::StrJoin(present, ",")) {
    return broken("field counts are off");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<storage::ChangeRow>> Engine::ReadChanges(
    int64_t after, int limit) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  return (*reader)->ReadChanges(after, limit);
}

absl::StatusOr<int64_t> Engine::LastChangeSeq() {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  return (*reader)->LastChangeSeq();
}

int64_t Engine::CommitCount() {
  Lock lock(in_->commit_mu);
  return in_->commits;
}

int64_t Engine::WaitForCommit(int64_t seen, absl::Duration timeout) {
  std::unique_lock<std::mutex> lock(in_->commit_mu);
  in_->commit_cv.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                          [this, seen] { return in_->commits > seen; });
  return in_->commits;
}

absl::StatusOr<std::vector<storage::ReviewRow>> Engine::Reviews(int limit) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  return (*reader)->ListReviews(limit);
}

absl::StatusOr<GraphStats> Engine::Stats() {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  GraphStats stats;
  absl::StatusOr<int64_t> v = (*reader)->CountRecords();
  if (!v.ok()) return v.status();
  stats.records = *v;
  if (!(v = (*reader)->CountCustomers()).ok()) return v.status();
  stats.customers = *v;
  if (!(v = (*reader)->CountReviews()).ok()) return v.status();
  stats.reviews = *v;
  if (!(v = (*reader)->SizeBytes()).ok()) return v.status();
  stats.bytes = *v;
  stats.bytes_per_record =
      stats.records == 0 ? 0 : static_cast<double>(stats.bytes) / stats.records;
  return stats;
}

absl::Status Engine::ForEachRecordKey(
    const std::function<void(const std::string&, const std::string&)>& visit) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  storage::GraphStore* store = reader->get();
  // Read the records first: the visitor of ForEachRecord must not call the
  // store.
  std::vector<std::pair<std::string, int64_t>> records;
  absl::Status s = store->ForEachRecord([&](const storage::RecordRow& row) {
    records.emplace_back(row.source_id, row.customer);
    return true;
  });
  if (!s.ok()) return s;
  absl::flat_hash_map<int64_t, std::string> keys;
  for (const auto& [source_id, customer] : records) {
    auto it = keys.find(customer);
    if (it == keys.end()) {
      absl::StatusOr<std::optional<storage::CustomerRow>> c =
          store->GetCustomer(customer);
      if (!c.ok()) return c.status();
      if (!c->has_value()) {
        return absl::DataLossError(
            absl::StrCat("record ", source_id, " has no customer"));
      }
      it = keys.emplace(customer, (*c)->key).first;
    }
    visit(source_id, it->second);
  }
  return absl::OkStatus();
}

}  // namespace idr::identity
