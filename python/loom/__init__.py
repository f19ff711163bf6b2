"""Loom from Python: compile a .loom spec, load its weights, run it on NumPy arrays.

    import loom
    model = loom.compile("examples/encoder.loom", n_layers=2, d_model=32)   # -D overrides
    model.load("weights.safetensors")          # or a dict of arrays / a state_dict
    y = model.run(x)                           # NumPy in, NumPy out

The package drives `loomc --emit=shared` and binds the shared library's C API
(runtime/include/loom/Runtime/loom.h) with ctypes; compiled models are cached by the
content of the spec and its imports, the options and the target (see compiler.py).
"""
from .compiler import CompileError, compile, default_cache_dir
from .model import LoomError, Model, TensorSpec, set_threads

__all__ = ["compile", "Model", "TensorSpec", "LoomError", "CompileError", "set_threads",
           "default_cache_dir"]
