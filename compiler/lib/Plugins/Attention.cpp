//===- Attention.cpp - `attention`: multi-head self-attention -------------===//
//
// Vaswani et al. 2017, sec. 3.2.2; weights named as torch.nn.MultiheadAttention
// (`qkv = packed`: in_proj_weight [3*d_model, d_model], in_proj_bias, out_proj.weight,
// out_proj.bias) or with one projection each (`qkv = separate`: q_proj, k_proj, v_proj,
// out_proj, each with .weight and .bias, as Hugging Face BART/LLaMA name them).
//
//===----------------------------------------------------------------------===//
#include "Common.h"

#include <cmath>

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;
using namespace mlir;

namespace {
class AttentionPlugin : public BlockPlugin {
public:
  std::string name() const override { return "attention"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "multi-head self-attention softmax(Q K^T / sqrt(d_head)) V "
           "(Vaswani et al. 2017 sec. 3.2; torch.nn.MultiheadAttention)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"n_heads", ParamType::Int(), std::nullopt, "number of heads"},
            {"d_model", ParamType::Int(), ParamValue::ofInt(0),
             "model width; 0 takes the input's, any other value must equal it"},
            {"causal", ParamType::Bool(), ParamValue::ofBool(false),
             "mask keys after the query position"},
            {"qkv", ParamType::Enum({"packed", "separate"}), ParamValue::ofSymbol("packed"),
             "one packed in_proj (PyTorch) or separate q/k/v projections"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "projection biases"},
            {"position", ParamType::Block(BlockCategory::Position), ParamValue::ofBlock("none"),
             "position scheme inside attention: none | rope(...) | alibi"},
            {"window", ParamType::Int(), ParamValue::ofInt(0),
             "sliding-window (local) attention: keys within this distance; 0 = all"},
            {"block_size", ParamType::Int(), ParamValue::ofInt(0),
             "block-diagonal attention: keys in the same block of this size; 0 = all"},
            {"scale", ParamType::Float(), ParamValue::ofFloat(0.0),
             "score scale; 0 = 1/sqrt(d_head) (T5 uses 1)"},
            {"out_proj_name", ParamType::String(), ParamValue::ofString("out_proj"),
             "name of the output projection (Hugging Face LLaMA: \"o_proj\")"},
            {"key_lengths", ParamType::Input(), ParamValue::ofInput(""),
             "a [batch] i32/i64 model input: keys at or past each example's length are masked"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t d = inst.inputShape().back();
    int64_t h = inst.getInt("n_heads");
    if (inst.getInt("d_model") != 0 && inst.getInt("d_model") != d) {
      ctx.error("d_model", "d_model is " + std::to_string(inst.getInt("d_model")) +
                               " but the input has " + std::to_string(d) + " features");
      return false;
    }
    if (h <= 0) {
      ctx.error("n_heads", "n_heads must be positive, got " + std::to_string(h));
      return false;
    }
    if (d % h != 0) {
      ctx.error("n_heads", "d_model (" + std::to_string(d) + ") is not divisible by n_heads (" +
                               std::to_string(h) + ")");
      return false;
    }
    bool bias = inst.getBool("bias");
    if (inst.getSymbol("qkv") == "packed") {
      weights.push_back({"in_proj_weight", {3 * d, d}});
      if (bias)
        weights.push_back({"in_proj_bias", {3 * d}});
    } else {
      for (const char *p : {"q_proj", "k_proj", "v_proj"}) {
        weights.push_back({std::string(p) + ".weight", {d, d}});
        if (bias)
          weights.push_back({std::string(p) + ".bias", {d}});
      }
    }
    const std::string &outName = inst.param("out_proj_name").s;
    if (outName.empty()) {
      ctx.error("out_proj_name", "out_proj_name must not be empty");
      return false;
    }
    weights.push_back({outName + ".weight", {d, d}});
    if (bias)
      weights.push_back({outName + ".bias", {d}});
    if (inst.getFloat("scale") < 0) {
      ctx.error("scale", "scale must be >= 0 (0 = 1/sqrt(d_head))");
      return false;
    }
    for (const char *p : {"window", "block_size"})
      if (inst.getInt(p) < 0) {
        ctx.error(p, std::string(p) + " must be >= 0 (0 disables it)");
        return false;
      }
    if (const std::string &len = inst.param("key_lengths").s; !len.empty()) {
      auto type = ctx.inputType(len);
      if (!type || type->second == "f32" || type->first.size() != 1 ||
          type->first[0] != inst.inputShape()[0]) {
        ctx.error("key_lengths", "key_lengths must be an i32 or i64 input of shape [" +
                                     std::to_string(inst.inputShape()[0]) + "] (the batch)");
        return false;
      }
    }
    const std::string &scheme = inst.param("position").block->kind;
    const auto *schemePlugin =
        dynamic_cast<const AttentionPositionPlugin *>(PluginRegistry::instance().lookup(scheme));
    if (!schemePlugin) {
      ctx.error("position", "'" + scheme + "' is an absolute position encoding: add it to the " +
                                "input (a `" + scheme + ";` statement before the layers), not " +
                                "inside attention");
      return false;
    }
    if (!ctx.inferSubBlock("position", inst.inputShape(),
                           {{"n_heads", ParamValue::ofInt(h)},
                            {"causal", ParamValue::ofBool(inst.getBool("causal"))},
                            {"scale", ParamValue::ofFloat(effectiveScale(inst, *schemePlugin))}}))
      return false;
    out = inst.inputShape();
    return true;
  }
  /// The `scale` parameter, or 1/sqrt(d_head * the scheme's factor).
  static double effectiveScale(const BlockInstance &inst, const AttentionPositionPlugin &scheme) {
    if (inst.getFloat("scale") > 0)
      return inst.getFloat("scale");
    int64_t dHead = inst.inputShape().back() / inst.getInt("n_heads");
    return 1.0 / std::sqrt(double(dHead) * scheme.scoreScaleFactor());
  }
  Value emit(const BlockInstance &inst, EmitContext &ctx, Value x) const override {
    OpBuilder &b = ctx.builder();
    int64_t d = inst.inputShape().back();
    bool bias = inst.getBool("bias");
    Value q, k, v;
    if (inst.getSymbol("qkv") == "packed") {
      Value qkv = plugins::emitLinear(ctx, x, "in_proj_weight", bias ? "in_proj_bias" : "", 3 * d);
      auto slice = [&](int64_t i) -> Value {
        auto t = cast<RankedTensorType>(x.getType());
        SmallVector<OpFoldResult> offs(3, b.getIndexAttr(0)), sizes, strides(3, b.getIndexAttr(1));
        for (int64_t s : t.getShape())
          sizes.push_back(b.getIndexAttr(s));
        offs[2] = b.getIndexAttr(i * d);
        return tensor::ExtractSliceOp::create(b, ctx.loc(), t, qkv, offs, sizes, strides);
      };
      q = slice(0), k = slice(1), v = slice(2);
    } else {
      q = plugins::emitLinear(ctx, x, "q_proj.weight", bias ? "q_proj.bias" : "", d);
      k = plugins::emitLinear(ctx, x, "k_proj.weight", bias ? "k_proj.bias" : "", d);
      v = plugins::emitLinear(ctx, x, "v_proj.weight", bias ? "v_proj.bias" : "", d);
    }
    Value scoreBias;
    std::pair<Value, int64_t> relValues{Value(), 0};
    double scale = 0;
    ctx.withSubBlock("position", [&](const BlockPlugin &p, const BlockInstance &pi, EmitContext &pc) {
      const auto &scheme = static_cast<const AttentionPositionPlugin &>(p);
      AttentionGeometry g = AttentionPositionPlugin::geometry(pi);
      scale = g.scale;
      scheme.transformQK(pi, pc, g, q, k);
      scoreBias = scheme.scoreBias(pi, pc, g, q, k);
      relValues = scheme.relativeValues(pi, pc, g);
    });
    const std::string &len = inst.param("key_lengths").s;
    Value lengths = len.empty() ? Value() : ctx.input(len);
    Value a = AttentionOp::create(b, ctx.loc(), x.getType(), q, k, v, scoreBias, lengths,
                                  relValues.first,
                                  b.getI64IntegerAttr(inst.getInt("n_heads")),
                                  b.getBoolAttr(inst.getBool("causal")),
                                  b.getI64IntegerAttr(inst.getInt("window")),
                                  b.getI64IntegerAttr(inst.getInt("block_size")),
                                  b.getI64IntegerAttr(relValues.second),
                                  b.getF32FloatAttr(static_cast<float>(scale)));
    const std::string &outName = inst.param("out_proj_name").s;
    return plugins::emitLinear(ctx, a, outName + ".weight", bias ? outName + ".bias" : "", d);
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(AttentionPlugin)
