//===- AbsolutePositions.cpp - `sinusoidal_pe`, `learned_pe` ---------------===//
#include "loom/Plugin/PluginUtils.h"

using namespace loom;

namespace {
class SinusoidalPEPlugin : public BlockPlugin {
public:
  std::string name() const override { return "sinusoidal_pe"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  /// In a step loop it adds the row of the step's position.
  bool stepwise() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Position; }
  std::string summary() const override {
    return "x + PE, PE(pos, 2i) = sin(pos / base^(2i/d_model)), PE(pos, 2i+1) = cos(...) "
           "(Vaswani et al. 2017 sec. 3.5)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"base", ParamType::Float(), ParamValue::ofFloat(10000.0), "wavelength base"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    if (inst.inputShape().back() % 2 != 0) {
      ctx.error("", "d_model must be even for sinusoidal encoding, got " +
                        std::to_string(inst.inputShape().back()));
      return false;
    }
    if (!(inst.getFloat("base") > 1.0)) {
      ctx.error("base", "base must be > 1");
      return false;
    }
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    if (int64_t len = ctx.stepLoopLength()) {
      // One position per step: x + PE[step] (the same interleaved table, computed once).
      mlir::Value table = plugins::sinusoidalRows(b, ctx.loc(), len, inst.inputShape().back(),
                                                  inst.getFloat("base"));
      return plugins::addTableRow(b, ctx.loc(), x, table, ctx.stepPosition());
    }
    return SinusoidalPEOp::create(b, ctx.loc(), x, mlir::Value(),
                                  b.getF64FloatAttr(inst.getFloat("base")));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(SinusoidalPEPlugin)

namespace {
/// `learned_pe`: a learned absolute position table added to the input (BERT's
/// position_embeddings; name it `as position_embeddings` to load a BERT state_dict).
class LearnedPEPlugin : public BlockPlugin {
public:
  std::string name() const override { return "learned_pe"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Position; }
  std::string summary() const override {
    return "x + table[pos], a learned [max_len, d_model] table (BERT, Devlin et al. 2019)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"max_len", ParamType::Int(), ParamValue::ofInt(512), "rows of the table"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t maxLen = inst.getInt("max_len"), seq = inst.inputShape()[1];
    if (maxLen <= 0) {
      ctx.error("max_len", "max_len must be positive");
      return false;
    }
    // A static sequence longer than the table is caught here, at compile time; a dynamic one
    // when the model runs.
    if (isDynamicDim(seq))
      ctx.boundDynamicDim(1, maxLen, "the rows of position table '" + inst.path() +
                                         "' (learned_pe max_len " + std::to_string(maxLen) + ")");
    else if (seq > maxLen) {
      ctx.error("max_len", "the sequence (" + std::to_string(seq) +
                               " positions) is longer than the position table (max_len " +
                               std::to_string(maxLen) + ")");
      return false;
    }
    weights.push_back({"weight", {maxLen, inst.inputShape().back()}});
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &, EmitContext &ctx, mlir::Value x) const override {
    return AddPositionTableOp::create(ctx.builder(), ctx.loc(), x.getType(), x,
                                      ctx.weight("weight"), mlir::Value());
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(LearnedPEPlugin)
