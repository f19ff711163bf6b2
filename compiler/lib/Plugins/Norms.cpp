//===- Norms.cpp - `layer_norm`, `rms_norm`, `batch_norm`, `group_norm` -===//
#include "loom/Plugin/PluginUtils.h"

using namespace loom;

namespace {
class LayerNormPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "layer_norm"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
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
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "rms_norm"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
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

namespace {
class BatchNormPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "batch_norm"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Norm; }
  std::string summary() const override {
    return "(x - running_mean) / sqrt(running_var + eps) * weight + bias per channel (last "
           "dimension), inference mode (Ioffe & Szegedy 2015; torch.nn.BatchNorm1d.eval())";
  }
  std::vector<ParamSpec> params() const override {
    return {{"eps", ParamType::Float(), ParamValue::ofFloat(1e-5), "added to the running variance"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    if (!(inst.getFloat("eps") > 0)) {
      ctx.error("eps", "eps must be positive");
      return false;
    }
    if (inst.inputShape().size() < 2) {
      ctx.error("", "batch_norm needs [..., channels] with rank >= 2");
      return false;
    }
    int64_t c = inst.inputShape().back();
    weights = {{"weight", {c}}, {"bias", {c}}, {"running_mean", {c}}, {"running_var", {c}}};
    // torch's state_dict also carries the training step counter, which inference ignores.
    WeightSpec steps{"num_batches_tracked", {}};
    steps.unused = true;
    steps.dtype = "I64";
    weights.push_back(steps);
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return BatchNormOp::create(b, ctx.loc(), x.getType(), x, ctx.weight("weight"),
                               ctx.weight("bias"), ctx.weight("running_mean"),
                               ctx.weight("running_var"),
                               b.getF32FloatAttr(static_cast<float>(inst.getFloat("eps"))));
  }
};

class GroupNormPlugin : public BlockPlugin {
public:
  std::string name() const override { return "group_norm"; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Norm; }
  std::string summary() const override {
    return "normalises each group of channels over the channels and the whole sequence, then "
           "weight and bias per channel (Wu & He 2018; torch.nn.GroupNorm)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"num_groups", ParamType::Int(), ParamValue::ofInt(1),
             "groups of consecutive channels (1: torchaudio's Conformer)"},
            {"eps", ParamType::Float(), ParamValue::ofFloat(1e-5), "added to the variance"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    const std::vector<int64_t> &in = inst.inputShape();
    if (in.size() != 3) {
      ctx.error("", "group_norm needs [batch, seq, channels]");
      return false;
    }
    int64_t g = inst.getInt("num_groups"), c = in[2];
    if (g <= 0 || c % g != 0) {
      ctx.error("num_groups", "num_groups (" + std::to_string(g) +
                                  ") must be positive and divide the channels (" +
                                  std::to_string(c) + ")");
      return false;
    }
    if (!(inst.getFloat("eps") > 0)) {
      ctx.error("eps", "eps must be positive");
      return false;
    }
    weights = {{"weight", {c}}, {"bias", {c}}};
    out = in;
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return GroupNormOp::create(b, ctx.loc(), x.getType(), x, ctx.weight("weight"),
                               ctx.weight("bias"), b.getI64IntegerAttr(inst.getInt("num_groups")),
                               b.getF32FloatAttr(static_cast<float>(inst.getFloat("eps"))));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(BatchNormPlugin)
LOOM_REGISTER_PLUGIN(GroupNormPlugin)
