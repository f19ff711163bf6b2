"""One dynamic binary (loomc -D seq=? -D batch=?) against static binaries compiled for each
size, on the encoder of bench/bench.py (examples/encoder.loom: 6 post-norm ReLU layers,
d_model 512, 8 heads, d_ff 2048).

usage: /usr/bin/python3 bench/bench_dynamic.py [--sizes 256x1 256x8 77x1 200x1]
           [--threads 2] [--repeat 10] [--rounds 5] [--out bench/results]

SIZES are SEQxBATCH. One set of weights (torch.nn.TransformerEncoder, seed 0) serves every
binary; each size's input is checked against PyTorch (max abs error) for both binaries.
Timing: for each size, the static and the dynamic binary alternate for --rounds rounds (the
first of the pair alternating from round to round), each reporting the median of --repeat
runs after 2 warm-up runs (the executable's own timer around forward). Reported: the
medians of the round medians and the paired ratio dynamic / static (the median of the
rounds' ratios, with their range), so the load of a shared host cancels out.

Writes OUT/bench-dynamic.md and prints it.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import loomref  # noqa: E402

LOOMC = os.path.join(ROOT, "build", "bin", "loomc")
SPEC = os.path.join(ROOT, "examples", "encoder.loom")
D, H, DFF, L = 512, 8, 2048, 6


def run_time(binary, weights, inp, out, threads, repeat):
    p = subprocess.run([binary, "--weights", weights, "--input", inp, "--output", out,
                        "--threads", str(threads), "--repeat", str(repeat), "--warmup", "2"],
                       capture_output=True, text=True, check=True)
    return float(re.search(r"median ([\d.]+) ms", p.stderr).group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["256x1", "256x8", "77x1", "200x1"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    work = os.path.join(a.out, "dynamic")
    os.makedirs(work, exist_ok=True)
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(D, H, DFF, dropout=0.0, batch_first=True)
    enc = torch.nn.TransformerEncoder(layer, L, enable_nested_tensor=False).eval()
    weights = os.path.join(work, "weights.safetensors")
    loomref.write_safetensors(weights, dict(enc.state_dict()))
    dyn = os.path.join(work, "encoder-dynamic")
    subprocess.run([LOOMC, SPEC, "-D", "seq=?", "-D", "batch=?", "-o", dyn], check=True)
    rows = []
    for size in a.sizes:
        seq, batch = (int(v) for v in size.split("x"))
        static = os.path.join(work, f"encoder-{seq}x{batch}")
        subprocess.run([LOOMC, SPEC, "-D", f"seq={seq}", "-D", f"batch={batch}", "-o", static],
                       check=True)
        x = torch.randn(batch, seq, D, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            want = enc(x + loomref.sinusoidal_pe(seq, D)).numpy()
        inp = os.path.join(work, f"x-{seq}x{batch}.npy")
        np.save(inp, x.numpy())
        errors = {}
        for name, binary in (("static", static), ("dynamic", dyn)):
            out = os.path.join(work, f"out-{name}.npy")
            run_time(binary, weights, inp, out, a.threads, 1)
            errors[name] = float(np.max(np.abs(np.load(out) - want)))
        times = {"static": [], "dynamic": []}
        ratios = []
        for r in range(a.rounds):
            order = ("static", "dynamic") if r % 2 == 0 else ("dynamic", "static")
            t = {}
            for name in order:
                t[name] = run_time(static if name == "static" else dyn, weights, inp,
                                   os.path.join(work, "o.npy"), a.threads, a.repeat)
                times[name].append(t[name])
            ratios.append(t["dynamic"] / t["static"])
        rows.append((seq, batch, statistics.median(times["static"]),
                     statistics.median(times["dynamic"]), statistics.median(ratios),
                     min(ratios), max(ratios), errors["static"], errors["dynamic"]))
    lines = [f"Encoder (6 layers, d_model 512), {a.threads} thread(s), medians of {a.rounds} "
             f"rounds x {a.repeat} runs; one dynamic binary for every size",
             "",
             "| seq x batch | static ms | dynamic ms | dynamic / static (range) | max abs err static / dynamic |",
             "|---|---|---|---|---|"]
    for seq, batch, ts, td, r, lo, hi, es, ed in rows:
        lines.append(f"| {seq} x {batch} | {ts:.2f} | {td:.2f} | {r:.3f} ({lo:.3f}-{hi:.3f}) | "
                     f"{es:.1e} / {ed:.1e} |")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, "bench-dynamic.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
