"""Reference models and file writers for Loom's end-to-end tests.

Everything here uses Debian's python3-torch / python3-numpy only. Safetensors files are
written by hand from the format's definition (8-byte little-endian header length, a JSON
header, then the raw data), so no safetensors package is needed.
"""
import json
import math
import struct

import numpy as np
import torch


def write_safetensors(path, tensors, float_dtype="F32"):
    """Writes {name: tensor} as safetensors (int64 tensors as I64, the rest as float_dtype:
    F32, BF16 (the upper 16 bits of each f32: exact for values already rounded to BF16) or
    F16), in name order, 8-byte aligned."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        is_i64 = t.dtype == torch.int64
        dtype = "I64" if is_i64 else float_dtype
        a = t.numpy().astype("<i8" if is_i64 else "<f4")
        if dtype == "BF16":
            a = (a.view("<u4") >> 16).astype("<u2")
        elif dtype == "F16":
            a = a.astype("<f2")
        b = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Reads a safetensors file written by write_safetensors into {name: tensor}."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": "<f4", "I64": "<i8", "I32": "<i4"}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        a = np.frombuffer(data[begin:end], dtype=dtypes[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(a.copy())
    return out


def save_npy(path, t):
    np.save(path, t.detach().cpu().numpy().astype(np.float32))


def sinusoidal_pe(seq, d_model, base=10000.0):
    """PE of Vaswani et al. 2017 sec. 3.5, as the PyTorch tutorial's PositionalEncoding."""
    position = torch.arange(seq, dtype=torch.float32).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(base) / d_model))
    pe = torch.zeros(seq, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe


def reinit_(module, seed):
    """Gives every parameter its own random values (nn.TransformerEncoder deep-copies one
    layer, so without this all layers would be identical and a naming bug would hide)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if p.dim() == 1:
                p.copy_(0.1 * torch.randn(p.shape, generator=g) + (1.0 if "norm" in name and name.endswith("weight") else 0.0))
            else:
                fan_in = math.prod(p.shape[1:])
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))


def random_batch_norm_stats_(module, g):
    """Gives every BatchNorm random running statistics (mean ~ 0.2 N(0, 1), var in
    [0.5, 1.5)), so that a model in eval mode uses them and a wrong fold would show."""
    with torch.no_grad():
        for name, buf in module.named_buffers():
            if name.endswith("running_mean"):
                buf.copy_(0.2 * torch.randn(buf.shape, generator=g))
            elif name.endswith("running_var"):
                buf.copy_(0.5 + torch.rand(buf.shape, generator=g))
            elif name.endswith("num_batches_tracked"):
                buf.fill_(1000)


def save_reference(outdir, weights, x, y):
    """Writes weights.safetensors, input.npy and expected.npy into outdir."""
    import os
    os.makedirs(outdir, exist_ok=True)
    write_safetensors(os.path.join(outdir, "weights.safetensors"), weights)
    save_npy(os.path.join(outdir, "input.npy"), x)
    save_npy(os.path.join(outdir, "expected.npy"), y)


def add_size_args(ap, layers=2, d_model=64, heads=4, d_ff=128, seq=16, batch=2):
    """The model-size and seed options every reference script takes."""
    ap.add_argument("outdir")
    ap.add_argument("--layers", type=int, default=layers)
    ap.add_argument("--d-model", type=int, default=d_model)
    ap.add_argument("--heads", type=int, default=heads)
    ap.add_argument("--d-ff", type=int, default=d_ff)
    ap.add_argument("--seq", type=int, default=seq)
    ap.add_argument("--batch", type=int, default=batch)
    ap.add_argument("--seed", type=int, default=0)
