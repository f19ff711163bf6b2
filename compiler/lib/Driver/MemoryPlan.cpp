//===- MemoryPlan.cpp - activation buffers and their lifetimes -----------===//
#include "loom/Driver/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

#include <algorithm>

using namespace mlir;

namespace {

int64_t bytesOf(MemRefType t) {
  Type e = t.getElementType();
  int64_t bits = e.isIndex() ? 64 : e.isIntOrFloat() ? e.getIntOrFloatBitWidth() : 0;
  if (!t.hasStaticShape() || bits == 0)
    return 0;
  return t.getNumElements() * std::max<int64_t>(bits / 8, 1);
}

struct Buffer {
  Operation *alloc;
  int64_t bytes, first, last;
};

struct FuncPlan {
  std::vector<Buffer> buffers;
  int64_t peak = 0, peakAt = 0, scratch = 0;
};

std::string mib(int64_t bytes) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::format("%.2f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return s;
}

/// The top-level op of `f`'s body that contains `op`.
Operation *topLevel(Operation *op, func::FuncOp f) {
  while (op->getParentOp() != f.getOperation())
    op = op->getParentOp();
  return op;
}

FuncPlan plan(func::FuncOp f, const llvm::StringMap<FuncPlan> &callees) {
  FuncPlan p;
  llvm::DenseMap<Operation *, int64_t> index;
  int64_t n = 0;
  for (Operation &op : f.getBody().front())
    index[&op] = n++;
  f.walk([&](memref::AllocOp a) {
    int64_t bytes = bytesOf(a.getType());
    if (a->getParentOp() != f.getOperation()) { // inside a loop body: per-task scratch
      p.scratch += bytes;
      return;
    }
    int64_t first = index.lookup(a), last = first;
    // The buffer and its views: the last top-level op that uses any of them.
    SmallVector<Value> work{a.getResult()};
    while (!work.empty()) {
      Value v = work.pop_back_val();
      for (Operation *user : v.getUsers()) {
        last = std::max(last, index.lookup(topLevel(user, f)));
        if (isa<memref::DeallocOp>(user))
          continue;
        if (isa<ViewLikeOpInterface>(user))
          for (Value r : user->getResults())
            work.push_back(r);
      }
    }
    p.buffers.push_back({a, bytes, first, last});
  });
  // Sweep: live bytes at each top-level op (+ a callee's own peak during its call).
  for (int64_t i = 0; i < n; ++i) {
    int64_t live = 0;
    for (const Buffer &b : p.buffers)
      if (b.first <= i && i <= b.last)
        live += b.bytes;
    p.peak = std::max(p.peak, live);
    if (live == p.peak)
      p.peakAt = i;
  }
  int64_t i = 0;
  for (Operation &op : f.getBody().front()) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto it = callees.find(call.getCallee());
      if (it != callees.end()) {
        int64_t live = it->second.peak;
        for (const Buffer &b : p.buffers)
          if (b.first <= i && i <= b.last)
            live += b.bytes;
        if (live > p.peak) {
          p.peak = live;
          p.peakAt = i;
        }
      }
    }
    ++i;
  }
  return p;
}

} // namespace

void loom::printMemoryPlan(ModuleOp module, llvm::raw_ostream &os) {
  // Callees first (private layer functions), so that calls know their peaks.
  SmallVector<func::FuncOp> funcs;
  module.walk([&](func::FuncOp f) {
    if (!f.isExternal())
      funcs.push_back(f);
  });
  std::stable_sort(funcs.begin(), funcs.end(),
                   [](func::FuncOp a, func::FuncOp b) { return a.isPrivate() && !b.isPrivate(); });
  llvm::StringMap<FuncPlan> plans;
  for (func::FuncOp f : funcs) {
    FuncPlan p = plan(f, plans);
    os << "@" << f.getName() << ": " << p.buffers.size() << " buffers, peak live "
       << mib(p.peak) << " (" << p.peak << " bytes) at op " << p.peakAt;
    if (p.scratch)
      os << ", plus " << p.scratch << " bytes of per-task scratch";
    os << "\n";
    int64_t largest = 0;
    for (const Buffer &b : p.buffers) {
      largest = std::max(largest, b.bytes);
      os << "  " << llvm::format("%12lld", static_cast<long long>(b.bytes)) << "  ops ["
         << b.first << ", " << b.last << "]  " << b.alloc->getResult(0).getType() << "\n";
    }
    if (!p.buffers.empty())
      os << "  largest buffer " << mib(largest) << "\n";
    plans[f.getName()] = std::move(p);
  }
  // Weights, inputs and outputs are not activations: the runtime maps, reads or allocates
  // them (the outputs are the out-params the results are computed in).
  for (func::FuncOp f : funcs) {
    if (!f->hasAttr("loom.entry"))
      continue;
    int64_t weights = 0, prepared = 0, inputs = 0, outputs = 0;
    for (unsigned i = 0; i < f.getNumArguments(); ++i) {
      auto t = dyn_cast<MemRefType>(f.getArgument(i).getType());
      if (!t)
        continue;
      if (f.getArgAttr(i, "loom.weight"))
        weights += bytesOf(t);
      else if (f.getArgAttr(i, "loom.prepared"))
        prepared += bytesOf(t);
      else if (f.getArgAttr(i, "loom.input"))
        inputs += bytesOf(t);
      else
        outputs += bytesOf(t);
    }
    os << "@" << f.getName() << " total: weights " << mib(weights) << " (mapped), prepared "
       << mib(prepared) << ", inputs " << mib(inputs) << ", outputs " << mib(outputs)
       << ", peak activations "
       << mib(plans[f.getName()].peak) << "\n";
  }
}
