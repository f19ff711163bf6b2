//===- ResultsInPlace.cpp - compute results in their out-params ------------===//
//
// After buffer-results-to-out-params, replaces a result's `memref.alloc` (seen through
// reshapes) by a view of the out-param it was copied into, and erases the copy.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace loom {
#define GEN_PASS_DEF_LOOMRESULTSINPLACE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
constexpr llvm::StringLiteral kResultAttr = "bufferize.result";

/// The static, identity-layout allocation that `v` views through expand/collapse shapes,
/// with those reshapes from `v`'s outward (the last reads the allocation); null if `v` is
/// anything else.
memref::AllocOp viewedAlloc(Value v, SmallVectorImpl<Operation *> &reshapes) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto e = dyn_cast<memref::ExpandShapeOp>(def)) {
      reshapes.push_back(e);
      v = e.getSrc();
    } else if (auto c = dyn_cast<memref::CollapseShapeOp>(def)) {
      reshapes.push_back(c);
      v = c.getSrc();
    } else {
      auto alloc = dyn_cast<memref::AllocOp>(def);
      if (alloc && alloc.getType().hasStaticShape() && alloc.getType().getLayout().isIdentity())
        return alloc;
      return nullptr;
    }
  }
  return nullptr;
}

struct ResultsInPlacePass : public loom::impl::LoomResultsInPlaceBase<ResultsInPlacePass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    Block &entry = func.front();
    llvm::SmallPtrSet<Operation *, 4> taken;
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      if (!func.getArgAttr(i, kResultAttr))
        continue;
      func.removeArgAttr(i, kResultAttr);
      BlockArgument out = entry.getArgument(i);
      if (!out.hasOneUse())
        continue;
      auto copy = dyn_cast<memref::CopyOp>(*out.getUsers().begin());
      if (!copy || copy.getTarget() != out || copy->getBlock() != &entry)
        continue;
      // The copy is where the result is final: only other result copies and the return
      // may follow it.
      bool last = true;
      for (Operation *n = copy->getNextNode(); n; n = n->getNextNode())
        last &= isa<memref::CopyOp, func::ReturnOp>(n);
      if (!last)
        continue;
      SmallVector<Operation *> reshapes;
      memref::AllocOp alloc = viewedAlloc(copy.getSource(), reshapes);
      if (!alloc || alloc->getBlock() != &entry || taken.contains(alloc))
        continue;
      // The out-param seen as the allocation: each reshape undone, outermost first.
      OpBuilder b(alloc);
      Value view = out;
      for (Operation *r : reshapes) {
        if (auto e = dyn_cast<memref::ExpandShapeOp>(r)) {
          view = memref::CollapseShapeOp::create(b, r->getLoc(), view,
                                                 e.getReassociationIndices());
        } else {
          auto c = cast<memref::CollapseShapeOp>(r);
          view = memref::ExpandShapeOp::create(b, r->getLoc(), c.getSrcType().getShape(), view,
                                               c.getReassociationIndices());
        }
      }
      if (view.getType() != alloc.getType()) { // not expected for identity layouts
        for (Operation *op = view.getDefiningOp(); op;) {
          Value src = op->getOperand(0);
          op->erase();
          op = src.getDefiningOp();
        }
        continue;
      }
      taken.insert(alloc);
      copy->erase();
      alloc.getResult().replaceAllUsesWith(view);
      alloc->erase();
    }
  }
};
} // namespace
