"""A compiled model: its manifest, weights, and runs on NumPy arrays (ctypes over loom.h)."""
import ctypes
import fnmatch
import json
import os
from collections import namedtuple

import numpy as np


class LoomError(Exception):
    """An error from Loom: the runtime's or the compiler's message."""


TensorSpec = namedtuple("TensorSpec", "name shape dtype")
TensorSpec.__doc__ = ("A tensor of the manifest: name, shape (a tuple; a dynamic dimension is its "
                      "name, e.g. ('batch', 'seq', 512)) and dtype ('F32', 'I64', ...).")

_NUMPY = {"F32": np.float32, "I64": np.int64, "I32": np.int32}
_ERR_LEN = 4096
_threads = [0]          # the latest set_threads, applied to every library loaded later
_libraries = []         # loaded libraries, for set_threads


def set_threads(n):
    """The number of OpenMP threads of every later run of every model (n >= 1)."""
    if int(n) < 1:
        raise LoomError(f"set_threads needs n >= 1, got {n}")
    _threads[0] = int(n)
    for lib in _libraries:
        lib.loom_set_num_threads(int(n))


def _specs(entries):
    return [TensorSpec(e["name"], tuple(e["shape"]), e["dtype"]) for e in entries]


def _describe(spec):
    return f"'{spec.name}' [{', '.join(map(str, spec.shape))}] {spec.dtype}"


def _to_numpy(value):
    """A NumPy view of an array-like (a torch tensor included, half precision as float32)."""
    if hasattr(value, "detach"):  # torch.Tensor
        value = value.detach().cpu()
        if str(value.dtype) in ("torch.bfloat16", "torch.float16"):
            value = value.float()
        value = value.numpy()
    return np.asarray(value)


class Model:
    """A model compiled by loom.compile. `inputs`, `outputs` (the main output first),
    `weights` and `unused` (tensors accepted but not read) list its tensors; `compiled`
    says whether loomc ran (False: the cached library was reused)."""

    def __init__(self, library, compiled):
        self.library, self.compiled = library, compiled
        lib = ctypes.CDLL(library)
        c = ctypes
        lib.loom_model_manifest.restype = c.c_char_p
        lib.loom_model_open_ignoring.restype = c.c_void_p
        lib.loom_model_open_ignoring.argtypes = [c.c_char_p, c.POINTER(c.c_char_p), c.c_size_t,
                                                 c.c_char_p, c.c_size_t]
        lib.loom_model_open_buffers.restype = c.c_void_p
        lib.loom_model_open_buffers.argtypes = [c.POINTER(c.c_void_p), c.c_char_p, c.c_size_t]
        for fn in (lib.loom_model_run_sized, lib.loom_model_run_packed):
            fn.restype = c.c_int
            fn.argtypes = [c.c_void_p, c.POINTER(c.c_int64), c.c_size_t, c.POINTER(c.c_void_p),
                           c.POINTER(c.c_void_p), c.c_char_p, c.c_size_t]
        lib.loom_model_close.argtypes = [c.c_void_p]
        lib.loom_set_num_threads.argtypes = [c.c_int]
        self._lib = lib
        _libraries.append(lib)
        if _threads[0]:
            lib.loom_set_num_threads(_threads[0])
        self.manifest = json.loads(lib.loom_model_manifest().decode())
        self.name = self.manifest["model"]
        self.inputs = _specs(self.manifest["inputs"])
        self.outputs = _specs(self.manifest["outputs"])
        self.weights = _specs(self.manifest["weights"])
        self.unused = _specs(self.manifest.get("unused", []))
        self._handle = None
        self._held = []  # weight arrays the model reads (loaded from a dict)

    def __repr__(self):
        return f"<loom.Model {self.name}: {len(self.inputs)} inputs, {len(self.weights)} weights>"

    def load(self, weights, ignore=()):
        """Loads weights from a safetensors path or from a mapping name -> array (NumPy arrays,
        torch tensors: a state_dict; nothing is written to disk). `ignore` are shell globs of
        tensors to skip (buffers such as 'h.*.attn.bias'). Every mismatch is listed in one
        LoomError."""
        self.close()
        err = ctypes.create_string_buffer(_ERR_LEN)
        if isinstance(weights, (str, bytes, os.PathLike)):
            globs = [g.encode() for g in ignore]
            arr = (ctypes.c_char_p * max(len(globs), 1))(*globs)
            handle = self._lib.loom_model_open_ignoring(os.fsencode(weights), arr, len(globs),
                                                       err, _ERR_LEN)
            held = []
        else:
            held = self._check_weights(weights, ignore)
            ptrs = (ctypes.c_void_p * max(len(held), 1))(*[a.ctypes.data for a in held])
            handle = self._lib.loom_model_open_buffers(ptrs, err, _ERR_LEN)
        if not handle:
            raise LoomError(err.value.decode(errors="replace"))
        self._handle, self._held = handle, held
        return self

    def _check_weights(self, weights, ignore):
        known = {s.name for s in self.weights} | {s.name for s in self.unused}
        problems, held = [], []
        for spec in self.weights:
            if spec.name not in weights:
                problems.append(f"missing tensor {_describe(spec)}")
                continue
            a = _to_numpy(weights[spec.name])
            if tuple(a.shape) != spec.shape:
                problems.append(f"tensor '{spec.name}' has shape [{', '.join(map(str, a.shape))}], "
                                f"the model expects [{', '.join(map(str, spec.shape))}]")
                continue
            held.append(np.ascontiguousarray(a, dtype=_NUMPY[spec.dtype]))
        for spec in self.unused:
            shape = tuple(_to_numpy(weights[spec.name]).shape) if spec.name in weights else spec.shape
            if shape != spec.shape:
                problems.append(f"tensor '{spec.name}' has shape [{', '.join(map(str, shape))}], "
                                f"the model expects [{', '.join(map(str, spec.shape))}]")
        for name in weights:
            if name not in known and not any(fnmatch.fnmatchcase(name, g) for g in ignore):
                a = _to_numpy(weights[name])
                problems.append(f"unexpected tensor '{name}' [{', '.join(map(str, a.shape))}]")
        if problems:
            raise LoomError(f"{len(problems)} tensor{'s do' if len(problems) > 1 else ' does'} "
                            "not match the model:\n" + "\n".join(problems))
        return held

    def run(self, *args, pack=False, **kwargs):
        """Runs the model on its inputs, positionally in manifest order or by name. Returns
        the output array, or a dict name -> array when the model has extra outputs. Arrays
        that are C-contiguous and of the input's dtype are passed without a copy. With
        pack=True (a model with dynamic batch and seq and a lengths input), each example
        runs alone on its valid rows and the padded output rows are zeros."""
        if self._handle is None:
            raise LoomError("no weights loaded: call load() first")
        if len(args) > len(self.inputs):
            raise LoomError(f"{self.name} takes {len(self.inputs)} inputs, got {len(args)}")
        given = dict(zip((s.name for s in self.inputs), args))
        for name, value in kwargs.items():
            if name in given:
                raise LoomError(f"input '{name}' is given twice")
            if name not in {s.name for s in self.inputs}:
                raise LoomError(f"{self.name} has no input '{name}' (inputs: "
                                f"{', '.join(s.name for s in self.inputs)})")
            given[name] = value
        arrays = []
        dims = {}  # dynamic dimension -> (size, the input that set it)
        for spec in self.inputs:
            if spec.name not in given:
                raise LoomError(f"missing input {_describe(spec)}")
            a = _to_numpy(given[spec.name])
            fits = a.ndim == len(spec.shape) and all(
                isinstance(want, str) or got == want for got, want in zip(a.shape, spec.shape))
            if not fits:
                raise LoomError(f"input '{spec.name}' has shape [{', '.join(map(str, a.shape))}], "
                                f"the model expects [{', '.join(map(str, spec.shape))}]")
            for got, want in zip(a.shape, spec.shape):
                if not isinstance(want, str):
                    continue
                if got < 1:
                    raise LoomError(f"input '{spec.name}' has shape [{', '.join(map(str, a.shape))}]: "
                                    f"its dynamic dimension '{want}' is {got}, it must be at least 1")
                if want in dims and dims[want][0] != got:
                    raise LoomError(f"the inputs disagree on the dynamic dimension '{want}': input "
                                    f"'{dims[want][1]}' has {dims[want][0]}, input '{spec.name}' has {got}")
                dims[want] = (got, spec.name)
            want = _NUMPY[spec.dtype]
            # Floats for float inputs, integers for integer ones (widths convert).
            if a.dtype.kind not in ("f" if spec.dtype.startswith("F") else "iu"):
                raise LoomError(f"input '{spec.name}' is {a.dtype}, the model expects {spec.dtype}")
            arrays.append(np.ascontiguousarray(a, dtype=want))
        dynamic = self.manifest.get("dynamic", [])
        sizes = [dims[d][0] for d in dynamic]
        outs = [np.empty(tuple(dims[d][0] if isinstance(d, str) else d for d in s.shape),
                         dtype=_NUMPY[s.dtype]) for s in self.outputs]
        ins = (ctypes.c_void_p * max(len(arrays), 1))(*[a.ctypes.data for a in arrays])
        ptrs = (ctypes.c_void_p * len(outs))(*[o.ctypes.data for o in outs])
        dims_arg = (ctypes.c_int64 * max(len(sizes), 1))(*sizes)
        err = ctypes.create_string_buffer(_ERR_LEN)
        run = self._lib.loom_model_run_packed if pack else self._lib.loom_model_run_sized
        if run(self._handle, dims_arg, len(sizes), ins, ptrs, err, _ERR_LEN) != 0:
            raise LoomError(err.value.decode(errors="replace"))
        if len(outs) == 1:
            return outs[0]
        return {s.name: o for s, o in zip(self.outputs, outs)}

    def close(self):
        """Frees the loaded weights (the model can be loaded again)."""
        if self._handle is not None:
            self._lib.loom_model_close(self._handle)
            self._handle, self._held = None, []

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
