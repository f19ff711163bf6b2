//===- ParallelSchedule.cpp - schedule clauses for omp.wsloop -------------===//
#include "loom/Dialect/Loom/Transforms/Passes.h"

#include "mlir/Dialect/OpenMP/OpenMPDialect.h"

namespace loom {
#define GEN_PASS_DEF_LOOMPARALLELSCHEDULE
#include "loom/Dialect/Loom/Transforms/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {
struct ParallelSchedulePass
    : public loom::impl::LoomParallelScheduleBase<ParallelSchedulePass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<omp::ClauseScheduleKind> k;
    if (kind == "dynamic")
      k = omp::ClauseScheduleKind::Dynamic;
    else if (kind == "guided")
      k = omp::ClauseScheduleKind::Guided;
    else if (kind != "static") {
      getOperation().emitError("loom-parallel-schedule: unknown kind '")
          << kind << "' (expected static, dynamic or guided)";
      return signalPassFailure();
    }
    if (k && chunk < 1) {
      getOperation().emitError("loom-parallel-schedule: chunk must be >= 1, got ") << static_cast<int64_t>(chunk);
      return signalPassFailure();
    }
    getOperation().walk([&](omp::WsloopOp loop) {
      loop.setScheduleKind(k);
      loop.getScheduleChunkMutable().clear();
      if (!k)
        return;
      OpBuilder b(loop);
      Value c = arith::ConstantIntOp::create(b, loop.getLoc(), b.getI32Type(), static_cast<int64_t>(chunk));
      loop.getScheduleChunkMutable().assign(c);
    });
  }
};
} // namespace
