//===- FuseLinearEpilogue.cpp - activations into loom.linear epilogues ----===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSELINEAREPILOGUE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
/// A copy of `linear` at `b` with `residual` (when given) and an epilogue that applies
/// `linear`'s epilogue, then `extra` (when given), to the biased value.
LinearOp rebuild(OpBuilder &b, LinearOp linear, Value residual,
                 llvm::function_ref<Value(OpBuilder &, Value)> extra, Location extraLoc) {
  auto fused = LinearOp::create(b, linear.getLoc(), linear.getResult().getType(),
                                linear.getInput(), linear.getWeight(), linear.getBias(), residual);
  fused->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
  if (linear.hasEpilogue() || extra) {
    OpBuilder::InsertionGuard guard(b);
    Block *body = b.createBlock(&fused.getEpilogue(), {}, {b.getF32Type()}, {extraLoc});
    Value v = body->getArgument(0);
    if (linear.hasEpilogue())
      v = cloneLinearEpilogue(b, linear, v);
    if (extra)
      v = extra(b, v);
    YieldOp::create(b, extraLoc, ValueRange{v});
  }
  return fused;
}

struct FuseLinearEpiloguePass
    : public loom::impl::LoomFuseLinearEpilogueBase<FuseLinearEpiloguePass> {
  void runOnOperation() override {
    // Activations first: they apply before the residual add.
    SmallVector<ElementwiseUnaryOpInterface> candidates;
    getOperation().walk([&](ElementwiseUnaryOpInterface op) { candidates.push_back(op); });
    for (ElementwiseUnaryOpInterface act : candidates) {
      auto linear = act.getElementwiseInput().getDefiningOp<LinearOp>();
      if (!linear || !linear->hasOneUse() || linear.getResidual())
        continue;
      OpBuilder b(act);
      LinearOp fused = rebuild(
          b, linear, Value(),
          [&](OpBuilder &nb, Value v) { return act.buildScalar(nb, act.getLoc(), v); },
          act.getLoc());
      act->getResult(0).replaceAllUsesWith(fused.getResult());
      act->erase();
      linear->erase();
    }
    // Residual adds: loom.add %r, %linear (either order) with %linear used only there.
    SmallVector<AddOp> adds;
    getOperation().walk([&](AddOp op) { adds.push_back(op); });
    for (AddOp add : adds) {
      for (unsigned i = 0; i < 2; ++i) {
        auto linear = add->getOperand(i).getDefiningOp<LinearOp>();
        Value residual = add->getOperand(1 - i);
        if (!linear || !linear->hasOneUse() || linear.getResidual() ||
            residual.getType() != linear.getResult().getType())
          continue;
        OpBuilder b(add);
        LinearOp fused = rebuild(b, linear, residual, nullptr, add.getLoc());
        add.getResult().replaceAllUsesWith(fused.getResult());
        add->erase();
        linear->erase();
        break;
      }
    }
  }
};
} // namespace
