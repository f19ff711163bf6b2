"""Transformer-XL reference (Dai et al. 2019 sec. 3.3; Hugging Face
RelPartialLearnableMultiHeadAttn / RelPartialLearnableDecoderLayer), written with explicit
distances instead of rel_shift: score(i, j) = [(q_i + u) . k_j + (q_i + v) . W_R R(p_i - j)]
/ sqrt(d_head), p_i = mem_len + i, causal; R(t) = [sin(t f), cos(t f)], f_k = 1/10000^(2k/d).
Layers are post-norm: LN(x + attn(x)), then LN(h + FFN(h)); attention projections have no
biases. Three segments are run: segment 0 without memory gives mems0; segments 1 and 2 are
the test's, each with the memory of the previous one.

Writes weights.safetensors, x1.npy, mems0.npy, y1.npy, mems1.npy, x2.npy, y2.npy, mems2.npy.
usage: make_xl_ref.py OUTDIR --layers 2 --d-model 32 --heads 4 --d-ff 64 --seq 8 --batch 2
           [--mem-len M] [--seg-lengths L0,L1,L2]
--mem-len defaults to --seq; --seg-lengths gives the three segments' lengths (default --seq
each; L0 >= mem_len, as segment 0's last mem_len rows are the first memory).
"""
import argparse
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def sinusoid(n, d):
    f = 1.0 / (10000 ** (torch.arange(0.0, d, 2.0) / d))
    t = torch.outer(torch.arange(n, dtype=torch.float32), f)
    return torch.cat([t.sin(), t.cos()], dim=-1)  # [n, d], row = distance


class Attention(torch.nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.in_proj_weight = torch.nn.Parameter(torch.empty(3 * d, d))
        self.out_proj = torch.nn.Linear(d, d, bias=False)
        self.position = torch.nn.Module()
        self.position.r_net = torch.nn.Linear(d, d, bias=False)
        self.position.r_w_bias = torch.nn.Parameter(torch.empty(h, d // h))
        self.position.r_r_bias = torch.nn.Parameter(torch.empty(h, d // h))

    def forward(self, x, mem):
        b, s, d = x.shape
        h, dh = self.h, d // self.h
        cat = torch.cat([mem, x], dim=1) if mem is not None else x
        m = cat.shape[1] - s
        qkv = cat @ self.in_proj_weight.t()
        q = qkv[:, m:, :d].view(b, s, h, dh)
        k = qkv[:, :, d:2 * d].view(b, m + s, h, dh)
        v = qkv[:, :, 2 * d:].view(b, m + s, h, dh)
        r = self.position.r_net(sinusoid(m + s, d)).view(m + s, h, dh)  # by distance
        p = torch.arange(s).view(s, 1) + m
        j = torch.arange(m + s).view(1, m + s)
        dist = (p - j).clamp(min=0)
        ac = torch.einsum("bihd,bjhd->bhij", q + self.position.r_w_bias, k)
        bd = torch.einsum("bihd,ijhd->bhij", q + self.position.r_r_bias, r[dist])
        score = (ac + bd) / math.sqrt(dh)
        score = score.masked_fill(j > p, float("-inf"))
        out = torch.einsum("bhij,bjhd->bihd", torch.softmax(score, dim=-1), v).reshape(b, s, d)
        return self.out_proj(out)


class Layer(torch.nn.Module):
    def __init__(self, d, h, dff):
        super().__init__()
        self.self_attn = Attention(d, h)
        self.linear1, self.linear2 = torch.nn.Linear(d, dff), torch.nn.Linear(dff, d)
        self.norm1, self.norm2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)

    def forward(self, x, mem):
        x = self.norm1(x + self.self_attn(x, mem))
        return self.norm2(x + self.linear2(torch.relu(self.linear1(x))))


def run(layers, x, mems, mem_len):
    """Returns the output and the new memories [L, B, mem_len, D]."""
    new = []
    for i, layer in enumerate(layers):
        cat = torch.cat([mems[i], x], dim=1) if mems is not None else x
        new.append(cat[:, -mem_len:])
        x = layer(x, mems[i] if mems is not None else None)
    return x, torch.stack(new)


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, seq=8, batch=2)
    ap.add_argument("--mem-len", type=int, default=0)
    ap.add_argument("--seg-lengths", default="")
    a = ap.parse_args()
    mem_len = a.mem_len or a.seq
    lengths = [int(v) for v in a.seg_lengths.split(",")] if a.seg_lengths else [a.seq] * 3
    assert len(lengths) == 3 and lengths[0] >= mem_len, "three lengths, the first >= mem_len"
    torch.manual_seed(a.seed)
    model = torch.nn.Module()
    model.layers = torch.nn.ModuleList(Layer(a.d_model, a.heads, a.d_ff) for _ in range(a.layers))
    loomref.reinit_(model, a.seed + 1)
    g = torch.Generator().manual_seed(a.seed + 2)
    segs = [torch.randn(a.batch, n, a.d_model, generator=g) for n in lengths]
    with torch.no_grad():
        _, mems0 = run(model.layers, segs[0], None, mem_len)
        y1, mems1 = run(model.layers, segs[1], mems0, mem_len)
        y2, mems2 = run(model.layers, segs[2], mems1, mem_len)
    loomref.save_reference(a.outdir, model.state_dict(), segs[1], y1)
    for name, t in [("x1", segs[1]), ("mems0", mems0), ("y1", y1), ("mems1", mems1),
                    ("x2", segs[2]), ("y2", y2), ("mems2", mems2)]:
        loomref.save_npy(os.path.join(a.outdir, name + ".npy"), t)


if __name__ == "__main__":
    main()
