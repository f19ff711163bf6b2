//===- FuseProjections.cpp - one matmul for projections of one input ------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/IR/Dominance.h"
#include "llvm/ADT/MapVector.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSEPROJECTIONS
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
struct FuseProjectionsPass : public loom::impl::LoomFuseProjectionsBase<FuseProjectionsPass> {
  void runOnOperation() override {
    DominanceInfo dom(getOperation());
    // Group epilogue-, residual- and gating-free linears by (input, has-bias, rope), in
    // program order. Rotated projections (loom-fuse-rope) merge only with rotated ones of
    // the same d_head, rotated features, base and position offset: the merged linear
    // rotates all their heads.
    using Key = std::tuple<Value, int, int64_t, int64_t, Attribute, Attribute>;
    llvm::MapVector<Key, SmallVector<LinearOp>> groups;
    getOperation().walk([&](LinearOp op) {
      if (op.hasEpilogue() || op.getResidual() || op.isGated())
        return;
      bool rope = op.hasRope();
      groups[Key{op.getInput(), op.getBias() ? 1 : 0, rope ? op.getRopeDHead() : 0,
                 rope ? op.getRopeRotated() : 0, rope ? op.getRopeBaseAttr() : Attribute(),
                 rope ? op.getRopePositionOffsetAttr() : Attribute()}]
          .push_back(op);
    });
    for (auto &[key, ops] : groups) {
      if (ops.size() < 2)
        continue;
      // Insert before the first projection; every weight must be available there.
      LinearOp first = ops.front();
      for (LinearOp op : ops)
        if (dom.properlyDominates(op.getOperation(), first.getOperation()))
          first = op;
      bool ok = llvm::all_of(ops, [&](LinearOp op) {
        return op->getBlock() == first->getBlock() &&
               llvm::all_of(op->getOperands(),
                            [&](Value v) { return dom.properlyDominates(v, first.getOperation()); });
      });
      if (!ok)
        continue;
      OpBuilder b(first);
      Location loc = b.getFusedLoc(llvm::map_to_vector(ops, [](LinearOp o) { return o.getLoc(); }));
      SmallVector<Value> weights, biases;
      int64_t total = 0;
      for (LinearOp op : ops) {
        weights.push_back(op.getWeight());
        if (op.getBias())
          biases.push_back(op.getBias());
        total += op.getOutFeatures();
      }
      Value w = tensor::ConcatOp::create(b, loc, /*dim=*/0, weights);
      Value bias = std::get<1>(key) ? tensor::ConcatOp::create(b, loc, 0, biases).getResult() : Value();
      auto inT = first.getInput().getType();
      SmallVector<int64_t> shape(inT.getShape());
      shape.back() = total;
      auto fused = LinearOp::create(b, loc, RankedTensorType::get(shape, b.getF32Type()),
                                    first.getInput(), w, bias);
      if (first.hasRope()) {
        int64_t heads = 0;
        for (LinearOp op : ops)
          heads += static_cast<int64_t>(*op.getRopeHeads());
        fused.copyRopeFrom(first, heads);
      }
      b.setInsertionPointAfter(fused);
      int64_t offset = 0;
      for (LinearOp op : ops) {
        auto rt = op.getResult().getType();
        int64_t rank = rt.getRank();
        SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes, strides(rank, b.getIndexAttr(1));
        for (auto [i, d] : llvm::enumerate(rt.getShape()))
          sizes.push_back(rt.isDynamicDim(i)
                              ? OpFoldResult(tensor::DimOp::create(b, op.getLoc(), fused.getResult(),
                                                                   static_cast<int64_t>(i))
                                                 .getResult())
                              : OpFoldResult(b.getIndexAttr(d)));
        offsets.back() = b.getIndexAttr(offset);
        Value slice = tensor::ExtractSliceOp::create(b, op.getLoc(), rt, fused.getResult(),
                                                     offsets, sizes, strides);
        op.getResult().replaceAllUsesWith(slice);
        offset += op.getOutFeatures();
      }
      for (LinearOp op : ops)
        op->erase();
    }
  }
};
} // namespace
