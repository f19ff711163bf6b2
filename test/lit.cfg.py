# lit configuration for Loom: compiler tests (.mlir, .loom) and end-to-end tests (.test).
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Loom"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".loom", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "plugins", "inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loom_obj_root, "test")

bin_dir = os.path.join(config.loom_obj_root, "bin")
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", bin_dir, append_path=True)
llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(["split-file", "not", "count"], [config.llvm_tools_dir])

config.substitutions.append(("%loomc", os.path.join(bin_dir, "loomc")))
config.substitutions.append(("%loom-opt", os.path.join(bin_dir, "loom-opt")))
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%loom_bin", bin_dir))
config.substitutions.append(("%loom_build", config.loom_obj_root))
# In a sanitizer build (LOOM_SANITIZE), C programs that load Loom's instrumented runtime are
# built with the same sanitizers, and the sanitizers stop at the first report.
cc = os.path.join(config.llvm_tools_dir, "clang")
if config.loom_sanitize:
    cc += " -fsanitize=" + config.loom_sanitize + " -fno-omit-frame-pointer"
    config.available_features.add("sanitize")
    config.environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=1"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
config.substitutions.append(("%cc", cc))
config.substitutions.append(("%cxx", os.path.join(config.llvm_tools_dir, "clang++")))
config.substitutions.append(("%runtime_src", os.path.join(config.loom_src_root, "runtime", "lib")))
config.substitutions.append(("%omp_lib_dir", os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")))
config.substitutions.append(("%runtime_include", os.path.join(config.loom_src_root, "runtime", "include")))
config.substitutions.append(("%e2e", os.path.join(config.loom_src_root, "test", "e2e")))
config.substitutions.append(("%examples", os.path.join(config.loom_src_root, "examples")))
config.substitutions.append(("%stdlib", os.path.join(config.loom_src_root, "stdlib")))
config.substitutions.append(("%softplus_plugin",
                             os.path.join(config.loom_obj_root, "test", "softplus_plugin.so")))
# Reference numerics need many threads' worth of BLAS for nothing: keep runs predictable.
config.environment["OMP_NUM_THREADS"] = "2"

# The host's vector extensions: tests of code for another CPU (loomc --mcpu) expect the
# runtime to refuse it only where the host lacks them.
try:
    with open("/proc/cpuinfo") as f:
        flags = next((l.split(":", 1)[1].split() for l in f if l.startswith("flags")), [])
except OSError:
    flags = []
if "avx512f" in flags:
    config.available_features.add("host-avx512f")

# Graphviz renders loomc --emit=svg/png pictures (test/Frontend/emit-dot.loom).
import shutil
if shutil.which("dot"):
    config.available_features.add("graphviz")

# Batch inference across MPI ranks (test/e2e/mpi.test): Open MPI's mpirun and a runtime
# built against MPI.
if shutil.which("mpirun") and os.path.exists(os.path.join(config.loom_obj_root, "runtime", "libloom_runtime_mpi.a")):
    config.available_features.add("mpi")
