//===- LayerNorm.cpp - `layer_norm`, `rms_norm` ----------------------------===//
#include "Common.h"

using namespace loom;

namespace {
class LayerNormPlugin : public BlockPlugin {
public:
  std::string name() const override { return "layer_norm"; }
  BlockCategory category() const override { return BlockCategory::Norm; }
  std::string summary() const override {
    return "(x - mean) / sqrt(var + eps) * weight + bias over the last dimension "
           "(Ba et al. 2016; torch.nn.LayerNorm)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"eps", ParamType::Float(), ParamValue::ofFloat(1e-5), "added to the variance"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    if (!(inst.getFloat("eps") > 0)) {
      ctx.error("eps", "eps must be positive");
      return false;
    }
    int64_t d = inst.inputShape().back();
    weights = {{"weight", {d}}, {"bias", {d}}};
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return LayerNormOp::create(b, ctx.loc(), x.getType(), x, ctx.weight("weight"),
                               ctx.weight("bias"),
                               b.getF32FloatAttr(static_cast<float>(inst.getFloat("eps"))));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(LayerNormPlugin)

namespace {
class RmsNormPlugin : public BlockPlugin {
public:
  std::string name() const override { return "rms_norm"; }
  BlockCategory category() const override { return BlockCategory::Norm; }
  std::string summary() const override {
    return "x / sqrt(mean(x^2) + eps) * weight over the last dimension (Zhang & Sennrich 2019; "
           "T5LayerNorm, LlamaRMSNorm)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"eps", ParamType::Float(), ParamValue::ofFloat(1e-6), "added to the mean square"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    if (!(inst.getFloat("eps") > 0)) {
      ctx.error("eps", "eps must be positive");
      return false;
    }
    weights = {{"weight", {inst.inputShape().back()}}};
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return RmsNormOp::create(b, ctx.loc(), x.getType(), x, ctx.weight("weight"),
                             b.getF32FloatAttr(static_cast<float>(inst.getFloat("eps"))));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(RmsNormPlugin)
