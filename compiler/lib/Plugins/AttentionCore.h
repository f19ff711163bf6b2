//===- AttentionCore.h - what `attention` and `sdpa` share ------*- C++ -*-===//
//
// The core of multi-head attention once q, k and v are projected: the position scheme
// (a block-valued `position` parameter, inferred with attention's geometry) and the
// `loom.attention` op with its score bias, relative values and masks.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_PLUGINS_ATTENTIONCORE_H
#define LOOM_PLUGINS_ATTENTIONCORE_H

#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

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

/// key_lengths, when given, is an integer [batch] tensor.
inline bool checkKeyLengths(const BlockInstance &inst, InferContext &ctx, int64_t batch) {
  if (const auto *len = inst.tensorType("key_lengths"))
    if (len->second == "f32" || len->first != std::vector<int64_t>{batch}) {
      ctx.error("key_lengths", "key_lengths must be an i32 or i64 tensor of shape [" +
                                   std::to_string(batch) + "] (the batch)");
      return false;
    }
  return true;
}

/// Declares that key_lengths, when given, lie in [0, seq_k] (checked when the model runs;
/// a dynamic seq_k is the run-time size at position 1 plus its static rows).
inline void requireKeyLengthsRange(const BlockInstance &inst, InferContext &ctx, int64_t seqK) {
  if (!inst.tensorType("key_lengths"))
    return;
  if (isDynamicDim(seqK))
    ctx.requireIndexRangeOfDim("key_lengths", 1, 1 + dynamicExtra(seqK));
  else
    ctx.requireIndexRangeOf("key_lengths", seqK + 1);
}

/// Reformer's chunked attention (local_sdpa, lsh_sdpa): chunk_length positive,
/// chunks_before / chunks_after not negative, and `seq` a multiple of chunk_length unless
/// one chunk holds it all (then it is plain attention).
inline bool checkChunks(const BlockInstance &inst, InferContext &ctx, int64_t seq) {
  int64_t c = inst.getInt("chunk_length"), before = inst.getInt("chunks_before"),
          after = inst.getInt("chunks_after");
  if (c <= 0) {
    ctx.error("chunk_length", "chunk_length must be positive, got " + std::to_string(c));
    return false;
  }
  if (before < 0 || after < 0) {
    ctx.error(before < 0 ? "chunks_before" : "chunks_after", "must be >= 0");
    return false;
  }
  if (seq > c && seq % c != 0) {
    ctx.error("chunk_length", "seq (" + std::to_string(seq) + ") must be a multiple of "
                              "chunk_length (" + std::to_string(c) + "); pad the input");
    return false;
  }
  return true;
}

/// Slot j of a chunk's key window in Reformer's chunked attention (Hugging Face's
/// _look_adjacent): the window holds chunks n - before .. n + after, taken cyclically among
/// `chunks`; slot j is row j % chunk of chunk (n + j / chunk - before) mod chunks. Returns
/// that chunk and row.
inline std::pair<mlir::Value, mlir::Value> windowSlot(mlir::OpBuilder &b, mlir::Location loc,
                                                      mlir::Value n, mlir::Value j, int64_t chunk,
                                                      int64_t chunks, int64_t before) {
  auto cst = [&](int64_t v) { return mlir::arith::ConstantIndexOp::create(b, loc, v).getResult(); };
  mlir::Value off = mlir::arith::AddIOp::create(b, loc, n, mlir::arith::DivUIOp::create(b, loc, j, cst(chunk)));
  mlir::Value kn = mlir::arith::RemUIOp::create(
      b, loc, mlir::arith::AddIOp::create(b, loc, off, cst(chunks - before % chunks)), cst(chunks));
  return {kn, mlir::arith::RemUIOp::create(b, loc, j, cst(chunk))};
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
  return checkKeyLengths(inst, ctx, batch);
}

/// Incremental decoding: inside a step loop, self-attention takes one new query per step
/// against the keys and values of every earlier step, kept in caches [batch, steps,
/// d_model]. Checks that the instance can run that way (causal; no window, block_size,
/// position scheme, or the tensor parameters named in `unsupported`) and declares the caches.
/// BlockPlugin::ignoresPadding of the attention blocks: with the padded keys masked by
/// `key_lengths`, or causal (a valid query sees only the keys before it), a valid row never
/// reads the padding (an XL memory holds none: its rows precede the segment).
inline bool attentionIgnoresPadding(const BlockInstance &inst) {
  return inst.getBool("causal") || inst.tensorType("key_lengths");
}

inline bool inferStepCache(const BlockInstance &inst, InferContext &ctx, int64_t batch,
                           int64_t d, std::initializer_list<const char *> unsupported) {
  int64_t steps = ctx.stepLoopLength();
  if (!inst.getBool("causal")) {
    ctx.error("causal", "self-attention in a step loop must be causal (a step sees only "
                        "the positions before it)");
    return false;
  }
  for (const char *p : {"window", "block_size"})
    if (inst.getInt(p) != 0) {
      ctx.error(p, std::string(p) + " is not supported in a step loop");
      return false;
    }
  for (const char *p : unsupported)
    if (inst.tensorType(p)) {
      ctx.error(p, std::string(p) + " is not supported in a step loop");
      return false;
    }
  if (inst.param("position").block->kind != "none") {
    ctx.error("position", "position schemes inside attention are not supported in a step "
                          "loop; add an absolute encoding (sinusoidal_pe) to the input");
    return false;
  }
  ctx.declareState("k_cache", {batch, steps, d});
  ctx.declareState("v_cache", {batch, steps, d});
  return true;
}

/// Appends this step's key and value rows to the caches (see inferStepCache): k and v
/// become the caches, and `lengths` makes positions 0..step visible (so causal is off).
inline void emitStepCache(EmitContext &ctx, mlir::Value &k, mlir::Value &v, mlir::Value &lengths,
                          bool &causal, int64_t batch) {
  mlir::OpBuilder &b = ctx.builder();
  mlir::Value pos = ctx.stepPosition();
  auto append = [&](mlir::Value row, const char *cache) {
    auto ct = mlir::cast<mlir::RankedTensorType>(ctx.state(cache).getType());
    mlir::Value c = mlir::tensor::InsertSliceOp::create(
        b, ctx.loc(), row, ctx.state(cache),
        llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(0), pos, b.getIndexAttr(0)},
        llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(ct.getDimSize(0)), b.getIndexAttr(1),
                                           b.getIndexAttr(ct.getDimSize(2))},
        llvm::ArrayRef<mlir::OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1),
                                           b.getIndexAttr(1)});
    ctx.setState(cache, c);
    return c;
  };
  k = append(k, "k_cache");
  v = append(v, "v_cache");
  mlir::Value visible = mlir::arith::IndexCastOp::create(
      b, ctx.loc(), b.getI64Type(),
      mlir::arith::AddIOp::create(b, ctx.loc(), pos,
                                  mlir::arith::ConstantIndexOp::create(b, ctx.loc(), 1)));
  lengths = mlir::tensor::SplatOp::create(
      b, ctx.loc(), mlir::RankedTensorType::get({batch}, b.getI64Type()), visible);
  causal = false; // the lengths mask the positions after this step
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
                             relValues.first, mlir::Value(), mlir::Value(),
                             b.getI64IntegerAttr(inst.getInt("n_heads")),
                             b.getBoolAttr(causal), b.getI64IntegerAttr(inst.getInt("window")),
                             b.getI64IntegerAttr(inst.getInt("block_size")),
                             b.getI64IntegerAttr(relValues.second),
                             b.getF32FloatAttr(static_cast<float>(scale)));
}

} // namespace loom::plugins

#endif
