#!/usr/bin/env bash
# The same set-up as scripts/setup.sh, then every test: a bounded run of each fuzz target
# (scripts/fuzz.sh), lit (dialect, passes, frontend errors, plugins, runtime errors,
# end-to-end numerics against PyTorch), then lit again on an ASan + UBSan build
# (scripts/sanitize.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/build.sh"
# The libFuzzer targets (ASan + UBSan), 60 s each; a finding fails the run.
bash "$root/scripts/fuzz.sh" 60
lit=/usr/lib/llvm-22/bin/lit
log="$(mktemp)"
set +e
"$lit" -v "$root/build/test" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
bash "$root/scripts/sanitize.sh" -v "$root/build-asan/test" 2>&1 | tee -a "$log"
rc_asan=${PIPESTATUS[0]}
[ "$rc" -ne 0 ] || rc=$rc_asan
set -e
count() { awk -v re="^ *($1) *: *[0-9]+" '$0 ~ re { sub(/^[^:]*: */, ""); n += $1 } END { print n + 0 }' "$log"; }
passed=$(count 'Passed')
failed=$(count 'Failed|Unresolved|Timed Out')
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$rc"
