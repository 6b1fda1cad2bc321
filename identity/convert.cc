#include "identity/convert.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/field_mask_util.h"
#include "matching/normalize.h"
#include "matching/utf8.h"

namespace idr::identity {
namespace {

namespace v1 = ::idr::v1;
using matching::FieldType;

v1::Channel ToApiChannel(Channel c) {
  switch (c) {
    case Channel::kWeb:
      return v1::CHANNEL_WEB;
    case Channel::kApp:
      return v1::CHANNEL_APP;
    case Channel::kStore:
      return v1::CHANNEL_STORE;
    case Channel::kCallCenter:
      return v1::CHANNEL_CALL_CENTER;
    case Channel::kOther:
      return v1::CHANNEL_OTHER;
    case Channel::kUnknown:
      break;
  }
  return v1::CHANNEL_UNSPECIFIED;
}

Channel FromApiChannel(v1::Channel c) {
  switch (c) {
    case v1::CHANNEL_WEB:
      return Channel::kWeb;
    case v1::CHANNEL_APP:
      return Channel::kApp;
    case v1::CHANNEL_STORE:
      return Channel::kStore;
    case v1::CHANNEL_CALL_CENTER:
      return Channel::kCallCenter;
    case v1::CHANNEL_OTHER:
      return Channel::kOther;
    default:
      return Channel::kUnknown;
  }
}

void SetTime(int64_t unix_seconds, google::protobuf::Timestamp* t) {
  if (unix_seconds > 0) t->set_seconds(unix_seconds);
}

// The graph field an identifier type goes to, or "" when none does.
const char* FieldForIdentifier(v1::IdentifierType type) {
  switch (type) {
    case v1::IDENTIFIER_TYPE_EMAIL:
      return "email";
    case v1::IDENTIFIER_TYPE_PHONE:
      return "phone";
    case v1::IDENTIFIER_TYPE_LOYALTY_ID:
      return "loyalty_id";
    case v1::IDENTIFIER_TYPE_LOGIN_ID:
      return "login_id";
    case v1::IDENTIFIER_TYPE_DEVICE_ID:
    case v1::IDENTIFIER_TYPE_COOKIE_ID:
      return "device_id";
    case v1::IDENTIFIER_TYPE_NATIONAL_ID:
      return "national_id";
    default:
      return "";
  }
}

v1::IdentifierType IdentifierTypeOf(FieldType t) {
  switch (t) {
    case FieldType::kEmail:
      return v1::IDENTIFIER_TYPE_EMAIL;
    case FieldType::kPhone:
      return v1::IDENTIFIER_TYPE_PHONE;
    case FieldType::kLoyaltyId:
      return v1::IDENTIFIER_TYPE_LOYALTY_ID;
    case FieldType::kLoginId:
      return v1::IDENTIFIER_TYPE_LOGIN_ID;
    case FieldType::kDeviceId:
      return v1::IDENTIFIER_TYPE_DEVICE_ID;
    case FieldType::kNationalId:
      return v1::IDENTIFIER_TYPE_NATIONAL_ID;
    default:
      return v1::IDENTIFIER_TYPE_UNSPECIFIED;
  }
}

// Collects a record's values by graph field type, refusing a second value
// for one field.
class ValueSink {
 public:
  ValueSink(const std::vector<FieldSpec>& fields, SourceRecord* out)
      : fields_(fields), out_(out) {}

  absl::Status Add(FieldType type, const std::string& what,
                   const std::string& value) {
    if (value.empty()) return absl::OkStatus();
    for (const FieldSpec& f : fields_) {
      if (f.type != type) continue;
      for (const auto& [column, v] : out_->values) {
        if (column == f.column) {
          return absl::InvalidArgumentError(absl::StrCat(
              "record has two values for ", what,
              "; send one record per value"));
        }
      }
      out_->values.emplace_back(f.column, value);
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "the graph has no field for ", what, " (fields: ", FieldNames(), ")"));
  }

 private:
  std::string FieldNames() const {
    std::vector<std::string> names;
    for (const FieldSpec& f : fields_) names.push_back(f.column);
    return absl::StrJoin(names, ", ");
  }
  const std::vector<FieldSpec>& fields_;
  SourceRecord* out_;
};

// The value an identifier is matched by, its issuer applied (see
// kIssuerSeparator in convert.h). INVALID_ARGUMENT for a malformed issuer.
absl::StatusOr<std::string> IssuedValue(const v1::Identifier& id) {
  const std::string& issuer = id.issuer();
  const bool scoped = id.type() == v1::IDENTIFIER_TYPE_LOYALTY_ID ||
                      id.type() == v1::IDENTIFIER_TYPE_LOGIN_ID;
  if (scoped && id.value().find(kIssuerSeparator) != std::string::npos) {
    return absl::InvalidArgumentError(
        "an identifier value holds U+241F, which separates an issuer");
  }
  if (issuer.empty()) return id.value();
  switch (id.type()) {
    case v1::IDENTIFIER_TYPE_PHONE: {
      if (issuer.size() != 2 || !absl::ascii_isalpha(issuer[0]) ||
          !absl::ascii_isalpha(issuer[1])) {
        return absl::InvalidArgumentError(
            absl::StrCat("a phone's issuer is its default region, two letters "
                         "(ISO 3166-1 alpha-2, e.g. \"CN\"), not '",
                         issuer, "'"));
      }
      matching::PhoneOptions options;
      options.default_region = issuer;
      options.keep_unparsed_digits = false;
      const std::string e164 = matching::NormalizePhone(id.value(), options);
      // Not a number of that region: the graph's own rules apply.
      return e164.empty() ? id.value() : e164;
    }
    case v1::IDENTIFIER_TYPE_LOYALTY_ID:
    case v1::IDENTIFIER_TYPE_LOGIN_ID: {
      if (issuer.size() > 64 || !matching::IsValidUtf8(issuer) ||
          issuer.find(kIssuerSeparator) != std::string::npos) {
        return absl::InvalidArgumentError(
            "an identifier's issuer must be valid UTF-8 of at most 64 bytes");
      }
      const std::string bare = id.type() == v1::IDENTIFIER_TYPE_LOYALTY_ID
                                   ? matching::NormalizeLoyaltyId(id.value())
                                   : matching::NormalizeIdentifier(id.value());
      if (bare.empty()) return std::string();  // Junk stays junk.
      return absl::StrCat(matching::NormalizeIdentifier(issuer),
                          kIssuerSeparator, bare);
    }
    default:
      return id.value();  // Ignored for the other types.
  }
}

std::string IsoDate(const v1::Date& d) {
  if (d.year() == 0 && d.month() == 0 && d.day() == 0) return "";
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

void ParseIsoDate(const std::string& text, v1::Date* d) {
  std::vector<std::string> parts = absl::StrSplit(text, '-');
  int y = 0, m = 0, day = 0;
  if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &y) &&
      absl::SimpleAtoi(parts[1], &m) && absl::SimpleAtoi(parts[2], &day)) {
    d->set_year(y);
    d->set_month(m);
    d->set_day(day);
  }
}

v1::SurvivorshipRule RuleOf(const std::string& rule) {
  if (rule == "most frequent") return v1::SURVIVORSHIP_RULE_MOST_FREQUENT;
  if (rule == "most recent") return v1::SURVIVORSHIP_RULE_MOST_RECENT;
  if (rule == "source priority") return v1::SURVIVORSHIP_RULE_SOURCE_PRIORITY;
  return v1::SURVIVORSHIP_RULE_UNSPECIFIED;
}

void SetProvenance(const ProfileField& f, v1::ProfileValue* out) {
  v1::Provenance* p = out->mutable_provenance();
  p->set_rule(RuleOf(f.rule));
  p->set_rule_detail(f.rule);
  if (!f.values.empty()) {
    p->set_supporting_record_count(static_cast<int32_t>(f.values[0].records));
    SetTime(f.values[0].last_seen, p->mutable_observed_at());
    if (!f.values[0].channels.empty()) {
      p->set_channel(ToApiChannel(f.values[0].channels[0]));
    }
  }
}

// Splink's vocabulary for one comparison of a link scored under model rule
// `rule` (< 0: not scored, a manual or deterministic link): its comparison
// vector value (-1 null, 0 the last level "else", up to exact), and for a
// scored link m, u, the level's weight log2(m/u) (0 where the rule forced
// the comparison: the rule's prior holds it) and the term-frequency
// adjustment, the rest of the comparison's weight.
void DescribeComparison(const GraphSchema* schema, int rule,
                        const FieldWeight& w, v1::FieldComparison* c) {
  c->set_match_weight(w.weight);
  if (schema == nullptr || w.comparison < 0) return;
  const matching::DedupModel& model = schema->model;
  const size_t k = static_cast<size_t>(w.comparison);
  if (k >= model.comparisons.size() || w.level_index <= 0 ||
      w.level_index >= model.comparisons[k].num_levels()) {
    return;
  }
  c->set_comparison_vector_value(model.comparisons[k].num_levels() - 1 -
                                 w.level_index);
  const size_t slot =
      (static_cast<size_t>(rule) * matching::kMaxComparisons + k) *
          matching::kMaxLevels +
      static_cast<size_t>(w.level_index);
  if (rule < 0 || slot >= model.rule_level_weight.size() ||
      k >= model.parameters.m.size() ||
      static_cast<size_t>(w.level_index) >= model.parameters.m[k].size()) {
    return;
  }
  c->set_m_probability(model.parameters.m[k][w.level_index]);
  c->set_u_probability(model.parameters.u[k][w.level_index]);
  const double level_weight = model.rule_level_weight[slot];
  c->set_match_weight(level_weight);
  c->set_tf_adjustment(w.weight - level_weight);
}

// The link's comparisons (see DescribeComparison), each with the values
// compared on its left and right records: withheld (redacted) unless
// `with_values`. A scored link gets its rule's prior; a deterministic one
// the exclusive identifier types on which it agrees exactly.
void AddComparisons(const std::vector<FieldWeight>& fields, bool with_values,
                    const GraphSchema* schema, int rule, v1::RecordLink* link) {
  const bool scored = link->kind() == v1::LINK_KIND_PROBABILISTIC && rule >= 0;
  if (scored && schema != nullptr &&
      static_cast<size_t>(rule) < schema->model.rule_prior_weight.size()) {
    link->set_prior_match_weight(schema->model.rule_prior_weight[rule]);
  }
  for (const FieldWeight& w : fields) {
    v1::FieldComparison* c = link->add_comparisons();
    c->set_field(w.column);
    c->set_comparison_level(w.level);
    DescribeComparison(schema, scored ? rule : -1, w, c);
    if (link->kind() == v1::LINK_KIND_DETERMINISTIC && schema != nullptr &&
        w.level_index == 1 && w.comparison >= 0 &&
        static_cast<size_t>(w.comparison) < schema->model.comparisons.size()) {
      const int column = schema->model.comparisons[w.comparison].column;
      if (column >= 0 && static_cast<size_t>(column) < schema->fields.size() &&
          matching::IsExclusiveIdentifier(schema->fields[column].type)) {
        link->add_shared_identifier_types(
            IdentifierTypeOf(schema->fields[column].type));
      }
    }
    if (link->has_left()) *c->mutable_left()->mutable_record() = link->left();
    if (link->has_right()) {
      *c->mutable_right()->mutable_record() = link->right();
    }
    for (const auto& [ref, value] :
         {std::pair(c->mutable_left(), &w.value),
          std::pair(c->mutable_right(), &w.other_value)}) {
      if (!with_values) {
        ref->set_field_path(w.column);
        ref->set_redacted(true);
      } else if (!value->empty()) {
        ref->set_field_path(w.column);
        ref->set_value(*value);
      }
    }
  }
}

}  // namespace

void SplitIssuer(const std::string& stored, v1::Identifier* id) {
  const size_t at = stored.find(kIssuerSeparator);
  if (at == std::string::npos) {
    id->clear_issuer();
    id->set_value(stored);
    return;
  }
  id->set_issuer(stored.substr(0, at));
  id->set_value(stored.substr(at + std::strlen(kIssuerSeparator)));
}

std::string SourceIdOf(const v1::RecordRef& ref) {
  return ref.source_system().empty()
             ? ref.source_record_id()
             : absl::StrCat(ref.source_system(), ":", ref.source_record_id());
}

v1::RecordRef RecordRefOf(const std::string& source_id) {
  v1::RecordRef ref;
  const size_t colon = source_id.find(':');
  if (colon == std::string::npos) {
    ref.set_source_record_id(source_id);
  } else {
    ref.set_source_system(source_id.substr(0, colon));
    ref.set_source_record_id(source_id.substr(colon + 1));
  }
  return ref;
}

absl::StatusOr<SourceRecord> ToSourceRecord(
    const v1::Record& record, const std::vector<FieldSpec>& fields,
    bool need_id) {
  SourceRecord out;
  if (need_id && record.source_record_id().empty()) {
    return absl::InvalidArgumentError("record has no source_record_id");
  }
  if (!record.source_record_id().empty()) {
    v1::RecordRef ref;
    ref.set_source_system(record.source_system());
    ref.set_source_record_id(record.source_record_id());
    out.source_id = SourceIdOf(ref);
  }
  if (!v1::Channel_IsValid(record.channel())) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown channel ", record.channel()));
  }
  out.channel = FromApiChannel(record.channel());
  out.seen_at = record.observed_at().seconds();
  ValueSink sink(fields, &out);
  for (const v1::Identifier& id : record.identifiers()) {
    const std::string field = FieldForIdentifier(id.type());
    if (field.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "identifier of type ", v1::IdentifierType_Name(id.type()),
          " has no field in this graph"));
    }
    absl::StatusOr<FieldType> type = matching::ParseFieldType(field);
    if (!type.ok()) return type.status();
    absl::StatusOr<std::string> value = IssuedValue(id);
    if (!value.ok()) return value.status();
    absl::Status s = sink.Add(*type, field, *value);
    if (!s.ok()) return s;
  }
  if (record.names_size() > 1) {
    return absl::InvalidArgumentError(
        "record has more than one name; send one record per name");
  }
  for (const v1::PersonName& name : record.names()) {
    bool has_full = false;
    for (const FieldSpec& f : fields) has_full |= f.type == FieldType::kFullName;
    if (!name.full().empty() && has_full) {
      absl::Status s = sink.Add(FieldType::kFullName, "name.full", name.full());
      if (!s.ok()) return s;
    } else if (!name.full().empty() && name.given().empty() &&
               name.family().empty()) {
      return absl::InvalidArgumentError(
          "the graph has no full_name field; give name.given and name.family");
    }
    absl::Status s =
        sink.Add(FieldType::kGivenName, "name.given", name.given());
    if (s.ok()) s = sink.Add(FieldType::kFamilyName, "name.family",
                             name.family());
    if (!s.ok()) return s;
  }
  if (record.has_birth_date()) {
    absl::Status s = sink.Add(FieldType::kBirthDate, "birth_date",
                              IsoDate(record.birth_date()));
    if (!s.ok()) return s;
  }
  if (!v1::Gender_IsValid(record.gender())) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown gender ", record.gender()));
  }
  const char* gender = record.gender() == v1::GENDER_FEMALE ? "female"
                       : record.gender() == v1::GENDER_MALE ? "male"
                                                            : "";
  if (absl::Status s = sink.Add(FieldType::kGender, "gender", gender); !s.ok()) {
    return s;
  }
  if (record.addresses_size() > 1) {
    return absl::InvalidArgumentError(
        "record has more than one address; send one record per address");
  }
  for (const v1::PostalAddress& a : record.addresses()) {
    absl::Status s = sink.Add(FieldType::kStreet, "address.address_lines",
                              absl::StrJoin(a.address_lines(), ", "));
    if (s.ok()) s = sink.Add(FieldType::kCity, "address.city", a.city());
    if (s.ok()) {
      s = sink.Add(FieldType::kPostcode, "address.postcode", a.postcode());
    }
    if (s.ok()) {
      s = sink.Add(FieldType::kCountry, "address.country_code",
                   a.country_code());
    }
    if (!s.ok()) return s;
  }
  if (record.has_loyalty()) {
    const v1::LoyaltyStatus& l = record.loyalty();
    if (!l.program().empty()) {
      out.attributes.emplace_back("loyalty_program", l.program());
    }
    if (!l.tier().empty()) out.attributes.emplace_back("loyalty_tier", l.tier());
    out.attributes.emplace_back("loyalty_points", absl::StrCat(l.points()));
  }
  for (const v1::Consent& c : record.consents()) {
    out.attributes.emplace_back(absl::StrCat("consent.", c.purpose()),
                                c.granted() ? "granted" : "denied");
  }
  std::vector<std::pair<std::string, std::string>> extra(
      record.attributes().begin(), record.attributes().end());
  std::sort(extra.begin(), extra.end());  // Map order is unspecified.
  for (auto& kv : extra) out.attributes.push_back(std::move(kv));
  return out;
}

v1::RecordResult ToRecordResult(const v1::RecordRef& ref,
                                const absl::StatusOr<IngestResult>& r) {
  v1::RecordResult out;
  *out.mutable_record() = ref;
  if (!r.ok()) {
    out.set_outcome(v1::OUTCOME_FAILED);
    out.mutable_error()->set_code(static_cast<int32_t>(r.status().code()));
    out.mutable_error()->set_message(std::string(r.status().message()));
    return out;
  }
  switch (r->outcome) {
    case Outcome::kCreated:
      out.set_outcome(v1::OUTCOME_CREATED);
      break;
    case Outcome::kAttached:
      out.set_outcome(v1::OUTCOME_ATTACHED);
      break;
    case Outcome::kMerged:
      out.set_outcome(v1::OUTCOME_MERGED);
      break;
    case Outcome::kUnchanged:
      out.set_outcome(v1::OUTCOME_UNCHANGED);
      break;
    case Outcome::kForgotten:
      out.set_outcome(v1::OUTCOME_REJECTED_FORGOTTEN);
      break;
  }
  out.set_customer_key(r->key);
  for (const std::string& k : r->merged_keys) out.add_merged_keys(k);
  if (r->outcome == Outcome::kAttached || r->outcome == Outcome::kMerged) {
    out.set_match_kind(r->deterministic ? v1::MATCH_KIND_EXACT_IDENTIFIER
                                        : v1::MATCH_KIND_PROBABILISTIC);
    out.set_match_probability(r->deterministic ? 1.0 : r->best_probability);
  } else if (r->outcome == Outcome::kCreated) {
    out.set_match_kind(v1::MATCH_KIND_NONE);
  }
  return out;
}

v1::ResolveResponse ToResolveResponse(const ResolveResult& r, bool explain,
                                      bool include_values,
                                      const GraphSchema* schema) {
  v1::ResolveResponse out;
  out.set_customer_key(r.key);
  out.set_match_probability(r.probability);
  out.set_redirected_from(r.redirected_from);
  switch (r.kind) {
    case ResolveResult::Kind::kNone:
      out.set_match_kind(v1::MATCH_KIND_NONE);
      break;
    case ResolveResult::Kind::kKey:
      out.set_match_kind(v1::MATCH_KIND_KEY);
      break;
    case ResolveResult::Kind::kRedirect:
      out.set_match_kind(v1::MATCH_KIND_KEY_REDIRECT);
      break;
    case ResolveResult::Kind::kRecord:
      out.set_match_kind(v1::MATCH_KIND_RECORD_REF);
      break;
    case ResolveResult::Kind::kExact:
      out.set_match_kind(v1::MATCH_KIND_EXACT_IDENTIFIER);
      break;
    case ResolveResult::Kind::kProbabilistic:
      out.set_match_kind(v1::MATCH_KIND_PROBABILISTIC);
      break;
  }
  if (!r.candidates.empty() && !r.key.empty()) {
    out.set_match_weight(r.candidates[0].weight);
  }
  for (const ResolveCandidate& c : r.candidates) {
    v1::Candidate* cand = out.add_candidates();
    cand->set_customer_key(c.key);
    cand->set_match_kind(c.deterministic ? v1::MATCH_KIND_EXACT_IDENTIFIER
                                         : v1::MATCH_KIND_PROBABILISTIC);
    cand->set_match_probability(c.probability);
    cand->set_match_weight(c.weight);
    *cand->mutable_best_matching_record() = RecordRefOf(c.best_record);
    if (explain) {
      // Left: the candidate's record; right: the probe (no record).
      v1::RecordLink* link = out.mutable_explanation()->add_links();
      *link->mutable_left() = RecordRefOf(c.best_record);
      link->set_kind(c.deterministic ? v1::LINK_KIND_DETERMINISTIC
                                     : v1::LINK_KIND_PROBABILISTIC);
      link->set_match_weight(c.weight);
      link->set_match_probability(c.probability);
      AddComparisons(c.fields, include_values, schema, c.rule_index, link);
    }
  }
  if (explain) {
    out.mutable_explanation()->set_customer_key(r.key);
    out.mutable_explanation()->set_redacted(!include_values);
    if (schema != nullptr) {
      out.mutable_explanation()->set_model_version(schema->model_version);
    }
  }
  return out;
}

v1::Profile ToProfile(const Profile& p, int64_t now) {
  v1::Profile out;
  out.set_customer_key(p.key);
  out.set_redirected_from(p.redirected_from);
  for (const std::string& k : p.old_keys) out.add_retired_keys(k);
  SetTime(p.created_at, out.mutable_created_at());
  SetTime(p.updated_at, out.mutable_updated_at());
  SetTime(now, out.mutable_as_of());
  out.set_record_count(static_cast<int32_t>(p.records));
  for (const MemberRecord& m : p.members) {
    v1::MemberRecord* member = out.add_member_records();
    *member->mutable_record() = RecordRefOf(m.source_id);
    member->set_channel(ToApiChannel(m.channel));
    SetTime(m.seen_at, member->mutable_observed_at());
  }
  v1::PersonName* name = nullptr;
  auto best_name = [&]() -> v1::PersonName* {
    if (name == nullptr) name = out.mutable_best_name()->mutable_name();
    return name;
  };
  v1::PostalAddress* address = nullptr;
  auto best_address = [&]() -> v1::PostalAddress* {
    if (address == nullptr) {
      address = out.mutable_best_address()->mutable_address();
    }
    return address;
  };
  for (const ProfileField& f : p.fields) {
    switch (f.type) {
      case FieldType::kFullName:
        best_name()->set_full(f.best);
        SetProvenance(f, out.mutable_best_name());
        break;
      case FieldType::kGivenName:
        best_name()->set_given(f.best);
        SetProvenance(f, out.mutable_best_name());
        break;
      case FieldType::kFamilyName:
        best_name()->set_family(f.best);
        break;
      case FieldType::kBirthDate:
        ParseIsoDate(f.best, out.mutable_best_birth_date()->mutable_date());
        SetProvenance(f, out.mutable_best_birth_date());
        break;
      case FieldType::kGender:
        out.mutable_best_gender()->set_gender(
            f.best == "f"   ? v1::GENDER_FEMALE
            : f.best == "m" ? v1::GENDER_MALE
                            : v1::GENDER_OTHER);
        SetProvenance(f, out.mutable_best_gender());
        break;
      case FieldType::kStreet:
        best_address()->add_address_lines(f.best);
        SetProvenance(f, out.mutable_best_address());
        break;
      case FieldType::kCity:
        best_address()->set_city(f.best);
        break;
      case FieldType::kPostcode:
        best_address()->set_postcode(f.best);
        break;
      case FieldType::kCountry:
        best_address()->set_country_code(f.best);
        break;
      default:
        break;
    }
    const v1::IdentifierType id_type = IdentifierTypeOf(f.type);
    if (id_type == v1::IDENTIFIER_TYPE_UNSPECIFIED) continue;
    if (f.type == FieldType::kEmail || f.type == FieldType::kPhone) {
      v1::ProfileValue* best = f.type == FieldType::kEmail
                                   ? out.mutable_best_email()
                                   : out.mutable_best_phone();
      best->mutable_identifier()->set_type(id_type);
      best->mutable_identifier()->set_value(f.best);
      SetProvenance(f, best);
    }
    for (const ValueSummary& v : f.values) {
      v1::IdentifierSummary* s = out.add_identifiers();
      s->mutable_identifier()->set_type(id_type);
      SplitIssuer(v.value, s->mutable_identifier());
      SetTime(v.first_seen, s->mutable_first_seen());
      SetTime(v.last_seen, s->mutable_last_seen());
      s->set_record_count(static_cast<int32_t>(v.records));
      for (Channel c : v.channels) s->add_channels(ToApiChannel(c));
      s->set_exclusive(matching::IsExclusiveIdentifier(f.type));
    }
  }
  for (const ChannelActivity& c : p.channels) {
    v1::ChannelActivity* a = out.add_channel_activity();
    a->set_channel(ToApiChannel(c.channel));
    SetTime(c.first_seen, a->mutable_first_seen());
    SetTime(c.last_seen, a->mutable_last_seen());
    a->set_record_count(static_cast<int32_t>(c.records));
    a->set_days_since_last_seen(
        c.last_seen > 0 ? static_cast<int32_t>((now - c.last_seen) / 86400)
                        : -1);
  }
  for (const auto& [name_key, value] : p.attributes) {
    v1::LoyaltyStatus* loyalty = nullptr;
    if (name_key == "loyalty_tier" || name_key == "loyalty_points" ||
        name_key == "loyalty_program") {
      loyalty = out.mutable_loyalty()->mutable_loyalty();
    }
    if (name_key == "loyalty_tier") loyalty->set_tier(value);
    if (name_key == "loyalty_program") loyalty->set_program(value);
    if (name_key == "loyalty_points") {
      int64_t points = 0;
      if (absl::SimpleAtoi(value, &points)) loyalty->set_points(points);
    }
    (*out.mutable_attributes())[name_key].set_text(value);
  }
  return out;
}

absl::StatusOr<ExplainShape> CheckExplainRequest(
    const v1::ExplainRequest& request) {
  constexpr int kMaxLinks = 2000;
  if (request.max_links() < 0 || request.max_links() > kMaxLinks) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_links must be in 0..", kMaxLinks, " (0 = 200)"));
  }
  ExplainShape shape;
  shape.include_values = request.include_values();
  if (request.has_record()) shape.record = SourceIdOf(request.record());
  if (request.max_links() > 0) shape.max_links = request.max_links();
  return shape;
}

absl::StatusOr<v1::Explanation> ToExplanation(const Explanation& e,
                                              double threshold,
                                              const ExplainShape& shape,
                                              const GraphSchema* schema) {
  v1::Explanation out;
  out.set_customer_key(e.key);
  out.set_link_threshold_probability(threshold);
  out.set_redacted(!shape.include_values);
  if (schema != nullptr) out.set_model_version(schema->model_version);
  // Each link once (from its smaller source id), or the named record's.
  std::vector<std::pair<const RecordExplanation*, const RecordLink*>> links;
  bool member = shape.record.empty();
  for (const RecordExplanation& r : e.records) {
    if (!shape.record.empty() && r.source_id != shape.record) continue;
    member = true;
    for (const RecordLink& l : r.links) {
      if (shape.record.empty() && l.other_record < r.source_id) continue;
      links.emplace_back(&r, &l);
    }
  }
  if (!member) {
    return absl::NotFoundError(absl::StrCat(
        "record '", shape.record, "' is not a member of customer ", e.key));
  }
  // Strongest first: deterministic and manual links (probability 1), then
  // by weight; ties keep the order of the records (a stable sort).
  std::stable_sort(links.begin(), links.end(),
                   [](const auto& a, const auto& b) {
                     if (a.second->probability != b.second->probability) {
                       return a.second->probability > b.second->probability;
                     }
                     return a.second->weight > b.second->weight;
                   });
  if (links.size() > static_cast<size_t>(shape.max_links)) {
    links.resize(shape.max_links);
    out.set_links_truncated(true);
  }
  for (const auto& [r, l] : links) {
    v1::RecordLink* link = out.add_links();
    *link->mutable_left() = RecordRefOf(r->source_id);
    *link->mutable_right() = RecordRefOf(l->other_record);
    link->set_kind(l->reason == "manual merge" ? v1::LINK_KIND_MANUAL
                   : l->reason == "shared exclusive identifier"
                       ? v1::LINK_KIND_DETERMINISTIC
                       : v1::LINK_KIND_PROBABILISTIC);
    link->set_match_weight(l->weight);
    link->set_match_probability(l->probability);
    AddComparisons(l->fields, shape.include_values, schema, l->rule, link);
  }
  for (const storage::AuditRow& a : e.history) {
    v1::AuditEntry* h = out.add_history();
    h->set_audit_id(absl::StrCat(a.seq));
    h->set_action(a.action == "merge"     ? v1::AUDIT_ACTION_MERGE
                  : a.action == "forget"  ? v1::AUDIT_ACTION_FORGET
                  : a.action == "unmerge" || a.action == "split"
                      ? v1::AUDIT_ACTION_UNMERGE
                      : v1::AUDIT_ACTION_UNSPECIFIED);
    SetTime(a.at, h->mutable_occurred_at());
    // Manual merges and unmerges say so in their reason; a forget is always
    // asked for.
    const bool automatic =
        a.action != "forget" && a.reason.rfind("manual", 0) != 0;
    h->set_automatic(automatic);
    h->set_actor(!a.actor.empty() ? a.actor : automatic ? "idr:matcher" : "");
    h->set_reason(a.reason);
    h->set_customer_key(a.key);
    if (!a.other_key.empty()) h->add_related_keys(a.other_key);
  }
  return out;
}

v1::ChangeEvent ToChangeEvent(const storage::ChangeRow& row) {
  v1::ChangeEvent out;
  out.set_event_id(absl::StrCat(row.seq));
  out.set_sequence(row.seq);
  out.set_resume_token(absl::StrCat("seq:", row.seq));
  SetTime(row.at, out.mutable_occurred_at());
  out.set_type(row.kind == "created"     ? v1::CHANGE_TYPE_CREATED
               : row.kind == "updated"   ? v1::CHANGE_TYPE_UPDATED
               : row.kind == "merged"    ? v1::CHANGE_TYPE_MERGED
               : row.kind == "unmerged"  ? v1::CHANGE_TYPE_UNMERGED
               : row.kind == "forgotten" ? v1::CHANGE_TYPE_FORGOTTEN
                                         : v1::CHANGE_TYPE_UNSPECIFIED);
  out.set_customer_key(row.key);
  if (!row.other_key.empty()) out.add_related_keys(row.other_key);
  return out;
}

absl::StatusOr<int64_t> SequenceOfToken(const std::string& token) {
  int64_t seq = 0;
  if (token.rfind("seq:", 0) != 0 ||
      !absl::SimpleAtoi(absl::string_view(token).substr(4), &seq) || seq < 0) {
    return absl::InvalidArgumentError("resume_token is not one idr issued");
  }
  return seq;
}

std::string MaskValue(v1::IdentifierType type, const std::string& value) {
  // Bullets stand for UTF-8 characters; keep whole characters at the ends.
  std::vector<std::string> chars;
  for (size_t i = 0; i < value.size();) {
    size_t n = 1;
    while (i + n < value.size() &&
           (static_cast<unsigned char>(value[i + n]) & 0xC0) == 0x80) {
      ++n;
    }
    chars.push_back(value.substr(i, n));
    i += n;
  }
  auto bullets = [](size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += "\u2022";
    return out;
  };
  if (type == v1::IDENTIFIER_TYPE_EMAIL) {
    const size_t at = value.rfind('@');
    if (at != std::string::npos && at > 0) {
      return chars[0] + bullets(3) + value.substr(at);
    }
  }
  // At most a quarter of the characters show, at each end.
  const size_t keep = std::min<size_t>(
      type == v1::IDENTIFIER_TYPE_PHONE ? 3 : 2,
      chars.empty() ? 0 : (chars.size() - 1) / 4);
  if (keep == 0) return bullets(chars.size());
  std::string out;
  for (size_t i = 0; i < keep; ++i) out += chars[i];
  out += bullets(chars.size() - 2 * keep);
  for (size_t i = chars.size() - keep; i < chars.size(); ++i) out += chars[i];
  return out;
}

namespace {

void MaskIdentifier(v1::Identifier* id) {
  id->set_masked_value(MaskValue(id->type(), id->value()));
  id->clear_value();
}

}  // namespace

absl::Status CheckProfileRequest(const v1::GetProfileRequest& request) {
  constexpr int kMaxLimit = 10000;
  for (int32_t limit : {request.max_identifiers(), request.max_member_records()}) {
    if (limit < 0 || limit > kMaxLimit) {
      return absl::InvalidArgumentError(absl::StrCat(
          "max_identifiers and max_member_records must be in 0..", kMaxLimit,
          " (0 = 1000)"));
    }
  }
  for (const std::string& path : request.read_mask().paths()) {
    if (!google::protobuf::util::FieldMaskUtil::GetFieldDescriptors(
            v1::Profile::descriptor(), path, nullptr)) {
      return absl::InvalidArgumentError(
          absl::StrCat("read_mask: '", path, "' is not a Profile field"));
    }
  }
  return absl::OkStatus();
}

namespace {

// Cuts `list` to a GetProfileRequest limit (0 means 1000); true if it did.
template <typename T>
bool CutToLimit(int limit, google::protobuf::RepeatedPtrField<T>* list) {
  const int keep = limit == 0 ? 1000 : limit;
  if (list->size() <= keep) return false;
  list->DeleteSubrange(keep, list->size() - keep);
  return true;
}

}  // namespace

void ShapeProfile(const v1::GetProfileRequest& request, v1::Profile* profile) {
  if (CutToLimit(request.max_identifiers(), profile->mutable_identifiers())) {
    profile->set_identifiers_truncated(true);
  }
  if (CutToLimit(request.max_member_records(),
                 profile->mutable_member_records())) {
    profile->set_member_records_truncated(true);
  }
  if (!request.include_identifier_values()) {
    for (v1::ProfileValue* v :
         {profile->mutable_best_email(), profile->mutable_best_phone()}) {
      if (v->has_identifier()) MaskIdentifier(v->mutable_identifier());
    }
    for (v1::IdentifierSummary& s : *profile->mutable_identifiers()) {
      MaskIdentifier(s.mutable_identifier());
    }
  }
  if (request.read_mask().paths_size() > 0) {
    const std::string key = profile->customer_key();
    google::protobuf::util::FieldMaskUtil::TrimMessage(request.read_mask(),
                                                       profile);
    profile->set_customer_key(key);
  }
}

}  // namespace idr::identity
