#include "matching/dedup.h"

#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "matching/comparison_set.h"
#include "matching/fellegi_sunter.h"
#include "matching/model_file.h"

namespace idr::matching {
namespace {

struct Person {
  std::string given, family, dob, email;
};

// `copies` noisy records for each of `people` distinct people; truth[i] is
// the person of record i.
struct Data {
  PreparedColumns columns;
  std::vector<uint32_t> truth;
  std::vector<uint32_t> source;
};

Data MakeData(int people, int copies, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const char* given[] = {"ann", "bob", "cy",  "dee", "eve", "fay",
                         "gus", "hal", "ida", "jon", "kim", "lou",
                         "max", "ned", "oli", "pat"};
  ColumnPreparer g("first_name", FieldType::kGivenName, {});
  ColumnPreparer f("surname", FieldType::kFamilyName, {});
  ColumnPreparer d("dob", FieldType::kBirthDate, {});
  ColumnPreparer e("email", FieldType::kEmail, {});
  Data data;
  for (int p = 0; p < people; ++p) {
    Person person{given[rng() % 16], "fam" + std::to_string(rng() % 100000),
                  std::to_string(1940 + rng() % 60) + "-0" +
                      std::to_string(1 + rng() % 9) + "-1" +
                      std::to_string(rng() % 9),
                  "p" + std::to_string(p) + "@mail.com"};
    for (int c = 0; c < copies; ++c) {
      std::string family = person.family;
      if (rng() % 5 == 0) family[rng() % family.size()] = 'x';  // Typo.
      g.Add(person.given);
      f.Add(family);
      d.Add(rng() % 4 == 0 ? "" : person.dob);
      e.Add(rng() % 5 == 0 ? "" : person.email);
      data.truth.push_back(p);
      data.source.push_back(c % 2);
    }
  }
  data.columns.push_back(g.Finish());
  data.columns.push_back(f.Finish());
  data.columns.push_back(d.Finish());
  data.columns.push_back(e.Finish());
  return data;
}

// Share of records whose cluster is exactly their person's records.
double ExactClusters(const std::vector<uint32_t>& cluster,
                     const std::vector<uint32_t>& truth) {
  std::vector<std::vector<uint32_t>> by_truth(truth.size()),
      by_cluster(truth.size());
  for (uint32_t r = 0; r < truth.size(); ++r) {
    by_truth[truth[r]].push_back(r);
    by_cluster[cluster[r]].push_back(r);
  }
  int good = 0;
  for (uint32_t r = 0; r < truth.size(); ++r)
    good += by_truth[truth[r]] == by_cluster[cluster[r]];
  return static_cast<double>(good) / truth.size();
}

TEST(DeduplicateTest, FindsPeopleWithoutLabels) {
  Data data = MakeData(400, 3, 1);
  DedupOptions options;
  options.threads = 2;
  auto result = Deduplicate(data.columns, data.truth.size(), {}, options,
                            nullptr, nullptr);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(ExactClusters(result->cluster, data.truth), 0.9);
  EXPECT_GT(result->candidate_pairs, 0);
  EXPECT_EQ(result->model.rule_names.size(), result->model.rule_lambda.size());
  // The exact e-mail rule proposes almost only matches.
  for (size_t r = 0; r < result->model.rule_names.size(); ++r) {
    if (result->model.rule_names[r] == "exact email") {
      EXPECT_GT(result->model.rule_lambda[r], 0.9);
    }
  }
}

TEST(DeduplicateTest, TrainingOnASampleOfPairsStillFindsPeople) {
  Data data = MakeData(400, 3, 7);
  DedupOptions options;
  options.threads = 2;
  options.em_sample_pairs = 300;  // Far fewer than the candidate pairs.
  auto result = Deduplicate(data.columns, data.truth.size(), {}, options,
                            nullptr, nullptr);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->candidate_pairs, 3 * options.em_sample_pairs);
  EXPECT_GT(ExactClusters(result->cluster, data.truth), 0.85);
}

TEST(DeduplicateTest, ThreadsDoNotChangeTheResult) {
  Data data = MakeData(300, 3, 2);
  DedupOptions one, two;
  one.threads = 1;
  two.threads = 2;
  auto a =
      Deduplicate(data.columns, data.truth.size(), {}, one, nullptr, nullptr);
  auto b =
      Deduplicate(data.columns, data.truth.size(), {}, two, nullptr, nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->cluster, b->cluster);
}

TEST(DeduplicateTest, LinkOnlyNeverPairsWithinASource) {
  Data data = MakeData(200, 2, 3);
  DedupOptions options;
  options.link_only = true;
  options.keep_pairs = true;
  auto result = Deduplicate(data.columns, data.truth.size(), data.source,
                            options, nullptr, nullptr);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_FALSE(result->pairs.empty());
  for (const ScoredPair& p : result->pairs) {
    EXPECT_NE(data.source[p.a], data.source[p.b]);
  }
}

TEST(DeduplicateTest, SavedModelScoresTheSameWithoutTraining) {
  Data data = MakeData(300, 3, 4);
  DedupOptions options;
  auto trained = Deduplicate(data.columns, data.truth.size(), {}, options,
                             nullptr, nullptr);
  ASSERT_TRUE(trained.ok());
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/model.json";
  ASSERT_TRUE(SaveModel(trained->model, options.threshold, path).ok());
  double threshold = 0;
  auto loaded = LoadModel(path, data.columns, &threshold);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_DOUBLE_EQ(threshold, options.threshold);
  auto again = Deduplicate(data.columns, data.truth.size(), {}, options,
                           &*loaded, nullptr);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->cluster, trained->cluster);
  EXPECT_EQ(again->em_iterations, 0);
}

TEST(DeduplicateTest, ModelWithOtherFuzzyLevelsScoresAsItWasSaved) {
  Data data = MakeData(200, 3, 9);
  auto trained =
      Deduplicate(data.columns, data.truth.size(), {}, {}, nullptr, nullptr);
  ASSERT_TRUE(trained.ok());
  // An older idr's email level 4.
  absl::StatusOr<std::string> saved = ModelToJson(trained->model, 0.5);
  ASSERT_TRUE(saved.ok()) << saved.status();
  std::string json = *saved;
  const std::string now = "email_local damerau_levenshtein \\u003c= 2";
  const size_t at = json.find(now);
  ASSERT_NE(at, std::string::npos) << json;
  json.replace(at, now.size(), "email_local jaro_winkler \\u003e= 0.88");
  absl::StatusOr<DedupModel> loaded =
      ModelFromJson(json, "the old model", data.columns, nullptr);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const FieldComparison& email = loaded->comparisons[3];
  ASSERT_EQ(email.name, "email");
  EXPECT_EQ(email.labels[4], "email_local jaro_winkler >= 0.88");
  EXPECT_EQ(email.fuzzy.levels[4].kind, ComparatorKind::kJaroWinkler);
  EXPECT_EQ(email.fuzzy.levels[4].part, ValuePart::kEmailLocal);
  // The old level calls these alike; today's does not.
  const FieldComparison& today = trained->model.comparisons[3];
  EXPECT_EQ(email.fuzzy.LevelOf("harry.ward@wall.com", "harry.f@black.info"),
            4);
  EXPECT_EQ(today.fuzzy.LevelOf("harry.ward@wall.com", "harry.f@black.info"),
            5);
  // A label no level has is refused, naming the column.
  json.replace(json.find("email_local jaro_winkler"), 24,
               "email_local soundex_x");
  absl::StatusOr<DedupModel> bad =
      ModelFromJson(json, "the bad model", data.columns, nullptr);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("email"), std::string::npos);
}

TEST(DeduplicateTest, ModelForOtherColumnsIsRefused) {
  Data data = MakeData(100, 2, 5);
  auto trained =
      Deduplicate(data.columns, data.truth.size(), {}, {}, nullptr, nullptr);
  ASSERT_TRUE(trained.ok());
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/other.json";
  ASSERT_TRUE(SaveModel(trained->model, 0.5, path).ok());
  PreparedColumns fewer(data.columns.begin(), data.columns.begin() + 2);
  auto loaded = LoadModel(path, fewer, nullptr);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadModel(path + ".absent", fewer, nullptr).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DeduplicateTest, BadInputsAreErrors) {
  Data data = MakeData(10, 2, 6);
  DedupOptions options;
  EXPECT_EQ(Deduplicate({}, 0, {}, options, nullptr, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Deduplicate(data.columns, 7, {}, options, nullptr, nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  options.link_only = true;
  EXPECT_EQ(Deduplicate(data.columns, data.truth.size(), {}, options, nullptr,
                        nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  options.link_only = false;
  options.threshold = 1.0;
  EXPECT_EQ(Deduplicate(data.columns, data.truth.size(), {}, options, nullptr,
                        nullptr)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DeduplicateTest, StoppingEarlyLinksExactlyThePairsFullScoringLinks) {
  Data data = MakeData(600, 3, 11);
  // Every candidate pair, fully compared and scored.
  DedupOptions all;
  all.threshold = 1e-12;
  all.keep_pairs = true;
  auto everything = Deduplicate(data.columns, data.truth.size(), {}, all,
                                nullptr, nullptr);
  ASSERT_TRUE(everything.ok()) << everything.status();
  ASSERT_GT(everything->pairs.size(), 1000u);
  DedupModel model = everything->model;
  for (double threshold : {0.5, 0.9, 0.999}) {
    DedupOptions options;
    options.threshold = threshold;
    options.keep_pairs = true;
    auto result = Deduplicate(data.columns, data.truth.size(), {}, options,
                              &model, nullptr);
    ASSERT_TRUE(result.ok()) << result.status();
    std::map<std::pair<uint32_t, uint32_t>, const ScoredPair*> linked;
    for (const ScoredPair& p : result->pairs) linked[{p.a, p.b}] = &p;
    // The expected pairs: every candidate whose full weight reaches it.
    PrepareForScoring(model);
    const double min_weight = MatchWeightOf(threshold);
    size_t expected = 0;
    for (const ScoredPair& p : everything->pairs) {
      const Pattern full = ComparePair(model.comparisons, data.columns, p.a, p.b);
      const double w =
          ScorePair(model, data.columns, p.rule, full, p.a, p.b);
      auto it = linked.find({p.a, p.b});
      if (w < min_weight) {
        EXPECT_TRUE(it == linked.end()) << p.a << " " << p.b;
        continue;
      }
      ++expected;
      ASSERT_TRUE(it != linked.end()) << p.a << " " << p.b << " w " << w;
      EXPECT_EQ(it->second->pattern, full);
      EXPECT_FLOAT_EQ(it->second->weight, static_cast<float>(w));
    }
    EXPECT_EQ(linked.size(), expected) << threshold;
    EXPECT_GT(expected, 0u);
  }
}

}  // namespace
}  // namespace idr::matching
