//===- LoomToLinalgAttention.cpp - attention and its position biases -----===//
//
// convert-loom-to-linalg's lowering of loom.attention (the fused online-softmax kernel,
// dynamic lengths included) and of the score biases and relative logits it reads.
//
//===----------------------------------------------------------------------===//
#include "LoomToLinalgUtils.h"

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

namespace loom::lowering {

/// clip(j - p, -k, k) + k as an index, p = i + shift (inside a generic body); `shiftV`, if
/// set, is the shift known at run time (an index).
Value relativeRow(OpBuilder &nb, Location nl, Value i, Value j, int64_t shift, int64_t k,
                  Value shiftV = {}) {
  Type i64 = nb.getI64Type();
  auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
  Value p = arith::AddIOp::create(nb, nl, arith::IndexCastOp::create(nb, nl, i64, i),
                                  shiftV ? arith::IndexCastOp::create(nb, nl, i64, shiftV).getResult()
                                         : cst(shift).getResult());
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

/// `v` at the origin of a zero tensor of `sizes` (each at least v's).
Value zeroPadded(OpBuilder &b, Location loc, Value v, ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  SmallVector<Value> dyn;
  dispatchIndexOpFoldResults(sizes, dyn, shape);
  Value zeros = filled(b, loc, shape, 0.0, dyn);
  int64_t r = static_cast<int64_t>(sizes.size());
  return tensor::InsertSliceOp::create(b, loc, v, zeros, SmallVector<OpFoldResult>(r, b.getIndexAttr(0)),
                                       tensor::getMixedSizes(b, loc, v),
                                       SmallVector<OpFoldResult>(r, b.getIndexAttr(1)));
}

/// `v` [B, S, D] with zero rows appended along S up to a multiple of `multiple`.
Value padRows(OpBuilder &b, Location loc, Value v, int64_t multiple) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  AffineExpr e = b.getAffineDimExpr(0);
  sizes[1] = affine::AffineApplyOp::create(
                 b, loc, AffineMap::get(1, 0, {e.ceilDiv(multiple) * multiple}, b.getContext()),
                 ValueRange{getValueOrCreateConstantIndexOp(b, loc, sizes[1])})
                 .getResult();
  return zeroPadded(b, loc, v, sizes);
}

/// The offset of query i among the keys, seq_k - seq_q, as an i64 value when a length of
/// the bias `t` is dynamic (its dynamic sizes `dyn`, in order), else null (a constant).
Value queryOffset(OpBuilder &b, Location loc, RankedTensorType t, ValueRange dyn) {
  if (!t.isDynamicDim(1) && !t.isDynamicDim(2))
    return Value();
  size_t next = 0;
  auto size = [&](int64_t d) -> Value {
    return t.isDynamicDim(d) ? dyn[next++]
                             : arith::ConstantIndexOp::create(b, loc, t.getDimSize(d)).getResult();
  };
  Value sq = size(1), sk = size(2);
  return arith::IndexCastOp::create(b, loc, b.getI64Type(), arith::SubIOp::create(b, loc, sk, sq));
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
  // Query i sits at absolute position p = i + shift (a run-time value when a length is
  // dynamic: shiftV below).
  int64_t shift = ShapedType::isDynamic(sq) || ShapedType::isDynamic(sk) ? 0 : sk - sq;
  MLIRContext *ctx = b.getContext();
  // Dynamic lengths (and `padded` static ones, below): queries, keys and values are padded
  // with zero rows to whole blocks; the padded keys are masked (keys past the length), the
  // padded queries' rows dropped.
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
          bk = dynamic ? 64 : divisorAtMost(sk, causal ? causalBlock : 256);
  // A static length longer than 16 whose blocks (divisors of it) are not a multiple of 16
  // positions (200 = 8 x 25 gives 100 x 200 blocks, 77 gives 77 x 77) runs as a dynamic one
  // does, padded to whole blocks: such rows vectorize poorly. Measured on the encoder at
  // seq 200, 1 thread: 75 ms with the divisor blocks, 45 ms padded.
  auto poorBlock = [](int64_t block, int64_t n) { return n > 16 && block % 16 != 0; };
  bool padded = dynamic || poorBlock(bq, sq) || poorBlock(bk, sk);
  if (dynamic) {
    bq = 64;
    bk = causal ? 64 : 128;
  } else if (padded) {
    // As few blocks as the static limits allow, each rounded up to 16 queries / 32 keys
    // (one key panel): 77 -> one 80 x 96 block, 200 -> two 112-query blocks x one of 224.
    auto fit = [](int64_t n, int64_t limit, int64_t multiple) {
      int64_t blocks = (n + limit - 1) / limit, per = (n + blocks - 1) / blocks;
      return (per + multiple - 1) / multiple * multiple;
    };
    bq = fit(sq, causal ? causalBlock : 128, 16);
    bk = fit(sk, causal ? causalBlock : 256, 32);
  }
  double negInf = -std::numeric_limits<double>::infinity();

  Value query = op.getQuery(), value = op.getValue(), key = op.getKey();
  // The block counts, the query's position shift (index) and, with dynamic lengths, the
  // key length (i64) past which the padded keys are masked.
  OpFoldResult nq;
  Value nk, shiftV, padLen;
  OpFoldResult batchSize = b.getIndexAttr(bs);
  if (padded) {
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
  // Packed sequences: each row's [start, end) among the keys (self-attention, batch 1).
  Value segStart = op.getSegmentStart(), segEnd = op.getSegmentEnd();
  if (padded && bias) {
    // The bias [.., sq, sk] padded with zeros to the padded queries and keys (the padded
    // keys are masked; the padded queries' rows are dropped).
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, bias);
    sizes[sizes.size() - 2] = tensor::DimOp::create(b, loc, query, 1).getResult();
    sizes.back() = tensor::DimOp::create(b, loc, key, 1).getResult();
    bias = zeroPadded(b, loc, bias, sizes);
  }
  int64_t relK = op.getRelMaxDistance();

  AffineMap id2 = b.getMultiDimIdentityMap(2);
  AffineMap row2 = AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, ctx);
  AffineMap id1 = b.getMultiDimIdentityMap(1);
  SmallVector<IteratorType> par2(2, IteratorType::parallel), par1(1, IteratorType::parallel);
  SmallVector<IteratorType> red2{IteratorType::parallel, IteratorType::reduction};

  SmallVector<Value> outDyn;
  if (ShapedType::isDynamic(bs))
    outDyn.push_back(getValueOrCreateConstantIndexOp(b, loc, batchSize));
  if (padded)
    outDyn.push_back(tensor::DimOp::create(b, loc, query, 1));
  Value out = emptyTensor(b, loc, {bs, padded ? ShapedType::kDynamic : sq, h, dh}, outDyn);
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
  // Packed sequences: the keys of the sequences this query block spans, from the start of
  // its first row's to the end of its last (real) row's; other key blocks are skipped.
  Value kbStart = indexConst(b, loc, 0), lastRow;
  if (segStart) {
    lastRow = arith::SubIOp::create(b, loc, tensor::DimOp::create(b, loc, op.getQuery(), 1),
                                    indexConst(b, loc, 1));
    Value qLast = arith::MinSIOp::create(
        b, loc, arith::AddIOp::create(b, loc, qOff, indexConst(b, loc, bq - 1)), lastRow);
    auto at = [&](Value t, Value i) -> Value {
      return arith::IndexCastOp::create(b, loc, b.getIndexType(),
                                        tensor::ExtractOp::create(b, loc, t, ValueRange{i}));
    };
    kbStart = arith::DivUIOp::create(b, loc, at(segStart, arith::MinSIOp::create(b, loc, qOff, lastRow)),
                                     indexConst(b, loc, bk));
    clampEnd(arith::SubIOp::create(b, loc, at(segEnd, qLast), indexConst(b, loc, 1)));
  }

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
    if (segStart) { // keys outside the query's own sequence (padded query rows read the last)
      Value row = arith::MinSIOp::create(nb, nl, arith::IndexCastOp::create(nb, nl, nb.getIndexType(), p),
                                         lastRow);
      Value st = tensor::ExtractOp::create(nb, nl, segStart, ValueRange{row});
      Value en = tensor::ExtractOp::create(nb, nl, segEnd, ValueRange{row});
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, j, st));
      orWith(arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, j, en));
    }
    return masked;
  };
  bool anyMask = causal || window > 0 || blockSize > 0 || keyLen || padLen || segStart;
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
    if (padded) { // the shift is known when the model runs
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
                Value row = relativeRow(nb, nl, qAbs, kAbs, shift, relK, padded ? shiftV : Value());
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
  if ((causal || padLen) && window == 0 && blockSize == 0 && !keyLen && !segStart) {
    // A causal mask hides nothing in the key blocks that end at or before the block's first
    // query position (all but the diagonal ones): a first loop visits them without the
    // mask, a second loop the rest with it. Block kb is wholly visible when its last key
    // kb * bk + bk - 1 <= p0 (= qOff + shift), i.e. it reaches key p0 - bk + 1 at most
    // (p0 < the key length, so such blocks hold no padded key either). Without a causal
    // mask, the blocks before the one that holds the first padded key are wholly visible.
    Value full;
    if (causal) {
      Value lastFull = padded ? arith::SubIOp::create(b, loc, arith::AddIOp::create(b, loc, qOff, shiftV),
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
    loop = scf::ForOp::create(b, loc, kbStart, kbEnd, indexConst(b, loc, 1),
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
  if (padded) { // drop the padded queries' rows
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, heads);
    sizes[1] = tensor::getMixedSize(b, loc, op.getQuery(), 1);
    heads = tensor::ExtractSliceOp::create(b, loc, heads, SmallVector<OpFoldResult>(4, b.getIndexAttr(0)),
                                           sizes, SmallVector<OpFoldResult>(4, b.getIndexAttr(1)));
  }
  Value merged = tensor::CollapseShapeOp::create(b, loc, heads,
                                                 ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
  // Static queries over dynamic keys (a step's cross-attention), or static lengths run
  // padded: the op's static type.
  if (merged.getType() != op.getResult().getType())
    merged = tensor::CastOp::create(b, loc, op.getResult().getType(), merged);
  return merged;
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
  // Query i sits at key position i + sk - sq: known when the model runs if a length is dynamic.
  Value shiftV = queryOffset(b, loc, t, op.getDynamicSizes());
  return generic(b, loc, {h, sq, sk}, ValueRange{slopeTensor},
                 emptyTensor(b, loc, {h, sq, sk}, op.getDynamicSizes()),
                 {headMap, b.getMultiDimIdentityMap(3)}, SmallVector<IteratorType>(3, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   Type i64 = nb.getI64Type();
                   Value i = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
                   Value j = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 2));
                   Value p = arith::AddIOp::create(
                       nb, nl, i, shiftV ? shiftV : arith::ConstantIntOp::create(nb, nl, i64, sk - sq).getResult());
                   Value d = arith::SIToFPOp::create(nb, nl, nb.getF32Type(), arith::SubIOp::create(nb, nl, p, j));
                   Value dist = math::AbsFOp::create(nb, nl, d);
                   return arith::NegFOp::create(nb, nl, arith::MulFOp::create(nb, nl, a[0], dist));
                 });
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
  // Query i sits at key position i + sk - sq: known when the model runs if a length is dynamic.
  Value shiftV = queryOffset(b, loc, t, op.getDynamicSizes());
  return generic(b, loc, {h, sq, sk}, ValueRange{},
                 emptyTensor(b, loc, {h, sq, sk}, op.getDynamicSizes()),
                 {b.getMultiDimIdentityMap(3)}, SmallVector<IteratorType>(3, IteratorType::parallel),
                 [&](OpBuilder &nb, Location nl, ValueRange) -> Value {
                   Type i64 = nb.getI64Type(), f32 = nb.getF32Type();
                   auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
                   auto idx = [&](unsigned d) {
                     return arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, d));
                   };
                   Value p = arith::AddIOp::create(nb, nl, idx(1), shiftV ? shiftV : cst(sk - sq));
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
  // The result's run-time sizes (dynamic_sizes, in order) give the queries' offset among
  // the keys, seq_k - seq_q; max_distance 0 (c2p) takes k = seq_k, so no distance is clipped.
  ValueRange dyn = op.getDynamicSizes();
  size_t next = 0;
  auto size = [&](int64_t d) -> Value {
    return ShapedType::isDynamic(t.getDimSize(d))
               ? dyn[next++]
               : arith::ConstantIndexOp::create(b, loc, t.getDimSize(d)).getResult();
  };
  size(0);
  size(1);
  Value sqV = size(2), skV = size(3);
  Value shiftV; // seq_k - seq_q when a length is dynamic, as i64
  if (ShapedType::isDynamic(sq) || ShapedType::isDynamic(sk))
    shiftV = arith::IndexCastOp::create(b, loc, b.getI64Type(), arith::SubIOp::create(b, loc, skV, sqV));
  // iteration (b, h, i, j, d); the input as [b, seq, h, d], read at query i or key j.
  int64_t seq = keys ? sk : sq;
  SmallVector<OpFoldResult> x4Sizes = tensor::getMixedSizes(b, loc, op.getInput());
  x4Sizes.back() = b.getIndexAttr(h);
  x4Sizes.push_back(b.getIndexAttr(dh));
  Value x4 = tensor::ExpandShapeOp::create(
      b, loc, RankedTensorType::get({bs, seq, h, dh}, b.getF32Type()), op.getInput(),
      ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}}, x4Sizes);
  AffineMap xMap = AffineMap::get(5, 0, {e(0), keys ? e(3) : e(2), e(1), e(4)}, ctx);
  AffineMap outMap = AffineMap::get(5, 0, {e(0), e(1), e(2), e(3)}, ctx);
  auto scaled = [&](Value sum) {
    return elementwise(b, loc, ValueRange{sum}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
      return arith::MulFOp::create(nb, nl, a[0], f32Const(nb, nl, scale));
    });
  };
  if (mode == "xl_shift") {
    // The upper triangle reads the next query's row, so queries and table rows are both
    // read by index: j <= i: q_i . table[i - j]; j = i + 1: 0; j >= i + 2: q_{i+1} .
    // table[T + 1 + i - j] (T = seq_k; the clamps only keep the unused j = i + 1 in bounds).
    // (x4 is also an input through the usual map, unread, so that the maps cover the loop.)
    Value sum = generic(
        b, loc, {bs, h, sq, sk}, ValueRange{x4}, filled(b, loc, {bs, h, sq, sk}, 0.0, dyn), {xMap, outMap},
        {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
         IteratorType::parallel, IteratorType::reduction},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          auto idx = [&](unsigned d) { return linalg::IndexOp::create(nb, nl, d).getResult(); };
          auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, nl, v).getResult(); };
          Value i = idx(2), j = idx(3), hh = idx(1), d = idx(4);
          Value last = arith::SubIOp::create(nb, nl, skV, cst(1));
          Value upper = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ugt, j, i);
          Value next = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, j,
                                             arith::AddIOp::create(nb, nl, i, cst(1)));
          Value qi = arith::SelectOp::create(
              nb, nl, upper, arith::MinUIOp::create(nb, nl, arith::AddIOp::create(nb, nl, i, cst(1)), last), i);
          // upper: T + 1 + i - j (computed as (T + 1 + i) - j >= 1), else i - j
          Value upRow = arith::MinUIOp::create(
              nb, nl, arith::SubIOp::create(nb, nl, arith::AddIOp::create(nb, nl, skV, arith::AddIOp::create(nb, nl, i, cst(1))), j),
              last);
          Value row = arith::SelectOp::create(nb, nl, upper, upRow,
                                              arith::SubIOp::create(nb, nl, i, arith::SelectOp::create(nb, nl, upper, i, j)));
          Value col = arith::AddIOp::create(nb, nl, arith::MulIOp::create(nb, nl, hh, cst(dh)), d);
          Value q = tensor::ExtractOp::create(nb, nl, x4, ValueRange{idx(0), qi, hh, d});
          Value r = tensor::ExtractOp::create(nb, nl, table, ValueRange{row, col});
          Value prod = arith::SelectOp::create(nb, nl, next, f32Const(nb, nl, 0.0f),
                                               arith::MulFOp::create(nb, nl, q, r));
          return arith::AddFOp::create(nb, nl, a[1], prod);
        });
    return scaled(sum);
  }
  Value sum = generic(
      b, loc, {bs, h, sq, sk}, ValueRange{x4}, filled(b, loc, {bs, h, sq, sk}, 0.0, dyn), {xMap, outMap},
      {IteratorType::parallel, IteratorType::parallel, IteratorType::parallel,
       IteratorType::parallel, IteratorType::reduction},
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Type i64 = nb.getI64Type();
        auto cst = [&](int64_t v) { return arith::ConstantIntOp::create(nb, nl, i64, v); };
        Value p = arith::AddIOp::create(
            nb, nl, arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 2)),
            shiftV ? shiftV : cst(sk - sq));
        Value j = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 3));
        // shaw: clip(j - p, -k, k) + k; c2p: clip(p - j, -k, k - 1) + k; p2c: clip(j - p, -k, k - 1) + k;
        // key_position: j
        Value rel = mode == "c2p" ? arith::SubIOp::create(nb, nl, p, j) : arith::SubIOp::create(nb, nl, j, p);
        Value rowV;
        if (mode == "key_position") { // the key's own row
          rowV = j;
        } else if (k == 0) { // p - j in (-seq_k, seq_k): nothing to clip
          rowV = arith::AddIOp::create(nb, nl, rel, arith::IndexCastOp::create(nb, nl, i64, skV));
        } else {
          int64_t hi = mode == "shaw" ? k : k - 1;
          rel = arith::MaxSIOp::create(nb, nl, arith::MinSIOp::create(nb, nl, rel, cst(hi)), cst(-k));
          rowV = arith::AddIOp::create(nb, nl, rel, cst(k));
        }
        Value row = arith::IndexCastOp::create(nb, nl, nb.getIndexType(), rowV);
        Value col = linalg::IndexOp::create(nb, nl, 4);
        if (perHead) // the table's columns are the heads' features: h * d_head + d
          col = arith::AddIOp::create(
              nb, nl, arith::MulIOp::create(nb, nl, linalg::IndexOp::create(nb, nl, 1),
                                            arith::ConstantIndexOp::create(nb, nl, dh)),
              col);
        Value r = tensor::ExtractOp::create(nb, nl, table, ValueRange{row, col});
        return arith::AddFOp::create(nb, nl, a[1], arith::MulFOp::create(nb, nl, a[0], r));
      });
  return scaled(sum);
}

} // namespace loom::lowering
