//===- Common.h - helpers shared by the built-in plugins --------*- C++ -*-===//
#ifndef LOOM_PLUGINS_COMMON_H
#define LOOM_PLUGINS_COMMON_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Plugin/Plugin.h"

#include <string>
#include <vector>

namespace loom::plugins {

inline mlir::RankedTensorType f32Tensor(mlir::OpBuilder &b, llvm::ArrayRef<int64_t> shape) {
  return mlir::RankedTensorType::get(shape, b.getF32Type());
}

/// The input's shape with the last dimension replaced.
inline std::vector<int64_t> withLastDim(std::vector<int64_t> shape, int64_t d) {
  shape.back() = d;
  return shape;
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

} // namespace loom::plugins

#endif
