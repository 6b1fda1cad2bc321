// The 360° profile and the explanation of a customer.
//
// Survivorship (docs/engine.md): the best value of a field is the one most
// records carry; a tie goes to the value seen most recently; a tie on that
// goes to the channel ranked first in kChannelPriority (a value given in a
// store or to an agent was checked by a person). Attributes (loyalty tier,
// points) change over time: the most recent record's value wins.

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "identity/engine.h"
#include "identity/engine_internal.h"

namespace idr::identity {
namespace {

// Higher is trusted more.
int ChannelPriority(Channel c) {
  switch (c) {
    case Channel::kStore:
      return 5;
    case Channel::kCallCenter:
      return 4;
    case Channel::kApp:
      return 3;
    case Channel::kWeb:
      return 2;
    case Channel::kOther:
      return 1;
    case Channel::kUnknown:
      break;
  }
  return 0;
}

struct ValueStats {
  int64_t id = 0;
  ValueSummary summary;
  int best_channel = 0;
};

void Touch(ValueSummary& v, const storage::RecordRow& row) {
  ++v.records;
  if (v.first_seen == 0 || row.seen_at < v.first_seen) {
    v.first_seen = row.seen_at;
  }
  v.last_seen = std::max(v.last_seen, row.seen_at);
  const Channel c = static_cast<Channel>(row.channel);
  if (std::find(v.channels.begin(), v.channels.end(), c) == v.channels.end()) {
    v.channels.push_back(c);
  }
}

}  // namespace

absl::StatusOr<Profile> Engine::GetProfile(const std::string& key) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  storage::GraphStore* store = reader->get();
  Profile profile;
  absl::StatusOr<storage::CustomerRow> customer =
      FindCustomerByKey(store, key, &profile.redirected_from);
  if (!customer.ok()) return customer.status();
  profile.key = customer->key;
  profile.created_at = customer->created_at;
  profile.updated_at = customer->updated_at;
  const size_t n = schema_.fields.size();
  absl::StatusOr<std::vector<StoredRecord>> records =
      LoadCustomerRecords(store, customer->id, n);
  if (!records.ok()) return records.status();
  profile.records = static_cast<int64_t>(records->size());

  ValueCache values(store, &in_->value_table);
  std::vector<std::vector<ValueStats>> per_field(n);
  absl::flat_hash_map<int, ChannelActivity> channels;
  absl::flat_hash_map<std::string, std::pair<int64_t, std::string>> attributes;
  for (const StoredRecord& r : *records) {
    for (size_t f = 0; f < n; ++f) {
      const int64_t id = r.value_ids[f];
      if (id == 0) continue;
      auto it = std::find_if(per_field[f].begin(), per_field[f].end(),
                             [id](const ValueStats& v) { return v.id == id; });
      if (it == per_field[f].end()) {
        absl::StatusOr<const StoredValue*> v = values.Get(id);
        if (!v.ok()) return v.status();
        per_field[f].push_back({id, {(*v)->value, 0, 0, 0, {}}, 0});
        it = per_field[f].end() - 1;
      }
      Touch(it->summary, r.row);
      it->best_channel = std::max(
          it->best_channel, ChannelPriority(static_cast<Channel>(r.row.channel)));
    }
    ChannelActivity& c = channels[r.row.channel];
    c.channel = static_cast<Channel>(r.row.channel);
    ++c.records;
    if (c.first_seen == 0 || r.row.seen_at < c.first_seen) {
      c.first_seen = r.row.seen_at;
    }
    c.last_seen = std::max(c.last_seen, r.row.seen_at);
    for (const auto& [name, value] : r.attributes) {
      auto& slot = attributes[name];
      if (slot.second.empty() || r.row.seen_at >= slot.first) {
        slot = {r.row.seen_at, value};
      }
    }
  }
  for (size_t f = 0; f < n; ++f) {
    std::vector<ValueStats>& vs = per_field[f];
    if (vs.empty()) continue;
    std::sort(vs.begin(), vs.end(), [](const ValueStats& a,
                                       const ValueStats& b) {
      if (a.summary.records != b.summary.records) {
        return a.summary.records > b.summary.records;
      }
      if (a.summary.last_seen != b.summary.last_seen) {
        return a.summary.last_seen > b.summary.last_seen;
      }
      if (a.best_channel != b.best_channel) {
        return a.best_channel > b.best_channel;
      }
      return a.summary.value < b.summary.value;
    });
    ProfileField field;
    field.column = schema_.fields[f].column;
    field.type = schema_.fields[f].type;
    field.best = vs[0].summary.value;
    if (vs.size() == 1 || vs[0].summary.records > vs[1].summary.records) {
      field.rule = "most frequent";
    } else if (vs[0].summary.last_seen > vs[1].summary.last_seen) {
      field.rule = "most recent";
    } else {
      field.rule = "source priority";
    }
    for (ValueStats& v : vs) field.values.push_back(std::move(v.summary));
    profile.fields.push_back(std::move(field));
  }
  for (auto& [id, c] : channels) profile.channels.push_back(c);
  std::sort(profile.channels.begin(), profile.channels.end(),
            [](const ChannelActivity& a, const ChannelActivity& b) {
              return a.channel < b.channel;
            });
  for (auto& [name, slot] : attributes) {
    profile.attributes.emplace_back(name, slot.second);
  }
  std::sort(profile.attributes.begin(), profile.attributes.end());
  absl::StatusOr<std::vector<std::string>> old =
      store->RedirectsTo(customer->key);
  if (!old.ok()) return old.status();
  profile.old_keys = std::move(*old);
  std::sort(profile.old_keys.begin(), profile.old_keys.end());
  for (const StoredRecord& r : *records) {
    profile.members.push_back(
        {r.row.source_id, static_cast<Channel>(r.row.channel), r.row.seen_at});
  }
  std::sort(profile.members.begin(), profile.members.end(),
            [](const MemberRecord& a, const MemberRecord& b) {
              if (a.seen_at != b.seen_at) return a.seen_at > b.seen_at;
              return a.source_id < b.source_id;
            });
  return profile;
}

absl::StatusOr<Explanation> Engine::Explain(const std::string& key,
                                            bool with_values) {
  absl::StatusOr<Internals::Reader> reader = in_->AcquireReader();
  if (!reader.ok()) return reader.status();
  storage::GraphStore* store = reader->get();
  absl::StatusOr<storage::CustomerRow> customer =
      FindCustomerByKey(store, key, nullptr);
  if (!customer.ok()) return customer.status();
  absl::StatusOr<std::vector<storage::RecordRow>> rows =
      store->RecordsOfCustomer(customer->id);
  if (!rows.ok()) return rows.status();
  absl::flat_hash_map<int64_t, std::string> source_of;
  for (const storage::RecordRow& r : *rows) source_of[r.id] = r.source_id;
  // With values: each record's value ids, and the values by id.
  const size_t n = schema_.fields.size();
  absl::flat_hash_map<int64_t, std::vector<int64_t>> value_ids;
  ValueCache values(store, &in_->value_table);
  if (with_values) {
    for (const storage::RecordRow& r : *rows) {
      absl::StatusOr<StoredRecord> decoded = DecodeRecord(r, n);
      if (!decoded.ok()) return decoded.status();
      value_ids[r.id] = std::move(decoded->value_ids);
    }
  }

  const matching::DedupModel& model = schema_.model;
  Explanation out;
  out.key = customer->key;
  for (const storage::RecordRow& r : *rows) {
    RecordExplanation record;
    record.source_id = r.source_id;
    record.channel = static_cast<Channel>(r.channel);
    record.seen_at = r.seen_at;
    absl::StatusOr<std::vector<storage::LinkRow>> links = store->LinksOf(r.id);
    if (!links.ok()) return links.status();
    for (const storage::LinkRow& l : *links) {
      const int64_t other = l.a == r.id ? l.b : l.a;
      auto it = source_of.find(other);
      if (it == source_of.end()) continue;  // Left by an unmerge.
      RecordLink link;
      link.rule = l.rule;
      link.other_record = it->second;
      link.weight = l.weight;
      link.probability = matching::MatchProbability(l.weight);
      if (l.rule == -1) {
        link.reason = "manual merge";
        link.probability = 1;
      } else if (l.rule == -2) {
        link.reason = "shared exclusive identifier";
        link.probability = 1;
      } else if (l.rule >= 0 &&
                 l.rule < static_cast<int>(model.rule_names.size())) {
        link.reason = absl::StrCat("blocking rule: ", model.rule_names[l.rule]);
      }
      std::vector<LinkTerm> terms;
      absl::Status s = DecodeLinkDetail(l.detail, &terms);
      if (!s.ok()) return s;
      for (const LinkTerm& t : terms) {
        if (t.comparison >= static_cast<int>(model.comparisons.size())) {
          return absl::DataLossError("link names an unknown comparison");
        }
        const matching::FieldComparison& c = model.comparisons[t.comparison];
        const std::string level =
            t.level < c.num_levels() ? c.labels[t.level] : "?";
        FieldWeight field{c.name, level,        t.weight, "",
                          "",     t.comparison, t.level};
        if (with_values) {
          absl::StatusOr<std::string> mine =
              values.ValueOfField(value_ids[r.id], c.column);
          if (!mine.ok()) return mine.status();
          absl::StatusOr<std::string> theirs =
              values.ValueOfField(value_ids[other], c.column);
          if (!theirs.ok()) return theirs.status();
          field.value = *std::move(mine);
          field.other_value = *std::move(theirs);
        }
        link.fields.push_back(std::move(field));
      }
      record.links.push_back(std::move(link));
    }
    out.records.push_back(std::move(record));
  }
  std::vector<std::string> keys = {customer->key};
  absl::StatusOr<std::vector<std::string>> old =
      store->RedirectsTo(customer->key);
  if (!old.ok()) return old.status();
  keys.insert(keys.end(), old->begin(), old->end());
  absl::flat_hash_map<int64_t, storage::AuditRow> history;
  for (const std::string& k : keys) {
    absl::StatusOr<std::vector<storage::AuditRow>> rows =
        store->ReadAudit(0, 1000, k);
    if (!rows.ok()) return rows.status();
    for (storage::AuditRow& row : *rows) history[row.seq] = std::move(row);
  }
  for (auto& [seq, row] : history) out.history.push_back(std::move(row));
  std::sort(out.history.begin(), out.history.end(),
            [](const storage::AuditRow& a, const storage::AuditRow& b) {
              return a.seq < b.seq;
            });
  return out;
}

}  // namespace idr::identity
