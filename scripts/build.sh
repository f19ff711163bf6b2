#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds Loom into build/ (once;
# later runs are incremental), and makes the Python package (python/loom) importable by
# Debian's python3 (a .pth file in its site-packages). Run as root on Debian bookworm.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
if [ ! -f "$root/build/build.ninja" ]; then
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release
fi
ninja -C "$root/build" loomc loom-opt loom_runtime LoomTestSoftplusPlugin loom-runtime-tests
# `import loom` for Debian's python3: a .pth file naming python/.
site="$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')"
mkdir -p "$site" && echo "$root/python" > "$site/loom.pth"
# The editor grammar's test tokenizes with vscode-textmate (npm, pinned by package-lock.json).
if [ ! -d "$root/tools/editor/node_modules/vscode-textmate" ]; then
  (cd "$root/tools/editor" && npm ci --no-audit --no-fund --silent)
fi
