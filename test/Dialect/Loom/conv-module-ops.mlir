// RUN: %loom-opt %s | %loom-opt | FileCheck %s
// The convolution-module ops print and parse back unchanged.

// CHECK-LABEL: func @conv_module_ops
func.func @conv_module_ops(%x: tensor<2x8x12xf32>, %w: tensor<6x3xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  // CHECK: loom.glu %{{.*}} : (tensor<2x8x12xf32>) -> tensor<2x8x6xf32>
  %g = loom.glu %x : (tensor<2x8x12xf32>) -> tensor<2x8x6xf32>
  // CHECK: loom.depthwise_conv1d %{{.*}}, %{{.*}}, %{{.*}} {padding_left = 1 : i64, padding_right = 1 : i64}
  %d = loom.depthwise_conv1d %g, %w, %c {padding_left = 1, padding_right = 1} : (tensor<2x8x6xf32>, tensor<6x3xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  // CHECK: loom.depthwise_conv1d %{{.*}}, %{{.*}} {padding_left = 2 : i64}
  %e = loom.depthwise_conv1d %d, %w {padding_left = 2} : (tensor<2x8x6xf32>, tensor<6x3xf32>) -> tensor<2x8x6xf32>
  // CHECK: loom.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32}
  %b = loom.batch_norm %e, %c, %c, %c, %c {epsilon = 1.0e-3 : f32} : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  // CHECK: loom.group_norm %{{.*}}, %{{.*}}, %{{.*}} {num_groups = 3 : i64}
  %n = loom.group_norm %b, %c, %c {num_groups = 3} : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// CHECK-LABEL: func @embedding
// CHECK: loom.embedding %{{.*}}, %{{.*}} {scale = 4.000000e+00 : f32} : (tensor<2x6xi64>, tensor<10x8xf32>) -> tensor<2x6x8xf32>
func.func @embedding(%ids: tensor<2x6xi64>, %t: tensor<10x8xf32>) -> tensor<2x6x8xf32> {
  %e = loom.embedding %ids, %t {scale = 4.0 : f32} : (tensor<2x6xi64>, tensor<10x8xf32>) -> tensor<2x6x8xf32>
  return %e : tensor<2x6x8xf32>
}
