//===- GatedFFN.cpp - `gated_ffn`: the GLU family (Shazeer 2020) ----------===//
//
// FFN_GLU(x) = (act(x W_gate) * (x W_up)) W_down, with act = sigmoid (GLU), relu (ReGLU),
// gelu (GEGLU) or silu (SwiGLU, the LLaMA MLP). Weights are named as Hugging Face's
// LlamaMLP: gate_proj [d_ff, d_model], up_proj [d_ff, d_model], down_proj [d_model, d_ff].
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

using namespace loom;

namespace {
class GatedFFNPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "gated_ffn"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Position-wise (linears and an activation): dynamic batch and seq are fine.
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "(act(x W_gate) * x W_up) W_down, the GLU family (Shazeer 2020); LlamaMLP names";
  }
  std::vector<ParamSpec> params() const override {
    return {{"d_ff", ParamType::Int(), std::nullopt, "hidden width"},
            {"activation", ParamType::Block(BlockCategory::Activation), ParamValue::ofBlock("silu"),
             "gate activation: silu (SwiGLU), gelu (GEGLU), relu (ReGLU)"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(false), "projection biases"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t dff = inst.getInt("d_ff"), d = inst.inputShape().back();
    if (dff <= 0) {
      ctx.error("d_ff", "d_ff must be positive");
      return false;
    }
    if (!ctx.inferSubBlock("activation", plugins::withLastDim(inst.inputShape(), dff)))
      return false;
    bool bias = inst.getBool("bias");
    for (const char *p : {"gate_proj", "up_proj"}) {
      weights.push_back({std::string(p) + ".weight", {dff, d}});
      if (bias)
        weights.push_back({std::string(p) + ".bias", {dff}});
    }
    weights.push_back({"down_proj.weight", {d, dff}});
    if (bias)
      weights.push_back({"down_proj.bias", {d}});
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    bool bias = inst.getBool("bias");
    int64_t dff = inst.getInt("d_ff"), d = inst.inputShape().back();
    mlir::Value gate = plugins::emitLinear(ctx, x, "gate_proj.weight", bias ? "gate_proj.bias" : "", dff);
    mlir::Value up = plugins::emitLinear(ctx, x, "up_proj.weight", bias ? "up_proj.bias" : "", dff);
    mlir::Value h = MulOp::create(ctx.builder(), ctx.loc(), ctx.emitSubBlock("activation", gate), up);
    return plugins::emitLinear(ctx, h, "down_proj.weight", bias ? "down_proj.bias" : "", d);
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(GatedFFNPlugin)
