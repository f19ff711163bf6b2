"""usage: compare.py ACTUAL.npy EXPECTED.npy [--atol 1e-4]
Exits 1 (printing the max abs error) if shapes differ or max |actual - expected| > atol."""
import argparse
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("actual")
ap.add_argument("expected")
ap.add_argument("--atol", type=float, default=1e-4)
a = ap.parse_args()
x, y = np.load(a.actual), np.load(a.expected)
if x.shape != y.shape:
    print(f"FAIL shape {x.shape} != expected {y.shape}")
    sys.exit(1)
err = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64))))
ok = np.isfinite(err) and err <= a.atol
print(f"{'PASS' if ok else 'FAIL'} max abs error {err:.3e} (tolerance {a.atol:.0e}, {x.size} values)")
sys.exit(0 if ok else 1)
