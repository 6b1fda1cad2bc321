// Synthetic customer records with ground truth, for benchmarking and testing
// identity resolution (`idr gen`). The noise model and every rate below are
// documented in docs/generator.md; the defaults here are that model.

#ifndef IDR_TOOLS_GEN_GENERATOR_H_
#define IDR_TOOLS_GEN_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace idr::gen {

// Knobs of the generator. Rates are probabilities in [0, 1]; "per record"
// rates apply to records that carry the field concerned.
struct GenOptions {
  int64_t records = 1000;  // exactly this many rows are written
  uint64_t seed = 42;      // same seed + same options => byte-identical output
  std::string name_seeds_dir;  // dir with faker_person_names.csv etc.; empty =>
                               // built-in lists only

  // --- Population (drawn per customer, or per household where stated) ---
  double chinese_share = 0.40;  // customers who are Chinese (per household)
  double loyalty_member_rate = 0.55;  // customers holding a loyalty card
  double account_rate = 0.65;  // customers with an online account (login_id)
  double move_rate = 0.12;     // households that move once
  double phone_change_rate = 0.10;  // customers who change mobile number once
  double email_change_rate = 0.08;  // customers who switch email address once
  double household_phone_rate =
      0.60;  // multi-person households with a home phone
  double household_phone_use_rate =
      0.30;  // their members' phone cells giving it
  double household_device_rate =
      0.35;  // multi-person households sharing a device
  double household_device_use_rate =
      0.30;  // their members' device cells giving it

  // --- Name noise (per record with a name) ---
  double typo_rate = 0.03;              // one typo in a name (web, app, store)
  double call_center_typo_rate = 0.15;  // dictation misspelling (call_center)
  double name_swap_rate =
      0.04;  // given/family swapped (records with split names)
  double nickname_rate = 0.30;  // nickname used (given names that have one)
  double honorific_rate =
      0.08;  // title in full_name (Mr, Ms, 先生, 女士, 小姐)
  double name_case_rate = 0.08;  // Latin name all upper or all lower case
  double romanised_rate = 0.45;  // Chinese customer's name written in pinyin
  double other_script_rate =
      0.15;  // Chinese-character name in the other script

  // --- Contact and date noise (per record with the field) ---
  double email_case_rate = 0.05;         // email with changed letter case
  double gmail_dot_rate = 0.15;          // gmail.com local part with dots moved
  double plus_tag_rate = 0.05;           // +tag added (gmail, outlook, icloud)
  double email_domain_typo_rate = 0.01;  // misspelt domain (gmial.com)
  double dob_swap_rate =
      0.03;  // day and month swapped (when day <= 12, != month)
  double dob_typo_rate = 0.01;        // year or day off by one
  double address_format_rate = 0.25;  // abbreviated / unit dropped / full-width
  double address_typo_rate = 0.02;    // one typo in the street
  double romanised_address_rate = 0.20;  // Chinese address in pinyin/English

  // --- Junk values (per record with the field) ---
  double junk_email_rate = 0.02;   // test@test.com, noemail@none.com, ...
  double agent_email_rate = 0.05;  // call_center: the agent's own email
  double junk_phone_rate = 0.015;  // 0000000000, 1234567890, ...
  double store_phone_rate = 0.04;  // store: the store's own phone

  // Appends two columns for tests and generator debugging only (never give
  // them to a matcher): household_id and noise (';'-joined tags naming the
  // noise applied to the row). The other columns are unchanged by it.
  bool debug_columns = false;

  // Optional progress: called with the rows written so far, every 65,536
  // rows and once at the end.
  std::function<void(int64_t rows_done)> progress;
};

// Writes the header and exactly options.records rows to `out` as RFC 4180
// CSV with LF line ends, UTF-8:
//   record_id,truth_id,channel,observed_at,given_name,family_name,full_name,
//   birth_date,gender,email,phone,loyalty_id,login_id,device_id,street,city,
//   postcode,country
// Rows are in random order (never grouped by customer); an empty cell means
// missing. Returns InvalidArgumentError for records <= 0, a rate outside
// [0, 1], or an unreadable/malformed name_seeds_dir; InternalError if ICU or
// OpenCC cannot be initialised; DataLossError if writing to `out` fails.
absl::Status GenerateCsv(const GenOptions& options, std::ostream& out);

}  // namespace idr::gen

#endif  // IDR_TOOLS_GEN_GENERATOR_H_
