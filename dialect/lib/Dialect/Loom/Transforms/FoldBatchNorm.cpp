//===- FoldBatchNorm.cpp - batch_norm into the producing linear/conv ------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace loom {
#define GEN_PASS_DEF_LOOMFOLDBATCHNORM
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;
using utils::IteratorType;

namespace {

/// One element-wise generic over `inputs` read with `maps` into a tensor shaped like
/// `shapeOf` (identity output map).
Value elementwise(OpBuilder &b, Location loc, Value shapeOf, ValueRange inputs,
                  ArrayRef<AffineMap> maps,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  auto t = cast<RankedTensorType>(shapeOf.getType());
  Value init = tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
  SmallVector<AffineMap> all(maps);
  all.push_back(b.getMultiDimIdentityMap(t.getRank()));
  return linalg::GenericOp::create(
             b, loc, TypeRange{t}, inputs, ValueRange{init}, all,
             SmallVector<IteratorType>(t.getRank(), IteratorType::parallel),
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, body(nb, nl, a));
             })
      .getResult(0);
}

struct FoldBatchNormPass : public loom::impl::LoomFoldBatchNormBase<FoldBatchNormPass> {
  void runOnOperation() override {
    SmallVector<BatchNormOp> norms;
    getOperation().walk([&](BatchNormOp op) { norms.push_back(op); });
    for (BatchNormOp bn : norms) {
      Operation *producer = bn.getInput().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        continue;
      auto linear = dyn_cast<LinearOp>(producer);
      auto conv = dyn_cast<DepthwiseConv1DOp>(producer);
      if (!(linear && !linear.hasEpilogue() && !linear.getResidual() && !linear.isGated() &&
            !linear.hasRope()) &&
          !conv)
        continue;
      Value weight = linear ? linear.getWeight() : conv.getWeight();
      Value bias = linear ? linear.getBias() : conv.getBias();

      OpBuilder b(bn);
      Location loc = bn.getLoc();
      float eps = bn.getEpsilon().convertToFloat();
      AffineMap id1 = b.getMultiDimIdentityMap(1);
      // s = gamma * rsqrt(var + eps); the weight's rows are the channels.
      Value scale = elementwise(b, loc, bn.getWeight(), {bn.getWeight(), bn.getRunningVar()},
                                {id1, id1}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                  Value e = arith::ConstantOp::create(nb, nl, nb.getF32FloatAttr(eps));
                                  Value r = math::RsqrtOp::create(nb, nl, arith::AddFOp::create(nb, nl, a[1], e));
                                  return arith::MulFOp::create(nb, nl, a[0], r);
                                });
      Value newWeight = elementwise(
          b, loc, weight, {weight, scale},
          {b.getMultiDimIdentityMap(2), AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, b.getContext())},
          [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
            return arith::MulFOp::create(nb, nl, a[0], a[1]);
          });
      // b' = (b - mean) * s + beta
      SmallVector<Value> biasInputs{bn.getRunningMean(), scale, bn.getBias()};
      if (bias)
        biasInputs.push_back(bias);
      bool hasBias = static_cast<bool>(bias);
      Value newBias = elementwise(b, loc, bn.getBias(), biasInputs,
                                  SmallVector<AffineMap>(biasInputs.size(), id1),
                                  [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                                    Value centred =
                                        hasBias ? arith::SubFOp::create(nb, nl, a[3], a[0]).getResult()
                                                : arith::NegFOp::create(nb, nl, a[0]).getResult();
                                    return arith::AddFOp::create(
                                        nb, nl, arith::MulFOp::create(nb, nl, centred, a[1]), a[2]);
                                  });
      Operation *folded;
      if (linear)
        folded = LinearOp::create(b, linear.getLoc(), linear.getResult().getType(),
                                  linear.getInput(), newWeight, newBias);
      else
        folded = DepthwiseConv1DOp::create(b, conv.getLoc(), conv.getResult().getType(),
                                           conv.getInput(), newWeight, newBias,
                                           conv.getPaddingLeftAttr(), conv.getPaddingRightAttr());
      bn.getResult().replaceAllUsesWith(folded->getResult(0));
      bn->erase();
      producer->erase();
    }
  }
};

} // namespace
