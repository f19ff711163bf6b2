//===- AbsolutePositions.cpp - `sinusoidal_pe`, `learned_pe`, `axial_pe` ---===//
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

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

namespace {
/// `axial_pe`: Reformer's axial position embeddings (Kitaev et al. 2020; Hugging Face
/// AxialPositionEmbeddings at inference): a learned table of axial_shape_0 * axial_shape_1
/// positions factorized into `weights.0` [axial_shape_0, 1, axial_dim_0] and `weights.1`
/// [1, axial_shape_1, d_model - axial_dim_0]; position p = i * axial_shape_1 + j adds
/// concat(weights.0[i, 0], weights.1[0, j]). Name it `as embeddings.position_embeddings` to
/// load a Reformer state_dict.
class AxialPEPlugin : public BlockPlugin {
public:
  std::string name() const override { return "axial_pe"; }
  bool ignoresPadding(const BlockInstance &) const override { return true; }
  bool dynamicShapes() const override { return true; }
  BlockCategory category() const override { return BlockCategory::Position; }
  std::string summary() const override {
    return "x + concat(E1[p / n2], E2[p % n2]), factorized learned positions (Reformer's "
           "axial position embeddings, Kitaev et al. 2020; Hugging Face AxialPositionEmbeddings)";
  }
  std::vector<ParamSpec> params() const override {
    return {{"axial_shape_0", ParamType::Int(), std::nullopt, "n1 (axial_pos_shape[0])"},
            {"axial_shape_1", ParamType::Int(), std::nullopt, "n2 (axial_pos_shape[1])"},
            {"axial_dim_0", ParamType::Int(), std::nullopt,
             "features of the first factor (axial_pos_embds_dim[0]); the second has the rest"}};
  }
  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    int64_t n1 = inst.getInt("axial_shape_0"), n2 = inst.getInt("axial_shape_1");
    int64_t d0 = inst.getInt("axial_dim_0"), d = inst.inputShape().back(), seq = inst.inputShape()[1];
    if (n1 <= 0 || n2 <= 0 || n1 > (int64_t(1) << 30) / n2) {
      ctx.error(n1 <= 0 ? "axial_shape_0" : "axial_shape_1",
                "the axial shape must be positive and hold at most 2^30 positions");
      return false;
    }
    if (d0 <= 0 || d0 >= d) {
      ctx.error("axial_dim_0", "axial_dim_0 must be in (0, d_model = " + std::to_string(d) +
                                   "), got " + std::to_string(d0));
      return false;
    }
    if (isDynamicDim(seq))
      ctx.boundDynamicDim(1, n1 * n2, "the positions of axial table '" + inst.path() + "' (" +
                                          std::to_string(n1) + " x " + std::to_string(n2) + ")");
    else if (seq > n1 * n2) {
      ctx.error("", "the sequence (" + std::to_string(seq) + " positions) is longer than the " +
                        "axial table (" + std::to_string(n1) + " x " + std::to_string(n2) + ")");
      return false;
    }
    weights.push_back({"weights.0", {n1, 1, d0}});
    weights.push_back({"weights.1", {1, n2, d - d0}});
    out = inst.inputShape();
    return true;
  }
  mlir::Value emit(const BlockInstance &inst, EmitContext &ctx, mlir::Value x) const override {
    using namespace mlir;
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    int64_t n1 = inst.getInt("axial_shape_0"), n2 = inst.getInt("axial_shape_1");
    int64_t d0 = inst.getInt("axial_dim_0"), d = inst.inputShape().back();
    Value w0 = ctx.weight("weights.0"), w1 = ctx.weight("weights.1");
    // The whole [n1 * n2, d] table (weights only: computed once at load), then rows 0..seq-1
    // added as learned_pe adds its table.
    Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{n1 * n2, d}, b.getF32Type());
    auto table = linalg::GenericOp::create(
        b, loc, init.getType(), ValueRange{}, ValueRange{init},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(2)},
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location nl, ValueRange) {
          auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(nb, nl, v).getResult(); };
          Value p = linalg::IndexOp::create(nb, nl, 0), f = linalg::IndexOp::create(nb, nl, 1);
          Value first = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::ult, f, cst(d0));
          // Both reads stay in bounds whichever half f is in; the select keeps the right one.
          Value a = tensor::ExtractOp::create(
              nb, nl, w0, ValueRange{arith::DivUIOp::create(nb, nl, p, cst(n2)), cst(0),
                                     arith::MinUIOp::create(nb, nl, f, cst(d0 - 1))});
          Value c = tensor::ExtractOp::create(
              nb, nl, w1, ValueRange{cst(0), arith::RemUIOp::create(nb, nl, p, cst(n2)),
                                     arith::SubIOp::create(nb, nl, arith::MaxUIOp::create(nb, nl, f, cst(d0)), cst(d0))});
          linalg::YieldOp::create(nb, nl, ValueRange{arith::SelectOp::create(nb, nl, first, a, c)});
        });
    return AddPositionTableOp::create(b, loc, x.getType(), x, table.getResult(0), Value());
  }
};
} // namespace

LOOM_REGISTER_PLUGIN(AxialPEPlugin)
