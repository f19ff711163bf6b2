"""An LSTM encoder against a Transformer encoder of similar parameter count as the sequence
grows (the comparison of Vaswani et al. 2017 sec. 4: O(n) sequential steps against O(1)
sequential operations and O(n^2) attention), on Loom and PyTorch, at 1 and 2 threads.

- LSTM: bidirectional, 2 layers, hidden 256, input 256 (torch.nn.LSTM, batch_first): the
  `lstm` plugin of examples/plugins/lstm, built against an SDK installed from build/
  (cmake --install) into OUT/sdk.
- Transformer: examples/encoder.loom at d_model 256, 4 heads, d_ff 1024, 3 layers
  (nn.TransformerEncoder, post-norm ReLU, sinusoidal positions added first).
Both ~2.4-2.6M parameters; batch 1; static binaries per length.

usage: /usr/bin/python3 bench/bench_lstm.py [--seqs 64 256 1024 4096] [--threads 1 2]
           [--repeat 10] [--rounds 3] [--out bench/results]

Each binary's output is checked against its PyTorch module first (max abs error). Timing:
per (length, threads), the four runs rotate their order over --rounds rounds; each Loom run
is the executable's median of --repeat runs after 2 warm-ups, each PyTorch run the median of
--repeat calls. Reported: medians of the round medians as tokens per second, and the paired
ratio Transformer / LSTM throughput per engine. Writes OUT/bench-lstm.md and prints it.
"""
import argparse
import os
import statistics
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as bench_main  # noqa: E402  (timers, cpu name)
import bench_dynamic  # noqa: E402  (the executable's timer)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import loomref  # noqa: E402

IN, H, LAYERS = 256, 256, 2               # the LSTM
D, HEADS, DFF, TLAYERS = 256, 4, 1024, 3  # the Transformer

LSTM_SPEC = """model LstmEncoder(batch: int = 1, seq: int = 64) {
  input x: f32[batch, seq, %d];
  lstm(hidden_size = %d, num_layers = %d, bidirectional = true) as lstm;
}
""" % (IN, H, LAYERS)


class LstmEncoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(IN, H, LAYERS, batch_first=True, bidirectional=True)

    def forward(self, x):
        return self.lstm(x)[0]


class TransformerEncoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(D, HEADS, DFF, dropout=0.0, batch_first=True)
        self.layers = torch.nn.TransformerEncoder(layer, TLAYERS, enable_nested_tensor=False).layers

    def forward(self, x):
        x = x + loomref.sinusoidal_pe(x.shape[1], D)
        for layer in self.layers:
            x = layer(x)
        return x


def sh(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def build_plugin(out):
    """Installs build/ into OUT/sdk and builds the LSTM plugin against it."""
    sdk, pb = os.path.join(out, "sdk"), os.path.join(out, "lstm-plugin")
    sh(["cmake", "--install", os.path.join(ROOT, "build"), "--prefix", sdk], stdout=subprocess.DEVNULL)
    sh(["cmake", "-S", os.path.join(ROOT, "examples", "plugins", "lstm"), "-B", pb, "-G", "Ninja",
        "-DCMAKE_PREFIX_PATH=" + sdk, "-DCMAKE_CXX_COMPILER=clang++-22",
        "-DCMAKE_BUILD_TYPE=Release"], stdout=subprocess.DEVNULL)
    sh(["cmake", "--build", pb], stdout=subprocess.DEVNULL)
    return os.path.join(sdk, "bin", "loomc"), os.path.join(pb, "lstm.so")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seqs", type=int, nargs="+", default=[64, 256, 1024, 4096])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    loomc, plugin = build_plugin(a.out)
    spec = os.path.join(a.out, "lstm_encoder.loom")
    with open(spec, "w") as f:
        f.write(LSTM_SPEC)
    torch.manual_seed(0)
    models = {"lstm": LstmEncoder().eval(), "transformer": TransformerEncoder().eval()}
    params = {k: sum(p.numel() for p in m.parameters()) for k, m in models.items()}
    rows = []
    for seq in a.seqs:
        d = os.path.join(a.out, f"lstm-bench-{seq}")
        os.makedirs(d, exist_ok=True)
        x = torch.randn(1, seq, IN, generator=torch.Generator().manual_seed(seq))
        np.save(f"{d}/x.npy", x.numpy())
        exes, errors = {}, {}
        for name, m in models.items():
            w = f"{d}/{name}.safetensors"
            loomref.write_safetensors(w, m.state_dict())
            exe = f"{d}/{name}"
            if name == "lstm":
                sh([loomc, "--plugin", plugin, spec, "-D", f"seq={seq}", "-o", exe])
            else:
                sh([loomc, os.path.join(ROOT, "examples", "encoder.loom"), "-D", f"seq={seq}",
                    "-D", f"d_model={D}", "-D", f"n_heads={HEADS}", "-D", f"d_ff={DFF}",
                    "-D", f"n_layers={TLAYERS}", "-o", exe])
            sh([exe, "--weights", w, "--input", f"x={d}/x.npy", "--output", f"{d}/{name}.npy"],
               stderr=subprocess.DEVNULL)
            with torch.no_grad():
                ref = m(x).numpy()
            errors[name] = float(np.abs(np.load(f"{d}/{name}.npy") - ref).max())
            exes[name] = exe
        for threads in a.threads:
            runs = {k: [] for k in ("loom lstm", "loom transformer", "torch lstm", "torch transformer")}
            order = list(runs)
            for r in range(a.rounds):
                for k in order[r % len(order):] + order[:r % len(order)]:
                    engine, name = k.split()
                    if engine == "loom":
                        t = bench_dynamic.run_time(exes[name], f"{d}/{name}.safetensors", f"x={d}/x.npy",
                                                   f"{d}/{name}.npy", threads, a.repeat)
                    else:
                        t = bench_main.time_torch(models[name], {"x": x}, threads, a.repeat)
                    runs[k].append(t)
            med = {k: statistics.median(v) for k, v in runs.items()}
            ratio = {e: statistics.median(
                [lt / tt for lt, tt in zip(runs[f"{e} lstm"], runs[f"{e} transformer"])])
                for e in ("loom", "torch")}
            rows.append((seq, threads, med, ratio, errors))
            print(seq, threads, {k: round(v, 2) for k, v in med.items()}, ratio, flush=True)
    write_report(rows, params, a)


def write_report(rows, params, a):
    tok = lambda seq, ms: seq / ms * 1e3  # noqa: E731  tokens per second
    lines = [
        "# LSTM encoder vs Transformer encoder, by sequence length",
        "",
        f"CPU: {bench_main.cpu_name()}; batch 1; `/usr/bin/python3 bench/bench_lstm.py "
        f"--seqs {' '.join(map(str, a.seqs))} --threads {' '.join(map(str, a.threads))} "
        f"--repeat {a.repeat} --rounds {a.rounds}`.",
        f"LSTM: bidirectional, {LAYERS} layers, hidden {H}, input {IN} ({params['lstm'] / 1e6:.2f}M "
        f"parameters). Transformer: {TLAYERS} post-norm layers, d_model {D}, {HEADS} heads, d_ff "
        f"{DFF} ({params['transformer'] / 1e6:.2f}M parameters).",
        "Throughput in tokens/s (medians over rounds); `T/L` is the paired ratio of the "
        "Transformer's throughput to the LSTM's on the same engine. Max abs error against "
        "PyTorch in the last columns.",
        "",
        "| seq | threads | Loom LSTM | Loom Transformer | Loom T/L | PyTorch LSTM | PyTorch "
        "Transformer | PyTorch T/L | Loom LSTM / PyTorch LSTM | err LSTM | err Transformer |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for seq, threads, med, ratio, err in rows:
        lines.append(
            f"| {seq} | {threads} | {tok(seq, med['loom lstm']):,.0f} | "
            f"{tok(seq, med['loom transformer']):,.0f} | {ratio['loom']:.2f} | "
            f"{tok(seq, med['torch lstm']):,.0f} | {tok(seq, med['torch transformer']):,.0f} | "
            f"{ratio['torch']:.2f} | {med['torch lstm'] / med['loom lstm']:.2f}x | "
            f"{err['lstm']:.1e} | {err['transformer']:.1e} |")
    bench_main.save_report(a.out, "bench-lstm.md", lines)


if __name__ == "__main__":
    main()
