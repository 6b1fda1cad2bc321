#!/usr/bin/env bash
# README command 2: set everything up, then build and run the whole test suite:
# every test in the normal (-c opt) build, then the unit and end-to-end tests
# under AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer,
# then ThreadSanitizer on the tests that do not run gRPC (see docs/building.md).
# Set IDR_SANITIZERS="" to skip the sanitizer passes.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || exit 1
# The shared data sets beside the clone feed the quality tests.
if [[ -z ${IDR_SHARED_DATASETS-} && -d ../shared/datasets ]]; then
  export IDR_SHARED_DATASETS="$(cd ../shared/datasets && pwd)"
fi

configs=(default ${IDR_SANITIZERS-asan ubsan tsan})
passed=0
failed=0
for config in "${configs[@]}"; do
  flags=()
  [[ $config == default ]] || flags=(--config="$config")
  echo "=== bazel test ${flags[*]} //..." >&2
  log=$(mktemp)
  bazel test "${flags[@]}" //... 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  # "Executed 9 out of 9 tests: 9 tests pass." / "...: 8 tests pass and 1 fails locally."
  summary=$(grep -E '^Executed [0-9]+ out of [0-9]+ test' "$log" | tail -1)
  rm -f "$log"
  total=$(sed -E 's/^Executed [0-9]+ out of ([0-9]+) test.*/\1/' <<<"$summary")
  ok=$(grep -oE '[0-9]+ tests? pass' <<<"$summary" | grep -oE '^[0-9]+')
  total=${total:-0}
  ok=${ok:-0}
  passed=$((passed + ok))
  if ((status != 0)); then
    # A target that fails to build counts as a failed test too.
    bad=$((total - ok))
    ((bad > 0)) || bad=1
    failed=$((failed + bad))
    echo "=== $config: FAILED" >&2
  fi
done
echo "bazel: ${passed} passed, ${failed} failed"
((failed == 0))
