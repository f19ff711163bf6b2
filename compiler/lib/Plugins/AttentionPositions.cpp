//===- AttentionPositions.cpp - position schemes inside attention ---------===//
//
//   none   no position information inside attention
//   rope   rotary embedding of q and k (Su et al. 2021, RoFormer)
//   alibi  linear distance bias on the scores (Press et al. 2022)
//   t5     learned bucketed relative bias (Raffel et al. 2020)
//   shaw   learned relative key/value embeddings (Shaw et al. 2018)
//   deberta disentangled relative attention (He et al. 2021)
//   xl     Transformer-XL's relative sinusoidal positions (Dai et al. 2019), Hugging Face names
//   rel_pos the same over both directions, as the Conformer paper and ESPnet use it
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;
using namespace mlir;

namespace {

/// The dynamic sizes of a [n_heads, seq_q, seq_k] score bias (tensor.empty's order): the
/// run-time lengths of the queries `q` and keys `k` that are dynamic.
SmallVector<Value> biasSizes(OpBuilder &b, Location loc, const AttentionGeometry &g, Value q,
                             Value k) {
  SmallVector<Value> sizes;
  if (isDynamicDim(g.seqQ))
    sizes.push_back(tensor::DimOp::create(b, loc, q, 1));
  if (isDynamicDim(g.seqK))
    sizes.push_back(tensor::DimOp::create(b, loc, k, 1));
  return sizes;
}

/// The dynamic sizes of a [batch, n_heads, seq_q, seq_k] term (relative_logits' order): the
/// run-time batch, and the lengths of the queries `q` and keys `k` that are dynamic.
SmallVector<Value> logitSizes(OpBuilder &b, Location loc, const AttentionGeometry &g, Value q,
                              Value k) {
  SmallVector<Value> sizes;
  if (isDynamicDim(g.batch))
    sizes.push_back(tensor::DimOp::create(b, loc, q, 0));
  sizes.append(biasSizes(b, loc, g, q, k));
  return sizes;
}

class NoPositionPlugin : public AttentionPositionPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "none"; }
  /// Adds nothing: any shape, dynamic dimensions included.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override { return "no position information inside attention"; }
  std::vector<ParamSpec> params() const override { return {}; }
  bool inferInAttention(const BlockInstance &, const AttentionGeometry &, InferContext &,
                        std::vector<WeightSpec> &) const override {
    return true;
  }
};

class RopePlugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "rope"; }
  /// With a dynamic seq, q and k have the same (dynamic) length, so neither is offset.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "rotary position embedding of q and k (Su et al. 2021, RoFormer sec. 3.4)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"base", ParamType::Float(), ParamValue::ofFloat(10000.0), "theta_i = base^(-2i/rotary_dim)"},
            {"rotary_dim", ParamType::Int(), ParamValue::ofInt(0),
             "rotated features per head (even); 0 = all of d_head (partial rotary otherwise)"},
            {"convention", ParamType::Enum({"rotate_half", "interleaved"}),
             ParamValue::ofSymbol("rotate_half"),
             "rotate_half: pairs (i, i + rotary_dim/2), GPT-NeoX / Hugging Face (default); "
             "interleaved: pairs (2i, 2i+1), RoFormer / GPT-J / Meta LLaMA"}};
  }
  static int64_t rotaryDim(const BlockInstance &inst, const AttentionGeometry &g) {
    return inst.getInt("rotary_dim") == 0 ? g.dHead : inst.getInt("rotary_dim");
  }
  bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g, InferContext &ctx,
                        std::vector<WeightSpec> &) const override {
    int64_t rot = rotaryDim(inst, g);
    if (isDynamicDim(g.seqQ) != isDynamicDim(g.seqK)) {
      ctx.error("", "RoPE needs the queries' offset among the keys: their lengths must both be "
                    "static or both dynamic");
      return false;
    }
    if (inst.getInt("rotary_dim") == 0 && g.dHead % 2 != 0) {
      ctx.error("", "RoPE rotates feature pairs, but d_head = " + std::to_string(g.dHead) +
                        " (d_model " + std::to_string(g.dModel) + " / " +
                        std::to_string(g.nHeads) + " heads) is odd; set an even rotary_dim");
      return false;
    }
    if (rot <= 0 || rot % 2 != 0 || rot > g.dHead) {
      ctx.error("rotary_dim", "rotary_dim must be even and in (0, d_head = " +
                                  std::to_string(g.dHead) + "], got " + std::to_string(rot));
      return false;
    }
    if (!(inst.getFloat("base") > 1.0)) {
      ctx.error("base", "base must be > 1");
      return false;
    }
    return true;
  }
  void transformQK(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g,
                   Value &q, Value &k) const override {
    OpBuilder &b = ctx.builder();
    auto rope = [&](Value x, int64_t offset) -> Value {
      return RopeOp::create(b, ctx.loc(), x, b.getI64IntegerAttr(g.nHeads),
                            b.getI64IntegerAttr(rotaryDim(inst, g)),
                            b.getF64FloatAttr(inst.getFloat("base")),
                            b.getBoolAttr(inst.getSymbol("convention") == "interleaved"),
                            b.getI64IntegerAttr(offset));
    };
    // Queries are the last seq_q of the seq_k positions.
    q = rope(q, g.seqK - g.seqQ);
    k = rope(k, 0);
  }
};

class AlibiPlugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "alibi"; }
  /// The bias is computed for the run-time lengths.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "linear distance bias -m_h |i - j| on the scores, the paper's slopes (Press et al. 2022)";
  }
  std::vector<ParamSpec> params() const override { return {}; }
  bool inferInAttention(const BlockInstance &, const AttentionGeometry &, InferContext &,
                        std::vector<WeightSpec> &) const override {
    return true;
  }
  Value scoreBias(const BlockInstance &, EmitContext &ctx, const AttentionGeometry &g, Value q,
                  Value k) const override {
    OpBuilder &b = ctx.builder();
    return AlibiBiasOp::create(b, ctx.loc(), plugins::f32Tensor(b, {g.nHeads, g.seqQ, g.seqK}),
                               biasSizes(b, ctx.loc(), g, q, k), b.getI64IntegerAttr(g.nHeads));
  }
};

class T5Plugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "t5"; }
  /// The bias is computed for the run-time lengths.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "learned bucketed relative position bias (Raffel et al. 2020 sec. 2.1; Hugging Face "
           "_relative_position_bucket)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"num_buckets", ParamType::Int(), ParamValue::ofInt(32), "rows of the bias table"},
            {"max_distance", ParamType::Int(), ParamValue::ofInt(128),
             "distances beyond share the last bucket"},
            {"bidirectional", ParamType::Bool(), ParamValue::ofBool(true),
             "true: encoder buckets (before/after); false: decoder (causal) buckets"}};
  }
  bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g, InferContext &ctx,
                        std::vector<WeightSpec> &weights) const override {
    int64_t buckets = inst.getInt("num_buckets");
    int64_t per = buckets / (inst.getBool("bidirectional") ? 2 : 1);
    if (per < 2 || (inst.getBool("bidirectional") && buckets % 2 != 0)) {
      ctx.error("num_buckets", "num_buckets must be >= 2 (an even number >= 4 when bidirectional)");
      return false;
    }
    if (inst.getInt("max_distance") <= per / 2) {
      ctx.error("max_distance", "max_distance must exceed the " + std::to_string(per / 2) +
                                    " exact buckets");
      return false;
    }
    // nn.Embedding(num_buckets, n_heads), as Hugging Face's relative_attention_bias.
    weights.push_back({"weight", {buckets, g.nHeads}});
    return true;
  }
  Value scoreBias(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g, Value q,
                  Value k) const override {
    OpBuilder &b = ctx.builder();
    // The buckets depend on the lengths: dynamic ones size the bias when the model runs.
    return T5BiasOp::create(b, ctx.loc(), plugins::f32Tensor(b, {g.nHeads, g.seqQ, g.seqK}),
                            ctx.weight("weight"), biasSizes(b, ctx.loc(), g, q, k),
                            b.getI64IntegerAttr(inst.getInt("max_distance")),
                            b.getBoolAttr(inst.getBool("bidirectional")));
  }
};

class ShawPlugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "shaw"; }
  /// Distances are computed at run time from the queries' offset among the keys.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "learned relative key (and value) embeddings, distance clipped to max_distance "
           "(Shaw et al. 2018 sec. 3)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"max_distance", ParamType::Int(), ParamValue::ofInt(16), "clipping distance k"},
            {"values", ParamType::Bool(), ParamValue::ofBool(true),
             "also learn relative value embeddings (a^V)"}};
  }
  bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g, InferContext &ctx,
                        std::vector<WeightSpec> &weights) const override {
    int64_t k = inst.getInt("max_distance");
    if (k <= 0) {
      ctx.error("max_distance", "max_distance must be positive");
      return false;
    }
    // [2k + 1, d_head] tables shared by all heads, rows for distances -k..k.
    weights.push_back({"relative_keys", {2 * k + 1, g.dHead}});
    if (inst.getBool("values"))
      weights.push_back({"relative_values", {2 * k + 1, g.dHead}});
    return true;
  }
  Value scoreBias(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g, Value q,
                  Value k) const override {
    OpBuilder &b = ctx.builder();
    return RelativeLogitsOp::create(
        b, ctx.loc(), plugins::f32Tensor(b, {g.batch, g.nHeads, g.seqQ, g.seqK}), q,
        ctx.weight("relative_keys"), logitSizes(b, ctx.loc(), g, q, k), b.getI64IntegerAttr(g.nHeads),
        b.getI64IntegerAttr(inst.getInt("max_distance")),
        b.getF32FloatAttr(static_cast<float>(g.scale)), b.getStringAttr("shaw"));
  }
  std::pair<Value, int64_t> relativeValues(const BlockInstance &inst, EmitContext &ctx,
                                           const AttentionGeometry &) const override {
    if (!inst.getBool("values"))
      return {Value(), 0};
    return {ctx.weight("relative_values"), inst.getInt("max_distance")};
  }
};

class DebertaPlugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "deberta"; }
  /// Distances are computed at run time from the queries' offset among the keys.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "disentangled attention: content-to-position and position-to-content terms over "
           "learned relative embeddings, scores / sqrt(3 d_head) (He et al. 2021 sec. 3.1)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"max_distance", ParamType::Int(), ParamValue::ofInt(128),
             "k: relative distances clipped to [-k, k - 1] (2k embeddings)"}};
  }
  double scoreScaleFactor() const override { return 3.0; }
  bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g, InferContext &ctx,
                        std::vector<WeightSpec> &weights) const override {
    int64_t k = inst.getInt("max_distance");
    if (k <= 0) {
      ctx.error("max_distance", "max_distance must be positive");
      return false;
    }
    // P [2k, d_model] and its key/query projections W_k,r and W_q,r.
    weights = {{"rel_embeddings", {2 * k, g.dModel}},
               {"pos_key_proj.weight", {g.dModel, g.dModel}},
               {"pos_key_proj.bias", {g.dModel}},
               {"pos_query_proj.weight", {g.dModel, g.dModel}},
               {"pos_query_proj.bias", {g.dModel}}};
    return true;
  }
  Value scoreBias(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g, Value q,
                  Value k) const override {
    OpBuilder &b = ctx.builder();
    int64_t kMax = inst.getInt("max_distance");
    Value p = ctx.weight("rel_embeddings");
    Value kr = plugins::emitLinear(ctx, p, "pos_key_proj.weight", "pos_key_proj.bias", g.dModel);
    Value qr = plugins::emitLinear(ctx, p, "pos_query_proj.weight", "pos_query_proj.bias", g.dModel);
    auto term = [&](Value x, Value table, StringRef mode) -> Value {
      return RelativeLogitsOp::create(
          b, ctx.loc(), plugins::f32Tensor(b, {g.batch, g.nHeads, g.seqQ, g.seqK}), x, table,
          logitSizes(b, ctx.loc(), g, q, k), b.getI64IntegerAttr(g.nHeads), b.getI64IntegerAttr(kMax),
          b.getF32FloatAttr(static_cast<float>(g.scale)), b.getStringAttr(mode));
    };
    return AddOp::create(b, ctx.loc(), term(q, kr, "c2p"), term(k, qr, "p2c"));
  }
};

class XLPlugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "xl"; }
  /// With dynamic lengths, the table of distances is computed for the run-time seq_k and
  /// the queries' offset among the keys (an XL memory's mem_len) is read at run time.
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "Transformer-XL relative positions: (q + u) k^T + (q + v) (W_R R_{i-j})^T with "
           "sinusoidal R (Dai et al. 2019 sec. 3.3)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"d_model", ParamType::Int(), ParamValue::ofInt(0),
             "width of the sinusoidal table R and of r_net's input (Hugging Face TransfoXL: "
             "d_model, while r_net outputs n_heads * d_head); 0 = the attention's width"}};
  }
  /// The width of R: d_model, or the attention's width n_heads * d_head.
  static int64_t tableWidth(const BlockInstance &inst, const AttentionGeometry &g) {
    return inst.getInt("d_model") == 0 ? g.dModel : inst.getInt("d_model");
  }
  bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g, InferContext &ctx,
                        std::vector<WeightSpec> &weights) const override {
    int64_t width = tableWidth(inst, g);
    if (width < 0 || width % 2 != 0) {
      ctx.error(inst.getInt("d_model") ? "d_model" : "",
                "the sinusoidal table needs an even, positive width (d_model), got " +
                    std::to_string(width));
      return false;
    }
    // Hugging Face TransfoXL names: r_net (W_R, no bias), r_w_bias (u), r_r_bias (v).
    weights = {{"r_net.weight", {g.dModel, width}},
               {"r_w_bias", {g.nHeads, g.dHead}},
               {"r_r_bias", {g.nHeads, g.dHead}}};
    return true;
  }
  /// x + alpha * bias, the per-head bias [n_heads, d_head] flattened to [d_model].
  static Value addHeadBias(EmitContext &ctx, Value x, const std::string &bias, float alpha) {
    OpBuilder &b = ctx.builder();
    Value flat = tensor::CollapseShapeOp::create(b, ctx.loc(), ctx.weight(bias),
                                                 ArrayRef<ReassociationIndices>{{0, 1}});
    return AddBiasOp::create(b, ctx.loc(), x.getType(), x, flat, b.getF32FloatAttr(alpha));
  }
  /// The position term's queries q + v from the content term's q + u: (q + u) - u + v.
  static Value positionQueries(EmitContext &ctx, Value qu, const std::string &u, const std::string &v) {
    return addHeadBias(ctx, addHeadBias(ctx, qu, v, 1.0f), u, -1.0f);
  }
  /// `table` [rows, d] placed after `zeroRows` zero rows: [zeroRows + rows, d], so that
  /// relative_logits' c2p reads zeros for the distances before the table's first.
  static Value afterZeroRows(OpBuilder &b, Location loc, Value table, OpFoldResult zeroRows,
                             int64_t resultRows, int64_t d) {
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    return tensor::PadOp::create(b, loc, plugins::f32Tensor(b, {resultRows, d}), table,
                                 ArrayRef<OpFoldResult>{zeroRows, b.getIndexAttr(0)},
                                 ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)}, zero);
  }
  /// relative_logits of the position queries `qv` over `table` ([batch, n_heads, seq_q, seq_k]).
  static Value relativeTerm(OpBuilder &b, Location loc, const AttentionGeometry &g, Value q, Value keys,
                            Value qv, Value table, int64_t maxDistance, StringRef mode) {
    return RelativeLogitsOp::create(
        b, loc, plugins::f32Tensor(b, {g.batch, g.nHeads, g.seqQ, g.seqK}), qv, table,
        logitSizes(b, loc, g, q, keys), b.getI64IntegerAttr(g.nHeads), b.getI64IntegerAttr(maxDistance),
        b.getF32FloatAttr(static_cast<float>(g.scale)), b.getStringAttr(mode));
  }
  void transformQK(const BlockInstance &, EmitContext &ctx, const AttentionGeometry &, Value &q,
                   Value &) const override {
    q = addHeadBias(ctx, q, "r_w_bias", 1.0f); // the content term uses q + u
  }
  Value scoreBias(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g, Value q,
                  Value keys) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    Value qv = positionQueries(ctx, q, "r_w_bias", "r_r_bias");
    // R'[dist] = W_R R[dist] for distances 0..seq_k-1, placed after seq_k zero rows so that
    // c2p's row clip(p - j, -k, k - 1) + k reads R'[p - j] (and zeros for j > p, which the
    // causal mask removes anyway).
    int64_t k = g.seqK;
    if (isDynamicDim(k)) {
      // The same table for the run-time seq_k: R'[0, seq_k) after seq_k zero rows, and
      // relative_logits with max_distance 0 (k = seq_k, read from the table).
      Value sk = tensor::DimOp::create(b, loc, keys, 1);
      Value r = SinusoidalTableOp::create(b, loc, plugins::f32Tensor(b, {k, tableWidth(inst, g)}),
                                          ValueRange{sk}, Value(), b.getF64FloatAttr(10000.0),
                                          b.getBoolAttr(false));
      Value rp = plugins::emitLinear(ctx, r, "r_net.weight", "", g.dModel);
      Value table = afterZeroRows(b, loc, rp, sk, kDynamicDim, g.dModel);
      return relativeTerm(b, loc, g, q, keys, qv, table, 0, "c2p");
    }
    Value r = SinusoidalTableOp::create(b, loc, plugins::f32Tensor(b, {k, tableWidth(inst, g)}),
                                        ValueRange{}, Value(), b.getF64FloatAttr(10000.0),
                                        b.getBoolAttr(false));
    Value rp = plugins::emitLinear(ctx, r, "r_net.weight", "", g.dModel);
    auto zerosType = plugins::f32Tensor(b, {k, g.dModel});
    Value zeros = arith::ConstantOp::create(b, loc, DenseElementsAttr::get(zerosType, 0.0f));
    Value table = tensor::ConcatOp::create(b, loc, 0, ValueRange{zeros, rp});
    return relativeTerm(b, loc, g, q, keys, qv, table, k, "c2p");
  }
};

/// ESPnet's RelPositionMultiHeadedAttention (rel_pos_type latest) and
/// LegacyRelPositionMultiHeadedAttention (legacy): Transformer-XL's relative positions in
/// self-attention over both directions, the Conformer paper's choice (Gulati et al. 2020 sec.
/// 2.1). scores = ((q + u) k^T + rel_shift((q + v) P^T)) / sqrt(d_head) with P = linear_pos
/// over interleaved sinusoids (ESPnet's embedding.py: sin at even, cos at odd features).
///   latest: P embeds the positions T-1..-(T-1) (RelPositionalEncoding); rel_shift keeps
///     term[i, j] = (q_i + v) . P(i - j): relative_logits c2p over the table of positions
///     -T..T-1 (row r = position r - T).
///   legacy: P embeds the positions M-1..M-T, M = max(max_len, T)
///     (LegacyRelPositionalEncoding's table, built for max_len at construction); rel_shift
///     is the XL shift over T columns, whose upper triangle reads the next query's row:
///     relative_logits xl_shift.
///   zero_triu zeroes term[i, j] for j > i in both.
///   wenet: WeNet's RelPositionMultiHeadedAttention over its RelPositionalEncoding, whose
///     table embeds the positions 0..T-1 and is not shifted (its matrix_bd already has the
///     scores' shape): term[i, j] = (q_i + v) . P(j), relative_logits key_position.
class RelPosPlugin : public AttentionPositionPlugin {
public:
  std::string name() const override { return "rel_pos"; }
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "relative sinusoidal positions in both directions, ESPnet's "
           "RelPositionMultiHeadedAttention: (q + u) k^T + rel_shift((q + v) P^T) (Dai et al. "
           "2019 sec. 3.3; Gulati et al. 2020 sec. 2.1)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"rel_pos_type", ParamType::Enum({"latest", "legacy", "wenet"}), ParamValue::ofSymbol("latest"),
             "latest: RelPositionalEncoding over 2T-1 distances (ESPnet2's default); legacy: "
             "LegacyRelPositionalEncoding and its XL rel_shift; wenet: WeNet's table of the "
             "positions 0..T-1, no rel_shift"},
            {"max_len", ParamType::Int(), ParamValue::ofInt(5000),
             "legacy: the length LegacyRelPositionalEncoding is built for (its positions count "
             "down from max(max_len, T) - 1)"},
            {"zero_triu", ParamType::Bool(), ParamValue::ofBool(false),
             "zero the position term above the diagonal (j > i), ESPnet's zero_triu"}};
  }
  bool inferInAttention(const BlockInstance &inst, const AttentionGeometry &g, InferContext &ctx,
                        std::vector<WeightSpec> &weights) const override {
    if (g.seqQ != g.seqK) {
      auto dim = [](int64_t d) {
        return !isDynamicDim(d) ? std::to_string(d)
               : dynamicExtra(d) ? "?+" + std::to_string(dynamicExtra(d)) : std::string("?");
      };
      ctx.error("", "rel_pos is self-attention: the queries and keys need the same length, got " +
                        dim(g.seqQ) + " and " + dim(g.seqK));
      return false;
    }
    if (g.dModel % 2 != 0) {
      ctx.error("", "the sinusoidal table needs an even width (n_heads * d_head), got " +
                        std::to_string(g.dModel));
      return false;
    }
    if (inst.getSymbol("rel_pos_type") == "wenet" && inst.getBool("zero_triu")) {
      ctx.error("zero_triu", "zero_triu applies to a rel_shift; rel_pos_type wenet has none");
      return false;
    }
    if (inst.getInt("max_len") <= 0) {
      ctx.error("max_len", "max_len must be positive");
      return false;
    }
    // ESPnet names: linear_pos (no bias), pos_bias_u, pos_bias_v, each [n_heads, d_k].
    weights = {{"linear_pos.weight", {g.dModel, g.dModel}},
               {"pos_bias_u", {g.nHeads, g.dHead}},
               {"pos_bias_v", {g.nHeads, g.dHead}}};
    return true;
  }
  void transformQK(const BlockInstance &, EmitContext &ctx, const AttentionGeometry &, Value &q,
                   Value &) const override {
    q = XLPlugin::addHeadBias(ctx, q, "pos_bias_u", 1.0f);
  }
  Value scoreBias(const BlockInstance &inst, EmitContext &ctx, const AttentionGeometry &g, Value q,
                  Value keys) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    Value qv = XLPlugin::positionQueries(ctx, q, "pos_bias_u", "pos_bias_v");
    bool dynamic = isDynamicDim(g.seqK), legacy = inst.getSymbol("rel_pos_type") == "legacy";
    if (inst.getSymbol("rel_pos_type") == "wenet") {
      // term[i, j] = (q_i + v) . P[j], P = linear_pos over the positions 0..T-1.
      SmallVector<Value> rowSizes;
      if (dynamic)
        rowSizes.push_back(tensor::DimOp::create(b, loc, keys, 1));
      Value r = SinusoidalTableOp::create(b, loc, plugins::f32Tensor(b, {g.seqK, g.dModel}), rowSizes, Value(),
                                          b.getF64FloatAttr(10000.0), b.getBoolAttr(true));
      Value p = plugins::emitLinear(ctx, r, "linear_pos.weight", "", g.dModel);
      return XLPlugin::relativeTerm(b, loc, g, q, keys, qv, p, 0, "key_position");
    }
    bool zeroTriu = inst.getBool("zero_triu");
    auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v).getResult(); };
    int64_t maxLen = inst.getInt("max_len");
    // The table's rows when static (no arithmetic on a dynamic length's kDynamicDim code).
    int64_t rows = dynamic ? kDynamicDim : legacy ? g.seqK : 2 * g.seqK;
    // T, and the first embedded position: latest -T (positions -T..T-1); legacy M - T
    // (positions M-T..M-1) with M = max(max_len, T). Constants for a static T.
    Value t, offset;
    if (dynamic) {
      t = tensor::DimOp::create(b, loc, keys, 1);
      offset = legacy ? arith::SubIOp::create(b, loc, arith::MaxSIOp::create(b, loc, cst(maxLen), t), t).getResult()
                      : arith::SubIOp::create(b, loc, cst(0), t).getResult();
    } else {
      offset = cst(legacy ? std::max(maxLen, g.seqK) - g.seqK : -g.seqK);
    }
    SmallVector<Value> rowSizes;
    if (dynamic)
      rowSizes.push_back(legacy ? t : arith::MulIOp::create(b, loc, t, cst(2)).getResult());
    if (zeroTriu) { // only the positions i - j >= 0 of the lower triangle: T rows from P(offset)
      rows = dynamic ? kDynamicDim : g.seqK;
      offset = legacy ? offset : cst(0);
      rowSizes.assign(dynamic ? 1 : 0, t);
    }
    int64_t width = g.dModel;
    Value r = SinusoidalTableOp::create(b, loc, plugins::f32Tensor(b, {dynamic ? kDynamicDim : rows, width}),
                                        rowSizes, offset, b.getF64FloatAttr(10000.0), b.getBoolAttr(true));
    Value p = plugins::emitLinear(ctx, r, "linear_pos.weight", "", g.dModel);
    if (!zeroTriu)
      return XLPlugin::relativeTerm(b, loc, g, q, keys, qv, p, 0, legacy ? "xl_shift" : "c2p");
    // zero_triu: c2p over T zero rows (the distances j > i) followed by the T rows of P.
    Value table = XLPlugin::afterZeroRows(b, loc, p, dynamic ? OpFoldResult(t) : b.getIndexAttr(g.seqK),
                                          dynamic ? kDynamicDim : 2 * g.seqK, g.dModel);
    return XLPlugin::relativeTerm(b, loc, g, q, keys, qv, table, 0, "c2p");
  }
};

} // namespace

LOOM_REGISTER_PLUGIN(RelPosPlugin)
LOOM_REGISTER_PLUGIN(XLPlugin)
LOOM_REGISTER_PLUGIN(DebertaPlugin)
LOOM_REGISTER_PLUGIN(ShawPlugin)
LOOM_REGISTER_PLUGIN(T5Plugin)
LOOM_REGISTER_PLUGIN(NoPositionPlugin)
LOOM_REGISTER_PLUGIN(RopePlugin)
LOOM_REGISTER_PLUGIN(AlibiPlugin)
