"""Batch inference throughput across MPI ranks (issue #18): one list of inputs run by one
process with T threads, and by R ranks (mpirun) with T / R threads each, on the same cores.

usage: /usr/bin/python3 bench/bench_mpi.py [--inputs 24] [--cores 2] [--repeat 3]

The model is the benchmark's encoder (examples/encoder.loom: 6 post-norm layers, d_model
512, 8 heads, d_ff 2048, seq 256, batch 1) compiled with `loomc --mpi`, on weights exported
from nn.TransformerEncoder. Each configuration runs the whole list --repeat times; the
table gives the median throughput (inputs per second, from rank 0's report: inputs over the
slowest rank's time) and checks that every configuration wrote the same bytes.
"""
import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", type=int, default=24)
    ap.add_argument("--cores", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "mpi"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    py = "/usr/bin/python3"
    subprocess.run([py, os.path.join(ROOT, "test", "e2e", "make_encoder_ref.py"), a.out,
                    "--layers", "6", "--d-model", "512", "--heads", "8", "--d-ff", "2048",
                    "--seq", "256", "--batch", "1"], check=True, stdout=subprocess.DEVNULL)
    rng = np.random.default_rng(0)
    with open(os.path.join(a.out, "list.txt"), "w") as f:
        for i in range(a.inputs):
            p = os.path.join(a.out, f"in{i}.npy")
            np.save(p, rng.standard_normal((1, 256, 512)).astype(np.float32))
            f.write(f"x={p}\n")
    model = os.path.join(a.out, "model")
    subprocess.run([os.path.join(ROOT, "build", "bin", "loomc"), os.path.join(ROOT, "examples", "encoder.loom"),
                    "--mpi", "-o", model], check=True)
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    configs = [(1, 1)] + [(1, a.cores)] + ([(a.cores, 1)] if a.cores > 1 else [])
    rows = []
    for ranks, threads in configs:
        rates = []
        outdir = os.path.join(a.out, f"out_{ranks}x{threads}")
        for _ in range(a.repeat):
            cmd = [model, "--weights", os.path.join(a.out, "weights.safetensors"), "--input-list",
                   os.path.join(a.out, "list.txt"), "--output-dir", outdir, "--threads", str(threads)]
            if ranks > 1:
                cmd = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(ranks)] + cmd
            err = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True).stderr
            rates.append(float(re.search(r"([0-9.]+) inputs/s", err).group(1)))
        rows.append((ranks, threads, statistics.median(rates), min(rates), max(rates), outdir))
    first = rows[0][5]
    same = all(filecmp.cmp(os.path.join(first, f"{i}.npy"), os.path.join(r[5], f"{i}.npy"), shallow=False)
               for r in rows[1:] for i in range(a.inputs))
    print(f"| ranks x threads | inputs/s (median of {a.repeat}) | range |")
    print("|---|---|---|")
    for ranks, threads, med, lo, hi, _ in rows:
        print(f"| {ranks} x {threads} | {med:.2f} | {lo:.2f}-{hi:.2f} |")
    print(f"\n{a.inputs} inputs; outputs identical across configurations: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
