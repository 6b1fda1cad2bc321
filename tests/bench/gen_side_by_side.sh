#!/usr/bin/env bash
# idr dedup beside the Splink-DuckDB peer on `idr gen` data of growing size,
# same machine, same run, same file: pairwise P/R/F1, wall time, peak RSS,
# time per record and the peer/idr ratios. Truth is used only for scoring.
#   bash tests/bench/gen_side_by_side.sh [RECORDS ...]     (default: 100000 300000 1000000)
# Needs node + npm (the peer's @duckdb/node-api comes from the npm registry).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED=${IDR_SHARED:-$(cd .. && pwd)/shared}
SETTINGS=$(pwd)/tests/bench/splink_settings_idr_gen.json
bazel build -c opt //identity:idr >/dev/null 2>&1
IDR=$(pwd)/bazel-bin/identity/idr
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$SHARED/peers/splink_duckdb" "$WORK/peer"
chmod -R u+w "$WORK/peer"
(cd "$WORK/peer" && npm install --no-audit --no-fund --silent >/dev/null)

score() {  # clusters truth -> "P R F1"
  "$IDR" eval --clusters "$1" --truth "$2" --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.4f %.4f %.4f" % (d["precision"], d["recall"], d["f1"]))'
}
timed() {  # command... -> "seconds maxrss_kb"
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
  cat "$WORK/time"
}

echo "| records | idr F1 (P / R) | idr s | idr µs/record | idr MB | peer F1 (P / R) | peer s | peer MB | time ratio | memory ratio |"
echo "|---:|---|---:|---:|---:|---|---:|---:|---:|---:|"
for n in ${*:-100000 300000 1000000}; do
  data=$WORK/gen_$n.csv
  "$IDR" gen --records "$n" --out "$data" --seed 42 2>/dev/null
  read -r ours_s ours_kb < <(timed "$IDR" dedup --input "$data" --output "$WORK/ours.csv" \
    --ignore-column truth_id --quiet)
  read -r op orr of < <(score "$WORK/ours.csv" "$data")
  read -r peer_s peer_kb < <(cd "$WORK/peer" && timed node run.mjs --quiet --seed 42 \
    --data "$data" --settings "$SETTINGS" --out "$WORK/peer.csv")
  read -r pp pr pf < <(score "$WORK/peer.csv" "$data")
  python3 - "$n" "$of" "$op" "$orr" "$ours_s" "$ours_kb" "$pf" "$pp" "$pr" "$peer_s" "$peer_kb" <<'PY'
import sys
n, of, op, orr, os_, okb, pf, pp, pr, ps, pkb = sys.argv[1:]
n = int(n); os_, ps = float(os_), float(ps); okb, pkb = int(okb), int(pkb)
print(f"| {n:,} | {of} ({op} / {orr}) | {os_:.1f} | {os_ / n * 1e6:.1f} | {okb // 1024} | "
      f"{pf} ({pp} / {pr}) | {ps:.1f} | {pkb // 1024} | {ps / os_:.1f}x | {pkb / okb:.1f}x |")
PY
done
