#include "identity/record_codec.h"

#include "gtest/gtest.h"

namespace idr::identity {
namespace {

TEST(RecordCodecTest, RecordDataRoundTripsIdsAndAttributes) {
  std::vector<int64_t> ids = {0, 1, 300, int64_t{1} << 40, 0};
  Attributes attributes = {{"loyalty_tier", "gold"}, {"點數", "1200"}};
  std::string blob = EncodeRecordData(ids, attributes);
  std::vector<int64_t> got_ids;
  Attributes got_attributes;
  ASSERT_TRUE(DecodeRecordData(blob, ids.size(), &got_ids, &got_attributes).ok());
  EXPECT_EQ(got_ids, ids);
  EXPECT_EQ(got_attributes, attributes);
  // Small ids take one byte each: the record stays compact.
  EXPECT_LT(EncodeRecordData({1, 2, 3, 0, 0, 0}, {}).size(), 9u);
}

TEST(RecordCodecTest, RecordDataRejectsDamage) {
  std::string blob = EncodeRecordData({5, 6}, {{"tier", "gold"}});
  std::vector<int64_t> ids;
  Attributes attributes;
  // Another field count, truncation and trailing bytes are all DATA_LOSS.
  EXPECT_EQ(DecodeRecordData(blob, 3, &ids, &attributes).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRecordData(blob.substr(0, blob.size() - 1), 2, &ids,
                             &attributes)
                .code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRecordData(blob + "x", 2, &ids, &attributes).code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRecordData("", 2, &ids, &attributes).code(),
            absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, KeyHashesAndLinkDetailRoundTrip) {
  std::vector<uint64_t> hashes = {1, ~uint64_t{0}, 0x0123456789abcdefULL};
  std::vector<uint64_t> got;
  ASSERT_TRUE(DecodeKeyHashes(EncodeKeyHashes(hashes), &got).ok());
  EXPECT_EQ(got, hashes);
  EXPECT_EQ(DecodeKeyHashes("1234567", &got).code(),
            absl::StatusCode::kDataLoss);

  std::vector<LinkTerm> terms = {{0, 1, 7.5f}, {11, 3, -2.25f}};
  std::vector<LinkTerm> decoded;
  ASSERT_TRUE(DecodeLinkDetail(EncodeLinkDetail(terms), &decoded).ok());
  ASSERT_EQ(decoded.size(), 2u);
  EXPECT_EQ(decoded[1].comparison, 11);
  EXPECT_EQ(decoded[1].level, 3);
  EXPECT_FLOAT_EQ(decoded[1].weight, -2.25f);
  EXPECT_EQ(DecodeLinkDetail("abcde", &decoded).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace idr::identity
