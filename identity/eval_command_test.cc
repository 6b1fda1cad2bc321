#include "identity/eval_command.h"

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace idr::identity {
namespace {

using ::testing::HasSubstr;

std::string Write(const std::string& name, const std::string& text) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/" + name;
  std::ofstream(path) << text;
  return path;
}

EvalCommandOptions Files(const std::string& clusters,
                         const std::string& truth) {
  EvalCommandOptions options;
  options.clusters_path = Write("clusters.csv", clusters);
  options.truth_path = Write("truth.csv", truth);
  return options;
}

TEST(EvalCommandTest, ScoresClustersAgainstTruthInAnyOrder) {
  auto scores = EvaluateFiles(
      Files("record_id,cluster_id\nc,x\na,x\nb,x\nd,y\n",
            "record_id,truth_id,name\na,1,Ann\nb,1,Anne\nc,2,Bob\nd,2,Bob\n"));
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_EQ(scores->records, 4);
  EXPECT_EQ(scores->predicted_pairs, 3);
  EXPECT_EQ(scores->true_pairs, 2);
  EXPECT_EQ(scores->correct_pairs, 1);
  std::string json = FormatScores(*scores, /*json=*/true);
  EXPECT_THAT(json, HasSubstr("\"precision\":0.333333"));
  EXPECT_THAT(json, HasSubstr("\"recall\":0.500000"));
  EXPECT_THAT(FormatScores(*scores, false),
              HasSubstr("F1               0.4000"));
}

TEST(EvalCommandTest, CustomColumns) {
  EvalCommandOptions options =
      Files("id,c\n1,a\n2,a\n", "id,person\n1,p\n2,p\n");
  options.id_column = "id";
  options.cluster_column = "c";
  options.truth_column = "person";
  auto scores = EvaluateFiles(options);
  ASSERT_TRUE(scores.ok()) << scores.status();
  EXPECT_DOUBLE_EQ(scores->f1, 1.0);
}

TEST(EvalCommandTest, MismatchedOrBadFilesAreErrors) {
  struct Case {
    std::string clusters, truth, message;
  };
  const Case cases[] = {
      {"record_id,cluster_id\na,1\n", "record_id,truth_id\na,1\nb,1\n",
       "'b' of"},
      {"record_id,cluster_id\na,1\nz,1\n", "record_id,truth_id\na,1\n",
       "'z' of"},
      {"record_id,cluster_id\na,1\na,2\n", "record_id,truth_id\na,1\n",
       "clusters.csv:3: record_id 'a' appears more than once"},
      {"record_id,cluster\na,1\n", "record_id,truth_id\na,1\n",
       "no column 'cluster_id'"},
      {"record_id,cluster_id\na,1\n", "record_id\na\n", "no column 'truth_id'"},
      {"record_id,cluster_id\na,1,3\n", "record_id,truth_id\na,1\n",
       "row has 3 fields"},
  };
  for (const Case& c : cases) {
    auto scores = EvaluateFiles(Files(c.clusters, c.truth));
    ASSERT_FALSE(scores.ok()) << c.message;
    EXPECT_THAT(std::string(scores.status().message()), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace idr::identity
