"""usage: compare.py ACTUAL.npy EXPECTED.npy [--atol 1e-4] [--nan-equal] [--lengths L.npy]
Exits 1 (printing the max abs error) if shapes differ or max |actual - expected| > atol; with
--nan-equal, NaN and inf must stand in the same places and the other values are compared;
with --lengths (one per example), only each example's first L rows (dimension 1) are
compared and the rest of ACTUAL must be zeros (a packed run's padded rows); with --valid-rows
L.npy, only those rows are compared and the rest is not."""
import argparse
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("actual")
ap.add_argument("expected")
ap.add_argument("--atol", type=float, default=1e-4)
ap.add_argument("--nan-equal", action="store_true",
                help="NaN and inf must stand in the same places; the rest is compared")
ap.add_argument("--lengths", help="per-example valid rows (.npy); padded rows must be 0")
ap.add_argument("--valid-rows", help="per-example valid rows (.npy): only those are compared "
                "(padded rows that the two sides define differently, e.g. fully masked ones)")
a = ap.parse_args()
x, y = np.load(a.actual), np.load(a.expected)
if x.shape != y.shape:
    print(f"FAIL shape {x.shape} != expected {y.shape}")
    sys.exit(1)
if a.lengths:
    lengths = np.load(a.lengths)
    padded = max((float(np.abs(x[i, n:]).max()) if n < x.shape[1] else 0.0)
                 for i, n in enumerate(lengths))
    if padded != 0.0:
        print(f"FAIL padded rows are not zero (max abs {padded:.3e})")
        sys.exit(1)
    mask = np.zeros(x.shape, bool)
    for i, n in enumerate(lengths):
        mask[i, :n] = True
    x, y = np.where(mask, x, 0), np.where(mask, y, 0)
if a.valid_rows:
    mask = np.zeros(x.shape, bool)
    for i, n in enumerate(np.load(a.valid_rows)):
        mask[i, :n] = True
    x, y = np.where(mask, x, 0), np.where(mask, y, 0)
if a.nan_equal:
    nx, ny = ~np.isfinite(x), ~np.isfinite(y)
    if (nx != ny).any() or (np.isnan(x) != np.isnan(y)).any():
        print(f"FAIL non-finite values differ: {int(nx.sum())} here, {int(ny.sum())} expected")
        sys.exit(1)
    print(f"non-finite values agree ({int(nx.sum())} of {x.size})")
    x, y = np.where(nx, 0, x), np.where(ny, 0, y)
err = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64))))
ok = np.isfinite(err) and err <= a.atol
print(f"{'PASS' if ok else 'FAIL'} max abs error {err:.3e} (tolerance {a.atol:.0e}, {x.size} values)")
sys.exit(0 if ok else 1)
