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

// SwiGLU (Hugging Face LlamaMLP after loom-fuse-projections): silu of the first half times
// the second half is the gated linear `glu first` with the silu as its epilogue.
// CHECK-LABEL: func @swiglu
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[W:.*]]: tensor<32x8xf32>)
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W]] glu first epilogue {
// CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
// CHECK: math.exp
// CHECK: %[[S:.*]] = arith.divf %[[V]]
// CHECK-NEXT: loom.yield %[[S]] : f32
// CHECK-NEXT: } : (tensor<2x4x8xf32>, tensor<32x8xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: tensor.extract_slice
// CHECK-NOT: loom.silu
// CHECK-NOT: loom.mul
// CHECK: return %[[Y]]
func.func @swiglu(%x: tensor<2x4x8xf32>, %w: tensor<32x8xf32>) -> tensor<2x4x16xf32> {
  %y = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<32x8xf32>) -> tensor<2x4x32xf32>
  %g = tensor.extract_slice %y[0, 0, 0] [2, 4, 16] [1, 1, 1] : tensor<2x4x32xf32> to tensor<2x4x16xf32>
  %u = tensor.extract_slice %y[0, 0, 16] [2, 4, 16] [1, 1, 1] : tensor<2x4x32xf32> to tensor<2x4x16xf32>
  %a = loom.silu %g : tensor<2x4x16xf32>
  %p = loom.mul %a, %u : tensor<2x4x16xf32>
  return %p : tensor<2x4x16xf32>
}

// The activation on the second half, the product in the other operand order, a bias: `glu
// second`; then the residual add joins the gated linear (added after the product).
// CHECK-LABEL: func @gate_second_residual
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[W:.*]]: tensor<16x8xf32>, %[[B:.*]]: tensor<16xf32>, %[[R:.*]]: tensor<4x8xf32>)
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W]], %[[B]] glu second residual %[[R]] epilogue {
// CHECK: arith.maximumf
// CHECK: } : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NOT: loom.add
// CHECK: return %[[Y]]
func.func @gate_second_residual(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>, %r: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = loom.linear %x, %w, %b : (tensor<4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %l = tensor.extract_slice %y[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %h = tensor.extract_slice %y[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %a = loom.relu %h : tensor<4x8xf32>
  %p = loom.mul %a, %l : tensor<4x8xf32>
  %s = loom.add %r, %p : tensor<4x8xf32>
  return %s : tensor<4x8xf32>
}

// Without an activation (the bilinear variant) the gate is the identity: no epilogue.
// CHECK-LABEL: func @bilinear
// CHECK: %[[Y:.*]] = loom.linear %{{.*}}, %{{.*}} glu first : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
// CHECK-NOT: loom.mul
// CHECK: return %[[Y]]
func.func @bilinear(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %y = loom.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %l = tensor.extract_slice %y[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %h = tensor.extract_slice %y[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %p = loom.mul %l, %h : tensor<4x8xf32>
  return %p : tensor<4x8xf32>
}

// torch.nn.GLU (the Conformer's convolution module): a * sigmoid(b) is `glu second` with a
// sigmoid epilogue.
// CHECK-LABEL: func @nn_glu
// CHECK: %[[Y:.*]] = loom.linear %{{.*}}, %{{.*}}, %{{.*}} glu second epilogue {
// CHECK: math.exp
// CHECK: arith.divf
// CHECK: } : (tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x4x8xf32>
// CHECK-NOT: loom.glu
// CHECK: return %[[Y]]
func.func @nn_glu(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>, %b: tensor<16xf32>) -> tensor<2x4x8xf32> {
  %y = loom.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %g = loom.glu %y : (tensor<2x4x16xf32>) -> tensor<2x4x8xf32>
  return %g : tensor<2x4x8xf32>
}

// An activation after the product applies to the product, not to the gate: it stays
// outside the gated linear.
// CHECK-LABEL: func @act_after_gate
// CHECK: %[[Y:.*]] = loom.linear {{.*}} glu first epilogue
// CHECK: loom.relu %[[Y]]
func.func @act_after_gate(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %y = loom.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %l = tensor.extract_slice %y[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %h = tensor.extract_slice %y[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %a = loom.sigmoid %l : tensor<4x8xf32>
  %p = loom.mul %a, %h : tensor<4x8xf32>
  %z = loom.relu %p : tensor<4x8xf32>
  return %z : tensor<4x8xf32>
}

// Left alone: the matmul's result has a third user; the slices are not the two halves
// (thirds of a q/k/v-style projection); both halves activated; halves of two different
// linears; the same half twice; a loom.glu of a linear that has another user.
// CHECK-LABEL: func @not_gated
// CHECK-NOT: glu first
// CHECK-NOT: glu second
// CHECK: return
func.func @not_gated(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>, %w3: tensor<24x8xf32>, %w2: tensor<16x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x16xf32>) {
  %y = loom.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %l = tensor.extract_slice %y[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %h = tensor.extract_slice %y[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %p = loom.mul %l, %h : tensor<4x8xf32>

  %t = loom.linear %x, %w3 : (tensor<4x8xf32>, tensor<24x8xf32>) -> tensor<4x24xf32>
  %t0 = tensor.extract_slice %t[0, 0] [4, 8] [1, 1] : tensor<4x24xf32> to tensor<4x8xf32>
  %t1 = tensor.extract_slice %t[0, 8] [4, 8] [1, 1] : tensor<4x24xf32> to tensor<4x8xf32>
  %q = loom.mul %t0, %t1 : tensor<4x8xf32>

  %y2 = loom.linear %x, %w2 : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %a0 = tensor.extract_slice %y2[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %a1 = tensor.extract_slice %y2[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %s0 = loom.silu %a0 : tensor<4x8xf32>
  %s1 = loom.silu %a1 : tensor<4x8xf32>
  %both = loom.mul %s0, %s1 : tensor<4x8xf32>

  %y3 = loom.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %y4 = loom.linear %x, %w2 : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %b0 = tensor.extract_slice %y3[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %b1 = tensor.extract_slice %y4[0, 8] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %two = loom.mul %b0, %b1 : tensor<4x8xf32>

  %y5 = loom.linear %x, %w : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %c0 = tensor.extract_slice %y5[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %c1 = tensor.extract_slice %y5[0, 0] [4, 8] [1, 1] : tensor<4x16xf32> to tensor<4x8xf32>
  %same = loom.mul %c0, %c1 : tensor<4x8xf32>

  %y6 = loom.linear %x, %w2 : (tensor<4x8xf32>, tensor<16x8xf32>) -> tensor<4x16xf32>
  %g6 = loom.glu %y6 : (tensor<4x16xf32>) -> tensor<4x8xf32>
  return %p, %y, %q, %both, %two, %same, %g6, %y6
      : tensor<4x8xf32>, tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x16xf32>
}
