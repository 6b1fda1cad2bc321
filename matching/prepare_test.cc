#include "matching/prepare.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "matching/comparison_set.h"
#include "matching/names.h"

namespace idr::matching {
namespace {

PreparedColumn Prepare(FieldType type, const std::vector<std::string>& raws,
                       const PrepareOptions& options = {}, int threads = 1) {
  ColumnPreparer preparer("c", type, options);
  for (const std::string& raw : raws) preparer.Add(raw);
  return preparer.Finish(threads);
}

TEST(ColumnPreparerTest, InternsNormalisedValuesAndCountsJunk) {
  PreparedColumn c = Prepare(FieldType::kEmail, {"Ann@X.com", "", "ann@x.com",
                                                 "test@test.com", "bob@y.com"});
  ASSERT_EQ(c.ids.size(), 5u);
  EXPECT_EQ(c.ids[0], c.ids[2]);  // Same address after normalisation.
  EXPECT_EQ(c.ids[1], -1);        // Missing.
  EXPECT_EQ(c.ids[3], -1);        // Junk.
  EXPECT_NE(c.ids[4], c.ids[0]);
  EXPECT_EQ(c.junk, 1);
  EXPECT_EQ(c.present, 3);
  EXPECT_EQ(c.values[c.ids[0]], "ann@x.com");
  EXPECT_DOUBLE_EQ(c.Frequency(c.ids[0]), 2.0 / 3);
}

TEST(ColumnPreparerTest, ThreadCountDoesNotChangeTheColumn) {
  std::vector<std::string> raws;
  for (int i = 0; i < 3000; ++i)
    raws.push_back("+86 138 0013 " + std::to_string(1000 + i % 700));
  PrepareOptions options;
  PreparedColumn one = Prepare(FieldType::kPhone, raws, options, 1);
  PreparedColumn four = Prepare(FieldType::kPhone, raws, options, 4);
  EXPECT_EQ(one.ids, four.ids);
  EXPECT_EQ(one.values, four.values);
  EXPECT_EQ(one.values[one.ids[0]], "+8613800131000");
}

TEST(ColumnPreparerTest, DatesAreParsedOncePerValue) {
  PreparedColumn c =
      Prepare(FieldType::kBirthDate, {"19560409", "1956-04-09", "not a date"});
  EXPECT_EQ(c.ids[0], c.ids[1]);
  EXPECT_EQ(c.ids[2], -1);
  ASSERT_EQ(c.dates.size(), c.values.size());
  EXPECT_EQ(c.dates[c.ids[0]].year, 1956);
  EXPECT_EQ(c.dates[c.ids[0]].day, 9);
}

TEST(ColumnPreparerTest, ChineseNamesShareAKeyWithTheirRomanisation) {
  auto names = NameNormalizer::Create();
  ASSERT_TRUE(names.ok()) << names.status();
  PrepareOptions options;
  options.names = names->get();
  PreparedColumns columns = {Prepare(
      FieldType::kFullName,
      {"陳大文先生", "陈大文", "CHAN Tai Man", "Tai Man Chan", "WONG Siu Ming"},
      options)};
  std::vector<FieldComparison> comparisons = DefaultComparisons(columns);
  ASSERT_EQ(comparisons.size(), 1u);
  const FieldComparison& c = comparisons[0];
  EXPECT_EQ(ComparisonLevel(c, columns, 0, 1), 1);  // Same after folding.
  EXPECT_EQ(ComparisonLevel(c, columns, 0, 2), c.key_level);
  EXPECT_EQ(ComparisonLevel(c, columns, 2, 3), c.key_level);
  EXPECT_EQ(ComparisonLevel(c, columns, 0, 4), c.num_levels() - 1);  // else
}

TEST(ColumnPreparerTest, WithoutANormaliserNamesAreFoldedAndOrderFree) {
  PreparedColumns columns = {
      Prepare(FieldType::kFullName, {"Isla HALL", "hall isla", "Ann Lee"})};
  FieldComparison c = DefaultComparisons(columns)[0];
  EXPECT_EQ(ComparisonLevel(c, columns, 0, 1), c.key_level);
  EXPECT_EQ(SortedTokens("tai man chan"), "chan man tai");
}

TEST(ComparisonSetTest, SwappedGivenAndFamilyNamesHaveTheirOwnLevel) {
  PreparedColumns columns = {
      Prepare(FieldType::kGivenName, {"isla", "hall", "isla"}),
      Prepare(FieldType::kFamilyName, {"hall", "isla", "hal"})};
  std::vector<FieldComparison> comparisons = DefaultComparisons(columns);
  ASSERT_EQ(comparisons.size(), 2u);
  EXPECT_EQ(ComparisonLevel(comparisons[0], columns, 0, 1),
            comparisons[0].swap_level);
  EXPECT_EQ(ComparisonLevel(comparisons[1], columns, 0, 1),
            comparisons[1].swap_level);
  EXPECT_EQ(ComparisonLevel(comparisons[0], columns, 0, 2), 1);
  // "hall" vs "hal": a fuzzy level, labelled as such.
  int level = ComparisonLevel(comparisons[1], columns, 0, 2);
  EXPECT_GT(level, comparisons[1].swap_level);
  EXPECT_NE(comparisons[1].labels[level], "else");
}

TEST(ComparisonSetTest, OneAgreementAcrossColumnsCountsOnce) {
  // "taylor amelia" and "amelia tucker" share one name across the columns:
  // the given-name comparison takes it, the family-name one does not.
  PreparedColumns columns = {
      Prepare(FieldType::kGivenName, {"taylor", "amelia"}),
      Prepare(FieldType::kFamilyName, {"amelia", "tucker"})};
  std::vector<FieldComparison> comparisons = DefaultComparisons(columns);
  ASSERT_EQ(comparisons.size(), 2u);
  EXPECT_EQ(ComparisonLevel(comparisons[0], columns, 0, 1),
            comparisons[0].swap_level);
  EXPECT_EQ(ComparisonLevel(comparisons[1], columns, 0, 1),
            comparisons[1].num_levels() - 1);  // else
  EXPECT_EQ(ComparisonLevel(comparisons[1], columns, 1, 0),
            comparisons[1].num_levels() - 1);
}

TEST(ColumnPreparerTest, NormalizingWhileAddingGivesTheSameColumn) {
  std::vector<std::string> raws;
  for (int i = 0; i < 5000; ++i) {
    raws.push_back(i % 7 == 0 ? ""
                              : "+86 138 0013 " + std::to_string(1000 + i % 900));
  }
  PreparedColumn at_once = Prepare(FieldType::kPhone, raws, {}, 2);
  ColumnPreparer preparer("c", FieldType::kPhone, {});
  for (size_t i = 0; i < raws.size(); ++i) {
    preparer.Add(raws[i]);
    if (i % 1000 == 999) preparer.NormalizeAdded();  // The rest in Finish.
  }
  PreparedColumn in_batches = preparer.Finish(2);
  EXPECT_EQ(at_once.ids, in_batches.ids);
  EXPECT_EQ(at_once.values, in_batches.values);
  EXPECT_EQ(at_once.counts, in_batches.counts);
  EXPECT_EQ(at_once.value_hashes, in_batches.value_hashes);
}

// Records of people with typos: names, a birth date, a city.
PreparedColumns TypoRecords(int records, uint32_t seed) {
  std::mt19937 rng(seed);
  const char* given[] = {"isla", "hall", "oliver", "olivia", "amelia", "jack"};
  const char* family[] = {"hall", "isla", "smith", "smyth", "jones", "jonas"};
  const char* city[] = {"london", "londen", "leeds", "york", ""};
  ColumnPreparer g("given", FieldType::kGivenName, {});
  ColumnPreparer f("family", FieldType::kFamilyName, {});
  ColumnPreparer d("dob", FieldType::kBirthDate, {});
  ColumnPreparer c("city", FieldType::kCity, {});
  for (int r = 0; r < records; ++r) {
    g.Add(given[rng() % 6]);
    f.Add(family[rng() % 6]);
    d.Add("1980-0" + std::to_string(1 + rng() % 3) + "-1" +
          std::to_string(rng() % 3));
    c.Add(city[rng() % 5]);
  }
  return {g.Finish(), f.Finish(), d.Finish(), c.Finish()};
}

TEST(PairComparerTest, RemembersWithoutChangingAnyLevel) {
  PreparedColumns columns = TypoRecords(300, 7);
  std::vector<FieldComparison> comparisons = DefaultComparisons(columns);
  const ComparedIds ids(comparisons, columns);
  PairComparer comparer(comparisons, columns, ids);
  // Every pair twice, in both orders: the second time comes from memory.
  for (int pass = 0; pass < 2; ++pass) {
    for (uint32_t a = 0; a < 300; ++a) {
      for (uint32_t b = 0; b < 300; ++b) {
        ASSERT_EQ(comparer.Compare(a, b), ComparePair(comparisons, columns, a, b))
            << a << " " << b;
      }
    }
  }
  int64_t lookups = 0, hits = 0;
  for (size_t k = 0; k < comparisons.size(); ++k) {
    lookups += comparer.lookups(static_cast<int>(k));
    hits += comparer.hits(static_cast<int>(k));
  }
  EXPECT_GT(lookups, 0);
  EXPECT_GT(hits, lookups / 2);  // Few distinct values: mostly remembered.
}

TEST(PairComparerTest, StopsRememberingValuesThatNeverRepeat) {
  std::vector<std::string> raws;
  for (int i = 0; i < 2 * PairComparer::kProbation + 10; ++i) {
    raws.push_back("street " + std::to_string(i));
  }
  PreparedColumns columns = {Prepare(FieldType::kString, raws)};
  std::vector<FieldComparison> comparisons = DefaultComparisons(columns);
  const ComparedIds ids(comparisons, columns);
  PairComparer comparer(comparisons, columns, ids);
  for (uint32_t a = 0; a + 1 < raws.size(); ++a) {
    EXPECT_EQ(comparer.Compare(a, a + 1),
              ComparePair(comparisons, columns, a, a + 1));
  }
  EXPECT_EQ(comparer.lookups(0), PairComparer::kProbation);
  EXPECT_EQ(comparer.hits(0), 0);
}

}  // namespace
}  // namespace idr::matching
