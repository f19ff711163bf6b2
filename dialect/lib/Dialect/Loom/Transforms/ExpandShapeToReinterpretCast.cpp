//===- ExpandShapeToReinterpretCast.cpp - dynamic expand_shape workaround --===//
//
// A memref.expand_shape that splits one dimension into two or more dynamic ones (the
// [batch * seq, d] -> [batch, seq, d] of a model with dynamic batch and seq) crashes MLIR
// 22's expand-strided-metadata. On a contiguous (identity-layout) source the result is a
// row-major view of the same buffer, which this pass states directly as a
// memref.reinterpret_cast with offset 0, the expand's output sizes and row-major strides.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace loom {
#define GEN_PASS_DEF_LOOMEXPANDSHAPETOREINTERPRETCAST
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
/// Whether a reassociation group of `op` expands into more than one dynamic dimension.
bool expandsIntoSeveralDynamic(memref::ExpandShapeOp op) {
  MemRefType result = op.getResultType();
  for (const ReassociationIndices &group : op.getReassociationIndices())
    if (llvm::count_if(group, [&](int64_t d) { return result.isDynamicDim(d); }) > 1)
      return true;
  return false;
}

struct ExpandShapeToReinterpretCastPass
    : public loom::impl::LoomExpandShapeToReinterpretCastBase<ExpandShapeToReinterpretCastPass> {
  void runOnOperation() override {
    SmallVector<memref::ExpandShapeOp> ops;
    getOperation().walk([&](memref::ExpandShapeOp op) {
      if (expandsIntoSeveralDynamic(op))
        ops.push_back(op);
    });
    for (memref::ExpandShapeOp op : ops) {
      MemRefType src = op.getSrcType(), result = op.getResultType();
      if (!src.getLayout().isIdentity() || !result.getLayout().isIdentity()) {
        op.emitOpError("splits a dimension into several dynamic ones of a non-contiguous "
                       "buffer, which this pipeline cannot lower");
        return signalPassFailure();
      }
      OpBuilder b(op);
      Location loc = op.getLoc();
      SmallVector<OpFoldResult> sizes = op.getMixedOutputShape();
      // Row-major strides: products of the sizes to the right, folded while static.
      SmallVector<OpFoldResult> strides(sizes.size());
      OpFoldResult stride = b.getIndexAttr(1);
      for (size_t d = sizes.size(); d-- > 0;) {
        strides[d] = stride;
        if (d == 0)
          break;
        std::optional<int64_t> s = getConstantIntValue(stride), n = getConstantIntValue(sizes[d]);
        if (s && n)
          stride = b.getIndexAttr(*s * *n);
        else
          stride = arith::MulIOp::create(b, loc, getValueOrCreateConstantIndexOp(b, loc, stride),
                                         getValueOrCreateConstantIndexOp(b, loc, sizes[d]))
                       .getResult();
      }
      // Strides the result type states statically are given as constants.
      int64_t offset;
      SmallVector<int64_t> staticStrides;
      if (succeeded(result.getStridesAndOffset(staticStrides, offset)))
        for (auto [i, st] : llvm::enumerate(staticStrides))
          if (!ShapedType::isDynamic(st))
            strides[i] = b.getIndexAttr(st);
      Value cast = memref::ReinterpretCastOp::create(b, loc, result, op.getSrc(),
                                                     b.getIndexAttr(0), sizes, strides);
      op.getResult().replaceAllUsesWith(cast);
      op->erase();
    }
  }
};
} // namespace
