// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-fold-batch-norm))' | FileCheck %s

// Into a depthwise conv with a bias: w' = w * s (row c scaled by s[c]), b' = (b - mean) * s
// + beta, s = gamma * rsqrt(var + eps); the batch_norm is gone.
// CHECK-LABEL: func @into_conv
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x6xf32>, %[[W:.*]]: tensor<6x3xf32>, %[[B:.*]]: tensor<6xf32>, %[[G:.*]]: tensor<6xf32>, %[[BE:.*]]: tensor<6xf32>, %[[M:.*]]: tensor<6xf32>, %[[V:.*]]: tensor<6xf32>)
// CHECK: %[[S:.*]] = linalg.generic {{.*}} ins(%[[G]], %[[V]] : tensor<6xf32>, tensor<6xf32>)
// CHECK: arith.constant 1.000000e-03 : f32
// CHECK: math.rsqrt
// CHECK: %[[W2:.*]] = linalg.generic {{.*}} ins(%[[W]], %[[S]] : tensor<6x3xf32>, tensor<6xf32>)
// CHECK: %[[B2:.*]] = linalg.generic {{.*}} ins(%[[M]], %[[S]], %[[BE]], %[[B]] :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[Y:.*]] = loom.depthwise_conv1d %[[X]], %[[W2]], %[[B2]] {padding_left = 1 : i64, padding_right = 1 : i64}
// CHECK-NOT: loom.batch_norm
// CHECK: return %[[Y]]
func.func @into_conv(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>, %b: tensor<6xf32>, %g: tensor<6xf32>,
                     %be: tensor<6xf32>, %m: tensor<6xf32>, %v: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %d = loom.depthwise_conv1d %x, %w, %b {padding_left = 1, padding_right = 1} : (tensor<2x8x6xf32>, tensor<6x3xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  %n = loom.batch_norm %d, %g, %be, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// Into a linear without a bias (channels = out_features): the new bias is (0 - mean) * s + beta.
// CHECK-LABEL: func @into_linear_without_bias
// CHECK-SAME: (%[[X:.*]]: tensor<2x8x4xf32>, %[[W:.*]]: tensor<6x4xf32>
// CHECK: %[[W2:.*]] = linalg.generic {{.*}} ins(%[[W]], %{{.*}} : tensor<6x4xf32>, tensor<6xf32>)
// CHECK: %[[B2:.*]] = linalg.generic
// CHECK: arith.negf
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W2]], %[[B2]] :
// CHECK-NOT: loom.batch_norm
// CHECK: return %[[Y]]
func.func @into_linear_without_bias(%x: tensor<2x8x4xf32>, %w: tensor<6x4xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %y = loom.linear %x, %w : (tensor<2x8x4xf32>, tensor<6x4xf32>) -> tensor<2x8x6xf32>
  %n = loom.batch_norm %y, %c, %c, %c, %c : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// The conv's unnormalised output is also returned: folding would lose it.
// CHECK-LABEL: func @producer_has_other_users
// CHECK: %[[D:.*]] = loom.depthwise_conv1d
// CHECK: %[[N:.*]] = loom.batch_norm %[[D]]
// CHECK: return %[[N]], %[[D]]
func.func @producer_has_other_users(%x: tensor<2x8x6xf32>, %w: tensor<6x3xf32>, %c: tensor<6xf32>) -> (tensor<2x8x6xf32>, tensor<2x8x6xf32>) {
  %d = loom.depthwise_conv1d %x, %w {padding_left = 1, padding_right = 1} : (tensor<2x8x6xf32>, tensor<6x3xf32>) -> tensor<2x8x6xf32>
  %n = loom.batch_norm %d, %c, %c, %c, %c : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n, %d : tensor<2x8x6xf32>, tensor<2x8x6xf32>
}

// A linear with an activation epilogue is not affine: BN does not commute with it.
// CHECK-LABEL: func @linear_with_epilogue
// CHECK: loom.linear {{.*}} epilogue
// CHECK: loom.batch_norm
func.func @linear_with_epilogue(%x: tensor<2x8x4xf32>, %w: tensor<6x4xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %zero = arith.constant 0.0 : f32
  %y = loom.linear %x, %w epilogue {
  ^bb0(%v: f32):
    %r = arith.maximumf %v, %zero : f32
    loom.yield %r : f32
  } : (tensor<2x8x4xf32>, tensor<6x4xf32>) -> tensor<2x8x6xf32>
  %n = loom.batch_norm %y, %c, %c, %c, %c : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// Any other producer (here a function argument and an add) keeps its batch_norm.
// CHECK-LABEL: func @other_producers
// CHECK: loom.batch_norm %{{.*}}
// CHECK: loom.add
// CHECK: loom.batch_norm
func.func @other_producers(%x: tensor<2x8x6xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %a = loom.batch_norm %x, %c, %c, %c, %c : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  %s = loom.add %a, %x : tensor<2x8x6xf32>
  %n = loom.batch_norm %s, %c, %c, %c, %c : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}

// A gated linear's result is a product of two matmul columns: scaling its weight rows
// would scale both factors, so its batch_norm stays (even without an epilogue).
// CHECK-LABEL: func @gated_linear
// CHECK: loom.linear {{.*}} glu first
// CHECK: loom.batch_norm
func.func @gated_linear(%x: tensor<2x8x4xf32>, %w: tensor<12x4xf32>, %c: tensor<6xf32>) -> tensor<2x8x6xf32> {
  %y = loom.linear %x, %w glu first : (tensor<2x8x4xf32>, tensor<12x4xf32>) -> tensor<2x8x6xf32>
  %n = loom.batch_norm %y, %c, %c, %c, %c : (tensor<2x8x6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x8x6xf32>
  return %n : tensor<2x8x6xf32>
}
