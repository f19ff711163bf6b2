//===- Codegen.h - LLVM-dialect module to a native object -------*- C++ -*-===//
//
// The object exports the C ABI the runtime links against (runtime/include/loom/Runtime/Abi.h):
//   const char loom_manifest[];       JSON: input, output, weights, prepared buffers
//   void loom_prepare(void **weights, void **prepared);
//   void loom_forward(void **inputs, void **weights, void **prepared, void **outputs);
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DRIVER_CODEGEN_H
#define LOOM_DRIVER_CODEGEN_H

#include "mlir/IR/BuiltinOps.h"

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
  };
  std::string model;
  std::vector<Buffer> inputs;
  std::vector<Buffer> outputs; ///< the main output first, then the extra outputs
  std::vector<Buffer> weights, prepared;
  std::vector<Buffer> unused; ///< accepted in a weights file, never read
  bool hasPrepare = false;
  std::string toJSON() const;
};

/// Reads the manifest from a module at the linalg (tensor) level.
bool collectManifest(mlir::ModuleOp module, Manifest &manifest, std::string &error);

/// Translates an LLVM-dialect module, adds the C ABI wrappers and the manifest.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module, const Manifest &manifest,
                                                llvm::LLVMContext &ctx, std::string &error);

/// Optimises (O3, host CPU) and writes an object file.
bool emitObject(llvm::Module &module, const std::string &path, std::string &error);
/// Optimises for the host CPU without emitting (for --emit=llvm).
bool optimizeForHost(llvm::Module &module, std::string &error);

} // namespace loom

#endif
