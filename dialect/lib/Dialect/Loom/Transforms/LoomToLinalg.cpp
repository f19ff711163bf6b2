//===- LoomToLinalg.cpp - Lower loom ops to linalg on tensors -------------===//
//
// Every loom op becomes linalg named ops (matmul, batch_matmul, transpose, fill) and
// linalg.generic ops for the element-wise and reduction parts. Shapes are static, except
// the dynamic batch and sequence dimensions (`loomc -D seq=?`) of the ops that
// supportsDynamicShapes() accepts; any other op with a dynamic shape is an error.
//
//===----------------------------------------------------------------------===//
#include "LoomToLinalgUtils.h"

#include "llvm/ADT/TypeSwitch.h"

namespace loom {
#define GEN_PASS_DEF_CONVERTLOOMTOLINALG
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

namespace {

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
  // Columns past a multiple of P (out_features 300, 900): the weight, bias and residual
  // are zero-padded to whole panels and the result cut back, so the register tiles stay
  // P wide instead of a divisor of n (25 lanes for 300). Not for gated or rotated linears.
  bool padCols = panelWidth > 0 && n % panelWidth != 0 && !gated && !rope;
  int64_t nCols = padCols ? (n + panelWidth - 1) / panelWidth * panelWidth : n;
  bool panelled = panelWidth > 0 && nCols % panelWidth == 0 && (!rope || half % panelWidth == 0);
  int64_t panels = panelled ? nCols / panelWidth : 0;
  // Zero rows appended along dimension `dim` up to nCols.
  auto padToPanels = [&](Value v, unsigned dim) -> Value {
    if (!padCols)
      return v;
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(t.getShape());
    shape[dim] = nCols;
    SmallVector<OpFoldResult> low(t.getRank(), b.getIndexAttr(0)), high(t.getRank(), b.getIndexAttr(0));
    high[dim] = b.getIndexAttr(nCols - n);
    return tensor::PadOp::create(b, loc, RankedTensorType::get(shape, b.getF32Type()), v, low, high,
                                 f32Const(b, loc, 0.0));
  };
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
          b, loc, RankedTensorType::get({panels, panelWidth, k}, b.getF32Type()), padToPanels(weight, 0),
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
        b, loc, RankedTensorType::get({panels, panelWidth}, b.getF32Type()), padToPanels(bias, 0),
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
    residual = padToPanels(collapseTo2D(b, loc, residual), 1);
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
  if (padCols) {
    // Back to the result's leading dims while still contiguous (a dynamic expand of a
    // strided buffer cannot be lowered), then the first n columns.
    RankedTensorType rt = op.getResult().getType();
    SmallVector<int64_t> padded(rt.getShape());
    padded.back() = nCols;
    c = expandFrom2D(b, loc, c, RankedTensorType::get(padded, b.getF32Type()), op.getInput());
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, c);
    sizes.back() = b.getIndexAttr(n);
    return tensor::ExtractSliceOp::create(b, loc, rt, c, SmallVector<OpFoldResult>(rt.getRank(), b.getIndexAttr(0)),
                                          sizes, SmallVector<OpFoldResult>(rt.getRank(), b.getIndexAttr(1)));
  }
  return expandFrom2D(b, loc, c, op.getResult().getType(), op.getInput());
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
        // Row s is at position s, or positions[s] for packed sequences.
        Value pos = op.getPositions()
                        ? tensor::ExtractOp::create(nb, nl, op.getPositions(),
                                                    ValueRange{linalg::IndexOp::create(nb, nl, 0)})
                              .getResult()
                        : arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 0))
                              .getResult();
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
  // A dynamic batch or length: the sizes of the input (dyn: its dynamic ones, in order).
  SmallVector<OpFoldResult> mixed = tensor::getMixedSizes(b, loc, op.getInput());
  OpFoldResult bsF = mixed[0], seqF = mixed[1];
  SmallVector<Value> dyn = dynamicSizes(b, loc, op.getInput());
  SmallVector<Value> dynSeq;
  if (ShapedType::isDynamic(seq))
    dynSeq.push_back(tensor::DimOp::create(b, loc, op.getInput(), 1));
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
        b, loc, {seq, dHead}, ValueRange{}, emptyTensor(b, loc, {seq, dHead}, dynSeq),
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
  Value x4 = tensor::ExpandShapeOp::create(
      b, loc, t4, op.getInput(), ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}},
      SmallVector<OpFoldResult>{bsF, seqF, b.getIndexAttr(heads), b.getIndexAttr(dHead)});
  AffineMap id4 = b.getMultiDimIdentityMap(4);
  AffineMap tableMap = AffineMap::get(4, 0, {b.getAffineDimExpr(1), b.getAffineDimExpr(3)}, b.getContext());
  if (!interleaved) {
    // rotate_half pairs feature w with w +- rot/2: on slices of the halves, every access is
    // contiguous (no gather), so the loops vectorize along the features.
    int64_t half = rot / 2;
    auto slice4 = [&](Value v, int64_t from, int64_t size) {
      SmallVector<OpFoldResult> offs(4, b.getIndexAttr(0)), strides(4, b.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes{bsF, seqF, b.getIndexAttr(heads), b.getIndexAttr(size)};
      offs[3] = b.getIndexAttr(from);
      return tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides).getResult();
    };
    auto sliceTable = [&](Value table, int64_t from, int64_t size) {
      SmallVector<OpFoldResult> offs{b.getIndexAttr(0), b.getIndexAttr(from)};
      SmallVector<OpFoldResult> sizes{seqF, b.getIndexAttr(size)};
      SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
      return tensor::ExtractSliceOp::create(b, loc, table, offs, sizes, strides).getResult();
    };
    Value dest = emptyTensor(b, loc, {bs, seq, heads, dHead}, dyn);
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
      SmallVector<OpFoldResult> offs(4, b.getIndexAttr(0)), strides(4, b.getIndexAttr(1));
      SmallVector<OpFoldResult> sizes{bsF, seqF, b.getIndexAttr(heads), b.getIndexAttr(size)};
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
      b, loc, {bs, seq, heads, dHead}, ValueRange{x4, cosT, sinT},
      emptyTensor(b, loc, {bs, seq, heads, dHead}, dyn),
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
  if (Value positions = op.getPositions()) { // packed sequences: row s reads its position
    SmallVector<Value> dyn;
    if (t.isDynamicDim(1))
      dyn.push_back(getValueOrCreateConstantIndexOp(b, loc, seq));
    Value table = op.getTable();
    Value rows = generic(
        b, loc, {t.getDimSize(1), t.getDimSize(2)}, ValueRange{positions},
        emptyTensor(b, loc, {t.getDimSize(1), t.getDimSize(2)}, dyn),
        {AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, b.getContext()), b.getMultiDimIdentityMap(2)},
        {IteratorType::parallel, IteratorType::parallel},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value r = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[0]);
          return tensor::ExtractOp::create(nb, nl, table, ValueRange{r, linalg::IndexOp::create(nb, nl, 1)});
        });
    return addRowTable(b, loc, op.getInput(), rows);
  }
  Value rows = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get({t.getDimSize(1), t.getDimSize(2)}, b.getF32Type()),
      op.getTable(), ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{seq, b.getIndexAttr(t.getDimSize(2))},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  return addRowTable(b, loc, op.getInput(), rows);
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
                 emptyLike(b, loc, op.getInput()), {id, last, id},
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
  Value offset = op.getOffset() ? arith::IndexCastOp::create(b, loc, b.getI64Type(), op.getOffset()).getResult()
                                : Value();
  return generic(b, loc, {rows, d}, ValueRange{}, emptyTensor(b, loc, {rows, d}, op.getDynamicSizes()),
                 {b.getMultiDimIdentityMap(2)}, {IteratorType::parallel, IteratorType::parallel},
                 [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
                   Type i64 = nb.getI64Type(), f32 = nb.getF32Type();
                   Value r = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 0));
                   if (offset) // row r embeds position r + offset
                     r = arith::AddIOp::create(nb, nl, r, offset);
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
  return isa<AttentionOp, RelativeLogitsOp, RopeOp, LayerNormOp, RmsNormOp, SinusoidalPEOp, AddPositionTableOp, EmbeddingOp, T5BiasOp,
             AlibiBiasOp, GluOp, DepthwiseConv1DOp, BatchNormOp, GroupNormOp, ActOp, AddBiasOp,
             SinusoidalTableOp, MdAttentionOp, Source2TokenOp,
             AddOp, MulOp, ElementwiseUnaryOpInterface>(op);
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
              .Case<MdAttentionOp>([&](auto o) { return lowerMdAttention(rewriter, o); })
              .Case<Source2TokenOp>([&](auto o) { return lowerSource2Token(rewriter, o); })
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
