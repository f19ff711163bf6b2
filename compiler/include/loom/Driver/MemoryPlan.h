//===- MemoryPlan.h - activation buffers and their lifetimes -----*- C++ -*-===//
//
// `loomc --print-memory-plan`: the activation buffers of the bufferized module (after the
// loops pipeline), with sizes and live ranges. Buffers are freed right after their last use
// (MLIR's ownership-based deallocation), and the runtime keeps freed blocks in its heap
// (runtime keepBuffersInHeap), so buffers whose live ranges do not overlap share memory;
// the peak of simultaneously live activation bytes is what a run needs on top of the
// mapped weights, prepared weights and inputs.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DRIVER_MEMORYPLAN_H
#define LOOM_DRIVER_MEMORYPLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace loom {

/// Prints, per function with buffers (forward, its layer functions, forward_prepare):
/// each top-level buffer as `bytes [first op, last op] type`, the peak of live bytes and
/// where it occurs (a call counts its callee's peak), the largest buffer, and per-thread
/// scratch (buffers inside parallel loops, per task). Sizes are in bytes. `module` must be
/// bufferized (memref.alloc / memref.dealloc with static shapes).
void printMemoryPlan(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace loom

#endif
