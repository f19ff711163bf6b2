//===- LoomToLinalgBlockAttention.cpp - Bi-BloSA's attentions -------------===//
//
// convert-loom-to-linalg for the block self-attentions of Bi-BloSA (Shen et al. 2018):
// loom.md_attention (masked multi-dimensional token2token) and loom.source2token. Both view
// the sequence as blocks [batch, n_blocks, block_len, d] (zero-padded to a whole number of
// blocks; block_len 0 is one block of the whole sequence) and reduce over a block's
// positions with the features innermost, so loom-tile-and-vectorize runs rows of blocks in
// parallel and each key as vector FMAs over the features. A dynamic batch or length is read
// from the input.
//
//===----------------------------------------------------------------------===//
#include "LoomToLinalgUtils.h"

using namespace mlir;
using namespace loom;

namespace loom::lowering {
namespace {

/// x [batch, seq, d] as blocks [batch, n, bl, d]: zero-padded past seq to n * bl positions,
/// n = ceil(seq / bl). `blockLen` 0 is one block (n = 1, bl = seq).
Value asBlocks(OpBuilder &b, Location loc, Value x, int64_t blockLen) {
  auto t = cast<RankedTensorType>(x.getType());
  int64_t batch = t.getDimSize(0), seq = t.getDimSize(1), d = t.getDimSize(2);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  if (blockLen == 0) {
    auto bt = RankedTensorType::get({batch, 1, seq, d}, b.getF32Type());
    return tensor::ExpandShapeOp::create(b, loc, bt, x, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}},
                                         ArrayRef<OpFoldResult>{sizes[0], b.getIndexAttr(1), sizes[1], sizes[2]});
  }
  int64_t n = ShapedType::isDynamic(seq) ? ShapedType::kDynamic : (seq + blockLen - 1) / blockLen;
  OpFoldResult blocks = b.getIndexAttr(n);
  if (ShapedType::isDynamic(seq)) {
    Value s = getValueOrCreateConstantIndexOp(b, loc, sizes[1]);
    blocks = arith::CeilDivUIOp::create(b, loc, s, arith::ConstantIndexOp::create(b, loc, blockLen))
                 .getResult();
  }
  if (ShapedType::isDynamic(seq) || seq % blockLen != 0) {
    OpFoldResult high = b.getIndexAttr(ShapedType::isDynamic(seq) ? 0 : n * blockLen - seq);
    if (ShapedType::isDynamic(seq)) {
      Value nb = getValueOrCreateConstantIndexOp(b, loc, blocks);
      Value padded = arith::MulIOp::create(b, loc, nb, arith::ConstantIndexOp::create(b, loc, blockLen));
      high = arith::SubIOp::create(b, loc, padded, getValueOrCreateConstantIndexOp(b, loc, sizes[1]))
                 .getResult();
    }
    int64_t paddedSeq = ShapedType::isDynamic(seq) ? ShapedType::kDynamic : n * blockLen;
    auto pt = RankedTensorType::get({batch, paddedSeq, d}, b.getF32Type());
    x = tensor::PadOp::create(b, loc, pt, x,
                              ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(0)},
                              ArrayRef<OpFoldResult>{b.getIndexAttr(0), high, b.getIndexAttr(0)},
                              f32Const(b, loc, 0.0));
  }
  auto bt = RankedTensorType::get({batch, n, blockLen, d}, b.getF32Type());
  return tensor::ExpandShapeOp::create(b, loc, bt, x, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}},
                                       ArrayRef<OpFoldResult>{sizes[0], blocks, b.getIndexAttr(blockLen), sizes[2]});
}

/// Blocks [batch, n, bl, d] back to [batch, seq, d], `like`'s shape.
Value fromBlocks(OpBuilder &b, Location loc, Value blocks, Value like) {
  Value flat = tensor::CollapseShapeOp::create(b, loc, blocks, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}});
  auto lt = cast<RankedTensorType>(like.getType());
  if (flat.getType() == lt)
    return flat;
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, like);
  return tensor::ExtractSliceOp::create(b, loc, lt, flat, SmallVector<OpFoldResult>(3, b.getIndexAttr(0)), sizes,
                                        SmallVector<OpFoldResult>(3, b.getIndexAttr(1)));
}

/// The number of valid positions of example `batchIndex` inside a generic body: the
/// sequence length, or min(key_lengths[b], seq) when `len` (the lengths' scalar) is given.
Value validLimit(OpBuilder &nb, Location nl, Value seq, Value len) {
  if (!len)
    return seq;
  Value l = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), len);
  return arith::MinUIOp::create(nb, nl, l, seq);
}

/// den > 0 ? num / den : 0, element-wise.
Value normalized(OpBuilder &b, Location loc, Value num, Value den) {
  return elementwise(b, loc, ValueRange{num, den}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
    Value zero = f32Const(nb, nl, 0.0);
    Value some = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, a[1], zero);
    return arith::SelectOp::create(nb, nl, some, arith::DivFOp::create(nb, nl, a[0], a[1]), zero);
  });
}

/// A generic over blocks with loops (b, n, i?, j, f) producing `inits` (each read at `outMap`).
SmallVector<Value> blockGeneric(OpBuilder &b, Location loc, ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                                ValueRange inits, AffineMap outMap, ArrayRef<IteratorType> iters,
                                function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.append(inits.size(), outMap);
  auto op = linalg::GenericOp::create(b, loc, TypeRange(inits), inputs, inits, maps, iters,
                                      [&](OpBuilder &nb, Location nl, ValueRange args) {
                                        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
                                      });
  return SmallVector<Value>(op.getResults());
}

} // namespace

/// Per block: num[i, f] = sum_j [visible] e^logit * values[j, f] and den[i, f] = sum_j
/// [visible] e^logit over one generic (b, n, i, j, f); logits are bounded by tanh_scale, so
/// no maximum is subtracted. Then num / den (0 without a visible key).
Value lowerMdAttention(OpBuilder &b, MdAttentionOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  int64_t blockLen = op.getBlockLen();
  double c = op.getTanhScale().convertToDouble();
  StringRef direction = op.getDirection();
  Value values = asBlocks(b, loc, op.getValues(), blockLen);
  Value dep = asBlocks(b, loc, op.getDependent(), blockLen);
  Value head = asBlocks(b, loc, op.getHead(), blockLen);
  Value seq = tensor::DimOp::create(b, loc, op.getValues(), 1);
  auto bt = cast<RankedTensorType>(values.getType());
  SmallVector<Value> dyn = dynamicSizes(b, loc, values);
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  AffineMap keyMap = AffineMap::get(5, 0, {d(0), d(1), d(3), d(4)}, ctx);
  AffineMap queryMap = AffineMap::get(5, 0, {d(0), d(1), d(2), d(4)}, ctx);
  SmallVector<Value> inputs{dep, head, values, op.getFBias()};
  SmallVector<AffineMap> maps{keyMap, queryMap, keyMap, AffineMap::get(5, 0, {d(4)}, ctx)};
  Value lengths = op.getKeyLengths();
  if (lengths) {
    inputs.push_back(lengths);
    maps.push_back(AffineMap::get(5, 0, {d(0)}, ctx));
  }
  Value zeros = filled(b, loc, bt.getShape(), 0.0, dyn);
  int64_t bl = blockLen;
  SmallVector<Value> acc = blockGeneric(
      b, loc, inputs, maps, ValueRange{zeros, zeros}, queryMap,
      {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
       IteratorType::parallel},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        Value n = linalg::IndexOp::create(nb, nl, 1), i = linalg::IndexOp::create(nb, nl, 2);
        Value j = linalg::IndexOp::create(nb, nl, 3);
        arith::CmpIPredicate pred = direction == "forward"    ? arith::CmpIPredicate::ult
                                    : direction == "backward" ? arith::CmpIPredicate::ugt
                                                              : arith::CmpIPredicate::ne;
        Value visible = arith::CmpIOp::create(nb, nl, pred, j, i);
        Value base = arith::MulIOp::create(nb, nl, n, arith::ConstantIndexOp::create(nb, nl, bl));
        Value limit = validLimit(nb, nl, seq, lengths ? a[4] : Value());
        for (Value pos : {i, j}) {
          Value p = bl ? arith::AddIOp::create(nb, nl, base, pos).getResult() : pos;
          visible = arith::AndIOp::create(nb, nl, visible,
                                          arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, p, limit));
        }
        // tanh_scale * tanh((dependent_j + head_i + f_bias) / tanh_scale)
        Value s = arith::AddFOp::create(nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1]), a[3]);
        Value t = math::TanhOp::create(nb, nl, arith::MulFOp::create(nb, nl, s, f32Const(nb, nl, 1.0 / c)));
        Value e = math::ExpOp::create(nb, nl, arith::MulFOp::create(nb, nl, t, f32Const(nb, nl, c)));
        Value zero = f32Const(nb, nl, 0.0);
        Value num = a[a.size() - 2], den = a[a.size() - 1];
        Value wv = arith::SelectOp::create(nb, nl, visible, arith::MulFOp::create(nb, nl, e, a[2]), zero);
        Value we = arith::SelectOp::create(nb, nl, visible, e, zero);
        return {arith::AddFOp::create(nb, nl, num, wv), arith::AddFOp::create(nb, nl, den, we)};
      });
  return fromBlocks(b, loc, normalized(b, loc, acc[0], acc[1]), op.getValues());
}

/// Per block and feature: the maximum of the valid logits, then num = sum_j e^(l - max) *
/// values and den = sum_j e^(l - max) over (b, n, j, f); the result is num / den
/// [batch, n, d] (0 for a block without a valid position).
Value lowerSource2Token(OpBuilder &b, Source2TokenOp op) {
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  int64_t bl = op.getBlockLen();
  Value values = asBlocks(b, loc, op.getValues(), bl);
  Value logits = asBlocks(b, loc, op.getLogits(), bl);
  Value seq = tensor::DimOp::create(b, loc, op.getValues(), 1);
  auto rt = op.getResult().getType();
  SmallVector<Value> outDyn; // [batch, n, d] sized as the blocks [batch, n, bl, d]
  for (int64_t i = 0; i < rt.getRank(); ++i)
    if (rt.isDynamicDim(i))
      outDyn.push_back(tensor::DimOp::create(b, loc, values, i == 2 ? 3 : i));
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  AffineMap posMap = AffineMap::get(4, 0, {d(0), d(1), d(2), d(3)}, ctx);
  AffineMap blockMap = AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx);
  SmallVector<IteratorType> iters{IteratorType::parallel, IteratorType::parallel, IteratorType::reduction,
                                  IteratorType::parallel};
  Value lengths = op.getKeyLengths();
  auto valid = [&](OpBuilder &nb, Location nl, Value len) {
    Value n = linalg::IndexOp::create(nb, nl, 1), j = linalg::IndexOp::create(nb, nl, 2);
    Value p = bl ? arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, n, arith::ConstantIndexOp::create(nb, nl, bl)), j)
                       .getResult()
                 : j;
    return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, p, validLimit(nb, nl, seq, len)).getResult();
  };
  SmallVector<Value> inputs{logits};
  SmallVector<AffineMap> maps{posMap};
  if (lengths) {
    inputs.push_back(lengths);
    maps.push_back(AffineMap::get(4, 0, {d(0)}, ctx));
  }
  Value ninf = filled(b, loc, rt.getShape(), -std::numeric_limits<double>::infinity(), outDyn);
  Value max = blockGeneric(b, loc, inputs, maps, ValueRange{ninf}, blockMap, iters,
                           [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
                             Value m = arith::MaximumFOp::create(nb, nl, a.back(), a[0]);
                             return {arith::SelectOp::create(nb, nl, valid(nb, nl, lengths ? a[1] : Value()), m,
                                                             a.back())};
                           })[0];
  inputs.insert(inputs.begin() + 1, {values, max});
  maps.insert(maps.begin() + 1, {posMap, blockMap});
  Value zeros = filled(b, loc, rt.getShape(), 0.0, outDyn);
  SmallVector<Value> acc = blockGeneric(
      b, loc, inputs, maps, ValueRange{zeros, zeros}, blockMap, iters,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> SmallVector<Value> {
        Value ok = valid(nb, nl, lengths ? a[3] : Value());
        Value e = math::ExpOp::create(nb, nl, arith::SubFOp::create(nb, nl, a[0], a[2]));
        Value zero = f32Const(nb, nl, 0.0);
        Value wv = arith::SelectOp::create(nb, nl, ok, arith::MulFOp::create(nb, nl, e, a[1]), zero);
        Value we = arith::SelectOp::create(nb, nl, ok, e, zero);
        Value num = a[a.size() - 2], den = a[a.size() - 1];
        return {arith::AddFOp::create(nb, nl, num, wv), arith::AddFOp::create(nb, nl, den, we)};
      });
  return normalized(b, loc, acc[0], acc[1]);
}

} // namespace loom::lowering
