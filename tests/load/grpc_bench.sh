#!/bin/bash
# gRPC load on loopback: `idr serve` on an identity graph of N `idr gen`
# records (built with idr ingest, or reused from tests/bench/graph_bench.sh),
# then tests/load:load_gen with Resolve only and with 90% Resolve / 10%
# Ingest. Client and server share the machine's cores.
#
#   bash tests/load/grpc_bench.sh 1000000 [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100000}
seconds=${2:-10}
bazel build -c opt //identity:idr //tests/load:load_gen >/dev/null 2>&1
IDR=bazel-bin/identity/idr
LOAD=bazel-bin/tests/load/load_gen
WORK=${IDR_BENCH_DIR:-/tmp/idr-graph-bench}
mkdir -p "$WORK"
base="$WORK/base-$n.csv"
db="$WORK/graph-$n.db"
[ -f "$base" ] || "$IDR" gen --records "$n" --out "$base" --seed 42 2>/dev/null
[ -f "$db" ] || "$IDR" ingest --db "$db" --input "$base" \
  --ignore-column truth_id --quiet
cp "$db" "$WORK/serve-$n.db"   # The mixed load writes: keep the graph as it was.
"$IDR" serve --db "$WORK/serve-$n.db" --insecure --listen 127.0.0.1:0 \
  > "$WORK/serve.out" 2> "$WORK/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q serving "$WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
address=$(sed -n 's/.* on \([^ ]*\) .*/\1/p' "$WORK/serve.out")
echo "N=$n, idr serve on $address"
for concurrency in 1 4 8 16 64; do
  "$LOAD" --address "$address" --records "$base" --mix resolve \
    --concurrency $concurrency --seconds "$seconds"
done
# The same calls over two connections, as from two client processes.
for concurrency in 8 16; do
  "$LOAD" --address "$address" --records "$base" --mix resolve \
    --concurrency $concurrency --channels 2 --seconds "$seconds"
done
"$LOAD" --address "$address" --records "$base" --mix mixed --concurrency 64 \
  --seconds "$seconds"
kill -TERM $server
wait $server || true
rm -f "$WORK/serve-$n.db" "$WORK/serve-$n.db-wal" "$WORK/serve-$n.db-shm"
