// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-fuse-linear-epilogue))' | FileCheck %s

// An activation that is the linear's only user moves into its epilogue.
// CHECK-LABEL: func @fuse_relu
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W]], %[[B]] epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
// CHECK: %[[R:.*]] = arith.maximumf %[[V]]
// CHECK-NEXT: loom.yield %[[R]] : f32
// CHECK-NOT: loom.relu
// CHECK: return %[[Y]]
func.func @fuse_relu(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %y = loom.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %z = loom.relu %y : tensor<2x4x16xf32>
  return %z : tensor<2x4x16xf32>
}

// Two activations in a row compose inside one epilogue.
// CHECK-LABEL: func @fuse_chain
// CHECK: loom.linear %{{.*}}, %{{.*}} epilogue {
// CHECK: math.erf
// CHECK: math.tanh
// CHECK: loom.yield
// CHECK-NOT: loom.gelu
// CHECK-NOT: loom.pointwise
func.func @fuse_chain(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>) -> tensor<2x4x16xf32> {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x16xf32>
  %g = loom.gelu %y : tensor<2x4x16xf32>
  %t = loom.pointwise %g : tensor<2x4x16xf32> {
  ^bb0(%v: f32):
    %e = math.tanh %v : f32
    loom.yield %e : f32
  }
  return %t : tensor<2x4x16xf32>
}

// The un-activated value is still used: nothing changes.
// CHECK-LABEL: func @keep_shared
// CHECK: %[[Y:.*]] = loom.linear
// CHECK-NOT: epilogue
// CHECK: loom.relu %[[Y]]
// CHECK: loom.add
func.func @keep_shared(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>) -> tensor<2x4x8xf32> {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %z = loom.relu %y : tensor<2x4x8xf32>
  %s = loom.add %y, %z : tensor<2x4x8xf32>
  return %s : tensor<2x4x8xf32>
}

// An activation of something that is not a linear is left alone.
// CHECK-LABEL: func @not_linear
// CHECK: loom.relu
func.func @not_linear(%x: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %s = loom.add %x, %x : tensor<2x4x8xf32>
  %z = loom.relu %s : tensor<2x4x8xf32>
  return %z : tensor<2x4x8xf32>
}

// A residual add of a linear's result (its only use) becomes the linear's residual
// operand, after the activation: relu(x W^T + b) + r. Either operand order of loom.add.
// CHECK-LABEL: func @fuse_residual
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<8x8xf32>, %[[B:.*]]: tensor<8xf32>, %[[R:.*]]: tensor<2x4x8xf32>)
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W]], %[[B]] residual %[[R]] epilogue {
// CHECK: arith.maximumf
// CHECK: %[[Z:.*]] = loom.linear %[[Y]], %[[W]] residual %[[X]] :
// CHECK-NOT: loom.add
// CHECK: return %[[Z]]
func.func @fuse_residual(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>, %r: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %y = loom.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %a = loom.relu %y : tensor<2x4x8xf32>
  %s = loom.add %r, %a : tensor<2x4x8xf32>
  %z = loom.linear %s, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %t = loom.add %z, %x : tensor<2x4x8xf32>
  return %t : tensor<2x4x8xf32>
}

// Left alone: the linear's own value is used elsewhere; the sum of two linears takes only
// one of them (the other stays an operand); an activation after a residual add does not
// move into the linear (it would apply before the add).
// CHECK-LABEL: func @residual_kept
// CHECK: %[[Y:.*]] = loom.linear %{{.*}}, %{{.*}} :
// CHECK: loom.add %{{.*}}, %[[Y]]
// CHECK-LABEL: func @two_linears
// CHECK: %[[A:.*]] = loom.linear %{{.*}}, %{{.*}} :
// CHECK: loom.linear %{{.*}}, %{{.*}} residual %[[A]] :
// CHECK-NOT: loom.add
// CHECK-LABEL: func @act_after_residual
// CHECK: %[[S:.*]] = loom.linear %{{.*}}, %{{.*}} residual %{{.*}} :
// CHECK: loom.relu %[[S]]
func.func @residual_kept(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %s = loom.add %x, %y : tensor<2x4x8xf32>
  return %s, %y : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}
func.func @two_linears(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>) -> tensor<2x4x8xf32> {
  %a = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %b = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %s = loom.add %a, %b : tensor<2x4x8xf32>
  return %s : tensor<2x4x8xf32>
}
func.func @act_after_residual(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>) -> tensor<2x4x8xf32> {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %s = loom.add %x, %y : tensor<2x4x8xf32>
  %r = loom.relu %s : tensor<2x4x8xf32>
  return %r : tensor<2x4x8xf32>
}
