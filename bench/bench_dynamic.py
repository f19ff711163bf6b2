"""One dynamic binary (loomc -D seq=? -D batch=?) against static binaries compiled for each
size, on every model of bench/bench.py (the encoder, the LLaMA-style decoder, the Conformer;
their sizes there).

usage: /usr/bin/python3 bench/bench_dynamic.py [--models encoder llama conformer]
           [--sizes 256x1 256x8 77x1 200x1]
           [--threads 2] [--repeat 10] [--rounds 5] [--out bench/results]
       /usr/bin/python3 bench/bench_dynamic.py --packed [--lengths 16 50 ... 256] [--no-ort] ...

--packed compares with ONNX Runtime: run bench/setup.sh once first (or pass --no-ort).

SIZES are SEQxBATCH. Per model, one set of weights (bench.py's, seeded) serves every binary;
each size's input is checked against the model's PyTorch module (max abs error) for both.
Timing: for each size, the static and the dynamic binary alternate for --rounds rounds (the
first of the pair alternating from round to round), each reporting the median of --repeat
runs after 2 warm-up runs (the executable's own timer around forward). Reported: the
medians of the round medians and the paired ratio dynamic / static (the median of the
rounds' ratios, with their range), so the load of a shared host cancels out.

--packed: a padded batch of 8 (lengths spread from 16 to 256) through the same encoder with
the lengths masking the keys (bench/encoder_lengths.loom; nn.TransformerEncoder with
src_key_padding_mask): Loom static at [8, 256], the dynamic binary on the padded batch, the
dynamic binary packed (--pack: each example on its own rows), PyTorch eager and ONNX Runtime
(the same module exported with the mask computed from the lengths) on the padded batch.
The same binary with --pack (each example run alone on its rows) and one compiled with
loomc --remove-padding (the valid rows of all examples packed into one sequence, attention
over each example's segment). Rounds rotate the order; reported are medians and each peer's
paired ratio to the padding-removed run. Valid rows are checked against PyTorch for every peer.

Writes OUT/bench-dynamic.md (or OUT/bench-packed.md) and prints it.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as bench_main  # noqa: E402  (the ONNX Runtime and PyTorch timers)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import loomref  # noqa: E402

LOOMC = os.path.join(ROOT, "build", "bin", "loomc")
D, H, DFF, L = 512, 8, 2048, 6


def run_time(binary, weights, inputs, out, threads, repeat, warmup=2, extra=()):
    """The executable's median ms over `repeat` runs; `inputs` are --input values."""
    cmd = [binary, "--weights", weights, "--output", out, "--threads", str(threads),
           "--repeat", str(repeat), "--warmup", str(warmup), *extra]
    for i in ([inputs] if isinstance(inputs, str) else inputs):
        cmd += ["--input", i]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return float(re.search(r"median ([\d.]+) ms", p.stderr).group(1))


def report(a, name, lines):
    """Writes the table to OUT/name and prints it."""
    text = "\n".join(lines) + "\n"
    with open(os.path.join(a.out, name), "w") as f:
        f.write(text)
    print(text)


REFERENCE = "Loom, padding removed"  # loomc --remove-padding: the rows of all examples packed


def packed(a):
    if not a.no_ort and not os.path.isdir(os.path.join(ROOT, "bench", "node_modules", "onnxruntime-node")):
        sys.exit("onnxruntime-node is not installed: run bench/setup.sh (or pass --no-ort)")
    work = os.path.join(a.out, "packed")
    os.makedirs(work, exist_ok=True)
    lengths = np.array(a.lengths, np.int64)
    batch, seq = len(lengths), int(lengths.max())
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(D, H, DFF, dropout=0.0, batch_first=True)
    enc = torch.nn.TransformerEncoder(layer, L, enable_nested_tensor=False).eval()
    pe = loomref.sinusoidal_pe(seq, D)

    class Masked(torch.nn.Module):  # the mask from the lengths, so that ONNX takes int64
        def __init__(self):
            super().__init__()
            self.enc = enc

        def forward(self, x, lengths):
            mask = torch.arange(x.shape[1]).view(1, -1) >= lengths.view(-1, 1)
            return self.enc(x + pe, src_key_padding_mask=mask)

    module = Masked().eval()
    x = torch.randn(batch, seq, D, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = module(x, torch.from_numpy(lengths)).numpy()
    loomref.write_safetensors(os.path.join(work, "weights.safetensors"), dict(enc.state_dict()))
    np.save(os.path.join(work, "x.npy"), x.numpy())
    np.save(os.path.join(work, "lengths.npy"), lengths)
    spec = os.path.join(ROOT, "bench", "encoder_lengths.loom")
    static, dyn = os.path.join(work, "static"), os.path.join(work, "dynamic")
    removed = os.path.join(work, "removed")
    subprocess.run([LOOMC, spec, "-D", f"seq={seq}", "-D", f"batch={batch}", "-o", static], check=True)
    subprocess.run([LOOMC, spec, "-D", "seq=?", "-D", "batch=?", "-o", dyn], check=True)
    subprocess.run([LOOMC, spec, "-D", "seq=?", "-D", "batch=?", "--remove-padding", "-o", removed],
                   check=True)

    def loom(binary, pack):
        inputs = ["x=" + os.path.join(work, "x.npy"), "lengths=" + os.path.join(work, "lengths.npy")]
        return lambda threads, repeat, warmup=2: run_time(
            binary, os.path.join(work, "weights.safetensors"), inputs,
            os.path.join(work, "loom.npy"), threads, repeat, warmup, ["--pack"] if pack else [])

    def valid_error(y):
        return max(float(np.abs(y[i, :n] - want[i, :n]).max()) for i, n in enumerate(lengths))

    peers = {"Loom static, padded": loom(static, False), "Loom dynamic, padded": loom(dyn, False),
             "Loom dynamic, packed": loom(dyn, True),
             "Loom, padding removed": loom(removed, False),
             "PyTorch eager, padded": lambda t, r: bench_main.time_torch(
                 module, {"x": x, "lengths": torch.from_numpy(lengths)}, t, r)}
    errors = {}
    for name, run in peers.items():
        if name.startswith("Loom"):
            run(a.threads, 1, 0)
            errors[name] = valid_error(np.load(os.path.join(work, "loom.npy")))
    errors["PyTorch eager, padded"] = 0.0
    if not a.no_ort:
        for l in enc.layers:  # the fused fast path does not export (torch 1.13)
            l.activation_relu_or_gelu = 0
        onnx = os.path.join(work, "model.onnx")
        torch.onnx.export(module, (x, torch.from_numpy(lengths)), onnx,
                          input_names=["x", "lengths"], output_names=["y"], opset_version=14)
        bench_main.time_ort(onnx, work, ["x", "lengths"], a.threads, 1, warmup=0)
        errors["ONNX Runtime, padded"] = valid_error(np.load(os.path.join(work, "ort.npy")))
        peers["ONNX Runtime, padded"] = lambda t, r: bench_main.time_ort(
            onnx, work, ["x", "lengths"], t, r)
    times = {n: [] for n in peers}
    ratios = {n: [] for n in peers}
    names = list(peers)
    for r in range(a.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        t = {n: peers[n](a.threads, a.repeat) for n in order}
        for n in names:
            times[n].append(t[n])
            ratios[n].append(t[n] / t[REFERENCE])
    lines = [f"Padded batch of {batch}, lengths {', '.join(map(str, lengths))} (seq {seq}); "
             f"encoder 6 layers, d_model 512, keys masked by the lengths; {a.threads} thread(s), "
             f"medians of {a.rounds} rounds x {a.repeat} runs", "",
             "| run | ms | time / padding removed (range) | valid rows max abs err |", "|---|---|---|---|"]
    for n in names:
        rs = ratios[n]
        lines.append(f"| {n} | {statistics.median(times[n]):.2f} | {statistics.median(rs):.2f} "
                     f"({min(rs):.2f}-{max(rs):.2f}) | {errors[n]:.1e} |")
    report(a, "bench-packed.md", lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", default=["256x1", "256x8", "77x1", "200x1"])
    ap.add_argument("--models", nargs="+", default=list(bench_main.MODELS),
                    choices=list(bench_main.MODELS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--packed", action="store_true", help="the padded-batch comparison")
    ap.add_argument("--lengths", type=int, nargs="+", default=[16, 50, 85, 119, 153, 187, 222, 256])
    ap.add_argument("--no-ort", action="store_true", help="skip ONNX Runtime (--packed)")
    a = ap.parse_args()
    if a.packed:
        return packed(a)
    rows = []
    for model in a.models:
        rows += sizes(a, model)
    lines = [f"Every model of bench/bench.py, {a.threads} thread(s), medians of {a.rounds} "
             f"rounds x {a.repeat} runs; one dynamic binary per model for every size",
             "",
             "| model | seq x batch | static ms | dynamic ms | dynamic / static (range) | max abs err static / dynamic |",
             "|---|---|---|---|---|---|"]
    for model, seq, batch, ts, td, r, lo, hi, es, ed in rows:
        lines.append(f"| {model} | {seq} x {batch} | {ts:.2f} | {td:.2f} | {r:.3f} ({lo:.3f}-{hi:.3f}) | "
                     f"{es:.1e} / {ed:.1e} |")
    report(a, "bench-dynamic.md", lines)


def sizes(a, model):
    """The static and dynamic binaries of one model of bench.py at each of a.sizes."""
    work = os.path.join(a.out, "dynamic", model)
    os.makedirs(work, exist_ok=True)
    spec = bench_main.MODELS[model](1)  # the weights are seeded: the same for every size
    weights = os.path.join(work, "weights.safetensors")
    loomref.write_safetensors(weights, dict(spec["weights"]))
    src, *defs = spec["loom"]
    defs = [d for d in defs if not d.startswith(("batch=", "seq="))]
    def compile_(out, seq, batch):
        cmd = [LOOMC, os.path.join(ROOT, src), "-o", out, "-D", f"seq={seq}", "-D", f"batch={batch}"]
        for d in defs:
            cmd += ["-D", d]
        subprocess.run(cmd, check=True)
    dyn = os.path.join(work, "dynamic")
    compile_(dyn, "?", "?")
    rows = []
    for size in a.sizes:
        seq, batch = (int(v) for v in size.split("x"))
        static = os.path.join(work, f"static-{seq}x{batch}")
        compile_(static, seq, batch)
        bench_main.SEQ = seq  # the model's inputs (and the encoder's PE) at this length
        spec = bench_main.MODELS[model](batch)
        bench_main.SEQ = 256
        inputs = []
        for name, t in spec["inputs"].items():
            path = os.path.join(work, f"{name}-{seq}x{batch}.npy")
            np.save(path, t.numpy())
            inputs.append(f"{name}={path}")
        with torch.no_grad():
            want = spec["module"](**spec["inputs"]).numpy()
        errors = {}
        for name, binary in (("static", static), ("dynamic", dyn)):
            out = os.path.join(work, f"out-{name}.npy")
            run_time(binary, weights, inputs, out, a.threads, 1)
            errors[name] = float(np.max(np.abs(np.load(out) - want)))
        times = {"static": [], "dynamic": []}
        ratios = []
        for r in range(a.rounds):
            order = ("static", "dynamic") if r % 2 == 0 else ("dynamic", "static")
            t = {}
            for name in order:
                t[name] = run_time(static if name == "static" else dyn, weights, inputs,
                                   os.path.join(work, "o.npy"), a.threads, a.repeat)
                times[name].append(t[name])
            ratios.append(t["dynamic"] / t["static"])
        rows.append((model, seq, batch, statistics.median(times["static"]),
                     statistics.median(times["dynamic"]), statistics.median(ratios),
                     min(ratios), max(ratios), errors["static"], errors["dynamic"]))
    return rows


if __name__ == "__main__":
    main()
