#!/usr/bin/env bash
# Runs idr dedup and the Splink-DuckDB peer (../shared/peers/splink_duckdb)
# side by side, same machine, same moment, on the shared data sets, and prints
# a Markdown table: pairwise precision, recall, F1, wall time, peak RSS, and
# the time ratio peer/idr. Truth is used only for scoring.
#   bash tests/bench/side_by_side.sh [NAME ...]
# Needs node + npm (the peer's @duckdb/node-api comes from the npm registry).
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED=${IDR_SHARED:-$(cd .. && pwd)/shared}
DATA=$SHARED/datasets
bazel build -c opt //identity:idr >/dev/null 2>&1
IDR=$(pwd)/bazel-bin/identity/idr
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$SHARED/peers/splink_duckdb" "$WORK/peer"
chmod -R u+w "$WORK/peer"
(cd "$WORK/peer" && npm install --no-audit --no-fund --silent >/dev/null)

declare -A FLAGS=(
  [splink_fake_1000]="" [splink_fake_20000]="" [febrl3]=""
  [febrl4]="--source-column source --link-only" [hk_cjk_dev]="--phone-region HK")
declare -A PEER=(
  [splink_fake_1000]=fake_1000 [splink_fake_20000]=fake_20000 [febrl3]=febrl3
  [febrl4]=febrl4 [hk_cjk_dev]=hk_cjk_dev)
NAMES=${*:-splink_fake_1000 splink_fake_20000 febrl3 febrl4 hk_cjk_dev}

score() {  # clusters truth -> "P R F1"
  "$IDR" eval --clusters "$1" --truth "$2" --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.4f %.4f %.4f" % (d["precision"], d["recall"], d["f1"]))'
}
timed() {  # command... -> "seconds maxrss_kb" on fd 3
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
  cat "$WORK/time"
}

echo "| set | idr P | idr R | idr F1 | idr s | idr MB | peer F1 | peer s | peer MB | peer/idr time |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for name in $NAMES; do
  csv=$DATA/$name.csv
  read -r ours_s ours_kb < <(timed "$IDR" dedup --input "$csv" --output "$WORK/ours.csv" \
    --ignore-column truth_id --quiet ${FLAGS[$name]})
  read -r op orr of < <(score "$WORK/ours.csv" "$csv")
  peer=${PEER[$name]}
  read -r peer_s peer_kb < <(cd "$WORK/peer" && timed node run.mjs --quiet --seed 42 \
    --data "$csv" --settings "settings/$peer.json" --out "$WORK/peer.csv")
  # The peer writes its own record ids back; score against the same truth.
  read -r pp pr pf < <(score "$WORK/peer.csv" "$csv")
  ratio=$(python3 -c "print('%.1fx' % ($peer_s / max($ours_s, 0.01)))")
  echo "| $name | $op | $orr | $of | $ours_s | $((ours_kb / 1024)) | $pf | $peer_s | $((peer_kb / 1024)) | $ratio |"
done
