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

// Left alone: interleaved pairs and partial rotary that no attention consumes (a
// permutation of their rows would show); a projection whose unrotated value is also used;
// a projection with an epilogue; a rope of a function argument.
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

// Packed projections left whole: slices that feed interleaved ropes whose results are
// returned (not an attention's query and key), and a projection whose whole result is also
// used (not only column slices).
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

// Interleaved pairs (RoFormer, GPT-J) on an attention's query and key: both projections'
// rows are permuted within each head (the even features, then the odd ones: strided slices
// of the weight viewed as [heads, d_head, K], and of the bias), so that pair (2i, 2i + 1)
// becomes (i, d_head/2 + i) and the rotation folds into the projection. Q K^T sums over a
// head's features, so the attention does not see the order. The permutation is computed
// where the weight is defined, so loom-fuse-projections can merge q and k.
// CHECK-LABEL: func @interleaved
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x16xf32>, %[[WQ:.*]]: tensor<16x16xf32>, %[[BQ:.*]]: tensor<16xf32>, %[[WK:.*]]: tensor<16x16xf32>, %[[WV:.*]]: tensor<16x16xf32>)
// CHECK: %[[WK3:.*]] = tensor.expand_shape %[[WK]] {{\[}}[0, 1], [2]] output_shape [2, 8, 16]
// CHECK: tensor.extract_slice %[[WK3]][0, 0, 0] [2, 4, 16] [1, 2, 1]
// CHECK: tensor.extract_slice %[[WK3]][0, 1, 0] [2, 4, 16] [1, 2, 1]
// CHECK: %[[WKP:.*]] = tensor.collapse_shape {{.*}} : tensor<2x8x16xf32> into tensor<16x16xf32>
// CHECK: %[[BQ2:.*]] = tensor.expand_shape %[[BQ]] {{\[}}[0, 1]] output_shape [2, 8]
// CHECK: tensor.extract_slice %[[BQ2]][0, 0] [2, 4] [1, 2]
// CHECK: tensor.extract_slice %[[BQ2]][0, 1] [2, 4] [1, 2]
// CHECK: %[[BQP:.*]] = tensor.collapse_shape {{.*}} : tensor<2x8xf32> into tensor<16xf32>
// CHECK: %[[WQ3:.*]] = tensor.expand_shape %[[WQ]] {{\[}}[0, 1], [2]] output_shape [2, 8, 16]
// CHECK: %[[EVEN:.*]] = tensor.extract_slice %[[WQ3]][0, 0, 0] [2, 4, 16] [1, 2, 1]
// CHECK: %[[ODD:.*]] = tensor.extract_slice %[[WQ3]][0, 1, 0] [2, 4, 16] [1, 2, 1]
// CHECK: %[[WQP3:.*]] = tensor.concat dim(1) %[[EVEN]], %[[ODD]] : (tensor<2x4x16xf32>, tensor<2x4x16xf32>) -> tensor<2x8x16xf32>
// CHECK: %[[WQP:.*]] = tensor.collapse_shape %[[WQP3]] {{\[}}[0, 1], [2]] : tensor<2x8x16xf32> into tensor<16x16xf32>
// CHECK-DAG: %[[Q:.*]] = loom.linear %[[X]], %[[WQP]], %[[BQP]] {rope_base = 1.000000e+04 : f64, rope_heads = 2 : i64, rope_position_offset = 0 : i64}
// CHECK-DAG: %[[K:.*]] = loom.linear %[[X]], %[[WKP]] {rope_base = 1.000000e+04 : f64, rope_heads = 2 : i64, rope_position_offset = 0 : i64}
// CHECK-DAG: %[[V:.*]] = loom.linear %[[X]], %[[WV]] :
// CHECK-NOT: loom.rope
// CHECK: loom.attention %[[Q]], %[[K]], %[[V]]
func.func @interleaved(%x: tensor<1x8x16xf32>, %wq: tensor<16x16xf32>, %bq: tensor<16xf32>, %wk: tensor<16x16xf32>, %wv: tensor<16x16xf32>) -> tensor<1x8x16xf32> {
  %q = loom.linear %x, %wq, %bq : (tensor<1x8x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<1x8x16xf32>
  %rq = loom.rope %q {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %k = loom.linear %x, %wk : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rk = loom.rope %k {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %v = loom.linear %x, %wv : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %o = loom.attention %rq, %rk, %v {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// Partial rotary (GPT-NeoX: 4 of d_head 8, rotate_half pairs (i, i + 2)) of a packed
// in_proj: split per slice, then per head features [0, 2) (the pairs' first), [4, 6)
// (half of the passed-through ones), [2, 4) (the pairs' second) and [6, 8); the linear
// rotates only the pairs (i, 4 + i) with i < 2 (rope_rotary_dim = 4). q and k merge.
// CHECK-LABEL: func @partial
// CHECK: %[[W3:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2]] output_shape [2, 8, 16]
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[W3]][0, 0, 0] [2, 2, 16] [1, 1, 1]
// CHECK: %[[P1:.*]] = tensor.extract_slice %[[W3]][0, 4, 0] [2, 2, 16] [1, 1, 1]
// CHECK: %[[P2:.*]] = tensor.extract_slice %[[W3]][0, 2, 0] [2, 2, 16] [1, 1, 1]
// CHECK: %[[P3:.*]] = tensor.extract_slice %[[W3]][0, 6, 0] [2, 2, 16] [1, 1, 1]
// CHECK: tensor.concat dim(1) %[[P0]], %[[P1]], %[[P2]], %[[P3]]
// CHECK: loom.linear {{.*}} {rope_base = 1.000000e+04 : f64, rope_heads = 2 : i64, rope_position_offset = 0 : i64, rope_rotary_dim = 4 : i64}
// CHECK: loom.linear {{.*}} {rope_base = 1.000000e+04 : f64, rope_heads = 2 : i64, rope_position_offset = 0 : i64, rope_rotary_dim = 4 : i64}
// CHECK-NOT: loom.rope
// CHECK: loom.attention
// MERGED-LABEL: func @partial
// MERGED: loom.linear {{.*}} {rope_base = 1.000000e+04 : f64, rope_heads = 4 : i64, rope_position_offset = 0 : i64, rope_rotary_dim = 4 : i64} : (tensor<1x8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<1x8x32xf32>
// MERGED-NOT: loom.rope
func.func @partial(%x: tensor<1x8x16xf32>, %w: tensor<48x16xf32>, %b: tensor<48xf32>) -> tensor<1x8x16xf32> {
  %p = loom.linear %x, %w, %b : (tensor<1x8x16xf32>, tensor<48x16xf32>, tensor<48xf32>) -> tensor<1x8x48xf32>
  %q = tensor.extract_slice %p[0, 0, 0] [1, 8, 16] [1, 1, 1] : tensor<1x8x48xf32> to tensor<1x8x16xf32>
  %k = tensor.extract_slice %p[0, 0, 16] [1, 8, 16] [1, 1, 1] : tensor<1x8x48xf32> to tensor<1x8x16xf32>
  %v = tensor.extract_slice %p[0, 0, 32] [1, 8, 16] [1, 1, 1] : tensor<1x8x48xf32> to tensor<1x8x16xf32>
  %rq = loom.rope %q {n_heads = 2 : i64, rotary_dim = 4 : i64} : tensor<1x8x16xf32>
  %rk = loom.rope %k {n_heads = 2 : i64, rotary_dim = 4 : i64} : tensor<1x8x16xf32>
  %o = loom.attention %rq, %rk, %v {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o : tensor<1x8x16xf32>
}

// Interleaved ropes left alone where the permutation would show or not match: the key
// rope is also returned; only the query is rotated; the key pairs another way; other
// rotary dims; heads of the rope that are not the attention's.
// CHECK-LABEL: func @interleaved_keep
// MERGED-LABEL: func @interleaved_keep
// CHECK-NOT: rope_heads
// CHECK-COUNT-9: loom.rope
// CHECK-NOT: rope_heads
// CHECK: return
func.func @interleaved_keep(%x: tensor<1x8x16xf32>, %w: tensor<16x16xf32>)
    -> (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) {
  %q1 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq1 = loom.rope %q1 {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %k1 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rk1 = loom.rope %k1 {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %o1 = loom.attention %rq1, %rk1, %x {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>

  %q2 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq2 = loom.rope %q2 {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %o2 = loom.attention %rq2, %x, %x {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>

  %q3 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq3 = loom.rope %q3 {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %k3 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rk3 = loom.rope %k3 {n_heads = 2 : i64, rotary_dim = 4 : i64} : tensor<1x8x16xf32>
  %o3 = loom.attention %rq3, %rk3, %x {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>

  %q4 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq4 = loom.rope %q4 {n_heads = 2 : i64, rotary_dim = 8 : i64, interleaved = true} : tensor<1x8x16xf32>
  %k4 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rk4 = loom.rope %k4 {n_heads = 2 : i64, rotary_dim = 4 : i64, interleaved = true} : tensor<1x8x16xf32>
  %o4 = loom.attention %rq4, %rk4, %x {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>

  %q5 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rq5 = loom.rope %q5 {n_heads = 4 : i64, rotary_dim = 4 : i64, interleaved = true} : tensor<1x8x16xf32>
  %k5 = loom.linear %x, %w : (tensor<1x8x16xf32>, tensor<16x16xf32>) -> tensor<1x8x16xf32>
  %rk5 = loom.rope %k5 {n_heads = 4 : i64, rotary_dim = 4 : i64, interleaved = true} : tensor<1x8x16xf32>
  %o5 = loom.attention %rq5, %rk5, %x {n_heads = 2 : i64} : (tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>) -> tensor<1x8x16xf32>
  return %o1, %rk1, %o2, %o3, %o4, %o5 : tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>, tensor<1x8x16xf32>
}
