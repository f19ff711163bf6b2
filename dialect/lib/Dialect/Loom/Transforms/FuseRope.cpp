//===- FuseRope.cpp - rotary position embedding into the projection -------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSEROPE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
/// Whether `rope` has the form a projection can absorb: rotate_half over whole heads.
bool isFusable(RopeOp rope) {
  int64_t dHead = rope.getInput().getType().getDimSize(2) / static_cast<int64_t>(rope.getNHeads());
  return !rope.getInterleaved() && static_cast<int64_t>(rope.getRotaryDim()) == dHead;
}

/// A packed projection (PyTorch's in_proj: q, k and v as column slices of one linear) whose
/// slices include the input of a fusable rope becomes one linear per slice, on that slice's
/// rows of the weight and bias, so that the rope folds into its own projection (and
/// loom-fuse-projections merges q and k again, rotated). Returns whether it split.
bool splitPacked(LinearOp linear) {
  if (!linear.isPlain() || linear->use_empty())
    return false;
  bool feedsRope = false;
  for (Operation *user : linear->getUsers()) {
    auto slice = dyn_cast<tensor::ExtractSliceOp>(user);
    if (!slice || !columnSlice(slice))
      return false;
    if (slice->hasOneUse())
      if (auto rope = dyn_cast<RopeOp>(*slice->getUsers().begin()))
        feedsRope |= isFusable(rope);
  }
  if (!feedsRope)
    return false;
  for (Operation *user : llvm::make_early_inc_range(linear->getUsers())) {
    auto slice = cast<tensor::ExtractSliceOp>(user);
    std::pair<int64_t, int64_t> columns = *columnSlice(slice);
    int64_t offset = columns.first, size = columns.second;
    OpBuilder b(slice);
    Location loc = linear.getLoc();
    auto rows = [&](Value v) -> Value { // rows [offset, offset + size) of a weight or bias
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<OpFoldResult> offs(t.getRank(), b.getIndexAttr(0)), sizes,
          strides(t.getRank(), b.getIndexAttr(1));
      offs[0] = b.getIndexAttr(offset);
      for (int64_t d = 0; d < t.getRank(); ++d)
        sizes.push_back(b.getIndexAttr(d == 0 ? size : t.getDimSize(d)));
      return tensor::ExtractSliceOp::create(b, loc, v, offs, sizes, strides);
    };
    Value bias = linear.getBias() ? rows(linear.getBias()) : Value();
    auto part = LinearOp::create(b, loc, slice.getType(), linear.getInput(),
                                 rows(linear.getWeight()), bias);
    part->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
    slice.getResult().replaceAllUsesWith(part.getResult());
    slice->erase();
  }
  linear->erase();
  return true;
}

struct FuseRopePass : public loom::impl::LoomFuseRopeBase<FuseRopePass> {
  void runOnOperation() override {
    SmallVector<RopeOp> ropes;
    getOperation().walk([&](RopeOp op) { ropes.push_back(op); });
    for (RopeOp rope : ropes) {
      if (!isFusable(rope))
        continue;
      if (auto slice = rope.getInput().getDefiningOp<tensor::ExtractSliceOp>())
        if (auto packed = slice.getSource().getDefiningOp<LinearOp>())
          splitPacked(packed);
      auto linear = rope.getInput().getDefiningOp<LinearOp>();
      if (!linear || !linear->hasOneUse() || !linear.isPlain())
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
