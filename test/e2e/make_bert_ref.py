"""Reference BERT-style masked LM: nn.Embedding word / position / token-type tables summed
and LayerNorm'd (Hugging Face BertEmbeddings), Hugging Face BertLayers (make_hf_ref.py: the
names encoder.layer.N.attention.self.query, ...) with the extended attention mask from
lengths, then BertLMPredictionHead: dense -> GELU ->
LayerNorm -> decoder whose weight IS the word embedding table (tied), plus a bias.

usage: make_bert_ref.py OUTDIR --layers 2 --d-model 32 --heads 4 --d-ff 64 --seq 12
           --batch 3 --vocab 50 --lengths 12,7,3 [--drop-tied]
Writes weights.safetensors (the tied decoder weight under both names, as state_dict lists
it; --drop-tied leaves the copy out, as Hugging Face's save_pretrained does), input_ids.npy,
token_type_ids.npy, lengths.npy (int64) and expected.npy (logits [batch, seq, vocab]).
"""
import argparse
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402
from make_hf_ref import BertLayer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, seq=12, batch=3)
    ap.add_argument("--vocab", type=int, default=50)
    ap.add_argument("--max-len", type=int, default=16)
    ap.add_argument("--lengths", default="")
    ap.add_argument("--drop-tied", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    eps = 1e-12
    m = nn.Module()
    m.embeddings = nn.Module()
    m.embeddings.word_embeddings = nn.Embedding(a.vocab, a.d_model)
    m.embeddings.position_embeddings = nn.Embedding(a.max_len, a.d_model)
    m.embeddings.token_type_embeddings = nn.Embedding(2, a.d_model)
    m.embeddings.LayerNorm = nn.LayerNorm(a.d_model, eps=eps)
    m.encoder = nn.Module()
    m.encoder.layer = nn.ModuleList(BertLayer(a.d_model, a.heads, a.d_ff, eps) for _ in range(a.layers))
    m.cls = nn.Module()
    m.cls.predictions = nn.Module()
    m.cls.predictions.transform = nn.Module()
    m.cls.predictions.transform.dense = nn.Linear(a.d_model, a.d_model)
    m.cls.predictions.transform.LayerNorm = nn.LayerNorm(a.d_model, eps=eps)
    m.cls.predictions.decoder = nn.Linear(a.d_model, a.vocab)
    loomref.reinit_(m, a.seed + 1)
    m.cls.predictions.decoder.weight = m.embeddings.word_embeddings.weight  # tied
    m.eval()

    g = torch.Generator().manual_seed(a.seed + 2)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g)
    types = torch.randint(0, 2, (a.batch, a.seq), generator=g)
    lengths = torch.tensor([int(v) for v in a.lengths.split(",")] if a.lengths else [a.seq] * a.batch)
    padding = torch.arange(a.seq)[None, :] >= lengths[:, None]
    e, p = m.embeddings, m.cls.predictions
    with torch.no_grad():
        h = e.word_embeddings(ids) + e.position_embeddings(torch.arange(a.seq))[None] + \
            e.token_type_embeddings(types)
        h = e.LayerNorm(h)
        mask = padding[:, None, None, :].float() * torch.finfo(torch.float32).min
        for layer in m.encoder.layer:
            h = layer(h, mask)
        h = p.transform.LayerNorm(torch.nn.functional.gelu(p.transform.dense(h)))
        logits = p.decoder(h)
    weights = m.state_dict()
    assert weights["cls.predictions.decoder.weight"].data_ptr() == \
        weights["embeddings.word_embeddings.weight"].data_ptr()
    if a.drop_tied:
        del weights["cls.predictions.decoder.weight"]
    os.makedirs(a.outdir, exist_ok=True)
    loomref.write_safetensors(os.path.join(a.outdir, "weights.safetensors"), weights)
    np.save(os.path.join(a.outdir, "input_ids.npy"), ids.numpy())
    np.save(os.path.join(a.outdir, "token_type_ids.npy"), types.numpy())
    np.save(os.path.join(a.outdir, "lengths.npy"), lengths.numpy())
    loomref.save_npy(os.path.join(a.outdir, "expected.npy"), logits)


if __name__ == "__main__":
    main()
