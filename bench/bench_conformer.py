"""Loom vs PyTorch eager (torchaudio.models.Conformer) on a 4-layer Conformer encoder
(issue #5's model 3): d_model 256, 4 heads, d_ff 1024, depthwise kernel 31, seq 256, full
lengths, BatchNorm with running statistics.

usage: /usr/bin/python3 bench/bench_conformer.py [--repeat 10] [--batches 1 8] [--threads 1 2]
                                                 [--out bench/results]

Same protocol as bench_encoder.py: one torchaudio model's state_dict is saved unchanged and
compiled with examples/conformer_encoder.loom; Loom's output is checked against torchaudio's;
then both are timed in the same run, alternating three rounds, each the median of --repeat
runs after 2 warm-up runs.

GFLOP/s counts a multiply-add as 2 flops over the matmuls and convolutions, per layer:
  8*B*S*d*d_ff (two FFNs) + 8*B*S*d^2 (q, k, v, out) + 4*B*S^2*d (QK^T, PV)
  + 6*B*S*d^2 (pointwise convs d -> 2d and d -> d) + 2*B*S*d*K (depthwise conv).
"""
import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np
import torch
import torchaudio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import loomref  # noqa: E402
from bench_encoder import alternate, cpu_name, time_torch  # noqa: E402

LAYERS, D, HEADS, DFF, K, SEQ = 4, 256, 4, 1024, 31, 256


def flops(b):
    per_layer = (8 * b * SEQ * D * DFF + 8 * b * SEQ * D * D + 4 * b * SEQ * SEQ * D
                 + 6 * b * SEQ * D * D + 2 * b * SEQ * D * K)
    return LAYERS * per_layer


def time_loom(exe, d, threads, repeat):
    out = subprocess.run([exe, "--weights", f"{d}/weights.safetensors", "--input", f"x={d}/input.npy",
                          "--input", f"lengths={d}/lengths.npy", "--output", f"{d}/loom.npy",
                          "--threads", str(threads), "--warmup", "2", "--repeat", str(repeat)],
                         check=True, capture_output=True, text=True).stderr
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    loomc = os.path.join(ROOT, "build", "bin", "loomc")
    rows = []
    for batch in a.batches:
        d = os.path.join(a.out, f"conformer-b{batch}")
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(0)
        model = torchaudio.models.Conformer(input_dim=D, num_heads=HEADS, ffn_dim=DFF,
                                            num_layers=LAYERS, depthwise_conv_kernel_size=K).eval()
        loomref.reinit_(model, 1)
        x = torch.randn(batch, SEQ, D)
        lengths = torch.full((batch,), SEQ, dtype=torch.int64)
        loomref.write_safetensors(f"{d}/weights.safetensors", model.state_dict())
        loomref.save_npy(f"{d}/input.npy", x)
        np.save(f"{d}/lengths.npy", lengths.numpy())
        t0 = time.perf_counter()
        subprocess.run([loomc, os.path.join(ROOT, "examples", "conformer_encoder.loom"),
                        "-D", f"batch={batch}", "-D", f"seq={SEQ}", "-D", f"d_model={D}",
                        "-D", f"n_heads={HEADS}", "-D", f"d_ff={DFF}", "-D", f"n_layers={LAYERS}",
                        "-D", f"kernel_size={K}", "-o", f"{d}/conformer"], check=True)
        compile_s = time.perf_counter() - t0
        with torch.no_grad():
            ref = model(x, lengths)[0].numpy()
        time_loom(f"{d}/conformer", d, 2, 1)
        err = float(np.max(np.abs(np.load(f"{d}/loom.npy") - ref)))
        run_torch = lambda t: model(t, lengths)  # noqa: E731
        for threads in a.threads:
            lm, tm = alternate(lambda: time_loom(f"{d}/conformer", d, threads, a.repeat),
                               lambda: time_torch(run_torch, x, threads, a.repeat))
            rows.append((batch, threads, lm, tm, err, compile_s))
            print(f"batch {batch} threads {threads}: loom {lm:.1f} ms, torch {tm:.1f} ms, "
                  f"torch/loom {tm / lm:.2f}", flush=True)
    lines = ["| batch | threads | Loom ms | PyTorch ms | PyTorch/Loom | Loom GFLOP/s | PyTorch GFLOP/s | Loom tokens/s | max abs err | compile s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for b, t, lm, tm, err, cs in rows:
        lines.append(f"| {b} | {t} | {lm:.1f} | {tm:.1f} | {tm / lm:.2f} | {flops(b) / lm / 1e6:.1f} | "
                     f"{flops(b) / tm / 1e6:.1f} | {b * SEQ / lm * 1e3:.0f} | {err:.1e} | {cs:.1f} |")
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(a.out, "conformer.md"), "w") as f:
        f.write(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, CPU: {cpu_name()}\n\n")
        f.write(table + "\n")


if __name__ == "__main__":
    main()
