// The fixed vocabulary of field types that users map input columns to.
//
// A field type decides how a column is normalised, compared and blocked on.
// Names are the ones `idr dedup --field column=TYPE` accepts.

#ifndef IDR_MATCHING_FIELD_TYPE_H_
#define IDR_MATCHING_FIELD_TYPE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace idr::matching {

enum class FieldType {
  kGivenName,
  kFamilyName,
  kFullName,
  kBirthDate,
  kGender,
  kEmail,
  kPhone,
  kStreet,
  kCity,
  kPostcode,
  kCountry,
  kLoyaltyId,
  kLoginId,
  kDeviceId,
  kNationalId,
  kString,  // Generic fuzzy text.
  kExact,   // Compared for equality only.
};

// The name users write, e.g. "given_name".
absl::string_view FieldTypeName(FieldType type);

// Parses a name written by a user; INVALID_ARGUMENT lists the valid names.
absl::StatusOr<FieldType> ParseFieldType(absl::string_view name);

// Every type, in declaration order.
const std::vector<FieldType>& AllFieldTypes();

// True for identifiers (e-mail, phone, loyalty card, login, device, national
// id): values that name a person or a thing of theirs, not attributes.
bool IsIdentifier(FieldType type);

// True for identifiers that name at most one customer (loyalty card, login,
// national id): two records sharing one are the same customer, two different
// values cannot belong to one customer.
bool IsExclusiveIdentifier(FieldType type);

// Guesses the field type of a column from its name, case-insensitively, by
// the synonym table in field_type.cc (documented in docs/dedup.md): e.g.
// first_name/fname -> given_name, surname/lname -> family_name,
// dob/date_of_birth -> birth_date, soc_sec_id/ssn -> national_id,
// suburb/district -> city, zip/areacode -> postcode, address_1 -> street.
// Returns false for columns it does not recognise (ids, truth, timestamps),
// which are then not used for matching.
bool GuessFieldType(absl::string_view column, FieldType* type);

}  // namespace idr::matching

#endif  // IDR_MATCHING_FIELD_TYPE_H_
