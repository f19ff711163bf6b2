//===- FuseRope.cpp - rotary position embedding into the projection -------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSEROPE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
struct FuseRopePass : public loom::impl::LoomFuseRopeBase<FuseRopePass> {
  void runOnOperation() override {
    SmallVector<RopeOp> ropes;
    getOperation().walk([&](RopeOp op) { ropes.push_back(op); });
    for (RopeOp rope : ropes) {
      auto linear = rope.getInput().getDefiningOp<LinearOp>();
      if (!linear || !linear->hasOneUse() || linear.hasEpilogue() || linear.getResidual() ||
          linear.isGated() || linear.hasRope())
        continue;
      // The fused form is rotate_half over whole heads.
      int64_t dHead = rope.getInput().getType().getDimSize(2) / static_cast<int64_t>(rope.getNHeads());
      if (rope.getInterleaved() || static_cast<int64_t>(rope.getRotaryDim()) != dHead)
        continue;
      OpBuilder b(rope);
      auto fused = LinearOp::create(b, b.getFusedLoc({linear.getLoc(), rope.getLoc()}),
                                    linear.getResult().getType(), linear.getInput(),
                                    linear.getWeight(), linear.getBias());
      fused->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
      fused.setRopeHeadsAttr(rope.getNHeadsAttr());
      fused.setRopeBaseAttr(rope.getBaseAttr());
      fused.setRopePositionOffsetAttr(rope.getPositionOffsetAttr());
      rope.getResult().replaceAllUsesWith(fused.getResult());
      rope->erase();
      linear->erase();
    }
  }
};
} // namespace
