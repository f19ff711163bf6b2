//===- SoftplusPlugin.cpp - a block added from outside the compiler -------===//
//
// softplus(x) = log(1 + exp(x)) (torch.nn.Softplus with beta = 1, threshold ignored),
// emitted as a loom.pointwise with a scalar body. Loaded with `loomc --plugin`.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Plugin/Plugin.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace loom;
using namespace mlir;

namespace {
class SoftplusPlugin : public BlockPlugin {
public:
  std::string name() const override { return "softplus"; }
  BlockCategory category() const override { return BlockCategory::Activation; }
  std::string summary() const override { return "log(1 + exp(x)) (torch.nn.Softplus)"; }
  std::vector<ParamSpec> params() const override { return {}; }
  bool infer(const BlockInstance &inst, InferContext &, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    out = inst.inputShape();
    return true;
  }
  Value emit(const BlockInstance &, EmitContext &ctx, Value x) const override {
    OpBuilder &b = ctx.builder();
    auto op = PointwiseOp::create(b, ctx.loc(), x.getType(), x);
    OpBuilder::InsertionGuard g(b);
    Block *body = b.createBlock(&op.getBody(), {}, {b.getF32Type()}, {ctx.loc()});
    Value e = math::ExpOp::create(b, ctx.loc(), body->getArgument(0));
    Value r = math::Log1pOp::create(b, ctx.loc(), e);
    YieldOp::create(b, ctx.loc(), ValueRange{r});
    return op.getResult();
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(SoftplusPlugin)
