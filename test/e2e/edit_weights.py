"""Copies a safetensors file with edits, for tests of what the runtime accepts.

usage: edit_weights.py IN OUT [--drop SUBSTRING]... [--f32-scalar NAME]...
  --drop        leaves out every tensor whose name contains SUBSTRING
  --f32-scalar  sets tensor NAME to an F32 [1] zero (a wrong dtype and shape for an I64 [])
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("dst")
ap.add_argument("--drop", action="append", default=[])
ap.add_argument("--f32-scalar", action="append", default=[])
a = ap.parse_args()
w = loomref.read_safetensors(a.src)
w = {k: v for k, v in w.items() if not any(s in k for s in a.drop)}
for name in a.f32_scalar:
    w[name] = torch.zeros(1)
loomref.write_safetensors(a.dst, w)
