"""Reference Conformer: torchaudio.models.Conformer (Debian python3-torchaudio) in eval mode,
its state_dict saved unchanged (BatchNorm's num_batches_tracked included), with random
parameters and BatchNorm running statistics so that every weight matters.

usage: make_conformer_ref.py OUTDIR --layers 2 --d-model 32 --heads 4 --d-ff 64 --seq 20
           --batch 3 --kernel 7 --lengths 20,13,5 [--group-norm] [--conv-first]
Writes weights.safetensors, input.npy, lengths.npy (int64) and expected.npy. torchaudio
builds its padding mask from max(lengths), so the largest length must equal --seq.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, seq=20, batch=3)
    ap.add_argument("--kernel", type=int, default=7)
    ap.add_argument("--lengths", default="")
    ap.add_argument("--group-norm", action="store_true")
    ap.add_argument("--conv-first", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = torchaudio.models.Conformer(
        input_dim=a.d_model, num_heads=a.heads, ffn_dim=a.d_ff, num_layers=a.layers,
        depthwise_conv_kernel_size=a.kernel, use_group_norm=a.group_norm,
        convolution_first=a.conv_first).eval()
    loomref.reinit_(model, a.seed + 1)
    g = torch.Generator().manual_seed(a.seed + 3)
    loomref.random_batch_norm_stats_(model, g)
    lengths = ([int(v) for v in a.lengths.split(",")] if a.lengths else [a.seq] * a.batch)
    assert len(lengths) == a.batch and max(lengths) == a.seq, "max(lengths) must be --seq"
    lengths = torch.tensor(lengths, dtype=torch.int64)
    x = torch.randn(a.batch, a.seq, a.d_model, generator=torch.Generator().manual_seed(a.seed + 2))
    with torch.no_grad():
        y, _ = model(x, lengths)
    loomref.save_reference(a.outdir, model.state_dict(), x, y)
    np.save(os.path.join(a.outdir, "lengths.npy"), lengths.numpy())


if __name__ == "__main__":
    main()
