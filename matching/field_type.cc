#include "matching/field_type.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace idr::matching {
namespace {

struct Named {
  FieldType type;
  absl::string_view name;
};

constexpr Named kNames[] = {
    {FieldType::kGivenName, "given_name"},
    {FieldType::kFamilyName, "family_name"},
    {FieldType::kFullName, "full_name"},
    {FieldType::kBirthDate, "birth_date"},
    {FieldType::kGender, "gender"},
    {FieldType::kEmail, "email"},
    {FieldType::kPhone, "phone"},
    {FieldType::kStreet, "street"},
    {FieldType::kCity, "city"},
    {FieldType::kPostcode, "postcode"},
    {FieldType::kCountry, "country"},
    {FieldType::kLoyaltyId, "loyalty_id"},
    {FieldType::kLoginId, "login_id"},
    {FieldType::kDeviceId, "device_id"},
    {FieldType::kNationalId, "national_id"},
    {FieldType::kString, "string"},
    {FieldType::kExact, "exact"},
};

// Column-name synonyms (lower-case) for GuessFieldType. The type names
// themselves are recognised too.
constexpr std::pair<absl::string_view, FieldType> kSynonyms[] = {
    {"first_name", FieldType::kGivenName},
    {"firstname", FieldType::kGivenName},
    {"fname", FieldType::kGivenName},
    {"forename", FieldType::kGivenName},
    {"given", FieldType::kGivenName},
    {"surname", FieldType::kFamilyName},
    {"last_name", FieldType::kFamilyName},
    {"lastname", FieldType::kFamilyName},
    {"lname", FieldType::kFamilyName},
    {"family", FieldType::kFamilyName},
    {"name", FieldType::kFullName},
    {"fullname", FieldType::kFullName},
    {"customer_name", FieldType::kFullName},
    {"dob", FieldType::kBirthDate},
    {"date_of_birth", FieldType::kBirthDate},
    {"birthdate", FieldType::kBirthDate},
    {"birthday", FieldType::kBirthDate},
    {"sex", FieldType::kGender},
    {"e_mail", FieldType::kEmail},
    {"email_address", FieldType::kEmail},
    {"phone_number", FieldType::kPhone},
    {"mobile", FieldType::kPhone},
    {"telephone", FieldType::kPhone},
    {"tel", FieldType::kPhone},
    {"address", FieldType::kStreet},
    {"address_1", FieldType::kStreet},
    {"address1", FieldType::kStreet},
    {"add1", FieldType::kStreet},
    {"street_address", FieldType::kStreet},
    {"address_2", FieldType::kString},
    {"address2", FieldType::kString},
    {"add2", FieldType::kString},
    {"street_number", FieldType::kExact},
    {"stno", FieldType::kExact},
    {"house_number", FieldType::kExact},
    {"suburb", FieldType::kCity},
    {"town", FieldType::kCity},
    {"district", FieldType::kCity},
    {"locality", FieldType::kCity},
    {"zip", FieldType::kPostcode},
    {"zipcode", FieldType::kPostcode},
    {"zip_code", FieldType::kPostcode},
    {"postal_code", FieldType::kPostcode},
    {"areacode", FieldType::kPostcode},
    {"state", FieldType::kExact},
    {"region", FieldType::kExact},
    {"soc_sec_id", FieldType::kNationalId},
    {"ssn", FieldType::kNationalId},
    {"national_id_number", FieldType::kNationalId},
    {"loyalty_card", FieldType::kLoyaltyId},
    {"loyalty_number", FieldType::kLoyaltyId},
    {"login", FieldType::kLoginId},
    {"username", FieldType::kLoginId},
    {"user_id", FieldType::kLoginId},
    {"device", FieldType::kDeviceId},
};

}  // namespace

absl::string_view FieldTypeName(FieldType type) {
  for (const Named& n : kNames) {
    if (n.type == type) return n.name;
  }
  return "unknown";
}

absl::StatusOr<FieldType> ParseFieldType(absl::string_view name) {
  for (const Named& n : kNames) {
    if (n.name == name) return n.type;
  }
  std::vector<absl::string_view> names;
  for (const Named& n : kNames) names.push_back(n.name);
  return absl::InvalidArgumentError(
      absl::StrCat("unknown field type '", name, "' (one of ",
                   absl::StrJoin(names, ", "), ")"));
}

const std::vector<FieldType>& AllFieldTypes() {
  static const auto* all = [] {
    auto* types = new std::vector<FieldType>();
    for (const Named& n : kNames) types->push_back(n.type);
    return types;
  }();
  return *all;
}

bool IsIdentifier(FieldType type) {
  return type == FieldType::kEmail || type == FieldType::kPhone ||
         type == FieldType::kLoyaltyId || type == FieldType::kLoginId ||
         type == FieldType::kDeviceId || type == FieldType::kNationalId;
}

bool IsExclusiveIdentifier(FieldType type) {
  return type == FieldType::kLoyaltyId || type == FieldType::kLoginId ||
         type == FieldType::kNationalId;
}

bool GuessFieldType(absl::string_view column, FieldType* type) {
  std::string lower = absl::AsciiStrToLower(column);
  for (const Named& n : kNames) {
    if (n.name == lower && n.type != FieldType::kString &&
        n.type != FieldType::kExact) {
      *type = n.type;
      return true;
    }
  }
  for (const auto& [synonym, guessed] : kSynonyms) {
    if (synonym == lower) {
      *type = guessed;
      return true;
    }
  }
  return false;
}

}  // namespace idr::matching
