//===- PluginUtils.h - helpers for writing block plugins ---------*- C++ -*-===//
//
// Part of the Loom SDK (installed with `cmake --install`): small builders that the built-in
// plugins and plugins built outside the tree share (tensor types, shapes in messages, weight
// slices, loom.linear over an instance's weights, sinusoid tables).
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PLUGIN_PLUGINUTILS_H
#define LOOM_PLUGIN_PLUGINUTILS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Plugin/Plugin.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <string>
#include <vector>

namespace loom::plugins {

inline mlir::RankedTensorType f32Tensor(mlir::OpBuilder &b, llvm::ArrayRef<int64_t> shape) {
  llvm::SmallVector<int64_t> dims;
  for (int64_t d : shape)
    dims.push_back(mlirDim(d));
  return mlir::RankedTensorType::get(dims, b.getF32Type());
}

/// A shape for error messages: "[2, ?, 64]" (a dynamic dimension is "?").
inline std::string shapeStr(const std::vector<int64_t> &s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i)
    r += (i ? ", " : "") + (isDynamicDim(s[i]) ? std::string("?") : std::to_string(s[i]));
  return r + "]";
}

/// The input's shape with the last dimension replaced.
inline std::vector<int64_t> withLastDim(std::vector<int64_t> shape, int64_t d) {
  shape.back() = d;
  return shape;
}

/// t[offset : offset + n] along the first dimension (rows of a packed weight or bias).
inline mlir::Value leadingRows(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t,
                               int64_t offset, int64_t n) {
  auto tt = mlir::cast<mlir::RankedTensorType>(t.getType());
  llvm::SmallVector<int64_t> shape(tt.getShape());
  shape[0] = n;
  llvm::SmallVector<mlir::OpFoldResult> offs(tt.getRank(), b.getIndexAttr(0)), sizes,
      strides(tt.getRank(), b.getIndexAttr(1));
  offs[0] = b.getIndexAttr(offset);
  for (int64_t s : shape)
    sizes.push_back(b.getIndexAttr(s));
  return mlir::tensor::ExtractSliceOp::create(b, loc, f32Tensor(b, shape), t, offs, sizes,
                                              strides);
}

/// t[..., offset : offset + n] along the last dimension (one gate of packed gates).
inline mlir::Value sliceLastDim(mlir::OpBuilder &b, mlir::Location loc, mlir::Value t,
                                int64_t offset, int64_t n) {
  auto tt = mlir::cast<mlir::RankedTensorType>(t.getType());
  int64_t rank = tt.getRank();
  llvm::SmallVector<int64_t> shape(tt.getShape());
  shape.back() = n;
  llvm::SmallVector<mlir::OpFoldResult> offs(rank, b.getIndexAttr(0)),
      strides(rank, b.getIndexAttr(1));
  offs.back() = b.getIndexAttr(offset);
  // Dynamic dimensions keep their run-time size.
  llvm::SmallVector<mlir::OpFoldResult> sizes = mlir::tensor::getMixedSizes(b, loc, t);
  sizes.back() = b.getIndexAttr(n);
  return mlir::tensor::ExtractSliceOp::create(
      b, loc, mlir::RankedTensorType::get(shape, tt.getElementType()), t, offs, sizes, strides);
}

/// `loom.linear` of `x` with this instance's weights `<prefix>weight` / `<prefix>bias`.
inline mlir::Value emitLinear(EmitContext &ctx, mlir::Value x, const std::string &w,
                              const std::string &bias, int64_t outFeatures) {
  mlir::OpBuilder &b = ctx.builder();
  auto inT = mlir::cast<mlir::RankedTensorType>(x.getType());
  std::vector<int64_t> shape(inT.getShape().begin(), inT.getShape().end());
  shape.back() = outFeatures;
  return LinearOp::create(b, ctx.loc(), f32Tensor(b, shape), x, ctx.weight(w),
                          bias.empty() ? mlir::Value() : ctx.weight(bias));
}

/// The interleaved sin/cos table [rows, d] of positions 0..rows-1 (Vaswani et al. 2017
/// sec. 3.5); it depends on no input, so it is computed once at load time.
inline mlir::Value sinusoidalRows(mlir::OpBuilder &b, mlir::Location loc, int64_t rows, int64_t d,
                                  double base = 10000.0) {
  return SinusoidalTableOp::create(b, loc, f32Tensor(b, {rows, d}), mlir::ValueRange{}, mlir::Value(),
                                   b.getF64FloatAttr(base),
                                   b.getBoolAttr(true));
}

/// x [batch, seq, d] + table[row, :] for every position, `row` static or a run-time index
/// (e.g. the step of a loop).
inline mlir::Value addTableRow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                               mlir::Value table, mlir::OpFoldResult row) {
  int64_t d = mlir::cast<mlir::RankedTensorType>(table.getType()).getDimSize(1);
  mlir::Value r = mlir::tensor::ExtractSliceOp::create(
      b, loc, f32Tensor(b, {d}), table, llvm::ArrayRef<mlir::OpFoldResult>{row, b.getIndexAttr(0)},
      llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(d)},
      llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  return AddBiasOp::create(b, loc, x.getType(), x, r, b.getF32FloatAttr(1.0f));
}

} // namespace loom::plugins

#endif
