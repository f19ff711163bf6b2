#!/usr/bin/env bash
# Installs the Debian packages Loom needs to build and test (run as root on Debian bookworm).
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

PKGS=(
  # compiler toolchain: LLVM/MLIR 22 (bookworm-security), clang, libomp, FileCheck/lit
  llvm-22-dev libmlir-22-dev mlir-22-tools clang-22 libomp-22-dev llvm-22-tools
  cmake ninja-build g++
  # libFuzzer, ASan and UBSan runtimes for scripts/fuzz.sh
  libclang-rt-22-dev
  # ANTLR 4: Java tool 4.7.2 + C++ runtime 4.9
  antlr4 libantlr4-runtime-dev
  # runtime JSON parser (safetensors headers) and unit tests
  nlohmann-json3-dev libgtest-dev
  # reference numerics; OpenBLAS so PyTorch does not run on the netlib reference BLAS
  python3-torch python3-torchaudio python3-numpy libopenblas0-openmp
  # the Python package's tests; Graphviz for loomc --emit=svg/png
  python3-pytest graphviz
  # batch inference across MPI ranks (loomc --mpi)
  libopenmpi-dev openmpi-bin
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm for the editor grammar's test (tools/editor: vscode-textmate from npm); a
# machine may have them from elsewhere (e.g. NodeSource), which Debian's npm conflicts with.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
