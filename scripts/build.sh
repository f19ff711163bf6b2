#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds Loom into build/ (once;
# later runs are incremental). Run as root on Debian bookworm.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
if [ ! -f "$root/build/build.ninja" ]; then
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$root/build" loomc loom-opt loom_runtime LoomTestSoftplusPlugin loom-runtime-tests
