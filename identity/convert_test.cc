#include "identity/convert.h"

#include "gtest/gtest.h"
#include "identity/engine_test_util.h"
#include "matching/dedup.h"

namespace idr::identity {
namespace {

namespace v1 = ::idr::v1;

TEST(MaskValueTest, KeepsOnlyWhatIdentifiesNobody) {
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_EMAIL, "ning.gao@mail.hk"),
            "n\u2022\u2022\u2022@mail.hk");
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_PHONE, "+8613800138000"),
            "+86\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u2022000");
  // A shorter number shows less of itself: a quarter at most at each end.
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_PHONE, "+85291234567"),
            "+8\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u202267");
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_LOYALTY_ID, "0048213976"),
            "00\u2022\u2022\u2022\u2022\u2022\u202276");
  // Short values show nothing; an e-mail without a local part is masked
  // like any other value.
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_LOGIN_ID, "abcd"),
            "\u2022\u2022\u2022\u2022");
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_EMAIL, "@x.com"),
            "@\u2022\u2022\u2022\u2022m");
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_PHONE, ""), "");
  // Whole UTF-8 characters, never half of one.
  EXPECT_EQ(MaskValue(v1::IDENTIFIER_TYPE_LOGIN_ID, "陳大文先生"),
            "陳\u2022\u2022\u2022生");
}

// The value ToSourceRecord passes on for one identifier, or its error.
absl::StatusOr<std::string> Converted(v1::IdentifierType type,
                                      const std::string& value,
                                      const std::string& issuer) {
  const std::vector<FieldSpec> fields = {
      {"phone", matching::FieldType::kPhone},
      {"loyalty_id", matching::FieldType::kLoyaltyId},
      {"login_id", matching::FieldType::kLoginId},
      {"email", matching::FieldType::kEmail}};
  v1::Record record;
  v1::Identifier* id = record.add_identifiers();
  id->set_type(type);
  id->set_value(value);
  id->set_issuer(issuer);
  absl::StatusOr<SourceRecord> out = ToSourceRecord(record, fields, false);
  if (!out.ok()) return out.status();
  return out->values.empty() ? std::string() : out->values[0].second;
}

TEST(IssuerTest, RegionForPhonesNamespaceForProgramsAndLogins) {
  // A phone's issuer is its region: a national number becomes E.164.
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000", "CN"),
            "+8613800138000");
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_PHONE, "138 0013 8000", ""),
            "138 0013 8000");  // The graph's own region rule applies.
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_PHONE, "+852 9123 4567", "CN"),
            "+85291234567");  // An international number keeps its country.
  EXPECT_EQ(Converted(v1::IDENTIFIER_TYPE_PHONE, "1380013800", "China")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // A program's or login system's issuer scopes the value.
  const std::string sep = kIssuerSeparator;
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_LOYALTY_ID, "LC 0012 3456 78",
                       "gold-club"),
            "GOLDCLUB" + sep + "0012345678");
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_LOGIN_ID, "mei.chen", "app"),
            "APP" + sep + "MEI.CHEN");
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_LOGIN_ID, "mei.chen", ""),
            "mei.chen");
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_LOYALTY_ID, "0000", "club"), "");
  EXPECT_EQ(*Converted(v1::IDENTIFIER_TYPE_EMAIL, "a@b.hk", "ignored"),
            "a@b.hk");
  EXPECT_EQ(Converted(v1::IDENTIFIER_TYPE_LOGIN_ID, "a" + sep + "b", "")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  v1::Identifier id;
  SplitIssuer("GOLDCLUB" + sep + "0012345678", &id);
  EXPECT_EQ(id.issuer(), "GOLDCLUB");
  EXPECT_EQ(id.value(), "0012345678");
  SplitIssuer("0012345678", &id);
  EXPECT_EQ(id.issuer(), "");
  EXPECT_EQ(id.value(), "0012345678");
}

TEST(ShapeProfileTest, MasksLimitsAndTrims) {
  v1::Profile profile;
  profile.set_customer_key("CKEY");
  profile.set_record_count(3);
  profile.mutable_best_email()->mutable_identifier()->set_type(
      v1::IDENTIFIER_TYPE_EMAIL);
  profile.mutable_best_email()->mutable_identifier()->set_value("ann@x.com");
  for (const char* phone : {"+8613800138000", "+8613900139000"}) {
    v1::Identifier* id = profile.add_identifiers()->mutable_identifier();
    id->set_type(v1::IDENTIFIER_TYPE_PHONE);
    id->set_value(phone);
  }
  v1::GetProfileRequest request;
  ASSERT_TRUE(CheckProfileRequest(request).ok());
  v1::Profile masked = profile;
  ShapeProfile(request, &masked);
  EXPECT_EQ(masked.best_email().identifier().value(), "");
  EXPECT_EQ(masked.best_email().identifier().masked_value(),
            "a\u2022\u2022\u2022@x.com");
  EXPECT_EQ(masked.identifiers(1).identifier().value(), "");
  EXPECT_FALSE(masked.identifiers_truncated());

  request.set_include_identifier_values(true);
  request.set_max_identifiers(1);
  request.mutable_read_mask()->add_paths("identifiers");
  request.mutable_read_mask()->add_paths("identifiers_truncated");
  ASSERT_TRUE(CheckProfileRequest(request).ok());
  v1::Profile some = profile;
  ShapeProfile(request, &some);
  EXPECT_EQ(some.customer_key(), "CKEY");  // Always kept.
  EXPECT_EQ(some.record_count(), 0);       // Not in the mask.
  EXPECT_FALSE(some.has_best_email());
  ASSERT_EQ(some.identifiers_size(), 1);
  EXPECT_EQ(some.identifiers(0).identifier().value(), "+8613800138000");
  EXPECT_TRUE(some.identifiers_truncated());
}

TEST(ShapeProfileTest, MemberRecordsAreCutAtTheirLimit) {
  v1::Profile profile;
  for (const char* id : {"r3", "r2", "r1"}) {
    profile.add_member_records()->mutable_record()->set_source_record_id(id);
  }
  v1::GetProfileRequest request;
  v1::Profile all = profile;
  ShapeProfile(request, &all);  // 0: up to 1000.
  EXPECT_EQ(all.member_records_size(), 3);
  EXPECT_FALSE(all.member_records_truncated());
  request.set_max_member_records(2);
  v1::Profile two = profile;
  ShapeProfile(request, &two);
  ASSERT_EQ(two.member_records_size(), 2);
  EXPECT_EQ(two.member_records(1).record().source_record_id(), "r2");
  EXPECT_TRUE(two.member_records_truncated());
}

// Three records: a-b linked by a loyalty card, b-c and a-c probabilistic.
Explanation ThreeLinkedRecords() {
  auto link = [](const char* other, double p, double w, const char* reason) {
    RecordLink l;
    l.other_record = other;
    l.probability = p;
    l.weight = w;
    l.reason = reason;
    l.fields.push_back({"email", "exact", w, "ann@x.com", "ann@x.com"});
    return l;
  };
  Explanation e;
  e.key = "CKEY";
  e.records.push_back({"web:a", Channel::kWeb, 1, {}});
  e.records.push_back({"pos:b", Channel::kStore, 2, {}});
  e.records.push_back({"web:c", Channel::kWeb, 3, {}});
  e.records[0].links = {link("pos:b", 1, 0, "shared exclusive identifier"),
                        link("web:c", 0.97, 5, "blocking rule: email")};
  e.records[1].links = {link("web:a", 1, 0, "shared exclusive identifier"),
                        link("web:c", 0.999, 10, "blocking rule: email")};
  e.records[2].links = {link("web:a", 0.97, 5, "blocking rule: email"),
                        link("pos:b", 0.999, 10, "blocking rule: email")};
  return e;
}

TEST(ToExplanationTest, LinksOnceStrongestFirstCutAtMaxLinks) {
  v1::ExplainRequest request;
  absl::StatusOr<ExplainShape> shape = CheckExplainRequest(request);
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(shape->max_links, 200);
  absl::StatusOr<v1::Explanation> all =
      ToExplanation(ThreeLinkedRecords(), 0.95, *shape);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->links_size(), 3);
  EXPECT_EQ(all->links(0).kind(), v1::LINK_KIND_DETERMINISTIC);
  EXPECT_EQ(all->links(1).match_weight(), 10);
  EXPECT_EQ(all->links(2).match_weight(), 5);
  EXPECT_FALSE(all->links_truncated());
  // Values withheld unless asked for.
  EXPECT_TRUE(all->redacted());
  const v1::FieldComparison& c = all->links(1).comparisons(0);
  EXPECT_TRUE(c.left().redacted());
  EXPECT_FALSE(c.left().has_value());
  EXPECT_EQ(c.left().record().source_record_id(),
            all->links(1).left().source_record_id());

  request.set_max_links(2);
  request.set_include_values(true);
  shape = CheckExplainRequest(request);
  ASSERT_TRUE(shape.ok());
  absl::StatusOr<v1::Explanation> two =
      ToExplanation(ThreeLinkedRecords(), 0.95, *shape);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->links_size(), 2);
  EXPECT_TRUE(two->links_truncated());
  EXPECT_FALSE(two->redacted());
  EXPECT_EQ(two->links(1).comparisons(0).right().value(), "ann@x.com");
  EXPECT_EQ(two->links(1).comparisons(0).right().field_path(), "email");

  request.set_max_links(2001);
  EXPECT_EQ(CheckExplainRequest(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_max_links(-1);
  EXPECT_EQ(CheckExplainRequest(request).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ToExplanationTest, SplitsAWeightIntoPriorLevelWeightAndTfAdjustment) {
  GraphSchema schema = testing_util::TestSchema();
  matching::PrepareForScoring(schema.model);
  schema.model_version = "00c0ffee00c0ffee";
  const matching::DedupModel& model = schema.model;
  int email = -1;
  for (size_t k = 0; k < model.comparisons.size(); ++k) {
    if (model.comparisons[k].name == "email") email = static_cast<int>(k);
  }
  ASSERT_GE(email, 0);
  // A rule that leaves e-mail to scoring: its exact level weighs log2(m/u).
  int rule = -1;
  const double exact = model.parameters.LevelWeight(email, 1);
  for (size_t r = 0; r < model.rule_names.size() && rule < 0; ++r) {
    const size_t slot =
        (r * matching::kMaxComparisons + email) * matching::kMaxLevels + 1;
    if (model.rule_level_weight[slot] == exact) rule = static_cast<int>(r);
  }
  ASSERT_GE(rule, 0);
  Explanation e = ThreeLinkedRecords();
  RecordLink& link = e.records[1].links[1];  // pos:b - web:c, probabilistic.
  link.rule = rule;
  link.fields = {{"email", "exact", exact + 1.5, "", "", email, 1}};
  v1::ExplainRequest request;
  absl::StatusOr<v1::Explanation> out =
      ToExplanation(e, 0.95, *CheckExplainRequest(request), &schema);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->model_version(), "00c0ffee00c0ffee");
  const v1::RecordLink& shown = out->links(1);
  ASSERT_EQ(shown.left().source_record_id(), "b");
  EXPECT_DOUBLE_EQ(shown.prior_match_weight(), model.rule_prior_weight[rule]);
  const v1::FieldComparison& c = shown.comparisons(0);
  EXPECT_DOUBLE_EQ(c.match_weight(), exact);
  EXPECT_NEAR(c.tf_adjustment(), 1.5, 1e-9);
  EXPECT_DOUBLE_EQ(c.m_probability(), 0.9);
  EXPECT_DOUBLE_EQ(c.u_probability(), 0.001);
  // Exact is the best level: Splink's highest comparison vector value.
  EXPECT_EQ(c.comparison_vector_value(),
            model.comparisons[email].num_levels() - 2);
  // A deterministic link names the exclusive types it agrees on, and has
  // no prior.
  EXPECT_EQ(out->links(0).kind(), v1::LINK_KIND_DETERMINISTIC);
  EXPECT_FALSE(out->links(0).has_prior_match_weight());
}

TEST(ToExplanationTest, ARecordGetsItsOwnLinksOrNotFound) {
  v1::ExplainRequest request;
  request.mutable_record()->set_source_system("web");
  request.mutable_record()->set_source_record_id("c");
  absl::StatusOr<ExplainShape> shape = CheckExplainRequest(request);
  ASSERT_TRUE(shape.ok());
  absl::StatusOr<v1::Explanation> of_c =
      ToExplanation(ThreeLinkedRecords(), 0.95, *shape);
  ASSERT_TRUE(of_c.ok()) << of_c.status();
  ASSERT_EQ(of_c->links_size(), 2);
  for (const v1::RecordLink& l : of_c->links()) {
    EXPECT_EQ(l.left().source_record_id(), "c");
  }
  EXPECT_EQ(of_c->links(0).right().source_system(), "pos");  // Stronger.

  request.mutable_record()->set_source_record_id("zz");
  shape = CheckExplainRequest(request);
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(ToExplanation(ThreeLinkedRecords(), 0.95, *shape).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ShapeProfileTest, BadRequestsAreNamed) {
  v1::GetProfileRequest request;
  request.set_max_identifiers(10001);
  EXPECT_EQ(CheckProfileRequest(request).code(),
            absl::StatusCode::kInvalidArgument);
  request.set_max_identifiers(0);
  request.set_max_member_records(-1);
  EXPECT_EQ(CheckProfileRequest(request).code(),
            absl::StatusCode::kInvalidArgument);
  request.set_max_member_records(0);
  request.mutable_read_mask()->add_paths("best_name.nope");
  absl::Status s = CheckProfileRequest(request);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("best_name.nope"), std::string::npos);
}

}  // namespace
}  // namespace idr::identity
