//===- SinusoidalPE.cpp - `sinusoidal_pe` (Vaswani et al. 2017, sec. 3.5) -===//
#include "Common.h"

using namespace loom;

namespace {
class SinusoidalPEPlugin : public BlockPlugin {
public:
  std::string name() const override { return "sinusoidal_pe"; }
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
    return SinusoidalPEOp::create(b, ctx.loc(), x, b.getF64FloatAttr(inst.getFloat("base")));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(SinusoidalPEPlugin)
