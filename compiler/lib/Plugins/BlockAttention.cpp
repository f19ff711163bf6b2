//===- BlockAttention.cpp - Bi-BloSA's attentions (md_attention, source2token) -===//
//
// The primitives of bi-directional block self-attention (Shen et al. 2018, "Bi-directional
// block self-attention for fast and memory-efficient sequence modeling", sec. 3; the
// authors' context_fusion/self_attn.py), over tensors the spec computes itself:
//
// - `md_attention(values, dependent, head, direction, block_len, tanh_scale, key_lengths)`:
//   masked multi-dimensional token2token self-attention within blocks of block_len (0: the
//   whole sequence, DiSAN's directional self-attention); one logit per feature,
//   tanh_scale * tanh((dependent_j + head_i + f_bias) / tanh_scale), with the weight f_bias
//   [d]. Memory O(seq * d): the [block, block, d] logits are never stored.
// - `source2token(values, logits, block_len, key_lengths)`: per block (0: the whole
//   sequence), the softmax of the logits over positions per feature weighting the values:
//   [batch, n_blocks, d].
// - `repeat_interleave(e, like, repeats)`: block vectors [batch, n_blocks, d] back to
//   positions, torch.repeat_interleave(e, repeats, dim=1) cut to like's length.
//
// All are [batch, seq, d] with `key_lengths` [batch] masking positions at or past each
// example's length. md_attention takes dynamic batch and seq; source2token only with
// block_len 0 (the number of blocks of a dynamic seq is not one of its sizes).
//===----------------------------------------------------------------------===//
#include "AttentionCore.h"
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace loom;
using namespace mlir;

namespace {
using plugins::shapeStr;

/// The tensor parameters `names` are f32 with the input's shape [batch, seq, d].
bool sameShapeOperands(const BlockInstance &inst, InferContext &ctx, const char *block,
                       std::initializer_list<const char *> names) {
  const std::vector<int64_t> &x = inst.inputShape();
  if (x.size() != 3) {
    ctx.error("", std::string(block) + " takes [batch, seq, d] tensors, got " + shapeStr(x));
    return false;
  }
  for (const char *name : names) {
    const auto *t = inst.tensorType(name);
    if (t->second != "f32" || t->first != x) {
      ctx.error(name, std::string(name) + " must be f32 " + shapeStr(x) + " like the first operand, got " +
                          t->second + " " + shapeStr(t->first));
      return false;
    }
  }
  return true;
}

bool checkBlockLen(const BlockInstance &inst, InferContext &ctx) {
  if (inst.getInt("block_len") < 0) {
    ctx.error("block_len", "block_len must be >= 0 (0: the whole sequence), got " +
                               std::to_string(inst.getInt("block_len")));
    return false;
  }
  return true;
}

ParamSpec blockLenParam() {
  return {"block_len", ParamType::Int(), ParamValue::ofInt(0),
          "positions per block (the paper's r); 0: one block of the whole sequence"};
}
ParamSpec keyLengthsParam() {
  return {"key_lengths", ParamType::Tensor(), ParamValue::ofSymbol("none"),
          "a [batch] i32/i64 tensor: positions at or past each example's length are masked"};
}

class MdAttentionPlugin : public BlockPlugin {
public:
  std::string name() const override { return "md_attention"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  bool dynamicShapes() const override { return true; }
  /// Padded keys are masked and padded queries yield 0: valid rows never read the padding.
  bool ignoresPadding(const BlockInstance &inst) const override {
    return inst.tensorType("key_lengths") != nullptr;
  }
  std::string summary() const override {
    return "masked multi-dimensional token2token self-attention within blocks: per feature, "
           "softmax_j(c tanh((dependent_j + head_i + f_bias) / c)) over the keys before "
           "(forward) or after (backward) the query (Shen et al. 2018, Bi-BloSA sec. 3; "
           "DiSAN)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"dependent", ParamType::Tensor(), std::nullopt,
             "the keys' term [batch, seq, d] (linear_dependent)"},
            {"head", ParamType::Tensor(), std::nullopt, "the queries' term [batch, seq, d] (linear_head)"},
            {"direction", ParamType::Enum({"forward", "backward", "diag"}), ParamValue::ofSymbol("forward"),
             "forward: keys before the query; backward: keys after it; diag: all but itself"},
            blockLenParam(),
            {"tanh_scale", ParamType::Float(), ParamValue::ofFloat(5.0),
             "c of the logits' c tanh(x / c) (the authors' scaled_tanh)"},
            keyLengthsParam()};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    if (!sameShapeOperands(inst, ctx, "md_attention", {"dependent", "head"}) || !checkBlockLen(inst, ctx))
      return false;
    const std::vector<int64_t> &x = inst.inputShape();
    double c = inst.getFloat("tanh_scale");
    if (!(c > 0 && c <= 60)) {
      ctx.error("tanh_scale", "tanh_scale must be in (0, 60], got " + std::to_string(c));
      return false;
    }
    if (!plugins::checkKeyLengths(inst, ctx, x[0]))
      return false;
    plugins::requireKeyLengthsRange(inst, ctx, x[1]);
    weights = {{"f_bias", {x[2]}}};
    out = x;
    return true;
  }
  Value emit(const BlockInstance &inst, EmitContext &ctx, Value values) const override {
    OpBuilder &b = ctx.builder();
    return MdAttentionOp::create(b, ctx.loc(), values.getType(), values, ctx.tensor("dependent"),
                                 ctx.tensor("head"), ctx.weight("f_bias"), ctx.tensor("key_lengths"),
                                 b.getStringAttr(inst.getSymbol("direction")),
                                 b.getI64IntegerAttr(inst.getInt("block_len")),
                                 b.getF32FloatAttr(static_cast<float>(inst.getFloat("tanh_scale"))));
  }
};

class Source2TokenPlugin : public BlockPlugin {
public:
  std::string name() const override { return "source2token"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  bool dynamicShapes() const override { return true; }
  std::string summary() const override {
    return "multi-dimensional source2token self-attention: per block and feature, "
           "sum_j softmax_j(logits) values_j -> [batch, n_blocks, d] (Shen et al. 2018, "
           "Bi-BloSA sec. 3; DiSAN)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"logits", ParamType::Tensor(), std::nullopt, "the scores [batch, seq, d]"}, blockLenParam(),
            keyLengthsParam()};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    if (!sameShapeOperands(inst, ctx, "source2token", {"logits"}) || !checkBlockLen(inst, ctx))
      return false;
    const std::vector<int64_t> &x = inst.inputShape();
    int64_t bl = inst.getInt("block_len");
    if (bl > 0 && isDynamicDim(x[1])) {
      ctx.error("block_len", "blocks of a dynamic sequence are not supported yet: compile with a "
                             "static seq, or block_len = 0");
      return false;
    }
    if (!plugins::checkKeyLengths(inst, ctx, x[0]))
      return false;
    plugins::requireKeyLengthsRange(inst, ctx, x[1]);
    out = {x[0], bl == 0 ? 1 : (x[1] + bl - 1) / bl, x[2]};
    return true;
  }
  Value emit(const BlockInstance &inst, EmitContext &ctx, Value values) const override {
    OpBuilder &b = ctx.builder();
    auto vt = cast<RankedTensorType>(values.getType());
    int64_t bl = inst.getInt("block_len");
    int64_t n = bl == 0 ? 1 : (vt.getDimSize(1) + bl - 1) / bl;
    auto rt = RankedTensorType::get({vt.getDimSize(0), n, vt.getDimSize(2)}, b.getF32Type());
    return Source2TokenOp::create(b, ctx.loc(), rt, values, ctx.tensor("logits"), ctx.tensor("key_lengths"),
                                  b.getI64IntegerAttr(bl));
  }
};

class RepeatInterleavePlugin : public BlockPlugin {
public:
  std::string name() const override { return "repeat_interleave"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "block vectors [batch, n_blocks, d] to positions: each repeated `repeats` times "
           "along dim 1, cut to like's length (torch.repeat_interleave)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"like", ParamType::Tensor(), std::nullopt, "a [batch, seq, *] tensor whose seq the result takes"},
            {"repeats", ParamType::Int(), std::nullopt, "positions per block"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    const std::vector<int64_t> &e = inst.inputShape();
    const std::vector<int64_t> &like = inst.tensorType("like")->first;
    int64_t r = inst.getInt("repeats");
    if (r <= 0) {
      ctx.error("repeats", "repeats must be positive, got " + std::to_string(r));
      return false;
    }
    if (e.size() != 3 || like.size() < 2 || e[0] != like[0] ||
        (e[1] - 1) * r >= like[1] || e[1] * r < like[1]) {
      ctx.error("like", "e must be [batch, n_blocks, d] blocks of " + std::to_string(r) +
                            " covering like's [batch, seq, ...] (n_blocks = ceil(seq / repeats)), got " +
                            shapeStr(e) + " and " + shapeStr(like));
      return false;
    }
    out = {e[0], like[1], e[2]};
    return true;
  }
  Value emit(const BlockInstance &inst, EmitContext &ctx, Value e) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    auto et = cast<RankedTensorType>(e.getType());
    int64_t batch = et.getDimSize(0), n = et.getDimSize(1), d = et.getDimSize(2), r = inst.getInt("repeats");
    int64_t seq = cast<RankedTensorType>(ctx.tensor("like").getType()).getDimSize(1);
    Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{batch, n, r, d}, b.getF32Type());
    Value rep = linalg::BroadcastOp::create(b, loc, e, init, ArrayRef<int64_t>{2}).getResult()[0];
    Value flat = tensor::CollapseShapeOp::create(b, loc, rep, ArrayRef<ReassociationIndices>{{0}, {1, 2}, {3}});
    if (n * r == seq)
      return flat;
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({batch, seq, d}, b.getF32Type()), flat,
        ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0), b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(batch), b.getIndexAttr(seq), b.getIndexAttr(d)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1), b.getIndexAttr(1)});
  }
};

} // namespace

LOOM_REGISTER_PLUGIN(MdAttentionPlugin)
LOOM_REGISTER_PLUGIN(Source2TokenPlugin)
LOOM_REGISTER_PLUGIN(RepeatInterleavePlugin)
