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
#include "mlir/IR/Dominance.h"
#include "mlir/Transforms/CSE.h"
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
/// Marks a call of a layer's prepare function: weight-only work, load time for its caller.
constexpr llvm::StringLiteral kLoadTimeCall = "loom.load_time";

/// An op's inputs: its operands and the values its regions use from above.
llvm::SetVector<Value> inputsOf(Operation &op) {
  llvm::SetVector<Value> inputs(op.getOperands().begin(), op.getOperands().end());
  getUsedValuesDefinedAbove(op.getRegions(), inputs);
  return inputs;
}

/// The load-time ops of `block`, given its weight values: pure, operands weight-derived or
/// constant, and either at least one weight-derived operand or a linalg.generic computing a
/// table from constants. Constants themselves (arith.constant, tensor.empty, linalg.fill of
/// scratch buffers) stay where they are used.
llvm::SetVector<Operation *> loadTimeOps(Block &block, DenseSet<Value> weightValues) {
  DenseSet<Value> constValues;
  llvm::SetVector<Operation *> hoisted;
  for (Operation &op : block.without_terminator()) {
    // A layer's prepare call (hoistToCallers) computes from weights only.
    if (!isMemoryEffectFree(&op) && !op.hasAttr(kLoadTimeCall))
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
    bool loadTime = anyWeight || isa<linalg::GenericOp>(op);
    for (Value r : op.getResults())
      (loadTime ? weightValues : constValues).insert(r);
    if (loadTime)
      hoisted.insert(&op);
  }
  return hoisted;
}

/// Values computed by `hoisted` ops and used by other ops.
SmallVector<Value> usedOutside(const llvm::SetVector<Operation *> &hoisted) {
  SmallVector<Value> outputs;
  for (Operation *op : hoisted)
    for (Value r : op->getResults())
      if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !hoisted.contains(u); }))
        outputs.push_back(r);
  return outputs;
}

/// Clones `hoisted` (and the constants they use, on demand) at `b`, through `map`.
void cloneHoisted(OpBuilder &b, const llvm::SetVector<Operation *> &hoisted, IRMapping &map) {
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
}

/// The arguments of `f` marked `attr` (its weights), in order.
SmallVector<unsigned> markedArgs(func::FuncOp f, StringRef attr) {
  SmallVector<unsigned> args;
  for (unsigned i = 0; i < f.getNumArguments(); ++i)
    if (f.getArgAttr(i, attr))
      args.push_back(i);
  return args;
}

/// A function `name`(the `weightArgs` of `block`) -> (`outputs`) at `b`'s insertion point,
/// whose body is `ops` (and the constants they use) on its arguments.
func::FuncOp buildPrepare(OpBuilder &b, Location loc, StringRef name, Block &block,
                          ArrayRef<unsigned> weightArgs, const llvm::SetVector<Operation *> &ops,
                          ArrayRef<Value> outputs) {
  auto prep = func::FuncOp::create(
      b, loc, name,
      b.getFunctionType(llvm::map_to_vector(weightArgs, [&](unsigned i) {
                          return block.getArgument(i).getType();
                        }),
                        llvm::map_to_vector(outputs, [](Value v) { return v.getType(); })));
  OpBuilder::InsertionGuard guard(b);
  Block *pb = prep.addEntryBlock();
  b.setInsertionPointToStart(pb);
  IRMapping map;
  for (auto [i, idx] : llvm::enumerate(weightArgs))
    map.map(block.getArgument(idx), pb->getArgument(i));
  cloneHoisted(b, ops, map);
  func::ReturnOp::create(b, loc, llvm::map_to_vector(outputs, [&](Value v) { return map.lookup(v); }));
  return prep;
}

struct OutlineWeightPrepPass
    : public loom::impl::LoomOutlineWeightPrepBase<OutlineWeightPrepPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Functions of repeated layers (parameters marked loom.weight_param): their load-time
    // work moves to every call site first, where it depends on the entry's weights.
    SmallVector<func::FuncOp> callees;
    module.walk([&](func::FuncOp f) {
      if (!f.isExternal() && f.isPrivate())
        for (unsigned i = 0; i < f.getNumArguments(); ++i)
          if (f.getArgAttr(i, "loom.weight_param")) {
            callees.push_back(f);
            break;
          }
    });
    for (func::FuncOp f : callees)
      if (failed(hoistToCallers(module, f)))
        return signalPassFailure();
    if (!callees.empty()) {
      // Constants the call sites' prepare work shares (e.g. position tables): once.
      IRRewriter rewriter(&getContext());
      DominanceInfo dom;
      eliminateCommonSubExpressions(rewriter, dom, module);
    }
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

  /// Moves the load-time ops of `callee` into `<callee>_prepare(weights...) -> prepared...`,
  /// called at each call site (one function however many layers call it, so compile time
  /// does not grow with depth); the layer call passes the prepared values as new
  /// arguments, and weight parameters no longer used are dropped.
  LogicalResult hoistToCallers(ModuleOp module, func::FuncOp callee) {
    if (!callee.getBody().hasOneBlock())
      return callee.emitError("loom-outline-weight-prep expects a single-block layer function");
    Block &block = callee.getBody().front();
    SmallVector<unsigned> weightArgs = markedArgs(callee, "loom.weight_param");
    DenseSet<Value> weightValues;
    for (unsigned i : weightArgs)
      weightValues.insert(block.getArgument(i));
    llvm::SetVector<Operation *> hoisted = loadTimeOps(block, weightValues);
    SmallVector<Value> outputs = usedOutside(hoisted);
    if (outputs.empty())
      return success();
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp c) {
      if (c.getCallee() == callee.getName())
        calls.push_back(c);
    });
    // Work on constants alone (position tables) is the same for every layer: it stays at
    // the call sites, where CSE keeps one copy, rather than being prepared per layer.
    llvm::SetVector<Operation *> fromWeights, fromConstants;
    DenseSet<Value> weightDerived(weightValues);
    for (Operation *op : hoisted) {
      bool derived = llvm::any_of(inputsOf(*op), [&](Value v) { return weightDerived.contains(v); });
      (derived ? fromWeights : fromConstants).insert(op);
      if (derived)
        weightDerived.insert(op->getResults().begin(), op->getResults().end());
    }
    SmallVector<Value> prepared =
        llvm::filter_to_vector(outputs, [&](Value v) { return weightDerived.contains(v); });
    // 1. The prepare function: the weight-derived work on the layer's weight parameters.
    OpBuilder b(callee);
    func::FuncOp prep;
    if (!prepared.empty()) {
      prep = buildPrepare(b, callee.getLoc(), (callee.getName() + "_prepare").str(), block,
                          weightArgs, fromWeights, prepared);
      prep.setPrivate();
      prep->setAttr("no_inline", b.getUnitAttr());
      prep->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
    }
    // Each call site calls it on its own weights (call sites with the same weights, layers
    // that share them, `let`, in one block share one call, so each value is prepared once)
    // and computes the constant work itself.
    SmallVector<SmallVector<Value>> operands;
    DenseMap<Block *, SmallVector<std::pair<SmallVector<Value>, func::CallOp>>> made;
    for (func::CallOp call : calls) {
      b.setInsertionPoint(call);
      IRMapping map;
      cloneHoisted(b, fromConstants, map);
      if (prep) {
        SmallVector<Value> weights =
            llvm::map_to_vector(weightArgs, [&](unsigned i) { return call.getOperand(i); });
        func::CallOp prepCall;
        for (auto &[w, c] : made[call->getBlock()])
          if (w == weights)
            prepCall = c;
        if (!prepCall) {
          prepCall = func::CallOp::create(b, call.getLoc(), prep, weights);
          prepCall.setNoInline(true);
          prepCall->setAttr(kLoadTimeCall, b.getUnitAttr());
          made[call->getBlock()].push_back({weights, prepCall});
        }
        map.map(ValueRange(prepared), prepCall.getResults());
      }
      operands.push_back(llvm::map_to_vector(outputs, [&](Value v) { return map.lookup(v); }));
    }
    // 2. The callee takes them as parameters; the hoisted ops and unused weights go.
    unsigned firstNew = callee.getNumArguments();
    for (auto [i, v] : llvm::enumerate(outputs)) {
      if (failed(callee.insertArgument(firstNew + i, v.getType(),
                                       b.getDictionaryAttr(b.getNamedAttr(
                                           "loom.weight_param", b.getStringAttr("prepared"))),
                                       v.getLoc())))
        return failure();
      v.replaceUsesWithIf(block.getArgument(firstNew + i),
                          [&](OpOperand &use) { return !hoisted.contains(use.getOwner()); });
    }
    for (Operation *op : llvm::reverse(hoisted))
      op->erase();
    llvm::BitVector unused(callee.getNumArguments());
    for (BlockArgument arg : block.getArguments())
      if (arg.use_empty() && callee.getArgAttr(arg.getArgNumber(), "loom.weight_param"))
        unused.set(arg.getArgNumber());
    if (failed(callee.eraseArguments(unused)))
      return failure();
    // 3. The calls, with the new operand lists.
    for (auto [call, prepared] : llvm::zip_equal(calls, operands)) {
      SmallVector<Value> ops(call.getOperands()), kept;
      ops.append(prepared.begin(), prepared.end());
      for (auto [i, v] : llvm::enumerate(ops))
        if (!unused.test(i))
          kept.push_back(v);
      b.setInsertionPoint(call);
      auto newCall = func::CallOp::create(b, call.getLoc(), callee, kept);
      newCall.setNoInline(call.getNoInline());
      call.replaceAllUsesWith(newCall.getResults());
      call.erase();
    }
    return success();
  }

  LogicalResult outline(func::FuncOp entry) {
    if (!entry.getBody().hasOneBlock())
      return entry.emitError("loom-outline-weight-prep expects a single-block entry function");
    Block &block = entry.getBody().front();
    SmallVector<unsigned> weightArgs = markedArgs(entry, "loom.weight");
    DenseSet<Value> weightValues;
    for (unsigned i : weightArgs)
      weightValues.insert(block.getArgument(i));
    llvm::SetVector<Operation *> hoisted = loadTimeOps(block, weightValues);
    // Values computed by hoisted ops and used by the per-run code.
    SmallVector<Value> outputs = usedOutside(hoisted);
    if (outputs.empty())
      return success();

    // Build <entry>_prepare(weights...) -> (outputs...).
    OpBuilder b(entry);
    b.setInsertionPointAfter(entry);
    func::FuncOp prep = buildPrepare(b, entry.getLoc(), (entry.getName() + "_prepare").str(),
                                     block, weightArgs, hoisted, outputs);
    prep->setAttr("loom.prepare", b.getUnitAttr());
    for (auto [i, idx] : llvm::enumerate(weightArgs))
      prep.setArgAttr(i, "loom.weight", entry.getArgAttr(idx, "loom.weight"));

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
