//===- Passes.h - loom dialect passes ---------------------------*- C++ -*-===//
#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_PASSES_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace loom {

#define GEN_PASS_DECL
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"

/// The largest divisor of `n` that is <= `limit` (at least 1): tile sizes that divide a
/// static shape (every tile full).
inline int64_t divisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// The columns [offset, offset + size) that `slice` takes of its source's last dim, when
/// it takes the whole of every other dim with unit strides and keeps the rank (a slice of a
/// linear's features); nullopt otherwise.
inline std::optional<std::pair<int64_t, int64_t>> columnSlice(mlir::tensor::ExtractSliceOp slice) {
  mlir::RankedTensorType src = slice.getSourceType();
  if (slice.getType().getRank() != src.getRank() || !src.hasStaticShape())
    return std::nullopt;
  llvm::ArrayRef<int64_t> offs = slice.getStaticOffsets(), sizes = slice.getStaticSizes(),
                          strides = slice.getStaticStrides();
  int64_t last = src.getRank() - 1;
  for (int64_t d = 0; d <= last; ++d) {
    if (mlir::ShapedType::isDynamic(offs[d]) || mlir::ShapedType::isDynamic(sizes[d]) ||
        strides[d] != 1)
      return std::nullopt;
    if (d < last && (offs[d] != 0 || sizes[d] != src.getDimSize(d)))
      return std::nullopt;
  }
  return std::make_pair(offs[last], sizes[last]);
}

/// Clones `op`'s epilogue body at `b`'s insertion point applied to `x`; returns its result.
mlir::Value cloneLinearEpilogue(mlir::OpBuilder &b, LinearOp op, mlir::Value x);

/// sigmoid(x) = 1 / (1 + exp(-x)) on one f32 at `b`'s insertion point (torch.sigmoid).
mlir::Value buildSigmoid(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

/// Options of the whole lowering from the loom dialect to the LLVM dialect.
struct LowerToLLVMOptions {
  bool vectorize = true;  ///< tile and vectorize matmuls
  /// Register tile of the matmul micro-kernel (rows x columns of C held in registers).
  /// AVX2 (16 ymm): 6 x 16 = 12 accumulators (measured 66 vs 44 GFLOP/s for 4 x 16 on
  /// Zen 3: 8 accumulators barely cover the FMA latency); AVX-512 (32 zmm): 8 x 32.
  int64_t regTileM = 6, regTileN = 16;
  /// Pack linear weights into [N / regTileN, K, regTileN] panels (see convert-loom-to-linalg).
  bool packWeights = true;
};

/// Adds the loom fusion passes (loom level, before lowering).
void buildLoomFusionPipeline(mlir::OpPassManager &pm);
/// Adds loom -> linalg on tensors, then weight-prep outlining. `panelWidth` > 0 packs linear
/// weights into panels of that many columns (the register tile's width).
void buildLoomToLinalgPipeline(mlir::OpPassManager &pm, int64_t panelWidth = 0);
/// Adds linalg -> tiled, vectorized, bufferized parallel loops (stops before LLVM).
void buildLinalgToLoopsPipeline(mlir::OpPassManager &pm, const LowerToLLVMOptions &opts);
/// Both of the above.
void buildLoomToLoopsPipeline(mlir::OpPassManager &pm, const LowerToLLVMOptions &opts);
/// Adds loops -> LLVM dialect (OpenMP, vector, memref, ...).
/// `barePointers`: functions take memrefs as bare pointers, which needs static shapes;
/// otherwise as memref descriptors (models with dynamic dimensions).
void buildLoopsToLLVMPipeline(mlir::OpPassManager &pm, const std::string &ompSchedule = "guided",
                              bool barePointers = true);
/// Registers the pipelines `loom-fuse`, `loom-to-loops` and `loom-to-llvm` with mlir-opt style tools.
void registerLoomPipelines();

} // namespace loom

#endif
