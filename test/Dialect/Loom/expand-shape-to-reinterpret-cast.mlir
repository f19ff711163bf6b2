// RUN: %loom-opt %s -split-input-file -verify-diagnostics -pass-pipeline='builtin.module(func.func(loom-expand-shape-to-reinterpret-cast))' | FileCheck %s

// [batch * seq, 6, 32] -> [batch, seq, 6, 32] with both dynamic: a reinterpret_cast with
// row-major strides (seq * 192, 192, 32, 1), offset 0.
// CHECK-LABEL: func @two_dynamic
// CHECK-SAME: (%[[M:.*]]: memref<?x6x32xf32>, %[[B:.*]]: index, %[[S:.*]]: index)
// CHECK: %[[STRIDE:.*]] = arith.muli %c192, %[[S]]
// CHECK-NOT: arith.muli
// CHECK: memref.reinterpret_cast %[[M]] to offset: [0], sizes: [%[[B]], %[[S]], 6, 32], strides: [%[[STRIDE]], 192, 32, 1] : memref<?x6x32xf32> to memref<?x?x6x32xf32>
// CHECK-NOT: memref.expand_shape
func.func @two_dynamic(%m: memref<?x6x32xf32>, %b: index, %s: index) -> memref<?x?x6x32xf32> {
  %e = memref.expand_shape %m [[0, 1], [2], [3]] output_shape [%b, %s, 6, 32] : memref<?x6x32xf32> into memref<?x?x6x32xf32>
  return %e : memref<?x?x6x32xf32>
}

// -----

// One dynamic dimension per group: expand-strided-metadata handles it; left alone.
// CHECK-LABEL: func @one_dynamic
// CHECK: memref.expand_shape
// CHECK-NOT: memref.reinterpret_cast
func.func @one_dynamic(%m: memref<?x64xf32>, %s: index) -> memref<?x2x32xf32> {
  %e = memref.expand_shape %m [[0], [1, 2]] output_shape [%s, 2, 32] : memref<?x64xf32> into memref<?x2x32xf32>
  return %e : memref<?x2x32xf32>
}

// -----

// A non-contiguous source cannot be reinterpreted with row-major strides: an error.
func.func @strided(%m: memref<?x32xf32, strided<[64, 1]>>, %b: index, %s: index) -> memref<?x?x32xf32, strided<[?, 64, 1]>> {
  // expected-error @+1 {{splits a dimension into several dynamic ones of a non-contiguous buffer}}
  %e = memref.expand_shape %m [[0, 1], [2]] output_shape [%b, %s, 32] : memref<?x32xf32, strided<[64, 1]>> into memref<?x?x32xf32, strided<[?, 64, 1]>>
  return %e : memref<?x?x32xf32, strided<[?, 64, 1]>>
}
