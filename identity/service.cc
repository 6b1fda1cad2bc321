#include "identity/service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "identity/convert.h"
#include "identity/grpc_status.h"
#include "matching/utf8.h"

namespace idr::identity {
namespace {

namespace v1 = ::idr::v1;

// Keys the engine reads: present, and not absurdly long.
absl::Status CheckKey(const std::string& key, const char* what) {
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is empty"));
  }
  if (key.size() > 256) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is too long"));
  }
  return absl::OkStatus();
}

// PERMISSION_DENIED for a caller without the 'values' permission that asked
// for values in clear with `flag`.
grpc::Status ValuesDenied(const Grant& caller, const char* flag) {
  return ToGrpcStatus(absl::PermissionDeniedError(absl::StrCat(
      "caller '", caller.name, "' may not see identifier values: ask without ",
      flag, ", or grant 'values' in the server's config")));
}

// The reason and actor of a manual change, both required: the audit log
// must say why and on whose behalf. Free text, shown to people, so bounded.
absl::Status CheckAttribution(const std::string& text, const char* what,
                              const char* hint) {
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is required: ", hint));
  }
  if (text.size() > 1024 || !matching::IsValidUtf8(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be valid UTF-8 of at most 1024 bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status IdentityServiceImpl::Authorize(grpc::ServerContextBase* context,
                                            Scope scope, Grant* grant) const {
  if (auth_ == nullptr) {
    if (grant != nullptr) *grant = Grant{"", true};
    return grpc::Status::OK;
  }
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  absl::string_view value;
  if (it != metadata.end()) {
    value = absl::string_view(it->second.data(), it->second.size());
  }
  return ToGrpcStatus(auth_->Check(value, scope, grant));
}

grpc::Status IdentityServiceImpl::AuthorizeWrite(
    grpc::ServerContextBase* context, const std::string& request_id,
    const std::string& reason, const std::string& actor,
    std::string* scoped_request_id, Attribution* why) const {
  Grant caller;
  if (grpc::Status a = Authorize(context, Scope::kReadWrite, &caller);
      !a.ok()) {
    return a;
  }
  absl::Status s = CheckAttribution(reason, "reason", "say why");
  if (s.ok()) {
    s = CheckAttribution(actor, "actor",
                         "say on whose behalf (e.g. \"agent:jdoe\")");
  }
  if (!s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<std::string> scoped = ScopedRequestId(caller.name, request_id);
  if (!scoped.ok()) return ToGrpcStatus(scoped.status());
  *scoped_request_id = *std::move(scoped);
  // The authenticated caller is recorded beside the actor it names.
  *why = Attribution(reason,
                     caller.name.empty() || caller.name == actor
                         ? actor
                         : absl::StrCat(actor, " (caller ", caller.name, ")"));
  return grpc::Status::OK;
}

absl::StatusOr<std::string> IdentityServiceImpl::ScopedRequestId(
    const std::string& caller, const std::string& request_id) {
  if (request_id.empty()) return std::string();
  if (request_id.size() > 128 || !matching::IsValidUtf8(request_id)) {
    return absl::InvalidArgumentError(
        "request_id must be valid UTF-8 of at most 128 bytes");
  }
  // Two callers' ids never meet: the caller's name is part of the id.
  return absl::StrCat(caller.size(), ":", caller, "\n", request_id);
}

absl::Status IdentityServiceImpl::IngestBatch(const v1::IngestRequest& request,
                                              v1::IngestResponse* response) {
  if (request.records_size() == 0) {
    return absl::InvalidArgumentError("an ingest request needs records");
  }
  if (request.records_size() > options_.max_batch_records) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", options_.max_batch_records,
                     " records per request, got ", request.records_size()));
  }
  response->set_batch_id(request.batch_id());
  // Records that convert go to the engine in one transaction; the others
  // get their error in place.
  std::vector<SourceRecord> valid;
  std::vector<int> slot;  // Per request record: index in `valid`, or -1.
  std::vector<absl::Status> errors(request.records_size());
  for (int i = 0; i < request.records_size(); ++i) {
    absl::StatusOr<SourceRecord> r =
        ToSourceRecord(request.records(i), engine_->fields(), true);
    if (r.ok()) {
      slot.push_back(static_cast<int>(valid.size()));
      valid.push_back(std::move(*r));
    } else {
      slot.push_back(-1);
      errors[i] = r.status();
    }
  }
  BatchResult results;
  if (!valid.empty()) {
    absl::StatusOr<BatchResult> batch = engine_->IngestBatch(valid);
    if (!batch.ok()) return batch.status();
    results = std::move(*batch);
  }
  if (options_.metrics != nullptr) {
    int64_t merged = 0;
    for (const auto& r : results) merged += r.ok() ? r->merged_keys.size() : 0;
    options_.metrics->RecordMerges("automatic", merged);
  }
  for (int i = 0; i < request.records_size(); ++i) {
    v1::RecordRef ref;
    ref.set_source_system(request.records(i).source_system());
    ref.set_source_record_id(request.records(i).source_record_id());
    *response->add_results() = slot[i] < 0
                                   ? ToRecordResult(ref, errors[i])
                                   : ToRecordResult(ref, results[slot[i]]);
  }
  return absl::OkStatus();
}

grpc::Status IdentityServiceImpl::Ingest(grpc::ServerContext* context,
                                         const v1::IngestRequest* request,
                                         v1::IngestResponse* response) {
  if (grpc::Status a = Authorize(context, Scope::kReadWrite); !a.ok()) return a;
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
  }
  return ToGrpcStatus(IngestBatch(*request, response));
}

grpc::Status IdentityServiceImpl::IngestStream(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::IngestResponse, v1::IngestRequest>* stream) {
  if (grpc::Status a = Authorize(context, Scope::kReadWrite); !a.ok()) return a;
  v1::IngestRequest request;
  while (stream->Read(&request)) {
    if (context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    }
    v1::IngestResponse response;
    absl::Status s = IngestBatch(request, &response);
    if (!s.ok()) return ToGrpcStatus(s);
    if (!stream->Write(response)) break;  // The client went away.
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* IdentityServiceImpl::Resolve(
    grpc::CallbackServerContext* context, const v1::ResolveRequest* request,
    v1::ResolveResponse* response) {
  // A resolve is a short, CPU-bound read: answering inline beats handing it
  // to another thread.
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(DoResolve(context, request, response));
  return reactor;
}

grpc::Status IdentityServiceImpl::DoResolve(grpc::ServerContextBase* context,
                                            const v1::ResolveRequest* request,
                                            v1::ResolveResponse* response) {
  Grant caller;
  if (grpc::Status a = Authorize(context, Scope::kRead, &caller); !a.ok()) {
    return a;
  }
  if (request->include_values() && !caller.values) {
    return ValuesDenied(caller, "include_values");
  }
  if (request->has_min_match_probability() &&
      !(request->min_match_probability() >= 0 &&
        request->min_match_probability() <= 1)) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("min_match_probability must be in [0, 1]"));
  }
  if (request->max_candidates() < 0 ||
      request->max_candidates() > options_.max_candidates) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "max_candidates must be in [0, ", options_.max_candidates, "]")));
  }
  absl::StatusOr<ResolveResult> result;
  switch (request->query_case()) {
    case v1::ResolveRequest::kCustomerKey: {
      absl::Status s = CheckKey(request->customer_key(), "customer_key");
      if (!s.ok()) return ToGrpcStatus(s);
      result = engine_->ResolveKey(request->customer_key());
      break;
    }
    case v1::ResolveRequest::kRecordRef:
      if (request->record_ref().source_record_id().empty()) {
        return ToGrpcStatus(
            absl::InvalidArgumentError("record_ref.source_record_id is empty"));
      }
      result = engine_->ResolveRecord(SourceIdOf(request->record_ref()));
      break;
    case v1::ResolveRequest::kProbe: {
      absl::StatusOr<SourceRecord> probe =
          ToSourceRecord(request->probe(), engine_->fields(), false);
      if (!probe.ok()) return ToGrpcStatus(probe.status());
      if (probe->values.empty()) {
        return ToGrpcStatus(absl::InvalidArgumentError(
            "the probe has no identifier or attribute to resolve by"));
      }
      result = engine_->Resolve(
          *probe, request->max_candidates() > 0 ? request->max_candidates() : 5,
          request->explain() && request->include_values());
      break;
    }
    default:
      return ToGrpcStatus(
          absl::InvalidArgumentError("give customer_key, record_ref or probe"));
  }
  if (!result.ok()) return ToGrpcStatus(result.status());
  if (request->has_min_match_probability() &&
      result->probability < request->min_match_probability()) {
    result->key.clear();
    result->kind = ResolveResult::Kind::kNone;
    result->probability = 0;
  }
  *response = ToResolveResponse(*result, request->explain(),
                                request->include_values(), &engine_->schema());
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::GetProfile(
    grpc::ServerContext* context, const v1::GetProfileRequest* request,
    v1::GetProfileResponse* response) {
  Grant caller;
  if (grpc::Status a = Authorize(context, Scope::kRead, &caller); !a.ok()) {
    return a;
  }
  if (request->include_identifier_values() && !caller.values) {
    return ValuesDenied(caller, "include_identifier_values");
  }
  absl::Status s = CheckKey(request->customer_key(), "customer_key");
  if (s.ok()) s = CheckProfileRequest(*request);
  if (!s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<Profile> profile =
      engine_->GetProfile(request->customer_key());
  if (!profile.ok()) return ToGrpcStatus(profile.status());
  *response->mutable_profile() =
      ToProfile(*profile, absl::ToUnixSeconds(absl::Now()));
  ShapeProfile(*request, response->mutable_profile());
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Merge(grpc::ServerContext* context,
                                        const v1::MergeRequest* request,
                                        v1::MergeResponse* response) {
  std::string request_id;
  Attribution why("");
  if (grpc::Status a =
          AuthorizeWrite(context, request->request_id(), request->reason(),
                         request->actor(), &request_id, &why);
      !a.ok()) {
    return a;
  }
  if (request->customer_keys_size() < 2 || request->customer_keys_size() > 20) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("a merge takes 2 to 20 customer keys"));
  }
  std::set<std::string> distinct;
  for (const std::string& key : request->customer_keys()) {
    absl::Status s = CheckKey(key, "customer_keys");
    if (!s.ok()) return ToGrpcStatus(s);
    distinct.insert(key);
  }
  if (distinct.size() < 2) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "a merge of a customer with itself: give two different keys"));
  }
  ManualOutcome done;
  absl::StatusOr<std::string> merged =
      engine_->Merge(std::vector<std::string>(request->customer_keys().begin(),
                                              request->customer_keys().end()),
                     why, request_id, &done);
  if (!merged.ok()) return ToGrpcStatus(merged.status());
  const std::string& survivor = *merged;
  response->set_surviving_key(survivor);
  response->set_audit_id(absl::StrCat(done.audit_seq));
  if (options_.metrics != nullptr && !done.replayed) {  // Counted once.
    options_.metrics->RecordMerges("manual",
                                   static_cast<int64_t>(distinct.size()) - 1);
  }
  for (const std::string& key : distinct) {
    if (key != survivor) response->add_retired_keys(key);
  }
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Unmerge(grpc::ServerContext* context,
                                          const v1::UnmergeRequest* request,
                                          v1::UnmergeResponse* response) {
  std::string request_id;
  Attribution why("");
  if (grpc::Status a =
          AuthorizeWrite(context, request->request_id(), request->reason(),
                         request->actor(), &request_id, &why);
      !a.ok()) {
    return a;
  }
  absl::Status s = CheckKey(request->customer_key(), "customer_key");
  if (!s.ok()) return ToGrpcStatus(s);
  if (request->records_to_split_size() > 1000) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "at most 1000 records_to_split per unmerge"));
  }
  std::vector<std::string> records;
  for (const v1::RecordRef& ref : request->records_to_split()) {
    records.push_back(SourceIdOf(ref));
  }
  absl::StatusOr<std::vector<std::string>> split;
  ManualOutcome done;
  if (request->split_each()) {
    split = engine_->UnmergeEach(request->customer_key(), records, why,
                                 request_id, &done);
  } else {
    absl::StatusOr<std::string> one = engine_->Unmerge(
        request->customer_key(), records, why, request_id, &done);
    if (one.ok()) {
      split = std::vector<std::string>{*std::move(one)};
    } else {
      split = one.status();
    }
  }
  if (!split.ok()) return ToGrpcStatus(split.status());
  response->set_original_key(request->customer_key());
  for (const std::string& key : *split) response->add_new_keys(key);
  response->set_audit_id(absl::StrCat(done.audit_seq));
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Explain(grpc::ServerContext* context,
                                          const v1::ExplainRequest* request,
                                          v1::ExplainResponse* response) {
  Grant caller;
  if (grpc::Status a = Authorize(context, Scope::kRead, &caller); !a.ok()) {
    return a;
  }
  if (request->include_values() && !caller.values) {
    return ValuesDenied(caller, "include_values");
  }
  absl::Status s = CheckKey(request->customer_key(), "customer_key");
  if (!s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<ExplainShape> shape = CheckExplainRequest(*request);
  if (!shape.ok()) return ToGrpcStatus(shape.status());
  absl::StatusOr<Explanation> e =
      engine_->Explain(request->customer_key(), shape->include_values);
  if (!e.ok()) return ToGrpcStatus(e.status());
  absl::StatusOr<v1::Explanation> out =
      ToExplanation(*e, engine_->threshold(), *shape, &engine_->schema());
  if (!out.ok()) return ToGrpcStatus(out.status());
  *response->mutable_explanation() = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Forget(grpc::ServerContext* context,
                                         const v1::ForgetRequest* request,
                                         v1::ForgetResponse* response) {
  std::string request_id;
  Attribution why("");
  if (grpc::Status a =
          AuthorizeWrite(context, request->request_id(), request->reason(),
                         request->actor(), &request_id, &why);
      !a.ok()) {
    return a;
  }
  absl::Status s = CheckKey(request->customer_key(), "customer_key");
  if (!s.ok()) return ToGrpcStatus(s);
  const std::string& reference = request->request_reference();
  if (reference.size() > 128 || !matching::IsValidUtf8(reference)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "request_reference must be valid UTF-8 of at most 128 bytes"));
  }
  if (!reference.empty()) {
    why.reason = absl::StrCat(why.reason, " (request ", reference, ")");
  }
  ManualOutcome done;
  absl::StatusOr<int64_t> erased =
      engine_->Forget(request->customer_key(), why, request_id, &done);
  if (!erased.ok()) return ToGrpcStatus(erased.status());
  response->set_audit_id(absl::StrCat(done.audit_seq));
  response->set_identifiers_erased(
      static_cast<int32_t>(done.identifiers_erased));
  response->set_forgotten_key(request->customer_key());
  response->set_records_erased(static_cast<int32_t>(*erased));
  response->set_tombstones_kept(static_cast<int32_t>(*erased));
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::WatchChanges(
    grpc::ServerContext* context, const v1::WatchChangesRequest* request,
    grpc::ServerWriter<v1::ChangeEvent>* writer) {
  if (grpc::Status a = Authorize(context, Scope::kRead); !a.ok()) return a;
  if (!request->resume_token().empty() && request->start_from_beginning()) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "give resume_token or start_from_beginning, not both"));
  }
  int64_t after = 0;
  if (!request->resume_token().empty()) {
    absl::StatusOr<int64_t> seq = SequenceOfToken(request->resume_token());
    if (!seq.ok()) return ToGrpcStatus(seq.status());
    after = *seq;
  } else if (!request->start_from_beginning()) {
    absl::StatusOr<int64_t> last = engine_->LastChangeSeq();
    if (!last.ok()) return ToGrpcStatus(last.status());
    after = *last;
  }
  std::set<int> types(request->types().begin(), request->types().end());
  int64_t seen = engine_->CommitCount();
  while (!context->IsCancelled() && !stopping_) {
    absl::StatusOr<std::vector<storage::ChangeRow>> rows =
        engine_->ReadChanges(after, 500);
    if (!rows.ok()) return ToGrpcStatus(rows.status());
    for (const storage::ChangeRow& row : *rows) {
      after = row.seq;
      v1::ChangeEvent event = ToChangeEvent(row);
      if (!types.empty() && types.count(event.type()) == 0) continue;
      if (!writer->Write(event)) return grpc::Status::OK;  // Client gone.
    }
    if (rows->size() < 500) {
      seen = engine_->WaitForCommit(seen, options_.watch_poll);
    }
  }
  return grpc::Status::OK;
}

}  // namespace idr::identity
