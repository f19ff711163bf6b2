//===- Activations.cpp - relu, gelu, silu, swish, sigmoid, tanh, elu --------===//
#include "loom/Plugin/PluginUtils.h"

using namespace loom;

namespace {
/// Activations keep the shape and have no weights.
class ActivationPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  /// Element-wise: any shape, dynamic dimensions included.
  bool dynamicShapes() const override { return true; }
  /// Element-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
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
class SigmoidPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "sigmoid"; }
  std::string summary() const override { return "1 / (1 + exp(-x)) (torch.nn.Sigmoid)"; }
  mlir::Value emit(const BlockInstance &, EmitContext &ctx, mlir::Value x) const override {
    return SigmoidOp::create(ctx.builder(), ctx.loc(), x);
  }
};

class TanhPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "tanh"; }
  std::string summary() const override { return "tanh(x) (torch.nn.Tanh)"; }
  mlir::Value emit(const BlockInstance &, EmitContext &ctx, mlir::Value x) const override {
    return TanhOp::create(ctx.builder(), ctx.loc(), x);
  }
};

class SwishPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "swish"; }
  std::string summary() const override {
    return "x * sigmoid(beta * x) (Ramachandran et al. 2017); beta = 1 is silu";
  }
  std::vector<ParamSpec> params() const override {
    return {{"beta", ParamType::Float(), ParamValue::ofFloat(1.0), "slope inside the sigmoid"}};
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return SwishOp::create(b, ctx.loc(), x, b.getF32FloatAttr(static_cast<float>(inst.getFloat("beta"))));
  }
};

class EluPlugin : public ActivationPlugin {
public:
  std::string name() const override { return "elu"; }
  std::string summary() const override {
    return "x if x > 0, else alpha (exp(x) - 1) (Clevert et al. 2016; torch.nn.ELU)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"alpha", ParamType::Float(), ParamValue::ofFloat(1.0), "the negative saturation"}};
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return EluOp::create(b, ctx.loc(), x, b.getF32FloatAttr(static_cast<float>(inst.getFloat("alpha"))));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(EluPlugin)
LOOM_REGISTER_PLUGIN(SigmoidPlugin)
LOOM_REGISTER_PLUGIN(TanhPlugin)
LOOM_REGISTER_PLUGIN(SwishPlugin)
LOOM_REGISTER_PLUGIN(SiluPlugin)
LOOM_REGISTER_PLUGIN(ReluPlugin)
LOOM_REGISTER_PLUGIN(GeluPlugin)
