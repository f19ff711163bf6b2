// RUN: %loom-opt %s -allow-unregistered-dialect -pass-pipeline='builtin.module(buffer-results-to-out-params{modify-public-functions add-result-attr},func.func(loom-results-in-place))' | FileCheck %s

// A result computed in a buffer and returned through a reshape: the buffer becomes the
// out-param seen through the inverse reshape, and no copy is left.
// CHECK-LABEL: func @expanded
// CHECK-SAME: (%[[OUT:.*]]: memref<1x4x8xf32>)
// CHECK-NOT: bufferize.result
// CHECK-NOT: memref.alloc
// CHECK: %[[V:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1], [2]] : memref<1x4x8xf32> into memref<4x8xf32>
// CHECK: "test.fill"(%[[V]])
// CHECK-NOT: memref.copy
// CHECK: return
func.func @expanded() -> memref<1x4x8xf32> {
  %a = memref.alloc() : memref<4x8xf32>
  "test.fill"(%a) : (memref<4x8xf32>) -> ()
  %e = memref.expand_shape %a [[0, 1], [2]] output_shape [1, 4, 8] : memref<4x8xf32> into memref<1x4x8xf32>
  return %e : memref<1x4x8xf32>
}

// Two reshapes (the panel layout of a linear's output): both undone, outermost first.
// CHECK-LABEL: func @panels
// CHECK-SAME: (%[[OUT:.*]]: memref<1x4x32xf32>)
// CHECK: %[[C:.*]] = memref.expand_shape %[[OUT]] {{\[}}[0], [1], [2, 3]] output_shape [1, 4, 2, 16] : memref<1x4x32xf32> into memref<1x4x2x16xf32>
// CHECK: %[[V:.*]] = memref.collapse_shape %[[C]] {{\[}}[0, 1], [2], [3]] : memref<1x4x2x16xf32> into memref<4x2x16xf32>
// CHECK: "test.fill"(%[[V]])
// CHECK-NOT: memref.copy
func.func @panels() -> memref<1x4x32xf32> {
  %a = memref.alloc() : memref<4x2x16xf32>
  "test.fill"(%a) : (memref<4x2x16xf32>) -> ()
  %e = memref.expand_shape %a [[0, 1], [2], [3]] output_shape [1, 4, 2, 16] : memref<4x2x16xf32> into memref<1x4x2x16xf32>
  %c = memref.collapse_shape %e [[0], [1], [2, 3]] : memref<1x4x2x16xf32> into memref<1x4x32xf32>
  return %c : memref<1x4x32xf32>
}

// One buffer returned twice: the first out-param takes its place, the second is a copy.
// CHECK-LABEL: func @twice
// CHECK-SAME: (%[[OUT0:.*]]: memref<4xf32>, %[[OUT1:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: "test.fill"(%[[OUT0]])
// CHECK: memref.copy %[[OUT0]], %[[OUT1]]
func.func @twice() -> (memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  "test.fill"(%a) : (memref<4xf32>) -> ()
  return %a, %a : memref<4xf32>, memref<4xf32>
}

// Left alone: a returned argument (not a buffer of this function) and a buffer chosen
// at run time.
// CHECK-LABEL: func @kept
// CHECK-SAME: (%[[IN:.*]]: memref<4xf32>, %[[C:.*]]: i1, %[[OUT0:.*]]: memref<4xf32>, %[[OUT1:.*]]: memref<4xf32>)
// CHECK-COUNT-2: memref.alloc
// CHECK: memref.copy %[[IN]], %[[OUT0]]
// CHECK: memref.copy %{{.*}}, %[[OUT1]]
func.func @kept(%in: memref<4xf32>, %c: i1) -> (memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %s = arith.select %c, %a, %b : memref<4xf32>
  "test.fill"(%s) : (memref<4xf32>) -> ()
  return %in, %s : memref<4xf32>, memref<4xf32>
}

// Left alone: a result copy followed by other work (not the point where results are final).
// CHECK-LABEL: func @not_last
// CHECK-SAME: (%[[OUT:.*]]: memref<4xf32>)
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: memref.copy %[[A]], %[[OUT]]
// CHECK: "test.after"
func.func @not_last(%out: memref<4xf32> {bufferize.result}) {
  %a = memref.alloc() : memref<4xf32>
  "test.fill"(%a) : (memref<4xf32>) -> ()
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  "test.after"(%a) : (memref<4xf32>) -> ()
  return
}
