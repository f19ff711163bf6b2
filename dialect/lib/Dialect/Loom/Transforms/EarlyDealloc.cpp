//===- EarlyDealloc.cpp - free each buffer after its last use -------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"

namespace loom {
#define GEN_PASS_DEF_LOOMEARLYDEALLOC
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct EarlyDeallocPass : public loom::impl::LoomEarlyDeallocBase<EarlyDeallocPass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (!f.getBody().hasOneBlock())
      return;
    Block &block = f.getBody().front();
    DenseMap<Operation *, int64_t> index;
    SmallVector<Operation *> order;
    for (Operation &op : block) {
      index[&op] = order.size();
      order.push_back(&op);
    }
    auto topLevel = [&](Operation *op) {
      while (op->getBlock() != &block)
        op = op->getParentOp();
      return op;
    };
    SmallVector<memref::DeallocOp> deallocs;
    for (Operation &op : block)
      if (auto d = dyn_cast<memref::DeallocOp>(op))
        if (d.getMemref().getDefiningOp<memref::AllocOp>() &&
            d.getMemref().getDefiningOp()->getBlock() == &block)
          deallocs.push_back(d);
    for (memref::DeallocOp d : deallocs) {
      // The last top-level user of the buffer or of any memref derived from it.
      Operation *last = d.getMemref().getDefiningOp();
      bool escapes = false;
      SmallVector<Value> work{d.getMemref()};
      DenseSet<Value> seen;
      while (!work.empty()) {
        Value v = work.pop_back_val();
        if (!seen.insert(v).second)
          continue;
        for (Operation *user : v.getUsers()) {
          if (user == d.getOperation())
            continue;
          if (isa<memref::DeallocOp>(user)) { // freed elsewhere too: leave it alone
            escapes = true;
            continue;
          }
          Operation *top = topLevel(user);
          if (isa<func::ReturnOp>(top))
            escapes = true;
          if (index.lookup(top) > index.lookup(last))
            last = top;
          for (Value r : user->getResults())
            if (isa<BaseMemRefType>(r.getType()))
              work.push_back(r);
          // Loop-carried or yielded aliases: results of the enclosing top-level op.
          if (top != user)
            for (Value r : top->getResults())
              if (isa<BaseMemRefType>(r.getType()))
                work.push_back(r);
        }
      }
      if (escapes || index.lookup(last) + 1 >= index.lookup(d))
        continue;
      d->moveAfter(last);
    }
  }
};
} // namespace
