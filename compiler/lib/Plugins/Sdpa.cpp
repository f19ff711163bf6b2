//===- Sdpa.cpp - `sdpa`: attention from projected q, k and v -------------===//
//
// Multi-head scaled dot-product attention on tensors the spec computes itself (Vaswani et
// al. 2017, sec. 3.2.1-3.2.2; torch.nn.functional.scaled_dot_product_attention over heads):
// `sdpa(q, k, v, n_heads = 12)`. q is [batch, seq_q, d_model], k and v [batch, seq_k,
// d_model]; head h owns features [h*d_head, (h+1)*d_head). The projections are ordinary
// `linear`s the user names, so any checkpoint layout loads; the fusion passes merge them.
// Cross-attention is q from one tensor and k, v from another.
//
//===----------------------------------------------------------------------===//
#include "AttentionCore.h"

using namespace loom;
using namespace mlir;

namespace {
class SdpaPlugin : public BlockPlugin {
public:
  std::string name() const override { return "sdpa"; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  bool ignoresPadding(const BlockInstance &inst) const override {
    return plugins::attentionIgnoresPadding(inst);
  }
  /// In a step loop, causal self-attention keeps a key/value cache of the loop's length.
  bool stepwise() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "multi-head softmax(q k^T / sqrt(d_head)) v of projected tensors (Vaswani et al. "
           "2017 sec. 3.2; torch.nn.functional.scaled_dot_product_attention per head)";
  }
  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
        {"k", ParamType::Tensor(), std::nullopt, "keys [batch, seq_k, d_model]"},
        {"v", ParamType::Tensor(), std::nullopt, "values [batch, seq_k, d_model]"},
        {"n_heads", ParamType::Int(), std::nullopt, "number of heads"}};
    for (ParamSpec &s : plugins::attentionCoreParams())
      specs.push_back(std::move(s));
    return specs;
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    const std::vector<int64_t> &q = inst.inputShape();
    const auto *k = inst.tensorType("k");
    const auto *v = inst.tensorType("v");
    using plugins::shapeStr;
    if (q.size() != 3) {
      ctx.error("", "q must be [batch, seq_q, d_model], got " + shapeStr(q));
      return false;
    }
    for (auto [name, t] : {std::pair{"k", k}, std::pair{"v", v}})
      if (t->second != "f32" || t->first.size() != 3 || t->first[0] != q[0] || t->first[2] != q[2]) {
        ctx.error(name, std::string(name) + " must be f32 [" + std::to_string(q[0]) + ", seq_k, " +
                            std::to_string(q[2]) + "] like q " + shapeStr(q) + ", got " +
                            t->second + " " + shapeStr(t->first));
        return false;
      }
    if (k->first[1] != v->first[1]) {
      ctx.error("v", "k and v must have the same length, got " + shapeStr(k->first) + " and " +
                         shapeStr(v->first));
      return false;
    }
    // In a step loop, cross-attention may read a source of dynamic length (an encoder's
    // output); the step's own queries and its cached self-attention stay static.
    bool dynamicQ = std::any_of(q.begin(), q.end(), isDynamicDim);
    bool dynamicK = std::any_of(k->first.begin(), k->first.end(), isDynamicDim);
    if (ctx.stepLoopLength() > 0 && (dynamicQ || (dynamicK && inst.getBool("causal")))) {
      ctx.error("", "attention in a step loop does not support dynamic dimensions yet");
      return false;
    }
    int64_t h = inst.getInt("n_heads");
    if (h <= 0 || q[2] % h != 0) {
      ctx.error("n_heads", "n_heads must be positive and divide d_model (" + std::to_string(q[2]) +
                               "), got " + std::to_string(h));
      return false;
    }
    if (!plugins::checkAttentionCoreParams(inst, ctx, q[0]))
      return false;
    plugins::requireKeyLengthsRange(inst, ctx, k->first[1]);
    // In a step loop, attention over the step's own key and value (one position) is
    // self-attention, which must be causal and keeps a cache of every earlier step; keys and
    // values from outside the loop (an encoder's output) are attended to as they are.
    if (ctx.stepLoopLength() > 0 && (inst.getBool("causal") || k->first[1] == 1) &&
        !plugins::inferStepCache(inst, ctx, q[0], q[2], {"key_lengths"}))
      return false;
    if (inst.getBool("causal") && k->first[1] < q[1]) {
      ctx.error("causal", "causal attention needs at least as many keys as queries");
      return false;
    }
    if (!plugins::inferAttentionPosition(inst, ctx, q, k->first[1]))
      return false;
    out = q;
    return true;
  }
  Value emit(const BlockInstance &inst, EmitContext &ctx, Value q) const override {
    Value k = ctx.tensor("k"), v = ctx.tensor("v"), lengths = ctx.tensor("key_lengths");
    bool causal = inst.getBool("causal");
    if (ctx.stepLoopLength() > 0 && causal) // one query per step against the cached keys and values
      plugins::emitStepCache(ctx, k, v, lengths, causal, inst.inputShape()[0]);
    return plugins::emitAttentionCore(inst, ctx, q, k, v, lengths, causal);
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(SdpaPlugin)
