"""Reference for test/e2e/softplus-plugin.test: linear -> softplus (torch.nn.Softplus)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loomref  # noqa: E402

torch.manual_seed(0)
lin = torch.nn.Linear(8, 8)
x = torch.randn(1, 4, 8)
with torch.no_grad():
    y = torch.nn.functional.softplus(lin(x))
# A bare nn.Linear state_dict: `linear` without `as` adds no path component.
loomref.save_reference(sys.argv[1], {"weight": lin.weight, "bias": lin.bias}, x, y)
