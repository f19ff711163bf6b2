#!/usr/bin/env bash
# Builds Loom's libFuzzer targets (fuzz/, with ASan and UBSan) into build-fuzz/ and runs
# each for SECONDS (default 60): the .loom front end, the safetensors reader, the .npy
# reader and the C API of a compiled model (fuzz/capi_model.loom, compiled by the normal
# build's loomc, which is built first if missing). Each target starts from its seed corpus (fuzz/corpus/<target>) and dictionary
# (fuzz/<target>.dict); what it learns goes to build-fuzz/corpus/<target>, and a crash,
# hang, leak or sanitizer report to build-fuzz/findings/<target>/ (and a non-zero exit).
#
#   bash scripts/fuzz.sh            # 60 s per target (CI)
#   bash scripts/fuzz.sh 3600       # a one-hour campaign per target
#   bash scripts/fuzz.sh 600 npy    # one target
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${1:-60}"
shift || true
targets=("${@:-frontend safetensors npy capi}")
read -r -a targets <<< "${targets[*]}"
bash "$root/scripts/install-deps.sh"
loomc="$root/build/bin/loomc"
[ -x "$loomc" ] || bash "$root/scripts/build.sh"
build="$root/build-fuzz"
CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
  -DLOOM_FUZZ=ON -DLOOM_LOOMC="$loomc" > /dev/null
ninja -C "$build" $(printf 'loom-fuzz-%s ' "${targets[@]}")
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passed=0
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t" "$build/findings/$t"
  echo "fuzz: $t for ${secs}s"
  "$build/bin/loom-fuzz-$t" "$build/corpus/$t" "$root/fuzz/corpus/$t" \
    -dict="$root/fuzz/$t.dict" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -artifact_prefix="$build/findings/$t/" -print_final_stats=1 2>&1 |
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|INFO: Loaded|#[0-9]+ *DONE)|ERROR|SUMMARY|Test unit written" || true
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t FAILED (exit $rc); the input is in $build/findings/$t/"
    exit 1
  fi
  passed=$((passed + 1))
done
echo "fuzz: $passed targets ran ${secs}s each with no finding"
