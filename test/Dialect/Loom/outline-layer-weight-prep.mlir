// RUN: %loom-opt %s -loom-outline-weight-prep | FileCheck %s

// A repeated layer's function (parameters marked loom.weight_param): its load-time work
// (the weight transpose) moves to each call site, then with the entry's other weight work
// to @forward_prepare. The function takes the prepared tensor instead of the weight (the
// now unused weight parameter is dropped); the per-run work stays in it.
// CHECK-LABEL: func.func private @layer
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x8xf32>, %[[P:[^:]*]]: tensor<8x8xf32> {loom.weight_param = "prepared"})
// CHECK-NOT: linalg.transpose
// CHECK: linalg.matmul ins(%[[X]], %[[P]]
// CHECK-LABEL: func @forward
// CHECK-SAME: %[[P0:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 0 : i64}, %[[P1:[^:]*]]: tensor<8x8xf32> {bufferization.writable = false, loom.prepared = 1 : i64}
// CHECK-NOT: linalg.transpose
// CHECK: %[[Y:.*]] = call @layer(%{{.*}}, %[[P0]]) {no_inline}
// CHECK: call @layer(%[[Y]], %[[P1]]) {no_inline}
// CHECK-LABEL: func @forward_prepare
// CHECK: linalg.transpose
// CHECK: linalg.transpose
// CHECK: return
func.func private @layer(%x: tensor<4x8xf32>, %w: tensor<8x8xf32> {loom.weight_param = "layers.0.w"}) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<8x8xf32>
  %t = linalg.transpose ins(%w : tensor<8x8xf32>) outs(%e : tensor<8x8xf32>) permutation = [1, 0]
  %z = arith.constant 0.0 : f32
  %o = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%z : f32) outs(%o : tensor<4x8xf32>) -> tensor<4x8xf32>
  %m = linalg.matmul ins(%x, %t : tensor<4x8xf32>, tensor<8x8xf32>) outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}
func.func @forward(%x: tensor<4x8xf32> {loom.input = "x"}, %w0: tensor<8x8xf32> {loom.weight = "layers.0.w"},
                   %w1: tensor<8x8xf32> {loom.weight = "layers.1.w"}) -> tensor<4x8xf32> attributes {loom.entry} {
  %y = call @layer(%x, %w0) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  %z = call @layer(%y, %w1) {no_inline} : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}
