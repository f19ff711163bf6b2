// RUN: %loom-opt %s -split-input-file | %loom-opt | FileCheck %s
// loom.act prints and parses back; its verifier rejects malformed bodies and operands
// (act-invalid.mlir).

// CHECK-LABEL: func @act
// CHECK: %{{.*}}, %{{.*}}, %{{.*}} = loom.act %{{.*}}, %{{.*}}, %{{.*}} {max_steps = 4 : i64, threshold = 9.900000e-01 : f32}
// CHECK: ^bb0(%[[S:.*]]: tensor<2x4x8xf32>, %[[T:.*]]: index):
// CHECK: loom.yield %{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<2x4x8xf32>
// CHECK: loom.sinusoidal_table {interleaved = true} : tensor<5x8xf32>
func.func @act(%x: tensor<2x4x8xf32>, %w: tensor<1x8xf32>, %b: tensor<1xf32>, %lw: tensor<8x8xf32>, %tab: tensor<5x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<5x8xf32>) {
  %y, %n, %r = loom.act %x, %w, %b {max_steps = 4 : i64, threshold = 0.99 : f32}
      : (tensor<2x4x8xf32>, tensor<1x8xf32>, tensor<1xf32>) -> (tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  ^bb0(%s: tensor<2x4x8xf32>, %t: index):
    %row = tensor.extract_slice %tab[%t, 0] [1, 8] [1, 1] : tensor<5x8xf32> to tensor<8xf32>
    %pre = loom.add_bias %s, %row : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
    %next = loom.linear %pre, %lw : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
    loom.yield %pre, %next : tensor<2x4x8xf32>, tensor<2x4x8xf32>
  }
  %table = loom.sinusoidal_table {interleaved = true} : tensor<5x8xf32>
  return %y, %n, %r, %table : tensor<2x4x8xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<5x8xf32>
}
