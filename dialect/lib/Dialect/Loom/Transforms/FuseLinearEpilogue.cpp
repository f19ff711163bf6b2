//===- FuseLinearEpilogue.cpp - activations into loom.linear epilogues ----===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSELINEAREPILOGUE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
struct FuseLinearEpiloguePass
    : public loom::impl::LoomFuseLinearEpilogueBase<FuseLinearEpiloguePass> {
  void runOnOperation() override {
    SmallVector<ElementwiseUnaryOpInterface> candidates;
    getOperation().walk([&](ElementwiseUnaryOpInterface op) { candidates.push_back(op); });
    for (ElementwiseUnaryOpInterface act : candidates) {
      auto linear = act.getElementwiseInput().getDefiningOp<LinearOp>();
      if (!linear || !linear->hasOneUse())
        continue;
      OpBuilder b(act);
      auto fused = LinearOp::create(b, linear.getLoc(), linear.getResult().getType(),
                                    linear.getInput(), linear.getWeight(), linear.getBias());
      fused->setAttrs(linear->getAttrs());
      Block *body = b.createBlock(&fused.getEpilogue(), {}, {b.getF32Type()}, {act.getLoc()});
      Value v = body->getArgument(0);
      if (linear.hasEpilogue())
        v = cloneLinearEpilogue(b, linear, v);
      v = act.buildScalar(b, act.getLoc(), v);
      YieldOp::create(b, act.getLoc(), ValueRange{v});
      act->getResult(0).replaceAllUsesWith(fused.getResult());
      act->erase();
      linear->erase();
    }
  }
};
} // namespace
