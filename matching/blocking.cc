#include "matching/blocking.h"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <utility>


namespace idr::matching {

uint64_t BlockingKey(std::initializer_list<absl::string_view> parts) {
  // One-shot hashing of the joined parts is faster than streaming for the
  // short values blocking uses.
  thread_local std::string joined;
  joined.clear();
  for (absl::string_view part : parts) {
    joined.append(part.data(), part.size());
    joined.push_back('\x1f');
  }
  uint64_t key = XXH3_64bits(joined.data(), joined.size());
  return key == 0 ? 1 : key;
}

CandidatePairs::CandidatePairs(std::vector<std::vector<uint64_t>> keys,
                               const BlockingOptions& options)
    : num_rules_(static_cast<int>(keys.size())),
      num_records_(keys.empty() ? 0 : static_cast<uint32_t>(keys[0].size())),
      options_(options),
      block_of_(static_cast<size_t>(num_records_) * keys.size(), 0),
      members_(keys.size()),
      blocks_(keys.size()),
      stats_(keys.size()) {
  options_.threads = std::max(1, options_.threads);
  // Rules are indexed on every thread, one rule at a time each: a rule
  // writes only its own slot of each record's block numbers.
  std::atomic<int> next{0};
  std::vector<int64_t> pairs(keys.size(), 0);
  auto work = [&] {
    std::vector<std::pair<uint64_t, uint32_t>> sorted;
    for (int rule; (rule = next.fetch_add(1)) < num_rules_;) {
      pairs[rule] = IndexRule(rule, keys[rule], sorted);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < options_.threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (int64_t p : pairs) block_pairs_ += p;
}

int64_t CandidatePairs::IndexRule(
    int rule, std::vector<uint64_t>& rule_keys,
    std::vector<std::pair<uint64_t, uint32_t>>& sorted) {
  sorted.clear();
  for (uint32_t i = 0; i < rule_keys.size(); ++i) {
    if (rule_keys[i] != 0) sorted.emplace_back(rule_keys[i], i);
  }
  std::vector<uint64_t>().swap(rule_keys);
  std::sort(sorted.begin(), sorted.end());
  RuleStats& s = stats_[rule];
  std::vector<uint32_t>& members = members_[rule];
  std::vector<Block>& blocks = blocks_[rule];
  int64_t block_pairs = 0;
  for (uint32_t i = 0; i < sorted.size();) {
    uint32_t j = i + 1;
    while (j < sorted.size() && sorted[j].first == sorted[i].first) ++j;
    const uint32_t n = j - i;
    if (n > options_.max_block_size) {
      ++s.skipped_blocks;
      s.skipped_records += n;
    } else if (n >= 2) {
      ++s.blocks;
      s.largest_block = std::max(s.largest_block, n);
      block_pairs += static_cast<int64_t>(n) * (n - 1) / 2;
      const uint32_t number = static_cast<uint32_t>(blocks.size()) + 1;
      blocks.push_back({static_cast<uint32_t>(members.size()),
                        static_cast<uint32_t>(members.size() + n)});
      for (uint32_t k = i; k < j; ++k) {
        members.push_back(sorted[k].second);
        block_of_[static_cast<size_t>(sorted[k].second) * num_rules_ + rule] =
            number;
      }
    }
    i = j;
  }
  members.shrink_to_fit();
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const Block& x, const Block& y) {
                     return x.end - x.begin > y.end - y.begin;
                   });
  return block_pairs;
}

std::vector<RuleStats> CandidatePairs::ForEach(const PairVisitor& visit,
                                               const PairFilter& filter) const {
  std::vector<RuleStats> stats = stats_;
  const int threads = options_.threads;
  const std::vector<uint32_t>* source = options_.source;
  const size_t stride = static_cast<size_t>(num_rules_);
  for (int rule = 0; rule < num_rules_; ++rule) {
    const std::vector<uint32_t>& members = members_[rule];
    const std::vector<Block>& blocks = blocks_[rule];
    std::atomic<size_t> next{0};
    std::vector<int64_t> pairs(threads, 0);
    auto worker = [&](int thread) {
      int64_t count = 0;
      for (size_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) <
                     blocks.size();) {
        const Block& block = blocks[b];
        for (uint32_t x = block.begin; x < block.end; ++x) {
          for (uint32_t y = x + 1; y < block.end; ++y) {
            uint32_t a = members[x], c = members[y];
            if (a > c) std::swap(a, c);
            if (source != nullptr && (*source)[a] == (*source)[c]) continue;
            if (filter && !filter(thread, a, c)) continue;
            // Visited already when an earlier rule put both in one block.
            const uint32_t* row_a = &block_of_[a * stride];
            const uint32_t* row_c = &block_of_[c * stride];
            bool seen = false;
            for (int earlier = 0; earlier < rule && !seen; ++earlier) {
              seen = row_a[earlier] != 0 && row_a[earlier] == row_c[earlier];
            }
            if (seen) continue;
            ++count;
            visit(thread, rule, a, c);
          }
        }
      }
      pairs[thread] = count;
    };
    if (threads == 1) {
      worker(0);
    } else {
      std::vector<std::thread> pool;
      for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
      for (std::thread& t : pool) t.join();
    }
    for (int64_t p : pairs) stats[rule].pairs += p;
  }
  return stats;
}

std::vector<RuleStats> ForEachCandidatePair(
    std::vector<std::vector<uint64_t>> keys, const BlockingOptions& options,
    const PairVisitor& visit) {
  return CandidatePairs(std::move(keys), options).ForEach(visit);
}

}  // namespace idr::matching
