#!/usr/bin/env bash
# setup.sh — from a fresh Debian machine: install dependencies, build into build/, run the main study.
set -euo pipefail
cd "$(dirname "$0")/.."

tools/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
echo
echo "== gradlab main study (scripts/main_study.lua) =="
build/gradlab run scripts/main_study.lua --out runs/main_study --overwrite "$@"
