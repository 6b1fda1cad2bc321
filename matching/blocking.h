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
//
// CandidatePairs indexes the blocks once and visits their pairs as often as
// needed (idr dedup visits them twice: to train, then to score). Memory per
// record: 4 bytes per rule for the record's block numbers, kept
// record-major so that "did an earlier rule pair these two?" reads one or two
// cache lines per record, plus 4 bytes per rule for each record in a kept
// block. The 64-bit keys are not kept.

#ifndef IDR_MATCHING_BLOCKING_H_
#define IDR_MATCHING_BLOCKING_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <utility>
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

// Asked before a pair is checked against the earlier rules: false skips it
// (a sampling pass uses it to avoid that check for pairs it would drop).
using PairFilter = std::function<bool(int thread, uint32_t a, uint32_t b)>;

class CandidatePairs {
 public:
  // Indexes the blocks of `keys[rule][record]` (every rule holds a key per
  // record), freeing each rule's keys once indexed.
  CandidatePairs(std::vector<std::vector<uint64_t>> keys,
                 const BlockingOptions& options);

  // Visits every candidate pair once, on options.threads threads; returns
  // the stats per rule (as stats(), with `pairs` counted by this visit).
  // With a filter, only the pairs it keeps are visited and counted.
  std::vector<RuleStats> ForEach(const PairVisitor& visit,
                                 const PairFilter& filter = nullptr) const;

  // Σ n(n-1)/2 over the kept blocks of every rule: an upper bound of the
  // candidate pairs (a pair in blocks of several rules counts once per rule).
  int64_t block_pairs() const { return block_pairs_; }

  // Whether rule `rule` pairs records a and b: they are in the same kept
  // block of it (an oversized block does not count).
  bool SameBlock(int rule, uint32_t a, uint32_t b) const {
    const uint32_t x = block_of_[static_cast<size_t>(a) * num_rules_ + rule];
    return x != 0 && x == block_of_[static_cast<size_t>(b) * num_rules_ + rule];
  }

  int num_rules() const { return num_rules_; }
  // Blocks, skipped blocks and records per rule; `pairs` is 0 until counted
  // by ForEach.
  const std::vector<RuleStats>& stats() const { return stats_; }

 private:
  struct Block {
    uint32_t begin;  // Into members_[rule].
    uint32_t end;
  };

  // Indexes one rule (freeing its keys, `sorted` is scratch); returns its
  // block pairs.
  int64_t IndexRule(int rule, std::vector<uint64_t>& rule_keys,
                    std::vector<std::pair<uint64_t, uint32_t>>& sorted);

  int num_rules_ = 0;
  uint32_t num_records_ = 0;
  BlockingOptions options_;
  // Per record and rule (record-major): 1 + the number of the record's kept
  // block under the rule, or 0 (no key, a block of one, or a skipped block).
  std::vector<uint32_t> block_of_;
  // Per rule: the records of its kept blocks, block after block, and the
  // blocks, largest first (so the threads finish together).
  std::vector<std::vector<uint32_t>> members_;
  std::vector<std::vector<Block>> blocks_;
  std::vector<RuleStats> stats_;
  int64_t block_pairs_ = 0;
};

// Visits the candidate pairs of `keys[rule][record]`; returns stats per rule.
// (CandidatePairs(keys, options).ForEach(visit).)
std::vector<RuleStats> ForEachCandidatePair(
    std::vector<std::vector<uint64_t>> keys, const BlockingOptions& options,
    const PairVisitor& visit);

}  // namespace idr::matching

#endif  // IDR_MATCHING_BLOCKING_H_
