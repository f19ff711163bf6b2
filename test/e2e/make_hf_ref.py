"""Reference models whose state_dict keys and arithmetic are those of Hugging Face's modeling
code (transformers is not a Debian package, so each module is written here from it):

  bert     BertModel (add_pooling_layer=False): BertEmbeddings (word + absolute position +
           token type, LayerNorm), BertLayer (self.query/key/value, output.dense + LayerNorm,
           intermediate.dense + exact GELU, output.dense + LayerNorm), the extended attention
           mask (1 - mask) * finfo.min from a prefix padding mask given as lengths.
  gpt2     GPT2Model: wte + wpe, GPT2Block (pre-norm ln_1/ln_2, Conv1D c_attn packing q|k|v
           with weights [in, out], causal attention, c_proj, mlp.c_fc/c_proj with gelu_new,
           i.e. the tanh approximation), final ln_f.
  gptj     GPTJModel: wte, GPTJBlock (one ln_1 feeding attention and MLP in parallel,
           x + attn + mlp; q/k/v/out_proj without bias; rotary embedding of the first
           rotary_dim features of each head with interleaved pairs, rotate_every_two), ln_f.
  neox     GPTNeoXModel: embed_in, GPTNeoXLayers with use_parallel_residual (x +
           attn(input_layernorm(x)) + mlp(post_attention_layernorm(x))), query_key_value packed
           per head as [n_heads, 3, d_head] along its outputs, rotate_half rotary on the first
           rotary_pct of each head, exact GELU, final_layer_norm.
  t5       T5EncoderModel: `shared` embedding also named encoder.embed_tokens (one tensor under
           two names in the state_dict), T5Blocks (T5LayerNorm = RMSNorm without bias,
           SelfAttention.q/k/v/o without bias and without score scaling, the bucketed relative
           bias stored in block 0 only and reused by every block, DenseReluDense.wi/wo), the
           final_layer_norm.
  xl       TransfoXLModel (the authors' mem_transformer.py names, untie_r): word_emb
           (AdaptiveEmbedding with div_val 1 and no cutoffs: emb_layers.0, scaled by
           sqrt(d_model)), the pos_emb.inv_freq buffer, RelPartialLearnableDecoderLayers
           (dec_attn.qkv_net over concat(mems, x) without bias, r_net over the sinusoidal
           [sin | cos] table of distances klen-1..0, r_w_bias / r_r_bias per layer, the
           _rel_shift of the position scores, causal mask shifted by mlen, scale 1/sqrt(d_head),
           o_net, layer_norm; pos_ff.CoreNet.0/3 with ReLU, pos_ff.layer_norm; post-norm, or
           pre_lnorm with --pre-lnorm), _update_mems. Segment 1 starts from zero memories (as
           init_mems does); segment 2 uses segment 1's new memories. d_head is --d-kv.
  reformer Reformer's reversible layers (Kitaev et al. 2020, sec. 3; ReformerModel's
           ReversibleLayer at inference): the embedding is duplicated into two streams,
           Y1 = X1 + Attn(LN(X2)), Y2 = X2 + FF(LN(Y1)), then concat(Y1, Y2) and
           LayerNorm(2 d). Attention is full multi-head attention named as Reformer's local
           attention (query/key/value without bias, output.dense without bias); the
           feed-forward is ReformerFeedForwardDense (dense.dense) + ReLU +
           ReformerFeedForwardOutput (output.dense).

usage: make_hf_ref.py MODEL OUTDIR [--layers 2 --d-model 32 --heads 4 --d-ff 64 --seq 12
           --batch 3 --vocab 50 --lengths 12,7,3 --rotary-dim 4 --d-kv 8 --dtype f32|bf16|f16]
Writes weights.safetensors (the module's state_dict, unchanged; with --dtype bf16 or f16 in
that precision, as real checkpoints are, and the reference computed from the rounded weights), input_ids.npy (int64), for bert also
token_type_ids.npy and lengths.npy, and expected.npy (the last hidden state); for xl also
mems0.npy, mems1.npy, input_ids2.npy, expected2.npy and mems2.npy (memories [n_layers,
batch, mem_len, d_model]).
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
from make_position_ref import t5_bucket  # noqa: E402


class Conv1D(nn.Module):
    """transformers.pytorch_utils.Conv1D: y = x W + b with W stored [in, out]."""

    def __init__(self, nf, nx):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        return x @ self.weight + self.bias


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def heads(x, h):
    b, s, d = x.shape
    return x.view(b, s, h, d // h).transpose(1, 2)


def merge(x):
    b, h, s, dh = x.shape
    return x.transpose(1, 2).reshape(b, s, h * dh)


def attend(q, k, v, h, mask=None):
    """softmax(q k^T / sqrt(d_head) + mask) v per head; mask is additive."""
    q, k, v = heads(q, h), heads(k, h), heads(v, h)
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s + mask
    return merge(torch.softmax(s, dim=-1) @ v)


def causal_mask(seq):
    return torch.triu(torch.full((seq, seq), torch.finfo(torch.float32).min), diagonal=1)


# --- BERT -----------------------------------------------------------------------------

class BertSelfAttention(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)


class BertOutput(nn.Module):
    def __init__(self, d_in, d, eps):
        super().__init__()
        self.dense = nn.Linear(d_in, d)
        self.LayerNorm = nn.LayerNorm(d, eps=eps)


class BertLayer(nn.Module):
    def __init__(self, d, h, d_ff, eps):
        super().__init__()
        self.h = h
        self.attention = nn.Module()
        self.attention.self = BertSelfAttention(d)
        self.attention.output = BertOutput(d, d, eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(d, d_ff)
        self.output = BertOutput(d_ff, d, eps)

    def forward(self, x, mask):
        s, o = self.attention.self, self.attention.output
        a = attend(s.query(x), s.key(x), s.value(x), self.h, mask)
        a = o.LayerNorm(o.dense(a) + x)
        f = nn.functional.gelu(self.intermediate.dense(a))
        return self.output.LayerNorm(self.output.dense(f) + a)


class BertModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        eps = 1e-12
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(a.vocab, a.d_model)
        self.embeddings.position_embeddings = nn.Embedding(a.max_len, a.d_model)
        self.embeddings.token_type_embeddings = nn.Embedding(2, a.d_model)
        self.embeddings.LayerNorm = nn.LayerNorm(a.d_model, eps=eps)
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(BertLayer(a.d_model, a.heads, a.d_ff, eps) for _ in range(a.layers))

    def forward(self, ids, types, attention_mask):
        e = self.embeddings
        seq = ids.shape[1]
        x = e.word_embeddings(ids) + e.token_type_embeddings(types) + \
            e.position_embeddings(torch.arange(seq))[None]
        x = e.LayerNorm(x)
        mask = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.encoder.layer:
            x = layer(x, mask)
        return x


# --- GPT-2 ----------------------------------------------------------------------------

class GPT2Block(nn.Module):
    def __init__(self, d, h, eps):
        super().__init__()
        self.h = h
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = nn.Module()
        self.attn.c_attn = Conv1D(3 * d, d)
        self.attn.c_proj = Conv1D(d, d)
        self.ln_2 = nn.LayerNorm(d, eps=eps)
        self.mlp = nn.Module()
        self.mlp.c_fc = Conv1D(4 * d, d)
        self.mlp.c_proj = Conv1D(d, 4 * d)

    def forward(self, x):
        q, k, v = self.attn.c_attn(self.ln_1(x)).split(x.shape[-1], dim=2)
        x = x + self.attn.c_proj(attend(q, k, v, self.h, causal_mask(x.shape[1])))
        return x + self.mlp.c_proj(gelu_new(self.mlp.c_fc(self.ln_2(x))))


class GPT2Model(nn.Module):
    def __init__(self, a):
        super().__init__()
        eps = 1e-5
        self.wte = nn.Embedding(a.vocab, a.d_model)
        self.wpe = nn.Embedding(a.max_len, a.d_model)
        self.h = nn.ModuleList(GPT2Block(a.d_model, a.heads, eps) for _ in range(a.layers))
        self.ln_f = nn.LayerNorm(a.d_model, eps=eps)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[1]))[None]
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


# --- GPT-J ----------------------------------------------------------------------------

def rotate_every_two(x):
    x1, x2 = x[..., ::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def gptj_rotary(x, rotary_dim, seq):
    """GPTJAttention: rotary on the first rotary_dim features of each head ([b, h, s, dh])."""
    inv_freq = 1.0 / (10000 ** (torch.arange(0, rotary_dim, 2, dtype=torch.float32) / rotary_dim))
    sinusoid = torch.arange(seq, dtype=torch.float32)[:, None] * inv_freq[None]
    sin = torch.repeat_interleave(torch.sin(sinusoid), 2, dim=-1)
    cos = torch.repeat_interleave(torch.cos(sinusoid), 2, dim=-1)
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    rot = rot * cos + rotate_every_two(rot) * sin
    return torch.cat([rot, rest], dim=-1)


class GPTJBlock(nn.Module):
    def __init__(self, d, h, d_ff, rotary_dim, eps):
        super().__init__()
        self.h, self.rotary_dim = h, rotary_dim
        self.ln_1 = nn.LayerNorm(d, eps=eps)
        self.attn = nn.Module()
        for name in ("q_proj", "k_proj", "v_proj", "out_proj"):
            setattr(self.attn, name, nn.Linear(d, d, bias=False))
        self.mlp = nn.Module()
        self.mlp.fc_in = nn.Linear(d, d_ff)
        self.mlp.fc_out = nn.Linear(d_ff, d)

    def forward(self, x):
        h = self.ln_1(x)
        seq = x.shape[1]
        q = gptj_rotary(heads(self.attn.q_proj(h), self.h), self.rotary_dim, seq)
        k = gptj_rotary(heads(self.attn.k_proj(h), self.h), self.rotary_dim, seq)
        v = heads(self.attn.v_proj(h), self.h)
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + causal_mask(seq)
        a = self.attn.out_proj(merge(torch.softmax(s, dim=-1) @ v))
        m = self.mlp.fc_out(gelu_new(self.mlp.fc_in(h)))
        return a + m + x


class GPTJModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        eps = 1e-5
        self.wte = nn.Embedding(a.vocab, a.d_model)
        self.h = nn.ModuleList(GPTJBlock(a.d_model, a.heads, a.d_ff, a.rotary_dim, eps)
                               for _ in range(a.layers))
        self.ln_f = nn.LayerNorm(a.d_model, eps=eps)

    def forward(self, ids):
        x = self.wte(ids)
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


# --- Reformer's reversible layers -----------------------------------------------------

def look_adjacent(x, before, after):
    """Hugging Face's _look_adjacent: chunk c followed by its neighbours, cyclically
    (x is [batch, heads, chunks, chunk_len, ...]; concatenated along dim 3)."""
    if before == 0 and after == 0:
        return x
    return torch.cat([x if i == 0 else torch.cat([x[:, :, i:], x[:, :, :i]], dim=2)
                      for i in range(-before, after + 1)], dim=3)


def masked_scores(dots, mask, qpos, kpos, causal):
    """Reformer's masks: scores whose key is padding (mask 0) or, with `causal`, after the
    query (qpos < kpos) are replaced by -1e9 (Hugging Face's _compute_attn_mask + where)."""
    if causal:
        cm = torch.ge(qpos.unsqueeze(-1), kpos.unsqueeze(-2))
        mask = cm if mask is None else cm * mask
    if mask is not None:
        dots = torch.where(mask.bool(), dots, torch.tensor(-1e9))
    return dots


def local_attention(q, k, v, h, chunk, before, after, causal, attention_mask):
    """Hugging Face's LocalSelfAttention at inference: keys divided by sqrt(d_head); a
    sequence no longer than a chunk is plain attention; else chunks of `chunk` rows attend
    to the chunks before..after them, taken cyclically (_look_adjacent: torch.cat of rolled
    chunks); masked scores (attention_mask [batch, seq] of 1/0, and with `causal`
    query index >= key index) are replaced by -1e9; softmax through logsumexp."""
    b, seq, _ = q.shape
    q, k, v = heads(q, h), heads(k, h), heads(v, h)  # [b, h, seq, dh]
    k = k / torch.sqrt(torch.tensor(k.shape[-1], dtype=k.dtype))
    idx = torch.arange(seq).repeat(b, h, 1)
    mask = None if attention_mask is None else attention_mask.to(torch.uint8)[:, None, :]
    if seq > chunk:
        split = lambda x: x.reshape(*x.shape[:2], seq // chunk, chunk, *x.shape[3:])  # noqa: E731
        adjacent = lambda x: look_adjacent(x, before, after)  # noqa: E731
        q, k, v, qi, ki = split(q), adjacent(split(k)), adjacent(split(v)), split(idx), adjacent(split(idx))
        if mask is not None:
            mask = adjacent(mask.reshape(b, 1, seq // chunk, chunk))
    else:
        qi = ki = idx
    dots = q @ k.transpose(-1, -2)
    if mask is not None:
        mask = mask.unsqueeze(-2).expand(dots.shape)
    dots = masked_scores(dots, mask, qi, ki, causal)
    probs = torch.exp(dots - torch.logsumexp(dots, dim=-1, keepdim=True))
    out = probs @ v
    if seq > chunk:
        out = out.flatten(start_dim=2, end_dim=3)
    return merge(out)


def lsh_attention(qk, v, h, rotations, num_hashes, num_buckets, chunk, before, after, causal,
                  attention_mask):
    """Hugging Face's LSHSelfAttention at inference, with the rotations given
    ([heads, d_head, num_hashes, num_buckets / 2]) instead of drawn: argmax of
    [x R, -x R] buckets (padding in a bucket of its own after the others), a stable sort by
    (round, bucket, position), chunks attending to their neighbours cyclically over all
    rounds, keys length-normalized and divided by sqrt(d_head), masked scores replaced by
    -1e9 and a token's own position by -1e5, logsumexp softmax, the sort undone, and the
    rounds combined by the softmax of their logsumexps. A sequence no longer than a chunk
    is plain attention (with the self mask) and is not hashed."""
    b, seq, _ = qk.shape
    qk, v = heads(qk, h), heads(v, h)  # [b, h, seq, dh]
    dh = qk.shape[-1]
    standard = seq <= chunk
    if not standard:
        rotated = torch.einsum("bmtd,mdhr->bmhtr", qk, rotations)
        rotated = torch.cat([rotated, -rotated], dim=-1)
        buckets = torch.argmax(rotated, dim=-1)  # [b, h, num_hashes, seq]
        nb = num_buckets
        if attention_mask is not None and attention_mask.sum().item() < b * seq:
            nb = nb + 1
            keep = attention_mask.to(torch.uint8)[:, None, None, :].expand(buckets.shape)
            buckets = torch.where(keep.bool(), buckets, torch.tensor(nb - 1))
        offsets = (torch.arange(num_hashes) * nb).view(1, 1, -1, 1)
        buckets = (buckets + offsets).flatten(start_dim=2, end_dim=3)
        # stable argsort (Hugging Face's _stable_argsort: by bucket * n + index)
        n = buckets.shape[-1]
        scaled = buckets * n + torch.arange(n).view(1, 1, -1)
        sorted_idx = torch.argsort(scaled, dim=-1)
        undo = sorted_idx.new_empty(sorted_idx.shape)
        undo.scatter_(-1, sorted_idx, torch.arange(n).view(1, 1, -1).expand(sorted_idx.shape))
        pos = sorted_idx % seq
        gather = lambda x: torch.gather(x.repeat(1, 1, num_hashes, 1), 2,  # noqa: E731
                                        pos.unsqueeze(-1).expand(-1, -1, -1, dh))
        q, vv = gather(qk), gather(v)
        split = lambda x: x.reshape(b, h, -1, chunk, *x.shape[3:])  # noqa: E731
        q, vv, qpos = split(q), split(vv), split(pos)
    else:
        q, vv = qk, v
        qpos = torch.arange(seq).repeat(b, h, 1)
    k = q * torch.rsqrt(torch.mean(q ** 2, -1, keepdim=True) + 1e-6)
    k = k * torch.rsqrt(torch.tensor(dh, dtype=k.dtype))
    if not standard:
        k, vv = look_adjacent(k, before, after), look_adjacent(vv, before, after)
        kpos = look_adjacent(qpos, before, after)
    else:
        kpos = qpos
    dots = q @ k.transpose(-1, -2)
    mask = None
    if attention_mask is not None:
        am = attention_mask.to(torch.uint8)[:, None, :]
        if not standard:
            am = am[:, None, :].expand(qpos.shape[:-1] + (-1,))
            am = torch.gather(am, -1, kpos)
        mask = am.unsqueeze(-2).expand(dots.shape)
    dots = masked_scores(dots, mask, qpos, kpos, causal)
    dots = torch.where(torch.ne(qpos.unsqueeze(-1), kpos.unsqueeze(-2)), dots, torch.tensor(-1e5))
    logits = torch.logsumexp(dots, dim=-1, keepdim=True)
    out = torch.exp(dots - logits) @ vv
    if not standard:
        out = out.flatten(start_dim=2, end_dim=3)
        logits = logits.flatten(start_dim=2, end_dim=3).squeeze(-1)
        out = torch.gather(out, 2, undo.unsqueeze(-1).expand(out.shape))
        logits = torch.gather(logits, 2, undo)
        if num_hashes > 1:
            out = out.reshape(b, h, num_hashes, seq, dh)
            logits = logits.reshape(b, h, num_hashes, seq).unsqueeze(-1)
            out = torch.sum(out * torch.exp(logits - torch.logsumexp(logits, dim=2, keepdim=True)), dim=2)
    return merge(out)


class ReversibleLayer(nn.Module):
    def __init__(self, d, h, d_ff, eps, local=None, lsh=None):
        super().__init__()
        self.h = h
        self.local = local  # (chunk, before, after, causal) for local attention
        self.attention = nn.Module()
        self.attention.layer_norm = nn.LayerNorm(d, eps=eps)
        self.attention.self_attention = nn.Module()
        self.lsh = lsh  # (num_hashes, num_buckets, chunk, before, after, causal) for LSH attention
        for name in (("query_key", "value") if lsh else ("query", "key", "value")):
            setattr(self.attention.self_attention, name, nn.Linear(d, d, bias=False))
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(d, d, bias=False)
        self.feed_forward = nn.Module()
        self.feed_forward.layer_norm = nn.LayerNorm(d, eps=eps)
        self.feed_forward.dense = nn.Module()
        self.feed_forward.dense.dense = nn.Linear(d, d_ff)
        self.feed_forward.output = nn.Module()
        self.feed_forward.output.dense = nn.Linear(d_ff, d)

    def forward(self, x1, x2, attention_mask=None, rotations=None):
        sa = self.attention.self_attention
        h = self.attention.layer_norm(x2)
        if self.lsh:
            nh, nb, chunk, before, after, causal = self.lsh
            a = lsh_attention(sa.query_key(h), sa.value(h), self.h, rotations, nh, nb, chunk,
                              before, after, causal, attention_mask)
        elif self.local:
            a = local_attention(sa.query(h), sa.key(h), sa.value(h), self.h, *self.local,
                                attention_mask)
        else:
            a = attend(sa.query(h), sa.key(h), sa.value(h), self.h)
        y1 = x1 + self.attention.output.dense(a)
        ff = self.feed_forward
        y2 = x2 + ff.output.dense(torch.relu(ff.dense.dense(ff.layer_norm(y1))))
        return y1, y2


class AxialPositionEmbeddings(nn.Module):
    """Hugging Face's AxialPositionEmbeddings at inference: weights.0 [n1, 1, d0] and
    weights.1 [1, n2, d1] broadcast to [batch, n1, n2, d0 + d1], the rows needed for the
    largest position id cut, flattened row-major and indexed by the position ids."""
    def __init__(self, shape, dims):
        super().__init__()
        self.shape = shape
        self.weights = nn.ParameterList()
        for i, dim in enumerate(dims):
            ax = [1] * len(shape)
            ax[i] = shape[i]
            self.weights.append(nn.Parameter(torch.ones(tuple(ax) + (dim,))))

    def forward(self, position_ids):
        b = position_ids.shape[0]
        wide = [w.expand((b,) + tuple(self.shape) + w.shape[-1:]) for w in self.weights]
        cols = -(-(int(position_ids.max()) + 1) // self.shape[1])
        enc = torch.cat([w[:, :cols] for w in wide], dim=-1)
        enc = torch.reshape(enc, (b, -1, enc.shape[-1]))
        return torch.cat([torch.index_select(enc[i], 0, position_ids[i]).unsqueeze(0)
                          for i in range(b)], dim=0)


class ReformerModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        eps = 1e-12
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(a.vocab, a.d_model)
        if a.axial:
            n1, n2, d0 = (int(v) for v in a.axial.split(","))
            self.embeddings.position_embeddings = AxialPositionEmbeddings((n1, n2), (d0, a.d_model - d0))
        else:
            self.embeddings.position_embeddings = nn.Module()
            self.embeddings.position_embeddings.embedding = nn.Embedding(a.max_len, a.d_model)
        self.encoder = nn.Module()
        local = (a.chunk_length, a.chunks_before, a.chunks_after, a.causal) if a.chunk_length else None
        lsh = None
        if getattr(a, "num_hashes", 0):
            lsh = (a.num_hashes, a.num_buckets, a.chunk_length, a.chunks_before, a.chunks_after, a.causal)
        # attn_layers: "lsh" / "local" per layer, cycled (Hugging Face's config.attn_layers);
        # local layers then use local_chunk_length.
        kinds = getattr(a, "attn_layers", "") or ""
        kinds = kinds.split(",") if kinds else []
        def layer(i):
            if kinds and kinds[i % len(kinds)] == "local":
                return ReversibleLayer(a.d_model, a.heads, a.d_ff, eps,
                                       (a.local_chunk_length, 1, 0, a.causal), None)
            return ReversibleLayer(a.d_model, a.heads, a.d_ff, eps, local, lsh)
        self.encoder.layers = nn.ModuleList(layer(i) for i in range(a.layers))
        self.encoder.layer_norm = nn.LayerNorm(2 * a.d_model, eps=eps)

    def forward(self, ids, attention_mask=None, rotations=None):
        e = self.embeddings
        positions = torch.arange(ids.shape[1])[None].expand(ids.shape[0], -1)
        if isinstance(e.position_embeddings, AxialPositionEmbeddings):
            x = e.word_embeddings(ids) + e.position_embeddings(positions)
        else:
            x = e.word_embeddings(ids) + e.position_embeddings.embedding(positions)
        x1, x2 = x, x
        for i, layer in enumerate(self.encoder.layers):
            x1, x2 = layer(x1, x2, attention_mask, None if rotations is None else rotations[i])
        return self.encoder.layer_norm(torch.cat([x1, x2], dim=-1))


# --- GPT-NeoX -------------------------------------------------------------------------

def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def neox_rotary(x, rot, seq, base=10000.0):
    """GPTNeoXRotaryEmbedding + apply_rotary_pos_emb on the first `rot` features ([b, h, s, dh])."""
    inv_freq = 1.0 / (base ** (torch.arange(0, rot, 2, dtype=torch.float32) / rot))
    freqs = torch.arange(seq, dtype=torch.float32)[:, None] * inv_freq[None]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x_rot, x_pass = x[..., :rot], x[..., rot:]
    return torch.cat((x_rot * cos + rotate_half(x_rot) * sin, x_pass), dim=-1)


class GPTNeoXLayer(nn.Module):
    def __init__(self, d, h, d_ff, rot, eps):
        super().__init__()
        self.h, self.rot = h, rot
        self.input_layernorm = nn.LayerNorm(d, eps=eps)
        self.post_attention_layernorm = nn.LayerNorm(d, eps=eps)
        self.attention = nn.Module()
        self.attention.query_key_value = nn.Linear(d, 3 * d)
        self.attention.dense = nn.Linear(d, d)
        self.mlp = nn.Module()
        self.mlp.dense_h_to_4h = nn.Linear(d, d_ff)
        self.mlp.dense_4h_to_h = nn.Linear(d_ff, d)

    def forward(self, x):
        b, s, d = x.shape
        dh = d // self.h
        qkv = self.attention.query_key_value(self.input_layernorm(x)).view(b, s, self.h, 3 * dh)
        qkv = qkv.permute(0, 2, 1, 3)  # [b, h, s, 3 dh]
        q, k, v = qkv[..., :dh], qkv[..., dh:2 * dh], qkv[..., 2 * dh:]
        q, k = neox_rotary(q, self.rot, s), neox_rotary(k, self.rot, s)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + causal_mask(s)
        a = self.attention.dense(merge(torch.softmax(scores, dim=-1) @ v))
        m = self.mlp.dense_4h_to_h(nn.functional.gelu(self.mlp.dense_h_to_4h(self.post_attention_layernorm(x))))
        return x + a + m


class GPTNeoXModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        eps = 1e-5
        self.embed_in = nn.Embedding(a.vocab, a.d_model)
        self.layers = nn.ModuleList(GPTNeoXLayer(a.d_model, a.heads, a.d_ff, a.rotary_dim, eps)
                                    for _ in range(a.layers))
        self.final_layer_norm = nn.LayerNorm(a.d_model, eps=eps)

    def forward(self, ids):
        x = self.embed_in(ids)
        for layer in self.layers:
            x = layer(x)
        return self.final_layer_norm(x)


# --- T5 encoder -----------------------------------------------------------------------

class T5LayerNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


class T5Block(nn.Module):
    def __init__(self, d, h, d_kv, d_ff, has_bias, num_buckets):
        super().__init__()
        self.h = h
        sa = nn.Module()
        for name in ("q", "k", "v"):
            setattr(sa, name, nn.Linear(d, h * d_kv, bias=False))
        sa.o = nn.Linear(h * d_kv, d, bias=False)
        if has_bias:
            sa.relative_attention_bias = nn.Embedding(num_buckets, h)
        l0, l1 = nn.Module(), nn.Module()
        l0.SelfAttention, l0.layer_norm = sa, T5LayerNorm(d)
        l1.DenseReluDense = nn.Module()
        l1.DenseReluDense.wi = nn.Linear(d, d_ff, bias=False)
        l1.DenseReluDense.wo = nn.Linear(d_ff, d, bias=False)
        l1.layer_norm = T5LayerNorm(d)
        self.layer = nn.ModuleList([l0, l1])

    def forward(self, x, position_bias):
        sa = self.layer[0].SelfAttention
        n = self.layer[0].layer_norm(x)
        q, k, v = heads(sa.q(n), self.h), heads(sa.k(n), self.h), heads(sa.v(n), self.h)
        s = q @ k.transpose(-1, -2) + position_bias  # T5 does not scale the scores
        x = x + sa.o(merge(torch.softmax(s, dim=-1) @ v))
        ff = self.layer[1]
        return x + ff.DenseReluDense.wo(torch.relu(ff.DenseReluDense.wi(ff.layer_norm(x))))


class T5EncoderModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.num_buckets, self.max_distance = 32, 128
        self.shared = nn.Embedding(a.vocab, a.d_model)
        self.encoder = nn.Module()
        self.encoder.embed_tokens = self.shared  # tied: listed under both names
        d_kv = a.d_kv or a.d_model // a.heads
        self.encoder.block = nn.ModuleList(T5Block(a.d_model, a.heads, d_kv, a.d_ff, i == 0, self.num_buckets)
                                           for i in range(a.layers))
        self.encoder.final_layer_norm = T5LayerNorm(a.d_model)

    def forward(self, ids):
        seq = ids.shape[1]
        x = self.encoder.embed_tokens(ids)
        i = torch.arange(seq)[:, None]
        j = torch.arange(seq)[None, :]
        buckets = t5_bucket(j - i, True, self.num_buckets, self.max_distance)
        table = self.encoder.block[0].layer[0].SelfAttention.relative_attention_bias
        bias = table(buckets).permute(2, 0, 1)[None]  # [1, h, q, k], computed once
        for block in self.encoder.block:
            x = block(x, bias)
        return self.encoder.final_layer_norm(x)


class RelPartialLearnableMultiHeadAttn(nn.Module):
    def __init__(self, h, d, dh, pre_lnorm):
        super().__init__()
        self.h, self.dh, self.pre_lnorm = h, dh, pre_lnorm
        self.qkv_net = nn.Linear(d, 3 * h * dh, bias=False)
        self.o_net = nn.Linear(h * dh, d, bias=False)
        self.layer_norm = nn.LayerNorm(d)
        self.r_r_bias = nn.Parameter(torch.empty(h, dh))
        self.r_w_bias = nn.Parameter(torch.empty(h, dh))
        self.r_net = nn.Linear(d, h * dh, bias=False)

    @staticmethod
    def rel_shift(x):  # [q, k, b, h]: row i moves left by q - 1 - i (zero column, reshape)
        pad = torch.zeros((x.size(0), 1) + x.size()[2:])
        padded = torch.cat([pad, x], dim=1).view((x.size(1) + 1, x.size(0)) + x.size()[2:])
        return padded[1:].view_as(x)

    def forward(self, w, r, mask, mems):  # w [q, b, d], r [k, 1, d], mems [m, b, d]
        qlen, bsz = w.shape[0], w.shape[1]
        cat = torch.cat([mems, w], 0)
        heads = self.qkv_net(self.layer_norm(cat) if self.pre_lnorm else cat)
        q, k, v = torch.chunk(heads, 3, dim=-1)
        q = q[-qlen:].view(qlen, bsz, self.h, self.dh)
        klen = k.shape[0]
        k = k.view(klen, bsz, self.h, self.dh)
        v = v.view(klen, bsz, self.h, self.dh)
        rk = self.r_net(r).view(r.shape[0], self.h, self.dh)
        ac = torch.einsum("ibnd,jbnd->ijbn", q + self.r_w_bias, k)
        bd = self.rel_shift(torch.einsum("ibnd,jnd->ijbn", q + self.r_r_bias, rk))
        score = (ac + bd) * (1 / self.dh ** 0.5)
        score = score.masked_fill(mask[:, :, None, None], torch.finfo(score.dtype).min)
        prob = torch.softmax(score, dim=1)
        out = self.o_net(torch.einsum("ijbn,jbnd->ibnd", prob, v).reshape(qlen, bsz, self.h * self.dh))
        return w + out if self.pre_lnorm else self.layer_norm(w + out)


class PositionwiseFF(nn.Module):
    def __init__(self, d, d_inner, pre_lnorm):
        super().__init__()
        self.pre_lnorm = pre_lnorm
        self.CoreNet = nn.Sequential(nn.Linear(d, d_inner), nn.ReLU(), nn.Dropout(0.0),
                                     nn.Linear(d_inner, d), nn.Dropout(0.0))
        self.layer_norm = nn.LayerNorm(d)

    def forward(self, x):
        if self.pre_lnorm:
            return x + self.CoreNet(self.layer_norm(x))
        return self.layer_norm(x + self.CoreNet(x))


class TransfoXLModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        dh = a.d_kv or a.d_model // a.heads
        self.d, self.mem_len = a.d_model, a.mem_len
        self.word_emb = nn.Module()
        self.word_emb.emb_layers = nn.ModuleList([nn.Embedding(a.vocab, a.d_model)])
        self.pos_emb = nn.Module()
        self.pos_emb.register_buffer("inv_freq", 1 / (10000 ** (torch.arange(0.0, a.d_model, 2.0) / a.d_model)))
        self.layers = nn.ModuleList()
        for _ in range(a.layers):
            layer = nn.Module()
            layer.dec_attn = RelPartialLearnableMultiHeadAttn(a.heads, a.d_model, dh, a.pre_lnorm)
            layer.pos_ff = PositionwiseFF(a.d_model, a.d_ff, a.pre_lnorm)
            self.layers.append(layer)

    def forward(self, ids, mems):  # ids [b, q]; mems: one [m, b, d] per layer
        x = self.word_emb.emb_layers[0](ids.t()) * self.d ** 0.5
        qlen, mlen = x.shape[0], mems[0].shape[0]
        klen = qlen + mlen
        mask = torch.triu(torch.ones(qlen, klen), diagonal=1 + mlen).bool()
        t = torch.outer(torch.arange(klen - 1, -1, -1.0), self.pos_emb.inv_freq)
        r = torch.cat([t.sin(), t.cos()], dim=-1)[:, None, :]
        hids = [x]
        for layer, mem in zip(self.layers, mems):
            x = layer.pos_ff(layer.dec_attn(x, r, mask, mem))
            hids.append(x)
        end = mlen + qlen
        new_mems = [torch.cat([m, h], 0)[max(0, end - self.mem_len):end] for m, h in zip(mems, hids)]
        return x.transpose(0, 1), new_mems


MODELS = {"bert": BertModel, "gpt2": GPT2Model, "gptj": GPTJModel, "reformer": ReformerModel,
          "t5": T5EncoderModel, "neox": GPTNeoXModel, "xl": TransfoXLModel}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=sorted(MODELS))
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, seq=12, batch=3)
    ap.add_argument("--vocab", type=int, default=50)
    ap.add_argument("--max-len", type=int, default=16)
    ap.add_argument("--lengths", default="")
    ap.add_argument("--rotary-dim", type=int, default=4)
    ap.add_argument("--d-kv", type=int, default=0, help="t5: features per head (0: d_model / heads)")
    ap.add_argument("--mem-len", type=int, default=8, help="xl: memory length")
    ap.add_argument("--pre-lnorm", action="store_true", help="xl: pre-norm layers")
    ap.add_argument("--seq2", type=int, default=0,
                    help="xl: the second segment's length (default --seq)")
    ap.add_argument("--dtype", choices=["f32", "bf16", "f16"], default="f32")
    ap.add_argument("--chunk-length", type=int, default=0,
                    help="reformer: local attention with chunks of this length (0: full)")
    ap.add_argument("--chunks-before", type=int, default=1, help="reformer: local_num_chunks_before")
    ap.add_argument("--chunks-after", type=int, default=0, help="reformer: local_num_chunks_after")
    ap.add_argument("--causal", action="store_true", help="reformer: is_decoder")
    ap.add_argument("--axial", default="", help="reformer: axial position embeddings N1,N2,D0")
    ap.add_argument("--num-hashes", type=int, default=0,
                    help="reformer: LSH attention with this many hash rounds (0: local or full)")
    ap.add_argument("--num-buckets", type=int, default=4, help="reformer: LSH buckets (even)")
    ap.add_argument("--attn-layers", default="",
                    help="reformer: with --num-hashes, e.g. local,lsh: each layer's kind, cycled")
    ap.add_argument("--local-chunk-length", type=int, default=4,
                    help="reformer: the local layers' chunk length with --attn-layers")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    m = MODELS[a.model](a)
    loomref.reinit_(m, a.seed + 1)
    m.eval()
    sd = m.state_dict()
    if a.dtype != "f32":  # the reference runs on the weights as the file holds them
        half = torch.bfloat16 if a.dtype == "bf16" else torch.float16
        with torch.no_grad():
            for p in m.parameters():
                p.copy_(p.to(half).float())
    g = torch.Generator().manual_seed(a.seed + 2)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g)
    np.save(os.path.join(a.outdir, "input_ids.npy"), ids.numpy().astype(np.int64))
    with torch.no_grad():
        if a.model == "bert":
            types = torch.randint(0, 2, (a.batch, a.seq), generator=g)
            lengths = torch.tensor([int(v) for v in a.lengths.split(",")] if a.lengths else [a.seq] * a.batch)
            attention_mask = (torch.arange(a.seq)[None, :] < lengths[:, None]).long()
            np.save(os.path.join(a.outdir, "token_type_ids.npy"), types.numpy().astype(np.int64))
            np.save(os.path.join(a.outdir, "lengths.npy"), lengths.numpy().astype(np.int64))
            y = m(ids, types, attention_mask)
        elif a.model == "xl":
            # Memories in Loom's layout [n_layers, batch, mem_len, d_model].
            def stack(ms):
                return torch.stack([t.transpose(0, 1) for t in ms])
            mems = [torch.zeros(a.mem_len, a.batch, a.d_model) for _ in range(a.layers)]
            np.save(os.path.join(a.outdir, "mems0.npy"), stack(mems).numpy())
            y, mems = m(ids, mems)
            loomref.save_npy(os.path.join(a.outdir, "mems1.npy"), stack(mems))
            ids2 = torch.randint(0, a.vocab, (a.batch, a.seq2 or a.seq), generator=g)
            np.save(os.path.join(a.outdir, "input_ids2.npy"), ids2.numpy().astype(np.int64))
            y2, mems = m(ids2, mems)
            loomref.save_npy(os.path.join(a.outdir, "expected2.npy"), y2)
            loomref.save_npy(os.path.join(a.outdir, "mems2.npy"), stack(mems))
        elif a.model == "reformer" and (a.lengths or a.num_hashes):
            lengths = torch.tensor([int(v) for v in a.lengths.split(",")] if a.lengths else [a.seq] * a.batch)
            np.save(os.path.join(a.outdir, "lengths.npy"), lengths.numpy().astype(np.int64))
            rotations = None
            if a.num_hashes:  # one [heads, d_head, rounds, buckets / 2] per layer
                rotations = torch.randn(a.layers, a.heads, a.d_model // a.heads, a.num_hashes,
                                        a.num_buckets // 2, generator=g)
                loomref.save_npy(os.path.join(a.outdir, "rotations.npy"), rotations)
            mask = (torch.arange(a.seq)[None, :] < lengths[:, None]).long() if a.lengths else None
            y = m(ids, mask, rotations)
        else:
            y = m(ids)
    loomref.write_safetensors(os.path.join(a.outdir, "weights.safetensors"), sd, a.dtype.upper())
    loomref.save_npy(os.path.join(a.outdir, "expected.npy"), y)


if __name__ == "__main__":
    main()
