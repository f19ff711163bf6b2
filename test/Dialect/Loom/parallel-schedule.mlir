// RUN: %loom-opt %s -pass-pipeline='builtin.module(convert-scf-to-openmp,func.func(loom-parallel-schedule))' | FileCheck %s --check-prefix=GUIDED
// RUN: %loom-opt %s -pass-pipeline='builtin.module(convert-scf-to-openmp,func.func(loom-parallel-schedule{kind=dynamic chunk=4}))' | FileCheck %s --check-prefix=DYNAMIC
// RUN: %loom-opt %s -pass-pipeline='builtin.module(convert-scf-to-openmp,func.func(loom-parallel-schedule{kind=static}))' | FileCheck %s --check-prefix=STATIC
// RUN: not %loom-opt %s -pass-pipeline='builtin.module(convert-scf-to-openmp,func.func(loom-parallel-schedule{kind=fastest}))' 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not %loom-opt %s -pass-pipeline='builtin.module(convert-scf-to-openmp,func.func(loom-parallel-schedule{chunk=0}))' 2>&1 | FileCheck %s --check-prefix=ZERO

// Every worksharing loop gets the schedule; `static` leaves none (libomp's default:
// one contiguous chunk per thread).
// GUIDED-LABEL: func @two_loops
// GUIDED: %[[C1:.*]] = arith.constant 1 : i32
// GUIDED: omp.wsloop schedule(guided = %[[C1]] : i32)
// GUIDED: omp.wsloop schedule(guided = %{{.*}} : i32)
// DYNAMIC: %[[C4:.*]] = arith.constant 4 : i32
// DYNAMIC: omp.wsloop schedule(dynamic = %[[C4]] : i32)
// STATIC-LABEL: func @two_loops
// STATIC-NOT: schedule(
// STATIC: omp.wsloop {
// STATIC-NOT: schedule(
// BAD: error: loom-parallel-schedule: unknown kind 'fastest' (expected static, dynamic or guided)
// ZERO: error: loom-parallel-schedule: chunk must be >= 1, got 0
func.func @two_loops(%a: memref<64xf32>, %b: memref<8x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c64 = arith.constant 64 : index
  %z = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %z, %a[%i] : memref<64xf32>
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    memref.store %z, %b[%i, %j] : memref<8x8xf32>
  }
  return
}
