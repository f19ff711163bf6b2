//===- Linear.cpp - `linear`: y = x W^T + b (torch.nn.Linear); `add_bias` --===//
//
// The weight is stored [out_features, in_features] as torch.nn.Linear does (`layout =
// out_in`, the default), or [in_features, out_features] as GPT-2's Conv1D does (`layout =
// in_out`, Hugging Face `pytorch_utils.Conv1D`: y = x W + b); the latter is transposed once
// at load time.
//
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace loom;

namespace {
class LinearPlugin : public BlockPlugin {
public:
  /// Position-wise: runs unchanged inside a step loop.
  bool stepwise() const override { return true; }
  std::string name() const override { return "linear"; }
  /// Position-wise: a packed run computes the valid rows exactly.
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  /// Handles dynamic batch and sequence dimensions (see BlockPlugin::dynamicShapes).
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "y = x W^T + b; weight [out_features, in_features] (torch.nn.Linear)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"out_features", ParamType::Int(), std::nullopt, "output features"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "learn an additive bias"},
            {"layout", ParamType::Enum({"out_in", "in_out"}), ParamValue::ofSymbol("out_in"),
             "weight storage: out_in = [out, in] (torch.nn.Linear, default); in_out = [in, out] "
             "(GPT-2's Conv1D)"},
            {"weight_name", ParamType::String(), ParamValue::ofString("weight"),
             "the weight's name under the instance's path (torch.nn.MultiheadAttention: "
             "\"in_proj_weight\")"},
            {"bias_name", ParamType::String(), ParamValue::ofString("bias"),
             "the bias's name under the instance's path (\"in_proj_bias\")"},
            {"weight_rows", ParamType::Int(), ParamValue::ofInt(0),
             "rows (outputs) the stored weight has; 0 = out_features. More: this linear reads "
             "rows [row_offset, row_offset + out_features) of a packed weight that other "
             "linears read too (cross-attention's queries and keys/values)"},
            {"row_offset", ParamType::Int(), ParamValue::ofInt(0),
             "the first stored row this linear reads (with weight_rows)"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t n = inst.getInt("out_features");
    if (n <= 0) {
      ctx.error("out_features", "out_features must be positive, got " + std::to_string(n));
      return false;
    }
    int64_t k = inst.inputShape().back();
    out = plugins::withLastDim(inst.inputShape(), n);
    bool inOut = inst.getSymbol("layout") == "in_out";
    int64_t rows = inst.getInt("weight_rows") ? inst.getInt("weight_rows") : n;
    int64_t offset = inst.getInt("row_offset");
    if (offset < 0 || rows < offset + n) {
      ctx.error(inst.isExplicit("row_offset") ? "row_offset" : "weight_rows",
                "rows [" + std::to_string(offset) + ", " + std::to_string(offset + n) +
                    ") lie outside the stored weight's " + std::to_string(rows) + " rows");
      return false;
    }
    bool view = rows != n;
    const std::string &w = inst.param("weight_name").s, &b = inst.param("bias_name").s;
    if (w.empty() || b.empty() || w == b) {
      ctx.error(w.empty() || w == b ? "weight_name" : "bias_name",
                "weight_name and bias_name must be two different, non-empty names");
      return false;
    }
    weights.push_back({w, inOut ? std::vector<int64_t>{k, rows} : std::vector<int64_t>{rows, k}});
    weights.back().rowView = view;
    if (inst.getBool("bias")) {
      weights.push_back({b, {rows}});
      weights.back().rowView = view;
    }
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    mlir::Value w = ctx.weight(inst.param("weight_name").s);
    if (inst.getSymbol("layout") == "in_out") {
      // [in, out] -> [out, in], computed once at load time (it reads only a weight).
      auto wt = mlir::cast<mlir::RankedTensorType>(w.getType());
      int64_t k = wt.getDimSize(0), n = wt.getDimSize(1);
      mlir::Value init = mlir::tensor::EmptyOp::create(b, ctx.loc(), {n, k}, b.getF32Type());
      w = mlir::linalg::TransposeOp::create(b, ctx.loc(), w, init, {1, 0})->getResult(0);
    }
    int64_t n = inst.getInt("out_features");
    mlir::Value bias = inst.getBool("bias") ? ctx.weight(inst.param("bias_name").s) : mlir::Value();
    if (mlir::cast<mlir::RankedTensorType>(w.getType()).getDimSize(0) != n) {
      // A view: rows [row_offset, row_offset + n) of the packed weight and bias.
      int64_t off = inst.getInt("row_offset");
      auto rowsOf = [&](mlir::Value t) { return plugins::leadingRows(b, ctx.loc(), t, off, n); };
      w = rowsOf(w);
      if (bias)
        bias = rowsOf(bias);
    }
    auto inT = mlir::cast<mlir::RankedTensorType>(x.getType());
    std::vector<int64_t> shape(inT.getShape().begin(), inT.getShape().end());
    shape.back() = n;
    return LinearOp::create(b, ctx.loc(), plugins::f32Tensor(b, shape), x, w, bias);
  }
};

/// A learned vector added over the last dimension: a bare nn.Parameter of [d] (Bi-BloSA's
/// o_bias, beside the linears it is summed with).
class AddBiasPlugin : public BlockPlugin {
public:
  bool stepwise() const override { return true; }
  std::string name() const override { return "add_bias"; }
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "x + b over the last dimension, b a learned [d] (a bare nn.Parameter)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"weight_name", ParamType::String(), ParamValue::ofString("bias"),
             "the vector's name under the instance's path"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    if (inst.param("weight_name").s.empty()) {
      ctx.error("weight_name", "weight_name must not be empty");
      return false;
    }
    out = inst.inputShape();
    weights.push_back({inst.param("weight_name").s, {out.back()}});
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    mlir::OpBuilder &b = ctx.builder();
    return AddBiasOp::create(b, ctx.loc(), x.getType(), x, ctx.weight(inst.param("weight_name").s),
                             b.getF32FloatAttr(1.0f));
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(LinearPlugin)
LOOM_REGISTER_PLUGIN(AddBiasPlugin)
