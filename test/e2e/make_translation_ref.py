"""Greedy decoding with torch.nn.Transformer, the reference for examples/translation.loom.

The model: source and target nn.Embedding scaled by sqrt(d_model) plus the sinusoidal
encoding, nn.Transformer (post-norm, ReLU, final encoder and decoder LayerNorms), and a
generator nn.Linear(d_model, tgt_vocab). Greedy search recomputes the whole decoder on the
prefix at every step (no cache): step s feeds bos + the s tokens so far and takes the argmax
of the last position's logits. A finished sequence (it emitted eos) gets pad and zero logits
afterwards; decoding stops when all have finished or after max_len steps.

Writes weights.safetensors (Loom's names), src.npy, src_lengths.npy (int64), ids.npy (int64)
and logits.npy into OUTDIR. To exercise the end token, the target vocabulary is relabelled
(swapping two ids in the embedding and the generator, an equivalent model) so that example 0
emits eos at an early step while example 1 runs on.

usage: make_translation_ref.py OUTDIR --layers 2 --d-model 32 --heads 4 --d-ff 64 --batch 2
       --src-len 7 --max-len 9 --src-vocab 20 --tgt-vocab 24 [--bos 1 --eos 2 --pad 0]
"""
import argparse
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402


class Translator(torch.nn.Module):
    def __init__(self, a):
        super().__init__()
        self.d = a.d_model
        self.src_embed = torch.nn.Embedding(a.src_vocab, a.d_model)
        self.tgt_embed = torch.nn.Embedding(a.tgt_vocab, a.d_model)
        self.transformer = torch.nn.Transformer(a.d_model, a.heads, a.layers, a.layers, a.d_ff,
                                                dropout=0.0, batch_first=True)
        # Keep padded encoder rows computed (not zeroed by the nested-tensor path), as Loom does;
        # the decoder masks them either way.
        self.transformer.encoder.enable_nested_tensor = False
        self.generator = torch.nn.Linear(a.d_model, a.tgt_vocab)

    def embed(self, table, ids):
        return table(ids) * math.sqrt(self.d) + loomref.sinusoidal_pe(ids.shape[1], self.d)

    def greedy(self, src, src_lengths, max_len, bos, eos, pad):
        batch = src.shape[0]
        src_pad = torch.arange(src.shape[1]).view(1, -1) >= src_lengths.view(-1, 1)
        memory = self.transformer.encoder(self.embed(self.src_embed, src),
                                          src_key_padding_mask=src_pad)
        prefix = torch.full((batch, 1), bos, dtype=torch.int64)
        ids = torch.full((batch, max_len), pad, dtype=torch.int64)
        logits = torch.zeros(batch, max_len, self.generator.out_features)
        finished = torch.zeros(batch, dtype=torch.bool)
        for s in range(max_len):
            if bool(finished.all()):
                break
            n = prefix.shape[1]
            causal = torch.nn.Transformer.generate_square_subsequent_mask(n)
            out = self.transformer.decoder(self.embed(self.tgt_embed, prefix), memory,
                                           tgt_mask=causal,
                                           memory_key_padding_mask=src_pad)
            step = self.generator(out[:, -1])
            tok = torch.where(finished, torch.full_like(step[:, 0], pad, dtype=torch.int64),
                              step.argmax(-1))
            logits[:, s] = torch.where(finished.view(-1, 1), torch.zeros_like(step), step)
            ids[:, s] = tok
            if eos >= 0:
                finished = finished | (tok == eos)
            prefix = torch.cat([prefix, tok.view(-1, 1)], 1)
        return ids, logits

    def loom_weights(self):
        """The state_dict under the names examples/translation.loom uses."""
        w = {"src_embed.weight": self.src_embed.weight,
             "decoder.tgt_embed.weight": self.tgt_embed.weight,
             "decoder.generator.weight": self.generator.weight,
             "decoder.generator.bias": self.generator.bias}
        w.update(self.transformer.state_dict())  # encoder.*, decoder.layers.*, decoder.norm.*
        return w


def swap_tokens(model, i, j):
    """Relabels target tokens i <-> j (an equivalent model)."""
    with torch.no_grad():
        for t in (model.tgt_embed.weight, model.generator.weight, model.generator.bias):
            t[[i, j]] = t[[j, i]]


def main():
    ap = argparse.ArgumentParser()
    loomref.add_size_args(ap, layers=2, d_model=32, heads=4, d_ff=64, batch=2)
    ap.add_argument("--src-len", type=int, default=7)
    ap.add_argument("--max-len", type=int, default=9)
    ap.add_argument("--src-vocab", type=int, default=20)
    ap.add_argument("--tgt-vocab", type=int, default=24)
    ap.add_argument("--bos", type=int, default=1)
    ap.add_argument("--eos", type=int, default=2)
    ap.add_argument("--pad", type=int, default=0)
    ap.add_argument("--eos-step", type=int, default=-2,
                    help="relabel so that example 0 emits eos at this step (-2: the first "
                         "step >= 2 where that works; -1: leave the model as is)")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = Translator(a).eval()
    loomref.reinit_(model, a.seed + 1)
    with torch.no_grad():  # sharper logits: the argmax follows the input, not the bias
        model.generator.weight.mul_(4.0)
    g = torch.Generator().manual_seed(a.seed + 2)
    src_lengths = torch.tensor([a.src_len] + [max(1, a.src_len - 2 - i) for i in range(a.batch - 1)])
    src = torch.randint(3, a.src_vocab, (a.batch, a.src_len), generator=g)
    src = torch.where(torch.arange(a.src_len).view(1, -1) < src_lengths.view(-1, 1), src,
                      torch.full_like(src, a.pad))
    with torch.no_grad():
        if a.eos_step != -1:
            # The first step >= 2 whose token of example 0 is new to it and not yet emitted by
            # example 1 becomes eos (by relabelling), so example 0 stops there, first.
            free, _ = model.greedy(src, src_lengths, a.max_len, a.bos, -1, a.pad)
            steps = range(2, a.max_len - 1) if a.eos_step == -2 else [a.eos_step]
            pick = [s for s in steps if int(free[0, s]) not in (a.bos, a.pad)
                    and int(free[0, s]) not in free[0, :s].tolist()
                    and int(free[0, s]) not in free[1:, :s + 1].flatten().tolist()]
            if not pick:
                sys.exit(f"make_translation_ref.py: no step can end example 0 early: {free.tolist()}")
            a.eos_step = pick[0]
            t = int(free[0, a.eos_step])
            if t != a.eos:
                swap_tokens(model, t, a.eos)
        ids, logits = model.greedy(src, src_lengths, a.max_len, a.bos, a.eos, a.pad)
    steps = [int((ids[b] == a.eos).nonzero()[0]) + 1 if bool((ids[b] == a.eos).any()) else a.max_len
             for b in range(a.batch)]
    print("tokens per example: " + " ".join(map(str, steps)))
    if a.eos_step >= 0 and (steps[0] != a.eos_step + 1 or
                            (a.batch > 1 and max(steps[1:]) <= steps[0])):
        sys.exit(f"make_translation_ref.py: example 0 should stop first, at step {a.eos_step}: {steps}")
    os.makedirs(a.outdir, exist_ok=True)
    loomref.write_safetensors(os.path.join(a.outdir, "weights.safetensors"), model.loom_weights())
    np.save(os.path.join(a.outdir, "src.npy"), src.numpy().astype(np.int64))
    np.save(os.path.join(a.outdir, "src_lengths.npy"), src_lengths.numpy().astype(np.int64))
    np.save(os.path.join(a.outdir, "ids.npy"), ids.numpy().astype(np.int64))
    loomref.save_npy(os.path.join(a.outdir, "logits.npy"), logits)


if __name__ == "__main__":
    main()
