#include "matching/field_type.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace idr::matching {
namespace {

TEST(FieldTypeTest, NamesRoundTrip) {
  EXPECT_EQ(AllFieldTypes().size(), 17u);
  for (FieldType type : AllFieldTypes()) {
    auto parsed = ParseFieldType(FieldTypeName(type));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, type);
  }
}

TEST(FieldTypeTest, UnknownNameListsTheValidOnes) {
  auto parsed = ParseFieldType("surname");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()),
              ::testing::HasSubstr("given_name, family_name"));
}

TEST(FieldTypeTest, GuessesTheSharedDatasetsColumns) {
  struct Case {
    const char* column;
    FieldType type;
  };
  const Case cases[] = {
      {"given_name", FieldType::kGivenName},
      {"First_Name", FieldType::kGivenName},
      {"fname", FieldType::kGivenName},
      {"surname", FieldType::kFamilyName},
      {"lname", FieldType::kFamilyName},
      {"dob", FieldType::kBirthDate},
      {"date_of_birth", FieldType::kBirthDate},
      {"soc_sec_id", FieldType::kNationalId},
      {"ssn", FieldType::kNationalId},
      {"suburb", FieldType::kCity},
      {"district", FieldType::kCity},
      {"areacode", FieldType::kPostcode},
      {"address_1", FieldType::kStreet},
      {"phone_number", FieldType::kPhone},
      {"name", FieldType::kFullName},
      {"email", FieldType::kEmail},
      {"loyalty_id", FieldType::kLoyaltyId},
      {"street_number", FieldType::kExact},
  };
  for (const Case& c : cases) {
    FieldType type;
    ASSERT_TRUE(GuessFieldType(c.column, &type)) << c.column;
    EXPECT_EQ(type, c.type) << c.column;
  }
  FieldType type;
  for (const char* ignored : {"record_id", "truth_id", "observed_at", "channel",
                              "source", "string", "exact"}) {
    EXPECT_FALSE(GuessFieldType(ignored, &type)) << ignored;
  }
}

TEST(FieldTypeTest, ExclusiveIdentifiers) {
  EXPECT_TRUE(IsExclusiveIdentifier(FieldType::kLoyaltyId));
  EXPECT_TRUE(IsExclusiveIdentifier(FieldType::kNationalId));
  EXPECT_FALSE(IsExclusiveIdentifier(FieldType::kPhone));
  EXPECT_FALSE(IsExclusiveIdentifier(FieldType::kEmail));
}

TEST(FieldTypeTest, IdentifiersAreEveryExclusiveOneAndTheShareableOnes) {
  for (FieldType type : AllFieldTypes()) {
    if (IsExclusiveIdentifier(type)) {
      EXPECT_TRUE(IsIdentifier(type)) << FieldTypeName(type);
    }
  }
  EXPECT_TRUE(IsIdentifier(FieldType::kPhone));
  EXPECT_TRUE(IsIdentifier(FieldType::kDeviceId));
  EXPECT_FALSE(IsIdentifier(FieldType::kGivenName));
  EXPECT_FALSE(IsIdentifier(FieldType::kBirthDate));
}

}  // namespace
}  // namespace idr::matching
