"""Loom vs PyTorch eager vs ONNX Runtime on issue #5's three models, in one run.

usage: /usr/bin/python3 bench/bench.py [--models encoder llama conformer] [--batches 1 8]
           [--threads 1 2] [--repeat 10] [--rounds 5] [--no-ort] [--out bench/results]

Run bench/setup.sh once first (OpenBLAS for PyTorch, matplotlib, onnxruntime-node).

Models (seq 256):
  encoder    6 post-norm ReLU layers, d_model 512, 8 heads, d_ff 2048, sinusoidal positions
             (examples/encoder.loom; torch.nn.TransformerEncoder)
  llama      6 LLaMA-style layers: RMSNorm, RoPE (rotate_half), causal, SwiGLU d_ff 1408,
             final norm (examples/llama_decoder.loom; test/e2e/make_llama_ref.py's modules)
  conformer  4 Conformer layers, d_model 256, 4 heads, d_ff 1024, kernel 31
             (examples/conformer_encoder.loom; torchaudio.models.Conformer)

For each model and batch, one set of random weights is saved as safetensors (Loom), kept in
the PyTorch module (eager) and exported with torch.onnx.export (opset 14) for ONNX Runtime
(npm onnxruntime-node, CPU provider, intra-op threads = threads, sequential execution,
all graph optimisations). Each peer's output is checked against PyTorch's (max abs error).
Timing: Loom, PyTorch and ONNX Runtime alternate for --rounds rounds, in an order that
rotates from round to round (so none always runs first, or right after another); each
round times every peer at every thread count, each taking the median of --repeat runs
after 2 warm-up runs. The times reported are
the medians of the round medians. The ratios are paired: each round's ratio of the peer's
time to Loom's, so the load of this shared host at the time cancels out; the median of
those is reported, with their range over the rounds. Loom's thread scaling is paired the
same way. Loom's time is the executable's own timer around forward (weights loaded
and prepared once); PyTorch's is perf_counter around the module call under no_grad;
ONNX Runtime's is hrtime around session.run.

GFLOP/s = model flops / time, a multiply-add counted as 2 flops, matmuls and convolutions
only (formulas in FLOPS below; attention counts the full S x S product even when causal).
Tokens/s = batch * seq / time.

Writes OUT/bench.md (table) and OUT/bench.png (plot), and prints the table.
"""
import argparse
import json
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

SEQ = 256


def encoder_model(batch):
    D, H, DFF, L = 512, 8, 2048, 6
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(D, H, DFF, dropout=0.0, batch_first=True)
    enc = torch.nn.TransformerEncoder(layer, L, enable_nested_tensor=False).eval()
    loomref.reinit_(enc, 1)
    x = torch.randn(batch, SEQ, D)
    pe = loomref.sinusoidal_pe(SEQ, D)

    class WithPE(torch.nn.Module):  # Loom's model adds the encoding itself
        def __init__(self):
            super().__init__()
            self.enc = enc

        def forward(self, x):
            return self.enc(x + pe)

    def export_mode():  # the fused fast path does not export (torch 1.13)
        for l in enc.layers:
            l.activation_relu_or_gelu = 0

    flops = L * (8 * batch * SEQ * D * D + 4 * batch * SEQ * D * DFF + 4 * batch * SEQ * SEQ * D)
    return dict(module=WithPE().eval(), weights=enc.state_dict(), inputs={"x": x},
                loom=["examples/encoder.loom", f"batch={batch}"], flops=flops,
                export_mode=export_mode)


def llama_model(batch):
    import make_llama_ref as ref
    D, H, DFF, L = 512, 8, 1408, 6
    torch.manual_seed(0)

    class Stack(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.ModuleList(ref.Layer(D, H, DFF) for _ in range(L))
            self.norm = ref.RMSNorm(D)

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return self.norm(x)

    m = Stack().eval()
    loomref.reinit_(m, 1)
    x = torch.randn(batch, SEQ, D)
    flops = L * (8 * batch * SEQ * D * D + 6 * batch * SEQ * D * DFF + 4 * batch * SEQ * SEQ * D)
    return dict(module=m, weights=m.state_dict(), inputs={"x": x},
                loom=["examples/llama_decoder.loom", f"batch={batch}"], flops=flops)


def conformer_model(batch):
    import torchaudio
    D, H, DFF, L, K = 256, 4, 1024, 4, 31
    torch.manual_seed(0)
    m = torchaudio.models.Conformer(input_dim=D, num_heads=H, ffn_dim=DFF, num_layers=L,
                                    depthwise_conv_kernel_size=K).eval()
    loomref.reinit_(m, 1)

    class First(torch.nn.Module):  # the encoder output (not the lengths)
        def __init__(self):
            super().__init__()
            self.m = m

        def forward(self, x, lengths):
            return self.m(x, lengths)[0]

    x = torch.randn(batch, SEQ, D)
    lengths = torch.full((batch,), SEQ, dtype=torch.int64)
    flops = L * (8 * batch * SEQ * D * DFF + 8 * batch * SEQ * D * D + 4 * batch * SEQ * SEQ * D
                 + 6 * batch * SEQ * D * D + 2 * batch * SEQ * D * K)
    return dict(module=First().eval(), weights=m.state_dict(), inputs={"x": x, "lengths": lengths},
                loom=["examples/conformer_encoder.loom", f"batch={batch}", f"seq={SEQ}",
                      f"d_model={D}", f"n_heads={H}", f"d_ff={DFF}", f"n_layers={L}",
                      f"kernel_size={K}"], flops=flops)


MODELS = {"encoder": encoder_model, "llama": llama_model, "conformer": conformer_model}
FLOPS = {
    "encoder": "per layer 8*B*S*d^2 + 4*B*S*d*d_ff + 4*B*S^2*d",
    "llama": "per layer 8*B*S*d^2 + 6*B*S*d*d_ff + 4*B*S^2*d",
    "conformer": "per layer 8*B*S*d*d_ff + 14*B*S*d^2 + 4*B*S^2*d + 2*B*S*d*K",
}


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def save_report(out_dir, name, lines):
    """Writes the report's lines to OUT_DIR/NAME and prints them."""
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, name), "w") as f:
        f.write(text)
    print(text)


def loom_times(exe, d, names, threads, repeat, warmup=2):
    """(median, min) ms of `repeat` runs of the executable's own timer."""
    cmd = [exe, "--weights", f"{d}/weights.safetensors", "--output", f"{d}/loom.npy",
           "--threads", str(threads), "--warmup", str(warmup), "--repeat", str(repeat)]
    for n in names:
        cmd += ["--input", f"{n}={d}/{n}.npy"]
    err = subprocess.run(cmd, check=True, capture_output=True, text=True).stderr
    m = re.search(r"median ([0-9.]+) ms, min ([0-9.]+) ms", err)
    return float(m.group(1)), float(m.group(2))


def time_loom(exe, d, names, threads, repeat, warmup=2):
    return loom_times(exe, d, names, threads, repeat, warmup)[0]


def time_torch(module, inputs, threads, repeat, warmup=2):
    torch.set_num_threads(threads)
    args = list(inputs.values())
    with torch.no_grad():
        for _ in range(warmup):
            module(*args)
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            module(*args)
            ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


def time_ort(onnx, d, names, threads, repeat, warmup=2):
    cmd = ["node", os.path.join(ROOT, "bench", "ort_bench.js"), onnx, str(threads), str(warmup),
           str(repeat), f"{d}/ort.npy"] + [f"{n}={d}/{n}.npy" for n in names]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["median_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-ort", action="store_true", help="skip ONNX Runtime")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    use_ort = not a.no_ort
    if use_ort and not os.path.isdir(os.path.join(ROOT, "bench", "node_modules", "onnxruntime-node")):
        sys.exit("onnxruntime-node is not installed: run bench/setup.sh (or pass --no-ort)")
    loomc = os.path.join(ROOT, "build", "bin", "loomc")
    rows = []
    for name in a.models:
        for batch in a.batches:
            spec = MODELS[name](batch)
            d = os.path.join(a.out, f"{name}-b{batch}")
            os.makedirs(d, exist_ok=True)
            names = list(spec["inputs"])
            loomref.write_safetensors(f"{d}/weights.safetensors", spec["weights"])
            for n, t in spec["inputs"].items():
                np.save(f"{d}/{n}.npy", t.numpy())
            src, *defs = spec["loom"]
            cmd = [loomc, os.path.join(ROOT, src), "-o", f"{d}/model"]
            for df in defs:
                cmd += ["-D", df]
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            compile_s = time.perf_counter() - t0
            module = spec["module"]
            with torch.no_grad():
                ref = module(*spec["inputs"].values()).numpy()
            time_loom(f"{d}/model", d, names, 2, 1, warmup=0)
            loom_err = float(np.max(np.abs(np.load(f"{d}/loom.npy") - ref)))
            onnx = f"{d}/model.onnx"
            if use_ort:
                if "export_mode" in spec:
                    spec["export_mode"]()
                # Not under no_grad: there nn.MultiheadAttention takes its fused fast path,
                # which torch 1.13 cannot export.
                torch.onnx.export(module, tuple(spec["inputs"].values()), onnx,
                                  input_names=names, output_names=["y"], opset_version=14)
                time_ort(onnx, d, names, 2, 1, warmup=0)
                ort_err = float(np.max(np.abs(np.load(f"{d}/ort.npy") - ref)))
            # Rounds outside the thread counts: each round times every peer at every
            # thread count, so both the peer ratios and the thread scaling are paired.
            timers = {}
            for threads in a.threads:
                timers[threads] = {
                    "loom": lambda t=threads: time_loom(f"{d}/model", d, names, t, a.repeat),
                    "torch": lambda t=threads: time_torch(module, spec["inputs"], t, a.repeat)}
                if use_ort:
                    timers[threads]["ort"] = lambda t=threads: time_ort(onnx, d, names, t, a.repeat)
            order = list(timers[a.threads[0]])
            times = {t: {k: [] for k in order} for t in a.threads}
            for r in range(a.rounds):
                for threads in a.threads:
                    for k in order[r % len(order):] + order[:r % len(order)]:
                        times[threads][k].append(timers[threads][k]())
            for threads in a.threads:
                tt = times[threads]
                ratios = {k: [p / l for p, l in zip(tt[k], tt["loom"])] for k in order if k != "loom"}
                row = dict(model=name, batch=batch, threads=threads,
                           **{k: statistics.median(v) for k, v in tt.items()},
                           **{f"{k}_ratio": statistics.median(v) for k, v in ratios.items()},
                           **{f"{k}_range": (min(v), max(v)) for k, v in ratios.items()},
                           flops=spec["flops"], loom_err=loom_err,
                           ort_err=ort_err if use_ort else None, compile_s=compile_s)
                row.setdefault("ort", None)
                if threads != a.threads[0]:
                    base = times[a.threads[0]]["loom"]
                    speedup = [b / l for b, l in zip(base, tt["loom"])]
                    row["scaling"] = (statistics.median(speedup), min(speedup), max(speedup))
                rows.append(row)
                print(f"{name} b{batch} t{threads}: loom {row['loom']:.1f} ms, torch "
                      f"{row['torch']:.1f} ms" + (f", ort {row['ort']:.1f} ms" if use_ort else "") +
                      "; per round " + ", ".join(f"{k}/loom " + " ".join(f"{x:.2f}" for x in v)
                                                 for k, v in ratios.items()),
                      flush=True)
    write_report(rows, a.out, use_ort)


def write_report(rows, out, use_ort):
    hdr = ["model", "batch", "threads", "Loom ms", "PyTorch ms"] + (["ORT ms"] if use_ort else []) + \
          ["PyTorch/Loom"] + (["ORT/Loom", "ORT/Loom rounds"] if use_ort else []) + \
          ["Loom GFLOP/s", "PyTorch GFLOP/s"] + (["ORT GFLOP/s"] if use_ort else []) + \
          ["Loom tokens/s", "Loom err", "compile s"]
    lines = ["| " + " | ".join(hdr) + " |", "|" + "---|" * len(hdr)]
    for r in rows:
        gf = lambda ms: r["flops"] / ms / 1e6  # noqa: E731
        cells = [r["model"], r["batch"], r["threads"], f"{r['loom']:.1f}", f"{r['torch']:.1f}"]
        if use_ort:
            cells.append(f"{r['ort']:.1f}")
        cells.append(f"{r['torch_ratio']:.2f}")
        if use_ort:
            lo, hi = r["ort_range"]
            cells += [f"{r['ort_ratio']:.2f}", f"{lo:.2f}-{hi:.2f}"]
        cells += [f"{gf(r['loom']):.1f}", f"{gf(r['torch']):.1f}"]
        if use_ort:
            cells.append(f"{gf(r['ort']):.1f}")
        cells += [f"{SEQ * r['batch'] / r['loom'] * 1e3:.0f}", f"{r['loom_err']:.1e}",
                  f"{r['compile_s']:.1f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    meta = [f"CPU: {cpu_name()}, {os.cpu_count()} cores; torch {torch.__version__}, "
            f"libblas.so.3 -> {blas}" + ("; onnxruntime-node 1.30.0" if use_ort else ""), ""]
    if use_ort:
        errs = ", ".join(f"{r['model']} b{r['batch']}: {r['ort_err']:.1e}" for r in rows if r["threads"] == rows[0]["threads"])
        meta.append(f"ONNX Runtime max abs err vs PyTorch: {errs}")
        meta.append("")
    meta += [f"GFLOP/s formulas ({m}): {f}" for m, f in FLOPS.items()] + [""]
    meta += ["Times: medians of the round medians. Ratios: medians of the per-round ratios "
             "(peer time / Loom time in the same round); `ORT/Loom rounds` is their range.", ""]
    scaled = [r for r in rows if "scaling" in r]
    if scaled:
        meta.append("Loom's thread scaling (its time on the first thread count over this row's, "
                    "paired per round: median, range): " + "; ".join(
                        f"{r['model']} b{r['batch']} t{r['threads']}: {r['scaling'][0]:.2f}x "
                        f"({r['scaling'][1]:.2f}-{r['scaling'][2]:.2f})" for r in scaled))
        meta.append("")
    table = "\n".join(meta + lines)
    print(table)
    with open(os.path.join(out, "bench.md"), "w") as f:
        f.write(table + "\n")
    plot(rows, out, use_ort)


def plot(rows, out, use_ort):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (bench/setup.sh installs it): no plot", file=sys.stderr)
        return
    labels = [f"{r['model']}\nb{r['batch']} t{r['threads']}" for r in rows]
    peers = [("Loom", "loom"), ("PyTorch eager", "torch")] + ([("ONNX Runtime", "ort")] if use_ort else [])
    width = 0.8 / len(peers)
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(rows)), 4.5))
    for i, (label, key) in enumerate(peers):
        xs = [j + (i - (len(peers) - 1) / 2) * width for j in range(len(rows))]
        ax.bar(xs, [r["flops"] / r[key] / 1e6 for r in rows], width, label=label)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_ylabel("GFLOP/s (higher is better)")
    ax.set_title(f"seq {SEQ}, {cpu_name()}, {os.cpu_count()} cores")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "bench.png"), dpi=110)
    print(f"wrote {os.path.join(out, 'bench.png')}")


if __name__ == "__main__":
    main()
