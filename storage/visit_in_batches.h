// The loop of a store's ForEach* methods: rows read a batch at a time and
// visited with no statement or lock held, so the visitor may call the store.

#ifndef IDR_STORAGE_VISIT_IN_BATCHES_H_
#define IDR_STORAGE_VISIT_IN_BATCHES_H_

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace idr::storage {

// Calls `visit` for every row `read` gives, in order, until it returns
// false. `read(last)` gives up to `batch` rows after `last` (null: from the
// first); fewer than `batch` ends the loop.
template <typename Row, typename Read>
absl::Status VisitInBatches(size_t batch, Read read,
                            const std::function<bool(const Row&)>& visit) {
  std::vector<Row> rows;
  for (;;) {
    absl::StatusOr<std::vector<Row>> next =
        read(rows.empty() ? nullptr : &rows.back());
    if (!next.ok()) return next.status();
    rows = *std::move(next);
    for (const Row& row : rows) {
      if (!visit(row)) return absl::OkStatus();
    }
    if (rows.size() < batch) return absl::OkStatus();
  }
}

}  // namespace idr::storage

#endif  // IDR_STORAGE_VISIT_IN_BATCHES_H_
