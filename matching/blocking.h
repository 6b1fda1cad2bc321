// Candidate pairs from blocking keys.
//
// Each blocking rule gives every record a 64-bit key (an XXH3 hash of the
// rule's normalised values; 0 = the record has no key under this rule).
// Records that share a key form a block and every pair inside a block is a
// candidate. A pair found by several rules is visited once: by the first rule
// that pairs them (as Splink's "not an earlier rule" conditions do), so no
// set of pairs is ever materialised.
//
// Oversized blocks (a junk value such as test@test.com, or a very common
// name) would blow up to n² pairs: a block larger than `max_block_size` is
// skipped and reported in the stats instead. The pairs of a skipped block may
// still come from other rules.

#ifndef IDR_MATCHING_BLOCKING_H_
#define IDR_MATCHING_BLOCKING_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <vector>

#include "absl/strings/string_view.h"

namespace idr::matching {

// XXH3 of the parts, with a separator so ("ab","c") != ("a","bc"); never 0.
uint64_t BlockingKey(std::initializer_list<absl::string_view> parts);

struct BlockingOptions {
  // Blocks with more records are skipped. Default: 1000 (≤ 499,500 pairs).
  uint32_t max_block_size = 1000;
  // Worker threads for visiting pairs. Default: 1.
  int threads = 1;
  // When set, only pairs whose sources differ are candidates (link-only).
  const std::vector<uint32_t>* source = nullptr;
};

struct RuleStats {
  int64_t blocks = 0;           // Blocks of two or more records.
  int64_t pairs = 0;            // Pairs this rule visited first.
  int64_t skipped_blocks = 0;   // Blocks over max_block_size.
  int64_t skipped_records = 0;  // Records in those blocks.
  uint32_t largest_block = 0;   // Largest block kept.
};

// Called once per candidate pair, a < b, from worker thread `thread`
// (0 <= thread < options.threads), with the index of the rule that found the
// pair; calls from one thread are sequential.
using PairVisitor =
    std::function<void(int thread, int rule, uint32_t a, uint32_t b)>;

// Visits the candidate pairs of `keys[rule][record]`; returns stats per rule.
std::vector<RuleStats> ForEachCandidatePair(
    const std::vector<std::vector<uint64_t>>& keys,
    const BlockingOptions& options, const PairVisitor& visit);

}  // namespace idr::matching

#endif  // IDR_MATCHING_BLOCKING_H_
