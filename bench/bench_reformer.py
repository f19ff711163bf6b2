"""Reformer's local self-attention against full attention on long sequences: peak memory
(resident set of the whole process) and time of one forward pass, Loom and PyTorch.

The model is examples/reformer.loom at its defaults (Hugging Face ReformerModel names,
d_model 256, 2 heads, d_ff 512, 6 reversible layers), batch 1:
- local: attn_layers all "local", chunk_length 64, one chunk before (Hugging Face's
  defaults): Loom's `local_sdpa`, PyTorch the rewrite of LocalSelfAttention in
  test/e2e/make_hf_ref.py (its [chunks, 64, 128] score tensors);
- lsh: attn_layers all "lsh" (examples/reformer_lsh.loom, the same weights with query as
  query_key), 1 round of 2 seq / 64 buckets (Hugging Face's recommendation), chunks of 64
  with one before: Loom's `lsh_sdpa`, PyTorch the rewrite of LSHSelfAttention;
- full: the same layers with one chunk of the whole sequence (plain attention): Loom's
  fused attention (online softmax, no [seq, seq] tensor), PyTorch eager (a [seq, seq]
  score tensor per head).

usage: /usr/bin/python3 bench/bench_reformer.py [--seqs 4096 16384] [--repeat 3]
           [--torch-full-max 8192] [--out bench/results]

Each configuration runs in its own process; peak memory is that process's maximum resident
set (its VmHWM, polled), so it includes the weights, the runtime or the Python interpreter
with torch (its idle size is reported as a baseline). Time is the median of --repeat runs
after one warm-up. Loom's outputs are checked against PyTorch's where both run (max abs
error). PyTorch full attention is skipped past --torch-full-max (its scores alone take
2 heads x seq^2 x 4 bytes per layer). Writes OUT/bench-reformer.md and prints it.
"""
import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOOMC = os.path.join(ROOT, "build", "bin", "loomc")
PY = "/usr/bin/python3"
CHUNK = 64

# Runs in a child process: builds the reference model, loads the weights, times it.
TORCH_CHILD = r"""
import json, os, resource, statistics, sys, time
import numpy as np, torch
sys.path.insert(0, os.path.join(sys.argv[1], "test", "e2e"))
import loomref, make_hf_ref
seq, chunk, repeat, out, threads = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
buckets = int(sys.argv[7]) if len(sys.argv) > 7 else 0  # LSH: buckets per round (1 round)
torch.set_num_threads(threads)
if chunk < 0:  # idle: the interpreter with torch and the model's weights
    print(json.dumps({"ms": 0}))
    sys.exit(0)
class A: pass
a = A()
a.vocab, a.max_len, a.d_model, a.heads, a.d_ff, a.layers = 320, 16384, 256, 2, 512, 6
a.chunk_length, a.chunks_before, a.chunks_after, a.causal, a.axial = chunk, 1, 0, False, ""
a.num_hashes, a.num_buckets = (1, buckets) if buckets else (0, 0)
m = make_hf_ref.ReformerModel(a).eval()
sd = loomref.read_safetensors(os.path.join(out, "lsh.safetensors" if buckets else "weights.safetensors"))
m.load_state_dict(sd)
ids = torch.from_numpy(np.load(os.path.join(out, f"ids{seq}.npy")))
rot = torch.from_numpy(np.load(os.path.join(out, f"rot{seq}.npy"))) if buckets else None
ts = []
with torch.no_grad():
    for i in range(repeat + 1):
        t0 = time.perf_counter()
        y = m(ids, None, rot)
        ts.append((time.perf_counter() - t0) * 1e3)
np.save(os.path.join(out, f"torch-{seq}-{chunk}-{buckets}.npy"), y.numpy())
print(json.dumps({"ms": statistics.median(ts[1:])}))
"""


def run_measured(cmd):
    """Runs cmd; returns (stdout, stderr, the process's peak resident set in MiB): its
    VmHWM, polled every 2 ms until it exits (wait4's ru_maxrss would include the forking
    Python's size, which Linux carries across exec)."""
    import tempfile
    import time
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True)
        peak = 0
        while True:
            try:
                with open(f"/proc/{p.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
            if p.poll() is not None:
                break
            time.sleep(0.002)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:2])} failed: {err}")
    return out, err, peak / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seqs", type=int, nargs="+", default=[4096, 16384])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--torch-full-max", type=int, default=8192)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    out = os.path.join(a.out, "reformer")
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
    import torch  # noqa: E402
    import loomref  # noqa: E402
    import make_hf_ref  # noqa: E402

    class A:
        pass
    cfg = A()
    cfg.vocab, cfg.max_len, cfg.d_model, cfg.heads, cfg.d_ff, cfg.layers = 320, 16384, 256, 2, 512, 6
    cfg.chunk_length, cfg.chunks_before, cfg.chunks_after, cfg.causal, cfg.axial = CHUNK, 1, 0, False, ""
    cfg.num_hashes, cfg.num_buckets = 0, 0
    torch.manual_seed(0)
    m = make_hf_ref.ReformerModel(cfg)
    loomref.reinit_(m, 1)
    loomref.write_safetensors(os.path.join(out, "weights.safetensors"), m.state_dict())
    # The LSH model: the same weights, query and key shared (query_key is the query's).
    sd = dict(m.state_dict())
    for k in list(sd):
        if k.endswith("self_attention.query.weight"):
            sd[k.replace("query.weight", "query_key.weight")] = sd.pop(k)
        elif k.endswith("self_attention.key.weight"):
            del sd[k]
    loomref.write_safetensors(os.path.join(out, "lsh.safetensors"), sd)
    child = os.path.join(out, "torch_child.py")
    with open(child, "w") as f:
        f.write(TORCH_CHILD)
    _, _, idle = run_measured([PY, child, ROOT, "0", "-1", "0", out, str(a.threads)])
    rows = []
    for seq in a.seqs:
        ids = np.random.default_rng(seq).integers(0, 320, (1, seq)).astype(np.int64)
        np.save(os.path.join(out, f"ids{seq}.npy"), ids)
        np.save(os.path.join(out, f"len{seq}.npy"), np.array([seq], dtype=np.int64))
        buckets = 2 * seq // CHUNK  # Hugging Face's recommendation (_set_num_buckets), 1 round
        np.save(os.path.join(out, f"rot{seq}.npy"), np.random.default_rng(seq + 1).standard_normal(
            (6, 2, 128, 1, buckets // 2)).astype(np.float32))
        for kind, chunk in (("local", CHUNK), ("lsh", CHUNK), ("full", seq)):
            exe = os.path.join(out, f"reformer-{kind}-{seq}")
            lsh = kind == "lsh"
            spec = "reformer_lsh.loom" if lsh else "reformer.loom"
            extra = ["-D", f"num_buckets={buckets}"] if lsh else []
            subprocess.run([LOOMC, os.path.join(ROOT, "examples", spec), "-D", f"seq={seq}",
                            "-D", f"chunk_length={chunk}", *extra, "-o", exe], check=True)
            y = os.path.join(out, f"loom-{seq}-{kind}.npy")
            inputs = ["--input", f"input_ids={out}/ids{seq}.npy", "--input", f"lengths={out}/len{seq}.npy"]
            if lsh:
                inputs += ["--input", f"rotations={out}/rot{seq}.npy"]
            weights = os.path.join(out, "lsh.safetensors" if lsh else "weights.safetensors")
            _, err, rss = run_measured([exe, "--weights", weights, *inputs, "--output", y, "--threads",
                                        str(a.threads), "--warmup", "1", "--repeat", str(a.repeat)])
            ms = float(re.search(r"median ([0-9.]+) ms", err).group(1))
            row = {"seq": seq, "kind": kind, "loom_ms": ms, "loom_mib": rss}
            if kind != "full" or seq <= a.torch_full_max:
                o, _, trss = run_measured([PY, child, ROOT, str(seq), str(chunk), str(a.repeat), out,
                                           str(a.threads), str(buckets if lsh else 0)])
                row["torch_ms"], row["torch_mib"] = json.loads(o)["ms"], trss
                ref = np.load(os.path.join(out, f"torch-{seq}-{chunk}-{buckets if lsh else 0}.npy"))
                row["err"] = float(np.abs(np.load(y) - ref).max())
            rows.append(row)
            print(row, flush=True)
    write_report(rows, idle, a)


def write_report(rows, idle, a):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench as bench_main  # noqa: E402
    cpu = bench_main.cpu_name()
    lines = [
        "# Reformer: local vs full self-attention on long sequences",
        "",
        f"CPU: {cpu}; {a.threads} threads; batch 1; `/usr/bin/python3 bench/bench_reformer.py "
        f"--seqs {' '.join(map(str, a.seqs))} --repeat {a.repeat}`. Model: examples/reformer.loom "
        f"defaults (6 reversible layers, d_model 256, 2 heads, d_ff 512); local: chunk_length "
        f"{CHUNK}, one chunk before; lsh: examples/reformer_lsh.loom, 1 round of 2 seq / {CHUNK} "
        f"buckets, chunks of {CHUNK}, one before. Peak memory is the process's maximum resident set; the "
        f"PyTorch process with torch loaded and nothing run peaks at {idle:.0f} MiB.",
        "",
        "| seq | attention | Loom ms | Loom peak MiB | PyTorch ms | PyTorch peak MiB | max abs err |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = (f"{r['torch_ms']:.0f} | {r['torch_mib']:.0f} | {r['err']:.1e}" if "torch_ms" in r
             else "not run | not run | ")
        lines.append(f"| {r['seq']} | {r['kind']} | {r['loom_ms']:.0f} | {r['loom_mib']:.0f} | {t} |")
    bench_main.save_report(a.out, "bench-reformer.md", lines)


if __name__ == "__main__":
    main()
