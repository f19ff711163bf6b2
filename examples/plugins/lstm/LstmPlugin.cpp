//===- LstmPlugin.cpp - an LSTM block, built outside the Loom tree --------===//
//
// `lstm`: the long short-term memory layer of Hochreiter & Schmidhuber 1997 with a forget
// gate (Gers et al. 2000), as torch.nn.LSTM computes it (no peepholes, no projection):
//   i = sigmoid(W_ii x_t + b_ii + W_hi h + b_hi)     f = sigmoid(... rows H..2H)
//   g = tanh(... rows 2H..3H)                        o = sigmoid(... rows 3H..4H)
//   c' = f * c + i * g                               h' = o * tanh(c')
// from h = c = 0. Weights are torch.nn.LSTM's: weight_ih_l{k} [4H, in], weight_hh_l{k}
// [4H, H], bias_ih_l{k}, bias_hh_l{k} [4H] (gates i, f, g, o), with `_reverse` for the
// backward direction; layer k > 0 reads the previous layer's [.., D * H] output.
//
// Shapes: x is [batch, seq, input] (batch_first = true, Loom's layout, the default) or
// [seq, batch, input] (batch_first = false, torch.nn.LSTM's default); the result has the
// same layout with D * H features, the forward direction's then the backward's.
// `lengths` ([batch], i32/i64) runs each example on its first lengths[b] steps as
// pack_padded_sequence does: the backward direction starts at lengths[b] - 1 and the rows
// past the length are zero (pad_packed_sequence).
//
// The input projections of all steps are one loom.linear per direction; the recurrence is
// an scf.for over time whose step is one [batch, H] x [H, 4H] loom.linear and the gates.
//
// Built against the installed Loom SDK (find_package(Loom), see CMakeLists.txt) and loaded
// with `loomc --plugin lstm.so`.
//===----------------------------------------------------------------------===//
#include "loom/Plugin/PluginUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace loom;
using namespace mlir;

namespace {
using plugins::shapeStr;

/// One direction of one layer: its sizes and the names of its weights.
struct Direction {
  int64_t batch, seq, hidden; ///< static sizes (dynamic ones as kDynamicDim codes)
  Value batchV, seqV;         ///< the run-time batch and seq
  bool reverse, bias;
  std::string suffix; ///< "l0", "l0_reverse", ...
};

class LstmPlugin : public BlockPlugin {
public:
  std::string name() const override { return "lstm"; }
  BlockCategory category() const override { return BlockCategory::Layer; }
  std::string summary() const override {
    return "long short-term memory layers (Hochreiter & Schmidhuber 1997; torch.nn.LSTM "
           "names and gate order i, f, g, o), bidirectional, packed lengths";
  }
  std::vector<ParamSpec> params() const override {
    return {{"hidden_size", ParamType::Int(), std::nullopt, "H: features of h and c"},
            {"num_layers", ParamType::Int(), ParamValue::ofInt(1), "stacked layers"},
            {"bidirectional", ParamType::Bool(), ParamValue::ofBool(false),
             "also run backward in time; outputs [forward, backward] (2 H features)"},
            {"batch_first", ParamType::Bool(), ParamValue::ofBool(true),
             "true: [batch, seq, features] (Loom's layout, default); false: [seq, batch, "
             "features] (torch.nn.LSTM's default)"},
            {"bias", ParamType::Bool(), ParamValue::ofBool(true), "bias_ih and bias_hh"},
            {"lengths", ParamType::Tensor(), ParamValue::ofSymbol("none"),
             "a [batch] i32/i64 tensor: each example's steps, as pack_padded_sequence"}};
  }
  /// Batch and sequence may be dynamic (`-D seq=? -D batch=?`) with batch_first.
  bool dynamicShapes() const override { return true; }
  /// With lengths, no row before an example's length reads its padding.
  bool ignoresPadding(const BlockInstance &inst) const override {
    return !inst.getBool("bidirectional") || inst.tensorType("lengths");
  }

  bool infer(const BlockInstance &inst, InferContext &ctx, std::vector<int64_t> &out,
             std::vector<WeightSpec> &weights) const override {
    const std::vector<int64_t> &in = inst.inputShape();
    if (in.size() != 3) {
      ctx.error("", "lstm takes [batch, seq, features] (or [seq, batch, features] with "
                    "batch_first = false), got " + shapeStr(in));
      return false;
    }
    bool batchFirst = inst.getBool("batch_first");
    int64_t batch = batchFirst ? in[0] : in[1], seq = batchFirst ? in[1] : in[0];
    if (isDynamicDim(in[2]) || (!batchFirst && (isDynamicDim(in[0]) || isDynamicDim(in[1])))) {
      ctx.error("", "lstm takes dynamic batch and seq with batch_first = true only, and static "
                    "features, got " + shapeStr(in));
      return false;
    }
    int64_t hidden = inst.getInt("hidden_size"), layers = inst.getInt("num_layers");
    if (hidden <= 0) {
      ctx.error("hidden_size", "hidden_size must be positive, got " + std::to_string(hidden));
      return false;
    }
    if (layers <= 0) {
      ctx.error("num_layers", "num_layers must be positive, got " + std::to_string(layers));
      return false;
    }
    if (const auto *len = inst.tensorType("lengths")) {
      if (len->second == "f32" || len->first != std::vector<int64_t>{batch}) {
        ctx.error("lengths", "lengths must be an i32 or i64 tensor of shape [" +
                                 std::to_string(batch) + "] (the batch), got " + len->second +
                                 " " + shapeStr(len->first));
        return false;
      }
      // 0 <= lengths[b] <= seq, checked at run time
      if (isDynamicDim(seq))
        ctx.requireIndexRangeOfDim("lengths", 1, 1 + dynamicExtra(seq));
      else
        ctx.requireIndexRangeOf("lengths", seq + 1);
    }
    int64_t dirs = inst.getBool("bidirectional") ? 2 : 1;
    for (int64_t l = 0; l < layers; ++l)
      for (int64_t d = 0; d < dirs; ++d) {
        std::string s = "_l" + std::to_string(l) + (d ? "_reverse" : "");
        int64_t inFeatures = l == 0 ? in[2] : dirs * hidden;
        weights.push_back({"weight_ih" + s, {4 * hidden, inFeatures}});
        weights.push_back({"weight_hh" + s, {4 * hidden, hidden}});
        if (inst.getBool("bias")) {
          weights.push_back({"bias_ih" + s, {4 * hidden}});
          weights.push_back({"bias_hh" + s, {4 * hidden}});
        }
      }
    out = {in[0], in[1], dirs * hidden};
    return true;
  }

  Value emit(const BlockInstance &inst, EmitContext &ctx, Value x) const override {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    bool batchFirst = inst.getBool("batch_first");
    if (!batchFirst)
      x = transpose01(b, loc, x);
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t batch = xt.getDimSize(0), seq = xt.getDimSize(1);
    int64_t hidden = inst.getInt("hidden_size");
    Value lengths = ctx.tensor("lengths");
    for (int64_t l = 0; l < inst.getInt("num_layers"); ++l) {
      SmallVector<Value> outs;
      for (bool reverse : inst.getBool("bidirectional") ? std::vector<bool>{false, true}
                                                         : std::vector<bool>{false}) {
        Direction d{batch, seq, hidden, tensor::DimOp::create(b, loc, x, 0), tensor::DimOp::create(b, loc, x, 1),
                    reverse, inst.getBool("bias"), "_l" + std::to_string(l) + (reverse ? "_reverse" : "")};
        outs.push_back(emitDirection(ctx, x, lengths, d));
      }
      x = outs.size() == 1 ? outs[0] : tensor::ConcatOp::create(b, loc, 2, outs).getResult();
    }
    return batchFirst ? x : transpose01(b, loc, x);
  }

private:
  static Value transpose01(OpBuilder &b, Location loc, Value x) {
    auto t = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape{t.getDimSize(1), t.getDimSize(0), t.getDimSize(2)};
    Value init = tensor::EmptyOp::create(b, loc, shape, b.getF32Type());
    return linalg::TransposeOp::create(b, loc, x, init, ArrayRef<int64_t>{1, 0, 2}).getResult()[0];
  }

  /// The dynamic sizes of `shape` (tensor.empty's order): the batch at 0, seq at 1.
  static SmallVector<Value> dynSizes(ArrayRef<int64_t> shape, const Direction &d) {
    SmallVector<Value> v;
    for (size_t i = 0; i < shape.size(); ++i)
      if (ShapedType::isDynamic(mlirDim(shape[i])))
        v.push_back(i == 0 ? d.batchV : d.seqV);
    return v;
  }
  static RankedTensorType f32Type(OpBuilder &b, ArrayRef<int64_t> shape) {
    return plugins::f32Tensor(b, shape);
  }
  static Value zeros(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, const Direction &d) {
    Value init = tensor::EmptyOp::create(b, loc, f32Type(b, shape).getShape(), b.getF32Type(), dynSizes(shape, d));
    Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    return linalg::FillOp::create(b, loc, zero, init).getResult(0);
  }

  /// An element-wise linalg.generic over `shape` whose body gets (batch index, inputs...).
  static Value elementwise(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, const Direction &d,
                           ValueRange ins, function_ref<Value(OpBuilder &, Location, Value, ValueRange)> body) {
    Value init = tensor::EmptyOp::create(b, loc, f32Type(b, shape).getShape(), b.getF32Type(), dynSizes(shape, d));
    SmallVector<AffineMap> maps(ins.size() + 1, b.getMultiDimIdentityMap(shape.size()));
    SmallVector<utils::IteratorType> iters(shape.size(), utils::IteratorType::parallel);
    auto op = linalg::GenericOp::create(
        b, loc, init.getType(), ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value bi = linalg::IndexOp::create(nb, nl, 0);
          linalg::YieldOp::create(nb, nl, body(nb, nl, bi, args.drop_back()));
        });
    return op.getResult(0);
  }

  static Value sigmoid(OpBuilder &b, Location loc, Value v) {
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
    return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
  }

  /// Example `bi`'s number of steps (index): lengths[bi], or seq without lengths.
  static Value stepsOf(OpBuilder &b, Location loc, Value lengths, Value bi, Value seq) {
    if (!lengths)
      return seq;
    Value n = tensor::ExtractOp::create(b, loc, lengths, ValueRange{bi});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), n);
  }

  /// Step t's row of example bi: t forward, steps - 1 - t backward (negative: inactive).
  static Value rowOf(OpBuilder &b, Location loc, const Direction &d, Value steps, Value t) {
    if (!d.reverse)
      return t;
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    return arith::SubIOp::create(b, loc, arith::SubIOp::create(b, loc, steps, one), t);
  }

  /// Runs one direction over x [batch, seq, in]: its outputs [batch, seq, H].
  Value emitDirection(EmitContext &ctx, Value x, Value lengths, const Direction &d) const {
    OpBuilder &b = ctx.builder();
    Location loc = ctx.loc();
    int64_t B = d.batch, T = d.seq, H = d.hidden;
    auto weight = [&](const char *kind) { return ctx.weight(std::string(kind) + d.suffix); };
    // The input projections of every step at once: [batch, seq, 4H].
    Value xp = LinearOp::create(b, loc, plugins::f32Tensor(b, {B, T, 4 * H}), x,
                                weight("weight_ih"), d.bias ? weight("bias_ih") : Value());
    Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
    Value cT = d.seqV;
    Value cLast = arith::SubIOp::create(b, loc, d.seqV, c1);
    Value h0 = zeros(b, loc, {B, 1, H}, d), out0 = zeros(b, loc, {B, T, H}, d);
    auto loop = scf::ForOp::create(
        b, loc, c0, cT, c1, ValueRange{h0, h0, out0},
        [&](OpBuilder &lb, Location ll, Value t, ValueRange carried) {
          Value h = carried[0], c = carried[1], out = carried[2];
          // This step's input projection: row rowOf(b, t) of each example (clamped; an
          // inactive example's gates are not used).
          Value gx = elementwise(lb, ll, {B, 1, 4 * H}, d, ValueRange{}, [&](OpBuilder &nb, Location nl, Value bi, ValueRange) -> Value {
            Value row = rowOf(nb, nl, d, stepsOf(nb, nl, lengths, bi, d.seqV), t);
            row = arith::MinSIOp::create(nb, nl, arith::MaxSIOp::create(nb, nl, row, c0), cLast);
            return tensor::ExtractOp::create(nb, nl, xp, ValueRange{bi, row, linalg::IndexOp::create(nb, nl, 2)});
          });
          Value gh = LinearOp::create(lb, ll, plugins::f32Tensor(lb, {B, 1, 4 * H}), h,
                                      weight("weight_hh"), d.bias ? weight("bias_hh") : Value());
          auto gate = [&](Value g, int64_t k) { // gate k (i, f, g, o) of [B, 1, 4H]
            return plugins::sliceLastDim(lb, ll, g, k * H, H);
          };
          auto active = [&](OpBuilder &nb, Location nl, Value bi) -> Value {
            return arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, t,
                                         stepsOf(nb, nl, lengths, bi, d.seqV));
          };
          // c' = f c + i g, kept when the example has no step t.
          Value cNew = elementwise(
              lb, ll, {B, 1, H}, d,
              ValueRange{gate(gx, 0), gate(gh, 0), gate(gx, 1), gate(gh, 1), gate(gx, 2), gate(gh, 2), c},
              [&](OpBuilder &nb, Location nl, Value bi, ValueRange a) -> Value {
                Value i = sigmoid(nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1]));
                Value f = sigmoid(nb, nl, arith::AddFOp::create(nb, nl, a[2], a[3]));
                Value g = math::TanhOp::create(nb, nl, arith::AddFOp::create(nb, nl, a[4], a[5]));
                Value next = arith::AddFOp::create(nb, nl, arith::MulFOp::create(nb, nl, f, a[6]),
                                                   arith::MulFOp::create(nb, nl, i, g));
                return arith::SelectOp::create(nb, nl, active(nb, nl, bi), next, a[6]);
              });
          // h' = o tanh(c'), kept likewise.
          Value hNew = elementwise(
              lb, ll, {B, 1, H}, d, ValueRange{gate(gx, 3), gate(gh, 3), cNew, h},
              [&](OpBuilder &nb, Location nl, Value bi, ValueRange a) -> Value {
                Value o = sigmoid(nb, nl, arith::AddFOp::create(nb, nl, a[0], a[1]));
                Value next = arith::MulFOp::create(nb, nl, o, math::TanhOp::create(nb, nl, a[2]));
                return arith::SelectOp::create(nb, nl, active(nb, nl, bi), next, a[3]);
              });
          // Each active example writes h' at its row; the rest stay zero.
          auto perExample = scf::ForOp::create(
              lb, ll, c0, d.batchV, c1, ValueRange{out},
              [&](OpBuilder &eb, Location el, Value bi, ValueRange o) {
                Value steps = stepsOf(eb, el, lengths, bi, d.seqV);
                Value isActive = arith::CmpIOp::create(eb, el, arith::CmpIPredicate::slt, t, steps);
                auto write = scf::IfOp::create(
                    eb, el, isActive,
                    [&](OpBuilder &tb, Location tl) {
                      SmallVector<OpFoldResult> one{tb.getIndexAttr(1), tb.getIndexAttr(1), tb.getIndexAttr(H)};
                      SmallVector<OpFoldResult> unit(3, tb.getIndexAttr(1));
                      Value row = tensor::ExtractSliceOp::create(
                          tb, tl, RankedTensorType::get({1, 1, H}, tb.getF32Type()), hNew,
                          SmallVector<OpFoldResult>{bi, tb.getIndexAttr(0), tb.getIndexAttr(0)}, one, unit);
                      Value at = rowOf(tb, tl, d, steps, t);
                      Value next = tensor::InsertSliceOp::create(
                          tb, tl, row, o[0], SmallVector<OpFoldResult>{bi, at, tb.getIndexAttr(0)}, one, unit);
                      scf::YieldOp::create(tb, tl, next);
                    },
                    [&](OpBuilder &fb, Location fl) { scf::YieldOp::create(fb, fl, o[0]); });
                scf::YieldOp::create(eb, el, write.getResult(0));
              });
          scf::YieldOp::create(lb, ll, ValueRange{hNew, cNew, perExample.getResult(0)});
        });
    return loop.getResult(2);
  }
};

} // namespace

LOOM_REGISTER_PLUGIN(LstmPlugin)
