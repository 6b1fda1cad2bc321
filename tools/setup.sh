#!/usr/bin/env bash
# Installs what idr needs to build and test, from Debian 12 packages only.
# Idempotent: installs only what is missing. Run as root (or with sudo).
set -euo pipefail

PACKAGES=(
  # Build: Bazel 4 (offline; see docs/building.md) and the code generators.
  bazel-bootstrap bazel-rules-java bazel-platforms pkg-config g++
  protobuf-compiler protobuf-compiler-grpc
  # Libraries.
  libprotobuf-dev libgrpc++-dev libabsl-dev libsqlite3-dev libxxhash-dev
  libphonenumber-dev libicu-dev libopencc-dev libopencc-data libcli11-dev
  prometheus-cpp-dev libssl-dev openssl librime-data-jyutping
  libtcmalloc-minimal4
  # Tests and benchmarks.
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-grpcio
  python3-protobuf sqlite3
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi
