#!/usr/bin/env bash
# README command 1: set everything up, build idr and run the identity service
# on the embedded SQLite default (data/idr.db), on 127.0.0.1:${IDR_PORT:-50051}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
bazel build //identity:idr
mkdir -p data
# --insecure: development mode, plaintext without caller tokens, which idr
# allows on a loopback address only (docs/api.md: TLS and tokens).
exec bazel-bin/identity/idr serve --db data/idr.db --insecure \
  --listen "127.0.0.1:${IDR_PORT:-50051}"
