//===- ApproximateMath.cpp - polynomial exp/log/tanh/erf ------------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

namespace loom {
#define GEN_PASS_DEF_LOOMAPPROXIMATEMATH
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct ApproximateMathPass : public loom::impl::LoomApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    static const llvm::StringSet<> approximated = {"math.exp", "math.expm1", "math.log", "math.log1p", "math.tanh", "math.erf"};
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) { return approximated.contains(name); });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
