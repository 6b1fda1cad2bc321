#include "identity/csv_reader.h"

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace idr::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Reads all rows of `csv`, copying each field.
absl::StatusOr<std::vector<std::vector<std::string>>> ReadAll(std::string csv) {
  auto reader = CsvReader::FromString(std::move(csv), "in.csv");
  if (!reader.ok()) return reader.status();
  std::vector<std::vector<std::string>> rows;
  std::vector<absl::string_view> fields;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next(&fields);
    if (!more.ok()) return more.status();
    if (!*more) break;
    rows.emplace_back(fields.begin(), fields.end());
  }
  return rows;
}

TEST(CsvReaderTest, ReadsHeaderAndRowsWithLfOrCrlf) {
  for (const char* csv :
       {"id,name\n1,Ann\n2,陳大文\n", "id,name\r\n1,Ann\r\n2,陳大文\r\n",
        "id,name\n1,Ann\n2,陳大文"}) {
    auto reader = CsvReader::FromString(csv);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_THAT((*reader)->header(), ElementsAre("id", "name"));
    EXPECT_EQ((*reader)->ColumnIndex("name"), 1);
    EXPECT_EQ((*reader)->ColumnIndex("missing"), -1);
    auto rows = ReadAll(csv);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_THAT((*rows)[1], ElementsAre("2", "陳大文"));
  }
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndNewlines) {
  auto rows =
      ReadAll("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n,\"\",z\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[0], ElementsAre("x,y", "say \"hi\"", "two\nlines"));
  EXPECT_THAT((*rows)[1], ElementsAre("", "", "z"));
}

TEST(CsvReaderTest, ManyEscapedFieldsInOneRowStayIntact) {
  // Scratch growth must not invalidate earlier fields of the same row.
  std::string header, row;
  for (int i = 0; i < 200; ++i) {
    header += (i ? ",c" : "c") + std::to_string(i);
    row += std::string(i ? "," : "") + "\"v\"\"" + std::to_string(i) + "\"";
  }
  auto rows = ReadAll(header + "\n" + row + "\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ((*rows)[0][i], "v\"" + std::to_string(i));
  }
}

TEST(CsvReaderTest, SkipsBomAndTrailingBlankLines) {
  auto reader = CsvReader::FromString("\xEF\xBB\xBFid\n1\n\n\r\n");
  ASSERT_TRUE(reader.ok());
  EXPECT_THAT((*reader)->header(), ElementsAre("id"));
  auto rows = ReadAll("\xEF\xBB\xBFid\n1\n\n\r\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 1u);
}

TEST(CsvReaderTest, ReportsLineNumbers) {
  auto reader = CsvReader::FromString("id,n\n1,\"a\nb\"\n2,c\n");
  ASSERT_TRUE(reader.ok());
  std::vector<absl::string_view> fields;
  ASSERT_TRUE(*(*reader)->Next(&fields));
  EXPECT_EQ((*reader)->line(), 2);
  ASSERT_TRUE(*(*reader)->Next(&fields));
  EXPECT_EQ((*reader)->line(), 4);
}

struct BadCase {
  const char* csv;
  const char* message;
};

TEST(CsvReaderTest, MalformedInputIsAnErrorNamingLineAndColumn) {
  const BadCase cases[] = {
      {"a,b\n1,2,3\n", "in.csv:2: row has 3 fields, header has 2"},
      {"a,b\n1\n", "in.csv:2: row has 1 fields"},
      {"a,b\n1,2\n\n3,4\n", "in.csv:3: row has 1 fields"},
      {"a,b\n1,x\"y\n", "in.csv:2: column 2: quote inside an unquoted field"},
      {"a,b\n1,\"x\"y\n", "in.csv:2: column 2: text after a closing quote"},
      {"a,b\n1,\"open\n", "in.csv:2: column 2: quoted field is not terminated"},
      {"a,b\n1,\xff\xfe\n", "in.csv:2: column 2: invalid UTF-8"},
      {"a,b\n\xed\xa0\x80,1\n",
       "in.csv:2: column 1: invalid UTF-8"},                       // surrogate
      {"a,b\n\xc0\xaf,1\n", "in.csv:2: column 1: invalid UTF-8"},  // overlong
  };
  for (const BadCase& c : cases) {
    auto rows = ReadAll(c.csv);
    ASSERT_FALSE(rows.ok()) << c.csv;
    EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(rows.status().message()), HasSubstr(c.message));
  }
}

TEST(CsvReaderTest, BadHeaders) {
  EXPECT_THAT(
      std::string(CsvReader::FromString("", "e.csv").status().message()),
      HasSubstr("e.csv is empty"));
  EXPECT_THAT(
      std::string(CsvReader::FromString("\xEF\xBB\xBF").status().message()),
      HasSubstr("empty"));
  EXPECT_THAT(std::string(CsvReader::FromString("a,,b\n").status().message()),
              HasSubstr("column 2: empty column name"));
  EXPECT_THAT(std::string(CsvReader::FromString("a,b,a\n").status().message()),
              HasSubstr("column 3: duplicate column name 'a'"));
}

TEST(CsvReaderTest, OpensFilesAndReportsMissingOnes) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/reader.csv";
  std::ofstream(path) << "id,v\n1,x\n";
  auto reader = CsvReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<absl::string_view> fields;
  ASSERT_TRUE(*(*reader)->Next(&fields));
  EXPECT_THAT(fields, ElementsAre("1", "x"));
  EXPECT_FALSE(*(*reader)->Next(&fields));
  EXPECT_EQ((*reader)->bytes_read(), (*reader)->bytes_total());

  auto missing = CsvReader::Open(path + ".absent");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr(".absent"));
  EXPECT_EQ(CsvReader::Open(dir ? dir : "/tmp").status().code(),
            absl::StatusCode::kInvalidArgument);

  std::ofstream(path + ".empty") << "";
  EXPECT_EQ(CsvReader::Open(path + ".empty").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace idr::identity
