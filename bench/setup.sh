#!/bin/sh
# Installs the benchmark's peers and tools (run once, as root, after scripts/setup.sh):
# OpenBLAS for PyTorch (otherwise torch uses the netlib reference BLAS), matplotlib for the
# plot, and onnxruntime-node (CPU library inside the npm package; its postinstall would try
# to download CUDA files, hence ONNXRUNTIME_NODE_INSTALL=skip).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
need=""
for p in libopenblas0-openmp python3-matplotlib; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
command -v npm >/dev/null 2>&1 || need="$need nodejs npm"
if [ -n "$need" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --silent
echo "bench/setup.sh: done"
