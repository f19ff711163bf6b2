"""Loom vs PyTorch eager on the same 6-layer post-norm ReLU encoder (issue #2's bench size).

usage: /usr/bin/python3 bench/bench_encoder.py [--repeat 10] [--batches 1 8] [--threads 1 2]
                                               [--out bench/results]

For each (batch, threads): compiles examples/encoder.loom for that batch, exports the
weights of one torch.nn.TransformerEncoder, checks that Loom's output matches PyTorch's, then
times both in the same run, alternating Loom and PyTorch three times. Each timing is the
median of --repeat runs after 2 warm-up runs, and the reported figure is the median of the
three rounds. Loom's time comes from the executable's own timer (forward only, weights
already loaded); PyTorch's is time.perf_counter around `enc(x)` under torch.no_grad().

GFLOP/s counts a multiply-add as 2 flops over the matmuls only, per layer:
  8*B*S*d^2 (q, k, v, out projections) + 4*B*S*d*d_ff (FFN) + 4*B*S^2*d (QK^T and PV).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import loomref  # noqa: E402

LAYERS, D, HEADS, DFF, SEQ = 6, 512, 8, 2048, 256


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def flops(batch):
    per_layer = 8 * batch * SEQ * D * D + 4 * batch * SEQ * D * DFF + 4 * batch * SEQ * SEQ * D
    return LAYERS * per_layer


def time_loom(exe, d, threads, repeat):
    out = subprocess.run([exe, "--weights", f"{d}/weights.safetensors", "--input", f"{d}/input.npy",
                          "--output", f"{d}/loom.npy", "--threads", str(threads),
                          "--warmup", "2", "--repeat", str(repeat)],
                         check=True, capture_output=True, text=True).stderr
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def time_torch(enc, x, threads, repeat):
    torch.set_num_threads(threads)
    with torch.no_grad():
        for _ in range(2):
            enc(x)
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            enc(x)
            ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


def alternate(loom_fn, torch_fn, rounds=3):
    """Times Loom and PyTorch alternately (so both see the same machine state); returns the
    median of each one's per-round medians in ms."""
    loom_ms, torch_ms = [], []
    for _ in range(rounds):
        loom_ms.append(loom_fn())
        torch_ms.append(torch_fn())
    return statistics.median(loom_ms), statistics.median(torch_ms)


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
        d = os.path.join(a.out, f"encoder-b{batch}")
        os.makedirs(d, exist_ok=True)
        torch.manual_seed(0)
        layer = torch.nn.TransformerEncoderLayer(D, HEADS, DFF, dropout=0.0, batch_first=True)
        enc = torch.nn.TransformerEncoder(layer, LAYERS, enable_nested_tensor=False).eval()
        loomref.reinit_(enc, 1)
        x = torch.randn(batch, SEQ, D)
        xin = x + loomref.sinusoidal_pe(SEQ, D)
        loomref.write_safetensors(f"{d}/weights.safetensors", enc.state_dict())
        loomref.save_npy(f"{d}/input.npy", x)
        t0 = time.perf_counter()
        subprocess.run([loomc, os.path.join(ROOT, "examples", "encoder.loom"), "-D", f"batch={batch}",
                        "-o", f"{d}/encoder"], check=True)
        compile_s = time.perf_counter() - t0
        with torch.no_grad():
            ref = enc(xin).numpy()
        time_loom(f"{d}/encoder", d, 2, 1)
        err = float(np.max(np.abs(np.load(f"{d}/loom.npy") - ref)))
        for threads in a.threads:
            lm, tm = alternate(lambda: time_loom(f"{d}/encoder", d, threads, a.repeat),
                               lambda: time_torch(enc, xin, threads, a.repeat))
            rows.append(dict(batch=batch, threads=threads, loom_ms=lm, torch_ms=tm,
                             ratio=tm / lm, loom_gflops=flops(batch) / lm / 1e6,
                             torch_gflops=flops(batch) / tm / 1e6,
                             tokens_per_s=batch * SEQ / lm * 1e3, err=err, compile_s=compile_s))
            print(f"batch {batch} threads {threads}: loom {lm:.1f} ms, torch {tm:.1f} ms, "
                  f"torch/loom {tm / lm:.2f}", flush=True)
    lines = ["| batch | threads | Loom ms | PyTorch ms | PyTorch/Loom | Loom GFLOP/s | PyTorch GFLOP/s | Loom tokens/s | max abs err | compile s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['batch']} | {r['threads']} | {r['loom_ms']:.1f} | {r['torch_ms']:.1f} | "
                     f"{r['ratio']:.2f} | {r['loom_gflops']:.1f} | {r['torch_gflops']:.1f} | "
                     f"{r['tokens_per_s']:.0f} | {r['err']:.1e} | {r['compile_s']:.1f} |")
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(a.out, "encoder.md"), "w") as f:
        blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
        f.write(f"torch {torch.__version__}, libblas.so.3 -> {blas}, CPU: {cpu_name()}\n\n")
        f.write(table + "\n")


if __name__ == "__main__":
    main()
