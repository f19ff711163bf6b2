"""Reference ESPnet Conformer encoder: espnet2's ConformerEncoder with input_layer "linear",
rewritten here from ESPnet's code (espnet is not a Debian package) with its module names, so
the state_dict keys are ESPnet's: encoder.embed.0 / .1, encoder.encoders.N.self_attn.linear_q,
..., linear_pos, pos_bias_u, pos_bias_v, feed_forward(_macaron).w_1 / w_2,
conv_module.pointwise_conv1 / depthwise_conv / norm / pointwise_conv2, norm_ff(_macaron),
norm_mha, norm_conv, norm_final, encoder.after_norm. Followed exactly, in eval mode:
- RelPositionalEncoding (rel_pos_type "latest", espnet/nets/pytorch_backend/transformer/
  embedding.py): x * sqrt(d_model), and a table of the positions T-1..-(T-1) (sin at even,
  cos at odd features), sliced from one built for max_len = 5000 positions each way.
- LegacyRelPositionalEncoding ("legacy"): a table of positions max_len-1..0 built at
  construction (rebuilt for T-1..0 only when T > max_len), of which the first T rows are used.
- RelPositionMultiHeadedAttention.rel_shift (latest: pad, view, keep T of the 2T-1 columns)
  and LegacyRelPositionMultiHeadedAttention.rel_shift (the XL shift over T columns, no mask:
  the upper triangle reads the next row); zero_triu; the mask filled with the f32 minimum
  before the softmax and with 0 after.
- With --rel-pos-type wenet, WeNet's fork of the same encoder (wenet/transformer/
  embedding.py RelPositionalEncoding: x * sqrt(d_model) and the table of the positions
  0..T-1; attention.py RelPositionMultiHeadedAttention: matrix_bd already [T, T], so no
  rel_shift; LinearNoSubsampling's embed.out.0 / .1; every LayerNorm with eps 1e-5).
- ESPnet's LayerNorm is torch.nn.LayerNorm(eps=1e-12); the embed's LayerNorm is torch's
  (eps 1e-5); Swish is x * sigmoid(x); BatchNorm1d uses random running statistics.

usage: make_espnet_ref.py OUTDIR --layers 2 --d-model 32 --heads 4 --d-ff 64 --seq 20
           --batch 3 --idim 12 --kernel 7 --lengths 20,13,5 [--rel-pos-type legacy|wenet]
           [--max-len 5000] [--zero-triu] [--no-macaron] [--post-norm] [--no-cnn]
Writes weights.safetensors, input.npy, lengths.npy (int64) and expected.npy. ESPnet builds
its mask from max(lengths), so the largest length must equal --seq.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def sinusoids(position, d_model):
    """[len(position), d_model]: sin(p f_i) at feature 2i, cos(p f_i) at 2i + 1, in f32."""
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32)
                         * -(math.log(10000.0) / d_model))
    pe = torch.zeros(position.shape[0], d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


class RelPositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=5000):
        super().__init__()
        self.d_model, self.xscale = d_model, math.sqrt(d_model)
        self.pe = self.build(max_len)

    def build(self, n):
        position = torch.arange(0, n, dtype=torch.float32).unsqueeze(1)
        positive = torch.flip(sinusoids(position, self.d_model), [0])  # n-1 .. 0
        negative = sinusoids(-1 * position, self.d_model)[1:]         # -1 .. -(n-1)
        return torch.cat([positive, negative], dim=0).unsqueeze(0)

    def forward(self, x):
        if self.pe.size(1) < 2 * x.size(1) - 1:
            self.pe = self.build(x.size(1))
        c = self.pe.size(1) // 2
        return x * self.xscale, self.pe[:, c - x.size(1) + 1: c + x.size(1)]


class LegacyRelPositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=5000):
        super().__init__()
        self.d_model, self.xscale = d_model, math.sqrt(d_model)
        self.pe = self.build(max_len)

    def build(self, n):
        position = torch.arange(n - 1, -1, -1.0, dtype=torch.float32).unsqueeze(1)
        return sinusoids(position, self.d_model).unsqueeze(0)

    def forward(self, x):
        if self.pe.size(1) < x.size(1):
            self.pe = self.build(x.size(1))
        return x * self.xscale, self.pe[:, : x.size(1)]


class WenetRelPositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len=5000):
        super().__init__()
        self.d_model, self.xscale = d_model, math.sqrt(d_model)
        self.pe = sinusoids(torch.arange(0, max_len, dtype=torch.float32).unsqueeze(1), d_model)[None]

    def forward(self, x):
        return x * self.xscale, self.pe[:, : x.size(1)]


class RelPositionMultiHeadedAttention(nn.Module):
    def __init__(self, n_head, n_feat, legacy, zero_triu, wenet=False):
        super().__init__()
        self.d_k, self.h = n_feat // n_head, n_head
        self.legacy, self.zero_triu, self.wenet = legacy, zero_triu, wenet
        self.linear_q = nn.Linear(n_feat, n_feat)
        self.linear_k = nn.Linear(n_feat, n_feat)
        self.linear_v = nn.Linear(n_feat, n_feat)
        self.linear_out = nn.Linear(n_feat, n_feat)
        self.linear_pos = nn.Linear(n_feat, n_feat, bias=False)
        self.pos_bias_u = nn.Parameter(torch.zeros(self.h, self.d_k))
        self.pos_bias_v = nn.Parameter(torch.zeros(self.h, self.d_k))

    def rel_shift(self, x):
        zero_pad = torch.zeros((*x.size()[:3], 1), dtype=x.dtype)
        x_padded = torch.cat([zero_pad, x], dim=-1)
        x_padded = x_padded.view(*x.size()[:2], x.size(3) + 1, x.size(2))
        x = x_padded[:, :, 1:].view_as(x)
        if not self.legacy:
            x = x[:, :, :, : x.size(-1) // 2 + 1]
        if self.zero_triu:
            ones = torch.ones((x.size(2), x.size(3)))
            x = x * torch.tril(ones, x.size(3) - x.size(2))[None, None, :, :]
        return x

    def forward(self, x, pos_emb, mask):
        b = x.size(0)
        q = self.linear_q(x).view(b, -1, self.h, self.d_k)  # (batch, time1, head, d_k)
        k = self.linear_k(x).view(b, -1, self.h, self.d_k).transpose(1, 2)
        v = self.linear_v(x).view(b, -1, self.h, self.d_k).transpose(1, 2)
        p = self.linear_pos(pos_emb).view(pos_emb.size(0), -1, self.h, self.d_k).transpose(1, 2)
        ac = torch.matmul((q + self.pos_bias_u).transpose(1, 2), k.transpose(-2, -1))
        bd = torch.matmul((q + self.pos_bias_v).transpose(1, 2), p.transpose(-2, -1))
        if not self.wenet:  # WeNet's own table is already [T, T] and not shifted
            bd = self.rel_shift(bd)
        scores = (ac + bd) / math.sqrt(self.d_k)
        masked = mask.unsqueeze(1).eq(0)  # (batch, 1, 1, time2)
        scores = scores.masked_fill(masked, torch.finfo(scores.dtype).min)
        attn = torch.softmax(scores, dim=-1).masked_fill(masked, 0.0)
        y = torch.matmul(attn, v).transpose(1, 2).contiguous().view(b, -1, self.h * self.d_k)
        return self.linear_out(y)


class Swish(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


class PositionwiseFeedForward(nn.Module):
    def __init__(self, idim, hidden):
        super().__init__()
        self.w_1, self.w_2, self.activation = nn.Linear(idim, hidden), nn.Linear(hidden, idim), Swish()

    def forward(self, x):
        return self.w_2(self.activation(self.w_1(x)))


class ConvolutionModule(nn.Module):
    def __init__(self, channels, kernel_size):
        super().__init__()
        self.pointwise_conv1 = nn.Conv1d(channels, 2 * channels, 1)
        self.depthwise_conv = nn.Conv1d(channels, channels, kernel_size,
                                        padding=(kernel_size - 1) // 2, groups=channels)
        self.norm = nn.BatchNorm1d(channels)
        self.pointwise_conv2 = nn.Conv1d(channels, channels, 1)
        self.activation = Swish()

    def forward(self, x):
        x = nn.functional.glu(self.pointwise_conv1(x.transpose(1, 2)), dim=1)
        x = self.activation(self.norm(self.depthwise_conv(x)))
        return self.pointwise_conv2(x).transpose(1, 2)


def LayerNorm(n, a):
    """ESPnet's LayerNorm (eps 1e-12); WeNet's are torch's with eps 1e-5."""
    return nn.LayerNorm(n, eps=1e-5 if a.rel_pos_type == "wenet" else 1e-12)


class EncoderLayer(nn.Module):
    def __init__(self, size, heads, d_ff, kernel, a):
        super().__init__()
        self.self_attn = RelPositionMultiHeadedAttention(heads, size, a.rel_pos_type == "legacy",
                                                         a.zero_triu, a.rel_pos_type == "wenet")
        self.feed_forward = PositionwiseFeedForward(size, d_ff)
        self.feed_forward_macaron = None if a.no_macaron else PositionwiseFeedForward(size, d_ff)
        self.conv_module = None if a.no_cnn else ConvolutionModule(size, kernel)
        self.norm_ff, self.norm_mha = LayerNorm(size, a), LayerNorm(size, a)
        if self.feed_forward_macaron is not None:
            self.norm_ff_macaron = LayerNorm(size, a)
        self.ff_scale = 1.0 if self.feed_forward_macaron is None else 0.5
        if self.conv_module is not None:
            self.norm_conv, self.norm_final = LayerNorm(size, a), LayerNorm(size, a)
        self.normalize_before = not a.post_norm

    def block(self, x, norm, f, scale=1.0):
        y = norm(x) if self.normalize_before else x
        x = x + scale * f(y)
        return x if self.normalize_before else norm(x)

    def forward(self, x, pos_emb, mask):
        if self.feed_forward_macaron is not None:
            x = self.block(x, self.norm_ff_macaron, self.feed_forward_macaron, self.ff_scale)
        x = self.block(x, self.norm_mha, lambda y: self.self_attn(y, pos_emb, mask))
        if self.conv_module is not None:
            x = self.block(x, self.norm_conv, self.conv_module)
        x = self.block(x, self.norm_ff, self.feed_forward, self.ff_scale)
        if self.conv_module is not None:
            x = self.norm_final(x)
        return x


class LinearNoSubsampling(nn.Module):
    """WeNet's input layer "linear": the same modules under `out`."""

    def __init__(self, out):
        super().__init__()
        self.out = out

    def forward(self, x):
        return self.out(x)


class ConformerEncoder(nn.Module):
    def __init__(self, a):
        super().__init__()
        pos_enc = {"legacy": LegacyRelPositionalEncoding, "latest": RelPositionalEncoding,
                   "wenet": WenetRelPositionalEncoding}[a.rel_pos_type](a.d_model, a.max_len)
        embed = nn.Sequential(nn.Linear(a.idim, a.d_model), nn.LayerNorm(a.d_model),
                              nn.Dropout(0.0))
        self.embed = LinearNoSubsampling(embed) if a.rel_pos_type == "wenet" else embed
        self.pos_enc = pos_enc  # embed's last module; holds no parameters
        self.encoders = nn.ModuleList(EncoderLayer(a.d_model, a.heads, a.d_ff, a.kernel, a)
                                      for _ in range(a.layers))
        self.normalize_before = not a.post_norm
        if self.normalize_before:
            self.after_norm = LayerNorm(a.d_model, a)

    def forward(self, xs, ilens):
        mask = (torch.arange(xs.size(1))[None, :] < ilens[:, None])[:, None, :]
        xs, pos_emb = self.pos_enc(self.embed(xs))
        for layer in self.encoders:
            xs = layer(xs, pos_emb, mask)
        return self.after_norm(xs) if self.normalize_before else xs


class ASRModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.encoder = ConformerEncoder(a)


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, seq=20, batch=3)
    ap.add_argument("--idim", type=int, default=12)
    ap.add_argument("--kernel", type=int, default=7)
    ap.add_argument("--lengths", default="")
    ap.add_argument("--rel-pos-type", choices=["latest", "legacy", "wenet"], default="latest")
    ap.add_argument("--max-len", type=int, default=5000)
    ap.add_argument("--zero-triu", action="store_true")
    ap.add_argument("--no-macaron", action="store_true")
    ap.add_argument("--post-norm", action="store_true")
    ap.add_argument("--no-cnn", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = ASRModel(a).eval()
    loomref.reinit_(model, a.seed + 1)
    g = torch.Generator().manual_seed(a.seed + 3)
    loomref.random_batch_norm_stats_(model, g)
    lengths = ([int(n) for n in a.lengths.split(",")] if a.lengths else [a.seq] * a.batch)
    assert len(lengths) == a.batch and max(lengths) == a.seq
    x = torch.randn(a.batch, a.seq, a.idim, generator=g)
    ilens = torch.tensor(lengths, dtype=torch.int64)
    with torch.no_grad():
        y = model.encoder(x, ilens)
    loomref.save_reference(a.outdir, model.state_dict(), x, y)
    np.save(os.path.join(a.outdir, "lengths.npy"), ilens.numpy())


if __name__ == "__main__":
    main()
