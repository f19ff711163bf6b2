// RUN: %loom-opt %s | %loom-opt | FileCheck %s
// Bi-BloSA's ops (loom.md_attention, loom.source2token) and loom.elu print and parse back
// unchanged; their verifiers are in block-attention-invalid.mlir.

// CHECK-LABEL: func @block_attention_ops
func.func @block_attention_ops(%x: tensor<2x10x8xf32>, %fb: tensor<8xf32>, %len: tensor<2xi64>) -> (tensor<2x10x8xf32>, tensor<2x3x8xf32>, tensor<2x1x8xf32>) {
  // CHECK: loom.elu %{{.*}} {alpha = 5.000000e-01 : f32} : tensor<2x10x8xf32>
  %m = loom.elu %x {alpha = 0.5 : f32} : tensor<2x10x8xf32>
  // CHECK: loom.md_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} key_lengths %{{.*}} {block_len = 4 : i64, direction = "backward"}
  %a = loom.md_attention %m, %x, %x, %fb key_lengths %len {block_len = 4 : i64, direction = "backward"} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>, tensor<2xi64>) -> tensor<2x10x8xf32>
  // The defaults (forward, one block, tanh_scale 5) are not printed.
  // CHECK: loom.md_attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (
  %d = loom.md_attention %a, %x, %x, %fb : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>) -> tensor<2x10x8xf32>
  // CHECK: loom.md_attention {{.*}} {direction = "diag", tanh_scale = 2.000000e+00 : f32}
  %g = loom.md_attention %d, %x, %x, %fb {direction = "diag", tanh_scale = 2.0 : f32} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<8xf32>) -> tensor<2x10x8xf32>
  // CHECK: loom.source2token %{{.*}}, %{{.*}} key_lengths %{{.*}} {block_len = 4 : i64} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2xi64>) -> tensor<2x3x8xf32>
  %s = loom.source2token %g, %x key_lengths %len {block_len = 4 : i64} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>, tensor<2xi64>) -> tensor<2x3x8xf32>
  // CHECK: loom.source2token %{{.*}}, %{{.*}} : (tensor<2x10x8xf32>, tensor<2x10x8xf32>) -> tensor<2x1x8xf32>
  %t = loom.source2token %g, %x : (tensor<2x10x8xf32>, tensor<2x10x8xf32>) -> tensor<2x1x8xf32>
  return %g, %s, %t : tensor<2x10x8xf32>, tensor<2x3x8xf32>, tensor<2x1x8xf32>
}

// Dynamic batch and length; with blocks, the number of blocks is dynamic too.
// CHECK-LABEL: func @dynamic
// CHECK: loom.md_attention {{.*}} -> tensor<?x?x8xf32>
// CHECK: loom.source2token {{.*}} -> tensor<?x?x8xf32>
func.func @dynamic(%x: tensor<?x?x8xf32>, %fb: tensor<8xf32>) -> (tensor<?x?x8xf32>, tensor<?x?x8xf32>) {
  %a = loom.md_attention %x, %x, %x, %fb {block_len = 4 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<8xf32>) -> tensor<?x?x8xf32>
  %s = loom.source2token %a, %x {block_len = 4 : i64} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %a, %s : tensor<?x?x8xf32>, tensor<?x?x8xf32>
}
