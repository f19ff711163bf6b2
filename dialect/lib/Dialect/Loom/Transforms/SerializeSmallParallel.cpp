//===- SerializeSmallParallel.cpp - small parallel loops in a recurrence --===//
//
// See LoomSerializeSmallParallel in Passes.td.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#include <limits>

namespace loom {
#define GEN_PASS_DEF_LOOMSERIALIZESMALLPARALLEL
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
constexpr int64_t kLarge = std::numeric_limits<int64_t>::max() / 4;

int64_t saturatingMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) || r > kLarge ? kLarge : r;
}

int64_t blockWork(Block &block);

/// The static trip count of [lb, ub) by step, or nullopt.
std::optional<int64_t> trips(Value lb, Value ub, Value step) {
  auto l = getConstantIntValue(lb), u = getConstantIntValue(ub), s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

/// The estimated work of one operation: loops multiply their bodies by their static trip
/// counts; any other op counts the elements of its vector result (1 for scalars and memory
/// operations; a vector store its stored vector's) plus the work of its regions.
int64_t opWork(Operation *op) {
  if (isa<scf::WhileOp, func::CallOp>(op))
    return kLarge;
  if (auto f = dyn_cast<scf::ForOp>(op)) {
    auto n = trips(f.getLowerBound(), f.getUpperBound(), f.getStep());
    return n ? saturatingMul(*n, blockWork(*f.getBody())) : kLarge;
  }
  if (auto p = dyn_cast<scf::ParallelOp>(op)) {
    int64_t w = blockWork(*p.getBody());
    for (auto [lb, ub, st] : llvm::zip(p.getLowerBound(), p.getUpperBound(), p.getStep())) {
      auto n = trips(lb, ub, st);
      if (!n)
        return kLarge;
      w = saturatingMul(w, *n);
    }
    return w;
  }
  int64_t w = 1;
  auto count = [&](Type t) {
    if (auto v = dyn_cast<VectorType>(t))
      w = std::max(w, v.getNumElements());
  };
  llvm::for_each(op->getResultTypes(), count);
  llvm::for_each(op->getOperandTypes(), count); // vector stores
  for (Region &r : op->getRegions())
    for (Block &b : r)
      w = std::min(kLarge, w + blockWork(b));
  return w;
}

int64_t blockWork(Block &block) {
  int64_t w = 0;
  for (Operation &op : block)
    w = std::min(kLarge, w + opWork(&op));
  return w;
}

struct SerializeSmallParallelPass
    : public loom::impl::LoomSerializeSmallParallelBase<SerializeSmallParallelPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> small;
    getOperation().walk([&](scf::ParallelOp p) {
      if (p->getParentOfType<scf::ParallelOp>() || p.getNumResults() != 0)
        return;
      Operation *loop = p->getParentOp();
      while (loop && !isa<scf::ForOp, scf::WhileOp, func::FuncOp>(loop))
        loop = loop->getParentOp();
      if (!loop || isa<func::FuncOp>(loop)) // runs once per call: leave it parallel
        return;
      if (opWork(p) < minWork)
        small.push_back(p);
    });
    for (scf::ParallelOp p : small) {
      OpBuilder b(p);
      scf::buildLoopNest(b, p.getLoc(), p.getLowerBound(), p.getUpperBound(), p.getStep(),
                         [&](OpBuilder &nb, Location, ValueRange ivs) {
                           IRMapping map;
                           map.map(p.getInductionVars(), ivs);
                           for (Operation &op : p.getBody()->without_terminator())
                             nb.clone(op, map);
                         });
      p.erase();
    }
  }
};
} // namespace
