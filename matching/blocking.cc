#include "matching/blocking.h"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include "absl/container/flat_hash_set.h"

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

namespace {

struct Block {
  uint32_t begin;
  uint32_t end;
};

}  // namespace

std::vector<RuleStats> ForEachCandidatePair(
    const std::vector<std::vector<uint64_t>>& keys,
    const BlockingOptions& options, const PairVisitor& visit) {
  std::vector<RuleStats> stats(keys.size());
  // Keys of blocks skipped per rule: a pair that shares such a key was not
  // visited by that rule, so later rules must not treat it as seen.
  std::vector<absl::flat_hash_set<uint64_t>> skipped(keys.size());
  const int threads = std::max(1, options.threads);
  const std::vector<uint32_t>* source = options.source;

  for (size_t rule = 0; rule < keys.size(); ++rule) {
    const std::vector<uint64_t>& rule_keys = keys[rule];
    std::vector<std::pair<uint64_t, uint32_t>> sorted;
    sorted.reserve(rule_keys.size());
    for (uint32_t i = 0; i < rule_keys.size(); ++i) {
      if (rule_keys[i] != 0) sorted.emplace_back(rule_keys[i], i);
    }
    std::sort(sorted.begin(), sorted.end());
    std::vector<Block> blocks;
    RuleStats& s = stats[rule];
    for (uint32_t i = 0; i < sorted.size();) {
      uint32_t j = i + 1;
      while (j < sorted.size() && sorted[j].first == sorted[i].first) ++j;
      uint32_t n = j - i;
      if (n > options.max_block_size) {
        ++s.skipped_blocks;
        s.skipped_records += n;
        skipped[rule].insert(sorted[i].first);
      } else if (n >= 2) {
        ++s.blocks;
        s.largest_block = std::max(s.largest_block, n);
        blocks.push_back({i, j});
      }
      i = j;
    }
    // Largest blocks first, so the threads finish together.
    std::sort(blocks.begin(), blocks.end(), [](const Block& x, const Block& y) {
      return x.end - x.begin > y.end - y.begin;
    });

    std::atomic<size_t> next{0};
    std::vector<int64_t> pairs(threads, 0);
    auto worker = [&](int thread) {
      int64_t count = 0;
      for (size_t b; (b = next.fetch_add(1, std::memory_order_relaxed)) <
                     blocks.size();) {
        const Block& block = blocks[b];
        for (uint32_t x = block.begin; x < block.end; ++x) {
          for (uint32_t y = x + 1; y < block.end; ++y) {
            uint32_t a = sorted[x].second, c = sorted[y].second;
            if (a > c) std::swap(a, c);
            if (source != nullptr && (*source)[a] == (*source)[c]) continue;
            bool seen = false;
            for (size_t earlier = 0; earlier < rule && !seen; ++earlier) {
              uint64_t k = keys[earlier][a];
              seen = k != 0 && k == keys[earlier][c] &&
                     !skipped[earlier].contains(k);
            }
            if (seen) continue;
            ++count;
            visit(thread, static_cast<int>(rule), a, c);
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
    for (int64_t p : pairs) s.pairs += p;
  }
  return stats;
}

}  // namespace idr::matching
