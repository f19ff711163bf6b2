// RUN: %loom-opt %s -split-input-file -loom-serialize-small-parallel | FileCheck %s
// RUN: %loom-opt %s -split-input-file -loom-serialize-small-parallel=min-work=8 | FileCheck %s --check-prefix=LOW

// A small parallel loop inside a run-time loop (a recurrence's step) runs sequentially: its
// body is cloned into nested scf.for loops over the same bounds.
// CHECK-LABEL: func @small_in_recurrence
// CHECK: scf.for %[[T:.*]] = %c0 to %c16 step %c1
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[I:.*]] = %c0 to %c4 step %c1
// CHECK: scf.for %[[J:.*]] = %c0 to %c64 step %c1
// CHECK: memref.load %{{.*}}[%[[I]], %[[J]]]
// CHECK: arith.addf
// CHECK: memref.store
// With min-work 8, 256 elements are not small.
// LOW-LABEL: func @small_in_recurrence
// LOW: scf.parallel
func.func @small_in_recurrence(%m: memref<4x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  scf.for %t = %c0 to %c16 step %c1 {
    scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c64) step (%c1, %c1) {
      %v = memref.load %m[%i, %j] : memref<4x64xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %m[%i, %j] : memref<4x64xf32>
      scf.reduce
    }
  }
  return
}

// -----

// Large work (vector elements count), a dynamic trip count, and a loop that runs once per
// call (outside any sequential loop) stay parallel.
// CHECK-LABEL: func @left_parallel
// CHECK: scf.for
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: scf.parallel
func.func @left_parallel(%m: memref<1024x64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  %z = arith.constant dense<0.0> : vector<64xf32>
  scf.for %t = %c0 to %c16 step %c1 {
    scf.parallel (%i) = (%c0) to (%c1024) step (%c1) {
      vector.store %z, %m[%i, %c0] : memref<1024x64xf32>, vector<64xf32>
      scf.reduce
    }
    scf.parallel (%i) = (%c0) to (%n) step (%c1) {
      %v = memref.load %m[%i, %c0] : memref<1024x64xf32>
      memref.store %v, %m[%i, %c1] : memref<1024x64xf32>
      scf.reduce
    }
  }
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %v = memref.load %m[%i, %c0] : memref<1024x64xf32>
    memref.store %v, %m[%i, %c1] : memref<1024x64xf32>
    scf.reduce
  }
  return
}

// -----

// A parallel loop with a reduction (results) is left alone.
// CHECK-LABEL: func @reduction
// CHECK: scf.parallel
// CHECK: scf.reduce
func.func @reduction(%m: memref<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %t = %c0 to %c16 step %c1 iter_args(%acc = %zero) -> f32 {
    %s = scf.parallel (%i) = (%c0) to (%c16) step (%c1) init (%zero) -> f32 {
      %v = memref.load %m[%i] : memref<16xf32>
      scf.reduce(%v : f32) {
      ^bb0(%a: f32, %b: f32):
        %x = arith.addf %a, %b : f32
        scf.reduce.return %x : f32
      }
    }
    %n = arith.addf %acc, %s : f32
    scf.yield %n : f32
  }
  return %r : f32
}
