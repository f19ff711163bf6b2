//===- StridedCopyToLinalg.cpp - strided memref.copy -> loops -------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace loom {
#define GEN_PASS_DEF_LOOMSTRIDEDCOPYTOLINALG
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
/// The row length of a copy between `src` and `dst` worth vectorizing: both have dynamic
/// outer dimensions (a model's dynamic batch or seq), the same static innermost dimension
/// of at least 8 elements, with unit stride. 0 otherwise.
int64_t vectorRowLength(MemRefType src, MemRefType dst) {
  if (src.getRank() < 2 || src.hasStaticShape() || src.getShape() != dst.getShape())
    return 0;
  int64_t n = src.getShape().back();
  if (ShapedType::isDynamic(n) || n < 8)
    return 0;
  for (MemRefType t : {src, dst}) {
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(t.getStridesAndOffset(strides, offset)) || strides.back() != 1)
      return 0;
  }
  return n;
}

/// dst = src as an scf.parallel over the outer dimensions, each row copied in vectors of at
/// most 64 lanes.
void emitRowCopy(OpBuilder &b, Location loc, Value src, Value dst, int64_t n) {
  auto t = cast<MemRefType>(src.getType());
  int64_t rank = t.getRank();
  int64_t lanes = loom::divisorAtMost(n, 64);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0), one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(rank - 1, zero), steps(rank - 1, one), ubs;
  for (int64_t d = 0; d + 1 < rank; ++d)
    ubs.push_back(memref::DimOp::create(b, loc, src, d));
  scf::ParallelOp::create(
      b, loc, lbs, ubs, steps, [&](OpBuilder &pb, Location pl, ValueRange ivs) {
        auto vt = VectorType::get({lanes}, t.getElementType());
        Value pad = arith::ConstantOp::create(pb, pl, pb.getZeroAttr(t.getElementType()));
        scf::ForOp::create(
            pb, pl, arith::ConstantIndexOp::create(pb, pl, 0), arith::ConstantIndexOp::create(pb, pl, n),
            arith::ConstantIndexOp::create(pb, pl, lanes), ValueRange{},
            [&](OpBuilder &fb, Location fl, Value c, ValueRange) {
              SmallVector<Value> idx(ivs);
              idx.push_back(c);
              Value v = vector::TransferReadOp::create(fb, fl, vt, src, idx, pad,
                                                       ArrayRef<bool>{true});
              vector::TransferWriteOp::create(fb, fl, v, dst, idx, ArrayRef<bool>{true});
              scf::YieldOp::create(fb, fl);
            });
      });
}

struct StridedCopyToLinalgPass
    : public loom::impl::LoomStridedCopyToLinalgBase<StridedCopyToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp op) {
      auto src = dyn_cast<MemRefType>(op.getSource().getType());
      auto dst = dyn_cast<MemRefType>(op.getTarget().getType());
      if (src && dst && !(src.getLayout().isIdentity() && dst.getLayout().isIdentity()))
        copies.push_back(op);
    });
    for (memref::CopyOp op : copies) {
      OpBuilder b(op);
      auto src = cast<MemRefType>(op.getSource().getType());
      auto dst = cast<MemRefType>(op.getTarget().getType());
      if (int64_t n = vectorRowLength(src, dst))
        emitRowCopy(b, op.getLoc(), op.getSource(), op.getTarget(), n);
      else
        linalg::CopyOp::create(b, op.getLoc(), op.getSource(), op.getTarget());
      op->erase();
    }
  }
};
} // namespace
