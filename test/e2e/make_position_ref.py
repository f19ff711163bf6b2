"""Reference for attention position schemes and masks, written from the papers' equations
(no Loom code involved). A stack of post-norm encoder layers whose attention is a
re-implementation of torch.nn.MultiheadAttention (same weight names: in_proj_weight,
in_proj_bias, out_proj.*) with:
  --position none | rope | alibi | t5 | shaw | deberta
  --max-relative K, --no-shaw-values       Shaw et al. 2018 (clip to K; value embeddings)
  --num-buckets, --max-distance, --unidirectional   T5 buckets (Hugging Face _relative_position_bucket)
  --share-position                         one T5 table for all layers (`relative_attention_bias`)
  --scale S                                score scale (0 = 1/sqrt(d_head); T5 uses 1)
  --activation relu | gelu, --eps E, --pre-norm, --rms-norm, --no-bias, --final-norm
                                           layer variants (RoFormer, T5-style)
  --convention rotate_half | interleaved   RoPE pairing (Hugging Face rotate_half; RoFormer/GPT-J)
  --rotary-dim N                           partial rotary (0 = d_head)
  --causal, --window W, --block-size B     masks

usage: make_position_ref.py OUTDIR [options]; writes weights.safetensors, input.npy, expected.npy
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def alibi_slopes(n):
    """Press et al. 2022: 2^(-8/n) geometric slopes; non-powers of two interleave 2n's."""
    def power_of_2(p):
        start = 2 ** (-8 / p)
        return [start ** (i + 1) for i in range(p)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    p = 2 ** math.floor(math.log2(n))
    return power_of_2(p) + alibi_slopes(2 * p)[0::2][:n - p]


def t5_bucket(rel, bidirectional, num_buckets, max_distance):
    """Raffel et al. 2020 / Hugging Face T5 _relative_position_bucket; rel = key - query."""
    ret = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        ret += (rel > 0).long() * num_buckets
        n = rel.abs()
    else:
        n = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = n < max_exact
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return ret + torch.where(is_small, n, large)


def rope(x, rot, base, convention):
    """x: [batch, heads, seq, d_head]; rotates the first `rot` features of each head."""
    seq = x.shape[2]
    inv_freq = 1.0 / (base ** (torch.arange(0, rot, 2, dtype=torch.float32) / rot))
    freqs = torch.outer(torch.arange(seq, dtype=torch.float32), inv_freq)  # [seq, rot/2]
    xr, xp = x[..., :rot], x[..., rot:]
    if convention == "rotate_half":
        emb = torch.cat([freqs, freqs], dim=-1)
        x1, x2 = xr[..., :rot // 2], xr[..., rot // 2:]
        rotated = xr * emb.cos() + torch.cat([-x2, x1], dim=-1) * emb.sin()
    else:
        a, b = xr[..., 0::2], xr[..., 1::2]
        c, s = freqs.cos(), freqs.sin()
        rotated = torch.stack([a * c - b * s, a * s + b * c], dim=-1).flatten(-2)
    return torch.cat([rotated, xp], dim=-1)


class RMSNorm(torch.nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def make_norm(d, a):
    return RMSNorm(d, a.eps) if a.rms_norm else torch.nn.LayerNorm(d, eps=a.eps)


SHARED = {}  # the table shared by every layer (--share-position)


class Attention(torch.nn.Module):
    def __init__(self, d, h, a):
        super().__init__()
        self.h, self.a = h, a
        self.in_proj_weight = torch.nn.Parameter(torch.empty(3 * d, d))
        if not a.no_bias:
            self.in_proj_bias = torch.nn.Parameter(torch.empty(3 * d))
        self.out_proj = torch.nn.Linear(d, d, bias=not a.no_bias)
        if a.position == "t5" and not a.share_position:
            self.position = torch.nn.Embedding(a.num_buckets, h)
        if a.position == "deberta":
            # He et al. 2021 sec. 3.1: P [2k, d], K_r = P W_k,r, Q_r = P W_q,r
            self.position = torch.nn.Module()
            self.position.rel_embeddings = torch.nn.Parameter(torch.empty(2 * a.max_relative, d))
            self.position.pos_key_proj = torch.nn.Linear(d, d)
            self.position.pos_query_proj = torch.nn.Linear(d, d)
        if a.position == "shaw":
            self.position = torch.nn.Module()
            rows, dh = 2 * a.max_relative + 1, d // h
            self.position.relative_keys = torch.nn.Parameter(torch.empty(rows, dh))
            if not a.no_shaw_values:
                self.position.relative_values = torch.nn.Parameter(torch.empty(rows, dh))

    def forward(self, x):
        bsz, s, d = x.shape
        h, dh, a = self.h, d // self.h, self.a
        q, k, v = F.linear(x, self.in_proj_weight, getattr(self, "in_proj_bias", None)).chunk(3, dim=-1)
        q, k, v = (t.view(bsz, s, h, dh).transpose(1, 2) for t in (q, k, v))
        if a.position == "rope":
            rot = a.rotary_dim or dh
            q, k = rope(q, rot, a.base, a.convention), rope(k, rot, a.base, a.convention)
        i = torch.arange(s).view(s, 1)
        j = torch.arange(s).view(1, s)
        logits = q @ k.transpose(-1, -2)
        if a.position == "shaw":
            # e_ij = q_i . (k_j + a^K_ij), a^K_ij = w^K[clip(j - i, -K, K) + K] (sec. 3)
            rel = (j - i).clamp(-a.max_relative, a.max_relative) + a.max_relative  # [s, s]
            a_k = self.position.relative_keys[rel]  # [s, s, dh]
            logits = logits + torch.einsum("bhid,ijd->bhij", q, a_k)
        default_scale = 1.0 / math.sqrt(dh)
        if a.position == "deberta":
            km = a.max_relative
            pos = self.position
            kr = pos.pos_key_proj(pos.rel_embeddings).view(2 * km, h, dh).transpose(0, 1)   # [h, 2k, dh]
            qr = pos.pos_query_proj(pos.rel_embeddings).view(2 * km, h, dh).transpose(0, 1)
            d_c2p = (i - j).clamp(-km, km - 1) + km   # delta(i, j)
            d_p2c = (j - i).clamp(-km, km - 1) + km   # delta(j, i), indexed [i, j]
            c2p = torch.einsum("bhid,hijd->bhij", q, kr[:, d_c2p])
            p2c = torch.einsum("bhjd,hijd->bhij", k, qr[:, d_p2c])
            logits = logits + c2p + p2c
            default_scale = 1.0 / math.sqrt(3 * dh)
        scores = logits * (a.scale or default_scale)
        if a.position == "t5":
            buckets = t5_bucket(j - i, not a.unidirectional, a.num_buckets, a.max_distance)
            table = SHARED["t5"] if a.share_position else self.position
            scores = scores + table(buckets).permute(2, 0, 1)  # [h, s, s]
        if a.position == "alibi":
            m = torch.tensor(alibi_slopes(h)).view(h, 1, 1)
            scores = scores - m * (i - j).abs().float()
        masked = torch.zeros(s, s, dtype=torch.bool)
        if a.causal:
            masked |= j > i
        if a.window:
            masked |= (i - j) >= a.window
            if not a.causal:
                masked |= (j - i) >= a.window
        if a.block_size:
            masked |= (i // a.block_size) != (j // a.block_size)
        scores = scores.masked_fill(masked, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        out = probs @ v
        if a.position == "shaw" and not a.no_shaw_values:
            out = out + torch.einsum("bhij,ijd->bhid", probs, self.position.relative_values[rel])
        return self.out_proj(out.transpose(1, 2).reshape(bsz, s, d))


class Layer(torch.nn.Module):
    """Post- or pre-norm layer with nn.TransformerEncoderLayer's weight names."""
    def __init__(self, d, h, dff, a):
        super().__init__()
        self.a = a
        self.self_attn = Attention(d, h, a)
        self.linear1 = torch.nn.Linear(d, dff, bias=not a.no_bias)
        self.linear2 = torch.nn.Linear(dff, d, bias=not a.no_bias)
        self.norm1, self.norm2 = make_norm(d, a), make_norm(d, a)

    def ffn(self, x):
        act = torch.relu if self.a.activation == "relu" else F.gelu
        return self.linear2(act(self.linear1(x)))

    def forward(self, x):
        if self.a.pre_norm:
            x = x + self.self_attn(self.norm1(x))
            return x + self.ffn(self.norm2(x))
        x = self.norm1(x + self.self_attn(x))
        return self.norm2(x + self.ffn(x))


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=48, heads=6, d_ff=96, seq=16, batch=2)
    ap.add_argument("--position", default="none", choices=["none", "rope", "alibi", "t5", "shaw", "deberta"])
    ap.add_argument("--max-relative", type=int, default=16)
    ap.add_argument("--no-shaw-values", action="store_true")
    ap.add_argument("--num-buckets", type=int, default=32)
    ap.add_argument("--max-distance", type=int, default=128)
    ap.add_argument("--unidirectional", action="store_true")
    ap.add_argument("--share-position", action="store_true")
    ap.add_argument("--scale", type=float, default=0.0)
    ap.add_argument("--activation", default="relu", choices=["relu", "gelu"])
    ap.add_argument("--eps", type=float, default=1e-5)
    ap.add_argument("--pre-norm", action="store_true")
    ap.add_argument("--rms-norm", action="store_true")
    ap.add_argument("--no-bias", action="store_true")
    ap.add_argument("--final-norm", action="store_true", help="a last norm named `norm`")
    ap.add_argument("--convention", default="rotate_half", choices=["rotate_half", "interleaved"])
    ap.add_argument("--rotary-dim", type=int, default=0)
    ap.add_argument("--base", type=float, default=10000.0)
    ap.add_argument("--causal", action="store_true")
    ap.add_argument("--window", type=int, default=0)
    ap.add_argument("--block-size", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = torch.nn.Module()
    if a.share_position:
        model.relative_attention_bias = SHARED["t5"] = torch.nn.Embedding(a.num_buckets, a.heads)
    model.layers = torch.nn.ModuleList(Layer(a.d_model, a.heads, a.d_ff, a) for _ in range(a.layers))
    if a.final_norm:
        model.norm = make_norm(a.d_model, a)
    loomref.reinit_(model, a.seed + 1)
    x = torch.randn(a.batch, a.seq, a.d_model, generator=torch.Generator().manual_seed(a.seed + 2))
    with torch.no_grad():
        y = x
        for layer in model.layers:
            y = layer(y)
        if a.final_norm:
            y = model.norm(y)
    loomref.save_reference(a.outdir, model.state_dict(), x, y)


if __name__ == "__main__":
    main()
