//===- Conv.cpp - `glu`, `pointwise_conv1d`, `depthwise_conv1d` -----------===//
//
// The pieces of the Conformer's convolution module (Gulati et al. 2020, sec. 2.2; torchaudio
// _ConvolutionModule). Activations stay [batch, seq, channels]: torch's Conv1d works on
// [batch, channels, seq], so a kernel-1 Conv1d is a linear over the last dimension and
// torch.nn.GLU(dim=1) there is a GLU over our last dimension. Weights keep torch's shapes
// (Conv1d: [out_channels, in_channels / groups, kernel_size]) so state_dicts load unchanged.
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;

namespace {

/// torch's [c, 1, k] (or [out, in, 1]) Conv1d weight without its unit dimension.
mlir::Value dropUnitDim(EmitContext &ctx, mlir::Value w, unsigned unitDim) {
  auto t = mlir::cast<mlir::RankedTensorType>(w.getType());
  llvm::SmallVector<int64_t> shape;
  for (unsigned i = 0; i < 3; ++i)
    if (i != unitDim)
      shape.push_back(t.getDimSize(i));
  llvm::SmallVector<mlir::ReassociationIndices> groups =
      unitDim == 1 ? llvm::SmallVector<mlir::ReassociationIndices>{{0, 1}, {2}}
                   : llvm::SmallVector<mlir::ReassociationIndices>{{0}, {1, 2}};
  return mlir::tensor::CollapseShapeOp::create(ctx.builder(), ctx.loc(),
                                               plugins::f32Tensor(ctx.builder(), shape), w, groups);
}

class GluPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "glu"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "a * sigmoid(b), a and b the halves of the last dimension (Dauphin et al. 2017; "
           "torch.nn.GLU)";
  }
  std::vector<ParamSpec> params() const override { return {}; }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &) const override {
    int64_t c = inst.inputShape().back();
    if (c % 2 != 0) {
      ctx.error("", "the features must be even to split in halves, got " + std::to_string(c));
      return false;
    }
    out = plugins::withLastDim(inst.inputShape(), c / 2);
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    auto t = mlir::cast<mlir::RankedTensorType>(x.getType());
    std::vector<int64_t> shape(t.getShape().begin(), t.getShape().end());
    shape.back() /= 2;
    return GluOp::create(ctx.builder(), ctx.loc(), plugins::f32Tensor(ctx.builder(), shape), x);
  }
};

class PointwiseConv1DPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "pointwise_conv1d"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "torch.nn.Conv1d with kernel_size 1: a linear map of the channels at every position; "
           "weight [out_channels, in_channels, 1]";
  }
  std::vector<ParamSpec> params() const override {
    return {{"out_channels", ParamType::Int(), std::nullopt, "output channels"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "add a bias [out_channels]"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t n = inst.getInt("out_channels"), c = inst.inputShape().back();
    if (n <= 0) {
      ctx.error("out_channels", "out_channels must be positive");
      return false;
    }
    weights.push_back({"weight", {n, c, 1}});
    if (inst.getBool("bias"))
      weights.push_back({"bias", {n}});
    out = plugins::withLastDim(inst.inputShape(), n);
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    int64_t n = inst.getInt("out_channels");
    auto t = mlir::cast<mlir::RankedTensorType>(x.getType());
    std::vector<int64_t> shape(t.getShape().begin(), t.getShape().end());
    shape.back() = n;
    return LinearOp::create(ctx.builder(), ctx.loc(), plugins::f32Tensor(ctx.builder(), shape), x,
                            dropUnitDim(ctx, ctx.weight("weight"), 2),
                            inst.getBool("bias") ? ctx.weight("bias") : mlir::Value());
  }
};

class DepthwiseConv1DPlugin : public BlockPlugin {
public:
  std::string name() const override { return "depthwise_conv1d"; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "torch.nn.Conv1d(c, c, kernel_size, groups=c) over the sequence, zero padded: "
           "`same` (odd kernel, the Conformer's) or `causal`; weight [c, 1, kernel_size]";
  }
  std::vector<ParamSpec> params() const override {
    return {{"kernel_size", ParamType::Int(), std::nullopt, "taps along the sequence"},
            {"padding", ParamType::Enum({"same", "causal"}), ParamValue::ofSymbol("same"),
             "same: (k-1)/2 zeros on each side (k odd); causal: k-1 zeros before"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "add a bias [c]"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    const std::vector<int64_t> &in = inst.inputShape();
    int64_t k = inst.getInt("kernel_size");
    if (in.size() != 3) {
      ctx.error("", "depthwise_conv1d needs [batch, seq, channels], got rank " +
                        std::to_string(in.size()));
      return false;
    }
    if (k <= 0) {
      ctx.error("kernel_size", "kernel_size must be positive");
      return false;
    }
    if (inst.getSymbol("padding") == "same" && k % 2 == 0) {
      ctx.error("kernel_size", "'same' padding needs an odd kernel_size, got " + std::to_string(k));
      return false;
    }
    int64_t c = in[2];
    weights.push_back({"weight", {c, 1, k}});
    if (inst.getBool("bias"))
      weights.push_back({"bias", {c}});
    out = in;
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    int64_t k = inst.getInt("kernel_size");
    bool causal = inst.getSymbol("padding") == "causal";
    int64_t left = causal ? k - 1 : (k - 1) / 2, right = causal ? 0 : (k - 1) / 2;
    return DepthwiseConv1DOp::create(b, ctx.loc(), x.getType(), x,
                                     dropUnitDim(ctx, ctx.weight("weight"), 1),
                                     inst.getBool("bias") ? ctx.weight("bias") : mlir::Value(),
                                     b.getI64IntegerAttr(left), b.getI64IntegerAttr(right));
  }
};

} // namespace

LOOM_REGISTER_PLUGIN(GluPlugin)
LOOM_REGISTER_PLUGIN(PointwiseConv1DPlugin)
LOOM_REGISTER_PLUGIN(DepthwiseConv1DPlugin)
