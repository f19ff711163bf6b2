"""Writes broken weight and input files next to a good reference (made by
make_encoder_ref.py in the same directory) for test/Runtime/bad-inputs.test."""
import json
import os
import struct
import sys

import numpy as np

d = sys.argv[1]
good = open(os.path.join(d, "weights.safetensors"), "rb").read()
n = struct.unpack("<Q", good[:8])[0]
header = json.loads(good[8:8 + n])
data = good[8 + n:]


def write(name, hdr, payload, raw_header=None):
    h = raw_header if raw_header is not None else json.dumps(hdr).encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + payload)


def repack(name, hdr):
    """Writes hdr's tensors with their bytes from the good file, packed without holes (so
    that a file with a tensor left out or added tests the name checks, not the layout)."""
    out, payload = {}, b""
    for k in sorted((x for x in hdr if x != "__metadata__"), key=lambda x: hdr[x]["data_offsets"]):
        b, e = hdr[k]["data_offsets"]
        blob = data[b:e] if k in header else b"\0" * (e - b)
        out[k] = dict(hdr[k], data_offsets=[len(payload), len(payload) + len(blob)])
        payload += blob
    write(name, out, payload)


# Truncated: the last bytes of data are gone.
open(os.path.join(d, "truncated.safetensors"), "wb").write(good[:len(good) - 100])
# Shorter than the 8-byte length.
open(os.path.join(d, "tiny.safetensors"), "wb").write(b"\x01\x02")
# Header length larger than the file.
open(os.path.join(d, "longheader.safetensors"), "wb").write(struct.pack("<Q", 1 << 40) + good[8:])
# Not JSON.
write("notjson.safetensors", None, data, raw_header=b"{this is not json}")
# Offsets that lie: one tensor claims bytes past the end.
lie = json.loads(json.dumps(header))
k = sorted(x for x in lie if x != "__metadata__")[0]
lie[k]["data_offsets"] = [0, len(data) + 4096]
write("lies.safetensors", lie, data)
# Offsets that disagree with the shape.
mis = json.loads(json.dumps(header))
mis[k]["data_offsets"] = [mis[k]["data_offsets"][0], mis[k]["data_offsets"][1] - 4]
write("offsets.safetensors", mis, data)
# A missing tensor.
miss = {x: v for x, v in header.items() if x != "layers.0.norm1.bias"}
repack("missing.safetensors", miss)
# An extra tensor.
extra = json.loads(json.dumps(header))
extra["decoder.embed.weight"] = {"dtype": "F32", "shape": [1], "data_offsets": [len(data), len(data) + 4]}
repack("extra.safetensors", extra)
# A wrong shape (same byte count, transposed).
shp = json.loads(json.dumps(header))
shp["layers.0.linear1.weight"]["shape"] = list(reversed(shp["layers.0.linear1.weight"]["shape"]))
write("shape.safetensors", shp, data)
# A wrong dtype (same bytes as I32).
dt = json.loads(json.dumps(header))
dt["layers.0.norm1.weight"]["dtype"] = "I32"
write("dtype.safetensors", dt, data)
# Inputs: wrong shape, wrong dtype, not .npy.
x = np.load(os.path.join(d, "input.npy"))
np.save(os.path.join(d, "input-shape.npy"), x[:, :-1, :])
np.save(os.path.join(d, "input-f64.npy"), x.astype(np.float64))
open(os.path.join(d, "input-garbage.npy"), "wb").write(b"garbage")

# The header length one byte short, eating a padding space: every tensor would be read one
# byte off.
h = json.dumps(header).encode() + b"    "
with open(os.path.join(d, "short.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h) - 1) + h + data)
# A NUL and garbage after the JSON inside the header.
write("nul.safetensors", None, data, raw_header=json.dumps(header).encode() + b"\0garbage  ")
# Two tensors on the same bytes (an overlap, and a hole where the second one was).
ov = json.loads(json.dumps(header))
ov["layers.0.norm1.bias"]["data_offsets"] = ov["layers.0.norm1.weight"]["data_offsets"]
write("overlap.safetensors", ov, data)
# A header length past the format's 100 MB limit (a sparse file, so nothing is written).
with open(os.path.join(d, "hugeheader.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", 150_000_000) + b"{")
    f.truncate(160_000_000)
# .npy headers that lie: 1G elements in a small file, a negative dimension, a dimension
# past 2^63.
def npy(name, shape_text, payload=b""):
    hd = ("{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape_text).encode()
    hd += b" " * ((64 - (10 + len(hd) + 1) % 64) % 64) + b"\n"
    with open(os.path.join(d, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hd)) + hd + payload)
npy("input-huge.npy", "(1000000000,)", b"\0" * 64)
npy("input-negative.npy", "(1, -8, 16)", b"\0" * 512)
npy("input-bigdim.npy", "(99999999999999999999999, 4)")
