//===- AttentionCore.h - what `attention` and `sdpa` share ------*- C++ -*-===//
//
// The core of multi-head attention once q, k and v are projected: the position scheme
// (a block-valued `position` parameter, inferred with attention's geometry) and the
// `loom.attention` op with its score bias, relative values and masks.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PLUGINS_ATTENTIONCORE_H
#define LOOM_PLUGINS_ATTENTIONCORE_H

#include "Common.h"

#include <cmath>

namespace loom::plugins {

/// The parameters `attention` and `sdpa` share: masks, the position scheme and the scale.
inline std::vector<ParamSpec> attentionCoreParams() {
  return {{"causal", ParamType::Bool(), ParamValue::ofBool(false),
           "mask keys after the query position (queries are the last seq_q of seq_k positions)"},
          {"position", ParamType::Block(BlockCategory::Position), ParamValue::ofBlock("none"),
           "position scheme inside attention: none | rope(...) | alibi | t5(...) | ..."},
          {"window", ParamType::Int(), ParamValue::ofInt(0),
           "sliding-window (local) attention: keys within this distance; 0 = all"},
          {"block_size", ParamType::Int(), ParamValue::ofInt(0),
           "block-diagonal attention: keys in the same block of this size; 0 = all"},
          {"scale", ParamType::Float(), ParamValue::ofFloat(0.0),
           "score scale; 0 = 1/sqrt(d_head) (T5 uses 1)"},
          {"key_lengths", ParamType::Tensor(), ParamValue::ofSymbol("none"),
           "a [batch] i32/i64 tensor (e.g. a model input): keys at or past each example's "
           "length are masked"}};
}

/// Checks the shared parameters: scale, window and block_size not negative, key_lengths an
/// integer [batch] tensor.
inline bool checkAttentionCoreParams(const BlockInstance &inst, InferContext &ctx, int64_t batch) {
  if (inst.getFloat("scale") < 0) {
    ctx.error("scale", "scale must be >= 0 (0 = 1/sqrt(d_head))");
    return false;
  }
  for (const char *p : {"window", "block_size"})
    if (inst.getInt(p) < 0) {
      ctx.error(p, std::string(p) + " must be >= 0 (0 disables it)");
      return false;
    }
  if (const auto *len = inst.tensorType("key_lengths"))
    if (len->second == "f32" || len->first != std::vector<int64_t>{batch}) {
      ctx.error("key_lengths", "key_lengths must be an i32 or i64 tensor of shape [" +
                                   std::to_string(batch) + "] (the batch)");
      return false;
    }
  return true;
}

/// The `scale` parameter, or 1/sqrt(d_head * the scheme's factor) (Vaswani et al. 2017,
/// sec. 3.2.1; DeBERTa's factor 3).
inline double attentionScale(const BlockInstance &inst, int64_t dModel) {
  if (inst.getFloat("scale") > 0)
    return inst.getFloat("scale");
  const auto *scheme = dynamic_cast<const AttentionPositionPlugin *>(
      PluginRegistry::instance().lookup(inst.param("position").block->kind));
  int64_t dHead = dModel / inst.getInt("n_heads");
  return 1.0 / std::sqrt(double(dHead) * (scheme ? scheme->scoreScaleFactor() : 1.0));
}

/// Checks that `position` is a scheme inside attention and infers it for queries of
/// `qShape` against `seqK` keys.
inline bool inferAttentionPosition(const BlockInstance &inst, InferContext &ctx,
                                   const std::vector<int64_t> &qShape, int64_t seqK) {
  const std::string &scheme = inst.param("position").block->kind;
  if (!dynamic_cast<const AttentionPositionPlugin *>(PluginRegistry::instance().lookup(scheme))) {
    ctx.error("position", "'" + scheme + "' is an absolute position encoding: add it to the " +
                              "input (a `" + scheme + ";` statement before the layers), not " +
                              "inside attention");
    return false;
  }
  return ctx
      .inferSubBlock("position", qShape,
                     {{"n_heads", ParamValue::ofInt(inst.getInt("n_heads"))},
                      {"causal", ParamValue::ofBool(inst.getBool("causal"))},
                      {"scale", ParamValue::ofFloat(attentionScale(inst, qShape.back()))},
                      {"seq_k", ParamValue::ofInt(seqK)}})
      .has_value();
}

/// softmax(scale Q K^T + bias + masks) V per head, with the position scheme applied to q
/// and k; `lengths` (or null) masks keys past each example's length.
inline mlir::Value emitAttentionCore(const BlockInstance &inst, EmitContext &ctx, mlir::Value q,
                                     mlir::Value k, mlir::Value v, mlir::Value lengths,
                                     bool causal) {
  mlir::OpBuilder &b = ctx.builder();
  mlir::Value scoreBias;
  std::pair<mlir::Value, int64_t> relValues{mlir::Value(), 0};
  double scale = 0;
  ctx.withSubBlock("position", [&](const BlockPlugin &p, const BlockInstance &pi, EmitContext &pc) {
    const auto &scheme = static_cast<const AttentionPositionPlugin &>(p);
    AttentionGeometry g = AttentionPositionPlugin::geometry(pi);
    scale = g.scale;
    scheme.transformQK(pi, pc, g, q, k);
    scoreBias = scheme.scoreBias(pi, pc, g, q, k);
    relValues = scheme.relativeValues(pi, pc, g);
  });
  return AttentionOp::create(b, ctx.loc(), q.getType(), q, k, v, scoreBias, lengths,
                             relValues.first, b.getI64IntegerAttr(inst.getInt("n_heads")),
                             b.getBoolAttr(causal), b.getI64IntegerAttr(inst.getInt("window")),
                             b.getI64IntegerAttr(inst.getInt("block_size")),
                             b.getI64IntegerAttr(relValues.second),
                             b.getF32FloatAttr(static_cast<float>(scale)));
}

} // namespace loom::plugins

#endif
