// Deterministic random numbers for the synthetic generator.
//
// The standard <random> distributions and absl::BitGen are not guaranteed to
// give the same values across library versions or platforms, so the generator
// uses these small, fully specified ones: same seed => same bytes everywhere.

#ifndef IDR_TOOLS_GEN_RNG_H_
#define IDR_TOOLS_GEN_RNG_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace idr::gen::internal {

// SplitMix64 finaliser: a strong 64-bit mixing bijection.
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Hashes a tuple of integers into a seed; order matters.
inline uint64_t HashOf(uint64_t a, uint64_t b) {
  return Mix64(a ^ Mix64(b + 0x632be59bd9b4e019ULL));
}
inline uint64_t HashOf(uint64_t a, uint64_t b, uint64_t c) {
  return HashOf(HashOf(a, b), c);
}
inline uint64_t HashOf(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return HashOf(HashOf(a, b, c), d);
}

// xoshiro256** seeded through SplitMix64: fast, good quality, reproducible.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      s = Mix64(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return (Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n); n > 0. Lemire's multiply-shift (bias < 2^-32
  // for the small n used here, and deterministic).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >>
                                 64);
  }

  // Uniform integer in [lo, hi] inclusive.
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  bool Chance(double p) { return Uniform() < p; }

  // Index drawn from cumulative weights (last element = total).
  size_t Pick(const std::vector<double>& cumulative) {
    const double x = Uniform() * cumulative.back();
    size_t lo = 0, hi = cumulative.size() - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (cumulative[mid] > x) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  template <typename T, size_t N>
  const T& OneOf(const T (&items)[N]) {
    return items[Below(N)];
  }
  template <typename T>
  const T& OneOf(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// A keyed bijection on [0, size): a balanced Feistel network over the next
// even power of two, with cycle walking. Used to shuffle rows without a table
// and to hand out unique phone numbers, loyalty ids, etc. from a dense index.
class FeistelPermutation {
 public:
  FeistelPermutation(uint64_t size, uint64_t key) : size_(size < 1 ? 1 : size) {
    int bits = 2;
    while (bits < 62 && (uint64_t{1} << bits) < size_) ++bits;
    if (bits % 2 != 0) ++bits;
    half_bits_ = bits / 2;
    half_mask_ = (uint64_t{1} << half_bits_) - 1;
    for (int i = 0; i < kRounds; ++i) keys_[i] = HashOf(key, i + 1);
  }

  uint64_t size() const { return size_; }

  // Maps x (taken modulo size) to its image in [0, size).
  uint64_t Map(uint64_t x) const {
    x %= size_;
    do {
      x = Encrypt(x);
    } while (x >= size_);
    return x;
  }

 private:
  static constexpr int kRounds = 4;
  uint64_t Encrypt(uint64_t x) const {
    uint64_t left = x >> half_bits_;
    uint64_t right = x & half_mask_;
    for (int i = 0; i < kRounds; ++i) {
      const uint64_t next = left ^ (Mix64(right ^ keys_[i]) & half_mask_);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }

  uint64_t size_;
  int half_bits_ = 1;
  uint64_t half_mask_ = 1;
  uint64_t keys_[kRounds];
};

}  // namespace idr::gen::internal

#endif  // IDR_TOOLS_GEN_RNG_H_
