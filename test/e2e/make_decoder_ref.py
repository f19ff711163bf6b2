"""Reference Transformer decoder: torch.nn.TransformerDecoder (eval, batch_first) over
target embeddings `tgt` and an encoder output `memory`, with the causal tgt_mask and
memory_key_padding_mask from per-example source lengths.

usage: make_decoder_ref.py OUTDIR --layers 2 --d-model 32 --heads 4 --d-ff 64 --seq 10
           --src-seq 14 --batch 3 --memory-lengths 14,9,4 [--pre-norm]
Writes weights.safetensors, input.npy (tgt), memory.npy, memory_lengths.npy (int64) and
expected.npy.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, seq=10, batch=3)
    ap.add_argument("--src-seq", type=int, default=14)
    ap.add_argument("--memory-lengths", default="")
    ap.add_argument("--pre-norm", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    layer = torch.nn.TransformerDecoderLayer(a.d_model, a.heads, a.d_ff, dropout=0.0,
                                             batch_first=True, norm_first=a.pre_norm)
    dec = torch.nn.TransformerDecoder(layer, a.layers).eval()
    loomref.reinit_(dec, a.seed + 1)
    g = torch.Generator().manual_seed(a.seed + 2)
    tgt = torch.randn(a.batch, a.seq, a.d_model, generator=g)
    memory = torch.randn(a.batch, a.src_seq, a.d_model, generator=g)
    lengths = torch.tensor([int(v) for v in a.memory_lengths.split(",")]
                           if a.memory_lengths else [a.src_seq] * a.batch)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(a.seq)
    padding = torch.arange(a.src_seq)[None, :] >= lengths[:, None]
    with torch.no_grad():
        y = dec(tgt, memory, tgt_mask=causal, memory_key_padding_mask=padding)
    loomref.save_reference(a.outdir, dec.state_dict(), tgt, y)
    loomref.save_npy(os.path.join(a.outdir, "memory.npy"), memory)
    np.save(os.path.join(a.outdir, "memory_lengths.npy"), lengths.numpy())


if __name__ == "__main__":
    main()
