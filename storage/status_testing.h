// Test helpers for absl::Status and absl::StatusOr results, shared by the
// storage tests: ASSERT_OK(expr), EXPECT_OK(expr), EXPECT_CODE(expr, kCode).

#ifndef IDR_STORAGE_STATUS_TESTING_H_
#define IDR_STORAGE_STATUS_TESTING_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace idr::storage::status_testing {

inline absl::Status StatusOf(const absl::Status& s) { return s; }
template <typename T>
absl::Status StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

}  // namespace idr::storage::status_testing

#define ASSERT_OK(expr)                                                      \
  do {                                                                       \
    const absl::Status st_ = ::idr::storage::status_testing::StatusOf(expr); \
    ASSERT_TRUE(st_.ok()) << st_;                                            \
  } while (0)
#define EXPECT_OK(expr)                                                      \
  do {                                                                       \
    const absl::Status st_ = ::idr::storage::status_testing::StatusOf(expr); \
    EXPECT_TRUE(st_.ok()) << st_;                                            \
  } while (0)
#define EXPECT_CODE(expr, want)                                              \
  do {                                                                       \
    const absl::Status st_ = ::idr::storage::status_testing::StatusOf(expr); \
    EXPECT_EQ(st_.code(), absl::StatusCode::want) << st_;                    \
  } while (0)

#endif  // IDR_STORAGE_STATUS_TESTING_H_
