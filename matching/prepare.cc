#include "matching/prepare.h"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "matching/names.h"

namespace idr::matching {
namespace {

// XXH3 of a value; never 0, which blocking reserves for "no key".
uint64_t NonZeroHash(absl::string_view text) {
  uint64_t hash = XXH3_64bits(text.data(), text.size());
  return hash == 0 ? 1 : hash;
}

// Types whose values repeat across records and meet fuzzy comparators:
// their columns keep a CharSketch per value.
bool KeepsSketches(FieldType type) {
  switch (type) {
    case FieldType::kGivenName:
    case FieldType::kFamilyName:
    case FieldType::kFullName:
    case FieldType::kCity:
    case FieldType::kCountry:
    case FieldType::kEmail:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string SortedTokens(absl::string_view folded) {
  std::vector<absl::string_view> tokens =
      absl::StrSplit(folded, ' ', absl::SkipEmpty());
  std::sort(tokens.begin(), tokens.end());
  return absl::StrJoin(tokens, " ");
}

ColumnPreparer::ColumnPreparer(std::string column, FieldType type,
                               const PrepareOptions& options)
    : options_(options) {
  out_.column = std::move(column);
  out_.type = type;
  phone_.default_region = options.phone_region;
}

std::string ColumnPreparer::Normalize(
    absl::string_view raw, std::vector<std::string>* name_keys) const {
  switch (out_.type) {
    case FieldType::kGivenName:
    case FieldType::kFamilyName:
    case FieldType::kFullName: {
      std::string folded;
      if (options_.names != nullptr) {
        const NameNormalizer& names = *options_.names;
        NameForms forms =
            out_.type == FieldType::kGivenName    ? names.Normalize(raw, "")
            : out_.type == FieldType::kFamilyName ? names.Normalize("", raw)
                                                  : names.Normalize(raw);
        folded = std::move(forms.folded);
        *name_keys = out_.type == FieldType::kFamilyName
                         ? std::move(forms.family_keys)
                         : std::move(forms.romanisations);
        if (out_.type == FieldType::kFullName) {
          for (std::string& key : forms.sorted_keys)
            name_keys->push_back(std::move(key));
          // "LI Wing Wai; Tony" and "Tony Li" meet on family + Western name.
          if (!forms.family.empty() && !forms.western_given.empty()) {
            name_keys->push_back(
                absl::StrCat(forms.family, "|", forms.western_given));
          }
        }
      } else {
        folded = FoldText(raw);
        if (!folded.empty()) name_keys->push_back(SortedTokens(folded));
      }
      return folded;
    }
    case FieldType::kBirthDate: {
      absl::StatusOr<NormalizedDate> date = ParseDate(raw, options_.date_order);
      return date.ok() ? FormatIsoDate(*date) : "";
    }
    case FieldType::kGender:
      return NormalizeGender(raw);
    case FieldType::kEmail: {
      std::string email = NormalizeEmail(raw);
      return IsLikelyJunkEmail(email) ? "" : email;
    }
    case FieldType::kPhone:
      return NormalizePhone(raw, phone_);
    case FieldType::kStreet:
      return NormalizeStreet(raw);
    case FieldType::kPostcode:
      return NormalizePostcode(raw);
    case FieldType::kLoyaltyId:
      return NormalizeLoyaltyId(raw);
    case FieldType::kLoginId:
    case FieldType::kDeviceId:
    case FieldType::kNationalId:
      return NormalizeIdentifier(raw);
    case FieldType::kCity:
    case FieldType::kCountry:
    case FieldType::kString:
    case FieldType::kExact:
      return FoldText(raw);
  }
  return FoldText(raw);
}

int32_t ColumnPreparer::Intern(std::string normalised,
                               std::vector<std::string>& name_keys) {
  auto [it, inserted] =
      by_value_.emplace(normalised, static_cast<int32_t>(out_.values.size()));
  if (!inserted) return it->second;
  int32_t id = it->second;
  out_.value_hashes.push_back(NonZeroHash(normalised));
  out_.values.push_back(normalised);
  out_.counts.push_back(0);
  if (KeepsSketches(out_.type)) out_.sketches.push_back(SketchOf(normalised));
  if (out_.type == FieldType::kBirthDate) {
    CivilDay day;
    ParseCivilDay(normalised, &day);
    out_.dates.push_back(day);
  }
  if (out_.type == FieldType::kGivenName ||
      out_.type == FieldType::kFamilyName ||
      out_.type == FieldType::kFullName) {
    std::vector<int32_t> key_ids;
    for (std::string& key : name_keys) {
      if (key.empty()) continue;
      const uint64_t hash = NonZeroHash(key);
      auto [key_it, added] =
          name_key_ids_.emplace(std::move(key), name_key_ids_.size());
      if (added) out_.name_key_hashes.push_back(hash);
      key_ids.push_back(key_it->second);
    }
    // Keep the normaliser's order (blocking takes the keys by position).
    std::vector<int32_t> unique;
    for (int32_t id : key_ids) {
      if (std::find(unique.begin(), unique.end(), id) == unique.end()) {
        unique.push_back(id);
      }
    }
    key_ids = std::move(unique);
    out_.name_keys.push_back(std::move(key_ids));
  }
  return id;
}

void ColumnPreparer::Add(absl::string_view raw) {
  if (raw.empty()) {
    raw_ids_.push_back(-1);
    return;
  }
  auto it = by_raw_.find(raw);
  if (it == by_raw_.end()) {
    raws_.emplace_back(raw);
    it = by_raw_.emplace(raws_.back(), static_cast<int32_t>(raws_.size() - 1))
             .first;
  }
  raw_ids_.push_back(it->second);
}

void ColumnPreparer::NormalizeAdded() {
  const size_t n = raws_.size();
  for (size_t i = normalized_.size(); i < n; ++i) {
    normalized_keys_.emplace_back();
    normalized_.push_back(Normalize(raws_[i], &normalized_keys_.back()));
  }
}

PreparedColumn ColumnPreparer::Finish(int threads) {
  // Normalise each distinct raw value once, in parallel (the normalisers are
  // thread-safe); intern the results in raw-value order, so the ids do not
  // depend on the thread count.
  const size_t n = raws_.size();
  const size_t done = normalized_.size();
  std::vector<std::string>& normalised = normalized_;
  std::vector<std::vector<std::string>>& name_keys = normalized_keys_;
  normalised.resize(n);
  name_keys.resize(n);
  std::atomic<size_t> next{done};
  auto work = [&] {
    constexpr size_t kChunk = 256;
    for (size_t begin; (begin = next.fetch_add(kChunk)) < n;) {
      for (size_t i = begin; i < std::min(n, begin + kChunk); ++i) {
        normalised[i] = Normalize(raws_[i], &name_keys[i]);
      }
    }
  };
  std::vector<std::thread> pool;
  if (n - done > 1024) {
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  }
  work();
  for (std::thread& t : pool) t.join();

  std::vector<int32_t> value_of_raw(n);
  for (size_t i = 0; i < n; ++i) {
    value_of_raw[i] = normalised[i].empty()
                          ? -1
                          : Intern(std::move(normalised[i]), name_keys[i]);
  }
  out_.ids.reserve(raw_ids_.size());
  for (int32_t raw : raw_ids_) {
    int32_t id = raw < 0 ? -1 : value_of_raw[raw];
    if (raw >= 0 && id < 0) ++out_.junk;
    if (id >= 0) {
      ++out_.counts[id];
      ++out_.present;
    }
    out_.ids.push_back(id);
  }
  out_.log2_frequency.resize(out_.counts.size());
  for (size_t id = 0; id < out_.counts.size(); ++id) {
    out_.log2_frequency[id] =
        static_cast<float>(std::log2(out_.Frequency(static_cast<int32_t>(id))));
  }
  // The raw values and lookup maps are not needed any more: free them now,
  // not when the caller drops the preparer (a million-record file holds
  // hundreds of megabytes in them).
  std::deque<std::string>().swap(raws_);
  decltype(by_raw_)().swap(by_raw_);
  std::vector<int32_t>().swap(raw_ids_);
  std::vector<std::string>().swap(normalized_);
  std::vector<std::vector<std::string>>().swap(normalized_keys_);
  decltype(by_value_)().swap(by_value_);
  decltype(name_key_ids_)().swap(name_key_ids_);
  return std::move(out_);
}

}  // namespace idr::matching
