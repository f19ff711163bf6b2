//===- RemovePadding.cpp - run a padded batch on its valid rows only ------===//
//
// loom-remove-padding rewrites the entry @forward of a model with a dynamic batch and seq
// and a lengths input (`input lengths: i64[batch]`, key lengths bounded by seq) so that
// every block runs on the valid rows of the padded batch, packed into one sequence
// [1, T, ...] (T = sum of the lengths, plus one spare row): ONNX Runtime's RemovePadding and
// PackedAttention, or FlashAttention's varlen kernels with cu_seqlens. The entry's
// signature is unchanged:
//   - a preamble reads the lengths and builds, per packed row, its example, its position
//     and its sequence's [start, end) among the packed rows;
//   - every [batch, seq, ...] input is gathered into [1, T, ...];
//   - attention masked by the lengths (or causal) becomes attention over segments: a row
//     sees only its own sequence's keys;
//   - absolute positions (sinusoidal_pe, learned tables) read each row's position;
//   - every [batch, seq, ...] result is scattered back, padded rows zero.
// Any op whose valid rows would change (a convolution or a norm over the sequence, a
// position bias over [seq_q, seq_k], RoPE, decoding) is an error naming it.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/IR/LoomOps.h"
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace loom {
#define GEN_PASS_DEF_LOOMREMOVEPADDING
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {

/// The per-row tables of the packed sequence, all i64 [T].
struct Rows {
  Value total;                        ///< T (index), the valid rows plus one spare row
  Value example, position, start, end; ///< per packed row
  Value firstRow;                     ///< [batch]: each example's first packed row
  Value lengths;                      ///< [batch] i64
};

/// Builds the per-row tables from the lengths (scalar loops over the batch and the rows).
Rows buildRows(OpBuilder &b, Location loc, Value stream, Value lengthsArg) {
  Type i64 = b.getI64Type(), idx = b.getIndexType();
  auto c = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v).getResult(); };
  Value batch = tensor::DimOp::create(b, loc, stream, 0);
  auto lengthAt = [&](OpBuilder &nb, Location nl, Value e) -> Value {
    Value l = tensor::ExtractOp::create(nb, nl, lengthsArg, ValueRange{e});
    return l.getType().isInteger(64) ? l : arith::ExtSIOp::create(nb, nl, i64, l).getResult();
  };
  // Each example's first row and the number of valid rows.
  Value first0 = tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{batch}, i64);
  Value lens0 = tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{batch}, i64);
  auto sums = scf::ForOp::create(
      b, loc, c(0), batch, c(1), ValueRange{c(0), first0, lens0},
      [&](OpBuilder &nb, Location nl, Value e, ValueRange it) {
        Value l = lengthAt(nb, nl, e);
        Value first = tensor::InsertOp::create(nb, nl, arith::IndexCastOp::create(nb, nl, i64, it[0]),
                                               it[1], ValueRange{e});
        Value lens = tensor::InsertOp::create(nb, nl, l, it[2], ValueRange{e});
        Value next = arith::AddIOp::create(nb, nl, it[0], arith::IndexCastOp::create(nb, nl, idx, l));
        scf::YieldOp::create(nb, nl, ValueRange{next, first, lens});
      });
  Value valid = sums.getResult(0);
  // One spare row after the valid ones (its own sequence): T >= 1 even when every length
  // is 0, and it reads row 0 of example 0.
  Value total = arith::AddIOp::create(b, loc, valid, c(1));
  auto table = [&] { return tensor::EmptyOp::create(b, loc, ArrayRef<OpFoldResult>{total}, i64).getResult(); };
  Value validI = arith::IndexCastOp::create(b, loc, i64, valid);
  Value zeroI = arith::ConstantIntOp::create(b, loc, i64, 0);
  Value totalI = arith::IndexCastOp::create(b, loc, i64, total);
  SmallVector<Value> init{table(), table(), table(), table()};
  SmallVector<Value> spare{zeroI, zeroI, validI, totalI}; // example, position, start, end
  for (auto [t, v] : llvm::zip(init, spare))
    t = tensor::InsertOp::create(b, loc, v, t, ValueRange{valid});
  auto rows = scf::ForOp::create(
      b, loc, c(0), batch, c(1), init, [&](OpBuilder &nb, Location nl, Value e, ValueRange it) {
        Value l = tensor::ExtractOp::create(nb, nl, sums.getResult(2), ValueRange{e});
        Value start = tensor::ExtractOp::create(nb, nl, sums.getResult(1), ValueRange{e});
        Value end = arith::AddIOp::create(nb, nl, start, l);
        Value eI = arith::IndexCastOp::create(nb, nl, i64, e);
        auto inner = scf::ForOp::create(
            nb, nl, arith::ConstantIndexOp::create(nb, nl, 0),
            arith::IndexCastOp::create(nb, nl, idx, l), arith::ConstantIndexOp::create(nb, nl, 1), it,
            [&](OpBuilder &ib, Location il, Value s, ValueRange t) {
              Value sI = arith::IndexCastOp::create(ib, il, i64, s);
              Value row = arith::IndexCastOp::create(ib, il, idx, arith::AddIOp::create(ib, il, start, sI));
              SmallVector<Value> out, vals{eI, sI, start, end};
              for (auto [tab, v] : llvm::zip(t, vals))
                out.push_back(tensor::InsertOp::create(ib, il, v, tab, ValueRange{row}));
              scf::YieldOp::create(ib, il, out);
            });
        scf::YieldOp::create(nb, nl, inner.getResults());
      });
  return {total, rows.getResult(0), rows.getResult(1), rows.getResult(2), rows.getResult(3),
          sums.getResult(1), sums.getResult(2)};
}

/// One generic over `init`'s shape reading the two [n] tables `perDim` at the iteration's
/// dimension `dim` (a packed row, or an example); `body` gets their two scalars and returns
/// the element.
Value tableGeneric(OpBuilder &b, Location loc, Value init, ValueRange perDim, unsigned dim,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  int64_t rank = cast<RankedTensorType>(init.getType()).getRank();
  AffineMap read = AffineMap::get(rank, 0, {b.getAffineDimExpr(dim)}, b.getContext());
  auto g = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, perDim, ValueRange{init},
      SmallVector<AffineMap>{read, read, b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange a) {
        linalg::YieldOp::create(nb, nl, ValueRange{body(nb, nl, a)});
      });
  return g.getResult(0);
}

/// [batch, seq, rest...] -> [1, T, rest...]: packed row r reads (example[r], position[r]).
Value gather(OpBuilder &b, Location loc, Value v, const Rows &rows) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t rank = t.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, v);
  sizes[0] = b.getIndexAttr(1);
  sizes[1] = rows.total;
  Value init = tensor::EmptyOp::create(b, loc, sizes, t.getElementType());
  Value g = tableGeneric(
      b, loc, init, ValueRange{rows.example, rows.position}, 1,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        SmallVector<Value> at{arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[0]),
                              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), a[1])};
        for (int64_t d = 2; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, nl, d));
        return tensor::ExtractOp::create(nb, nl, v, at);
      });
  // The input's type ([?, ?, ...]): the ops that read it keep theirs.
  return tensor::CastOp::create(b, loc, t, g);
}

/// [1, T, rest...] -> [batch, seq, rest...] (the batch and seq of `stream`): valid rows
/// from their packed row, padded rows zero.
Value scatter(OpBuilder &b, Location loc, Value packed, Value stream, const Rows &rows) {
  auto t = cast<RankedTensorType>(packed.getType());
  int64_t rank = t.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, packed);
  sizes[0] = tensor::getMixedSize(b, loc, stream, 0);
  sizes[1] = tensor::getMixedSize(b, loc, stream, 1);
  Value init = tensor::EmptyOp::create(b, loc, sizes, t.getElementType());
  return tableGeneric(
      b, loc, init, ValueRange{rows.lengths, rows.firstRow}, 0,
      [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
        Type i64 = nb.getI64Type();
        Value s = arith::IndexCastOp::create(nb, nl, i64, linalg::IndexOp::create(nb, nl, 1));
        Value valid = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, s, a[0]);
        // A padded row reads the spare row (always in bounds), then is set to zero.
        Value spare = arith::IndexCastOp::create(
            nb, nl, i64,
            arith::SubIOp::create(nb, nl, tensor::DimOp::create(nb, nl, packed, 1),
                                  arith::ConstantIndexOp::create(nb, nl, 1)));
        Value row = arith::SelectOp::create(nb, nl, valid, arith::AddIOp::create(nb, nl, a[1], s), spare);
        SmallVector<Value> at{arith::ConstantIndexOp::create(nb, nl, 0),
                              arith::IndexCastOp::create(nb, nl, nb.getIndexType(), row)};
        for (int64_t d = 2; d < rank; ++d)
          at.push_back(linalg::IndexOp::create(nb, nl, d));
        Value v = tensor::ExtractOp::create(nb, nl, packed, at);
        Value zero = arith::ConstantOp::create(nb, nl, nb.getZeroAttr(t.getElementType()));
        return arith::SelectOp::create(nb, nl, valid, v, zero);
      });
}

/// The dynamic-dimension names of argument `i` (or result `i` with `result`): "" per static one.
SmallVector<StringRef> dynamicNames(func::FuncOp fn, unsigned i, bool result) {
  auto names = result ? fn.getResultAttrOfType<ArrayAttr>(i, "loom.dynamic_dims")
                      : fn.getArgAttrOfType<ArrayAttr>(i, "loom.dynamic_dims");
  SmallVector<StringRef> out;
  if (names)
    for (auto n : names.getAsRange<StringAttr>())
      out.push_back(n.getValue());
  return out;
}

struct RemovePaddingPass : public loom::impl::LoomRemovePaddingBase<RemovePaddingPass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (!fn->hasAttr("loom.entry"))
      return;
    auto fail = [&](Operation *at, const Twine &msg) {
      at->emitError("cannot remove padding: ") << msg;
      signalPassFailure();
    };
    // The stream is argument 0, [batch, seq, ...] with both dynamic.
    SmallVector<StringRef> stream = dynamicNames(fn, 0, false);
    if (stream.size() < 2 || stream[0].empty() || stream[1].empty())
      return fail(fn, "the first input must have a dynamic batch and seq (-D batch=? -D seq=?)");
    StringRef batchName = stream[0], seqName = stream[1];
    // The lengths: an integer [batch] input bounded by seq (key lengths).
    int lengthsArg = -1;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto dim = fn.getArgAttrOfType<StringAttr>(i, "loom.index_bound_dim");
      SmallVector<StringRef> names = dynamicNames(fn, i, false);
      if (dim && dim.getValue() == seqName && names.size() == 1 && names[0] == batchName)
        lengthsArg = static_cast<int>(i);
    }
    if (lengthsArg < 0)
      return fail(fn, "the model needs a lengths input [" + batchName.str() +
                          "] that masks the keys (sdpa's key_lengths)");
    Value lengths = fn.getArgument(lengthsArg);
    // Every op must keep its valid rows when the rows are packed.
    WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
      if (isa<DepthwiseConv1DOp, GroupNormOp, T5BiasOp, AlibiBiasOp, RelativeLogitsOp, RopeOp,
              GreedyDecodeOp>(op)) {
        fail(op, "'" + op->getName().getStringRef().str() +
                     "' reads across the rows of a sequence or their absolute positions, which "
                     "packing would change");
        return WalkResult::interrupt();
      }
      if (auto attn = dyn_cast<AttentionOp>(op)) {
        bool masked = attn.getKeyLengths() == lengths || attn.getCausal();
        if (!masked || attn.getWindow() || attn.getBlockSize() || attn.getBias() ||
            attn.getRelValues() || (attn.getKeyLengths() && attn.getKeyLengths() != lengths)) {
          fail(op, "attention must mask its keys by the lengths (or be causal), without a "
                   "window, blocks, a bias or relative values");
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return;
    for (OpOperand &use : lengths.getUses())
      if (!isa<AttentionOp>(use.getOwner()))
        return fail(use.getOwner(), "the lengths are read by an op other than attention");

    // The [batch, seq, ...] inputs and their uses (before the preamble adds its own).
    SmallVector<std::pair<unsigned, SmallVector<OpOperand *>>> streams;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      SmallVector<StringRef> names = dynamicNames(fn, i, false);
      if (static_cast<int>(i) == lengthsArg || names.empty())
        continue;
      if (names.size() < 2 || names[0] != batchName || names[1] != seqName)
        return fail(fn, "input " + Twine(i) + " is not [" + batchName + ", " + seqName + ", ...]");
      SmallVector<OpOperand *> uses;
      for (OpOperand &u : fn.getArgument(i).getUses())
        uses.push_back(&u);
      streams.push_back({i, uses});
    }
    Block &entry = fn.getBody().front();
    OpBuilder b(&entry, entry.begin());
    Location loc = fn.getLoc();
    Rows rows = buildRows(b, loc, fn.getArgument(0), lengths);
    // Gather every [batch, seq, ...] input.
    for (auto &[i, uses] : streams) {
      Value packed = gather(b, loc, fn.getArgument(i), rows);
      for (OpOperand *u : uses)
        u->set(packed);
    }
    // Attention over segments; absolute positions per row.
    SmallVector<Operation *> ops;
    fn.walk([&](Operation *op) {
      if (isa<AttentionOp, SinusoidalPEOp, AddPositionTableOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      OpBuilder rb(op);
      if (auto attn = dyn_cast<AttentionOp>(op)) {
        auto repl = AttentionOp::create(rb, attn.getLoc(), attn.getType(), attn.getQuery(),
                                        attn.getKey(), attn.getValue(), Value(), Value(), Value(),
                                        rows.start, rows.end, attn.getNHeadsAttr(),
                                        attn.getCausalAttr(), attn.getWindowAttr(),
                                        attn.getBlockSizeAttr(), attn.getRelMaxDistanceAttr(),
                                        attn.getScaleAttr());
        attn.replaceAllUsesWith(repl.getResult());
        attn.erase();
      } else if (auto pe = dyn_cast<SinusoidalPEOp>(op)) {
        pe.getPositionsMutable().assign(rows.position);
      } else if (auto table = dyn_cast<AddPositionTableOp>(op)) {
        table.getPositionsMutable().assign(rows.position);
      }
    }
    // Scatter every [batch, seq, ...] result back.
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    OpBuilder rb(ret);
    for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
      SmallVector<StringRef> names = dynamicNames(fn, i, true);
      if (names.size() < 2 || names[0] != batchName || names[1] != seqName)
        return fail(ret, "result " + Twine(i) + " is not [" + batchName + ", " + seqName + ", ...]");
      ret.setOperand(i, scatter(rb, loc, ret.getOperand(i), fn.getArgument(0), rows));
    }
  }
};

} // namespace
