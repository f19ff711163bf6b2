"""Reference LLaMA decoder stack written from the paper and Hugging Face's LlamaDecoderLayer:
x = x + o_proj(attn(rope(q), rope(k), v, causal)) on input_layernorm(x) (RMSNorm);
x = x + down_proj(silu(gate_proj(h)) * up_proj(h)) on h = post_attention_layernorm(x);
final RMSNorm `norm`. RoPE is rotate_half over the whole head (Hugging Face's layout).

usage: make_llama_ref.py OUTDIR --layers 2 --d-model 64 --heads 4 --d-ff 96 --seq 16 --batch 2
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half_rope(x, base=10000.0):
    """x: [batch, heads, seq, d_head]."""
    s, dh = x.shape[2], x.shape[3]
    inv_freq = 1.0 / (base ** (torch.arange(0, dh, 2, dtype=torch.float32) / dh))
    freqs = torch.outer(torch.arange(s, dtype=torch.float32), inv_freq)
    emb = torch.cat([freqs, freqs], dim=-1)
    x1, x2 = x[..., :dh // 2], x[..., dh // 2:]
    return x * emb.cos() + torch.cat([-x2, x1], dim=-1) * emb.sin()


class Attention(torch.nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (
            torch.nn.Linear(d, d, bias=False) for _ in range(4))

    def forward(self, x):
        b, s, d = x.shape
        h, dh = self.h, d // self.h
        q, k, v = (p(x).view(b, s, h, dh).transpose(1, 2) for p in (self.q_proj, self.k_proj, self.v_proj))
        q, k = rotate_half_rope(q), rotate_half_rope(k)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh)
        scores = scores.masked_fill(torch.ones(s, s, dtype=torch.bool).triu(1), float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, s, d))


class MLP(torch.nn.Module):
    def __init__(self, d, dff):
        super().__init__()
        self.gate_proj = torch.nn.Linear(d, dff, bias=False)
        self.up_proj = torch.nn.Linear(d, dff, bias=False)
        self.down_proj = torch.nn.Linear(dff, d, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(torch.nn.Module):
    def __init__(self, d, h, dff):
        super().__init__()
        self.self_attn, self.mlp = Attention(d, h), MLP(d, dff)
        self.input_layernorm, self.post_attention_layernorm = RMSNorm(d), RMSNorm(d)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        return x + self.mlp(self.post_attention_layernorm(x))


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=64, heads=4, d_ff=96, seq=16, batch=2)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = torch.nn.Module()
    model.layers = torch.nn.ModuleList(Layer(a.d_model, a.heads, a.d_ff) for _ in range(a.layers))
    model.norm = RMSNorm(a.d_model)
    loomref.reinit_(model, a.seed + 1)
    x = torch.randn(a.batch, a.seq, a.d_model, generator=torch.Generator().manual_seed(a.seed + 2))
    with torch.no_grad():
        y = x
        for layer in model.layers:
            y = layer(y)
        y = model.norm(y)
    loomref.save_reference(a.outdir, model.state_dict(), x, y)


if __name__ == "__main__":
    main()
