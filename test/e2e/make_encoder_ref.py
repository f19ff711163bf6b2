"""Builds torch.nn.TransformerEncoder, runs it on sinusoidal-encoded input and saves
weights.safetensors, input.npy, expected.npy into OUTDIR.

usage: make_encoder_ref.py OUTDIR --layers 2 --d-model 64 --heads 4 --d-ff 128 --seq 16
       --batch 2 [--norm-first] [--activation relu|gelu] [--causal] [--seed 0]
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=64, heads=4, d_ff=128, seq=16, batch=2)
    ap.add_argument("--norm-first", action="store_true")
    ap.add_argument("--activation", default="relu")
    ap.add_argument("--causal", action="store_true")
    ap.add_argument("--poison", action="store_true",
                    help="a NaN row in example 0 and an inf entry in example 1 of the input")
    ap.add_argument("--lengths", default="", metavar="L1,L2,...",
                    help="per-example valid lengths: writes lengths.npy (int64) and passes "
                         "src_key_padding_mask = position >= length")
    ap.add_argument("--learned-pe", type=int, default=0, metavar="MAX_LEN",
                    help="add a learned nn.Embedding(MAX_LEN, d_model) table named "
                         "position_embeddings instead of the sinusoidal encoding")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    layer = torch.nn.TransformerEncoderLayer(a.d_model, a.heads, a.d_ff, dropout=0.0,
                                             activation=a.activation, batch_first=True,
                                             norm_first=a.norm_first)
    enc = torch.nn.TransformerEncoder(layer, a.layers, enable_nested_tensor=False).eval()
    loomref.reinit_(enc, a.seed + 1)
    x = torch.randn(a.batch, a.seq, a.d_model, generator=torch.Generator().manual_seed(a.seed + 2))
    if a.poison:
        x[0, 2, :] = float("nan")
        x[1, min(4, a.seq - 1), 3] = float("inf")
    mask = torch.nn.Transformer.generate_square_subsequent_mask(a.seq) if a.causal else None
    weights = dict(enc.state_dict())
    if a.learned_pe:
        table = torch.nn.Embedding(a.learned_pe, a.d_model)
        with torch.no_grad():
            pe = table(torch.arange(a.seq))
        weights["position_embeddings.weight"] = table.weight
    else:
        pe = loomref.sinusoidal_pe(a.seq, a.d_model)
    padding = None
    if a.lengths:
        lengths = torch.tensor([int(v) for v in a.lengths.split(",")], dtype=torch.int64)
        assert lengths.numel() == a.batch
        padding = torch.arange(a.seq).view(1, -1) >= lengths.view(-1, 1)
    with torch.no_grad():
        y = enc(x + pe, mask=mask, src_key_padding_mask=padding)
    loomref.save_reference(a.outdir, weights, x, y)
    if a.lengths:
        import numpy as np
        np.save(os.path.join(a.outdir, "lengths.npy"), lengths.numpy())


if __name__ == "__main__":
    main()
