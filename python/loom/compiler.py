"""Compiling specs with loomc into shared libraries, cached by content.

The cache key covers everything the compiled code depends on: the spec's text and that of
every file it imports (as loomc resolves them: `loomc --print-sources`), the -D overrides
and options, loomc and the runtime it links (size and modification time), and the host CPU
(code is generated for it). A second compile with the same key loads the cached library without running loomc.
"""
import hashlib
import json
import os
import pathlib
import re
import subprocess

from .model import LoomError, Model

ROOT = pathlib.Path(__file__).resolve().parents[2]


class CompileError(LoomError):
    """loomc rejected the spec; the message has loomc's file:line:col diagnostics."""


def default_cache_dir():
    """$LOOM_CACHE_DIR, or ~/.cache/loom."""
    return pathlib.Path(os.environ.get("LOOM_CACHE_DIR") or pathlib.Path.home() / ".cache" / "loom")


def _loomc():
    path = pathlib.Path(os.environ.get("LOOMC") or ROOT / "build" / "bin" / "loomc")
    if not path.is_file():
        raise LoomError(f"loomc not found at {path} (build Loom, or set LOOMC)")
    return path


def _sources(loomc, source, include_dirs):
    """(path, sha256) of the spec and every file it imports, as loomc resolves them
    (`loomc --print-sources`). A spec loomc cannot load gives [] (compiling reports why)."""
    cmd = [str(loomc), str(source), "--print-sources"]
    for d in include_dirs:
        cmd += ["-I", d]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return []
    out = []
    for line in proc.stdout.splitlines():
        p = pathlib.Path(line).resolve()
        out.append((str(p), hashlib.sha256(p.read_bytes()).hexdigest()))
    return sorted(out)


def _host():
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        model = re.search(r"^model name\s*:\s*(.*)$", info, re.M)
        flags = re.search(r"^flags\s*:\s*(.*)$", info, re.M)
        return [model.group(1) if model else "", flags.group(1) if flags else ""]
    except OSError:
        return ["", ""]


def _stamp(path):
    st = path.stat()
    return [str(path), st.st_size, st.st_mtime_ns]


def compile(spec, *, include_dirs=(), mcpu=None, cache_dir=None, remove_padding=False,
            plugins=(), **defines):
    """Compiles `spec` (a path to a .loom file, or the text of a spec) and returns a Model.

    remove_padding=True (loomc --remove-padding; needs seq="?", batch="?" and a lengths
    input masking the keys) makes every run compute on the valid rows only, packed into one
    sequence; padded output rows are zeros.

    plugins: paths of plugin libraries (loomc --plugin), e.g. one built against the installed
    SDK; a rebuilt library compiles anew.

    Keyword arguments other than the options are `-D name=value` overrides of the model's
    hyperparameters (`n_layers=2`, `causal=True`). Raises CompileError with loomc's
    diagnostics when the spec is wrong.
    """
    loomc = _loomc()
    if isinstance(spec, os.PathLike) or ("\n" not in spec and "{" not in spec):
        path = pathlib.Path(spec)
        if not path.is_file():
            raise LoomError(f"no spec file '{spec}' (pass a path or the text of a spec)")
        text, name = path.read_text(), path.stem
    else:
        text, name, path = spec, "spec", None
    include_dirs = [str(pathlib.Path(d).resolve()) for d in include_dirs]
    plugins = [pathlib.Path(p).resolve() for p in plugins]
    for p in plugins:
        if not p.is_file():
            raise LoomError(f"no plugin library '{p}'")
    cache = pathlib.Path(cache_dir or default_cache_dir())
    source = path
    if path is None:  # the text goes to a file named by its content; it imports from the cwd too
        include_dirs.append(str(pathlib.Path.cwd()))
        source = cache / "specs" / (hashlib.sha256(text.encode()).hexdigest()[:32] + ".loom")
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(text)
    overrides = {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in sorted(defines.items())}
    runtime = loomc.parent.parent / "runtime" / "libloom_runtime_core.a"
    key = hashlib.sha256(json.dumps({
        "spec": text, "file": str(path.resolve()) if path else None,
        "sources": _sources(loomc, source, include_dirs),
        "defines": overrides, "include_dirs": include_dirs, "mcpu": mcpu,
        "remove_padding": bool(remove_padding), "plugins": [_stamp(p) for p in plugins],
        "loomc": _stamp(loomc), "runtime": _stamp(runtime) if runtime.is_file() else None,
        "host": _host(),
    }, sort_keys=True).encode()).hexdigest()[:32]
    out_dir = cache / key
    library = out_dir / f"lib{name}.so"
    if library.is_file():
        return Model(str(library), compiled=False)
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [str(loomc), str(source), "--emit=shared", "-o", str(library) + ".tmp"]
    for d in include_dirs:
        cmd += ["-I", d]
    for k, v in overrides.items():
        cmd += ["-D", f"{k}={v}"]
    if mcpu:
        cmd += [f"--mcpu={mcpu}"]
    if remove_padding:
        cmd += ["--remove-padding"]
    for p in plugins:
        cmd += ["--plugin", str(p)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        message = proc.stderr.strip() or f"loomc exited with {proc.returncode}"
        if path is None:
            message = message.replace(str(source), "<spec>")
        raise CompileError(message)
    os.replace(str(library) + ".tmp", library)  # complete libraries only, for other processes
    return Model(str(library), compiled=True)
