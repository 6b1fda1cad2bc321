#include "matching/comparators.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace idr::matching {
namespace {

// Inline capacity of the per-call buffers. Names and emails are far shorter;
// only longer inputs pay for a heap allocation.
constexpr int kInlineChars = 256;
constexpr int kInlineTokens = 32;

// A scratch array of T: N elements on the stack, the heap only beyond that.
// Elements are left uninitialised (callers write before they read).
template <typename T, int N>
class SmallBuffer {
 public:
  SmallBuffer() = default;
  SmallBuffer(const SmallBuffer&) = delete;
  SmallBuffer& operator=(const SmallBuffer&) = delete;

  // Returns room for n elements; earlier contents are not kept.
  T* Reserve(size_t n) {
    if (n <= static_cast<size_t>(N)) return data_ = inline_;
    if (n > heap_size_) {
      heap_.reset(new T[n]);
      heap_size_ = n;
    }
    return data_ = heap_.get();
  }
  T* data() { return data_; }

 private:
  T inline_[N];
  std::unique_ptr<T[]> heap_;
  size_t heap_size_ = 0;
  T* data_ = inline_;
};

// True when every byte is < 0x80; eight bytes at a time.
bool IsAscii(absl::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// Decodes UTF-8 into `out` (room for s.size() codepoints) and returns the
// number of codepoints. A byte that does not start a well-formed sequence
// becomes U+DC00 + byte (U+DC80..U+DCFF, see the header), and decoding goes
// on with the next byte, so a truncated sequence never swallows what follows.
int DecodeUtf8(absl::string_view s, char32_t* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  int k = 0;
  size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80) {
      out[k++] = c;
      ++i;
      continue;
    }
    size_t len;
    char32_t cp;
    // Ranges of the second byte exclude overlongs, surrogates, > U+10FFFF.
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      out[k++] = 0xDC00 | c;
      ++i;
      continue;
    }
    bool ok = i + len <= n && p[i + 1] >= lo && p[i + 1] <= hi;
    for (size_t j = 2; ok && j < len; ++j) {
      ok = p[i + j] >= 0x80 && p[i + j] <= 0xBF;
    }
    if (!ok) {
      out[k++] = 0xDC00 | c;
      ++i;
      continue;
    }
    for (size_t j = 1; j < len; ++j) cp = (cp << 6) | (p[i + j] & 0x3F);
    out[k++] = cp;
    i += len;
  }
  return k;
}

// Both values of a pair as codepoint arrays: pointers into the input when
// both are ASCII (no copy), decoded char32_t otherwise.
class DecodedPair {
 public:
  void Decode(absl::string_view a, absl::string_view b) {
    ascii_ = IsAscii(a) && IsAscii(b);
    if (ascii_) {
      a8_ = reinterpret_cast<const unsigned char*>(a.data());
      b8_ = reinterpret_cast<const unsigned char*>(b.data());
      la_ = static_cast<int>(a.size());
      lb_ = static_cast<int>(b.size());
    } else {
      a32_ = buf_a_.Reserve(a.size());
      b32_ = buf_b_.Reserve(b.size());
      la_ = DecodeUtf8(a, buf_a_.data());
      lb_ = DecodeUtf8(b, buf_b_.data());
    }
  }

  // Calls f(a, la, b, lb) with both as `const unsigned char*` or both as
  // `const char32_t*`, so each algorithm is compiled for both.
  template <typename F>
  auto Visit(F&& f) const {
    return ascii_ ? f(a8_, la_, b8_, lb_) : f(a32_, la_, b32_, lb_);
  }

 private:
  bool ascii_ = true;
  int la_ = 0, lb_ = 0;
  const unsigned char* a8_ = nullptr;
  const unsigned char* b8_ = nullptr;
  const char32_t* a32_ = nullptr;
  const char32_t* b32_ = nullptr;
  SmallBuffer<char32_t, kInlineChars> buf_a_, buf_b_;
};

// For a pattern of at most 64 codepoints, the bit mask of the positions of
// each codepoint (bit i set when pattern[i] == c), for the bit-parallel
// algorithms. Only codepoints of the pattern and of the text are ever looked
// up, so only their slots are cleared: no 2 KB memset per call.
template <typename C>
class PatternMasks;

template <>
class PatternMasks<unsigned char> {
 public:
  PatternMasks(const unsigned char* p, int m, const unsigned char* t, int n) {
    for (int i = 0; i < n; ++i) masks_[t[i]] = 0;
    for (int i = 0; i < m; ++i) masks_[p[i]] = 0;
    for (int i = 0; i < m; ++i) masks_[p[i]] |= uint64_t{1} << i;
  }
  uint64_t Get(unsigned char c) const { return masks_[c]; }

 private:
  uint64_t masks_[256];
};

template <>
class PatternMasks<char32_t> {
 public:
  PatternMasks(const char32_t* p, int m, const char32_t* t, int n) {
    for (int i = 0; i < n; ++i) {
      if (t[i] < 256) low_[t[i]] = 0;
    }
    for (int i = 0; i < m; ++i) {
      if (p[i] < 256) low_[p[i]] = 0;
    }
    for (int i = 0; i < m; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      if (p[i] < 256) {
        low_[p[i]] |= bit;
        continue;
      }
      // Names have a handful of distinct non-Latin-1 codepoints: a linear
      // list beats hashing.
      int k = 0;
      while (k < num_high_ && high_keys_[k] != p[i]) ++k;
      if (k == num_high_) {
        high_keys_[num_high_] = p[i];
        high_masks_[num_high_++] = 0;
      }
      high_masks_[k] |= bit;
    }
  }
  uint64_t Get(char32_t c) const {
    if (c < 256) return low_[c];
    for (int k = 0; k < num_high_; ++k) {
      if (high_keys_[k] == c) return high_masks_[k];
    }
    return 0;
  }

 private:
  uint64_t low_[256];
  char32_t high_keys_[64];
  uint64_t high_masks_[64];
  int num_high_ = 0;
};

// --- Jaro --------------------------------------------------------------------

// Jaro with b as a bit-parallel pattern (lb <= 64): each a[i] takes the
// lowest unmatched equal codepoint of b inside its window, as the textbook
// loop does, but in O(1) word operations.
template <typename C>
double JaroBitParallel(const C* a, int la, const C* b, int lb) {
  const PatternMasks<C> pm(b, lb, a, la);
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  // Positions of b in a[i]'s window [i - window, i + window], slid one bit
  // per step; bits past lb are never set in the pattern masks.
  uint64_t window_mask =
      window >= 63 ? ~uint64_t{0} : (uint64_t{2} << window) - 1;
  const int last = std::min(la, lb + window);  // Later windows are past b.
  uint64_t b_matched = 0;
  C a_matched[64];  // In a's order; at most lb <= 64 matches.
  int m = 0;
  for (int i = 0; i < last; ++i) {
    const uint64_t candidates = pm.Get(a[i]) & ~b_matched & window_mask;
    if (candidates != 0) {
      b_matched |= candidates & (~candidates + 1);  // Lowest set bit.
      a_matched[m++] = a[i];
    }
    // Slide to [i + 1 - window, i + 1 + window]: the left edge stays at 0
    // until i + 1 exceeds the window.
    window_mask = i + 1 <= window ? (window_mask << 1) | 1 : window_mask << 1;
  }
  if (m == 0) return 0.0;
  int half_transpositions = 0;
  for (int k = 0; k < m; ++k) {
    const int j = __builtin_ctzll(b_matched);
    b_matched &= b_matched - 1;
    if (a_matched[k] != b[j]) ++half_transpositions;
  }
  const double dm = m;
  return (dm / la + dm / lb + (dm - half_transpositions / 2) / dm) / 3.0;
}

// The textbook Jaro loop, for two strings longer than 64 codepoints.
template <typename C>
double JaroNaive(const C* a, int la, const C* b, int lb) {
  const int window = std::max(0, std::max(la, lb) / 2 - 1);
  SmallBuffer<uint8_t, kInlineChars> a_flag_buf, b_flag_buf;
  uint8_t* a_flag = a_flag_buf.Reserve(la);
  uint8_t* b_flag = b_flag_buf.Reserve(lb);
  std::memset(a_flag, 0, la);
  std::memset(b_flag, 0, lb);
  int m = 0;
  for (int i = 0; i < la; ++i) {
    const int lo = std::max(0, i - window);
    const int hi = std::min(lb - 1, i + window);
    for (int j = lo; j <= hi; ++j) {
      if (!b_flag[j] && a[i] == b[j]) {
        a_flag[i] = b_flag[j] = 1;
        ++m;
        break;
      }
    }
  }
  if (m == 0) return 0.0;
  int half_transpositions = 0;
  for (int i = 0, j = 0; i < la; ++i) {
    if (!a_flag[i]) continue;
    while (!b_flag[j]) ++j;
    if (a[i] != b[j]) ++half_transpositions;
    ++j;
  }
  const double dm = m;
  return (dm / la + dm / lb + (dm - half_transpositions / 2) / dm) / 3.0;
}

template <typename C>
double JaroImpl(const C* a, int la, const C* b, int lb) {
  if (la == 0 && lb == 0) return 1.0;
  if (la == 0 || lb == 0) return 0.0;
  // Jaro is symmetric, so either string may serve as the pattern.
  if (lb <= 64) return JaroBitParallel(a, la, b, lb);
  if (la <= 64) return JaroBitParallel(b, lb, a, la);
  return JaroNaive(a, la, b, lb);
}

template <typename C>
double JaroWinklerImpl(const C* a, int la, const C* b, int lb, double scale) {
  double j = JaroImpl(a, la, b, lb);
  if (j <= 0.7) return j;  // Winkler's boost threshold.
  const int max_prefix = std::min(4, std::min(la, lb));
  int prefix = 0;
  while (prefix < max_prefix && a[prefix] == b[prefix]) ++prefix;
  return j + prefix * scale * (1.0 - j);
}

// Adds codepoint c to a sketch (see CharSketch).
inline void AddToSketch(uint32_t c, CharSketch* sketch) {
  const int bucket = c & 63;
  const uint64_t bit = uint64_t{1} << bucket;
  sketch->more += static_cast<uint32_t>((sketch->twice >> bucket) & 1);
  sketch->twice |= sketch->once & bit;
  sketch->once |= bit;
  ++sketch->length;
}

template <typename C>
CharSketch SketchOfCodepoints(const C* s, int n) {
  CharSketch out;
  for (int i = 0; i < n; ++i) AddToSketch(s[i], &out);
  return out;
}

// An upper bound on JaroWinklerImpl(a, la, b, lb, scale) from at most
// `shared` matching codepoints (no transpositions) and the common prefix.
template <typename C>
double JaroWinklerBound(const C* a, int la, const C* b, int lb, double scale,
                        int shared) {
  if (shared == 0) return 0.0;
  const double dm = shared;
  const double j = (dm / la + dm / lb + 1.0) / 3.0;
  if (j <= 0.7) return j;
  const int max_prefix = std::min(4, std::min(la, lb));
  int prefix = 0;
  while (prefix < max_prefix && a[prefix] == b[prefix]) ++prefix;
  return j + prefix * scale * (1.0 - j);
}

double ClampPrefixScale(double s) {
  // NaN compares false both ways: it becomes 0 (plain Jaro).
  return s > 0.25 ? 0.25 : (s > 0 ? s : 0.0);
}

// --- Edit distances ----------------------------------------------------------

// Myers/Hyyrö bit-parallel Levenshtein, or Hyyrö's 2003 extension to optimal
// string alignment, for a pattern p of 1..64 codepoints against a text t.
// Returns min(distance, k + 1); stops once the last row cannot come back
// under k (each remaining text codepoint lowers it by at most 1).
template <bool kOsa, typename C>
int BitParallelDistance(const C* p, int m, const C* t, int n, int k) {
  const PatternMasks<C> pm(p, m, t, n);
  const uint64_t last = uint64_t{1} << (m - 1);
  uint64_t vp = ~uint64_t{0}, vn = 0, d0 = 0, pm_prev = 0;
  int dist = m;
  for (int j = 0; j < n; ++j) {
    const uint64_t pm_j = pm.Get(t[j]);
    // Transposition: a match here and at the previous column, one row up,
    // where the previous column's D0 had no zero-cost diagonal.
    const uint64_t tr = kOsa ? (((~d0) & pm_j) << 1) & pm_prev : 0;
    d0 = (((pm_j & vp) + vp) ^ vp) | pm_j | vn | tr;
    pm_prev = pm_j;
    uint64_t hp = vn | ~(d0 | vp);
    uint64_t hn = d0 & vp;
    if (hp & last) ++dist;
    if (hn & last) --dist;
    if (dist - (n - 1 - j) > k) return k + 1;
    hp = (hp << 1) | 1;
    hn <<= 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
  }
  return std::min(dist, k + 1);
}

// Row-by-row DP over a (rows) and b (columns, the shorter), restricted to the
// band |i - j| <= k and capped at k + 1, stopping when a whole row exceeds k
// (cells never decrease along a path, transpositions included). Requires
// 0 <= la - lb <= k and lb >= 1. O(la * min(lb, 2k + 1)) time, O(lb) space.
template <bool kOsa, typename C>
int BandedDistance(const C* a, int la, const C* b, int lb, int k) {
  const int inf = k + 1;
  SmallBuffer<int, kInlineChars + 1> buf0, buf1, buf2;
  int* prev2 = buf0.Reserve(lb + 1);
  int* prev = buf1.Reserve(lb + 1);
  int* cur = buf2.Reserve(lb + 1);
  for (int j = 0; j <= lb; ++j) prev[j] = std::min(j, inf);
  for (int i = 1; i <= la; ++i) {
    const int jlo = std::max(1, i - k);
    const int jhi = std::min(lb, i + k);
    cur[jlo - 1] = jlo == 1 ? std::min(i, inf) : inf;
    int row_min = cur[jlo - 1];
    const C ai = a[i - 1];
    for (int j = jlo; j <= jhi; ++j) {
      int v = prev[j - 1] + (ai != b[j - 1]);
      v = std::min(v, std::min(prev[j], cur[j - 1]) + 1);
      if (kOsa && i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      v = std::min(v, inf);
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    // The next row reads one cell past this row's band.
    if (jhi < lb) cur[jhi + 1] = inf;
    if (row_min > k) return inf;
    int* recycled = prev2;
    prev2 = prev;
    prev = cur;
    cur = recycled;
  }
  return prev[lb];
}

// min(distance(a, b), k + 1) for 0 <= k <= max(la, lb).
template <bool kOsa, typename C>
int EditDistance(const C* a, int la, const C* b, int lb, int k) {
  // A common prefix or suffix never changes the distance (also for OSA).
  while (la > 0 && lb > 0 && *a == *b) {
    ++a;
    ++b;
    --la;
    --lb;
  }
  while (la > 0 && lb > 0 && a[la - 1] == b[lb - 1]) {
    --la;
    --lb;
  }
  if (la < lb) {
    std::swap(a, b);
    std::swap(la, lb);
  }
  if (la - lb > k) return k + 1;  // The length gap alone costs that much.
  if (lb == 0) return la;         // <= k by the test above.
  if (lb <= 64) return BitParallelDistance<kOsa>(b, lb, a, la, k);
  return BandedDistance<kOsa>(a, la, b, lb, k);
}

template <bool kOsa>
int EditDistanceOf(absl::string_view a, absl::string_view b, int max) {
  if (a == b) return 0;
  DecodedPair d;
  d.Decode(a, b);
  return d.Visit([max](const auto* pa, int la, const auto* pb, int lb) {
    // Clamping max to the largest possible distance keeps max + 1 from
    // overflowing and does not change min(distance, max + 1).
    const int k = std::min(std::max(max, 0), std::max(la, lb));
    return EditDistance<kOsa>(pa, la, pb, lb, k);
  });
}

// Length of the longest common subsequence: Allison-Dix/Hyyrö bit-parallel
// for a pattern of <= 64 codepoints, a one-row DP otherwise.
template <typename C>
int LcsLength(const C* a, int la, const C* b, int lb) {
  if (la < lb) {
    std::swap(a, b);
    std::swap(la, lb);
  }
  if (lb == 0) return 0;
  if (lb <= 64) {
    const PatternMasks<C> pm(b, lb, a, la);
    uint64_t s = ~uint64_t{0};
    for (int i = 0; i < la; ++i) {
      const uint64_t u = s & pm.Get(a[i]);
      s = (s + u) | (s - u);
    }
    const uint64_t mask = lb == 64 ? ~uint64_t{0} : (uint64_t{1} << lb) - 1;
    return __builtin_popcountll(~s & mask);
  }
  SmallBuffer<int, kInlineChars + 1> buf;
  int* row = buf.Reserve(lb + 1);
  std::fill(row, row + lb + 1, 0);
  for (int i = 0; i < la; ++i) {
    int diag = 0;  // row[j - 1] of the previous row.
    for (int j = 1; j <= lb; ++j) {
      const int up = row[j];
      row[j] = a[i] == b[j - 1] ? diag + 1 : std::max(up, row[j - 1]);
      diag = up;
    }
  }
  return row[lb];
}

// --- Tokens ------------------------------------------------------------------

// ' ', '\t', '\n', '\v', '\f', '\r' (the last five are 9..13).
bool IsAsciiSpace(char c) {
  return c == ' ' || static_cast<unsigned char>(c - '\t') <= '\r' - '\t';
}

// A token of a value: a view into it plus its first 8 bytes as a big-endian
// integer (zero-padded), so that most comparisons are one integer compare
// rather than a memcmp call. Trivial, so an array of them costs nothing to set
// up.
struct Token {
  uint64_t prefix;
  const char* data;
  size_t size;

  absl::string_view view() const { return absl::string_view(data, size); }
};

Token MakeToken(const char* p, size_t n) {
  uint64_t prefix = 0;
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n >= 8) {  // A fixed-size load; a variable memcpy would be a call.
    std::memcpy(&prefix, p, 8);
    return {__builtin_bswap64(prefix), p, n};
  }
#endif
  for (size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < n ? static_cast<unsigned char>(p[i]) : 0);
  }
  return {prefix, p, n};
}

// Bytewise (unsigned) order, as std::string's. Differing prefixes decide on
// their own: zero padding sorts a proper prefix first, as it should.
int CompareTokens(const Token& x, const Token& y) {
  if (x.prefix != y.prefix) return x.prefix < y.prefix ? -1 : 1;
  if (x.size == y.size && x.size <= 8) return 0;
  return x.view().compare(y.view());
}

// The distinct whitespace-separated tokens of a value, sorted bytewise.
class TokenSet {
 public:
  TokenSet() = default;
  explicit TokenSet(absl::string_view s) { Build(s); }
  TokenSet(const TokenSet&) = delete;
  TokenSet& operator=(const TokenSet&) = delete;

  void Build(absl::string_view s) {
    const char* p = s.data();
    const size_t n = s.size();
    // A value has at most (n + 1) / 2 tokens. Only when that bound passes
    // the inline capacity is it worth a counting pass: the heap is needed
    // only for really many tokens.
    size_t capacity = (n + 1) / 2;
    if (capacity > kInlineTokens) {
      capacity = 0;
      for (size_t i = 0; i < n; ++i) {
        capacity += !IsAsciiSpace(p[i]) && (i == 0 || IsAsciiSpace(p[i - 1]));
      }
    }
    tokens_ = buf_.Reserve(capacity);
    size_ = 0;
    for (size_t i = 0; i < n;) {
      while (i < n && IsAsciiSpace(p[i])) ++i;
      if (i == n) break;
      const size_t start = i;
      while (i < n && !IsAsciiSpace(p[i])) ++i;
      tokens_[size_++] = MakeToken(p + start, i - start);
    }
    std::sort(tokens_, tokens_ + size_, [](const Token& x, const Token& y) {
      return CompareTokens(x, y) < 0;
    });
    size_ = static_cast<int>(std::unique(tokens_, tokens_ + size_,
                                         [](const Token& x, const Token& y) {
                                           return CompareTokens(x, y) == 0;
                                         }) -
                             tokens_);
  }

  int size() const { return size_; }
  const Token& operator[](int i) const { return tokens_[i]; }

 private:
  SmallBuffer<Token, kInlineTokens> buf_;
  Token* tokens_ = nullptr;
  int size_ = 0;
};

double JaccardOf(const TokenSet& ta, const TokenSet& tb) {
  if (ta.size() == 0 && tb.size() == 0) return 1.0;
  int common = 0;
  for (int i = 0, j = 0; i < ta.size() && j < tb.size();) {
    const int c = CompareTokens(ta[i], tb[j]);
    i += c <= 0;
    j += c >= 0;
    common += c == 0;
  }
  return static_cast<double>(common) / (ta.size() + tb.size() - common);
}

// Appends tokens to a byte buffer, separated by single spaces.
class Joiner {
 public:
  explicit Joiner(size_t capacity) : data_(buf_.Reserve(capacity)) {}
  void Add(absl::string_view token) {
    if (size_ > 0) data_[size_++] = ' ';
    std::memcpy(data_ + size_, token.data(), token.size());
    size_ += token.size();
  }
  absl::string_view view() const { return absl::string_view(data_, size_); }

 private:
  SmallBuffer<char, kInlineChars> buf_;
  char* data_;
  size_t size_ = 0;
};

// Codepoints as DecodeUtf8 counts them (a bad byte is one codepoint).
int DecodedLength(absl::string_view s) {
  if (IsAscii(s)) return static_cast<int>(s.size());
  SmallBuffer<char32_t, kInlineChars> buf;
  return DecodeUtf8(s, buf.Reserve(s.size()));
}

// TokenSetRatio on token sets already built from a and b.
double TokenSetRatioOf(const TokenSet& ta, const TokenSet& tb, size_t a_size,
                       size_t b_size) {
  if (ta.size() == 0 && tb.size() == 0) return 1.0;
  if (ta.size() == 0 || tb.size() == 0) return 0.0;
  // Joined strings are never longer than their source value.
  Joiner sect(std::min(a_size, b_size)), diff_a(a_size), diff_b(b_size);
  bool any_common = false, any_diff_a = false, any_diff_b = false;
  for (int i = 0, j = 0; i < ta.size() || j < tb.size();) {
    const int c = i == ta.size()   ? 1
                  : j == tb.size() ? -1
                                   : CompareTokens(ta[i], tb[j]);
    if (c < 0) {
      diff_a.Add(ta[i++].view());
      any_diff_a = true;
    } else if (c > 0) {
      diff_b.Add(tb[j++].view());
      any_diff_b = true;
    } else {
      sect.Add(ta[i].view());
      any_common = true;
      ++i;
      ++j;
    }
  }
  // One token set inside the other: token_set_ratio's 100.
  if (any_common && (!any_diff_a || !any_diff_b)) return 1.0;

  // Lengths in codepoints. sect + " " + diff is compared with sect + " " +
  // diff' through their differing tails only (a common prefix adds nothing
  // to an indel distance).
  DecodedPair d;
  d.Decode(diff_a.view(), diff_b.view());
  int len_a = 0, len_b = 0;
  const int lcs =
      d.Visit([&len_a, &len_b](const auto* pa, int la, const auto* pb, int lb) {
        len_a = la;
        len_b = lb;
        return LcsLength(pa, la, pb, lb);
      });
  const int sect_len = any_common ? DecodedLength(sect.view()) : 0;
  const int sep = any_common ? 1 : 0;
  const double sect_a_len = sect_len + sep + len_a;
  const double sect_b_len = sect_len + sep + len_b;
  const double indel = len_a + len_b - 2.0 * lcs;
  double result = 1.0 - indel / (sect_a_len + sect_b_len);
  if (any_common) {
    // sect vs sect + " " + diff: an indel distance of the appended tail.
    result = std::max(result, 1.0 - (sep + len_a) / (sect_len + sect_a_len));
    result = std::max(result, 1.0 - (sep + len_b) / (sect_len + sect_b_len));
  }
  return result;
}

// --- Dates -------------------------------------------------------------------

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  if (month == 2 && (year == 0 || IsLeapYear(year))) return 29;
  return kDays[month - 1];
}

// Parses exactly `width` ASCII digits.
bool ParseDigits(absl::string_view s, int* out) {
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// --- Comparison levels -------------------------------------------------------

constexpr int kNumKinds = static_cast<int>(ComparatorKind::kElse) + 1;
constexpr int kNumParts = static_cast<int>(ValuePart::kEmailDomain) + 1;

absl::string_view EmailPartOf(absl::string_view v, ValuePart part) {
  if (part == ValuePart::kEmailLocal) {
    const size_t at = v.find('@');
    return at == absl::string_view::npos ? v : v.substr(0, at);
  }
  const size_t at = v.rfind('@');
  return at == absl::string_view::npos ? absl::string_view() : v.substr(at + 1);
}

// Nearly every level looks at the whole value: keep that case inline.
inline absl::string_view PartOf(absl::string_view v, ValuePart part) {
  return part == ValuePart::kWhole ? v : EmailPartOf(v, part);
}

// Evaluates the levels of one comparison for one pair, computing each
// (part, comparator) value at most once and decoding each part at most once
// in a row.
class LevelEvaluator {
 public:
  // sa and sb, when given, are the sketches of the whole values.
  LevelEvaluator(const std::vector<ComparisonLevelSpec>& levels,
                 absl::string_view a, absl::string_view b,
                 const CharSketch* sa = nullptr, const CharSketch* sb = nullptr)
      : levels_(levels), a_(a), b_(b), whole_a_(sa), whole_b_(sb) {}

  bool Holds(const ComparisonLevelSpec& level) {
    const ComparatorKind kind = level.kind;
    if (kind == ComparatorKind::kElse) return true;
    const absl::string_view a = PartOf(a_, level.part);
    const absl::string_view b = PartOf(b_, level.part);
    if (kind == ComparatorKind::kNull) return a.empty() || b.empty();
    if (a.empty() || b.empty()) return false;
    switch (kind) {
      case ComparatorKind::kExact:
        return a == b;
      case ComparatorKind::kJaroWinkler:
      case ComparatorKind::kJaccardTokens:
      case ComparatorKind::kTokenSetRatio:
        return Value(level, a, b) >= level.threshold;
      case ComparatorKind::kLevenshtein:
      case ComparatorKind::kDamerauLevenshtein:
      case ComparatorKind::kNumeric:
        return Value(level, a, b) <= level.threshold;
      case ComparatorKind::kDate:
      case ComparatorKind::kDateDayMonthSwap:
      case ComparatorKind::kDateSingleDigitTypo:
      case ComparatorKind::kDateSameYearMonth: {
        const Dates& d = DatesOf(level.part, a, b);
        if (!d.ok) return false;
        switch (kind) {
          case ComparatorKind::kDate: {
            return d.days >= 0 && d.days <= level.threshold;
          }
          case ComparatorKind::kDateDayMonthSwap:
            return IsDayMonthSwap(d.a, d.b);
          case ComparatorKind::kDateSingleDigitTypo:
            return IsSingleDigitTypo(d.a, d.b);
          default:
            return SameYearMonth(d.a, d.b);
        }
      }
      case ComparatorKind::kNull:
      case ComparatorKind::kElse:
        break;
    }
    return false;
  }

 private:
  struct Dates {
    bool parsed = false;
    bool ok = false;
    CivilDay a, b;
    int days = -1;  // AbsDaysBetween(a, b) once parsed.
  };

  // The comparator's value for this part, computed on first use.
  double Value(const ComparisonLevelSpec& level, absl::string_view a,
               absl::string_view b) {
    const int p = static_cast<int>(level.part);
    const int k = static_cast<int>(level.kind);
    const uint32_t bit = uint32_t{1} << k;
    if (have_[p] & bit) return values_[p][k];
    double v = 0;
    switch (level.kind) {
      case ComparatorKind::kJaroWinkler: {
        // Below the lowest threshold every level of this kind fails alike,
        // so a bound under it serves as the value.
        const double lowest = MinThreshold(level.kind, level.part);
        const int shared = Shared(level.part, a, b);
        v = Decoded(level.part, a, b)
                .Visit([lowest, shared](const auto* pa, int la, const auto* pb,
                                        int lb) {
                  const double bound =
                      JaroWinklerBound(pa, la, pb, lb, 0.1, shared);
                  return bound < lowest
                             ? bound
                             : JaroWinklerImpl(pa, la, pb, lb, 0.1);
                });
        break;
      }
      case ComparatorKind::kLevenshtein:
      case ComparatorKind::kDamerauLevenshtein: {
        // One bounded run serves every level of this kind: bound it by the
        // loosest threshold. A bag distance past it settles them all.
        const int max = MaxIntThreshold(level.kind, level.part);
        const bool osa = level.kind == ComparatorKind::kDamerauLevenshtein;
        const int shared = Shared(level.part, a, b);
        v = Decoded(level.part, a, b)
                .Visit([max, osa, shared](const auto* pa, int la,
                                          const auto* pb, int lb) {
                  const int bag = std::max(la, lb) - shared;
                  if (bag > max) return bag;
                  const int k = std::min(max, std::max(la, lb));
                  return osa ? EditDistance<true>(pa, la, pb, lb, k)
                             : EditDistance<false>(pa, la, pb, lb, k);
                });
        break;
      }
      case ComparatorKind::kJaccardTokens: {
        const TokenSets& t = Tokens(level.part, a, b);
        v = JaccardOf(t.a, t.b);
        break;
      }
      case ComparatorKind::kTokenSetRatio: {
        const TokenSets& t = Tokens(level.part, a, b);
        v = TokenSetRatioOf(t.a, t.b, a.size(), b.size());
        break;
      }
      case ComparatorKind::kNumeric: {
        double x, y;
        v = absl::SimpleAtod(a, &x) && absl::SimpleAtod(b, &y)
                ? RelativeDifference(x, y)
                : std::numeric_limits<double>::infinity();
        break;
      }
      default:
        break;
    }
    have_[p] |= bit;
    values_[p][k] = v;
    return v;
  }

  int MaxIntThreshold(ComparatorKind kind, ValuePart part) const {
    double t = 0;
    for (const ComparisonLevelSpec& l : levels_) {
      if (l.kind == kind && l.part == part) t = std::max(t, l.threshold);
    }
    // NaN thresholds fall out as 0 through std::max's comparison.
    return t >= 1e6 ? 1000000 : static_cast<int>(std::floor(t));
  }

  double MinThreshold(ComparatorKind kind, ValuePart part) const {
    double t = std::numeric_limits<double>::infinity();
    for (const ComparisonLevelSpec& l : levels_) {
      if (l.kind == kind && l.part == part) t = std::min(t, l.threshold);
    }
    return t;
  }

  const DecodedPair& Decoded(ValuePart part, absl::string_view a,
                             absl::string_view b) {
    if (decoded_part_ != static_cast<int>(part)) {
      decoded_.Decode(a, b);
      decoded_part_ = static_cast<int>(part);
      shared_ = -1;
    }
    return decoded_;
  }

  // SharedCodepointsBound of this part's values, computed once.
  int Shared(ValuePart part, absl::string_view a, absl::string_view b) {
    const DecodedPair& d = Decoded(part, a, b);
    if (shared_ < 0) {
      if (part == ValuePart::kWhole && whole_a_ != nullptr &&
          whole_b_ != nullptr) {
        shared_ = SharedCodepointsBound(*whole_a_, *whole_b_);
      } else {
        shared_ = d.Visit([](const auto* pa, int la, const auto* pb, int lb) {
          return SharedCodepointsBound(SketchOfCodepoints(pa, la),
                                       SketchOfCodepoints(pb, lb));
        });
      }
    }
    return shared_;
  }

  // Both token sets of this part, shared by the Jaccard and token-set levels.
  struct TokenSets {
    TokenSet a, b;
  };
  const TokenSets& Tokens(ValuePart part, absl::string_view a,
                          absl::string_view b) {
    if (tokens_part_ != static_cast<int>(part)) {
      tokens_.a.Build(a);
      tokens_.b.Build(b);
      tokens_part_ = static_cast<int>(part);
    }
    return tokens_;
  }

  const Dates& DatesOf(ValuePart part, absl::string_view a,
                       absl::string_view b) {
    Dates& d = dates_[static_cast<int>(part)];
    if (!d.parsed) {
      d.parsed = true;
      d.ok = ParseCivilDay(a, &d.a) && ParseCivilDay(b, &d.b);
      // Every distance level reads the same difference.
      if (d.ok) d.days = AbsDaysBetween(d.a, d.b);
    }
    return d;
  }

  const std::vector<ComparisonLevelSpec>& levels_;
  const absl::string_view a_, b_;
  const CharSketch* const whole_a_;
  const CharSketch* const whole_b_;
  uint32_t have_[kNumParts] = {};
  double values_[kNumParts][kNumKinds];
  Dates dates_[kNumParts];
  int decoded_part_ = -1;
  DecodedPair decoded_;
  int shared_ = -1;  // Shared() of decoded_, or -1 until asked.
  int tokens_part_ = -1;
  TokenSets tokens_;
};

}  // namespace

// --- Public string functions -------------------------------------------------

CharSketch SketchOf(absl::string_view utf8) {
  if (IsAscii(utf8)) {
    return SketchOfCodepoints(reinterpret_cast<const unsigned char*>(utf8.data()),
                              static_cast<int>(utf8.size()));
  }
  SmallBuffer<char32_t, kInlineChars> buffer;
  buffer.Reserve(utf8.size());
  const int n = static_cast<int>(DecodeUtf8(utf8, buffer.data()));
  return SketchOfCodepoints(buffer.data(), n);
}

double Jaro(absl::string_view a, absl::string_view b) {
  if (a == b) return 1.0;
  DecodedPair d;
  d.Decode(a, b);
  return d.Visit([](const auto* pa, int la, const auto* pb, int lb) {
    return JaroImpl(pa, la, pb, lb);
  });
}

double JaroWinkler(absl::string_view a, absl::string_view b,
                   double prefix_scale) {
  if (a == b) return 1.0;
  const double scale = ClampPrefixScale(prefix_scale);
  DecodedPair d;
  d.Decode(a, b);
  return d.Visit([scale](const auto* pa, int la, const auto* pb, int lb) {
    return JaroWinklerImpl(pa, la, pb, lb, scale);
  });
}

int Levenshtein(absl::string_view a, absl::string_view b) {
  return EditDistanceOf<false>(a, b, std::numeric_limits<int>::max());
}

int LevenshteinBounded(absl::string_view a, absl::string_view b, int max) {
  return EditDistanceOf<false>(a, b, max);
}

int DamerauLevenshtein(absl::string_view a, absl::string_view b) {
  return EditDistanceOf<true>(a, b, std::numeric_limits<int>::max());
}

int DamerauLevenshteinBounded(absl::string_view a, absl::string_view b,
                              int max) {
  return EditDistanceOf<true>(a, b, max);
}

double JaccardTokens(absl::string_view a, absl::string_view b) {
  const TokenSet ta(a), tb(b);
  return JaccardOf(ta, tb);
}

double TokenSetRatio(absl::string_view a, absl::string_view b) {
  const TokenSet ta(a), tb(b);
  return TokenSetRatioOf(ta, tb, a.size(), b.size());
}

// --- Dates -------------------------------------------------------------------

bool ParseCivilDay(absl::string_view s, CivilDay* out) {
  if (s.size() != 4 && s.size() != 7 && s.size() != 10) return false;
  int year = 0, month = 0, day = 0;
  if (!ParseDigits(s.substr(0, 4), &year)) return false;
  if (s.size() >= 7 && (s[4] != '-' || !ParseDigits(s.substr(5, 2), &month))) {
    return false;
  }
  if (s.size() == 10 && (s[7] != '-' || !ParseDigits(s.substr(8, 2), &day))) {
    return false;
  }
  if (month > 12) return false;
  // With the month unknown, any day up to 31 may exist.
  if (day > (month == 0 ? 31 : DaysInMonth(year, month))) return false;
  out->year = static_cast<int16_t>(year);
  out->month = static_cast<int8_t>(month);
  out->day = static_cast<int8_t>(day);
  return true;
}

int32_t DaysSinceEpoch(const CivilDay& d) {
  // Howard Hinnant's days_from_civil; unknown parts count as 1.
  int y = d.year;
  const int m = d.month > 0 ? d.month : 1;
  const int day = d.day > 0 ? d.day : 1;
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int AbsDaysBetween(const CivilDay& a, const CivilDay& b) {
  if (!a.complete() || !b.complete()) return -1;
  const int32_t diff = DaysSinceEpoch(a) - DaysSinceEpoch(b);
  return diff < 0 ? -diff : diff;
}

bool IsDayMonthSwap(const CivilDay& a, const CivilDay& b) {
  return a.complete() && b.complete() && a.year == b.year && a.month == b.day &&
         a.day == b.month && a.month != a.day;
}

bool SameYearMonth(const CivilDay& a, const CivilDay& b) {
  return a.year > 0 && a.month > 0 && a.year == b.year && a.month == b.month;
}

bool IsSingleDigitTypo(const CivilDay& a, const CivilDay& b) {
  if (!a.complete() || !b.complete()) return false;
  // One digit of YYYYMMDD lies in one component: the other two must agree,
  // and this one must differ in exactly one of its decimal digits.
  int x, y;
  if (a.year != b.year) {
    if (a.month != b.month || a.day != b.day) return false;
    x = a.year;
    y = b.year;
  } else if (a.month != b.month) {
    if (a.day != b.day) return false;
    x = a.month;
    y = b.month;
  } else {
    x = a.day;
    y = b.day;
  }
  int differing = 0;
  for (; x != 0 || y != 0; x /= 10, y /= 10) differing += x % 10 != y % 10;
  return differing == 1;
}

// --- Numbers -----------------------------------------------------------------

double RelativeDifference(double a, double b) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (std::isnan(a) || std::isnan(b)) return kInf;
  if (a == b) return 0.0;
  if (std::isinf(a) || std::isinf(b)) return kInf;
  return std::fabs(a - b) / std::max(std::fabs(a), std::fabs(b));
}

// --- Comparison levels -------------------------------------------------------

ComparisonLevelSpec MakeLevel(ComparatorKind kind, double threshold,
                              ValuePart part) {
  return {kind, threshold, LevelLabel(kind, threshold, part), part};
}

std::string LevelLabel(ComparatorKind kind, double threshold, ValuePart part) {
  const char* prefix = "";
  switch (part) {
    case ValuePart::kWhole:
      break;
    case ValuePart::kEmailLocal:
      prefix = "email_local ";
      break;
    case ValuePart::kEmailDomain:
      prefix = "email_domain ";
      break;
  }
  switch (kind) {
    case ComparatorKind::kNull:
      return "null";
    case ComparatorKind::kElse:
      return "else";
    case ComparatorKind::kExact:
      return absl::StrCat(prefix, "exact");
    case ComparatorKind::kJaroWinkler:
      return absl::StrCat(prefix, "jaro_winkler >= ", threshold);
    case ComparatorKind::kLevenshtein:
      return absl::StrCat(prefix, "levenshtein <= ", threshold);
    case ComparatorKind::kDamerauLevenshtein:
      return absl::StrCat(prefix, "damerau_levenshtein <= ", threshold);
    case ComparatorKind::kJaccardTokens:
      return absl::StrCat(prefix, "jaccard_tokens >= ", threshold);
    case ComparatorKind::kTokenSetRatio:
      return absl::StrCat(prefix, "token_set_ratio >= ", threshold);
    case ComparatorKind::kDate:
      return absl::StrCat(prefix, "abs_date_difference_days <= ", threshold);
    case ComparatorKind::kDateDayMonthSwap:
      return absl::StrCat(prefix, "date_day_month_swap");
    case ComparatorKind::kDateSingleDigitTypo:
      return absl::StrCat(prefix, "date_single_digit_typo");
    case ComparatorKind::kDateSameYearMonth:
      return absl::StrCat(prefix, "date_same_year_month");
    case ComparatorKind::kNumeric:
      return absl::StrCat(prefix, "relative_difference <= ", threshold);
  }
  return "unknown";
}

absl::StatusOr<ComparisonLevelSpec> ParseLevelLabel(absl::string_view label) {
  absl::string_view rest = label;
  ValuePart part = ValuePart::kWhole;
  if (absl::ConsumePrefix(&rest, "email_local ")) {
    part = ValuePart::kEmailLocal;
  } else if (absl::ConsumePrefix(&rest, "email_domain ")) {
    part = ValuePart::kEmailDomain;
  }
  static constexpr struct {
    const char* name;
    ComparatorKind kind;
    const char* op;  // Before the threshold, or "" for none.
  } kKinds[] = {
      {"null", ComparatorKind::kNull, ""},
      {"else", ComparatorKind::kElse, ""},
      {"exact", ComparatorKind::kExact, ""},
      {"jaro_winkler", ComparatorKind::kJaroWinkler, " >= "},
      {"levenshtein", ComparatorKind::kLevenshtein, " <= "},
      {"damerau_levenshtein", ComparatorKind::kDamerauLevenshtein, " <= "},
      {"jaccard_tokens", ComparatorKind::kJaccardTokens, " >= "},
      {"token_set_ratio", ComparatorKind::kTokenSetRatio, " >= "},
      {"abs_date_difference_days", ComparatorKind::kDate, " <= "},
      {"date_day_month_swap", ComparatorKind::kDateDayMonthSwap, ""},
      {"date_single_digit_typo", ComparatorKind::kDateSingleDigitTypo, ""},
      {"date_same_year_month", ComparatorKind::kDateSameYearMonth, ""},
      {"relative_difference", ComparatorKind::kNumeric, " <= "},
  };
  for (const auto& k : kKinds) {
    absl::string_view after = rest;
    if (!absl::ConsumePrefix(&after, k.name)) continue;
    double threshold = 0;
    if (*k.op == '\0') {
      if (!after.empty()) continue;  // "levenshtein" is a prefix of others.
    } else if (!absl::ConsumePrefix(&after, k.op) ||
               !absl::SimpleAtod(after, &threshold) ||
               !std::isfinite(threshold)) {
      continue;
    }
    ComparisonLevelSpec spec = MakeLevel(k.kind, threshold, part);
    // Only the canonical spelling: the label is what the level is called.
    if (spec.label == label) return spec;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", label, "' is not a comparison level"));
}

namespace {

int LevelOfImpl(const std::vector<ComparisonLevelSpec>& levels,
                absl::string_view a, absl::string_view b, const CharSketch* sa,
                const CharSketch* sb) {
  const int n = static_cast<int>(levels.size());
  int i = 0;
  // The leading null and exact levels settle most pairs and need no scratch
  // state: test them before setting any up.
  for (; i < n; ++i) {
    const ComparisonLevelSpec& level = levels[i];
    if (level.part != ValuePart::kWhole) break;
    if (level.kind == ComparatorKind::kNull) {
      if (a.empty() || b.empty()) return i;
    } else if (level.kind == ComparatorKind::kExact) {
      if (!a.empty() && !b.empty() && a == b) return i;
    } else if (level.kind == ComparatorKind::kElse) {
      return i;
    } else {
      break;
    }
  }
  if (i == n) return n - 1;
  LevelEvaluator evaluator(levels, a, b, sa, sb);
  for (; i < n; ++i) {
    if (evaluator.Holds(levels[i])) return i;
  }
  return n - 1;
}

}  // namespace

int Comparison::LevelOf(absl::string_view a, absl::string_view b) const {
  return LevelOfImpl(levels, a, b, nullptr, nullptr);
}

int Comparison::LevelOf(absl::string_view a, absl::string_view b,
                        const CharSketch& sa, const CharSketch& sb) const {
  return LevelOfImpl(levels, a, b, &sa, &sb);
}

absl::Status Comparison::Validate() const {
  if (levels.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "comparison '", name, "': needs a null and an else level"));
  }
  for (size_t i = 0; i < levels.size(); ++i) {
    const ComparisonLevelSpec& l = levels[i];
    const bool first = i == 0, last = i + 1 == levels.size();
    if (first != (l.kind == ComparatorKind::kNull)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "comparison '", name, "': the null level must be level 0 only"));
    }
    if (last != (l.kind == ComparatorKind::kElse)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "comparison '", name, "': the else level must be the last only"));
    }
    if (!std::isfinite(l.threshold)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "comparison '", name, "': level ", i, " has a non-finite threshold"));
    }
    const bool edit = l.kind == ComparatorKind::kLevenshtein ||
                      l.kind == ComparatorKind::kDamerauLevenshtein;
    if (edit && l.threshold < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "comparison '", name, "': level ", i, " has a negative distance"));
    }
  }
  return absl::OkStatus();
}

Comparison NameComparison(std::string field_name) {
  using K = ComparatorKind;
  return {std::move(field_name),
          {MakeLevel(K::kNull), MakeLevel(K::kExact),
           MakeLevel(K::kJaroWinkler, 0.92), MakeLevel(K::kJaroWinkler, 0.88),
           MakeLevel(K::kDamerauLevenshtein, 2), MakeLevel(K::kElse)}};
}

Comparison FullNameComparison(std::string field_name) {
  using K = ComparatorKind;
  return {
      std::move(field_name),
      {MakeLevel(K::kNull), MakeLevel(K::kExact),
       MakeLevel(K::kJaccardTokens, 1), MakeLevel(K::kJaroWinkler, 0.92),
       MakeLevel(K::kTokenSetRatio, 0.85), MakeLevel(K::kDamerauLevenshtein, 2),
       MakeLevel(K::kJaccardTokens, 0.5), MakeLevel(K::kElse)}};
}

Comparison EmailComparison(std::string field_name) {
  using K = ComparatorKind;
  const ValuePart local = ValuePart::kEmailLocal;
  return {std::move(field_name),
          {MakeLevel(K::kNull), MakeLevel(K::kExact),
           MakeLevel(K::kExact, 0, local), MakeLevel(K::kJaroWinkler, 0.88),
           MakeLevel(K::kDamerauLevenshtein, 2, local), MakeLevel(K::kElse)}};
}

Comparison DateComparison(std::string field_name) {
  using K = ComparatorKind;
  return {
      std::move(field_name),
      {MakeLevel(K::kNull), MakeLevel(K::kExact),
       MakeLevel(K::kDateDayMonthSwap), MakeLevel(K::kDateSingleDigitTypo),
       MakeLevel(K::kDate, 31), MakeLevel(K::kDate, 366),
       MakeLevel(K::kDate, 3653), MakeLevel(K::kElse)}};
}

Comparison ExactComparison(std::string field_name) {
  using K = ComparatorKind;
  return {std::move(field_name),
          {MakeLevel(K::kNull), MakeLevel(K::kExact), MakeLevel(K::kElse)}};
}

}  // namespace idr::matching
