//===- LoomToLinalg.cpp - Lower loom ops to linalg on tensors -------------===//
//
// Every loom op becomes linalg named ops (matmul, batch_matmul, transpose, fill) and
// linalg.generic ops for the element-wise and reduction parts. Shapes are static, except
// the dynamic batch and sequence dimensions (`loomc -D seq=?`) of the ops that
// supportsDynamicShapes() accepts; any other op with a dynamic shape is an error.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <limits>

namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMTOLINALG
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using utils::IteratorType;

namespace {

using BodyFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

Value f32Const(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(static_cast<float>(v)));
}

/// An f32 tensor.empty of `shape`; `dyn` sizes its dynamic dimensions, in order.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange dyn = {}) {
  return tensor::EmptyOp::create(b, loc, RankedTensorType::get(shape, b.getF32Type()), dyn);
}

/// A tensor.empty of `v`'s type and sizes.
Value emptyLike(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, v), t.getElementType());
}

/// The sizes of `v`'s dynamic dimensions (tensor.dim), in order.
SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> dyn;
  auto t = cast<RankedTensorType>(v.getType());
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (t.isDynamicDim(i))
      dyn.push_back(tensor::DimOp::create(b, loc, v, i));
  return dyn;
}

/// A tensor of `shape` filled with `v` (its type is the element type); `dyn` sizes the
/// dynamic dimensions.
Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, TypedAttr v,
             ValueRange dyn = {}) {
  Value c = arith::ConstantOp::create(b, loc, v);
  Value empty = tensor::EmptyOp::create(b, loc, RankedTensorType::get(shape, v.getType()), dyn);
  return linalg::FillOp::create(b, loc, ValueRange{c}, ValueRange{empty}).getResult(0);
}

Value filled(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, double v, ValueRange dyn = {}) {
  return filled(b, loc, shape, b.getF32FloatAttr(static_cast<float>(v)), dyn);
}


/// One linalg.generic producing a tensor of `shape`; `maps` are the inputs' maps followed by
/// the output's. `body` gets the inputs' scalars then the output's and returns the yield.
Value generic(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, ValueRange inputs,
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
Value elementwise(OpBuilder &b, Location loc, ValueRange inputs, BodyFn body) {
  auto type = cast<RankedTensorType>(inputs[0].getType());
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(inputs.size() + 1, b.getMultiDimIdentityMap(rank));
  SmallVector<IteratorType> iters(rank, IteratorType::parallel);
  return generic(b, loc, type.getShape(), inputs, emptyLike(b, loc, inputs[0]), maps, iters,
                 body);
}

/// An i1 that is true if `pred` holds for some element of the f32 tensor `t` (a count
/// reduced to a scalar): the continuation condition of the run-time loops.
Value anyOf(OpBuilder &b, Location loc, Value t, function_ref<Value(OpBuilder &, Location, Value)> pred) {
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
Value collapseTo2D(OpBuilder &b, Location loc, Value v) {
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
Value expandFrom2D(OpBuilder &b, Location loc, Value v, RankedTensorType target, Value like) {
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

Value transpose(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
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
Value addRowTable(OpBuilder &b, Location loc, Value x, Value table) {
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
Value panelContraction(OpBuilder &b, Location loc, Value a, Value bp, Value init) {
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
Value ropeAngle(OpBuilder &nb, Location nl, Value s, Value freq, double logBase, int64_t rot,
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
Value sliceOf(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> offsets,
              ArrayRef<int64_t> sizes, unsigned keep = 2) {
  auto type = RankedTensorType::get(sizes.take_back(keep),
                                    cast<RankedTensorType>(v.getType()).getElementType());
  SmallVector<OpFoldResult> sz, strides(sizes.size(), b.getIndexAttr(1));
  for (int64_t s : sizes)
    sz.push_back(b.getIndexAttr(s));
  return tensor::ExtractSliceOp::create(b, loc, type, v, offsets, sz, strides);
}

//===----------------------------------------------------------------------===//
// loom.linear: C = X Wt (matmul), then one generic for bias + epilogue (+ GLU gating or
// the rotary embedding) + residual.
//===----------------------------------------------------------------------===//
Value lowerLinear(OpBuilder &b, LinearOp op, int64_t panelWidth) {
  Location loc = op.getLoc();
  Value x = collapseTo2D(b, loc, op.getInput());
  int64_t m = cast<RankedTensorType>(x.getType()).getDimSize(0);
  int64_t k = cast<RankedTensorType>(x.getType()).getDimSize(1);
  // The rows, when dynamic (batch * seq), size every [m, ...] tensor below.
  SmallVector<Value> rows = dynamicSizes(b, loc, x);
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  // A gated linear is two matmuls of the same shape (the weight's halves) whose results
  // the generic combines; so is a rotated one (the rows of every head's first half, and
  // of its second half). n is the columns of each matmul.
  bool gated = op.isGated(), rope = op.hasRope();
  int64_t heads = rope ? static_cast<int64_t>(*op.getRopeHeads()) : 0;
  int64_t half = rope ? op.getOutFeatures() / heads / 2 : 0; // R = d_head / 2
  int64_t n = gated || rope ? op.getOutFeatures() / 2 : op.getOutFeatures();
  // The matmul's output: [m, n], or [m, n/P, P] with packed panels. The bias and epilogue
  // generic reads it on the same shape (or, rotated, per head), so loom-tile-and-vectorize
  // can run it inside the matmul's thread tiles (on the tile while it is in cache) instead
  // of as another pass. Rotated panels must not straddle a head's halves.
  bool panelled = panelWidth > 0 && n % panelWidth == 0 && (!rope || half % panelWidth == 0);
  int64_t panels = panelled ? n / panelWidth : 0;
  SmallVector<int64_t> mmShape =
      panelled ? SmallVector<int64_t>{m, panels, panelWidth} : SmallVector<int64_t>{m, n};
  // Part i (0 or 1) of a weight [N, K] or bias [N]: rows [i n, (i + 1) n) when gated; the
  // rows of half i of every head when rotated ([H, 2, R, ...] -> [H * R, ...]).
  auto part = [&](Value v, int64_t i) -> Value {
    if (!gated && !rope)
      return v;
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(t.getShape());
    SmallVector<OpFoldResult> offs(t.getRank() + (rope ? 2 : 0), b.getIndexAttr(0));
    if (gated) {
      shape[0] = n;
      offs[0] = b.getIndexAttr(i * n);
      return sliceOf(b, loc, v, offs, shape, t.getRank());
    }
    // [H * 2R, ...] -> [H, 2, R, ...] -> [H, 1, R, ...] at half i -> [H * R, ...].
    SmallVector<ReassociationIndices> assoc{{0, 1, 2}};
    for (int64_t r = 1; r < t.getRank(); ++r)
      assoc.push_back({r + 2});
    SmallVector<int64_t> split{heads, 2, half};
    split.append(shape.begin() + 1, shape.end());
    Value v3 = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(split, b.getF32Type()), v,
                                             assoc);
    split[1] = 1;
    offs[1] = b.getIndexAttr(i);
    return tensor::CollapseShapeOp::create(b, loc, sliceOf(b, loc, v3, offs, split, split.size()),
                                           assoc);
  };
  auto matmul = [&](Value weight) -> Value {
    if (panelled) {
      // W [N, K] -> [N/P, P, K] -> panels [N/P, K, P]; C[m, j, p] += X[m, k] * Wp[j, k, p].
      Value w3 = tensor::ExpandShapeOp::create(
          b, loc, RankedTensorType::get({panels, panelWidth, k}, b.getF32Type()), weight,
          ArrayRef<ReassociationIndices>{{0, 1}, {2}});
      Value packed = transpose(b, loc, w3, {0, 2, 1});
      return panelContraction(b, loc, x, packed, filled(b, loc, mmShape, 0.0, rows));
    }
    Value wt = transpose(b, loc, weight, {1, 0}); // [K, N]
    Value acc = filled(b, loc, mmShape, 0.0, rows);
    return linalg::MatmulOp::create(b, loc, TypeRange{acc.getType()}, ValueRange{x, wt},
                                    ValueRange{acc})
        .getResult(0);
  };
  auto shapedBias = [&](Value bias) -> Value {
    if (!panelled)
      return bias;
    return tensor::ExpandShapeOp::create(
        b, loc, RankedTensorType::get({panels, panelWidth}, b.getF32Type()), bias,
        ArrayRef<ReassociationIndices>{{0, 1}});
  };
  // The generic's loops and output: the matmul's [m, j, p] / [m, n]; rotated, [m, h, t,
  // q, p] / [m, h, t, i] (head, half, the half's panel and lane / feature), whose output
  // is the result's column order h * d_head + t * R + i, and which reads the matmuls at
  // column h * R + i.
  SmallVector<int64_t> outShape(mmShape);
  AffineMap mmMap, biasMap;
  int64_t q = panelled ? half / panelWidth : 0;
  if (rope) {
    outShape = panelled ? SmallVector<int64_t>{m, heads, 2, q, panelWidth}
                        : SmallVector<int64_t>{m, heads, 2, half};
    unsigned nd = outShape.size();
    AffineExpr col = panelled ? d(1) * q + d(3) : d(1) * half + d(3);
    mmMap = panelled ? AffineMap::get(nd, 0, {d(0), col, d(4)}, ctx) : AffineMap::get(nd, 0, {d(0), col}, ctx);
    biasMap = panelled ? AffineMap::get(nd, 0, {col, d(4)}, ctx) : AffineMap::get(nd, 0, {col}, ctx);
  } else {
    mmMap = b.getMultiDimIdentityMap(outShape.size());
    biasMap = panelled ? AffineMap::get(3, 0, {d(1), d(2)}, ctx) : AffineMap::get(2, 0, {d(1)}, ctx);
  }
  unsigned rank = outShape.size();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  // [M, N] <-> outShape: the rows, then every other dim from the columns.
  SmallVector<ReassociationIndices> rowsCols{{0}, {}};
  for (unsigned r = 1; r < rank; ++r)
    rowsCols[1].push_back(r);
  // Generic operands: the matmul results (two when gated or rotated), their biases, the
  // cos and sin tables, the residual.
  SmallVector<Value> inputs{matmul(part(op.getWeight(), 0))};
  SmallVector<AffineMap> maps{mmMap};
  if (gated || rope) {
    inputs.push_back(matmul(part(op.getWeight(), 1)));
    maps.push_back(mmMap);
  }
  unsigned nMatmuls = inputs.size();
  bool hasBias = op.getBias() != nullptr;
  if (hasBias) {
    for (unsigned i = 0; i < nMatmuls; ++i) {
      inputs.push_back(shapedBias(part(op.getBias(), i)));
      maps.push_back(biasMap);
    }
  }
  unsigned tables = inputs.size();
  if (rope) {
    // cos and sin of (offset + s) theta_i per row (s = row mod seq) and feature i < R
    // (1 and 0 for i >= rope_rotary_dim / 2): [M, Q, P] / [M, R], from no input, so
    // loom-outline-weight-prep computes them once.
    int64_t seq = op.getInput().getType().getDimSize(1);
    // A dynamic seq: the row's position is row mod the run-time length.
    Value seqDyn;
    if (ShapedType::isDynamic(seq))
      seqDyn = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                          tensor::DimOp::create(b, loc, op.getInput(), 1));
    double logBase = std::log(op.getRopeBase().convertToDouble());
    int64_t offset = static_cast<int64_t>(op.getRopePositionOffset());
    int64_t rotated = op.getRopeRotated();
    SmallVector<int64_t> tableShape = panelled ? SmallVector<int64_t>{m, q, panelWidth}
                                               : SmallVector<int64_t>{m, half};
    auto table = [&](bool sine) {
      unsigned tr = tableShape.size();
      return generic(
          b, loc, tableShape, ValueRange{}, emptyTensor(b, loc, tableShape, rows),
          {b.getMultiDimIdentityMap(tr)}, SmallVector<IteratorType>(tr, IteratorType::parallel),
          [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
            Type i64 = nb.getI64Type();
            auto idx = [&](unsigned dim) {
              return arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, dim)).getResult();
            };
            auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
            Value s = arith::RemSIOp::create(nb, nl, idx(0), seqDyn ? seqDyn : cst(seq));
            Value i = panelled ? arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, idx(1), cst(panelWidth)), idx(2)).getResult()
                               : idx(1);
            Value angle = ropeAngle(nb, nl, s, i, logBase, rotated, offset);
            Value v = sine ? math::SinOp::create(nb, nl, angle).getResult()
                           : math::CosOp::create(nb, nl, angle).getResult();
            if (rotated == 2 * half)
              return v;
            // Pairs past rope_rotary_dim / 2 pass through: cos 1, sin 0.
            Value inside = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, i, cst(rotated / 2));
            return arith::SelectOp::create(nb, nl, inside, v, f32Const(nb, nl, sine ? 0.0 : 1.0));
          });
    };
    AffineMap tableMap = panelled ? AffineMap::get(rank, 0, {d(0), d(3), d(4)}, ctx)
                                  : AffineMap::get(rank, 0, {d(0), d(3)}, ctx);
    inputs.append({table(false), table(true)});
    maps.append({tableMap, tableMap});
  }
  Value residual = op.getResidual();
  if (residual) {
    residual = collapseTo2D(b, loc, residual);
    if (rank > 2)
      residual = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get(outShape, b.getF32Type()),
                                               residual, rowsCols);
    inputs.push_back(residual);
    maps.push_back(id);
  }
  Value c = inputs.front();
  if (inputs.size() > 1 || op.hasEpilogue()) {
    maps.push_back(id);
    unsigned gateIdx = gated && *op.getGlu() == "second" ? 1 : 0;
    c = generic(b, loc, outShape, inputs, emptyTensor(b, loc, outShape, rows), maps,
                SmallVector<IteratorType>(rank, IteratorType::parallel),
                [&](OpBuilder &nb, Location nl, ValueRange args) {
                  SmallVector<Value> z(args.take_front(nMatmuls));
                  if (hasBias)
                    for (unsigned i = 0; i < nMatmuls; ++i)
                      z[i] = arith::AddFOp::create(nb, nl, z[i], args[nMatmuls + i]);
                  Value v = z[gateIdx];
                  if (op.hasEpilogue())
                    v = cloneLinearEpilogue(nb, op, v);
                  if (gated)
                    v = arith::MulFOp::create(nb, nl, gateIdx == 0 ? v : z[0],
                                              gateIdx == 0 ? z[1] : v);
                  if (rope) {
                    // First half: z0 cos - z1 sin; second half: z1 cos + z0 sin.
                    Value first = arith::CmpIOp::create(
                        nb, nl, arith::CmpIPredicate::eq, linalg::IndexOp::create(nb, nl, 2),
                        arith::ConstantIndexOp::create(nb, nl, 0));
                    Value self = arith::SelectOp::create(nb, nl, first, z[0], z[1]);
                    Value other = arith::SelectOp::create(
                        nb, nl, first, arith::NegFOp::create(nb, nl, z[1]), z[0]);
                    v = arith::AddFOp::create(
                        nb, nl, arith::MulFOp::create(nb, nl, self, args[tables]),
                        arith::MulFOp::create(nb, nl, other, args[tables + 1]));
                  }
                  if (residual) // the last input (args also holds the output's element)
                    v = arith::AddFOp::create(nb, nl, v, args[inputs.size() - 1]);
                  return v;
                });
  }
  if (rank > 2)
    c = tensor::CollapseShapeOp::create(b, loc, c, rowsCols);
  return expandFrom2D(b, loc, c, op.getResult().getType(), op.getInput());
}

/// clip(j - p, -k, k) + k as an index, p = i + shift (inside a generic body).
Value relativeRow(OpBuilder &nb, Location nl, Value i, Value j, int64_t shift, int64_t k) {
  Type i64 = nb.getI64Type();
  auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
  Value p = arith::AddIOp::create(nb, nl, arith::IndexCastOp::create(nb, nl, i64, i), cst(shift));
  Value rel = arith::SubIOp::create(nb, nl, arith::IndexCastOp::create(nb, nl, i64, j), p);
  rel = arith::MaxSIOp::create(nb, nl, arith::MinSIOp::create(nb, nl, rel, cst(k)), cst(-k));
  return arith::IndexCastOp::create(nb, nl, nb.getIndexType(), arith::AddIOp::create(nb, nl, rel, cst(k)));
}

//===----------------------------------------------------------------------===//
// loom.attention: one fused kernel (FlashAttention-style online softmax; Dao et al. 2022,
// Milakov & Gimelshein 2018). An scf.forall over (batch, head, query block) runs an scf.for
// over key blocks that carries the running row maximum m, the running sum of exponentials l
// and the unnormalised context O:
//   s    = scale * Q_blk K_blk^T + bias_blk, -inf where masked          [bq, bk]
//   m'   = max(m, rowmax(s));  p = exp(s - m');  c = exp(m - m')
//   l'   = c * l + rowsum(p);  O' = c * O + p V_blk (+ p rel_values)     [bq, dh]
// and the block's output is O / l (0 for a row with no visible key). Only [bq, bk] scores
// exist at a time, never [seq_q, seq_k]. Key blocks past the last visible key (causal
// masks, key lengths) are not visited.
//===----------------------------------------------------------------------===//

/// The attention's per-head layouts of `v` [B, S, H*dh]: `v` viewed as `shape` (`groups`
/// splits S and H*dh), permuted by `perm` (B and H first), with B and H merged into B*H.
Value perHead(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape,
              ArrayRef<ReassociationIndices> groups, ArrayRef<int64_t> perm) {
  Value expanded = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get(shape, b.getF32Type()), v, groups);
  SmallVector<ReassociationIndices> merge{{0, 1}};
  for (int64_t i = 2; i < static_cast<int64_t>(shape.size()); ++i)
    merge.push_back({i});
  return tensor::CollapseShapeOp::create(b, loc, transpose(b, loc, expanded, perm), merge);
}

/// [B, S, H*dh] -> [B*H, dh, S]: keys laid out so that Q_blk K_blk^T is a plain matmul.
Value keysTransposed(OpBuilder &b, Location loc, Value v, int64_t heads) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t bs = t.getDimSize(0), s = t.getDimSize(1), dh = t.getDimSize(2) / heads;
  return perHead(b, loc, v, {bs, s, heads, dh}, {{0}, {1}, {2, 3}}, {0, 2, 3, 1});
}

Value indexConst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// [B, S, H*dh] -> [B*H, S/P, dh, P]: keys in panels of P keys, so that a block of
/// Q_blk K_blk^T is a panel contraction whose B operand is contiguous per panel.
Value keyPanels(OpBuilder &b, Location loc, Value v, int64_t heads, int64_t p) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t bs = t.getDimSize(0), s = t.getDimSize(1), dh = t.getDimSize(2) / heads;
  int64_t panels = ShapedType::isDynamic(s) ? ShapedType::kDynamic : s / p;
  return perHead(b, loc, v, {bs, panels, p, heads, dh}, {{0}, {1, 2}, {3, 4}}, {0, 3, 1, 4, 2});
}

/// [B, S, H*dh] -> [B*H, dh/P, S, P]: values in panels of P features, so that P V is a
/// panel contraction whose B operand is contiguous per panel.
Value valuePanels(OpBuilder &b, Location loc, Value v, int64_t heads, int64_t p) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t bs = t.getDimSize(0), s = t.getDimSize(1), dh = t.getDimSize(2) / heads;
  return perHead(b, loc, v, {bs, s, heads, dh / p, p}, {{0}, {1}, {2, 3, 4}}, {0, 2, 3, 1, 4});
}

/// `v` [B, S, D] with zero rows appended along S up to a multiple of `multiple`.
Value padRows(OpBuilder &b, Location loc, Value v, int64_t multiple) {
  auto t = cast<RankedTensorType>(v.getType());
  Value s = tensor::DimOp::create(b, loc, v, 1);
  AffineExpr e = b.getAffineDimExpr(0);
  Value padded = affine::AffineApplyOp::create(
      b, loc, AffineMap::get(1, 0, {e.ceilDiv(multiple) * multiple}, b.getContext()), ValueRange{s});
  SmallVector<Value> dyn;
  if (t.isDynamicDim(0))
    dyn.push_back(tensor::DimOp::create(b, loc, v, 0));
  dyn.push_back(padded);
  Value zeros = filled(b, loc, {t.getDimSize(0), ShapedType::kDynamic, t.getDimSize(2)}, 0.0, dyn);
  SmallVector<OpFoldResult> offs(3, b.getIndexAttr(0)), strides(3, b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(b, loc, v, zeros, offs, tensor::getMixedSizes(b, loc, v),
                                       strides);
}

Value lowerAttention(OpBuilder &b, AttentionOp op, int64_t panelWidth) {
  Location loc = op.getLoc();
  auto qt = op.getQuery().getType();
  int64_t bs = qt.getDimSize(0), sq = qt.getDimSize(1), d = qt.getDimSize(2);
  int64_t sk = op.getKey().getType().getDimSize(1);
  int64_t h = op.getNHeads(), dh = d / h;
  bool causal = op.getCausal();
  float scale = op.getEffectiveScale();
  int64_t window = op.getWindow(), blockSize = op.getBlockSize();
  int64_t shift = sk - sq; // query i sits at absolute position p = i + shift
  MLIRContext *ctx = b.getContext();
  // Dynamic lengths: queries, keys and values are padded with zero rows to whole blocks;
  // the padded keys are masked (keys past the length), the padded queries' rows dropped.
  bool dynamic = !qt.hasStaticShape() || !op.getKey().getType().hasStaticShape();
  // Block sizes: the [bq, bk] score tile and the [bq, dh] / [dh, bk] / [bk, dh] operand
  // tiles stay in L2 (128 x 256 x 4 bytes = 128 KiB of scores). Causal masks use 128-key
  // blocks, so that more blocks above the diagonal are skipped. Measured at seq 8192
  // (one layer, 2 threads): 64 x 128 blocks 2150-2315 ms, 128 x 128 2055, 128 x 256 1970-2100.
  // Up to 512 positions, causal blocks are 64 x 64: the diagonal blocks, half of whose
  // scores are masked, are then a smaller share of the work (at seq 256, 10 blocks of
  // 64 x 64 instead of 3 of 128 x 128: 40960 scores instead of 49152). Measured on the
  // LLaMA stack, 1 thread: the attention's samples -19% at seq 256, -24% at seq 512.
  int64_t causalBlock = std::max(sq, sk) <= 512 ? 64 : 128;
  // Dynamic lengths: 64 x 64 causal blocks, 64 x 128 others (fewer padded rows than the
  // static 128 x 256 at short lengths).
  int64_t bq = dynamic ? 64 : divisorAtMost(sq, causal ? causalBlock : 128),
          bk = dynamic ? (causal ? 64 : 128) : divisorAtMost(sk, causal ? causalBlock : 256);
  double negInf = -std::numeric_limits<double>::infinity();

  Value query = op.getQuery(), value = op.getValue(), key = op.getKey();
  // The block counts, the query's position shift (index) and, with dynamic lengths, the
  // key length (i64) past which the padded keys are masked.
  OpFoldResult nq;
  Value nk, shiftV, padLen;
  OpFoldResult batchSize = b.getIndexAttr(bs);
  if (dynamic) {
    Value sqV = tensor::DimOp::create(b, loc, query, 1), skV = tensor::DimOp::create(b, loc, key, 1);
    if (ShapedType::isDynamic(bs))
      batchSize = tensor::DimOp::create(b, loc, query, 0).getResult();
    query = padRows(b, loc, query, bq);
    key = padRows(b, loc, key, bk);
    value = padRows(b, loc, value, bk);
    nq = arith::DivUIOp::create(b, loc, tensor::DimOp::create(b, loc, query, 1), indexConst(b, loc, bq))
             .getResult();
    nk = arith::DivUIOp::create(b, loc, tensor::DimOp::create(b, loc, key, 1), indexConst(b, loc, bk));
    shiftV = arith::SubIOp::create(b, loc, skV, sqV);
    padLen = arith::IndexCastOp::create(b, loc, b.getI64Type(), skV);
  } else {
    nq = b.getIndexAttr(sq / bq);
    nk = indexConst(b, loc, sk / bk);
    shiftV = indexConst(b, loc, shift);
  }
  // With panels (panel-width P > 0), keys are [B*H, Sk/P, dh, P] and values
  // [B*H, dh/P, Sk, P]: the B operands of both matmuls are contiguous [K, P] panels.
  bool kPanels = panelWidth > 0 && bk % panelWidth == 0;
  bool vPanels = panelWidth > 0 && dh % panelWidth == 0;
  Value keyT = kPanels ? keyPanels(b, loc, key, h, panelWidth)
                       : keysTransposed(b, loc, key, h); // [B*H, dh, Sk]
  Value valueP = vPanels ? valuePanels(b, loc, value, h, panelWidth) : Value();
  Value bias = op.getBias(), keyLengths = op.getKeyLengths(), rel = op.getRelValues();
  int64_t relK = op.getRelMaxDistance();

  AffineMap id2 = b.getMultiDimIdentityMap(2);
  AffineMap row2 = AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, ctx);
  AffineMap id1 = b.getMultiDimIdentityMap(1);
  SmallVector<IteratorType> par2(2, IteratorType::parallel), par1(1, IteratorType::parallel);
  SmallVector<IteratorType> red2{IteratorType::parallel, IteratorType::reduction};

  SmallVector<Value> outDyn;
  if (ShapedType::isDynamic(bs))
    outDyn.push_back(getValueOrCreateConstantIndexOp(b, loc, batchSize));
  if (dynamic)
    outDyn.push_back(tensor::DimOp::create(b, loc, query, 1));
  Value out = emptyTensor(b, loc, {bs, dynamic ? ShapedType::kDynamic : sq, h, dh}, outDyn);
  auto forall = scf::ForallOp::create(
      b, loc, getAsIndexOpFoldResult(ctx, {0, 0, 0}),
      SmallVector<OpFoldResult>{batchSize, b.getIndexAttr(h), nq},
      getAsIndexOpFoldResult(ctx, {1, 1, 1}), ValueRange{out}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value bi = forall.getInductionVar(0), hi = forall.getInductionVar(1),
        qi = forall.getInductionVar(2);
  Value qOff = arith::MulIOp::create(b, loc, qi, indexConst(b, loc, bq));
  Value hOff = arith::MulIOp::create(b, loc, hi, indexConst(b, loc, dh));
  Value bh = arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, bi, indexConst(b, loc, h)), hi);
  OpFoldResult zero = b.getIndexAttr(0);
  Value qTile = sliceOf(b, loc, query, {bi, qOff, hOff}, {1, bq, dh}); // [bq, dh]
  // The scale goes on the query tile, once per task ([bq, dh]), rather than on every
  // [bq, bk] score tile: scale * (q . k) = (scale * q) . k. Without a bias or a mask the
  // score tile then needs no pass of its own before the softmax.
  if (scale != 1.0f)
    qTile = generic(b, loc, {bq, dh}, ValueRange{qTile}, emptyTensor(b, loc, {bq, dh}), {id2, id2},
                    par2, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      return arith::MulFOp::create(nb, nl, a[0], f32Const(nb, nl, scale));
                    });

  // This example's key length (padding mask), as i64.
  Value keyLen;
  if (keyLengths) {
    keyLen = tensor::ExtractOp::create(b, loc, keyLengths, ValueRange{bi});
    if (!keyLen.getType().isInteger(64))
      keyLen = arith::ExtSIOp::create(b, loc, b.getI64Type(), keyLen);
  }

  // Key blocks to visit: [0, kbEnd). Causal: the block of the last query's position is the
  // last; key lengths: the block of the last valid key.
  Value kbEnd = nk;
  // The number of key blocks that start at or before key `lastKey` (index; may be negative).
  auto blocksThrough = [&](Value lastKey) -> Value {
    Value blocks = arith::AddIOp::create(
        b, loc, arith::FloorDivSIOp::create(b, loc, lastKey, indexConst(b, loc, bk)),
        indexConst(b, loc, 1));
    return arith::MaxSIOp::create(b, loc, blocks, indexConst(b, loc, 0));
  };
  auto clampEnd = [&](Value lastKey) { // blocks through lastKey (index; may be negative)
    kbEnd = arith::MinSIOp::create(b, loc, kbEnd, blocksThrough(lastKey));
  };
  if (causal)
    clampEnd(arith::AddIOp::create(b, loc, arith::AddIOp::create(b, loc, qOff, shiftV),
                                   indexConst(b, loc, bq - 1)));
  if (keyLen)
    clampEnd(arith::SubIOp::create(
        b, loc, arith::IndexCastOp::create(b, loc, b.getIndexType(), keyLen),
        indexConst(b, loc, 1)));

  // Whether key j is hidden from the query at absolute position p (both i64).
  auto isMasked = [&](OpBuilder &nb, Location nl, Value p, Value j) -> Value {
    Type i64 = nb.getI64Type();
    auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
    Value masked = arith::ConstantIntOp::create(nb, nl, nb.getI1Type(), 0);
    auto orWith = [&](Value c) { masked = arith::OrIOp::create(nb, nl, masked, c); };
    if (causal)
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, j, p));
    if (window > 0) {
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                   arith::SubIOp::create(nb, nl, p, j), cst(window)));
      if (!causal)
        orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                     arith::SubIOp::create(nb, nl, j, p), cst(window)));
    }
    if (blockSize > 0)
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne,
                                   arith::DivSIOp::create(nb, nl, p, cst(blockSize)),
                                   arith::DivSIOp::create(nb, nl, j, cst(blockSize))));
    if (keyLen)
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, j, keyLen));
    if (padLen)
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, j, padLen));
    return masked;
  };
  bool anyMask = causal || window > 0 || blockSize > 0 || keyLen || padLen;
  // Absolute (query position, key index) of a tile element, as i64.
  auto positions = [&](OpBuilder &nb, Location nl, Value kOff, unsigned iDim,
                       unsigned jDim) -> std::pair<Value, Value> {
    Type i64 = nb.getI64Type();
    auto abs = [&](Value off, unsigned dim, int64_t extra) {
      Value v = arith::AddIOp::create(nb, nl, off, linalg::IndexOp::create(nb, nl, dim));
      v = arith::IndexCastOp::create(nb, nl, i64, v);
      return arith::AddIOp::create(nb, nl, v, arith::ConstantIntOp::create(nb, nl, i64, extra))
          .getResult();
    };
    if (dynamic) { // the shift is known when the model runs
      Value q = abs(qOff, iDim, 0);
      return {arith::AddIOp::create(nb, nl, q, arith::IndexCastOp::create(nb, nl, i64, shiftV)),
              abs(kOff, jDim, 0)};
    }
    return {abs(qOff, iDim, shift), abs(kOff, jDim, 0)};
  };

  Value o0 = filled(b, loc, {bq, dh}, 0.0), m0 = filled(b, loc, {bq}, negInf),
        l0 = filled(b, loc, {bq}, 0.0);
  // One key block's step; `masked`: whether it applies the masks (set per loop below).
  bool masked = anyMask;
  auto blockStep = [&](OpBuilder &fb, Location fl, Value kb, ValueRange iter) {
        Value o = iter[0], m = iter[1], l = iter[2];
        Value kOff = arith::MulIOp::create(fb, fl, kb, indexConst(fb, fl, bk));
        Value s;
        if (kPanels) {
          int64_t np = bk / panelWidth;
          Value pOff = arith::MulIOp::create(fb, fl, kb, indexConst(fb, fl, np));
          Value kTile = sliceOf(fb, fl, keyT, {bh, pOff, zero, zero}, {1, np, dh, panelWidth}, 3);
          Value s3 = panelContraction(fb, fl, qTile, kTile, filled(fb, fl, {bq, np, panelWidth}, 0.0));
          s = tensor::CollapseShapeOp::create(fb, fl, s3, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
        } else {
          Value kTile = sliceOf(fb, fl, keyT, {bh, zero, kOff}, {1, dh, bk}); // [dh, bk]
          Value sInit = filled(fb, fl, {bq, bk}, 0.0);
          s = linalg::MatmulOp::create(fb, fl, TypeRange{sInit.getType()}, ValueRange{qTile, kTile},
                                       ValueRange{sInit})
                  .getResult(0);
        }
        // Bias, mask (the scale is on the query tile).
        SmallVector<Value> ins{s};
        SmallVector<AffineMap> maps{id2};
        if (bias) {
          auto bt = cast<RankedTensorType>(bias.getType());
          ins.push_back(bt.getRank() == 4 ? sliceOf(fb, fl, bias, {bi, hi, qOff, kOff}, {1, 1, bq, bk})
                                          : sliceOf(fb, fl, bias, {hi, qOff, kOff}, {1, bq, bk}));
          maps.push_back(id2);
        }
        maps.push_back(id2);
        Value scores = s;
        if (bias || masked)
          scores = generic(fb, fl, {bq, bk}, ins, emptyTensor(fb, fl, {bq, bk}), maps, par2,
                               [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                 Value v = a[0];
                                 if (bias)
                                   v = arith::AddFOp::create(nb, nl, v, a[1]);
                                 if (masked) {
                                   auto [p, j] = positions(nb, nl, kOff, 0, 1);
                                   v = arith::SelectOp::create(nb, nl, isMasked(nb, nl, p, j),
                                                               f32Const(nb, nl, negInf), v);
                                 }
                                 return v;
                               });
        Value mNew = generic(fb, fl, {bq}, ValueRange{scores}, m, {id2, row2}, red2,
                             [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                               return arith::MaximumFOp::create(nb, nl, a[1], a[0]);
                             });
        // exp(x - m'), with x = -inf giving 0 (also when m' = -inf: the whole row is masked).
        auto expShifted = [&](OpBuilder &nb, Location nl, Value x, Value mx) -> Value {
          Value ninf = f32Const(nb, nl, negInf);
          Value hidden = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, x, ninf);
          Value e = math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, x, mx));
          return arith::SelectOp::create(nb, nl, hidden, f32Const(nb, nl, 0.0), e);
        };
        Value probs = generic(fb, fl, {bq, bk}, ValueRange{scores, mNew},
                              emptyTensor(fb, fl, {bq, bk}), {id2, row2, id2}, par2,
                              [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                return expShifted(nb, nl, a[0], a[1]);
                              });
        Value corr = generic(fb, fl, {bq}, ValueRange{m, mNew}, emptyTensor(fb, fl, {bq}),
                             {id1, id1, id1}, par1,
                             [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                               return expShifted(nb, nl, a[0], a[1]);
                             });
        Value lScaled = generic(fb, fl, {bq}, ValueRange{l, corr}, emptyTensor(fb, fl, {bq}),
                                {id1, id1, id1}, par1,
                                [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                  return arith::MulFOp::create(nb, nl, a[0], a[1]);
                                });
        Value lNew = generic(fb, fl, {bq}, ValueRange{probs}, lScaled, {id2, row2}, red2,
                             [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                               return arith::AddFOp::create(nb, nl, a[1], a[0]);
                             });
        Value oScaled = generic(fb, fl, {bq, dh}, ValueRange{o, corr},
                                emptyTensor(fb, fl, {bq, dh}), {id2, row2, id2}, par2,
                                [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                  return arith::MulFOp::create(nb, nl, a[0], a[1]);
                                });
        if (rel) {
          // Shaw et al. 2018: + sum_j p[i, j] * rel[clip(j - p) + k, :] (linear in p, so it
          // takes the same rescaling as p V). Iteration space (i, e, j).
          AffineMap probMap = AffineMap::get(3, 0, {fb.getAffineDimExpr(0), fb.getAffineDimExpr(2)}, ctx);
          AffineMap outMap = AffineMap::get(3, 0, {fb.getAffineDimExpr(0), fb.getAffineDimExpr(1)}, ctx);
          oScaled = generic(
              fb, fl, {bq, dh}, ValueRange{probs}, oScaled, {probMap, outMap},
              {IteratorType::parallel, IteratorType::parallel, IteratorType::reduction},
              [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                Value qAbs = arith::AddIOp::create(nb, nl, qOff, linalg::IndexOp::create(nb, nl, 0));
                Value kAbs = arith::AddIOp::create(nb, nl, kOff, linalg::IndexOp::create(nb, nl, 2));
                Value row = relativeRow(nb, nl, qAbs, kAbs, shift, relK);
                Value r = tensor::ExtractOp::create(nb, nl, rel,
                                                    ValueRange{row, linalg::IndexOp::create(nb, nl, 1)});
                return arith::AddFOp::create(nb, nl, a[1], arith::MulFOp::create(nb, nl, a[0], r));
              });
        }
        Value oNew;
        if (vPanels) {
          int64_t np = dh / panelWidth;
          Value vTile = sliceOf(fb, fl, valueP, {bh, zero, kOff, zero}, {1, np, bk, panelWidth}, 3);
          Value o3 = tensor::ExpandShapeOp::create(
              fb, fl, RankedTensorType::get({bq, np, panelWidth}, fb.getF32Type()), oScaled,
              ArrayRef<ReassociationIndices>{{0}, {1, 2}});
          oNew = tensor::CollapseShapeOp::create(fb, fl, panelContraction(fb, fl, probs, vTile, o3),
                                                 ArrayRef<ReassociationIndices>{{0}, {1, 2}});
        } else {
          Value vTile = sliceOf(fb, fl, value, {bi, kOff, hOff}, {1, bk, dh}); // [bk, dh]
          oNew = linalg::MatmulOp::create(fb, fl, TypeRange{oScaled.getType()},
                                          ValueRange{probs, vTile}, ValueRange{oScaled})
                     .getResult(0);
        }
        scf::YieldOp::create(fb, fl, ValueRange{oNew, mNew, lNew});
  };
  scf::ForOp loop;
  if ((causal || padLen) && window == 0 && blockSize == 0 && !keyLen) {
    // A causal mask hides nothing in the key blocks that end at or before the block's first
    // query position (all but the diagonal ones): a first loop visits them without the
    // mask, a second loop the rest with it. Block kb is wholly visible when its last key
    // kb * bk + bk - 1 <= p0 (= qOff + shift), i.e. it reaches key p0 - bk + 1 at most
    // (p0 < the key length, so such blocks hold no padded key either). Without a causal
    // mask, the blocks before the one that holds the first padded key are wholly visible.
    Value full;
    if (causal) {
      Value lastFull = dynamic ? arith::SubIOp::create(b, loc, arith::AddIOp::create(b, loc, qOff, shiftV),
                                                       indexConst(b, loc, bk - 1)).getResult()
                               : arith::AddIOp::create(b, loc, qOff, indexConst(b, loc, shift - bk + 1)).getResult();
      full = arith::MinSIOp::create(b, loc, blocksThrough(lastFull), kbEnd);
    } else {
      full = arith::MinSIOp::create(
          b, loc, arith::DivUIOp::create(b, loc, tensor::DimOp::create(b, loc, op.getKey(), 1),
                                         indexConst(b, loc, bk)),
          kbEnd);
    }
    masked = false;
    auto visible = scf::ForOp::create(b, loc, indexConst(b, loc, 0), full, indexConst(b, loc, 1),
                                      ValueRange{o0, m0, l0}, blockStep);
    masked = true;
    loop = scf::ForOp::create(b, loc, full, kbEnd, indexConst(b, loc, 1), visible.getResults(),
                              blockStep);
  } else {
    loop = scf::ForOp::create(b, loc, indexConst(b, loc, 0), kbEnd, indexConst(b, loc, 1),
                              ValueRange{o0, m0, l0}, blockStep);
  }

  // O / l; a row with no visible key (l = 0) yields zeros, not 0/0.
  Value result = generic(b, loc, {bq, dh}, ValueRange{loop.getResult(0), loop.getResult(2)},
                         emptyTensor(b, loc, {bq, dh}), {id2, row2, id2}, par2,
                         [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                           Value zero = f32Const(nb, nl, 0.0);
                           Value none = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, a[1], zero);
                           return arith::SelectOp::create(nb, nl, none, zero,
                                                          arith::DivFOp::create(nb, nl, a[0], a[1]));
                         });
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  SmallVector<OpFoldResult> offs{bi, qOff, hi, zero};
  tensor::ParallelInsertSliceOp::create(
      b, loc, result, forall.getRegionIterArgs()[0], offs,
      getAsIndexOpFoldResult(ctx, {1, bq, 1, dh}), getAsIndexOpFoldResult(ctx, {1, 1, 1, 1}));
  b.setInsertionPointAfter(forall);
  Value heads = forall.getResult(0); // [B, Sq, H, dh]
  if (dynamic) { // drop the padded queries' rows
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, heads);
    sizes[1] = tensor::DimOp::create(b, loc, op.getQuery(), 1).getResult();
    heads = tensor::ExtractSliceOp::create(b, loc, heads, SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
                                           sizes, SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
  }
  return tensor::CollapseShapeOp::create(b, loc, heads,
                                         ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}
/// A normalisation's input as rows [m, d] with the maps of its generics: the element
/// (id2), its row's statistic (row) and the per-feature parameter (col).
struct NormRows {
  Value x;
  SmallVector<Value> rows; ///< m, when dynamic
  int64_t m, d;
  AffineMap id2, row, col;
};
NormRows normRows(OpBuilder &b, Location loc, Value input) {
  Value x = collapseTo2D(b, loc, input);
  auto xt = cast<RankedTensorType>(x.getType());
  return {x, dynamicSizes(b, loc, x), xt.getDimSize(0), xt.getDimSize(1), b.getMultiDimIdentityMap(2),
          AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, b.getContext()),
          AffineMap::get(2, 0, {b.getAffineDimExpr(1)}, b.getContext())};
}

//===----------------------------------------------------------------------===//
// loom.layer_norm: sum, centred sum of squares, normalise.
//===----------------------------------------------------------------------===//
Value lowerLayerNorm(OpBuilder &b, LayerNormOp op) {
  Location loc = op.getLoc();
  auto [x, rows, m, d, id2, row, col] = normRows(b, loc, op.getInput());
  SmallVector<IteratorType> red{IteratorType::parallel, IteratorType::reduction};
  SmallVector<IteratorType> par{IteratorType::parallel, IteratorType::parallel};
  float invD = 1.0f / static_cast<float>(d);
  float eps = op.getEpsilon().convertToFloat();

  Value sum = generic(b, loc, {m}, ValueRange{x}, filled(b, loc, {m}, 0.0, rows), {id2, row}, red,
                      [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                        return arith::AddFOp::create(nb, nl, a[1], a[0]);
                      });
  Value sq = generic(b, loc, {m}, ValueRange{x, sum}, filled(b, loc, {m}, 0.0, rows),
                     {id2, row, row}, red, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value mean = arith::MulFOp::create(nb, nl, a[1], f32Const(nb, nl, invD));
                       Value c = arith::SubFOp::create(nb, nl, a[0], mean);
                       return arith::AddFOp::create(
                           nb, nl, a[2], arith::MulFOp::create(nb, nl, c, c));
                     });
  Value y = generic(
      b, loc, {m, d}, ValueRange{x, sum, sq, op.getWeight(), op.getBias()},
      emptyTensor(b, loc, {m, d}, rows), {id2, row, row, col, col, id2}, par,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Value invDc = f32Const(nb, nl, invD);
        Value mean = arith::MulFOp::create(nb, nl, a[1], invDc);
        Value var = arith::MulFOp::create(nb, nl, a[2], invDc);
        Value rstd = math::RsqrtOp::create(
            nb, nl, arith::AddFOp::create(nb, nl, var, f32Const(nb, nl, eps)));
        Value c = arith::SubFOp::create(nb, nl, a[0], mean);
        Value n = arith::MulFOp::create(nb, nl, c, rstd);
        return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, n, a[3]), a[4]);
      });
  return expandFrom2D(b, loc, y, op.getResult().getType(), op.getInput());
}

//===----------------------------------------------------------------------===//
// loom.rms_norm: sum of squares, then x * rsqrt(ss / d + eps) * weight.
//===----------------------------------------------------------------------===//
Value lowerRmsNorm(OpBuilder &b, RmsNormOp op) {
  Location loc = op.getLoc();
  auto [x, rows, m, d, id2, row, col] = normRows(b, loc, op.getInput());
  float invD = 1.0f / static_cast<float>(d), eps = op.getEpsilon().convertToFloat();
  Value ss = generic(b, loc, {m}, ValueRange{x}, filled(b, loc, {m}, 0.0, rows), {id2, row},
                     {IteratorType::parallel, IteratorType::reduction},
                     [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       return arith::AddFOp::create(nb, nl, a[1], arith::MulFOp::create(nb, nl, a[0], a[0]));
                     });
  Value y = generic(b, loc, {m, d}, ValueRange{x, ss, op.getWeight()}, emptyTensor(b, loc, {m, d}, rows),
                    {id2, row, col, id2}, {IteratorType::parallel, IteratorType::parallel},
                    [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      Value ms = arith::MulFOp::create(nb, nl, a[1], f32Const(nb, nl, invD));
                      Value r = math::RsqrtOp::create(nb, nl, arith::AddFOp::create(nb, nl, ms, f32Const(nb, nl, eps)));
                      return arith::MulFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], r), a[2]);
                    });
  return expandFrom2D(b, loc, y, op.getResult().getType(), op.getInput());
}

//===----------------------------------------------------------------------===//
// loom.sinusoidal_pe: x + PE computed from the indices (no table in memory).
//===----------------------------------------------------------------------===//
Value lowerSinusoidalPE(OpBuilder &b, SinusoidalPEOp op) {
  Location loc = op.getLoc();
  auto t = op.getInput().getType();
  int64_t seq = t.getDimSize(1), dModel = t.getDimSize(2);
  // div_term(i) = exp(2i * -ln(base)/d_model), as torch computes it, in f32.
  double coef = -std::log(op.getBase().convertToDouble()) / static_cast<double>(dModel);
  // The [seq, d_model] table depends on no input: loom-outline-weight-prep computes it once.
  SmallVector<Value> seqDyn;
  if (ShapedType::isDynamic(seq))
    seqDyn.push_back(tensor::DimOp::create(b, loc, op.getInput(), 1));
  Value table = generic(
      b, loc, {seq, dModel}, ValueRange{}, emptyTensor(b, loc, {seq, dModel}, seqDyn),
      {b.getMultiDimIdentityMap(2)}, {IteratorType::parallel, IteratorType::parallel},
      [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
        Type i64 = nb.getI64Type();
        Value pos = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 0));
        Value dim = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
        Value one = arith::ConstantIntOp::create(nb, nl, i64, 1);
        Value odd = arith::AndIOp::create(nb, nl, dim, one);
        Value even = arith::SubIOp::create(nb, nl, dim, odd); // 2i
        Value evenF = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), even);
        Value div = math::ExpOp::create(
            nb, nl, arith::MulFOp::create(nb, nl, evenF, f32Const(nb, nl, coef)));
        Value posF = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), pos);
        Value angle = arith::MulFOp::create(nb, nl, posF, div);
        Value isOdd = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne, odd,
                                            arith::ConstantIntOp::create(nb, nl, i64, 0));
        return arith::SelectOp::create(nb, nl, isOdd, math::CosOp::create(nb, nl, angle),
                                       math::SinOp::create(nb, nl, angle));
      });
  return addRowTable(b, loc, op.getInput(), table);
}

//===----------------------------------------------------------------------===//
// loom.rope: out = x * C[s, w] + partner(x) * S[s, w] per head feature w, where the [seq,
// d_head] tables C (cos, 1 outside the rotary part) and S (signed sin, 0 outside) depend on
// no input, so loom-outline-weight-prep computes them once in forward_prepare.
//===----------------------------------------------------------------------===//
Value lowerRope(OpBuilder &b, RopeOp op) {
  Location loc = op.getLoc();
  auto t = op.getInput().getType();
  int64_t bs = t.getDimSize(0), seq = t.getDimSize(1), d = t.getDimSize(2);
  int64_t heads = op.getNHeads(), dHead = d / heads, rot = op.getRotaryDim();
  bool interleaved = op.getInterleaved();
  double logBase = std::log(op.getBase().convertToDouble());
  int64_t offset = op.getPositionOffset();
  // Pair index i (frequency), partner feature and whether w is the first of its pair, for
  // a feature w < rot of a head (i64 values inside a generic body).
  struct Pair { Value freq, partner, first; };
  auto pairOf = [&](OpBuilder &nb, Location nl, Value w) -> Pair {
    Type i64 = nb.getI64Type();
    auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
    if (interleaved) {
      Value odd = arith::AndIOp::create(nb, nl, w, cst(1));
      Value first = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, odd, cst(0));
      return {arith::DivSIOp::create(nb, nl, w, cst(2)),
              arith::SelectOp::create(nb, nl, first, arith::AddIOp::create(nb, nl, w, cst(1)),
                                      arith::SubIOp::create(nb, nl, w, cst(1))),
              first};
    }
    Value first = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, w, cst(rot / 2));
    return {arith::SelectOp::create(nb, nl, first, w, arith::SubIOp::create(nb, nl, w, cst(rot / 2))),
            arith::SelectOp::create(nb, nl, first, arith::AddIOp::create(nb, nl, w, cst(rot / 2)),
                                    arith::SubIOp::create(nb, nl, w, cst(rot / 2))),
            first};
  };
  // The tables: theta_i = base^(-2i/rot) = exp(-2i ln(base) / rot), angle = (offset + s) theta_i.
  auto table = [&](bool sine) {
    return generic(
        b, loc, {seq, dHead}, ValueRange{}, emptyTensor(b, loc, {seq, dHead}),
        {b.getMultiDimIdentityMap(2)}, {IteratorType::parallel, IteratorType::parallel},
        [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
          Type i64 = nb.getI64Type();
          auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
          Value sIdx = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 0));
          Value w = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
          Pair pr = pairOf(nb, nl, w);
          Value angle = ropeAngle(nb, nl, sIdx, pr.freq, logBase, rot, offset);
          Value rotated = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, w, cst(rot));
          if (!sine)
            return arith::SelectOp::create(nb, nl, rotated, math::CosOp::create(nb, nl, angle),
                                           f32Const(nb, nl, 1.0));
          // first of the pair: a cos - b sin; second: b cos + a sin.
          Value sn = math::SinOp::create(nb, nl, angle);
          sn = arith::SelectOp::create(nb, nl, pr.first, arith::NegFOp::create(nb, nl, sn), sn);
          return arith::SelectOp::create(nb, nl, rotated, sn, f32Const(nb, nl, 0.0));
        });
  };
  Value cosT = table(false), sinT = table(true);
  // x as [batch, seq, heads, d_head]; the tables are read at (s, w).
  auto t4 = RankedTensorType::get({bs, seq, heads, dHead}, b.getF32Type());
  Value x4 = tensor::ExpandShapeOp::create(b, loc, t4, op.getInput(),
                                           ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  AffineMap id4 = b.getMultiDimIdentityMap(4);
  AffineMap tableMap = AffineMap::get(4, 0, {b.getAffineDimExpr(1), b.getAffineDimExpr(3)}, b.getContext());
  if (!interleaved) {
    // rotate_half pairs feature w with w +- rot/2: on slices of the halves, every access is
    // contiguous (no gather), so the loops vectorize along the features.
    int64_t half = rot / 2;
    auto slice4 = [&](Value v, int64_t from, int64_t size) {
      SmallVector<OpFoldResult> offs(4, b.getIndexAttr(0)), sizes, strides(4, b.getIndexAttr(1));
      for (int64_t d : {bs, seq, heads, size})
        sizes.push_back(b.getIndexAttr(d));
      offs[3] = b.getIndexAttr(from);
      return tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides).getResult();
    };
    auto sliceTable = [&](Value table, int64_t from, int64_t size) {
      SmallVector<OpFoldResult> offs{b.getIndexAttr(0), b.getIndexAttr(from)};
      SmallVector<OpFoldResult> sizes{b.getIndexAttr(seq), b.getIndexAttr(size)};
      SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
      return tensor::ExtractSliceOp::create(b, loc, table, offs, sizes, strides).getResult();
    };
    Value dest = emptyTensor(b, loc, {bs, seq, heads, dHead});
    // out[w] = x[w] * C[w] + x[partner] * S[w] over [from, from + size), partner = w + shift.
    auto part = [&](int64_t from, int64_t size, int64_t shift, bool rotated) {
      SmallVector<Value> ins{slice4(x4, from, size)};
      SmallVector<AffineMap> maps{id4};
      if (rotated) {
        ins.append({sliceTable(cosT, from, size), slice4(x4, from + shift, size),
                    sliceTable(sinT, from, size)});
        maps.append({tableMap, id4, tableMap});
      }
      maps.push_back(id4);
      Value y = generic(b, loc, {bs, seq, heads, size}, ins, slice4(dest, from, size), maps,
                        SmallVector<IteratorType>(4, IteratorType::parallel),
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          if (!rotated)
                            return a[0];
                          return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]),
                                                       arith::MulFOp::create(nb, nl, a[2], a[3]));
                        });
      SmallVector<OpFoldResult> offs(4, b.getIndexAttr(0)), sizes, strides(4, b.getIndexAttr(1));
      for (int64_t d : {bs, seq, heads, size})
        sizes.push_back(b.getIndexAttr(d));
      offs[3] = b.getIndexAttr(from);
      dest = tensor::InsertSliceOp::create(b, loc, y, dest, offs, sizes, strides);
    };
    part(0, half, half, true);     // first halves: a cos - b sin (S holds -sin)
    part(half, half, -half, true); // second halves: b cos + a sin
    if (rot < dHead)
      part(rot, dHead - rot, 0, false); // features past rotary_dim pass through
    return tensor::CollapseShapeOp::create(b, loc, dest, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  }
  Value y4 = generic(
      b, loc, {bs, seq, heads, dHead}, ValueRange{x4, cosT, sinT}, emptyTensor(b, loc, {bs, seq, heads, dHead}),
      {id4, tableMap, tableMap, id4}, SmallVector<IteratorType>(4, IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Type i64 = nb.getI64Type();
        Value w = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 3));
        Value rotated = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, w,
                                              arith::ConstantIntOp::create(nb, nl, i64, rot));
        // Outside the rotary part the partner is the feature itself (its S entry is 0).
        Value partner = arith::SelectOp::create(nb, nl, rotated, pairOf(nb, nl, w).partner, w);
        Value other = tensor::ExtractOp::create(
            nb, nl, x4,
            ValueRange{linalg::IndexOp::create(nb, nl, 0), linalg::IndexOp::create(nb, nl, 1),
                       linalg::IndexOp::create(nb, nl, 2),
                       arith::IndexCastOp::create(nb, nl, nb.getIndexType(), partner)});
        return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], a[1]),
                                     arith::MulFOp::create(nb, nl, other, a[2]));
      });
  return tensor::CollapseShapeOp::create(b, loc, y4, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
}

//===----------------------------------------------------------------------===//
// loom.alibi_bias: -m_h * |p - j| with the slopes as a constant vector.
//===----------------------------------------------------------------------===//
Value lowerAlibiBias(OpBuilder &b, AlibiBiasOp op) {
  Location loc = op.getLoc();
  auto t = op.getResult().getType();
  int64_t h = t.getDimSize(0), sq = t.getDimSize(1), sk = t.getDimSize(2);
  SmallVector<float> slopes;
  for (double m : AlibiBiasOp::slopes(h))
    slopes.push_back(static_cast<float>(m));
  auto slopeType = RankedTensorType::get({h}, b.getF32Type());
  Value slopeTensor = arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(slopeType, ArrayRef<float>(slopes)));
  MLIRContext *ctx = b.getContext();
  AffineMap headMap = AffineMap::get(3, 0, {b.getAffineDimExpr(0)}, ctx);
  return generic(b, loc, {h, sq, sk}, ValueRange{slopeTensor}, emptyTensor(b, loc, {h, sq, sk}),
                 {headMap, b.getMultiDimIdentityMap(3)}, SmallVector<IteratorType>(3, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   Type i64 = nb.getI64Type();
                   Value i = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
                   Value j = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 2));
                   Value p = arith::AddIOp::create(nb, nl, i, arith::ConstantIntOp::create(nb, nl, i64, sk - sq));
                   Value d = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), arith::SubIOp::create(nb, nl, p, j));
                   Value dist = math::AbsFOp::create(nb, nl, d);
                   return arith::NegFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], dist));
                 });
}

//===----------------------------------------------------------------------===//
// loom.add_position_table: x[b, s, d] + table[s, d] over the table's first seq rows.
//===----------------------------------------------------------------------===//
Value lowerAddPositionTable(OpBuilder &b, AddPositionTableOp op) {
  Location loc = op.getLoc();
  auto t = op.getInput().getType();
  // The first seq rows of the table (a dynamic seq is at most the table's rows: the runtime
  // checks it before the run).
  OpFoldResult seq = t.isDynamicDim(1)
                         ? OpFoldResult(tensor::DimOp::create(b, loc, op.getInput(), 1).getResult())
                         : OpFoldResult(b.getIndexAttr(t.getDimSize(1)));
  Value rows = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({t.getDimSize(1), t.getDimSize(2)}, b.getF32Type()),
      op.getTable(), ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{seq, b.getIndexAttr(t.getDimSize(2))},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  return addRowTable(b, loc, op.getInput(), rows);
}

//===----------------------------------------------------------------------===//
// loom.t5_bias: bucket(j - p) from the indices, then a gather from the table.
//===----------------------------------------------------------------------===//
Value lowerT5Bias(OpBuilder &b, T5BiasOp op) {
  Location loc = op.getLoc();
  auto t = op.getResult().getType();
  int64_t h = t.getDimSize(0), sq = t.getDimSize(1), sk = t.getDimSize(2);
  bool bidirectional = op.getBidirectional();
  int64_t n = op.getTable().getType().getDimSize(0) / (bidirectional ? 2 : 1);
  int64_t maxExact = n / 2;
  double logRange = std::log(static_cast<double>(op.getMaxDistance()) / static_cast<double>(maxExact));
  Value table = op.getTable();
  return generic(b, loc, {h, sq, sk}, ValueRange{}, emptyTensor(b, loc, {h, sq, sk}),
                 {b.getMultiDimIdentityMap(3)}, SmallVector<IteratorType>(3, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
                   Type i64 = nb.getI64Type(), f32 = nb.getF32Type();
                   auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
                   auto idx = [&](unsigned d) {
                     return arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, d));
                   };
                   Value p = arith::AddIOp::create(nb, nl, idx(1), cst(sk - sq));
                   Value rel = arith::SubIOp::create(nb, nl, idx(2), p); // key - query
                   Value bucket = cst(0), dist;
                   if (bidirectional) {
                     Value after = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sgt, rel, cst(0));
                     bucket = arith::SelectOp::create(nb, nl, after, cst(n), cst(0));
                     dist = math::AbsIOp::create(nb, nl, rel);
                   } else {
                     dist = arith::MaxSIOp::create(nb, nl, arith::SubIOp::create(nb, nl, cst(0), rel), cst(0));
                   }
                   Value small = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, dist, cst(maxExact));
                   // max_exact + trunc(log(dist / max_exact) / log(max_distance / max_exact) * (n - max_exact)),
                   // in f32 like the reference; dist < max_exact never reaches it (log(0) is -inf).
                   Value ratio = arith::DivFOp::create(nb, nl, arith::SIToFPOp::create(nb, nl, f32, dist),
                                                       f32Const(nb, nl, static_cast<double>(maxExact)));
                   Value scaled = arith::MulFOp::create(
                       nb, nl, arith::DivFOp::create(nb, nl, math::LogOp::create(nb, nl, ratio), f32Const(nb, nl, logRange)),
                       f32Const(nb, nl, static_cast<double>(n - maxExact)));
                   Value large = arith::AddIOp::create(
                       nb, nl, cst(maxExact),
                       arith::FPToSIOp::create(nb, nl, i64, arith::SelectOp::create(nb, nl, small, f32Const(nb, nl, 0.0), scaled)));
                   large = arith::MinSIOp::create(nb, nl, large, cst(n - 1));
                   bucket = arith::AddIOp::create(nb, nl, bucket, arith::SelectOp::create(nb, nl, small, dist, large));
                   Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), bucket);
                   return tensor::ExtractOp::create(nb, nl, table, ValueRange{row, linalg::IndexOp::create(nb, nl, 0)});
                 });
}

//===----------------------------------------------------------------------===//
// loom.relative_logits: scale * q[b, i, h, :] . table[clip(j - p) + k, :]
//===----------------------------------------------------------------------===//
Value lowerRelativeLogits(OpBuilder &b, RelativeLogitsOp op) {
  Location loc = op.getLoc();
  auto t = op.getResult().getType();
  int64_t bs = t.getDimSize(0), h = t.getDimSize(1), sq = t.getDimSize(2), sk = t.getDimSize(3);
  int64_t dh = op.getInput().getType().getDimSize(2) / h, k = op.getMaxDistance();
  float scale = op.getScale().convertToFloat();
  StringRef mode = op.getMode();
  bool perHead = mode != "shaw", keys = mode == "p2c";
  Value table = op.getTable();
  MLIRContext *ctx = b.getContext();
  auto e = [&](unsigned i) { return b.getAffineDimExpr(i); };
  // iteration (b, h, i, j, d); the input as [b, seq, h, d], read at query i or key j.
  int64_t seq = keys ? sk : sq;
  Value x4 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({bs, seq, h, dh}, b.getF32Type()), op.getInput(),
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  AffineMap xMap = AffineMap::get(5, 0, {e(0), keys ? e(3) : e(2), e(1), e(4)}, ctx);
  AffineMap outMap = AffineMap::get(5, 0, {e(0), e(1), e(2), e(3)}, ctx);
  Value sum = generic(
      b, loc, {bs, h, sq, sk}, ValueRange{x4}, filled(b, loc, {bs, h, sq, sk}, 0.0), {xMap, outMap},
      {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
       IteratorType::parallel, IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Type i64 = nb.getI64Type();
        auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
        Value p = arith::AddIOp::create(
            nb, nl, arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 2)), cst(sk - sq));
        Value j = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 3));
        // shaw: clip(j - p, -k, k) + k; c2p: clip(p - j, -k, k - 1) + k; p2c: clip(j - p, -k, k - 1) + k
        Value rel = mode == "c2p" ? arith::SubIOp::create(nb, nl, p, j) : arith::SubIOp::create(nb, nl, j, p);
        int64_t hi = mode == "shaw" ? k : k - 1;
        rel = arith::MaxSIOp::create(nb, nl, arith::MinSIOp::create(nb, nl, rel, cst(hi)), cst(-k));
        Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), arith::AddIOp::create(nb, nl, rel, cst(k)));
        Value col = linalg::IndexOp::create(nb, nl, 4);
        if (perHead) // the table's columns are the heads' features: h * d_head + d
          col = arith::AddIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, linalg::IndexOp::create(nb, nl, 1),
                                            arith::ConstantIndexOp::create(nb, nl, dh)),
              col);
        Value r = tensor::ExtractOp::create(nb, nl, table, ValueRange{row, col});
        return arith::AddFOp::create(nb, nl, a[1], arith::MulFOp::create(nb, nl, a[0], r));
      });
  return elementwise(b, loc, ValueRange{sum}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    return arith::MulFOp::create(nb, nl, a[0], f32Const(nb, nl, scale));
  });
}

//===----------------------------------------------------------------------===//
// loom.add_bias, loom.sinusoidal_table
//===----------------------------------------------------------------------===//
Value lowerAddBias(OpBuilder &b, AddBiasOp op) {
  Location loc = op.getLoc();
  auto t = op.getInput().getType();
  unsigned rank = t.getRank();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap last = AffineMap::get(rank, 0, {b.getAffineDimExpr(rank - 1)}, b.getContext());
  float alpha = op.getAlpha().convertToFloat();
  return generic(b, loc, t.getShape(), ValueRange{op.getInput(), op.getBias()},
                 emptyTensor(b, loc, t.getShape()), {id, last, id},
                 SmallVector<IteratorType>(rank, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   return arith::AddFOp::create(
                       nb, nl, a[0], arith::MulFOp::create(nb, nl, a[1], f32Const(nb, nl, alpha)));
                 });
}

Value lowerSinusoidalTable(OpBuilder &b, SinusoidalTableOp op) {
  Location loc = op.getLoc();
  auto t = op.getResult().getType();
  int64_t rows = t.getDimSize(0), d = t.getDimSize(1), half = d / 2;
  double logBase = std::log(op.getBase().convertToDouble());
  bool interleaved = op.getInterleaved();
  return generic(b, loc, {rows, d}, ValueRange{}, emptyTensor(b, loc, {rows, d}),
                 {b.getMultiDimIdentityMap(2)}, {IteratorType::parallel, IteratorType::parallel},
                 [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
                   Type i64 = nb.getI64Type(), f32 = nb.getF32Type();
                   Value r = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 0));
                   Value c = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
                   Value isCos, i;
                   if (interleaved) { // column 2i is sin, 2i + 1 is cos
                     Value one = arith::ConstantIntOp::create(nb, nl, i64, 1);
                     isCos = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ne,
                                                   arith::AndIOp::create(nb, nl, c, one),
                                                   arith::ConstantIntOp::create(nb, nl, i64, 0));
                     i = arith::ShRSIOp::create(nb, nl, c, one);
                   } else { // columns [0, d/2) are sin, [d/2, d) cos
                     Value halfC = arith::ConstantIntOp::create(nb, nl, i64, half);
                     isCos = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, c, halfC);
                     i = arith::SelectOp::create(nb, nl, isCos, arith::SubIOp::create(nb, nl, c, halfC), c);
                   }
                   // f_i = base^(-2i / d) = exp(-2i ln(base) / d)
                   Value twoI = arith::SIToFPOp::create(nb, nl, f32, arith::AddIOp::create(nb, nl, i, i));
                   Value f = math::ExpOp::create(
                       nb, nl, arith::MulFOp::create(nb, nl, twoI, f32Const(nb, nl, -logBase / double(d))));
                   Value angle = arith::MulFOp::create(nb, nl, arith::SIToFPOp::create(nb, nl, f32, r), f);
                   return arith::SelectOp::create(nb, nl, isCos, math::CosOp::create(nb, nl, angle),
                                                  math::SinOp::create(nb, nl, angle));
                 });
}

//===----------------------------------------------------------------------===//
// Convolution module ops
//===----------------------------------------------------------------------===//

/// torch.nn.GLU(dim=-1): the first half of the last dimension times the sigmoid of the second.
Value lowerGlu(OpBuilder &b, GluOp op) {
  Location loc = op.getLoc();
  RankedTensorType in = op.getInput().getType(), out = op.getResult().getType();
  int64_t rank = in.getRank(), c = out.getDimSize(rank - 1);
  auto half = [&](int64_t offset) -> Value {
    SmallVector<OpFoldResult> offs(rank, b.getIndexAttr(0)), sizes, strides(rank, b.getIndexAttr(1));
    for (int64_t d : out.getShape())
      sizes.push_back(b.getIndexAttr(d));
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
  if (pl || pr) {
    auto inT = op.getInput().getType();
    auto padT = RankedTensorType::get({bs, inT.getDimSize(1) + pl + pr, c}, b.getF32Type());
    SmallVector<OpFoldResult> low{b.getIndexAttr(0), b.getIndexAttr(pl), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> high{b.getIndexAttr(0), b.getIndexAttr(pr), b.getIndexAttr(0)};
    x = tensor::PadOp::create(b, loc, padT, x, low, high, f32Const(b, loc, 0.0));
  }
  MLIRContext *ctx = b.getContext();
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  Value init = op.getBias() ? Value() : filled(b, loc, {bs, t, c}, 0.0);
  if (Value bias = op.getBias())
    init = generic(b, loc, {bs, t, c}, ValueRange{bias}, emptyTensor(b, loc, {bs, t, c}),
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
  Value y = generic(b, loc, {m, c}, ValueRange{x, scale, shift}, emptyTensor(b, loc, {m, c}),
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
  float invN = 1.0f / static_cast<float>(t * cg), eps = op.getEpsilon().convertToFloat();
  MLIRContext *ctx = b.getContext();
  auto x4T = RankedTensorType::get({bs, t, g, cg}, b.getF32Type());
  Value x4 = tensor::ExpandShapeOp::create(b, loc, x4T, op.getInput(),
                                           ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
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
  Value sum = generic(b, loc, {bs, g}, ValueRange{x4}, filled(b, loc, {bs, g}, 0.0),
                      {redX, redOut}, red, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                        return arith::AddFOp::create(nb, nl, a[1], a[0]);
                      });
  Value sq = generic(b, loc, {bs, g}, ValueRange{x4, sum}, filled(b, loc, {bs, g}, 0.0),
                     {redX, redOut, redOut}, red,
                     [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                       Value mean = arith::MulFOp::create(nb, nl, a[1], f32Const(nb, nl, invN));
                       Value cen = arith::SubFOp::create(nb, nl, a[0], mean);
                       return arith::AddFOp::create(nb, nl, a[2], arith::MulFOp::create(nb, nl, cen, cen));
                     });
  AffineMap id4 = b.getMultiDimIdentityMap(4);
  AffineMap stat = AffineMap::get(4, 0, {d(0), d(2)}, ctx);
  AffineMap param = AffineMap::get(4, 0, {d(2), d(3)}, ctx);
  Value y = generic(b, loc, {bs, t, g, cg},
                    ValueRange{x4, sum, sq, chan(op.getWeight()), chan(op.getBias())},
                    emptyTensor(b, loc, {bs, t, g, cg}), {id4, stat, stat, param, param, id4},
                    SmallVector<IteratorType>(4, IteratorType::parallel),
                    [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                      Value n = f32Const(nb, nl, invN);
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

/// One generic over (b, s, d) reading the id at (b, s) and the table row it names.
Value lowerEmbedding(OpBuilder &b, EmbeddingOp op) {
  Location loc = op.getLoc();
  RankedTensorType out = op.getResult().getType();
  MLIRContext *ctx = b.getContext();
  float scale = op.getScale().convertToFloat();
  Value table = op.getTable();
  return generic(b, loc, out.getShape(), ValueRange{op.getIds()},
                 emptyTensor(b, loc, out.getShape(), dynamicSizes(b, loc, op.getIds())),
                 {AffineMap::get(3, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(1)}, ctx),
                  b.getMultiDimIdentityMap(3)},
                 SmallVector<IteratorType>(3, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[0]);
                   Value v = tensor::ExtractOp::create(
                       nb, nl, table, ValueRange{row, linalg::IndexOp::create(nb, nl, 2)});
                   if (scale != 1.0f)
                     v = arith::MulFOp::create(nb, nl, v, f32Const(nb, nl, scale));
                   return v;
                 });
}

//===----------------------------------------------------------------------===//
// loom.act: an scf.while over the body with the halting state as loop-carried tensors.
//===----------------------------------------------------------------------===//

/// Returns the op's three results: the weighted state, the ponder steps, the remainders.
SmallVector<Value> lowerAct(RewriterBase &b, ActOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  RankedTensorType st = op.getInput().getType();
  int64_t bs = st.getDimSize(0), seq = st.getDimSize(1);
  SmallVector<int64_t> pos{bs, seq};
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  AffineMap id2 = b.getMultiDimIdentityMap(2), id3 = b.getMultiDimIdentityMap(3);
  AffineMap perPos = AffineMap::get(3, 0, {d(0), d(1)}, ctx);
  auto par = IteratorType::parallel, red = IteratorType::reduction;

  // Loop-carried: state, step, halting sum h, steps n, remainder r, weighted output.
  Value zerosPos = filled(b, loc, pos, 0.0);
  SmallVector<Value> init{op.getInput(), arith::ConstantIndexOp::create(b, loc, 0), zerosPos,
                          zerosPos, zerosPos, filled(b, loc, st.getShape(), 0.0)};
  SmallVector<Type> types = llvm::map_to_vector(init, [](Value v) { return v.getType(); });
  SmallVector<Location> locs(init.size(), loc);
  auto loop = scf::WhileOp::create(b, loc, types, init);

  // Before: continue while some position is running (h < 1).
  Block *before = b.createBlock(&loop.getBefore(), {}, types, locs);
  Value any = anyOf(b, loc, before->getArgument(2), [](OpBuilder &nb, Location nl, Value h) -> Value {
    return arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, h, f32Const(nb, nl, 1.0));
  });
  scf::ConditionOp::create(b, loc, any, before->getArguments());

  // After: the body (already lowered), then the halting update.
  Block *after = b.createBlock(&loop.getAfter(), {}, types, locs);
  auto yield = cast<YieldOp>(op.getBody().front().getTerminator());
  b.mergeBlocks(&op.getBody().front(), after, {after->getArgument(0), after->getArgument(1)});
  Value pre = yield.getValues()[0], next = yield.getValues()[1];
  b.setInsertionPoint(yield);
  Value h = after->getArgument(2), n = after->getArgument(3), r = after->getArgument(4),
        out = after->getArgument(5);

  // The halting unit's logit: bias + pre[b, s, :] . weight[0, :].
  Value biasInit = generic(b, loc, pos, ValueRange{op.getHaltingBias()}, emptyTensor(b, loc, pos),
                           {AffineMap::get(2, 0, {b.getAffineConstantExpr(0)}, ctx), id2},
                           {par, par}, [](OpBuilder &, Location, ValueRange a) { return a[0]; });
  Value logit = generic(b, loc, pos, ValueRange{pre, op.getHaltingWeight()}, biasInit,
                        {id3, AffineMap::get(3, 0, {b.getAffineConstantExpr(0), d(2)}, ctx), perPos},
                        {par, par, red}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          return arith::AddFOp::create(nb, nl, a[2],
                                                       arith::MulFOp::create(nb, nl, a[0], a[1]));
                        });

  // Per position: new h, n, r and the update weight w.
  float threshold = op.getThreshold().convertToFloat();
  float maxSteps = static_cast<float>(op.getMaxSteps());
  Value empty = emptyTensor(b, loc, pos);
  auto update = linalg::GenericOp::create(
      b, loc, TypeRange(SmallVector<Type>(4, zerosPos.getType())), ValueRange{logit, h, n, r},
      ValueRange{empty, empty, empty, empty}, SmallVector<AffineMap>(8, id2),
      SmallVector<IteratorType>{par, par}, [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value one = f32Const(nb, nl, 1.0), zero = f32Const(nb, nl, 0.0);
        // p = sigmoid(logit) = 1 / (1 + exp(-logit))
        Value p = arith::DivFOp::create(
            nb, nl, one,
            arith::AddFOp::create(nb, nl, one,
                                  math::ExpOp::create(nb, nl, arith::NegFOp::create(nb, nl, a[0]))));
        Value hv = a[1], nv = a[2], rv = a[3];
        Value isRunning = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OLT, hv, one);
        Value hp = arith::AddFOp::create(nb, nl, hv, p);
        Value n1 = arith::AddFOp::create(nb, nl, nv, one);
        Value over = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, hp,
                                           f32Const(nb, nl, threshold));
        Value last = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGE, n1,
                                           f32Const(nb, nl, maxSteps));
        Value halts = arith::AndIOp::create(nb, nl, isRunning, arith::OrIOp::create(nb, nl, over, last));
        Value remainder = arith::SubFOp::create(nb, nl, one, hv);
        auto sel = [&](Value c, Value t, Value f) { return arith::SelectOp::create(nb, nl, c, t, f); };
        // Running and not halting: h += p, weight p. Halting: h = 1, weight and r = 1 - h.
        Value newH = sel(halts, one, sel(isRunning, hp, hv));
        Value newN = sel(isRunning, n1, nv);
        Value newR = sel(halts, remainder, rv);
        Value w = sel(halts, remainder, sel(isRunning, p, zero));
        linalg::YieldOp::create(nb, nl, ValueRange{newH, newN, newR, w});
      });
  Value w = update.getResult(3);
  // out = next * w + out * (1 - w)
  Value newOut = generic(b, loc, st.getShape(), ValueRange{next, out, w},
                         emptyTensor(b, loc, st.getShape()), {id3, id3, perPos, id3},
                         {par, par, par}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                           Value keep = arith::SubFOp::create(nb, nl, f32Const(nb, nl, 1.0), a[2]);
                           return arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], a[2]),
                                                        arith::MulFOp::create(nb, nl, a[1], keep));
                         });
  Value step1 = arith::AddIOp::create(b, loc, after->getArgument(1),
                                      arith::ConstantIndexOp::create(b, loc, 1));
  scf::YieldOp::create(b, loc, ValueRange{next, step1, update.getResult(0), update.getResult(1),
                                          update.getResult(2), newOut});
  b.eraseOp(yield);
  b.setInsertionPointAfter(loop);
  return {loop.getResult(5), loop.getResult(3), loop.getResult(4)};
}

//===----------------------------------------------------------------------===//
// loom.greedy_decode: an scf.while over the steps; argmax, end-of-sequence and the
// writes of each step's token and logits follow the lowered body.
//===----------------------------------------------------------------------===//

SmallVector<Value> lowerGreedyDecode(RewriterBase &b, GreedyDecodeOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  auto idsT = cast<RankedTensorType>(op.getIds().getType());
  RankedTensorType logitsT = op.getLogits().getType();
  int64_t batch = idsT.getDimSize(0), maxLen = static_cast<int64_t>(op.getMaxLen()),
          vocab = logitsT.getDimSize(2);
  Type i64 = b.getI64Type(), f32 = b.getF32Type();
  auto par = IteratorType::parallel, red = IteratorType::reduction;
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  Block &body = op.getBody().front();
  SmallVector<Type> stateTypes;
  for (unsigned i = 2; i < body.getNumArguments(); ++i)
    stateTypes.push_back(body.getArgument(i).getType());

  // Carried: position, previous token [B, 1], finished [B] (0/1), ids, logits, states.
  SmallVector<Value> init{arith::ConstantIndexOp::create(b, loc, 0),
                          filled(b, loc, {batch, 1}, b.getI64IntegerAttr(op.getBos())),
                          filled(b, loc, {batch}, 0.0),
                          filled(b, loc, {batch, maxLen}, b.getI64IntegerAttr(op.getPad())),
                          filled(b, loc, logitsT.getShape(), 0.0)};
  for (Type t : stateTypes)
    init.push_back(filled(b, loc, cast<RankedTensorType>(t).getShape(), 0.0));
  SmallVector<Type> types = llvm::map_to_vector(init, [](Value v) { return v.getType(); });
  SmallVector<Location> locs(init.size(), loc);
  auto loop = scf::WhileOp::create(b, loc, types, init);

  // Before: s < max_len and some sequence has not finished.
  Block *before = b.createBlock(&loop.getBefore(), {}, types, locs);
  Value anyOpen = anyOf(b, loc, before->getArgument(2), [](OpBuilder &nb, Location nl, Value f) -> Value {
    return arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ, f, f32Const(nb, nl, 0.0));
  });
  Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, before->getArgument(0),
                                        arith::ConstantIndexOp::create(b, loc, maxLen));
  scf::ConditionOp::create(b, loc, arith::AndIOp::create(b, loc, anyOpen, inRange),
                           before->getArguments());

  // After: the body, then argmax and the writes.
  Block *after = b.createBlock(&loop.getAfter(), {}, types, locs);
  Value pos = after->getArgument(0), finished = after->getArgument(2);
  auto yield = cast<YieldOp>(body.getTerminator());
  SmallVector<Value> bodyArgs{after->getArgument(1), pos};
  for (unsigned i = 0; i < stateTypes.size(); ++i)
    bodyArgs.push_back(after->getArgument(5 + i));
  b.mergeBlocks(&body, after, bodyArgs);
  b.setInsertionPoint(yield);
  Value stepLogits = tensor::CollapseShapeOp::create(
      b, loc, yield.getValues()[0], ArrayRef<ReassociationIndices>{{0}, {1, 2}}); // [B, V]
  // argmax over the vocabulary: (max, index), the first maximum kept.
  AffineMap id2 = b.getMultiDimIdentityMap(2), row = AffineMap::get(2, 0, {d(0)}, ctx);
  auto argmax = linalg::GenericOp::create(
      b, loc, TypeRange{RankedTensorType::get({batch}, f32), RankedTensorType::get({batch}, i64)},
      ValueRange{stepLogits},
      ValueRange{filled(b, loc, {batch}, b.getF32FloatAttr(-std::numeric_limits<float>::infinity())),
                 filled(b, loc, {batch}, b.getI64IntegerAttr(0))},
      SmallVector<AffineMap>{id2, row, row}, SmallVector<IteratorType>{par, red},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value idx = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
        Value better = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[0], a[1]);
        linalg::YieldOp::create(nb, nl, ValueRange{arith::SelectOp::create(nb, nl, better, a[0], a[1]),
                                                   arith::SelectOp::create(nb, nl, better, idx, a[2])});
      });
  // The step's token (pad once finished) and the new finished flags.
  int64_t eos = op.getEos(), pad = op.getPad();
  auto tokens = linalg::GenericOp::create(
      b, loc, TypeRange{RankedTensorType::get({batch}, i64), RankedTensorType::get({batch}, f32)},
      ValueRange{argmax.getResult(1), finished},
      ValueRange{tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{batch}, i64),
                 tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{batch}, f32)},
      SmallVector<AffineMap>(4, b.getMultiDimIdentityMap(1)), SmallVector<IteratorType>{par},
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        Value done = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[1], f32Const(nb, nl, 0.0));
        Value tok = arith::SelectOp::create(nb, nl, done, arith::ConstantIntOp::create(nb, nl, i64, pad), a[0]);
        Value nowDone = done;
        if (eos >= 0)
          nowDone = arith::OrIOp::create(
              nb, nl, done,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, tok,
                                    arith::ConstantIntOp::create(nb, nl, i64, eos)));
        linalg::YieldOp::create(nb, nl, ValueRange{tok, arith::SelectOp::create(nb, nl, nowDone, f32Const(nb, nl, 1.0),
                                                                                 f32Const(nb, nl, 0.0))});
      });
  Value tok = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get({batch, 1}, i64),
                                            tokens.getResult(0), ArrayRef<ReassociationIndices>{{0, 1}});
  Value ids = tensor::InsertSliceOp::create(
      b, loc, tok, after->getArgument(3), ArrayRef<OpFoldResult>{b.getIndexAttr(0), pos},
      ArrayRef<OpFoldResult>{b.getIndexAttr(batch), b.getIndexAttr(1)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  // Logits of finished sequences are zeros (the `finished` before this step).
  Value kept = generic(b, loc, {batch, vocab}, ValueRange{stepLogits, finished},
                       emptyTensor(b, loc, {batch, vocab}), {id2, row, id2}, {par, par},
                       [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         Value done = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[1],
                                                            f32Const(nb, nl, 0.0));
                         return arith::SelectOp::create(nb, nl, done, f32Const(nb, nl, 0.0), a[0]);
                       });
  Value kept3 = tensor::ExpandShapeOp::create(b, loc, RankedTensorType::get({batch, 1, vocab}, f32),
                                              kept, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  Value logits = tensor::InsertSliceOp::create(
      b, loc, kept3, after->getArgument(4),
      ArrayRef<OpFoldResult>{b.getIndexAttr(0), pos, b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(batch), b.getIndexAttr(1), b.getIndexAttr(vocab)},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)});
  SmallVector<Value> next{arith::AddIOp::create(b, loc, pos, arith::ConstantIndexOp::create(b, loc, 1)),
                          tok, tokens.getResult(1), ids, logits};
  for (Value s : yield.getValues().drop_front())
    next.push_back(s);
  scf::YieldOp::create(b, loc, next);
  b.eraseOp(yield);
  b.setInsertionPointAfter(loop);
  return {loop.getResult(3), loop.getResult(4)};
}

bool hasDynamicShape(Operation *op) {
  auto dynamic = [](Type t) {
    auto st = dyn_cast<ShapedType>(t);
    return st && !st.hasStaticShape();
  };
  return llvm::any_of(op->getOperandTypes(), dynamic) || llvm::any_of(op->getResultTypes(), dynamic);
}

/// The ops whose lowering handles dynamic batch and sequence dimensions.
bool supportsDynamicShapes(Operation *op) {
  if (isa<LinearOp>(op))
    return true;
  if (auto attn = dyn_cast<AttentionOp>(op))
    return !attn.getBias() && !attn.getRelValues();
  return isa<LayerNormOp, RmsNormOp, SinusoidalPEOp, AddPositionTableOp, EmbeddingOp, AddOp,
             MulOp, ElementwiseUnaryOpInterface>(op);
}

struct ConvertLoomToLinalgPass
    : public loom::impl::ConvertLoomToLinalgBase<ConvertLoomToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<LoomDialect>(op->getDialect()) && !isa<YieldOp>(op) &&
          !op->getParentOfType<LinearOp>() && !op->getParentOfType<PointwiseOp>())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      if (!supportsDynamicShapes(op) && hasDynamicShape(op)) {
        op->emitOpError("has no lowering for dynamic shapes yet");
        return signalPassFailure();
      }
      rewriter.setInsertionPoint(op);
      if (auto act = dyn_cast<ActOp>(op)) { // after its body's ops (post-order walk)
        rewriter.replaceOp(op, lowerAct(rewriter, act));
        continue;
      }
      if (auto dec = dyn_cast<GreedyDecodeOp>(op)) {
        rewriter.replaceOp(op, lowerGreedyDecode(rewriter, dec));
        continue;
      }
      Value result =
          llvm::TypeSwitch<Operation *, Value>(op)
              .Case<LinearOp>([&](auto o) { return lowerLinear(rewriter, o, panelWidth); })
              .Case<AttentionOp>([&](auto o) { return lowerAttention(rewriter, o, panelWidth); })
              .Case<LayerNormOp>([&](auto o) { return lowerLayerNorm(rewriter, o); })
              .Case<SinusoidalPEOp>([&](auto o) { return lowerSinusoidalPE(rewriter, o); })
              .Case<RopeOp>([&](auto o) { return lowerRope(rewriter, o); })
              .Case<AddPositionTableOp>([&](auto o) { return lowerAddPositionTable(rewriter, o); })
              .Case<AlibiBiasOp>([&](auto o) { return lowerAlibiBias(rewriter, o); })
              .Case<T5BiasOp>([&](auto o) { return lowerT5Bias(rewriter, o); })
              .Case<RelativeLogitsOp>([&](auto o) { return lowerRelativeLogits(rewriter, o); })
              .Case<AddBiasOp>([&](auto o) { return lowerAddBias(rewriter, o); })
              .Case<SinusoidalTableOp>([&](auto o) { return lowerSinusoidalTable(rewriter, o); })
              .Case<RmsNormOp>([&](auto o) { return lowerRmsNorm(rewriter, o); })
              .Case<EmbeddingOp>([&](auto o) { return lowerEmbedding(rewriter, o); })
              .Case<GluOp>([&](auto o) { return lowerGlu(rewriter, o); })
              .Case<DepthwiseConv1DOp>([&](auto o) { return lowerDepthwiseConv1D(rewriter, o); })
              .Case<BatchNormOp>([&](auto o) { return lowerBatchNorm(rewriter, o); })
              .Case<GroupNormOp>([&](auto o) { return lowerGroupNorm(rewriter, o); })
              .Case<MulOp>([&](auto o) {
                return elementwise(rewriter, o.getLoc(), ValueRange{o.getLhs(), o.getRhs()},
                                   [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                     return arith::MulFOp::create(nb, nl, a[0], a[1]);
                                   });
              })
              .Case<AddOp>([&](auto o) {
                return elementwise(rewriter, o.getLoc(), ValueRange{o.getLhs(), o.getRhs()},
                                   [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                     return arith::AddFOp::create(nb, nl, a[0], a[1]);
                                   });
              })
              .Case<ElementwiseUnaryOpInterface>([&](auto o) {
                return elementwise(rewriter, op->getLoc(), ValueRange{o.getElementwiseInput()},
                                   [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                     return o.buildScalar(nb, nl, a[0]);
                                   });
              })
              .Default([](Operation *) { return Value(); });
      if (!result) {
        op->emitOpError("has no lowering to linalg");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, result);
    }
  }
};

} // namespace
