//===- Activations.cpp - `relu`, `gelu`, `silu` ---------------------------===//
#include "Common.h"

using namespace loom;

namespace {
/// Activations keep the shape and have no weights.
class ActivationPlugin : public BlockPlugin {
public:
  BlockCategory category() const override { return BlockCategory::Activation; }
  std::vector<ParamSpec> params() const override { return {}; }
  bool infer(const BlockInstance &inst, InferContext &, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    out = inst.inputShape();
    return true;
  }
};

class ReluPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "relu"; }
  std::string summary() const override { return "max(x, 0) (torch.nn.ReLU)"; }
  mlir::Value emit(const BlockInstance &, EmitContext &ctx, mlir::Value x) const override {
    return ReluOp::create(ctx.builder(), ctx.loc(), x);
  }
};

class GeluPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "gelu"; }
  std::string summary() const override {
    return "x * Phi(x), exact (erf) or tanh approximation (Hendrycks & Gimpel 2016; "
           "torch.nn.GELU)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"approximate", ParamType::Enum({"none", "tanh"}), ParamValue::ofSymbol("none"),
             "none: exact erf form (PyTorch's default); tanh: the tanh approximation"}};
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return GeluOp::create(b, ctx.loc(), x, b.getStringAttr(inst.getSymbol("approximate")));
  }
};
class SiluPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "silu"; }
  std::string summary() const override {
    return "x * sigmoid(x) (Elfwing et al. 2018; torch.nn.SiLU; swish with beta 1)";
  }
  mlir::Value emit(const BlockInstance &, EmitContext &ctx, mlir::Value x) const override {
    return SiluOp::create(ctx.builder(), ctx.loc(), x);
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(SiluPlugin)
LOOM_REGISTER_PLUGIN(ReluPlugin)
LOOM_REGISTER_PLUGIN(GeluPlugin)
