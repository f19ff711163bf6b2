// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-sequential-inner-loops))' | FileCheck %s

// A linalg op inside a forall body (one thread's work) becomes sequential scf.for loops,
// not a nested scf.parallel.
// CHECK-LABEL: func @inside_forall
// CHECK: scf.forall
// CHECK-NOT: scf.parallel
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK: math.exp
// CHECK-NOT: linalg.generic
func.func @inside_forall(%a: memref<2x4x8xf32>, %b: memref<2x4x8xf32>) {
  scf.forall (%i) in (2) {
    %s = memref.subview %a[%i, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
    %t = memref.subview %b[%i, 0, 0] [1, 4, 8] [1, 1, 1] : memref<2x4x8xf32> to memref<4x8xf32, strided<[8, 1], offset: ?>>
    linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%s : memref<4x8xf32, strided<[8, 1], offset: ?>>) outs(%t : memref<4x8xf32, strided<[8, 1], offset: ?>>) {
    ^bb0(%x: f32, %o: f32):
      %e = math.exp %x : f32
      linalg.yield %e : f32
    }
  }
  return
}

// Outside a forall the op is left for convert-linalg-to-parallel-loops.
// CHECK-LABEL: func @top_level
// CHECK: linalg.generic
// CHECK-NOT: scf.for
func.func @top_level(%a: memref<4x8xf32>, %b: memref<4x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  return
}
