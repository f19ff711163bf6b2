"""Reference for examples/lstm_transformer.loom: torch.nn.LSTM (batch_first, optionally
bidirectional, over pack_padded_sequence when lengths are given, unpacked with
pad_packed_sequence to the full length: padded rows are zero) followed by
nn.TransformerEncoder layers (post-norm ReLU, src_key_padding_mask from the lengths,
enable_nested_tensor=False so padded rows are computed, not zeroed). The state_dict is saved
unchanged: lstm.weight_ih_l0, ..., encoder.layers.0.self_attn.in_proj_weight, ...

usage: make_lstm_ref.py OUTDIR --batch 3 --seq 9 --input-size 6 --hidden 8 --lstm-layers 2
           --heads 2 --d-ff 32 --layers 2 [--lengths 9,4,1] [--unidirectional]
           [--seq-first] [--no-bias] [--lstm-only]
Writes weights.safetensors, input.npy, lengths.npy (int64) and expected.npy; --seq-first
writes the input and the expected output as [seq, batch, features]; --lstm-only leaves out
the Transformer layers.
"""
import argparse
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


class LstmTransformer(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.seq_first = a.seq_first
        self.lstm = nn.LSTM(a.input_size, a.hidden, a.lstm_layers, bias=not a.no_bias,
                            batch_first=not a.seq_first, bidirectional=not a.unidirectional)
        width = a.hidden * (1 if a.unidirectional else 2)
        self.encoder = None
        if not a.lstm_only:
            layer = nn.TransformerEncoderLayer(width, a.heads, a.d_ff, dropout=0.0,
                                               batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, a.layers, enable_nested_tensor=False)

    def forward(self, x, lengths):
        seq = x.shape[0] if self.seq_first else x.shape[1]
        if lengths is None:
            y, _ = self.lstm(x)
        else:
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=not self.seq_first,
                                                       enforce_sorted=False)
            y, _ = self.lstm(packed)
            y, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=not self.seq_first,
                                                    total_length=seq)
        if self.encoder is None:
            return y
        mask = None
        if lengths is not None:
            mask = torch.arange(seq)[None, :] >= lengths[:, None]
        return self.encoder(y, src_key_padding_mask=mask)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--batch", type=int, default=3)
    ap.add_argument("--seq", type=int, default=9)
    ap.add_argument("--input-size", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=8)
    ap.add_argument("--lstm-layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--d-ff", type=int, default=32)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--lengths", default="")
    ap.add_argument("--unidirectional", action="store_true")
    ap.add_argument("--seq-first", action="store_true")
    ap.add_argument("--no-bias", action="store_true")
    ap.add_argument("--lstm-only", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = LstmTransformer(a).eval()
    loomref.reinit_(model, a.seed + 1)
    g = torch.Generator().manual_seed(a.seed + 3)
    shape = (a.seq, a.batch, a.input_size) if a.seq_first else (a.batch, a.seq, a.input_size)
    x = torch.randn(*shape, generator=g)
    lengths = None
    if a.lengths:
        lengths = torch.tensor([int(n) for n in a.lengths.split(",")], dtype=torch.int64)
        assert len(lengths) == a.batch and max(lengths) <= a.seq and min(lengths) >= 1
    with torch.no_grad():
        y = model(x, lengths)
    loomref.save_reference(a.outdir, model.state_dict(), x, y)
    full = lengths if lengths is not None else torch.full((a.batch,), a.seq, dtype=torch.int64)
    np.save(os.path.join(a.outdir, "lengths.npy"), full.numpy())


if __name__ == "__main__":
    main()
