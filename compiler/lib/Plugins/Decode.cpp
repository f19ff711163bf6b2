//===- Decode.cpp - `greedy_decode`: autoregressive decoding in the executable ---===//
//
// Runs a decoder step by step inside the compiled program (`loom.greedy_decode`): each step
// embeds the previous token, runs the step body (decoder layers whose causal self-attention
// keeps a key/value cache, so earlier positions are never recomputed) and takes the argmax
// of the logits, until every sequence has emitted `eos` or `max_len` tokens exist. This is
// the greedy search of Vaswani et al. 2017 (sec. 6.1 uses beam search; greedy is its
// beam-1 case) and of Hugging Face's `generate(num_beams=1, do_sample=False)`.
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

using namespace loom;
using namespace loom::plugins;
using namespace mlir;

namespace {
class GreedyDecodePlugin : public BlockPlugin {
public:
  std::string name() const override { return "greedy_decode"; }
  /// The source (read by the step's cross-attention) may have a dynamic length; the
  /// batch and the steps stay static.
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "greedy autoregressive decoding with a key/value cache: [batch, ...] -> the logits "
           "of each step [batch, max_len, vocab] (Vaswani et al. 2017; HF generate, 1 beam)";
  }
  std::vector<ParamSpec> params() const override {
    return {
        {"step", ParamType::Block(std::nullopt), std::nullopt,
         "one step: token ids [batch, 1] -> logits [batch, 1, vocab] (an embedding first, "
         "then stepwise blocks; cross-attention reads a captured encoder output)"},
        {"max_len", ParamType::Int(), std::nullopt, "the most tokens to generate"},
        {"bos", ParamType::Int(), std::nullopt, "the token fed at the first step"},
        {"eos", ParamType::Int(), ParamValue::ofInt(-1),
         "a sequence finishes when it emits this token; -1: run max_len steps"},
        {"pad", ParamType::Int(), ParamValue::ofInt(0), "the token after a sequence finished"},
        {"ids", ParamType::Output(), ParamValue::ofOutput(""),
         "an i64 [batch, max_len] output receiving the generated tokens"},
    };
  }

  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    int64_t batch = inst.inputShape()[0], maxLen = inst.getInt("max_len");
    if (isDynamicDim(batch)) {
      ctx.error("", "greedy decoding with a dynamic batch is not supported yet; compile with "
                    "a static batch (a dynamic source length works)");
      return false;
    }
    if (maxLen < 1) {
      ctx.error("max_len", "max_len must be at least 1, got " + std::to_string(maxLen));
      return false;
    }
    int64_t tokenBound = 0;
    auto shape = ctx.inferStepBody("step", {batch, 1}, maxLen, tokenBound);
    if (!shape)
      return false;
    if (shape->size() != 3 || (*shape)[0] != batch || (*shape)[1] != 1) {
      ctx.error("step", "the step must produce logits [" + std::to_string(batch) + ", 1, vocab]");
      return false;
    }
    int64_t vocab = (*shape)[2];
    // The generated ids feed the step's embedding: they must all be rows of its table.
    if (tokenBound && vocab > tokenBound) {
      ctx.error("step", "the step's logits cover " + std::to_string(vocab) +
                            " tokens but its embedding has " + std::to_string(tokenBound) + " rows");
      return false;
    }
    for (const char *p : {"bos", "pad"})
      if (inst.getInt(p) < 0 || inst.getInt(p) >= vocab) {
        ctx.error(p, std::string(p) + " (" + std::to_string(inst.getInt(p)) +
                         ") must be a token id in [0, " + std::to_string(vocab) + ")");
        return false;
      }
    if (inst.getInt("eos") < -1 || inst.getInt("eos") >= vocab) {
      ctx.error("eos", "eos must be -1 (none) or a token id in [0, " + std::to_string(vocab) + ")");
      return false;
    }
    if (const std::string &o = inst.param("ids").s;
        !o.empty() && !ctx.claimOutput("ids", o, {batch, maxLen}, "i64"))
      return false;
    out = {batch, maxLen, vocab};
    return true;
  }

  Value emit(const BlockInstance &inst, EmitContext &ctx, Value) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    int64_t batch = inst.inputShape()[0], maxLen = inst.getInt("max_len");
    SmallVector<Type> stateTypes = ctx.stepBodyStateTypes("step");
    auto prevT = RankedTensorType::get({batch, 1}, b.getI64Type());
    // The logits type is known once the step is emitted; build the op around the body.
    auto idsT = RankedTensorType::get({batch, maxLen}, b.getI64Type());
    Block *body = new Block();
    body->addArgument(prevT, loc);
    body->addArgument(b.getIndexType(), loc);
    for (Type t : stateTypes)
      body->addArgument(t, loc);
    SmallVector<Value> results;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(body);
      results = ctx.emitStepBody("step", body->getArgument(0), body->getArgument(1),
                                 body->getArguments().drop_front(2));
      YieldOp::create(b, loc, results);
    }
    int64_t vocab = cast<RankedTensorType>(results[0].getType()).getDimSize(2);
    auto op = GreedyDecodeOp::create(
        b, loc, idsT, f32Tensor(b, {batch, maxLen, vocab}), b.getI64IntegerAttr(maxLen),
        b.getI64IntegerAttr(inst.getInt("bos")), b.getI64IntegerAttr(inst.getInt("eos")),
        b.getI64IntegerAttr(inst.getInt("pad")));
    op.getBody().push_back(body);
    if (const std::string &o = inst.param("ids").s; !o.empty())
      ctx.writeOutput(o, -1, op.getIds());
    return op.getLogits();
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(GreedyDecodePlugin)
