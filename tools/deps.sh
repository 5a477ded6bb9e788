#!/usr/bin/env bash
# deps.sh — install gradlab's Debian packages that are missing (as root), or print the line to run.
# Usage: tools/deps.sh [--test]   (--test adds what the full test suite needs: valgrind, clang...)
set -euo pipefail

packages=(build-essential cmake pkg-config liblua5.4-dev lua5.4 libcunit1-dev libopenblas-dev
  zlib1g-dev libcjson-dev libcsv-dev gnuplot-nox dataset-fashion-mnist time)
if [ "${1:-}" = "--test" ]; then
  packages+=(valgrind clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: missing packages; run as root:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi
