//===- Dot.h - a Graphviz picture of a model in the loom dialect -*- C++ -*-===//
//
// `loomc --emit=dot` (and svg/png through Graphviz): the model after the loom-level fusion
// passes (before them with --no-fusion). Each loom op is a box with its weights (the names
// the checkpoint carries, with shapes) and its result shape; edges carry the shapes of the
// tensors between ops. Boxes the fusion passes built are filled orange and say what they
// absorbed: several weights packed into one matmul (q/k/v), a residual add or bias and
// activation epilogue, GLU gating, RoPE in the projection. Repeated layers compiled as one
// function are drawn once, as a cluster, and their calls as boxes naming the weights each
// call passes.
//
//===----------------------------------------------------------------------===//
#ifndef LOOM_DRIVER_DOT_H
#define LOOM_DRIVER_DOT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace loom {

/// Prints `module` (the loom dialect on tensors) as a Graphviz digraph.
void printDot(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace loom

#endif
