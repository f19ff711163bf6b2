//===- FuseLinearEpilogue.cpp - activations, GLU gating and residual adds into loom.linear ===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFUSELINEAREPILOGUE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
/// A copy of `linear` at `b` with result type `resultType`, gating `glu` (null: none),
/// `residual` (when given) and an epilogue that applies `linear`'s epilogue, then `extra`
/// (when given), to the biased value.
LinearOp rebuild(OpBuilder &b, LinearOp linear, Type resultType, StringAttr glu, Value residual,
                 llvm::function_ref<Value(OpBuilder &, Value)> extra, Location extraLoc) {
  auto fused = LinearOp::create(b, linear.getLoc(), resultType, linear.getInput(),
                                linear.getWeight(), linear.getBias(), residual);
  fused->setDiscardableAttrs(linear->getDiscardableAttrDictionary());
  if (glu)
    fused.setGluAttr(glu);
  if (linear.hasRope())
    fused.copyRopeFrom(linear);
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

/// One side of a GLU product: a half of a plain linear's result (a tensor.extract_slice of
/// the whole first or second half of its last dimension), optionally through a unary
/// activation that is the slice's only user.
struct GluSide {
  LinearOp linear;
  unsigned half = 0;                  // 0: first, 1: second
  ElementwiseUnaryOpInterface act;    // null: the half itself
  Operation *slice = nullptr;
};

std::optional<GluSide> matchGluSide(Value v) {
  GluSide side;
  if (auto act = v.getDefiningOp<ElementwiseUnaryOpInterface>()) {
    if (!act->hasOneUse())
      return std::nullopt;
    side.act = act;
    v = act.getElementwiseInput();
  }
  auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice || !slice->hasOneUse())
    return std::nullopt;
  side.linear = slice.getSource().getDefiningOp<LinearOp>();
  if (!side.linear || !side.linear.isPlain())
    return std::nullopt;
  RankedTensorType src = slice.getSourceType();
  int64_t features = src.getDimSize(src.getRank() - 1), f = features / 2;
  std::optional<std::pair<int64_t, int64_t>> cols = columnSlice(slice);
  if (!cols || features != 2 * f || cols->second != f || (cols->first != 0 && cols->first != f))
    return std::nullopt;
  side.half = cols->first == 0 ? 0 : 1;
  side.slice = slice;
  return side;
}

struct FuseLinearEpiloguePass
    : public loom::impl::LoomFuseLinearEpilogueBase<FuseLinearEpiloguePass> {
  void runOnOperation() override {
    // Activations first: they apply before the residual add. A gated linear's epilogue is
    // its gate's activation, so an activation after the product stays outside; so does
    // one after a rotation (the epilogue would apply before it).
    SmallVector<ElementwiseUnaryOpInterface> candidates;
    getOperation().walk([&](ElementwiseUnaryOpInterface op) { candidates.push_back(op); });
    for (ElementwiseUnaryOpInterface act : candidates) {
      auto linear = act.getElementwiseInput().getDefiningOp<LinearOp>();
      if (!linear || !linear->hasOneUse() || linear.getResidual() || linear.isGated() ||
          linear.hasRope())
        continue;
      OpBuilder b(act);
      LinearOp fused = rebuild(
          b, linear, linear.getResult().getType(), nullptr, Value(),
          [&](OpBuilder &nb, Value v) { return act.buildScalar(nb, act.getLoc(), v); },
          act.getLoc());
      act->getResult(0).replaceAllUsesWith(fused.getResult());
      act->erase();
      linear->erase();
    }
    // GLU gating: loom.mul of the two halves of one linear (used only by their slices),
    // one of them (or neither) through an activation, becomes the gated linear; so does
    // loom.glu (torch.nn.GLU: a * sigmoid(b)) of a plain linear used only there.
    SmallVector<Operation *> gates;
    getOperation().walk([&](Operation *op) {
      if (isa<MulOp, GluOp>(op))
        gates.push_back(op);
    });
    for (Operation *op : gates) {
      LinearOp linear;
      StringRef half;
      std::function<Value(OpBuilder &, Value)> act;
      SmallVector<Operation *> dead;
      if (auto glu = dyn_cast<GluOp>(op)) {
        linear = glu.getInput().getDefiningOp<LinearOp>();
        if (!linear || !linear.isPlain() || !linear->hasOneUse())
          continue;
        half = "second";
        Location loc = glu.getLoc();
        act = [loc](OpBuilder &nb, Value v) -> Value { return buildSigmoid(nb, loc, v); };
      } else {
        std::optional<GluSide> a = matchGluSide(op->getOperand(0));
        std::optional<GluSide> b = matchGluSide(op->getOperand(1));
        if (!a || !b || a->linear != b->linear || a->half == b->half || (a->act && b->act))
          continue;
        linear = a->linear;
        // The linear's result is used by the two slices and nothing else.
        if (!llvm::all_of(linear->getUsers(),
                          [&](Operation *u) { return u == a->slice || u == b->slice; }))
          continue;
        GluSide gate = b->act ? *b : *a;
        half = gate.half == 0 ? "first" : "second";
        if (gate.act) {
          ElementwiseUnaryOpInterface gateAct = gate.act;
          act = [gateAct](OpBuilder &nb, Value v) mutable -> Value {
            return gateAct.buildScalar(nb, gateAct.getLoc(), v);
          };
          dead.push_back(gate.act);
        }
        dead.push_back(a->slice);
        dead.push_back(b->slice);
      }
      OpBuilder b(op);
      llvm::function_ref<Value(OpBuilder &, Value)> extra = nullptr;
      if (act)
        extra = act;
      LinearOp fused = rebuild(b, linear, op->getResult(0).getType(), b.getStringAttr(half),
                               Value(), extra, op->getLoc());
      op->getResult(0).replaceAllUsesWith(fused.getResult());
      op->erase();
      for (Operation *d : dead)
        d->erase();
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
        LinearOp fused = rebuild(b, linear, linear.getResult().getType(), linear.getGluAttr(),
                                 residual, nullptr, add.getLoc());
        add.getResult().replaceAllUsesWith(fused.getResult());
        add->erase();
        linear->erase();
        break;
      }
    }
  }
};
} // namespace
