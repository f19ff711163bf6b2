// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-fuse-rope))' | FileCheck %s
// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-fuse-rope,loom-fuse-projections))' | FileCheck %s --check-prefix=MERGED

// rotate_half over whole heads of a plain projection (its only user): the linear carries
// the rotation; base and position offset carry over.
// CHECK-LABEL: func @fuse
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x16xf32>, %[[W:.*]]: tensor<16x16xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W]], %[[B]] {rope_base = 5.000000e+02 : f64, rope_heads = 2 : i64, rope_position_offset = 3 : i64} : (tensor<2x4x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
// CHECK-NOT: loom.rope
// CHECK: return %[[Y]]
func.func @fuse(%x: tensor<2x4x16xf32>, %w: tensor<16x16xf32>, %b: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %y = loom.linear %x, %w, %b : (tensor<2x4x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  %r = loom.rope %y {n_heads = 2 : i64, rotary_dim = 8 : i64, base = 500.0, position_offset = 3 : i64} : tensor<2x4x16xf32>
  return %r : tensor<2x4x16xf32>
}

// Left alone: interleaved pairs; partial rotary; a projection whose unrotated value is
// also used; a projection with an epilogue; a rope of a function argument.
// CHECK-LABEL: func @keep
// CHECK-NOT: rope_heads
// CHECK-COUNT-5: loom.rope
// CHECK-NOT: rope_heads
// CHECK: return
func.func @keep(%x: tensor<2x4x16xf32>, %w: tensor<16x16xf32>)
    -> (tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>) {
  %a = loom.linear %x, %w : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %ra = loom.rope %a {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<2x4x16xf32>
  %b = loom.linear %x, %w : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %rb = loom.rope %b {n_heads = 2 : i64, rotary_dim = 4 : i64} : tensor<2x4x16xf32>
  %c = loom.linear %x, %w : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %rc = loom.rope %c {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<2x4x16xf32>
  %d = loom.linear %x, %w epilogue {
  ^bb0(%v: f32):
    %e = math.exp %v : f32
    loom.yield %e : f32
  } : (tensor<2x4x16xf32>, tensor<16x16xf32>) -> tensor<2x4x16xf32>
  %rd = loom.rope %d {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<2x4x16xf32>
  %re = loom.rope %x {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<2x4x16xf32>
  return %ra, %rb, %rc, %c, %rd, %re
      : tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>, tensor<2x4x16xf32>
}

// Separate q/k/v projections (Hugging Face): q and k get the rotation, then
// loom-fuse-projections merges them (same d_head, base and offset) into one linear that
// rotates all 4 heads; v stays a plain linear of its own.
// MERGED-LABEL: func @qkv
// MERGED-SAME: (%[[X:.*]]: tensor<1x8x16xf32>, %[[WQ:.*]]: tensor<16x16xf32>, %[[WK:.*]]: tensor<16x16xf32>, %[[WV:.*]]: tensor<16x16xf32>)
// MERGED: %[[V:.*]] = loom.linear %[[X]], %[[WV]] :
// MERGED: %[[QK:.*]] = tensor.concat dim(0) %[[WQ]], %[[WK]]
// MERGED: %[[L:.*]] = loom.linear %[[X]], %[[QK]] {rope_base = 1.000000e+04 : f64, rope_heads = 4 : i64, rope_position_offset = 0 : i64} : (tensor<1x8x16xf32>, tensor<32x16xf32>) -> tensor<1x8x32xf32>
// MERGED: %[[Q:.*]] = tensor.extract_slice %[[L]][0, 0, 0] [1, 8, 16]
// MERGED: %[[K:.*]] = tensor.extract_slice %[[L]][0, 0, 16] [1, 8, 16]
// MERGED: loom.attention %[[Q]], %[[K]], %[[V]]
func.func @qkv(%x: tensor<1x8x16xf32>, %wq: tensor<16x16xf32>, %wk: tensor<16x16xf32>, %wv: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %q = loom.linear %x, %wq : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %k = loom.linear %x, %wk : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %v = loom.linear %x, %wv : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq = loom.rope %q {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<1x8x16xf32>
  %rk = loom.rope %k {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<1x8x16xf32>
  %o = loom.attention %rq, %rk, %v {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// Rotations with another base are not merged with these (their tables differ).
// MERGED-LABEL: func @other_base
// MERGED-NOT: tensor.concat
// MERGED-COUNT-2: rope_heads = 2
func.func @other_base(%x: tensor<1x8x16xf32>, %wq: tensor<16x16xf32>, %wk: tensor<16x16xf32>) -> (tensor<1x8x16xf32>, tensor<1x8x16xf32>) {
  %q = loom.linear %x, %wq : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %k = loom.linear %x, %wk : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq = loom.rope %q {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<1x8x16xf32>
  %rk = loom.rope %k {n_heads = 2 : i64, rotary_dim = 8 : i64, base = 500.0} : tensor<1x8x16xf32>
  return %rq, %rk : tensor<1x8x16xf32>, tensor<1x8x16xf32>
}

// A packed projection (PyTorch's in_proj): q, k and v are column slices of one linear.
// It is split into one linear per slice, on that slice's rows of the weight and bias, and
// the rotations fold into q's and k's; loom-fuse-projections then merges q and k again.
// CHECK-LABEL: func @packed
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x16xf32>, %[[W:.*]]: tensor<48x16xf32>, %[[B:.*]]: tensor<48xf32>)
// CHECK-DAG: %[[WQ:.*]] = tensor.extract_slice %[[W]][0, 0] [16, 16] [1, 1]
// CHECK-DAG: %[[BQ:.*]] = tensor.extract_slice %[[B]][0] [16] [1]
// CHECK-DAG: %[[WK:.*]] = tensor.extract_slice %[[W]][16, 0] [16, 16] [1, 1]
// CHECK-DAG: %[[WV:.*]] = tensor.extract_slice %[[W]][32, 0] [16, 16] [1, 1]
// CHECK-DAG: %[[V:.*]] = loom.linear %[[X]], %[[WV]], %{{.*}} : (tensor<1x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
// CHECK-DAG: %[[Q:.*]] = loom.linear %[[X]], %[[WQ]], %[[BQ]] {rope_base = 1.000000e+04 : f64, rope_heads = 2 : i64, rope_position_offset = 0 : i64}
// CHECK-DAG: %[[K:.*]] = loom.linear %[[X]], %[[WK]], %{{.*}} {rope_base = 1.000000e+04 : f64, rope_heads = 2 : i64, rope_position_offset = 0 : i64}
// CHECK-NOT: loom.rope
// CHECK: loom.attention %[[Q]], %[[K]], %[[V]]
// MERGED-LABEL: func @packed
// MERGED: loom.linear {{.*}} {rope_base = 1.000000e+04 : f64, rope_heads = 4 : i64, rope_position_offset = 0 : i64} : (tensor<1x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<1x8x32xf32>
// MERGED-NOT: loom.rope
func.func @packed(%x: tensor<1x8x16xf32>, %w: tensor<48x16xf32>, %b: tensor<48xf32>) -> tensor<1x8x16xf32> {
  %p = loom.linear %x, %w, %b : (tensor<1x8x16xf32>, tensor<48x16xf32>, tensor<48xf32>) -> tensor<1x8x48xf32>
  %q = tensor.extract_slice %p[0, 0, 0] [1, 8, 16] [1, 1, 1] : tensor<1x8x48xf32> to tensor<1x8x16xf32>
  %k = tensor.extract_slice %p[0, 0, 16] [1, 8, 16] [1, 1, 1] : tensor<1x8x48xf32> to tensor<1x8x16xf32>
  %v = tensor.extract_slice %p[0, 0, 32] [1, 8, 16] [1, 1, 1] : tensor<1x8x48xf32> to tensor<1x8x16xf32>
  %rq = loom.rope %q {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<1x8x16xf32>
  %rk = loom.rope %k {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<1x8x16xf32>
  %o = loom.attention %rq, %rk, %v {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// Packed projections left whole: slices that feed interleaved ropes (not fusable), and a
// projection whose whole result is also used (not only column slices).
// CHECK-LABEL: func @packed_keep
// MERGED-LABEL: func @packed_keep
// CHECK-NOT: rope_heads
// CHECK: loom.linear {{.*}} -> tensor<1x8x32xf32>
// CHECK-COUNT-2: loom.rope
// CHECK-NOT: rope_heads
// CHECK: loom.linear {{.*}} -> tensor<1x8x32xf32>
// CHECK: loom.rope
// CHECK-NOT: rope_heads
// CHECK: return
func.func @packed_keep(%x: tensor<1x8x16xf32>, %w: tensor<32x16xf32>)
    -> (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x32xf32>) {
  %p = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<32x16xf32>) -> tensor<1x8x32xf32>
  %q = tensor.extract_slice %p[0, 0, 0] [1, 8, 16] [1, 1, 1] : tensor<1x8x32xf32> to tensor<1x8x16xf32>
  %k = tensor.extract_slice %p[0, 0, 16] [1, 8, 16] [1, 1, 1] : tensor<1x8x32xf32> to tensor<1x8x16xf32>
  %rq = loom.rope %q {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %rk = loom.rope %k {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %p2 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<32x16xf32>) -> tensor<1x8x32xf32>
  %q2 = tensor.extract_slice %p2[0, 0, 0] [1, 8, 16] [1, 1, 1] : tensor<1x8x32xf32> to tensor<1x8x16xf32>
  %rq2 = loom.rope %q2 {n_heads = 2 : i64, rotary_dim = 8 : i64} : tensor<1x8x16xf32>
  return %rq, %rk, %rq2, %p2 : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x32xf32>
}
