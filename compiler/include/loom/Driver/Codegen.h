//===- Codegen.h - LLVM-dialect module to a native object -------*- C++ -*-===//
//
// The object exports the C ABI the runtime links against (runtime/include/loom/Runtime/Abi.h):
//   const char loom_manifest[];       JSON: input, output, weights, prepared buffers
//   void loom_prepare(void **weights, void **prepared);
//   void loom_forward(void **inputs, void **weights, void **prepared, void **outputs,
//                     const int64_t *dims);   dims: the dynamic dimensions' sizes
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DRIVER_CODEGEN_H
#define LOOM_DRIVER_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace llvm {
class Module;
class LLVMContext;
} // namespace llvm

namespace loom {

/// Describes the entry function's buffers; read from the tensor-level module after
/// `loom-outline-weight-prep` (func @forward with loom.input/loom.weight/loom.prepared args).
struct Manifest {
  struct Buffer {
    std::string name;
    std::vector<int64_t> shape;
    std::string dtype = "F32"; ///< safetensors spelling: F32, I32, I64
    int64_t bound = 0; ///< integer inputs used as indices: entries must be in [0, bound)
    /// Per dimension: the dynamic dimension's name (shape[i] is then kDynamic), or "".
    std::vector<std::string> dynamicDims;
    /// Index inputs bounded by a dynamic dimension: entries in [0, size + boundPlus).
    std::string boundDim;
    int64_t boundPlus = 0;
  };
  std::string model;
  std::vector<Buffer> inputs;
  std::vector<Buffer> outputs; ///< the main output first, then the extra outputs
  std::vector<Buffer> weights, prepared;
  std::vector<Buffer> unused; ///< accepted in a weights file, never read
  std::string cpu;                       ///< the CPU the code is generated for
  std::vector<std::string> cpuFeatures; ///< those of LOOM_CPU_FEATURES (Abi.h) it uses
  bool hasPrepare = false;
  /// The dynamic dimensions (`-D seq=?`) in the order of loom_forward's `dims`: the order
  /// in which the inputs first name them. Empty for a static model.
  std::vector<std::string> dynamic;
  /// Run-time limits of dynamic dimensions: name -> (max, what imposes it).
  std::map<std::string, std::pair<int64_t, std::string>> dynamicMax;
  /// The block that makes a packed run inexact ("" if none; Model::packBlocker).
  std::string packBlocker;
  std::string toJSON() const;
};

/// Reads the manifest from a module at the linalg (tensor) level.
bool collectManifest(mlir::ModuleOp module, Manifest &manifest, std::string &error);

/// Translates an LLVM-dialect module, adds the C ABI wrappers and the manifest.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module, const Manifest &manifest,
                                                llvm::LLVMContext &ctx, std::string &error);

/// The CPU that native code is generated for (loomc's --mcpu and --mattr).
struct TargetCPU {
  std::string cpu;      ///< an LLVM x86 CPU name, e.g. znver3 or skylake-avx512
  std::string features; ///< "+avx512f,-fma,...": the host's features, or only the changes
};

/// Resolves `cpu` ("native": this host's CPU and all of its features, as detected at
/// compile time) and appends `attrs` (comma-separated "+feature" / "-feature", LLVM's
/// names). Fails with a message naming the CPU or feature that LLVM's x86 backend does
/// not know.
bool resolveTarget(const std::string &cpu, const std::string &attrs, TargetCPU &target,
                   std::string &error);
/// Whether code for `target` may use `feature` (LLVM's name, e.g. "avx512f").
bool targetHasFeature(const TargetCPU &target, const std::string &feature);
/// Records `target` in the manifest: its name and the features of LOOM_CPU_FEATURES it
/// has, which the runtime checks against the CPU it runs on.
bool recordTarget(const TargetCPU &target, Manifest &manifest, std::string &error);

/// Optimises (O3) for `target` and writes an object file, or assembly text when
/// `assembly` is set.
bool emitObject(llvm::Module &module, const TargetCPU &target, const std::string &path,
                bool assembly, std::string &error);
/// Optimises for `target` without emitting (for --emit=llvm).
bool optimizeFor(llvm::Module &module, const TargetCPU &target, std::string &error);

} // namespace loom

#endif
