//===- Attention.cpp - `attention`: multi-head self-attention -------------===//
//
// Vaswani et al. 2017, sec. 3.2.2; weights named as torch.nn.MultiheadAttention
// (`qkv = packed`: in_proj_weight [3*d_model, d_model], in_proj_bias, out_proj.weight,
// out_proj.bias) or with one projection each (`qkv = separate`: q_proj, k_proj, v_proj,
// out_proj, each with .weight and .bias, as Hugging Face BART/LLaMA name them).
//
//===----------------------------------------------------------------------===//
#include "AttentionCore.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;
using namespace mlir;

namespace {
class AttentionPlugin : public BlockPlugin {
public:
  std::string name() const override { return "attention"; }
  /// In a step loop, causal self-attention keeps a key/value cache of the loop's length;
  /// cross-attention (kv) reads its source as usual.
  bool stepwise() const override { return true; }
  /// Self-attention, cross-attention and a Transformer-XL memory with a dynamic batch or seq
  /// (keys over mem_len + seq positions); not inside a step loop.
  bool dynamicShapes() const override { return true; }
  bool ignoresPadding(const BlockInstance &inst) const override {
    return plugins::attentionIgnoresPadding(inst);
  }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "multi-head self-attention softmax(Q K^T / sqrt(d_head)) V "
           "(Vaswani et al. 2017 sec. 3.2; torch.nn.MultiheadAttention)";
  }
  std::vector<ParamSpec> params() const override {
    std::vector<ParamSpec> specs = {
            {"n_heads", ParamType::Int(), std::nullopt, "number of heads"},
            {"d_model", ParamType::Int(), ParamValue::ofInt(0),
             "model width; 0 takes the input's, any other value must equal it"},
            {"qkv", ParamType::Enum({"packed", "separate"}), ParamValue::ofSymbol("packed"),
             "one packed in_proj (PyTorch) or separate q/k/v projections"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "projection biases"},
            {"out_proj_name", ParamType::String(), ParamValue::ofString("out_proj"),
             "name of the output projection (Hugging Face LLaMA: \"o_proj\")"},
            {"memory", ParamType::Tensor(), ParamValue::ofSymbol("none"),
             "Transformer-XL memory: a [n_layers, batch, mem_len, d_model] tensor; keys and values "
             "come from concat(memory[layer], x)"},
            {"memory_out", ParamType::Output(), ParamValue::ofOutput(""),
             "an output of the memory's shape; slot `layer` gets the last mem_len rows of "
             "concat(memory[layer], x), the next segment's memory"},
            {"layer", ParamType::Int(), ParamValue::ofInt(0), "this layer's slot in memory"},
            {"kv", ParamType::Tensor(), ParamValue::ofSymbol("none"),
             "cross-attention: keys and values come from this f32 [batch, seq_kv, d_model] tensor "
             "(an encoder's output, torch's `memory`) instead of x"}};
    for (ParamSpec &s : plugins::attentionCoreParams())
      specs.push_back(std::move(s));
    return specs;
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
    if (!plugins::checkAttentionCoreParams(inst, ctx, inst.inputShape()[0]))
      return false;
    // Incremental decoding: one new query per step against the keys and values of every
    // earlier step, kept in caches [batch, steps, d_model].
    if (ctx.stepLoopLength() > 0 && !inst.tensorType("kv") &&
        !plugins::inferStepCache(inst, ctx, inst.inputShape()[0], d, {"key_lengths", "memory"}))
      return false;
    const std::vector<int64_t> &inShape = inst.inputShape();
    bool dynamic = std::any_of(inShape.begin(), inShape.end(), isDynamicDim);
    if (dynamic && ctx.stepLoopLength() > 0) {
      ctx.error("", "attention in a step loop does not support dynamic dimensions yet; "
                    "compile with static sizes");
      return false;
    }
    // Transformer-XL memory: keys and values over mem_len + seq positions.
    int64_t seqK = inst.inputShape()[1];
    if (const auto *type = inst.tensorType("kv")) {
      const std::vector<int64_t> &in = inst.inputShape();
      if (type->second != "f32" || type->first.size() != 3 || type->first[0] != in[0] ||
          type->first[2] != in[2]) {
        ctx.error("kv", "kv must be an f32 tensor [" + std::to_string(in[0]) + ", seq_kv, " +
                            std::to_string(in[2]) + "]");
        return false;
      }
      if (inst.tensorType("memory")) {
        ctx.error("kv", "cross-attention (kv) and a Transformer-XL memory do not combine");
        return false;
      }
      if (inst.getBool("causal")) {
        ctx.error("causal", "cross-attention (kv) attends to the whole source; causal masks "
                            "apply to self-attention");
        return false;
      }
      if (inst.param("position").block->kind != "none") {
        ctx.error("position", "cross-attention (kv) takes no position scheme (T5 and the "
                              "original Transformer use none there)");
        return false;
      }
      seqK = type->first[1];
    }
    if (const auto *type = inst.tensorType("memory")) {
      const std::vector<int64_t> &in = inst.inputShape();
      if (type->second != "f32" || type->first.size() != 4 || type->first[1] != in[0] ||
          type->first[3] != in[2]) {
        ctx.error("memory", "memory must be an f32 tensor [n_layers, " + std::to_string(in[0]) +
                                ", mem_len, " + std::to_string(in[2]) + "]");
        return false;
      }
      int64_t layer = inst.getInt("layer");
      if (layer < 0 || layer >= type->first[0]) {
        ctx.error("layer", "layer " + std::to_string(layer) + " is outside the memory's " +
                               std::to_string(type->first[0]) + " layers");
        return false;
      }
      // With a dynamic seq, seq_k is mem_len rows more than it ([?+mem_len]).
      seqK += type->first[2];
      if (const std::string &out = inst.param("memory_out").s; !out.empty() &&
          !ctx.claimOutputSlot("memory_out", out, layer, {in[0], type->first[2], in[2]}))
        return false;
    } else if (!inst.param("memory_out").s.empty()) {
      ctx.error("memory_out", "memory_out needs a memory input");
      return false;
    }
    if (!plugins::inferAttentionPosition(inst, ctx, inst.inputShape(), seqK))
      return false;
    // Each example's key length must lie in [0, seq_k]; the runtime checks it before the run.
    plugins::requireKeyLengthsRange(inst, ctx, seqK);
    out = inst.inputShape();
    return true;
  }
  /// t[:, rowOffset : rowOffset + nRows, colOffset : colOffset + nCols] of a [batch, seq, f]
  /// tensor; the row offset and count may be run-time values (a dynamic seq).
  static Value rows(OpBuilder &b, Location loc, Value t, OpFoldResult rowOffset,
                    OpFoldResult nRows, int64_t colOffset, int64_t nCols) {
    auto tt = cast<RankedTensorType>(t.getType());
    std::optional<int64_t> n = getConstantIntValue(nRows);
    auto type = RankedTensorType::get({tt.getDimSize(0), n ? *n : ShapedType::kDynamic, nCols},
                                      b.getF32Type());
    return tensor::ExtractSliceOp::create(
        b, loc, type, t, ArrayRef<OpFoldResult>{b.getIndexAttr(0), rowOffset, b.getIndexAttr(colOffset)},
        ArrayRef<OpFoldResult>{tensor::getMixedSize(b, loc, t, 0), nRows, b.getIndexAttr(nCols)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)});
  }
  Value emit(const BlockInstance &inst, EmitContext &ctx, Value x) const override {
    OpBuilder &b = ctx.builder();
    int64_t d = inst.inputShape().back();
    bool bias = inst.getBool("bias");
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t batch = xt.getDimSize(0);
    Location loc = ctx.loc();
    OpFoldResult seq = tensor::getMixedSize(b, loc, x, 1), batchSize = tensor::getMixedSize(b, loc, x, 0);
    // Keys and values read kvIn: x, or concat(memory[layer], x) (Transformer-XL).
    Value kvIn = x;
    int64_t mem = 0;
    if (Value memory = ctx.tensor("memory")) {
      auto mt = cast<RankedTensorType>(memory.getType());
      mem = mt.getDimSize(2);
      auto slotType = RankedTensorType::get({batch, mem, d}, b.getF32Type());
      Value slot = tensor::ExtractSliceOp::create(
          b, ctx.loc(), slotType, memory,
          ArrayRef<OpFoldResult>{b.getIndexAttr(inst.getInt("layer")), b.getIndexAttr(0),
                                 b.getIndexAttr(0), b.getIndexAttr(0)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), batchSize, b.getIndexAttr(mem),
                                 b.getIndexAttr(d)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1),
                                 b.getIndexAttr(1)});
      kvIn = tensor::ConcatOp::create(b, ctx.loc(), /*dim=*/1, ValueRange{slot, x});
      if (const std::string &out = inst.param("memory_out").s; !out.empty())
        ctx.writeOutput(out, inst.getInt("layer"),
                        rows(b, loc, kvIn, seq, b.getIndexAttr(mem), 0, d));
    }
    Value q, k, v;
    if (Value src = ctx.tensor("kv")) {
      // Cross-attention: queries from x, keys and values from the kv input.
      if (inst.getSymbol("qkv") == "packed") {
        // Rows [0, d) of in_proj project the queries, [d, 3d) the keys and values.
        auto weightRows = [&](Value t, int64_t from, int64_t n) {
          return plugins::leadingRows(b, ctx.loc(), t, from, n);
        };
        Value w = ctx.weight("in_proj_weight");
        Value bq = bias ? weightRows(ctx.weight("in_proj_bias"), 0, d) : Value();
        Value bkv = bias ? weightRows(ctx.weight("in_proj_bias"), d, 2 * d) : Value();
        auto proj = [&](Value in, Value wRows, Value bRows, int64_t n) -> Value {
          auto it = cast<RankedTensorType>(in.getType());
          return LinearOp::create(b, ctx.loc(),
                                  RankedTensorType::get({it.getDimSize(0), it.getDimSize(1), n}, b.getF32Type()),
                                  in, wRows, bRows);
        };
        q = proj(x, weightRows(w, 0, d), bq, d);
        Value kvProj = proj(src, weightRows(w, d, 2 * d), bkv, 2 * d);
        OpFoldResult sk = tensor::getMixedSize(b, loc, src, 1), zero = b.getIndexAttr(0);
        k = rows(b, loc, kvProj, zero, sk, 0, d);
        v = rows(b, loc, kvProj, zero, sk, d, d);
      } else {
        q = plugins::emitLinear(ctx, x, "q_proj.weight", bias ? "q_proj.bias" : "", d);
        k = plugins::emitLinear(ctx, src, "k_proj.weight", bias ? "k_proj.bias" : "", d);
        v = plugins::emitLinear(ctx, src, "v_proj.weight", bias ? "v_proj.bias" : "", d);
      }
    } else if (inst.getSymbol("qkv") == "packed") {
      Value qkv = plugins::emitLinear(ctx, kvIn, "in_proj_weight", bias ? "in_proj_bias" : "", 3 * d);
      OpFoldResult all = tensor::getMixedSize(b, loc, qkv, 1), zero = b.getIndexAttr(0);
      q = rows(b, loc, qkv, b.getIndexAttr(mem), seq, 0, d); // queries: the last seq positions
      k = rows(b, loc, qkv, zero, all, d, d);
      v = rows(b, loc, qkv, zero, all, 2 * d, d);
    } else {
      q = plugins::emitLinear(ctx, x, "q_proj.weight", bias ? "q_proj.bias" : "", d);
      k = plugins::emitLinear(ctx, kvIn, "k_proj.weight", bias ? "k_proj.bias" : "", d);
      v = plugins::emitLinear(ctx, kvIn, "v_proj.weight", bias ? "v_proj.bias" : "", d);
    }
    Value lengths = ctx.tensor("key_lengths");
    bool causal = inst.getBool("causal");
    if (ctx.stepLoopLength() > 0 && !inst.tensorType("kv"))
      plugins::emitStepCache(ctx, k, v, lengths, causal, batch);
    Value a = plugins::emitAttentionCore(inst, ctx, q, k, v, lengths, causal);
    const std::string &outName = inst.param("out_proj_name").s;
    return plugins::emitLinear(ctx, a, outName + ".weight", bias ? outName + ".bias" : "", d);
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(AttentionPlugin)
