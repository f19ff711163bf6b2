"""Long-sequence attention: Loom's fused kernel vs PyTorch eager, time and peak memory.

usage: /usr/bin/python3 bench/bench_long_attention.py [--seq 8192] [--threads 2] [--repeat 3]
                                                       [--out bench/results]

Issue #5's attention target: one post-norm encoder layer (examples/encoder.loom with
n_layers=1), batch 1, d_model 512, 8 heads, d_ff 2048, at seq 8192. PyTorch eager runs the
same nn.TransformerEncoderLayer on the same weights; it materialises the [8, seq, seq] scores
(2 GiB at seq 8192), Loom's fused attention only [64, 128] tiles per thread.

Each side runs in its own process; peak memory is that process's peak resident set size
(getrusage ru_maxrss of the child), reported whole and as the growth over the same process
after loading weights and input (the forward pass's own peak). Time is the median of --repeat
runs after one warm-up; the outputs are compared (max abs error).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))

D, HEADS, DFF = 512, 8, 2048

TORCH_CHILD = r"""
import resource, statistics, sys, time
import numpy as np, torch
sys.path.insert(0, {e2e!r})
import loomref
torch.set_num_threads({threads})
torch.manual_seed(0)
layer = torch.nn.TransformerEncoderLayer({d}, {heads}, {dff}, dropout=0.0, batch_first=True).eval()
loomref.reinit_(layer, 1)
x = torch.randn(1, {seq}, {d})
loomref.write_safetensors({out!r} + "/weights.safetensors",
                          {{"layers.0." + k: v for k, v in layer.state_dict().items()}})
loomref.save_npy({out!r} + "/input.npy", x)
xin = x + loomref.sinusoidal_pe({seq}, {d})
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
ts = []
with torch.no_grad():
    for i in range({repeat} + 1):
        t0 = time.perf_counter()
        y = layer(xin)
        ts.append((time.perf_counter() - t0) * 1e3)
np.save({out!r} + "/torch.npy", y.numpy())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(statistics.median(ts[1:]), base, peak)
"""




def run_measured(cmd):
    """Runs cmd; returns (stdout, stderr, peak RSS of that child alone in KiB)."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        # The outputs are small; read them, then reap the child with its own rusage.
        out, err = p.stdout.read(), p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{err}")
    return out, err, usage.ru_maxrss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seq", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    d = os.path.join(a.out, f"long-attention-s{a.seq}")
    os.makedirs(d, exist_ok=True)
    import numpy as np

    # PyTorch first (it also writes the weights and input).
    code = TORCH_CHILD.format(e2e=os.path.join(ROOT, "test", "e2e"), threads=a.threads, d=D,
                              heads=HEADS, dff=DFF, seq=a.seq, out=d, repeat=a.repeat)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"PyTorch child failed:\n{r.stderr}")
    torch_ms, torch_base, torch_peak = (float(v) for v in r.stdout.split())

    loomc = os.path.join(ROOT, "build", "bin", "loomc")
    exe = os.path.join(d, "encoder")
    subprocess.run([loomc, os.path.join(ROOT, "examples", "encoder.loom"), "-D", f"seq={a.seq}",
                    "-D", "n_layers=1", "-o", exe], check=True)
    _, err_text, loom_peak = run_measured(
        [exe, "--weights", f"{d}/weights.safetensors", "--input", f"{d}/input.npy", "--output",
         f"{d}/loom.npy", "--threads", str(a.threads), "--warmup", "1", "--repeat", str(a.repeat)])
    loom_ms = float(re.search(r"median ([0-9.]+) ms", err_text).group(1))
    # Loom's post-load footprint: weights + input as loaded by the runtime (file sizes).
    loaded_kib = (os.path.getsize(f"{d}/weights.safetensors") + os.path.getsize(f"{d}/input.npy")) / 1024
    err = float(np.max(np.abs(np.load(f"{d}/loom.npy") - np.load(f"{d}/torch.npy"))))

    mib = lambda kib: kib / 1024
    lines = [f"seq {a.seq}, batch 1, d_model {D}, {HEADS} heads, d_ff {DFF}, 1 layer, {a.threads} thread(s)", "",
             "| | time ms | peak RSS MiB | PyTorch/Loom time | PyTorch/Loom peak RSS |",
             "|---|---|---|---|---|",
             f"| PyTorch eager | {torch_ms:.0f} | {mib(torch_peak):.0f} (forward adds {mib(torch_peak - torch_base):.0f}) | | |",
             f"| Loom | {loom_ms:.0f} | {mib(loom_peak):.0f} (weights + input {mib(loaded_kib):.0f}) | "
             f"{torch_ms / loom_ms:.2f} | {torch_peak / loom_peak:.1f} |",
             "", f"max abs err {err:.1e}"]
    table = "\n".join(lines)
    print(table)
    with open(os.path.join(a.out, f"long-attention-s{a.seq}.md"), "w") as f:
        f.write(table + "\n")


if __name__ == "__main__":
    main()
