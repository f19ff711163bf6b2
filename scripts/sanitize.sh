#!/usr/bin/env bash
# Builds Loom with ASan and UBSan into build-asan/ (loomc, loom-opt, the runtime, the unit
# tests and the test plugin; LOOM_SANITIZE=address,undefined) and runs the lit suite on that
# build: every file a test reads passes through instrumented parsers, and every model a test
# compiles is linked with the instrumented runtime (its generated code is not instrumented).
# The first sanitizer report fails the test it occurs in. Arguments go to lit instead of the
# default `-q build-asan/test` (e.g. one folder of tests).
#
#   bash scripts/sanitize.sh
#   bash scripts/sanitize.sh -v build-asan/test/Runtime
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
build="$root/build-asan"
if [ ! -f "$build/build.ninja" ]; then
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DLOOM_SANITIZE=address,undefined > /dev/null
fi
ninja -C "$build" loomc loom-opt loom_runtime LoomTestSoftplusPlugin loom-runtime-tests
lit=/usr/lib/llvm-22/bin/lit
if [ $# -eq 0 ]; then set -- -q "$build/test"; fi
"$lit" "$@"
