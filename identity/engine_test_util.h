// Shared by the engine's tests: a small graph schema with a hand-set model
// (so tests do not depend on what EM learns) and a record builder.

#ifndef IDR_IDENTITY_ENGINE_TEST_UTIL_H_
#define IDR_IDENTITY_ENGINE_TEST_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "identity/engine.h"

namespace idr::identity::testing_util {

// Fields given_name, family_name, birth_date, email, phone, loyalty_id,
// city. Exact agreement weighs about +9.8 bits, disagreement about -5.6,
// every rule's prior is -6.6 bits; no term-frequency adjustment. Threshold
// 0.5.
GraphSchema TestSchema();

SourceRecord Rec(std::string source_id, Channel channel,
                 std::vector<std::pair<std::string, std::string>> values);

}  // namespace idr::identity::testing_util

#endif  // IDR_IDENTITY_ENGINE_TEST_UTIL_H_
