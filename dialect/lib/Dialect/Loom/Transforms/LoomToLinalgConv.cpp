//===- LoomToLinalgConv.cpp - the convolution module of convert-loom-to-linalg -===//
//
// The Conformer's convolution module (Gulati et al. 2020, sec. 2.2) and its norms: GLU,
// the depthwise convolution over the sequence, BatchNorm (inference) and GroupNorm. A
// dynamic batch or length is read from the input.
//
//===----------------------------------------------------------------------===//
#include "LoomToLinalgUtils.h"

using namespace mlir;
using namespace loom;

namespace loom::lowering {

/// torch.nn.GLU(dim=-1): the first half of the last dimension times the sigmoid of the second.
Value lowerGlu(OpBuilder &b, GluOp op) {
  Location loc = op.getLoc();
  RankedTensorType in = op.getInput().getType(), out = op.getResult().getType();
  int64_t rank = in.getRank(), c = out.getDimSize(rank - 1);
  auto half = [&](int64_t offset) -> Value {
    SmallVector<OpFoldResult> offs(rank, b.getIndexAttr(0)), strides(rank, b.getIndexAttr(1));
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, op.getInput());
    sizes.back() = b.getIndexAttr(c);
    offs.back() = b.getIndexAttr(offset);
    return tensor::ExtractSliceOp::create(b, loc, out, op.getInput(), offs, sizes, strides);
  };
  return elementwise(b, loc, ValueRange{half(0), half(c)},
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value one = f32Const(nb, nl, 1.0);
                       Value e = math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, a[1]));
                       return arith::DivFOp::create(nb, nl, a[0], arith::AddFOp::create(nb, nl, one, e));
                     });
}

/// Zero padding along the sequence, then one generic over (b, t, c, j) reading x at t + j
/// and the [c, k] weight at (c, j), accumulated into the bias (or zero).
Value lowerDepthwiseConv1D(OpBuilder &b, DepthwiseConv1DOp op) {
  Location loc = op.getLoc();
  Value x = op.getInput();
  RankedTensorType out = op.getResult().getType();
  int64_t bs = out.getDimSize(0), t = out.getDimSize(1), c = out.getDimSize(2);
  int64_t pl = static_cast<int64_t>(op.getPaddingLeft()), pr = static_cast<int64_t>(op.getPaddingRight());
  // The output's dynamic batch and length are the input's.
  SmallVector<Value> dyn = dynamicSizes(b, loc, x);
  if (pl || pr) {
    auto inT = op.getInput().getType();
    int64_t padded = inT.isDynamicDim(1) ? ShapedType::kDynamic : inT.getDimSize(1) + pl + pr;
    auto padT = RankedTensorType::get({bs, padded, c}, b.getF32Type());
    SmallVector<OpFoldResult> low{b.getIndexAttr(0), b.getIndexAttr(pl), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> high{b.getIndexAttr(0), b.getIndexAttr(pr), b.getIndexAttr(0)};
    x = tensor::PadOp::create(b, loc, padT, x, low, high, f32Const(b, loc, 0.0));
  }
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  Value init = op.getBias() ? Value() : filled(b, loc, {bs, t, c}, 0.0, dyn);
  if (Value bias = op.getBias())
    init = generic(b, loc, {bs, t, c}, ValueRange{bias}, emptyTensor(b, loc, {bs, t, c}, dyn),
                   {AffineMap::get(3, 0, {d(2)}, ctx), b.getMultiDimIdentityMap(3)},
                   SmallVector<IteratorType>(3, IteratorType::parallel),
                   [](OpBuilder &, Location, ValueRange a) -> Value { return a[0]; });
  // Loops (b, t, k, c) with the channels innermost: every operand is read at stride 1
  // along c (the weight as [K, C], transposed once at load), so the convolution vectorizes
  // over channels with one FMA per tap.
  Value wt = transpose(b, loc, op.getWeight(), {1, 0});
  return generic(b, loc, {bs, t, c}, ValueRange{x, wt}, init,
                 {AffineMap::get(4, 0, {d(0), d(1) + d(2), d(3)}, ctx),
                  AffineMap::get(4, 0, {d(2), d(3)}, ctx),
                  AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx)},
                 {IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
                  IteratorType::parallel},
                 [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   return arith::AddFOp::create(nb, nl, a[2], arith::MulFOp::create(nb, nl, a[0], a[1]));
                 });
}

/// Per-channel scale = weight / sqrt(running_var + eps) and shift = bias - running_mean *
/// scale (weights only: computed once by the prepare function), then x * scale + shift.
Value lowerBatchNorm(OpBuilder &b, BatchNormOp op) {
  Location loc = op.getLoc();
  auto [x, rows, m, c, id2, row, col] = normRows(b, loc, op.getInput());
  float eps = op.getEpsilon().convertToFloat();
  AffineMap id1 = b.getMultiDimIdentityMap(1);
  SmallVector<IteratorType> par1{IteratorType::parallel};
  Value scale = generic(b, loc, {c}, ValueRange{op.getWeight(), op.getRunningVar()},
                        emptyTensor(b, loc, {c}), {id1, id1, id1}, par1,
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          Value r = math::RsqrtOp::create(
                              nb, nl, arith::AddFOp::create(nb, nl, a[1], f32Const(nb, nl, eps)));
                          return arith::MulFOp::create(nb, nl, a[0], r);
                        });
  Value shift = generic(b, loc, {c}, ValueRange{op.getBias(), op.getRunningMean(), scale},
                        emptyTensor(b, loc, {c}), {id1, id1, id1, id1}, par1,
                        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          return arith::SubFOp::create(nb, nl, a[0],
                                                       arith::MulFOp::create(nb, nl, a[1], a[2]));
                        });
  Value y = generic(b, loc, {m, c}, ValueRange{x, scale, shift}, emptyTensor(b, loc, {m, c}, rows),
                    {id2, col, col, id2}, {IteratorType::parallel, IteratorType::parallel},
                    [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]), a[2]);
                    });
  return expandFrom2D(b, loc, y, op.getResult().getType(), op.getInput());
}

/// [B, T, C] viewed as [B, T, G, C/G]; the sums over (t, c') per (b, g) give the mean and
/// the biased variance (two passes, as layer_norm), then one element-wise generic.
Value lowerGroupNorm(OpBuilder &b, GroupNormOp op) {
  Location loc = op.getLoc();
  RankedTensorType in = op.getInput().getType();
  int64_t bs = in.getDimSize(0), t = in.getDimSize(1), c = in.getDimSize(2);
  int64_t g = static_cast<int64_t>(op.getNumGroups()), cg = c / g;
  float eps = op.getEpsilon().convertToFloat();
  MLIRContext *ctx = b.getContext();
  // 1 / (t * c/g), the count each group averages over; a dynamic length is read at run time.
  Value invN;
  if (in.isDynamicDim(1)) {
    Value n = arith::MulIOp::create(b, loc, tensor::DimOp::create(b, loc, op.getInput(), 1),
                                    arith::ConstantIndexOp::create(b, loc, cg));
    Value nf = arith::UIToFPOp::create(
        b, loc, b.getF32Type(), arith::IndexCastUIOp::create(b, loc, b.getI64Type(), n));
    invN = arith::DivFOp::create(b, loc, f32Const(b, loc, 1.0), nf);
  } else {
    invN = f32Const(b, loc, 1.0 / static_cast<double>(t * cg));
  }
  SmallVector<Value> dynIn = dynamicSizes(b, loc, op.getInput());
  SmallVector<Value> dynStat;
  if (in.isDynamicDim(0))
    dynStat.push_back(tensor::DimOp::create(b, loc, op.getInput(), 0));
  auto x4T = RankedTensorType::get({bs, t, g, cg}, b.getF32Type());
  SmallVector<OpFoldResult> x4Sizes = tensor::getMixedSizes(b, loc, op.getInput());
  x4Sizes.back() = b.getIndexAttr(g);
  x4Sizes.push_back(b.getIndexAttr(cg));
  Value x4 = tensor::ExpandShapeOp::create(b, loc, x4T, op.getInput(),
                                           ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
                                           x4Sizes);
  auto chanT = RankedTensorType::get({g, cg}, b.getF32Type());
  auto chan = [&](Value v) -> Value {
    return tensor::ExpandShapeOp::create(b, loc, chanT, v, ArrayRef<ReassociationIndices>{{0, 1}});
  };
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  // Reductions iterate (b, g, t, c'); the element-wise pass iterates (b, t, g, c').
  AffineMap redX = AffineMap::get(4, 0, {d(0), d(2), d(1), d(3)}, ctx);
  AffineMap redOut = AffineMap::get(4, 0, {d(0), d(1)}, ctx);
  SmallVector<IteratorType> red{IteratorType::parallel, IteratorType::parallel,
                                IteratorType::reduction, IteratorType::reduction};
  Value sum = generic(b, loc, {bs, g}, ValueRange{x4}, filled(b, loc, {bs, g}, 0.0, dynStat),
                      {redX, redOut}, red, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                        return arith::AddFOp::create(nb, nl, a[1], a[0]);
                      });
  Value sq = generic(b, loc, {bs, g}, ValueRange{x4, sum}, filled(b, loc, {bs, g}, 0.0, dynStat),
                     {redX, redOut, redOut}, red,
                     [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value mean = arith::MulFOp::create(nb, nl, a[1], invN);
                       Value cen = arith::SubFOp::create(nb, nl, a[0], mean);
                       return arith::AddFOp::create(nb, nl, a[2], arith::MulFOp::create(nb, nl, cen, cen));
                     });
  AffineMap id4 = b.getMultiDimIdentityMap(4);
  AffineMap stat = AffineMap::get(4, 0, {d(0), d(2)}, ctx);
  AffineMap param = AffineMap::get(4, 0, {d(2), d(3)}, ctx);
  Value y = generic(b, loc, {bs, t, g, cg},
                    ValueRange{x4, sum, sq, chan(op.getWeight()), chan(op.getBias())},
                    emptyTensor(b, loc, {bs, t, g, cg}, dynIn), {id4, stat, stat, param, param, id4},
                    SmallVector<IteratorType>(4, IteratorType::parallel),
                    [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      Value n = invN;
                      Value mean = arith::MulFOp::create(nb, nl, a[1], n);
                      Value var = arith::MulFOp::create(nb, nl, a[2], n);
                      Value rstd = math::RsqrtOp::create(
                          nb, nl, arith::AddFOp::create(nb, nl, var, f32Const(nb, nl, eps)));
                      Value h = arith::MulFOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0], mean), rstd);
                      return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, h, a[3]), a[4]);
                    });
  return tensor::CollapseShapeOp::create(b, loc, in, y,
                                         ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

} // namespace loom::lowering
