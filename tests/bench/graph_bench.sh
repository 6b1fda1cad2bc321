#!/bin/bash
# The identity graph at several sizes: for each N, `idr gen` N customers'
# records, `idr ingest` them into a new SQLite graph (timed), then
# graph_bench: durable ingest of 20,000 new records into that graph, and
# in-process resolve latency (exact and probabilistic).
#
#   bash tests/bench/graph_bench.sh 100000 1000000
set -euo pipefail
cd "$(dirname "$0")/../.."
bazel build -c opt //identity:idr //tests/bench:graph_bench >/dev/null 2>&1
IDR=bazel-bin/identity/idr
BENCH=bazel-bin/tests/bench/graph_bench
WORK=${IDR_BENCH_DIR:-/tmp/idr-graph-bench}
mkdir -p "$WORK"
"$IDR" gen --records 20000 --out "$WORK/extra.csv" --seed 4242 2>/dev/null
for n in "${@:-100000}"; do
  base="$WORK/base-$n.csv"
  db="$WORK/graph-$n.db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$IDR" gen --records "$n" --out "$base" --seed 42 2>/dev/null
  start=$(date +%s.%N)
  "$IDR" ingest --db "$db" --input "$base" --ignore-column truth_id 2>&1 |
    grep -E "records:|graph " | sed "s/^/  /" || true
  end=$(date +%s.%N)
  echo "N=$n: idr ingest (training included) $(echo "$end - $start" | bc) s"
  "$BENCH" --db "$db" --base "$base" --extra "$WORK/extra.csv"
done
