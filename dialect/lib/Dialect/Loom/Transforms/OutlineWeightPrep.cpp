//===- OutlineWeightPrep.cpp - run weight-only computation once -----------===//
//
// Classifies the top-level ops of an entry function: "constant" (pure, only constant
// operands), "load time" (pure, operands weight-derived or constant, and either at least one
// weight-derived operand or a linalg.generic computing a table from constants) or "run". Weight ops move to `<entry>_prepare`; their values used by run ops become new
// entry arguments.
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace loom {
#define GEN_PASS_DEF_LOOMOUTLINEWEIGHTPREP
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom;

namespace {
struct OutlineWeightPrepPass
    : public loom::impl::LoomOutlineWeightPrepBase<OutlineWeightPrepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> entries;
    module.walk([&](func::FuncOp f) {
      if (f->hasAttr("loom.entry") && !f.isExternal())
        entries.push_back(f);
    });
    for (func::FuncOp f : entries)
      if (failed(outline(f)))
        return signalPassFailure();
    // Inputs, weights and prepared buffers are read again by the next run: bufferization
    // must not reuse them for results (e.g. a residual add written into the input).
    module.walk([&](func::FuncOp f) {
      if (!f.isExternal() && (f->hasAttr("loom.entry") || f->hasAttr("loom.prepare")))
        for (unsigned i = 0; i < f.getNumArguments(); ++i)
          f.setArgAttr(i, "bufferization.writable", BoolAttr::get(&getContext(), false));
    });
  }

  LogicalResult outline(func::FuncOp entry) {
    if (!entry.getBody().hasOneBlock())
      return entry.emitError("loom-outline-weight-prep expects a single-block entry function");
    Block &block = entry.getBody().front();
    DenseSet<Value> weightValues, constValues;
    SmallVector<unsigned> weightArgs;
    for (BlockArgument arg : block.getArguments())
      if (entry.getArgAttr(arg.getArgNumber(), "loom.weight")) {
        weightValues.insert(arg);
        weightArgs.push_back(arg.getArgNumber());
      }
    llvm::SetVector<Operation *> hoisted;
    // An op's inputs: its operands and the values its regions use from above.
    auto inputsOf = [](Operation &op) {
      llvm::SetVector<Value> inputs(op.getOperands().begin(), op.getOperands().end());
      getUsedValuesDefinedAbove(op.getRegions(), inputs);
      return inputs;
    };
    for (Operation &op : block.without_terminator()) {
      if (!isMemoryEffectFree(&op))
        continue;
      bool anyWeight = false, allKnown = true;
      for (Value v : inputsOf(op)) {
        if (weightValues.contains(v))
          anyWeight = true;
        else if (!constValues.contains(v))
          allKnown = false;
      }
      if (!allKnown)
        continue;
      // Load-time work: anything on weights, and real computations (generics, e.g. position
      // tables and ALiBi biases) on constants alone. Constants themselves (arith.constant,
      // tensor.empty, linalg.fill of scratch buffers) stay where they are used.
      bool loadTime = anyWeight || isa<linalg::GenericOp>(op);
      for (Value r : op.getResults())
        (loadTime ? weightValues : constValues).insert(r);
      if (loadTime)
        hoisted.insert(&op);
    }
    // Values computed by hoisted ops and used by the per-run code.
    SmallVector<Value> outputs;
    for (Operation *op : hoisted)
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !hoisted.contains(u); }))
          outputs.push_back(r);
    if (outputs.empty())
      return success();

    // Build <entry>_prepare(weights...) -> (outputs...).
    OpBuilder b(entry);
    b.setInsertionPointAfter(entry);
    SmallVector<Type> argTypes;
    for (unsigned i : weightArgs)
      argTypes.push_back(block.getArgument(i).getType());
    auto prepType = b.getFunctionType(argTypes, llvm::map_to_vector(outputs, [](Value v) {
                                        return v.getType();
                                      }));
    auto prep = func::FuncOp::create(b, entry.getLoc(), (entry.getName() + "_prepare").str(),
                                     prepType);
    prep->setAttr("loom.prepare", b.getUnitAttr());
    for (auto [i, idx] : llvm::enumerate(weightArgs))
      if (Attribute a = entry.getArgAttr(idx, "loom.weight"))
        prep.setArgAttr(i, "loom.weight", a);
    Block *pb = prep.addEntryBlock();
    b.setInsertionPointToStart(pb);
    IRMapping map;
    for (auto [i, idx] : llvm::enumerate(weightArgs))
      map.map(block.getArgument(idx), pb->getArgument(i));
    // Clone constants on demand (recursively), then the hoisted ops in order.
    std::function<void(Value)> ensure = [&](Value v) {
      if (map.contains(v))
        return;
      Operation *def = v.getDefiningOp();
      for (Value o : inputsOf(*def))
        ensure(o);
      b.clone(*def, map);
    };
    for (Operation *op : hoisted) {
      for (Value o : inputsOf(*op))
        ensure(o);
      b.clone(*op, map);
    }
    func::ReturnOp::create(b, entry.getLoc(),
                           llvm::map_to_vector(outputs, [&](Value v) { return map.lookup(v); }));

    // The entry takes the prepared tensors as extra arguments.
    for (auto [i, v] : llvm::enumerate(outputs)) {
      unsigned argNo = entry.getNumArguments();
      if (failed(entry.insertArgument(argNo, v.getType(),
                                      b.getDictionaryAttr(b.getNamedAttr(
                                          "loom.prepared", b.getI64IntegerAttr(i))),
                                      v.getLoc())))
        return failure();
      BlockArgument arg = block.getArgument(argNo);
      v.replaceUsesWithIf(arg, [&](OpOperand &use) { return !hoisted.contains(use.getOwner()); });
    }
    for (Operation *op : llvm::reverse(hoisted))
      op->erase();
    return success();
  }
};
} // namespace
