//===- LoomToLinalgUtils.h - helpers of convert-loom-to-linalg ---*- C++ -*-===//
//
// Shared by the lowering's files: LoomToLinalg.cpp (the pass; linear, norms, positions,
// embeddings), LoomToLinalgConv.cpp (the Conformer's convolution module and its norms),
// LoomToLinalgAttention.cpp (the fused attention and the position biases it reads),
// LoomToLinalgBlockAttention.cpp (Bi-BloSA's block self-attentions) and
// LoomToLinalgLoops.cpp (the run-time loops: ACT and greedy decoding).
// Builders of linalg on tensors; a dynamic dimension (a model's dynamic batch or seq) is
// sized by the `dyn` values, in order.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DIALECT_LOOM_TRANSFORMS_LOOMTOLINALGUTILS_H
#define LOOM_DIALECT_LOOM_TRANSFORMS_LOOMTOLINALGUTILS_H

#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

namespace loom::lowering {
using namespace mlir;
using utils::IteratorType;

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

inline Value f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
}

/// An f32 tensor.empty of `shape`; `dyn` sizes its dynamic dimensions, in order.
inline Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange dyn = {}) {
  return tensor::EmptyOp::create(b, loc, RankedTensorType::get(shape, b.getF32Type()), dyn);
}

/// A tensor.empty of `v`'s type and sizes.
inline Value emptyLike(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, v), t.getElementType());
}

/// The sizes of `v`'s dynamic dimensions (tensor.dim), in order.
inline SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> dyn;
  auto t = cast<RankedTensorType>(v.getType());
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (t.isDynamicDim(i))
      dyn.push_back(tensor::DimOp::create(b, loc, v, i));
  return dyn;
}

/// A tensor of `shape` filled with `v` (its type is the element type); `dyn` sizes the
/// dynamic dimensions.
inline Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, TypedAttr v,
             ValueRange dyn = {}) {
  Value c = arith::ConstantOp::create(b, loc, v);
  Value empty = tensor::EmptyOp::create(b, loc, RankedTensorType::get(shape, v.getType()), dyn);
  return linalg::FillOp::create(b, loc, ValueRange{c}, ValueRange{empty}).getResult(0);
}

inline Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, double v, ValueRange dyn = {}) {
  return filled(b, loc, shape, b.getF32FloatAttr(static_cast<float>(v)), dyn);
}


/// One linalg.generic producing a tensor of `shape`; `maps` are the inputs' maps followed by
/// the output's. `body` gets the inputs' scalars then the output's and returns the yield.
inline Value generic(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange inputs,
              Value init, ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iters,
              BodyFn body) {
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return op.getResult(0);
}

/// An element-wise generic over same-shaped `inputs` (identity maps).
inline Value elementwise(OpBuilder &b, Location loc, ValueRange inputs, BodyFn body) {
  auto type = cast<RankedTensorType>(inputs[0].getType());
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size() + 1, b.getMultiDimIdentityMap(rank));
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  return generic(b, loc, type.getShape(), inputs, emptyLike(b, loc, inputs[0]), maps, iters,
                 body);
}

/// An i1 that is true if `pred` holds for some element of the f32 tensor `t` (a count
/// reduced to a scalar): the continuation condition of the run-time loops.
inline Value anyOf(OpBuilder &b, Location loc, Value t, function_ref<Value(OpBuilder &, Location, Value)> pred) {
  MLIRContext *ctx = b.getContext();
  unsigned rank = cast<RankedTensorType>(t.getType()).getRank();
  Value count = generic(
      b, loc, {}, ValueRange{t}, filled(b, loc, {}, 0.0),
      {b.getMultiDimIdentityMap(rank), AffineMap::get(rank, 0, {}, ctx)},
      SmallVector<IteratorType>(rank, IteratorType::reduction),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value one = arith::SelectOp::create(nb, nl, pred(nb, nl, a[0]), f32Const(nb, nl, 1.0),
                                            f32Const(nb, nl, 0.0));
        return arith::AddFOp::create(nb, nl, a[1], one);
      });
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                               tensor::ExtractOp::create(b, loc, count, ValueRange{}),
                               f32Const(b, loc, 0.0));
}

/// Collapses all leading dimensions: [d0, ..., dn-2, dn-1] -> [d0*...*dn-2, dn-1].
inline Value collapseTo2D(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 2)
    return v;
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < t.getRank(); ++i)
    lead.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, v, ArrayRef<ReassociationIndices>{lead, {t.getRank() - 1}});
}

/// The inverse of collapseTo2D: [rows, n] -> `target`, whose leading dimensions are those
/// of `like` (which sizes them when they are dynamic).
inline Value expandFrom2D(OpBuilder &b, Location loc, Value v, RankedTensorType target, Value like) {
  if (target.getRank() == 2)
    return v;
  ReassociationIndices lead;
  for (int64_t i = 0; i + 1 < target.getRank(); ++i)
    lead.push_back(i);
  SmallVector<ReassociationIndices> groups{lead, {target.getRank() - 1}};
  if (target.hasStaticShape())
    return tensor::ExpandShapeOp::create(b, loc, target, v, groups);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  sizes.back() = b.getIndexAttr(target.getShape().back());
  return tensor::ExpandShapeOp::create(b, loc, target, v, groups, sizes);
}

inline Value transpose(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn;
  for (int64_t p : perm) {
    shape.push_back(t.getDimSize(p));
    if (t.isDynamicDim(p))
      dyn.push_back(tensor::DimOp::create(b, loc, v, p));
  }
  return linalg::TransposeOp::create(b, loc, v, emptyTensor(b, loc, shape, dyn), perm)
      .getResult()[0];
}

/// x [batch, seq, d] + table [seq, d], the table broadcast over the batch.
inline Value addRowTable(OpBuilder &b, Location loc, Value x, Value table) {
  auto t = cast<RankedTensorType>(x.getType());
  AffineMap id3 = b.getMultiDimIdentityMap(3);
  AffineMap rowMap = AffineMap::get(3, 0, {b.getAffineDimExpr(1), b.getAffineDimExpr(2)},
                                    b.getContext());
  return generic(b, loc, t.getShape(), ValueRange{x, table}, emptyLike(b, loc, x),
                 {id3, rowMap, id3}, SmallVector<IteratorType>(3, IteratorType::parallel),
                 [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   return arith::AddFOp::create(nb, nl, a[0], a[1]);
                 });
}

/// C[m, j, p] += A[m, k] * Bp[j, k, p]: the panel contraction of convert-loom-to-linalg
/// (loom-tile-and-vectorize makes it one plain matmul per panel).
inline Value panelContraction(OpBuilder &b, Location loc, Value a, Value bp, Value init) {
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  auto it = cast<RankedTensorType>(init.getType());
  return generic(b, loc, it.getShape(), ValueRange{a, bp}, init,
                 {AffineMap::get(4, 0, {d(0), d(3)}, ctx), AffineMap::get(4, 0, {d(1), d(3), d(2)}, ctx),
                  AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
                 {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
                  IteratorType::reduction},
                 [](OpBuilder &nb, Location nl, ValueRange x) -> Value {
                   return arith::AddFOp::create(nb, nl, x[2], arith::MulFOp::create(nb, nl, x[0], x[1]));
                 });
}

/// The rotary angle (offset + s) * theta_i, theta_i = base^(-2i / rot) = exp(-2i ln(base) /
/// rot), for position s and frequency i (i64 values inside a generic body).
inline Value ropeAngle(OpBuilder &nb, Location nl, Value s, Value freq, double logBase, int64_t rot,
                int64_t offset) {
  Type i64 = nb.getI64Type(), f32 = nb.getF32Type();
  auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
  Value twoI = arith::SIToFPOp::create(nb, nl, f32, arith::MulIOp::create(nb, nl, freq, cst(2)));
  Value theta = math::ExpOp::create(
      nb, nl, arith::MulFOp::create(nb, nl, twoI, f32Const(nb, nl, -logBase / static_cast<double>(rot))));
  Value pos = arith::SIToFPOp::create(nb, nl, f32, arith::AddIOp::create(nb, nl, s, cst(offset)));
  return arith::MulFOp::create(nb, nl, pos, theta);
}

/// A static slice of `v` at `offsets` with `sizes`, rank-reduced to its last `keep` dims.
inline Value sliceOf(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> offsets,
              ArrayRef<int64_t> sizes, unsigned keep = 2) {
  auto type = RankedTensorType::get(sizes.take_back(keep),
                                    cast<RankedTensorType>(v.getType()).getElementType());
  SmallVector<OpFoldResult> sz, strides(sizes.size(), b.getIndexAttr(1));
  for (int64_t s : sizes)
    sz.push_back(b.getIndexAttr(s));
  return tensor::ExtractSliceOp::create(b, loc, type, v, offsets, sz, strides);
}

/// A normalisation's input as rows [m, d] with the maps of its generics: the element
/// (id2), its row's statistic (row) and the per-feature parameter (col).
struct NormRows {
  Value x;
  SmallVector<Value> rows; ///< m, when dynamic
  int64_t m, d;
  AffineMap id2, row, col;
};
inline NormRows normRows(OpBuilder &b, Location loc, Value input) {
  Value x = collapseTo2D(b, loc, input);
  auto xt = cast<RankedTensorType>(x.getType());
  return {x, dynamicSizes(b, loc, x), xt.getDimSize(0), xt.getDimSize(1), b.getMultiDimIdentityMap(2),
          AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, b.getContext()),
          AffineMap::get(2, 0, {b.getAffineDimExpr(1)}, b.getContext())};
}

//===----------------------------------------------------------------------===//
// The lowerings defined in the other files.
//===----------------------------------------------------------------------===//
Value lowerGlu(OpBuilder &b, GluOp op);
Value lowerDepthwiseConv1D(OpBuilder &b, DepthwiseConv1DOp op);
Value lowerBatchNorm(OpBuilder &b, BatchNormOp op);
Value lowerGroupNorm(OpBuilder &b, GroupNormOp op);
Value lowerAttention(OpBuilder &b, AttentionOp op, int64_t panelWidth);
Value lowerAlibiBias(OpBuilder &b, AlibiBiasOp op);
Value lowerT5Bias(OpBuilder &b, T5BiasOp op);
Value lowerRelativeLogits(OpBuilder &b, RelativeLogitsOp op);
Value lowerMdAttention(OpBuilder &b, MdAttentionOp op);
Value lowerSource2Token(OpBuilder &b, Source2TokenOp op);
/// The op's three results: the weighted state, the ponder steps, the remainders.
SmallVector<Value> lowerAct(RewriterBase &b, ActOp op);
/// The op's results: the ids and the logits.
SmallVector<Value> lowerGreedyDecode(RewriterBase &b, GreedyDecodeOp op);

} // namespace loom::lowering

#endif
