#!/usr/bin/env bash
# One command from a fresh Debian bookworm machine (as root): install, build, compile
# examples/encoder.loom to a native executable, run it on weights exported from PyTorch's
# nn.TransformerEncoder, and compare with PyTorch's own output.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/build.sh"
out="$root/out/example"
mkdir -p "$out"
echo "== PyTorch reference: nn.TransformerEncoder (6 layers, d_model 512, 8 heads, seq 256)"
/usr/bin/python3 "$root/test/e2e/make_encoder_ref.py" "$out" --layers 6 --d-model 512 --heads 8 \
  --d-ff 2048 --seq 256 --batch 1
echo "== loomc examples/encoder.loom -o out/example/encoder"
"$root/build/bin/loomc" "$root/examples/encoder.loom" -o "$out/encoder"
echo "== out/example/encoder --weights ... --input ... --output ..."
"$out/encoder" --weights "$out/weights.safetensors" --input "$out/input.npy" \
  --output "$out/output.npy" --threads "$(nproc)" --warmup 1 --repeat 3
/usr/bin/python3 "$root/test/e2e/compare.py" "$out/output.npy" "$out/expected.npy" --atol 1e-4
echo "== the same model from Python: import loom; loom.compile(...).load(...).run(...)"
/usr/bin/python3 - "$root" "$out" <<'PY'
import sys, numpy as np, loom
root, out = sys.argv[1], sys.argv[2]
model = loom.compile(f"{root}/examples/encoder.loom").load(f"{out}/weights.safetensors")
y = model.run(np.load(f"{out}/input.npy"))
print(f"python: max abs error {np.abs(y - np.load(f'{out}/expected.npy')).max():.3e}")
PY
