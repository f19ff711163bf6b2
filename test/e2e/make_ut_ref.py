"""The Universal Transformer encoder (Dehghani et al. 2019), written here from the paper's
equations, with Adaptive Computation Time (Graves 2016), as examples/universal_transformer.loom
specifies it. Saves weights.safetensors, input.npy, expected.npy, ponder.npy (steps per
position, N) and remainders.npy (R) into OUTDIR.

Per step t = 1, 2, ... (sec. 2.1): pre = state + P_pos + P_t, the sin/cos coordinate signals
(P[i, 2j] = sin(i / 10000^(2j/d)), P[i, 2j+1] = cos(...); positions i from 0, steps t from 1),
or a learned timestep table row t - 1. The transition is one torch.nn.TransformerEncoderLayer,
shared by every step (or, with --conv-kernel, the same with a depthwise-separable convolution
as the transition). ACT (sec. 2.2 and its code): p = sigmoid(halting(pre)); a running
position (halting sum h < 1) halts when h + p > threshold or at its max_steps-th step, and then
takes the remainder 1 - h as its weight; otherwise its weight is p and h += p. The output is
updated as out = next * w + out * (1 - w). Steps continue while any position runs. A final
LayerNorm follows.

usage: make_ut_ref.py OUTDIR --d-model 32 --heads 4 --d-ff 64 --seq 16 --batch 2
       --max-steps 5 [--no-act] [--threshold 0.99] [--timestep sinusoidal|learned|none]
       [--halting-bias -3.0] [--halting-scale 1.0] [--conv-kernel K]
"""
import argparse
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def coordinate_signal(rows, d):
    """[rows, d], row r = interleaved sin/cos of r (Vaswani et al. 2017 sec. 3.5)."""
    return loomref.sinusoidal_pe(rows, d)


class ConvLayer(torch.nn.Module):
    """Post-norm self-attention, then a depthwise-separable convolution transition
    (depthwise Conv1d, same padding; pointwise Conv1d to d_ff; ReLU; pointwise back)."""

    def __init__(self, d_model, heads, d_ff, kernel_size):
        super().__init__()
        self.self_attn = torch.nn.MultiheadAttention(d_model, heads, batch_first=True)
        self.norm1 = torch.nn.LayerNorm(d_model)
        self.depthwise = torch.nn.Conv1d(d_model, d_model, kernel_size, groups=d_model,
                                         padding=kernel_size // 2)
        self.pointwise1 = torch.nn.Conv1d(d_model, d_ff, 1)
        self.pointwise2 = torch.nn.Conv1d(d_ff, d_model, 1)
        self.norm2 = torch.nn.LayerNorm(d_model)

    def forward(self, x):
        x = self.norm1(x + self.self_attn(x, x, x, need_weights=False)[0])
        t = x.transpose(1, 2)  # [batch, d_model, seq]
        t = self.pointwise2(torch.relu(self.pointwise1(self.depthwise(t))))
        return self.norm2(x + t.transpose(1, 2))


class UniversalTransformer(torch.nn.Module):
    def __init__(self, d_model, heads, d_ff, max_steps, act, threshold, timestep, conv_kernel):
        super().__init__()
        if conv_kernel:
            self.layer = ConvLayer(d_model, heads, d_ff, conv_kernel)
        else:
            self.layer = torch.nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout=0.0,
                                                          batch_first=True)
        self.max_steps, self.act, self.threshold, self.timestep = max_steps, act, threshold, timestep
        if act:
            self.halting = torch.nn.Linear(d_model, 1)
        if timestep == "learned":
            self.timestep_embedding = torch.nn.Embedding(max_steps, d_model)

    def signal(self, x, step):
        """x + P_pos + P_t for the 0-based step number."""
        seq, d = x.shape[1], x.shape[2]
        x = x + coordinate_signal(seq, d)
        if self.timestep == "sinusoidal":
            x = x + coordinate_signal(self.max_steps + 1, d)[step + 1]
        elif self.timestep == "learned":
            x = x + self.timestep_embedding.weight[step]
        return x

    def forward(self, x):
        if not self.act:
            for step in range(self.max_steps):
                x = self.layer(self.signal(x, step))
            return x, None, None
        batch, seq, _ = x.shape
        h = torch.zeros(batch, seq)   # halting probability sum
        n = torch.zeros(batch, seq)   # steps taken
        r = torch.zeros(batch, seq)   # remainders
        out = torch.zeros_like(x)
        state, step = x, 0
        while bool((h < 1.0).any()):
            pre = self.signal(state, step)
            p = torch.sigmoid(self.halting(pre)).squeeze(-1)
            running = h < 1.0
            halts = running & ((h + p > self.threshold) | (n + 1 >= self.max_steps))
            still = running & ~halts
            w = torch.where(still, p, torch.where(halts, 1.0 - h, torch.zeros_like(h)))
            r = torch.where(halts, 1.0 - h, r)
            h = torch.where(halts, torch.ones_like(h), torch.where(still, h + p, h))
            n = torch.where(running, n + 1, n)
            nxt = self.layer(pre)
            out = nxt * w.unsqueeze(-1) + out * (1.0 - w.unsqueeze(-1))
            state, step = nxt, step + 1
        return out, n, r


class Model(torch.nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.encoder = UniversalTransformer(**kw)
        self.norm = torch.nn.LayerNorm(kw["d_model"])

    def forward(self, x):
        y, n, r = self.encoder(x)
        return self.norm(y), n, r


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, d_model=32, heads=4, d_ff=64, seq=16, batch=2)
    ap.add_argument("--max-steps", type=int, default=5)
    ap.add_argument("--no-act", action="store_true")
    ap.add_argument("--threshold", type=float, default=0.99)
    ap.add_argument("--timestep", default="sinusoidal", choices=["sinusoidal", "learned", "none"])
    ap.add_argument("--conv-kernel", type=int, default=0,
                    help="odd K: the separable-convolution transition instead of the FFN")
    ap.add_argument("--halting-bias", type=float, default=-3.0)
    ap.add_argument("--halting-scale", type=float, default=1.0,
                    help="scales the random halting weights, spreading p across positions")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = Model(d_model=a.d_model, heads=a.heads, d_ff=a.d_ff, max_steps=a.max_steps,
                  act=not a.no_act, threshold=a.threshold, timestep=a.timestep,
                  conv_kernel=a.conv_kernel).eval()
    loomref.reinit_(model, a.seed + 1)
    if not a.no_act:
        with torch.no_grad():
            model.encoder.halting.weight.mul_(a.halting_scale)
            model.encoder.halting.bias.fill_(a.halting_bias)
    x = torch.randn(a.batch, a.seq, a.d_model, generator=torch.Generator().manual_seed(a.seed + 2))
    with torch.no_grad():
        y, n, r = model(x)
    loomref.save_reference(a.outdir, dict(model.state_dict()), x, y)
    if n is not None:
        loomref.save_npy(os.path.join(a.outdir, "ponder.npy"), n)
        loomref.save_npy(os.path.join(a.outdir, "remainders.npy"), r)
        counts = {int(k): int(v) for k, v in zip(*torch.unique(n, return_counts=True))}
        print("ponder steps: " + " ".join(f"{k}:{v}" for k, v in sorted(counts.items())))
        # The test is only meaningful if positions halt at different steps and some are
        # stopped by max_steps.
        if len(counts) < 2 or a.max_steps not in counts:
            sys.exit(f"make_ut_ref.py: halting does not vary enough: {counts}")


if __name__ == "__main__":
    main()
