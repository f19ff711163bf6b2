//===- Linear.cpp - `linear`: y = x W^T + b (torch.nn.Linear) -------------===//
#include "Common.h"

using namespace loom;

namespace {
class LinearPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "linear"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "y = x W^T + b; weight [out_features, in_features] (torch.nn.Linear)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"out_features", ParamType::Int(), std::nullopt, "output features"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "learn an additive bias"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t n = inst.getInt("out_features");
    if (n <= 0) {
      ctx.error("out_features", "out_features must be positive, got " + std::to_string(n));
      return false;
    }
    int64_t k = inst.inputShape().back();
    out = plugins::withLastDim(inst.inputShape(), n);
    weights.push_back({"weight", {n, k}});
    if (inst.getBool("bias"))
      weights.push_back({"bias", {n}});
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    return plugins::emitLinear(ctx, x, "weight", inst.getBool("bias") ? "bias" : "",
                               inst.getInt("out_features"));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(LinearPlugin)
