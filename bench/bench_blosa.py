"""Bi-BloSAN against full multi-head self-attention as the sequence grows: peak memory
(resident set of the whole process) and time of one forward pass, Loom and PyTorch, the
comparison of Shen et al. 2018 (Bi-BloSA, sec. 4, the memory and time figure).

- Bi-BloSAN: examples/biblosan.loom (stdlib/blosa.loom; forward and backward mBloSA over
  d_in 300 word vectors with d 256, then the source2token pooling of the 512-wide tokens),
  block_len r = ceil((2 seq)^(1/3)), the memory-optimal block of the paper's sec. 3.3.
  PyTorch: test/e2e/make_blosa_ref.py, the authors' computation, whose intra-block logits
  are [blocks, r, r, d] and inter-block logits [blocks, blocks, d].
- Multi-head: a projection 300 -> 512, one multi-head self-attention (8 heads of 64: q, k, v,
  out) and the same source2token pooling (bench/mha_encoder.loom); PyTorch computes it in
  eager mode (softmax(q k^T / sqrt(d_head)) v per head: [heads, seq, seq] scores, as
  torch.nn.MultiheadAttention; torch 1.13 has no fused scaled_dot_product_attention).
Bi-BloSAN 2.4M parameters, multi-head 1.7M; batch 1, every position valid.

usage: /usr/bin/python3 bench/bench_blosa.py [--seqs 64 256 1024 4096] [--repeat 5]
           [--threads 2] [--out bench/results]

Each configuration runs in its own process; peak memory is its maximum resident set (VmHWM,
polled), weights and runtime (or interpreter and torch) included; the idle PyTorch process
is reported as a baseline. Time: the median of --repeat runs after one warm-up. Loom's
sentence vectors are checked against PyTorch's (max abs error). Writes OUT/bench-blosa.md.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOMC = os.path.join(ROOT, "build", "bin", "loomc")
PY = "/usr/bin/python3"
D_IN, D, HEADS = 300, 256, 8

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_reformer import run_measured  # noqa: E402  (peak resident set of a child)

# Runs in a child process: loads the weights and the input, times one model.
TORCH_CHILD = r"""
import json, math, os, statistics, sys, time
import numpy as np, torch
sys.path.insert(0, os.path.join(sys.argv[1], "test", "e2e"))
import loomref, make_blosa_ref as ref
kind, seq, repeat, out, threads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
n_heads = int(sys.argv[7])
torch.set_num_threads(threads)
if kind == "idle":
    print(json.dumps({"ms": 0}))
    sys.exit(0)
w = loomref.read_safetensors(os.path.join(out, f"{kind}.safetensors"))
x = torch.from_numpy(np.load(os.path.join(out, f"x{seq}.npy")))
lengths = torch.tensor([seq])
mask = torch.ones(1, seq, dtype=torch.bool)
def mha(x):
    h = torch.nn.functional.linear(x, w["proj.weight"], w["proj.bias"])
    heads = lambda t: t.view(1, seq, n_heads, -1).transpose(1, 2)
    q, k, v = (heads(torch.nn.functional.linear(h, w[n + ".weight"], w[n + ".bias"])) for n in "qkv")
    p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1)
    a = (p @ v).transpose(1, 2).reshape(1, seq, -1)
    o = torch.nn.functional.linear(a, w["out.weight"], w["out.bias"])
    return ref.multi_dimensional_attention(ref.Weights(w).sub("pool"), o, mask, "elu")
r = math.ceil((2 * seq) ** (1 / 3))
run = (lambda: ref.bi_blosan(w, x, lengths, r)[0]) if kind == "biblosan" else (lambda: mha(x))
ts = []
with torch.no_grad():
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        y = run()
        ts.append((time.perf_counter() - t0) * 1e3)
np.save(os.path.join(out, f"torch-{kind}-{seq}.npy"), y.numpy())
print(json.dumps({"ms": statistics.median(ts[1:])}))
"""


def block_len(seq):
    return math.ceil((2 * seq) ** (1 / 3))


def mha_weights(seed):
    import torch
    g = torch.Generator().manual_seed(seed)
    shapes = {"proj": (2 * D, D_IN), "q": (2 * D, 2 * D), "k": (2 * D, 2 * D), "v": (2 * D, 2 * D),
              "out": (2 * D, 2 * D)}
    w = {}
    for n, s in shapes.items():
        w[n + ".weight"] = torch.randn(s, generator=g) / math.sqrt(s[1])
        w[n + ".bias"] = 0.1 * torch.randn(s[0], generator=g)
    for n in ("bn_dense_map1", "bn_dense_map2"):
        w[f"pool.{n}.linear_map.W"] = torch.randn(2 * D, 2 * D, generator=g) / math.sqrt(2 * D)
        w[f"pool.{n}.linear_map.bias"] = 0.1 * torch.randn(2 * D, generator=g)
    return w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seqs", type=int, nargs="+", default=[64, 256, 1024, 4096])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    out = os.path.join(a.out, "blosa")
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
    import loomref  # noqa: E402
    import make_blosa_ref  # noqa: E402
    loomref.write_safetensors(os.path.join(out, "biblosan.safetensors"), make_blosa_ref.random_weights(D_IN, D, 1))
    loomref.write_safetensors(os.path.join(out, "mha.safetensors"), mha_weights(2))
    child = os.path.join(out, "torch_child.py")
    with open(child, "w") as f:
        f.write(TORCH_CHILD)
    _, _, idle = run_measured([PY, child, ROOT, "idle", "0", "0", out, str(a.threads), str(HEADS)])
    rows = []
    for seq in a.seqs:
        np.save(os.path.join(out, f"x{seq}.npy"),
                np.random.default_rng(seq).standard_normal((1, seq, D_IN)).astype(np.float32))
        np.save(os.path.join(out, f"len{seq}.npy"), np.array([seq], dtype=np.int64))
        for kind in ("biblosan", "mha"):
            exe = os.path.join(out, f"{kind}-{seq}")
            if kind == "biblosan":
                spec = os.path.join(ROOT, "examples", "biblosan.loom")
                defs = ["-D", f"block_len={block_len(seq)}", "-D", f"d_in={D_IN}", "-D", f"d={D}"]
            else:
                spec = os.path.join(ROOT, "bench", "mha_encoder.loom")
                defs = ["-D", f"d_in={D_IN}", "-D", f"d_model={2 * D}", "-D", f"n_heads={HEADS}"]
            subprocess.run([LOOMC, spec, "-D", f"seq={seq}", *defs, "-o", exe], check=True)
            y = os.path.join(out, f"loom-{kind}-{seq}.npy")
            extra = ["--output", f"tokens={out}/tokens-{seq}.npy"] if kind == "biblosan" else []
            _, err, rss = run_measured([exe, "--weights", os.path.join(out, f"{kind}.safetensors"),
                                        "--input", f"x={out}/x{seq}.npy", "--input", f"lengths={out}/len{seq}.npy",
                                        "--output", y, *extra, "--threads", str(a.threads), "--warmup", "1",
                                        "--repeat", str(a.repeat)])
            ms = float(re.search(r"median ([0-9.]+) ms", err).group(1))
            o, _, trss = run_measured([PY, child, ROOT, kind, str(seq), str(a.repeat), out, str(a.threads), str(HEADS)])
            ref = np.load(os.path.join(out, f"torch-{kind}-{seq}.npy"))
            row = {"seq": seq, "kind": kind, "r": block_len(seq) if kind == "biblosan" else 0,
                   "loom_ms": ms, "loom_mib": rss, "torch_ms": json.loads(o)["ms"], "torch_mib": trss,
                   "err": float(np.abs(np.load(y) - ref).max())}
            rows.append(row)
            print(row, flush=True)
    write_report(rows, idle, a)


def write_report(rows, idle, a):
    import bench as bench_main  # noqa: E402
    lines = [
        "# Bi-BloSAN against multi-head self-attention as the sequence grows",
        "",
        f"CPU: {bench_main.cpu_name()}; {a.threads} threads; batch 1; `/usr/bin/python3 "
        f"bench/bench_blosa.py --seqs {' '.join(map(str, a.seqs))} --repeat {a.repeat}`. "
        f"Bi-BloSAN: examples/biblosan.loom, d_in {D_IN}, d {D}, block r = ceil((2 seq)^(1/3)); "
        f"multi-head: bench/mha_encoder.loom, {HEADS} heads over {2 * D} features. Peak memory is the "
        f"process's maximum resident set; the PyTorch process with torch loaded and nothing run "
        f"peaks at {idle:.0f} MiB.",
        "",
        "| seq | model | r | Loom ms | Loom peak MiB | PyTorch ms | PyTorch peak MiB | max abs err |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['seq']} | {'Bi-BloSAN' if r['kind'] == 'biblosan' else 'multi-head'} | "
                     f"{r['r'] or ''} | {r['loom_ms']:.1f} | {r['loom_mib']:.0f} | {r['torch_ms']:.1f} | "
                     f"{r['torch_mib']:.0f} | {r['err']:.1e} |")
    bench_main.save_report(a.out, "bench-blosa.md", lines)


if __name__ == "__main__":
    main()
