"""Reference for examples/biblosan.loom: the Bi-BloSAN encoder (Shen et al. 2018, "Bi-
directional block self-attention for fast and memory-efficient sequence modeling") written
in PyTorch from the paper's equations, step by step as the authors' TensorFlow code computes
them (taoshen58/BiBloSA, context_fusion/self_attn.py: bi_directional_simple_block_attention,
simple_block_attention, directional_attention_with_dense, multi_dimensional_attention; nn.py:
linear, bn_dense_layer; general.py: exp_mask_for_high_rank adds (1 - mask) * -1e30,
mask_for_high_rank multiplies by the mask). The [batch, blocks, block, block, d] logits are
built whole, as the authors' code builds them. Weights are named by the TensorFlow variables
with "/" as "." (a dense layer's W is [in, out]).

Where the paper and the code differ, the code is followed (as stdlib/blosa.loom documents):
the fusion keeps rep_map = act(x W + b) where the paper keeps x; the in-block source2token
logits are one linear layer where the paper has two; a query without a visible key gets 0.

usage: make_blosa_ref.py OUTDIR --batch 3 --seq 13 --d-in 8 --d 6 --block-len 4
           [--lengths 13,9,1] [--activation elu|relu] [--seed S]
Writes weights.safetensors, x.npy, lengths.npy (int64), sentence.npy ([batch, 1, 2 d]) and
tokens.npy ([batch, seq, 2 d]).
"""
import argparse
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402

VERY_NEGATIVE_NUMBER = -1e30


def exp_mask(val, mask):
    return val + (1 - mask.float()) * VERY_NEGATIVE_NUMBER


def act_fn(name):
    return {"elu": torch.nn.functional.elu, "relu": torch.relu, "linear": lambda x: x}[name]


class Weights:
    """Dense layers read from {name: tensor}; `scope` prefixes names as variable_scope does."""

    def __init__(self, tensors, scope=""):
        self.t, self.scope = tensors, scope

    def __getitem__(self, name):
        return self.t[self.scope + name]

    def sub(self, scope):
        return Weights(self.t, self.scope + scope + ".")

    def linear(self, x, scope, bias=True):
        y = x @ self[scope + ".W"]
        return y + self[scope + ".bias"] if bias else y

    def dense(self, x, scope, activation):
        return act_fn(activation)(self.linear(x, scope + ".linear_map"))


def scaled_tanh(x, scale=5.0):
    return scale * torch.tanh(x / scale)


def direction_mask(n, direction):
    idx = torch.arange(n)
    sl_col, sl_row = idx[None, :].expand(n, n), idx[:, None].expand(n, n)  # tf.meshgrid
    if direction is None:
        return sl_row != sl_col
    return sl_row > sl_col if direction == "forward" else sl_col > sl_row


def directional_attention_with_dense(w, rep, rep_mask, direction, activation):
    """DiSA: rep [bs, sl, vec], rep_mask [bs, sl] bool."""
    bs, sl, vec = rep.shape
    attn_mask = direction_mask(sl, direction)[None] & rep_mask[:, None, :]  # bs, sl, sl
    rep_map = w.dense(rep, "bn_dense_map", activation)
    rep_map_tile = rep_map[:, None].expand(bs, sl, sl, vec)
    a = w.sub("attention")
    dependent = a.linear(rep_map, "linear_dependent", bias=False)
    head = a.linear(rep_map, "linear_head", bias=False)
    logits = scaled_tanh(dependent[:, None] + head[:, :, None] + a["f_bias"])  # bs, sl, sl, vec
    score = torch.softmax(exp_mask(logits, attn_mask[..., None]), 2) * attn_mask[..., None]
    attn_result = (score * rep_map_tile).sum(2)
    o = w.sub("output")
    gate = torch.sigmoid(o.linear(rep_map, "linear_fusion_i") + o.linear(attn_result, "linear_fusion_a")
                         + o["o_bias"])
    out = gate * rep_map + (1 - gate) * attn_result
    return out * rep_mask[..., None]


def simple_block_attention(w, rep, rep_mask, block_len, direction, activation):
    bs, sl, d_in = rep.shape
    bn = math.ceil(sl / block_len)
    bl = block_len
    comp = bn * bl - sl
    rep_comp = torch.cat([rep, torch.zeros(bs, comp, d_in)], 1)
    mask_comp = torch.cat([rep_mask, torch.zeros(bs, comp, dtype=torch.bool)], 1)
    rep_split = rep_comp.reshape(bs, bn, bl, d_in)
    mask_split = mask_comp.reshape(bs, bn, bl)
    rep_map = w.dense(rep_split, "split_seq.bn_dense_map", activation)  # bs, bn, bl, vec
    vec = rep_map.shape[-1]
    rep_map_tile = rep_map[:, :, None].expand(bs, bn, bl, bl, vec)
    # intra-block masked token2token self-attention
    attn_mask = (direction_mask(bl, direction)[None, None]
                 & mask_split[:, :, None, :] & mask_split[:, :, :, None])  # bs, bn, bl, bl
    s = w.sub("self_attention")
    dependent, head = s.linear(rep_map, "linear_dependent_head", bias=False).split(vec, -1)
    logits = scaled_tanh(dependent[:, :, None] + head[:, :, :, None] + s["f_bias"])
    score = torch.softmax(exp_mask(logits, attn_mask[..., None]), 3) * attn_mask[..., None]
    self_attn_result = (score * rep_map_tile).sum(3)  # bs, bn, bl, vec
    # source2token per block
    lg = w.linear(self_attn_result, "source2token_self_attn.bn_dense_map.linear_map")
    soft = torch.softmax(exp_mask(lg, mask_split[..., None]), 2)
    block_vec = (self_attn_result * soft).sum(2)  # bs, bn, vec
    # inter-block DiSA, every block valid
    block_ct = directional_attention_with_dense(
        w.sub("self_attn_inter_block.disa"), block_vec, torch.ones(bs, bn, dtype=torch.bool),
        direction, activation)
    block_ct_tile = block_ct[:, :, None].expand(bs, bn, bl, vec)
    # combination
    with_ct = torch.cat([rep_map, self_attn_result, block_ct_tile], -1)
    new_context, gate = w.linear(with_ct, "combination.linear_new_context_and_gate").split(vec, -1)
    gate = torch.sigmoid(gate)
    res = gate * act_fn(activation)(new_context) + (1 - gate) * rep_map
    return res.reshape(bs, bn * bl, vec)[:, :sl]


def multi_dimensional_attention(w, rep, rep_mask, activation):
    map1 = w.dense(rep, "bn_dense_map1", activation)
    map2 = w.dense(map1, "bn_dense_map2", "linear")
    soft = torch.softmax(exp_mask(map2, rep_mask[..., None]), 1)
    return (soft * rep).sum(1, keepdim=True)  # [bs, 1, vec]


def bi_blosan(tensors, x, lengths, block_len, activation="elu"):
    """Returns (sentence [bs, 1, 2 d], tokens [bs, sl, 2 d])."""
    w = Weights(tensors)
    rep_mask = torch.arange(x.shape[1])[None] < lengths[:, None]
    b = w.sub("bi_directional_simple_block_attn")
    fw = simple_block_attention(b.sub("forward_attn"), x, rep_mask, block_len, "forward", activation)
    bw = simple_block_attention(b.sub("backward_attn"), x, rep_mask, block_len, "backward", activation)
    tokens = torch.cat([fw, bw], -1)
    sentence = multi_dimensional_attention(w.sub("multi_dimensional_attention"), tokens, rep_mask, activation)
    return sentence, tokens


def random_weights(d_in, d, seed):
    """Every variable of the encoder, named as the authors' TensorFlow graph names it."""
    g = torch.Generator().manual_seed(seed)
    shapes = {}
    for direction in ("forward_attn", "backward_attn"):
        p = f"bi_directional_simple_block_attn.{direction}."
        shapes.update({
            p + "split_seq.bn_dense_map.linear_map.W": (d_in, d),
            p + "split_seq.bn_dense_map.linear_map.bias": (d,),
            p + "self_attention.linear_dependent_head.W": (d, 2 * d),
            p + "self_attention.f_bias": (d,),
            p + "source2token_self_attn.bn_dense_map.linear_map.W": (d, d),
            p + "source2token_self_attn.bn_dense_map.linear_map.bias": (d,),
            p + "self_attn_inter_block.disa.bn_dense_map.linear_map.W": (d, d),
            p + "self_attn_inter_block.disa.bn_dense_map.linear_map.bias": (d,),
            p + "self_attn_inter_block.disa.attention.linear_dependent.W": (d, d),
            p + "self_attn_inter_block.disa.attention.linear_head.W": (d, d),
            p + "self_attn_inter_block.disa.attention.f_bias": (d,),
            p + "self_attn_inter_block.disa.output.linear_fusion_i.W": (d, d),
            p + "self_attn_inter_block.disa.output.linear_fusion_i.bias": (d,),
            p + "self_attn_inter_block.disa.output.linear_fusion_a.W": (d, d),
            p + "self_attn_inter_block.disa.output.linear_fusion_a.bias": (d,),
            p + "self_attn_inter_block.disa.output.o_bias": (d,),
            p + "combination.linear_new_context_and_gate.W": (3 * d, 2 * d),
            p + "combination.linear_new_context_and_gate.bias": (2 * d,),
        })
    shapes.update({
        "multi_dimensional_attention.bn_dense_map1.linear_map.W": (2 * d, 2 * d),
        "multi_dimensional_attention.bn_dense_map1.linear_map.bias": (2 * d,),
        "multi_dimensional_attention.bn_dense_map2.linear_map.W": (2 * d, 2 * d),
        "multi_dimensional_attention.bn_dense_map2.linear_map.bias": (2 * d,),
    })
    # Weights ~ N(0, 1/fan_in) scaled up so that the tanh logits reach their +-5 range and
    # the softmaxes are far from uniform; biases ~ 0.3 N(0, 1).
    return {name: (2.0 * torch.randn(s, generator=g) / math.sqrt(s[0]) if len(s) == 2
                   else 0.3 * torch.randn(s, generator=g))
            for name, s in shapes.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--batch", type=int, default=3)
    ap.add_argument("--seq", type=int, default=13)
    ap.add_argument("--d-in", type=int, default=8)
    ap.add_argument("--d", type=int, default=6)
    ap.add_argument("--block-len", type=int, default=4)
    ap.add_argument("--lengths", help="comma-separated, one per example (default: all seq)")
    ap.add_argument("--activation", default="elu", choices=["elu", "relu"])
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    tensors = random_weights(a.d_in, a.d, a.seed + 1)
    x = torch.randn(a.batch, a.seq, a.d_in)
    lengths = (torch.tensor([int(v) for v in a.lengths.split(",")]) if a.lengths
               else torch.full((a.batch,), a.seq))
    assert lengths.shape == (a.batch,) and int(lengths.min()) >= 1 and int(lengths.max()) <= a.seq
    with torch.no_grad():
        sentence, tokens = bi_blosan(tensors, x, lengths, a.block_len, a.activation)
    os.makedirs(a.outdir, exist_ok=True)
    loomref.write_safetensors(os.path.join(a.outdir, "weights.safetensors"), tensors)
    loomref.save_npy(os.path.join(a.outdir, "x.npy"), x)
    np.save(os.path.join(a.outdir, "lengths.npy"), lengths.numpy().astype(np.int64))
    loomref.save_npy(os.path.join(a.outdir, "sentence.npy"), sentence)
    loomref.save_npy(os.path.join(a.outdir, "tokens.npy"), tokens)


if __name__ == "__main__":
    main()
