//===- Pipelines.cpp - loom -> LLVM dialect pipelines ---------------------===//
//
// The stages, in order (each also available to loom-opt as a named pipeline):
//   loom-fuse      loom-level fusion (batch norm, rope, projections, linear epilogues)
//   loom-to-loops  loom -> linalg (loop-invariant code out of act loops), weight-prep outlining, matmul tiling/vectorization,
//                  bufferization, parallel loops
//   loom-to-llvm   loops -> OpenMP -> LLVM dialect
//
//===----------------------------------------------------------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
void addPipeline(OpPassManager &pm, const std::string &text) {
  std::string err;
  llvm::raw_string_ostream os(err);
  if (failed(parsePassPipeline(text, pm, os)))
    llvm::report_fatal_error(llvm::Twine("loom: bad built-in pipeline: ") + os.str());
}
} // namespace

void loom::buildLoomFusionPipeline(OpPassManager &pm) {
  addPipeline(pm, "func.func(loom-fold-batch-norm,loom-fuse-rope,loom-fuse-projections,loom-fuse-linear-epilogue,canonicalize,cse)");
}

void loom::buildLoomToLinalgPipeline(OpPassManager &pm, int64_t panelWidth) {
  addPipeline(pm, "convert-loom-to-linalg{panel-width=" + std::to_string(panelWidth) + "},canonicalize,cse,loop-invariant-code-motion,loom-outline-weight-prep");
}

void loom::buildLoomToLoopsPipeline(OpPassManager &pm, const LowerToLLVMOptions &opts) {
  buildLoomToLinalgPipeline(pm, opts.vectorize && opts.packWeights ? opts.regTileN : 0);
  buildLinalgToLoopsPipeline(pm, opts);
}

void loom::buildLinalgToLoopsPipeline(OpPassManager &pm, const LowerToLLVMOptions &opts) {
  // Tile matmuls first: elementwise fusion's reshape propagation would turn the named
  // matmuls into generics.
  if (opts.vectorize)
    addPipeline(pm, "func.func(loom-tile-and-vectorize{reg-tile-m=" +
                        std::to_string(opts.regTileM) + " reg-tile-n=" +
                        std::to_string(opts.regTileN) +
                        "}),canonicalize,cse,loop-invariant-subset-hoisting,canonicalize");
  addPipeline(pm, "func.func(linalg-fuse-elementwise-ops),canonicalize,cse");
  addPipeline(pm,
              "eliminate-empty-tensors,"
              "one-shot-bufferize{bufferize-function-boundaries allow-return-allocs-from-loops "
              "function-boundary-type-conversion=identity-layout-map},"
              "buffer-results-to-out-params{modify-public-functions hoist-static-allocs hoist-dynamic-allocs "
              "add-result-attr},func.func(loom-results-in-place),"
              "buffer-deallocation-pipeline,inline,symbol-dce,func.func(loom-early-dealloc),"
              "func.func(fold-memref-alias-ops),canonicalize,cse,loop-invariant-code-motion,"
              "func.func(loom-strided-copy-to-linalg,loom-sequential-inner-loops),"
              "func.func(scf-forall-to-parallel,convert-linalg-to-parallel-loops,"
              "loom-approximate-math,loom-serialize-small-parallel),"
              "canonicalize,cse");
}

void loom::buildLoopsToLLVMPipeline(OpPassManager &pm, const std::string &ompSchedule,
                                    bool barePointers) {
  addPipeline(pm,
              "convert-scf-to-openmp,func.func(loom-parallel-schedule{kind=" + ompSchedule + "}),"
              "func.func(convert-vector-to-scf{full-unroll}),"
              "func.func(loom-expand-shape-to-reinterpret-cast),expand-strided-metadata,lower-affine,"
              "convert-vector-to-llvm{vector-contract-lowering=outerproduct reassociate-fp-reductions},"
              "finalize-memref-to-llvm,convert-scf-to-cf,"
              "convert-arith-to-llvm,convert-math-to-llvm,convert-math-to-libm,"
              "convert-cf-to-llvm," +
                  std::string(barePointers ? "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
                                           : "convert-func-to-llvm,") +
                  "convert-openmp-to-llvm,convert-ub-to-llvm,reconcile-unrealized-casts,"
              "canonicalize");
}

void loom::registerLoomPipelines() {
  PassPipelineRegistration<>("loom-fuse", "loom-level fusion passes",
                             [](OpPassManager &pm) { buildLoomFusionPipeline(pm); });
  PassPipelineRegistration<>("loom-to-linalg", "loom -> linalg on tensors, weight-prep outlining",
                             [](OpPassManager &pm) { buildLoomToLinalgPipeline(pm); });
  PassPipelineRegistration<>("loom-to-loops",
                             "loom -> linalg -> tiled, vectorized, bufferized parallel loops",
                             [](OpPassManager &pm) { buildLoomToLoopsPipeline(pm, {}); });
  PassPipelineRegistration<>("loom-to-llvm", "loops -> OpenMP -> LLVM dialect",
                             [](OpPassManager &pm) { buildLoopsToLLVMPipeline(pm); });
}
