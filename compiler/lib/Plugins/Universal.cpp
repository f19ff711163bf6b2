//===- Universal.cpp - `universal`: the Universal Transformer's recurrence --------===//
//
// One shared step (the `transition` block, e.g. a TransformerEncoderLayer) applied
// repeatedly with position and timestep signals added before each application (Dehghani et
// al. 2019, sec. 2.1), either exactly `max_steps` times or, with `act`, until each position
// halts under Adaptive Computation Time (Graves 2016; the UT paper's sec. 2.2), in a
// run-time loop (`loom.act`).
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;
using namespace loom::plugins;
using namespace mlir;

namespace {
class UniversalPlugin : public BlockPlugin {
public:
  std::string name() const override { return "universal"; }
  /// A dynamic seq adds the position signal computed from the indices (no table of the
  /// length); the halting state is sized at run time.
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "a shared transition applied max_steps times, or until each position halts (ACT), "
           "with position + timestep signals each step (Dehghani et al. 2019 sec. 2; Graves 2016)";
  }
  std::vector<ParamSpec> params() const override {
    return {
        {"transition", ParamType::Block(std::nullopt), std::nullopt,
         "the shared step, [batch, seq, d_model] -> [batch, seq, d_model]"},
        {"max_steps", ParamType::Int(), std::nullopt,
         "steps without act; the most steps a position takes with it"},
        {"act", ParamType::Bool(), ParamValue::ofBool(true),
         "adaptive computation time: per-position halting at run time"},
        {"threshold", ParamType::Float(), ParamValue::ofFloat(0.99),
         "act: halt once the halting probabilities sum past it (1 - epsilon)"},
        {"position", ParamType::Enum({"sinusoidal", "none"}), ParamValue::ofSymbol("sinusoidal"),
         "position signal added each step: sin/cos of the position (0-based), interleaved"},
        {"timestep", ParamType::Enum({"sinusoidal", "learned", "none"}),
         ParamValue::ofSymbol("sinusoidal"),
         "timestep signal added each step: sin/cos of t = 1..max_steps, or a learned "
         "[max_steps, d_model] table `timestep_embedding.weight`"},
        {"ponder", ParamType::Output(), ParamValue::ofOutput(""),
         "act: output [batch, seq] receiving each position's step count N"},
        {"remainders", ParamType::Output(), ParamValue::ofOutput(""),
         "act: output [batch, seq] receiving each position's remainder R (ponder cost N + R)"},
    };
  }

  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    const std::vector<int64_t> &in = inst.inputShape();
    int64_t d = in.back(), maxSteps = inst.getInt("max_steps");
    bool act = inst.getBool("act");
    bool ok = true;
    if (maxSteps < 1) {
      ctx.error("max_steps", "max_steps must be at least 1, got " + std::to_string(maxSteps));
      ok = false;
    }
    double threshold = inst.getFloat("threshold");
    if (!(threshold > 0.0 && threshold <= 1.0)) {
      ctx.error("threshold", "threshold must be in (0, 1]");
      ok = false;
    }
    bool sinusoidal = inst.getSymbol("position") == "sinusoidal" ||
                      inst.getSymbol("timestep") == "sinusoidal";
    if (sinusoidal && d % 2 != 0) {
      ctx.error("", "sinusoidal signals need an even d_model, got " + std::to_string(d));
      ok = false;
    }
    if (!act)
      for (const char *p : {"threshold", "ponder", "remainders"})
        if (inst.isExplicit(p)) {
          ctx.error(p, std::string(p) + " needs act = true");
          ok = false;
        }
    if (!ok)
      return false;
    auto shape = act ? ctx.inferLoopBody("transition", in) : ctx.inferSubBlock("transition", in);
    if (!shape)
      return false;
    if (*shape != in) {
      ctx.error("transition", "the transition must keep the shape [batch, seq, d_model]");
      return false;
    }
    for (const char *p : {"ponder", "remainders"})
      if (const std::string &o = inst.param(p).s; !o.empty() &&
          !ctx.claimOutput(p, o, {in[0], in[1]}))
        return false;
    if (act) {
      weights.push_back({"halting.weight", {1, d}});
      weights.push_back({"halting.bias", {1}});
    }
    if (inst.getSymbol("timestep") == "learned")
      weights.push_back({"timestep_embedding.weight", {maxSteps, d}});
    out = in;
    return true;
  }

  Value emit(const BlockInstance &inst, EmitContext &ctx, Value x) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    auto xT = cast<RankedTensorType>(x.getType());
    int64_t seq = xT.getDimSize(1), d = xT.getDimSize(2), maxSteps = inst.getInt("max_steps");
    // The signal tables do not depend on the input: computed once, at load time. With a
    // dynamic seq the position signal is computed in place each step (the same values).
    auto table = [&](int64_t rows) { return sinusoidalRows(b, loc, rows, d); };
    bool positionSignal = inst.getSymbol("position") == "sinusoidal";
    Value positions = positionSignal && !isDynamicDim(seq) ? table(seq) : Value();
    const std::string &timestep = inst.getSymbol("timestep");
    // Sinusoidal: row t for step t = 1..max_steps; learned: row t - 1.
    Value steps = timestep == "sinusoidal" ? table(maxSteps + 1)
                  : timestep == "learned"  ? ctx.weight("timestep_embedding.weight")
                                           : Value();
    int64_t rowOffset = timestep == "sinusoidal" ? 1 : 0;
    // x + P_pos + P_t (the UT paper's coordinate embedding, sec. 2.1).
    auto signal = [&](Value state, OpFoldResult step) -> Value {
      if (positions)
        state = AddPositionTableOp::create(b, loc, xT, state, positions, Value());
      else if (positionSignal)
        state = SinusoidalPEOp::create(b, loc, state, Value(), b.getF64FloatAttr(10000.0));
      return steps ? addTableRow(b, loc, state, steps, step) : state;
    };

    if (!inst.getBool("act")) {
      for (int64_t t = 0; t < maxSteps; ++t)
        x = ctx.emitSubBlock("transition", signal(x, b.getIndexAttr(t + rowOffset)));
      return x;
    }

    auto perPosition = f32Tensor(b, {xT.getDimSize(0), seq});
    auto op = ActOp::create(b, loc, TypeRange{xT, perPosition, perPosition}, x,
                            ctx.weight("halting.weight"), ctx.weight("halting.bias"),
                            b.getI64IntegerAttr(maxSteps),
                            b.getF32FloatAttr(static_cast<float>(inst.getFloat("threshold"))));
    {
      OpBuilder::InsertionGuard guard(b);
      Block *body = b.createBlock(&op.getBody(), {}, {xT, b.getIndexType()}, {loc, loc});
      Value step = body->getArgument(1);
      if (rowOffset)
        step = arith::AddIOp::create(b, loc, step, arith::ConstantIndexOp::create(b, loc, rowOffset));
      Value pre = signal(body->getArgument(0), step);
      Value next = ctx.emitSubBlock("transition", pre);
      YieldOp::create(b, loc, ValueRange{pre, next});
    }
    if (const std::string &o = inst.param("ponder").s; !o.empty())
      ctx.writeOutput(o, -1, op.getPonderSteps());
    if (const std::string &o = inst.param("remainders").s; !o.empty())
      ctx.writeOutput(o, -1, op.getRemainders());
    return op.getResult();
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(UniversalPlugin)
