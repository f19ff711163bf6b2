// RUN: %loom-opt %s | %loom-opt | FileCheck %s
// Every op prints and parses back unchanged.

// CHECK-LABEL: func @ops
func.func @ops(%x: tensor<2x8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<32xf32>,
               %g: tensor<16xf32>) -> tensor<2x8x32xf32> {
  // CHECK: loom.sinusoidal_pe %{{.*}} : tensor<2x8x16xf32>
  %p = loom.sinusoidal_pe %x : tensor<2x8x16xf32>
  // CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} {causal = true, n_heads = 4 : i64}
  %a = loom.attention %p, %p, %p {n_heads = 4 : i64, causal = true} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.rope %{{.*}} {interleaved = true, n_heads = 4 : i64, rotary_dim = 2 : i64}
  %rq = loom.rope %p {n_heads = 4 : i64, rotary_dim = 2 : i64, interleaved = true} : tensor<2x8x16xf32>
  // CHECK: loom.alibi_bias {n_heads = 4 : i64} : tensor<4x8x8xf32>
  %ab = loom.alibi_bias {n_heads = 4 : i64} : tensor<4x8x8xf32>
  // CHECK: loom.attention %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} {n_heads = 4 : i64, window = 3 : i64}
  %ba = loom.attention %rq, %rq, %p bias %ab {n_heads = 4 : i64, window = 3 : i64} : (tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<2x8x16xf32>, tensor<4x8x8xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.add_bias %{{.*}}, %{{.*}} {alpha = -1.000000e+00 : f32}
  %ab2 = loom.add_bias %x, %g {alpha = -1.0 : f32} : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.sinusoidal_table : tensor<8x16xf32>
  %st = loom.sinusoidal_table : tensor<8x16xf32>
  // CHECK: loom.sinusoidal_table offset(%{{.*}}) {interleaved = true} : tensor<8x16xf32>
  %off = arith.constant -4 : index
  %sto = loom.sinusoidal_table offset(%off) {interleaved = true} : tensor<8x16xf32>
  // CHECK: loom.add
  %r0 = loom.add %a, %ab2 : tensor<2x8x16xf32>
  %r = loom.add %r0, %ba : tensor<2x8x16xf32>
  // CHECK: loom.rms_norm %{{.*}}, %{{.*}} : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  %rn = loom.rms_norm %r, %g : (tensor<2x8x16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.layer_norm %{{.*}} {epsilon = 9.99999997E-7 : f32}
  %n = loom.layer_norm %rn, %g, %g {epsilon = 1.0e-6 : f32} : (tensor<2x8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.linear %{{.*}}, %{{.*}}, %{{.*}} epilogue {
  // CHECK-NEXT: ^bb0(%[[V:.*]]: f32):
  // CHECK: loom.yield
  %y = loom.linear %n, %w, %b epilogue {
  ^bb0(%v: f32):
    %e = math.exp %v : f32
    loom.yield %e : f32
  } : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<2x8x32xf32>
  // CHECK: loom.linear %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} epilogue {
  // CHECK: loom.linear %{{.*}}, %{{.*}} residual %{{.*}} : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %yr = loom.linear %n, %w, %b residual %y epilogue {
  ^bb0(%v: f32):
    %e = math.exp %v : f32
    loom.yield %e : f32
  } : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %yr2 = loom.linear %n, %w residual %yr : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  // CHECK: loom.linear %{{.*}}, %{{.*}}, %{{.*}} glu first residual %{{.*}} epilogue {
  // CHECK: } : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.linear %{{.*}}, %{{.*}} glu second : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x16xf32>
  %gated = loom.linear %n, %w, %b glu first residual %n epilogue {
  ^bb0(%v: f32):
    %e = math.exp %v : f32
    loom.yield %e : f32
  } : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<2x8x16xf32>) -> tensor<2x8x16xf32>
  %gated2 = loom.linear %gated, %w glu second : (tensor<2x8x16xf32>, tensor<32x16xf32>) -> tensor<2x8x16xf32>
  // CHECK: loom.linear %{{.*}}, %{{.*}}, %{{.*}} residual %{{.*}} {rope_base = 5.000000e+02 : f64, rope_heads = 4 : i64, rope_position_offset = 2 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %rot = loom.linear %gated2, %w, %b residual %yr2 {rope_heads = 4 : i64, rope_base = 500.0 : f64, rope_position_offset = 2 : i64} : (tensor<2x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>, tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  // CHECK: loom.relu
  %z = loom.relu %yr2 : tensor<2x8x32xf32>
  // CHECK: loom.gelu %{{.*}} {approximate = "tanh"}
  %t = loom.gelu %z {approximate = "tanh"} : tensor<2x8x32xf32>
  // CHECK: loom.sigmoid
  %sg = loom.sigmoid %t : tensor<2x8x32xf32>
  // CHECK: loom.tanh
  %th = loom.tanh %sg : tensor<2x8x32xf32>
  // CHECK: loom.swish %{{.*}} {beta = 1.500000e+00 : f32}
  %sw = loom.swish %th {beta = 1.5 : f32} : tensor<2x8x32xf32>
  // CHECK: loom.silu
  %si = loom.silu %sw : tensor<2x8x32xf32>
  // CHECK: loom.mul
  %mu = loom.mul %si, %t : tensor<2x8x32xf32>
  // CHECK: loom.pointwise
  %u = loom.pointwise %mu : tensor<2x8x32xf32> {
  ^bb0(%v: f32):
    %e = math.tanh %v : f32
    loom.yield %e : f32
  }
  return %u : tensor<2x8x32xf32>
}
