// Conversions between the idr.v1 API messages and the engine's plain types,
// so that the service class stays a thin mapping (docs/api.md says how each
// field is used).
//
// A record's fields go to the graph's field of the same type: identifiers by
// their type (a cookie id is a device id), the name to full_name or to
// given_name/family_name, the birth date, gender and the first address to
// theirs. Loyalty status, consents and free attributes are kept as
// attributes for the profile. A record may carry one value per field: two
// e-mails are two records.

#ifndef IDR_IDENTITY_CONVERT_H_
#define IDR_IDENTITY_CONVERT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "identity/engine.h"
#include "idr/v1/identity_service.pb.h"

namespace idr::identity {

// "system:id", or "id" without a source system.
std::string SourceIdOf(const idr::v1::RecordRef& ref);
idr::v1::RecordRef RecordRefOf(const std::string& source_id);

// A request record as the engine's record. INVALID_ARGUMENT names the field
// when the record has no source record id, a value the graph has no field
// for, or two values for one field. `need_id` is false for resolve probes.
absl::StatusOr<SourceRecord> ToSourceRecord(
    const idr::v1::Record& record, const std::vector<FieldSpec>& fields,
    bool need_id);

// Identifier.issuer: a phone's issuer is the region for a number not in
// E.164 ("CN": "138 0013 8000" is +8613800138000); a loyalty program's or a
// login system's scopes the value: it is stored as the normalised issuer,
// this separator (U+241F, which no identifier holds), the normalised value,
// so equal numbers of two programs are two values. Other types ignore it.
inline constexpr char kIssuerSeparator[] = "\u241F";

// Sets id's value, and issuer if `stored` has one, from a stored value.
void SplitIssuer(const std::string& stored, idr::v1::Identifier* id);

// One ingest result as the API's.
idr::v1::RecordResult ToRecordResult(const idr::v1::RecordRef& ref,
                                     const absl::StatusOr<IngestResult>& r);

// A resolve result as the API's; the compared values of an explanation
// are redacted unless `include_values` (the engine must have given them).
// With the graph's `schema`, explanations carry the model's parameters
// (prior, m, u, level weights, term-frequency adjustments).
idr::v1::ResolveResponse ToResolveResponse(const ResolveResult& r, bool explain,
                                           bool include_values = false,
                                           const GraphSchema* schema = nullptr);

// The engine's profile as the API's; `now` for days since last seen.
idr::v1::Profile ToProfile(const Profile& p, int64_t now);

// A display-safe form of an identifier value: e-mail "j•••@example.com";
// otherwise its first and last characters around bullets, three each for a
// phone ("+86••••••••000"), two for other types, never more than a quarter
// of the characters at each end (values of four characters or fewer are all
// bullets).
std::string MaskValue(idr::v1::IdentifierType type, const std::string& value);

// INVALID_ARGUMENT for a GetProfileRequest limit out of 0..10000 or a
// read_mask path that is not a Profile field.
absl::Status CheckProfileRequest(const idr::v1::GetProfileRequest& request);

// Shapes a profile as a checked GetProfileRequest asks: identifier values
// masked (value cleared, masked_value set) unless
// `include_identifier_values`, at most `max_identifiers` identifiers
// (identifiers_truncated says when cut), and only the fields of `read_mask`
// (customer_key always).
void ShapeProfile(const idr::v1::GetProfileRequest& request,
                  idr::v1::Profile* profile);

// What an Explain call asks for (ExplainRequest).
struct ExplainShape {
  bool include_values = false;  // Else compared values are redacted.
  std::string record;           // A source id: only its links; "" for all.
  int max_links = 200;          // Strongest first; links_truncated if cut.
};

// INVALID_ARGUMENT for max_links out of 0..2000 (0 = 200); the request's
// shape otherwise.
absl::StatusOr<ExplainShape> CheckExplainRequest(
    const idr::v1::ExplainRequest& request);

// The engine's explanation as the API's, shaped; with the graph's
// `schema`, with the model's parameters as ToResolveResponse. NOT_FOUND
// when `shape.record` is not one of the customer's records.
absl::StatusOr<idr::v1::Explanation> ToExplanation(
    const Explanation& e, double threshold, const ExplainShape& shape,
    const GraphSchema* schema = nullptr);

// An outbox row as a change event; its resume token is its sequence.
idr::v1::ChangeEvent ToChangeEvent(const storage::ChangeRow& row);
// The sequence a resume token names. INVALID_ARGUMENT for a bad token.
absl::StatusOr<int64_t> SequenceOfToken(const std::string& token);

}  // namespace idr::identity

#endif  // IDR_IDENTITY_CONVERT_H_
