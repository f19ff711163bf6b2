//===- LoomToLinalgLoops.cpp - the run-time loops of convert-loom-to-linalg -===//
//
// loom.act (the Universal Transformer's adaptive computation time) and loom.greedy_decode
// become scf.while loops over tensors.
//
//===----------------------------------------------------------------------===//
#include "LoomToLinalgUtils.h"

using namespace mlir;
using namespace loom;
using namespace loom::lowering;

namespace loom::lowering {

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
  // The run-time batch and length, when dynamic: they size every per-position tensor.
  SmallVector<Value> dynPos = dynamicSizes(b, loc, op.getInput());
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  AffineMap id2 = b.getMultiDimIdentityMap(2), id3 = b.getMultiDimIdentityMap(3);
  AffineMap perPos = AffineMap::get(3, 0, {d(0), d(1)}, ctx);
  auto par = IteratorType::parallel, red = IteratorType::reduction;

  // Loop-carried: state, step, halting sum h, steps n, remainder r, weighted output.
  Value zerosPos = filled(b, loc, pos, 0.0, dynPos);
  SmallVector<Value> init{op.getInput(), arith::ConstantIndexOp::create(b, loc, 0), zerosPos,
                          zerosPos, zerosPos, filled(b, loc, st.getShape(), 0.0, dynPos)};
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
  Value biasInit = generic(b, loc, pos, ValueRange{op.getHaltingBias()},
                           emptyTensor(b, loc, pos, dynamicSizes(b, loc, pre)),
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
  Value empty = emptyTensor(b, loc, pos, dynamicSizes(b, loc, pre));
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
                         emptyLike(b, loc, next), {id3, id3, perPos, id3},
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

} // namespace loom::lowering
