// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-fuse-projections))' | FileCheck %s

// q/k/v projections of one input become one matmul on concatenated weights.
// CHECK-LABEL: func @qkv
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x8xf32>, %[[WQ:.*]]: tensor<8x8xf32>, %[[WK:.*]]: tensor<8x8xf32>, %[[WV:.*]]: tensor<8x8xf32>, %[[BQ:.*]]: tensor<8xf32>, %[[BK:.*]]: tensor<8xf32>, %[[BV:.*]]: tensor<8xf32>)
// CHECK: %[[W:.*]] = tensor.concat dim(0) %[[WQ]], %[[WK]], %[[WV]] : {{.*}} -> tensor<24x8xf32>
// CHECK: %[[B:.*]] = tensor.concat dim(0) %[[BQ]], %[[BK]], %[[BV]] : {{.*}} -> tensor<24xf32>
// CHECK: %[[Y:.*]] = loom.linear %[[X]], %[[W]], %[[B]] : {{.*}} -> tensor<2x4x24xf32>
// CHECK-DAG: %[[Q:.*]] = tensor.extract_slice %[[Y]][0, 0, 0] [2, 4, 8] [1, 1, 1]
// CHECK-DAG: %[[K:.*]] = tensor.extract_slice %[[Y]][0, 0, 8] [2, 4, 8] [1, 1, 1]
// CHECK-DAG: %[[V:.*]] = tensor.extract_slice %[[Y]][0, 0, 16] [2, 4, 8] [1, 1, 1]
// CHECK: loom.attention %[[Q]], %[[K]], %[[V]]
// CHECK-NOT: loom.linear
func.func @qkv(%x: tensor<2x4x8xf32>, %wq: tensor<8x8xf32>, %wk: tensor<8x8xf32>, %wv: tensor<8x8xf32>,
               %bq: tensor<8xf32>, %bk: tensor<8xf32>, %bv: tensor<8xf32>) -> tensor<2x4x8xf32> {
  %q = loom.linear %x, %wq, %bq : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %k = loom.linear %x, %wk, %bk : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %v = loom.linear %x, %wv, %bv : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %a = loom.attention %q, %k, %v {n_heads = 2 : i64} : (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %a : tensor<2x4x8xf32>
}

// Projections of different inputs, or with and without a bias, stay separate.
// CHECK-LABEL: func @leave_alone
// CHECK-NOT: tensor.concat
// CHECK-COUNT-3: loom.linear
func.func @leave_alone(%x: tensor<2x4x8xf32>, %y: tensor<2x4x8xf32>, %w: tensor<8x8xf32>, %b: tensor<8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %p = loom.linear %x, %w, %b : (tensor<2x4x8xf32>, tensor<8x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  %q = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %r = loom.linear %y, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return %p, %q, %r : tensor<2x4x8xf32>, tensor<2x4x8xf32>, tensor<2x4x8xf32>
}

// A linear with an epilogue (a fused activation) is not merged.
// CHECK-LABEL: func @epilogue_kept
// CHECK-NOT: tensor.concat
func.func @epilogue_kept(%x: tensor<2x4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %p = loom.linear %x, %w epilogue {
  ^bb0(%v: f32):
    loom.yield %v : f32
  } : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  %q = loom.linear %x, %w : (tensor<2x4x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8xf32>
  return %p, %q : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}

// Gated linears (even without an epilogue) are not merged: each one's halves are its own.
// CHECK-LABEL: func @gated_kept
// CHECK-NOT: tensor.concat
func.func @gated_kept(%x: tensor<2x4x8xf32>, %w: tensor<16x8xf32>) -> (tensor<2x4x8xf32>, tensor<2x4x8xf32>) {
  %p = loom.linear %x, %w glu first : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  %q = loom.linear %x, %w glu second : (tensor<2x4x8xf32>, tensor<16x8xf32>) -> tensor<2x4x8xf32>
  return %p, %q : tensor<2x4x8xf32>, tensor<2x4x8xf32>
}
